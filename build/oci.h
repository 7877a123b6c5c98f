/* The OCI image / Docker schema 2 JSON model: descriptors, manifests,
 * indexes (manifest lists), image configs and platforms.
 *
 * Parsers take registry bytes, which are outside data: they check types and
 * ranges and fail with a message, never crash (tests/fuzz/fuzz_oci.c).
 * Serialisers are deterministic: fields in a fixed order (the order of the
 * Go structs in the OCI spec and moby), map keys sorted, integers printed
 * exactly, no white space; the same model always gives the same bytes and so
 * the same digest.
 *
 * Owner: build-fetch. Ownership: every struct owns what it points to and is
 * freed with its kd_*_free(); kd_*_to_json() return a malloc'd string owned by
 * the caller (its length via *len when len != NULL). Fields the model does not
 * know are dropped on a parse + serialise round trip. */
#ifndef KD_BUILD_OCI_H
#define KD_BUILD_OCI_H

#include "build/digest.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Media types. */
#define KD_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define KD_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define KD_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define KD_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define KD_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define KD_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define KD_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define KD_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define KD_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define KD_MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define KD_MT_DOCKER_FOREIGN_GZIP "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define KD_MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define KD_MT_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

/* Annotation naming an image in an OCI layout's index.json. */
#define KD_ANNOT_REF_NAME "org.opencontainers.image.ref.name"

/* Largest manifest, index or config accepted from outside (as containerd
 * and the distribution spec's recommendation: 4 MiB). */
#define KD_MANIFEST_MAX ((size_t)4 << 20)

/* A string map kept sorted by key (keys unique). */
typedef struct kd_kv {
    char *key;
    char *value;
} kd_kv;
typedef struct kd_map {
    kd_kv *items;
    size_t n;
    size_t cap;
} kd_map;

/* Sets key to value (both copied), replacing an existing value. */
void kd_map_set(kd_map *m, const char *key, const char *value);
/* Borrowed value, or NULL. */
const char *kd_map_get(const kd_map *m, const char *key);
bool kd_map_del(kd_map *m, const char *key);
/* Adds every entry of src to dst (dst may already hold entries). */
void kd_map_copy(kd_map *dst, const kd_map *src);
void kd_map_free(kd_map *m);

/* A list of strings that may be absent (JSON null) as well as empty ([]):
 * Docker distinguishes CMD [] from no CMD. */
typedef struct kd_strv {
    char **v;
    size_t n;
    bool set; /* false: null/absent */
} kd_strv;

void kd_strv_push(kd_strv *s, const char *str); /* copies str; sets .set */
void kd_strv_copy(kd_strv *dst, const kd_strv *src);
void kd_strv_free(kd_strv *s);

typedef struct kd_platform {
    char *os;           /* "linux" */
    char *architecture; /* "amd64", "arm64", ... (normalised) */
    char *variant;      /* "v8", "v7" or NULL */
    char *os_version;   /* Windows only; kept, not matched */
} kd_platform;

/* Parses "os/arch[/variant]" ("linux/arm64/v8", also "linux/x86_64" which is
 * normalised to amd64). */
int kd_platform_parse(const char *s, kd_platform *out, kd_error **err);
/* linux and this machine's architecture (and variant for arm). */
void kd_platform_host(kd_platform *out);
/* True when have satisfies want. Architectures and variants are compared
 * after normalisation (aarch64 = arm64 = arm64/v8, x86_64 = amd64, arm =
 * arm/v7); a want without variant accepts any variant. */
bool kd_platform_match(const kd_platform *want, const kd_platform *have);
/* "linux/arm64/v8"; caller frees. */
char *kd_platform_string(const kd_platform *p);
void kd_platform_copy(kd_platform *dst, const kd_platform *src);
void kd_platform_free(kd_platform *p);

typedef struct kd_descriptor {
    char *media_type;
    char digest[KD_DIGEST_STR_LEN + 1]; /* validated by kd_digest_valid() */
    int64_t size;
    kd_platform *platform; /* NULL when absent */
    kd_strv urls;
    kd_map annotations;
    char *artifact_type; /* or NULL */
} kd_descriptor;

void kd_descriptor_copy(kd_descriptor *dst, const kd_descriptor *src);
void kd_descriptor_free(kd_descriptor *d);

/* An image manifest, OCI or Docker schema 2 (the same shape). */
typedef struct kd_manifest {
    char *media_type; /* from the JSON, or from the Content-Type, or inferred */
    kd_descriptor config;
    kd_descriptor *layers;
    size_t nlayers;
    kd_map annotations;
    kd_descriptor *subject; /* OCI 1.1 referrers; NULL when absent */
    char *artifact_type;
} kd_manifest;

/* An OCI image index or a Docker manifest list. */
typedef struct kd_index {
    char *media_type;
    kd_descriptor *manifests;
    size_t nmanifests;
    kd_map annotations;
} kd_index;

typedef enum kd_doc_kind {
    KD_DOC_UNKNOWN = 0,
    KD_DOC_MANIFEST,
    KD_DOC_INDEX,
} kd_doc_kind;

/* Which kind of document data is: from its media type (the Content-Type, may
 * be NULL) or its own "mediaType", or from its shape when both are missing.
 * Schema 1 manifests are KD_DOC_UNKNOWN (not supported). */
kd_doc_kind kd_doc_kind_of(const char *content_type, const char *data, size_t len);

/* Parse an image manifest / index. content_type may be NULL. They refuse
 * schemaVersion other than 2, descriptors with invalid digests or negative
 * sizes, and documents over KD_MANIFEST_MAX. */
int kd_manifest_parse(const char *data, size_t len, const char *content_type, kd_manifest *out,
                      kd_error **err);
char *kd_manifest_to_json(const kd_manifest *m, size_t *len);
void kd_manifest_free(kd_manifest *m);

int kd_index_parse(const char *data, size_t len, const char *content_type, kd_index *out,
                   kd_error **err);
char *kd_index_to_json(const kd_index *ix, size_t *len);
void kd_index_free(kd_index *ix);

/* Index of the entry in ix that is an image manifest matching want (the
 * first, as Docker picks), or -1 with an error listing what is there.
 * Attestation entries (platform "unknown/unknown") never match. */
int kd_index_select(const kd_index *ix, const kd_platform *want, kd_error **err);

/* HEALTHCHECK; durations in nanoseconds as in the Docker config, 0 = unset. */
typedef struct kd_healthcheck {
    kd_strv test; /* ["NONE"], ["CMD", ...], ["CMD-SHELL", "..."] */
    int64_t interval, timeout, start_period, start_interval;
    int retries;
} kd_healthcheck;

/* The "config" object of an image config: what a container starts with. */
typedef struct kd_run_config {
    char *user;
    kd_map exposed_ports; /* "80/tcp" -> "" (a set) */
    kd_strv env;          /* "KEY=value", in order */
    kd_strv entrypoint;
    kd_strv cmd;
    kd_healthcheck *healthcheck; /* NULL when absent */
    bool args_escaped;
    kd_map volumes; /* path -> "" (a set) */
    char *working_dir;
    kd_strv on_build;
    kd_map labels;
    char *stop_signal;
    kd_strv shell;
} kd_run_config;

typedef struct kd_history {
    char *created; /* RFC 3339 or NULL */
    char *created_by;
    char *author;
    char *comment;
    bool empty_layer;
} kd_history;

/* An image config (application/vnd.oci.image.config.v1+json, the same JSON
 * as Docker's application/vnd.docker.container.image.v1+json). */
typedef struct kd_image_config {
    char *created; /* RFC 3339 or NULL */
    char *author;
    char *architecture;
    char *os;
    char *os_version;
    char *variant;
    kd_run_config config;
    char *rootfs_type;            /* "layers" */
    kd_strv diff_ids;             /* digests of the uncompressed layers, validated */
    kd_history *history;
    size_t nhistory;
} kd_image_config;

int kd_image_config_parse(const char *data, size_t len, kd_image_config *out, kd_error **err);
char *kd_image_config_to_json(const kd_image_config *c, size_t *len);
/* Deep copy (e.g. the base image's config as the start of a new one). */
void kd_image_config_copy(kd_image_config *dst, const kd_image_config *src);
void kd_history_add(kd_image_config *c, const kd_history *h); /* copies h */
void kd_image_config_free(kd_image_config *c);

/* Appends a descriptor (copied) to a manifest's layers / an index. */
void kd_manifest_add_layer(kd_manifest *m, const kd_descriptor *d);
void kd_index_add(kd_index *ix, const kd_descriptor *d);

/* Is mt a layer media type that kdoctor can unpack (tar, tar+gzip, tar+zstd,
 * Docker's gzip and foreign layers)? */
bool kd_media_type_is_layer(const char *mt);

/* The message of the first error in a registry error body
 * ({"errors":[{"code":..,"message":..}]}) as "CODE: message", sanitised
 * (control characters dropped, at most 200 bytes). NULL when the body is not
 * such a document. Caller frees. */
char *kd_oci_error_text(const char *body, size_t len);

#endif
