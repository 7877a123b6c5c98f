/* Errors as values, in the style of crun: a library function that fails
 * returns -1 (or NULL) and, when the caller passed a place for it, stores a
 * kd_error that says what went wrong. Library code never exits or prints. */
#ifndef KD_UTIL_ERROR_H
#define KD_UTIL_ERROR_H

#include <stdarg.h>

typedef struct kd_error {
    int errnum; /* errno value behind the error, or 0 */
    int status; /* exit status the CLI should use (2 = bad input/usage) */
    char *msg;  /* owned; never NULL */
} kd_error;

/* Sets *err (when err != NULL and *err is still NULL) and returns -1.
 * With errnum != 0, ": strerror(errnum)" is appended. */
int kd_err(kd_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int kd_verr(kd_error **err, int errnum, const char *fmt, va_list ap);

/* Prefixes the message of an existing error with "prefix: ". */
void kd_error_wrap(kd_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void kd_error_free(kd_error *e);

#endif
