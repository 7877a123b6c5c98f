/* Allocation helpers. Out of memory is the one failure the library does not
 * pass up: it aborts with a message, as git's xmalloc does, because every
 * caller would otherwise need a path that cannot be tested. */
#ifndef KD_UTIL_MEM_H
#define KD_UTIL_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *kd_xmalloc(size_t n);
void *kd_xcalloc(size_t n, size_t size);
void *kd_xrealloc(void *p, size_t n);
/* Grows *p (an array of *cap elements of size elem) to hold at least need. */
void kd_xgrow(void **p, size_t *cap, size_t need, size_t elem);
char *kd_xstrdup(const char *s);
char *kd_xstrndup(const char *s, size_t n);
/* Copies n bytes and adds a NUL; the copy may contain NULs itself. */
char *kd_xmemdup0(const void *s, size_t n);
char *kd_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *kd_vasprintf(const char *fmt, va_list ap);

#define KD_GROW(arr, cap, need) kd_xgrow((void **)&(arr), &(cap), (need), sizeof *(arr))

#endif
