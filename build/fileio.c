#include "build/fileio.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kd_read_all(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            errno = 0;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

int kd_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int kd_mkdirs(const char *path, mode_t mode, kd_error **err)
{
    char *p = kd_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            rc = kd_err(err, errno, "cannot create %s", p);
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

int kd_write_file_atomic(const char *path, const char *tmpdir, const void *data, size_t len,
                         mode_t mode, kd_error **err)
{
    char *tmp;
    if (tmpdir) {
        const char *base = strrchr(path, '/');
        tmp = kd_asprintf("%s/%s.tmp-XXXXXX", tmpdir, base ? base + 1 : path);
    } else {
        tmp = kd_asprintf("%s.tmp-XXXXXX", path);
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    int rc = 0;
    if (fd < 0) {
        rc = kd_err(err, errno, "cannot write %s", path);
    } else {
        if (fchmod(fd, mode) < 0 || kd_write_all(fd, data, len) < 0 || fsync(fd) < 0)
            rc = kd_err(err, errno, "cannot write %s", tmp);
        close(fd);
        if (rc == 0 && rename(tmp, path) < 0)
            rc = kd_err(err, errno, "cannot replace %s", path);
        if (rc < 0)
            unlink(tmp);
    }
    free(tmp);
    return rc;
}
