/* See lint/input.h. */
#include "lint/input.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdlib.h>
#include <sys/stat.h>

int kd_verr_at(kd_error **err, const char *path, unsigned long line, unsigned long col,
               const char *fmt, va_list ap)
{
    char *msg = kd_vasprintf(fmt, ap);
    kd_err(err, 0, "%s:%lu:%lu: %s", path, line, col, msg);
    if (err && *err)
        (*err)->status = 2;
    free(msg);
    return -1;
}

int kd_err_at(kd_error **err, const char *path, unsigned long line, unsigned long col,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kd_verr_at(err, path, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

int kd_read_input(const char *path, char **data, size_t *len, kd_error **err)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        kd_err(err, 0, "%s: not a regular file", path);
    else if (kd_read_file(path, data, len, err) == 0)
        return 0;
    if (err && *err)
        (*err)->status = 2;
    return -1;
}
