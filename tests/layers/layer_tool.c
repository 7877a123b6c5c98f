/* Test and bench driver for build/layer.h (not installed):
 *   layer-tool extract LAYER DEST [--no-chown]
 *                                        pull form (LAYER "-" = stdin)
 *   layer-tool push LAYER DEST [SEED]    push form, fed in pseudo-random chunks
 *   layer-tool naive LAYER DEST          bench baseline: libarchive's defaults
 *                                        (zlib filter, archive_read_extract)
 *   layer-tool write DIR OUT [--plain] [--mtime fixed|clamp N] [--exclude P]...
 *   layer-tool hostile KIND OUT.tar [OUTSIDE]
 *                                        writes a hostile or odd tar (see
 *                                        make_hostile); link targets "OUTSIDE..."
 *                                        start with the OUTSIDE directory
 * extract/push/write print the stats as "key value" lines; errors go to
 * stderr with exit status 1. */
#include "build/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void print_stats(const kd_layer_stats *st)
{
    printf("digest %s\ndiff_id %s\nsize %llu\ntar_size %llu\nentries %llu\nfiles %llu\n"
           "file_bytes %llu\nwhiteouts %llu\ngzip %d\n",
           st->digest, st->diff_id, (unsigned long long)st->size,
           (unsigned long long)st->tar_size, (unsigned long long)st->entries,
           (unsigned long long)st->files, (unsigned long long)st->file_bytes,
           (unsigned long long)st->whiteouts, st->gzip);
}

static int fail(kd_error *e)
{
    fprintf(stderr, "layer-tool: %s\n", e ? e->msg : "failed");
    kd_error_free(e);
    return 1;
}

static int cmd_extract(const char *layer, const char *dest, bool no_chown)
{
    kd_layer_stats st;
    kd_error *e = NULL;
    kd_layer_extract_opts o = {.flags = no_chown ? KD_LAYER_NO_CHOWN : 0};
    int rc = strcmp(layer, "-") == 0 ? kd_layer_extract_fd(0, dest, &o, &st, &e)
                                     : kd_layer_extract_file(layer, dest, &o, &st, &e);
    if (rc < 0)
        return fail(e);
    print_stats(&st);
    return 0;
}

/* What a straightforward libarchive user would write, for the bench. */
static int cmd_naive(const char *layer, const char *dest)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_TIME |
                ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
    int rc = archive_read_open_filename(a, layer, 1 << 20) == ARCHIVE_OK ? 0 : 1;
    struct archive_entry *e;
    if (rc == 0 && chdir(dest) < 0)
        rc = 1;
    while (rc == 0 && archive_read_next_header(a, &e) == ARCHIVE_OK)
        if (archive_read_extract(a, e, flags) < ARCHIVE_WARN)
            rc = 1;
    if (rc)
        fprintf(stderr, "layer-tool: %s\n", archive_error_string(a));
    archive_read_free(a);
    return rc;
}

/* Feeds the file in chunks of 1 byte to 200 KB, as a download would. */
static int cmd_push(const char *layer, const char *dest, unsigned seed)
{
    int fd = strcmp(layer, "-") == 0 ? 0 : open(layer, O_RDONLY);
    if (fd < 0)
        return perror(layer), 1;
    kd_error *e = NULL;
    kd_layer_extractor *x = kd_layer_extractor_new(dest, NULL, &e);
    if (x == NULL)
        return fail(e);
    static char buf[200000];
    srand(seed);
    for (;;) {
        size_t want = (size_t)(rand() % 4 == 0 ? 1 + rand() % 16 : 1 + rand() % (int)sizeof buf);
        ssize_t n = read(fd, buf, want);
        if (n <= 0)
            break;
        if (kd_layer_extractor_sink(x, buf, (size_t)n) < 0)
            break; /* finish() reports the error */
    }
    kd_layer_stats st;
    if (kd_layer_extractor_finish(x, &st, &e) < 0)
        return fail(e);
    print_stats(&st);
    return 0;
}

static int cmd_write(int argc, char **argv)
{
    kd_layer_write_opts o = {0};
    const char *ex[64];
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--plain") == 0) {
            o.compression = KD_LAYER_UNCOMPRESSED;
        } else if (strcmp(argv[i], "--mtime") == 0 && i + 2 < argc) {
            o.mtime_mode = strcmp(argv[i + 1], "fixed") == 0 ? KD_LAYER_MTIME_FIXED
                                                             : KD_LAYER_MTIME_CLAMP;
            o.mtime = atoll(argv[i + 2]);
            i += 2;
        } else if (strcmp(argv[i], "--exclude") == 0 && i + 1 < argc && o.nexcludes < 64) {
            ex[o.nexcludes++] = argv[++i];
        } else {
            fprintf(stderr, "layer-tool: bad option %s\n", argv[i]);
            return 2;
        }
    }
    o.excludes = ex;
    int fd = strcmp(argv[3], "-") == 0 ? 1 : open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return perror(argv[3]), 1;
    kd_layer_stats st;
    kd_error *e = NULL;
    int rc = kd_layer_write(argv[2], fd, &o, &st, &e);
    if (fd != 1)
        close(fd);
    if (rc < 0)
        return fail(e);
    if (fd != 1)
        print_stats(&st);
    return 0;
}

/* ---- hostile tars ---- */

static const char *outside = "/nonexistent-outside";

static void set_target(struct archive_entry *e, const char *target, bool hard)
{
    char buf[4096];
    if (strncmp(target, "OUTSIDE", 7) == 0) {
        snprintf(buf, sizeof buf, "%s%s", outside, target + 7);
        target = buf;
    }
    if (hard)
        archive_entry_copy_hardlink(e, target);
    else
        archive_entry_copy_symlink(e, target);
}

static void add(struct archive *a, const char *name, int type, const char *target,
                const char *data, la_int64_t size)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_copy_pathname(e, name);
    archive_entry_set_filetype(e, (unsigned)type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_mtime(e, 1000000000, 0);
    if (type == AE_IFLNK)
        set_target(e, target, false);
    if (type == AE_IFREG && target != NULL)
        set_target(e, target, true);
    if (type == AE_IFCHR)
        archive_entry_set_rdev(e, makedev(1, 3));
    size_t n = data ? strlen(data) : 0;
    archive_entry_set_size(e, type == AE_IFREG && target == NULL ? (size < 0 ? (la_int64_t)n : size)
                                                                 : 0);
    archive_write_header(a, e);
    if (n)
        archive_write_data(a, data, n);
    archive_entry_free(e);
}

/* 100,000 tiny files in 100 directories */
static void make_many(struct archive *a)
{
    char name[64];
    for (int d = 0; d < 100; d++) {
        snprintf(name, sizeof name, "d%02d/", d);
        add(a, name, AE_IFDIR, NULL, NULL, 0);
        for (int f = 0; f < 1000; f++) {
            snprintf(name, sizeof name, "d%02d/f%03d", d, f);
            add(a, name, AE_IFREG, NULL, f % 2 ? "x" : NULL, -1);
        }
    }
}

/* a tree 1000 directories deep, a file at the bottom */
static void make_deep(struct archive *a)
{
    static char path[4096];
    size_t len = 0;
    for (int i = 0; i < 1000; i++) {
        memcpy(path + len, "d/", 3);
        len += 2;
        add(a, path, AE_IFDIR, NULL, NULL, 0);
    }
    memcpy(path + len, "bottom", 7);
    add(a, path, AE_IFREG, NULL, "deep\n", -1);
}

static int make_odd(const char *kind, struct archive *a)
{
    if (strcmp(kind, "names") == 0) {
        add(a, "new\nline", AE_IFREG, NULL, "1\n", -1);
        add(a, "bad\377\376utf8", AE_IFREG, NULL, "2\n", -1);
        add(a, "dir\nx/", AE_IFDIR, NULL, NULL, 0);
        add(a, "dir\nx/caf\xc3\xa9", AE_IFREG, NULL, "3\n", -1);
    } else if (strcmp(kind, "dups") == 0) {
        add(a, "f", AE_IFREG, NULL, "first\n", -1);
        add(a, "f", AE_IFREG, NULL, "second\n", -1);
        add(a, "d/", AE_IFDIR, NULL, NULL, 0);
        add(a, "d/inner", AE_IFREG, NULL, "gone\n", -1);
        add(a, "d", AE_IFREG, NULL, "file now\n", -1);
        add(a, "e", AE_IFREG, NULL, "file\n", -1);
        add(a, "e/", AE_IFDIR, NULL, NULL, 0);
        add(a, "e/x", AE_IFREG, NULL, "in dir\n", -1);
        add(a, "m/", AE_IFDIR, NULL, NULL, 0);
        add(a, "m/a", AE_IFREG, NULL, "a\n", -1);
        add(a, "m/", AE_IFDIR, NULL, NULL, 0);
        add(a, "m/b", AE_IFREG, NULL, "b\n", -1);
    } else if (strcmp(kind, "whiteouts") == 0) {
        add(a, "etc/", AE_IFDIR, NULL, NULL, 0);
        add(a, "etc/.wh.passwd", AE_IFREG, NULL, NULL, -1);
        add(a, "opq/", AE_IFDIR, NULL, NULL, 0);
        add(a, "opq/.wh..wh..opq", AE_IFREG, NULL, NULL, -1);
        add(a, "opq/kept", AE_IFREG, NULL, "k\n", -1);
        add(a, "implicit/.wh.x", AE_IFREG, NULL, NULL, -1);
        add(a, ".wh..wh.plnk/", AE_IFDIR, NULL, NULL, 0);
        add(a, ".wh..wh.plnk/123", AE_IFREG, NULL, "aufs\n", -1);
    } else if (strcmp(kind, "many") == 0) {
        make_many(a);
    } else if (strcmp(kind, "deep") == 0) {
        make_deep(a);
    } else {
        return -1;
    }
    return 0;
}

static int make_hostile(const char *kind, struct archive *a)
{
    if (strcmp(kind, "dotdot") == 0) {
        add(a, "ok", AE_IFREG, NULL, "fine\n", -1);
        add(a, "../escaped", AE_IFREG, NULL, "pwned\n", -1);
    } else if (strcmp(kind, "abs") == 0) {
        add(a, "/escaped-abs", AE_IFREG, NULL, "pwned\n", -1);
    } else if (strcmp(kind, "dotdot-deep") == 0) {
        add(a, "a/", AE_IFDIR, NULL, NULL, 0);
        add(a, "a/../../escaped", AE_IFREG, NULL, "pwned\n", -1);
    } else if (strcmp(kind, "symlink-parent") == 0) {
        add(a, "l", AE_IFLNK, "OUTSIDE", NULL, 0);
        add(a, "l/passwd", AE_IFREG, NULL, "pwned\n", -1);
    } else if (strcmp(kind, "symlink-swap") == 0) {
        add(a, "d/", AE_IFDIR, NULL, NULL, 0);
        add(a, "d/a", AE_IFREG, NULL, "inside\n", -1);
        add(a, "d", AE_IFLNK, "OUTSIDE", NULL, 0);
        add(a, "d/escaped", AE_IFREG, NULL, "pwned\n", -1);
    } else if (strcmp(kind, "symlink-file") == 0) {
        /* a symlink, then a regular file of the same name: replaced, not followed */
        add(a, "f", AE_IFLNK, "OUTSIDE/escaped", NULL, 0);
        add(a, "f", AE_IFREG, NULL, "inside\n", -1);
    } else if (strcmp(kind, "hardlink-abs") == 0) {
        add(a, "h", AE_IFREG, "/etc/passwd", NULL, 0);
    } else if (strcmp(kind, "hardlink-dotdot") == 0) {
        add(a, "h", AE_IFREG, "../x", NULL, 0);
    } else if (strcmp(kind, "hardlink-symlink") == 0) {
        add(a, "l", AE_IFLNK, "OUTSIDE", NULL, 0);
        add(a, "h", AE_IFREG, "l/secret", NULL, 0);
    } else if (strcmp(kind, "hardlink-missing") == 0) {
        add(a, "h", AE_IFREG, "nothere", NULL, 0);
    } else if (strcmp(kind, "overlay-xattr") == 0) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_copy_pathname(e, "d/");
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_perm(e, 0755);
        archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/etc", 4);
        archive_write_header(a, e);
        archive_entry_free(e);
    } else if (strcmp(kind, "whiteout-dotdot") == 0) {
        add(a, ".wh...", AE_IFREG, NULL, NULL, -1);
    } else if (strcmp(kind, "root-file") == 0) {
        add(a, "./", AE_IFREG, NULL, "x\n", -1);
    } else {
        return make_odd(kind, a);
    }
    return 0;
}

static int cmd_hostile(const char *kind, const char *out)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (archive_write_open_filename(a, out) != ARCHIVE_OK)
        return fprintf(stderr, "%s\n", archive_error_string(a)), 1;
    int rc = make_hostile(kind, a);
    archive_write_close(a);
    archive_write_free(a);
    if (rc < 0)
        fprintf(stderr, "layer-tool: unknown hostile kind %s\n", kind);
    return rc < 0 ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "extract") == 0)
        return cmd_extract(argv[2], argv[3], argc > 4 && strcmp(argv[4], "--no-chown") == 0);
    if (argc >= 4 && strcmp(argv[1], "naive") == 0)
        return cmd_naive(argv[2], argv[3]);
    if (argc >= 4 && strcmp(argv[1], "push") == 0)
        return cmd_push(argv[2], argv[3], argc > 4 ? (unsigned)atoi(argv[4]) : 1);
    if (argc >= 4 && strcmp(argv[1], "write") == 0)
        return cmd_write(argc, argv);
    if (argc >= 4 && strcmp(argv[1], "hostile") == 0) {
        if (argc > 4)
            outside = argv[4];
        return cmd_hostile(argv[2], argv[3]);
    }
    fprintf(stderr, "usage: layer-tool extract|push LAYER DEST | write DIR OUT [opts] | "
                    "hostile KIND OUT\n");
    return 2;
}
