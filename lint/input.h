/* Reading the linter's own input files (owner: lint-engine): errors that
 * name a place in a file, and reading a config or rule file. */
#ifndef KD_LINT_INPUT_H
#define KD_LINT_INPUT_H

#include "util/error.h"

#include <stdarg.h>
#include <stddef.h>

/* Sets *err to "PATH:LINE:COL: message" with exit status 2; returns -1. */
int kd_err_at(kd_error **err, const char *path, unsigned long line, unsigned long col,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int kd_verr_at(kd_error **err, const char *path, unsigned long line, unsigned long col,
               const char *fmt, va_list ap);

/* Reads a whole regular file (a device such as /dev/zero would never end);
 * errors have status 2. *data is owned by the caller. */
int kd_read_input(const char *path, char **data, size_t *len, kd_error **err);

#endif
