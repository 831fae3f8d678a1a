/*
 * headertest_cxx98.cc: nsearch.h as a C++98 user compiles it (no
 * noexcept there: the header says throw()), -pedantic, every warning an
 * error.  The _INIT macros as C++98 aggregate initializers.
 */
#include "nsearch.h"

#include <cstdio>

int
main()
{
    ns_article a = NS_ARTICLE_INIT;
    ns_open_options oo = NS_OPEN_OPTIONS_INIT;
    ns_index_options io = NS_INDEX_OPTIONS_INIT;
    ns_search_options so = NS_SEARCH_OPTIONS_INIT;
    if (a.version != NS_ARTICLE_VERSION ||
        oo.version != NS_OPEN_OPTIONS_VERSION ||
        io.version != NS_INDEX_OPTIONS_VERSION ||
        so.version != NS_SEARCH_OPTIONS_VERSION ||
        ns_version_number() != NS_VERSION_NUMBER) {
        std::fprintf(stderr, "headertest_cxx98: versions differ\n");
        return 1;
    }
    return 0;
}
