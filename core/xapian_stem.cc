/*
 * xapian_stem.cc: Xapian's own Snowball stemmers (Xapian::Stem) for the
 * analyzer.  They replaced libstemmer: a search loads libxapian anyway, and
 * libstemmer cost each process about 10,800 relocations at start.  The
 * English stems are identical (see analyze.c for what differs elsewhere).
 */
#include "core/xapian_impl.h"

#include <cstring>
#include <new>

struct ns__xstem {
    Xapian::Stem stem;
    std::string out;
};

const char *
ns__xstem_list(void) noexcept
{
    /* Built once (thread-safe static initialization): the space-separated
     * list with each space turned into a NUL, then a final NUL. */
    static const std::string names = []() {
        std::string s;
        try {
            s = Xapian::Stem::get_available_languages();
            for (char &c : s)
                if (c == ' ')
                    c = '\0';
            s.push_back('\0');
        } catch (...) {
            s.clear();
        }
        return s;
    }();
    return names.c_str();
}

ns_status
ns__xstem_new(const char *name, ns__xstem **out) noexcept
{
    if (!out)
        return NS_ERR_INVALID_ARG;
    *out = nullptr;
    if (!name)
        return NS_ERR_INVALID_ARG;
    /* Only the listed names: Xapian::Stem also takes aliases ("en") and
     * "none", which an analyzer spec must not. */
    bool known = false;
    for (const char *l = ns__xstem_list(); *l; l += std::strlen(l) + 1)
        if (std::strcmp(l, name) == 0)
            known = true;
    if (!known)
        return NS_ERR_INVALID_ARG;
    try {
        *out = new ns__xstem{ Xapian::Stem(name), std::string() };
        return NS_OK;
    } catch (...) {
        return ns__status_from_exception(nullptr) == NS_ERR_NOMEM
                   ? NS_ERR_NOMEM
                   : NS_ERR_INVALID_ARG;
    }
}

void
ns__xstem_free(ns__xstem *s) noexcept
{
    delete s;
}

ns_status
ns__xstem_stem(ns__xstem *s,
               const char *word,
               size_t len,
               const char **out,
               size_t *out_len) noexcept
{
    try {
        s->out = s->stem(std::string(word, len));
    } catch (...) {
        return ns__status_from_exception(nullptr) == NS_ERR_NOMEM
                   ? NS_ERR_NOMEM
                   : NS_ERR_BACKEND;
    }
    *out = s->out.c_str();
    *out_len = s->out.size();
    return NS_OK;
}
