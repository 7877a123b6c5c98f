#include "util/fs.h"
#include "util/buf.h"

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
