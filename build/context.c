/* The build context: what .dockerignore lets through, with a content hash
 * per entry and for the whole set (the cache keys of issue 6).
 * Owner: build-sandbox (helper C). Declared in build/dockerignore.h. */
#include "build/dockerignore.h"
#include "build/fsroot.h"
#include "util/buf.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int hash_contents(int dirfd, const char *name, const char *path, const struct stat *st,
                         kd_sha256 *h, kd_error **err)
{
    if (S_ISLNK(st->st_mode)) {
        char target[4096];
        ssize_t n = readlinkat(dirfd, name, target, sizeof target);
        if (n < 0)
            return kd_err(err, errno, "cannot read link %s", path);
        kd_sha256_update(h, target, (size_t)n);
        return 0;
    }
    if (!S_ISREG(st->st_mode))
        return 0;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return kd_err(err, errno, "cannot open %s", path);
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        kd_sha256_update(h, buf, (size_t)n);
    int e = errno;
    close(fd);
    return n < 0 ? kd_err(err, e, "cannot read %s", path) : 0;
}

int kd_ctx_entry_hash(int dirfd, const char *name, const char *path, const struct stat *st,
                      char out[KD_DIGEST_STR_LEN + 1], kd_error **err)
{
    kd_sha256 *h = kd_sha256_new();
    char head[128];
    unsigned long long size = S_ISDIR(st->st_mode) ? 0 : (unsigned long long)st->st_size;
    /* no owner: COPY from the context makes files root's (or --chown's),
     * and two CI runners checking out as different users must share keys */
    int n = snprintf(head, sizeof head, "%o %llu", (unsigned)st->st_mode, size);
    kd_sha256_update(h, path, strlen(path) + 1);
    kd_sha256_update(h, head, (size_t)n + 1);
    if (hash_contents(dirfd, name, path, st, h, err) < 0) {
        kd_sha256_free(h);
        return -1;
    }
    kd_sha256_final(h, out);
    return 0;
}

static int add_entry(kd_ctx *c, int dirfd, const char *name, const char *path,
                     const struct stat *st, kd_error **err)
{
    KD_GROW(c->entries, c->cap, c->n + 1);
    kd_ctx_entry *e = &c->entries[c->n];
    *e = (kd_ctx_entry){.path = kd_xstrdup(path), .mode = st->st_mode, .uid = st->st_uid,
                        .gid = st->st_gid, .size = S_ISDIR(st->st_mode) ? 0 : (uint64_t)st->st_size};
    if (kd_ctx_entry_hash(dirfd, name, path, st, e->digest, err) < 0) {
        free(e->path);
        return -1;
    }
    c->n++;
    return 0;
}

static int walk(kd_ctx *c, int fd, const char *prefix, const kd_ignore *ign, kd_error **err);

static int walk_one(kd_ctx *c, int fd, const char *name, const char *path, const kd_ignore *ign,
                    kd_error **err)
{
    struct stat st;
    if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return kd_err(err, errno, "cannot stat %s", path);
    bool excluded = kd_ignore_match(ign, path);
    if (!S_ISDIR(st.st_mode))
        return excluded ? 0 : add_entry(c, fd, name, path, &st, err);
    if (excluded && !kd_ignore_has_exceptions(ign))
        return 0;
    size_t before = c->n;
    if (!excluded && add_entry(c, fd, name, path, &st, err) < 0)
        return -1;
    int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
        return kd_err(err, errno, "cannot open %s", path);
    int rc = walk(c, sub, path, ign, err);
    close(sub);
    /* an excluded dir with an included child is listed as its parent */
    if (rc == 0 && excluded && c->n > before)
        rc = add_entry(c, fd, name, path, &st, err);
    return rc;
}

static int walk(kd_ctx *c, int fd, const char *prefix, const kd_ignore *ign, kd_error **err)
{
    size_t n = 0;
    char **names = kd_dir_names(fd, &n);
    if (names == NULL)
        return kd_err(err, errno, "cannot list %s", *prefix ? prefix : ".");
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = *prefix ? kd_asprintf("%s/%s", prefix, names[i]) : kd_xstrdup(names[i]);
        if (rc == 0)
            rc = walk_one(c, fd, names[i], path, ign, err);
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

static int cmp_entries(const void *a, const void *b)
{
    return strcmp(((const kd_ctx_entry *)a)->path, ((const kd_ctx_entry *)b)->path);
}

int kd_ctx_walk(const char *dir, const kd_ignore *ign, kd_ctx *out, kd_error **err)
{
    *out = (kd_ctx){0};
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return kd_err(err, errno, "cannot open build context %s", dir);
    int rc = walk(out, fd, "", ign, err);
    close(fd);
    if (rc < 0) {
        kd_ctx_free(out);
        return -1;
    }
    if (out->n)
        qsort(out->entries, out->n, sizeof *out->entries, cmp_entries);
    kd_sha256 *h = kd_sha256_new();
    for (size_t i = 0; i < out->n; i++) {
        kd_sha256_update(h, out->entries[i].path, strlen(out->entries[i].path) + 1);
        kd_sha256_update(h, out->entries[i].digest, KD_DIGEST_STR_LEN);
        kd_sha256_update(h, "\n", 1);
    }
    kd_sha256_final(h, out->digest);
    return 0;
}

void kd_ctx_free(kd_ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->entries[i].path);
    free(c->entries);
    *c = (kd_ctx){0};
}
