/* A growable byte buffer, always NUL-terminated so that text can be used as
 * a C string; it may also hold NULs (len is the truth). */
#ifndef KD_UTIL_BUF_H
#define KD_UTIL_BUF_H

#include <stddef.h>

typedef struct kd_buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
} kd_buf;

#define KD_BUF_INIT {NULL, 0, 0}

void kd_buf_reserve(kd_buf *b, size_t extra);
void kd_buf_add(kd_buf *b, const void *p, size_t n);
void kd_buf_addc(kd_buf *b, char c);
void kd_buf_adds(kd_buf *b, const char *s);
void kd_buf_addf(kd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the UTF-8 encoding of code point cp. */
void kd_buf_add_utf8(kd_buf *b, unsigned cp);
void kd_buf_truncate(kd_buf *b, size_t len);
/* Returns the text (owned by the caller, never NULL) and resets b. */
char *kd_buf_detach(kd_buf *b, size_t *len);
/* A C string view of the content ("" when empty); b keeps ownership. */
const char *kd_buf_str(const kd_buf *b);
void kd_buf_free(kd_buf *b);

#endif
