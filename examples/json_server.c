/*
 * json_server.c: a minimal JSON search service over HTTP, built on
 * libnsearch and the libc socket calls only.  It listens on 127.0.0.1 (never
 * another address), serves one request at a time, and answers
 *
 *     GET /search?q=QUERY[&limit=N][&offset=N][&sort=newest|oldest]
 *                [&since=DATE][&until=DATE]
 *
 * with {"query", "total", "hits": [{rank, id, score, title, date, source,
 * url, author, snippet, highlights: [[start, end], ...]}]}, highlights being
 * byte ranges of the snippet's UTF-8.  Requests are bounded (8 KiB, 5 s).
 *
 *     json_server INDEX [PORT]      (PORT 0 or none: any free port)
 *
 * It prints "listening on http://127.0.0.1:PORT/" once ready, and stops
 * cleanly on SIGINT or SIGTERM.  Each request opens its own handle: a
 * handle sees every commit, but keeps the generation it opened, and would
 * miss a rebuild or a compaction made live since; an open costs little
 * next to a search.
 *
 * Build: cc json_server.c $(pkg-config --cflags --libs nsearch)
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <nsearch.h>

#define MAX_REQUEST 8192 /* bytes of request line and headers */
#define MAX_LIMIT   100  /* results per request */
#define IO_TIMEOUT  5    /* seconds a client may take to send or read */

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* A growing output buffer; on allocation failure it keeps failed set. */
typedef struct buf {
    char *p;
    size_t len, cap;
    int failed;
} buf;

static void
put(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* Bytes of the valid UTF-8 sequence at s[0,n), or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (s[0] < 0x80)
        return 1;
    else if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        if (s[0] == 0xE0)
            lo = 0xA0; /* no overlong forms */
        if (s[0] == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        if (s[0] == 0xF0)
            lo = 0x90;
        if (s[0] == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/*
 * s[0,n) as a JSON string.  Articles' text is UTF-8 when the input was,
 * but the library keeps what it was given: a byte that is not part of
 * valid UTF-8 becomes '?', one byte for one, so that the highlights' byte
 * offsets still point at the same words.
 */
static void
put_json(buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    put(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        char esc[8];
        size_t len = utf8_len(u + i, n - i);
        if (len == 0) {
            put(b, "?", 1);
            len = 1;
        } else if (u[i] == '"' || u[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char)u[i];
            put(b, esc, 2);
        } else if (u[i] < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", u[i]);
            put(b, esc, 6);
        } else {
            put(b, s + i, len);
        }
        i += len;
    }
    put(b, "\"", 1);
}

static void
put_field(buf *b, const char *name, const char *value)
{
    put(b, ",\"", 2);
    puts_(b, name);
    put(b, "\":", 2);
    put_json(b, value, strlen(value));
}

/* Decode %XX and '+' in place. */
static void
url_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '+') {
            *o++ = ' ';
        } else if (*s == '%' && s[1] && s[2]) {
            char hex[3] = { s[1], s[2], 0 };
            char *end;
            long v = strtol(hex, &end, 16);
            if (*end || v == 0) {
                *o++ = *s; /* not an escape (or a NUL): keep as is */
                continue;
            }
            *o++ = (char)v;
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

/* Write all of s[0,n); the peer going away is not our error. */
static void
send_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void
respond(int fd, int code, const char *reason, const buf *body)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 %d %s\r\n"
                     "Content-Type: application/json; charset=utf-8\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     code, reason, body->len);
    send_all(fd, head, (size_t)n);
    send_all(fd, body->p, body->len);
}

static void
respond_error(int fd, int code, const char *reason, const char *msg)
{
    buf b = { 0 };
    puts_(&b, "{\"error\":");
    put_json(&b, msg, strlen(msg));
    puts_(&b, "}\n");
    if (!b.failed)
        respond(fd, code, reason, &b);
    free(b.p);
}

/* The search request's parameters, pointing into the request buffer. */
typedef struct params {
    const char *q;
    ns_search_options opts;
} params;

/* Parse "a=1&b=2" (in place).  Returns 0, or -1 with *why set. */
static int
parse_params(char *qs, params *p, const char **why)
{
    char *save = NULL;
    for (char *kv = strtok_r(qs, "&", &save); kv;
         kv = strtok_r(NULL, "&", &save)) {
        char *v = strchr(kv, '=');
        if (!v)
            continue;
        *v++ = '\0';
        url_decode(v);
        if (strcmp(kv, "q") == 0) {
            p->q = v;
        } else if (strcmp(kv, "limit") == 0 || strcmp(kv, "offset") == 0) {
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            if (*end || !*v || n > 1000000) {
                *why = "limit and offset are numbers";
                return -1;
            }
            if (kv[0] == 'l')
                p->opts.limit = n > MAX_LIMIT ? MAX_LIMIT : (unsigned)n;
            else
                p->opts.offset = (unsigned)n;
        } else if (strcmp(kv, "sort") == 0) {
            if (strcmp(v, "newest") == 0)
                p->opts.sort = NS_SORT_NEWEST;
            else if (strcmp(v, "oldest") == 0)
                p->opts.sort = NS_SORT_OLDEST;
            else if (strcmp(v, "relevance") == 0)
                p->opts.sort = NS_SORT_RELEVANCE;
            else {
                *why = "sort is relevance, newest or oldest";
                return -1;
            }
        } else if (strcmp(kv, "since") == 0) {
            p->opts.since = v;
        } else if (strcmp(kv, "until") == 0) {
            p->opts.until = v;
        }
    }
    if (!p->q) {
        *why = "no q parameter";
        return -1;
    }
    return 0;
}

/* Run the search and answer with the results as JSON. */
static void
serve_search(int fd, const char *index, const params *p)
{
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open(index, NS_OPEN_READ, &db, &msg);
    if (st != NS_OK) {
        respond_error(fd, 503, "Service Unavailable",
                      msg ? msg : ns_strerror(st));
        ns_free(msg);
        return;
    }
    ns_results *res = NULL;
    st = ns_db_search(db, p->q, &p->opts, &res);
    if (st != NS_OK) {
        int user = st == NS_ERR_QUERY_EMPTY || st == NS_ERR_QUERY_SYNTAX ||
                   st == NS_ERR_INVALID_ARG;
        const char *detail =
            *ns_db_errmsg(db) ? ns_db_errmsg(db) : ns_strerror(st);
        respond_error(fd, user ? 400 : 500,
                      user ? "Bad Request" : "Internal Server Error", detail);
        ns_db_close(db);
        return;
    }

    buf b = { 0 };
    char num[64];
    puts_(&b, "{\"query\":");
    put_json(&b, p->q, strlen(p->q));
    snprintf(num, sizeof num, ",\"total\":%llu,\"hits\":[",
             (unsigned long long)ns_results_total(res));
    puts_(&b, num);
    for (size_t i = 0; i < ns_results_count(res); i++) {
        const ns_hit *h = ns_results_get(res, i);
        snprintf(num, sizeof num, "%s{\"rank\":%u,\"score\":%.6g", i ? "," : "",
                 h->rank, h->score);
        puts_(&b, num);
        put_field(&b, "id", h->id);
        put_field(&b, "title", h->title);
        put_field(&b, "date", h->date);
        put_field(&b, "source", h->source);
        put_field(&b, "url", h->url);
        put_field(&b, "author", h->author);
        puts_(&b, ",\"snippet\":");
        put_json(&b, h->snippet, h->snippet_len);
        puts_(&b, ",\"highlights\":[");
        for (size_t k = 0; k < h->n_highlights; k++) {
            snprintf(num, sizeof num, "%s[%zu,%zu]", k ? "," : "",
                     h->highlights[k].start, h->highlights[k].end);
            puts_(&b, num);
        }
        puts_(&b, "]}");
    }
    puts_(&b, "]}\n");
    ns_results_free(res);
    ns_db_close(db);
    if (b.failed)
        respond_error(fd, 500, "Internal Server Error", "out of memory");
    else
        respond(fd, 200, "OK", &b);
    free(b.p);
}

/*
 * Close after the answer.  Closing a socket with unread input resets it,
 * and the client may then lose the answer (a 413 sent before the whole
 * request was read): so say we are done, and read what the client still
 * sends (bounded) until it closes.
 */
static void
linger_close(int fd)
{
    char sink[4096];
    size_t total = 0;
    shutdown(fd, SHUT_WR);
    while (total < 16 * MAX_REQUEST) {
        ssize_t n = recv(fd, sink, sizeof sink, 0);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    close(fd);
}

/* Read one request (bounded in size and time) and answer it. */
static void
serve(int fd, const char *index)
{
    char req[MAX_REQUEST + 1];
    size_t len = 0;
    for (;;) {
        if (len == MAX_REQUEST) {
            respond_error(fd, 413, "Request Too Large", "request too large");
            return;
        }
        ssize_t n = recv(fd, req + len, MAX_REQUEST - len, 0);
        if (n < 0 && errno == EINTR && !stopping)
            continue;
        if (n <= 0)
            return; /* closed, timed out, or stopping: nothing to answer */
        len += (size_t)n;
        req[len] = '\0';
        if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
            break;
    }
    /* The request line: METHOD TARGET VERSION. */
    char *sp1 = strchr(req, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2) {
        respond_error(fd, 400, "Bad Request", "malformed request line");
        return;
    }
    *sp1 = '\0';
    *sp2 = '\0';
    char *target = sp1 + 1;
    if (strcmp(req, "GET") != 0) {
        respond_error(fd, 405, "Method Not Allowed", "only GET");
        return;
    }
    char *qs = strchr(target, '?');
    if (qs)
        *qs++ = '\0';
    if (strcmp(target, "/search") != 0) {
        respond_error(fd, 404, "Not Found", "try /search?q=words");
        return;
    }
    params p;
    ns_search_options def = NS_SEARCH_OPTIONS_INIT;
    p.q = NULL;
    p.opts = def;
    const char *why = NULL;
    char none[1] = "";
    if (parse_params(qs ? qs : none, &p, &why) != 0) {
        respond_error(fd, 400, "Bad Request", why);
        return;
    }
    serve_search(fd, index, &p);
}

int
main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: json_server INDEX [PORT]\n");
        return 2;
    }
    const char *index = argv[1];
    long port = argc == 3 ? strtol(argv[2], NULL, 10) : 0;
    if (port < 0 || port > 65535) {
        fprintf(stderr, "json_server: bad port '%s'\n", argv[2]);
        return 2;
    }
    /* Fail now, not at the first request, if there is no index. */
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open(index, NS_OPEN_READ, &db, &msg);
    if (st != NS_OK) {
        fprintf(stderr, "json_server: %s\n", msg ? msg : ns_strerror(st));
        ns_free(msg);
        return 2;
    }
    ns_db_close(db);

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0) {
        perror("json_server: socket");
        return 2;
    }
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1 only */
    socklen_t sl = sizeof sa;
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(ls, 16) != 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &sl) != 0) {
        perror("json_server: bind");
        close(ls);
        return 2;
    }

    /* No SA_RESTART: a signal interrupts accept() and ends the loop. */
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_signal;
    sigemptyset(&act.sa_mask);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);

    printf("listening on http://127.0.0.1:%u/\n", ntohs(sa.sin_port));
    fflush(stdout);
    while (!stopping) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("json_server: accept");
            break;
        }
        struct timeval tv = { IO_TIMEOUT, 0 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        serve(fd, index);
        linger_close(fd);
    }
    close(ls);
    return 0;
}
