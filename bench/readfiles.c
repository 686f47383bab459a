/* readfiles FILE...: opens each file, reads it to the end and closes it.
 * The least any program that reads the revision files pays (compare.py's
 * SQLite no-op floor): schemagate must read and check every file on every
 * start. Built static like schemagate, so neither pays dynamic loading. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char** argv) {
    static char buf[65536];
    long long total = 0;
    for (int i = 1; i < argc; ++i) {
        int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            perror(argv[i]);
            return 1;
        }
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) total += n;
        close(fd);
        if (n < 0) {
            perror(argv[i]);
            return 1;
        }
    }
    return total < 0;
}
