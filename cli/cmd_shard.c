/*
 * cmd_shard.c: `nsearch shard`: the shards of a sharded index: list them,
 * add a local or remote one to the list, retire one.  Each change is one
 * atomic rename of the index's stub, under its writer lock.  Exit codes:
 * 0 done, 75 locked, 2 error.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char shard_help[] =
    "usage: nsearch shard list [OPTIONS]\n"
    "       nsearch shard add [OPTIONS] NAME|HOST:PORT...\n"
    "       nsearch shard retire [OPTIONS] NAME...\n"
    "\n"
    "A sharded index is a directory that lists shards, each searched as\n"
    "part of one index: local shards (DIR/shards/NAME, each a whole index,\n"
    "filled with 'nsearch index --shard NAME') and remote ones, served by\n"
    "xapian-tcpsrv or 'nsearch serve' at HOST:PORT.\n"
    "\n"
    "  list     the shards, their articles, and whether they answer\n"
    "  add      list the index DIR/shards/NAME, or the server at HOST:PORT\n"
    "           (it must answer, with the analyzer of the other shards)\n"
    "  retire   take a shard out of the list (its data stays; 'add' lists\n"
    "           it again)\n"
    "\n"
    "Several names are taken in turn, each change atomic on its own; the\n"
    "first that fails stops the command, the changes before it made.\n"
    "\n"
    "Options:\n"
    "  --index DIR      the index (default: $NSEARCH_INDEX, else\n"
    "                   ${XDG_DATA_HOME:-~/.local/share}/nsearch/index)\n"
    "  --timeout SECONDS\n"
    "                   remote shards: how long to wait for an answer\n"
    "                   (default 10)\n"
    "  --connect-timeout SECONDS\n"
    "                   remote shards: how long to wait for a connection\n"
    "                   (default 10)\n"
    "  --lock-timeout SECONDS\n"
    "                   add, retire: wait this long for another writer of\n"
    "                   the list (default 300), then exit with 75\n"
    "  -h, --help       this help\n"
    "\n"
    "Exit status: 0 done; 75 another writer holds the index lock; 2 usage\n"
    "or error (a shard that does not answer, a different analyzer, ...).\n";

static int
list_shards(const char *path, const ns_open_options *oo)
{
    ns_open_options o = *oo;
    o.flags = NS_OPEN_PARTIAL;
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open_v2(path, &o, &db, &msg);
    if (st != NS_OK) {
        cli_error("%s", msg ? msg : ns_strerror(st));
        ns_free(msg);
        return cli_exit_for(st);
    }
    size_t n = ns_db_shard_count(db);
    if (n == 0) {
        cli_error("%s: not a sharded index", path);
        ns_db_close(db);
        return EXIT_ERROR;
    }
    int rc = EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        ns_shard_info si;
        if ((st = ns_db_shard_info(db, i, &si)) != NS_OK) {
            cli_error("%s: %s", path, ns_strerror(st));
            rc = EXIT_ERROR;
            break;
        }
        out_safe(stdout, si.name, strlen(si.name));
        printf("\t%s\t", si.remote ? "remote" : "local");
        if (si.available) {
            printf("%" PRIu64 " articles\t", si.articles);
        } else {
            fputs("unavailable: ", stdout);
            out_safe(stdout, si.error, strlen(si.error));
            putchar('\t');
        }
        out_safe(stdout, si.location, strlen(si.location));
        putchar('\n');
    }
    ns_db_close(db);
    return rc;
}

int
cmd_shard(int argc, char **argv)
{
    const char *index = NULL, *action = NULL;
    double lock_timeout = 300, timeout = 10, connect_timeout = 10;
    int first = 0, n_names = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r;
        if (cli_opt_flag(argv, i, "--help", 'h')) {
            fputs(shard_help, stdout);
            return EXIT_OK;
        } else if ((r = cli_opt_value(argc, argv, &i, "--index", 0, &v))) {
            if (r < 0)
                return EXIT_ERROR;
            index = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--lock-timeout", 0,
                                      &v))) {
            if (r < 0 || (lock_timeout = cli_parse_seconds(a, v)) < 0)
                return EXIT_ERROR;
        } else if ((r = cli_opt_value(argc, argv, &i, "--timeout", 0, &v))) {
            if (r < 0 || (timeout = cli_parse_seconds(a, v)) < 0)
                return EXIT_ERROR;
        } else if ((r = cli_opt_value(argc, argv, &i, "--connect-timeout", 0,
                                      &v))) {
            if (r < 0 || (connect_timeout = cli_parse_seconds(a, v)) < 0)
                return EXIT_ERROR;
        } else if (a[0] == '-' && a[1]) {
            cli_error("unknown option '%s' (see 'nsearch shard --help')", a);
            return EXIT_ERROR;
        } else if (!action) {
            action = a;
        } else {
            /* A name: keep it where it is, and its place. */
            if (!first)
                first = i;
            argv[first + n_names++] = argv[i];
        }
    }
    if (!action) {
        cli_error("no action given: list, add or retire (see 'nsearch shard "
                  "--help')");
        return EXIT_ERROR;
    }
    const char *path = cli_index_path(index);
    if (!path)
        return EXIT_ERROR;
    ns_open_options oo = NS_OPEN_OPTIONS_INIT;
    oo.lock_timeout_ms = (int)(lock_timeout * 1000);
    /* 0 s waits forever, as 0 ms does not in the API: say so there. */
    oo.remote_timeout_ms = timeout > 0 ? (int)(timeout * 1000) : -1;
    oo.connect_timeout_ms =
        connect_timeout > 0 ? (int)(connect_timeout * 1000) : -1;
    if (strcmp(action, "list") == 0) {
        if (n_names) {
            cli_error("shard list takes no name");
            return EXIT_ERROR;
        }
        return list_shards(path, &oo);
    }
    int add = strcmp(action, "add") == 0;
    if (!add && strcmp(action, "retire") != 0) {
        cli_error("unknown action '%s': list, add or retire", action);
        return EXIT_ERROR;
    }
    if (!n_names) {
        cli_error("shard %s: name a shard (see 'nsearch shard --help')",
                  action);
        return EXIT_ERROR;
    }
    for (int k = 0; k < n_names; k++) {
        char *msg = NULL;
        const char *name = argv[first + k];
        ns_status st = add ? ns_shards_add(path, name, &oo, &msg) :
                             ns_shards_retire(path, name, &oo, &msg);
        if (st != NS_OK) {
            if (st == NS_ERR_INDEX_LOCKED)
                cli_error("%s; gave up after %g s (see --lock-timeout)",
                          msg ? msg : ns_strerror(st), lock_timeout);
            else
                cli_error("%s", msg ? msg : ns_strerror(st));
            ns_free(msg);
            return cli_exit_for(st);
        }
    }
    return EXIT_OK;
}
