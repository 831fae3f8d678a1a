/*
 * xapian_error.cc: the one place where exceptions become statuses
 * (notmuch's _notmuch_xapian_error).  Most-derived types first.
 */
#include "core/xapian_impl.h"

#include <cerrno>
#include <cstring>
#include <new>

#include <unistd.h>

static ns_status
from_xapian_error(const Xapian::Error &e, std::string *errmsg)
{
    if (errmsg)
        *errmsg = e.get_description();
    /* Xapian reports a full disk as a DatabaseError carrying errno. */
    const char *es = e.get_error_string();
    if (es && std::strstr(es, std::strerror(ENOSPC)))
        return NS_ERR_DISK_FULL;
    if (e.get_description().find("No space left") != std::string::npos)
        return NS_ERR_DISK_FULL;
    return NS_ERR_BACKEND;
}

ns_status
ns__status_from_exception(std::string *errmsg) noexcept
{
    try {
        try {
            throw;
        } catch (const Xapian::DatabaseLockError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_LOCKED;
        } catch (const Xapian::DatabaseCorruptError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_CORRUPT;
        } catch (const Xapian::DatabaseModifiedError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_MODIFIED;
        } catch (const Xapian::DatabaseVersionError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_VERSION;
        } catch (const Xapian::DatabaseNotFoundError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_OPEN;
        } catch (const Xapian::DatabaseOpeningError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_OPEN;
        } catch (const Xapian::QueryParserError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_QUERY_SYNTAX;
        } catch (const Xapian::NetworkError &e) {
            /* A remote shard that is down, unreachable or silent (and
             * NetworkTimeoutError, derived from it). */
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_SHARD_UNAVAILABLE;
        } catch (const Xapian::Error &e) {
            return from_xapian_error(e, errmsg);
        } catch (const std::bad_alloc &) {
            if (errmsg)
                *errmsg = "out of memory";
            return NS_ERR_NOMEM;
        } catch (const std::exception &e) {
            if (errmsg)
                *errmsg = e.what();
            return NS_ERR_BACKEND;
        } catch (...) {
            if (errmsg)
                *errmsg = "unknown exception";
            return NS_ERR_BACKEND;
        }
    } catch (...) {
        /* Assigning the message itself failed. */
        return NS_ERR_NOMEM;
    }
}

extern "C" char *
ns__xdb_find_damage(const char *dir) noexcept
{
    static const char *const tables[] = { "postlist", "docdata",  "termlist",
                                          "position", "spelling", "synonym" };
    try {
        std::string first, first_why;
        int present = 0, bad = 0, same = 1;
        for (const char *t : tables) {
            std::string path = std::string(dir) + "/" + t + ".glass";
            if (access(path.c_str(), F_OK) != 0)
                continue;
            present++;
            std::string why;
            try {
                size_t n = Xapian::Database::check(path, 0, nullptr);
                if (n)
                    why = "Xapian's check found " + std::to_string(n) +
                          (n == 1 ? " error" : " errors");
            } catch (const Xapian::Error &e) {
                why = e.get_description();
            }
            if (!why.empty()) {
                if (bad++ == 0) {
                    first = std::string(t) + ".glass";
                    first_why = why;
                } else if (why != first_why) {
                    same = 0;
                }
            }
        }
        if (!bad)
            return nullptr;
        /* Each table is checked at the revision the version file names:
         * when every one fails alike, the version file is what is bad. */
        if (present > 1 && bad == present && same)
            first = "iamglass";
        return ns__sprintf("%s: %s", first.c_str(), first_why.c_str());
    } catch (...) {
        return nullptr;
    }
}
