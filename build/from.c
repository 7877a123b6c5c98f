/* Base images: oci-layout://DIR[:TAG], the local store, a registry. A
 * registry pull streams each layer into extraction while it downloads
 * (kd_pull's layer hooks), so a base costs one pass over its bytes; every
 * layer is unpacked once into the store and reused by every stage and every
 * later build. Layers of a stored image are unpacked only when a step runs
 * on them (bld_unpack_layers). Owner: build-exec. */
#include "build/builder_int.h"
#include "build/layer.h"
#include "build/pull.h"
#include "util/fs.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- an image from manifest and config blobs in the store ---- */

static int read_blob(kd_store *s, const char *digest, char **data, size_t *len, kd_error **err)
{
    return kd_store_blob_read(s, digest, KD_MANIFEST_MAX, data, len, err);
}

/* Fills im from manifest m and its config (both in the store). */
static int image_from_manifest(kd_builder *b, const kd_manifest *m, bld_image *im, kd_error **err)
{
    char *data;
    size_t len;
    if (read_blob(b->store, m->config.digest, &data, &len, err) < 0)
        return -1;
    int rc = kd_image_config_parse(data, len, &im->config, err);
    free(data);
    if (rc < 0)
        return -1;
    if (im->config.diff_ids.n != m->nlayers)
        return kd_err(err, 0, "the image has %zu layers but its config lists %zu diff_ids",
                      m->nlayers, im->config.diff_ids.n);
    for (size_t i = 0; i < m->nlayers; i++) {
        if (!kd_media_type_is_layer(m->layers[i].media_type))
            return kd_err(err, 0, "layer %zu has media type %s, which is not a layer", i,
                          m->layers[i].media_type ? m->layers[i].media_type : "(none)");
        const char *diff_id = im->config.diff_ids.v[i];
        char *dir = kd_store_layer_path(b->store, diff_id);
        bld_image_add_layer(im, &m->layers[i], diff_id, dir, 0);
        free(dir);
    }
    return 0;
}

/* Loads a manifest or index digest from the store, picking want's entry
 * from an index. */
static int image_from_store_digest(kd_builder *b, const char *digest, const kd_platform *want,
                                   bld_image *im, int depth, kd_error **err)
{
    char *data;
    size_t len;
    if (depth > 4)
        return kd_err(err, 0, "image indexes nested too deeply");
    if (read_blob(b->store, digest, &data, &len, err) < 0)
        return -1;
    int rc = -1;
    if (kd_doc_kind_of(NULL, data, len) == KD_DOC_INDEX) {
        kd_index ix;
        if (kd_index_parse(data, len, NULL, &ix, err) == 0) {
            int i = kd_index_select(&ix, want, err);
            if (i >= 0)
                rc = image_from_store_digest(b, ix.manifests[i].digest, want, im, depth + 1, err);
            kd_index_free(&ix);
        }
    } else {
        kd_manifest m;
        if (kd_manifest_parse(data, len, NULL, &m, err) == 0) {
            snprintf(im->manifest_digest, sizeof im->manifest_digest, "%s", digest);
            rc = image_from_manifest(b, &m, im, err);
            kd_manifest_free(&m);
        }
    }
    free(data);
    return rc;
}

/* ---- unpacking stored blobs ---- */

typedef struct unpack_job {
    kd_builder *b;
    const bld_layer *l;
    uint64_t tar_size;
    kd_error *err;
} unpack_job;

int bld_commit_layer_dir(kd_store *s, const char *dir, const char *blob, const char *media_type,
                         const kd_layer_stats *st, kd_error **err)
{
    kd_layer_meta m;
    kd_layer_meta_init(&m);
    snprintf(m.diff_id, sizeof m.diff_id, "%s", st->diff_id);
    snprintf(m.blob, sizeof m.blob, "%s", blob);
    m.media_type = media_type ? kd_xstrdup(media_type) : NULL;
    m.blob_size = (int64_t)st->size;
    m.tar_size = (int64_t)st->tar_size;
    m.files = (int64_t)st->files;
    int rc = kd_store_layer_commit(s, dir, &m, NULL, err);
    kd_layer_meta_free(&m);
    return rc;
}

static int check_diff_id(const kd_layer_stats *st, const char *want, kd_error **err)
{
    if (strcmp(st->diff_id, want) == 0)
        return 0;
    return kd_err(err, 0, "layer content does not match its diff_id: expected %s, got %s", want,
                  st->diff_id);
}

static int unpack_one(kd_builder *b, const bld_layer *l, uint64_t *tar_size, kd_error **err)
{
    int fd;
    int64_t size;
    if (kd_store_blob_open(b->store, l->desc.digest, &fd, &size, err) < 0)
        return -1;
    char *dir = NULL;
    int rc = bld_mktemp_dir(b->store, "unpack-", &dir, err);
    kd_layer_stats st;
    memset(&st, 0, sizeof st);
    if (rc == 0)
        rc = kd_layer_extract_fd(fd, dir, NULL, &st, err);
    close(fd);
    if (rc == 0)
        rc = check_diff_id(&st, l->diff_id, err);
    if (rc == 0)
        rc = bld_commit_layer_dir(b->store, dir, l->desc.digest, l->desc.media_type, &st, err);
    else if (dir)
        kd_remove_tree(dir, NULL);
    free(dir);
    *tar_size = st.tar_size;
    return rc;
}

static void *unpack_thread(void *arg)
{
    unpack_job *j = arg;
    unpack_one(j->b, j->l, &j->tar_size, &j->err);
    return NULL;
}

#define UNPACK_THREADS 4

/* Runs jobs [0, n) with at most UNPACK_THREADS threads at once. */
static void run_unpack_jobs(unpack_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i += UNPACK_THREADS) {
        pthread_t th[UNPACK_THREADS];
        bool started[UNPACK_THREADS] = {false};
        size_t m = n - i < UNPACK_THREADS ? n - i : UNPACK_THREADS;
        for (size_t k = 1; k < m; k++)
            started[k] = pthread_create(&th[k], NULL, unpack_thread, &jobs[i + k]) == 0;
        unpack_thread(&jobs[i]); /* this thread takes one */
        for (size_t k = 1; k < m; k++) {
            if (started[k])
                pthread_join(th[k], NULL);
            else
                unpack_thread(&jobs[i + k]);
        }
    }
}

/* The uncompressed sizes, from the layers' metadata, for the timings. */
void bld_fill_tar_sizes(kd_builder *b, bld_image *im)
{
    for (size_t i = 0; i < im->nlayers; i++) {
        bld_layer *l = &im->layers[i];
        kd_layer_meta m;
        if (l->tar_size == 0 && kd_store_layer_meta(b->store, l->diff_id, &m, NULL) == 0) {
            l->tar_size = m.tar_size > 0 ? (uint64_t)m.tar_size : 0;
            kd_layer_meta_free(&m);
        }
    }
}

int bld_unpack_layers(kd_builder *b, bld_image *im, kd_step_timing *t, kd_error **err)
{
    double t0 = kd_now_ms();
    unpack_job *jobs = kd_xcalloc(im->nlayers + 1, sizeof *jobs);
    size_t n = 0;
    for (size_t i = 0; i < im->nlayers; i++) {
        if (kd_store_has_layer(b->store, im->layers[i].diff_id))
            continue;
        if (!kd_store_has_blob(b->store, im->layers[i].desc.digest, NULL)) {
            free(jobs);
            return kd_err(err, 0, "layer %s of %s is missing from the store",
                          im->layers[i].desc.digest, im->name ? im->name : "the image");
        }
        jobs[n++] = (unpack_job){.b = b, .l = &im->layers[i]};
    }
    if (n)
        bld_info(b, "unpacking %zu layer%s", n, n == 1 ? "" : "s");
    run_unpack_jobs(jobs, n);
    int rc = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        bytes += jobs[i].tar_size;
        if (jobs[i].err && rc == 0) {
            rc = -1;
            if (err && *err == NULL)
                *err = jobs[i].err, jobs[i].err = NULL;
        }
        kd_error_free(jobs[i].err);
    }
    free(jobs);
    if (t && n)
        kd_phase_add(t, KD_PH_UNPACK, kd_now_ms() - t0, bytes);
    if (rc == 0)
        bld_fill_tar_sizes(b, im);
    return rc;
}

/* ---- registry pulls, extracting while downloading ---- */

typedef struct pull_layer {
    struct pull_ctx *pc;
    size_t index;
    char diff_id[KD_DIGEST_STR_LEN + 1];
    char digest[KD_DIGEST_STR_LEN + 1];
    char *media_type;
    char *dir;
    kd_layer_extractor *x;
    uint64_t done, total, last;
} pull_layer;

typedef struct pull_ctx {
    kd_builder *b;
    pthread_mutex_t lock;
    pull_layer **layers;
    size_t n, cap, nlayers;
    double first_begin; /* 0 until a download starts */
    uint64_t bytes_in, tar_bytes;
} pull_ctx;

static void pull_progress(pull_layer *pl, bool force)
{
    if (!force && pl->done - pl->last < (1u << 20))
        return;
    pl->last = pl->done;
    kd_event ev = {.kind = KD_EV_PULL,
                   .layer = pl->index,
                   .nlayers = pl->pc->nlayers,
                   .done = pl->done,
                   .total = pl->total,
                   .text = pl->digest};
    bld_emit(pl->pc->b, &ev);
}

static int pull_sink(void *ctx, const void *buf, size_t n)
{
    pull_layer *pl = ctx;
    if (bld_cancelled(pl->pc->b))
        return -1;
    pl->done += n;
    pull_progress(pl, false);
    return kd_layer_extractor_sink(pl->x, buf, n);
}

static int layer_begin(void *ctx, size_t i, const kd_descriptor *d, const char *diff_id,
                       kd_blob_sink *sink, void **sink_ctx, kd_error **err)
{
    pull_ctx *pc = ctx;
    kd_builder *b = pc->b;
    if (bld_cancelled(b))
        return bld_cancel_error(err);
    pthread_mutex_lock(&pc->lock);
    if (pc->first_begin == 0)
        pc->first_begin = kd_now_ms();
    pthread_mutex_unlock(&pc->lock);
    if (!kd_digest_valid(diff_id) || kd_store_has_layer(b->store, diff_id))
        return 0; /* only the blob is needed: nothing to extract */
    pull_layer *pl = kd_xcalloc(1, sizeof *pl);
    pl->pc = pc;
    pl->index = i;
    snprintf(pl->diff_id, sizeof pl->diff_id, "%s", diff_id);
    snprintf(pl->digest, sizeof pl->digest, "%s", d->digest);
    pl->media_type = d->media_type ? kd_xstrdup(d->media_type) : NULL;
    pl->total = d->size > 0 ? (uint64_t)d->size : 0;
    int rc = bld_mktemp_dir(b->store, "pull-", &pl->dir, err);
    if (rc == 0) {
        pl->x = kd_layer_extractor_new(pl->dir, NULL, err);
        rc = pl->x ? 0 : -1;
    }
    pthread_mutex_lock(&pc->lock);
    KD_GROW(pc->layers, pc->cap, pc->n + 1);
    pc->layers[pc->n++] = pl; /* freed by pull_ctx_free, also on failure */
    pthread_mutex_unlock(&pc->lock);
    if (rc < 0)
        return -1;
    *sink = pull_sink;
    *sink_ctx = pl;
    return 0;
}

static int layer_end(void *ctx, size_t i, void *sink_ctx, bool ok, kd_error **err)
{
    (void)i;
    pull_ctx *pc = ctx;
    pull_layer *pl = sink_ctx;
    if (pl == NULL)
        return 0;
    kd_layer_extractor *x = pl->x;
    pl->x = NULL;
    if (!ok) {
        kd_layer_extractor_abort(x);
        return 0; /* the pull reports the download's own error */
    }
    pull_progress(pl, true);
    kd_layer_stats st;
    memset(&st, 0, sizeof st);
    int rc = kd_layer_extractor_finish(x, &st, err);
    if (rc == 0)
        rc = check_diff_id(&st, pl->diff_id, err);
    if (rc == 0) {
        rc = bld_commit_layer_dir(pc->b->store, pl->dir, pl->digest, pl->media_type, &st, err);
        free(pl->dir); /* gone: moved into the store, or removed on error */
        pl->dir = NULL;
    }
    pthread_mutex_lock(&pc->lock);
    pc->bytes_in += st.size;
    pc->tar_bytes += st.tar_size;
    pthread_mutex_unlock(&pc->lock);
    return rc;
}

static void pull_ctx_free(pull_ctx *pc)
{
    for (size_t i = 0; i < pc->n; i++) {
        pull_layer *pl = pc->layers[i];
        if (pl->x)
            kd_layer_extractor_abort(pl->x);
        if (pl->dir)
            kd_remove_tree(pl->dir, NULL);
        free(pl->dir);
        free(pl->media_type);
        free(pl);
    }
    free(pc->layers);
    pthread_mutex_destroy(&pc->lock);
}

static void note_registry_base(bld_image *im, const kd_ref *ref)
{
    im->repo = kd_xstrdup(ref->path);
    im->domain = kd_xstrdup(ref->domain);
}

static int from_registry(kd_builder *b, const kd_ref *ref, const char *name,
                         const kd_platform *want, bld_image *im, kd_step_timing *t, double t0,
                         kd_error **err)
{
    kd_registry *r;
    if (bld_registry(b, &r, err) < 0)
        return -1;
    bld_info(b, "pulling %s", name);
    pull_ctx pc = {.b = b};
    pthread_mutex_init(&pc.lock, NULL);
    kd_pull_opts po = {.platform = want, .layer_begin = layer_begin, .layer_end = layer_end,
                       .ctx = &pc};
    kd_pulled p;
    memset(&p, 0, sizeof p);
    int rc = kd_pull(r, b->store, ref, &po, &p, err);
    double t1 = kd_now_ms();
    if (rc < 0 && bld_cancelled(b)) {
        kd_error_free(err ? *err : NULL);
        if (err)
            *err = NULL;
        bld_cancel_error(err);
    }
    if (rc == 0) {
        pc.nlayers = p.manifest.nlayers;
        const char *top = p.index_digest[0] ? p.index_digest : p.manifest_digest;
        rc = kd_store_image_set(b->store, name, top, err);
    }
    if (rc == 0) {
        snprintf(im->manifest_digest, sizeof im->manifest_digest, "%s", p.manifest_digest);
        rc = image_from_manifest(b, &p.manifest, im, err);
        note_registry_base(im, ref);
    }
    if (t) {
        double begin = pc.first_begin ? pc.first_begin : t1;
        kd_phase_add(t, KD_PH_RESOLVE, begin - t0, 0);
        kd_phase_add(t, KD_PH_PULL, t1 - begin, pc.bytes_in);
        if (pc.tar_bytes)
            kd_phase_add(t, KD_PH_UNPACK, 0, pc.tar_bytes);
    }
    kd_pulled_free(&p);
    pull_ctx_free(&pc);
    return rc;
}

/* ---- lazy bases (--cache-repo) ----
 * A build whose steps all come from the cache repo needs the base's config
 * (its diff_ids, Env, ... are in every key) but not its layers, unless a
 * step runs or an output needs the blobs: on a fresh CI runner that saves
 * the whole base download. The store does not name such a base until its
 * layers are pulled, so a later build never finds it incomplete. */

static int from_registry_lazy(kd_builder *b, const kd_ref *ref, const char *name,
                              const kd_platform *want, bld_image *im, kd_step_timing *t, double t0,
                              kd_error **err)
{
    kd_registry *r;
    if (bld_registry(b, &r, err) < 0)
        return -1;
    kd_pull_opts po = {.platform = want, .no_layers = true};
    kd_pulled p;
    memset(&p, 0, sizeof p);
    int rc = kd_pull(r, b->store, ref, &po, &p, err);
    if (rc == 0) {
        snprintf(im->manifest_digest, sizeof im->manifest_digest, "%s", p.manifest_digest);
        rc = image_from_manifest(b, &p.manifest, im, err);
        note_registry_base(im, ref);
    }
    for (size_t i = 0; rc == 0 && i < b->nlazy; i++)
        if (strcmp(b->lazy[i].name, name) == 0 && kd_platform_match(&b->lazy[i].want, want))
            goto out; /* another stage's base: listed already */
    if (rc == 0) {
        KD_GROW(b->lazy, b->lazycap, b->nlazy + 1);
        bld_lazy *l = &b->lazy[b->nlazy++];
        l->name = kd_xstrdup(name);
        kd_platform_copy(&l->want, want);
        l->pulled = false;
    }
out:
    if (t)
        kd_phase_add(t, KD_PH_RESOLVE, kd_now_ms() - t0, 0);
    kd_pulled_free(&p);
    return rc;
}

bool bld_lazy_pending(const kd_builder *b)
{
    for (size_t i = 0; i < b->nlazy; i++)
        if (!b->lazy[i].pulled)
            return true;
    return false;
}

int bld_pull_lazy(kd_builder *b, kd_step_timing *t, kd_error **err)
{
    for (size_t i = 0; i < b->nlazy; i++) {
        bld_lazy *l = &b->lazy[i];
        if (l->pulled)
            continue;
        kd_ref ref;
        if (kd_ref_parse(l->name, &ref, err) < 0)
            return -1;
        bld_image im;
        bld_image_init(&im);
        int rc = from_registry(b, &ref, l->name, &l->want, &im, t, kd_now_ms(), err);
        bld_image_free(&im);
        kd_ref_free(&ref);
        if (rc < 0)
            return -1;
        l->pulled = true;
    }
    return 0;
}

void bld_lazy_free(kd_builder *b)
{
    for (size_t i = 0; i < b->nlazy; i++) {
        free(b->lazy[i].name);
        kd_platform_free(&b->lazy[i].want);
    }
    free(b->lazy);
    b->lazy = NULL;
    b->nlazy = 0;
}

/* ---- OCI layout directories ---- */

/* Copies a blob of the layout into the store (verified on commit). */
static int import_blob(kd_builder *b, const char *layout, const kd_descriptor *d, kd_error **err)
{
    if (kd_store_has_blob(b->store, d->digest, NULL))
        return 0;
    char *path = kd_asprintf("%s/blobs/sha256/%s", layout, kd_digest_hex(d->digest));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        kd_err(err, errno, "cannot open %s", path);
        free(path);
        return -1;
    }
    kd_blob_writer *w;
    int rc = kd_store_blob_begin(b->store, d->digest, d->size, &w, err);
    char buf[1 << 16];
    while (rc == 0) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = kd_err(err, errno, "cannot read %s", path);
        if (n <= 0)
            break;
        rc = kd_blob_writer_write(w, buf, (size_t)n, err);
    }
    if (rc == 0)
        rc = kd_store_blob_commit(w, NULL, err);
    else if (w)
        kd_store_blob_abort(w);
    close(fd);
    free(path);
    return rc;
}

static int pick_layout_entry(const kd_index *ix, const char *tag, const char *dir, kd_error **err)
{
    int found = -1;
    for (size_t i = 0; i < ix->nmanifests; i++) {
        const char *rn = kd_map_get(&ix->manifests[i].annotations, KD_ANNOT_REF_NAME);
        if (tag ? rn && strcmp(rn, tag) == 0 : ix->nmanifests == 1)
            found = (int)i;
    }
    if (found < 0 && tag == NULL) {
        for (size_t i = 0; i < ix->nmanifests; i++) {
            const char *rn = kd_map_get(&ix->manifests[i].annotations, KD_ANNOT_REF_NAME);
            if (rn && strcmp(rn, "latest") == 0)
                found = (int)i;
        }
    }
    if (found < 0)
        kd_err(err, 0, "no image %s%s in the OCI layout %s", tag ? "tagged " : "",
               tag ? tag : "(give one with DIR:TAG)", dir);
    return found;
}

/* Imports manifest (or index) d of the layout and its blobs; fills im. */
static int layout_descriptor(kd_builder *b, const char *dir, const kd_descriptor *d,
                             const kd_platform *want, bld_image *im, int depth, kd_error **err)
{
    if (depth > 4)
        return kd_err(err, 0, "image indexes nested too deeply");
    if (import_blob(b, dir, d, err) < 0)
        return -1;
    char *data;
    size_t len;
    if (read_blob(b->store, d->digest, &data, &len, err) < 0)
        return -1;
    int rc = -1;
    if (kd_doc_kind_of(d->media_type, data, len) == KD_DOC_INDEX) {
        kd_index ix;
        if (kd_index_parse(data, len, d->media_type, &ix, err) == 0) {
            int i = kd_index_select(&ix, want, err);
            if (i >= 0)
                rc = layout_descriptor(b, dir, &ix.manifests[i], want, im, depth + 1, err);
            kd_index_free(&ix);
        }
        free(data);
        return rc;
    }
    kd_manifest m;
    if (kd_manifest_parse(data, len, d->media_type, &m, err) == 0) {
        rc = import_blob(b, dir, &m.config, err);
        for (size_t i = 0; rc == 0 && i < m.nlayers; i++)
            rc = import_blob(b, dir, &m.layers[i], err);
        snprintf(im->manifest_digest, sizeof im->manifest_digest, "%s", d->digest);
        if (rc == 0)
            rc = image_from_manifest(b, &m, im, err);
        kd_manifest_free(&m);
    }
    free(data);
    return rc;
}

/* "DIR:TAG" or "DIR": the tag is what follows the last ':' after the last
 * '/'. */
static void split_layout(const char *spec, char **dir, char **tag)
{
    const char *slash = strrchr(spec, '/');
    const char *colon = strrchr(slash ? slash : spec, ':');
    *dir = colon ? kd_xstrndup(spec, (size_t)(colon - spec)) : kd_xstrdup(spec);
    *tag = colon && colon[1] ? kd_xstrdup(colon + 1) : NULL;
}

static int from_layout(kd_builder *b, const char *spec, const kd_platform *want, bld_image *im,
                       kd_error **err)
{
    char *dir, *tag;
    split_layout(spec, &dir, &tag);
    char *path = kd_asprintf("%s/index.json", dir);
    char *data = NULL;
    size_t len;
    int rc = kd_read_file(path, &data, &len, err);
    kd_index ix;
    memset(&ix, 0, sizeof ix);
    if (rc == 0)
        rc = kd_index_parse(data, len, KD_MT_OCI_INDEX, &ix, err);
    if (rc == 0) {
        int i = pick_layout_entry(&ix, tag, dir, err);
        rc = i < 0 ? -1 : layout_descriptor(b, dir, &ix.manifests[i], want, im, 0, err);
    }
    kd_index_free(&ix);
    free(data);
    free(path);
    free(dir);
    free(tag);
    return rc;
}

/* ---- the entry points ---- */

static void warn_platform(kd_builder *b, const bld_image *im, const kd_platform *want,
                          const char *name)
{
    const kd_image_config *c = &im->config;
    kd_platform have = {.os = c->os, .architecture = c->architecture, .variant = c->variant};
    if (c->os && c->architecture && !kd_platform_match(want, &have)) {
        char *w = kd_platform_string(want), *h = kd_platform_string(&have);
        bld_warn(b, "%s is for %s, not %s: its programs may not run here", name, h, w);
        free(w);
        free(h);
    }
}

static int resolve_ref(kd_builder *b, const char *name, const kd_platform *want, bld_image *im,
                       kd_step_timing *t, double t0, kd_error **err)
{
    kd_ref ref;
    if (kd_ref_parse(name, &ref, err) < 0)
        return -1;
    int rc;
    if (ref.scratch) {
        bld_image_scratch(im, want);
        im->name = kd_xstrdup("scratch");
        kd_ref_free(&ref);
        return 0;
    }
    char *full = kd_ref_string(&ref);
    char digest[KD_DIGEST_STR_LEN + 1] = "";
    if (ref.digest && kd_store_has_blob(b->store, ref.digest, NULL))
        snprintf(digest, sizeof digest, "%s", ref.digest);
    else if ((rc = kd_store_image_get(b->store, full, digest, err)) < 0)
        goto out;
    if (digest[0]) {
        rc = image_from_store_digest(b, digest, want, im, 0, err);
        if (t)
            kd_phase_add(t, KD_PH_RESOLVE, kd_now_ms() - t0, 0);
        if (rc == 0 && ref.domain && strcmp(ref.domain, KD_REF_DOCKER_DOMAIN) != 0)
            note_registry_base(im, &ref);
    } else if (b->cache_repo) {
        rc = from_registry_lazy(b, &ref, full, want, im, t, t0, err);
    } else {
        rc = from_registry(b, &ref, full, want, im, t, t0, err);
    }
    if (rc == 0)
        im->name = kd_xstrdup(full);
out:
    free(full);
    kd_ref_free(&ref);
    return rc;
}

int bld_resolve_image(kd_builder *b, const char *name, const char *platform, bld_image *im,
                      kd_step_timing *t, kd_error **err)
{
    double t0 = kd_now_ms();
    kd_platform want;
    memset(&want, 0, sizeof want);
    if (platform) {
        if (kd_platform_parse(platform, &want, err) < 0)
            return -1;
    } else {
        kd_platform_copy(&want, &b->platform);
    }
    bld_image_init(im);
    int rc;
    if (strncmp(name, "oci-layout://", 13) == 0) {
        rc = from_layout(b, name + 13, &want, im, err);
        if (rc == 0)
            im->name = kd_xstrdup(name);
        if (t)
            kd_phase_add(t, KD_PH_RESOLVE, kd_now_ms() - t0, 0);
    } else {
        rc = resolve_ref(b, name, &want, im, t, t0, err);
    }
    /* no unpacking here: a step that runs unpacks what it needs
     * (bld_cache_miss), so a fully cached build unpacks nothing */
    if (rc == 0 && strcmp(name, "scratch") != 0)
        warn_platform(b, im, &want, name);
    kd_platform_free(&want);
    return rc;
}

int bld_ext_image(kd_builder *b, const char *name, bld_image **out, kd_error **err)
{
    for (size_t i = 0; i < b->next; i++) {
        if (strcmp(b->ext[i].name, name) == 0) {
            *out = &b->ext[i].img;
            return 0;
        }
    }
    bld_image im;
    if (bld_resolve_image(b, name, NULL, &im, NULL, err) < 0) {
        bld_image_free(&im);
        return -1;
    }
    KD_GROW(b->ext, b->extcap, b->next + 1);
    b->ext[b->next].name = kd_xstrdup(name);
    b->ext[b->next].img = im;
    *out = &b->ext[b->next++].img;
    return 0;
}
