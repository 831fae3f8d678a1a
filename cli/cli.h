/*
 * cli.h: what the nsearch command's files share.  The CLI is libnsearch's
 * first client: it includes only the public header.
 */
#ifndef NS_CLI_H
#define NS_CLI_H

#include <stdio.h>

#include "nsearch.h"

/* Exit codes (documented in --help and the README). */
#define EXIT_OK       0 /* success; for search: results found */
#define EXIT_NONE     1 /* search: no result */
#define EXIT_ERROR    2 /* usage or fatal error */
#define EXIT_REJECTED 3 /* index: done, some inputs rejected */
#define EXIT_LOCKED   75 /* index: another writer holds the lock */

extern const char *prog; /* "nsearch" */

/** Print "nsearch: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * The index directory: opt if given, else $NSEARCH_INDEX, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/nsearch/index.  Returns a static
 * buffer, or NULL (with an error printed) when none can be found.
 */
const char *cli_index_path(const char *opt);

/** Create dir and its parents (mkdir -p).  0 on success. */
int cli_mkdirs(const char *dir);

/**
 * Option parsing shared by the commands.  If argv[*i] is the option name
 * (long "--name" or short "-x"; x may be 0), with a value as "--name=V",
 * "--name V" or "-x V", store the value in *val, advance *i past it and
 * return 1.  Return -1 (with an error printed) when the value is missing,
 * 0 when argv[*i] is another option.
 */
int cli_opt_value(int argc, char **argv, int *i, const char *name, char x,
                  const char **val);
/** Same for a flag without value: 1 when argv[*i] is it. */
int cli_opt_flag(char **argv, int i, const char *name, char x);
/** Parse a positive count ("10"); -1 with an error printed if bad. */
long cli_parse_count(const char *opt, const char *s);
/** Parse a duration in seconds ("300", "0.5", at most 10^6); -1 with an
 * error printed if bad. */
double cli_parse_seconds(const char *opt, const char *s);

/** Map a library status to the exit code of an error. */
int cli_exit_for(ns_status st);

int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_shard(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* Output of strings from articles, made safe for where they go. */
/** Write s[0,n) with control characters (C0, DEL, C1) replaced by spaces. */
void out_safe(FILE *f, const char *s, size_t n);
/** out_safe, with control characters and spaces written as '_' (one word,
 * such as a TREC document id). */
void out_word(FILE *f, const char *s, size_t n);
/** Write s[0,n) as the inside of a JSON string (escaped, valid UTF-8; C0,
 * DEL and C1 controls as \u escapes). */
void out_json_str(FILE *f, const char *s, size_t n);
/** Write "name": and v as a JSON string (null when v is NULL), after a
 * comma when comma is set. */
void out_json_field(FILE *f, const char *name, const char *v, int comma);
/** Write s[0,n) HTML-escaped, control characters (C0, DEL, C1) as spaces. */
void out_html(FILE *f, const char *s, size_t n);

#endif /* NS_CLI_H */
