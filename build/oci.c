/* The OCI model: maps, string lists, platforms, descriptors, manifests,
 * indexes and registry error bodies. Image configs are in oci_config.c. */
#include "build/oci.h"
#include "build/oci_json.h"
#include "util/buf.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

/* ---- maps and string lists ------------------------------------------- */

/* Index of key, or where it would go (*found false). */
static size_t map_find(const kd_map *m, const char *key, bool *found)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->items[mid].key, key);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

void kd_map_set(kd_map *m, const char *key, const char *value)
{
    bool found;
    size_t i = map_find(m, key, &found);
    if (found) {
        free(m->items[i].value);
        m->items[i].value = kd_xstrdup(value);
        return;
    }
    KD_GROW(m->items, m->cap, m->n + 1);
    memmove(&m->items[i + 1], &m->items[i], (m->n - i) * sizeof m->items[0]);
    m->items[i] = (kd_kv){kd_xstrdup(key), kd_xstrdup(value)};
    m->n++;
}

const char *kd_map_get(const kd_map *m, const char *key)
{
    bool found;
    size_t i = map_find(m, key, &found);
    return found ? m->items[i].value : NULL;
}

bool kd_map_del(kd_map *m, const char *key)
{
    bool found;
    size_t i = map_find(m, key, &found);
    if (!found)
        return false;
    free(m->items[i].key);
    free(m->items[i].value);
    memmove(&m->items[i], &m->items[i + 1], (m->n - i - 1) * sizeof m->items[0]);
    m->n--;
    return true;
}

void kd_map_copy(kd_map *dst, const kd_map *src)
{
    for (size_t i = 0; i < src->n; i++)
        kd_map_set(dst, src->items[i].key, src->items[i].value);
}

void kd_map_free(kd_map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    memset(m, 0, sizeof *m);
}

void kd_strv_push(kd_strv *s, const char *str)
{
    s->v = kd_xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = kd_xstrdup(str);
    s->set = true;
}

void kd_strv_copy(kd_strv *dst, const kd_strv *src)
{
    memset(dst, 0, sizeof *dst);
    for (size_t i = 0; i < src->n; i++)
        kd_strv_push(dst, src->v[i]);
    dst->set = src->set;
}

void kd_strv_free(kd_strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- platforms --------------------------------------------------------- */

/* Architecture names as Go's GOARCH spells them; *variant may be set. */
static const char *norm_arch(const char *arch, const char **variant)
{
    static const struct {
        const char *from, *to, *variant;
    } table[] = {
        {"x86_64", "amd64", NULL}, {"x86-64", "amd64", NULL}, {"aarch64", "arm64", NULL},
        {"armhf", "arm", "v7"},    {"armel", "arm", "v6"},    {"i386", "386", NULL},
        {"i686", "386", NULL},     {"ppc64el", "ppc64le", NULL},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcasecmp(arch, table[i].from) == 0) {
            if (table[i].variant)
                *variant = table[i].variant;
            return table[i].to;
        }
    }
    return arch;
}

/* "8" -> "v8"; arm64 without variant is v8 and arm without one is v7, as
 * containerd's platforms.Normalize has it. */
static char *norm_variant(const char *arch, const char *variant)
{
    if (variant && *variant && isdigit((unsigned char)variant[0]))
        return kd_asprintf("v%s", variant);
    if (variant && *variant)
        return kd_xstrdup(variant);
    if (strcmp(arch, "arm64") == 0)
        return kd_xstrdup("v8");
    if (strcmp(arch, "arm") == 0)
        return kd_xstrdup("v7");
    return NULL;
}

static void platform_set(kd_platform *p, const char *os, const char *arch, const char *variant)
{
    const char *v = variant;
    const char *a = norm_arch(arch, &v);
    p->os = kd_xstrdup(os);
    p->architecture = kd_xstrdup(a);
    p->variant = v && *v ? kd_xstrdup(v) : NULL;
    for (char *c = p->os; *c; c++)
        *c = (char)tolower((unsigned char)*c);
}

int kd_platform_parse(const char *s, kd_platform *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    char *copy = kd_xstrdup(s);
    char *parts[4] = {0};
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save))
        parts[n < 4 ? n++ : 3] = t;
    int rc = 0;
    if (n < 2 || n > 3 || strchr(s, ' ') || s[strlen(s) - 1] == '/')
        rc = kd_err(err, 0, "invalid platform \"%s\": expected os/arch or os/arch/variant", s);
    else
        platform_set(out, parts[0], parts[1], n == 3 ? parts[2] : NULL);
    free(copy);
    return rc;
}

void kd_platform_host(kd_platform *out)
{
    memset(out, 0, sizeof *out);
    struct utsname u;
    const char *machine = uname(&u) == 0 ? u.machine : "amd64";
    const char *variant = NULL;
    if (strncmp(machine, "armv7", 5) == 0)
        machine = "arm", variant = "v7";
    else if (strncmp(machine, "armv6", 5) == 0)
        machine = "arm", variant = "v6";
    platform_set(out, "linux", machine, variant);
}

bool kd_platform_match(const kd_platform *want, const kd_platform *have)
{
    if (!want->os || !want->architecture || !have->os || !have->architecture)
        return false;
    if (strcasecmp(want->os, have->os) != 0)
        return false;
    const char *wv = want->variant, *hv = have->variant;
    const char *wa = norm_arch(want->architecture, &wv);
    const char *ha = norm_arch(have->architecture, &hv);
    if (strcmp(wa, ha) != 0)
        return false;
    if (wv == NULL || *wv == '\0')
        return true;
    char *w = norm_variant(wa, wv), *h = norm_variant(ha, hv);
    bool same = h && strcmp(w, h) == 0;
    free(w);
    free(h);
    return same;
}

char *kd_platform_string(const kd_platform *p)
{
    return kd_asprintf("%s/%s%s%s", p->os ? p->os : "?", p->architecture ? p->architecture : "?",
                       p->variant ? "/" : "", p->variant ? p->variant : "");
}

void kd_platform_copy(kd_platform *dst, const kd_platform *src)
{
    dst->os = kd_strdup_null(src->os);
    dst->architecture = kd_strdup_null(src->architecture);
    dst->variant = kd_strdup_null(src->variant);
    dst->os_version = kd_strdup_null(src->os_version);
}

void kd_platform_free(kd_platform *p)
{
    if (p == NULL)
        return;
    free(p->os);
    free(p->architecture);
    free(p->variant);
    free(p->os_version);
    memset(p, 0, sizeof *p);
}

static int platform_from_json(const cJSON *o, const char *what, kd_platform *p, kd_error **err)
{
    if (!cJSON_IsObject(o))
        return kd_err(err, 0, "%s: \"platform\" must be an object", what);
    if (kd_json_str(o, "os", what, &p->os, err) < 0 ||
        kd_json_str(o, "architecture", what, &p->architecture, err) < 0 ||
        kd_json_str(o, "variant", what, &p->variant, err) < 0 ||
        kd_json_str(o, "os.version", what, &p->os_version, err) < 0)
        return -1;
    if (p->os == NULL || p->architecture == NULL)
        return kd_err(err, 0, "%s: a platform needs \"os\" and \"architecture\"", what);
    return 0;
}

static cJSON *platform_to_json(const kd_platform *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "architecture", p->architecture ? p->architecture : "");
    cJSON_AddStringToObject(o, "os", p->os ? p->os : "");
    kd_json_add_str(o, "os.version", p->os_version);
    kd_json_add_str(o, "variant", p->variant);
    return o;
}

/* ---- descriptors --------------------------------------------------------- */

static int descriptor_from_json(const cJSON *o, const char *what, kd_descriptor *d,
                                kd_error **err)
{
    memset(d, 0, sizeof *d);
    d->size = -1;
    if (!cJSON_IsObject(o))
        return kd_err(err, 0, "%s: a descriptor must be an object", what);
    char *digest = NULL;
    if (kd_json_str(o, "mediaType", what, &d->media_type, err) < 0 ||
        kd_json_str(o, "digest", what, &digest, err) < 0 ||
        kd_json_int(o, "size", what, 0, KD_JSON_INT_MAX, &d->size, err) < 0 ||
        kd_json_strv(o, "urls", what, &d->urls, err) < 0 ||
        kd_json_map(o, "annotations", what, false, &d->annotations, err) < 0 ||
        kd_json_str(o, "artifactType", what, &d->artifact_type, err) < 0)
        goto fail;
    if (digest == NULL || !kd_digest_valid(digest)) {
        kd_err(err, 0, "%s: descriptor digest \"%.80s\" is not a sha256 digest", what,
               digest ? digest : "");
        goto fail;
    }
    memcpy(d->digest, digest, KD_DIGEST_STR_LEN + 1);
    free(digest);
    digest = NULL;
    if (d->media_type == NULL || d->size < 0) {
        kd_err(err, 0, "%s: descriptor %s lacks a mediaType or a size", what, d->digest);
        goto fail;
    }
    const cJSON *pl = kd_json_get(o, "platform");
    if (pl) {
        d->platform = kd_xcalloc(1, sizeof *d->platform);
        if (platform_from_json(pl, what, d->platform, err) < 0)
            goto fail;
    }
    return 0;
fail:
    free(digest);
    kd_descriptor_free(d);
    return -1;
}

static cJSON *descriptor_to_json(const kd_descriptor *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "mediaType", d->media_type ? d->media_type : "");
    cJSON_AddStringToObject(o, "digest", d->digest);
    kd_json_add_int(o, "size", d->size);
    if (d->urls.n)
        kd_json_add_strv(o, "urls", &d->urls);
    kd_json_add_map(o, "annotations", &d->annotations, false);
    if (d->platform)
        cJSON_AddItemToObject(o, "platform", platform_to_json(d->platform));
    kd_json_add_str(o, "artifactType", d->artifact_type);
    return o;
}

void kd_descriptor_copy(kd_descriptor *dst, const kd_descriptor *src)
{
    memset(dst, 0, sizeof *dst);
    dst->media_type = kd_strdup_null(src->media_type);
    memcpy(dst->digest, src->digest, sizeof dst->digest);
    dst->size = src->size;
    if (src->platform) {
        dst->platform = kd_xcalloc(1, sizeof *dst->platform);
        kd_platform_copy(dst->platform, src->platform);
    }
    kd_strv_copy(&dst->urls, &src->urls);
    kd_map_copy(&dst->annotations, &src->annotations);
    dst->artifact_type = kd_strdup_null(src->artifact_type);
}

void kd_descriptor_free(kd_descriptor *d)
{
    if (d == NULL)
        return;
    free(d->media_type);
    kd_platform_free(d->platform);
    free(d->platform);
    kd_strv_free(&d->urls);
    kd_map_free(&d->annotations);
    free(d->artifact_type);
    memset(d, 0, sizeof *d);
}

/* An array of descriptors at key (required). */
static int descriptors_from_json(const cJSON *o, const char *key, const char *what,
                                 kd_descriptor **out, size_t *n, kd_error **err)
{
    const cJSON *a = kd_json_get(o, key);
    if (!cJSON_IsArray(a))
        return kd_err(err, 0, "%s: \"%s\" must be an array", what, key);
    size_t count = (size_t)cJSON_GetArraySize(a), i = 0;
    *out = kd_xcalloc(count ? count : 1, sizeof **out);
    *n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        if (descriptor_from_json(e, what, &(*out)[i], err) < 0)
            return -1;
        *n = ++i;
    }
    return 0;
}

static void descriptors_free(kd_descriptor *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kd_descriptor_free(&d[i]);
    free(d);
}

static void descriptor_append(kd_descriptor **arr, size_t *n, const kd_descriptor *d)
{
    *arr = kd_xrealloc(*arr, (*n + 1) * sizeof **arr);
    kd_descriptor_copy(&(*arr)[(*n)++], d);
}

/* ---- manifests and indexes ------------------------------------------- */

static bool is_manifest_type(const char *mt)
{
    return mt && (strcmp(mt, KD_MT_OCI_MANIFEST) == 0 || strcmp(mt, KD_MT_DOCKER_MANIFEST) == 0);
}

static bool is_index_type(const char *mt)
{
    return mt && (strcmp(mt, KD_MT_OCI_INDEX) == 0 || strcmp(mt, KD_MT_DOCKER_LIST) == 0);
}

static kd_doc_kind kind_of_type(const char *mt)
{
    if (is_manifest_type(mt))
        return KD_DOC_MANIFEST;
    if (is_index_type(mt))
        return KD_DOC_INDEX;
    return KD_DOC_UNKNOWN;
}

/* The document's kind from its own fields. */
static kd_doc_kind kind_of_json(const cJSON *j)
{
    const cJSON *mt = kd_json_get(j, "mediaType");
    if (cJSON_IsString(mt))
        return kind_of_type(mt->valuestring);
    const cJSON *sv = kd_json_get(j, "schemaVersion");
    if (!cJSON_IsNumber(sv) || sv->valuedouble != 2)
        return KD_DOC_UNKNOWN;
    if (kd_json_get(j, "manifests"))
        return KD_DOC_INDEX;
    if (kd_json_get(j, "config") && kd_json_get(j, "layers"))
        return KD_DOC_MANIFEST;
    return KD_DOC_UNKNOWN;
}

kd_doc_kind kd_doc_kind_of(const char *content_type, const char *data, size_t len)
{
    kd_doc_kind k = kind_of_type(content_type);
    if (k != KD_DOC_UNKNOWN)
        return k;
    cJSON *j = kd_json_parse(data, len, "document", NULL);
    if (j == NULL)
        return KD_DOC_UNKNOWN;
    k = kind_of_json(j);
    cJSON_Delete(j);
    return k;
}

/* Common start of manifest and index parsing: the JSON object, checked to
 * be of kind want, and its media type. */
static cJSON *doc_begin(const char *data, size_t len, const char *content_type, kd_doc_kind want,
                        const char *what, char **media_type, kd_error **err)
{
    cJSON *j = kd_json_parse(data, len, what, err);
    if (j == NULL)
        return NULL;
    int64_t version = 0;
    if (kd_json_int(j, "schemaVersion", what, 0, 100, &version, err) < 0)
        goto fail;
    if (version != 2) {
        kd_err(err, 0, "%s: schemaVersion %lld is not supported (only 2; schema 1 is deprecated)",
               what, (long long)version);
        goto fail;
    }
    if (kd_json_str(j, "mediaType", what, media_type, err) < 0)
        goto fail;
    kd_doc_kind own = *media_type ? kind_of_type(*media_type) : kind_of_json(j);
    if (own == KD_DOC_UNKNOWN && !*media_type)
        own = kind_of_type(content_type);
    if (own != want) {
        kd_err(err, 0, "%s: media type %s is not %s", what,
               *media_type ? *media_type : content_type ? content_type : "(none)",
               want == KD_DOC_INDEX ? "an image index" : "an image manifest");
        goto fail;
    }
    if (*media_type == NULL)
        *media_type = kd_xstrdup(kind_of_type(content_type) == want
                                     ? content_type
                                     : want == KD_DOC_INDEX ? KD_MT_OCI_INDEX : KD_MT_OCI_MANIFEST);
    return j;
fail:
    cJSON_Delete(j);
    free(*media_type);
    *media_type = NULL;
    return NULL;
}

int kd_manifest_parse(const char *data, size_t len, const char *content_type, kd_manifest *out,
                      kd_error **err)
{
    memset(out, 0, sizeof *out);
    const char *what = "image manifest";
    cJSON *j = doc_begin(data, len, content_type, KD_DOC_MANIFEST, what, &out->media_type, err);
    if (j == NULL)
        return -1;
    const cJSON *subject = kd_json_get(j, "subject");
    if (descriptor_from_json(kd_json_get(j, "config"), what, &out->config, err) < 0 ||
        descriptors_from_json(j, "layers", what, &out->layers, &out->nlayers, err) < 0 ||
        kd_json_map(j, "annotations", what, false, &out->annotations, err) < 0 ||
        kd_json_str(j, "artifactType", what, &out->artifact_type, err) < 0)
        goto fail;
    if (subject) {
        out->subject = kd_xcalloc(1, sizeof *out->subject);
        if (descriptor_from_json(subject, what, out->subject, err) < 0)
            goto fail;
    }
    cJSON_Delete(j);
    return 0;
fail:
    cJSON_Delete(j);
    kd_manifest_free(out);
    return -1;
}

char *kd_manifest_to_json(const kd_manifest *m, size_t *len)
{
    cJSON *o = cJSON_CreateObject();
    kd_json_add_int(o, "schemaVersion", 2);
    kd_json_add_str(o, "mediaType", m->media_type);
    kd_json_add_str(o, "artifactType", m->artifact_type);
    cJSON_AddItemToObject(o, "config", descriptor_to_json(&m->config));
    cJSON *layers = cJSON_AddArrayToObject(o, "layers");
    for (size_t i = 0; i < m->nlayers; i++)
        cJSON_AddItemToArray(layers, descriptor_to_json(&m->layers[i]));
    if (m->subject)
        cJSON_AddItemToObject(o, "subject", descriptor_to_json(m->subject));
    kd_json_add_map(o, "annotations", &m->annotations, false);
    return kd_json_print(o, len);
}

void kd_manifest_add_layer(kd_manifest *m, const kd_descriptor *d)
{
    descriptor_append(&m->layers, &m->nlayers, d);
}

void kd_manifest_free(kd_manifest *m)
{
    if (m == NULL)
        return;
    free(m->media_type);
    kd_descriptor_free(&m->config);
    descriptors_free(m->layers, m->nlayers);
    kd_map_free(&m->annotations);
    kd_descriptor_free(m->subject);
    free(m->subject);
    free(m->artifact_type);
    memset(m, 0, sizeof *m);
}

int kd_index_parse(const char *data, size_t len, const char *content_type, kd_index *out,
                   kd_error **err)
{
    memset(out, 0, sizeof *out);
    const char *what = "image index";
    cJSON *j = doc_begin(data, len, content_type, KD_DOC_INDEX, what, &out->media_type, err);
    if (j == NULL)
        return -1;
    if (descriptors_from_json(j, "manifests", what, &out->manifests, &out->nmanifests, err) < 0 ||
        kd_json_map(j, "annotations", what, false, &out->annotations, err) < 0) {
        cJSON_Delete(j);
        kd_index_free(out);
        return -1;
    }
    cJSON_Delete(j);
    return 0;
}

char *kd_index_to_json(const kd_index *ix, size_t *len)
{
    cJSON *o = cJSON_CreateObject();
    kd_json_add_int(o, "schemaVersion", 2);
    kd_json_add_str(o, "mediaType", ix->media_type);
    cJSON *arr = cJSON_AddArrayToObject(o, "manifests");
    for (size_t i = 0; i < ix->nmanifests; i++)
        cJSON_AddItemToArray(arr, descriptor_to_json(&ix->manifests[i]));
    kd_json_add_map(o, "annotations", &ix->annotations, false);
    return kd_json_print(o, len);
}

void kd_index_add(kd_index *ix, const kd_descriptor *d)
{
    descriptor_append(&ix->manifests, &ix->nmanifests, d);
}

void kd_index_free(kd_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->media_type);
    descriptors_free(ix->manifests, ix->nmanifests);
    kd_map_free(&ix->annotations);
    memset(ix, 0, sizeof *ix);
}

/* Attestations and other non-images that BuildKit puts in indexes. */
static bool is_attestation(const kd_descriptor *d)
{
    const char *t = kd_map_get(&d->annotations, "vnd.docker.reference.type");
    if (t && strcmp(t, "attestation-manifest") == 0)
        return true;
    return d->platform && d->platform->os && strcmp(d->platform->os, "unknown") == 0;
}

int kd_index_select(const kd_index *ix, const kd_platform *want, kd_error **err)
{
    int without_platform = -1;
    for (size_t i = 0; i < ix->nmanifests; i++) {
        const kd_descriptor *d = &ix->manifests[i];
        if (!is_manifest_type(d->media_type) || is_attestation(d))
            continue;
        if (d->platform == NULL) {
            if (without_platform < 0)
                without_platform = (int)i;
        } else if (kd_platform_match(want, d->platform)) {
            return (int)i;
        }
    }
    /* as containerd: an entry without a platform may be anything */
    if (without_platform >= 0)
        return without_platform;
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < ix->nmanifests; i++) {
        const kd_descriptor *d = &ix->manifests[i];
        if (d->platform == NULL || is_attestation(d))
            continue;
        char *p = kd_platform_string(d->platform);
        kd_buf_addf(&b, "%s%s", b.len ? ", " : "", p);
        free(p);
    }
    char *w = kd_platform_string(want);
    kd_err(err, 0, "no image for platform %s (the index has: %s)", w,
           b.len ? kd_buf_str(&b) : "no platform images");
    free(w);
    kd_buf_free(&b);
    return -1;
}

bool kd_media_type_is_layer(const char *mt)
{
    static const char *const types[] = {
        KD_MT_OCI_LAYER,         KD_MT_OCI_LAYER_GZIP,     KD_MT_OCI_LAYER_ZSTD,
        KD_MT_DOCKER_LAYER_GZIP, KD_MT_DOCKER_FOREIGN_GZIP,
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    };
    for (size_t i = 0; mt && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(mt, types[i]) == 0)
            return true;
    return false;
}

/* ---- registry error bodies -------------------------------------------- */

/* Appends s without control characters, up to a total of max bytes. */
static void add_sanitised(kd_buf *b, const char *s, size_t max)
{
    for (; *s && b->len < max; s++)
        if ((unsigned char)*s >= 0x20 && *s != 0x7f)
            kd_buf_addc(b, *s);
}

char *kd_oci_error_text(const char *body, size_t len)
{
    if (body == NULL || len == 0 || len > KD_MANIFEST_MAX)
        return NULL;
    cJSON *j = kd_json_parse(body, len, "error", NULL);
    if (j == NULL)
        return NULL;
    const cJSON *errors = kd_json_get(j, "errors");
    const cJSON *first = cJSON_IsArray(errors) ? cJSON_GetArrayItem(errors, 0) : NULL;
    const cJSON *code = first ? kd_json_get(first, "code") : NULL;
    const cJSON *msg = first ? kd_json_get(first, "message") : NULL;
    kd_buf b = KD_BUF_INIT;
    if (cJSON_IsString(code))
        add_sanitised(&b, code->valuestring, 64);
    if (cJSON_IsString(msg) && *msg->valuestring) {
        if (b.len)
            kd_buf_adds(&b, ": ");
        add_sanitised(&b, msg->valuestring, 200);
    }
    cJSON_Delete(j);
    if (b.len == 0) {
        kd_buf_free(&b);
        return NULL;
    }
    return kd_buf_detach(&b, NULL);
}
