/* The built image: its config and OCI manifest into the store, then the
 * outputs (local names, OCI layout, docker-archive, registry push).
 * Owner: build-exec. */
#include "build/builder_int.h"
#include "build/output.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OCI names for the layer media types a base may carry. */
static const char *oci_layer_type(const char *mt)
{
    if (mt == NULL || strcmp(mt, KD_MT_DOCKER_LAYER_GZIP) == 0)
        return KD_MT_OCI_LAYER_GZIP;
    if (strcmp(mt, KD_MT_DOCKER_FOREIGN_GZIP) == 0)
        return "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    return mt;
}

static void build_manifest(const bld_image *im, const char *config_digest, size_t config_size,
                           kd_manifest *m)
{
    memset(m, 0, sizeof *m);
    m->media_type = kd_xstrdup(KD_MT_OCI_MANIFEST);
    m->config.media_type = kd_xstrdup(KD_MT_OCI_CONFIG);
    snprintf(m->config.digest, sizeof m->config.digest, "%s", config_digest);
    m->config.size = (int64_t)config_size;
    for (size_t i = 0; i < im->nlayers; i++) {
        kd_descriptor d;
        memset(&d, 0, sizeof d);
        d.media_type = (char *)oci_layer_type(im->layers[i].desc.media_type);
        memcpy(d.digest, im->layers[i].desc.digest, sizeof d.digest);
        d.size = im->layers[i].desc.size;
        kd_manifest_add_layer(m, &d);
    }
}

int bld_write_image(kd_store *s, const bld_image *im, char digest[KD_DIGEST_STR_LEN + 1],
                    char config_digest[KD_DIGEST_STR_LEN + 1], uint64_t *size, kd_error **err)
{
    size_t clen, mlen;
    char *config = kd_image_config_to_json(&im->config, &clen);
    int rc = kd_store_put_blob(s, config, clen, NULL, config_digest, err);
    free(config);
    if (rc < 0)
        return -1;
    kd_manifest m;
    build_manifest(im, config_digest, clen, &m);
    char *json = kd_manifest_to_json(&m, &mlen);
    kd_manifest_free(&m);
    rc = kd_store_put_blob(s, json, mlen, NULL, digest, err);
    free(json);
    uint64_t total = clen + mlen;
    for (size_t i = 0; i < im->nlayers; i++)
        total += (uint64_t)im->layers[i].desc.size;
    if (size)
        *size = total;
    return rc;
}

/* ---- outputs ---- */

static int parse_tag(const char *tag, kd_ref *ref, kd_error **err)
{
    if (kd_ref_parse(tag, ref, err) < 0 || ref->scratch) {
        if (ref->scratch)
            kd_err(err, 0, "\"scratch\" is not a valid image name");
        kd_ref_free(ref);
        if (err && *err)
            (*err)->status = 2;
        return -1;
    }
    return 0;
}

static int to_store(kd_builder *b, const char *digest, kd_error **err)
{
    for (size_t i = 0; i < b->o->ntags; i++) {
        kd_ref ref;
        if (parse_tag(b->o->tags[i], &ref, err) < 0)
            return -1;
        char *name = kd_ref_string(&ref);
        int rc = kd_store_image_set(b->store, name, digest, err);
        kd_timings_add_output(b->t, "store:%s", name);
        free(name);
        kd_ref_free(&ref);
        if (rc < 0)
            return -1;
    }
    if (b->o->ntags == 0)
        kd_timings_add_output(b->t, "store");
    return 0;
}

static int to_layout(kd_builder *b, const char *digest, kd_error **err)
{
    char *ref_name = NULL;
    if (b->o->ntags) {
        kd_ref ref;
        if (parse_tag(b->o->tags[0], &ref, err) < 0)
            return -1;
        ref_name = kd_xstrdup(ref.tag ? ref.tag : "latest");
        kd_ref_free(&ref);
    }
    bld_info(b, "writing OCI layout %s", b->o->oci_layout);
    int rc = kd_output_oci_layout(b->store, digest, b->o->oci_layout,
                                  ref_name ? ref_name : "latest", err);
    free(ref_name);
    kd_timings_add_output(b->t, "oci-layout:%s", b->o->oci_layout);
    return rc;
}

static int to_archive(kd_builder *b, const char *digest, kd_error **err)
{
    char **tags = kd_xcalloc(b->o->ntags + 1, sizeof *tags);
    int rc = 0;
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < b->o->ntags; i++) {
        kd_ref ref;
        rc = parse_tag(b->o->tags[i], &ref, err);
        if (rc == 0 && ref.tag)
            tags[n++] = kd_ref_familiar(&ref);
        if (rc == 0)
            kd_ref_free(&ref);
    }
    if (rc == 0) {
        bld_info(b, "writing docker-archive %s", b->o->tar_path);
        rc = kd_output_docker_archive(b->store, digest, b->o->tar_path,
                                      (const char *const *)tags, n, err);
    }
    for (size_t i = 0; i < n; i++)
        free(tags[i]);
    free(tags);
    kd_timings_add_output(b->t, "docker-archive:%s", b->o->tar_path);
    return rc;
}

static bool listed(const char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

/* Repositories of dest's registry that the bases came from: blobs may be
 * mounted from them instead of uploaded. */
static size_t mount_sources(kd_builder *b, const kd_ref *dest, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < b->stages.n && n < max; i++) {
        const bld_image *im = &b->st[i].img;
        if (b->st[i].done && im->repo && im->domain && strcmp(im->domain, dest->domain) == 0 &&
            strcmp(im->repo, dest->path) != 0 && !listed(out, n, im->repo))
            out[n++] = im->repo;
    }
    /* the layers the cache repo got from this build, or gave it */
    if (b->cache_repo && n < max && strcmp(b->cache_ref.domain, dest->domain) == 0 &&
        strcmp(b->cache_ref.path, dest->path) != 0)
        out[n++] = b->cache_ref.path;
    return n;
}

/* Layers of im a lazy base left out of the store: for a push-only build
 * they may stay out when every destination has them, or can mount them
 * from the base's repository; otherwise the bases are pulled now. */
static int lazy_layers(kd_builder *b, const bld_image *im, kd_error **err)
{
    const kd_build_opts *o = b->o;
    if (!bld_lazy_pending(b))
        return 0;
    if (!o->push || o->oci_layout || o->tar_path || o->ntags == 0)
        return bld_pull_lazy(b, &b->t->export, err);
    kd_registry *r;
    if (bld_registry(b, &r, err) < 0)
        return -1;
    bool pull = false;
    for (size_t i = 0; !pull && i < o->ntags; i++) {
        kd_ref ref;
        if (parse_tag(o->tags[i], &ref, err) < 0)
            return -1;
        const char *mounts[16];
        size_t nm = mount_sources(b, &ref, mounts, 16);
        for (size_t k = 0; !pull && k < im->nlayers; k++) {
            const char *d = im->layers[k].desc.digest;
            kd_error *e = NULL;
            int got = kd_store_has_blob(b->store, d, NULL)
                          ? 1
                          : kd_registry_blob_exists(r, &ref, d, NULL, &e);
            for (size_t m = 0; got == 0 && m < nm; m++)
                got = kd_registry_mount_blob(r, &ref, d, mounts[m], &e);
            pull = got != 1;
            kd_error_free(e);
        }
        kd_ref_free(&ref);
    }
    return pull ? bld_pull_lazy(b, &b->t->export, err) : 0;
}

static int to_registry(kd_builder *b, const char *digest, kd_error **err)
{
    if (b->o->ntags == 0) {
        kd_err(err, 0, "--push needs a -t name to push to");
        (*err)->status = 2;
        return -1;
    }
    kd_registry *r;
    if (bld_registry(b, &r, err) < 0)
        return -1;
    for (size_t i = 0; i < b->o->ntags; i++) {
        kd_ref ref;
        if (parse_tag(b->o->tags[i], &ref, err) < 0)
            return -1;
        const char *mounts[16];
        size_t nm = mount_sources(b, &ref, mounts, 16);
        char *name = kd_ref_string(&ref);
        bld_info(b, "pushing %s", name);
        int rc = kd_output_push(r, b->store, digest, &ref, mounts, nm, err);
        kd_timings_add_output(b->t, "push:%s", name);
        free(name);
        kd_ref_free(&ref);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static void export_event(kd_builder *b, kd_event_kind kind)
{
    kd_event ev = {.kind = kind, .stage = b->target, .text = b->t->export.text,
                   .timing = &b->t->export};
    bld_emit(b, &ev);
}

static void export_begin(kd_builder *b, double t0)
{
    kd_step_timing *t = &b->t->export;
    t->instruction = kd_xstrdup("EXPORT");
    const kd_build_opts *o = b->o;
    bool store = !o->oci_layout && !o->tar_path && !o->push;
    t->text = kd_asprintf("exporting to%s%s%s%s", store ? " the local store" : "",
                          o->oci_layout ? " an OCI layout" : "", o->tar_path ? " a docker-archive" : "",
                          o->push ? " a registry" : "");
    t->start_ms = t0 - b->t0;
    export_event(b, KD_EV_STEP_START);
}

static void export_end(kd_builder *b, double t0, int rc)
{
    kd_step_timing *t = &b->t->export;
    t->status = kd_xstrdup(rc == 0 ? "done" : "failed");
    t->total_ms = kd_now_ms() - t0;
    export_event(b, KD_EV_STEP_DONE);
}

static int outputs(kd_builder *b, const char *digest, kd_error **err)
{
    const kd_build_opts *o = b->o;
    double t0 = kd_now_ms();
    if (!o->oci_layout && !o->tar_path && !o->push && to_store(b, digest, err) < 0)
        return -1;
    if (o->oci_layout && to_layout(b, digest, err) < 0)
        return -1;
    if (o->tar_path && to_archive(b, digest, err) < 0)
        return -1;
    double t1 = kd_now_ms();
    kd_phase_add(&b->t->export, KD_PH_WRITE, t1 - t0, 0);
    if (o->push) {
        kd_registry_stats before, after;
        kd_registry *r;
        if (bld_registry(b, &r, err) < 0)
            return -1;
        kd_registry_stats_get(r, &before);
        if (to_registry(b, digest, err) < 0)
            return -1;
        kd_registry_stats_get(r, &after);
        kd_phase_add(&b->t->export, KD_PH_PUSH, kd_now_ms() - t1,
                     after.bytes_out - before.bytes_out);
    }
    return 0;
}

static void finish_config(kd_builder *b, bld_image *im)
{
    kd_image_config *c = &im->config;
    free(c->created);
    c->created = bld_rfc3339(b->now);
}

int bld_export(kd_builder *b, bld_image *im, kd_error **err)
{
    double t0 = kd_now_ms();
    export_begin(b, t0);
    finish_config(b, im);
    kd_build_result *res = b->res;
    uint64_t size = 0;
    if (lazy_layers(b, im, err) < 0 ||
        bld_write_image(b->store, im, res->digest, res->config_digest, &size, err) < 0) {
        export_end(b, t0, -1);
        return -1;
    }
    kd_phase_add(&b->t->export, KD_PH_WRITE, kd_now_ms() - t0, size);
    res->layers = im->nlayers;
    res->size = size;
    kd_timings *t = b->t;
    memcpy(t->digest, res->digest, sizeof t->digest);
    memcpy(t->config_digest, res->config_digest, sizeof t->config_digest);
    t->layers = im->nlayers;
    t->size = size;
    bld_fill_tar_sizes(b, im);
    for (size_t i = 0; i < im->nlayers; i++)
        t->tar_size += im->layers[i].tar_size;
    int rc = outputs(b, res->digest, err);
    export_end(b, t0, rc);
    return rc;
}
