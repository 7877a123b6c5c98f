/* Image references, following distribution/reference's grammar:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain "/"] component ("/" component)*
 *   domain     := host [":" port]   host: dns components, or "[" ipv6 "]"
 *   component  := alnum+ ((separator) alnum+)*   alnum: [a-z0-9]
 *   separator  := "." | "_" | "__" | "-"+
 *   tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *
 * and its normalisation (splitDockerDomain): the first component is a
 * domain only when it contains "." or ":", is "localhost", or has an upper
 * case letter; otherwise the domain is docker.io, where one-component names
 * get "library/". */
#include "build/ref.h"
#include "build/digest.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is_alnum_lower(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* One path component [s, s+n). */
static bool component_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t run = 0;
        while (i < n && is_alnum_lower(s[i]))
            i++, run++;
        if (run == 0)
            return false;
        if (i == n)
            return true;
        size_t sep = i;
        while (i < n && !is_alnum_lower(s[i]))
            i++;
        size_t len = i - sep;
        bool dashes = strspn(s + sep, "-") >= len;
        bool ok = dashes || (len == 1 && (s[sep] == '.' || s[sep] == '_')) ||
                  (len == 2 && s[sep] == '_' && s[sep + 1] == '_');
        if (!ok || i == n)
            return false;
    }
    return n > 0;
}

static bool dns_component_valid(const char *s, size_t n)
{
    if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return false;
    return true;
}

static bool port_valid(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* "host[:port]" with host a DNS name or "[ipv6]". */
static bool domain_valid(const char *s, size_t n)
{
    size_t host_end;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close == NULL || close == s + 1)
            return false;
        for (const char *p = s + 1; p < close; p++)
            if (!isxdigit((unsigned char)*p) && *p != ':')
                return false;
        host_end = (size_t)(close - s) + 1;
    } else {
        const char *colon = memchr(s, ':', n);
        host_end = colon ? (size_t)(colon - s) : n;
        size_t start = 0;
        for (size_t i = 0; i <= host_end; i++) {
            if (i == host_end || s[i] == '.') {
                if (!dns_component_valid(s + start, i - start))
                    return false;
                start = i + 1;
            }
        }
    }
    if (host_end == n)
        return true;
    return s[host_end] == ':' && port_valid(s + host_end + 1, n - host_end - 1);
}

static bool tag_valid(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 128 || !is_word(t[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_word(t[i]) && t[i] != '.' && t[i] != '-')
            return false;
    return true;
}

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* distribution/reference's digest grammar: algorithm ":" hex{32,}. */
static bool digest_shaped(const char *d)
{
    const char *colon = strchr(d, ':');
    if (colon == NULL || colon == d || !isalpha((unsigned char)d[0]) || strlen(colon + 1) < 32)
        return false;
    for (const char *p = d; p < colon; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_+.", *p))
            return false;
    for (const char *p = colon + 1; *p; p++)
        if (!isxdigit((unsigned char)*p))
            return false;
    return true;
}

static int check_digest(const char *input, const char *d, kd_error **err)
{
    if (!digest_shaped(d))
        return kd_err(err, 0, "invalid reference format \"%s\": bad digest \"%s\"", input, d);
    if (strncmp(d, "sha256:", 7) != 0)
        return kd_err(err, 0, "unsupported digest algorithm in \"%s\" (only sha256 is supported)",
                      input);
    if (!kd_digest_valid(d))
        return kd_err(err, 0,
                      "invalid checksum digest in \"%s\": sha256 needs 64 lowercase hex digits",
                      input);
    return 0;
}

/* Splits name into domain and remainder as Docker's splitDockerDomain. */
static void split_docker_domain(const char *name, char **domain, char **rest)
{
    const char *slash = strchr(name, '/');
    bool has_domain = false;
    if (slash) {
        size_t n = (size_t)(slash - name);
        bool upper = false;
        for (size_t i = 0; i < n; i++)
            upper |= isupper((unsigned char)name[i]) != 0;
        has_domain = memchr(name, '.', n) || memchr(name, ':', n) ||
                     (n == 9 && memcmp(name, "localhost", 9) == 0) || upper;
    }
    if (has_domain) {
        *domain = kd_xstrndup(name, (size_t)(slash - name));
        *rest = kd_xstrdup(slash + 1);
    } else {
        *domain = kd_xstrdup(KD_REF_DOCKER_DOMAIN);
        *rest = kd_xstrdup(name);
    }
    if (strcmp(*domain, "index.docker.io") == 0) {
        free(*domain);
        *domain = kd_xstrdup(KD_REF_DOCKER_DOMAIN);
    }
    if (strcmp(*domain, KD_REF_DOCKER_DOMAIN) == 0 && strchr(*rest, '/') == NULL) {
        char *lib = kd_asprintf("library/%s", *rest);
        free(*rest);
        *rest = lib;
    }
}

static int check_path(const char *input, const char *path, kd_error **err)
{
    if (*path == '\0')
        return kd_err(err, 0, "invalid reference format \"%s\": empty repository name", input);
    const char *p = path;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (!component_valid(p, n))
            return kd_err(err, 0,
                          "invalid reference format \"%s\": repository name component \"%.*s\" "
                          "may hold only a-z, 0-9 and single separators (., _, __, -)",
                          input, (int)n, p);
        if (slash == NULL)
            return 0;
        p = slash + 1;
    }
}

/* The parse itself; on success fills r, with tag NULL when none was given. */
static int parse(const char *s, kd_ref *r, kd_error **err)
{
    if (*s == '\0')
        return kd_err(err, 0, "invalid reference format: empty image name");
    if (is_hex64(s))
        return kd_err(err, 0,
                      "invalid repository name (%s), cannot specify 64-byte hexadecimal strings",
                      s);
    char *name = kd_xstrdup(s);
    char *at = strchr(name, '@');
    if (at) {
        *at = '\0';
        if (check_digest(s, at + 1, err) < 0)
            goto fail;
        r->digest = kd_xstrdup(at + 1);
    }
    char *slash = strrchr(name, '/');
    char *colon = strrchr(name, ':');
    if (colon && (slash == NULL || colon > slash)) {
        *colon = '\0';
        if (!tag_valid(colon + 1)) {
            kd_err(err, 0,
                   "invalid reference format \"%s\": tag \"%s\" must be 1 to 128 characters of "
                   "A-Z, a-z, 0-9, _, . and - not starting with . or -",
                   s, colon + 1);
            goto fail;
        }
        r->tag = kd_xstrdup(colon + 1);
    }
    split_docker_domain(name, &r->domain, &r->path);
    for (const char *p = r->path; *p; p++) {
        if (isupper((unsigned char)*p)) {
            kd_err(err, 0, "invalid reference format: repository name (%s) must be lowercase",
                   r->path);
            goto fail;
        }
    }
    if (!domain_valid(r->domain, strlen(r->domain))) {
        kd_err(err, 0, "invalid reference format \"%s\": bad registry host \"%s\"", s, r->domain);
        goto fail;
    }
    if (check_path(s, r->path, err) < 0)
        goto fail;
    if (strlen(r->domain) + 1 + strlen(r->path) > KD_REF_NAME_MAX) {
        kd_err(err, 0, "invalid reference format \"%.64s...\": repository name must not be more "
                       "than 255 characters", s);
        goto fail;
    }
    free(name);
    return 0;
fail:
    free(name);
    kd_ref_free(r);
    return -1;
}

int kd_ref_parse(const char *s, kd_ref *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    if (strcmp(s, "scratch") == 0) {
        out->scratch = true;
        return 0;
    }
    if (parse(s, out, err) < 0)
        return -1;
    if (out->tag == NULL && out->digest == NULL)
        out->tag = kd_xstrdup("latest");
    return 0;
}

int kd_ref_parse_name(const char *s, kd_ref *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    if (parse(s, out, err) < 0)
        return -1;
    if (out->tag || out->digest) {
        kd_ref_free(out);
        return kd_err(err, 0, "\"%s\" must be a repository name without a tag or digest", s);
    }
    return 0;
}

char *kd_ref_name(const kd_ref *r)
{
    if (r->scratch)
        return kd_xstrdup("scratch");
    return kd_asprintf("%s/%s", r->domain, r->path);
}

/* name followed by ":tag" and "@digest" when present. */
static char *with_suffixes(const kd_ref *r, const char *name)
{
    return kd_asprintf("%s%s%s%s%s", name, r->tag ? ":" : "", r->tag ? r->tag : "",
                       r->digest ? "@" : "", r->digest ? r->digest : "");
}

char *kd_ref_string(const kd_ref *r)
{
    if (r->scratch)
        return kd_xstrdup("scratch");
    char *name = kd_ref_name(r);
    char *s = with_suffixes(r, name);
    free(name);
    return s;
}

char *kd_ref_familiar(const kd_ref *r)
{
    if (r->scratch)
        return kd_xstrdup("scratch");
    if (strcmp(r->domain, KD_REF_DOCKER_DOMAIN) != 0) {
        return kd_ref_string(r);
    }
    const char *path = r->path;
    if (strncmp(path, "library/", 8) == 0 && strchr(path + 8, '/') == NULL)
        path += 8;
    /* Docker would print "a.b/c" for docker.io/a.b/c, which reads back as
     * registry a.b: keep the domain so the short form means the same. */
    size_t first = strcspn(path, "/");
    if (path[first] == '/' && memchr(path, '.', first))
        return kd_ref_string(r);
    return with_suffixes(r, path);
}

const char *kd_ref_reference(const kd_ref *r)
{
    if (r->scratch)
        return NULL;
    return r->digest ? r->digest : r->tag;
}

bool kd_ref_is_docker_hub(const char *s)
{
    if (strncmp(s, "https://", 8) == 0)
        s += 8;
    else if (strncmp(s, "http://", 7) == 0)
        s += 7;
    size_t n = strcspn(s, "/");
    const char *path = s + n;
    if (*path && strcmp(path, "/") != 0 && strcmp(path, "/v1/") != 0 && strcmp(path, "/v1") != 0 &&
        strcmp(path, "/v2/") != 0 && strcmp(path, "/v2") != 0)
        return false;
    static const char *const names[] = {"docker.io", "index.docker.io", "registry-1.docker.io"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncmp(s, names[i], n) == 0)
            return true;
    return false;
}

static char *dup_or_null(const char *s)
{
    return s ? kd_xstrdup(s) : NULL;
}

void kd_ref_copy(kd_ref *dst, const kd_ref *src)
{
    dst->domain = dup_or_null(src->domain);
    dst->path = dup_or_null(src->path);
    dst->tag = dup_or_null(src->tag);
    dst->digest = dup_or_null(src->digest);
    dst->scratch = src->scratch;
}

void kd_ref_free(kd_ref *r)
{
    if (r == NULL)
        return;
    free(r->domain);
    free(r->path);
    free(r->tag);
    free(r->digest);
    memset(r, 0, sizeof *r);
}
