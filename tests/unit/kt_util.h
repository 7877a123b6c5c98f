/* Shell helpers for unit tests that set up trees on disk. Owner:
 * build-sandbox (helper C); free for any test. */
#ifndef KD_TESTS_KT_UTIL_H
#define KD_TESTS_KT_UTIL_H

/* Runs a formatted shell command; its exit status, or -1. */
int kt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The standard output of a formatted shell command (owned, never NULL). */
char *kt_sh_output(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A file's text (owned), or NULL when it cannot be read. */
char *kt_file_text(const char *path);

#endif
