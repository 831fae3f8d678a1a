/*
 * dlopen.c: the shared library's side of readers.h: load the readers
 * module on first use and forward the corpus.h calls libnsearch makes to
 * it.  The module is never unloaded.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "corpus/loader/readers.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const ns__readers_api *api;
static char error[2048];

/* Try dir/sub/NS_READERS_MODULE; on failure append why to error. */
static void
try_path(const char *dir, const char *sub)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s%s", dir, sub,
                     NS_READERS_MODULE);
    size_t used = strlen(error);
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(error + used, sizeof error - used, "; %s: path too long",
                 dir);
        return;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    const char *why = NULL;
    const ns__readers_api *m = NULL;
    char buf[160];
    if (!h) {
        why = dlerror();
    } else if (!(m = dlsym(h, "ns__readers_module"))) {
        why = "it has no ns__readers_module (not an nsearch readers module)";
    } else if (m->abi != NS_READERS_ABI) { /* the rest may differ */
        snprintf(buf, sizeof buf,
                 "its interface is %u, this library's %u (another nsearch "
                 "version)",
                 m->abi, NS_READERS_ABI);
        why = buf;
    } else if (strcmp(m->version, NS_VERSION_STRING) != 0) {
        snprintf(buf, sizeof buf,
                 "it is from nsearch %.40s, this library is %s", m->version,
                 NS_VERSION_STRING);
        why = buf;
    } else {
        api = m;
        return;
    }
    if (h)
        dlclose(h);
    /* dlerror() names the path itself; the other reasons need it. */
    snprintf(error + used, sizeof error - used, "; %s%s%s",
             h ? path : "", h ? ": " : "", why ? why : "unknown error");
}

static void
load(void)
{
    snprintf(error, sizeof error,
             "cannot load the readers module that indexing needs");
    char file[1024];
#ifdef NS_READERS_FROM_PROGRAM
    /* Linked into the nsearch command: the program's own file (dladdr
     * would give argv[0], which need not hold a directory). */
    ssize_t fn = readlink("/proc/self/exe", file, sizeof file - 1);
    if (fn <= 0 || (size_t)fn >= sizeof file - 1 ||
        !memchr(file, '/', (size_t)fn)) {
        size_t used = strlen(error);
        snprintf(error + used, sizeof error - used,
                 ": cannot tell where the nsearch program is");
        return;
    }
    file[fn] = '\0';
#else
    /* Any address inside this library tells which file it is. */
    Dl_info info;
    if (!dladdr(&once, &info) || !info.dli_fname ||
        !strchr(info.dli_fname, '/') ||
        strlen(info.dli_fname) >= sizeof file) {
        size_t used = strlen(error);
        snprintf(error + used, sizeof error - used,
                 ": cannot tell where libnsearch was loaded from");
        return;
    }
    strcpy(file, info.dli_fname);
#endif
    *strrchr(file, '/') = '\0'; /* its directory */
#ifdef NS_READERS_FROM_PROGRAM
    try_path(file, NS_READERS_FROM_PROGRAM "/");
#else
    try_path(file, NS_READERS_SUBDIR "/");
#endif
    if (!api)
        try_path(file, "");
    if (api)
        error[0] = '\0';
    else /* the first "; " becomes ": " */
        error[strlen("cannot load the readers module that indexing needs")] =
            ':';
}

const char *
ns__readers_load(void)
{
    pthread_once(&once, load);
    return api ? NULL : error;
}

ns_status
ns__corpus_walk(const char *path, const ns__corpus_sink *sink)
{
    return ns__corpus_walk_skip(path, sink, NULL);
}

ns_status
ns__corpus_walk_skip(const char *path,
                     const ns__corpus_sink *sink,
                     const char *skip)
{
    if (ns__readers_load())
        return NS_ERR_IO;
    return api->walk(path, sink, skip);
}

char *
ns__corpus_absolute_path(const char *path)
{
    return ns__readers_load() ? NULL : api->absolute_path(path);
}

int
ns__format_slot(const char *name)
{
    return ns__readers_load() ? -1 : api->format_slot(name);
}

const char *
ns_format_name(unsigned slot) NS_NOEXCEPT
{
    return ns__readers_load() ? NULL : api->format_name(slot);
}
