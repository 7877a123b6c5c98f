/* .dockerignore matching for the rules (see kd_dockerignore_excludes in
 * rules/util.h): a small glob with *, ?, [...], \ escapes and **. */
#include "rules/util.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* A [...] class at p (p[0] == '['): whether c is in it; *end gets the
 * byte after ']' (or NULL when the class is not closed). */
static bool in_class(const char *p, char c, const char **end)
{
    const char *q = p + 1;
    bool neg = *q == '!' || *q == '^', hit = false;
    if (neg)
        q++;
    for (bool first = true; *q && (first || *q != ']'); first = false, q++) {
        char lo = *q, hi = *q;
        if (q[1] == '-' && q[2] && q[2] != ']') {
            hi = q[2];
            q += 2;
        }
        if (c >= lo && c <= hi)
            hit = true;
    }
    *end = *q == ']' ? q + 1 : NULL;
    return hit != neg;
}

static bool glob(const char *p, const char *s, int depth)
{
    if (depth > 64)
        return false;
    while (*p) {
        if (p[0] == '*' && p[1] == '*') {
            p += 2;
            if (*p == '/')
                p++;
            if (*p == '\0')
                return true;
            for (const char *t = s;; t++) {
                if ((t == s || t[-1] == '/') && glob(p, t, depth + 1))
                    return true;
                if (*t == '\0')
                    return false;
            }
        }
        if (*p == '*') {
            for (const char *t = s;; t++) {
                if (glob(p + 1, t, depth + 1))
                    return true;
                if (*t == '\0' || *t == '/')
                    return false;
            }
        }
        if (*s == '\0')
            return false;
        if (*p == '[') {
            const char *end;
            if (!in_class(p, *s, &end) || end == NULL || *s == '/')
                return false;
            p = end;
            s++;
            continue;
        }
        if (*p == '\\' && p[1])
            p++;
        if (*p != '?' && *p != *s)
            return false;
        if (*p == '?' && *s == '/')
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

/* Drops leading "./" and "/" and trailing "/" (a light filepath.Clean). */
static char *clean_path(const char *s, size_t n)
{
    while (n && (*s == '/' || (*s == '.' && n > 1 && s[1] == '/'))) {
        size_t k = *s == '/' ? 1 : 2;
        s += k;
        n -= k;
    }
    while (n > 1 && s[n - 1] == '/')
        n--;
    return kd_xstrndup(s, n);
}

/* Whether the pattern matches path or one of its parent folders. */
static bool matches(const char *pat, const char *path)
{
    char *p = kd_xstrdup(path);
    bool hit = glob(pat, p, 0);
    for (char *slash = strrchr(p, '/'); !hit && slash; slash = strrchr(p, '/')) {
        *slash = '\0';
        hit = glob(pat, p, 0);
    }
    free(p);
    return hit;
}

bool kd_dockerignore_excludes(const char *ignore, const char *path)
{
    char *target = clean_path(path, strlen(path));
    bool excluded = false;
    for (const char *line = ignore; *line;) {
        size_t n = strcspn(line, "\n");
        const char *s = line, *next = line[n] ? line + n + 1 : line + n;
        while (n && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
            n--;
        if (n && *s != '#') {
            bool neg = *s == '!';
            char *pat = clean_path(s + neg, n - neg);
            if (*pat && matches(pat, target))
                excluded = !neg;
            free(pat);
        }
        line = next;
    }
    free(target);
    return excluded;
}
