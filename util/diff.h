/* Unified diffs of two texts, line by line (Myers' O(ND) algorithm), in the
 * format `diff -u` and `git apply` read. Lines keep their own endings, so a
 * CRLF file diffs as CRLF; a last line without a newline gets the usual
 * "\ No newline at end of file" marker. */
#ifndef KD_UTIL_DIFF_H
#define KD_UTIL_DIFF_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends the unified diff from a to b (with context lines of context) to
 * out, under the headers "--- old_name" and "+++ new_name". Appends nothing
 * and returns false when the texts are equal. */
bool kd_unified_diff(const char *a, size_t alen, const char *b, size_t blen, const char *old_name,
                     const char *new_name, int context, kd_buf *out);

#endif
