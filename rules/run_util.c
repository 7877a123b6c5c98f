/* Helpers shared by the rules over RUN commands (see rules/run_util.h). */
#include "rules/run_util.h"
#include "rules/util.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- walking RUNs ----------------------------------------------------------- */

bool kd_run_next(kd_lint_ctx *ctx, kd_run *r)
{
    for (const df_instr *in = r->in; (in = kd_next(ctx, in, DF_RUN));) {
        ssize_t st = kd_stage_of(ctx, in);
        const sh_script *sh = st >= 0 ? kd_shell(ctx, in) : NULL;
        if (sh == NULL)
            continue;
        *r = (kd_run){in, sh, kd_instr_index(ctx, in), (size_t)st};
        return true;
    }
    return false;
}

bool kd_run_next_in_stage(kd_lint_ctx *ctx, const kd_run *r, kd_run *next)
{
    *next = *r;
    return kd_run_next(ctx, next) && next->stage == r->stage;
}

bool kd_stage_in_image(const kd_lint_ctx *ctx, size_t st)
{
    if (ctx->stages->n == 0)
        return false;
    size_t cur = ctx->stages->n - 1, parent;
    for (size_t hops = 0; hops <= ctx->stages->n; hops++) {
        if (cur == st)
            return true;
        if (!kd_stage_from_stage(ctx, cur, &parent) || parent >= cur)
            return false;
        cur = parent;
    }
    return false;
}

/* ---- paths ------------------------------------------------------------------ */

/* Copies path to buf with any home folder written as "~" and trailing
 * slashes dropped. */
static void canon(const char *p, char *buf, size_t cap)
{
    static const char *const homes[] = {"${HOME}", "$HOME", "/root", "~"};
    const char *rest = NULL;
    for (size_t k = 0; k < sizeof homes / sizeof homes[0] && !rest; k++) {
        size_t n = strlen(homes[k]);
        if (strncmp(p, homes[k], n) == 0 && (p[n] == '/' || p[n] == '\0'))
            rest = p + n;
    }
    if (rest == NULL && strncmp(p, "/home/", 6) == 0) {
        const char *e = strchr(p + 6, '/');
        rest = e ? e : p + strlen(p);
    }
    snprintf(buf, cap, "%s%s", rest ? "~" : "", rest ? rest : p);
    /* ${NAME} is $NAME */
    for (char *b; (b = strstr(buf, "${")) && strchr(b, '}');) {
        char *e = strchr(b, '}');
        memmove(e, e + 1, strlen(e + 1) + 1);
        memmove(b + 1, b + 2, strlen(b + 2) + 1);
    }
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
}

bool kd_path_covers(const char *removed, const char *target)
{
    char r[1024], t[1024];
    canon(removed, r, sizeof r);
    canon(target, t, sizeof t);
    size_t rn = strlen(r), tn = strlen(t);
    if (rn <= tn && strncmp(t, r, rn) == 0 && (t[rn] == '\0' || t[rn] == '/' || rn == 1))
        return true; /* the target or a folder above it */
    /* a glob over the target's content: "/var/lib/apt/lists/" followed by "*" */
    const char *slash = strrchr(r, '/');
    return slash && (size_t)(slash - r) == tn && strncmp(r, t, tn) == 0 && strpbrk(slash, "*?[");
}

/* The value of key in a --mount value "type=cache,target=/x" (owned), or NULL. */
static char *mount_field(const char *v, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = v; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, key, n) == 0 && p[n] == '=') {
            const char *e = strchr(p + n + 1, ',');
            return kd_xstrndup(p + n + 1, e ? (size_t)(e - p - n - 1) : strlen(p + n + 1));
        }
    return NULL;
}

bool kd_run_mounts_over(const df_instr *in, const char *path)
{
    for (size_t i = 0; i < in->nflags; i++) {
        const df_flag *fl = &in->flags[i];
        if (strcmp(fl->name, "mount") != 0 || fl->value == NULL)
            continue;
        char *type = mount_field(fl->value, "type"), *target = mount_field(fl->value, "target");
        if (target == NULL)
            target = mount_field(fl->value, "dst");
        if (target == NULL)
            target = mount_field(fl->value, "destination");
        bool hides = type && (strcmp(type, "cache") == 0 || strcmp(type, "tmpfs") == 0) && target &&
                     kd_path_covers(target, path);
        free(type);
        free(target);
        if (hides)
            return true;
    }
    return false;
}

static bool find_deletes(const sh_cmd *c, const char *target)
{
    bool deletes = false, path_ok = false, in_paths = true;
    for (size_t i = 1; i < sh_cmd_argc(c); i++) {
        const char *w = sh_cmd_arg(c, i)->text;
        if (w[0] == '-' || w[0] == '(' || w[0] == '!')
            in_paths = false;
        if (in_paths) {
            char a[1024], b[1024];
            canon(w, a, sizeof a);
            canon(target, b, sizeof b);
            path_ok |= strcmp(a, b) == 0;
        }
        if (strcmp(w, "-exec") == 0 && i + 1 < sh_cmd_argc(c)) {
            const char *x = sh_cmd_arg(c, i + 1)->text, *slash = strrchr(x, '/');
            deletes |= strcmp(slash ? slash + 1 : x, "rm") == 0;
        }
        deletes |= strcmp(w, "-delete") == 0;
    }
    return deletes && path_ok;
}

bool kd_cmd_removes(const sh_cmd *c, const char *target)
{
    if (sh_cmd_is(c, "find"))
        return find_deletes(c, target);
    if (!sh_cmd_is(c, "rm"))
        return false;
    for (size_t k = 0; k < sh_cmd_npositional(c); k++)
        if (kd_path_covers(sh_cmd_positional(c, k)->text, target))
            return true;
    return false;
}

/* ---- order ------------------------------------------------------------------ */

static bool is_ancestor(const sh_cmd *anc, const sh_cmd *c)
{
    for (; c; c = c->parent)
        if (c == anc)
            return true;
    return false;
}

bool kd_runs_after(const sh_script *s, const sh_cmd *a, const sh_cmd *b)
{
    if (b->index <= a->index || ((b->ctx & SH_IN_FUNC) && !(a->ctx & SH_IN_FUNC)))
        return false;
    /* below the nearest enclosing command they share, nothing on b's side
     * may run only on failure */
    for (const sh_cmd *x = b; x && !is_ancestor(x, a); x = x->parent)
        if (sh_cmd_prev_conn(s, x) == SH_OR)
            return false;
    return true;
}

bool kd_runs_always(const sh_script *s, const sh_cmd *c)
{
    if (c->ctx & SH_IN_FUNC)
        return false;
    for (const sh_cmd *x = c; x; x = x->parent)
        if (sh_cmd_prev_conn(s, x) == SH_OR)
            return false;
    return true;
}

bool kd_cmd_is_tool(const sh_cmd *c, const char *tool, size_t *first)
{
    const char *n = sh_cmd_name(c);
    size_t tl = strlen(tool);
    if (strncmp(n, tool, tl) == 0 && strspn(n + tl, "0123456789.") == strlen(n + tl)) {
        if (first)
            *first = 1;
        return true;
    }
    if (strncmp(n, "python", 6) != 0 || strspn(n + 6, "0123456789.") != strlen(n + 6))
        return false;
    const sh_word *w = NULL;
    const char *mod = sh_cmd_opt_value(c, "-m", &w);
    if (mod == NULL || strcmp(mod, tool) != 0)
        return false;
    for (size_t i = 1; first && i < sh_cmd_argc(c); i++)
        if (sh_cmd_arg(c, i) == w)
            *first = i + 1;
    return true;
}

/* ---- environment --------------------------------------------------------------- */

static char *unquote(const char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
        return kd_xstrndup(s + 1, n - 2);
    return kd_xstrdup(s);
}

/* The value an ENV or ARG instruction gives name, or NULL. Owned. */
static char *defined_by(const df_instr *in, const char *name)
{
    size_t n = strlen(name);
    if (in->kind == DF_ENV)
        for (size_t k = in->nargs; k >= 3; k -= 3)
            if (strcmp(in->args[k - 3].text, name) == 0)
                return unquote(in->args[k - 2].text);
    if (in->kind == DF_ARG)
        for (size_t k = in->nargs; k-- > 0;)
            if (strncmp(in->args[k].text, name, n) == 0 && in->args[k].text[n] == '=')
                return unquote(in->args[k].text + n + 1);
    return NULL;
}

bool kd_walk_back(kd_lint_ctx *ctx, size_t st, size_t before,
                  bool (*visit)(kd_lint_ctx *ctx, const df_instr *in, void *arg), void *arg)
{
    for (size_t hops = 0; hops <= ctx->stages->n; hops++) {
        for (size_t i = before; i-- > ctx->stages->v[st].from + 1;)
            if (visit(ctx, &ctx->file->instrs[i], arg))
                return true;
        size_t parent;
        if (!kd_stage_from_stage(ctx, st, &parent) || parent >= st)
            return false;
        st = parent;
        before = ctx->stages->v[st].end;
    }
    return false;
}

typedef struct env_q {
    const char *name;
    char *value;
} env_q;

static bool env_visit(kd_lint_ctx *ctx, const df_instr *in, void *arg)
{
    (void)ctx;
    env_q *q = arg;
    q->value = defined_by(in, q->name);
    return q->value != NULL;
}

char *kd_run_env(kd_lint_ctx *ctx, const kd_run *r, const char *name)
{
    env_q q = {name, NULL};
    kd_walk_back(ctx, r->stage, r->index, env_visit, &q);
    return q.value;
}

static bool truthy(const char *v)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    for (size_t k = 0; v && k < sizeof yes / sizeof yes[0]; k++)
        if (strcasecmp(v, yes[k]) == 0)
            return true;
    return false;
}

/* The value an earlier `export NAME=value` of the same RUN gives. */
/* An export reaches c when c runs in the same shell or a subshell of it:
 * the export's enclosing command (subshell, group...) encloses c too. */
static bool export_reaches(const sh_cmd *e, const sh_cmd *c)
{
    if (e->ctx & (SH_IN_SUBST | SH_IN_FUNC))
        return false;
    return e->parent == NULL || is_ancestor(e->parent, c);
}

static const char *exported(const kd_run *r, const sh_cmd *c, const char *name)
{
    const char *v = NULL;
    size_t n = strlen(name);
    for (size_t i = 0; i < c->index; i++) {
        const sh_cmd *e = r->sh->cmds[i];
        if (!sh_cmd_is(e, "export") || !export_reaches(e, c))
            continue;
        for (size_t k = 1; k < sh_cmd_argc(e); k++) {
            const char *t = sh_cmd_arg(e, k)->text;
            if (strncmp(t, name, n) == 0 && t[n] == '=')
                v = t + n + 1;
        }
    }
    return v;
}

char *kd_env_value(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, const char *name)
{
    const char *v = sh_cmd_env(c, name);
    if (v == NULL)
        v = exported(r, c, name);
    return v ? kd_xstrdup(v) : kd_run_env(ctx, r, name);
}

bool kd_env_true(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, const char *name)
{
    char *v = kd_env_value(ctx, r, c, name);
    bool t = truthy(v);
    free(v);
    return t;
}

/* ---- reports and fixes ------------------------------------------------------------ */

kd_finding *kd_report_cmd(kd_lint_ctx *ctx, const kd_rule *self, const sh_cmd *c, const char *fmt,
                          ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = kd_vasprintf(fmt, ap);
    va_end(ap);
    kd_finding *f = kd_report(ctx, self, c->span, "%s", msg);
    free(msg);
    return f;
}

bool kd_word_editable(const kd_lint_ctx *ctx, const kd_run *r, const sh_word *w)
{
    size_t a = w->span.start.off, b = w->span.end.off;
    return !r->sh->exec_form && b >= a && b - a == w->raw_len && b <= ctx->file->len &&
           memcmp(ctx->file->src + a, w->raw, w->raw_len) == 0;
}

bool kd_fix_after_word(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const sh_word *w,
                       const char *text)
{
    if (f == NULL || w == NULL || !kd_word_editable(ctx, r, w))
        return false;
    char *t = kd_asprintf(" %s", text);
    kd_fix_edit(f, w->span.end.off, w->span.end.off, t);
    free(t);
    return true;
}

bool kd_run_appendable(const kd_lint_ctx *ctx, const kd_run *r)
{
    (void)ctx;
    const df_instr *in = r->in;
    if (in->json || in->nheredocs || in->rest.len == 0 || r->sh->ncomments || r->sh->nwarnings ||
        r->sh->exec_form)
        return false;
    char last = in->rest.text[in->rest.len - 1];
    return last != ';' && last != '&' && last != '\\' && last != '|';
}

bool kd_fix_append(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const char *text)
{
    if (f == NULL || !kd_run_appendable(ctx, r))
        return false;
    char *t = kd_asprintf(" && %s", text);
    kd_fix_edit(f, r->in->rest.span.end.off, r->in->rest.span.end.off, t);
    free(t);
    return true;
}

bool kd_in_list(const char *s, const char *list)
{
    return sh_in_list(s, list);
}

bool kd_cmd_sub(const sh_cmd *c, const char *names, const char *subs)
{
    return sh_cmd_is(c, names) && kd_in_list(sh_cmd_subcommand(c), subs);
}

static bool cmd_mentions(const sh_cmd *c, const char *needle)
{
    for (size_t i = 0; i < c->nwords; i++)
        if (strstr(c->words[i].text, needle))
            return true;
    for (size_t i = 0; i < c->nredirs; i++)
        if (c->redirs[i].body &&
            memmem(c->redirs[i].body, c->redirs[i].body_len, needle, strlen(needle)))
            return true;
    return false;
}

static bool run_mentions(const sh_script *s, size_t upto, const char *needle)
{
    for (size_t i = 0; i < upto && i < s->ncmds; i++)
        if (cmd_mentions(s->cmds[i], needle))
            return true;
    return false;
}

static bool set_visit(kd_lint_ctx *ctx, const df_instr *in, void *arg)
{
    const sh_script *s = in->kind == DF_RUN ? kd_shell(ctx, in) : NULL;
    return s && run_mentions(s, s->ncmds, arg);
}

bool kd_set_before(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, const char *needle)
{
    return run_mentions(r->sh, c->index, needle) ||
           kd_walk_back(ctx, r->stage, r->index, set_visit, (void *)needle);
}

bool kd_piped_from_yes(const kd_run *r, const sh_cmd *c)
{
    return c->index > 0 && sh_cmd_prev_conn(r->sh, c) == SH_PIPE &&
           sh_cmd_is(r->sh->cmds[c->index - 1], "yes");
}

bool kd_cmd_top(const sh_cmd *c)
{
    return !(c->ctx & (SH_IN_SUBST | SH_IN_SUBSHELL | SH_IN_FUNC | SH_IN_NESTED | SH_IN_PIPE));
}

char *kd_cmd_head(const sh_cmd *c)
{
    const sh_word *sub = sh_cmd_positional(c, 0);
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < sh_cmd_argc(c); i++) {
        const sh_word *w = sh_cmd_arg(c, i);
        if (i)
            kd_buf_addc(&b, ' ');
        kd_buf_adds(&b, w->text);
        if (sub == NULL || w == sub)
            break;
    }
    return kd_buf_detach(&b, NULL);
}

bool kd_apt_simulates(const sh_cmd *c)
{
    return sh_cmd_has_opt(c, "-s|--simulate|--just-print|--dry-run|--recon|--no-act");
}

char *kd_word_list(const sh_word *const *w, size_t n, size_t max)
{
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < n && i < max; i++) {
        if (i)
            kd_buf_adds(&b, i + 1 == n ? " and " : ", ");
        kd_buf_adds(&b, w[i]->text);
    }
    if (n > max)
        kd_buf_addf(&b, " and %zu more", n - max);
    return kd_buf_detach(&b, NULL);
}
