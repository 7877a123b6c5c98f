/* The store's unpacked layers (layers/sha256/<diff hex>/ and .json) and its
 * local image index (images.json). See store.h. */
#include "build/oci_json.h"
#include "build/store.h"
#include "build/store_int.h"
#include "util/fs.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- layers ------------------------------------------------------------ */

void kd_layer_meta_init(kd_layer_meta *m)
{
    memset(m, 0, sizeof *m);
    m->blob_size = m->tar_size = m->files = -1;
}

void kd_layer_meta_free(kd_layer_meta *m)
{
    free(m->media_type);
    kd_layer_meta_init(m);
}

char *kd_store_layer_path(const kd_store *s, const char *diff_id)
{
    if (!kd_digest_valid(diff_id))
        return NULL;
    return kd_asprintf("%s/layers/sha256/%s", s->dir, kd_digest_hex(diff_id));
}

bool kd_store_has_layer(const kd_store *s, const char *diff_id)
{
    char *p = kd_store_layer_path(s, diff_id);
    struct stat st;
    bool there = p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return there;
}

static char *meta_to_json(const kd_layer_meta *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "diff_id", m->diff_id);
    kd_json_add_str(o, "blob", m->blob);
    kd_json_add_str(o, "mediaType", m->media_type);
    kd_json_add_int(o, "blobSize", m->blob_size);
    kd_json_add_int(o, "tarSize", m->tar_size);
    kd_json_add_int(o, "files", m->files);
    return kd_json_print(o, NULL);
}

/* Puts the metadata file in place unless one is there (link(2) does not
 * replace): the first producer's record stays. */
static int meta_install(kd_store *s, const char *json_path, const kd_layer_meta *m,
                        kd_error **err)
{
    char *json = meta_to_json(m);
    int fd;
    char *tmp;
    int rc = kd_store_mktemp_file(s, "meta-", &fd, &tmp, err);
    if (rc == 0) {
        if (kd_write_all(fd, json, strlen(json)) < 0 || fchmod(fd, 0644) < 0)
            rc = kd_err(err, errno, "cannot write %s", tmp);
        close(fd);
        if (rc == 0 && link(tmp, json_path) < 0 && errno != EEXIST)
            rc = kd_err(err, errno, "cannot create %s", json_path);
        unlink(tmp);
        free(tmp);
    }
    free(json);
    return rc;
}

/* rename(2) that fails when the target exists (renameat2 RENAME_NOREPLACE),
 * falling back to plain rename, which still refuses a non-empty target
 * directory, where the flag is not supported. */
static int rename_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    return rename(from, to);
}

int kd_store_layer_commit(kd_store *s, const char *dir, const kd_layer_meta *m, bool *won,
                          kd_error **err)
{
    if (won)
        *won = false;
    char *dest = kd_store_layer_path(s, m->diff_id);
    int rc = 0;
    kd_error *ignored = NULL;
    if (dest == NULL) {
        rc = kd_err(err, 0, "invalid diff_id \"%.80s\"", m->diff_id);
        goto out;
    }
    char *json_path = kd_asprintf("%s.json", dest);
    rc = meta_install(s, json_path, m, err);
    free(json_path);
    if (rc == 0 && rename_noreplace(dir, dest) == 0) {
        if (won)
            *won = true;
    } else if (rc == 0 && errno != EEXIST && errno != ENOTEMPTY) {
        rc = kd_err(err, errno, "cannot move layer %s into the store", m->diff_id);
    }
out:
    /* lost the race, or failed: our copy goes */
    if (won == NULL || !*won)
        kd_remove_tree(dir, &ignored);
    kd_error_free(ignored);
    free(dest);
    return rc;
}

static int meta_from_json(const char *data, size_t len, kd_layer_meta *m, kd_error **err)
{
    const char *what = "layer metadata";
    cJSON *j = kd_json_parse(data, len, what, err);
    if (j == NULL)
        return -1;
    char *diff = NULL, *blob = NULL;
    int rc = -1;
    if (kd_json_str(j, "diff_id", what, &diff, err) < 0 ||
        kd_json_str(j, "blob", what, &blob, err) < 0 ||
        kd_json_str(j, "mediaType", what, &m->media_type, err) < 0 ||
        kd_json_int(j, "blobSize", what, -1, KD_JSON_INT_MAX, &m->blob_size, err) < 0 ||
        kd_json_int(j, "tarSize", what, -1, KD_JSON_INT_MAX, &m->tar_size, err) < 0 ||
        kd_json_int(j, "files", what, -1, KD_JSON_INT_MAX, &m->files, err) < 0)
        goto done;
    if (!kd_digest_valid(diff) || (blob && !kd_digest_valid(blob))) {
        kd_err(err, 0, "%s: bad digest", what);
        goto done;
    }
    memcpy(m->diff_id, diff, sizeof m->diff_id);
    if (blob)
        memcpy(m->blob, blob, sizeof m->blob);
    rc = 0;
done:
    free(diff);
    free(blob);
    cJSON_Delete(j);
    return rc;
}

int kd_store_layer_meta(const kd_store *s, const char *diff_id, kd_layer_meta *out,
                        kd_error **err)
{
    kd_layer_meta_init(out);
    char *dir = kd_store_layer_path(s, diff_id);
    if (dir == NULL)
        return kd_err(err, 0, "invalid diff_id \"%.80s\"", diff_id);
    char *path = kd_asprintf("%s.json", dir);
    free(dir);
    char *data = NULL;
    size_t len = 0;
    kd_error *e = NULL;
    int rc = kd_read_file(path, &data, &len, &e);
    if (rc < 0) {
        rc = e->errnum == ENOENT ? 1 : kd_err(err, e->errnum, "%s", e->msg);
        kd_error_free(e);
    } else if (meta_from_json(data, len, out, err) < 0 || strcmp(out->diff_id, diff_id) != 0) {
        kd_layer_meta_free(out);
        rc = kd_err(err, 0, "%s does not describe layer %s", path, diff_id);
    }
    free(data);
    free(path);
    return rc;
}

/* ---- images.json ------------------------------------------------------ */

typedef struct images {
    kd_store_image *v;
    size_t n;
} images;

static int images_lock(kd_store *s, int op, kd_error **err)
{
    char *p = kd_asprintf("%s/images.lock", s->dir);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || kd_lock_fd(fd, op) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        kd_err(err, e, "cannot lock %s", p);
        free(p);
        return -1;
    }
    free(p);
    return fd;
}

static void image_add(images *im, const char *name, const char *digest, const char *created)
{
    im->v = kd_xrealloc(im->v, (im->n + 1) * sizeof *im->v);
    kd_store_image *e = &im->v[im->n++];
    e->name = kd_xstrdup(name);
    memcpy(e->digest, digest, sizeof e->digest);
    e->created = kd_strdup_null(created);
}

static int image_from_json(const cJSON *e, images *im, kd_error **err)
{
    char *digest = NULL, *created = NULL;
    int rc = -1;
    if (!cJSON_IsObject(e) || e->string == NULL) {
        kd_err(err, 0, "images.json: entries must be objects");
    } else if (kd_json_str(e, "digest", "images.json", &digest, err) == 0 &&
               kd_json_str(e, "created", "images.json", &created, err) == 0) {
        if (!kd_digest_valid(digest))
            kd_err(err, 0, "images.json: %s has no valid digest", e->string);
        else
            image_add(im, e->string, digest, created), rc = 0;
    }
    free(digest);
    free(created);
    return rc;
}

/* Reads images.json (absent: empty). The caller holds images.lock. */
static int images_read(kd_store *s, images *im, kd_error **err)
{
    memset(im, 0, sizeof *im);
    char *path = kd_asprintf("%s/images.json", s->dir);
    char *data = NULL;
    size_t len = 0;
    kd_error *e = NULL;
    int rc = 0;
    if (kd_read_file(path, &data, &len, &e) < 0) {
        if (e->errnum != ENOENT)
            rc = kd_err(err, e->errnum, "%s", e->msg);
        kd_error_free(e);
        free(path);
        return rc;
    }
    cJSON *j = kd_json_parse(data, len, path, err);
    const cJSON *list = j ? kd_json_get(j, "images") : NULL;
    rc = j ? 0 : -1;
    for (const cJSON *it = list ? list->child : NULL; it && rc == 0; it = it->next)
        rc = image_from_json(it, im, err);
    cJSON_Delete(j);
    free(data);
    if (rc < 0)
        kd_error_wrap(err ? *err : NULL, "the store's image index %s is damaged", path);
    free(path);
    return rc;
}

static int image_cmp(const void *a, const void *b)
{
    return strcmp(((const kd_store_image *)a)->name, ((const kd_store_image *)b)->name);
}

static int images_write(kd_store *s, images *im, kd_error **err)
{
    if (im->n > 1)
        qsort(im->v, im->n, sizeof *im->v, image_cmp);
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_AddObjectToObject(o, "images");
    for (size_t i = 0; i < im->n; i++) {
        cJSON *e = cJSON_AddObjectToObject(list, im->v[i].name);
        cJSON_AddStringToObject(e, "digest", im->v[i].digest);
        kd_json_add_str(e, "created", im->v[i].created);
    }
    size_t len;
    char *json = kd_json_print(o, &len);
    char *path = kd_asprintf("%s/images.json", s->dir);
    int rc = kd_write_file_atomic(path, s->session, json, len, 0644, err);
    free(path);
    free(json);
    return rc;
}

static ssize_t image_find(const images *im, const char *name)
{
    for (size_t i = 0; i < im->n; i++)
        if (strcmp(im->v[i].name, name) == 0)
            return (ssize_t)i;
    return -1;
}

/* Locks images.lock (op: LOCK_SH to read, LOCK_EX to change) and reads the
 * index; returns the lock's fd, to give to images_done. */
static int images_begin(kd_store *s, int op, images *im, kd_error **err)
{
    int fd = images_lock(s, op, err);
    if (fd >= 0 && images_read(s, im, err) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void images_done(int fd, images *im)
{
    kd_store_images_free(im->v, im->n);
    close(fd);
}

int kd_store_image_set(kd_store *s, const char *name, const char *digest, kd_error **err)
{
    if (!kd_digest_valid(digest))
        return kd_err(err, 0, "invalid digest \"%.80s\"", digest);
    images im;
    int fd = images_begin(s, LOCK_EX, &im, err);
    if (fd < 0)
        return -1;
    char now[32];
    time_t t = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    ssize_t i = image_find(&im, name);
    if (i >= 0 && strcmp(im.v[i].digest, digest) == 0) {
        /* already so (a cached rebuild): no rewrite, no fsync */
        images_done(fd, &im);
        return 0;
    }
    if (i >= 0) {
        memcpy(im.v[i].digest, digest, sizeof im.v[i].digest);
        free(im.v[i].created);
        im.v[i].created = kd_xstrdup(now);
    } else {
        image_add(&im, name, digest, now);
    }
    int rc = images_write(s, &im, err);
    images_done(fd, &im);
    return rc;
}

int kd_store_image_get(kd_store *s, const char *name, char digest[KD_DIGEST_STR_LEN + 1],
                       kd_error **err)
{
    images im;
    int fd = images_begin(s, LOCK_SH, &im, err);
    if (fd < 0)
        return -1;
    ssize_t i = image_find(&im, name);
    if (i >= 0)
        memcpy(digest, im.v[i].digest, KD_DIGEST_STR_LEN + 1);
    images_done(fd, &im);
    return i < 0 ? 1 : 0;
}

int kd_store_image_remove(kd_store *s, const char *name, kd_error **err)
{
    images im;
    int fd = images_begin(s, LOCK_EX, &im, err);
    if (fd < 0)
        return -1;
    ssize_t i = image_find(&im, name);
    int rc = 1;
    if (i >= 0) {
        free(im.v[i].name);
        free(im.v[i].created);
        memmove(&im.v[i], &im.v[i + 1], (im.n - (size_t)i - 1) * sizeof im.v[0]);
        im.n--;
        rc = images_write(s, &im, err);
    }
    images_done(fd, &im);
    return rc;
}

int kd_store_image_list(kd_store *s, kd_store_image **list, size_t *n, kd_error **err)
{
    images im;
    int fd = images_begin(s, LOCK_SH, &im, err);
    if (fd < 0)
        return -1;
    close(fd);
    if (im.n > 1) /* qsort(NULL, 0) is undefined (UBSan) */
        qsort(im.v, im.n, sizeof *im.v, image_cmp);
    *list = im.v;
    *n = im.n;
    return 0;
}

void kd_store_images_free(kd_store_image *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].created);
    }
    free(list);
}
