/*
 * headertest_cxx.cc: nsearch.h as a C++11 user compiles it, with -pedantic,
 * -Wold-style-cast and every warning an error: C linkage, the _INIT macros
 * as aggregate initializers, and noexcept on every function (an exception
 * can never unwind into C++ from the library).
 */
#include "nsearch.h"

#include <cstdio>
#include <cstring>

static_assert(NS_CHECK_VERSION(0, 1, 0), "NS_CHECK_VERSION");
static_assert(noexcept(ns_strerror(NS_OK)), "functions are noexcept");
static_assert(noexcept(ns_db_close(nullptr)), "functions are noexcept");
static_assert(noexcept(ns_db_search(nullptr, nullptr, nullptr, nullptr)),
              "functions are noexcept");

int
main()
{
    int fails = 0;
    /* Every _INIT macro of the header (symbols.sh checks the list). */
    ns_article a = NS_ARTICLE_INIT;
    ns_open_options oo = NS_OPEN_OPTIONS_INIT;
    ns_index_options io = NS_INDEX_OPTIONS_INIT;
    ns_search_options so = NS_SEARCH_OPTIONS_INIT;
    if (a.version != NS_ARTICLE_VERSION ||
        oo.version != NS_OPEN_OPTIONS_VERSION ||
        io.version != NS_INDEX_OPTIONS_VERSION ||
        so.version != NS_SEARCH_OPTIONS_VERSION)
        fails++;
    if (ns_version_number() != NS_VERSION_NUMBER ||
        std::strcmp(ns_version_string(), NS_VERSION_STRING) != 0)
        fails++;
    /* A C++ caller gets statuses back, not exceptions. */
    ns_db *db = nullptr;
    if (ns_db_open(nullptr, NS_OPEN_READ, &db, nullptr) != NS_ERR_INVALID_ARG ||
        db != nullptr)
        fails++;
    if (fails)
        std::fprintf(stderr, "headertest_cxx: %d checks failed\n", fails);
    return fails ? 1 : 0;
}
