/*
 * search.c: search an index with libnsearch and print the results, each
 * with its snippet and the matched words between [ and ].  Shows the
 * options struct, the results loop, and the ownership of what a search
 * returns (the hits belong to the results, the results to the caller).
 *
 *     search INDEX QUERY [LIMIT]
 *
 * Build: cc search.c $(pkg-config --cflags --libs nsearch)
 */
#include <stdio.h>
#include <stdlib.h>

#include <nsearch.h>

/* Print a hit's snippet with each highlighted byte range in brackets. */
static void
print_snippet(const ns_hit *h)
{
    size_t at = 0;
    for (size_t i = 0; i < h->n_highlights; i++) {
        const ns_highlight *hl = &h->highlights[i];
        printf("%.*s[%.*s]", (int)(hl->start - at), h->snippet + at,
               (int)(hl->end - hl->start), h->snippet + hl->start);
        at = hl->end;
    }
    printf("%.*s\n", (int)(h->snippet_len - at), h->snippet + at);
}

int
main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: search INDEX QUERY [LIMIT]\n");
        return 2;
    }
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open(argv[1], NS_OPEN_READ, &db, &msg);
    if (st != NS_OK) {
        fprintf(stderr, "search: %s\n", msg ? msg : ns_strerror(st));
        ns_free(msg);
        return 2;
    }

    /* Options structs start from their _INIT macro: fields added in later
     * versions then keep their defaults. */
    ns_search_options opts = NS_SEARCH_OPTIONS_INIT;
    if (argc == 4)
        opts.limit = (unsigned)strtoul(argv[3], NULL, 10);
    ns_results *res = NULL;
    st = ns_db_search(db, argv[2], &opts, &res);
    if (st != NS_OK) {
        /* The handle's message says more than the status; it is valid
         * until the next call on db. */
        fprintf(stderr, "search: %s: %s\n", ns_strerror(st), ns_db_errmsg(db));
        ns_db_close(db);
        return 2;
    }

    printf("about %llu matching articles\n",
           (unsigned long long)ns_results_total(res));
    for (size_t i = 0; i < ns_results_count(res); i++) {
        const ns_hit *h = ns_results_get(res, i);
        printf("%u. %s (%s, %s) score %.3f id %s\n   ", h->rank, h->title,
               *h->date ? h->date : "undated",
               *h->source ? h->source : "unknown source", h->score, h->id);
        print_snippet(h);
    }
    int found = ns_results_count(res) > 0;
    ns_results_free(res); /* before closing the db it came from */
    ns_db_close(db);
    return found ? 0 : 1;
}
