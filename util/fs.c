#include "util/fs.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_fd(int fd, const char *path, kd_buf *b, kd_error **err)
{
    for (;;) {
        kd_buf_reserve(b, 65536);
        ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return kd_err(err, errno, "cannot read %s", path);
        }
        if (n == 0)
            break;
        b->len += (size_t)n;
        b->data[b->len] = '\0';
    }
    return 0;
}

int kd_read_file(const char *path, char **data, size_t *len, kd_error **err)
{
    kd_buf b = KD_BUF_INIT;
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kd_err(err, errno, "cannot open %s", path);
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (fd != 0)
            close(fd);
        return kd_err(err, EISDIR, "cannot read %s", path);
    }
    if (fd != 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        kd_buf_reserve(&b, (size_t)st.st_size);
    int rc = read_fd(fd, path, &b, err);
    if (fd != 0)
        close(fd);
    if (rc < 0) {
        kd_buf_free(&b);
        return -1;
    }
    *data = kd_buf_detach(&b, len);
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fsync_parent(const char *path)
{
    char *dir = kd_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int kd_write_file_atomic(const char *path, const void *data, size_t len, const char *expect,
                         size_t expect_len, kd_error **err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return kd_err(err, errno, "cannot write %s", path);
    if (expect) {
        char *now;
        size_t nlen;
        if (kd_read_file(path, &now, &nlen, err) < 0)
            return -1;
        bool same = nlen == expect_len && memcmp(now, expect, nlen) == 0;
        free(now);
        if (!same)
            return kd_err(err, 0, "%s changed on disk since kdoctor read it; not written", path);
    }
    char *tmp = kd_asprintf("%s.kdoctor-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return kd_err(err, e, "cannot create a temporary file beside %s", path);
    }
    int e = 0;
    if (fchmod(fd, st.st_mode & 07777) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
        e = errno;
    if (e == 0 && geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) < 0)
        e = errno;
    if (close(fd) < 0 && e == 0)
        e = errno;
    if (e == 0 && rename(tmp, path) < 0)
        e = errno;
    if (e != 0) {
        unlink(tmp);
        free(tmp);
        return kd_err(err, e, "cannot write %s", path);
    }
    free(tmp);
    fsync_parent(path);
    return 0;
}
