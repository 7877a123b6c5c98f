/* The static front. out/kdoctor is linked statically against glibc (no
 * ld.so, no shared library to map and relocate), which makes `kdoctor
 * lint` of one file start in a fraction of the time; such a binary must
 * not load shared libraries (a second glibc would come with them), so the
 * commands that need libcurl, libarchive, OpenSSL, isa-l, ncurses or cJSON
 * run in kdoctor-full, the same program linked dynamically and installed
 * beside it (or in ../libexec/kdoctor/). In kdoctor-full, and in the
 * sanitizer build, these are no-ops. */
#ifndef KD_CLI_FRONT_H
#define KD_CLI_FRONT_H

/* Keeps argv for kd_need_full (main() calls it first). */
void kd_front_init(char **argv);

/* In the static front: replaces this process with kdoctor-full running the
 * same command line (flushing stdio first; nothing may have been read from
 * standard input or written yet), or prints why it cannot and returns 1.
 * In kdoctor-full: returns 0 and the command goes on. */
int kd_need_full(void);

#endif
