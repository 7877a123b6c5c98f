/* Pulling an image into the store: documents first, then the layers in
 * parallel, each one written through a verifying blob writer. */
#include "build/pull.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void kd_pulled_free(kd_pulled *p)
{
    if (p == NULL)
        return;
    kd_manifest_free(&p->manifest);
    kd_image_config_free(&p->config);
    memset(p, 0, sizeof *p);
}

/* The config blob, from the store when it is there, else the registry. */
static int get_config(kd_registry *r, kd_store *s, const kd_ref *ref, const kd_descriptor *d,
                      char **data, size_t *len, kd_error **err)
{
    if (d->size < 0 || (uint64_t)d->size > KD_MANIFEST_MAX)
        return kd_err(err, 0, "image config %s is too large (%lld bytes)", d->digest,
                      (long long)d->size);
    if (kd_store_has_blob(s, d->digest, NULL) &&
        kd_store_blob_read(s, d->digest, KD_MANIFEST_MAX, data, len, NULL) == 0)
        return 0;
    if (kd_registry_get_blob(r, ref, d->digest, KD_MANIFEST_MAX, data, len, err) < 0)
        return -1;
    if (kd_store_put_blob(s, *data, *len, d->digest, NULL, err) < 0) {
        free(*data);
        return -1;
    }
    return 0;
}

/* Stores the documents of a resolved reference and parses the config. */
static int pull_documents(kd_registry *r, kd_store *s, const kd_ref *ref, kd_resolved *res,
                          kd_pulled *out, kd_error **err)
{
    if (res->index.data) {
        if (kd_store_put_blob(s, res->index.data, res->index.len, res->index.digest, NULL, err) <
            0)
            return -1;
        memcpy(out->index_digest, res->index.digest, sizeof out->index_digest);
    }
    if (kd_store_put_blob(s, res->manifest.data, res->manifest.len, res->manifest.digest, NULL,
                          err) < 0)
        return -1;
    memcpy(out->manifest_digest, res->manifest.digest, sizeof out->manifest_digest);
    char *cfg;
    size_t len;
    if (get_config(r, s, ref, &res->parsed.config, &cfg, &len, err) < 0)
        return -1;
    int rc = kd_image_config_parse(cfg, len, &out->config, err);
    free(cfg);
    if (rc == 0 && out->config.diff_ids.n != res->parsed.nlayers)
        rc = kd_err(err, 0, "%s/%s: the config lists %zu layers, the manifest %zu", ref->domain,
                    ref->path, out->config.diff_ids.n, res->parsed.nlayers);
    return rc;
}

/* One layer download: into the store, and to the caller's sink. */
typedef struct layer_dl {
    kd_blob_writer *w;
    kd_blob_sink sink;
    void *sink_ctx;
    size_t index;
    bool begun;
} layer_dl;

static int layer_sink(void *ctx, const void *buf, size_t n)
{
    layer_dl *l = ctx;
    if (kd_blob_writer_sink(l->w, buf, n) < 0)
        return -1;
    return l->sink ? l->sink(l->sink_ctx, buf, n) : 0;
}

static bool planned(const kd_blob_job *jobs, size_t n, const char *digest)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(jobs[k].digest, digest) == 0)
            return true;
    return false;
}

/* Sets up the download of each layer not in the store yet. */
static int plan_layers(kd_store *s, const kd_pull_opts *o, kd_pulled *out, layer_dl *dl,
                       kd_blob_job *jobs, size_t *njobs, kd_error **err)
{
    *njobs = 0;
    for (size_t i = 0; i < out->manifest.nlayers; i++) {
        const kd_descriptor *d = &out->manifest.layers[i];
        int64_t have;
        if (kd_store_has_blob(s, d->digest, &have) && have == d->size)
            continue;
        if (planned(jobs, *njobs, d->digest))
            continue; /* the same layer twice in one image */
        layer_dl *l = &dl[*njobs];
        l->index = i;
        if (kd_store_blob_begin(s, d->digest, d->size, &l->w, err) < 0)
            return -1;
        jobs[*njobs] = (kd_blob_job){.digest = d->digest, .size = d->size, .sink = layer_sink,
                                     .ctx = l};
        ++*njobs;
        if (o && o->layer_begin) {
            if (o->layer_begin(o->ctx, i, d, out->config.diff_ids.v[i], &l->sink, &l->sink_ctx,
                               err) < 0)
                return -1;
            l->begun = true;
        }
    }
    return 0;
}

/* Commits or discards each download and tells the caller. */
static int finish_layers(kd_store *s, const kd_pull_opts *o, layer_dl *dl, kd_blob_job *jobs,
                         size_t n, int rc, kd_error **err)
{
    (void)s;
    for (size_t k = 0; k < n; k++) {
        bool ok = rc == 0 && jobs[k].status == 0;
        if (ok && kd_store_blob_commit(dl[k].w, NULL, err) < 0)
            ok = false, rc = -1;
        else if (!ok)
            kd_store_blob_abort(dl[k].w);
        dl[k].w = NULL;
        if (dl[k].begun && o->layer_end &&
            o->layer_end(o->ctx, dl[k].index, dl[k].sink_ctx, ok, rc == 0 ? err : NULL) < 0)
            rc = -1;
        kd_error_free(jobs[k].err);
        jobs[k].err = NULL;
    }
    return rc;
}

static int pull_layers(kd_registry *r, kd_store *s, const kd_ref *ref, const kd_pull_opts *o,
                       kd_pulled *out, kd_error **err)
{
    size_t n = out->manifest.nlayers;
    layer_dl *dl = kd_xcalloc(n ? n : 1, sizeof *dl);
    kd_blob_job *jobs = kd_xcalloc(n ? n : 1, sizeof *jobs);
    size_t njobs = 0;
    int rc = plan_layers(s, o, out, dl, jobs, &njobs, err);
    if (rc == 0)
        rc = kd_registry_fetch_blobs(r, ref, jobs, njobs, err);
    rc = finish_layers(s, o, dl, jobs, njobs, rc, err);
    if (rc == 0)
        out->layers_fetched = njobs;
    free(dl);
    free(jobs);
    return rc;
}

int kd_pull(kd_registry *r, kd_store *s, const kd_ref *ref, const kd_pull_opts *opts,
            kd_pulled *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    if (ref->scratch)
        return kd_err(err, 0, "scratch is the empty image: there is nothing to pull");
    kd_resolved res;
    if (kd_registry_resolve(r, ref, opts ? opts->platform : NULL, &res, err) < 0)
        return -1;
    int rc = pull_documents(r, s, ref, &res, out, err);
    /* the parsed manifest moves to out */
    out->manifest = res.parsed;
    memset(&res.parsed, 0, sizeof res.parsed);
    kd_resolved_free(&res);
    if (rc == 0 && !(opts && opts->no_layers))
        rc = pull_layers(r, s, ref, opts, out, err);
    if (rc < 0)
        kd_pulled_free(out);
    return rc;
}
