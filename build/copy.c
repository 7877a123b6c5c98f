/* COPY/ADD: sources (globs, .dockerignore, context confinement), Docker's
 * destination rules, then build/copy_tree.c does the copying.
 * Owner: build-sandbox (helper C). See build/copy.h for the design. */
#include "build/copy_int.h"
#include "build/fsroot.h"
#include "build/user.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct source {
    char *path;    /* cleaned, relative to src_root ("." for the root) */
    char *keep;    /* --parents: the part kept under the destination */
} source;

typedef struct sources {
    source *v;
    size_t n, cap;
} sources;

static void add_source(sources *s, const char *path, const char *pivot)
{
    KD_GROW(s->v, s->cap, s->n + 1);
    size_t k = pivot ? strlen(pivot) : 0;
    const char *keep = path;
    if (k && strncmp(path, pivot, k) == 0 && (path[k] == '/' || path[k] == '\0'))
        keep = path[k] ? path + k + 1 : ".";
    s->v[s->n++] = (source){kd_xstrdup(path), kd_xstrdup(keep)};
}

static kd_resolve confinement(const cctx *c)
{
    return c->o->src_is_context ? KD_BENEATH : KD_IN_ROOT;
}

static bool ignored(const cctx *c, const char *path)
{
    return c->o->src_is_context && strcmp(path, ".") != 0 && kd_ignore_match(c->o->ignore, path);
}

/* Expands one glob component by component (Go's filepath.Glob rules). */
static void glob_at(cctx *c, char **comps, size_t n, size_t i, const char *prefix, const char *pivot,
                    sources *out)
{
    if (i == n) {
        int fd = kd_root_open(c->src_root, prefix, O_PATH | O_NOFOLLOW, 0, confinement(c));
        if (fd >= 0 && !ignored(c, prefix))
            add_source(out, prefix, pivot);
        if (fd >= 0)
            close(fd);
        return;
    }
    if (!kd_path_has_meta(comps[i])) {
        char *p = strcmp(prefix, ".") ? copy_join(prefix, comps[i]) : kd_xstrdup(comps[i]);
        glob_at(c, comps, n, i + 1, p, pivot, out);
        free(p);
        return;
    }
    int dir = kd_root_open(c->src_root, prefix, O_PATH | O_DIRECTORY, 0, confinement(c));
    size_t k = 0;
    char **names = dir >= 0 ? kd_dir_names(dir, &k) : NULL;
    for (size_t j = 0; j < k; j++) {
        char *p = strcmp(prefix, ".") ? copy_join(prefix, names[j]) : kd_xstrdup(names[j]);
        if (kd_path_match(comps[i], names[j]) == 1 && !ignored(c, p))
            glob_at(c, comps, n, i + 1, p, pivot, out);
        free(p), free(names[j]);
    }
    free(names);
    if (dir >= 0)
        close(dir);
}

/* The part of a --parents source before "/./" is not kept. */
static char *parents_pivot(const char *raw)
{
    const char *p = strstr(raw, "/./");
    if (p == NULL)
        return NULL;
    char *pre = kd_xstrndup(raw, (size_t)(p - raw));
    char *clean = kd_path_clean(*pre == '/' ? pre + 1 : pre);
    free(pre);
    return clean;
}

static int expand_source(cctx *c, const char *raw, sources *out, kd_error **err)
{
    const char *body = raw;
    while (*body == '/')
        body++;
    char *path = kd_path_clean(*body ? body : ".");
    if (strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0) {
        free(path);
        if (c->o->src_is_context)
            return kd_err(err, 0, "forbidden path outside the build context: %s", raw);
        char *rooted = kd_asprintf("/%s", body);
        char *clean = kd_path_clean(rooted);
        path = kd_xstrdup(strcmp(clean, "/") ? clean + 1 : ".");
        free(rooted), free(clean);
    }
    if (kd_path_match(path, "") < 0) {
        free(path);
        return kd_err(err, 0, "bad source pattern %s", raw);
    }
    char *pivot = c->o->parents ? parents_pivot(raw) : NULL;
    if (!kd_path_has_meta(path)) {
        add_source(out, path, pivot);
    } else {
        char *copy = kd_xstrdup(path), *save, *comps[256];
        size_t n = 0;
        for (char *t = strtok_r(copy, "/", &save); t && n < 256; t = strtok_r(NULL, "/", &save))
            comps[n++] = t;
        glob_at(c, comps, n, 0, ".", pivot, out); /* no match is no error, as in BuildKit */
        free(copy);
    }
    free(pivot);
    free(path);
    return 0;
}

/* ---- one source ---- */

static int open_source(cctx *c, const source *s, int *fd, struct stat *st, kd_error **err)
{
    if (ignored(c, s->path))
        return kd_err(err, ENOENT, "%s: not found (or excluded by .dockerignore)", s->path);
    *fd = kd_root_open(c->src_root, s->path, O_PATH, 0, confinement(c));
    if (*fd < 0 && errno == EXDEV)
        return kd_err(err, 0, "%s: a symlink points outside the build context", s->path);
    if (*fd < 0)
        return kd_err(err, errno, "%s: not found", s->path);
    if (fstat(*fd, st) < 0)
        return kd_err(err, errno, "%s", s->path);
    return 0;
}

static bool is_dir_at(cctx *c, const char *path)
{
    int fd = kd_root_open(c->dst_root, path, O_PATH | O_DIRECTORY, 0, KD_IN_ROOT);
    if (fd >= 0)
        close(fd);
    return fd >= 0;
}

static char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return kd_xstrdup(s ? s + 1 : p);
}

/* Where a file source goes: (directory, name). */
static void file_target(cctx *c, const source *s, const char *dest, bool dest_dir, char **dir,
                        char **name)
{
    if (c->o->parents) {
        char *full = kd_asprintf("%s/%s", strcmp(dest, "/") ? dest : "", s->keep);
        *name = base_of(full);
        *dir = kd_xstrndup(full, strlen(full) - strlen(*name) - 1);
        if (**dir == '\0')
            free(*dir), *dir = kd_xstrdup("/");
        free(full);
    } else if (dest_dir || is_dir_at(c, dest)) {
        *dir = kd_xstrdup(dest), *name = base_of(s->path);
    } else {
        *name = base_of(dest);
        *dir = kd_xstrndup(dest, strlen(dest) - strlen(*name) - 1);
        if (**dir == '\0')
            free(*dir), *dir = kd_xstrdup("/");
    }
}

static int copy_tree_source(cctx *c, const source *s, int fd, const char *dest, kd_error **err)
{
    char *target = c->o->parents && strcmp(s->keep, ".") != 0
                       ? kd_asprintf("%s/%s", strcmp(dest, "/") ? dest : "", s->keep)
                       : kd_xstrdup(dest);
    int dfd;
    int rc = copy_dst_dir(c, target, &dfd, err);
    if (rc == 0) {
        const char *ctx = c->o->src_is_context ? (strcmp(s->path, ".") ? s->path : "") : NULL;
        rc = copy_children(c, fd, dfd, "", ctx, err);
        close(dfd);
    }
    free(target);
    return rc;
}

static int copy_file_source(cctx *c, const source *s, int fd, const struct stat *st,
                            const char *dest, bool dest_dir, kd_error **err)
{
    char *base = base_of(s->path);
    bool excluded = c->exclude && kd_ignore_match(c->exclude, base);
    free(base);
    if (excluded)
        return 0;
    if (c->o->add && S_ISREG(st->st_mode)) {
        int in = copy_reopen(fd, O_RDONLY);
        int arch = in >= 0 ? copy_is_archive(in) : 0;
        int rc = arch == 1 ? copy_extract(c, in, dest, err) : 0;
        if (in >= 0)
            close(in);
        if (arch == 1)
            return rc;
    }
    char *dir, *name;
    file_target(c, s, dest, dest_dir, &dir, &name);
    int dfd;
    int rc = copy_dst_dir(c, dir, &dfd, err);
    if (rc == 0) {
        rc = copy_obj(c, fd, st, dfd, name, name, NULL, err);
        close(dfd);
    }
    free(dir), free(name);
    return rc;
}

static int copy_source(cctx *c, const source *s, const char *dest, bool dest_dir, kd_error **err)
{
    int fd = -1;
    struct stat st;
    int rc = open_source(c, s, &fd, &st, err);
    if (rc == 0 && S_ISDIR(st.st_mode))
        rc = copy_tree_source(c, s, fd, dest, err);
    else if (rc == 0)
        rc = copy_file_source(c, s, fd, &st, dest, dest_dir, err);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* ---- ADD <url> ---- */

static bool is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* The file name Docker gives a download: the URL path's last element. */
static char *url_name(const char *url)
{
    const char *p = strstr(url, "://") + 3;
    size_t end = strcspn(p, "?#");
    const char *slash = NULL;
    for (const char *q = p; q < p + end; q++)
        if (*q == '/')
            slash = q;
    char *name = slash ? kd_xstrndup(slash + 1, (size_t)(p + end - slash - 1)) : kd_xstrdup("");
    if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        free(name);
        name = kd_xstrdup("download");
    }
    return name;
}

static int add_url(cctx *c, const char *url, const char *dest, bool dest_dir, kd_error **err)
{
    if (c->o->fetch == NULL)
        return kd_err(err, 0, "ADD %s: downloading URLs is not available here", url);
    const char *base = getenv("TMPDIR");
    char *tmp = kd_asprintf("%s/kdoctor-add.XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmp) == NULL) {
        free(tmp);
        return kd_err(err, errno, "ADD %s: temp dir", url);
    }
    char *name = url_name(url);
    int dir = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int rc = c->o->fetch(c->o->fetch_ctx, url, dir, name, err);
    int fd = rc == 0 ? openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC) : -1;
    struct stat st;
    if (rc == 0 && (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)))
        rc = kd_err(err, errno, "ADD %s: the download is not a file", url);
    if (rc == 0) {
        st.st_mode = S_IFREG | 0600; /* Docker gives downloads mode 600 */
        source s = {name, name};
        char *d, *n;
        file_target(c, &s, dest, dest_dir, &d, &n);
        int dfd;
        rc = copy_dst_dir(c, d, &dfd, err);
        if (rc == 0) {
            rc = copy_obj(c, fd, &st, dfd, n, n, NULL, err);
            close(dfd);
        }
        free(d), free(n);
    }
    if (fd >= 0)
        close(fd);
    unlinkat(dir, name, 0);
    close(dir);
    rmdir(tmp);
    free(tmp), free(name);
    return rc;
}

/* ---- the instruction ---- */

static int setup(cctx *c, const kd_copy_opts *o, kd_error **err)
{
    *c = (cctx){.o = o, .src_root = -1, .dst_root = -1};
    c->src_root = open(o->src_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (c->src_root < 0)
        return kd_err(err, errno, "cannot open the copy source %s", o->src_root);
    c->dst_root = open(o->dst_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (c->dst_root < 0)
        return kd_err(err, errno, "cannot open the destination root %s", o->dst_root);
    if (o->chown && kd_chown_resolve(c->dst_root, o->chown, &c->uid, &c->gid, err) < 0)
        return -1;
    c->chown = o->chown != NULL;
    if (o->chmod && kd_chmod_parse(o->chmod, &c->chmod, err) < 0)
        return -1;
    if (o->nexcludes && kd_ignore_compile(o->excludes, o->nexcludes, &c->exclude, err) < 0)
        return -1;
    return 0;
}

static void teardown(cctx *c)
{
    if (c->src_root >= 0)
        close(c->src_root);
    if (c->dst_root >= 0)
        close(c->dst_root);
    kd_chmod_free(c->chmod);
    kd_ignore_free(c->exclude);
}

/* The absolute destination and whether Docker treats it as a directory. */
static char *dest_path(const kd_copy_opts *o, bool *is_dir)
{
    const char *d = o->dest ? o->dest : "";
    size_t n = strlen(d);
    *is_dir = n == 0 || strcmp(d, ".") == 0 || d[n - 1] == '/' || o->parents;
    char *joined = d[0] == '/' ? kd_xstrdup(d) : kd_asprintf("%s/%s", o->workdir ? o->workdir : "/", d);
    char *clean = kd_path_clean(joined);
    free(joined);
    return clean;
}

static int run_sources(cctx *c, const char *dest, bool dest_dir, kd_error **err)
{
    const kd_copy_opts *o = c->o;
    sources s = {0};
    size_t nurls = 0;
    int rc = 0;
    for (size_t i = 0; i < o->nsrcs && rc == 0; i++) {
        if (o->add && is_url(o->srcs[i]))
            nurls++;
        else
            rc = expand_source(c, o->srcs[i], &s, err);
    }
    if (rc == 0 && s.n + nurls > 1 && !dest_dir)
        rc = kd_err(err, 0,
                    "When using %s with more than one source file, the destination must be a "
                    "directory and end with a /",
                    o->add ? "ADD" : "COPY");
    for (size_t i = 0; i < o->nsrcs && rc == 0; i++)
        if (o->add && is_url(o->srcs[i]))
            rc = add_url(c, o->srcs[i], dest, dest_dir, err);
    for (size_t i = 0; i < s.n && rc == 0; i++)
        rc = copy_source(c, &s.v[i], dest, dest_dir, err);
    for (size_t i = 0; i < s.n; i++)
        free(s.v[i].path), free(s.v[i].keep);
    free(s.v);
    return rc;
}

int kd_copy(const kd_copy_opts *o, kd_copy_stats *stats, kd_error **err)
{
    if (o->nsrcs == 0)
        return kd_err(err, 0, "%s needs at least one source", o->add ? "ADD" : "COPY");
    cctx c;
    int rc = setup(&c, o, err);
    bool dest_dir;
    char *dest = dest_path(o, &dest_dir);
    if (rc == 0)
        rc = run_sources(&c, dest, dest_dir, err);
    if (rc < 0 && err && *err)
        kd_error_wrap(*err, "%s", o->add ? "ADD" : "COPY");
    if (stats)
        *stats = c.st;
    free(dest);
    teardown(&c);
    return rc;
}
