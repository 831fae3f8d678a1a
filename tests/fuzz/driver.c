/*
 * driver.c: a main() for the fuzz targets when they are built without
 * libFuzzer, so that plain ctest (and the sanitizer and valgrind runs)
 * replays every seed and every past crash in tests/fuzz/corpora/<name>/.
 * Each argument is a file or a directory of files (read in sorted order,
 * hidden files skipped); each file is one input, handed over in a buffer of
 * exactly its size, as libFuzzer does, so an over-read shows under ASan.
 * Fails when an argument cannot be read or when no input was found: a
 * replay that replays nothing is not a test.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target, as in libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + len, 1, cap - len, f)) > 0) {
        len += k;
        if (len == cap) {
            unsigned char *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        fprintf(stderr, "fuzz replay: %s: %s\n", path,
                buf ? "read error" : "out of memory");
        free(buf);
        return -1;
    }
    /* Exactly len bytes, so reading one past the end is caught. */
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    fprintf(stderr, "fuzz replay: %s (%zu bytes)\n", path, len);
    int rc = LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    if (rc != 0) {
        fprintf(stderr, "fuzz replay: %s: the target returned %d\n", path, rc);
        return -1;
    }
    return 0;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays path (a file or a directory); adds the inputs run to *n. */
static int
replay(const char *path, size_t *n)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "fuzz replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        if (replay_file(path) != 0)
            return -1;
        ++*n;
        return 0;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "fuzz replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **a = realloc(names, cap * sizeof *a);
            if (!a) {
                rc = -1;
                break;
            }
            names = a;
        }
        size_t len = strlen(path) + strlen(de->d_name) + 2;
        if (!(names[count] = malloc(len))) {
            rc = -1;
            break;
        }
        snprintf(names[count++], len, "%s/%s", path, de->d_name);
    }
    closedir(d);
    if (rc == 0 && count)
        qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count; i++) {
        if (rc == 0 && replay(names[i], n) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    size_t n = 0;
    for (int i = 1; i < argc; i++)
        if (replay(argv[i], &n) != 0)
            return 1;
    if (n == 0) {
        fprintf(stderr, "fuzz replay: no input found\n");
        return 1;
    }
    fprintf(stderr, "fuzz replay: %zu inputs, all passed\n", n);
    return 0;
}
