/*
 * cmd_compact.c: `nsearch compact`: compact the index into a new
 * generation and switch to it atomically, while searches go on.  Quiet
 * unless stdout is a terminal; the exit code says what happened (0, 75
 * locked, 2 error).
 */
#include "cli.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static const char compact_help[] =
    "usage: nsearch compact [OPTIONS]\n"
    "\n"
    "Compact the index: write a compact copy beside it (smaller and faster\n"
    "to search) and switch to it atomically; searches running meanwhile\n"
    "use the old copy, which is deleted once no search holds it.  Needs the\n"
    "disk space of a second copy while it runs.\n"
    "\n"
    "A sharded index: each local shard is compacted so; with --merge, all\n"
    "its shards are merged into one index instead (in place, switched to\n"
    "atomically; every shard's writer lock is held meanwhile).\n"
    "\n"
    "Options:\n"
    "  --index DIR    the index (default: $NSEARCH_INDEX, else\n"
    "                 ${XDG_DATA_HOME:-~/.local/share}/nsearch/index)\n"
    "  --lock-timeout SECONDS\n"
    "                 wait this long for another writer to finish (default\n"
    "                 300; 0 gives up at once), then exit with 75\n"
    "  --merge        merge the shards of a sharded index into one index\n"
    "  -q, --quiet    print nothing but errors\n"
    "  -h, --help     this help\n"
    "\n"
    "Exit status: 0 done; 75 another writer holds the index lock; 2 usage\n"
    "or fatal error (the index is then as it was).\n";

/* Compact the index at path, or its shard oo->shard. */
static int
compact_one(const char *path,
            const ns_open_options *oo,
            double lock_timeout,
            int quiet)
{
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open_v2(path, oo, &db, &msg);
    if (st != NS_OK) {
        if (st == NS_ERR_INDEX_LOCKED)
            cli_error("%s; gave up after %g s (see --lock-timeout)",
                      msg ? msg : ns_strerror(st), lock_timeout);
        else
            cli_error("%s", msg ? msg : ns_strerror(st));
        ns_free(msg);
        return cli_exit_for(st);
    }
    ns_db_info info;
    double before = ns_db_stat(db, &info) == NS_OK ? info.size_bytes / 1e6 : 0;
    st = ns_db_compact(db);
    int rc = EXIT_OK;
    if (st != NS_OK) {
        cli_error("%s: %s", path,
                  *ns_db_errmsg(db) ? ns_db_errmsg(db) : ns_strerror(st));
        rc = cli_exit_for(st);
    } else if (!quiet && isatty(1) && ns_db_stat(db, &info) == NS_OK) {
        printf("compacted%s%s: %.1f MB -> %.1f MB\n", oo->shard ? " " : "",
               oo->shard ? oo->shard : "", before, info.size_bytes / 1e6);
    }
    ns_db_close(db);
    return rc;
}

/* The local shards of a sharded index, each compacted in turn; -1 when
 * path is not a sharded index. */
static int
compact_shards(const char *path,
               ns_open_options *oo,
               double lock_timeout,
               int quiet)
{
    ns_open_options ro = NS_OPEN_OPTIONS_INIT;
    ro.flags = NS_OPEN_PARTIAL;
    ns_db *db = NULL;
    if (ns_db_open_v2(path, &ro, &db, NULL) != NS_OK ||
        ns_db_shard_count(db) == 0) {
        ns_db_close(db);
        return -1;
    }
    int rc = EXIT_OK;
    for (size_t i = 0; i < ns_db_shard_count(db) && rc == EXIT_OK; i++) {
        ns_shard_info si;
        if (ns_db_shard_info(db, i, &si) != NS_OK || si.remote)
            continue;
        oo->shard = si.name;
        rc = compact_one(path, oo, lock_timeout, quiet);
    }
    oo->shard = NULL;
    ns_db_close(db);
    return rc;
}

int
cmd_compact(int argc, char **argv)
{
    /* Past a file size limit (ulimit -f) a write fails with EFBIG, which
     * is reported, instead of killing the command mid-commit. */
    signal(SIGXFSZ, SIG_IGN);
    ns_set_fatal_exit(2); /* a write error Xapian cannot report */
    const char *index = NULL;
    double lock_timeout = 300;
    int quiet = 0, merge = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r;
        if (cli_opt_flag(argv, i, "--help", 'h')) {
            fputs(compact_help, stdout);
            return EXIT_OK;
        } else if (cli_opt_flag(argv, i, "--quiet", 'q')) {
            quiet = 1;
        } else if (cli_opt_flag(argv, i, "--merge", 0)) {
            merge = 1;
        } else if ((r = cli_opt_value(argc, argv, &i, "--index", 0, &v))) {
            if (r < 0)
                return EXIT_ERROR;
            index = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--lock-timeout", 0,
                                      &v))) {
            if (r < 0 || (lock_timeout = cli_parse_seconds(a, v)) < 0)
                return EXIT_ERROR;
        } else {
            cli_error("unknown argument '%s' (see 'nsearch compact --help')",
                      a);
            return EXIT_ERROR;
        }
    }
    const char *path = cli_index_path(index);
    if (!path)
        return EXIT_ERROR;
    ns_open_options oo = NS_OPEN_OPTIONS_INIT;
    oo.flags = NS_OPEN_WRITE;
    oo.lock_timeout_ms = (int)(lock_timeout * 1000);
    if (merge) {
        char *msg = NULL;
        ns_status st = ns_shards_merge(path, &oo, &msg);
        if (st != NS_OK) {
            cli_error("%s%s", msg ? msg : ns_strerror(st),
                      st == NS_ERR_INDEX_LOCKED ? " (see --lock-timeout)" : "");
            ns_free(msg);
            return cli_exit_for(st);
        }
        if (!quiet && isatty(1))
            printf("merged the shards of %s\n", path);
        return EXIT_OK;
    }
    int rc = compact_shards(path, &oo, lock_timeout, quiet);
    return rc >= 0 ? rc : compact_one(path, &oo, lock_timeout, quiet);
}
