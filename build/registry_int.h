/* Internal to build/registry*.c: the client's state and its HTTP engine
 * (registry_http.c), on which registry.c builds the distribution API. */
#ifndef KD_BUILD_REGISTRY_INT_H
#define KD_BUILD_REGISTRY_INT_H

#include "build/registry.h"
#include "util/buf.h"

#include <curl/curl.h>
#include <pthread.h>
#include <time.h>

enum { AUTH_UNKNOWN = 0, AUTH_BASIC, AUTH_BEARER };
enum { SCHEME_UNKNOWN = 0, SCHEME_HTTPS, SCHEME_HTTP };

typedef struct kd_token {
    char *scope;
    char *token;
    time_t expires;
} kd_token;

/* One registry endpoint: its scheme, credentials and tokens. Guarded by
 * kd_registry.mu. */
typedef struct kd_host {
    char *key;       /* the credentials key: a ref domain or a mirror host */
    char *host;      /* host[:port] requests go to */
    bool insecure;   /* plain HTTP and unverified TLS allowed */
    int scheme;      /* SCHEME_*; fixed for mirrors given with a scheme */
    bool cred_loaded;
    bool cred_set;   /* set by kd_registry_set_cred: never reloaded */
    kd_cred cred;
    char *cred_error; /* why stored credentials could not be read, or NULL */
    int auth;        /* AUTH_*: what the registry asked for */
    char *realm, *service;
    kd_token *tokens;
    size_t ntokens;
} kd_host;

struct kd_registry {
    kd_registry_opts o; /* strings and arrays are our copies */
    pthread_mutex_t mu;
    kd_host **hosts;
    size_t nhosts;
    kd_registry_stats stats; /* updated with __atomic builtins */
    CURL *curl;              /* the calling thread's connection */
};

/* One HTTP exchange. The caller fills the inputs; kd_http_do fills the
 * outputs (strings owned by the request; kd_req_free releases them). */
typedef struct kd_req {
    const char *method; /* GET HEAD PUT POST PATCH */
    const char *url;    /* absolute, or a path ("/v2/...") on the host */
    const char *accept;
    const char *content_type;
    const char *scope;  /* token scopes, space-separated, or NULL */
    const char *what;   /* for messages: "GET manifest latest" */
    /* upload body: bytes [src_off, src_off + src_len) of src */
    const kd_blob_source *src;
    int64_t src_off, src_len;
    /* a 2xx body goes to sink (resumed with Range after a broken
     * transfer); any other body, and a 2xx one without a sink, to body */
    kd_blob_sink sink;
    void *sink_ctx;
    size_t max_body;
    const int *cancel; /* when *cancel turns non-zero, the transfer stops */

    long status;
    kd_buf body;
    char *ctype, *digest, *location, *www_auth, *retry_after, *content_range;
    int64_t content_length; /* -1 when not sent */
    int64_t delivered;      /* bytes given to sink over all attempts */
    bool sink_failed, too_big, cancelled;

    /* engine state */
    int64_t skip;        /* bytes of a 200 answer to a resume to drop */
    int64_t resume_from; /* the offset a resume asked for */
    bool resuming;
    int64_t sent;
    char errbuf[CURL_ERROR_SIZE];
} kd_req;

void kd_req_free(kd_req *q);

/* Performs q against h with retries, the scheme fallback and the auth
 * flow. Returns 0 when an HTTP answer came (any status: the caller judges
 * it), -1 with *err when none did. c is the thread's curl handle. */
int kd_http_do(kd_registry *r, CURL *c, kd_host *h, kd_req *q, kd_error **err);

/* The host entry for a ref domain or mirror (created on first use). */
kd_host *kd_registry_host(kd_registry *r, const char *key, const char *host, int scheme);

/* "HTTP 404 MANIFEST_UNKNOWN: manifest unknown", with a hint on 401. */
char *kd_http_status_text(kd_registry *r, kd_host *h, const kd_req *q);

void kd_registry_log(kd_registry *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define KD_STAT_ADD(r, field, n) __atomic_fetch_add(&(r)->stats.field, (n), __ATOMIC_RELAXED)

#endif
