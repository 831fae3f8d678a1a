/*
 * headertest.c: nsearch.h as a C99 user compiles it, with -pedantic and
 * every warning an error (tests/api/packaging.cmake sets the flags): the
 * header alone, twice, every _INIT macro filling its whole struct (a field
 * appended without its initializer fails -Wmissing-field-initializers), and
 * the version macros.  Run, it checks that the library linked is the one
 * the header describes.
 */
#include "nsearch.h"
#include "nsearch.h" /* the include guard */

#include <stdio.h>
#include <string.h>

#if !NS_CHECK_VERSION(0, 1, 0) || NS_CHECK_VERSION(NS_VERSION_MAJOR + 1, 0, 0)
#error "NS_CHECK_VERSION is wrong"
#endif

int
main(void)
{
    char want[32];
    int fails = 0;
    /* Every _INIT macro of the header (symbols.sh checks the list). */
#define CHECK_INIT(type, init, ver)                                  \
    do {                                                             \
        type x_ = init;                                              \
        if (x_.version != (ver)) {                                   \
            fprintf(stderr, "%s does not set its version\n", #init); \
            fails++;                                                 \
        }                                                            \
    } while (0)
    CHECK_INIT(ns_article, NS_ARTICLE_INIT, NS_ARTICLE_VERSION);
    CHECK_INIT(ns_open_options, NS_OPEN_OPTIONS_INIT, NS_OPEN_OPTIONS_VERSION);
    CHECK_INIT(ns_index_options, NS_INDEX_OPTIONS_INIT,
               NS_INDEX_OPTIONS_VERSION);
    CHECK_INIT(ns_search_options, NS_SEARCH_OPTIONS_INIT,
               NS_SEARCH_OPTIONS_VERSION);

    if (ns_version_number() != NS_VERSION_NUMBER) {
        fprintf(stderr, "library %u, header %d\n", ns_version_number(),
                NS_VERSION_NUMBER);
        fails++;
    }
    sprintf(want, "%d.%d.%d", NS_VERSION_MAJOR, NS_VERSION_MINOR,
            NS_VERSION_PATCH);
    if (strcmp(ns_version_string(), want) != 0 ||
        strcmp(NS_VERSION_STRING, want) != 0) {
        fprintf(stderr, "version strings: library %s, header %s, want %s\n",
                ns_version_string(), NS_VERSION_STRING, want);
        fails++;
    }
    return fails ? 1 : 0;
}
