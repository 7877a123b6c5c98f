/* The registry client's HTTP engine: one exchange with retries and backoff,
 * the HTTPS-to-HTTP fallback for insecure hosts, resumption of streamed
 * downloads, and the auth flow (Basic, Bearer tokens from the realm of a
 * WWW-Authenticate challenge). Secrets only ever go into request headers. */
#include "build/oci_json.h"
#include "build/registry_int.h"
#include "util/mem.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define TOKEN_MAX ((size_t)1 << 20)
#define ERROR_BODY_MAX ((size_t)64 << 10)

void kd_registry_log(kd_registry *r, const char *fmt, ...)
{
    if (r->o.log == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = kd_vasprintf(fmt, ap);
    va_end(ap);
    r->o.log(r->o.log_ctx, msg);
    free(msg);
}

void kd_req_free(kd_req *q)
{
    kd_buf_free(&q->body);
    free(q->ctype);
    free(q->digest);
    free(q->location);
    free(q->www_auth);
    free(q->retry_after);
    free(q->content_range);
    q->ctype = q->digest = q->location = q->www_auth = q->retry_after = q->content_range = NULL;
}

/* ---- WWW-Authenticate, token answers, Retry-After ------------------------ */

static bool is_tchar(char c)
{
    return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* A token at p; *n its length. */
static size_t token_len(const char *p)
{
    size_t n = 0;
    while (is_tchar(p[n]))
        n++;
    return n;
}

/* A quoted-string at p (p[0] == '"'): its unescaped value; *end after it. */
static char *quoted(const char *p, const char **end)
{
    kd_buf b = KD_BUF_INIT;
    p++;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1])
            p++;
        kd_buf_addc(&b, *p++);
    }
    *end = *p == '"' ? p + 1 : p;
    return kd_buf_detach(&b, NULL);
}

/* Does p start an auth-param (token BWS "=" BWS value), not a new
 * challenge or a token68? */
static bool at_param(const char *p)
{
    size_t n = token_len(p);
    if (n == 0)
        return false;
    const char *q = skip_ws(p + n);
    if (*q != '=')
        return false;
    q = skip_ws(q + 1);
    return *q == '"' || is_tchar(*q);
}

/* Parses the auth-params of one challenge from *pp into c. */
static void parse_params(const char **pp, kd_challenge *c)
{
    const char *p = *pp;
    for (size_t guard = 0; guard < 64; guard++) {
        p = skip_ws(p);
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (!at_param(p))
            break;
        size_t n = token_len(p);
        char *name = kd_xstrndup(p, n);
        for (char *s = name; *s; s++)
            *s = (char)tolower((unsigned char)*s);
        p = skip_ws(skip_ws(p + n) + 1);
        char *value;
        if (*p == '"') {
            value = quoted(p, &p);
        } else {
            size_t vn = token_len(p);
            value = kd_xstrndup(p, vn);
            p += vn;
        }
        if (kd_map_get(&c->params, name) == NULL) /* the first one counts */
            kd_map_set(&c->params, name, value);
        free(name);
        free(value);
    }
    *pp = p;
}

/* A token68 ("Negotiate abc==") right after the scheme. */
static void parse_token68(const char **pp, kd_challenge *c)
{
    const char *p = skip_ws(*pp);
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || (p[n] && strchr("-._~+/", p[n])))
        n++;
    while (n > 0 && p[n] == '=')
        n++;
    const char *after = skip_ws(p + n);
    if (n > 0 && (*after == '\0' || *after == ',') && !at_param(p)) {
        char *v = kd_xstrndup(p, n);
        kd_map_set(&c->params, "token68", v);
        free(v);
        *pp = after;
    }
}

size_t kd_www_authenticate_parse(const char *header, kd_challenge **out)
{
    *out = NULL;
    size_t n = 0;
    const char *p = header ? header : "";
    while (*p && n < 16) {
        while (*p && !is_tchar(*p))
            p++;
        size_t len = token_len(p);
        if (len == 0)
            break;
        *out = kd_xrealloc(*out, (n + 1) * sizeof **out);
        kd_challenge *c = &(*out)[n++];
        memset(c, 0, sizeof *c);
        c->scheme = kd_xstrndup(p, len);
        for (char *s = c->scheme; *s; s++)
            *s = (char)tolower((unsigned char)*s);
        p += len;
        parse_token68(&p, c);
        parse_params(&p, c);
    }
    return n;
}

void kd_challenges_free(kd_challenge *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].scheme);
        kd_map_free(&c[i].params);
    }
    free(c);
}

int kd_token_response_parse(const char *data, size_t len, char **token, long *expires_in,
                            kd_error **err)
{
    *token = NULL;
    *expires_in = 60;
    if (len > TOKEN_MAX)
        return kd_err(err, 0, "token answer too large");
    cJSON *j = kd_json_parse(data, len, "token answer", NULL);
    if (j == NULL)
        return kd_err(err, 0, "token answer is not a JSON object");
    const cJSON *t = kd_json_get(j, "token");
    if (!cJSON_IsString(t) || !*t->valuestring)
        t = kd_json_get(j, "access_token");
    int64_t exp = 60;
    int rc = 0;
    if (!cJSON_IsString(t) || !*t->valuestring)
        rc = kd_err(err, 0, "token answer holds no token");
    else if (kd_json_int(j, "expires_in", "token answer", -KD_JSON_INT_MAX, KD_JSON_INT_MAX, &exp,
                         NULL) < 0)
        exp = 60;
    if (rc == 0) {
        *token = kd_xstrdup(t->valuestring);
        /* the distribution spec: less than 60 s means 60 s */
        *expires_in = exp < 60 ? 60 : exp > 86400 * 365 ? 86400 * 365 : (long)exp;
    }
    cJSON_Delete(j);
    return rc;
}

long kd_retry_after_parse(const char *value, long now)
{
    if (value == NULL)
        return -1;
    const char *p = skip_ws(value);
    if (isdigit((unsigned char)*p)) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || *skip_ws(end) != '\0')
            return -1;
        return v > 86400 ? 86400 : (long)v;
    }
    time_t t = curl_getdate(p, NULL);
    if (t < 0)
        return -1;
    return t > now ? (long)(t - now) : 0;
}

/* ---- hosts ------------------------------------------------------------ */

static bool is_local_host(const char *host)
{
    size_t n = strlen(host);
    /* without the port */
    const char *colon = host[0] == '[' ? strstr(host, "]:") : strrchr(host, ':');
    if (colon)
        n = (size_t)(colon - host) + (host[0] == '[');
    return (n == 9 && strncmp(host, "localhost", 9) == 0) || (n == 5 && strncmp(host, "[::1]", 5) == 0) ||
           (n == 3 && strncmp(host, "::1", 3) == 0) || strncmp(host, "127.", 4) == 0;
}

static bool is_insecure(const kd_registry *r, const char *host)
{
    if (is_local_host(host))
        return true;
    size_t hn = strcspn(host, ":");
    for (size_t i = 0; i < r->o.ninsecure; i++) {
        const char *s = r->o.insecure[i];
        /* "host" covers every port of host; "host:port" just that one */
        if (strcmp(s, host) == 0 || (strchr(s, ':') == NULL && strlen(s) == hn &&
                                     strncmp(s, host, hn) == 0))
            return true;
    }
    return false;
}

kd_host *kd_registry_host(kd_registry *r, const char *key, const char *host, int scheme)
{
    pthread_mutex_lock(&r->mu);
    kd_host *h = NULL;
    for (size_t i = 0; i < r->nhosts && h == NULL; i++)
        if (strcmp(r->hosts[i]->key, key) == 0 && strcmp(r->hosts[i]->host, host) == 0)
            h = r->hosts[i];
    if (h == NULL) {
        h = kd_xcalloc(1, sizeof *h);
        h->key = kd_xstrdup(key);
        h->host = kd_xstrdup(host);
        h->insecure = is_insecure(r, host);
        h->scheme = scheme;
        r->hosts = kd_xrealloc(r->hosts, (r->nhosts + 1) * sizeof *r->hosts);
        r->hosts[r->nhosts++] = h;
    }
    pthread_mutex_unlock(&r->mu);
    return h;
}

/* Loads stored credentials once (under r->mu). A failure is remembered and
 * shown if the registry then refuses us. */
static void load_cred(kd_registry *r, kd_host *h)
{
    if (h->cred_loaded || h->cred_set || r->o.anonymous)
        return;
    h->cred_loaded = true;
    kd_error *e = NULL;
    if (kd_auth_get(r->o.docker_config, h->key, &h->cred, &e) < 0) {
        h->cred_error = kd_xstrdup(e->msg);
        kd_registry_log(r, "cannot read credentials for %s: %s", h->key, e->msg);
    }
    kd_error_free(e);
}

static bool has_login(const kd_cred *c)
{
    return c->username && c->password;
}

/* ---- tokens ----------------------------------------------------------- */

static const kd_token *find_token(kd_host *h, const char *scope)
{
    time_t now = time(NULL);
    for (size_t i = 0; i < h->ntokens; i++)
        if (strcmp(h->tokens[i].scope, scope) == 0 && h->tokens[i].expires > now)
            return &h->tokens[i];
    return NULL;
}

static void drop_token(kd_host *h, const char *scope)
{
    for (size_t i = 0; i < h->ntokens; i++) {
        if (strcmp(h->tokens[i].scope, scope) == 0) {
            explicit_bzero(h->tokens[i].token, strlen(h->tokens[i].token));
            free(h->tokens[i].token);
            free(h->tokens[i].scope);
            h->tokens[i] = h->tokens[--h->ntokens];
            return;
        }
    }
}

static void add_token(kd_host *h, const char *scope, char *token, long expires_in)
{
    drop_token(h, scope);
    h->tokens = kd_xrealloc(h->tokens, (h->ntokens + 1) * sizeof *h->tokens);
    /* renew 10 s early so a token does not expire on its way */
    h->tokens[h->ntokens++] =
        (kd_token){kd_xstrdup(scope), token, time(NULL) + (expires_in > 20 ? expires_in - 10 : 10)};
}

static char *base64(const char *s)
{
    size_t n = strlen(s);
    char *out = kd_xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    return out;
}

static char *basic_header(const kd_cred *c)
{
    char *plain = kd_asprintf("%s:%s", c->username, c->password);
    char *b64 = base64(plain);
    explicit_bzero(plain, strlen(plain));
    free(plain);
    char *h = kd_asprintf("Authorization: Basic %s", b64);
    explicit_bzero(b64, strlen(b64));
    free(b64);
    return h;
}

static void append_query(kd_buf *u, const char *name, const char *value, CURL *c)
{
    char *v = curl_easy_escape(c, value, 0);
    kd_buf_addf(u, "%c%s=%s", strchr(kd_buf_str(u), '?') ? '&' : '?', name, v ? v : "");
    curl_free(v);
}

/* The token request's URL: realm?service=..&scope=..&scope=.. */
static char *token_url(kd_host *h, const char *scope, CURL *c)
{
    kd_buf u = KD_BUF_INIT;
    kd_buf_adds(&u, h->realm);
    if (h->service)
        append_query(&u, "service", h->service, c);
    char *scopes = kd_xstrdup(scope ? scope : "");
    for (char *save = NULL, *s = strtok_r(scopes, " ", &save); s; s = strtok_r(NULL, " ", &save))
        append_query(&u, "scope", s, c);
    free(scopes);
    return kd_buf_detach(&u, NULL);
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
    kd_buf *b = ctx;
    if (b->len + size * n > TOKEN_MAX)
        return 0;
    kd_buf_add(b, p, size * n);
    return size * n;
}

/* Sends the token request; the answer's body into out. */
static CURLcode token_exchange(kd_registry *r, CURL *c, kd_host *h, const char *url, kd_buf *out,
                               long *status)
{
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, r->o.user_agent);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    if (r->o.ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, r->o.ca_file);
    struct curl_slist *hdrs = NULL;
    char *auth = NULL, *form = NULL;
    if (h->cred.identity_token) {
        /* OAuth2 refresh token: a POST, as Docker does */
        kd_buf f = KD_BUF_INIT;
        kd_buf_adds(&f, "grant_type=refresh_token&client_id=kdoctor");
        char *t = curl_easy_escape(c, h->cred.identity_token, 0);
        kd_buf_addf(&f, "&refresh_token=%s", t ? t : "");
        curl_free(t);
        form = kd_buf_detach(&f, NULL);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    } else if (has_login(&h->cred)) {
        auth = basic_header(&h->cred);
        hdrs = curl_slist_append(hdrs, auth);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    KD_STAT_ADD(r, requests, 1);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hdrs);
    if (auth)
        explicit_bzero(auth, strlen(auth));
    free(auth);
    if (form)
        explicit_bzero(form, strlen(form));
    free(form);
    curl_easy_reset(c);
    return cc;
}

/* Gets a token for scope from the realm (under r->mu). */
static int fetch_token(kd_registry *r, CURL *c, kd_host *h, const char *scope, kd_error **err)
{
    if (h->cred.registry_token) {
        add_token(h, scope, kd_xstrdup(h->cred.registry_token), 3600);
        return 0;
    }
    bool plain = strncmp(h->realm, "http://", 7) == 0;
    if (!plain && strncmp(h->realm, "https://", 8) != 0)
        return kd_err(err, 0, "%s sent an auth realm that is not an http(s) URL", h->host);
    if (plain && !h->insecure && (has_login(&h->cred) || h->cred.identity_token))
        return kd_err(err, 0, "refusing to send the credentials for %s to a plain-HTTP token "
                              "server; mark the registry insecure to allow it", h->key);
    char *url = token_url(h, scope, c);
    kd_buf body = KD_BUF_INIT;
    long status = 0;
    CURLcode cc = token_exchange(r, c, h, url, &body, &status);
    /* the URL carries no secret, but keep messages short */
    char *host = kd_xstrndup(h->realm, strcspn(h->realm + 8, "/?") + 8);
    int rc = 0;
    if (cc != CURLE_OK) {
        rc = kd_err(err, 0, "token server %s for %s: %s", host, h->key, curl_easy_strerror(cc));
    } else if (status != 200) {
        char *why = kd_oci_error_text(body.data, body.len);
        rc = kd_err(err, 0, "token server %s refused %s for %s: HTTP %ld%s%s%s", host,
                    scope && *scope ? scope : "access", h->key, status, why ? " " : "",
                    why ? why : "", has_login(&h->cred) ? " (check the stored credentials)" : "");
        free(why);
    } else {
        char *token;
        long expires;
        rc = kd_token_response_parse(body.data, body.len, &token, &expires, err);
        if (rc == 0)
            add_token(h, scope, token, expires);
    }
    if (body.data)
        explicit_bzero(body.data, body.len);
    kd_buf_free(&body);
    free(host);
    free(url);
    return rc;
}

/* The Authorization header for a request to h (caller frees), or NULL. */
static int auth_header(kd_registry *r, CURL *c, kd_host *h, const char *scope, char **out,
                       kd_error **err)
{
    *out = NULL;
    const char *sc = scope ? scope : "";
    pthread_mutex_lock(&r->mu);
    load_cred(r, h);
    int rc = 0;
    if (h->auth == AUTH_BASIC && has_login(&h->cred)) {
        *out = basic_header(&h->cred);
    } else if (h->auth == AUTH_BEARER) {
        const kd_token *t = find_token(h, sc);
        if (t == NULL && (rc = fetch_token(r, c, h, sc, err)) == 0)
            t = find_token(h, sc);
        if (t)
            *out = kd_asprintf("Authorization: Bearer %s", t->token);
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

/* A 401 came with challenges: learn what the registry wants. Returns 1
 * when a retry with credentials makes sense. */
static int on_challenge(kd_registry *r, kd_host *h, const kd_req *q, kd_error **err)
{
    kd_challenge *ch;
    size_t n = kd_www_authenticate_parse(q->www_auth, &ch);
    int rc = 0;
    pthread_mutex_lock(&r->mu);
    load_cred(r, h);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *realm = kd_map_get(&ch[i].params, "realm");
        if (strcmp(ch[i].scheme, "bearer") == 0 && realm) {
            free(h->realm);
            free(h->service);
            h->realm = kd_xstrdup(realm);
            h->service = kd_strdup_null(kd_map_get(&ch[i].params, "service"));
            h->auth = AUTH_BEARER;
            drop_token(h, q->scope ? q->scope : "");
            rc = 1;
        } else if (strcmp(ch[i].scheme, "basic") == 0 && has_login(&h->cred) &&
                   h->auth != AUTH_BASIC) {
            h->auth = AUTH_BASIC;
            rc = 1;
        }
    }
    pthread_mutex_unlock(&r->mu);
    kd_challenges_free(ch, n);
    (void)err;
    return rc;
}

/* ---- one exchange --------------------------------------------------------- */

static char *dup_value(const char *v, size_t n)
{
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    return kd_xstrndup(v, n);
}

static void set_header(char **slot, const char *v, size_t n, bool join)
{
    char *val = dup_value(v, n);
    if (join && *slot) {
        char *both = kd_asprintf("%s, %s", *slot, val);
        free(val);
        val = both;
    }
    free(*slot);
    *slot = val;
}

static size_t on_header(char *line, size_t size, size_t n, void *ctx)
{
    kd_req *q = ctx;
    size_t len = size * n;
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* a new response (after a redirect or a 100): forget the last */
        char *sp = memchr(line, ' ', len);
        q->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        kd_buf b = q->body;
        q->body = (kd_buf)KD_BUF_INIT;
        kd_req_free(q);
        q->body = b;
        q->content_length = -1;
        return len;
    }
    static const struct {
        const char *name;
        size_t off;
    } names[] = {
        {"content-type:", offsetof(kd_req, ctype)},
        {"docker-content-digest:", offsetof(kd_req, digest)},
        {"location:", offsetof(kd_req, location)},
        {"www-authenticate:", offsetof(kd_req, www_auth)},
        {"retry-after:", offsetof(kd_req, retry_after)},
        {"content-range:", offsetof(kd_req, content_range)},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t nl = strlen(names[i].name);
        if (len > nl && strncasecmp(line, names[i].name, nl) == 0) {
            char **slot = (char **)((char *)q + names[i].off);
            set_header(slot, line + nl, len - nl, i == 3);
            return len;
        }
    }
    if (len > 15 && strncasecmp(line, "content-length:", 15) == 0)
        q->content_length = strtoll(line + 15, NULL, 10);
    return len;
}

/* The start offset of a 206 answer's Content-Range "bytes S-E/T". */
static int64_t range_start(const char *cr)
{
    if (cr == NULL || strncasecmp(cr, "bytes ", 6) != 0)
        return -1;
    return strtoll(cr + 6, NULL, 10);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    kd_req *q = ctx;
    size_t len = size * n;
    if (q->cancel && __atomic_load_n(q->cancel, __ATOMIC_RELAXED)) {
        q->cancelled = true;
        return 0;
    }
    bool ok = q->status >= 200 && q->status < 300;
    if (!ok || q->sink == NULL) {
        if (q->body.len + len > (ok ? q->max_body : ERROR_BODY_MAX)) {
            q->too_big = ok;
            return ok ? 0 : len; /* an error body is only cut */
        }
        kd_buf_add(&q->body, p, len);
        return len;
    }
    if (q->resuming && q->status == 206 && range_start(q->content_range) != q->resume_from)
        return 0; /* not the part we asked for */
    size_t drop = 0;
    if (q->status == 200 && q->skip > 0) {
        /* a server that ignored Range sends everything again */
        drop = (size_t)q->skip < len ? (size_t)q->skip : len;
        q->skip -= (int64_t)drop;
    }
    if (len > drop && q->sink(q->sink_ctx, p + drop, len - drop) < 0) {
        q->sink_failed = true;
        return 0;
    }
    q->delivered += (int64_t)(len - drop);
    return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ctx)
{
    kd_req *q = ctx;
    int64_t left = q->src_len - q->sent;
    size_t want = size * n < (uint64_t)left ? size * n : (size_t)left;
    if (want == 0)
        return 0;
    int64_t off = q->src_off + q->sent;
    if (q->src->fd >= 0) {
        ssize_t got = pread(q->src->fd, buf, want, off);
        if (got <= 0)
            return CURL_READFUNC_ABORT;
        want = (size_t)got;
    } else {
        memcpy(buf, (const char *)q->src->data + off, want);
    }
    q->sent += (int64_t)want;
    return want;
}

static char *full_url(const kd_host *h, const char *url)
{
    if (url[0] != '/')
        return kd_xstrdup(url);
    return kd_asprintf("%s://%s%s", h->scheme == SCHEME_HTTP ? "http" : "https", h->host, url);
}

/* Is url on h itself (so it may get h's Authorization header)? */
static bool same_host(const kd_host *h, const char *url)
{
    const char *p = strstr(url, "://");
    if (p == NULL)
        return true;
    p += 3;
    size_t n = strcspn(p, "/?#");
    return strlen(h->host) == n && strncasecmp(p, h->host, n) == 0;
}

static void set_method(CURL *c, kd_req *q)
{
    if (strcmp(q->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(q->method, "POST") == 0 && q->src == NULL) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    } else if (q->src || strcmp(q->method, "PUT") == 0 || strcmp(q->method, "PATCH") == 0) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(q->src ? q->src_len : 0));
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, q);
        if (strcmp(q->method, "PUT") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    }
    if (strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0) {
        /* blobs are often redirected to storage; curl drops our
         * Authorization header when the redirect changes host */
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 8L);
    }
}

static struct curl_slist *request_headers(const kd_req *q, const char *auth)
{
    struct curl_slist *l = NULL;
    char *line;
    if (q->accept) {
        line = kd_asprintf("Accept: %s", q->accept);
        l = curl_slist_append(l, line);
        free(line);
    }
    if (q->content_type) {
        line = kd_asprintf("Content-Type: %s", q->content_type);
        l = curl_slist_append(l, line);
        free(line);
    }
    if (q->resuming) {
        line = kd_asprintf("Range: bytes=%" PRId64 "-", q->delivered);
        l = curl_slist_append(l, line);
        free(line);
    }
    if (auth)
        l = curl_slist_append(l, auth);
    /* no "Expect: 100-continue" round trip before uploads */
    return curl_slist_append(l, "Expect:");
}

static CURLcode perform(kd_registry *r, CURL *c, kd_host *h, kd_req *q, const char *auth)
{
    char *url = full_url(h, q->url);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    /* a stalled transfer (under 1 byte/s for a minute) is a failure */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, r->o.user_agent);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, q->errbuf);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, q);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, q);
    if (r->o.ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, r->o.ca_file);
    if (h->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    set_method(c, q);
    struct curl_slist *hdrs = request_headers(q, same_host(h, url) ? auth : NULL);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    q->status = 0;
    q->sent = 0;
    q->errbuf[0] = '\0';
    kd_buf_truncate(&q->body, 0);
    KD_STAT_ADD(r, requests, 1);
    CURLcode cc = curl_easy_perform(c);
    curl_slist_free_all(hdrs);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    free(url);
    return cc;
}

/* ---- retries ------------------------------------------------------------ */

static bool transient_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return true;
    default:
        return false;
    }
}

static bool transient_status(long s)
{
    return s == 408 || s == 429 || (s >= 500 && s != 501 && s != 505);
}

/* The n-th delay: backoff doubled each time, or the server's Retry-After,
 * never beyond the cap. */
static long delay_ms(const kd_registry *r, int attempt, const char *retry_after)
{
    long cap = r->o.backoff_max_ms;
    long ra = kd_retry_after_parse(retry_after, (long)time(NULL));
    if (ra >= 0)
        return ra * 1000 < cap ? ra * 1000 : cap;
    long d = r->o.backoff_ms;
    for (int i = 0; i < attempt && d < cap; i++)
        d *= 2;
    return d < cap ? d : cap;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Plain HTTP after HTTPS failed on a host that may use it. */
static bool try_http_instead(kd_registry *r, kd_host *h, CURLcode cc)
{
    if (!h->insecure || h->scheme != SCHEME_UNKNOWN)
        return false;
    if (cc != CURLE_SSL_CONNECT_ERROR && cc != CURLE_COULDNT_CONNECT && cc != CURLE_GOT_NOTHING &&
        cc != CURLE_RECV_ERROR && cc != CURLE_PEER_FAILED_VERIFICATION)
        return false;
    pthread_mutex_lock(&r->mu);
    h->scheme = SCHEME_HTTP;
    pthread_mutex_unlock(&r->mu);
    kd_registry_log(r, "%s: HTTPS failed (%s); using plain HTTP", h->host, curl_easy_strerror(cc));
    return true;
}

static void settle_scheme(kd_registry *r, kd_host *h)
{
    if (h->scheme != SCHEME_UNKNOWN)
        return;
    pthread_mutex_lock(&r->mu);
    if (h->scheme == SCHEME_UNKNOWN)
        h->scheme = SCHEME_HTTPS;
    pthread_mutex_unlock(&r->mu);
}

static int transport_error(kd_host *h, kd_req *q, CURLcode cc, kd_error **err)
{
    if (q->sink_failed)
        return kd_err(err, 0, "%s on %s: stopped by the receiver", q->what, h->host);
    if (q->cancelled)
        return kd_err(err, 0, "%s on %s: cancelled", q->what, h->host);
    if (q->too_big)
        return kd_err(err, 0, "%s on %s: the answer is larger than %zu bytes", q->what, h->host,
                      q->max_body);
    return kd_err(err, 0, "%s on %s: %s", q->what, h->host,
                  q->errbuf[0] ? q->errbuf : curl_easy_strerror(cc));
}

int kd_http_do(kd_registry *r, CURL *c, kd_host *h, kd_req *q, kd_error **err)
{
    bool authed = false;
    int retries = 0;
    q->delivered = 0;
    q->content_length = -1;
    for (;;) {
        char *auth = NULL;
        if (auth_header(r, c, h, q->scope, &auth, err) < 0)
            return -1;
        int64_t before = q->delivered;
        q->skip = q->resume_from = q->delivered;
        q->resuming = q->delivered > 0;
        CURLcode cc = perform(r, c, h, q, auth);
        if (auth)
            explicit_bzero(auth, strlen(auth));
        free(auth);
        if (cc != CURLE_OK) {
            if (try_http_instead(r, h, cc))
                continue;
            bool again = transient_curl(cc) && !q->sink_failed && !q->cancelled && !q->too_big;
            /* a transfer that made progress does not use up a retry */
            if (again && (retries < r->o.retries || q->delivered > before)) {
                long ms = delay_ms(r, retries, NULL);
                retries += q->delivered > before ? 0 : 1;
                KD_STAT_ADD(r, retries, 1);
                kd_registry_log(r, "%s on %s failed (%s); retrying in %ld ms", q->what, h->host,
                                curl_easy_strerror(cc), ms);
                sleep_ms(ms);
                continue;
            }
            return transport_error(h, q, cc, err);
        }
        settle_scheme(r, h);
        if (q->status == 401 && !authed && q->www_auth && on_challenge(r, h, q, err) > 0) {
            authed = true;
            continue;
        }
        if (transient_status(q->status) && retries < r->o.retries) {
            long ms = delay_ms(r, retries++, q->retry_after);
            KD_STAT_ADD(r, retries, 1);
            kd_registry_log(r, "%s on %s: HTTP %ld; retrying in %ld ms", q->what, h->host,
                            q->status, ms);
            sleep_ms(ms);
            continue;
        }
        return 0;
    }
}

char *kd_http_status_text(kd_registry *r, kd_host *h, const kd_req *q)
{
    char *why = kd_oci_error_text(q->body.data, q->body.len);
    kd_buf b = KD_BUF_INIT;
    kd_buf_addf(&b, "HTTP %ld", q->status);
    if (why)
        kd_buf_addf(&b, " %s", why);
    free(why);
    if (q->status == 401 || q->status == 403) {
        pthread_mutex_lock(&r->mu);
        if (h->cred_error)
            kd_buf_addf(&b, " (stored credentials unusable: %s)", h->cred_error);
        else if (!has_login(&h->cred) && !h->cred.identity_token && !h->cred.registry_token)
            kd_buf_addf(&b, " (no credentials for %s; run 'kdoctor login %s')", h->key, h->key);
        else
            kd_buf_addf(&b, " (the credentials for %s were refused)", h->key);
        pthread_mutex_unlock(&r->mu);
    }
    return kd_buf_detach(&b, NULL);
}
