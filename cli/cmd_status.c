/*
 * cmd_status.c: `nsearch status`: what the index holds.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char status_help[] =
    "usage: nsearch status [--index DIR] [--format text|json]\n"
    "\n"
    "Show the number of articles, of distinct sources and of input files\n"
    "indexed, the size on disk, the time of the last update, the analyzer,\n"
    "and the writer at work (holding the index lock), if any.  For a\n"
    "sharded index, the figures of all its shards, and a line for each\n"
    "(the remote ones are asked; one that does not answer is said so).\n"
    "\n"
    "Options:\n"
    "  --index DIR      the index\n"
    "  --format FORMAT  text (default) or json: one object with index,\n"
    "                   location, articles, sources, files, size_bytes,\n"
    "                   older_bytes, updated, analyzer, positions (\"maps\",\n"
    "                   \"xapian\" or \"none\"), writer (null when none) and\n"
    "                   shards (each: name, remote, available, articles,\n"
    "                   error), for scripts and monitoring\n";

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

static void
print_text(const char *path, const ns_db_info *info, ns_db *db)
{
    field("index:       ", path);
    if (strcmp(info->location, path) != 0)
        field("location:    ", info->location);
    printf("articles:    %" PRIu64 "\n", info->articles);
    printf("sources:     %" PRIu64 "\n", info->sources);
    printf("files:       %" PRIu64 "\n", info->files);
    if (info->other_bytes)
        printf("size:        %.1f MB (and %.1f MB of older generations kept "
               "for their readers)\n",
               info->size_bytes / 1e6, info->other_bytes / 1e6);
    else
        printf("size:        %.1f MB\n", info->size_bytes / 1e6);
    field("updated:     ", *info->updated ? info->updated : "never");
    field("analyzer:    ", info->analyzer);
    printf("positions:   %s\n",
           info->positions == 2 ?
               "kept, in position maps (phrases matched on them)" :
           info->positions ?
               "kept, in Xapian's position table (phrases matched on them)" :
               "none (phrases checked on the stored text)");
    field("writer:      ", *info->writer ? info->writer : "none");
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
}

static void
print_json(const char *path, const ns_db_info *info, ns_db *db)
{
    putchar('{');
    out_json_field(stdout, "index", path, 0);
    out_json_field(stdout, "location", info->location, 1);
    printf(",\"articles\":%" PRIu64 ",\"sources\":%" PRIu64
           ",\"files\":%" PRIu64 ",\"size_bytes\":%" PRIu64
           ",\"older_bytes\":%" PRIu64,
           info->articles, info->sources, info->files, info->size_bytes,
           info->other_bytes);
    out_json_field(stdout, "updated", *info->updated ? info->updated : NULL, 1);
    out_json_field(stdout, "analyzer", info->analyzer, 1);
    out_json_field(stdout, "positions",
                   info->positions == 2 ? "maps" :
                   info->positions      ? "xapian" :
                                          "none",
                   1);
    out_json_field(stdout, "writer", *info->writer ? info->writer : NULL, 1);
    fputs(",\"shards\":[", stdout);
    size_t n = ns_db_shard_count(db);
    for (size_t i = 0, k = 0; i < n; i++) {
        ns_shard_info si;
        if (ns_db_shard_info(db, i, &si) != NS_OK)
            continue;
        if (k++)
            putchar(',');
        putchar('{');
        out_json_field(stdout, "name", si.name, 0);
        printf(",\"remote\":%s,\"available\":%s", si.remote ? "true" : "false",
               si.available ? "true" : "false");
        if (si.available) {
            printf(",\"articles\":%" PRIu64, si.articles);
        } else {
            out_json_field(stdout, "error", si.error, 1);
        }
        putchar('}');
    }
    puts("]}");
}

int
cmd_status(int argc, char **argv)
{
    const char *index = NULL;
    int json = 0;
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
        } else if ((r = cli_opt_value(argc, argv, &i, "--format", 0, &v))) {
            if (r < 0)
                return EXIT_ERROR;
            if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0) {
                cli_error("unknown format '%s' (text or json)", v);
                return EXIT_ERROR;
            }
            json = strcmp(v, "json") == 0;
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
    if (json)
        print_json(path, &info, db);
    else
        print_text(path, &info, db);
    ns_db_close(db);
    return EXIT_OK;
}
