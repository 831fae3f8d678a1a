/*
 * cmd_status.c: `nsearch status`: what the index holds.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char status_help[] =
    "usage: nsearch status [--index DIR]\n"
    "\n"
    "Show the number of articles, of distinct sources and of input files\n"
    "indexed, the size on disk, the time of the last update, the analyzer,\n"
    "and the writer at work (holding the index lock), if any.  For a\n"
    "sharded index, the figures of all its shards, and a line for each\n"
    "(the remote ones are asked; one that does not answer is said so).\n";

/* A line "label value": the value is the index's (its metadata, a
 * shard's name or error), which a hostile index can fill with terminal
 * escapes, so it goes through out_safe. */
static void
field(const char *label, const char *value)
{
    fputs(label, stdout);
    out_safe(stdout, value, strlen(value));
    putchar('\n');
}

int
cmd_status(int argc, char **argv)
{
    const char *index = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (cli_opt_flag(argv, i, "--help", 'h')) {
            fputs(status_help, stdout);
            return EXIT_OK;
        } else if ((r = cli_opt_value(argc, argv, &i, "--index", 0, &v))) {
            if (r < 0)
                return EXIT_ERROR;
            index = v;
        } else {
            cli_error("unknown argument '%s' (see 'nsearch status --help')",
                      argv[i]);
            return EXIT_ERROR;
        }
    }
    const char *path = cli_index_path(index);
    if (!path)
        return EXIT_ERROR;
    ns_db *db = NULL;
    char *msg = NULL;
    ns_open_options oo = NS_OPEN_OPTIONS_INIT;
    oo.flags = NS_OPEN_PARTIAL; /* a shard down is a status to show */
    ns_status st = ns_db_open_v2(path, &oo, &db, &msg);
    if (st != NS_OK) {
        cli_error("%s", msg ? msg : ns_strerror(st));
        ns_free(msg);
        return EXIT_ERROR;
    }
    ns_db_info info;
    st = ns_db_stat_v2(db, NS_DB_INFO_VERSION, &info);
    if (st != NS_OK) {
        cli_error("%s: %s", path, ns_db_errmsg(db));
        ns_db_close(db);
        return EXIT_ERROR;
    }
    field("index:       ", path);
    if (strcmp(info.location, path) != 0)
        field("location:    ", info.location);
    printf("articles:    %" PRIu64 "\n", info.articles);
    printf("sources:     %" PRIu64 "\n", info.sources);
    printf("files:       %" PRIu64 "\n", info.files);
    if (info.other_bytes)
        printf("size:        %.1f MB (and %.1f MB of older generations kept "
               "for their readers)\n",
               info.size_bytes / 1e6, info.other_bytes / 1e6);
    else
        printf("size:        %.1f MB\n", info.size_bytes / 1e6);
    field("updated:     ", *info.updated ? info.updated : "never");
    field("analyzer:    ", info.analyzer);
    printf("positions:   %s\n",
           info.positions == 2
               ? "kept, in position maps (phrases matched on them)"
           : info.positions
               ? "kept, in Xapian's position table (phrases matched on them)"
               : "none (phrases checked on the stored text)");
    field("writer:      ", *info.writer ? info.writer : "none");
    size_t n = ns_db_shard_count(db);
    if (n)
        printf("shards:      %zu\n", n);
    for (size_t i = 0; i < n; i++) {
        ns_shard_info si;
        if (ns_db_shard_info(db, i, &si) != NS_OK)
            continue;
        fputs("  ", stdout);
        out_safe(stdout, si.name, strlen(si.name));
        printf(" (%s): ", si.remote ? "remote" : "local");
        if (si.available)
            printf("%" PRIu64 " articles\n", si.articles);
        else
            field("unavailable: ", si.error);
    }
    ns_db_close(db);
    return EXIT_OK;
}
