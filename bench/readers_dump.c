/*
 * readers_dump.c: every article the corpus readers give for each PATH, all
 * fields, one record per article (for comparing the extraction of two
 * builds: `diff` their outputs), and every reject.  Not part of the build;
 * compiled like readers_probe against a build's libnsearch.a.
 *
 * usage: readers_dump PATH...
 */
#include <stdio.h>
#include <string.h>

#include "corpus/corpus.h"

static void
field(const char *name, const char *v)
{
    printf("%s: %s\n", name, v ? v : "(none)");
}

static int
on_article(const ns_article *a, const ns__where *w, void *payload)
{
    (void)payload;
    printf("=== %s #%llu [%s]\n", w->file, (unsigned long long)w->record,
           w->format);
    field("id", a->id);
    field("title", a->title);
    field("date", a->date);
    field("author", a->author);
    field("source", a->source);
    field("url", a->url);
    field("language", a->language);
    printf("text (%zu bytes):\n", a->text_len);
    fwrite(a->text, 1, a->text_len, stdout);
    printf("\n");
    return 0;
}

static int
on_reject(const ns__where *w, const char *reason, void *payload)
{
    (void)payload;
    printf("=== REJECT %s #%llu: %s\n", w->file, (unsigned long long)w->record,
           reason);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: readers_dump PATH...\n");
        return 2;
    }
    for (int p = 1; p < argc; p++) {
        ns__corpus_sink sink = { NULL, on_article, on_reject, NULL, NULL,
                                 NULL };
        ns_status st = ns__corpus_walk(argv[p], &sink);
        if (st != NS_OK) {
            fprintf(stderr, "readers_dump: %s: %s\n", argv[p],
                    ns_strerror(st));
            return 1;
        }
    }
    return 0;
}
