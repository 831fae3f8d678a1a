/*
 * text.c: one article per file, in two formats.  "text": the first
 * non-empty line is the title and the rest the body (a Markdown file
 * without front matter is read so, its "# " heading marks stripped).
 * "markdown": a file opening with front matter, YAML ("---" ... "---") or
 * Hugo's TOML ("+++" ... "+++"), each read by a small parser for the subset
 * news exports use (YAML: key: value, quoted scalars with escapes, folded
 * continuation lines, block scalars, lists, a nested mapping's name;
 * TOML: key = value, strings, arrays, bare numbers and dates, tables
 * skipped); the body's Markdown is
 * reduced to text (links to their words, escapes and emphasis marks
 * removed, raw HTML tags dropped and character references decoded, code
 * spans and fenced code kept as written).  A file whose name starts with
 * a day, as Jekyll names its posts ("2020-01-02-slug.md"), is of that day
 * unless its front matter gives a date.  No YAML, TOML or Markdown
 * library: none is needed for this much, and a hand-written subset cannot
 * execute anything.
 *
 * Each file is decoded as a whole: UTF-16 with a byte order mark (what
 * Windows Notepad saves) is made UTF-8, and a file that is not valid UTF-8
 * is read as windows-1252 (old text archives, Windows exports), as the
 * SGML and web readers do.
 */
#include "corpus/date.h"
#include "corpus/format.h"
#include "corpus/html.h"

#include <string.h>

#include <libxml/HTMLparser.h>

/* The largest file read as one article (the text limit plus room for a
 * title and front matter). */
#define MAX_FILE ((size_t)NS_MAX_ARTICLE_BYTES + ((size_t)64 << 10))
/* A first line longer than this is a paragraph, not a title. */
#define MAX_TITLE_LINE 1000

static int
is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The end of the line starting at p (its '\n' or end). */
static const char *
eol(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

static const char *
next_line(const char *p, const char *end)
{
    const char *e = eol(p, end);
    return e < end ? e + 1 : end;
}

static int
blank_span(const char *p, const char *e)
{
    for (; p < e; p++)
        if (!is_blank((unsigned char)*p))
            return 0;
    return 1;
}

/* A line of mark ("---", "+++"; "..." too when dots) with nothing but
 * blanks after. */
static int
fence_line(const char *p, const char *e, const char *mark, int dots)
{
    if (e - p < 3)
        return 0;
    if (memcmp(p, mark, 3) != 0 && !(dots && memcmp(p, "...", 3) == 0))
        return 0;
    return blank_span(p + 3, e);
}

static int
md_name(const char *name)
{
    return ns__name_has_ext(name, ".md") ||
           ns__name_has_ext(name, ".markdown") ||
           ns__name_has_ext(name, ".mdown");
}

/* ------------------------------------------------------------------------ */
/* Charsets                                                                  */

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* s[0, n) read as windows-1252, appended to b as UTF-8. */
static void
from_1252(ns_buf *b, const unsigned char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80)
            continue;
        ns__buf_append(b, s + run, i - run);
        uint32_t cp = ns__cp1252(s[i]); /* its five holes: U+FFFD */
        ns__buf_put_utf8(b, cp ? cp : 0xFFFD);
        run = i + 1;
    }
    ns__buf_append(b, s + run, n - run);
}

/* 1 when s opens with a UTF-16 little-endian byte order mark, 2 when
 * big-endian, else 0. */
static int
utf16_bom(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE)
        return 1;
    if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF)
        return 2;
    return 0;
}

/* UTF-16 s[0, n) (after its byte order mark), appended to b as UTF-8: an
 * unpaired surrogate, and an odd last byte, become U+FFFD. */
static void
from_utf16(ns_buf *b, const unsigned char *s, size_t n, int big)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned long u = big ? (unsigned long)s[i] << 8 | s[i + 1] :
                                (unsigned long)s[i + 1] << 8 | s[i];
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
            unsigned long lo = big ? (unsigned long)s[i + 2] << 8 | s[i + 3] :
                                     (unsigned long)s[i + 3] << 8 | s[i + 2];
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            }
        }
        ns__buf_put_utf8(b, u); /* a lone surrogate: U+FFFD */
    }
    if (n % 2)
        ns__buf_put_utf8(b, 0xFFFD);
}

/*
 * Make a whole file UTF-8, deciding per file: UTF-16 with a byte order mark
 * is decoded; a UTF-8 byte order mark is dropped (and the bytes taken as
 * UTF-8); other bytes that are not valid UTF-8 are read as windows-1252.
 * *data (from ns__input_slurp, NUL-terminated) is replaced when converted.
 */
static ns_status
file_to_utf8(char **data, size_t *len)
{
    const unsigned char *u = (const unsigned char *)*data;
    size_t n = *len;
    if (n >= 3 && memcmp(u, "\xEF\xBB\xBF", 3) == 0) {
        memmove(*data, *data + 3, n - 3 + 1);
        *len = n - 3;
        return NS_OK;
    }
    int bom = utf16_bom(*data, n);
    if (!bom && ns__utf8_valid(*data, n))
        return NS_OK;
    ns_buf b = { 0 };
    ns__buf_reserve(&b, bom ? n / 2 * 3 : n + n / 2);
    if (bom)
        from_utf16(&b, u + 2, n - 2, bom == 2);
    else
        from_1252(&b, u, n);
    if (b.oom) {
        ns__buf_free(&b);
        return NS_ERR_NOMEM;
    }
    ns_free(*data);
    *len = b.len;
    *data = ns__buf_detach(&b);
    return NS_OK;
}

/*
 * The head a sniff reads: a UTF-16 one (with its byte order mark) decoded
 * into b, which the caller frees; any other as it is.  0 out of memory.
 */
static int
sniff_text(const char **head, size_t *len, ns_buf *b)
{
    int bom = utf16_bom(*head, *len);
    if (!bom)
        return 1;
    ns__buf_reserve(b, *len / 2 * 3);
    from_utf16(b, (const unsigned char *)*head + 2, *len - 2, bom == 2);
    if (b->oom)
        return 0;
    *head = b->data;
    *len = b->len;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Markdown to text                                                          */

static int
ascii_punct(int c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
           (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

static int
alnum(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Whether the '*' or '_' at s[i] opens or closes an emphasis: it leans on
 * a word on one side and not on the other ("*word*", but not "snake_case",
 * "2 * 3" or a "* " bullet). */
static int
emphasis_mark(const char *s, size_t n, size_t i)
{
    int prev = i > 0 ? (unsigned char)s[i - 1] : ' ';
    int next = i + 1 < n ? (unsigned char)s[i + 1] : ' ';
    int ws_next = next == ' ' || next == '\t' || next == '\n' || next == '\r';
    int ws_prev = prev == ' ' || prev == '\t' || prev == '\n';
    if (!alnum(prev) && !ws_next && next != s[i])
        return 1; /* opening */
    if (!ws_prev && !alnum(next) && prev != s[i])
        return 1; /* closing */
    return 0;
}

/*
 * For "[text](target)" at s[i] == '[': the index of the matching ']' in
 * *close and of the ')' ending the target in *paren.  The text may span
 * lines but not a blank line; both parts are bounded.
 */
static int
find_link(const char *s, size_t n, size_t i, size_t *close, size_t *paren)
{
    int depth = 0;
    size_t j = i;
    for (; j < n && j - i < 4096; j++) {
        char c = s[j];
        if (c == '\\') {
            j++;
            continue;
        }
        if (c == '\n' && j + 1 < n && s[j + 1] == '\n')
            return 0;
        if (c == '[')
            depth++;
        else if (c == ']' && --depth == 0)
            break;
    }
    if (j >= n || s[j] != ']' || j + 1 >= n || s[j + 1] != '(')
        return 0;
    size_t k = j + 2;
    int pd = 1;
    for (; k < n && k - j < 4096; k++) {
        if (s[k] == '\n' && k + 1 < n && s[k + 1] == '\n')
            return 0;
        if (s[k] == '(')
            pd++;
        else if (s[k] == ')' && --pd == 0)
            break;
    }
    if (k >= n || s[k] != ')')
        return 0;
    *close = j;
    *paren = k;
    return 1;
}

/* The longest code span, tag, processing instruction or declaration
 * looked for (a comment, CDATA section, <script> or <style> may be longer). */
#define MD_MAX_SPAN 4096

/* The length of the code span at s[i] == '`' in s[0, n), its backticks
 * included; 0 when no run of as many backticks closes it (within its
 * paragraph and MD_MAX_SPAN bytes). */
static size_t
code_span(const char *s, size_t n, size_t i)
{
    size_t k = i;
    while (k < n && s[k] == '`')
        k++;
    size_t run = k - i, lim = n - k > MD_MAX_SPAN ? k + MD_MAX_SPAN : n;
    for (size_t j = k; j < lim;) {
        if (s[j] == '\n' && blank_span(s + j + 1, eol(s + j + 1, s + n)))
            return 0;
        if (s[j] != '`') {
            j++;
            continue;
        }
        size_t e = j;
        while (e < n && s[e] == '`')
            e++;
        if (e - j == run)
            return e - i;
        j = e;
    }
    return 0;
}

/* The length of the fenced code block whose opening line starts at s[i]
 * ("```" or "~~~", three or more, indented at most three spaces), up to
 * the end of its closing fence line (as long a run of the same mark, or
 * longer), or to n when it is not closed; 0 when the line opens none. */
static size_t
code_fence(const char *s, size_t n, size_t i)
{
    const char *end = s + n, *p = s + i;
    while (p < end && *p == ' ' && p - (s + i) < 3)
        p++;
    char m = p < end ? *p : 0;
    if (m != '`' && m != '~')
        return 0;
    const char *q = p;
    while (q < end && *q == m)
        q++;
    size_t len = (size_t)(q - p);
    const char *le = eol(q, end);
    if (len < 3 || (m == '`' && memchr(q, '`', (size_t)(le - q))))
        return 0; /* "``" is a code span; backticks after "```" too */
    for (p = le < end ? le + 1 : end; p < end; p = next_line(p, end)) {
        const char *e = eol(p, end), *f = p;
        while (f < e && *f == ' ' && f - p < 3)
            f++;
        q = f;
        while (q < e && *q == m)
            q++;
        if ((size_t)(q - f) >= len && blank_span(q, e))
            return (size_t)(e - (s + i));
    }
    return n - i;
}

static int
ascii_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
ascii_alnum(int c)
{
    return ascii_alpha(c) || (c >= '0' && c <= '9');
}

/* Blanks and at most one line break, not into a blank line: the white
 * space a tag may hold.  Returns the index after it. */
static size_t
tag_space(const char *s, size_t n, size_t j)
{
    int nl = 0;
    while (j < n) {
        if (is_blank((unsigned char)s[j])) {
            j++;
        } else if (s[j] == '\n' && !nl) {
            nl = 1;
            j++;
        } else {
            break;
        }
    }
    return j;
}

/*
 * The length of the open or closing tag at s[i] == '<' in s[0, n), as
 * CommonMark reads raw HTML (a name, then attributes each after white
 * space: name, name=value, name="value", name='value'); 0 when there is
 * none.  Its name is s[*name, *name + *name_len).
 */
static size_t
html_tag(const char *s,
         size_t n,
         size_t i,
         size_t *name,
         size_t *name_len,
         int *closing)
{
    if (n - i > MD_MAX_SPAN)
        n = i + MD_MAX_SPAN;
    size_t j = i + 1;
    *closing = j < n && s[j] == '/';
    j += (size_t)*closing;
    if (j >= n || !ascii_alpha((unsigned char)s[j]))
        return 0;
    *name = j;
    while (j < n && (ascii_alnum((unsigned char)s[j]) || s[j] == '-'))
        j++;
    *name_len = j - *name;
    if (*closing) {
        j = tag_space(s, n, j);
        return j < n && s[j] == '>' ? j + 1 - i : 0;
    }
    for (;;) {
        size_t k = tag_space(s, n, j);
        if (k < n && s[k] == '>')
            return k + 1 - i;
        if (k + 1 < n && s[k] == '/' && s[k + 1] == '>')
            return k + 2 - i;
        if (k == j || k >= n)
            return 0; /* an attribute comes after white space */
        j = k;
        int c = (unsigned char)s[j];
        if (!ascii_alpha(c) && c != '_' && c != ':')
            return 0;
        while (j < n && (ascii_alnum((unsigned char)s[j]) ||
                         (s[j] && strchr("_.:-", s[j]))))
            j++;
        k = tag_space(s, n, j);
        if (k >= n || s[k] != '=')
            continue; /* a name alone */
        k = tag_space(s, n, k + 1);
        if (k >= n)
            return 0;
        if (s[k] == '"' || s[k] == '\'') {
            const char *q = memchr(s + k + 1, s[k], n - k - 1);
            if (!q)
                return 0;
            j = (size_t)(q - s) + 1;
        } else {
            size_t v = k;
            while (k < n && s[k] && !strchr(" \t\r\n\"'=<>`", s[k]))
                k++;
            if (k == v)
                return 0;
            j = k;
        }
    }
}

/* Whether the tag name s[0, n) is one of the elements in names,
 * ASCII case-insensitively. */
static int
tag_is(const char *s, size_t n, const char *const *names)
{
    for (; *names; names++) {
        size_t k = 0;
        while (k < n && (*names)[k] &&
               ((unsigned char)s[k] | 0x20) == (*names)[k])
            k++;
        if (k == n && !(*names)[k])
            return 1;
    }
    return 0;
}

/* Where a closer is searched for past raw HTML: "-->", "]]>", "</script",
 * "</style". */
enum { CL_COMMENT, CL_CDATA, CL_SCRIPT, CL_STYLE, CL_COUNT };

/* The index after the first closer k in s[from, n) (ASCII case-insensitive
 * for the tags), or 0.  memo[k]: the least index from which a search to the
 * end of the text found none, so that no text is searched twice. */
static size_t
find_closer(const char *s,
            size_t n,
            size_t from,
            int k,
            size_t total,
            size_t *memo)
{
    static const char *const closers[] = { "-->", "]]>", "</script",
                                           "</style" };
    const char *c = closers[k];
    size_t cl = strlen(c);
    if (from >= memo[k])
        return 0;
    for (size_t j = from; j + cl <= n; j++) {
        const char *p = memchr(s + j, c[0], n - j);
        if (!p)
            break;
        j = (size_t)(p - s);
        size_t m = 0;
        while (m < cl && j + m < n &&
               ((unsigned char)s[j + m] | (k >= CL_SCRIPT ? 0x20 : 0)) ==
                   (unsigned char)c[m])
            m++;
        if (m == cl)
            return j + cl;
    }
    if (n == total)
        memo[k] = from;
    return 0;
}

/*
 * Raw HTML at s[i] == '<' in s[0, n) (the whole text is total bytes): a
 * tag, comment, processing instruction, declaration or CDATA section is
 * dropped, and with a <script> or <style> element its content; a
 * block-level tag between two words leaves a line break in out.  Returns
 * the bytes to skip; 0 when s[i] starts no markup ("x < y" stays).
 */
static size_t
html_markup(ns_buf *out,
            const char *s,
            size_t n,
            size_t i,
            size_t total,
            size_t *memo)
{
    static const char *const blocks[] = {
        "address", "article", "aside",      "blockquote", "br",     "dd", "div",
        "dl",      "dt",      "figcaption", "figure",     "footer", "h1", "h2",
        "h3",      "h4",      "h5",         "h6",         "header", "hr", "li",
        "ol",      "p",       "pre",        "section",    "table",  "td", "th",
        "tr",      "ul",      NULL
    };
    static const char *const script[] = { "script", NULL };
    static const char *const style[] = { "style", NULL };
    size_t lim = n - i > MD_MAX_SPAN ? i + MD_MAX_SPAN : n, e = 0;
    if (i + 4 <= n && memcmp(s + i, "<!--", 4) == 0) {
        e = find_closer(s, n, i + 2, CL_COMMENT, total, memo);
    } else if (i + 9 <= n && memcmp(s + i, "<![CDATA[", 9) == 0) {
        e = find_closer(s, n, i + 9, CL_CDATA, total, memo);
    } else if (i + 1 < n && s[i + 1] == '?') {
        const char *p = ns__find(s + i + 2, lim - i - 2, "?>", 2);
        e = p ? (size_t)(p - s) + 2 : 0;
    } else if (i + 2 < n && s[i + 1] == '!' &&
               ascii_alpha((unsigned char)s[i + 2])) {
        const char *p = memchr(s + i + 2, '>', lim - i - 2);
        e = p ? (size_t)(p - s) + 1 : 0;
    } else {
        size_t name, name_len;
        int closing;
        size_t k = html_tag(s, n, i, &name, &name_len, &closing);
        if (!k)
            return 0;
        e = i + k;
        if (!closing && s[e - 2] != '/') {
            /* the code in a <script> or <style> is no text */
            int cl = tag_is(s + name, name_len, script) ? CL_SCRIPT :
                     tag_is(s + name, name_len, style)  ? CL_STYLE :
                                                          -1;
            size_t c = cl < 0 ? 0 : find_closer(s, n, e, cl, total, memo);
            if (c) {
                const char *gt = memchr(s + c, '>', n - c);
                e = gt ? (size_t)(gt - s) + 1 : c;
            }
        }
        /* "a<br>b", "</p><p>": words kept apart, lines kept */
        if (tag_is(s + name, name_len, blocks) && out->len &&
            out->data[out->len - 1] != '\n' && e < n && s[e] != '\n')
            ns__buf_putc(out, '\n');
    }
    return e > i ? e - i : 0;
}

/* A character reference at s[0] == '&' in s[0, n): "&mdash;" (an HTML
 * entity name), "&#8212;" or "&#x2014;", its character appended to out
 * (U+FFFD for 0 or what is no character; nothing for a control).  Returns
 * its length, 0 when it is none ("AT&T" and "&amp" without ';' stay). */
static size_t
md_entity(ns_buf *out, const char *s, size_t n)
{
    size_t i = 1;
    if (n > 2 && s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        size_t d0 = hex ? 3 : 2;
        unsigned long cp = 0;
        for (i = d0; i < n && i - d0 < (hex ? 6u : 7u); i++) {
            int h = hexval((unsigned char)s[i]);
            if (h < 0 || (!hex && h > 9))
                break;
            cp = cp * (hex ? 16 : 10) + (unsigned long)h;
        }
        if (i == d0 || i >= n || s[i] != ';')
            return 0;
        if (cp >= 0x20 || cp == '\t' || cp == '\n')
            ns__buf_put_utf8(out, cp);
        else if (cp == 0)
            ns__buf_put_utf8(out, 0xFFFD);
        return i + 1;
    }
    char name[32];
    while (i < n && i < sizeof name && ascii_alnum((unsigned char)s[i])) {
        name[i - 1] = s[i];
        i++;
    }
    if (i == 1 || i >= n || s[i] != ';')
        return 0;
    name[i - 1] = '\0';
    /* libxml2's table of HTML's entities, which html.c reads feeds with */
    const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)name);
    if (!d)
        return 0;
    ns__buf_put_utf8(out, d->value);
    return i + 1;
}

/* The bytes md_to_text stops at. */
static const unsigned char md_special[256] = {
    ['\n'] = 1, ['\\'] = 1, ['*'] = 1, ['_'] = 1, ['!'] = 1,
    ['['] = 1,  ['<'] = 1,  ['&'] = 1, ['`'] = 1,
};

/* Headings' "#" marks, rules and setext underlines at line starts; links,
 * images, backslash escapes, strong-emphasis marks, raw HTML and character
 * references inline; code spans and fenced code blocks as written. */
static void
md_to_text(ns_buf *out, const char *s, size_t n)
{
    size_t skip_at[16], skip_to[16]; /* pending "](target)" to jump over */
    size_t memo[CL_COUNT] = { SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX };
    int nskip = 0;
    int bol = 1;
    for (size_t i = 0; i < n;) {
        /* what a span may cover: not past a pending link's text (one that
         * a line's marks were skipped over is no link) */
        while (nskip > 0 && skip_at[nskip - 1] < i)
            nskip--;
        size_t stop = nskip > 0 ? skip_at[nskip - 1] : n;
        if (bol) {
            bol = 0;
            size_t f = code_fence(s, stop, i);
            if (f) {
                ns__buf_append(out, s + i, f);
                i += f;
                continue;
            }
            const char *le = eol(s + i, s + n);
            size_t j = i;
            while (j < (size_t)(le - s) && s[j] == ' ' && j - i < 3)
                j++;
            /* rules and setext underlines: "---", "===", "***", "___" */
            char m = j < n ? s[j] : 0;
            if (m == '-' || m == '=' || m == '*' || m == '_') {
                size_t k = j, marks = 0;
                while (k < (size_t)(le - s) &&
                       (s[k] == m || is_blank((unsigned char)s[k]))) {
                    marks += s[k] == m;
                    k++;
                }
                if (k == (size_t)(le - s) && marks >= 3) {
                    i = k;
                    continue;
                }
            }
            if (m == '#') {
                size_t k = j;
                while (k < n && s[k] == '#' && k - j < 6)
                    k++;
                if (k < n && (s[k] == ' ' || s[k] == '\t')) {
                    i = k + 1;
                    continue;
                }
            }
        }
        char c = s[i];
        if (nskip > 0 && i == skip_at[nskip - 1]) {
            i = skip_to[nskip - 1] + 1;
            nskip--;
            continue;
        }
        if (c == '\n') {
            ns__buf_putc(out, '\n');
            bol = 1;
            i++;
            continue;
        }
        if (c == '\\' && i + 1 < n && ascii_punct((unsigned char)s[i + 1])) {
            ns__buf_putc(out, s[i + 1]);
            i += 2;
            continue;
        }
        if ((c == '*' || c == '_') && i + 1 < n && s[i + 1] == c) {
            i += 2; /* strong emphasis marks */
            continue;
        }
        if ((c == '*' || c == '_') && emphasis_mark(s, n, i)) {
            i++;
            continue;
        }
        if (c == '!' && i + 1 < n && s[i + 1] == '[') {
            i++; /* an image: keep its alt text */
            continue;
        }
        size_t close, paren;
        if (c == '[' && nskip < 16 && find_link(s, n, i, &close, &paren)) {
            skip_at[nskip] = close;
            skip_to[nskip] = paren;
            nskip++;
            i++;
            continue;
        }
        if (c == '`') {
            size_t k = code_span(s, stop, i);
            if (!k) /* not closed: the run of backticks as it is */
                while (i + k < stop && s[i + k] == '`')
                    k++;
            ns__buf_append(out, s + i, k);
            i += k;
            continue;
        }
        size_t k = c == '<' ? html_markup(out, s, stop, i, n, memo) :
                   c == '&' ? md_entity(out, s + i, stop - i) :
                              0;
        if (k) {
            i += k;
            continue;
        }
        /* copy a run of ordinary bytes at once */
        size_t j = i + 1;
        while (j < n && !md_special[(unsigned char)s[j]] && j != stop)
            j++;
        ns__buf_append(out, s + i, j - i);
        i = j;
    }
}

/* ------------------------------------------------------------------------ */
/* The title line and the body                                               */

typedef struct doc {
    const char *title;
    size_t title_len;
    const char *body;
    size_t body_len;
} doc;

/* Split s into the first non-empty line (the title) and the rest. */
static void
split_title(const char *s, size_t n, int markdown, doc *d)
{
    const char *p = s, *end = s + n;
    memset(d, 0, sizeof *d);
    while (p < end && blank_span(p, eol(p, end)))
        p = next_line(p, end);
    const char *e = eol(p, end);
    if (p == end || e - p > MAX_TITLE_LINE) {
        d->body = p;
        d->body_len = (size_t)(end - p);
        return;
    }
    const char *t = p, *te = e;
    while (t < te && is_blank((unsigned char)*t))
        t++;
    if (markdown && *t == '#') {
        while (t < te && *t == '#')
            t++;
        while (t < te && is_blank((unsigned char)*t))
            t++;
    }
    while (te > t && is_blank((unsigned char)te[-1]))
        te--;
    if (markdown) { /* closing marks: "# Title #" */
        const char *h = te;
        while (h > t && h[-1] == '#')
            h--;
        if (h < te && h > t && is_blank((unsigned char)h[-1])) {
            te = h;
            while (te > t && is_blank((unsigned char)te[-1]))
                te--;
        }
    }
    d->title = t;
    d->title_len = (size_t)(te - t);
    p = next_line(p, end);
    /* a setext underline ("Title" over "=====") belongs to the title */
    const char *u = p, *ue = eol(p, end);
    if (u < ue && (*u == '=' || *u == '-')) {
        char m = *u;
        while (u < ue && (*u == m || is_blank((unsigned char)*u)))
            u++;
        if (u == ue)
            p = next_line(p, end);
    }
    while (p < end && blank_span(p, eol(p, end)))
        p = next_line(p, end);
    d->body = p;
    d->body_len = (size_t)(end - p);
}

/* ------------------------------------------------------------------------ */
/* YAML front matter (a subset)                                              */

#define FM_MAX_KEYS 48

typedef struct fm_pair {
    char key[40];
    ns_buf val;
} fm_pair;

typedef struct front_matter {
    fm_pair kv[FM_MAX_KEYS];
    int n;
    int oom; /* a value that was read and dropped could not be held */
} front_matter;

/* n hex digits at p (bounded by end) into *cp. */
static int
hexes(const char *p, const char *end, int n, unsigned long *cp)
{
    unsigned long v = 0;
    if (end - p < n)
        return 0;
    for (int i = 0; i < n; i++) {
        int h = hexval((unsigned char)p[i]);
        if (h < 0)
            return 0;
        v = v * 16 + (unsigned long)h;
    }
    *cp = v;
    return 1;
}

/*
 * A line break inside a quoted or plain multi-line scalar: trailing blanks
 * already written (past *keep) are dropped; one break becomes a space and
 * each empty line a '\n'.  Returns the position of the next line's first
 * non-blank byte.
 */
static const char *
fold(ns_buf *b, size_t keep, const char *p, const char *end)
{
    if (b->len > keep) {
        b->len = keep;
        if (b->data)
            b->data[b->len] = '\0';
    }
    int empties = 0;
    p++; /* the '\n' */
    for (;;) {
        while (p < end && is_blank((unsigned char)*p))
            p++;
        if (p < end && *p == '\n') {
            empties++;
            p++;
            continue;
        }
        break;
    }
    if (empties == 0)
        ns__buf_putc(b, ' ');
    for (int i = 0; i < empties; i++)
        ns__buf_putc(b, '\n');
    return p;
}

/* A double-quoted scalar at p (on its '"'); returns the byte after it. */
static const char *
dq_scalar(ns_buf *b, const char *p, const char *end)
{
    size_t keep = b->len;
    p++;
    while (p < end) {
        char c = *p;
        if (c == '"')
            return p + 1;
        if (c == '\n') {
            p = fold(b, keep, p, end);
            keep = b->len;
            continue;
        }
        if (c != '\\') {
            ns__buf_putc(b, c);
            if (!is_blank((unsigned char)c))
                keep = b->len;
            p++;
            continue;
        }
        if (++p >= end)
            break;
        char e = *p++;
        unsigned long cp;
        switch (e) {
        case '\r':
        case '\n':
            /* an escaped line break joins the lines with nothing */
            if (e == '\r' && p < end && *p == '\n')
                p++;
            while (p < end && is_blank((unsigned char)*p))
                p++;
            break;
        case '0':
            break; /* a NUL has no place in a field */
        case 'a':
            ns__buf_putc(b, '\a');
            break;
        case 'b':
            ns__buf_putc(b, '\b');
            break;
        case 't':
        case '\t':
            ns__buf_putc(b, '\t');
            break;
        case 'n':
            ns__buf_putc(b, '\n');
            break;
        case 'v':
            ns__buf_putc(b, '\v');
            break;
        case 'f':
            ns__buf_putc(b, '\f');
            break;
        case 'r':
            ns__buf_putc(b, '\r');
            break;
        case 'e':
            ns__buf_putc(b, '\x1b');
            break;
        case ' ':
        case '"':
        case '/':
        case '\\':
            ns__buf_putc(b, e);
            break;
        case 'N':
            ns__buf_put_utf8(b, 0x85);
            break;
        case '_':
            ns__buf_put_utf8(b, 0xA0); /* no-break space */
            break;
        case 'L':
            ns__buf_put_utf8(b, 0x2028);
            break;
        case 'P':
            ns__buf_put_utf8(b, 0x2029);
            break;
        case 'x':
        case 'u':
        case 'U': {
            int nd = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            if (!hexes(p, end, nd, &cp)) {
                ns__buf_putc(b, '\\');
                ns__buf_putc(b, e);
                break;
            }
            p += nd;
            /* a UTF-16 surrogate pair, as JSON writes it */
            unsigned long lo;
            if (e == 'u' && cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 &&
                p[0] == '\\' && p[1] == 'u' && hexes(p + 2, end, 4, &lo) &&
                lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            ns__buf_put_utf8(b, cp);
            break;
        }
        default:
            ns__buf_putc(b, '\\');
            ns__buf_putc(b, e);
            break;
        }
        keep = b->len;
    }
    return end; /* unterminated: take what there is */
}

/* A single-quoted scalar ('' is a quote); returns the byte after it. */
static const char *
sq_scalar(ns_buf *b, const char *p, const char *end)
{
    size_t keep = b->len;
    p++;
    while (p < end) {
        char c = *p;
        if (c == '\'') {
            if (p + 1 < end && p[1] == '\'') {
                ns__buf_putc(b, '\'');
                keep = b->len;
                p += 2;
                continue;
            }
            return p + 1;
        }
        if (c == '\n') {
            p = fold(b, keep, p, end);
            keep = b->len;
            continue;
        }
        ns__buf_putc(b, c);
        if (!is_blank((unsigned char)c))
            keep = b->len;
        p++;
    }
    return end;
}

static int
indented(const char *p, const char *end)
{
    return p < end && (*p == ' ' || *p == '\t');
}

/* A plain scalar from p to the end of its line (a " #" starts a comment),
 * folded with its indented continuation lines.  Returns the next line. */
static const char *
plain_scalar(ns_buf *b, const char *p, const char *end)
{
    for (int first = 1;; first = 0) {
        const char *e = eol(p, end);
        const char *c = p;
        while (c < e && !(*c == '#' && c > p && is_blank((unsigned char)c[-1])))
            c++;
        while (c > p && is_blank((unsigned char)c[-1]))
            c--;
        if (!first && c > p && b->len)
            ns__buf_putc(b, ' ');
        ns__buf_append(b, p, (size_t)(c - p));
        p = e < end ? e + 1 : end;
        /* continuation: indented, non-empty, and not "key: value" of a
         * nested mapping we do not read */
        if (!indented(p, end))
            return p;
        const char *q = p;
        while (q < end && is_blank((unsigned char)*q))
            q++;
        if (q >= end || *q == '\n' || *q == '#')
            return p;
        p = q;
    }
}

/* A "|" or ">" block scalar: the more-indented lines after the key. */
static const char *
block_scalar(ns_buf *b, char style, const char *p, const char *end)
{
    p = next_line(p, end);
    size_t indent = 0;
    int first = 1, pending_nl = 0;
    while (p < end) {
        const char *e = eol(p, end);
        size_t ind = 0;
        while (p + ind < e && p[ind] == ' ')
            ind++;
        if (p + ind == e || blank_span(p + ind, e)) { /* empty line */
            pending_nl++;
            p = e < end ? e + 1 : end;
            continue;
        }
        if (ind == 0 || (!first && ind < indent))
            break;
        if (first)
            indent = ind;
        if (!first) {
            if (style == '|' || pending_nl)
                for (int i = 0;
                     i < (style == '|' ? pending_nl + 1 : pending_nl); i++)
                    ns__buf_putc(b, '\n');
            else
                ns__buf_putc(b, ' ');
        }
        pending_nl = 0;
        first = 0;
        const char *t = e;
        while (t > p + indent && t[-1] == '\r')
            t--;
        ns__buf_append(b, p + indent, (size_t)(t - (p + indent)));
        p = e < end ? e + 1 : end;
    }
    return p;
}

/* One item of a list or flow sequence, quoted or plain, into b. */
static void
list_item(ns_buf *b, const char *p, const char *e)
{
    while (p < e && is_blank((unsigned char)*p))
        p++;
    while (e > p && is_blank((unsigned char)e[-1]))
        e--;
    if (p == e)
        return;
    if (b->len)
        ns__buf_puts(b, ", ");
    if (*p == '"')
        dq_scalar(b, p, e);
    else if (*p == '\'')
        sq_scalar(b, p, e);
    else
        ns__buf_append(b, p, (size_t)(e - p));
}

/* "[a, 'b', "c"]" on one or more lines; returns the byte after ']'. */
static const char *
flow_seq(ns_buf *b, const char *p, const char *end)
{
    p++;
    const char *item = p;
    char q = 0;
    for (; p < end; p++) {
        if (q) {
            if (*p == q)
                q = 0;
            else if (*p == '\\' && q == '"' && p + 1 < end)
                p++;
            continue;
        }
        if (*p == '"' || *p == '\'') {
            q = *p;
        } else if (*p == ',' || *p == ']') {
            list_item(b, item, p);
            item = p + 1;
            if (*p == ']')
                return p + 1;
        } else if (*p == '\n') {
            /* items may continue on the next lines */
        }
    }
    return end;
}

/* A new pair for key k[0, kl) (lowercased: "Title" is "title"); NULL when
 * the key is too long or there are FM_MAX_KEYS already. */
static fm_pair *
fm_add(front_matter *fm, const char *k, size_t kl)
{
    if (fm->n == FM_MAX_KEYS || kl >= sizeof fm->kv[0].key)
        return NULL;
    fm_pair *kv = &fm->kv[fm->n++];
    memcpy(kv->key, k, kl);
    kv->key[kl] = '\0';
    for (size_t i = 0; i < kl; i++)
        if (kv->key[i] >= 'A' && kv->key[i] <= 'Z')
            kv->key[i] = (char)(kv->key[i] + 32);
    memset(&kv->val, 0, sizeof kv->val);
    return kv;
}

static fm_pair *
fm_get(front_matter *fm, const char *key)
{
    for (int i = 0; i < fm->n; i++)
        if (strcmp(fm->kv[i].key, key) == 0)
            return fm->kv[i].val.len ? &fm->kv[i] : NULL;
    return NULL;
}

static const char *
fm_str(front_matter *fm, const char *key)
{
    fm_pair *p = fm_get(fm, key);
    return p ? ns__buf_cstr(&p->val) : NULL;
}

static void
fm_free(front_matter *fm)
{
    for (int i = 0; i < fm->n; i++)
        ns__buf_free(&fm->kv[i].val);
    fm->n = 0;
}

/* Parse the front matter lines [p, end): top-level keys only. */
static void
fm_parse(front_matter *fm, const char *p, const char *end)
{
    while (p < end) {
        const char *e = eol(p, end);
        if (indented(p, end) || blank_span(p, e) || *p == '#' || *p == '-') {
            p = next_line(p, end);
            continue;
        }
        /* the key ends at a ':' followed by a blank or the line's end */
        const char *k = p, *colon = NULL;
        char q = (*p == '"' || *p == '\'') ? *p : 0;
        for (const char *c = p + (q != 0); c < e; c++) {
            if (q && *c == q) {
                q = 0;
                continue;
            }
            if (!q && *c == ':' &&
                (c + 1 == e || is_blank((unsigned char)c[1]))) {
                colon = c;
                break;
            }
        }
        if (!colon) {
            p = next_line(p, end);
            continue;
        }
        const char *ke = colon;
        while (ke > k && is_blank((unsigned char)ke[-1]))
            ke--;
        if (ke - k >= 2 && (*k == '"' || *k == '\'') && ke[-1] == *k) {
            k++;
            ke--;
        }
        fm_pair *kv = fm_add(fm, k, (size_t)(ke - k));
        if (!kv) {
            p = next_line(p, end);
            continue;
        }

        const char *v = colon + 1;
        while (v < e && is_blank((unsigned char)*v))
            v++;
        if (v == e || *v == '#') {
            /* a block list ("- a" lines) or a nested mapping, of which
             * only a person's or an organization's "name" is read, as
             * Jekyll's author: {name: ...} and authors: [{name: ...}] */
            p = next_line(p, end);
            while (p < end) {
                const char *le = eol(p, end), *t = p;
                while (t < le && is_blank((unsigned char)*t))
                    t++;
                if (t == le) {
                    p = next_line(p, end);
                    continue;
                }
                int dash =
                    *t == '-' && (t + 1 == le || is_blank((unsigned char)t[1]));
                const char *it = t + dash;
                while (dash && it < le && is_blank((unsigned char)*it))
                    it++;
                if (t == p && !dash)
                    break; /* the next key */
                if (le - it > 5 && memcmp(it, "name:", 5) == 0 &&
                    is_blank((unsigned char)it[5]))
                    list_item(&kv->val, it + 5, le);
                else if (dash)
                    list_item(&kv->val, t + 1, le);
                p = next_line(p, end);
            }
            continue;
        }
        if (*v == '"') {
            p = next_line(dq_scalar(&kv->val, v, end), end);
            continue;
        }
        if (*v == '\'') {
            p = next_line(sq_scalar(&kv->val, v, end), end);
            continue;
        }
        if ((*v == '|' || *v == '>') &&
            (v + 1 == e || strchr("+-0123456789 \t\r#", v[1]))) {
            p = block_scalar(&kv->val, *v, v, end);
            continue;
        }
        if (*v == '[') {
            p = next_line(flow_seq(&kv->val, v, end), end);
            continue;
        }
        p = plain_scalar(&kv->val, v, end);
    }
}

/* ------------------------------------------------------------------------ */
/* TOML front matter (a subset)                                              */

/*
 * Hugo's "+++" front matter: "key = value" lines, with basic ("...") and
 * literal ('...') strings and their multi-line forms, arrays (a list's
 * items joined with ", ", as the YAML lists are), inline tables, and bare
 * numbers, booleans and dates kept as written (date.h reads the dates).
 * Only top-level keys are kept: [tables], dotted keys and inline tables
 * are read and dropped.  Unlike the YAML subset, which skips the lines it
 * does not know, a TOML error is reported: a slip such as an unclosed
 * string would otherwise swallow the keys after it.
 */

typedef struct toml {
    const char *end;
    const char *err;    /* what is wrong; NULL while all is well */
    const char *err_at; /* and where */
    int depth;          /* of arrays and inline tables */
} toml;

#define TOML_MAX_DEPTH 32

static const char *
toml_fail(toml *t, const char *at, const char *why)
{
    if (!t->err) {
        t->err = why;
        t->err_at = at;
    }
    return NULL;
}

/* Blanks after p; line breaks and comments too when lines is set. */
static const char *
toml_space(const toml *t, const char *p, int lines)
{
    while (p < t->end) {
        if (is_blank((unsigned char)*p))
            p++;
        else if (lines && *p == '\n')
            p++;
        else if (lines && *p == '#')
            p = eol(p, t->end);
        else
            break;
    }
    return p;
}

/* The escape at p (on its '\\') of a basic string, its character appended
 * to b; in a multi-line string a '\\' ending a line joins it to the next
 * non-blank text.  Returns the byte after it. */
static const char *
toml_escape(toml *t, ns_buf *b, const char *p, int multi)
{
    const char *end = t->end, *at = p;
    if (++p >= end)
        return toml_fail(t, at, "unterminated string");
    char e = *p++;
    unsigned long cp;
    switch (e) {
    case 'b':
        ns__buf_putc(b, '\b');
        return p;
    case 't':
        ns__buf_putc(b, '\t');
        return p;
    case 'n':
        ns__buf_putc(b, '\n');
        return p;
    case 'f':
        ns__buf_putc(b, '\f');
        return p;
    case 'r':
        ns__buf_putc(b, '\r');
        return p;
    case 'e':
        ns__buf_putc(b, '\x1b');
        return p;
    case '"':
    case '\\':
        ns__buf_putc(b, e);
        return p;
    case 'x':
    case 'u':
    case 'U': {
        int nd = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (!hexes(p, end, nd, &cp) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return toml_fail(t, at, "bad \\u escape in a string");
        if (cp)
            ns__buf_put_utf8(b, cp);
        return p + nd;
    }
    default:
        break;
    }
    if (multi && (is_blank((unsigned char)e) || e == '\n')) {
        const char *q = p - 1;
        while (q < end && is_blank((unsigned char)*q))
            q++;
        if (q < end && *q == '\n') {
            while (q < end && (is_blank((unsigned char)*q) || *q == '\n'))
                q++;
            return q;
        }
    }
    return toml_fail(t, at, "unknown escape in a string");
}

/* A string at p (on its quote): "...", '...', """...""" or '\'\'\'...\'\'\'',
 * its value appended to b.  Returns the byte after it. */
static const char *
toml_string(toml *t, ns_buf *b, const char *p)
{
    const char *end = t->end, *open = p;
    char q = *p;
    int multi = end - p >= 3 && p[1] == q && p[2] == q;
    p += multi ? 3 : 1;
    if (multi && p < end && *p == '\r' && p + 1 < end && p[1] == '\n')
        p += 2; /* a line break right after the quotes is not in the value */
    else if (multi && p < end && *p == '\n')
        p++;
    while (p < end) {
        char c = *p;
        if (c == q && (!multi || (end - p >= 3 && p[1] == q && p[2] == q))) {
            if (!multi)
                return p + 1;
            /* """a"""" is 'a"': up to two more quotes are the value's */
            int extra = 0;
            while (extra < 2 && p + 3 + extra < end && p[3 + extra] == q)
                extra++;
            ns__buf_append(b, p, (size_t)extra);
            return p + 3 + extra;
        }
        if (c == '\n' && !multi)
            break;
        if (c == '\\' && q == '"') {
            p = toml_escape(t, b, p, multi);
            if (!p)
                return NULL;
            continue;
        }
        if (c != '\0') /* no NUL in a field */
            ns__buf_putc(b, c);
        p++;
    }
    return toml_fail(t, open, "unterminated string");
}

static const char *toml_value(toml *t, ns_buf *b, const char *p);

/* An array at p (on its '['): its items appended to b, joined with ", ".
 * Returns the byte after its ']'. */
static const char *
toml_array(toml *t, ns_buf *b, const char *p)
{
    const char *open = p;
    ns_buf item = { 0 };
    for (p++;;) {
        p = toml_space(t, p, 1);
        if (p < t->end && *p == ']') {
            p++;
            break;
        }
        ns__buf_reset(&item);
        if (!(p = toml_value(t, &item, p)))
            break;
        if (item.len) {
            if (b->len)
                ns__buf_puts(b, ", ");
            ns__buf_append(b, item.data, item.len);
        }
        p = toml_space(t, p, 1);
        if (p < t->end && *p == ',') {
            p++;
        } else if (p < t->end && *p == ']') {
            p++;
            break;
        } else {
            p = toml_fail(t, open, "unterminated array");
            break;
        }
    }
    if (item.oom)
        b->oom = 1;
    ns__buf_free(&item);
    return p;
}

static const char *toml_key(toml *t, const char *p, char *key, size_t cap);

/* An inline table at p (on its '{'), read and dropped.  Returns the byte
 * after its '}'. */
static const char *
toml_table(toml *t, ns_buf *b, const char *p)
{
    const char *open = p;
    ns_buf val = { 0 };
    for (p++;;) {
        p = toml_space(t, p, 1);
        if (p < t->end && *p == '}') {
            p++;
            break;
        }
        if (!(p = toml_key(t, p, NULL, 0)))
            break;
        if (p >= t->end || *p != '=') {
            p = toml_fail(t, p, "expected '=' after a key");
            break;
        }
        ns__buf_reset(&val);
        if (!(p = toml_value(t, &val, toml_space(t, p + 1, 0))))
            break;
        p = toml_space(t, p, 1);
        if (p < t->end && *p == ',') {
            p++;
        } else if (p < t->end && *p == '}') {
            p++;
            break;
        } else {
            p = toml_fail(t, open, "unterminated inline table");
            break;
        }
    }
    if (val.oom)
        b->oom = 1;
    ns__buf_free(&val);
    return p;
}

/* A value at p, appended to b.  Returns the byte after it. */
static const char *
toml_value(toml *t, ns_buf *b, const char *p)
{
    const char *end = t->end;
    if (p >= end || *p == '\n' || *p == '#' || *p == ',' || *p == ']' ||
        *p == '}')
        return toml_fail(t, p, "a key without a value");
    if (*p == '"' || *p == '\'')
        return toml_string(t, b, p);
    if (*p == '[' || *p == '{') {
        if (t->depth >= TOML_MAX_DEPTH)
            return toml_fail(t, p, "arrays or tables nested too deep");
        t->depth++;
        p = *p == '[' ? toml_array(t, b, p) : toml_table(t, b, p);
        t->depth--;
        return p;
    }
    /* a number, boolean or date ("1979-05-27 07:32:00Z" has a space) */
    const char *v = p;
    while (p < end && *p != '\n' && *p != '#' && *p != ',' && *p != ']' &&
           *p != '}')
        p++;
    const char *ve = p;
    while (ve > v && is_blank((unsigned char)ve[-1]))
        ve--;
    ns__buf_append(b, v, (size_t)(ve - v));
    return p;
}

static int
toml_bare(int c)
{
    return ascii_alnum(c) || c == '_' || c == '-';
}

/* A key at p: bare, quoted, or dotted ("a.b").  When key is not NULL it
 * receives the key, lowercased, if it has one part and fits in cap bytes,
 * else "".  Returns the byte after it and the blanks after that. */
static const char *
toml_key(toml *t, const char *p, char *key, size_t cap)
{
    ns_buf part = { 0 };
    int parts = 0;
    for (;;) {
        p = toml_space(t, p, 0);
        ns__buf_reset(&part);
        if (p < t->end && (*p == '"' || *p == '\'')) {
            if (t->end - p >= 3 && p[1] == *p && p[2] == *p) {
                p = toml_fail(t, p, "a multi-line string as a key");
                break;
            }
            if (!(p = toml_string(t, &part, p)))
                break;
        } else {
            const char *k = p;
            while (p < t->end && toml_bare((unsigned char)*p))
                p++;
            if (p == k) {
                p = toml_fail(t, k, "expected a key");
                break;
            }
            ns__buf_append(&part, k, (size_t)(p - k));
        }
        parts++;
        p = toml_space(t, p, 0);
        if (p < t->end && *p == '.') {
            p++;
            continue;
        }
        break;
    }
    if (key) {
        key[0] = '\0';
        if (p && parts == 1 && !part.oom && part.len > 0 && part.len < cap &&
            !memchr(part.data, '\0', part.len)) {
            for (size_t i = 0; i < part.len; i++)
                key[i] = (char)(part.data[i] >= 'A' && part.data[i] <= 'Z' ?
                                    part.data[i] + 32 :
                                    part.data[i]);
            key[part.len] = '\0';
        }
    }
    ns__buf_free(&part);
    return p;
}

/*
 * Parse TOML front matter [p, end) into fm.  Returns NULL, or what is
 * wrong with it, *at set to where.
 */
static const char *
toml_parse(front_matter *fm, const char *p, const char *end, const char **at)
{
    toml t = { end, NULL, NULL, 0 };
    ns_buf dropped = { 0 };
    int top = 1;
    while ((p = toml_space(&t, p, 1)) < end) {
        if (*p == '[') {
            /* a [table] or [[array of tables]]: no top-level keys after */
            const char *e = eol(p, end);
            const char *c = memchr(p, ']', (size_t)(e - p));
            if (!c) {
                toml_fail(&t, p, "unterminated table header");
                break;
            }
            top = 0;
            p = c + 1 < e && c[1] == ']' ? c + 2 : c + 1;
        } else {
            char key[sizeof fm->kv[0].key];
            if (!(p = toml_key(&t, p, key, sizeof key)))
                break;
            if (p >= end || *p != '=') {
                toml_fail(&t, p, "expected 'key = value'");
                break;
            }
            fm_pair *kv = top && key[0] ? fm_add(fm, key, strlen(key)) : NULL;
            ns__buf_reset(&dropped);
            if (!(p = toml_value(&t, kv ? &kv->val : &dropped,
                                 toml_space(&t, p + 1, 0))))
                break;
        }
        /* the rest of the line: blanks and a comment only */
        p = toml_space(&t, p, 0);
        if (p < end && *p == '#')
            p = eol(p, end);
        if (p < end && *p != '\n') {
            toml_fail(&t, p, "text after a value");
            break;
        }
    }
    if (dropped.oom)
        fm->oom = 1;
    ns__buf_free(&dropped);
    *at = t.err_at;
    return t.err;
}

/* Whether the first line of TOML front matter [p, end) that is not blank or
 * a comment looks like "key = ..." or a [table]. */
static int
toml_looks(const char *p, const char *end)
{
    while (p < end) {
        const char *e = eol(p, end), *c = p;
        while (c < e && is_blank((unsigned char)*c))
            c++;
        if (c == e || *c == '#') {
            p = next_line(p, end);
            continue;
        }
        if (*c == '[')
            return 1;
        if (!toml_bare((unsigned char)*c) && *c != '"' && *c != '\'')
            return 0;
        return memchr(c, '=', (size_t)(e - c)) != NULL;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Finding the front matter                                                  */

enum { FM_NONE, FM_YAML, FM_TOML };

/*
 * Where the front matter of s is: the lines between the opening "---" and
 * the closing "---" or "..." (YAML), or between two "+++" lines (TOML).
 * Returns its kind, FM_NONE when s has none.
 */
static int
find_front_matter(const char *s,
                  size_t n,
                  const char **fm,
                  const char **fm_end,
                  const char **body)
{
    const char *p = s, *end = s + n;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    const char *e = eol(p, end);
    int kind = fence_line(p, e, "---", 0) ? FM_YAML :
               fence_line(p, e, "+++", 0) ? FM_TOML :
                                            FM_NONE;
    if (kind == FM_NONE)
        return FM_NONE;
    const char *mark = kind == FM_YAML ? "---" : "+++";
    p = next_line(p, end);
    *fm = p;
    while (p < end) {
        e = eol(p, end);
        if (fence_line(p, e, mark, kind == FM_YAML)) {
            *fm_end = p;
            *body = next_line(p, end);
            return kind;
        }
        p = next_line(p, end);
    }
    return FM_NONE;
}

/* ------------------------------------------------------------------------ */
/* The formats                                                               */

/* Whether the file name (after any directory or archive part, and without
 * a compression suffix) has no extension: "ap890101", "README". */
static int
has_no_ext(const char *name)
{
    static const char *const packed[] = { ".gz", ".bz2", ".xz", ".zst" };
    if (!name)
        return 1;
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == ':')
            base = p + 1;
    size_t n = strlen(base);
    for (size_t i = 0; i < sizeof packed / sizeof *packed; i++) {
        size_t k = strlen(packed[i]);
        if (n > k && strcmp(base + n - k, packed[i]) == 0) {
            n -= k;
            break;
        }
    }
    return memchr(base + 1, '.', n > 1 ? n - 1 : 0) == NULL;
}

/* The sniffs, on a head made UTF-8 (sniff_text). */

static int
text_sniff_utf8(const char *head, size_t len, const char *name)
{
    if (ns__looks_binary(head, len))
        return 0;
    int named = ns__name_has_ext(name, ".txt") ||
                ns__name_has_ext(name, ".text") || md_name(name);
    if (!named && !has_no_ext(name))
        return 0; /* .csv, .dtd, .py, ...: text, but not articles */
    size_t i = 0;
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && (is_blank((unsigned char)head[i]) || head[i] == '\n'))
        i++;
    if (i < len && head[i] == '<')
        return named ? 5 : 0; /* markup: the SGML/XML/HTML readers' */
    return named ? 20 : 10;
}

static int
markdown_sniff_utf8(const char *head, size_t len, const char *name)
{
    const char *fm, *fm_end, *body;
    int kind = find_front_matter(head, len, &fm, &fm_end, &body);
    if (kind == FM_NONE || ns__looks_binary(head, len))
        return 0;
    if (kind == FM_TOML && !toml_looks(fm, fm_end))
        return 0;
    if (kind == FM_YAML) {
        /* the first line inside must look like "key: ..." */
        const char *e = eol(fm, fm_end);
        const char *c = memchr(fm, ':', (size_t)(e - fm));
        if (!c || c == fm)
            return 0;
    }
    return md_name(name) ? 90 : 80;
}

static int
text_sniff(const char *head, size_t len, const char *name)
{
    ns_buf b = { 0 };
    int score =
        sniff_text(&head, &len, &b) ? text_sniff_utf8(head, len, name) : 0;
    ns__buf_free(&b);
    return score;
}

static int
markdown_sniff(const char *head, size_t len, const char *name)
{
    ns_buf b = { 0 };
    int score =
        sniff_text(&head, &len, &b) ? markdown_sniff_utf8(head, len, name) : 0;
    ns__buf_free(&b);
    return score;
}

/*
 * The date a file's name gives, as Jekyll names its posts
 * ("_posts/2020-01-02-slug.md"): "YYYY-MM-DD-" at the start of the name
 * (after any directory or archive part), for an article whose front matter
 * gives none.  Returns whether out was set.
 */
static int
name_date(const char *name, char out[NS_DATE_MAX])
{
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == ':')
            base = p + 1;
    for (int i = 0; i < 11; i++) {
        int digit = base[i] >= '0' && base[i] <= '9';
        if ((i == 4 || i == 7 || i == 10) ? base[i] != '-' : !digit)
            return 0;
    }
    return ns__date_parse(base, 10, out) > 0;
}

static ns_status
slurp_article(ns__input *in,
              ns__where *w,
              const ns__corpus_sink *sink,
              char **data,
              size_t *len)
{
    w->record = 1;
    w->offset = 0;
    ns_status st = ns__input_slurp(in, MAX_FILE, data, len);
    if (st == NS_ERR_FORMAT)
        return ns__corpus_reject(sink, w,
                                 "article text too large (more than %zu "
                                 "bytes, the limit is %u)",
                                 MAX_FILE, NS_MAX_ARTICLE_BYTES);
    if (st == NS_OK && *data)
        st = file_to_utf8(data, len);
    if (st != NS_OK) {
        ns_free(*data);
        *data = NULL;
    }
    return st;
}

static ns_status
text_read(ns__input *in, const ns__where *w0, const ns__corpus_sink *sink)
{
    ns__where w = *w0;
    char *data = NULL;
    size_t len = 0;
    ns_status st = slurp_article(in, &w, sink, &data, &len);
    if (st != NS_OK || !data)
        return st;
    const char *s = data;
    int markdown = md_name(w.file);
    doc d;
    split_title(s, len, markdown, &d);
    if (d.title_len == 0 && d.body_len == 0) {
        ns_free(data);
        return ns__corpus_reject(sink, &w, "no text (only blank lines)");
    }
    ns_buf title = { 0 }, body = { 0 };
    ns_article a = NS_ARTICLE_INIT;
    char date[NS_DATE_MAX];
    if (name_date(w.file, date))
        a.date = date;
    if (d.title_len) {
        if (markdown)
            md_to_text(&title, d.title, d.title_len);
        else
            ns__buf_append(&title, d.title, d.title_len);
        a.title = ns__buf_cstr(&title);
    }
    if (markdown) {
        md_to_text(&body, d.body, d.body_len);
        a.text = ns__buf_cstr(&body);
        a.text_len = body.len;
    } else {
        a.text = d.body;
        a.text_len = d.body_len;
    }
    if (title.oom || body.oom)
        st = NS_ERR_NOMEM;
    else
        st = ns__corpus_emit(sink, &w, &a);
    ns__buf_free(&title);
    ns__buf_free(&body);
    ns_free(data);
    return st;
}

static const char *
first_of(front_matter *fm, const char *const *keys)
{
    for (; *keys; keys++) {
        const char *v = fm_str(fm, *keys);
        if (v)
            return v;
    }
    return NULL;
}

static ns_status
markdown_read(ns__input *in, const ns__where *w0, const ns__corpus_sink *sink)
{
    static const char *const k_title[] = { "title", "headline", NULL };
    static const char *const k_date[] = {
        "published_time", "date",     "published", "pubdate",
        "publishdate",    "datetime", NULL
    };
    static const char *const k_url[] = { "source_url",    "url",       "link",
                                         "canonical_url", "permalink", NULL };
    static const char *const k_source[] = { "source", "publisher", "site_name",
                                            NULL };
    static const char *const k_author[] = { "author", "authors", "byline",
                                            NULL };
    static const char *const k_id[] = { "id", "guid", "uuid", NULL };
    static const char *const k_lang[] = { "language", "lang", NULL };

    ns__where w = *w0;
    char *data = NULL;
    size_t len = 0;
    ns_status st = slurp_article(in, &w, sink, &data, &len);
    if (st != NS_OK || !data)
        return st;
    const char *fm_start, *fm_end, *body;
    int kind = find_front_matter(data, len, &fm_start, &fm_end, &body);
    if (kind == FM_NONE) {
        ns_free(data); /* the sniff saw it: the input changed under us */
        return ns__corpus_reject(sink, &w, "front matter not closed");
    }
    front_matter *fm = ns__calloc(1, sizeof *fm);
    if (!fm) {
        ns_free(data);
        return NS_ERR_NOMEM;
    }
    const char *bad_at = NULL, *bad = NULL;
    if (kind == FM_TOML)
        bad = toml_parse(fm, fm_start, fm_end, &bad_at);
    else
        fm_parse(fm, fm_start, fm_end);
    if (bad) {
        unsigned long line = 1;
        for (const char *c = data; c < bad_at; c++)
            line += *c == '\n';
        fm_free(fm);
        ns_free(fm);
        ns_free(data);
        return ns__corpus_reject(
            sink, &w, "malformed TOML front matter (line %lu: %s)", line, bad);
    }

    doc d = { 0 };
    const char *title = first_of(fm, k_title);
    while (body < data + len && blank_span(body, eol(body, data + len)))
        body = next_line(body, data + len);
    if (title) {
        d.body = body;
        d.body_len = (size_t)(data + len - body);
    } else {
        split_title(body, (size_t)(data + len - body), 1, &d);
    }
    ns_buf tbuf = { 0 }, text = { 0 };
    if (!title && d.title_len) {
        md_to_text(&tbuf, d.title, d.title_len);
        title = ns__buf_cstr(&tbuf);
    }
    md_to_text(&text, d.body, d.body_len);

    char date[NS_DATE_MAX] = "";
    for (const char *const *k = k_date; *k; k++) {
        const char *v = fm_str(fm, *k);
        if (v && ns__date_pick(date, v, strlen(v)))
            break;
    }
    if (!date[0])
        name_date(w.file, date);
    ns_article a = NS_ARTICLE_INIT;
    a.id = first_of(fm, k_id);
    a.title = title;
    a.date = date[0] ? date : NULL;
    a.source = first_of(fm, k_source);
    a.url = first_of(fm, k_url);
    a.author = first_of(fm, k_author);
    a.language = first_of(fm, k_lang);
    a.text = ns__buf_cstr(&text);
    a.text_len = text.len;
    int oom = tbuf.oom || text.oom || fm->oom;
    for (int i = 0; i < fm->n; i++)
        oom |= fm->kv[i].val.oom;
    if (oom)
        st = NS_ERR_NOMEM;
    else if (!a.title && a.text_len == 0)
        st = ns__corpus_reject(sink, &w, "empty article (no title or text)");
    else
        st = ns__corpus_emit(sink, &w, &a);
    ns__buf_free(&tbuf);
    ns__buf_free(&text);
    fm_free(fm);
    ns_free(fm);
    ns_free(data);
    return st;
}

const ns__format ns__format_text = { "text", text_sniff, text_read };
const ns__format ns__format_markdown = { "markdown", markdown_sniff,
                                         markdown_read };
