/* Declarative rules: a JSON file of checks, each compiled once into PCRE2
 * code and run by one shared check function (decl_check). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "lint/decl.h"
#include "lint/input.h"
#include "lint/json.h"
#include "lint/lint.h"
#include "lint/shell_hook.h"
#include "util/fs.h"
#include "util/mem.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct decl_rule {
    kd_rule rule;               /* first: the engine sees &decl->rule */
    bool kinds[DF_KIND_COUNT + 1]; /* instruction kinds it applies to */
    pcre2_code *pattern;        /* on the arguments, or NULL */
    pcre2_code *command;        /* on each shell command, or NULL */
    pcre2_code *unless;         /* skip instructions it matches, or NULL */
    char *message;
    char *link;
} decl_rule;

struct kd_decl_set {
    char *path;
    decl_rule **v;
    const kd_rule **rules; /* &v[i]->rule, for kd_decl_rules */
    size_t n;
};

typedef struct loader {
    const char *path, *data;
    kd_error **err;
} loader;

static int at(loader *l, const kj_val *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int at(loader *l, const kj_val *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kd_verr_at(l->err, l->path, v->line, v->col, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- matching ------------------------------------------------------------ */

static bool match(const pcre2_code *re, const char *s, size_t n, size_t *lo, size_t *hi)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
    if (rc >= 0 && lo) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        *lo = ov[0];
        *hi = ov[1] >= ov[0] ? ov[1] : ov[0];
    }
    pcre2_match_data_free(md);
    return rc >= 0;
}

/* The logical line after the keyword: flags and arguments as written. */
static size_t args_start(const df_instr *in)
{
    size_t i = 0;
    while (i < in->logical_len && in->omap[i] < in->keyword_span.end.off)
        i++;
    while (i < in->logical_len && (in->logical[i] == ' ' || in->logical[i] == '\t'))
        i++;
    return i;
}

static void check_commands(kd_lint_ctx *ctx, const decl_rule *d, const df_instr *in)
{
    const sh_script *sh = kd_shell(ctx, in);
    if (sh == NULL)
        return; /* no analysis: command patterns cannot be decided */
    kd_shell_cmd *cmds;
    size_t n = kd_shell_hook_commands(sh, ctx->file, in, &cmds);
    for (size_t i = 0; i < n; i++)
        if (match(d->command, cmds[i].text, strlen(cmds[i].text), NULL, NULL))
            kd_report(ctx, &d->rule, kd_span(ctx, cmds[i].start, cmds[i].end), "%s",
                      d->message);
    kd_shell_cmds_free(cmds, n);
}

static void decl_check(kd_lint_ctx *ctx, const kd_rule *self)
{
    const decl_rule *d = (const decl_rule *)self->decl;
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));) {
        if (!d->kinds[in->kind])
            continue;
        size_t st = args_start(in), lo = 0, hi = in->logical_len - st;
        const char *text = in->logical + st;
        size_t n = in->logical_len - st;
        if (d->unless && match(d->unless, text, n, NULL, NULL))
            continue;
        if (d->pattern && !match(d->pattern, text, n, &lo, &hi))
            continue;
        if (d->command) {
            check_commands(ctx, d, in);
            continue;
        }
        kd_report(ctx, self, df_instr_span(ctx->file, in, st + lo, st + hi), "%s", d->message);
    }
}

/* ---- loading ------------------------------------------------------------- */

static const kj_val *str_member(loader *l, const kj_val *o, const char *key, bool required,
                                int *rc)
{
    const kj_val *v = kj_get(o, key);
    if (v == NULL) {
        if (required)
            *rc = at(l, o, "rule has no \"%s\"", key);
        return NULL;
    }
    if (v->type != KJ_STR || v->len == 0 || memchr(v->str, 0, v->len)) {
        *rc = at(l, v, "\"%s\" must be a non-empty string", key);
        return NULL;
    }
    return v;
}

static int compile(loader *l, const kj_val *v, pcre2_code **out)
{
    int code;
    PCRE2_SIZE off;
    *out = pcre2_compile((PCRE2_SPTR)v->str, v->len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                         &code, &off, NULL);
    if (*out == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        size_t src = kj_str_src_offset(l->data, v, off);
        return kd_err_at(l->err, l->path, v->line, v->col + (src - v->off),
                         "bad pattern: %s (at offset %zu of the pattern)", (const char *)msg,
                         (size_t)off);
    }
    pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE); /* a speed-up only; errors are harmless */
    return 0;
}

static int set_kind(loader *l, decl_rule *d, const kj_val *v)
{
    if (v->type != KJ_STR)
        return at(l, v, "an instruction must be a string such as \"RUN\"");
    if (strcmp(v->str, "*") == 0 || strcasecmp(v->str, "any") == 0) {
        for (int k = 0; k < DF_KIND_COUNT; k++)
            d->kinds[k] = true;
        return 0;
    }
    df_kind k = df_kind_from_word(v->str, v->len);
    if (k == DF_UNKNOWN)
        return at(l, v, "unknown instruction \"%s\"", v->str);
    d->kinds[k] = true;
    return 0;
}

static int read_kinds(loader *l, decl_rule *d, const kj_val *o)
{
    const kj_val *v = kj_get(o, "instruction");
    if (v == NULL) {
        for (int k = 0; k < DF_KIND_COUNT; k++)
            d->kinds[k] = true;
        return 0;
    }
    if (v->type != KJ_ARR)
        return set_kind(l, d, v);
    if (v->n == 0)
        return at(l, v, "\"instruction\" lists no instruction");
    for (size_t i = 0; i < v->n; i++)
        if (set_kind(l, d, &v->items[i]) < 0)
            return -1;
    return 0;
}

static bool valid_id(const char *s)
{
    if (!isalpha((unsigned char)s[0]) || strlen(s) > 64)
        return false;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
            return false;
    return true;
}

static bool reserved_id(const char *s)
{
    return (strncasecmp(s, "KD", 2) == 0 || strncasecmp(s, "DL", 2) == 0) &&
           isdigit((unsigned char)s[2]);
}

static const char *const known_keys[] = {"id", "name", "instruction", "pattern", "command",
                                         "unless", "message", "severity", "category", "link",
                                         "summary", NULL};

static int check_keys(loader *l, const kj_val *o)
{
    for (size_t i = 0; i < o->n; i++) {
        size_t k = 0;
        while (known_keys[k] && strcmp(known_keys[k], o->keys[i]) != 0)
            k++;
        if (known_keys[k] == NULL)
            return at(l, &o->items[i], "unknown key \"%s\" in a rule", o->keys[i]);
    }
    return 0;
}

static int read_enum(loader *l, const kj_val *o, const char *key, int *out)
{
    int rc = 0;
    const kj_val *v = str_member(l, o, key, false, &rc);
    if (v == NULL)
        return rc;
    if (strcmp(key, "severity") == 0) {
        *out = kd_severity_parse(v->str);
        if (*out <= 0)
            return at(l, v, "unknown severity \"%s\" (error, warning, info or style)", v->str);
        return 0;
    }
    static const char *const cats[] = {"cost", "correctness", "security", "maintainability"};
    for (int i = 0; i < 4; i++)
        if (strcmp(v->str, cats[i]) == 0) {
            *out = i;
            return 0;
        }
    return at(l, v, "unknown category \"%s\" (cost, correctness, security or maintainability)",
              v->str);
}

static int read_patterns(loader *l, decl_rule *d, const kj_val *o)
{
    int rc = 0;
    const kj_val *p = str_member(l, o, "pattern", false, &rc);
    const kj_val *c = rc == 0 ? str_member(l, o, "command", false, &rc) : NULL;
    const kj_val *u = rc == 0 ? str_member(l, o, "unless", false, &rc) : NULL;
    if (rc < 0)
        return -1;
    if (p == NULL && c == NULL)
        return at(l, o, "rule has neither \"pattern\" nor \"command\"");
    if ((p && compile(l, p, &d->pattern) < 0) || (c && compile(l, c, &d->command) < 0) ||
        (u && compile(l, u, &d->unless) < 0))
        return -1;
    return 0;
}

static char *dup_lower(const char *s)
{
    char *r = kd_xstrdup(s);
    for (char *c = r; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return r;
}

static int read_ident(loader *l, decl_rule *d, const kj_val *o)
{
    int rc = 0;
    const kj_val *id = str_member(l, o, "id", true, &rc);
    const kj_val *name = rc == 0 ? str_member(l, o, "name", false, &rc) : NULL;
    if (rc < 0)
        return -1;
    if (!valid_id(id->str))
        return at(l, id, "bad rule id \"%s\": letters, digits, '-', '_', '.'", id->str);
    if (reserved_id(id->str))
        return at(l, id, "rule id \"%s\": KDnnnn and DLnnnn ids are reserved", id->str);
    if (name && !valid_id(name->str))
        return at(l, name, "bad rule name \"%s\"", name->str);
    d->rule.id = kd_xstrdup(id->str);
    d->rule.name = name ? kd_xstrdup(name->str) : dup_lower(id->str);
    return 0;
}

static int read_text(loader *l, decl_rule *d, const kj_val *o)
{
    int rc = 0;
    const kj_val *msg = str_member(l, o, "message", true, &rc);
    const kj_val *link = rc == 0 ? str_member(l, o, "link", false, &rc) : NULL;
    const kj_val *sum = rc == 0 ? str_member(l, o, "summary", false, &rc) : NULL;
    if (rc < 0)
        return -1;
    d->message = kd_xstrdup(msg->str);
    d->link = link ? kd_xstrdup(link->str) : NULL;
    d->rule.summary = kd_xstrdup(sum ? sum->str : msg->str);
    return 0;
}

static void free_rule(decl_rule *d)
{
    free((char *)d->rule.id);
    free((char *)d->rule.name);
    free((char *)d->rule.summary);
    pcre2_code_free(d->pattern);
    pcre2_code_free(d->command);
    pcre2_code_free(d->unless);
    free(d->message);
    free(d->link);
    free(d);
}

static int read_rule(loader *l, const kj_val *o, decl_rule **out)
{
    if (o->type != KJ_OBJ)
        return at(l, o, "a rule must be an object");
    decl_rule *d = kd_xcalloc(1, sizeof *d);
    int sev = KD_SEV_WARNING, cat = KD_CAT_MAINTAINABILITY;
    if (check_keys(l, o) < 0 || read_ident(l, d, o) < 0 || read_text(l, d, o) < 0 ||
        read_kinds(l, d, o) < 0 || read_patterns(l, d, o) < 0 ||
        read_enum(l, o, "severity", &sev) < 0 || read_enum(l, o, "category", &cat) < 0) {
        free_rule(d);
        return -1;
    }
    d->rule.severity = (kd_severity)sev;
    d->rule.category = (kd_category)cat;
    d->rule.check = decl_check;
    d->rule.decl = d;
    *out = d;
    return 0;
}

static int read_set(loader *l, const kj_val *root, kd_decl_set *s)
{
    const kj_val *list = root;
    if (root->type == KJ_OBJ) {
        for (size_t i = 0; i < root->n; i++)
            if (strcmp(root->keys[i], "rules") != 0)
                return at(l, &root->items[i], "unknown key \"%s\" (expected \"rules\")",
                          root->keys[i]);
        list = kj_get(root, "rules");
        if (list == NULL)
            return at(l, root, "no \"rules\" list");
    }
    if (list->type != KJ_ARR)
        return at(l, list, "expected a list of rules");
    s->v = kd_xcalloc(list->n + 1, sizeof *s->v);
    s->rules = kd_xcalloc(list->n + 1, sizeof *s->rules);
    for (size_t i = 0; i < list->n; i++) {
        if (read_rule(l, &list->items[i], &s->v[i]) < 0)
            return -1;
        s->rules[i] = &s->v[i]->rule;
        s->n++;
        for (size_t k = 0; k < i; k++)
            if (strcasecmp(s->v[k]->rule.id, s->v[i]->rule.id) == 0 ||
                strcasecmp(s->v[k]->rule.name, s->v[i]->rule.name) == 0)
                return at(l, &list->items[i], "rule \"%s\" is defined twice",
                          s->v[i]->rule.id);
    }
    return 0;
}

int kd_decl_parse(const char *path, const char *data, size_t len, kd_decl_set **out,
                  kd_error **err)
{
    kj_val *root;
    if (kj_parse(path, data, len, &root, err) < 0)
        return -1;
    loader l = {path, data, err};
    kd_decl_set *s = kd_xcalloc(1, sizeof *s);
    s->path = kd_xstrdup(path);
    int rc = read_set(&l, root, s);
    kj_free(root);
    if (rc < 0) {
        kd_decl_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int kd_decl_load(const char *path, kd_decl_set **out, kd_error **err)
{
    char *data;
    size_t len;
    if (kd_read_input(path, &data, &len, err) < 0)
        return -1;
    int rc = kd_decl_parse(path, data, len, out, err);
    free(data);
    return rc;
}

void kd_decl_free(kd_decl_set *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        free_rule(s->v[i]);
    free(s->v);
    free(s->rules);
    free(s->path);
    free(s);
}

size_t kd_decl_rules(const kd_decl_set *s, const kd_rule *const **out)
{
    *out = s->rules;
    return s->n;
}

const char *kd_decl_link(const kd_rule *r)
{
    return r->decl ? ((const decl_rule *)r->decl)->link : NULL;
}
