/* kdoctor cache prune: a mark and sweep over the store. Named images
 * (images.json) pin their manifests, configs, layer blobs and unpacked
 * layers; cache entries, most recently used first, pin their layer while
 * the store stays within the size asked for; everything else goes. Runs
 * with the store open exclusively, so no build is using anything.
 * Owner: cache (issue 6). See build/cache.h. */
#include "build/cache.h"
#include "build/oci.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct obj {
    char digest[KD_DIGEST_STR_LEN + 1];
    bool layer; /* an unpacked layer (by diff_id), else a blob */
    uint64_t size;
    bool keep; /* pinned by an image or a kept entry */
} obj;

typedef struct objs {
    obj *v;
    size_t n, cap;
} objs;

static int cmp_obj(const void *a, const void *b)
{
    const obj *x = a, *y = b;
    if (x->layer != y->layer)
        return x->layer ? 1 : -1;
    return strcmp(x->digest, y->digest);
}

static obj *find(objs *o, const char *digest, bool layer)
{
    obj key;
    memset(&key, 0, sizeof key);
    snprintf(key.digest, sizeof key.digest, "%s", digest);
    key.layer = layer;
    return o->n ? bsearch(&key, o->v, o->n, sizeof *o->v, cmp_obj) : NULL;
}

/* ---- what the store holds ---- */

static void add(objs *o, const char *hex, bool layer, uint64_t size)
{
    KD_GROW(o->v, o->cap, o->n + 1);
    obj *x = &o->v[o->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->digest, sizeof x->digest, "sha256:%.64s", hex);
    x->layer = layer;
    x->size = size;
}

static bool hex_name(const char *name, size_t len)
{
    return strlen(name) == len && strspn(name, "0123456789abcdef") == KD_DIGEST_HEX_LEN;
}

static void scan_blobs(kd_store *s, objs *o)
{
    char *dir = kd_asprintf("%s/blobs/sha256", kd_store_dir(s));
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        struct stat st;
        char *p = kd_asprintf("%s/%s", dir, e->d_name);
        if (hex_name(e->d_name, KD_DIGEST_HEX_LEN) && stat(p, &st) == 0 && S_ISREG(st.st_mode))
            add(o, e->d_name, false, (uint64_t)st.st_size);
        free(p);
    }
    if (d)
        closedir(d);
    free(dir);
}

/* Unpacked layers, sized by their tar (a walk of every tree would cost
 * more than the prune). */
static void scan_layers(kd_store *s, objs *o)
{
    char *dir = kd_asprintf("%s/layers/sha256", kd_store_dir(s));
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (!hex_name(e->d_name, KD_DIGEST_HEX_LEN))
            continue;
        char digest[KD_DIGEST_STR_LEN + 1];
        snprintf(digest, sizeof digest, "sha256:%.64s", e->d_name);
        kd_layer_meta m;
        uint64_t size = 0;
        if (kd_store_layer_meta(s, digest, &m, NULL) == 0) {
            size = m.tar_size > 0 ? (uint64_t)m.tar_size : 0;
            kd_layer_meta_free(&m);
        }
        add(o, e->d_name, true, size);
    }
    if (d)
        closedir(d);
    free(dir);
}

/* ---- what named images pin ---- */

static void pin(objs *o, const char *digest, bool layer)
{
    obj *x = find(o, digest, layer);
    if (x)
        x->keep = true;
}

static void pin_config(kd_store *s, objs *o, const char *digest)
{
    char *data;
    size_t len;
    kd_image_config c;
    pin(o, digest, false);
    if (kd_store_blob_read(s, digest, KD_MANIFEST_MAX, &data, &len, NULL) < 0)
        return;
    memset(&c, 0, sizeof c);
    if (kd_image_config_parse(data, len, &c, NULL) == 0)
        for (size_t i = 0; i < c.diff_ids.n; i++)
            pin(o, c.diff_ids.v[i], true);
    kd_image_config_free(&c);
    free(data);
}

static void pin_image(kd_store *s, objs *o, const char *digest, int depth)
{
    char *data;
    size_t len;
    pin(o, digest, false);
    if (depth > 4 || kd_store_blob_read(s, digest, KD_MANIFEST_MAX, &data, &len, NULL) < 0)
        return;
    if (kd_doc_kind_of(NULL, data, len) == KD_DOC_INDEX) {
        kd_index ix;
        if (kd_index_parse(data, len, NULL, &ix, NULL) == 0) {
            for (size_t i = 0; i < ix.nmanifests; i++)
                pin_image(s, o, ix.manifests[i].digest, depth + 1);
            kd_index_free(&ix);
        }
    } else {
        kd_manifest m;
        if (kd_manifest_parse(data, len, NULL, &m, NULL) == 0) {
            pin_config(s, o, m.config.digest);
            for (size_t i = 0; i < m.nlayers; i++)
                pin(o, m.layers[i].digest, false);
            kd_manifest_free(&m);
        }
    }
    free(data);
}

static int pin_images(kd_store *s, objs *o, kd_error **err)
{
    kd_store_image *list;
    size_t n;
    if (kd_store_image_list(s, &list, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        pin_image(s, o, list[i].digest, 0);
    kd_store_images_free(list, n);
    return 0;
}

static uint64_t kept_bytes(const objs *o)
{
    uint64_t t = 0;
    for (size_t i = 0; i < o->n; i++)
        t += o->v[i].keep ? o->v[i].size : 0;
    return t;
}

/* What keeping entry e adds to the store beyond what is kept already. */
static uint64_t entry_extra(objs *o, const kd_cache_entry *e)
{
    if (!e->layer)
        return 0;
    obj *b = find(o, e->digest, false), *l = find(o, e->diff_id, true);
    return (b && !b->keep ? b->size : 0) + (l && !l->keep ? l->size : 0);
}

static void keep_entry(objs *o, const kd_cache_entry *e)
{
    if (e->layer) {
        pin(o, e->digest, false);
        pin(o, e->diff_id, true);
    }
}

/* ---- sweep ---- */

static int remove_obj(kd_store *s, const obj *x, kd_error **err)
{
    if (!x->layer) {
        char *p = kd_store_blob_path(s, x->digest);
        int rc = unlink(p) < 0 && errno != ENOENT ? kd_err(err, errno, "cannot remove %s", p) : 0;
        free(p);
        return rc;
    }
    char *dir = kd_store_layer_path(s, x->digest);
    char *json = kd_asprintf("%s.json", dir);
    /* the metadata first: a layer dir without it is never trusted */
    int rc = unlink(json) < 0 && errno != ENOENT ? kd_err(err, errno, "cannot remove %s", json) : 0;
    if (rc == 0)
        rc = kd_remove_tree(dir, err);
    free(json);
    free(dir);
    return rc;
}

static void scan(kd_store *s, objs *o)
{
    scan_blobs(s, o);
    scan_layers(s, o);
    if (o->n)
        qsort(o->v, o->n, sizeof *o->v, cmp_obj);
}

int kd_cache_usage(kd_store *s, uint64_t *bytes, size_t *entries, kd_error **err)
{
    objs o = {0};
    scan(s, &o);
    *bytes = 0;
    for (size_t i = 0; i < o.n; i++)
        *bytes += o.v[i].size;
    free(o.v);
    kd_cache_entry *v;
    if (kd_cache_list(s, &v, entries, err) < 0)
        return -1;
    kd_cache_entries_free(v, *entries);
    return 0;
}

int kd_cache_prune(kd_store *s, int64_t keep, kd_prune_stats *st, kd_error **err)
{
    memset(st, 0, sizeof *st);
    objs o = {0};
    scan(s, &o);
    kd_cache_entry *v = NULL;
    size_t n = 0;
    int rc = pin_images(s, &o, err);
    if (rc == 0)
        rc = kd_cache_list(s, &v, &n, err); /* most recently used first */
    /* strict LRU: the first entry that does not fit, and every older one, go */
    bool full = keep < 0;
    uint64_t total = kept_bytes(&o);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t extra = entry_extra(&o, &v[i]);
        if (!full && total + extra <= (uint64_t)keep) {
            total += extra;
            keep_entry(&o, &v[i]);
            st->kept_entries++;
            continue;
        }
        full = true;
        rc = kd_cache_remove(s, v[i].key, err) < 0 ? -1 : 0;
        st->entries += rc == 0;
    }
    for (size_t i = 0; rc == 0 && i < o.n; i++) {
        if (o.v[i].keep)
            continue;
        rc = remove_obj(s, &o.v[i], err);
        if (rc == 0) {
            st->bytes += o.v[i].size;
            if (o.v[i].layer)
                st->layers++;
            else
                st->blobs++;
        }
    }
    st->kept_bytes = kept_bytes(&o);
    kd_cache_entries_free(v, n);
    free(o.v);
    return rc;
}
