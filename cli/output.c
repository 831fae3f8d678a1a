/*
 * output.c: writing article text where it goes.  Article text is untrusted:
 * on a terminal no control character from it may reach the screen (an
 * escape sequence could rewrite it), JSON must stay valid, HTML escaped.
 */
#include "cli.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (< end), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, const unsigned char *end)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(end - s) < n)
        return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* A C1 control (U+0080..U+009F, e.g. U+009B CSI, which terminals take as
 * ESC [) at p, a valid sequence of k bytes. */
static int
is_c1(const unsigned char *p, size_t k)
{
    return k == 2 && p[0] == 0xC2 && p[1] < 0xA0;
}

/* Unicode's explicit bidirectional controls (U+202A..U+202E embeddings and
 * overrides, U+2066..U+2069 isolates): on a terminal, one in an article's
 * text reorders what follows it on the line, nsearch's own output included
 * ("Trojan Source"). */
static int
is_bidi(const unsigned char *p, size_t k)
{
    return k == 3 && p[0] == 0xE2 &&
           ((p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE) ||
            (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9));
}

/* out_safe, with each control character (C0, DEL, C1, bidirectional)
 * written as repl, and spaces too when space is set.  Clean bytes are
 * written in runs: one fwrite per character was a fifth of a search's
 * instructions. */
static void
safe(FILE *f, const char *s, size_t n, char repl, int space)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    const unsigned char *run = p;
    while (p < end) {
        if (*p >= 0x20 && *p < 0x7F && !(space && *p == ' ')) {
            p++;
            continue;
        }
        size_t k = utf8_len(p, end);
        /* an ASCII byte here is a control, DEL or a space to replace */
        if (k > 1 && !is_c1(p, k) && !is_bidi(p, k)) {
            p += k;
            continue;
        }
        fwrite(run, 1, (size_t)(p - run), f);
        if (k == 0) {
            fputs("\xEF\xBF\xBD", f); /* U+FFFD */
            p++;
        } else {
            fputc(repl, f);
            p += k;
        }
        run = p;
    }
    fwrite(run, 1, (size_t)(p - run), f);
}

void
out_safe(FILE *f, const char *s, size_t n)
{
    safe(f, s, n, ' ', 0);
}

void
out_word(FILE *f, const char *s, size_t n)
{
    safe(f, s, n, '_', 1);
}

/* The text of a JSON string or of HTML: s[0, n) with what cannot stay
 * as it is (invalid UTF-8, controls, C1 controls, the format's special
 * characters) replaced by esc's writing; the rest in runs, not byte by
 * byte. */
static void
escaped(FILE *f, const char *s, size_t n, const char *special,
        void (*esc)(FILE *f, const unsigned char *p, size_t k))
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    const unsigned char *run = p;
    while (p < end) {
        if (*p >= 0x20 && *p < 0x7F && !strchr(special, *p)) {
            p++;
            continue;
        }
        size_t k = utf8_len(p, end);
        if (k > 1 && !is_c1(p, k)) {
            p += k;
            continue;
        }
        fwrite(run, 1, (size_t)(p - run), f);
        esc(f, p, k);
        p += k ? k : 1;
        run = p;
    }
    fwrite(run, 1, (size_t)(p - run), f);
}

/* k = 0: an invalid byte; 1: a control or special character; 2: C1. */
static void
json_esc(FILE *f, const unsigned char *p, size_t k)
{
    if (k == 0) {
        fputs("\\ufffd", f);
        return;
    }
    if (k == 2) {
        fprintf(f, "\\u%04x", p[1]); /* valid JSON, and inert */
        return;
    }
    switch (*p) {
    case '"':
        fputs("\\\"", f);
        break;
    case '\\':
        fputs("\\\\", f);
        break;
    case '\n':
        fputs("\\n", f);
        break;
    case '\r':
        fputs("\\r", f);
        break;
    case '\t':
        fputs("\\t", f);
        break;
    default:
        fprintf(f, "\\u%04x", *p);
    }
}

void
out_json_str(FILE *f, const char *s, size_t n)
{
    escaped(f, s, n, "\"\\", json_esc);
}

void
out_json_field(FILE *f, const char *name, const char *v, int comma)
{
    fprintf(f, "%s\"%s\":", comma ? "," : "", name);
    if (!v) {
        fputs("null", f);
        return;
    }
    putc('"', f);
    out_json_str(f, v, strlen(v));
    putc('"', f);
}

static void
html_esc(FILE *f, const unsigned char *p, size_t k)
{
    if (k == 0) {
        fputs("\xEF\xBF\xBD", f);
        return;
    }
    if (k == 2) {
        fputc(' ', f);
        return;
    }
    switch (*p) {
    case '<':
        fputs("&lt;", f);
        break;
    case '>':
        fputs("&gt;", f);
        break;
    case '&':
        fputs("&amp;", f);
        break;
    case '"':
        fputs("&quot;", f);
        break;
    case '\'':
        fputs("&#39;", f);
        break;
    default:
        fputc(' ', f);
    }
}

void
out_html(FILE *f, const char *s, size_t n)
{
    escaped(f, s, n, "<>&\"'", html_esc);
}
