/* Image outputs: OCI layout, docker-archive tar, registry push. */
#include "build/output.h"
#include "build/oci.h"
#include "build/oci_json.h"
#include "util/fs.h"
#include "util/fs.h"
#include "util/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The manifest (from the store, verified) and its config. */
typedef struct image {
    kd_manifest m;
    kd_image_config c;
    size_t mlen;
} image;

static int load_image(kd_store *s, const char *digest, image *im, kd_error **err)
{
    memset(im, 0, sizeof *im);
    char *data = NULL, *cfg = NULL;
    size_t len, clen;
    int rc = kd_store_blob_read(s, digest, KD_MANIFEST_MAX, &data, &len, err);
    if (rc == 0 && (rc = kd_manifest_parse(data, len, NULL, &im->m, err)) == 0)
        rc = kd_store_blob_read(s, im->m.config.digest, KD_MANIFEST_MAX, &cfg, &clen, err);
    if (rc == 0)
        rc = kd_image_config_parse(cfg, clen, &im->c, err);
    if (rc == 0 && im->c.diff_ids.n != im->m.nlayers)
        rc = kd_err(err, 0, "image %s: %zu layers but %zu diff_ids", digest, im->m.nlayers,
                    im->c.diff_ids.n);
    im->mlen = len;
    free(data);
    free(cfg);
    if (rc < 0) {
        kd_manifest_free(&im->m);
        kd_image_config_free(&im->c);
    }
    return rc;
}

static void image_free(image *im)
{
    kd_manifest_free(&im->m);
    kd_image_config_free(&im->c);
}

/* Copies the file from to a new file at to (via a temp name). */
static int copy_file(const char *from, const char *to, kd_error **err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return kd_err(err, errno, "cannot open %s", from);
    char *tmp = kd_asprintf("%s.tmp-XXXXXX", to);
    int out = mkostemp(tmp, O_CLOEXEC);
    int rc = out < 0 ? kd_err(err, errno, "cannot create %s", to) : 0;
    char buf[1 << 16];
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || kd_write_all(out, buf, (size_t)n) < 0)
            rc = kd_err(err, errno, "cannot copy %s", from);
    }
    if (out >= 0) {
        if (rc == 0 && (fchmod(out, 0644) < 0 || fsync(out) < 0))
            rc = kd_err(err, errno, "cannot write %s", tmp);
        close(out);
        if (rc == 0 && rename(tmp, to) < 0)
            rc = kd_err(err, errno, "cannot create %s", to);
        if (rc < 0)
            unlink(tmp);
    }
    close(in);
    free(tmp);
    return rc;
}

/* Puts a store blob into dir/blobs/sha256/: a hard link where the file
 * system allows (blobs are never modified in place), else a copy. */
static int put_layout_blob(kd_store *s, const char *dir, const char *digest, kd_error **err)
{
    char *dest = kd_asprintf("%s/blobs/sha256/%s", dir, kd_digest_hex(digest));
    char *src = kd_store_blob_path(s, digest);
    int rc = 0;
    if (access(dest, F_OK) == 0) {
        rc = 0; /* content addressed: already right */
    } else if (!kd_store_has_blob(s, digest, NULL)) {
        rc = kd_err(err, 0, "blob %s is not in the store", digest);
    } else if (link(src, dest) < 0 && errno != EEXIST) {
        rc = copy_file(src, dest, err);
    }
    free(src);
    free(dest);
    return rc;
}

/* index.json of the layout (a new one when missing). */
static int load_layout_index(const char *path, kd_index *ix, kd_error **err)
{
    char *data;
    size_t len;
    kd_error *e = NULL;
    if (kd_read_file(path, &data, &len, &e) < 0) {
        int missing = e->errnum == ENOENT;
        kd_error_free(e);
        if (!missing)
            return kd_err(err, 0, "cannot read %s", path);
        memset(ix, 0, sizeof *ix);
        ix->media_type = kd_xstrdup(KD_MT_OCI_INDEX);
        return 0;
    }
    int rc = kd_index_parse(data, len, KD_MT_OCI_INDEX, ix, err);
    free(data);
    if (rc < 0 && err && *err)
        kd_error_wrap(*err, "%s", path);
    return rc;
}

/* Drops entries of ix named ref_name (or, without a name, unnamed entries
 * of the same digest), so the new one replaces them. */
static void drop_entries(kd_index *ix, const char *ref_name, const char *digest)
{
    size_t k = 0;
    for (size_t i = 0; i < ix->nmanifests; i++) {
        const char *name = kd_map_get(&ix->manifests[i].annotations, KD_ANNOT_REF_NAME);
        bool same = ref_name ? name && strcmp(name, ref_name) == 0
                             : !name && strcmp(ix->manifests[i].digest, digest) == 0;
        if (same)
            kd_descriptor_free(&ix->manifests[i]);
        else
            ix->manifests[k++] = ix->manifests[i];
    }
    ix->nmanifests = k;
}

static int write_layout_index(const char *dir, const char *digest, const image *im,
                              const char *ref_name, kd_error **err)
{
    char *path = kd_asprintf("%s/index.json", dir);
    kd_index ix;
    int rc = load_layout_index(path, &ix, err);
    if (rc == 0) {
        drop_entries(&ix, ref_name, digest);
        kd_descriptor d = {.media_type = im->m.media_type, .size = (int64_t)im->mlen};
        memcpy(d.digest, digest, sizeof d.digest);
        kd_platform p = {.os = im->c.os, .architecture = im->c.architecture,
                         .variant = im->c.variant};
        if (p.os && *p.os && p.architecture && *p.architecture)
            d.platform = &p;
        if (ref_name)
            kd_map_set(&d.annotations, KD_ANNOT_REF_NAME, ref_name);
        kd_index_add(&ix, &d);
        kd_map_free(&d.annotations);
        size_t len;
        char *json = kd_index_to_json(&ix, &len);
        rc = kd_write_file_atomic(path, NULL, json, len, 0644, err);
        free(json);
        kd_index_free(&ix);
    }
    free(path);
    return rc;
}

int kd_output_oci_layout(kd_store *s, const char *digest, const char *dir, const char *ref_name,
                         kd_error **err)
{
    image im;
    if (load_image(s, digest, &im, err) < 0)
        return -1;
    char *blobs = kd_asprintf("%s/blobs/sha256", dir);
    char *marker = kd_asprintf("%s/oci-layout", dir);
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    int rc = kd_mkdirs(blobs, 0755, err);
    if (rc == 0 && access(marker, F_OK) != 0)
        rc = kd_write_file_atomic(marker, NULL, layout, sizeof layout - 1, 0644, err);
    for (size_t i = 0; rc == 0 && i < im.m.nlayers; i++)
        rc = put_layout_blob(s, dir, im.m.layers[i].digest, err);
    if (rc == 0)
        rc = put_layout_blob(s, dir, im.m.config.digest, err);
    if (rc == 0)
        rc = put_layout_blob(s, dir, digest, err);
    /* index.json last: the layout names the image only once it is whole */
    if (rc == 0)
        rc = write_layout_index(dir, digest, &im, ref_name, err);
    free(blobs);
    free(marker);
    image_free(&im);
    return rc;
}

/* ---- docker-archive ------------------------------------------------------- */

/* Inflates a layer blob (gzip, zstd or plain tar: libarchive's raw format
 * with every filter) into fd, checking the result against diff_id. */
static int inflate_layer(kd_store *s, const char *blob, const char *diff_id, int fd,
                         kd_error **err)
{
    char *path = kd_store_blob_path(s, blob);
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    int rc = 0;
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        rc = kd_err(err, 0, "layer %s: %s", blob, archive_error_string(a));
    }
    kd_sha256 *h = kd_sha256_new();
    char buf[1 << 16];
    la_ssize_t n;
    while (rc == 0 && (n = archive_read_data(a, buf, sizeof buf)) != 0) {
        if (n < 0)
            rc = kd_err(err, 0, "layer %s: %s", blob, archive_error_string(a));
        else if (kd_write_all(fd, buf, (size_t)n) < 0)
            rc = kd_err(err, errno, "cannot write an inflated layer");
        else
            kd_sha256_update(h, buf, (size_t)n);
    }
    char got[KD_DIGEST_STR_LEN + 1];
    kd_sha256_final(h, got);
    if (rc == 0 && strcmp(got, diff_id) != 0)
        rc = kd_err(err, 0, "layer %s inflates to %s, but the config says %s", blob, got, diff_id);
    archive_read_free(a);
    free(path);
    return rc;
}

/* Adds one archive member from fd (size bytes from its start). */
static int add_member(struct archive *a, const char *name, int fd, const void *data, int64_t size,
                      kd_error **err)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, size);
    archive_entry_set_mtime(e, 0, 0);
    int rc = 0;
    if (archive_write_header(a, e) != ARCHIVE_OK)
        rc = kd_err(err, 0, "cannot write %s: %s", name, archive_error_string(a));
    char buf[1 << 16];
    for (int64_t off = 0; rc == 0 && off < size;) {
        size_t want = size - off < (int64_t)sizeof buf ? (size_t)(size - off) : sizeof buf;
        const void *p = data ? (const char *)data + off : buf;
        if (!data && pread(fd, buf, want, off) != (ssize_t)want)
            rc = kd_err(err, errno, "cannot read back %s", name);
        else if (archive_write_data(a, p, want) != (la_ssize_t)want)
            rc = kd_err(err, 0, "cannot write %s: %s", name, archive_error_string(a));
        off += (int64_t)want;
    }
    archive_entry_free(e);
    return rc;
}

static int add_layer(kd_store *s, struct archive *a, const kd_descriptor *d, const char *diff_id,
                     kd_error **err)
{
    int fd;
    char *tmp;
    if (kd_store_mktemp_file(s, "tar-", &fd, &tmp, err) < 0)
        return -1;
    int rc = inflate_layer(s, d->digest, diff_id, fd, err);
    if (rc == 0) {
        char *name = kd_asprintf("%s.tar", kd_digest_hex(diff_id));
        rc = add_member(a, name, fd, NULL, lseek(fd, 0, SEEK_END), err);
        free(name);
    }
    close(fd);
    unlink(tmp);
    free(tmp);
    return rc;
}

static char *archive_manifest(const image *im, const char *const *tags, size_t ntags)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, o);
    char *cfg = kd_asprintf("%s.json", kd_digest_hex(im->m.config.digest));
    cJSON_AddStringToObject(o, "Config", cfg);
    free(cfg);
    cJSON *rt = cJSON_AddArrayToObject(o, "RepoTags");
    for (size_t i = 0; i < ntags; i++)
        cJSON_AddItemToArray(rt, cJSON_CreateString(tags[i]));
    cJSON *layers = cJSON_AddArrayToObject(o, "Layers");
    for (size_t i = 0; i < im->c.diff_ids.n; i++) {
        char *l = kd_asprintf("%s.tar", kd_digest_hex(im->c.diff_ids.v[i]));
        cJSON_AddItemToArray(layers, cJSON_CreateString(l));
        free(l);
    }
    return kd_json_print(arr, NULL);
}

/* Every member of the archive, in docker save's order. */
static int write_members(kd_store *s, struct archive *a, const image *im,
                         const char *const *tags, size_t ntags, kd_error **err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < im->m.nlayers; i++) {
        bool seen = false; /* a layer listed twice is stored once */
        for (size_t k = 0; k < i; k++)
            seen |= strcmp(im->c.diff_ids.v[k], im->c.diff_ids.v[i]) == 0;
        if (!seen)
            rc = add_layer(s, a, &im->m.layers[i], im->c.diff_ids.v[i], err);
    }
    char *cfg = NULL;
    size_t clen = 0;
    if (rc == 0)
        rc = kd_store_blob_read(s, im->m.config.digest, KD_MANIFEST_MAX, &cfg, &clen, err);
    if (rc == 0) {
        char *name = kd_asprintf("%s.json", kd_digest_hex(im->m.config.digest));
        rc = add_member(a, name, -1, cfg, (int64_t)clen, err);
        free(name);
        free(cfg);
    }
    if (rc == 0) {
        char *mf = archive_manifest(im, tags, ntags);
        rc = add_member(a, "manifest.json", -1, mf, (int64_t)strlen(mf), err);
        free(mf);
    }
    return rc;
}

int kd_output_docker_archive(kd_store *s, const char *digest, const char *path,
                             const char *const *repo_tags, size_t ntags, kd_error **err)
{
    image im;
    if (load_image(s, digest, &im, err) < 0)
        return -1;
    char *tmp = kd_asprintf("%s.tmp-XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        image_free(&im);
        return kd_err(err, e, "cannot create %s", path);
    }
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    int rc = 0;
    if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
        rc = kd_err(err, 0, "cannot write %s: %s", path, archive_error_string(a));
    if (rc == 0)
        rc = write_members(s, a, &im, repo_tags, ntags, err);
    if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
        rc = kd_err(err, 0, "cannot write %s: %s", path, archive_error_string(a));
    archive_write_free(a);
    if (rc == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
        rc = kd_err(err, errno, "cannot write %s", path);
    close(fd);
    if (rc == 0 && rename(tmp, path) < 0)
        rc = kd_err(err, errno, "cannot create %s", path);
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    image_free(&im);
    return rc;
}

/* ---- push ------------------------------------------------------------------ */

static int push_store_blob(kd_registry *r, kd_store *s, const kd_ref *dest, const char *digest,
                           const char *const *mount_from, size_t nmount, kd_error **err)
{
    int fd;
    int64_t size;
    if (!kd_store_has_blob(s, digest, NULL)) {
        /* a base layer the builder did not pull (docs/cache.md): the
         * registry must have it already */
        int there = kd_registry_blob_exists(r, dest, digest, NULL, err);
        if (there != 0)
            return there < 0 ? -1 : 0;
        return kd_err(err, 0, "blob %s is neither in the store nor in %s/%s", digest,
                      dest->domain, dest->path);
    }
    if (kd_store_blob_open(s, digest, &fd, &size, err) < 0)
        return -1;
    kd_blob_source src = {.fd = fd, .size = size, .digest = digest};
    int rc = kd_registry_push_blob(r, dest, &src, mount_from, nmount, NULL, err);
    close(fd);
    return rc;
}

int kd_output_push(kd_registry *r, kd_store *s, const char *digest, const kd_ref *dest,
                   const char *const *mount_from, size_t nmount, kd_error **err)
{
    if (dest->scratch)
        return kd_err(err, 0, "cannot push to scratch");
    if (dest->digest && strcmp(dest->digest, digest) != 0 && dest->tag == NULL)
        return kd_err(err, 0, "cannot push image %s as %s", digest, dest->digest);
    char *data;
    size_t len;
    if (kd_store_blob_read(s, digest, KD_MANIFEST_MAX, &data, &len, err) < 0)
        return -1;
    kd_manifest m;
    int rc = kd_manifest_parse(data, len, NULL, &m, err);
    for (size_t i = 0; rc == 0 && i < m.nlayers; i++)
        rc = push_store_blob(r, s, dest, m.layers[i].digest, mount_from, nmount, err);
    if (rc == 0)
        rc = push_store_blob(r, s, dest, m.config.digest, mount_from, nmount, err);
    /* the manifest last: it must not name blobs the registry lacks */
    if (rc == 0)
        rc = kd_registry_put_manifest(r, dest, dest->tag ? dest->tag : digest, m.media_type, data,
                                      len, NULL, err);
    kd_manifest_free(&m);
    free(data);
    return rc;
}
