/*
 * cmd_index.c: `nsearch index`: add files, archives and directories to the
 * index.  Quiet unless something is wrong when its output is not a
 * terminal; each rejected input is one line on stderr, and the exit code
 * says what happened (0, 3 with rejects, 75 locked, 2 error).
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char index_help[] =
    "usage: nsearch index [OPTIONS] PATH...\n"
    "\n"
    "Add the articles of each PATH to the index, creating it if needed.  A\n"
    "PATH is a file, a compressed file (.gz .zst .xz .bz2), an archive (.tar.*\n"
    ".zip) or a directory (read recursively).  Formats are detected by\n"
    "content: JSON lines and arrays, text and Markdown with front matter,\n"
    "TREC and Reuters SGML, RSS/Atom, NewsML/NITF, WARC.  An article whose\n"
    "id is already indexed is replaced.\n"
    "\n"
    "Updates are incremental: a file indexed before is read again only if\n"
    "it changed (size, mtime, then content); its changed articles are\n"
    "replaced and those no longer in it removed.  Run it from cron: it\n"
    "prints nothing when all went well and stdout is not a terminal.\n"
    "\n"
    "Options:\n"
    "  --index DIR    the index (default: $NSEARCH_INDEX, else\n"
    "                 ${XDG_DATA_HOME:-~/.local/share}/nsearch/index)\n"
    "  --lock-timeout SECONDS\n"
    "                 wait this long for another writer to finish (default\n"
    "                 300; 0 gives up at once), then exit with 75\n"
    "  --commit-every N\n"
    "                 commit every N articles (default: every 10000 articles\n"
    "                 or 48 MB of text); a killed run loses at most one\n"
    "                 batch, which the next run reads again\n"
    "  --rebuild      build a new index from the PATHs beside the live one\n"
    "                 (which searches go on using), compact it, and switch\n"
    "                 to it atomically at the end\n"
    "  --prune        remove the articles of files indexed before under\n"
    "                 each PATH that no longer exist\n"
    "  -q, --quiet    print nothing but errors\n"
    "  -h, --help     this help\n"
    "\n"
    "Exit status: 0 all indexed; 3 done, but some inputs were rejected (each\n"
    "named on stderr); 75 another writer holds the index lock; 2 usage or\n"
    "fatal error.\n";

typedef struct run {
    int tty;   /* stderr is a terminal: show progress */
    int quiet;
    int progress_shown;
} run;

static int
on_reject(const ns_reject *r, void *payload)
{
    run *ru = payload;
    if (ru->progress_shown) {
        fputs("\r\x1b[K", stderr);
        ru->progress_shown = 0;
    }
    fprintf(stderr, "%s: ", prog);
    out_safe(stderr, r->file, strlen(r->file));
    if (*r->where)
        fprintf(stderr, ": %s", r->where);
    fputs(": ", stderr);
    out_safe(stderr, r->reason, strlen(r->reason));
    fputc('\n', stderr);
    return 0;
}

static int
on_progress(const ns_index_stats *st, void *payload)
{
    run *ru = payload;
    if (!ru->tty || ru->quiet)
        return 0;
    fprintf(stderr, "\r\x1b[Kindexing: %" PRIu64 " articles from %" PRIu64
            " files, %.1f MB read",
            st->articles_indexed, st->files_seen, st->bytes_read / 1e6);
    ru->progress_shown = 1;
    return 0;
}

int
cmd_index(int argc, char **argv)
{
    const char *index = NULL;
    double lock_timeout = 300;
    unsigned index_flags = 0;
    long commit_every = 0;
    int rebuild = 0, missing = 0;
    run ru = { isatty(2), 0, 0 };
    char **paths = calloc((size_t)argc + 1, sizeof *paths);
    int n_paths = 0, rc = EXIT_ERROR;
    ns_db *db = NULL;
    if (!paths) {
        cli_error("out of memory");
        return EXIT_ERROR;
    }
    int only_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r;
        if (only_paths || a[0] != '-' || a[1] == '\0') {
            paths[n_paths++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            only_paths = 1;
        } else if (cli_opt_flag(argv, i, "--help", 'h')) {
            fputs(index_help, stdout);
            rc = EXIT_OK;
            goto out;
        } else if (cli_opt_flag(argv, i, "--quiet", 'q')) {
            ru.quiet = 1;
        } else if ((r = cli_opt_value(argc, argv, &i, "--commit-every", 0,
                                      &v))) {
            if (r < 0 || (commit_every = cli_parse_count(a, v)) < 0)
                goto out;
        } else if (cli_opt_flag(argv, i, "--rebuild", 0)) {
            rebuild = 1;
        } else if (cli_opt_flag(argv, i, "--prune", 0)) {
            index_flags |= NS_INDEX_PRUNE;
        } else if ((r = cli_opt_value(argc, argv, &i, "--index", 0, &v))) {
            if (r < 0)
                goto out;
            index = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--lock-timeout", 0,
                                      &v))) {
            if (r < 0 || (lock_timeout = cli_parse_seconds(a, v)) < 0)
                goto out;
        } else {
            cli_error("unknown option '%s' (see 'nsearch index --help')", a);
            goto out;
        }
    }
    if (n_paths == 0) {
        cli_error("no path to index given (see 'nsearch index --help')");
        goto out;
    }
    const char *path = cli_index_path(index);
    if (!path)
        goto out;
    if (cli_mkdirs(path) != 0) {
        cli_error("%s: cannot create the index directory: %s", path,
                  strerror(errno));
        goto out;
    }
    char *msg = NULL;
    ns_open_options oo = NS_OPEN_OPTIONS_INIT;
    oo.flags = NS_OPEN_WRITE | NS_OPEN_CREATE | (rebuild ? NS_OPEN_REBUILD : 0);
    oo.lock_timeout_ms = (int)(lock_timeout * 1000);
    ns_status st = ns_db_open_v2(path, &oo, &db, &msg);
    if (st != NS_OK) {
        if (st == NS_ERR_INDEX_LOCKED)
            cli_error("%s; gave up after %g s (see --lock-timeout)",
                      msg ? msg : ns_strerror(st), lock_timeout);
        else
            cli_error("%s", msg ? msg : ns_strerror(st));
        ns_free(msg);
        rc = cli_exit_for(st);
        goto out;
    }
    ns_index_options opts = NS_INDEX_OPTIONS_INIT;
    opts.on_reject = on_reject;
    opts.on_progress = on_progress;
    opts.payload = &ru;
    opts.flags = index_flags;
    opts.commit_every = (unsigned)commit_every;
    ns_index_stats stats = { 0 };
    rc = EXIT_OK;
    for (int i = 0; i < n_paths; i++) {
        st = ns_db_add_path(db, paths[i], &opts, &stats);
        if (st == NS_ERR_NOT_FOUND) {
            missing++;
            continue; /* reported through on_reject, counted as rejected */
        }
        if (st != NS_OK) {
            if (ru.progress_shown)
                fputs("\r\x1b[K", stderr);
            cli_error("%s: %s", paths[i],
                      *ns_db_errmsg(db) ? ns_db_errmsg(db) : ns_strerror(st));
            rc = cli_exit_for(st);
            break;
        }
    }
    if (ru.progress_shown)
        fputs("\r\x1b[K", stderr);
    st = ns_db_commit(db);
    if (st != NS_OK && rc == EXIT_OK) {
        cli_error("%s: commit failed: %s", path,
                  *ns_db_errmsg(db) ? ns_db_errmsg(db) : ns_strerror(st));
        rc = cli_exit_for(st);
    }
    if (rebuild && rc == EXIT_OK && missing) {
        /* A path that is not there would leave its articles out of the new
         * index: keep the old one. */
        cli_error("%s: rebuild abandoned, the index is as it was: %d PATH%s "
                  "not found",
                  path, missing, missing > 1 ? "s" : "");
        rc = EXIT_ERROR;
    } else if (rebuild && rc == EXIT_OK) {
        /* Compact the new index while it is still private, then switch. */
        if ((st = ns_db_compact(db)) == NS_OK)
            st = ns_db_publish(db);
        if (st != NS_OK) {
            cli_error("%s: rebuild failed, the index is as it was: %s", path,
                      *ns_db_errmsg(db) ? ns_db_errmsg(db)
                                        : ns_strerror(st));
            rc = cli_exit_for(st);
        }
    }
    uint64_t rejected = stats.articles_rejected + stats.files_rejected;
    if (rc == EXIT_OK && rejected)
        rc = EXIT_REJECTED;
    if (rejected)
        fprintf(stderr, "%s: %" PRIu64 " indexed, %" PRIu64 " rejected\n",
                prog, stats.articles_indexed, rejected);
    else if (!ru.quiet && isatty(1))
        printf("%" PRIu64 " indexed, 0 rejected (%" PRIu64 " files)\n",
               stats.articles_indexed, stats.files_seen);
out:
    ns_db_close(db);
    free(paths);
    return rc;
}
