/* kdoctor import: a one-layer base image from a root filesystem (a
 * directory or a tar), like `docker import`, so that air-gapped users and
 * `make demo` need no registry. Owner: build-exec. */
#include "build/builder_int.h"
#include "build/layer.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A directory: the layer is written from it, then unpacked from the blob
 * into the store (the source tree is not touched). */
static int import_dir(kd_store *s, const char *src, kd_descriptor *desc,
                      char diff_id[KD_DIGEST_STR_LEN + 1], int64_t epoch, kd_error **err)
{
    kd_layer_stats st;
    memset(&st, 0, sizeof st);
    char digest[KD_DIGEST_STR_LEN + 1];
    if (bld_write_layer_blob(s, src, epoch, false, NULL, digest, &st, NULL, err) < 0)
        return -1;
    int fd;
    char *dir = NULL;
    if (kd_store_blob_open(s, digest, &fd, NULL, err) < 0)
        return -1;
    kd_layer_stats x;
    memset(&x, 0, sizeof x);
    int rc = bld_mktemp_dir(s, "import-", &dir, err);
    if (rc == 0)
        rc = kd_layer_extract_fd(fd, dir, NULL, &x, err);
    close(fd);
    if (rc == 0 && !kd_store_has_layer(s, st.diff_id))
        rc = bld_commit_layer_dir(s, dir, digest, KD_MT_OCI_LAYER_GZIP, &x, err);
    if (dir)
        kd_remove_tree(dir, NULL); /* a no-op when it moved into the store */
    free(dir);
    memset(desc, 0, sizeof *desc);
    desc->media_type = kd_xstrdup(KD_MT_OCI_LAYER_GZIP);
    snprintf(desc->digest, sizeof desc->digest, "%s", digest);
    desc->size = (int64_t)st.size;
    snprintf(diff_id, KD_DIGEST_STR_LEN + 1, "%s", st.diff_id);
    return rc;
}

/* A tar (gzip or plain): unpacked first, then written back as a layer in
 * kdoctor's canonical order, and the tree moved into the store. */
static int import_tar(kd_store *s, const char *src, kd_descriptor *desc,
                      char diff_id[KD_DIGEST_STR_LEN + 1], int64_t epoch, kd_error **err)
{
    char *dir;
    if (bld_mktemp_dir(s, "import-", &dir, err) < 0)
        return -1;
    int rc = kd_layer_extract_file(src, dir, NULL, NULL, err);
    if (rc < 0 && err && *err)
        kd_error_wrap(*err, "%s", src); /* the entry's name alone does not say where */
    kd_layer_stats st;
    memset(&st, 0, sizeof st);
    if (rc == 0)
        rc = bld_store_layer(s, dir, epoch, false, NULL, desc, diff_id, &st, NULL, err);
    kd_remove_tree(dir, NULL);
    free(dir);
    return rc;
}

static void import_config(const kd_import_opts *o, const kd_platform *p, const char *diff_id,
                          int64_t now, bld_image *im)
{
    kd_image_config *c = &im->config;
    c->created = bld_rfc3339(now);
    c->os = kd_xstrdup(p->os ? p->os : "linux");
    c->architecture = kd_xstrdup(p->architecture ? p->architecture : "amd64");
    c->variant = p->variant ? kd_xstrdup(p->variant) : NULL;
    c->rootfs_type = kd_xstrdup("layers");
    kd_strv_push(&c->diff_ids, diff_id);
    char *by = kd_asprintf("kdoctor import %s", o->source);
    kd_history h = {.created = c->created, .created_by = by, .comment = "imported"};
    kd_history_add(c, &h);
    free(by);
}

static int parse_import_opts(const kd_import_opts *o, kd_ref *ref, kd_platform *p,
                             kd_error **err)
{
    if (kd_ref_parse(o->name, ref, err) < 0 || ref->scratch) {
        if (ref->scratch)
            kd_err(err, 0, "\"scratch\" is reserved: choose another name");
        kd_ref_free(ref);
        (*err)->status = 2;
        return -1;
    }
    memset(p, 0, sizeof *p);
    if (o->platform == NULL) {
        kd_platform_host(p);
        return 0;
    }
    if (kd_platform_parse(o->platform, p, err) == 0)
        return 0;
    kd_ref_free(ref);
    (*err)->status = 2;
    return -1;
}

/* The layer, then the image (config + manifest) named in the store. */
static int import_into(kd_store *s, const kd_import_opts *o, const struct stat *st,
                       const kd_ref *ref, const kd_platform *p,
                       char digest[KD_DIGEST_STR_LEN + 1], kd_error **err)
{
    kd_descriptor desc;
    memset(&desc, 0, sizeof desc);
    char diff_id[KD_DIGEST_STR_LEN + 1] = "";
    int64_t now = (int64_t)time(NULL);
    if (o->source_date_epoch >= 0 && o->source_date_epoch < now)
        now = o->source_date_epoch;
    int rc = S_ISDIR(st->st_mode)
                 ? import_dir(s, o->source, &desc, diff_id, o->source_date_epoch, err)
                 : import_tar(s, o->source, &desc, diff_id, o->source_date_epoch, err);
    bld_image im;
    bld_image_init(&im);
    if (rc == 0) {
        import_config(o, p, diff_id, now, &im);
        bld_image_add_layer(&im, &desc, diff_id, NULL, 0);
        char config[KD_DIGEST_STR_LEN + 1];
        rc = bld_write_image(s, &im, digest, config, NULL, err);
    }
    if (rc == 0) {
        char *name = kd_ref_string(ref);
        rc = kd_store_image_set(s, name, digest, err);
        free(name);
    }
    bld_image_free(&im);
    kd_descriptor_free(&desc);
    return rc;
}

int kd_import(const kd_import_opts *o, char digest[KD_DIGEST_STR_LEN + 1], kd_error **err)
{
    kd_ref ref;
    kd_platform p;
    if (parse_import_opts(o, &ref, &p, err) < 0)
        return -1;
    struct stat st;
    kd_store *s = NULL;
    int rc = stat(o->source, &st) < 0 ? kd_err(err, errno, "cannot read %s", o->source) : 0;
    if (rc == 0)
        rc = kd_store_open(o->cache_dir, KD_STORE_SHARED, &s, err);
    if (rc == 0)
        rc = import_into(s, o, &st, &ref, &p, digest, err);
    kd_platform_free(&p);
    kd_ref_free(&ref);
    kd_store_close(s);
    return rc;
}
