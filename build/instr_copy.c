/* COPY and ADD: sources from the context (after .dockerignore), another
 * stage or an image (--from), heredocs, and for ADD URLs (downloaded first,
 * --checksum verified) and local tars (unpacked by kd_copy). The file work
 * is build/copy.h's, done inside a child that mounts the step's overlay
 * (and the --from stage's layers, read-only), so the upper dir is the
 * layer exactly as for RUN. Also WORKDIR, which creates its directory the
 * same way. Owner: build-exec. */
#include "build/builder_int.h"
#include "build/copy.h"
#include "build/fsroot.h"
#include "build/user.h"
#include "util/buf.h"
#include "util/mem.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- ADD <url>: downloads happen in kdoctor, before the copy ---- */

typedef struct url_file {
    const char *url;
    char *path;    /* the downloaded file */
    int64_t mtime; /* Last-Modified, or -1 */
} url_file;

typedef struct copy_ctx {
    kd_copy_opts o;
    bool has_here;
    kd_copy_opts here;      /* heredoc sources */
    kd_overlay src;         /* --from layers, mounted read-only on src_mnt */
    const char *src_mnt;
    char *src_tmp;          /* chroot fallback: a tree made for --from, removed after */
    bld_image *from_img;    /* the --from image (borrowed), unpacked on a cache miss */
    const bld_stage *from_stage; /* ... when it is a stage's (borrowed), or NULL */
    url_file *urls;
    size_t nurls;
} copy_ctx;

static bool is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

typedef struct dl {
    int fd;
    kd_sha256 *h;
    volatile sig_atomic_t *cancel;
} dl;

static size_t dl_write(char *p, size_t size, size_t n, void *ctx)
{
    dl *d = ctx;
    if (d->cancel && *d->cancel)
        return 0;
    size_t len = size * n, off = 0;
    while (off < len) {
        ssize_t w = write(d->fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        off += (size_t)w;
    }
    kd_sha256_update(d->h, p, len);
    return len;
}

static int download(bld_step *st, url_file *u, const char *checksum, kd_error **err)
{
    int fd;
    if (kd_store_mktemp_file(st->b->store, "add-", &fd, &u->path, err) < 0)
        return -1;
    dl d = {fd, kd_sha256_new(), st->b->o->cancel};
    CURL *c = curl_easy_init();
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, u->url);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, dl_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "kdoctor");
    CURLcode cc = curl_easy_perform(c);
    long ft = -1;
    curl_easy_getinfo(c, CURLINFO_FILETIME, &ft);
    curl_easy_cleanup(c);
    close(fd);
    char got[KD_DIGEST_STR_LEN + 1];
    kd_sha256_final(d.h, got);
    u->mtime = ft;
    if (bld_cancelled(st->b))
        return bld_cancel_error(err);
    if (cc != CURLE_OK)
        return kd_err(err, 0, "ADD %s: %s", u->url, ebuf[0] ? ebuf : curl_easy_strerror(cc));
    if (checksum && strcmp(checksum, got) != 0)
        return kd_err(err, 0, "ADD %s: digest mismatch: expected %s, got %s", u->url, checksum,
                      got);
    return 0;
}

/* kd_copy's fetch hook, in the child: copies the downloaded file. */
static int fetch_copy(void *ctx, const char *url, int dirfd, const char *name, kd_error **err)
{
    copy_ctx *c = ctx;
    const url_file *u = NULL;
    for (size_t i = 0; i < c->nurls; i++)
        if (strcmp(c->urls[i].url, url) == 0)
            u = &c->urls[i];
    if (u == NULL)
        return kd_err(err, 0, "ADD %s: not downloaded", url);
    int in = open(u->path, O_RDONLY | O_CLOEXEC);
    int out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    char buf[1 << 16];
    while (rc == 0) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        if (write(out, buf, (size_t)n) != n)
            rc = -1;
    }
    if (rc == 0 && u->mtime >= 0) {
        struct timespec ts[2] = {{u->mtime, 0}, {u->mtime, 0}};
        futimens(out, ts);
    }
    int e = errno;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc < 0 ? kd_err(err, e, "ADD %s: cannot copy the download", url) : 0;
}

/* ---- the child's work ---- */

static int copy_in_root(const char *root, void *arg, kd_error **err)
{
    copy_ctx *c = arg;
    if (c->src_mnt) {
        if (kd_sandbox_mount_lowers(&c->src, c->src_mnt, err) < 0)
            return -1;
        c->o.src_root = c->src_mnt;
    }
    c->o.dst_root = root;
    if (c->o.nsrcs && kd_copy(&c->o, NULL, err) < 0)
        return -1;
    if (c->has_here) {
        c->here.dst_root = root;
        return kd_copy(&c->here, NULL, err);
    }
    return 0;
}

/* ---- arguments ---- */

typedef struct copy_args {
    char **srcs;   /* expanded, heredoc words left out */
    size_t nsrcs;
    const df_heredoc **here;
    size_t nhere;
    char *dest;
    char *chown, *chmod, *from, *checksum;
    char **excludes;
    size_t nexcludes;
    bool parents;
    char *here_dir;
} copy_args;

static void copy_args_free(copy_args *a)
{
    for (size_t i = 0; i < a->nsrcs; i++)
        free(a->srcs[i]);
    free(a->srcs);
    free(a->here);
    free(a->dest);
    free(a->chown), free(a->chmod), free(a->from), free(a->checksum);
    for (size_t i = 0; i < a->nexcludes; i++)
        free(a->excludes[i]);
    free(a->excludes);
    if (a->here_dir)
        kd_remove_tree(a->here_dir, NULL);
    free(a->here_dir);
}

static const df_heredoc *heredoc_named(const df_instr *in, const char *word)
{
    if (strncmp(word, "<<", 2) != 0 || in->json)
        return NULL;
    for (size_t i = 0; i < in->nheredocs; i++) {
        const char *w = word + 2 + (word[2] == '-');
        size_t n = strlen(w);
        if (n >= 2 && (w[0] == '"' || w[0] == '\'') && w[n - 1] == w[0])
            w++, n -= 2;
        if (strlen(in->heredocs[i].name) == n && strncmp(w, in->heredocs[i].name, n) == 0)
            return &in->heredocs[i];
    }
    return NULL;
}

static char *flag_word(bld_step *st, const df_flag *f, kd_error **err)
{
    if (f->value == NULL)
        return kd_xstrdup("");
    df_word w = {.text = f->value, .len = strlen(f->value), .span = f->span};
    return df_scope_word(&st->s->scope, st->in, &w, err);
}

static int parse_flags(bld_step *st, copy_args *a, kd_error **err)
{
    bool add = st->in->kind == DF_ADD;
    for (size_t i = 0; i < st->in->nflags; i++) {
        const df_flag *f = &st->in->flags[i];
        const char *n = f->name;
        char **dst = strcmp(n, "chown") == 0                 ? &a->chown
                     : strcmp(n, "chmod") == 0               ? &a->chmod
                     : add && strcmp(n, "checksum") == 0     ? &a->checksum
                                                             : NULL;
        if (dst) {
            free(*dst);
            if ((*dst = flag_word(st, f, err)) == NULL)
                return -1;
        } else if (strcmp(n, "from") == 0) {
            /* BuildKit does not expand --from */
            free(a->from);
            a->from = kd_xstrdup(f->value ? f->value : "");
        } else if (strcmp(n, "exclude") == 0) {
            a->excludes = kd_xrealloc(a->excludes, (a->nexcludes + 1) * sizeof *a->excludes);
            if ((a->excludes[a->nexcludes] = flag_word(st, f, err)) == NULL)
                return -1;
            a->nexcludes++;
        } else if (strcmp(n, "parents") == 0) {
            a->parents = f->value == NULL || strcmp(f->value, "true") == 0;
        } else if (strcmp(n, "link") != 0 && !(add && strcmp(n, "keep-git-dir") == 0)) {
            return kd_err(err, 0, "unknown flag: --%s", n);
        }
    }
    if (a->from && add)
        return kd_err(err, 0, "ADD does not take --from; use COPY --from");
    return 0;
}

static int parse_args(bld_step *st, copy_args *a, kd_error **err)
{
    const df_instr *in = st->in;
    if (in->nargs < 2)
        return kd_err(err, 0, "%s requires at least two arguments, but only one was provided. "
                              "Destination could not be determined",
                      in->keyword);
    a->srcs = kd_xcalloc(in->nargs, sizeof *a->srcs);
    a->here = kd_xcalloc(in->nargs, sizeof *a->here);
    for (size_t i = 0; i + 1 < in->nargs; i++) {
        const df_heredoc *h = heredoc_named(in, in->args[i].text);
        if (h) {
            a->here[a->nhere++] = h;
            continue;
        }
        char *w = df_scope_word(&st->s->scope, in, &in->args[i], err);
        if (w == NULL)
            return -1;
        a->srcs[a->nsrcs++] = w;
    }
    a->dest = df_scope_word(&st->s->scope, in, &in->args[in->nargs - 1], err);
    if (a->dest == NULL)
        return -1;
    if (a->checksum && (a->nsrcs != 1 || !is_url(a->srcs[0])))
        return kd_err(err, 0, "checksum requires a single HTTP(S) source");
    return 0;
}

/* BuildKit: "COPY --chown=x --chmod=y src... dest # buildkit". */
static char *history_text(const bld_step *st, const copy_args *a)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_adds(&b, st->in->kind == DF_ADD ? "ADD" : "COPY");
    if (a->parents)
        kd_buf_adds(&b, " --parents");
    if (a->chown)
        kd_buf_addf(&b, " --chown=%s", a->chown);
    if (a->chmod)
        kd_buf_addf(&b, " --chmod=%s", a->chmod);
    for (size_t i = 0; i < a->nsrcs; i++)
        kd_buf_addf(&b, " %s", a->srcs[i]);
    for (size_t i = 0; i < a->nhere; i++)
        kd_buf_addf(&b, " <<%s", a->here[i]->name);
    kd_buf_addf(&b, " %s # buildkit", a->dest);
    return kd_buf_detach(&b, NULL);
}

/* ---- heredoc sources: files in a temp dir ---- */

static char *here_content(bld_step *st, const df_heredoc *h, kd_error **err)
{
    if (!h->expand)
        return kd_xmemdup0(h->content, h->content_len);
    df_lex_opts o = {.escape = st->b->f->escape, .skip_quotes = true};
    df_expansion e;
    if (df_expand(&o, h->content, h->content_len, &st->s->scope.env, &e, err) < 0)
        return NULL;
    char *r = e.word;
    e.word = NULL;
    df_expansion_free(&e);
    return r;
}

static int write_here(bld_step *st, copy_args *a, kd_error **err)
{
    if (bld_mktemp_dir(st->b->store, "here-", &a->here_dir, err) < 0)
        return -1;
    chmod(a->here_dir, 0755);
    for (size_t i = 0; i < a->nhere; i++) {
        char *data = here_content(st, a->here[i], err);
        if (data == NULL)
            return -1;
        char *path = kd_asprintf("%s/%s", a->here_dir, a->here[i]->name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        size_t len = strlen(data);
        int rc = fd >= 0 && write(fd, data, len) == (ssize_t)len ? 0 : -1;
        if (fd >= 0)
            close(fd);
        if (rc == 0)
            rc = chmod(path, 0644);
        free(path);
        free(data);
        if (rc < 0)
            return kd_err(err, errno, "cannot write the heredoc %s", a->here[i]->name);
    }
    return 0;
}

/* ---- the source ---- */

static int source_image(bld_step *st, const char *from, bld_image **out,
                        const bld_stage **stage, kd_error **err)
{
    bld_stage *dep = bld_stage_ref(st->b, from, st->s->index);
    *stage = dep;
    if (dep) {
        if (!dep->done)
            return kd_err(err, 0, "cannot copy from stage \"%s\": it is not built yet", from);
        *out = &dep->img;
        return 0;
    }
    return bld_ext_image(st->b, from, out, err);
}

/* The layers of img, top first, plus the empty dir at the bottom (a
 * read-only overlay needs two lower dirs). */
static const char **source_lowers(kd_builder *b, const bld_image *img, size_t *n)
{
    const char **v = bld_image_lowers(img, n);
    v = kd_xrealloc(v, (*n + 2) * sizeof *v);
    v[(*n)++] = b->empty_dir;
    v[*n] = NULL;
    return v;
}

static void set_opts(bld_step *st, copy_ctx *c, const copy_args *a)
{
    kd_copy_opts *o = &c->o;
    o->src_root = st->b->context;
    o->src_is_context = true;
    o->ignore = st->b->ignore;
    o->srcs = (const char *const *)a->srcs;
    o->nsrcs = a->nsrcs;
    o->dest = a->dest;
    o->workdir = st->s->img.config.config.working_dir;
    o->chown = a->chown;
    o->chmod = a->chmod;
    o->excludes = (const char *const *)a->excludes;
    o->nexcludes = a->nexcludes;
    o->parents = a->parents;
    o->add = st->in->kind == DF_ADD;
    o->fetch = fetch_copy;
    o->fetch_ctx = c;
    if (a->nhere) {
        c->has_here = true;
        c->here = *o;
        c->here.src_root = a->here_dir;
        c->here.ignore = NULL;
        c->here.srcs = NULL;
        c->here.add = false;
    }
}

static int download_urls(bld_step *st, copy_ctx *c, const copy_args *a, kd_error **err)
{
    c->urls = kd_xcalloc(a->nsrcs + 1, sizeof *c->urls);
    double t0 = kd_now_ms();
    for (size_t i = 0; i < a->nsrcs; i++) {
        if (!c->o.add || !is_url(a->srcs[i]))
            continue;
        url_file *u = &c->urls[c->nurls++];
        u->url = a->srcs[i];
        bld_info(st->b, "downloading %s", u->url);
        if (download(st, u, a->checksum, err) < 0)
            return -1;
    }
    if (c->nurls)
        kd_phase_add(st->t, KD_PH_PULL, kd_now_ms() - t0, 0);
    return 0;
}

static void copy_ctx_free(copy_ctx *c)
{
    for (size_t i = 0; i < c->nurls; i++) {
        if (c->urls[i].path)
            unlink(c->urls[i].path);
        free(c->urls[i].path);
    }
    free(c->urls);
    free((void *)c->src.lowers);
    free((char *)c->here.srcs);
    if (c->src_mnt)
        rmdir(c->src_mnt);
    free((char *)c->src_mnt);
    if (c->src_tmp)
        kd_remove_tree(c->src_tmp, NULL);
    free(c->src_tmp);
}

static int prepare(bld_step *st, copy_ctx *c, copy_args *a, kd_error **err)
{
    if (parse_flags(st, a, err) < 0 || parse_args(st, a, err) < 0)
        return -1;
    st->created_by = history_text(st, a);
    if (a->nhere && write_here(st, a, err) < 0)
        return -1;
    set_opts(st, c, a);
    if (a->nhere) {
        const char **names = kd_xcalloc(a->nhere + 1, sizeof *names);
        for (size_t i = 0; i < a->nhere; i++)
            names[i] = a->here[i]->name;
        c->here.srcs = names;
        c->here.nsrcs = a->nhere;
    }
    if (a->from) {
        bld_image *img;
        const bld_stage *dep;
        if (source_image(st, a->from, &img, &dep, err) < 0)
            return -1;
        c->from_img = img;
        c->from_stage = dep;
        c->o.src_is_context = false;
        c->o.ignore = NULL;
        c->src.lowers = source_lowers(st->b, img, &c->src.nlowers);
    }
    return download_urls(st, c, a, err);
}

/* The step's own overlay: the stage's layers (or the empty dir for an
 * empty image, since overlayfs needs a lower dir). */
static const char **step_lowers(kd_builder *b, const bld_image *img, size_t *n)
{
    const char **v = bld_image_lowers(img, n);
    if (*n == 0)
        v[(*n)++] = b->empty_dir;
    return v;
}

/* The cache lookup (the step's key is complete by now): 1 on a hit, which
 * is applied; 0 on a miss, after unpacking what the step runs on: the
 * stage's layers and from (may be NULL), an image the step reads. */
static int cached(bld_step *st, bld_image *from, kd_error **err)
{
    int hit = bld_cache_lookup(st, err);
    if (hit != 0)
        return hit;
    if (bld_cache_miss(st, err) < 0 ||
        (from && bld_unpack_layers(st->b, from, st->t, err) < 0))
        return -1;
    return 0;
}

/* Runs fn in the step's overlay and commits the upper dir. */
static int run_in_overlay(bld_step *st, kd_sandbox_fn fn, void *arg, kd_error **err)
{
    if (bld_use_chroot(st->b))
        return bld_chroot_step(st, fn, arg, false, err);
    bld_upper u = {0};
    if (bld_upper_new(st->b, &u, err) < 0)
        return -1;
    size_t n;
    const char **lowers = step_lowers(st->b, &st->s->img, &n);
    kd_overlay ov = {lowers, n, u.upper, u.work, true};
    double t0 = kd_now_ms();
    int rc = kd_sandbox_call(&ov, fn, arg, err);
    kd_phase_add(st->t, KD_PH_RUN, kd_now_ms() - t0, 0);
    free(lowers);
    if (rc == 0 && bld_cancelled(st->b))
        rc = bld_cancel_error(err);
    if (rc == 0)
        rc = bld_commit(st, &u, err);
    bld_upper_free(&u);
    return rc;
}

/* The rest of a COPY/ADD key: the expanded arguments and what the sources
 * hold: context entries, the --from image's layers, downloads, heredocs. */
static int copy_key(bld_step *st, const copy_ctx *c, const copy_args *a, kd_error **err)
{
    bld_key_add(st, "created_by", st->created_by);
    for (size_t i = 0; i < a->nexcludes; i++)
        bld_key_add(st, "exclude", a->excludes[i]);
    if (c->from_img)
        bld_key_image(st, c->from_img);
    for (size_t i = 0; i < a->nsrcs; i++) {
        if (c->from_img)
            bld_key_add(st, "source", a->srcs[i]);
        else if (!(c->o.add && is_url(a->srcs[i])) && bld_key_context(st, a->srcs[i], err) < 0)
            return -1;
    }
    for (size_t i = 0; i < c->nurls; i++) {
        char mtime[32];
        snprintf(mtime, sizeof mtime, "%lld", (long long)c->urls[i].mtime);
        bld_key_add(st, "url", c->urls[i].url);
        bld_key_add(st, "url-mtime", mtime);
        if (bld_key_file(st, "url-content", c->urls[i].path, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < a->nhere; i++) {
        char *path = kd_asprintf("%s/%s", a->here_dir, a->here[i]->name);
        bld_key_add(st, "heredoc", a->here[i]->name);
        int rc = bld_key_file(st, "heredoc-content", path, err);
        free(path);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int bld_instr_copy(bld_step *st, kd_error **err)
{
    copy_args a;
    memset(&a, 0, sizeof a);
    copy_ctx c;
    memset(&c, 0, sizeof c);
    bld_key_begin(st);
    int rc = prepare(st, &c, &a, err);
    if (rc == 0)
        rc = copy_key(st, &c, &a, err);
    if (rc == 0)
        rc = cached(st, c.from_img, err);
    if (rc == 0 && c.from_img && bld_use_chroot(st->b)) /* a tree of the --from layers */
        rc = bld_chroot_source(st->b, c.from_img, c.from_stage, &c.o.src_root, &c.src_tmp, err);
    else if (rc == 0 && c.from_img) { /* the mount point of the --from layers */
        char *mnt;
        rc = bld_mktemp_dir(st->b->store, "from-", &mnt, err);
        c.src_mnt = mnt;
    }
    if (rc == 0)
        rc = run_in_overlay(st, copy_in_root, &c, err);
    copy_ctx_free(&c);
    copy_args_free(&a);
    return rc < 0 ? -1 : 0;
}

/* ---- WORKDIR ---- */

/* path.Clean for absolute paths. Caller frees. */
static char *clean_abs(const char *p)
{
    char *out = kd_xcalloc(1, strlen(p) + 2);
    size_t n = 0;
    for (const char *s = p; *s;) {
        while (*s == '/')
            s++;
        size_t len = strcspn(s, "/");
        if (len == 0)
            break;
        if (len == 1 && s[0] == '.') {
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
        } else {
            out[n++] = '/';
            memcpy(out + n, s, len);
            n += len;
        }
        s += len;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    return out;
}

typedef struct mkdir_ctx {
    const char *path;
    const char *user;
} mkdir_ctx;

/* Creates the last component of p (an absolute path inside the root whose
 * parent exists) when it is missing, owned by uid:gid. */
static int mkdir_one(int rootfd, char *p, uid_t uid, gid_t gid, kd_error **err)
{
    int fd = kd_root_open(rootfd, p, O_PATH | O_DIRECTORY, 0, KD_IN_ROOT);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    if (errno != ENOENT)
        return kd_err(err, errno, "cannot create %s", p);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    int parent = kd_root_open(rootfd, *p ? p : "/", O_PATH | O_DIRECTORY, 0, KD_IN_ROOT);
    *slash = '/';
    int rc = 0;
    if (parent < 0 || mkdirat(parent, slash + 1, 0755) < 0 ||
        fchownat(parent, slash + 1, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        rc = kd_err(err, errno, "cannot create %s", p);
    if (parent >= 0)
        close(parent);
    return rc;
}

/* mkdir -p of path inside root, new dirs owned by the USER, as BuildKit's
 * llb.Mkdir(WithParents, WithUser) does; every component is resolved inside
 * the root, so a symlink in the image cannot send it elsewhere. */
static int mkdir_in_root(const char *root, void *arg, kd_error **err)
{
    mkdir_ctx *m = arg;
    int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return kd_err(err, errno, "cannot open the root");
    uid_t uid = 0;
    gid_t gid = 0;
    int rc = 0;
    if (m->user && *m->user) {
        kd_ids ids;
        rc = kd_user_resolve(rootfd, m->user, &ids, err);
        if (rc == 0) {
            uid = ids.uid, gid = ids.gid;
            kd_ids_free(&ids);
        }
    }
    char *p = kd_xstrdup(m->path);
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        rc = mkdir_one(rootfd, p, uid, gid, err);
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    close(rootfd);
    return rc;
}

int bld_instr_workdir(bld_step *st, kd_error **err)
{
    if (st->in->nargs != 1)
        return kd_err(err, 0, "WORKDIR requires exactly one argument");
    char *w = df_scope_word(&st->s->scope, st->in, &st->in->args[0], err);
    if (w == NULL)
        return -1;
    kd_run_config *c = &st->s->img.config.config;
    char *joined = w[0] == '/' ? kd_xstrdup(w)
                               : kd_asprintf("%s/%s", c->working_dir ? c->working_dir : "/", w);
    free(w);
    char *wd = clean_abs(joined);
    free(joined);
    free(c->working_dir);
    c->working_dir = wd;
    st->created_by = kd_asprintf("WORKDIR %s", wd);
    if (strcmp(wd, "/") == 0) {
        bld_history(st, st->created_by, true);
        return 0;
    }
    mkdir_ctx m = {wd, c->user};
    bld_key_begin(st);
    bld_key_add(st, "created_by", st->created_by);
    int rc = cached(st, NULL, err);
    if (rc == 0)
        rc = run_in_overlay(st, mkdir_in_root, &m, err);
    return rc < 0 ? -1 : 0;
}
