/* The stores of a comparison (see report/compare.h): the work dir inside
 * the user's store session, the seed store of base images, a fresh store
 * per cold build, and keeping the base images a build pulled. */
#include "build/oci.h"
#include "report/compare_int.h"
#include "util/fs.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A copy of a file, where a hard link is refused (another file system,
 * link limits). */
static int copy_file(const char *from, const char *to, kd_error **err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return kd_err(err, errno, "%s", from);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (out < 0) {
        close(in);
        return errno == EEXIST ? 0 : kd_err(err, errno, "%s", to);
    }
    char buf[1 << 16];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (kd_write_all(out, buf, (size_t)n) < 0) {
            rc = kd_err(err, errno, "%s", to);
            break;
        }
    if (n < 0 && rc == 0)
        rc = kd_err(err, errno, "%s", from);
    close(in);
    if (close(out) < 0 && rc == 0)
        rc = kd_err(err, errno, "%s", to);
    if (rc < 0)
        unlink(to);
    return rc;
}

static int link_file(const char *from, const char *to, kd_error **err)
{
    if (link(from, to) == 0 || errno == EEXIST)
        return 0;
    if (errno == ENOENT)
        return 0; /* gone meanwhile: a store never needs every blob */
    return copy_file(from, to, err);
}

/* Every blob of store dir from, hard-linked into store dir to. */
static int link_blobs(const char *from, const char *to, kd_error **err)
{
    char *src = kd_asprintf("%s/blobs/sha256", from);
    char *dst = kd_asprintf("%s/blobs/sha256", to);
    int rc = kd_mkdirs(dst, 0755, err);
    DIR *d = rc == 0 ? opendir(src) : NULL;
    if (rc == 0 && d == NULL && errno != ENOENT)
        rc = kd_err(err, errno, "%s", src);
    struct dirent *e;
    while (rc == 0 && d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *a = kd_asprintf("%s/%s", src, e->d_name);
        char *b = kd_asprintf("%s/%s", dst, e->d_name);
        rc = link_file(a, b, err);
        free(a);
        free(b);
    }
    if (d)
        closedir(d);
    free(src);
    free(dst);
    return rc;
}

/* The image names of store dir from (images.json, see build/store.h). */
static int copy_names(const char *from, const char *to, kd_error **err)
{
    char *src = kd_asprintf("%s/images.json", from);
    char *dst = kd_asprintf("%s/images.json", to);
    char *data = NULL;
    size_t len;
    int rc = 0;
    if (access(src, F_OK) == 0 && (rc = kd_read_file(src, &data, &len, err)) == 0)
        rc = kd_write_file_atomic(dst, NULL, data, len, 0644, err);
    free(data);
    free(src);
    free(dst);
    return rc;
}

/* A store dir holding the blobs and names of store dir from. */
static int seed_from(const char *from, const char *dir, kd_error **err)
{
    if (kd_mkdirs(dir, 0700, err) < 0 || link_blobs(from, dir, err) < 0)
        return -1;
    return copy_names(from, dir, err);
}

int cmp_stores_open(cmp *c, kd_error **err)
{
    if (kd_store_open(c->o->cache_dir, KD_STORE_SHARED, &c->user, err) < 0)
        return -1;
    if (kd_store_mktemp_dir(c->user, "compare-", &c->work, err) < 0)
        return -1;
    char *seed = kd_asprintf("%s/seed", c->work);
    int rc = seed_from(kd_store_dir(c->user), seed, err);
    if (rc == 0)
        rc = kd_store_open(seed, KD_STORE_SHARED, &c->seed, err);
    free(seed);
    return rc;
}

void cmp_stores_close(cmp *c)
{
    kd_store_close(c->seed);
    c->seed = NULL;
    if (c->work)
        kd_remove_tree(c->work, NULL);
    free(c->work);
    c->work = NULL;
    kd_store_close(c->user); /* removes its session, should anything be left */
    c->user = NULL;
}

int cmp_store_new(cmp *c, bool empty, char **dir, kd_error **err)
{
    *dir = kd_asprintf("%s/store-%zu", c->work, ++c->nstores);
    int rc = empty ? kd_mkdirs(*dir, 0700, err) : seed_from(kd_store_dir(c->seed), *dir, err);
    if (rc < 0) {
        kd_remove_tree(*dir, NULL);
        free(*dir);
        *dir = NULL;
    }
    return rc;
}

/* Links blob digest of store run, and what it refers to (an index's
 * manifests, a manifest's config and layers), into the seed. */
static void link_closure(cmp *c, kd_store *run, const char *digest, int depth)
{
    char *from = kd_store_blob_path(run, digest), *to = kd_store_blob_path(c->seed, digest);
    bool have = from && to && access(from, F_OK) == 0 && link_file(from, to, NULL) == 0;
    free(from);
    free(to);
    char *data;
    size_t len;
    if (!have || depth > 4 || kd_store_blob_read(run, digest, KD_MANIFEST_MAX, &data, &len, NULL) < 0)
        return;
    kd_index ix;
    kd_manifest m;
    if (kd_doc_kind_of(NULL, data, len) == KD_DOC_INDEX) {
        if (kd_index_parse(data, len, NULL, &ix, NULL) == 0) {
            for (size_t i = 0; i < ix.nmanifests; i++)
                link_closure(c, run, ix.manifests[i].digest, depth + 1);
            kd_index_free(&ix);
        }
    } else if (kd_manifest_parse(data, len, NULL, &m, NULL) == 0) {
        link_closure(c, run, m.config.digest, 5);
        for (size_t i = 0; i < m.nlayers; i++)
            link_closure(c, run, m.layers[i].digest, 5);
        kd_manifest_free(&m);
    }
    free(data);
}

void cmp_store_harvest(cmp *c, kd_store *run, const kd_timings *t)
{
    for (size_t i = 0; i < t->nstages; i++) {
        const char *base = t->stages[i].base;
        char digest[KD_DIGEST_STR_LEN + 1];
        if (base == NULL || strncmp(base, "stage ", 6) == 0 || strcmp(base, "scratch") == 0)
            continue;
        /* best effort: a base not kept is pulled again by the next cold build */
        if (kd_store_image_get(c->seed, base, digest, NULL) != 1 ||
            kd_store_image_get(run, base, digest, NULL) != 0)
            continue;
        link_closure(c, run, digest, 0);
        kd_store_image_set(c->seed, base, digest, NULL);
    }
}
