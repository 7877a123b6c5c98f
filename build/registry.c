/* The distribution API on top of the HTTP engine (registry_http.c):
 * manifests, blobs (one, or many in parallel threads), mirrors, push. */
#include "build/oci_json.h"
#include "util/lazylib.h"
#include "build/registry_int.h"
#include "util/mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MANIFEST_ACCEPT                                                                            \
    KD_MT_OCI_MANIFEST ", " KD_MT_OCI_INDEX ", " KD_MT_DOCKER_MANIFEST ", " KD_MT_DOCKER_LIST

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static const char **copy_strings(const char *const *v, size_t n)
{
    const char **out = kd_xcalloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = kd_xstrdup(v[i]);
    return out;
}

static void free_strings(const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free((char *)v[i]);
    free((void *)v);
}

int kd_registry_new(const kd_registry_opts *opts, kd_registry **out, kd_error **err)
{
    if (kd_lazy_require(KD_LIB_CURL, err) < 0 || kd_lazy_require(KD_LIB_CRYPTO, err) < 0)
        return -1;
    pthread_once(&curl_once, curl_init_once);
    kd_registry *r = kd_xcalloc(1, sizeof *r);
    if (opts)
        r->o = *opts;
    r->o.insecure = copy_strings(r->o.insecure, r->o.ninsecure);
    r->o.mirrors = copy_strings(r->o.mirrors, r->o.nmirrors);
    r->o.docker_config = kd_strdup_null(r->o.docker_config);
    r->o.user_agent = kd_xstrdup(r->o.user_agent ? r->o.user_agent : "kdoctor");
    r->o.ca_file = kd_strdup_null(r->o.ca_file);
    r->o.retries = r->o.retries == 0 ? 4 : r->o.retries < 0 ? 0 : r->o.retries;
    r->o.backoff_ms = r->o.backoff_ms > 0 ? r->o.backoff_ms : 500;
    r->o.backoff_max_ms = r->o.backoff_max_ms > 0 ? r->o.backoff_max_ms : 30000;
    r->o.parallel = r->o.parallel > 0 ? r->o.parallel : 4;
    r->o.chunk_size = r->o.chunk_size == 0 ? (int64_t)32 << 20 : r->o.chunk_size;
    pthread_mutex_init(&r->mu, NULL);
    r->curl = curl_easy_init();
    if (r->curl == NULL) {
        kd_registry_free(r);
        return kd_err(err, 0, "cannot start libcurl");
    }
    *out = r;
    return 0;
}

static void host_free(kd_host *h)
{
    free(h->key);
    free(h->host);
    kd_cred_free(&h->cred);
    free(h->cred_error);
    free(h->realm);
    free(h->service);
    for (size_t i = 0; i < h->ntokens; i++) {
        explicit_bzero(h->tokens[i].token, strlen(h->tokens[i].token));
        free(h->tokens[i].token);
        free(h->tokens[i].scope);
    }
    free(h->tokens);
    free(h);
}

void kd_registry_free(kd_registry *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nhosts; i++)
        host_free(r->hosts[i]);
    free(r->hosts);
    free_strings(r->o.insecure, r->o.ninsecure);
    free_strings(r->o.mirrors, r->o.nmirrors);
    free((char *)r->o.docker_config);
    free((char *)r->o.user_agent);
    free((char *)r->o.ca_file);
    if (r->curl)
        curl_easy_cleanup(r->curl);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

void kd_registry_stats_get(const kd_registry *r, kd_registry_stats *out)
{
    const uint64_t *src = (const uint64_t *)&r->stats;
    uint64_t *dst = (uint64_t *)out;
    for (size_t i = 0; i < sizeof *out / sizeof(uint64_t); i++)
        dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* ---- endpoints ---------------------------------------------------------- */

/* The host that serves a ref domain. */
static kd_host *domain_host(kd_registry *r, const char *domain)
{
    bool hub = strcmp(domain, KD_REF_DOCKER_DOMAIN) == 0;
    return kd_registry_host(r, domain, hub ? KD_REF_DOCKER_HOST : domain, SCHEME_UNKNOWN);
}

char *kd_registry_mirror_host(const char *mirror, int *scheme)
{
    *scheme = 0;
    if (strncmp(mirror, "https://", 8) == 0)
        mirror += 8, *scheme = 1;
    else if (strncmp(mirror, "http://", 7) == 0)
        mirror += 7, *scheme = 2;
    return kd_xstrndup(mirror, strcspn(mirror, "/"));
}

static kd_host *mirror_host(kd_registry *r, const char *m)
{
    int explicit_scheme;
    char *host = kd_registry_mirror_host(m, &explicit_scheme);
    int scheme = explicit_scheme == 1   ? SCHEME_HTTPS
                 : explicit_scheme == 2 ? SCHEME_HTTP
                                        : SCHEME_UNKNOWN;
    kd_host *h = kd_registry_host(r, host, host, scheme);
    free(host);
    return h;
}

/* The hosts to try for ref, in order: mirrors first for docker.io pulls. */
static size_t endpoints(kd_registry *r, const kd_ref *ref, bool pull, kd_host **out)
{
    size_t n = 0;
    if (pull && strcmp(ref->domain, KD_REF_DOCKER_DOMAIN) == 0)
        for (size_t i = 0; i < r->o.nmirrors; i++)
            out[n++] = mirror_host(r, r->o.mirrors[i]);
    out[n++] = domain_host(r, ref->domain);
    return n;
}

void kd_registry_set_cred(kd_registry *r, const char *domain, const kd_cred *cred)
{
    kd_host *h = domain_host(r, domain);
    pthread_mutex_lock(&r->mu);
    kd_cred_free(&h->cred);
    free(h->cred_error);
    h->cred_error = NULL;
    if (cred) {
        h->cred.username = kd_strdup_null(cred->username);
        h->cred.password = kd_strdup_null(cred->password);
        h->cred.identity_token = kd_strdup_null(cred->identity_token);
        h->cred.registry_token = kd_strdup_null(cred->registry_token);
    }
    h->cred_set = cred != NULL;
    h->cred_loaded = false;
    /* tokens were issued to the previous identity */
    while (h->ntokens > 0) {
        kd_token *t = &h->tokens[--h->ntokens];
        explicit_bzero(t->token, strlen(t->token));
        free(t->token);
        free(t->scope);
    }
    if (h->auth == AUTH_BASIC)
        h->auth = AUTH_UNKNOWN;
    pthread_mutex_unlock(&r->mu);
}

static char *scope_for(const kd_ref *ref, bool push)
{
    return kd_asprintf("repository:%s:%s", ref->path, push ? "pull,push" : "pull");
}

/* "127.0.0.1:5000/x: GET manifest latest: HTTP 404 ..." (+ the mirror). */
static int status_error(kd_registry *r, kd_host *h, const kd_ref *ref, const kd_req *q,
                        kd_error **err)
{
    char *why = kd_http_status_text(r, h, q);
    bool mirror = strcmp(h->key, ref->domain) != 0;
    kd_err(err, 0, "%s/%s: %s: %s%s%s", ref->domain, ref->path, q->what, why,
           mirror ? " via mirror " : "", mirror ? h->host : "");
    free(why);
    return -1;
}

/* Adds the repository to a transport error's message. */
static int wrap_error(const kd_ref *ref, kd_error **err)
{
    if (err && *err)
        kd_error_wrap(*err, "%s/%s", ref->domain, ref->path);
    return -1;
}

/* Hands e to the caller (or drops it); returns -1. */
static int pass_error(kd_error **err, kd_error *e)
{
    if (err && *err == NULL)
        *err = e;
    else
        kd_error_free(e);
    return -1;
}

/* ---- manifests ------------------------------------------------------------- */

void kd_fetched_free(kd_fetched *f)
{
    if (f == NULL)
        return;
    free(f->data);
    free(f->media_type);
    memset(f, 0, sizeof *f);
}

/* "application/json; charset=utf-8" -> "application/json". */
static char *bare_type(const char *ct)
{
    if (ct == NULL)
        return NULL;
    size_t n = strcspn(ct, "; ");
    return n ? kd_xstrndup(ct, n) : NULL;
}

/* Checks a fetched document against the digest asked for or announced. */
static int verify_doc(const kd_ref *ref, const char *reference, const kd_req *q, kd_fetched *out,
                      kd_error **err)
{
    kd_digest_of(q->body.data ? q->body.data : "", q->body.len, out->digest);
    const char *want = kd_digest_valid(reference) ? reference : NULL;
    if (want == NULL && q->digest && strncmp(q->digest, "sha256:", 7) == 0)
        want = q->digest;
    if (want && strcmp(want, out->digest) != 0)
        return kd_err(err, 0, "%s/%s: manifest %s does not match its digest %s (got %s)",
                      ref->domain, ref->path, reference, want, out->digest);
    return 0;
}

static void fill_fetched(kd_req *q, kd_fetched *out)
{
    out->media_type = bare_type(q->ctype);
    if (out->media_type == NULL || strcmp(out->media_type, "application/json") == 0 ||
        strcmp(out->media_type, "application/octet-stream") == 0) {
        /* no useful Content-Type: the document's own mediaType */
        cJSON *j = kd_json_parse(kd_buf_str(&q->body), q->body.len, "manifest", NULL);
        const cJSON *mt = j ? kd_json_get(j, "mediaType") : NULL;
        if (cJSON_IsString(mt)) {
            free(out->media_type);
            out->media_type = kd_xstrdup(mt->valuestring);
        }
        cJSON_Delete(j);
    }
    out->data = kd_buf_detach(&q->body, &out->len);
}

static int get_manifest_at(kd_registry *r, kd_host *h, const kd_ref *ref, const char *reference,
                           kd_fetched *out, kd_error **err)
{
    char *url = kd_asprintf("/v2/%s/manifests/%s", ref->path, reference);
    char *scope = scope_for(ref, false);
    char *what = kd_asprintf("manifest %s", reference);
    kd_req q = {.method = "GET", .url = url, .accept = MANIFEST_ACCEPT, .scope = scope,
                .what = what, .max_body = KD_MANIFEST_MAX};
    int rc = kd_http_do(r, r->curl, h, &q, err);
    if (rc < 0)
        wrap_error(ref, err);
    else if (q.status != 200)
        rc = status_error(r, h, ref, &q, err);
    else if ((rc = verify_doc(ref, reference, &q, out, err)) == 0)
        fill_fetched(&q, out);
    if (rc == 0)
        KD_STAT_ADD(r, bytes_in, out->len);
    kd_req_free(&q);
    free(url);
    free(scope);
    free(what);
    return rc;
}

int kd_registry_get_manifest(kd_registry *r, const kd_ref *ref, const char *reference,
                             kd_fetched *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    if (ref->scratch)
        return kd_err(err, 0, "scratch is the empty image: it has no manifest");
    const char *rf = reference ? reference : kd_ref_reference(ref);
    kd_host *hosts[r->o.nmirrors + 1];
    size_t n = endpoints(r, ref, true, hosts);
    for (size_t i = 0; i < n; i++) {
        kd_error *e = NULL;
        if (get_manifest_at(r, hosts[i], ref, rf, out, &e) == 0)
            return 0;
        if (i + 1 == n)
            return pass_error(err, e);
        kd_registry_log(r, "mirror %s: %s; trying the next", hosts[i]->host, e->msg);
        kd_error_free(e);
        kd_fetched_free(out);
    }
    return -1;
}

int kd_registry_head_manifest(kd_registry *r, const kd_ref *ref, const char *reference,
                              kd_descriptor *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    const char *rf = reference ? reference : kd_ref_reference(ref);
    kd_host *h = domain_host(r, ref->domain);
    char *url = kd_asprintf("/v2/%s/manifests/%s", ref->path, rf);
    char *scope = scope_for(ref, false);
    char *what = kd_asprintf("HEAD manifest %s", rf);
    kd_req q = {.method = "HEAD", .url = url, .accept = MANIFEST_ACCEPT, .scope = scope,
                .what = what};
    int rc = kd_http_do(r, r->curl, h, &q, err);
    if (rc < 0) {
        wrap_error(ref, err);
    } else if (q.status == 404) {
        rc = 1;
    } else if (q.status != 200) {
        rc = status_error(r, h, ref, &q, err);
    } else if (!kd_digest_valid(q.digest) || (kd_digest_valid(rf) && strcmp(rf, q.digest) != 0)) {
        rc = kd_err(err, 0, "%s/%s: %s: no usable Docker-Content-Digest in the answer",
                    ref->domain, ref->path, what);
    } else {
        memcpy(out->digest, q.digest, sizeof out->digest);
        out->media_type = bare_type(q.ctype);
        out->size = q.content_length;
    }
    kd_req_free(&q);
    free(url);
    free(scope);
    free(what);
    return rc;
}

void kd_resolved_free(kd_resolved *r)
{
    if (r == NULL)
        return;
    kd_fetched_free(&r->index);
    kd_fetched_free(&r->manifest);
    kd_manifest_free(&r->parsed);
    kd_platform_free(&r->platform);
}

/* From an index to the manifest for want. */
static int resolve_index(kd_registry *r, const kd_ref *ref, const kd_platform *want,
                         kd_resolved *out, kd_error **err)
{
    kd_index ix;
    if (kd_index_parse(out->index.data, out->index.len, out->index.media_type, &ix, err) < 0)
        return wrap_error(ref, err);
    int i = kd_index_select(&ix, want, err);
    int rc = -1;
    if (i < 0) {
        wrap_error(ref, err);
    } else if (kd_registry_get_manifest(r, ref, ix.manifests[i].digest, &out->manifest, err) ==
               0) {
        rc = 0;
        if (ix.manifests[i].platform)
            kd_platform_copy(&out->platform, ix.manifests[i].platform);
        if ((int64_t)out->manifest.len != ix.manifests[i].size)
            rc = kd_err(err, 0, "%s/%s: manifest %s is %zu bytes, the index says %" PRId64,
                        ref->domain, ref->path, ix.manifests[i].digest, out->manifest.len,
                        ix.manifests[i].size);
    }
    kd_index_free(&ix);
    return rc;
}

int kd_registry_resolve(kd_registry *r, const kd_ref *ref, const kd_platform *want,
                        kd_resolved *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    kd_platform host;
    kd_platform_host(&host);
    kd_fetched first;
    int rc = kd_registry_get_manifest(r, ref, NULL, &first, err);
    if (rc < 0) {
        kd_platform_free(&host);
        return -1;
    }
    kd_doc_kind kind = kd_doc_kind_of(first.media_type, first.data, first.len);
    if (kind == KD_DOC_INDEX) {
        out->index = first;
        rc = resolve_index(r, ref, want ? want : &host, out, err);
    } else if (kind == KD_DOC_MANIFEST) {
        out->manifest = first;
    } else {
        rc = kd_err(err, 0, "%s/%s: %s has media type %s, which is not supported (schema 1 "
                            "manifests are deprecated)",
                    ref->domain, ref->path, kd_ref_reference(ref),
                    first.media_type ? first.media_type : "(none)");
        kd_fetched_free(&first);
    }
    if (rc == 0 && kd_manifest_parse(out->manifest.data, out->manifest.len,
                                     out->manifest.media_type, &out->parsed, err) < 0)
        rc = wrap_error(ref, err);
    kd_platform_free(&host);
    if (rc < 0)
        kd_resolved_free(out);
    return rc;
}

/* ---- blobs ---------------------------------------------------------------- */

/* Between the engine and the caller's sink: size limit and sha256. */
typedef struct verifier {
    kd_sha256 *h;
    int64_t got, size;
    kd_blob_sink sink;
    void *ctx;
    bool too_big;
} verifier;

static int verify_sink(void *ctx, const void *buf, size_t n)
{
    verifier *v = ctx;
    if (v->size >= 0 && v->got + (int64_t)n > v->size) {
        v->too_big = true;
        return -1;
    }
    kd_sha256_update(v->h, buf, n);
    v->got += (int64_t)n;
    return v->sink(v->ctx, buf, n);
}

/* Checks a finished transfer; 0 when complete and matching. */
static int blob_check(kd_registry *r, kd_host *h, const kd_ref *ref, const char *digest,
                      kd_req *q, verifier *v, kd_error **err)
{
    if (v->too_big)
        return kd_err(err, 0, "%s/%s: blob %s is larger than its %" PRId64 " bytes", ref->domain,
                      ref->path, digest, v->size);
    if (q->status != 200 && q->status != 206)
        return status_error(r, h, ref, q, err);
    char got[KD_DIGEST_STR_LEN + 1];
    kd_sha256_final(v->h, got);
    v->h = NULL;
    if (v->size >= 0 && v->got != v->size)
        return kd_err(err, 0, "%s/%s: blob %s ended after %" PRId64 " of %" PRId64 " bytes",
                      ref->domain, ref->path, digest, v->got, v->size);
    if (strcmp(got, digest) != 0)
        return kd_err(err, 0, "%s/%s: blob %s does not match its digest (got %s); discarded",
                      ref->domain, ref->path, digest, got);
    return 0;
}

/* One blob from one host with the thread's handle c. *delivered tells the
 * caller whether the sink saw bytes (then no other mirror may be tried). */
static int fetch_at(kd_registry *r, CURL *c, kd_host *h, const kd_ref *ref, const char *digest,
                    int64_t size, kd_blob_sink sink, void *ctx, const int *cancel,
                    int64_t *delivered, kd_error **err)
{
    char *url = kd_asprintf("/v2/%s/blobs/%s", ref->path, digest);
    char *scope = scope_for(ref, false);
    char *what = kd_asprintf("blob %s", digest);
    verifier v = {kd_sha256_new(), 0, size, sink, ctx, false};
    kd_req q = {.method = "GET", .url = url, .scope = scope, .what = what, .sink = verify_sink,
                .sink_ctx = &v, .cancel = cancel};
    kd_error *e = NULL;
    int rc = kd_http_do(r, c, h, &q, &e);
    if (rc == 0 || v.too_big) {
        /* a transfer cut short by the size check is reported as such */
        kd_error_free(e);
        rc = blob_check(r, h, ref, digest, &q, &v, err);
    } else {
        pass_error(err, e);
        wrap_error(ref, err);
    }
    *delivered = q.delivered;
    KD_STAT_ADD(r, bytes_in, (uint64_t)q.delivered);
    if (rc == 0)
        KD_STAT_ADD(r, blobs_fetched, 1);
    kd_sha256_free(v.h);
    kd_req_free(&q);
    free(url);
    free(scope);
    free(what);
    return rc;
}

static int fetch_with(kd_registry *r, CURL *c, const kd_ref *ref, const char *digest,
                      int64_t size, kd_blob_sink sink, void *ctx, const int *cancel,
                      kd_error **err)
{
    if (!kd_digest_valid(digest))
        return kd_err(err, 0, "invalid digest \"%.80s\"", digest);
    kd_host *hosts[r->o.nmirrors + 1];
    size_t n = endpoints(r, ref, true, hosts);
    for (size_t i = 0; i < n; i++) {
        kd_error *e = NULL;
        int64_t delivered = 0;
        if (fetch_at(r, c, hosts[i], ref, digest, size, sink, ctx, cancel, &delivered, &e) == 0)
            return 0;
        /* a sink that saw bytes cannot be fed again from another mirror */
        if (i + 1 == n || delivered > 0)
            return pass_error(err, e);
        kd_registry_log(r, "mirror %s: %s; trying the next", hosts[i]->host, e->msg);
        kd_error_free(e);
    }
    return -1;
}

int kd_registry_fetch_blob(kd_registry *r, const kd_ref *ref, const char *digest, int64_t size,
                           kd_blob_sink sink, void *ctx, kd_error **err)
{
    return fetch_with(r, r->curl, ref, digest, size, sink, ctx, NULL, err);
}

typedef struct membuf {
    kd_buf b;
    size_t max;
} membuf;

static int mem_sink(void *ctx, const void *buf, size_t n)
{
    membuf *m = ctx;
    if (m->b.len + n > m->max)
        return -1;
    kd_buf_add(&m->b, buf, n);
    return 0;
}

int kd_registry_get_blob(kd_registry *r, const kd_ref *ref, const char *digest, size_t max,
                         char **data, size_t *len, kd_error **err)
{
    membuf m = {KD_BUF_INIT, max};
    if (kd_registry_fetch_blob(r, ref, digest, -1, mem_sink, &m, err) < 0) {
        if (m.b.len + 1 > max && err && *err && strstr((*err)->msg, "stopped by the receiver"))
            kd_error_wrap(*err, "blob larger than %zu bytes", max);
        kd_buf_free(&m.b);
        return -1;
    }
    kd_buf_reserve(&m.b, 1); /* data is never NULL */
    *data = kd_buf_detach(&m.b, len);
    return 0;
}

/* ---- parallel blobs ------------------------------------------------------ */

typedef struct pool {
    kd_registry *r;
    const kd_ref *ref;
    kd_blob_job *jobs;
    size_t n, next;
    int failed;         /* read without the lock by transfers: cancels them */
    ssize_t first_fail; /* job index */
    pthread_mutex_t mu;
} pool;

static void *pool_worker(void *arg)
{
    pool *p = arg;
    CURL *c = curl_easy_init();
    for (;;) {
        pthread_mutex_lock(&p->mu);
        bool stop = p->failed || p->next == p->n || c == NULL;
        size_t i = p->next;
        if (!stop)
            p->next++;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            break;
        kd_blob_job *j = &p->jobs[i];
        j->status = fetch_with(p->r, c, p->ref, j->digest, j->size, j->sink, j->ctx, &p->failed,
                               &j->err);
        if (j->status < 0) {
            pthread_mutex_lock(&p->mu);
            if (!p->failed)
                p->first_fail = (ssize_t)i;
            __atomic_store_n(&p->failed, 1, __ATOMIC_RELAXED);
            pthread_mutex_unlock(&p->mu);
        }
    }
    if (c)
        curl_easy_cleanup(c);
    return NULL;
}

int kd_registry_fetch_blobs(kd_registry *r, const kd_ref *ref, kd_blob_job *jobs, size_t n,
                            kd_error **err)
{
    pool p = {.r = r, .ref = ref, .jobs = jobs, .n = n, .first_fail = -1};
    pthread_mutex_init(&p.mu, NULL);
    for (size_t i = 0; i < n; i++) {
        jobs[i].status = -1;
        jobs[i].err = NULL;
    }
    size_t nthreads = n < (size_t)r->o.parallel ? n : (size_t)r->o.parallel;
    pthread_t tids[nthreads ? nthreads : 1];
    size_t started = 0;
    for (size_t i = 0; i < nthreads; i++)
        if (pthread_create(&tids[started], NULL, pool_worker, &p) == 0)
            started++;
    if (started == 0 && n > 0)
        pool_worker(&p); /* no threads to be had: do it here */
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    pthread_mutex_destroy(&p.mu);
    for (size_t i = p.next; i < n; i++)
        kd_err(&jobs[i].err, 0, "blob %s not fetched: another download failed", jobs[i].digest);
    if (p.first_fail < 0 && p.next == n)
        return 0;
    if (p.first_fail < 0) /* no worker could get a connection handle */
        return kd_err(err, 0, "%s/%s: could not start the downloads", ref->domain, ref->path);
    kd_error *first = jobs[p.first_fail].err;
    return kd_err(err, first ? first->errnum : 0, "%s", first ? first->msg : "download failed");
}

/* ---- push -------------------------------------------------------------- */

int kd_registry_blob_exists(kd_registry *r, const kd_ref *ref, const char *digest,
                            int64_t *size, kd_error **err)
{
    if (!kd_digest_valid(digest))
        return kd_err(err, 0, "invalid digest \"%.80s\"", digest);
    kd_host *h = domain_host(r, ref->domain);
    char *url = kd_asprintf("/v2/%s/blobs/%s", ref->path, digest);
    char *scope = scope_for(ref, true);
    char *what = kd_asprintf("HEAD blob %s", digest);
    kd_req q = {.method = "HEAD", .url = url, .scope = scope, .what = what};
    int rc = kd_http_do(r, r->curl, h, &q, err);
    if (rc < 0)
        wrap_error(ref, err);
    else if (q.status == 200)
        rc = 1;
    else if (q.status != 404)
        rc = status_error(r, h, ref, &q, err);
    if (rc == 1 && size)
        *size = q.content_length;
    kd_req_free(&q);
    free(url);
    free(scope);
    free(what);
    return rc;
}

/* location?digest=... (or &digest=). */
static char *with_digest(const char *location, const char *digest)
{
    char *esc = curl_easy_escape(NULL, digest, 0);
    char *u = kd_asprintf("%s%cdigest=%s", location, strchr(location, '?') ? '&' : '?', esc);
    curl_free(esc);
    return u;
}

/* POST .../blobs/uploads/ (a mount when from is set). Returns 1 when the
 * registry mounted the blob, 0 with *location set for an upload. */
static int start_upload(kd_registry *r, kd_host *h, const kd_ref *ref, const char *digest,
                        const char *from, char **location, kd_error **err)
{
    char *esc = from ? curl_easy_escape(NULL, digest, 0) : NULL;
    char *url = from ? kd_asprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s", ref->path, esc, from)
                     : kd_asprintf("/v2/%s/blobs/uploads/", ref->path);
    curl_free(esc);
    char *push = scope_for(ref, true);
    char *scope = from ? kd_asprintf("%s repository:%s:pull", push, from) : kd_xstrdup(push);
    char *what = from ? kd_asprintf("mount blob %s from %s", digest, from)
                      : kd_asprintf("start upload of %s", digest);
    kd_req q = {.method = "POST", .url = url, .scope = scope, .what = what};
    int rc = kd_http_do(r, r->curl, h, &q, err);
    if (rc < 0)
        wrap_error(ref, err);
    else if (from && q.status == 201)
        rc = 1;
    else if (q.status != 202 || q.location == NULL)
        rc = status_error(r, h, ref, &q, err);
    else
        *location = kd_xstrdup(q.location);
    kd_req_free(&q);
    free(url);
    free(push);
    free(scope);
    free(what);
    return rc;
}

/* PATCH one chunk; *location moves on to the registry's next one. */
static int send_chunk(kd_registry *r, kd_host *h, const kd_ref *ref, const kd_blob_source *src,
                      int64_t off, int64_t len, char **location, kd_error **err)
{
    char *scope = scope_for(ref, true);
    char *what = kd_asprintf("upload %s bytes %" PRId64 "-%" PRId64, src->digest, off,
                             off + len - 1);
    kd_req q = {.method = "PATCH", .url = *location, .scope = scope, .what = what, .src = src,
                .src_off = off, .src_len = len, .content_type = "application/octet-stream"};
    int rc = kd_http_do(r, r->curl, h, &q, err);
    if (rc < 0)
        wrap_error(ref, err);
    else if (q.status != 202 || q.location == NULL)
        rc = status_error(r, h, ref, &q, err);
    if (rc == 0) {
        free(*location);
        *location = kd_xstrdup(q.location);
        KD_STAT_ADD(r, chunks_uploaded, 1);
        KD_STAT_ADD(r, bytes_out, (uint64_t)len);
    }
    kd_req_free(&q);
    free(scope);
    free(what);
    return rc;
}

/* The closing PUT, carrying the bytes [off, size) (all of them for a
 * monolithic upload, none after chunks). */
static int finish_upload(kd_registry *r, kd_host *h, const kd_ref *ref, const kd_blob_source *src,
                         int64_t off, const char *location, kd_error **err)
{
    char *url = with_digest(location, src->digest);
    char *scope = scope_for(ref, true);
    char *what = kd_asprintf("upload blob %s", src->digest);
    kd_req q = {.method = "PUT", .url = url, .scope = scope, .what = what, .src = src,
                .src_off = off, .src_len = src->size - off,
                .content_type = "application/octet-stream"};
    int rc = kd_http_do(r, r->curl, h, &q, err);
    if (rc < 0)
        wrap_error(ref, err);
    else if (q.status != 201 && q.status != 204)
        rc = status_error(r, h, ref, &q, err);
    else if (q.digest && kd_digest_valid(q.digest) && strcmp(q.digest, src->digest) != 0)
        rc = kd_err(err, 0, "%s/%s: the registry stored %s as %s", ref->domain, ref->path,
                    src->digest, q.digest);
    if (rc == 0)
        KD_STAT_ADD(r, bytes_out, (uint64_t)(src->size - off));
    kd_req_free(&q);
    free(url);
    free(scope);
    free(what);
    return rc;
}

static int upload(kd_registry *r, kd_host *h, const kd_ref *ref, const kd_blob_source *src,
                  char *location, kd_error **err)
{
    int64_t off = 0, chunk = r->o.chunk_size;
    int rc = 0;
    if (chunk > 0 && src->size > chunk)
        for (; rc == 0 && off < src->size; off += chunk)
            rc = send_chunk(r, h, ref, src, off,
                            src->size - off < chunk ? src->size - off : chunk, &location, err);
    if (rc == 0)
        rc = finish_upload(r, h, ref, src, off < src->size ? off : src->size, location, err);
    free(location);
    if (rc == 0)
        KD_STAT_ADD(r, blobs_uploaded, 1);
    return rc;
}

int kd_registry_mount_blob(kd_registry *r, const kd_ref *ref, const char *digest,
                           const char *from, kd_error **err)
{
    kd_host *h = domain_host(r, ref->domain);
    char *location = NULL;
    int rc = start_upload(r, h, ref, digest, from, &location, err);
    free(location); /* a refused mount's upload session: left to the registry's purge */
    if (rc == 1)
        KD_STAT_ADD(r, blobs_mounted, 1);
    return rc;
}

int kd_registry_push_blob(kd_registry *r, const kd_ref *ref, const kd_blob_source *src,
                          const char *const *mount_from, size_t nmount, kd_push_how *how,
                          kd_error **err)
{
    kd_push_how dummy;
    how = how ? how : &dummy;
    int rc = kd_registry_blob_exists(r, ref, src->digest, NULL, err);
    if (rc != 0) {
        *how = KD_PUSH_EXISTED;
        KD_STAT_ADD(r, blobs_existing, rc > 0);
        return rc < 0 ? -1 : 0;
    }
    kd_host *h = domain_host(r, ref->domain);
    char *location = NULL;
    /* a refused mount opens an upload session (its location): the last one
     * is used for the upload, the others are left to the registry's purge */
    for (size_t i = 0; i < nmount; i++) {
        if (strcmp(mount_from[i], ref->path) == 0)
            continue;
        if (location) {
            free(location);
            location = NULL;
        }
        kd_error *e = NULL;
        rc = start_upload(r, h, ref, src->digest, mount_from[i], &location, &e);
        if (rc == 1) {
            *how = KD_PUSH_MOUNTED;
            KD_STAT_ADD(r, blobs_mounted, 1);
            return 0;
        }
        if (rc < 0)
            kd_registry_log(r, "%s", e->msg);
        kd_error_free(e);
    }
    if (location == NULL && start_upload(r, h, ref, src->digest, NULL, &location, err) < 0)
        return -1;
    *how = KD_PUSH_UPLOADED;
    return upload(r, h, ref, src, location, err);
}

int kd_registry_put_manifest(kd_registry *r, const kd_ref *ref, const char *reference,
                             const char *media_type, const void *data, size_t len,
                             char out[KD_DIGEST_STR_LEN + 1], kd_error **err)
{
    char digest[KD_DIGEST_STR_LEN + 1];
    kd_digest_of(data, len, digest);
    const char *rf = reference ? reference : kd_ref_reference(ref);
    if (rf == NULL)
        return kd_err(err, 0, "nothing to push to: no tag or digest");
    if (kd_digest_valid(rf) && strcmp(rf, digest) != 0)
        return kd_err(err, 0, "%s/%s: manifest digest %s is not %s", ref->domain, ref->path,
                      digest, rf);
    kd_host *h = domain_host(r, ref->domain);
    char *url = kd_asprintf("/v2/%s/manifests/%s", ref->path, rf);
    char *scope = scope_for(ref, true);
    char *what = kd_asprintf("PUT manifest %s", rf);
    kd_blob_source src = {.fd = -1, .data = data, .size = (int64_t)len, .digest = digest};
    kd_req q = {.method = "PUT", .url = url, .scope = scope, .what = what, .src = &src,
                .src_len = (int64_t)len, .content_type = media_type};
    int rc = kd_http_do(r, r->curl, h, &q, err);
    if (rc < 0)
        wrap_error(ref, err);
    else if (q.status != 201 && q.status != 200)
        rc = status_error(r, h, ref, &q, err);
    else if (q.digest && strncmp(q.digest, "sha256:", 7) == 0 && strcmp(q.digest, digest) != 0)
        rc = kd_err(err, 0, "%s/%s: the registry stored the manifest as %s, not %s", ref->domain,
                    ref->path, q.digest, digest);
    if (rc == 0) {
        KD_STAT_ADD(r, bytes_out, len);
        if (out)
            memcpy(out, digest, sizeof digest);
    }
    kd_req_free(&q);
    free(url);
    free(scope);
    free(what);
    return rc;
}

int kd_registry_ping(kd_registry *r, const char *domain, kd_error **err)
{
    kd_host *h = domain_host(r, domain);
    kd_req q = {.method = "GET", .url = "/v2/", .what = "GET /v2/", .max_body = 1 << 16};
    int rc = kd_http_do(r, r->curl, h, &q, err);
    if (rc < 0) {
        if (err && *err)
            kd_error_wrap(*err, "%s", domain);
    } else if (q.status != 200) {
        char *why = kd_http_status_text(r, h, &q);
        rc = kd_err(err, 0, "%s: %s", domain, why);
        free(why);
    }
    kd_req_free(&q);
    return rc;
}
