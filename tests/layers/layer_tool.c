/* Test and bench driver for build/layer.h (not installed):
 *   layer-tool extract LAYER DEST        pull form (LAYER "-" = stdin)
 *   layer-tool push LAYER DEST [SEED]    push form, fed in pseudo-random chunks
 *   layer-tool write DIR OUT [--plain] [--mtime fixed|clamp N] [--exclude P]...
 *   layer-tool hostile KIND OUT.tar      writes a hostile tar (see make_hostile)
 * extract/push/write print the stats as "key value" lines; errors go to
 * stderr with exit status 1. */
#include "build/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
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

static int cmd_extract(const char *layer, const char *dest)
{
    kd_layer_stats st;
    kd_error *e = NULL;
    int rc = strcmp(layer, "-") == 0 ? kd_layer_extract_fd(0, dest, NULL, &st, &e)
                                     : kd_layer_extract_file(layer, dest, NULL, &st, &e);
    if (rc < 0)
        return fail(e);
    print_stats(&st);
    return 0;
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

static void add(struct archive *a, const char *name, int type, const char *target,
                const char *data, la_int64_t size)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_copy_pathname(e, name);
    archive_entry_set_filetype(e, (unsigned)type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_mtime(e, 1000000000, 0);
    if (type == AE_IFLNK)
        archive_entry_copy_symlink(e, target);
    if (type == AE_IFREG && target != NULL)
        archive_entry_copy_hardlink(e, target);
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
        add(a, "l/escaped", AE_IFREG, NULL, "pwned\n", -1);
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
    } else {
        return -1;
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
        return cmd_extract(argv[2], argv[3]);
    if (argc >= 4 && strcmp(argv[1], "push") == 0)
        return cmd_push(argv[2], argv[3], argc > 4 ? (unsigned)atoi(argv[4]) : 1);
    if (argc >= 4 && strcmp(argv[1], "write") == 0)
        return cmd_write(argc, argv);
    if (argc >= 4 && strcmp(argv[1], "hostile") == 0)
        return cmd_hostile(argv[2], argv[3]);
    fprintf(stderr, "usage: layer-tool extract|push LAYER DEST | write DIR OUT [opts] | "
                    "hostile KIND OUT\n");
    return 2;
}
