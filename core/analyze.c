/*
 * analyze.c: the one analyzer (see analyze.h for the contract).  It owns the
 * word rules (segmentation, apostrophes, acronyms, hyphens, numbers, sentence
 * starts), the normalization (NFKC + case folding + diacritic stripping) and
 * the call into Snowball.  It must stay deterministic for a given spec: an
 * index and every query against it depend on the same bytes giving the same
 * terms, so a change of behaviour needs a new spec version ("v=").  The
 * spec cannot pin the libraries: a utf8proc with a newer Unicode may class
 * or fold newly assigned characters differently, and Snowball revisions
 * occasionally change stems; reindex after upgrading either.
 *
 * Speed: this runs on every byte of every article.  ASCII letters and digits
 * are lowercased straight into a fixed buffer; only words that hold a
 * non-ASCII character go through utf8proc (not a lone Han ideograph or
 * kana, which folds to itself), on buffers the analyzer owns.  Stems are
 * cached per analyzer.  A run allocates nothing except to grow the code
 * point buffer for a rare word whose decomposition does not fit (and
 * the stem of a word missing from the cache, which Xapian returns as a
 * std::string).  About 90-100 MB/s of English
 * news with stemming on one core, 220 MB/s without.
 *
 * The rules, decided once (v=1):
 * - A written word is a run of letters (L*), digits (N*) and the marks (M*)
 *   that follow them.  Format characters (Cf: soft hyphen, ZWJ, bidi marks)
 *   inside a word are ignored; U+200B ZERO WIDTH SPACE separates.
 * - Apostrophes (' U+2019 U+02BC U+FF07) between two letters join them and
 *   are normalized to ' (`don't`, `O'Brien`).  A trailing possessive 's is
 *   dropped before stemming (`Assad's` -> `assad`); the token's byte range
 *   still covers it, so a highlighter marks the whole written word.
 * - Acronyms: two or more single letters separated by periods (`U.S.`,
 *   `U.S`, `e.g.`) are one token without the periods (`us`).  The final
 *   period belongs to the token when a non-word character (or the end)
 *   follows it, and such a period does not end a sentence.
 * - Hyphens (- U+2010 U+2011 U+FF0D) between word characters split the
 *   word; each later part has NS_TOKEN_JOINED (`al-Assad` -> `al`, `assad`).
 *   `alassad` is a different term: a query for it does not find `al-Assad`.
 *   Other punctuation (`/`, `_`, `&`, en dash) splits without JOINED.
 * - Numbers: `1,000` -> `1000` (a first group of 1 to 3 digits, then groups
 *   of exactly 3), `3.5` -> `3.5`, `192.168.0.1` kept whole.  A token made
 *   only of decimal digits (and such points) has NS_TOKEN_NUMBER and is not
 *   stemmed.  Letters and digits together are one word (`mp3`, `90s`).
 * - CJK (Han, Hiragana, Katakana; not Hangul, which Korean separates with
 *   spaces): each character is its own token, JOINED to a preceding
 *   character of the same written word, so a query word becomes a phrase of
 *   characters.  Thai, Lao, Khmer and Myanmar are not segmented: their runs
 *   split at spaces and punctuation only (long runs then hit the limit).
 * - Words longer than NS_ANALYZER_MAX_WORD bytes after folding (or whose
 *   written form exceeds RAW_MAX bytes) are skipped: no token, no position
 *   (Xapian's TermGenerator does the same), counted in stats->skipped_long.
 * - Sentence starts: the first token; a token after . ! ? (or U+2026) that
 *   is followed by white space, closing quotes and brackets allowed in
 *   between; after a blank line or U+2029; after 。！？ (no space needed).
 *   A period after a single letter (`John F. Kennedy`) or, for lang=en, a
 *   title or month abbreviation (`Dr.`, `Sen.`, `Jan.`) ends no sentence.
 * - Normalization: NFKC with full case folding (utf8proc), default-ignorable
 *   characters removed.  norm=nfkc_cf_nomark also drops diacritics: the
 *   combining marks of the generic diacritic blocks (U+0300-036F, U+1AB0,
 *   U+1DC0, U+20D0, U+FE20), Cyrillic titlo, Hebrew points and Arabic
 *   harakat.  Marks that are letters' vowels or voicing in other scripts
 *   (Devanagari, Thai, kana dakuten) are kept: UTF8PROC_STRIPMARK would
 *   strip them too and merge unrelated words (`बा` and `ब`, `バ` and `ハ`).
 *   Order: decompose (compatibility) + case fold, drop marks, canonical
 *   order, compose.  Code points that a compatibility decomposition turns
 *   into non-word characters (the U+2044 of `½`) are dropped from a token.
 */
#include "core/analyze.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <utf8proc.h>

#include "core/ns_xapian.h"
#include "core/util.h"

/* A written word longer than this (in input bytes, ignorables excluded) is
 * skipped without folding: a bound on the work and memory one token can
 * cost.  Folding rarely shrinks a word by more than 3 (fullwidth forms). */
#define RAW_MAX 256

/* Code points held before the buffer must grow: RAW_MAX bytes decompose to
 * fewer than this unless they are rare compatibility ligatures. */
#define CPS_INIT 1024

/* The stem cache: words up to STEM_CACHE_WORD bytes remember their stem.
 * News vocabulary is Zipfian, so a few thousand entries answer most tokens
 * and save the ~150 ns a Snowball call costs (it tripled the run time).
 * Direct-mapped; an entry is 64 bytes.  It starts at 1 << STEM_CACHE_MIN_BITS
 * entries and grows to 1 << STEM_CACHE_BITS once it has missed as many
 * times as it has entries: a search (a query and ten snippets, which stem
 * only the words that may match, a hundred or two) then touches 4 pages,
 * not the 130 of the big cache that cost a search process ~1 ms in page
 * faults, and indexing gets the big one within its first article. */
#define STEM_CACHE_MIN_BITS 8
#define STEM_CACHE_BITS 13
#define STEM_CACHE_WORD 30

typedef struct stem_entry {
    unsigned char wlen; /* 0: empty */
    unsigned char slen;
    char word[STEM_CACHE_WORD + 1];
    char stem[STEM_CACHE_WORD + 1];
} stem_entry;

/* Character classes.  The order matters only for IS_WORD_START(). */
enum {
    C_OTHER = 0, /* punctuation and symbols that separate words */
    C_LETTER,    /* L*, Nl, No outside CJK */
    C_DIGIT,     /* Nd */
    C_CJK,       /* a Han, Hiragana or Katakana letter: one token each */
    C_MARK,      /* M*: continues a word, never starts one */
    C_IGNORE,    /* Cf: invisible inside a word */
    C_SPACE,     /* white space */
    C_NEWLINE,   /* \n, U+2028, U+0085: two in one gap make a blank line */
    C_PARA,      /* U+2029: a paragraph break */
    C_PERIOD,    /* . */
    C_TERM,      /* ! ? U+2026: end a sentence when white space follows */
    C_CJKTERM,   /* 。！？: end a sentence, no white space needed */
    C_COMMA,     /* , */
    C_APOS,      /* ' U+2019 U+02BC U+FF07 */
    C_HYPHEN,    /* - U+2010 U+2011 U+FF0D */
    C_CLOSE,     /* closing quotes and brackets: keep a sentence end open */
    C_INVALID    /* a byte that is not part of valid UTF-8 */
};

#define IS_WORD_START(c) ((c) >= C_LETTER && (c) <= C_CJK)
#define IS_WORDISH(c)    ((c) >= C_LETTER && (c) <= C_MARK)

/* The class of each ASCII byte. */
static const unsigned char ascii_class[128] = {
    /* Control characters separate; \t \v \f \r are white space. */
    ['\t'] = C_SPACE, ['\n'] = C_NEWLINE, ['\v'] = C_SPACE, ['\f'] = C_SPACE,
    ['\r'] = C_SPACE, [' '] = C_SPACE,    ['!'] = C_TERM,   ['"'] = C_CLOSE,
    ['\''] = C_APOS,  [')'] = C_CLOSE,    [','] = C_COMMA,  ['-'] = C_HYPHEN,
    ['.'] = C_PERIOD, ['0'] = C_DIGIT,    ['1'] = C_DIGIT,  ['2'] = C_DIGIT,
    ['3'] = C_DIGIT,  ['4'] = C_DIGIT,    ['5'] = C_DIGIT,  ['6'] = C_DIGIT,
    ['7'] = C_DIGIT,  ['8'] = C_DIGIT,    ['9'] = C_DIGIT,  ['?'] = C_TERM,
    ['A'] = C_LETTER, ['B'] = C_LETTER,   ['C'] = C_LETTER, ['D'] = C_LETTER,
    ['E'] = C_LETTER, ['F'] = C_LETTER,   ['G'] = C_LETTER, ['H'] = C_LETTER,
    ['I'] = C_LETTER, ['J'] = C_LETTER,   ['K'] = C_LETTER, ['L'] = C_LETTER,
    ['M'] = C_LETTER, ['N'] = C_LETTER,   ['O'] = C_LETTER, ['P'] = C_LETTER,
    ['Q'] = C_LETTER, ['R'] = C_LETTER,   ['S'] = C_LETTER, ['T'] = C_LETTER,
    ['U'] = C_LETTER, ['V'] = C_LETTER,   ['W'] = C_LETTER, ['X'] = C_LETTER,
    ['Y'] = C_LETTER, ['Z'] = C_LETTER,   [']'] = C_CLOSE,  ['a'] = C_LETTER,
    ['b'] = C_LETTER, ['c'] = C_LETTER,   ['d'] = C_LETTER, ['e'] = C_LETTER,
    ['f'] = C_LETTER, ['g'] = C_LETTER,   ['h'] = C_LETTER, ['i'] = C_LETTER,
    ['j'] = C_LETTER, ['k'] = C_LETTER,   ['l'] = C_LETTER, ['m'] = C_LETTER,
    ['n'] = C_LETTER, ['o'] = C_LETTER,   ['p'] = C_LETTER, ['q'] = C_LETTER,
    ['r'] = C_LETTER, ['s'] = C_LETTER,   ['t'] = C_LETTER, ['u'] = C_LETTER,
    ['v'] = C_LETTER, ['w'] = C_LETTER,   ['x'] = C_LETTER, ['y'] = C_LETTER,
    ['z'] = C_LETTER, ['}'] = C_CLOSE,
};

/* ASCII letters and digits lowercased; 0 for every other byte.  The hot
 * loop of the analyzer is one lookup in this table per byte. */
static const unsigned char ascii_word[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
    ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
    ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
    ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
    ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
    ['Z'] = 'z', ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd',
    ['e'] = 'e', ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i',
    ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n',
    ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's',
    ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x',
    ['y'] = 'y', ['z'] = 'z',
};

/* The languages a spec may name (ISO 639-1, "und" for undetermined) and the
 * Snowball stemmer that "stem=" defaults to for each (NULL: none).  lang is
 * recorded for the future; in v=1 it picks the default stemmer and, for en,
 * the abbreviations that end no sentence.  Only ever append. */
static const struct {
    const char *code;
    const char *stemmer;
} languages[] = {
    { "ar", "arabic" },     { "ca", "catalan" },    { "da", "danish" },
    { "de", "german" },     { "el", "greek" },      { "en", "english" },
    { "es", "spanish" },    { "eu", "basque" },     { "fi", "finnish" },
    { "fr", "french" },     { "ga", "irish" },      { "hi", "hindi" },
    { "hu", "hungarian" },  { "hy", "armenian" },   { "id", "indonesian" },
    { "it", "italian" },    { "ja", NULL },         { "ko", NULL },
    { "lt", "lithuanian" }, { "ne", "nepali" },     { "nl", "dutch" },
    { "no", "norwegian" },  { "pt", "portuguese" }, { "ro", "romanian" },
    { "ru", "russian" },    { "sr", "serbian" },    { "sv", "swedish" },
    { "ta", "tamil" },      { "tr", "turkish" },    { "und", NULL },
    { "yi", "yiddish" },    { "zh", NULL },
};

/* English abbreviations after which a period ends no sentence (lang=en):
 * titles and AP-style months, the ones news text puts before a name or a
 * number.  Words that often end a sentence (Inc., etc., no.) are left out. */
static const char *const en_abbrevs[] = {
    "adm", "apr", "aug",  "capt", "cmdr", "col", "dec",  "dr",
    "feb", "gen", "gov",  "hon",  "jan",  "jr",  "lt",   "maj",
    "mr",  "mrs", "ms",   "mt",   "nov",  "oct", "prof", "rep",
    "rev", "sen", "sept", "sgt",  "sr",   "st",  "vs",
};

/* English words a query searches only when it has no others (lang=en;
 * ns__analyzer_is_stopword): NLTK's English stop list (folded forms),
 * without its contraction fragments and single letters ("don", "t",
 * "s"), which are words of their own in queries ("vitamin d", "Don
 * Lemon").  Sorted (strcmp). */
static const char *const en_stopwords[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an",
    "and", "any", "are", "aren't", "as", "at", "be", "because", "been",
    "before", "being", "below", "between", "both", "but", "by", "can",
    "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't",
    "down", "during", "each", "few", "for", "from", "further", "had",
    "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "her",
    "here", "hers", "herself", "him", "himself", "his", "how", "i", "if",
    "in", "into", "is", "isn't", "it", "it's", "its", "itself", "just", "me",
    "mightn't", "more", "most", "mustn't", "my", "myself", "needn't", "no",
    "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
    "our", "ours", "ourselves", "out", "over", "own", "same", "shan't", "she",
    "she's", "should", "should've", "shouldn't", "so", "some", "such", "than",
    "that", "that'll", "the", "their", "theirs", "them", "themselves", "then",
    "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "very", "was", "wasn't", "we", "were", "weren't",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will",
    "with", "won't", "wouldn't", "you", "you'd", "you'll", "you're", "you've",
    "your", "yours", "yourself", "yourselves",
};

struct ns_analyzer {
    char *spec;                 /* canonical spec, owned */
    ns__xstem *stemmer;         /* NULL: stem=none */
    int nomark;                 /* norm=nfkc_cf_nomark */
    int lang_en;                /* lang=en: English abbreviations */
    int stem_keeps_start;       /* stems start with their word's first two
                                 * bytes (ns__analyzer_run_some) */
    stem_entry *cache;          /* 1 << cache_bits entries, or NULL */
    unsigned cache_bits;
    size_t cache_misses; /* while cache_bits < STEM_CACHE_BITS */
    utf8proc_int32_t *cps;      /* code points of the word being folded */
    size_t cps_cap;
    char *fold_raw; /* ns__analyzer_fold: the input, cleaned */
    size_t fold_raw_cap;
    char *fold_out; /* ns__analyzer_fold: the result */
    size_t fold_out_cap;
    char raw[RAW_MAX + 8];               /* the word being scanned */
    char word[NS_ANALYZER_MAX_WORD + 8]; /* its folded form (non-ASCII) */
};

/* State of one ns__analyzer_run(). */
typedef struct run {
    ns_analyzer *a;
    const unsigned char *p;
    size_t len;
    uint32_t pos;      /* position of the next token */
    unsigned mode;     /* NS_ANALYZE_* */
    unsigned pending;  /* NS_TOKEN_SENTENCE_START for the next token */
    int chain_emitted; /* a token of this written word was emitted */
    const char *last;  /* the word of the last part if it was emitted and */
    size_t last_len;   /* may be an abbreviation (not a number or CJK) */
    size_t abbrev_dot; /* a period after an abbreviation, or SIZE_MAX */
    ns_token_cb cb;
    void *payload;
    ns_analyze_stats *stats;
    const ns__stem_only *stem_only; /* ns__analyzer_run_some's set */
} run;

/* One part of a written word, as scanned. */
typedef struct part {
    size_t start, end; /* byte range in the input */
    size_t rn;         /* bytes in a->raw */
    int nonascii;      /* fold raw through utf8proc */
    int number;        /* only decimal digits and points */
    int cjk;           /* one CJK character */
    int toolong;       /* raw overflowed RAW_MAX */
} part;

/* ------------------------------------------------------------------------ */
/* UTF-8 and character classes                                              */

/*
 * Decode the character at s[0] (avail > 0 bytes, s[0] >= 0x80).  Returns its
 * length (2 to 4), or 0 when s[0] does not start a valid sequence: a stray
 * continuation byte, an overlong form, a surrogate, a value above U+10FFFF
 * or a truncated sequence.  The caller then skips one byte, so every byte of
 * a broken sequence is counted and none is swallowed.
 */
static size_t
utf8_decode(const unsigned char *s, size_t avail, utf8proc_int32_t *cp)
{
    unsigned c = s[0];
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (avail < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = (utf8proc_int32_t)(((c & 0x1Fu) << 6) | (s[1] & 0x3Fu));
        return 2;
    }
    if (c < 0xF0) {
        if (avail < 3)
            return 0;
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
        unsigned hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
            return 0;
        *cp = (utf8proc_int32_t)(((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) |
                                 (s[2] & 0x3Fu));
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4)
            return 0;
        unsigned lo = c == 0xF0 ? 0x90 : 0x80;
        unsigned hi = c == 0xF4 ? 0x8F : 0xBF; /* <= U+10FFFF */
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        *cp = (utf8proc_int32_t)(((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
                                 ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu));
        return 4;
    }
    return 0;
}

/* Scripts written without spaces between words, cut one character per
 * token: Han (with its iteration marks), Hiragana, Katakana (with halfwidth
 * forms and the kana supplements).  Called for letters only. */
static int
is_cjk(utf8proc_int32_t cp)
{
    return (cp >= 0x3005 && cp <= 0x3007) ||   /* 々 〆 〇 */
           (cp >= 0x3021 && cp <= 0x3029) ||   /* Hangzhou numerals */
           (cp >= 0x3031 && cp <= 0x3035) ||   /* kana repeat marks */
           (cp >= 0x3040 && cp <= 0x30FF) ||   /* Hiragana, Katakana */
           (cp >= 0x31F0 && cp <= 0x31FF) ||   /* Katakana extensions */
           (cp >= 0x3400 && cp <= 0x4DBF) ||   /* Han extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* Han */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* Han compatibility */
           (cp >= 0xFF66 && cp <= 0xFF9D) ||   /* halfwidth Katakana */
           (cp >= 0x1B000 && cp <= 0x1B16F) || /* kana supplements */
           (cp >= 0x20000 && cp <= 0x323AF);   /* Han extensions B-H */
}

/* CJK characters that NFKC with case folding leaves as they are (unified
 * Han ideographs, kana without digraphs or halfwidth forms): alone, they
 * need no trip through utf8proc.  The unit test checks every one. */
static int
cjk_is_stable(utf8proc_int32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA) ||
           cp == 0x30FC || (cp >= 0x20000 && cp <= 0x2A6DF);
}

/* The class of a non-ASCII code point. */
static int
cp_class(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x2019: /* RIGHT SINGLE QUOTATION MARK, the typographic ' */
    case 0x02BC: /* MODIFIER LETTER APOSTROPHE */
    case 0xFF07: /* FULLWIDTH APOSTROPHE */
        return C_APOS;
    case 0x2010: /* HYPHEN */
    case 0x2011: /* NON-BREAKING HYPHEN */
    case 0xFF0D: /* FULLWIDTH HYPHEN-MINUS */
        return C_HYPHEN;
    case 0x200B: /* ZERO WIDTH SPACE: a word boundary in Thai or Khmer */
        return C_SPACE;
    case 0x0085: /* NEXT LINE */
    case 0x2028: /* LINE SEPARATOR */
        return C_NEWLINE;
    case 0x2029: /* PARAGRAPH SEPARATOR */
        return C_PARA;
    case 0x2026: /* HORIZONTAL ELLIPSIS */
        return C_TERM;
    case 0x3002: /* IDEOGRAPHIC FULL STOP */
    case 0xFF01: /* FULLWIDTH EXCLAMATION MARK */
    case 0xFF1F: /* FULLWIDTH QUESTION MARK */
    case 0xFF61: /* HALFWIDTH IDEOGRAPHIC FULL STOP */
        return C_CJKTERM;
    case 0xFF9E: /* HALFWIDTH KATAKANA VOICED SOUND MARK (Lm) */
    case 0xFF9F: /* HALFWIDTH KATAKANA SEMI-VOICED SOUND MARK (Lm) */
        return C_MARK;
    default:
        break;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
        return is_cjk(cp) ? C_CJK : C_LETTER;
    case UTF8PROC_CATEGORY_NO:
        return C_LETTER; /* ² ① : word characters, but not digits */
    case UTF8PROC_CATEGORY_ND:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    case UTF8PROC_CATEGORY_ZS:
        return C_SPACE;
    case UTF8PROC_CATEGORY_ZL:
        return C_NEWLINE;
    case UTF8PROC_CATEGORY_ZP:
        return C_PARA;
    case UTF8PROC_CATEGORY_CF:
        return C_IGNORE;
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PF:
        return C_CLOSE;
    default:
        return C_OTHER;
    }
}

/* The class of the character at p[i] (i < len); *n receives its length in
 * bytes (1 for an invalid byte). */
static inline int
class_at(const unsigned char *p, size_t len, size_t i, size_t *n)
{
    unsigned c = p[i];
    if (c < 0x80) {
        *n = 1;
        return ascii_class[c];
    }
    utf8proc_int32_t cp;
    size_t k = utf8_decode(p + i, len - i, &cp);
    if (k == 0) {
        *n = 1;
        return C_INVALID;
    }
    *n = k;
    return cp_class(cp);
}

/* Like class_at() but C_OTHER past the end: for looking ahead. */
static inline int
peek_class(const unsigned char *p, size_t len, size_t i, size_t *n)
{
    if (i >= len) {
        *n = 0;
        return C_OTHER;
    }
    return class_at(p, len, i, n);
}

/* ------------------------------------------------------------------------ */
/* Folding                                                                   */

/* The diacritics norm=nfkc_cf_nomark removes (see the top of the file). */
static int
is_diacritic(utf8proc_int32_t cp)
{
    if (cp < 0x0300)
        return 0;
    return (cp <= 0x036F) ||                 /* combining diacritics */
           (cp >= 0x0483 && cp <= 0x0489) || /* Cyrillic titlo etc. */
           (cp >= 0x0591 && cp <= 0x05BD) || /* Hebrew accents, points */
           cp == 0x05BF || cp == 0x05C1 || cp == 0x05C2 || cp == 0x05C4 ||
           cp == 0x05C5 || cp == 0x05C7 ||   /* Hebrew points */
           (cp >= 0x0610 && cp <= 0x061A) || /* Arabic signs */
           (cp >= 0x064B && cp <= 0x065F) || /* Arabic harakat */
           cp == 0x0670 ||                   /* superscript alef */
           (cp >= 0x06D6 && cp <= 0x06DC) || /* Quranic marks */
           (cp >= 0x06DF && cp <= 0x06E4) || cp == 0x06E7 || cp == 0x06E8 ||
           (cp >= 0x06EA && cp <= 0x06ED) ||
           (cp >= 0x1AB0 && cp <= 0x1AFF) || /* diacritics extended */
           (cp >= 0x1DC0 && cp <= 0x1DFF) || /* diacritics supplement */
           (cp >= 0x20D0 && cp <= 0x20FF) || /* marks for symbols */
           (cp >= 0xFE20 && cp <= 0xFE2F);   /* half marks */
}

/* May a code point stay in a token's folded word? */
static int
is_word_cp(utf8proc_int32_t cp)
{
    if (cp < 0x80)
        return ascii_word[cp] != 0 || cp == '.' || cp == '\'';
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/*
 * Fold valid UTF-8 src[0, n) (ASCII already lowercased) into code points in
 * a->cps: compatibility decomposition with case folding and without default
 * ignorables, then the diacritics dropped (nomark), then canonical
 * composition.  Returns the number of code points, or -1 when out of memory.
 */
static utf8proc_ssize_t
fold_cps(ns_analyzer *a, const char *src, size_t n)
{
    const utf8proc_option_t opts = UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                   UTF8PROC_DECOMPOSE | UTF8PROC_IGNORE;
    utf8proc_ssize_t k;
    for (;;) {
        k = utf8proc_decompose_custom(
            (const utf8proc_uint8_t *)src, (utf8proc_ssize_t)n, a->cps,
            (utf8proc_ssize_t)a->cps_cap, opts, NULL, NULL);
        if (k < 0)
            return 0; /* cannot happen on valid UTF-8: fold to nothing */
        if ((size_t)k <= a->cps_cap)
            break;
        utf8proc_int32_t *c = ns__realloc(a->cps, (size_t)k * sizeof *c);
        if (!c)
            return -1;
        a->cps = c;
        a->cps_cap = (size_t)k;
    }
    if (a->nomark) {
        utf8proc_ssize_t w = 0;
        for (utf8proc_ssize_t r = 0; r < k; r++)
            if (!is_diacritic(a->cps[r]))
                a->cps[w++] = a->cps[r];
        k = w;
    }
    /* Decomposition put the marks in canonical order: compose. */
    return utf8proc_normalize_utf32(a->cps, k, UTF8PROC_COMPOSE);
}

/*
 * Fold a token's raw bytes into a->word.  Returns NS_OK with *wn set (0 when
 * nothing is left), *wn > NS_ANALYZER_MAX_WORD when the word is too long, or
 * NS_ERR_NOMEM.
 */
static ns_status
fold_token(ns_analyzer *a, size_t rn, size_t *wn)
{
    utf8proc_ssize_t k = fold_cps(a, a->raw, rn);
    if (k < 0)
        return NS_ERR_NOMEM;
    size_t w = 0;
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        utf8proc_int32_t cp = a->cps[i];
        if (!is_word_cp(cp))
            continue;
        if (w > NS_ANALYZER_MAX_WORD) /* a->word has room for one more */
            break;
        w += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)a->word + w);
    }
    a->word[w] = '\0';
    *wn = w;
    return NS_OK;
}

/* ------------------------------------------------------------------------ */
/* Tokens                                                                    */

static int
is_abbrev(const run *r, const char *w, size_t n)
{
    /* A single letter: an initial. */
    size_t k = (unsigned char)w[0] < 0x80 ? 1 : 0;
    if (k == 0) {
        utf8proc_int32_t cp;
        k = utf8_decode((const unsigned char *)w, n, &cp);
    }
    if (k == n)
        return 1;
    if (!r->a->lang_en || n > 4)
        return 0;
    for (size_t i = 0; i < sizeof en_abbrevs / sizeof en_abbrevs[0]; i++)
        if (strlen(en_abbrevs[i]) == n && memcmp(en_abbrevs[i], w, n) == 0)
            return 1;
    return 0;
}

/* Stem word[0, wn) into t->term; NS_ERR_NOMEM if the stemmer fails. */
static ns_status
stem(ns_analyzer *a, const char *word, size_t wn, ns_token *t)
{
    stem_entry *e = NULL;
    uint32_t h = 2166136261u; /* FNV-1a */
    if (wn <= STEM_CACHE_WORD) {
        for (size_t i = 0; i < wn; i++)
            h = (h ^ (unsigned char)word[i]) * 16777619u;
        h ^= h >> 15;
        e = &a->cache[h & ((1u << a->cache_bits) - 1)];
        if (e->wlen == wn && memcmp(e->word, word, wn) == 0) {
            t->term = e->stem;
            t->term_len = e->slen;
            return NS_OK;
        }
    }
    const char *s;
    if (ns__xstem_stem(a->stemmer, word, wn, &s, &t->term_len) != NS_OK)
        return NS_ERR_NOMEM;
    t->term = s;
    if (e && a->cache_bits < STEM_CACHE_BITS &&
        ++a->cache_misses >= (size_t)1 << a->cache_bits) {
        /* Without memory for the big one, the small one stays. */
        stem_entry *big =
            ns__calloc((size_t)1 << STEM_CACHE_BITS, sizeof *big);
        if (big) {
            ns_free(a->cache);
            a->cache = big;
            a->cache_bits = STEM_CACHE_BITS;
            e = &big[h & ((1u << STEM_CACHE_BITS) - 1)];
        }
    }
    if (e && t->term_len <= STEM_CACHE_WORD) {
        e->wlen = (unsigned char)wn;
        memcpy(e->word, word, wn);
        e->slen = (unsigned char)t->term_len;
        memcpy(e->stem, s, t->term_len);
        e->stem[t->term_len] = '\0';
        t->term = e->stem;
    }
    return NS_OK;
}

/* The index of a word's first two bytes in a stem_only set. */
static size_t
stem_only_index(const char *word)
{
    unsigned b0 = (unsigned char)word[0];
    unsigned b1 = b0 ? (unsigned char)word[1] : 0;
    return (size_t)b0 << 8 | b1;
}

/* Whether a word with these first two bytes may stem to a term of set. */
static inline int
stem_only_first2(const ns__stem_only *set, const char *word)
{
    size_t i = stem_only_index(word);
    return set->first2[i >> 3] >> (i & 7) & 1;
}

/* ns__analyzer_run_some: a word the caller cannot want (not in its set,
 * starting no sentence) takes its position, and nothing else is done with
 * it. */
static inline void
only_position(run *r)
{
    r->pos++;
    r->chain_emitted = 1;
    r->stats->tokens++;
}

/* Fold, stem and hand over one part of a written word. */
static ns_status
emit(run *r, const part *pt)
{
    ns_analyzer *a = r->a;
    const char *word = a->raw;
    size_t wn = pt->rn;

    r->last = NULL;
    if (!pt->toolong && pt->nonascii) {
        ns_status st = fold_token(a, pt->rn, &wn);
        if (st != NS_OK)
            return st;
        word = a->word;
    }
    if (pt->toolong || wn > NS_ANALYZER_MAX_WORD) {
        r->stats->skipped_long++;
        return NS_OK;
    }
    if (wn == 0)
        return NS_OK; /* only ignorables or diacritics */
    if (word == a->raw)
        a->raw[wn] = '\0';

    int wanted = !r->stem_only || ns__stem_only_has(r->stem_only, word, wn);
    if (!wanted && !r->pending) {
        only_position(r);
        if (!pt->number && !pt->cjk) {
            r->last = word;
            r->last_len = wn;
        }
        return NS_OK;
    }
    ns_token t;
    t.word = word;
    t.word_len = wn;
    t.term = word;
    t.term_len = wn;
    if (a->stemmer && !pt->number && !pt->cjk &&
        !(r->mode & NS_ANALYZE_NOSTEM) && wanted) {
        ns_status st = stem(a, word, wn, &t);
        if (st != NS_OK)
            return st;
    }
    t.start = pt->start;
    t.end = pt->end;
    t.pos = r->pos++;
    t.flags = r->pending | (pt->number ? NS_TOKEN_NUMBER : 0) |
              (r->chain_emitted ? NS_TOKEN_JOINED : 0);
    r->pending = 0;
    r->chain_emitted = 1;
    if (!pt->number && !pt->cjk) {
        r->last = word;
        r->last_len = wn;
    }
    r->stats->tokens++;
    return r->cb(&t, r->payload) ? NS_ERR_ABORTED : NS_OK;
}

/* Append the bytes p[i, i + n) to the part's raw word. */
static inline void
raw_append(ns_analyzer *a, part *pt, const unsigned char *s, size_t n)
{
    if (pt->rn + n > RAW_MAX) {
        pt->toolong = 1;
        return;
    }
    memcpy(a->raw + pt->rn, s, n);
    pt->rn += n;
}

/*
 * Scan an acronym at p[i]: two or more single letters separated by periods.
 * Returns 0 when there is none; else fills pt (letters only in raw) and
 * returns 1.
 */
static int
scan_acronym(run *r, size_t i, part *pt)
{
    const unsigned char *p = r->p;
    size_t len = r->len, n, k, j = i, end = i;
    int letters = 0;

    for (;;) {
        if (j >= len || class_at(p, len, j, &n) != C_LETTER)
            break;
        k = j + n;
        while (k < len && class_at(p, len, k, &n) == C_MARK)
            k += n;
        if (IS_WORDISH(peek_class(p, len, k, &n)))
            break; /* more than one letter */
        if (letters == 0 && (k >= len || p[k] != '.'))
            return 0;
        letters++;
        end = k;
        if (k >= len || p[k] != '.')
            break;
        j = k + 1;
    }
    if (letters < 2)
        return 0;
    /* The final period belongs to the acronym unless a word follows it. */
    if (end < len && p[end] == '.' &&
        !IS_WORDISH(peek_class(p, len, end + 1, &n)))
        end++;

    pt->start = i;
    pt->end = end;
    for (j = i; j < end; j += n) {
        int c = class_at(p, len, j, &n);
        if (c == C_PERIOD)
            continue;
        if (n == 1) {
            char lc = (char)ascii_word[p[j]];
            raw_append(r->a, pt, (const unsigned char *)&lc, 1);
        } else {
            raw_append(r->a, pt, p + j, n);
            pt->nonascii = 1;
        }
    }
    return 1;
}

/* Is p[i] an 's' or 'S' that ends a part (a possessive 's)?  A CJK
 * character after it ends the part too: `d'Sﾊ` gives `d`, then `ハ`. */
static int
is_possessive_s(const run *r, size_t i)
{
    size_t n;
    if (i >= r->len || (r->p[i] != 's' && r->p[i] != 'S'))
        return 0;
    int c = peek_class(r->p, r->len, i + 1, &n);
    return c != C_LETTER && c != C_DIGIT && c != C_MARK;
}

/*
 * Scan one part of a written word at p[*pi], a letter or a digit: letters,
 * digits and marks, with apostrophes and number punctuation inside.
 */
static void
scan_part(run *r, size_t *pi, part *pt)
{
    ns_analyzer *a = r->a;
    const unsigned char *p = r->p;
    size_t len = r->len, i = *pi, n, commas = 0;
    int last = C_OTHER; /* C_LETTER or C_DIGIT: the last word character */
    int dot = 0;        /* the number has a decimal point */

    pt->start = i;
    pt->number = 1;
    for (;;) {
        /* The hot loop: ASCII letters and digits.  In locals: a store
         * to raw (char) may alias *pt for the compiler, which then kept
         * pt's fields in memory, 20 instructions a byte. */
        unsigned char lc;
        size_t i0 = i, rn = pt->rn;
        unsigned letters = 0;
        char *raw = a->raw;
        while (i < len && (lc = ascii_word[p[i]]) != 0) {
            if (rn < RAW_MAX)
                raw[rn++] = (char)lc;
            letters |= lc > '9';
            i++;
        }
        if (i > i0) {
            if (rn - pt->rn < i - i0)
                pt->toolong = 1;
            pt->rn = rn;
            if (letters)
                pt->number = 0;
            last = ascii_word[p[i - 1]] > '9' ? C_LETTER : C_DIGIT;
            pt->end = i;
        }
        if (i >= len)
            break;
        int c = class_at(p, len, i, &n);
        if (c == C_LETTER || c == C_DIGIT || c == C_MARK) {
            raw_append(a, pt, p + i, n);
            pt->nonascii = 1;
            if (c != C_DIGIT)
                pt->number = 0; /* a mark too: nfkc_cf keeps it */
            if (c != C_MARK)
                last = c;
            i += n;
            pt->end = i;
        } else if (c == C_IGNORE) {
            i += n; /* invisible: neither a separator nor in the word */
        } else if (c == C_APOS) {
            size_t n2;
            int c2 = peek_class(p, len, i + n, &n2);
            if (is_possessive_s(r, i + n)) {
                pt->end = i + n + 1; /* drop 's, keep it in the range */
                i = pt->end;
                break;
            }
            if (last != C_LETTER || c2 != C_LETTER)
                break;
            raw_append(a, pt, (const unsigned char *)"'", 1);
            pt->number = 0;
            i += n;
        } else if (c == C_PERIOD) {
            /* A decimal point: digits on both sides, digits only before. */
            if (!pt->number || last != C_DIGIT || i + 1 >= len ||
                p[i + 1] < '0' || p[i + 1] > '9')
                break;
            raw_append(a, pt, p + i, 1);
            dot = 1;
            i++;
        } else if (c == C_COMMA) {
            /* A thousands separator: 1 to 3 digits first, then groups of
             * exactly 3, before any decimal point. */
            if (!pt->number || dot || pt->nonascii || pt->rn == 0 ||
                (commas == 0 && pt->rn > 3) || i + 3 >= len)
                break;
            if (!(p[i + 1] >= '0' && p[i + 1] <= '9' && p[i + 2] >= '0' &&
                  p[i + 2] <= '9' && p[i + 3] >= '0' && p[i + 3] <= '9'))
                break;
            if (i + 4 < len && p[i + 4] >= '0' && p[i + 4] <= '9')
                break;
            commas++;
            i++;
        } else {
            break;
        }
    }
    *pi = i;
}

/*
 * Scan a written word at p[*pi] (a letter, digit or CJK character) and emit
 * its tokens: parts split by hyphens or at CJK characters.
 */
int ns__analyzer_general_only;

/* May this byte end an ASCII word that the fast path of scan_word() takes
 * whole?  Not a period, comma, apostrophe or hyphen (acronyms, numbers,
 * possessives, chains, abbreviations), nor a byte of a non-ASCII
 * character (marks, ignorables, CJK), nor a letter or digit (a word longer
 * than the fast path takes). */
static inline int
ends_plain_word(unsigned char c)
{
    if (c >= 0x80 || ascii_word[c])
        return 0;
    int k = ascii_class[c];
    return k != C_PERIOD && k != C_COMMA && k != C_APOS && k != C_HYPHEN;
}

/* The end of the ASCII letters and digits at p[j, lim): the first byte
 * for which ascii_word[] is 0, or lim; 16 bytes a step where SSE2 is. */
static inline size_t
ascii_word_end(const unsigned char *p, size_t j, size_t lim)
{
#ifdef __SSE2__
    const __m128i below_a = _mm_set1_epi8('a' - 1);
    const __m128i above_z = _mm_set1_epi8('z' + 1);
    const __m128i below_0 = _mm_set1_epi8('0' - 1);
    const __m128i above_9 = _mm_set1_epi8('9' + 1);
    const __m128i lower = _mm_set1_epi8(0x20);
    while (lim - j >= 16) {
        /* Signed bytes: 0x80 and above are negative, in neither range. */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
        __m128i l = _mm_or_si128(v, lower);
        __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(l, below_a),
                                       _mm_cmplt_epi8(l, above_z));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, below_0),
                                      _mm_cmplt_epi8(v, above_9));
        unsigned other =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit)) ^ 0xFFFFu;
        if (other)
            return j + (size_t)__builtin_ctz(other);
        j += 16;
    }
#endif
    while (j < lim && ascii_word[p[j]] != 0)
        j++;
    return j;
}

/* Whether the ASCII letters and digits p[i, j) have a letter. */
static inline int
has_letter(const unsigned char *p, size_t i, size_t j)
{
    while (i < j && p[i] <= '9')
        i++;
    return i < j;
}

/*
 * ns__analyzer_run_some(), at p[i], an ASCII letter or digit, outside a
 * sentence start: skip the words whose first two bytes are not in the set
 * and that scan_word() would take as one plain part, and the single spaces
 * (or a comma and a space) between them, as the loops would: each word
 * takes its position, and nothing else changes.  Besides the words of its
 * fast path, those that have a letter and end at a comma (no thousands
 * separator), or at a period and are longer than any abbreviation (no
 * acronym, decimal point or abbreviation).  Returns where the loops go on:
 * at a word to scan, or after the last word skipped.
 */
static size_t
skip_unwanted(run *r, size_t i)
{
    const unsigned char *p = r->p;
    size_t len = r->len;
    for (;;) {
        char w2[3] = { (char)ascii_word[p[i]],
                       (char)(i + 1 < len ? ascii_word[p[i + 1]] : 0), 0 };
        if (stem_only_first2(r->stem_only, w2))
            return i;
        size_t lim = len - i > NS_ANALYZER_MAX_WORD ? i + NS_ANALYZER_MAX_WORD
                                                     : len;
        size_t j = ascii_word_end(p, i + 1, lim);
        if (j < len && !ends_plain_word(p[j]) &&
            !((p[j] == ',' || (p[j] == '.' && j - i > 4)) &&
              has_letter(p, i, j)))
            return i; /* scan_word() decides */
        r->chain_emitted = 0;
        r->last = NULL;
        only_position(r);
        r->abbrev_dot = SIZE_MAX;
        /* "word next" or "word, next" go on here. */
        size_t k = j + (j < len && p[j] == ',');
        if (k + 1 >= len || p[k] != ' ' || ascii_word[p[k + 1]] == 0)
            return j;
        i = k + 1;
    }
}

static ns_status
scan_word(run *r, size_t *pi)
{
    const unsigned char *p = r->p;
    size_t len = r->len, i = *pi, n;
    ns_status st = NS_OK;

    r->chain_emitted = 0;
    r->last = NULL;
    /* Most words of news are ASCII letters and digits that white space or
     * such punctuation ends: scanned, lowercased and emitted here, as the
     * general loop below would (one part, no acronym, no abbreviation),
     * without its class lookups. */
    if (p[i] < 0x80 && !ns__analyzer_general_only) {
        char *raw = r->a->raw;
        size_t j = i;
        size_t lim = len - i > NS_ANALYZER_MAX_WORD ? i + NS_ANALYZER_MAX_WORD
                                                     : len;
        unsigned char lc, bits = 0; /* 0x40: a letter (digits lack it) */
        while (j < lim && (lc = ascii_word[p[j]]) != 0) {
            raw[j - i] = (char)lc;
            bits |= lc;
            j++;
        }
        unsigned letters = bits & 0x40;
        if (j == len || ends_plain_word(p[j])) {
            part pt = { 0 };
            pt.start = i;
            pt.end = j;
            pt.rn = j - i;
            pt.number = !letters;
            st = emit(r, &pt);
            r->abbrev_dot = SIZE_MAX;
            *pi = j;
            return st;
        }
    }
    for (;;) {
        part pt = { 0 };
        int c = class_at(p, len, i, &n);
        if (c == C_CJK) {
            size_t cn = n;
            utf8proc_int32_t cp = 0;
            (void)utf8_decode(p + i, cn, &cp);
            pt.start = i;
            raw_append(r->a, &pt, p + i, cn);
            i += cn;
            while (i < len && class_at(p, len, i, &n) == C_MARK) {
                raw_append(r->a, &pt, p + i, n);
                i += n;
            }
            pt.end = i;
            pt.cjk = 1;
            /* Alone and stable, the bytes are already the word. */
            pt.nonascii = pt.rn != cn || !cjk_is_stable(cp);
        } else if (c == C_LETTER && scan_acronym(r, i, &pt)) {
            i = pt.end;
        } else {
            scan_part(r, &i, &pt);
        }
        if ((st = emit(r, &pt)) != NS_OK)
            break;
        /* Does the written word go on? */
        c = peek_class(p, len, i, &n);
        if (IS_WORD_START(c))
            continue; /* at a CJK boundary: `2015年`, `iPhone中` */
        if (c == C_HYPHEN) {
            size_t n2;
            if (IS_WORD_START(peek_class(p, len, i + n, &n2))) {
                i += n;
                continue;
            }
        }
        break;
    }
    r->abbrev_dot = SIZE_MAX;
    if (i < len && p[i] == '.' && r->last && is_abbrev(r, r->last, r->last_len))
        r->abbrev_dot = i;
    *pi = i;
    return st;
}

ns_status
ns__analyzer_run(ns_analyzer *a,
                 const char *text,
                 size_t len,
                 uint32_t first_pos,
                 unsigned mode,
                 ns_token_cb cb,
                 void *payload,
                 ns_analyze_stats *stats)
{
    return ns__analyzer_run_some(a, text, len, first_pos, mode, NULL, cb,
                                 payload, stats);
}

static void
stem_only_put(ns__stem_only *set, size_t i, const char *start, size_t need)
{
    set->first2[i >> 3] |= (unsigned char)(1u << (i & 7));
    if (set->n == NS_STEM_ONLY_TERMS) {
        set->open = 1;
        return;
    }
    set->terms[set->n].first2 = (uint16_t)i;
    set->terms[set->n].need = (unsigned char)need;
    memcpy(set->terms[set->n].start, start, need);
    set->n++;
}

void
ns__stem_only_add(ns__stem_only *set, const char *term)
{
    size_t len = strlen(term), i = stem_only_index(term);
    /* Porter2 rewrites at most the last two bytes it keeps (analyze.h). */
    size_t need = len >= 4 ? len - 2 : len < 2 ? len : 2;
    if (need > NS_STEM_ONLY_START)
        need = NS_STEM_ONLY_START;
    stem_only_put(set, i, term, need);
    /* "dying", "lying", "tying" stem to "die", "lie", "tie". */
    if ((i & 0xFF) == 'i')
        stem_only_put(set, (i & ~(size_t)0xFF) | 'y', term, len < 2 ? len : 2);
}

void
ns__stem_only_add_prefix(ns__stem_only *set, const char *prefix)
{
    if (prefix[0] && prefix[1]) {
        ns__stem_only_add(set, prefix);
        return;
    }
    /* Every first two bytes that start with the prefix's byte (or any). */
    if (prefix[0])
        memset(set->first2 + (size_t)(unsigned char)prefix[0] * 32, 0xFF, 32);
    else
        memset(set->first2, 0xFF, sizeof set->first2);
    set->open = 1;
}

int
ns__stem_only_has(const ns__stem_only *set, const char *word, size_t len)
{
    if (!stem_only_first2(set, word))
        return 0;
    if (set->open)
        return 1;
    uint16_t i = (uint16_t)stem_only_index(word);
    for (unsigned k = 0; k < set->n; k++) {
        size_t need = set->terms[k].need;
        if (set->terms[k].first2 == i &&
            (need <= 2 || (len >= need && memcmp(word + 2,
                                                 set->terms[k].start + 2,
                                                 need - 2) == 0)))
            return 1;
    }
    return 0;
}

ns_status
ns__analyzer_run_some(ns_analyzer *a,
                      const char *text,
                      size_t len,
                      uint32_t first_pos,
                      unsigned mode,
                      const ns__stem_only *stem_only,
                      ns_token_cb cb,
                      void *payload,
                      ns_analyze_stats *stats)
{
    ns_analyze_stats dummy;
    if (!a || !cb || (!text && len) ||
        (mode & ~(NS_ANALYZE_QUERY | NS_ANALYZE_NOSTEM)))
        return NS_ERR_INVALID_ARG;

    run r = { 0 };
    r.a = a;
    r.p = (const unsigned char *)text;
    r.len = len;
    r.pos = first_pos;
    r.mode = mode;
    r.pending = NS_TOKEN_SENTENCE_START;
    r.abbrev_dot = SIZE_MAX;
    r.cb = cb;
    r.payload = payload;
    r.stats = stats ? stats : &dummy;
    r.stem_only = a->stem_keeps_start ? stem_only : NULL;

    /* Between words: a sentence ends at a terminator followed by white
     * space (closing quotes may come between), or at a blank line. */
    int term = 0;     /* a terminator was seen, white space must follow */
    int newlines = 0; /* line breaks in this stretch of white space */
    size_t i = 0, n;
    while (i < len) {
        int c;
        if (r.p[i] < 0x80) {
            c = ascii_class[r.p[i]];
            n = 1;
        } else {
            c = class_at(r.p, len, i, &n);
        }
        switch (c) {
        case C_LETTER:
        case C_DIGIT:
            if (r.stem_only && !r.pending && r.p[i] < 0x80 &&
                !ns__analyzer_general_only) {
                size_t j = skip_unwanted(&r, i);
                if (j != i) {
                    i = j;
                    term = 0;
                    newlines = 0;
                    continue;
                }
            }
            /* fall through */
        case C_CJK: {
            ns_status st = scan_word(&r, &i);
            if (st != NS_OK)
                return st;
            term = 0;
            newlines = 0;
            continue;
        }
        case C_NEWLINE:
            if (++newlines >= 2)
                r.pending = NS_TOKEN_SENTENCE_START;
            /* fall through */
        case C_SPACE:
            if (term)
                r.pending = NS_TOKEN_SENTENCE_START;
            term = 0;
            break;
        case C_PERIOD:
            term = i != r.abbrev_dot;
            newlines = 0;
            break;
        case C_TERM:
            term = 1;
            newlines = 0;
            break;
        case C_CJKTERM:
        case C_PARA:
            r.pending = NS_TOKEN_SENTENCE_START;
            term = 0;
            newlines = 0;
            break;
        case C_CLOSE:
        case C_APOS:
            newlines = 0; /* `"No." He`: the sentence end stays open */
            break;
        case C_IGNORE:
            break;
        case C_INVALID:
            r.stats->invalid_bytes++;
            term = 0;
            newlines = 0;
            break;
        default: /* C_OTHER, C_MARK, C_COMMA, C_HYPHEN */
            term = 0;
            newlines = 0;
            break;
        }
        i += n;
    }
    return NS_OK;
}

/* ------------------------------------------------------------------------ */
/* Construction and the spec                                                 */

/* Does [s, s + n) equal the C string z? */
static int
eq(const char *s, size_t n, const char *z)
{
    return strlen(z) == n && memcmp(s, z, n) == 0;
}

static void
set_errmsg(char **errmsg, char *msg)
{
    if (errmsg)
        *errmsg = msg;
    else
        ns_free(msg);
}

/* A parsed spec: pointers to static strings. */
typedef struct spec_fields {
    const char *lang;
    const char *stem; /* "none" or a name from ns__xstem_list() */
    const char *norm;
    const char *v;
} spec_fields;

/* The name in ns__xstem_list() equal to [s, s + n), or NULL. */
static const char *
snowball_name(const char *s, size_t n)
{
    for (const char *l = ns__xstem_list(); *l; l += strlen(l) + 1)
        if (eq(s, n, l))
            return l;
    return NULL;
}

/* Check one key=value of a spec and store it in f. */
static ns_status
parse_field(const char *k,
            size_t kn,
            const char *v,
            size_t vn,
            spec_fields *f,
            char **errmsg)
{
    const char **slot;
    const char *val = NULL;
    const char *what;
    int ks = (int)(kn > 40 ? 40 : kn);
    int vs = (int)(vn > 40 ? 40 : vn);

    if (eq(k, kn, "lang")) {
        slot = &f->lang;
        what = "unknown language";
        for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
            if (eq(v, vn, languages[i].code))
                val = languages[i].code;
    } else if (eq(k, kn, "stem")) {
        slot = &f->stem;
        what = "no Snowball stemmer named";
        val = eq(v, vn, "none") ? "none" : snowball_name(v, vn);
    } else if (eq(k, kn, "norm")) {
        slot = &f->norm;
        what = "unknown normalization";
        if (eq(v, vn, "nfkc_cf_nomark"))
            val = "nfkc_cf_nomark";
        else if (eq(v, vn, "nfkc_cf"))
            val = "nfkc_cf";
    } else if (eq(k, kn, "v")) {
        slot = &f->v;
        what = "unsupported version (this build knows v=1):";
        val = eq(v, vn, "1") ? "1" : NULL;
    } else {
        set_errmsg(errmsg,
                   ns__sprintf("analyzer spec: unknown key '%.*s'", ks, k));
        return NS_ERR_INVALID_ARG;
    }
    if (*slot) {
        set_errmsg(errmsg,
                   ns__sprintf("analyzer spec: key '%.*s' given twice", ks, k));
        return NS_ERR_INVALID_ARG;
    }
    if (!val) {
        set_errmsg(errmsg,
                   ns__sprintf("analyzer spec: %s '%.*s'", what, vs, v));
        return NS_ERR_INVALID_ARG;
    }
    *slot = val;
    return NS_OK;
}

/*
 * Parse "key=value;...".  Keys: lang, stem, norm, v, each at most once, in
 * any order; empty segments (";;", a trailing ";") are ignored.  A missing
 * key takes its default: lang=en, stem=the language's Snowball stemmer,
 * norm=nfkc_cf_nomark, v=1.
 */
static ns_status
parse_spec(const char *spec, spec_fields *f, char **errmsg)
{
    ns_status st;

    memset(f, 0, sizeof *f);
    if (!*spec) {
        set_errmsg(errmsg, ns__strdup("analyzer spec: empty"));
        return NS_ERR_INVALID_ARG;
    }
    for (const char *s = spec; *s;) {
        const char *semi = strchr(s, ';');
        size_t seg = semi ? (size_t)(semi - s) : strlen(s);
        const char *eqs = memchr(s, '=', seg);
        if (seg > 0 && !eqs) {
            set_errmsg(errmsg, ns__sprintf("analyzer spec: expected "
                                           "key=value, got '%.*s'",
                                           (int)(seg > 40 ? 40 : seg), s));
            return NS_ERR_INVALID_ARG;
        }
        if (seg > 0 &&
            (st = parse_field(s, (size_t)(eqs - s), eqs + 1,
                              seg - (size_t)(eqs - s) - 1, f, errmsg)) != NS_OK)
            return st;
        s += seg + (semi ? 1 : 0);
    }

    if (!f->lang)
        f->lang = "en";
    if (!f->norm)
        f->norm = "nfkc_cf_nomark";
    if (!f->stem) {
        const char *d = NULL;
        for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
            if (strcmp(f->lang, languages[i].code) == 0)
                d = languages[i].stemmer;
        f->stem = d ? snowball_name(d, strlen(d)) : "none";
        if (!f->stem) {
            set_errmsg(errmsg, ns__sprintf("analyzer spec: this build's "
                                           "Snowball stemmers (Xapian's) "
                                           "have none for lang=%s",
                                           f->lang));
            return NS_ERR_INVALID_ARG;
        }
    }
    /* Xapian 1.4's Snowball stems some words with diacritics differently
     * from the libstemmer 2.2 that earlier builds used (`введённый`,
     * `ambiguïté`, `execução`, `fidži`); diacritics removed, the stems are
     * the same.  An index recorded with such a pair cannot be searched with
     * the stems it was built with, so the spec is refused, not reread. */
    static const char *const changed[] = { "finnish", "french", "portuguese",
                                           "russian" };
    if (strcmp(f->norm, "nfkc_cf") == 0)
        for (size_t i = 0; i < sizeof changed / sizeof changed[0]; i++)
            if (strcmp(f->stem, changed[i]) == 0) {
                set_errmsg(errmsg,
                           ns__sprintf("analyzer spec: stem=%s with "
                                       "norm=nfkc_cf is not supported: "
                                       "this build's stemmer (Xapian's "
                                       "Snowball) stems words with "
                                       "diacritics differently from "
                                       "libstemmer 2.2; use "
                                       "norm=nfkc_cf_nomark and reindex",
                                       f->stem));
                return NS_ERR_INVALID_ARG;
            }
    return NS_OK;
}

ns_status
ns__analyzer_new(const char *spec, ns_analyzer **out, char **errmsg)
{
    ns_analyzer *a = NULL;
    spec_fields f;
    ns_status st;

    if (errmsg)
        *errmsg = NULL;
    if (!out)
        return NS_ERR_INVALID_ARG;
    *out = NULL;
    if ((st = parse_spec(spec ? spec : NS_ANALYZER_DEFAULT_SPEC, &f, errmsg)) !=
        NS_OK)
        return st;

    st = NS_ERR_NOMEM;
    if (!(a = ns__calloc(1, sizeof *a)))
        goto out;
    a->nomark = strcmp(f.norm, "nfkc_cf_nomark") == 0;
    a->lang_en = strcmp(f.lang, "en") == 0;
    a->spec =
        ns__sprintf("lang=%s;stem=%s;norm=%s;v=1", f.lang, f.stem, f.norm);
    a->cps = ns__malloc(CPS_INIT * sizeof *a->cps);
    if (!a->spec || !a->cps)
        goto out;
    a->cps_cap = CPS_INIT;
    if (strcmp(f.stem, "none") != 0) {
        /* The name is in ns__xstem_list(): a failure is out of memory. */
        if (ns__xstem_new(f.stem, &a->stemmer) != NS_OK)
            goto out;
        /* Porter2 only rewrites endings, after the first two letters,
         * and a few whole words: of the 82,610 distinct words of the
         * briefing-room archive and the 106,931 of Reuters-21578 and the
         * judged collections, the only stems that do not start with
         * their word's first two bytes are "dying", "lying" and "tying"
         * (to "die", "lie", "tie"; ns__stem_only_add allows for them),
         * "a's"-like words (the analyzer drops "'s" first) and nonsense
         * ("aed" to "a").  Porter and Lovins stem some short words to
         * nothing or cut their start. */
        a->stem_keeps_start = strcmp(f.stem, "english") == 0;
        a->cache_bits = STEM_CACHE_MIN_BITS;
        if (!(a->cache = ns__calloc((size_t)1 << a->cache_bits,
                                    sizeof *a->cache)))
            goto out;
    }
    st = NS_OK;
    *out = a;
    a = NULL;
out:
    ns__analyzer_free(a);
    return st;
}

void
ns__analyzer_free(ns_analyzer *a)
{
    if (!a)
        return;
    ns__xstem_free(a->stemmer);
    ns_free(a->spec);
    ns_free(a->cps);
    ns_free(a->cache);
    ns_free(a->fold_raw);
    ns_free(a->fold_out);
    ns_free(a);
}

const char *
ns__analyzer_spec(const ns_analyzer *a)
{
    return a ? a->spec : NULL;
}

/* Make *buf hold at least need bytes. */
static int
reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    char *b = ns__realloc(*buf, c);
    if (!b)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

static int
cmp_word(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

int
ns__analyzer_is_stopword(const ns_analyzer *a, const char *word, size_t len)
{
    char w[16];
    if (!a || !a->lang_en || !word || len == 0 || len >= sizeof w)
        return 0;
    memcpy(w, word, len);
    w[len] = '\0';
    return bsearch(w, en_stopwords,
                   sizeof en_stopwords / sizeof en_stopwords[0],
                   sizeof en_stopwords[0], cmp_word) != NULL;
}

size_t
ns__analyzer_fold(ns_analyzer *a,
                  const char *word,
                  size_t len,
                  const char **out)
{
    const unsigned char *p = (const unsigned char *)word;
    size_t rn = 0, n;
    int nonascii = 0;

    if (!out)
        return 0;
    *out = NULL;
    if (!a || (!word && len))
        return 0;
    /* Clean the input as run() does: ASCII lowercased, apostrophes made
     * ASCII, invalid bytes dropped. */
    if (reserve(&a->fold_raw, &a->fold_raw_cap, len + 1) != 0)
        return 0;
    for (size_t i = 0; i < len; i += n) {
        if (p[i] < 0x80) {
            unsigned char lc = ascii_word[p[i]];
            a->fold_raw[rn++] = lc ? (char)lc : (char)p[i];
            n = 1;
            continue;
        }
        int c = class_at(p, len, i, &n);
        if (c == C_INVALID)
            continue;
        if (c == C_APOS) {
            a->fold_raw[rn++] = '\'';
            continue;
        }
        memcpy(a->fold_raw + rn, p + i, n);
        rn += n;
        nonascii = 1;
    }
    a->fold_raw[rn] = '\0';
    if (!nonascii) {
        *out = a->fold_raw;
        return rn;
    }
    utf8proc_ssize_t k = fold_cps(a, a->fold_raw, rn);
    if (k < 0 ||
        reserve(&a->fold_out, &a->fold_out_cap, (size_t)k * 4 + 1) != 0)
        return 0;
    size_t w = 0;
    for (utf8proc_ssize_t i = 0; i < k; i++)
        w += (size_t)utf8proc_encode_char(a->cps[i],
                                          (utf8proc_uint8_t *)a->fold_out + w);
    a->fold_out[w] = '\0';
    *out = a->fold_out;
    return w;
}
