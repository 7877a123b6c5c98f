/* The layer cache kept in a registry (--cache-repo REF), so that build jobs
 * on other machines reuse each other's layers. One manifest per cache key,
 * tagged with the key's hex in REF's repository:
 *
 *   config   the entry's JSON (build/cache.h), media type KD_MT_CACHE_ENTRY
 *   layers   the step's layer blob (none when the step made no layer)
 *   annotations
 *     dev.kdoctor.cache.entry         the entry's JSON again: one GET of the
 *                                     manifest answers a lookup
 *     org.opencontainers.image.created  when it was pushed (--cache-ttl)
 *
 * Reading needs only pull rights: a lookup is a GET of the manifest, and a
 * hit downloads the layer blob into the store (not unpacked). Writing
 * happens once the steps have run (bld_cache_push): blobs the repository
 * has are not sent again; when pushing is refused (pull-only credentials)
 * one warning says so and the build goes on. Owner: cache (issue 6). */
#include "build/builder_int.h"
#include "build/cache.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KD_MT_CACHE_ENTRY "application/vnd.kdoctor.cache.entry.v1+json"
#define ANNOT_ENTRY       "dev.kdoctor.cache.entry"
#define ANNOT_CREATED     "org.opencontainers.image.created"
#define DEFAULT_TTL       (14 * 24 * 3600) /* two weeks, as Kaniko */

int bld_cache_repo_setup(kd_builder *b, kd_error **err)
{
    if (b->o->cache_repo == NULL)
        return 0;
    if (kd_ref_parse(b->o->cache_repo, &b->cache_ref, err) < 0 || b->cache_ref.scratch) {
        kd_err(err, 0, "--cache-repo %s: not a repository", b->o->cache_repo);
        (*err)->status = 2;
        return -1;
    }
    b->cache_repo = true;
    return 0;
}

/* "2026-11-28T02:00:00Z" to seconds; -1 when not in that form. */
static int64_t parse_rfc3339(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (end == NULL)
        return -1;
    return (int64_t)timegm(&tm);
}

/* ---- lookup ---- */

/* The entry of a cache manifest, checked: the key asked for, not older
 * than the TTL, and the layer it names is the manifest's one layer. */
static int entry_of(kd_builder *b, const char *key, const kd_fetched *f, kd_cache_entry *e,
                    kd_error **err)
{
    kd_manifest m;
    if (kd_manifest_parse(f->data, f->len, f->media_type, &m, err) < 0)
        return -1;
    int rc = 0;
    const char *json = kd_map_get(&m.annotations, ANNOT_ENTRY);
    int64_t created = parse_rfc3339(kd_map_get(&m.annotations, ANNOT_CREATED));
    int64_t ttl = b->o->cache_ttl > 0 ? b->o->cache_ttl : DEFAULT_TTL;
    if (json == NULL || created < 0 || (int64_t)time(NULL) - created > ttl) {
        rc = 1; /* not ours, or aged out: a miss */
    } else if (kd_cache_entry_parse(json, strlen(json), e, err) < 0) {
        rc = -1;
    } else if (strcmp(e->key, key) != 0 ||
               (e->layer ? m.nlayers != 1 || strcmp(m.layers[0].digest, e->digest) != 0
                         : m.nlayers != 0)) {
        kd_cache_entry_free(e);
        rc = kd_err(err, 0, "the cache manifest for %s does not match its entry", key);
    }
    kd_manifest_free(&m);
    return rc;
}

static int fetch_layer(kd_builder *b, kd_registry *r, const kd_cache_entry *e, kd_error **err)
{
    if (!e->layer || kd_store_has_blob(b->store, e->digest, NULL))
        return 0;
    kd_blob_writer *w;
    if (kd_store_blob_begin(b->store, e->digest, e->size, &w, err) < 0)
        return -1;
    if (kd_registry_fetch_blob(r, &b->cache_ref, e->digest, e->size, kd_blob_writer_sink, w, err) <
        0) {
        kd_store_blob_abort(w);
        return -1;
    }
    return kd_store_blob_commit(w, NULL, err);
}

/* A lookup that cannot reach the cache repo is a miss with one warning:
 * the build does not depend on the cache. */
static void repo_trouble(kd_builder *b, const char *what, kd_error *e)
{
    pthread_mutex_lock(&b->lock);
    bool first = !b->cache_repo_warned;
    b->cache_repo_warned = true;
    pthread_mutex_unlock(&b->lock);
    if (first)
        bld_warn(b, "cache repo %s: %s: %s", b->o->cache_repo, what, e ? e->msg : "failed");
    kd_error_free(e);
}

int bld_cache_repo_get(bld_step *st, kd_cache_entry *e)
{
    kd_builder *b = st->b;
    kd_registry *r;
    kd_error *err = NULL;
    if (bld_registry(b, &r, &err) < 0) {
        repo_trouble(b, "no client", err);
        return 1;
    }
    double t0 = kd_now_ms();
    const char *tag = kd_digest_hex(st->key);
    kd_descriptor d;
    memset(&d, 0, sizeof d);
    int rc = kd_registry_head_manifest(r, &b->cache_ref, tag, &d, &err);
    kd_descriptor_free(&d);
    kd_fetched f;
    memset(&f, 0, sizeof f);
    if (rc == 0)
        rc = kd_registry_get_manifest(r, &b->cache_ref, tag, &f, &err);
    if (rc == 0)
        rc = entry_of(b, st->key, &f, e, &err);
    kd_fetched_free(&f);
    double t1 = kd_now_ms();
    if (st->t)
        kd_phase_add(st->t, KD_PH_RESOLVE, t1 - t0, 0);
    if (rc == 0 && fetch_layer(b, r, e, &err) < 0) {
        kd_cache_entry_free(e);
        rc = -1;
    }
    if (rc == 0 && st->t && e->layer)
        kd_phase_add(st->t, KD_PH_PULL, kd_now_ms() - t1, (uint64_t)e->size);
    if (rc < 0)
        repo_trouble(b, "lookup", err);
    return rc == 0 ? 0 : 1;
}

/* ---- push ---- */

struct bld_push {
    kd_cache_entry e;
    bool ran;
};

void bld_cache_repo_queue(kd_builder *b, const kd_cache_entry *e, bool ran)
{
    if (!b->cache_repo)
        return;
    KD_GROW(b->cache_push, b->cache_push_cap, b->ncache_push + 1);
    struct bld_push *q = &b->cache_push[b->ncache_push++];
    q->e = *e;
    q->e.media_type = e->media_type ? kd_xstrdup(e->media_type) : NULL;
    q->e.created_by = e->created_by ? kd_xstrdup(e->created_by) : NULL;
    q->ran = ran;
}

static int push_layer(kd_builder *b, kd_registry *r, const kd_cache_entry *e, kd_push_how *how,
                      kd_error **err)
{
    int fd;
    int64_t size;
    if (kd_store_blob_open(b->store, e->digest, &fd, &size, err) < 0)
        return -1;
    kd_blob_source src = {.fd = fd, .size = size, .digest = e->digest};
    int rc = kd_registry_push_blob(r, &b->cache_ref, &src, NULL, 0, how, err);
    close(fd);
    return rc;
}

/* A local hit's entry: one HEAD when the repo has it already (it keeps its
 * push time, so it still ages out; the step that runs then pushes anew). */
static int repo_has(kd_builder *b, kd_registry *r, const kd_cache_entry *e, kd_error **err)
{
    kd_descriptor have;
    memset(&have, 0, sizeof have);
    int rc = kd_registry_head_manifest(r, &b->cache_ref, kd_digest_hex(e->key), &have, err);
    kd_descriptor_free(&have);
    return rc < 0 ? -1 : rc == 0;
}

static int push_entry(kd_builder *b, kd_registry *r, const kd_cache_entry *e, bool *uploaded,
                      kd_error **err)
{
    kd_push_how how = KD_PUSH_EXISTED;
    if (e->layer && push_layer(b, r, e, &how, err) < 0)
        return -1;
    *uploaded = how == KD_PUSH_UPLOADED;
    size_t len;
    char *json = kd_cache_entry_to_json(e, &len);
    char digest[KD_DIGEST_STR_LEN + 1];
    kd_digest_of(json, len, digest);
    kd_blob_source src = {.fd = -1, .data = json, .size = (int64_t)len, .digest = digest};
    int rc = kd_registry_push_blob(r, &b->cache_ref, &src, NULL, 0, NULL, err);
    kd_manifest m;
    memset(&m, 0, sizeof m);
    m.media_type = kd_xstrdup(KD_MT_OCI_MANIFEST);
    m.config.media_type = kd_xstrdup(KD_MT_CACHE_ENTRY);
    snprintf(m.config.digest, sizeof m.config.digest, "%s", digest);
    m.config.size = (int64_t)len;
    if (e->layer) {
        kd_descriptor d;
        kd_cache_entry_layer(e, &d);
        kd_manifest_add_layer(&m, &d);
    }
    char *now = bld_rfc3339((int64_t)time(NULL)); /* the clock, not the epoch: for the TTL */
    kd_map_set(&m.annotations, ANNOT_ENTRY, json);
    kd_map_set(&m.annotations, ANNOT_CREATED, now);
    free(now);
    size_t mlen;
    char *mjson = kd_manifest_to_json(&m, &mlen);
    if (rc == 0)
        rc = kd_registry_put_manifest(r, &b->cache_ref, kd_digest_hex(e->key), KD_MT_OCI_MANIFEST,
                                      mjson, mlen, NULL, err);
    free(mjson);
    kd_manifest_free(&m);
    free(json);
    return rc;
}

void bld_cache_push(kd_builder *b)
{
    if (!b->cache_repo || b->ncache_push == 0 || bld_cancelled(b))
        return;
    kd_registry *r;
    kd_error *err = NULL;
    if (bld_registry(b, &r, &err) < 0) {
        repo_trouble(b, "no client", err);
        return;
    }
    size_t pushed = 0, uploaded = 0;
    for (size_t i = 0; i < b->ncache_push && !bld_cancelled(b); i++) {
        const struct bld_push *q = &b->cache_push[i];
        bool up = false;
        int present = q->ran ? 0 : repo_has(b, r, &q->e, &err);
        if (present == 0 && push_entry(b, r, &q->e, &up, &err) < 0)
            present = -1;
        if (present < 0) {
            /* pull-only credentials end up here: reading still works */
            repo_trouble(b, "push", err);
            return;
        }
        pushed += !present;
        uploaded += up;
    }
    if (pushed == 0)
        return;
    bld_info(b, "cache repo %s: %zu entr%s pushed, %zu layer%s uploaded", b->o->cache_repo, pushed,
             pushed == 1 ? "y" : "ies", uploaded, uploaded == 1 ? "" : "s");
}

void bld_cache_repo_free(kd_builder *b)
{
    for (size_t i = 0; i < b->ncache_push; i++)
        kd_cache_entry_free(&b->cache_push[i].e);
    free(b->cache_push);
    b->cache_push = NULL;
    b->ncache_push = 0;
    if (b->cache_repo)
        kd_ref_free(&b->cache_ref);
}
