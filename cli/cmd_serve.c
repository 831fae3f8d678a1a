/*
 * cmd_serve.c: `nsearch serve`: serve an index, or one shard of a sharded
 * index, to other machines' searches over Xapian's remote protocol.  It
 * finds the directory to serve and becomes Xapian's own server,
 * xapian-tcpsrv (Debian's xapian-tools): the protocol is Xapian's, and so
 * is the server; nsearch adds the choice of what to serve and safe
 * defaults (loopback only unless told otherwise).
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char serve_help[] =
    "usage: nsearch serve --port N [OPTIONS]\n"
    "\n"
    "Serve the index, or one shard of a sharded index, to remote searches:\n"
    "runs Xapian's xapian-tcpsrv (from xapian-tools) on it.  Another index\n"
    "then lists it as a remote shard:\n"
    "    nsearch shard add --index DIR HOST:PORT\n"
    "Each connection opens the index as it is then (a rebuild or compaction\n"
    "is seen by the next connection).  Serve one index or shard per port: a\n"
    "whole sharded index cannot be served as one.\n"
    "\n"
    "Options:\n"
    "  --index DIR      the index (default: $NSEARCH_INDEX, else\n"
    "                   ${XDG_DATA_HOME:-~/.local/share}/nsearch/index)\n"
    "  --shard NAME     serve this shard of a sharded index\n"
    "  --port N         the TCP port to listen on (required)\n"
    "  --bind ADDR      the address to listen on (default 127.0.0.1, this\n"
    "                   machine only; 0.0.0.0 for every interface)\n"
    "  --timeout SECONDS\n"
    "                   close a connection idle or busy this long (default:\n"
    "                   xapian-tcpsrv's)\n"
    "  --one-shot       serve one connection, then exit\n"
    "  -q, --quiet      print nothing but errors\n"
    "  -h, --help       this help\n"
    "\n"
    "It runs until stopped (SIGTERM stops its connections too).  Exit\n"
    "status: 2 usage or error; else xapian-tcpsrv's.\n";

/* The directory to serve: the index, or its shard `shard` (or its only
 * shard).  Returns a new string (free it), or NULL after an error. */
static char *
what_to_serve(const char *path, const char *shard)
{
    ns_open_options oo = NS_OPEN_OPTIONS_INIT;
    oo.flags = NS_OPEN_PARTIAL;
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open_v2(path, &oo, &db, &msg);
    if (st != NS_OK) {
        cli_error("%s", msg ? msg : ns_strerror(st));
        ns_free(msg);
        return NULL;
    }
    size_t n = ns_db_shard_count(db);
    char *dir = NULL;
    if (n == 0 && shard) {
        cli_error("%s: not a sharded index (serve it without --shard)", path);
    } else if (n == 0) {
        dir = strdup(path);
    } else if (!shard && n == 1) {
        /* One database behind a stub (a replica made by xapian-replicate
         * switches between two): the stub, so that each connection opens
         * the one it names then. */
        ns_shard_info si;
        if (ns_db_shard_info(db, 0, &si) == NS_OK && si.remote)
            cli_error("%s: its one shard is remote (served at %s already)",
                      path, si.location);
        else
            dir = strdup(path);
    } else if (!shard) {
        cli_error("%s: a sharded index (%zu shards): serve one shard per "
                  "port (--shard NAME; 'nsearch shard list' names them)",
                  path, n);
    } else {
        for (size_t i = 0; i < n && !dir; i++) {
            ns_shard_info si;
            if (ns_db_shard_info(db, i, &si) != NS_OK ||
                (shard && strcmp(si.name, shard) != 0))
                continue;
            if (si.remote)
                cli_error("shard %s is remote (served at %s already)", si.name,
                          si.location);
            else
                dir = strdup(si.location);
            shard = si.name;
            break;
        }
        if (!dir && shard && !*ns_db_errmsg(db))
            cli_error("%s: no shard %s is listed", path, shard);
    }
    ns_db_close(db);
    return dir;
}

int
cmd_serve(int argc, char **argv)
{
    const char *index = NULL, *shard = NULL;
    char *port = NULL, *bind = NULL;
    char loopback[] = "127.0.0.1";
    double timeout = -1;
    int one_shot = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r;
        if (cli_opt_flag(argv, i, "--help", 'h')) {
            fputs(serve_help, stdout);
            return EXIT_OK;
        } else if (cli_opt_flag(argv, i, "--one-shot", 0)) {
            one_shot = 1;
        } else if (cli_opt_flag(argv, i, "--quiet", 'q')) {
            quiet = 1;
        } else if ((r = cli_opt_value(argc, argv, &i, "--index", 0, &v))) {
            if (r < 0)
                return EXIT_ERROR;
            index = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--shard", 0, &v))) {
            if (r < 0)
                return EXIT_ERROR;
            shard = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--port", 0, &v))) {
            if (r < 0)
                return EXIT_ERROR;
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || end == v || n < 1 || n > 65535) {
                cli_error("--port: '%s' is not a port from 1 to 65535", v);
                return EXIT_ERROR;
            }
            /* v is in argv[i] (the option's, or the next): writable. */
            port = argv[i] + (v - argv[i]);
        } else if ((r = cli_opt_value(argc, argv, &i, "--bind", 0, &v))) {
            if (r < 0)
                return EXIT_ERROR;
            if (!*v || v[0] == '-') {
                cli_error("--bind: '%s' is not an address", v);
                return EXIT_ERROR;
            }
            bind = argv[i] + (v - argv[i]);
        } else if ((r = cli_opt_value(argc, argv, &i, "--timeout", 0, &v))) {
            if (r < 0 || (timeout = cli_parse_seconds(a, v)) < 0)
                return EXIT_ERROR;
        } else {
            cli_error("unknown argument '%s' (see 'nsearch serve --help')", a);
            return EXIT_ERROR;
        }
    }
    if (!port) {
        cli_error("no --port given (see 'nsearch serve --help')");
        return EXIT_ERROR;
    }
    if (!bind)
        bind = loopback;
    const char *path = cli_index_path(index);
    if (!path)
        return EXIT_ERROR;
    char *dir = what_to_serve(path, shard);
    if (!dir)
        return EXIT_ERROR;
    /* execvp() wants char *: the literals are arrays of ours. */
    char prog_name[] = "xapian-tcpsrv", o_port[] = "--port",
         o_iface[] = "--interface", o_timeout[] = "--timeout",
         o_one[] = "--one-shot", o_quiet[] = "--quiet", ms[32];
    char *args[16];
    int n = 0;
    args[n++] = prog_name;
    args[n++] = o_port;
    args[n++] = port;
    args[n++] = o_iface;
    args[n++] = bind;
    if (timeout >= 0) {
        snprintf(ms, sizeof ms, "%.0f", timeout * 1000);
        args[n++] = o_timeout;
        args[n++] = ms;
    }
    if (one_shot)
        args[n++] = o_one;
    if (quiet)
        args[n++] = o_quiet;
    args[n++] = dir;
    args[n] = NULL;
    /* xapian-tcpsrv stops on SIGTERM by sending it to its whole process
     * group (its connections are its children).  Unless it is the job in
     * a terminal's foreground, it gets a group of its own, so that
     * stopping it cannot stop whatever started it. */
    if (getpgrp() != getpid() && !(isatty(0) && tcgetpgrp(0) == getpgrp()))
        setpgid(0, 0);
    fflush(stdout);
    execvp(args[0], args);
    cli_error("cannot run %s: %s%s", args[0], strerror(errno),
              errno == ENOENT ? " (install xapian-tools)" : "");
    free(dir);
    return EXIT_ERROR;
}
