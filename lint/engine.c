/* The lint engine: the rule set, per-file rule states, the run of every
 * enabled rule over one parsed file, and the helpers of lint/lint.h. */
#include "lint/decl.h"
#include "lint/online.h"
#include "lint/priv.h"
#include "lint/shell_hook.h"
#include "dockerfile/scope.h"
#include "util/fs.h"
#include "util/mem.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct cfg_entry {
    char *dir;       /* folder the search started from */
    kd_config *cfg;  /* shared by entries that found the same file */
    bool owner;
} cfg_entry;

struct kd_linter {
    kd_lint_opts o;
    const kd_rule **rules; /* built-ins, then --rules ones */
    size_t nrules;
    kd_decl_set **decl;
    size_t ndecl;
    kd_config *cli_cfg; /* --config, or the defaults with --no-config */
    cfg_entry *cfgs;
    size_t ncfgs;
    kd_ctx_cache *ctx_cache;
};

/* ---- the rule set --------------------------------------------------------- */

static bool any_matches(const kd_rule *const *v, size_t n, const char *p)
{
    for (size_t i = 0; i < n; i++)
        if (kd_rule_matches(v[i], p))
            return true;
    return false;
}

/* The config checks rule names with this (after its own rule files). */
static bool known_rule(const char *p, void *arg)
{
    kd_linter *l = arg;
    return any_matches(l->rules, l->nrules, p);
}

static int check_cli_pattern(kd_linter *l, const char *opt, const char *p, kd_error **err)
{
    if (any_matches(l->rules, l->nrules, p))
        return 0;
    kd_err(err, 0, "%s: no rule matches '%s' (kdoctor rules lists them)", opt, p);
    if (err && *err)
        (*err)->status = 2;
    return -1;
}

static int check_cli_patterns(kd_linter *l, kd_error **err)
{
    const kd_lint_opts *o = &l->o;
    for (size_t i = 0; i < o->nselect; i++)
        if (check_cli_pattern(l, "--select", o->select[i], err) < 0)
            return -1;
    for (size_t i = 0; i < o->nignore; i++)
        if (check_cli_pattern(l, "--ignore", o->ignore[i], err) < 0)
            return -1;
    for (size_t i = 0; i < o->nseverity; i++)
        if (check_cli_pattern(l, "--severity", o->severity[i].rule, err) < 0)
            return -1;
    return 0;
}

static void add_rules(kd_linter *l, const kd_rule *const *v, size_t n)
{
    l->rules = kd_xrealloc(l->rules, (l->nrules + n + 1) * sizeof *l->rules);
    memcpy(l->rules + l->nrules, v, n * sizeof *v);
    l->nrules += n;
}

static int load_cli_rules(kd_linter *l, kd_error **err)
{
    for (size_t i = 0; i < l->o.nrules_files; i++) {
        kd_decl_set *s;
        if (kd_decl_load(l->o.rules_files[i], &s, err) < 0)
            return -1;
        l->decl = kd_xrealloc(l->decl, (l->ndecl + 1) * sizeof *l->decl);
        l->decl[l->ndecl++] = s;
        const kd_rule *const *v;
        size_t n = kd_decl_rules(s, &v);
        for (size_t k = 0; k < n; k++)
            if (kd_rule_find(v[k]->id) || any_matches(l->rules, l->nrules, v[k]->id)) {
                kd_err(err, 0, "%s: rule id '%s' is already taken", l->o.rules_files[i],
                       v[k]->id);
                if (err && *err)
                    (*err)->status = 2;
                return -1;
            }
        add_rules(l, v, n);
    }
    return 0;
}

int kd_linter_new(const kd_lint_opts *o, kd_linter **out, kd_error **err)
{
    kd_linter *l = kd_xcalloc(1, sizeof *l);
    l->o = *o;
    add_rules(l, kd_builtin_rules, kd_builtin_rule_count);
    int rc = load_cli_rules(l, err);
    if (rc == 0)
        rc = check_cli_patterns(l, err);
    if (rc == 0 && o->config_path)
        rc = kd_config_load(o->config_path, known_rule, l, &l->cli_cfg, err);
    else if (rc == 0 && o->no_config)
        l->cli_cfg = kd_config_default();
    if (rc < 0) {
        kd_linter_free(l);
        return -1;
    }
    *out = l;
    return 0;
}


kd_ctx_cache **kd_linter_ctx_cache(kd_linter *l)
{
    return &l->ctx_cache;
}

void kd_linter_free(kd_linter *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->ncfgs; i++) {
        free(l->cfgs[i].dir);
        if (l->cfgs[i].owner)
            kd_config_free(l->cfgs[i].cfg);
    }
    free(l->cfgs);
    kd_config_free(l->cli_cfg);
    for (size_t i = 0; i < l->ndecl; i++)
        kd_decl_free(l->decl[i]);
    free(l->decl);
    free(l->rules);
    kd_ctx_cache_free(l->ctx_cache);
    free(l);
}

size_t kd_linter_rules(const kd_linter *l, const kd_rule *const **out)
{
    *out = l->rules;
    return l->nrules;
}

/* ---- configs, found once per folder -------------------------------------- */

static int config_for(kd_linter *l, const char *dir, kd_config **out, kd_error **err)
{
    if (l->cli_cfg) {
        *out = l->cli_cfg;
        return 0;
    }
    const char *key = dir ? dir : ".";
    for (size_t i = 0; i < l->ncfgs; i++)
        if (strcmp(l->cfgs[i].dir, key) == 0) {
            *out = l->cfgs[i].cfg;
            return 0;
        }
    char *path = kd_config_find(key);
    kd_config *c = NULL;
    bool owner = true;
    for (size_t i = 0; path && i < l->ncfgs && c == NULL; i++)
        if (l->cfgs[i].cfg->path && strcmp(l->cfgs[i].cfg->path, path) == 0) {
            c = l->cfgs[i].cfg;
            owner = false;
        }
    if (c == NULL && path && kd_config_load(path, known_rule, l, &c, err) < 0) {
        free(path);
        return -1;
    }
    free(path);
    if (c == NULL)
        c = kd_config_default();
    l->cfgs = kd_xrealloc(l->cfgs, (l->ncfgs + 1) * sizeof *l->cfgs);
    l->cfgs[l->ncfgs++] = (cfg_entry){kd_xstrdup(key), c, owner};
    *out = c;
    return 0;
}

/* ---- per-file rule states -------------------------------------------------- */

static bool cfg_matches(const kd_cfg_pattern *v, size_t n, const kd_rule *r)
{
    for (size_t i = 0; i < n; i++)
        if (kd_rule_matches(r, v[i].text))
            return true;
    return false;
}

static bool cli_matches(const char *const *v, size_t n, const kd_rule *r, bool *exact)
{
    bool m = false;
    for (size_t i = 0; i < n; i++)
        if (kd_rule_matches(r, v[i])) {
            m = true;
            if (strcasecmp(v[i], r->id) == 0 || strcasecmp(v[i], r->name) == 0)
                *exact = true;
        }
    return m;
}

static kd_severity overridden(const kd_sev_override *v, size_t n, const kd_rule *r,
                              kd_severity sev)
{
    for (size_t i = 0; i < n; i++) /* the last matching override wins */
        if (kd_rule_matches(r, v[i].rule))
            sev = v[i].severity;
    return sev;
}

/* Default, then the config, then the command line (see docs/lint.md). */
static kd_rule_state rule_state(const kd_linter *l, const kd_config *c, const df_file *f,
                                const kd_rule *r)
{
    kd_rule_state s = {r, r->severity, !r->off_by_default};
    if (cfg_matches(c->enable, c->nenable, r))
        s.enabled = true;
    if (cfg_matches(c->ignore, c->nignore, r))
        s.enabled = false;
    bool exact = false;
    if (l->o.nselect)
        s.enabled = cli_matches(l->o.select, l->o.nselect, r, &exact) &&
                    (s.enabled || exact || r->off_by_default);
    if (cli_matches(l->o.ignore, l->o.nignore, r, &exact))
        s.enabled = false;
    if (kd_directive_skips(f, r)) /* in the file, like an inline suppression */
        s.enabled = false;
    s.severity = overridden(c->severity, c->nseverity, r, s.severity);
    s.severity = overridden(l->o.severity, l->o.nseverity, r, s.severity);
    if (s.severity == KD_SEV_OFF)
        s.enabled = false;
    return s;
}

static void build_states(struct kd_lint_priv *p, const kd_config *c, const df_file *f)
{
    kd_linter *l = p->linter;
    size_t n = l->nrules;
    for (size_t i = 0; i < c->nrules; i++)
        n += kd_decl_rules(c->rules[i], &(const kd_rule *const *){NULL});
    p->states = kd_xcalloc(n + 1, sizeof *p->states);
    for (size_t i = 0; i < l->nrules; i++)
        p->states[p->nstates++] = rule_state(l, c, f, l->rules[i]);
    for (size_t i = 0; i < c->nrules; i++) {
        const kd_rule *const *v;
        size_t k = kd_decl_rules(c->rules[i], &v);
        for (size_t j = 0; j < k; j++)
            p->states[p->nstates++] = rule_state(l, c, f, v[j]);
    }
}

/* ---- running a file ---------------------------------------------------------- */

static int cmp_finding(const void *a, const void *b)
{
    const kd_finding *x = *(kd_finding *const *)a, *y = *(kd_finding *const *)b;
    if (x->span.start.off != y->span.start.off)
        return x->span.start.off < y->span.start.off ? -1 : 1;
    int c = strcmp(x->rule->id, y->rule->id);
    if (c)
        return c;
    return x->span.end.off < y->span.end.off ? -1 : x->span.end.off > y->span.end.off;
}

static void free_priv(struct kd_lint_priv *p, const df_file *f)
{
    for (size_t i = 0; p->shell && i < f->ninstrs; i++)
        if (p->shell[i])
            kd_shell_hook_free(p->shell[i]);
    free(p->shell);
    free(p->shell_done);
    free(p->stage_used);
    for (size_t i = 0; i < p->nsup; i++)
        free(p->sup[i].pattern);
    free(p->sup);
    free(p->states);
    if (p->globals) {
        df_vars_free(p->globals);
        free(p->globals);
    }
    if (p->context) {
        if (p->context->dockerignore_own)
            free((char *)p->context->dockerignore);
        free(p->context);
    }
}

static kd_severity threshold(const kd_linter *l, const kd_config *c)
{
    if (l->o.failure_threshold >= 0)
        return (kd_severity)l->o.failure_threshold;
    if (c->failure_threshold >= 0)
        return (kd_severity)c->failure_threshold;
    return KD_SEV_INFO;
}

static void run_rules(kd_lint_ctx *ctx, struct kd_lint_priv *p)
{
    for (size_t i = 0; i < p->nstates; i++) {
        if (!p->states[i].enabled)
            continue;
        p->cur = &p->states[i];
        p->states[i].rule->check(ctx, p->states[i].rule);
    }
    p->cur = NULL;
}

int kd_lint_source(kd_linter *l, const char *path, const char *data, size_t len, const char *dir,
                   kd_file_result **out, kd_error **err)
{
    kd_config *cfg;
    if (config_for(l, dir, &cfg, err) < 0)
        return -1;
    df_file *f;
    if (df_parse(strcmp(path, "-") == 0 ? "<stdin>" : path, data, len, &f, err) < 0)
        return -1;
    df_stages st;
    kd_stages_tolerant(f, &st);
    struct kd_lint_priv p = {.linter = l, .path = path};
    kd_lint_ctx ctx = {f, &st, cfg, dir, &p};
    build_states(&p, cfg, f);
    kd_suppress_collect(f, &p);
    run_rules(&ctx, &p);
    if (p.nfindings > 1)
        qsort(p.findings, p.nfindings, sizeof *p.findings, cmp_finding);

    kd_file_result *r = kd_xcalloc(1, sizeof *r);
    r->path = kd_xstrdup(path);
    r->file = f;
    r->findings = p.findings;
    r->nfindings = p.nfindings;
    r->threshold = threshold(l, cfg);
    free_priv(&p, f);
    df_stages_free(&st);
    *out = r;
    return 0;
}

int kd_lint_path(kd_linter *l, const char *path, kd_file_result **out, kd_error **err)
{
    char *data;
    size_t len;
    if (kd_read_file(path, &data, &len, err) < 0) {
        if (err && *err)
            (*err)->status = 2;
        return -1;
    }
    char *dir = kd_path_folder(path);
    int rc = kd_lint_source(l, path, data, len, dir, out, err);
    free(dir);
    free(data);
    return rc;
}

static void free_finding(kd_finding *x)
{
    for (size_t i = 0; i < x->nedits; i++)
        free(x->edits[i].text);
    free(x->edits);
    free(x->message);
    free(x);
}

void kd_file_result_free(kd_file_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nfindings; i++)
        free_finding(r->findings[i]);
    free(r->findings);
    df_file_free(r->file);
    free(r->path);
    free(r);
}

bool kd_result_fails(const kd_file_result *r)
{
    if (r->threshold == KD_SEV_OFF)
        return false;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i]->severity >= r->threshold)
            return true;
    return false;
}

/* ---- reporting ---------------------------------------------------------------- */

static kd_rule_state *state_of(struct kd_lint_priv *p, const kd_rule *r)
{
    if (p->cur && p->cur->rule == r)
        return p->cur;
    for (size_t i = 0; i < p->nstates; i++)
        if (p->states[i].rule == r)
            return &p->states[i];
    return NULL;
}

kd_finding *kd_report(kd_lint_ctx *ctx, const kd_rule *rule, df_span span, const char *fmt, ...)
{
    struct kd_lint_priv *p = ctx->priv;
    kd_rule_state *s = state_of(p, rule);
    if (s == NULL || !s->enabled || kd_suppressed(p, ctx->file, rule, span.start.off))
        return NULL;
    kd_finding *x = kd_xcalloc(1, sizeof *x);
    x->rule = rule;
    x->severity = s->severity;
    x->span = span;
    va_list ap;
    va_start(ap, fmt);
    x->message = kd_vasprintf(fmt, ap);
    va_end(ap);
    KD_GROW(p->findings, p->cap, p->nfindings + 1);
    p->findings[p->nfindings++] = x;
    return x;
}

void kd_fix_edit(kd_finding *f, size_t start, size_t end, const char *text)
{
    if (f == NULL)
        return;
    size_t i = f->nedits;
    f->edits = kd_xrealloc(f->edits, (i + 1) * sizeof *f->edits);
    while (i > 0 && f->edits[i - 1].start > start) { /* keep them sorted */
        f->edits[i] = f->edits[i - 1];
        i--;
    }
    f->edits[i] = (kd_edit){start, end, kd_xstrdup(text)};
    f->nedits++;
    if (f->fix == KD_FIX_NONE)
        f->fix = f->rule->fix == KD_FIX_NONE ? KD_FIX_UNSAFE : f->rule->fix;
}

/* ---- helpers for rules ---------------------------------------------------------- */

const df_instr *kd_next(const kd_lint_ctx *ctx, const df_instr *prev, df_kind kind)
{
    const df_file *f = ctx->file;
    size_t i = prev ? (size_t)(prev - f->instrs) + 1 : 0;
    for (; i < f->ninstrs; i++)
        if (kind == KD_ANY || f->instrs[i].kind == kind)
            return &f->instrs[i];
    return NULL;
}

const df_instr *kd_stage_next(const kd_lint_ctx *ctx, size_t stage, const df_instr *prev,
                              df_kind kind)
{
    if (stage >= ctx->stages->n)
        return NULL;
    const df_stage *s = &ctx->stages->v[stage];
    const df_file *f = ctx->file;
    size_t i = prev ? (size_t)(prev - f->instrs) + 1 : s->from;
    for (; i < s->end; i++)
        if (kind == KD_ANY || f->instrs[i].kind == kind)
            return &f->instrs[i];
    return NULL;
}

size_t kd_instr_index(const kd_lint_ctx *ctx, const df_instr *in)
{
    return (size_t)(in - ctx->file->instrs);
}

ssize_t kd_stage_of(const kd_lint_ctx *ctx, const df_instr *in)
{
    size_t idx = kd_instr_index(ctx, in);
    const df_stages *s = ctx->stages;
    for (size_t i = s->n; i > 0; i--)
        if (s->v[i - 1].from <= idx)
            return (ssize_t)(i - 1);
    return -1;
}

/* The stage a reference such as "builder" or "0" names, among stages
 * before 'before'. */
static void mark_ref(const kd_lint_ctx *ctx, bool *used, const char *ref, size_t before)
{
    ssize_t k = df_stages_lookup(ctx->stages, ref, before);
    if (k >= 0)
        used[k] = true;
}

static void mark_mounts(const kd_lint_ctx *ctx, bool *used, const df_instr *in, size_t st)
{
    for (size_t k = 0; k < in->nflags; k++) {
        if (strcmp(in->flags[k].name, "mount") != 0 || in->flags[k].value == NULL)
            continue;
        const char *from = strstr(in->flags[k].value, "from=");
        if (from && (from == in->flags[k].value || from[-1] == ',')) {
            char *ref = kd_xstrndup(from + 5, strcspn(from + 5, ","));
            mark_ref(ctx, used, ref, st);
            free(ref);
        }
    }
}

bool kd_stage_is_used(const kd_lint_ctx *ctx, size_t i)
{
    struct kd_lint_priv *p = ctx->priv;
    const df_stages *s = ctx->stages;
    if (i >= s->n)
        return false;
    if (p->stage_used == NULL) {
        p->stage_used = kd_xcalloc(s->n + 1, sizeof *p->stage_used);
        for (size_t st = 0; st < s->n; st++) {
            if (s->v[st].image)
                mark_ref(ctx, p->stage_used, s->v[st].image->text, st);
            for (const df_instr *in = NULL; (in = kd_stage_next(ctx, st, in, KD_ANY));) {
                const df_flag *from = df_instr_flag(in, "from");
                if (from && from->value && (in->kind == DF_COPY || in->kind == DF_ADD))
                    mark_ref(ctx, p->stage_used, from->value, st);
                if (in->kind == DF_RUN)
                    mark_mounts(ctx, p->stage_used, in, st);
            }
        }
    }
    return p->stage_used[i];
}

const sh_script *kd_shell(kd_lint_ctx *ctx, const df_instr *in)
{
    struct kd_lint_priv *p = ctx->priv;
    const df_file *f = ctx->file;
    if (in->kind != DF_RUN || in < f->instrs || in >= f->instrs + f->ninstrs)
        return NULL;
    if (p->shell == NULL) {
        p->shell = kd_xcalloc(f->ninstrs, sizeof *p->shell);
        p->shell_done = kd_xcalloc(f->ninstrs, sizeof *p->shell_done);
    }
    size_t i = kd_instr_index(ctx, in);
    if (!p->shell_done[i]) {
        p->shell[i] = kd_shell_hook_analyse(f, in);
        p->shell_done[i] = true;
    }
    return p->shell[i];
}

df_span kd_span(const kd_lint_ctx *ctx, size_t start, size_t end)
{
    df_span s = {df_file_pos(ctx->file, start), df_file_pos(ctx->file, end)};
    return s;
}

df_span kd_span_first_line(const kd_lint_ctx *ctx, const df_instr *in)
{
    const df_file *f = ctx->file;
    size_t st = in->span.start.off, end = st;
    while (end < f->len && end < in->span.end.off && f->src[end] != '\n' && f->src[end] != '\r')
        end++;
    /* stop before a trailing continuation character and blanks */
    while (end > st && (f->src[end - 1] == ' ' || f->src[end - 1] == '\t'))
        end--;
    if (end > st && f->src[end - 1] == f->escape && end - 1 > st)
        end--;
    while (end > st && (f->src[end - 1] == ' ' || f->src[end - 1] == '\t'))
        end--;
    return kd_span(ctx, st, end);
}

const char *kd_rule_option(const kd_lint_ctx *ctx, const kd_rule *rule, const char *key)
{
    const kd_config *c = ctx->config;
    for (size_t i = c->noptions; i > 0; i--) {
        const kd_rule_opt *o = &c->options[i - 1];
        if (strcmp(o->key, key) == 0 &&
            (strcasecmp(o->rule, rule->id) == 0 || strcasecmp(o->rule, rule->name) == 0))
            return o->value;
    }
    return NULL;
}

/* The registry part of an image reference, as Docker reads it: the first
 * path component when it has a '.' or ':' or is "localhost"; else
 * docker.io. */
static char *registry_of(const char *image)
{
    const char *slash = strchr(image, '/');
    if (slash) {
        size_t n = (size_t)(slash - image);
        if (memchr(image, '.', n) || memchr(image, ':', n) || (n == 9 && !strncmp(image, "localhost", 9)))
            return kd_xstrndup(image, n);
    }
    return kd_xstrdup("docker.io");
}

bool kd_registry_trusted(const kd_lint_ctx *ctx, const char *image)
{
    const kd_config *c = ctx->config;
    if (c->ntrusted == 0)
        return true;
    char *reg = registry_of(image);
    bool ok = false;
    for (size_t i = 0; i < c->ntrusted && !ok; i++) {
        const char *t = c->trusted_registries[i];
        ok = strcasecmp(reg, t) == 0 || fnmatch(t, reg, FNM_CASEFOLD) == 0 ||
             (strcmp(reg, "docker.io") == 0 &&
              (strcasecmp(t, "hub.docker.com") == 0 || strcasecmp(t, "index.docker.io") == 0));
    }
    free(reg);
    return ok;
}

bool kd_base_image_allowed(const kd_lint_ctx *ctx, const char *image)
{
    const kd_config *c = ctx->config;
    if (c->nallowed == 0)
        return true;
    size_t n = strcspn(image, ":@");
    char *repo = kd_xstrndup(image, n);
    bool ok = false;
    for (size_t i = 0; i < c->nallowed && !ok; i++) /* "node" allows every node tag */
        ok = fnmatch(c->allowed_images[i], image, 0) == 0 ||
             fnmatch(c->allowed_images[i], repo, 0) == 0;
    free(repo);
    return ok;
}

int kd_online_image_size(kd_lint_ctx *ctx, const char *image, unsigned long long *bytes,
                         char **why)
{
    kd_online *on = ctx->priv->linter->o.online;
    if (why)
        *why = NULL;
    if (on == NULL)
        return -2;
    uint64_t b = 0;
    int rc = kd_online_size(on, image, &b, why);
    *bytes = b;
    return rc;
}

const kd_context_info *kd_context(kd_lint_ctx *ctx)
{
    struct kd_lint_priv *p = ctx->priv;
    if (ctx->dir == NULL)
        return NULL;
    if (p->context == NULL) {
        kd_context_info *c = kd_xcalloc(1, sizeof *c);
        c->dir = ctx->dir;
        /* BuildKit prefers NAME.dockerignore beside the Dockerfile NAME */
        kd_ctx_cache **cache = kd_linter_ctx_cache(p->linter);
        const char *base = strrchr(p->path, '/') ? strrchr(p->path, '/') + 1 : p->path;
        char *own = kd_asprintf("%s.dockerignore", p->path);
        char *text;
        size_t len;
        if (kd_dir_has_own_ignore(cache, ctx->dir, base) &&
            kd_read_file(own, &text, &len, NULL) == 0) {
            c->dockerignore = text;
            c->dockerignore_own = true;
        } else {
            c->dockerignore = kd_dir_dockerignore(cache, ctx->dir);
        }
        free(own);
        p->context = c;
    }
    return p->context;
}

const kd_context_size *kd_context_size_of(kd_lint_ctx *ctx)
{
    if (ctx->dir == NULL)
        return NULL;
    return kd_dir_size(kd_linter_ctx_cache(ctx->priv->linter), ctx->dir);
}

static df_vars autos = DF_VARS_INIT;

static void fill_auto_args(void)
{
    df_auto_args(&autos, NULL, NULL);
}

/* Computed once (they cost a uname() call) and kept for the process. */
const df_vars *kd_auto_args(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_auto_args);
    return &autos;
}

const df_vars *kd_global_values(const kd_lint_ctx *ctx)
{
    struct kd_lint_priv *p = ctx->priv;
    if (p->globals)
        return p->globals;
    df_scope sc;
    df_scope_init(&sc, ctx->file, NULL, kd_auto_args());
    for (size_t i = 0; i < ctx->stages->nglobal && i < ctx->file->ninstrs; i++)
        if (ctx->file->instrs[i].kind == DF_ARG)
            df_scope_apply(&sc, &ctx->file->instrs[i], NULL);
    p->globals = kd_xmalloc(sizeof *p->globals);
    *p->globals = (df_vars)DF_VARS_INIT;
    df_vars_copy(p->globals, &sc.globals);
    df_scope_free(&sc);
    return p->globals;
}
