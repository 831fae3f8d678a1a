/*
 * nsearch.c: the command table, the shared helpers of the commands, and
 * main.  `nsearch WORDS...` is short for `nsearch search WORDS...`.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *prog = "nsearch";

static const char usage_text[] =
    "usage: nsearch [search] [OPTIONS] QUERY...\n"
    "       nsearch index [OPTIONS] PATH...\n"
    "       nsearch batch [OPTIONS] QUERIES.tsv\n"
    "       nsearch status [OPTIONS]\n"
    "       nsearch compact [OPTIONS]\n"
    "       nsearch shard list|add|retire [OPTIONS] [NAME...]\n"
    "       nsearch serve --port N [OPTIONS]\n"
    "\n"
    "Full-text search for news archives.\n"
    "\n"
    "Commands:\n"
    "  search   search the index (the default command)\n"
    "  index    add articles from files, archives or directories\n"
    "  batch    run many queries from a TSV file (qid<TAB>query)\n"
    "  status   show what the index holds\n"
    "  compact  compact the index, switching to the copy atomically\n"
    "  shard    list, add or retire the shards of a sharded index\n"
    "  serve    serve the index to remote searches (xapian-tcpsrv)\n"
    "\n"
    "Run 'nsearch COMMAND --help' for a command's options.\n"
    "\n"
    "The index is --index DIR, else $NSEARCH_INDEX, else\n"
    "${XDG_DATA_HOME:-~/.local/share}/nsearch/index.\n"
    "\n"
    "Exit status: 0 success (search: results found), 1 no result,\n"
    "2 usage or fatal error, 3 indexed with some inputs rejected,\n"
    "75 the index is locked by another writer.\n";

void
cli_error(const char *fmt, ...)
{
    /* Messages carry paths, index metadata and library details, none of
     * which may send control characters to the terminal. */
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof msg)
        n = sizeof msg - 1;
    fprintf(stderr, "%s: ", prog);
    out_safe(stderr, msg, (size_t)n);
    fputc('\n', stderr);
}

const char *
cli_index_path(const char *opt)
{
    static char buf[4096];
    if (opt && *opt)
        return opt;
    const char *env = getenv("NSEARCH_INDEX");
    if (env && *env)
        return env;
    const char *xdg = getenv("XDG_DATA_HOME");
    int n;
    if (xdg && *xdg) {
        n = snprintf(buf, sizeof buf, "%s/nsearch/index", xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) {
            cli_error("no index location: use --index DIR, or set "
                      "NSEARCH_INDEX or HOME");
            return NULL;
        }
        n = snprintf(buf, sizeof buf, "%s/.local/share/nsearch/index", home);
    }
    if (n < 0 || (size_t)n >= sizeof buf) {
        cli_error("index path too long");
        return NULL;
    }
    return buf;
}

int
cli_mkdirs(const char *dir)
{
    char tmp[4096];
    size_t n = strlen(dir);
    if (n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(tmp, dir, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int
cli_opt_value(int argc, char **argv, int *i, const char *name, char x,
              const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (strcmp(a, name) == 0 || (x && a[0] == '-' && a[1] == x && !a[2])) {
        if (*i + 1 >= argc) {
            cli_error("option %s needs a value", a);
            return -1;
        }
        *val = argv[++*i];
        return 1;
    }
    if (x && a[0] == '-' && a[1] == x && a[2] && a[1] != '-') {
        *val = a + 2; /* -n5 */
        return 1;
    }
    return 0;
}

int
cli_opt_flag(char **argv, int i, const char *name, char x)
{
    const char *a = argv[i];
    return strcmp(a, name) == 0 || (x && a[0] == '-' && a[1] == x && !a[2]);
}

long
cli_parse_count(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 1000000) {
        cli_error("%s: '%s' is not a count from 1 to 1000000", opt, s);
        return -1;
    }
    return v;
}

double
cli_parse_seconds(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0 && v <= 1e6)) {
        cli_error("%s: '%s' is not a number of seconds from 0 to 1000000",
                  opt, s);
        return -1;
    }
    return v;
}

int
cli_exit_for(ns_status st)
{
    switch (st) {
    case NS_OK:
        return EXIT_OK;
    case NS_ERR_INDEX_LOCKED:
        return EXIT_LOCKED;
    default:
        return EXIT_ERROR;
    }
}

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    { "search", cmd_search },   { "index", cmd_index },
    { "batch", cmd_batch },     { "status", cmd_status },
    { "compact", cmd_compact }, { "shard", cmd_shard },
    { "serve", cmd_serve },
};

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_ERROR;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("nsearch %s (library %s)\n", NS_VERSION_STRING,
               ns_version_string());
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    /* Anything else is a search: nsearch [OPTIONS] QUERY... */
    return cmd_search(argc, argv);
}
