/* The registry client against a fake server (tests/unit/fakehttp.c) for what
 * a real registry does not do on demand: failures, retries, cut transfers,
 * lying digests, the Bearer token flow, redirects. The real docker-registry
 * is exercised by tests/registry/suite.sh. */
#include "kt.h"
#include "build/registry.h"
#include "fakehttp.h"
#include "util/buf.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define REPO "test/img"

typedef struct blob {
    char digest[KD_DIGEST_STR_LEN + 1];
    char *data;
    size_t len;
} blob;

typedef struct fake {
    int port;
    pthread_mutex_t mu;
    /* documents served under manifests/<tag or digest> */
    struct {
        const char *tag;
        char digest[KD_DIGEST_STR_LEN + 1];
        const char *type;
        const char *body;
        const char *lie; /* a wrong Docker-Content-Digest to send */
    } docs[4];
    int ndocs;
    blob blobs[8];
    int nblobs;
    /* behaviour */
    int fail_next;          /* answer this many requests with fail_status */
    int fail_status;
    const char *retry_after;
    long cut_next_blob;     /* cut the next blob answer after so many bytes */
    int ignore_range;
    int auth;               /* 0 none, 1 Basic, 2 Bearer */
    int redirect_blobs;     /* send blobs from http://localhost:port/storage/ */
    int corrupt_blob;       /* flip a byte of blob answers */
    /* observations */
    int token_requests;
    char token_scope[512];
    char token_auth[1024];
    char storage_auth[1024];
    int ranges_seen;
    int requests;
} fake;

static const char *const USER = "alice", *const PASS = "wonder-land";
/* base64 of alice:wonder-land */
#define BASIC "Basic YWxpY2U6d29uZGVyLWxhbmQ="

static void add_doc(fake *f, const char *tag, const char *type, const char *body)
{
    f->docs[f->ndocs].tag = tag;
    f->docs[f->ndocs].type = type;
    f->docs[f->ndocs].body = body;
    kd_digest_of(body, strlen(body), f->docs[f->ndocs].digest);
    f->ndocs++;
}

static const char *add_blob(fake *f, const char *data, size_t len)
{
    blob *b = &f->blobs[f->nblobs++];
    b->data = kd_xmemdup0(data, len);
    b->len = len;
    kd_digest_of(data, len, b->digest);
    return b->digest;
}

/* The query parameter name=value of path, or "". */
static void query_param(const char *path, const char *name, char *out, size_t max)
{
    out[0] = '\0';
    const char *q = strchr(path, '?');
    size_t nl = strlen(name);
    for (const char *p = q; p && *p; p = strchr(p + 1, '&')) {
        if (strncmp(p + 1, name, nl) == 0 && p[1 + nl] == '=') {
            size_t n = strcspn(p + 2 + nl, "&");
            snprintf(out, max, "%.*s", (int)n, p + 2 + nl);
            return;
        }
    }
}

static void serve_token(fake *f, const fh_request *rq, fh_response *rs)
{
    f->token_requests++;
    query_param(rq->path, "scope", f->token_scope, sizeof f->token_scope);
    snprintf(f->token_auth, sizeof f->token_auth, "%s", rq->authorization);
    if (strcmp(rq->authorization, BASIC) != 0) {
        rs->status = 401;
        rs->body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad login\"}]}";
        rs->body_len = strlen(rs->body);
        return;
    }
    rs->status = 200;
    rs->body = "{\"token\":\"tok-123\",\"expires_in\":300}";
    rs->body_len = strlen(rs->body);
}

/* 1 when the request may pass; else the 401 is in rs. */
static int authorised(fake *f, const fh_request *rq, fh_response *rs)
{
    if (f->auth == 0 || strncmp(rq->path, "/storage/", 9) == 0)
        return 1;
    if (f->auth == 1 && strcmp(rq->authorization, BASIC) == 0)
        return 1;
    if (f->auth == 2 && strcmp(rq->authorization, "Bearer tok-123") == 0)
        return 1;
    rs->status = 401;
    if (f->auth == 1)
        fh_header(rs, "WWW-Authenticate: Basic realm=\"fake\"");
    else
        fh_header(rs,
                  "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:%d/token\",service=\"fake\","
                  "scope=\"repository:" REPO ":pull\"",
                  f->port);
    rs->body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}";
    rs->body_len = strlen(rs->body);
    return 0;
}

static void serve_manifest(fake *f, const char *ref, fh_response *rs)
{
    for (int i = 0; i < f->ndocs; i++) {
        if (strcmp(ref, f->docs[i].digest) != 0 &&
            (f->docs[i].tag == NULL || strcmp(ref, f->docs[i].tag) != 0))
            continue;
        rs->status = 200;
        fh_header(rs, "Content-Type: %s", f->docs[i].type);
        fh_header(rs, "Docker-Content-Digest: %s", f->docs[i].lie ? f->docs[i].lie : f->docs[i].digest);
        rs->body = f->docs[i].body;
        rs->body_len = strlen(f->docs[i].body);
        return;
    }
    rs->status = 404;
    rs->body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}";
    rs->body_len = strlen(rs->body);
}

static void serve_blob(fake *f, const fh_request *rq, const char *digest, fh_response *rs)
{
    blob *b = NULL;
    for (int i = 0; i < f->nblobs; i++)
        if (strcmp(f->blobs[i].digest, digest) == 0)
            b = &f->blobs[i];
    if (b == NULL) {
        rs->status = 404;
        return;
    }
    if (f->redirect_blobs && strncmp(rq->path, "/storage/", 9) != 0) {
        rs->status = 307;
        fh_header(rs, "Location: http://localhost:%d/storage/%s", f->port, digest);
        return;
    }
    if (strncmp(rq->path, "/storage/", 9) == 0)
        snprintf(f->storage_auth, sizeof f->storage_auth, "%s", rq->authorization);
    size_t from = 0;
    if (rq->range[0]) {
        f->ranges_seen++;
        if (!f->ignore_range)
            from = (size_t)strtoull(rq->range + 6, NULL, 10);
    }
    rs->status = from ? 206 : 200;
    if (from)
        fh_header(rs, "Content-Range: bytes %zu-%zu/%zu", from, b->len - 1, b->len);
    rs->body = b->data + from;
    rs->body_len = b->len - from;
    if (f->corrupt_blob) {
        static char bad[1 << 16];
        memcpy(bad, rs->body, rs->body_len);
        bad[0] ^= 1;
        rs->body = bad;
    }
    if (f->cut_next_blob >= 0) {
        rs->cut_after = f->cut_next_blob;
        f->cut_next_blob = -1;
    }
}

static void handler(const fh_request *rq, fh_response *rs, void *ctx)
{
    fake *f = ctx;
    pthread_mutex_lock(&f->mu);
    f->requests++;
    if (strncmp(rq->path, "/token", 6) == 0) {
        serve_token(f, rq, rs);
    } else if (f->fail_next > 0) {
        f->fail_next--;
        rs->status = f->fail_status;
        if (f->retry_after)
            fh_header(rs, "Retry-After: %s", f->retry_after);
    } else if (authorised(f, rq, rs)) {
        const char *m = strstr(rq->path, "/manifests/");
        const char *b = strstr(rq->path, "/blobs/");
        const char *s = strncmp(rq->path, "/storage/", 9) == 0 ? rq->path + 9 : NULL;
        if (strcmp(rq->path, "/v2/") == 0)
            rs->status = 200;
        else if (m)
            serve_manifest(f, m + 11, rs);
        else if (b || s)
            serve_blob(f, rq, b ? b + 7 : s, rs);
    }
    pthread_mutex_unlock(&f->mu);
}

static fh_server *start(fake *f)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    f->cut_next_blob = -1;
    fh_server *s = fh_start(handler, f);
    if (s)
        f->port = fh_port(s);
    return s;
}

static void stop(fh_server *s, fake *f)
{
    fh_stop(s);
    for (int i = 0; i < f->nblobs; i++)
        free(f->blobs[i].data);
    pthread_mutex_destroy(&f->mu);
}

static kd_registry *client(int retries)
{
    kd_registry_opts o = {.anonymous = true, .retries = retries, .backoff_ms = 1,
                          .backoff_max_ms = 20};
    kd_registry *r = NULL;
    kd_registry_new(&o, &r, NULL);
    return r;
}

static void ref_at(fake *f, const char *tag, kd_ref *ref)
{
    char *s = kd_asprintf("127.0.0.1:%d/" REPO ":%s", f->port, tag);
    kd_ref_parse(s, ref, NULL);
    free(s);
}

static int buf_sink(void *ctx, const void *p, size_t n)
{
    kd_buf_add(ctx, p, n);
    return 0;
}

#define D0 "sha256:0000000000000000000000000000000000000000000000000000000000000000"

static const char manifest_text[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D0
    "\",\"size\":2},\"layers\":[]}";

/* ---- pure functions ------------------------------------------------------ */

TEST(registry_www_authenticate)
{
    kd_challenge *c;
    size_t n = kd_www_authenticate_parse(
        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
        "scope=\"repository:library/node:pull\"",
        &c);
    REQUIRE(n == 1);
    CHECK_STR(c[0].scheme, "bearer");
    CHECK_STR(kd_map_get(&c[0].params, "realm"), "https://auth.docker.io/token");
    CHECK_STR(kd_map_get(&c[0].params, "service"), "registry.docker.io");
    CHECK_STR(kd_map_get(&c[0].params, "scope"), "repository:library/node:pull");
    kd_challenges_free(c, n);

    n = kd_www_authenticate_parse(
        "Basic realm=\"a, b\" , BEARER Realm=tok , error = \"insufficient_scope\", "
        "Negotiate abc==, Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\"",
        &c);
    REQUIRE(n == 4);
    CHECK_STR(c[0].scheme, "basic");
    CHECK_STR(kd_map_get(&c[0].params, "realm"), "a, b");
    CHECK_STR(c[1].scheme, "bearer");
    CHECK_STR(kd_map_get(&c[1].params, "realm"), "tok");
    CHECK_STR(kd_map_get(&c[1].params, "error"), "insufficient_scope");
    CHECK_STR(c[2].scheme, "negotiate");
    CHECK_STR(kd_map_get(&c[2].params, "token68"), "abc==");
    CHECK_STR(c[3].scheme, "newauth");
    CHECK_STR(kd_map_get(&c[3].params, "title"), "Login to \"apps\"");
    CHECK_STR(kd_map_get(&c[3].params, "type"), "1");
    kd_challenges_free(c, n);

    /* junk gives what can be had, never a crash */
    static const char *const junk[] = {"", ",,,", "=", "\"", "Bearer realm=\"unterminated",
                                       "Bearer ,realm", "Bearer realm=", "  Basic"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        n = kd_www_authenticate_parse(junk[i], &c);
        kd_challenges_free(c, n);
    }
    n = kd_www_authenticate_parse("Bearer realm=\"unterminated", &c);
    REQUIRE(n == 1);
    CHECK_STR(kd_map_get(&c[0].params, "realm"), "unterminated");
    kd_challenges_free(c, n);
    CHECK(kd_www_authenticate_parse(NULL, &c) == 0);
    kd_challenges_free(c, 0);
}

TEST(registry_token_and_retry_after)
{
    char *t;
    long exp;
    const char *a = "{\"token\":\"abc\",\"expires_in\":3600}";
    REQUIRE(kd_token_response_parse(a, strlen(a), &t, &exp, NULL) == 0);
    CHECK_STR(t, "abc");
    CHECK_INT(exp, 3600);
    free(t);
    const char *b = "{\"access_token\":\"xyz\",\"expires_in\":5}";
    REQUIRE(kd_token_response_parse(b, strlen(b), &t, &exp, NULL) == 0);
    CHECK_STR(t, "xyz");
    CHECK_INT(exp, 60);
    free(t);
    kd_error *e = NULL;
    CHECK(kd_token_response_parse("{\"token\":\"\"}", 12, &t, &exp, &e) < 0);
    CHECK(e && strstr(e->msg, "no token"));
    kd_error_free(e);
    CHECK(kd_token_response_parse("nope", 4, &t, &exp, NULL) < 0);

    CHECK_INT(kd_retry_after_parse("120", 0), 120);
    CHECK_INT(kd_retry_after_parse(" 0 ", 0), 0);
    CHECK_INT(kd_retry_after_parse("-3", 0), -1);
    CHECK_INT(kd_retry_after_parse("soon", 0), -1);
    CHECK_INT(kd_retry_after_parse("12abc", 0), -1);
    CHECK_INT(kd_retry_after_parse(NULL, 0), -1);
    /* an HTTP date 30 s after "now" */
    CHECK_INT(kd_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111747L), 30);
    CHECK_INT(kd_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111800L), 0);
}

/* ---- against the fake server ---------------------------------------------- */

TEST(registry_manifest_and_index)
{
    fake f;
    fh_server *s = start(&f);
    REQUIRE(s != NULL);
    add_doc(&f, NULL, KD_MT_OCI_MANIFEST, manifest_text);
    char *index = kd_asprintf(
        "{\"schemaVersion\":2,\"mediaType\":\"" KD_MT_OCI_INDEX "\",\"manifests\":["
        "{\"mediaType\":\"" KD_MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"s390x\"}},"
        "{\"mediaType\":\"" KD_MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"riscv64\"}}]}",
        D0, (size_t)1, f.docs[0].digest, strlen(manifest_text));
    add_doc(&f, "multi", KD_MT_OCI_INDEX, index);
    kd_registry *r = client(2);
    kd_ref ref;
    ref_at(&f, "multi", &ref);
    kd_platform want;
    kd_platform_parse("linux/riscv64", &want, NULL);
    kd_resolved res;
    kd_error *e = NULL;
    REQUIRE(kd_registry_resolve(r, &ref, &want, &res, &e) == 0);
    CHECK(res.index.data != NULL);
    CHECK_STR(res.manifest.digest, f.docs[0].digest);
    CHECK_STR(res.manifest.media_type, KD_MT_OCI_MANIFEST);
    CHECK_STR(res.platform.architecture, "riscv64");
    CHECK_STR(res.parsed.config.digest, D0);
    kd_resolved_free(&res);
    kd_platform_free(&want);
    /* a platform the index lacks */
    kd_platform_parse("linux/arm64", &want, NULL);
    CHECK(kd_registry_resolve(r, &ref, &want, &res, &e) < 0);
    CHECK(e && strstr(e->msg, "no image for platform linux/arm64 ") &&
          strstr(e->msg, "linux/s390x, linux/riscv64"));
    kd_error_free(e);
    e = NULL;
    kd_platform_free(&want);
    /* HEAD */
    kd_descriptor d;
    REQUIRE(kd_registry_head_manifest(r, &ref, NULL, &d, &e) == 0);
    CHECK_STR(d.digest, f.docs[1].digest);
    CHECK_STR(d.media_type, KD_MT_OCI_INDEX);
    CHECK_INT(d.size, strlen(index));
    kd_descriptor_free(&d);
    CHECK_INT(kd_registry_head_manifest(r, &ref, "nope", &d, &e), 1);
    /* unknown tag: the registry's own error */
    kd_ref missing;
    ref_at(&f, "nope", &missing);
    kd_fetched fe;
    CHECK(kd_registry_get_manifest(r, &missing, NULL, &fe, &e) < 0);
    char *want_msg = kd_asprintf("127.0.0.1:%d/" REPO ": manifest nope: HTTP 404 "
                                 "MANIFEST_UNKNOWN: manifest unknown", f.port);
    CHECK(e && strcmp(e->msg, want_msg) == 0);
    if (e && strcmp(e->msg, want_msg) != 0)
        printf("# %s\n", e->msg);
    free(want_msg);
    kd_error_free(e);
    kd_ref_free(&missing);
    kd_ref_free(&ref);
    kd_registry_free(r);
    stop(s, &f);
    free(index);
}

TEST(registry_refuses_lying_digests)
{
    fake f;
    fh_server *s = start(&f);
    REQUIRE(s != NULL);
    add_doc(&f, "latest", KD_MT_OCI_MANIFEST, manifest_text);
    f.docs[0].lie = D0;
    const char *bd = add_blob(&f, "layer bytes", 11);
    kd_registry *r = client(1);
    kd_ref ref;
    ref_at(&f, "latest", &ref);
    kd_fetched fe;
    kd_error *e = NULL;
    CHECK(kd_registry_get_manifest(r, &ref, NULL, &fe, &e) < 0);
    CHECK(e && strstr(e->msg, "does not match its digest"));
    kd_error_free(e);
    e = NULL;
    /* asked by digest, the body must hash to it whatever the headers say */
    f.docs[0].lie = NULL;
    CHECK(kd_registry_get_manifest(r, &ref, D0, &fe, &e) < 0);
    kd_error_free(e);
    e = NULL;
    /* a blob whose bytes were changed: the sink saw them, the call fails */
    f.corrupt_blob = 1;
    kd_buf got = KD_BUF_INIT;
    CHECK(kd_registry_fetch_blob(r, &ref, bd, 11, buf_sink, &got, &e) < 0);
    CHECK(e && strstr(e->msg, "does not match its digest"));
    CHECK(got.len == 11);
    kd_error_free(e);
    e = NULL;
    kd_buf_free(&got);
    /* a blob longer than its descriptor says stops at once */
    f.corrupt_blob = 0;
    CHECK(kd_registry_fetch_blob(r, &ref, bd, 5, buf_sink, &got, &e) < 0);
    CHECK(e && strstr(e->msg, "larger than its 5 bytes"));
    kd_error_free(e);
    kd_buf_free(&got);
    kd_ref_free(&ref);
    kd_registry_free(r);
    stop(s, &f);
}

TEST(registry_retries_transient_failures)
{
    fake f;
    fh_server *s = start(&f);
    REQUIRE(s != NULL);
    add_doc(&f, "latest", KD_MT_OCI_MANIFEST, manifest_text);
    kd_registry *r = client(3);
    kd_ref ref;
    ref_at(&f, "latest", &ref);
    kd_fetched fe;
    kd_error *e = NULL;
    f.fail_next = 2;
    f.fail_status = 503;
    REQUIRE(kd_registry_get_manifest(r, &ref, NULL, &fe, &e) == 0);
    kd_fetched_free(&fe);
    f.fail_next = 1;
    f.fail_status = 429;
    f.retry_after = "0";
    REQUIRE(kd_registry_get_manifest(r, &ref, NULL, &fe, &e) == 0);
    kd_fetched_free(&fe);
    kd_registry_stats st;
    kd_registry_stats_get(r, &st);
    CHECK_INT(st.retries, 3);
    /* more failures than retries: the last status is reported */
    f.fail_next = 10;
    f.fail_status = 502;
    CHECK(kd_registry_get_manifest(r, &ref, NULL, &fe, &e) < 0);
    CHECK(e && strstr(e->msg, "HTTP 502"));
    kd_error_free(e);
    e = NULL;
    f.fail_next = 0;
    /* 4xx other than 408/429 is not retried */
    kd_registry_stats_get(r, &st);
    uint64_t before = st.retries;
    kd_ref missing;
    ref_at(&f, "nope", &missing);
    CHECK(kd_registry_get_manifest(r, &missing, NULL, &fe, &e) < 0);
    kd_error_free(e);
    kd_registry_stats_get(r, &st);
    CHECK_INT(st.retries, before);
    kd_ref_free(&missing);
    kd_ref_free(&ref);
    kd_registry_free(r);
    stop(s, &f);
}

TEST(registry_resumes_cut_downloads)
{
    fake f;
    fh_server *s = start(&f);
    REQUIRE(s != NULL);
    char data[40000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7 + i / 251);
    const char *bd = add_blob(&f, data, sizeof data);
    kd_registry *r = client(2);
    kd_ref ref;
    ref_at(&f, "latest", &ref);
    kd_error *e = NULL;
    for (int ignore = 0; ignore < 2; ignore++) {
        f.ignore_range = ignore;
        f.cut_next_blob = 12345;
        f.ranges_seen = 0;
        kd_buf got = KD_BUF_INIT;
        REQUIRE(kd_registry_fetch_blob(r, &ref, bd, sizeof data, buf_sink, &got, &e) == 0);
        /* one continuous stream, as if nothing happened */
        CHECK(got.len == sizeof data && memcmp(got.data, data, sizeof data) == 0);
        CHECK_INT(f.ranges_seen, 1);
        kd_buf_free(&got);
    }
    kd_ref_free(&ref);
    kd_registry_free(r);
    stop(s, &f);
}

TEST(registry_bearer_token_flow)
{
    fake f;
    fh_server *s = start(&f);
    REQUIRE(s != NULL);
    add_doc(&f, "latest", KD_MT_OCI_MANIFEST, manifest_text);
    const char *bd = add_blob(&f, "secret layer", 12);
    f.auth = 2;
    kd_registry *r = client(1);
    kd_ref ref;
    ref_at(&f, "latest", &ref);
    kd_fetched fe;
    kd_error *e = NULL;
    /* no credentials: the token server says no, and we say how to fix it */
    CHECK(kd_registry_get_manifest(r, &ref, NULL, &fe, &e) < 0);
    CHECK(e && strstr(e->msg, "refused repository:" REPO ":pull") && strstr(e->msg, "HTTP 401"));
    kd_error_free(e);
    e = NULL;
    char *domain = kd_asprintf("127.0.0.1:%d", f.port);
    kd_cred c = {.username = (char *)USER, .password = (char *)PASS};
    kd_registry_set_cred(r, domain, &c);
    REQUIRE(kd_registry_get_manifest(r, &ref, NULL, &fe, &e) == 0);
    kd_fetched_free(&fe);
    CHECK_STR(f.token_scope, "repository%3Atest%2Fimg%3Apull");
    CHECK_STR(f.token_auth, BASIC);
    int tokens = f.token_requests;
    /* the token is reused for the same scope */
    kd_buf got = KD_BUF_INIT;
    REQUIRE(kd_registry_fetch_blob(r, &ref, bd, 12, buf_sink, &got, &e) == 0);
    kd_buf_free(&got);
    CHECK_INT(f.token_requests, tokens);
    /* wrong password: refused, and the message does not carry it */
    kd_registry *r2 = client(1);
    kd_cred bad = {.username = (char *)USER, .password = "hunter2-not-it"};
    kd_registry_set_cred(r2, domain, &bad);
    CHECK(kd_registry_get_manifest(r2, &ref, NULL, &fe, &e) < 0);
    CHECK(e && !strstr(e->msg, "hunter2") && strstr(e->msg, "check the stored credentials"));
    kd_error_free(e);
    kd_registry_free(r2);
    free(domain);
    kd_ref_free(&ref);
    kd_registry_free(r);
    stop(s, &f);
}

TEST(registry_basic_auth_and_ping)
{
    fake f;
    fh_server *s = start(&f);
    REQUIRE(s != NULL);
    f.auth = 1;
    kd_registry *r = client(1);
    char *domain = kd_asprintf("127.0.0.1:%d", f.port);
    kd_error *e = NULL;
    CHECK(kd_registry_ping(r, domain, &e) < 0);
    char *hint = kd_asprintf("no credentials for %s; run 'kdoctor login %s'", domain, domain);
    CHECK(e && strstr(e->msg, hint));
    free(hint);
    kd_error_free(e);
    e = NULL;
    kd_cred c = {.username = (char *)USER, .password = (char *)PASS};
    kd_registry_set_cred(r, domain, &c);
    CHECK(kd_registry_ping(r, domain, &e) == 0);
    kd_cred bad = {.username = (char *)USER, .password = "nope-nope"};
    kd_registry_set_cred(r, domain, &bad);
    CHECK(kd_registry_ping(r, domain, &e) < 0);
    CHECK(e && strstr(e->msg, "were refused") && !strstr(e->msg, "nope-nope"));
    kd_error_free(e);
    free(domain);
    kd_registry_free(r);
    stop(s, &f);
}

TEST(registry_redirect_drops_authorization)
{
    fake f;
    fh_server *s = start(&f);
    REQUIRE(s != NULL);
    f.auth = 1;
    f.redirect_blobs = 1;
    const char *bd = add_blob(&f, "stored elsewhere", 16);
    kd_registry *r = client(1);
    char *domain = kd_asprintf("127.0.0.1:%d", f.port);
    kd_cred c = {.username = (char *)USER, .password = (char *)PASS};
    kd_registry_set_cred(r, domain, &c);
    kd_ref ref;
    ref_at(&f, "latest", &ref);
    kd_buf got = KD_BUF_INIT;
    kd_error *e = NULL;
    REQUIRE(kd_registry_fetch_blob(r, &ref, bd, 16, buf_sink, &got, &e) == 0);
    CHECK(got.len == 16 && memcmp(got.data, "stored elsewhere", 16) == 0);
    /* localhost is another host than 127.0.0.1: no credentials go there */
    CHECK_STR(f.storage_auth, "");
    kd_buf_free(&got);
    kd_ref_free(&ref);
    free(domain);
    kd_registry_free(r);
    stop(s, &f);
}

TEST(registry_plain_http_only_where_allowed)
{
    fake f;
    fh_server *s = start(&f);
    REQUIRE(s != NULL);
    add_doc(&f, "latest", KD_MT_OCI_MANIFEST, manifest_text);
    /* 0.0.0.0 reaches this machine but is not a local name: HTTPS only */
    char *name = kd_asprintf("0.0.0.0:%d/" REPO, f.port);
    kd_ref ref;
    REQUIRE(kd_ref_parse(name, &ref, NULL) == 0);
    kd_registry *r = client(-1);
    kd_fetched fe;
    kd_error *e = NULL;
    CHECK(kd_registry_get_manifest(r, &ref, NULL, &fe, &e) < 0);
    int requests = f.requests;
    kd_error_free(e);
    e = NULL;
    kd_registry_free(r);
    CHECK_INT(requests, 0);
    /* unless it is named insecure */
    char *host = kd_asprintf("0.0.0.0:%d", f.port);
    const char *insecure[] = {host};
    kd_registry_opts o = {.anonymous = true, .insecure = insecure, .ninsecure = 1};
    REQUIRE(kd_registry_new(&o, &r, NULL) == 0);
    REQUIRE(kd_registry_get_manifest(r, &ref, NULL, &fe, &e) == 0);
    kd_fetched_free(&fe);
    kd_registry_free(r);
    free(host);
    free(name);
    kd_ref_free(&ref);
    stop(s, &f);
}

TEST(registry_docker_hub_mirrors)
{
    fake bad, good;
    fh_server *sb = start(&bad), *sg = start(&good);
    REQUIRE(sb && sg);
    add_doc(&good, "1.0", KD_MT_OCI_MANIFEST, manifest_text);
    const char *bd = add_blob(&good, "mirrored", 8);
    char *m1 = kd_asprintf("http://127.0.0.1:%d", bad.port);
    char *m2 = kd_asprintf("127.0.0.1:%d", good.port);
    const char *mirrors[] = {m1, m2};
    kd_registry_opts o = {.anonymous = true, .mirrors = mirrors, .nmirrors = 2, .retries = -1};
    kd_registry *r;
    REQUIRE(kd_registry_new(&o, &r, NULL) == 0);
    kd_ref ref;
    /* docker.io/test/img: never asked of docker.io itself here */
    REQUIRE(kd_ref_parse(REPO ":1.0", &ref, NULL) == 0);
    kd_fetched fe;
    kd_error *e = NULL;
    REQUIRE(kd_registry_get_manifest(r, &ref, NULL, &fe, &e) == 0);
    CHECK_STR(fe.digest, good.docs[0].digest);
    kd_fetched_free(&fe);
    kd_buf got = KD_BUF_INIT;
    REQUIRE(kd_registry_fetch_blob(r, &ref, bd, 8, buf_sink, &got, &e) == 0);
    kd_buf_free(&got);
    CHECK(bad.requests >= 2); /* asked first, said 404 */
    kd_ref_free(&ref);
    kd_registry_free(r);
    free(m1);
    free(m2);
    stop(sb, &bad);
    stop(sg, &good);
}

typedef struct counting {
    kd_buf b;
    int fail;
} counting;

static int counting_sink(void *ctx, const void *p, size_t n)
{
    counting *c = ctx;
    if (c->fail)
        return -1;
    kd_buf_add(&c->b, p, n);
    return 0;
}

TEST(registry_parallel_blobs)
{
    fake f;
    fh_server *s = start(&f);
    REQUIRE(s != NULL);
    enum { N = 6 };
    char data[N][3000];
    kd_blob_job jobs[N];
    counting sinks[N];
    memset(sinks, 0, sizeof sinks);
    for (int i = 0; i < N; i++) {
        memset(data[i], 'a' + i, sizeof data[i]);
        jobs[i] = (kd_blob_job){.digest = add_blob(&f, data[i], sizeof data[i]),
                                .size = sizeof data[i], .sink = counting_sink, .ctx = &sinks[i]};
    }
    kd_registry_opts o = {.anonymous = true, .parallel = 3, .backoff_ms = 1};
    kd_registry *r;
    REQUIRE(kd_registry_new(&o, &r, NULL) == 0);
    kd_ref ref;
    ref_at(&f, "latest", &ref);
    kd_error *e = NULL;
    REQUIRE(kd_registry_fetch_blobs(r, &ref, jobs, N, &e) == 0);
    for (int i = 0; i < N; i++) {
        CHECK(jobs[i].status == 0 && jobs[i].err == NULL);
        CHECK(sinks[i].b.len == sizeof data[i] && memcmp(sinks[i].b.data, data[i], 3000) == 0);
        kd_buf_free(&sinks[i].b);
    }
    kd_registry_stats st;
    kd_registry_stats_get(r, &st);
    CHECK_INT(st.blobs_fetched, N);
    /* a receiver that gives up fails the whole set, naming the blob */
    sinks[2].fail = 1;
    CHECK(kd_registry_fetch_blobs(r, &ref, jobs, N, &e) < 0);
    CHECK(e && strstr(e->msg, jobs[2].digest) && strstr(e->msg, "stopped by the receiver"));
    CHECK(jobs[2].status < 0 && jobs[2].err != NULL);
    kd_error_free(e);
    for (int i = 0; i < N; i++) {
        kd_error_free(jobs[i].err);
        kd_buf_free(&sinks[i].b);
    }
    kd_ref_free(&ref);
    kd_registry_free(r);
    stop(s, &f);
}
