/* KD1106 copy-then-chown: `RUN chown` or `RUN chmod` right after a COPY, on
 * what the COPY wrote (its destination folder with -R, or the one file it
 * copied). A layer stores whole files: the RUN's layer holds every copied
 * file a second time, only to change its owner or mode. COPY --chown and
 * --chmod set them as the files are written, in one layer.
 *
 * The fix turns the chown or chmod into the COPY's flag and takes it out of
 * the RUN (the RUN goes when that was all it did). BuildKit applies
 * --chown/--chmod to every entry the COPY writes and to the folders it
 * creates, and leaves folders that already exist as they were (--chmod
 * gives a folder it creates 0755). So the fix is:
 *  - safe for one regular file of the build context (the folder beside the
 *    Dockerfile), with a numeric mode, or with an owner when the file's
 *    folder is known to exist ("/", or made by an earlier WORKDIR, COPY or
 *    ADD of the stage): the file ends up exactly as the RUN left it;
 *  - unsafe (--fix-unsafe) for a folder copied with -R: the destination
 *    folder itself keeps the owner and mode it had when it existed before
 *    (WORKDIR made it, say), and folders the COPY creates above it get the
 *    owner too. Refused when an earlier instruction of the stage may have
 *    written into that folder (chown -R also changed those files).
 * Refused: an owner without a group (--chown=user gives the group of the
 * same number, chown keeps the group), symbolic or special modes, options
 * other than -R, several paths, variables that ENV or ARG do not define,
 * a USER other than root, RUN flags, ADD, heredoc sources, a COPY --chown
 * or --chmod that differs. */
#include "rules/fix_util.h"
#include "rules/run_util.h"
#include "rules/util.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- paths -------------------------------------------------------------------- */

/* p with "//", "." and ".." resolved and no trailing "/" ("." when empty,
 * "/" for the root); owned. */
static char *norm(const char *p)
{
    bool abs = p[0] == '/';
    char *copy = kd_xstrdup(p), *save = NULL;
    const char *parts[256];
    size_t n = 0;
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0)
            continue;
        if (strcmp(t, "..") == 0 && n > 0 && strcmp(parts[n - 1], "..") != 0)
            n--;
        else if (n < 256)
            parts[n++] = t;
    }
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        kd_buf_addf(&b, "%s%s", i || abs ? "/" : "", parts[i]);
    if (b.len == 0)
        kd_buf_adds(&b, abs ? "/" : ".");
    free(copy);
    return kd_buf_detach(&b, NULL);
}

/* p resolved against the folder wd (NULL: unknown, and so is a relative p). */
static char *resolve(const char *wd, const char *p)
{
    if (p[0] == '/')
        return norm(p);
    if (wd == NULL)
        return NULL;
    char *j = kd_asprintf("%s/%s", wd, p), *r = norm(j);
    free(j);
    return r;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Whether a is b or a folder above it. */
static bool is_prefix_dir(const char *a, const char *b)
{
    size_t n = strlen(a);
    return strcmp(a, "/") == 0 || (strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/'));
}

/* ---- what the stage did before the COPY ----------------------------------- */

typedef struct wd_q {
    char *rel; /* the relative WORKDIRs seen so far, joined (owned) */
    char *abs; /* the answer, or NULL */
    bool bad;
} wd_q;

static bool wd_visit(kd_lint_ctx *ctx, const df_instr *in, void *arg)
{
    (void)ctx;
    wd_q *q = arg;
    if (in->kind != DF_WORKDIR || in->nargs == 0)
        return false;
    const char *w = in->args[0].text;
    if (strchr(w, '$')) {
        q->bad = true;
        return true;
    }
    char *j = q->rel ? kd_asprintf("%s/%s", w, q->rel) : kd_xstrdup(w);
    free(q->rel);
    q->rel = j;
    if (w[0] == '/')
        q->abs = norm(j);
    return w[0] == '/';
}

/* The working folder at instruction index i of stage st, as the
 * Dockerfile sets it, or NULL when the base image's decides. Owned. */
static char *workdir_at(kd_lint_ctx *ctx, size_t st, size_t i)
{
    wd_q q = {0};
    kd_walk_back(ctx, st, i, wd_visit, &q);
    free(q.rel);
    if (q.bad) {
        free(q.abs);
        return NULL;
    }
    return q.abs;
}

/* A question about folder dir asked of the instructions before one of
 * stage st: does one make it, did one write into it. */
typedef struct dir_q {
    kd_lint_ctx *ctx;
    size_t st;
    const char *dir;
    bool hit;
} dir_q;

/* A folder an instruction makes: WORKDIR's, or a COPY/ADD's destination
 * folder (or the folder of its destination file). */
static bool dir_visit(kd_lint_ctx *ctx, const df_instr *in, void *arg)
{
    (void)ctx;
    dir_q *q = arg;
    char *made = NULL;
    if (in->kind == DF_WORKDIR && in->nargs) {
        made = workdir_at(q->ctx, q->st, (size_t)(in - q->ctx->file->instrs) + 1);
    } else if ((in->kind == DF_COPY || in->kind == DF_ADD) && in->nargs >= 2) {
        const char *d = in->args[in->nargs - 1].text;
        char *wd = workdir_at(q->ctx, q->st, (size_t)(in - q->ctx->file->instrs));
        char *r = strchr(d, '$') ? NULL : resolve(wd, d);
        bool dir = d[strlen(d) - 1] == '/' || in->nargs > 2;
        if (r && !dir && strcmp(r, "/") != 0)
            *strrchr(r, '/') = '\0';
        made = r && *r ? r : (free(r), NULL);
        free(wd);
    }
    q->hit |= made && is_prefix_dir(q->dir, made);
    free(made);
    return q->hit;
}

/* Whether folder dir (absolute) exists when instruction index i of stage st
 * runs, as far as the Dockerfile shows. */
static bool dir_exists(kd_lint_ctx *ctx, size_t st, size_t i, const char *dir)
{
    if (strcmp(dir, "/") == 0)
        return true;
    dir_q q = {ctx, st, dir, false};
    kd_walk_back(ctx, st, i, dir_visit, &q);
    return q.hit;
}

/* Whether an instruction may have written into dir: a COPY or ADD there,
 * a RUN working there (as far as the Dockerfile sets its folder) or naming
 * it. */
static bool wrote_visit(kd_lint_ctx *ctx, const df_instr *in, void *arg)
{
    (void)ctx;
    dir_q *q = arg;
    size_t i = (size_t)(in - q->ctx->file->instrs);
    char *wd = workdir_at(q->ctx, q->st, i);
    if (in->kind == DF_COPY || in->kind == DF_ADD) {
        char *r = in->nargs >= 2 ? resolve(wd, in->args[in->nargs - 1].text) : NULL;
        q->hit |= r == NULL || is_prefix_dir(q->dir, r);
        free(r);
    } else if (in->kind == DF_RUN) {
        q->hit |= (wd && is_prefix_dir(q->dir, wd)) ||
                    (in->rest.text && strstr(in->rest.text, q->dir));
    }
    free(wd);
    return q->hit;
}

/* ---- the chown or chmod ----------------------------------------------------- */

typedef struct change {
    const sh_cmd *c;
    bool own;          /* chown (else chmod) */
    bool recursive;
    const char *value; /* "user:group" or the mode */
    const char *path;
    bool flag_ok;      /* value means the same as a COPY flag */
} change;

/* A plain name, a number, or $VAR/${VAR} defined by ENV or ARG. */
static bool owner_part_ok(kd_lint_ctx *ctx, const kd_run *r, const char *s, size_t n)
{
    if (n == 0)
        return false;
    if (s[0] == '$') {
        bool brace = n > 2 && s[1] == '{' && s[n - 1] == '}';
        char *name = kd_xstrndup(s + 1 + brace, n - 1 - 2 * brace);
        char *v = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
                          strlen(name)
                      ? kd_run_env(ctx, r, name)
                      : NULL;
        bool ok = v != NULL;
        free(v);
        free(name);
        return ok;
    }
    for (size_t i = 0; i < n; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.", s[i]))
            return false;
    return true;
}

static bool owner_ok(kd_lint_ctx *ctx, const kd_run *r, const char *v)
{
    const char *colon = strchr(v, ':');
    return colon && !strchr(colon + 1, ':') &&
           owner_part_ok(ctx, r, v, (size_t)(colon - v)) &&
           owner_part_ok(ctx, r, colon + 1, strlen(colon + 1));
}

static bool mode_ok(const char *v)
{
    size_t n = strlen(v);
    return strspn(v, "01234567") == n && (n == 3 || (n == 4 && v[0] == '0'));
}

/* Reads `chown [-R] OWNER PATH` or `chmod [-R] MODE PATH`; false when it
 * is anything else. ch->flag_ok tells whether the owner or mode means the
 * same as a COPY flag. */
static bool read_change(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, change *ch)
{
    if (!sh_cmd_is(c, "chown|chmod") || c->nwrappers || c->nassigns || c->nredirs)
        return false;
    *ch = (change){c, sh_cmd_is(c, "chown"), false, NULL, NULL, false};
    size_t npos = 0;
    for (size_t i = 1; i < sh_cmd_argc(c); i++) {
        const sh_word *w = sh_cmd_arg(c, i);
        if (strcmp(w->text, "-R") == 0 || strcmp(w->text, "--recursive") == 0)
            ch->recursive = true;
        else if (w->text[0] == '-')
            return false;
        else if (npos++ == 0)
            ch->value = w->text;
        else
            ch->path = w->text;
        if (w->flags & (SH_W_CMDSUB | SH_W_ARITH | SH_W_GLOB))
            return false;
    }
    if (npos != 2 || strchr(ch->path, '$'))
        return false;
    ch->flag_ok = ch->own ? owner_ok(ctx, r, ch->value) : mode_ok(ch->value);
    return true;
}

/* ---- the COPY --------------------------------------------------------------------- */

/* The one source of a COPY when it is a regular file of the build context,
 * else NULL; *mode gets its mode bits. */
static const char *context_file(kd_lint_ctx *ctx, const df_instr *copy, mode_t *mode)
{
    const kd_context_info *cx = kd_context(ctx);
    if (cx == NULL || copy->nargs != 2 || copy->nheredocs || df_instr_flag(copy, "from"))
        return NULL;
    const char *src = copy->args[0].text;
    if (strpbrk(src, "*?[$\\") || strstr(src, ".."))
        return NULL;
    char *p = kd_asprintf("%s/%s", cx->dir, src);
    struct stat st;
    bool reg = stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    *mode = reg ? st.st_mode : 0;
    return reg ? src : NULL;
}

typedef struct target {
    bool file;     /* the change is on the one file copied */
    bool tree;     /* the change is on the destination folder, with -R */
    char *parent;  /* the file's folder, absolute when known (owned) */
    char *dest;    /* the destination folder, absolute when known (owned) */
} target;

/* Whether the change's path is what the COPY wrote, and how. */
static bool match_target(kd_lint_ctx *ctx, const kd_run *r, const df_instr *copy,
                         const change *ch, const char *file, target *t)
{
    memset(t, 0, sizeof *t);
    const char *d = copy->args[copy->nargs - 1].text;
    if (strchr(d, '$'))
        return false;
    char *wd = workdir_at(ctx, r->stage, r->index);
    char *dest = d[0] == '/' || wd ? resolve(wd, d) : norm(d);
    char *path = ch->path[0] == '/' || wd ? resolve(wd, ch->path) : norm(ch->path);
    bool ok = false;
    if (dest && path && (dest[0] == '/') == (path[0] == '/')) {
        bool into = d[strlen(d) - 1] == '/' || strcmp(dest, ".") == 0 ||
                    (dest[0] == '/' && dir_exists(ctx, r->stage, r->index - 1, dest));
        char *fp = file && into ? kd_asprintf("%s/%s", dest, base_name(file)) : NULL;
        char *fpn = fp ? norm(fp) : file ? kd_xstrdup(dest) : NULL;
        t->file = fpn && strcmp(fpn, path) == 0;
        t->tree = !file && ch->recursive && strcmp(dest, path) == 0;
        if (t->file) {
            t->parent = kd_xstrdup(fpn);
            char *slash = strrchr(t->parent, '/');
            if (slash)
                slash == t->parent ? (void)(slash[1] = '\0') : (void)(*slash = '\0');
        }
        t->dest = kd_xstrdup(dest);
        ok = t->file || t->tree;
        free(fp);
        free(fpn);
    }
    free(wd);
    free(dest);
    free(path);
    return ok;
}

/* ---- the check ---------------------------------------------------------------------- */

/* Whether the stage runs the RUN as root (no USER, or USER root/0). */
static bool user_bad(kd_lint_ctx *ctx, const df_instr *in, void *arg)
{
    (void)ctx;
    bool *bad = arg;
    if (in->kind != DF_USER || in->nargs == 0)
        return false;
    const char *u = in->args[0].text;
    *bad = !(strcmp(u, "root") == 0 || strcmp(u, "0") == 0 || strncmp(u, "root:", 5) == 0 ||
             strncmp(u, "0:", 2) == 0);
    return true;
}

static bool runs_as_root(kd_lint_ctx *ctx, const kd_run *r)
{
    bool bad = false;
    kd_walk_back(ctx, r->stage, r->index, user_bad, &bad);
    return !bad;
}

/* The fix: the flag on the COPY (unless it has it already), the command out
 * of the RUN. */
static void add_fix(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const df_instr *copy,
                    const change *ch, bool safe)
{
    const char *flag = ch->own ? "chown" : "chmod";
    const df_flag *have = df_instr_flag(copy, flag);
    if (f == NULL || (have && (have->value == NULL || strcmp(have->value, ch->value) != 0)))
        return;
    kd_finding tmp = {.rule = f->rule};
    if (kd_fix_delete_cmd(ctx, &tmp, r, ch->c)) {
        char *t = kd_asprintf(" --%s=%s", flag, ch->value);
        if (!have)
            kd_fix_edit(f, copy->keyword_span.end.off, copy->keyword_span.end.off, t);
        kd_fix_take(f, &tmp);
        free(t);
        if (!safe)
            f->fix = KD_FIX_UNSAFE;
    }
    kd_fix_drop(&tmp);
}

static bool tree_fix_ok(kd_lint_ctx *ctx, const kd_run *r, const df_instr *copy, const target *t)
{
    if (t->dest == NULL || t->dest[0] != '/' || strcmp(t->dest, "/") == 0)
        return false;
    dir_q q = {ctx, r->stage, t->dest, false};
    size_t ci = (size_t)(copy - ctx->file->instrs);
    kd_walk_back(ctx, r->stage, ci, wrote_visit, &q);
    return !q.hit;
}

/* How the fix may be made (see the top): KD_FIX_SAFE when every file ends
 * up as the RUN left it, KD_FIX_UNSAFE when folders may differ, else
 * KD_FIX_NONE. */
static kd_fix_kind fix_kind(kd_lint_ctx *ctx, const kd_run *r, const df_instr *copy,
                            const change *ch, const target *t, mode_t mode)
{
    if (t->tree)
        return tree_fix_ok(ctx, r, copy, t) ? KD_FIX_UNSAFE : KD_FIX_NONE;
    if (!ch->own) /* --chmod keeps set-id and sticky bits that chmod 755 clears */
        return (mode & 07000) == 0 ? KD_FIX_SAFE : KD_FIX_NONE;
    return t->parent && t->parent[0] == '/' &&
                   dir_exists(ctx, r->stage, r->index - 1, t->parent)
               ? KD_FIX_SAFE
               : KD_FIX_UNSAFE; /* the folders the COPY creates would get the owner */
}

static void check_pair(kd_lint_ctx *ctx, const kd_rule *self, const df_instr *copy,
                       const kd_run *r)
{
    change ch;
    target t;
    mode_t mode = 0;
    if (r->sh->exec_form || r->sh->top.n == 0 || !read_change(ctx, r, r->sh->top.v[0], &ch))
        return;
    const char *file = context_file(ctx, copy, &mode);
    if (!match_target(ctx, r, copy, &ch, file, &t))
        goto out;
    const char *name = ch.own ? "chown" : "chmod";
    kd_finding *f = kd_report_cmd(ctx, self, ch.c,
                                  "`%s %s%s %s` right after a COPY stores %s a second time, in "
                                  "this RUN's layer, only to change %s; use COPY --%s",
                                  name, ch.recursive ? "-R " : "", ch.value, ch.path,
                                  t.file ? "the copied file" : "every copied file",
                                  ch.own ? "its owner" : "its mode", name);
    kd_fix_kind k = fix_kind(ctx, r, copy, &ch, &t, mode);
    if (ch.flag_ok && r->in->nflags == 0 && !copy->nheredocs && runs_as_root(ctx, r) &&
        k != KD_FIX_NONE)
        add_fix(ctx, f, r, copy, &ch, k == KD_FIX_SAFE);
out:
    free(t.parent);
    free(t.dest);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);) {
        if (r.index == 0)
            continue;
        const df_instr *prev = &ctx->file->instrs[r.index - 1];
        if (prev->kind == DF_COPY && kd_stage_of(ctx, prev) == (ssize_t)r.stage)
            check_pair(ctx, self, prev, &r);
    }
}

KD_RULE(KD1106) = {
    .id = "KD1106",
    .name = "copy-then-chown",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .summary = "RUN chown or chmod right after a COPY stores the copied files twice",
    .check = check,
};
