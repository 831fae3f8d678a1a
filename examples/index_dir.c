/*
 * index_dir.c: index files and directories with libnsearch, the way
 * `nsearch index` does, in one page: open (creating) the index as its
 * writer, add each path through the corpus readers, report what could not
 * be read, commit, and print the counts.
 *
 *     index_dir INDEX PATH...
 *
 * Build: cc index_dir.c $(pkg-config --cflags --libs nsearch)
 */
#include <inttypes.h>
#include <stdio.h>

#include <nsearch.h>

/* Called once per input that cannot be read; the run goes on. */
static int
on_reject(const ns_reject *r, void *payload)
{
    (void)payload;
    fprintf(stderr, "index_dir: %s%s%s: %s\n", r->file, *r->where ? ": " : "",
            r->where, r->reason);
    return 0; /* non-zero would stop the run with NS_ERR_ABORTED */
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: index_dir INDEX PATH...\n");
        return 2;
    }
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st =
        ns_db_open(argv[1], NS_OPEN_WRITE | NS_OPEN_CREATE, &db, &msg);
    if (st != NS_OK) {
        /* msg is ours to free; it may be NULL (then strerror says it). */
        fprintf(stderr, "index_dir: %s\n", msg ? msg : ns_strerror(st));
        ns_free(msg);
        return 2;
    }

    ns_index_options opts = NS_INDEX_OPTIONS_INIT;
    opts.on_reject = on_reject;
    ns_index_stats stats = { 0 };
    for (int i = 2; i < argc && st == NS_OK; i++) {
        st = ns_db_add_path(db, argv[i], &opts, &stats);
        if (st != NS_OK)
            fprintf(stderr, "index_dir: %s: %s (%s)\n", argv[i],
                    ns_strerror(st), ns_db_errmsg(db));
    }
    /* ns_db_close() would commit too, but could not report a failure. */
    if (st == NS_OK && (st = ns_db_commit(db)) != NS_OK)
        fprintf(stderr, "index_dir: commit: %s (%s)\n", ns_strerror(st),
                ns_db_errmsg(db));
    ns_db_close(db);

    printf("%" PRIu64 " indexed, %" PRIu64 " rejected\n",
           stats.articles_indexed,
           stats.articles_rejected + stats.files_rejected);
    if (st != NS_OK)
        return 2;
    return stats.articles_rejected + stats.files_rejected ? 1 : 0;
}
