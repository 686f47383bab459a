/* maxrss OUT CMD [ARGS...]: runs CMD and writes "<seconds> <peak RSS KiB>
 * <exit code>" to OUT; exits with CMD's exit code. Used by compare.py: a
 * child forked from a small parent, so ru_maxrss is the command's own peak
 * (a child forked from Python inherits Python's resident set, which Linux
 * keeps in ru_maxrss across exec). */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char** environ;

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: maxrss OUT CMD [ARGS...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid;
    int err = posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ);
    if (err) {
        fprintf(stderr, "maxrss: cannot run %s\n", argv[2]);
        return 127;
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) return 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE* out = fopen(argv[1], "w");
    if (!out) return 1;
    fprintf(out, "%.6f %ld %d\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss,
            code);
    fclose(out);
    return code;
}
