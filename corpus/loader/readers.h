/*
 * readers.h: how libnsearch reaches the corpus readers (corpus/).
 *
 * The readers need libarchive, libxml2 (with ICU), json-c, ISA-L, liblzma,
 * libbz2 and brotli's decoder, which a search never uses; loading them
 * cost every `nsearch QUERY` process about 1 ms of relocations.  So the
 * shared library does not link them: the readers are a module of their
 * own (nsearch-readers.so, built from the same objects as the static
 * library's readers) that the shared library dlopen()s the first time an
 * indexing call needs it (dlopen.c).
 * The static library links the readers directly (linked.c) and loads
 * nothing.  The module exports one symbol, ns__readers_module (module.c).
 *
 * Where the module is looked for, relative to the directory D of the
 * loaded libnsearch.so (dladdr), so that a relocated install works:
 *   D/nsearch/nsearch-readers.so   (installed: ${libdir}/nsearch/)
 *   D/nsearch-readers.so           (the build tree, next to the library)
 * The nsearch command links these objects itself (cli/CMakeLists.txt) and
 * compiles dlopen.c with NS_READERS_FROM_PROGRAM, the path from ${bindir}
 * to ${libdir}/nsearch; D is then the program's directory
 * (/proc/self/exe):
 *   D/NS_READERS_FROM_PROGRAM/nsearch-readers.so   (installed)
 *   D/nsearch-readers.so                           (the build tree)
 */
#ifndef NS_READERS_H
#define NS_READERS_H

#include "corpus/corpus.h"

/* Bumped whenever ns__readers_api changes. */
#define NS_READERS_ABI 2
#define NS_READERS_MODULE "nsearch-readers.so"
#define NS_READERS_SUBDIR "nsearch"

typedef struct ns__readers_api {
    unsigned abi;        /* NS_READERS_ABI of the module */
    const char *version; /* NS_VERSION of the module's build */
    ns_status (*walk)(const char *path, const ns__corpus_sink *sink,
                      const char *skip);
    char *(*absolute_path)(const char *path);
    int (*format_slot)(const char *name);
    const char *(*format_name)(unsigned slot);
} ns__readers_api;

/**
 * Make the readers available: NULL when they are (always, in the static
 * library), else why the module could not be loaded, naming each path
 * tried (static storage, one line).  Thread-safe; tried once per process.
 * The corpus.h functions may be called only after it returned NULL.
 */
const char *ns__readers_load(void);

#endif /* NS_READERS_H */
