#include "dockerfile/scope.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static int at_err(kd_error **err, const df_file *f, df_pos p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int at_err(kd_error **err, const df_file *f, df_pos p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = kd_vasprintf(fmt, ap);
    va_end(ap);
    kd_err(err, 0, "%s:%u:%u: %s", f->path, p.line, p.col, msg);
    if (err && *err)
        (*err)->status = 2;
    free(msg);
    return -1;
}

/* ---- stages ------------------------------------------------------------- */

static bool valid_stage_name(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
              *s == '.'))
            return false;
    return true;
}

int df_stages_find(const df_file *f, df_stages *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        if (in->kind != DF_FROM) {
            if (out->n == 0 && in->kind != DF_ARG) {
                df_stages_free(out);
                return at_err(err, f, in->keyword_span.start,
                              "%s comes before the first FROM; only ARG may", in->keyword);
            }
            if (out->n == 0)
                out->nglobal = i + 1;
            continue;
        }
        if (in->nargs != 1 && !(in->nargs == 3 && strcasecmp(in->args[1].text, "as") == 0)) {
            df_stages_free(out);
            return at_err(err, f, in->keyword_span.start,
                          "FROM takes an image and optionally AS and a stage name "
                          "(FROM image [AS name])");
        }
        KD_GROW(out->v, cap, out->n + 1);
        df_stage *st = &out->v[out->n++];
        memset(st, 0, sizeof *st);
        st->from = i;
        st->image = &in->args[0];
        st->platform = df_instr_flag(in, "platform");
        if (out->n > 1)
            out->v[out->n - 2].end = i;
        if (in->nargs == 3) {
            char *name = kd_xstrdup(in->args[2].text);
            for (char *c = name; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            if (!valid_stage_name(name)) {
                free(name);
                df_stages_free(out);
                return at_err(err, f, in->args[2].span.start,
                              "invalid stage name \"%s\": it must start with a letter and hold "
                              "only letters, digits, '-', '_' and '.'",
                              in->args[2].text);
            }
            if (df_stages_lookup(out, name, out->n - 1) >= 0) {
                df_stages_free(out);
                int rc = at_err(err, f, in->args[2].span.start,
                                "duplicate stage name \"%s\"", name);
                free(name);
                return rc;
            }
            st->name = name;
        }
    }
    if (out->n == 0) {
        df_stages_free(out);
        df_pos p = {0, 1, 1};
        return at_err(err, f, f->ninstrs ? f->instrs[0].keyword_span.start : p,
                      "no FROM instruction: a Dockerfile needs at least one stage");
    }
    out->v[out->n - 1].end = f->ninstrs;
    return 0;
}

void df_stages_free(df_stages *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].name);
    free(s->v);
    memset(s, 0, sizeof *s);
}

ssize_t df_stages_lookup(const df_stages *s, const char *name, size_t before)
{
    if (before > s->n)
        before = s->n;
    for (size_t i = 0; i < before; i++)
        if (s->v[i].name && strcasecmp(s->v[i].name, name) == 0)
            return (ssize_t)i;
    char *end;
    long idx = strtol(name, &end, 10);
    if (*name && *end == '\0' && idx >= 0 && (size_t)idx < before)
        return idx;
    return -1;
}

/* ---- platform arguments ------------------------------------------------- */

static void host_platform(char *buf, size_t n)
{
    struct utsname u;
    const char *arch = "amd64";
    if (uname(&u) == 0) {
        if (strcmp(u.machine, "aarch64") == 0 || strcmp(u.machine, "arm64") == 0)
            arch = "arm64";
        else if (strncmp(u.machine, "armv7", 5) == 0)
            arch = "arm/v7";
        else if (strncmp(u.machine, "armv6", 5) == 0)
            arch = "arm/v6";
        else if (strcmp(u.machine, "i686") == 0 || strcmp(u.machine, "i386") == 0)
            arch = "386";
        else if (strcmp(u.machine, "ppc64le") == 0 || strcmp(u.machine, "s390x") == 0 ||
                 strcmp(u.machine, "riscv64") == 0)
            arch = u.machine;
    }
    snprintf(buf, n, "linux/%.40s", arch);
}

/* Sets NAME (prefix + NAME) to the text of a before its end or the next '/'
 * and returns what follows the '/' (or the end). */
static const char *set_part(df_vars *out, const char *prefix, const char *name, const char *a)
{
    char key[32];
    const char *e = strchr(a, '/');
    size_t n = e ? (size_t)(e - a) : strlen(a);
    snprintf(key, sizeof key, "%s%s", prefix, name);
    df_vars_setn(out, key, strlen(key), a, n);
    return e ? e + 1 : a + n;
}

static void set_platform(df_vars *out, const char *prefix, const char *platform)
{
    char key[32];
    snprintf(key, sizeof key, "%sPLATFORM", prefix);
    df_vars_set(out, key, platform);
    const char *rest = set_part(out, prefix, "OS", platform);
    rest = set_part(out, prefix, "ARCH", rest);
    set_part(out, prefix, "VARIANT", rest);
}

void df_auto_args(df_vars *out, const char *target_platform, const char *build_platform)
{
    char host[64];
    host_platform(host, sizeof host);
    set_platform(out, "BUILD", build_platform ? build_platform : host);
    set_platform(out, "TARGET", target_platform ? target_platform : host);
}

/* ---- scope -------------------------------------------------------------- */

void df_scope_init(df_scope *s, const df_file *f, const df_vars *build_args,
                   const df_vars *auto_args)
{
    memset(s, 0, sizeof *s);
    s->f = f;
    if (build_args)
        df_vars_copy(&s->build_args, build_args);
    if (auto_args) {
        df_vars_copy(&s->auto_args, auto_args);
        df_vars_copy(&s->globals, auto_args);
    }
}

void df_scope_free(df_scope *s)
{
    df_vars_free(&s->build_args);
    df_vars_free(&s->auto_args);
    df_vars_free(&s->globals);
    df_vars_free(&s->global_names);
    df_vars_free(&s->env);
    df_vars_free(&s->config_env);
    df_vars_free(&s->stage_args);
    df_vars_free(&s->used_build_args);
}

void df_scope_enter_stage(df_scope *s, const df_vars *image_env)
{
    df_vars_free(&s->env);
    df_vars_free(&s->config_env);
    df_vars_free(&s->stage_args);
    if (image_env) {
        df_vars_copy(&s->env, image_env);
        df_vars_copy(&s->config_env, image_env);
    }
    s->in_stage = true;
}

static int expand_text(const df_scope *s, const char *text, size_t len, df_pos at,
                       df_expansion *out, kd_error **err)
{
    df_lex_opts o = {.escape = s->f->escape};
    kd_error *e = NULL;
    if (df_expand(&o, text, len, s->in_stage ? &s->env : &s->globals, out, &e) < 0) {
        at_err(err, s->f, at, "%s", e->msg);
        kd_error_free(e);
        return -1;
    }
    return 0;
}

int df_scope_expand(const df_scope *s, const df_instr *in, const df_word *w, df_expansion *out,
                    kd_error **err)
{
    (void)in;
    return expand_text(s, w->text, w->len, w->span.start, out, err);
}

char *df_scope_word(const df_scope *s, const df_instr *in, const df_word *w, kd_error **err)
{
    df_expansion e;
    if (df_scope_expand(s, in, w, &e, err) < 0)
        return NULL;
    char *r = e.word;
    e.word = NULL;
    df_expansion_free(&e);
    return r;
}

static char *expand_part(const df_scope *s, const char *text, size_t len, df_pos at,
                         kd_error **err)
{
    df_expansion e;
    if (expand_text(s, text, len, at, &e, err) < 0)
        return NULL;
    char *r = e.word;
    e.word = NULL;
    df_expansion_free(&e);
    return r;
}

static int apply_arg(df_scope *s, const df_word *w, kd_error **err)
{
    const char *eq = memchr(w->text, '=', w->len);
    size_t klen = eq ? (size_t)(eq - w->text) : w->len;
    if (klen == 0)
        return at_err(err, s->f, w->span.start, "ARG names cannot be blank");
    char *key;
    char *def = NULL;
    if (s->in_stage) { /* BuildKit expands a stage ARG's name too */
        key = expand_part(s, w->text, klen, w->span.start, err);
        if (key == NULL)
            return -1;
    } else {
        key = kd_xmemdup0(w->text, klen);
    }
    if (eq) {
        def = expand_part(s, eq + 1, w->len - klen - 1, w->span.start, err);
        if (def == NULL) {
            free(key);
            return -1;
        }
    }
    const char *value = df_vars_get(&s->build_args, key, strlen(key));
    if (value)
        df_vars_set(&s->used_build_args, key, value);
    else if (def)
        value = def;
    else if (s->in_stage)
        value = df_vars_get(&s->globals, key, strlen(key));

    if (!s->in_stage) {
        df_vars_set(&s->global_names, key, "");
        if (value)
            df_vars_set(&s->globals, key, value);
    } else if (value) {
        df_vars_set(&s->env, key, value);
        df_vars_set(&s->stage_args, key, value);
    }
    free(key);
    free(def);
    return 0;
}

static int apply_env(df_scope *s, const df_instr *in, kd_error **err)
{
    /* every pair is expanded with the environment from before the
     * instruction: ENV A=1 B=$A gives B the old A */
    size_t npairs = in->nargs / 3;
    char **keys = kd_xcalloc(npairs + 1, sizeof *keys);
    char **vals = kd_xcalloc(npairs + 1, sizeof *vals);
    int rc = 0;
    for (size_t i = 0; i < npairs && rc == 0; i++) {
        const df_word *k = &in->args[3 * i], *v = &in->args[3 * i + 1];
        keys[i] = expand_part(s, k->text, k->len, k->span.start, err);
        vals[i] = keys[i] ? expand_part(s, v->text, v->len, v->span.start, err) : NULL;
        if (keys[i] == NULL || vals[i] == NULL)
            rc = -1;
        else if (keys[i][0] == '\0')
            rc = at_err(err, s->f, k->span.start, "ENV names cannot be blank");
    }
    for (size_t i = 0; i < npairs && rc == 0; i++) {
        df_vars_set(&s->env, keys[i], vals[i]);
        df_vars_set(&s->config_env, keys[i], vals[i]);
    }
    for (size_t i = 0; i < npairs; i++) {
        free(keys[i]);
        free(vals[i]);
    }
    free(keys);
    free(vals);
    return rc;
}

int df_scope_apply(df_scope *s, const df_instr *in, kd_error **err)
{
    if (in->kind == DF_ARG) {
        for (size_t i = 0; i < in->nargs; i++)
            if (apply_arg(s, &in->args[i], err) < 0)
                return -1;
        return 0;
    }
    if (in->kind == DF_ENV) {
        if (!s->in_stage)
            return at_err(err, s->f, in->keyword_span.start, "ENV comes before the first FROM");
        return apply_env(s, in, err);
    }
    return 0;
}
