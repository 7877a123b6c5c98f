#include "util/error.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kd_verr(kd_error **err, int errnum, const char *fmt, va_list ap)
{
    if (err == NULL || *err != NULL)
        return -1;
    char *msg = kd_vasprintf(fmt, ap);
    if (errnum != 0) {
        char *full = kd_asprintf("%s: %s", msg, strerror(errnum));
        free(msg);
        msg = full;
    }
    kd_error *e = kd_xcalloc(1, sizeof *e);
    e->errnum = errnum;
    e->status = 1;
    e->msg = msg;
    *err = e;
    return -1;
}

int kd_err(kd_error **err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kd_verr(err, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

void kd_error_wrap(kd_error *e, const char *fmt, ...)
{
    if (e == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *prefix = kd_vasprintf(fmt, ap);
    va_end(ap);
    char *full = kd_asprintf("%s: %s", prefix, e->msg);
    free(prefix);
    free(e->msg);
    e->msg = full;
}

void kd_error_free(kd_error *e)
{
    if (e == NULL)
        return;
    free(e->msg);
    free(e);
}
