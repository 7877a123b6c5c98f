/* The layer cache inside a build: each step's key, the lookup that reuses
 * a cached layer without running or unpacking anything, and the record of
 * a step that ran. The keys are documented in docs/cache.md; the entries
 * are build/cache.h's. Owner: cache (issue 6). */
#include "build/builder_int.h"
#include "build/cache.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bumped whenever what a key covers changes: old entries then miss. */
#define KEY_VERSION "kdoctor-cache-1"

void bld_key_add(bld_step *st, const char *label, const char *value)
{
    if (st->key_h == NULL)
        return;
    const char *v = value ? value : "";
    char len[32];
    int n = snprintf(len, sizeof len, "%zu", strlen(v));
    kd_sha256_update(st->key_h, label, strlen(label) + 1);
    kd_sha256_update(st->key_h, len, (size_t)n + 1);
    kd_sha256_update(st->key_h, v, strlen(v));
}

/* The image a step starts from, as far as it can change what the step
 * does: the config without its history and times (so Env, User,
 * WorkingDir, Shell, the platform and the diff_ids of every layer). */
static void key_image_state(bld_step *st)
{
    kd_image_config c = st->s->img.config; /* shallow: only read */
    c.created = NULL;
    c.history = NULL;
    c.nhistory = 0;
    size_t len;
    char *json = kd_image_config_to_json(&c, &len);
    bld_key_add(st, "image", json);
    free(json);
}

void bld_key_begin(bld_step *st)
{
    kd_sha256_free(st->key_h);
    st->key_h = kd_sha256_new();
    st->key[0] = '\0';
    bld_key_add(st, "version", KEY_VERSION);
    key_image_state(st);
    bld_key_add(st, "instruction", df_kind_name(st->in->kind));
    /* the layer's mtimes depend on these: a layer made under another epoch
     * would differ from what this build makes from scratch */
    char times[48];
    snprintf(times, sizeof times, "%s:%lld", st->b->o->reproducible ? "fixed" : "clamp",
             (long long)st->b->epoch);
    bld_key_add(st, "layer-times", st->b->epoch < 0 ? "keep" : times);
    bld_key_add(st, "normalize", st->b->o->normalize_owners
                                     ? (st->b->o->normalize_modes ? "owners,modes" : "owners")
                                     : (st->b->o->normalize_modes ? "modes" : "none"));
    /* flags as written (--mount, --network, --link, --exclude, ...); the
     * expanded forms that matter are added by the instruction */
    for (size_t i = 0; i < st->in->nflags; i++) {
        bld_key_add(st, "flag", st->in->flags[i].name);
        bld_key_add(st, "value", st->in->flags[i].value);
    }
    /* heredoc bodies as written: a RUN script with a #! line is run from a
     * file, so its argv does not show them (COPY adds its expanded ones) */
    for (size_t i = 0; i < st->in->nheredocs; i++) {
        const df_heredoc *h = &st->in->heredocs[i];
        char *body = kd_xmemdup0(h->content, h->content_len);
        bld_key_add(st, "heredoc", h->name);
        bld_key_add(st, "heredoc-body", body);
        free(body);
    }
}

/* ---- context sources ---- */

/* The end of the first n '/'-separated components of p. */
static size_t comps_prefix(const char *p, size_t n)
{
    size_t i = 0;
    for (size_t k = 0; k < n; k++) {
        i += strcspn(p + i, "/");
        if (k + 1 < n && p[i] == '/')
            i++;
    }
    return i;
}

static size_t ncomps(const char *p)
{
    size_t n = 1;
    for (; *p; p++)
        n += *p == '/';
    return n;
}

/* Whether a COPY of pattern (cleaned, relative) may read path: path is
 * what pattern names or matches, below it, or one of its parents. Both
 * are cut to the shorter's number of components and matched; a malformed
 * pattern covers everything (a key that is too wide only misses). */
static bool covers(const char *pattern, const char *path)
{
    if (strcmp(pattern, ".") == 0)
        return true;
    size_t k = ncomps(pattern), j = ncomps(path);
    size_t m = k < j ? k : j;
    char *pp = kd_xstrndup(pattern, comps_prefix(pattern, m));
    char *pa = kd_xstrndup(path, comps_prefix(path, m));
    int r = kd_path_match(pp, pa);
    free(pp);
    free(pa);
    return r != 0;
}

int bld_key_context(bld_step *st, const char *src, kd_error **err)
{
    kd_builder *b = st->b;
    if (!b->ctx_walked) {
        if (kd_ctx_walk(b->context, b->ignore, &b->ctx, err) < 0)
            return -1;
        b->ctx_walked = true;
    }
    while (*src == '/')
        src++;
    char *pattern = kd_path_clean(src);
    bld_key_add(st, "source", pattern);
    if (st->key_h) {
        for (size_t i = 0; i < b->ctx.n; i++) {
            const kd_ctx_entry *e = &b->ctx.entries[i];
            if (!covers(pattern, e->path))
                continue;
            kd_sha256_update(st->key_h, e->path, strlen(e->path) + 1);
            kd_sha256_update(st->key_h, e->digest, KD_DIGEST_STR_LEN);
        }
    }
    free(pattern);
    return 0;
}

int bld_key_file(bld_step *st, const char *label, const char *path, kd_error **err)
{
    bld_key_add(st, label, NULL);
    if (st->key_h == NULL)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kd_err(err, errno, "cannot open %s", path);
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        kd_sha256_update(st->key_h, buf, (size_t)n);
    int e = errno;
    close(fd);
    return n < 0 ? kd_err(err, e, "cannot read %s", path) : 0;
}

void bld_key_image(bld_step *st, const bld_image *im)
{
    for (size_t i = 0; i < im->nlayers; i++)
        bld_key_add(st, "from-layer", im->layers[i].diff_id);
    bld_key_add(st, "from-layers", im->nlayers ? "end" : "none");
}

/* ---- lookup, miss, record ---- */

static void apply_hit(bld_step *st, const kd_cache_entry *e)
{
    if (e->layer) {
        kd_descriptor d;
        kd_cache_entry_layer(e, &d);
        bld_add_layer(st, &d, e->diff_id, (uint64_t)e->size,
                      e->tar_size > 0 ? (uint64_t)e->tar_size : 0,
                      e->files > 0 ? (uint64_t)e->files : 0);
    }
    bld_history(st, st->created_by, !e->layer);
    if (st->t)
        st->t->cache_hit = true;
}

int bld_cache_lookup(bld_step *st, kd_error **err)
{
    if (st->key_h == NULL)
        return 0;
    kd_sha256_final(st->key_h, st->key);
    st->key_h = NULL;
    if (st->b->o->no_cache)
        return 0;
    kd_builder *b = st->b;
    kd_cache_entry e;
    int rc = kd_cache_get(b->store, st->key, &e, err);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        bld_cache_repo_queue(b, &e, false); /* another machine may need it */
    } else if (b->cache_repo && bld_cache_repo_get(st, &e) == 0) {
        kd_error *perr = NULL; /* the next build here is local */
        if (kd_cache_put(b->store, &e, &perr) < 0)
            bld_warn(b, "cannot record the step in the cache: %s", perr->msg);
        kd_error_free(perr);
    } else {
        return 0;
    }
    apply_hit(st, &e);
    kd_cache_entry_free(&e);
    return 1;
}

int bld_cache_miss(bld_step *st, kd_error **err)
{
    if (bld_pull_lazy(st->b, st->t, err) < 0)
        return -1;
    return bld_unpack_layers(st->b, &st->s->img, st->t, err);
}

void bld_cache_save(bld_step *st, const kd_descriptor *desc, const char *diff_id,
                    const kd_layer_stats *stats)
{
    if (st->key[0] == '\0')
        return;
    kd_cache_entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.key, sizeof e.key, "%s", st->key);
    e.created_by = st->created_by;
    if (desc) {
        e.layer = true;
        e.media_type = desc->media_type;
        snprintf(e.digest, sizeof e.digest, "%s", desc->digest);
        e.size = desc->size;
        snprintf(e.diff_id, sizeof e.diff_id, "%s", diff_id);
        e.tar_size = (int64_t)stats->tar_size;
        e.files = (int64_t)stats->files;
    }
    kd_error *err = NULL;
    /* the image is fine without its cache entry: a warning, not a failure */
    if (kd_cache_put(st->b->store, &e, &err) < 0)
        bld_warn(st->b, "cannot record the step in the cache: %s", err->msg);
    else
        bld_cache_repo_queue(st->b, &e, true);
    kd_error_free(err);
}
