/* A client of the OCI distribution API (docker-registry, Docker Hub, ghcr.io,
 * Harbor, ...) over libcurl.
 *
 * - Manifests: GET/HEAD with the Accept list for OCI manifests and indexes
 *   and Docker schema 2 manifests and manifest lists; at most
 *   KD_MANIFEST_MAX bytes; always verified against the digest asked for or
 *   the Docker-Content-Digest the registry sent.
 * - Blobs: streamed to a sink while a sha256 runs over them; a broken
 *   transfer resumes with a Range request so the sink sees one continuous
 *   stream; the call fails if the digest does not match, so whatever the
 *   sink made of the bytes stays provisional until it returns 0.
 * - Auth: anonymous first; on 401 the WWW-Authenticate challenge decides:
 *   Bearer (token from the realm, with Basic credentials or an identity
 *   token, cached per registry and scope) or Basic. Credentials come from
 *   build/auth.h or kd_registry_set_cred(); they never appear in an error or
 *   a log message.
 * - Transport: HTTPS; plain HTTP (and unverified TLS) only for localhost,
 *   127.0.0.0/8, ::1 and hosts in opts.insecure, which are tried with HTTPS
 *   first and fall back to HTTP. docker.io pulls try opts.mirrors first.
 * - Transient failures (connection errors, 408, 429, 5xx) are retried with
 *   exponential backoff, honouring Retry-After.
 * - Errors name the registry, the repository, what was being done, the HTTP
 *   status and the registry's own error code and message.
 *
 * Owner: build-fetch. Ownership: kd_registry_new() gives a client freed with
 * kd_registry_free(). kd_fetched and kd_resolved own their buffers (free with
 * their kd_*_free()). One client may be used by one thread at a time, except
 * that kd_registry_fetch_blobs() itself runs several transfers at once. */
#ifndef KD_BUILD_REGISTRY_H
#define KD_BUILD_REGISTRY_H

#include "build/auth.h"
#include "build/oci.h"
#include "build/ref.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receives a blob's bytes in order as they arrive; returns 0, or -1 to stop
 * the transfer (the fetch then fails with "stopped by the receiver"). */
typedef int (*kd_blob_sink)(void *ctx, const void *buf, size_t n);

typedef struct kd_registry_opts {
    /* Hosts ("host" or "host:port") where plain HTTP and TLS without
     * certificate checks are allowed, like dockerd's --insecure-registry. */
    const char *const *insecure;
    size_t ninsecure;
    /* Mirrors tried in order for docker.io pulls before registry-1.docker.io:
     * "https://mirror.example", "mirror.example:5000" (HTTPS) or
     * "http://127.0.0.1:5001" (a scheme given explicitly is used as is). */
    const char *const *mirrors;
    size_t nmirrors;
    /* Directory holding config.json; NULL: $DOCKER_CONFIG or ~/.docker. */
    const char *docker_config;
    bool anonymous;      /* never look up stored credentials */
    int retries;         /* retries of a transient failure; 0: 4; <0: none */
    long backoff_ms;     /* first retry delay, doubled each time; 0: 500 */
    long backoff_max_ms; /* cap of one delay (Retry-After too); 0: 30000 */
    int parallel;        /* transfers at once in fetch_blobs; 0: 4 */
    /* Pushes of blobs larger than this are sent in PATCH chunks of this
     * size; 0: 32 MiB; <0: always monolithic. */
    int64_t chunk_size;
    const char *user_agent; /* NULL: "kdoctor" */
    const char *ca_file;    /* extra CA bundle for TLS, or NULL */
    /* Diagnostics (retries, fallbacks); never credentials. May be NULL. */
    void (*log)(void *ctx, const char *msg);
    void *log_ctx;
} kd_registry_opts;

typedef struct kd_registry kd_registry;

/* Counters since kd_registry_new(), for tests, timings and reports. */
typedef struct kd_registry_stats {
    uint64_t requests;       /* HTTP requests sent, token requests included */
    uint64_t retries;        /* transient failures retried */
    uint64_t bytes_in;       /* blob and manifest bytes received */
    uint64_t bytes_out;      /* blob and manifest bytes sent */
    uint64_t blobs_fetched;
    uint64_t blobs_existing; /* push: already in the repository (HEAD) */
    uint64_t blobs_mounted;  /* push: cross-repository mounts */
    uint64_t blobs_uploaded;
    uint64_t chunks_uploaded; /* PATCH requests */
} kd_registry_stats;

/* The "host[:port]" of a --registry-mirror value ("http://127.0.0.1:5001/",
 * "mirror.example:5000"); *scheme gets 1 for an explicit https://, 2 for
 * http://, 0 when none is given. Caller frees. */
char *kd_registry_mirror_host(const char *mirror, int *scheme);

/* opts may be NULL (all defaults). The strings in opts are copied. */
int kd_registry_new(const kd_registry_opts *opts, kd_registry **out, kd_error **err);
void kd_registry_free(kd_registry *r);
void kd_registry_stats_get(const kd_registry *r, kd_registry_stats *out);

/* Uses these credentials for domain (a kd_ref domain such as "docker.io" or
 * "localhost:5000") instead of stored ones; cred == NULL goes back to the
 * stored ones. Copied. */
void kd_registry_set_cred(kd_registry *r, const char *domain, const kd_cred *cred);

/* GET /v2/ on domain with its credentials, going through the token flow:
 * checks that a login works. */
int kd_registry_ping(kd_registry *r, const char *domain, kd_error **err);

/* A document fetched from a registry, verified against its digest. */
typedef struct kd_fetched {
    char *data; /* NUL-terminated */
    size_t len;
    char *media_type; /* the Content-Type, or the document's own mediaType */
    char digest[KD_DIGEST_STR_LEN + 1];
} kd_fetched;
void kd_fetched_free(kd_fetched *f);

/* GET the manifest or index named by reference (a tag or digest; NULL:
 * kd_ref_reference(ref)). Verified against the digest when reference is a
 * digest, else against Docker-Content-Digest when the registry sends it. */
int kd_registry_get_manifest(kd_registry *r, const kd_ref *ref, const char *reference,
                             kd_fetched *out, kd_error **err);
/* HEAD: media type, digest and size without the body. Returns 1 when the
 * manifest does not exist (no error set). Needs Docker-Content-Digest. */
int kd_registry_head_manifest(kd_registry *r, const kd_ref *ref, const char *reference,
                              kd_descriptor *out, kd_error **err);

/* A reference resolved down to one image manifest. */
typedef struct kd_resolved {
    kd_fetched index;   /* .data NULL when ref named a manifest directly */
    kd_fetched manifest;
    kd_manifest parsed; /* manifest, parsed */
    kd_platform platform; /* from the index entry, or filled from the config later */
} kd_resolved;
void kd_resolved_free(kd_resolved *r);

/* Fetches ref's manifest; for an index or manifest list, picks the entry for
 * want (NULL: kd_platform_host()) and fetches that manifest. */
int kd_registry_resolve(kd_registry *r, const kd_ref *ref, const kd_platform *want,
                        kd_resolved *out, kd_error **err);

/* Streams blob digest of ref's repository into sink. size: the descriptor's
 * size or -1; more bytes than size fail at once. Returns 0 only when every
 * byte arrived and the digest matched. */
int kd_registry_fetch_blob(kd_registry *r, const kd_ref *ref, const char *digest, int64_t size,
                           kd_blob_sink sink, void *ctx, kd_error **err);
/* A small blob (a config) into memory: at most max bytes, verified. *data is
 * the caller's, NUL-terminated. */
int kd_registry_get_blob(kd_registry *r, const kd_ref *ref, const char *digest, size_t max,
                         char **data, size_t *len, kd_error **err);

/* One blob of a parallel fetch. The caller fills digest, size, sink and ctx;
 * status and err are set by kd_registry_fetch_blobs (err owned by the caller
 * afterwards). Each job's sink is called from one thread at a time, but
 * different jobs' sinks run at the same time on different threads. */
typedef struct kd_blob_job {
    const char *digest;
    int64_t size;
    kd_blob_sink sink;
    void *ctx;
    int status;     /* 0 ok, -1 failed */
    kd_error *err;
} kd_blob_job;

/* Fetches jobs with up to opts.parallel transfers at once (threads, each
 * with its own connection, so that sinks that inflate and extract use more
 * than one core). After a failure no new job starts. Returns -1 when any job
 * failed, with *err naming the first failure. */
int kd_registry_fetch_blobs(kd_registry *r, const kd_ref *ref, kd_blob_job *jobs, size_t n,
                            kd_error **err);

/* ---- push -------------------------------------------------------------- */

/* HEAD a blob: 1 when present (*size, may be NULL, gets its size), 0 when
 * absent. */
int kd_registry_blob_exists(kd_registry *r, const kd_ref *ref, const char *digest,
                            int64_t *size, kd_error **err);

/* What to upload: a file read with pread(2) (fd >= 0) or memory. */
typedef struct kd_blob_source {
    int fd;           /* -1 when data is used */
    const void *data; /* when fd < 0 */
    int64_t size;
    const char *digest; /* its digest, known beforehand (the store's) */
} kd_blob_source;

typedef enum kd_push_how {
    KD_PUSH_EXISTED = 0, /* HEAD found it: nothing sent */
    KD_PUSH_MOUNTED,     /* mounted from another repository of the registry */
    KD_PUSH_UPLOADED,    /* sent */
} kd_push_how;

/* Pushes one blob to ref's repository: HEAD first; then, when mount_from
 * names repositories of the same registry ("library/node", path only) that
 * may hold it, a cross-repository mount; else an upload, monolithic (POST
 * then PUT) or chunked (PATCHes then PUT) beyond opts.chunk_size. how may be
 * NULL. */
int kd_registry_push_blob(kd_registry *r, const kd_ref *ref, const kd_blob_source *src,
                          const char *const *mount_from, size_t nmount, kd_push_how *how,
                          kd_error **err);

/* A cross-repository mount of digest from repository from (a path of the
 * same registry) into ref's: 1 when mounted, 0 when the registry refused
 * (nothing is sent then). */
int kd_registry_mount_blob(kd_registry *r, const kd_ref *ref, const char *digest,
                           const char *from, kd_error **err);

/* PUTs a manifest or index under reference (a tag, or the digest of data;
 * NULL: the ref's tag, else its digest). The registry's answer must carry
 * the digest of data when it sends one. out (may be NULL) gets that digest. */
int kd_registry_put_manifest(kd_registry *r, const kd_ref *ref, const char *reference,
                             const char *media_type, const void *data, size_t len,
                             char out[KD_DIGEST_STR_LEN + 1], kd_error **err);

/* ---- exposed for tests and fuzzing --------------------------------------- */

/* One challenge of a WWW-Authenticate header: scheme (lowercased, e.g.
 * "bearer", "basic") and its auth-params (names lowercased, values
 * unquoted). */
typedef struct kd_challenge {
    char *scheme;
    kd_map params;
} kd_challenge;

/* Parses a WWW-Authenticate value (RFC 7235: comma-separated challenges,
 * token or quoted-string params, token68). Never fails: malformed parts are
 * skipped. Returns the number of challenges; *out is the caller's (free with
 * kd_challenges_free). */
size_t kd_www_authenticate_parse(const char *header, kd_challenge **out);
void kd_challenges_free(kd_challenge *c, size_t n);

/* A token server's answer: {"token": ...} or {"access_token": ...}, and
 * "expires_in" seconds (default 60). *token is the caller's. */
int kd_token_response_parse(const char *data, size_t len, char **token, long *expires_in,
                            kd_error **err);

/* Seconds to wait from a Retry-After value (delta-seconds or an HTTP date,
 * relative to now); -1 when unusable. */
long kd_retry_after_parse(const char *value, long now);

#endif
