#include "util/buf.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kd_buf_reserve(kd_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = kd_xrealloc(b->data, cap);
    b->cap = cap;
}

void kd_buf_add(kd_buf *b, const void *p, size_t n)
{
    kd_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void kd_buf_addc(kd_buf *b, char c)
{
    kd_buf_add(b, &c, 1);
}

void kd_buf_adds(kd_buf *b, const char *s)
{
    kd_buf_add(b, s, strlen(s));
}

void kd_buf_addf(kd_buf *b, const char *fmt, ...)
{
    /* one formatting pass when the text fits in what is left (the usual
     * case), a second one only after growing the buffer */
    kd_buf_reserve(b, 64);
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    if (n > 0 && (size_t)n >= room) {
        kd_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    }
    if (n > 0)
        b->len += (size_t)n;
    b->data[b->len] = '\0';
    va_end(ap2);
    va_end(ap);
}

void kd_buf_add_utf8(kd_buf *b, unsigned cp)
{
    char s[4];
    size_t n;
    if (cp < 0x80) {
        s[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        s[0] = (char)(0xC0 | (cp >> 6));
        s[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        s[0] = (char)(0xE0 | (cp >> 12));
        s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        s[0] = (char)(0xF0 | (cp >> 18));
        s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    kd_buf_add(b, s, n);
}

void kd_buf_truncate(kd_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

char *kd_buf_detach(kd_buf *b, size_t *len)
{
    char *p = b->data ? b->data : kd_xstrdup("");
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *kd_buf_str(const kd_buf *b)
{
    return b->data ? b->data : "";
}

void kd_buf_free(kd_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
