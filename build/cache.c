/* The build cache's entries in the store (DIR/cache/<key hex>.json). See
 * build/cache.h. Owner: cache (issue 6). */
#include "build/cache.h"
#include "build/oci.h"
#include "build/oci_json.h"
#include "util/fs.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENTRY_MAX (64 * 1024)

void kd_cache_entry_free(kd_cache_entry *e)
{
    free(e->media_type);
    free(e->created_by);
    memset(e, 0, sizeof *e);
}

void kd_cache_entry_layer(const kd_cache_entry *e, kd_descriptor *d)
{
    memset(d, 0, sizeof *d);
    d->media_type = e->media_type;
    snprintf(d->digest, sizeof d->digest, "%s", e->digest);
    d->size = e->size;
}

char *kd_cache_entry_to_json(const kd_cache_entry *e, size_t *len)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key", e->key);
    if (e->layer) {
        cJSON *l = cJSON_AddObjectToObject(o, "layer");
        kd_json_add_str(l, "mediaType", e->media_type);
        cJSON_AddStringToObject(l, "digest", e->digest);
        kd_json_add_int(l, "size", e->size);
        cJSON_AddStringToObject(l, "diffID", e->diff_id);
        kd_json_add_int(l, "tarSize", e->tar_size);
        kd_json_add_int(l, "files", e->files);
    }
    kd_json_add_str(o, "createdBy", e->created_by);
    return kd_json_print(o, len);
}

static int get_digest(const cJSON *o, const char *key, char out[KD_DIGEST_STR_LEN + 1],
                      kd_error **err)
{
    char *s = NULL;
    if (kd_json_str(o, key, "cache entry", &s, err) < 0)
        return -1;
    int rc = 0;
    if (s == NULL || !kd_digest_valid(s))
        rc = kd_err(err, 0, "cache entry: %s is not a sha256 digest", key);
    else
        snprintf(out, KD_DIGEST_STR_LEN + 1, "%s", s);
    free(s);
    return rc;
}

static int parse_layer(const cJSON *l, kd_cache_entry *e, kd_error **err)
{
    const char *what = "cache entry layer";
    e->layer = true;
    e->tar_size = e->files = -1;
    if (get_digest(l, "digest", e->digest, err) < 0 ||
        get_digest(l, "diffID", e->diff_id, err) < 0 ||
        kd_json_str(l, "mediaType", what, &e->media_type, err) < 0 ||
        kd_json_int(l, "size", what, 0, KD_JSON_INT_MAX, &e->size, err) < 0 ||
        kd_json_int(l, "tarSize", what, -1, KD_JSON_INT_MAX, &e->tar_size, err) < 0 ||
        kd_json_int(l, "files", what, -1, KD_JSON_INT_MAX, &e->files, err) < 0)
        return -1;
    if (e->media_type == NULL || !kd_media_type_is_layer(e->media_type))
        return kd_err(err, 0, "cache entry: the layer has no layer media type");
    return 0;
}

int kd_cache_entry_parse(const char *data, size_t len, kd_cache_entry *e, kd_error **err)
{
    memset(e, 0, sizeof *e);
    cJSON *o = kd_json_parse(data, len, "cache entry", err);
    if (o == NULL)
        return -1;
    int rc = get_digest(o, "key", e->key, err);
    const cJSON *l = kd_json_get(o, "layer");
    if (rc == 0 && l)
        rc = cJSON_IsObject(l) ? parse_layer(l, e, err)
                               : kd_err(err, 0, "cache entry: layer is not an object");
    if (rc == 0)
        rc = kd_json_str(o, "createdBy", "cache entry", &e->created_by, err);
    cJSON_Delete(o);
    if (rc < 0)
        kd_cache_entry_free(e);
    return rc;
}

static char *entry_path(const kd_store *s, const char *key)
{
    if (!kd_digest_valid(key))
        return NULL;
    return kd_asprintf("%s/cache/%s.json", kd_store_dir(s), kd_digest_hex(key));
}

static int read_entry(const char *path, kd_cache_entry *e, kd_error **err)
{
    char *data = NULL;
    size_t len = 0;
    if (kd_read_file(path, &data, &len, err) < 0)
        return -1;
    int rc = len > ENTRY_MAX ? kd_err(err, 0, "%s: too large for a cache entry", path)
                             : kd_cache_entry_parse(data, len, e, err);
    free(data);
    struct stat st;
    if (rc == 0 && stat(path, &st) == 0)
        e->used_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    return rc;
}

int kd_cache_get(kd_store *s, const char *key, kd_cache_entry *e, kd_error **err)
{
    memset(e, 0, sizeof *e);
    char *path = entry_path(s, key);
    if (path == NULL)
        return kd_err(err, 0, "invalid cache key \"%.80s\"", key);
    if (access(path, F_OK) < 0) {
        free(path);
        return 1;
    }
    kd_error *bad = NULL;
    int rc = read_entry(path, e, &bad);
    /* an unreadable entry, one filed under another key, or one whose blob
     * was pruned is a miss: the step runs and writes a good one */
    if (rc < 0 || strcmp(e->key, key) != 0 ||
        (e->layer && !kd_store_has_blob(s, e->digest, NULL))) {
        kd_error_free(bad);
        kd_cache_entry_free(e);
        free(path);
        return 1;
    }
    utimensat(AT_FDCWD, path, NULL, 0); /* last use; best effort */
    free(path);
    return 0;
}

int kd_cache_put(kd_store *s, const kd_cache_entry *e, kd_error **err)
{
    char *path = entry_path(s, e->key);
    if (path == NULL)
        return kd_err(err, 0, "invalid cache key \"%.80s\"", e->key);
    char *dir = kd_asprintf("%s/cache", kd_store_dir(s));
    int rc =
        mkdir(dir, 0700) < 0 && errno != EEXIST ? kd_err(err, errno, "cannot create %s", dir) : 0;
    if (rc == 0) {
        size_t len;
        char *json = kd_cache_entry_to_json(e, &len);
        rc = kd_write_file_atomic(path, kd_store_tmp(s), json, len, 0644, err);
        free(json);
    }
    free(dir);
    free(path);
    return rc;
}

static int by_use(const void *a, const void *b)
{
    const kd_cache_entry *x = a, *y = b;
    if (x->used_ns != y->used_ns)
        return x->used_ns > y->used_ns ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* "<64 hex>.json" */
static bool entry_name(const char *name)
{
    size_t n = strlen(name);
    return n == KD_DIGEST_HEX_LEN + 5 && strcmp(name + KD_DIGEST_HEX_LEN, ".json") == 0 &&
           strspn(name, "0123456789abcdef") == KD_DIGEST_HEX_LEN;
}

int kd_cache_list(kd_store *s, kd_cache_entry **v, size_t *n, kd_error **err)
{
    *v = NULL;
    *n = 0;
    char *dir = kd_asprintf("%s/cache", kd_store_dir(s));
    DIR *d = opendir(dir);
    if (d == NULL) {
        int e = errno;
        free(dir);
        return e == ENOENT ? 0 : kd_err(err, e, "cannot read the cache");
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!entry_name(de->d_name))
            continue;
        char *path = kd_asprintf("%s/%s", dir, de->d_name);
        KD_GROW(*v, cap, *n + 1);
        kd_error *bad = NULL;
        if (read_entry(path, &(*v)[*n], &bad) == 0)
            (*n)++;
        kd_error_free(bad);
        free(path);
    }
    closedir(d);
    free(dir);
    if (*n)
        qsort(*v, *n, sizeof **v, by_use);
    return 0;
}

void kd_cache_entries_free(kd_cache_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kd_cache_entry_free(&v[i]);
    free(v);
}

int kd_cache_remove(kd_store *s, const char *key, kd_error **err)
{
    char *path = entry_path(s, key);
    if (path == NULL)
        return kd_err(err, 0, "invalid cache key \"%.80s\"", key);
    int rc = 0;
    if (unlink(path) < 0)
        rc = errno == ENOENT ? 1 : kd_err(err, errno, "cannot remove %s", path);
    free(path);
    return rc;
}
