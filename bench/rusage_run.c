/*
 * rusage_run: run a command and report its own resource usage.
 *
 *   rusage_run OUTFILE COMMAND [ARG...]
 *
 * Forks, execs COMMAND (stdin, stdout and stderr inherited), waits with
 * wait4() and writes "<exit code> <wall s> <user+sys s> <max RSS KiB>" to
 * OUTFILE.  Exits with the command's exit code (128+signal if killed).
 *
 * Why not fork from Python: Linux carries a process's peak RSS across
 * execve() (it starts from the address space being replaced), so a child
 * forked or vforked from a 500 MB parent reports at least 500 MB.  This
 * helper's own address space is tiny, so its child's figure is its own.
 */
#define _DEFAULT_SOURCE /* wait4() */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: rusage_run OUTFILE COMMAND [ARG...]\n", stderr);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("rusage_run: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("rusage_run: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fprintf(f, "%d %.6f %.6f %ld\n", rc, wall, cpu, ru.ru_maxrss);
    fclose(f);
    return rc;
}
