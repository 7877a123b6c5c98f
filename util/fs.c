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

/* Reads to the end; with size > 0 (a regular file's, from fstat) stops
 * once it has that many bytes, without the extra read that would see the
 * end: linting a thousand files costs a thousand fewer system calls. The
 * buffer keeps its 64 kB steps: one size for every small file lets the
 * allocator hand the same block back each time (exact sizes made the heap
 * grow, and its new pages cost more than the calls saved). */
static int read_fd(int fd, const char *path, size_t size, kd_buf *b, kd_error **err)
{
    for (;;) {
        if (size > 0 && b->len >= size)
            break;
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
    size_t size = fd != 0 && S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 0;
    if (size)
        kd_buf_reserve(&b, size);
    int rc = read_fd(fd, path, size, &b, err);
    if (fd != 0)
        close(fd);
    if (rc < 0) {
        kd_buf_free(&b);
        return -1;
    }
    *data = kd_buf_detach(&b, len);
    return 0;
}

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

static void fsync_parent(const char *path)
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
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* The common part: a temp file with mode (and owner unless uid is -1),
 * renamed over path. */
static int write_atomic(const char *path, const char *tmpdir, const void *data, size_t len,
                        mode_t mode, uid_t uid, gid_t gid, kd_error **err)
{
    char *tmp;
    if (tmpdir) {
        const char *base = strrchr(path, '/');
        tmp = kd_asprintf("%s/%s.tmp-XXXXXX", tmpdir, base ? base + 1 : path);
    } else {
        tmp = kd_asprintf("%s.kdoctor-XXXXXX", path);
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return kd_err(err, e, "cannot create a temporary file for %s", path);
    }
    int e = 0;
    if (fchmod(fd, mode) < 0 || kd_write_all(fd, data, len) < 0)
        e = errno;
    if (e == 0 && uid != (uid_t)-1 && fchown(fd, uid, gid) < 0)
        e = errno;
    if (e == 0 && fsync(fd) < 0)
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

int kd_write_file_atomic(const char *path, const char *tmpdir, const void *data, size_t len,
                         mode_t mode, kd_error **err)
{
    return write_atomic(path, tmpdir, data, len, mode, (uid_t)-1, (gid_t)-1, err);
}

int kd_replace_file(const char *path, const void *data, size_t len, const char *expect,
                    size_t expect_len, kd_error **err)
{
    /* a symbolic link stays one: the file it points to is rewritten */
    char *real = realpath(path, NULL);
    if (real && strcmp(real, path) != 0) {
        int rc = kd_replace_file(real, data, len, expect, expect_len, err);
        free(real);
        return rc;
    }
    free(real);
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
    bool root = geteuid() == 0;
    return write_atomic(path, NULL, data, len, st.st_mode & 07777,
                        root ? st.st_uid : (uid_t)-1, root ? st.st_gid : (gid_t)-1, err);
}

char *kd_path_folder(const char *path)
{
    if (strcmp(path, "-") == 0)
        return NULL;
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return kd_xstrdup(".");
    return slash == path ? kd_xstrdup("/") : kd_xstrndup(path, (size_t)(slash - path));
}
