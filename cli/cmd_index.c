/*
 * cmd_index.c: `nsearch index`: add files, archives and directories to the
 * index, incrementally.  Made for cron: nothing on stdout unless it is a
 * terminal (then a progress bar with rate and ETA, and one summary line at
 * the end); each rejected input is one line on stderr; the exit code says
 * what happened (0, 3 with rejects, 75 locked, 2 error).
 */
#include "cli.h"

#include <signal.h>
#include <errno.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char index_help[] =
    "usage: nsearch index [OPTIONS] PATH...\n"
    "\n"
    "Add the articles of each PATH to the index, creating it if needed.  A\n"
    "PATH is a file, a compressed file (.gz .zst .xz .bz2), an archive (.tar.*\n"
    ".zip) or a directory (read recursively).  Formats are detected by\n"
    "content: JSON lines and arrays, text and Markdown with front matter,\n"
    "TREC and Reuters SGML, RSS/Atom, NewsML/NITF, Reuters RCV1, WARC.  An\n"
    "article whose id is already indexed is replaced.\n"
    "\n"
    "Nothing outside the PATHs is read: a symlink inside a directory is\n"
    "followed only if it leads to a place under that PATH (a PATH that is\n"
    "itself a symlink is followed); archive members that are links,\n"
    "devices, or whose names go up ('../') are not read.  Each one skipped\n"
    "is named on stderr with the reason, as a rejected input.\n"
    "\n"
    "Updates are incremental: a file indexed before is read again only if\n"
    "it changed (size, mtime, then content); its changed articles are\n"
    "replaced and those no longer in it removed.  Run it from cron: it\n"
    "prints nothing when all went well and stdout is not a terminal; on a\n"
    "terminal it shows a progress bar (rate, ETA) and a summary line.\n"
    "Rejected inputs are named on stderr, with a summary line.\n"
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
    "  --exclude PATTERN\n"
    "                 do not read the files or folders under a PATH that\n"
    "                 match the glob PATTERN: one without '/' matches a\n"
    "                 name ('SOURCE.md', '*.txt', 'drafts'), one with '/'\n"
    "                 the path from the PATH ('raw/*.html'); may be\n"
    "                 repeated; a PATH itself, and archive members, are\n"
    "                 always read\n"
    "  --prune        remove the articles of files indexed before under\n"
    "                 each PATH that no longer exist or are now excluded\n"
    "  --position-maps, --positions, --no-positions\n"
    "                 when the index is created or rebuilt, how it keeps\n"
    "                 the word positions that phrase, NEAR and ADJ match\n"
    "                 on: in a compact map per article (the default: an\n"
    "                 index about the size of its text), in Xapian's\n"
    "                 position table (about 1.5 times; those searches 2\n"
    "                 to 3 times faster; what remote shards need), or not\n"
    "                 at all (0.7 times, built fastest; those searches\n"
    "                 then read the stored text of every article holding\n"
    "                 their words, slow on large archives); a rebuild\n"
    "                 keeps the index's choice unless told; an existing\n"
    "                 index can change only by --rebuild\n"
    "  --shard NAME   write shard NAME of a sharded index (created, and\n"
    "                 listed, if new); several can be written at once\n"
    "  -q, --quiet    print nothing but errors\n"
    "  -h, --help     this help\n"
    "\n"
    "Exit status: 0 all indexed; 3 done, but some inputs were rejected (each\n"
    "named on stderr); 75 another writer holds the index lock; 2 usage or\n"
    "fatal error, or a PATH that does not exist (the others are indexed).\n";

typedef struct run {
    int show;           /* stdout is a terminal and not --quiet */
    int progress_shown; /* a progress line is on the terminal */
    double start;       /* CLOCK_MONOTONIC seconds */
    uint64_t total;     /* bytes of the input files, for the ETA */
    uint64_t files;     /* input files found */
} run;

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Erase the progress line, so that a message or the summary takes it. */
static void
clear_progress(run *ru)
{
    if (ru->progress_shown) {
        fputs("\r\x1b[K", stdout);
        fflush(stdout);
        ru->progress_shown = 0;
    }
}

static int
on_reject(const ns_reject *r, void *payload)
{
    run *ru = payload;
    clear_progress(ru);
    fprintf(stderr, "%s: ", prog);
    out_safe(stderr, r->file, strlen(r->file));
    if (*r->where)
        fprintf(stderr, ": %s", r->where);
    fputs(": ", stderr);
    out_safe(stderr, r->reason, strlen(r->reason));
    fputc('\n', stderr);
    return 0;
}

/* "1:02:03", "4:05" */
static void
fmt_duration(char *buf, size_t n, double s)
{
    unsigned long t = s < 0 ? 0 : (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%lu:%02lu", t / 60, t % 60);
}

/* "12,345" */
static const char *
fmt_count(char *buf, size_t n, uint64_t v)
{
    char raw[32];
    int len = snprintf(raw, sizeof raw, "%" PRIu64, v);
    size_t j = 0;
    for (int i = 0; i < len && j + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = raw[i];
    }
    buf[j] = '\0';
    return buf;
}

/*
 * How far the run is, 0..1, or -1 when unknown: by the bytes on disk of
 * the files done, and of the file being read the bytes read so far
 * (compressed bytes of a compressed file: a single 5 GB .jsonl.zst has an
 * ETA too).
 */
static double
fraction(const run *ru, const ns_index_stats *st)
{
    if (ru->total == 0)
        return -1;
    double f = (double)st->bytes_done / (double)ru->total;
    return f > 1 ? 1 : f;
}

static int
on_progress(const ns_index_stats *st, void *payload)
{
    run *ru = payload;
    if (!ru->show)
        return 0;
    double el = now_s() - ru->start;
    char n1[32], line[160];
    uint64_t met = st->articles_indexed + st->articles_unchanged;
    int len = 0;
    double f = fraction(ru, st);
    if (f >= 0) {
        char bar[21];
        int w = (int)(f * 20);
        for (int i = 0; i < 20; i++)
            bar[i] = i < w ? '#' : '.';
        bar[20] = '\0';
        len = snprintf(line, sizeof line, "[%s] %3d%% ", bar, (int)(f * 100));
    }
    len += snprintf(line + len, sizeof line - (size_t)len,
                    "%s articles, %.0f MB read, %.1f MB/s",
                    fmt_count(n1, sizeof n1, met), st->bytes_read / 1e6,
                    el > 0 ? st->bytes_read / 1e6 / el : 0.0);
    if (f > 0.01 && f < 1 && el > 2) {
        char eta[24];
        fmt_duration(eta, sizeof eta, el * (1 - f) / f);
        snprintf(line + len, sizeof line - (size_t)len, ", ETA %s", eta);
    }
    fputs("\r\x1b[K", stdout);
    fputs(line, stdout);
    fflush(stdout);
    ru->progress_shown = 1;
    return 0;
}

/* Sum the sizes of the files the walk will meet (hidden ones skipped, as
 * the walk does), for the progress bar. */
static void
scan_path(run *ru, const char *path, int depth)
{
    struct stat sb;
    if (depth > 64 || stat(path, &sb) != 0)
        return;
    if (S_ISREG(sb.st_mode)) {
        ru->total += (uint64_t)sb.st_size;
        ru->files++;
        return;
    }
    if (!S_ISDIR(sb.st_mode))
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *child = malloc(n);
        if (!child)
            break;
        snprintf(child, n, "%s/%s", path, e->d_name);
        scan_path(ru, child, depth + 1);
        free(child);
    }
    closedir(d);
}

static void
scan_inputs(run *ru, char **paths, int n)
{
    for (int i = 0; i < n; i++)
        scan_path(ru, paths[i], 0);
}

/* "(jsonl 1,000, warc 234)": the articles read per format, in the order of
 * the format slots; nothing when none was read. */
static void
by_format(FILE *f, const ns_index_stats *st)
{
    const char *sep = " (";
    for (unsigned i = 0; i < NS_FORMAT_SLOTS; i++) {
        const char *name = ns_format_name(i);
        char n[32];
        if (!name || !st->articles_by_format[i])
            continue;
        fprintf(f, "%s%s %s", sep, name,
                fmt_count(n, sizeof n, st->articles_by_format[i]));
        sep = ", ";
    }
    if (*sep == ',')
        fputc(')', f);
}

/* The summary: "1,234 indexed (jsonl 1,000, warc 234), 2 rejected; 12
 * files (0 unchanged) in 0:04"; with articles met again unchanged, the
 * formats are those of every article read: "1,234 indexed, 2 rejected;
 * 56 unchanged, 3 deleted; 1,290 read (jsonl 1,056, warc 234); 12 files
 * (10 unchanged, 1 pruned) in 0:04". */
static void
summary(FILE *f, const ns_index_stats *st, double secs)
{
    char a[32], b[32], c[32], d[32], e[32], g[32], t[24];
    uint64_t rejected = st->articles_rejected + st->files_rejected;
    fprintf(f, "%s indexed", fmt_count(a, sizeof a, st->articles_indexed));
    if (!st->articles_unchanged)
        by_format(f, st);
    fprintf(f, ", %s rejected", fmt_count(b, sizeof b, rejected));
    if (st->articles_unchanged || st->articles_deleted)
        fprintf(f, "; %s unchanged, %s deleted",
                fmt_count(c, sizeof c, st->articles_unchanged),
                fmt_count(d, sizeof d, st->articles_deleted));
    if (st->articles_unchanged) {
        uint64_t read = 0;
        for (unsigned i = 0; i < NS_FORMAT_SLOTS; i++)
            read += st->articles_by_format[i];
        if (read) {
            fprintf(f, "; %s read", fmt_count(a, sizeof a, read));
            by_format(f, st);
        }
    }
    fmt_duration(t, sizeof t, secs);
    fprintf(f, "; %s file%s (%s unchanged",
            fmt_count(e, sizeof e, st->files_seen),
            st->files_seen == 1 ? "" : "s",
            fmt_count(g, sizeof g, st->files_unchanged));
    if (st->files_pruned)
        fprintf(f, ", %s pruned", fmt_count(a, sizeof a, st->files_pruned));
    fprintf(f, ") in %s\n", t);
}

int
cmd_index(int argc, char **argv)
{
    /* Past a file size limit (ulimit -f) a write fails with EFBIG, which
     * is reported, instead of killing the command mid-commit. */
    signal(SIGXFSZ, SIG_IGN);
    ns_set_fatal_exit(2); /* a write error Xapian cannot report */
    const char *index = NULL, *shard = NULL;
    double lock_timeout = 300;
    unsigned index_flags = 0;
    long commit_every = 0;
    int rebuild = 0, missing = 0;
    unsigned positions = 0; /* one of the NS_OPEN_*POSITION* flags */
    run ru = { 0, 0, now_s(), 0, 0 };
    int quiet = 0;
    char **paths = calloc((size_t)argc + 1, sizeof *paths);
    const char **exclude = calloc((size_t)argc + 1, sizeof *exclude);
    int n_paths = 0, n_exclude = 0, rc = EXIT_ERROR;
    ns_db *db = NULL;
    if (!paths || !exclude) {
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
            quiet = 1;
        } else if ((r = cli_opt_value(argc, argv, &i, "--commit-every", 0,
                                      &v))) {
            if (r < 0 || (commit_every = cli_parse_count(a, v)) < 0)
                goto out;
        } else if (cli_opt_flag(argv, i, "--rebuild", 0)) {
            rebuild = 1;
        } else if (cli_opt_flag(argv, i, "--positions", 0)) {
            positions = NS_OPEN_POSITIONS;
        } else if (cli_opt_flag(argv, i, "--no-positions", 0)) {
            positions = NS_OPEN_NO_POSITIONS;
        } else if (cli_opt_flag(argv, i, "--position-maps", 0)) {
            positions = NS_OPEN_POSITION_MAPS;
        } else if ((r = cli_opt_value(argc, argv, &i, "--exclude", 0, &v))) {
            if (r < 0)
                goto out;
            if (!*v) {
                cli_error("--exclude needs a pattern");
                goto out;
            }
            exclude[n_exclude++] = v;
        } else if (cli_opt_flag(argv, i, "--prune", 0)) {
            index_flags |= NS_INDEX_PRUNE;
        } else if ((r = cli_opt_value(argc, argv, &i, "--index", 0, &v))) {
            if (r < 0)
                goto out;
            index = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--shard", 0, &v))) {
            if (r < 0)
                goto out;
            shard = v;
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
    oo.flags = NS_OPEN_WRITE | NS_OPEN_CREATE |
               (rebuild ? NS_OPEN_REBUILD : 0) | positions;
    oo.lock_timeout_ms = (int)(lock_timeout * 1000);
    oo.shard = shard;
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
    ru.show = !quiet && isatty(1);
    if (ru.show)
        scan_inputs(&ru, paths, n_paths);
    ns_index_options opts = NS_INDEX_OPTIONS_INIT;
    opts.on_reject = on_reject;
    opts.on_progress = on_progress;
    opts.payload = &ru;
    opts.flags = index_flags;
    opts.commit_every = (unsigned)commit_every;
    opts.exclude = n_exclude ? exclude : NULL;
    ns_index_stats stats = { 0 };
    rc = EXIT_OK;
    for (int i = 0; i < n_paths; i++) {
        st = ns_db_add_path(db, paths[i], &opts, &stats);
        if (st == NS_ERR_NOT_FOUND) {
            missing++;
            continue; /* reported through on_reject, counted as rejected */
        }
        if (st != NS_OK) {
            clear_progress(&ru);
            if (st == NS_ERR_DISK_FULL)
                cli_error("%s: no space left on the index's device; the index "
                          "is as its last commit left it (%s)",
                          path, ns_db_errmsg(db));
            else
                cli_error("%s: %s", paths[i],
                          *ns_db_errmsg(db) ? ns_db_errmsg(db)
                                            : ns_strerror(st));
            rc = cli_exit_for(st);
            break;
        }
    }
    clear_progress(&ru);
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
    /* A PATH not there (an archive not mounted) is the caller's error, not
     * a bad input: cron must hear of it even where 3 counts as success. */
    if (rc == EXIT_OK && missing)
        rc = EXIT_ERROR;
    else if (rc == EXIT_OK && rejected)
        rc = EXIT_REJECTED;
    /* One summary line: on stderr when something was rejected (cron mails
     * it with the rejects), else on a terminal only. */
    if (rejected) {
        fprintf(stderr, "%s: ", prog);
        summary(stderr, &stats, now_s() - ru.start);
    } else if (ru.show && rc == EXIT_OK) {
        summary(stdout, &stats, now_s() - ru.start);
    }
out:
    ns_db_close(db);
    free(paths);
    free(exclude);
    return rc;
}
