/*
 * cmd_search.c: `nsearch search` and `nsearch batch`.  Results are printed
 * as text (highlighted in colour on a terminal, with plain markers
 * otherwise, none under NO_COLOR), as JSON lines, as HTML fragments, or as
 * a TREC run.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char search_help[] =
    "usage: nsearch [search] [OPTIONS] QUERY...\n"
    "\n"
    "Search the index and print the best articles first.\n"
    "\n"
    "Query: words; articles with more of them rank higher (BM25).  Words\n"
    "match whatever their inflection and accents (airbases finds airbase,\n"
    "Perez finds Pérez).  Common words (the, of, what) are left out\n"
    "when the query has others, unless quoted or +required.\n"
    "  \"air strike\"          a phrase\n"
    "  +word -word           the word is required / excluded (NOT word too)\n"
    "  a AND b, a OR b, ( )  both / either; AND binds tighter than OR\n"
    "  word*                 words that start with word\n"
    "  a NEAR/5 b, a ADJ/5 b within 5 words, in any order / in this order\n"
    "  title:x source:x author:x site:x url:x   in that field; x is a word,\n"
    "                        a \"phrase\" or a (group)\n"
    "  date:2015 date:2015-09 date:2015-09-01..2015-10-15 date:..2016\n"
    "A malformed query is read the most reasonable way, with a note on\n"
    "standard error.\n"
    "\n"
    "Options:\n"
    "  --index DIR         the index (default: $NSEARCH_INDEX, else\n"
    "                      ${XDG_DATA_HOME:-~/.local/share}/nsearch/index)\n"
    "  -n, --limit N       results to show (default 10)\n"
    "  --offset N          results to skip first\n"
    "  --format FORMAT     text (default), json (one object per line),\n"
    "                      html, or trec\n"
    "  --since DATE        only articles from DATE on (YYYY[-MM[-DD]])\n"
    "  --until DATE        only articles up to DATE (inclusive)\n"
    "  --sort ORDER        relevance (default), newest or oldest\n"
    "  --no-snippets       do not make snippets (faster)\n"
    "  --plain             the query is plain words: no operator, field,\n"
    "                      phrase or prefix\n"
    "  --feedback          let the best words of the top results refine the\n"
    "                      order (pseudo-relevance feedback; slower)\n"
    "  --recent            newer articles rank higher (by relevance)\n"
    "  --all               show near-duplicates (the same story from\n"
    "                      several outlets or updates) as results of their\n"
    "                      own; by default each story shows once\n"
    "  --color WHEN        highlight with colour: auto (default: on a\n"
    "                      terminal without NO_COLOR), always, never\n"
    "  --markers L,R       plain highlight markers (default: **,**)\n"
    "  --partial           a sharded index: search the shards that answer\n"
    "                      when some do not, with a warning naming those\n"
    "  --timeout SECONDS   remote shards: how long to wait for an answer\n"
    "                      (default 10)\n"
    "  --connect-timeout SECONDS\n"
    "                      remote shards: how long to wait for a\n"
    "                      connection (default 10)\n"
    "  -h, --help          this help\n"
    "\n"
    "With --format json, a last line holds the total, the facets (counts\n"
    "of all matches by source and by month), a note and a suggestion:\n"
    "{\"total\":N,\"facets\":{\"source\":{...},\"month\":{...}},...}.\n"
    "A word the index does not know gets a \"did you mean\" on stderr.\n"
    "\n"
    "Words after -- are all query words.\n"
    "Exit status: 0 results found, 1 no result, 2 error.\n";

enum format { FMT_TEXT, FMT_JSON, FMT_HTML, FMT_TREC };

typedef struct search_cfg {
    const char *index;
    ns_search_options so;
    enum format fmt;
    const char *color;
    const char *hl_open, *hl_close; /* highlight markers */
    int syntax; /* batch: read queries in the query language */
    int no_feedback; /* batch: --no-feedback */
    char markers[64];
    int partial;                     /* --partial */
    double timeout, connect_timeout; /* remote shards, in seconds */
} search_cfg;

static int
parse_format(const char *s, enum format *f)
{
    if (strcmp(s, "text") == 0)
        *f = FMT_TEXT;
    else if (strcmp(s, "json") == 0)
        *f = FMT_JSON;
    else if (strcmp(s, "html") == 0)
        *f = FMT_HTML;
    else if (strcmp(s, "trec") == 0)
        *f = FMT_TREC;
    else {
        cli_error("unknown format '%s' (text, json, html or trec)", s);
        return -1;
    }
    return 0;
}

/*
 * Parse the options common to search and batch.  Non-option arguments are
 * collected into words (in order).  Returns 0, or -1 after an error.
 */
static int
parse_search_opts(int argc, char **argv, search_cfg *c, char ***words,
                  int *n_words, int *help)
{
    ns_search_options def = NS_SEARCH_OPTIONS_INIT;
    c->so = def;
    c->fmt = FMT_TEXT;
    c->color = "auto";
    c->hl_open = "**";
    c->hl_close = "**";
    c->timeout = c->connect_timeout = 10;
    *words = calloc((size_t)argc + 1, sizeof **words);
    *n_words = 0;
    *help = 0;
    if (!*words) {
        cli_error("out of memory");
        return -1;
    }
    int only_words = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int r;
        if (only_words || a[0] != '-' || a[1] == '\0') {
            (*words)[(*n_words)++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_words = 1;
            continue;
        }
        if (cli_opt_flag(argv, i, "--help", 'h')) {
            *help = 1;
            return 0;
        }
        if (cli_opt_flag(argv, i, "--no-snippets", 0)) {
            c->so.no_snippets = 1;
            continue;
        }
        if (cli_opt_flag(argv, i, "--plain", 0)) {
            c->so.plain = 1;
            continue;
        }
        if (cli_opt_flag(argv, i, "--recent", 0)) {
            c->so.recent = 1;
            continue;
        }
        if (cli_opt_flag(argv, i, "--feedback", 0)) {
            c->so.feedback = 1;
            continue;
        }
        if (cli_opt_flag(argv, i, "--no-feedback", 0)) {
            c->no_feedback = 1;
            continue;
        }
        if (cli_opt_flag(argv, i, "--all", 0)) {
            c->so.all = 1;
            continue;
        }
        if (cli_opt_flag(argv, i, "--syntax", 0)) {
            c->syntax = 1;
            continue;
        }
        if (cli_opt_flag(argv, i, "--partial", 0)) {
            c->partial = 1;
            continue;
        }
#define VALUE(name, x)                                                      \
    ((r = cli_opt_value(argc, argv, &i, name, x, &v)) < 0 ? -1 : r)
        if (VALUE("--index", 0)) {
            if (r < 0)
                return -1;
            c->index = v;
        } else if (VALUE("--limit", 'n')) {
            if (r < 0)
                return -1;
            long n = cli_parse_count("--limit", v);
            if (n < 0)
                return -1;
            c->so.limit = (unsigned)n;
        } else if (VALUE("--offset", 0)) {
            if (r < 0)
                return -1;
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 0 || n > 100000000) {
                cli_error("--offset: '%s' is not a number", v);
                return -1;
            }
            c->so.offset = (unsigned)n;
        } else if (VALUE("--format", 0)) {
            if (r < 0 || parse_format(v, &c->fmt) < 0)
                return -1;
        } else if (VALUE("--since", 0)) {
            if (r < 0)
                return -1;
            c->so.since = v;
        } else if (VALUE("--until", 0)) {
            if (r < 0)
                return -1;
            c->so.until = v;
        } else if (VALUE("--sort", 0)) {
            if (r < 0)
                return -1;
            if (strcmp(v, "relevance") == 0)
                c->so.sort = NS_SORT_RELEVANCE;
            else if (strcmp(v, "newest") == 0)
                c->so.sort = NS_SORT_NEWEST;
            else if (strcmp(v, "oldest") == 0)
                c->so.sort = NS_SORT_OLDEST;
            else {
                cli_error("--sort: '%s' is not relevance, newest or oldest",
                          v);
                return -1;
            }
        } else if (VALUE("--color", 0)) {
            if (r < 0)
                return -1;
            if (strcmp(v, "auto") && strcmp(v, "always") && strcmp(v, "never")) {
                cli_error("--color: '%s' is not auto, always or never", v);
                return -1;
            }
            c->color = v;
        } else if (VALUE("--timeout", 0)) {
            if (r < 0 || (c->timeout = cli_parse_seconds(a, v)) < 0)
                return -1;
        } else if (VALUE("--connect-timeout", 0)) {
            if (r < 0 || (c->connect_timeout = cli_parse_seconds(a, v)) < 0)
                return -1;
        } else if (VALUE("--markers", 0)) {
            if (r < 0)
                return -1;
            const char *comma = strchr(v, ',');
            if (!comma || strlen(v) >= sizeof c->markers) {
                cli_error("--markers: give them as LEFT,RIGHT");
                return -1;
            }
            memcpy(c->markers, v, strlen(v) + 1);
            c->markers[comma - v] = '\0';
            c->hl_open = c->markers;
            c->hl_close = c->markers + (comma - v) + 1;
        } else if (a[1] == '-') {
            cli_error("unknown option '%s' (see 'nsearch search --help')", a);
            return -1;
        } else {
            /* A single-dash word that is no option: a query word. */
            (*words)[(*n_words)++] = argv[i];
        }
#undef VALUE
    }
    return 0;
}

/* Text output: how to mark highlights. */
typedef struct marks {
    const char *open, *close;
} marks;

static marks
text_marks(const search_cfg *c)
{
    marks m = { c->hl_open, c->hl_close };
    const char *nc = getenv("NO_COLOR");
    int no_color = nc && *nc;
    if (strcmp(c->color, "always") == 0 ||
        (strcmp(c->color, "auto") == 0 && !no_color && isatty(1))) {
        m.open = "\x1b[1;31m";
        m.close = "\x1b[0m";
    } else if (no_color && strcmp(c->color, "never") != 0) {
        m.open = m.close = "";
    }
    return m;
}

static void
print_snippet(FILE *f, const ns_hit *h, const char *open, const char *close,
              void (*out)(FILE *, const char *, size_t))
{
    size_t at = 0;
    for (size_t k = 0; k < h->n_highlights; k++) {
        const ns_highlight *hl = &h->highlights[k];
        out(f, h->snippet + at, hl->start - at);
        fputs(open, f);
        out(f, h->snippet + hl->start, hl->end - hl->start);
        fputs(close, f);
        at = hl->end;
    }
    out(f, h->snippet + at, h->snippet_len - at);
}

static void
print_text(const ns_hit *h, const marks *m, int bold)
{
    printf("%u. ", h->rank);
    if (bold)
        fputs("\x1b[1m", stdout);
    out_safe(stdout, *h->title ? h->title : "(untitled)",
             strlen(*h->title ? h->title : "(untitled)"));
    if (bold)
        fputs("\x1b[0m", stdout);
    fputs("\n   ", stdout);
    int sep = 0;
    if (*h->date) {
        out_safe(stdout, h->date, strlen(h->date) > 10 ? 10 : strlen(h->date));
        sep = 1;
    }
    if (*h->source) {
        fputs(sep ? " | " : "", stdout);
        out_safe(stdout, h->source, strlen(h->source));
        sep = 1;
    }
    fputs(sep ? " | " : "", stdout);
    out_safe(stdout, h->id, strlen(h->id));
    if (h->duplicates)
        printf(" | +%u similar", h->duplicates);
    if (h->snippet_len) {
        fputs("\n   ", stdout);
        print_snippet(stdout, h, m->open, m->close, out_safe);
    }
    fputs("\n\n", stdout);
}

static void
print_json(const ns_hit *h)
{
    printf("{\"rank\":%u", h->rank);
    out_json_field(stdout, "id", h->id, 1);
    printf(",\"score\":%.6f", h->score);
    out_json_field(stdout, "title", h->title, 1);
    out_json_field(stdout, "date", h->date, 1);
    out_json_field(stdout, "source", h->source, 1);
    out_json_field(stdout, "url", h->url, 1);
    out_json_field(stdout, "author", h->author, 1);
    printf(",\"duplicates\":%u", h->duplicates);
    printf(",\"snippet\":\"");
    out_json_str(stdout, h->snippet, h->snippet_len);
    printf("\",\"highlights\":[");
    for (size_t k = 0; k < h->n_highlights; k++)
        printf("%s[%zu,%zu]", k ? "," : "", h->highlights[k].start,
               h->highlights[k].end);
    printf("]}\n");
}

/* Whether url may be a link of the page: a web address.  An archive's
 * url is its data, and "javascript:" or "data:" would run in the page
 * of whoever opens it. */
static int
web_url(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 ||
           strncasecmp(url, "https://", 8) == 0;
}

static void
print_html(const ns_hit *h)
{
    int link = web_url(h->url);
    fputs("<div class=\"result\">\n<h3>", stdout);
    if (link) {
        fputs("<a href=\"", stdout);
        out_html(stdout, h->url, strlen(h->url));
        fputs("\">", stdout);
    }
    out_html(stdout, h->title, strlen(h->title));
    fputs(link ? "</a></h3>\n" : "</h3>\n", stdout);
    fputs("<p class=\"meta\">", stdout);
    out_html(stdout, h->date, strlen(h->date));
    fputs(" ", stdout);
    out_html(stdout, h->source, strlen(h->source));
    fputs("</p>\n<p class=\"snippet\">", stdout);
    print_snippet(stdout, h, "<mark>", "</mark>", out_html);
    fputs("</p>\n</div>\n", stdout);
}

static void
print_trec(const char *qid, const ns_hit *h, ns_sort sort)
{
    /* TREC ids cannot hold whitespace.  trec_eval ranks by the score
     * column: sorted by date, it is minus the rank, so that it keeps the
     * order shown. */
    printf("%s Q0 ", qid);
    out_word(stdout, h->id, strlen(h->id));
    printf(" %u %.6f nsearch\n", h->rank,
           sort == NS_SORT_RELEVANCE ? h->score : -(double)h->rank);
}

/* A sharded index's shards that a search left out, on stderr. */
static void
warn_missing(const ns_results *res)
{
    for (size_t i = 0; ns_results_missing(res, i); i++) {
        const char *name = ns_results_missing(res, i);
        fprintf(stderr, "%s: warning: shard ", prog);
        out_safe(stderr, name, strlen(name));
        fputs(" did not answer: results are from the other shards\n", stderr);
    }
}

/* The last JSON line: total, facets, and the note and suggestion if any. */
static void
print_json_summary(const ns_results *res)
{
    static const struct {
        ns_facet f;
        const char *name;
    } facets[] = { { NS_FACET_SOURCE, "source" }, { NS_FACET_MONTH, "month" } };
    printf("{\"total\":%llu,\"facets\":{",
           (unsigned long long)ns_results_total(res));
    for (size_t k = 0; k < sizeof facets / sizeof facets[0]; k++) {
        printf("%s\"%s\":{", k ? "," : "", facets[k].name);
        for (size_t i = 0; i < ns_results_facet_count(res, facets[k].f); i++) {
            const ns_facet_count *c = ns_results_facet(res, facets[k].f, i);
            printf("%s\"", i ? "," : "");
            out_json_str(stdout, c->value, strlen(c->value));
            printf("\":%llu", (unsigned long long)c->count);
        }
        putchar('}');
    }
    putchar('}');
    if (*ns_results_note(res))
        out_json_field(stdout, "note", ns_results_note(res), 1);
    if (*ns_results_suggestion(res))
        out_json_field(stdout, "suggestion", ns_results_suggestion(res), 1);
    printf("}\n");
}

static int
open_index(const search_cfg *c, ns_db **db)
{
    const char *path = cli_index_path(c->index);
    if (!path)
        return -1;
    char *msg = NULL;
    ns_open_options oo = NS_OPEN_OPTIONS_INIT;
    oo.flags = c->partial ? NS_OPEN_PARTIAL : NS_OPEN_READ;
    /* 0 s waits forever (0 ms in the API is the default). */
    oo.remote_timeout_ms = c->timeout > 0 ? (int)(c->timeout * 1000) : -1;
    oo.connect_timeout_ms =
        c->connect_timeout > 0 ? (int)(c->connect_timeout * 1000) : -1;
    ns_status st = ns_db_open_v2(path, &oo, db, &msg);
    if (st != NS_OK) {
        cli_error("%s", msg ? msg : ns_strerror(st));
        ns_free(msg);
        return -1;
    }
    return 0;
}

/* Join words with spaces into a new string. */
static char *
join_words(char **words, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(words[i]) + 1;
    char *q = malloc(len);
    if (!q)
        return NULL;
    q[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(q, " ");
        strcat(q, words[i]);
    }
    return q;
}

int
cmd_search(int argc, char **argv)
{
    search_cfg c = { 0 };
    char **words;
    int n_words, help;
    int rc = EXIT_ERROR;
    ns_db *db = NULL;
    ns_results *res = NULL;
    char *query = NULL;
    if (parse_search_opts(argc, argv, &c, &words, &n_words, &help) < 0)
        goto out;
    if (help) {
        fputs(search_help, stdout);
        rc = EXIT_OK;
        goto out;
    }
    if (c.syntax || c.no_feedback) {
        cli_error("%s is an option of 'nsearch batch'",
                  c.syntax ? "--syntax" : "--no-feedback");
        goto out;
    }
    if (n_words == 0) {
        cli_error("no query given (see 'nsearch --help')");
        goto out;
    }
    if (!(query = join_words(words, n_words))) {
        cli_error("out of memory");
        goto out;
    }
    if (open_index(&c, &db) < 0)
        goto out;
    if (c.fmt == FMT_TREC)
        c.so.no_snippets = 1;
    if (c.fmt == FMT_JSON)
        c.so.facets = 1;
    ns_status st = ns_db_search(db, query, &c.so, &res);
    if (st != NS_OK) {
        const char *m = ns_db_errmsg(db);
        cli_error("%s", *m ? m : ns_strerror(st));
        goto out;
    }
    if (*ns_results_note(res)) {
        fprintf(stderr, "%s: note: ", prog);
        out_safe(stderr, ns_results_note(res), strlen(ns_results_note(res)));
        fputc('\n', stderr);
    }
    if (*ns_results_suggestion(res)) {
        const char *sg = ns_results_suggestion(res);
        fprintf(stderr, "%s: did you mean: ", prog);
        out_safe(stderr, sg, strlen(sg));
        fputc('\n', stderr);
    }
    warn_missing(res);
    size_t n = ns_results_count(res);
    marks m = text_marks(&c);
    int bold = strcmp(m.open, "\x1b[1;31m") == 0;
    for (size_t i = 0; i < n; i++) {
        const ns_hit *h = ns_results_get(res, i);
        switch (c.fmt) {
        case FMT_TEXT:
            print_text(h, &m, bold);
            break;
        case FMT_JSON:
            print_json(h);
            break;
        case FMT_HTML:
            print_html(h);
            break;
        case FMT_TREC:
            print_trec("1", h, c.so.sort);
            break;
        }
    }
    if (c.fmt == FMT_JSON)
        print_json_summary(res);
    if (c.fmt == FMT_TEXT && n == 0 && c.so.offset && ns_results_total(res))
        fprintf(stderr, "%s: no result past the first %u of about %llu\n",
                prog, c.so.offset,
                (unsigned long long)ns_results_total(res));
    else if (c.fmt == FMT_TEXT && n == 0)
        fprintf(stderr, "%s: no article matches\n", prog);
    rc = n ? EXIT_OK : EXIT_NONE;
out:
    if (fflush(stdout) != 0 && rc != EXIT_ERROR) {
        cli_error("cannot write the results");
        rc = EXIT_ERROR;
    }
    ns_results_free(res);
    ns_db_close(db);
    free(query);
    free(words);
    return rc;
}

static const char batch_help[] =
    "usage: nsearch batch [OPTIONS] QUERIES.tsv\n"
    "\n"
    "Run every query of QUERIES.tsv (lines '<id><TAB><query>'; '-' reads\n"
    "standard input) and print a TREC run: '<id> Q0 <article id> <rank>\n"
    "<score> nsearch'.  Each query is plain text, a bag of words: AND, OR,\n"
    "NOT, quotes, +, -, * and field: are not operators (as search --plain),\n"
    "so that natural-language topics are searched as written.\n"
    "\n"
    "Options:\n"
    "  --index DIR      the index\n"
    "  -n, --limit N    results per query (default 1000)\n"
    "  --format trec    the output format (the only one, and the default)\n"
    "  --syntax         read each query in the query language instead\n"
    "  --no-feedback    rank by the query's words only (by default the best\n"
    "                   words of the top results are searched too:\n"
    "                   pseudo-relevance feedback)\n"
    "  --since, --until, --sort   as for search (sorted by date, the score\n"
    "                   column is minus the rank, so that trec_eval keeps\n"
    "                   the order)\n"
    "  --partial, --timeout, --connect-timeout   as for search\n"
    "  -h, --help       this help\n"
    "\n"
    "Near-duplicates are not collapsed: a run ranks every article (search's\n"
    "--all).  search's other options (--recent, --offset...) are accepted.\n"
    "\n"
    "Exit status: 0 every query ran (some may rank nothing); 2 a line\n"
    "without a tab, a query that failed, or another error (the other\n"
    "queries still run).\n";

int
cmd_batch(int argc, char **argv)
{
    search_cfg c = { 0 };
    char **words;
    int n_words, help;
    int rc = EXIT_ERROR;
    ns_db *db = NULL;
    FILE *in = NULL;
    char *line = NULL;
    size_t cap = 0;
    if (parse_search_opts(argc, argv, &c, &words, &n_words, &help) < 0)
        goto out;
    if (help) {
        fputs(batch_help, stdout);
        rc = EXIT_OK;
        goto out;
    }
    if (c.fmt != FMT_TEXT && c.fmt != FMT_TREC) {
        cli_error("batch writes only --format trec");
        goto out;
    }
    if (n_words != 1) {
        cli_error("batch takes one queries file (see 'nsearch batch --help')");
        goto out;
    }
    if (!c.so.limit)
        c.so.limit = 1000;
    c.so.no_snippets = 1;
    c.so.all = 1; /* a run ranks every article, near-duplicates too */
    c.so.plain = !c.syntax;
    c.so.feedback = !c.no_feedback;
    in = strcmp(words[0], "-") == 0 ? stdin : fopen(words[0], "r");
    if (!in) {
        cli_error("%s: cannot open: %s", words[0], strerror(errno));
        goto out;
    }
    if (open_index(&c, &db) < 0)
        goto out;
    rc = EXIT_OK;
    unsigned long lineno = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        char *tab = strchr(line, '\t');
        if (!tab) {
            cli_error("%s: line %lu: no tab between id and query", words[0],
                      lineno);
            rc = EXIT_ERROR;
            continue;
        }
        *tab = '\0';
        ns_results *res = NULL;
        ns_status st = ns_db_search(db, tab + 1, &c.so, &res);
        if (st == NS_ERR_QUERY_EMPTY)
            continue; /* nothing to search for: an empty ranking */
        if (st != NS_OK) {
            cli_error("%s: line %lu: %s", words[0], lineno,
                      *ns_db_errmsg(db) ? ns_db_errmsg(db)
                                        : ns_strerror(st));
            rc = EXIT_ERROR;
            continue;
        }
        warn_missing(res);
        for (size_t i = 0; i < ns_results_count(res); i++)
            print_trec(line, ns_results_get(res, i), c.so.sort);
        ns_results_free(res);
    }
out:
    if (fflush(stdout) != 0 && rc == EXIT_OK) {
        cli_error("cannot write the results");
        rc = EXIT_ERROR;
    }
    if (in && in != stdin)
        fclose(in);
    free(line);
    ns_db_close(db);
    free(words);
    return rc;
}
