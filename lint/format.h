/* Output formats of `kdoctor lint` (owner: lint-engine). A formatter gets
 * each file's result as it is linted and appends text to a buffer the CLI
 * prints; document formats (json, sarif, checkstyle, gitlab) build their
 * document and write it at the end. docs/lint.md and docs/lint-json.md
 * describe them. */
#ifndef KD_LINT_FORMAT_H
#define KD_LINT_FORMAT_H

#include "lint/engine.h"
#include "util/buf.h"

#include <stdbool.h>

typedef enum kd_format {
    KD_FMT_TTY,
    KD_FMT_JSON,
    KD_FMT_SARIF,
    KD_FMT_CHECKSTYLE,
    KD_FMT_GITLAB,
    KD_FMT_GNU,
} kd_format;

/* "tty", "json", ... to a format; -1 when unknown. */
int kd_format_parse(const char *name);

typedef struct kd_formatter kd_formatter;

typedef struct kd_format_opts {
    kd_format format;
    bool color;          /* tty: ANSI colours */
    const char *version; /* the tool version for sarif */
    const kd_linter *linter; /* its rules are listed by sarif */
} kd_format_opts;

kd_formatter *kd_formatter_new(const kd_format_opts *o);
/* Adds one file's findings; appends what can be printed now to out. */
void kd_formatter_file(kd_formatter *fm, const kd_file_result *r, kd_buf *out);
/* Appends the end of the output (the whole document for json etc.). */
void kd_formatter_end(kd_formatter *fm, kd_buf *out);
void kd_formatter_free(kd_formatter *fm);

#endif
