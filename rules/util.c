/* Helpers shared by the built-in rules (see rules/util.h). */
#include "rules/util.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool kd_has_var(const char *s)
{
    return strchr(s, '$') != NULL;
}

bool kd_is_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0 ||
           strncasecmp(s, "git@", 4) == 0 || strstr(s, "://") != NULL;
}

bool kd_is_archive(const char *s)
{
    static const char *const ext[] = {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2",
                                      ".tb2", ".tar.xz", ".txz", ".tar.lz", ".tar.lzma",
                                      ".tlz", ".tar.z", ".tz", ".tar.zst", ".gz", ".bz2",
                                      ".xz", ".lzma", ".z", ".zst", NULL};
    size_t n = strlen(s);
    for (size_t i = 0; ext[i]; i++) {
        size_t k = strlen(ext[i]);
        if (n > k && strcasecmp(s + n - k, ext[i]) == 0)
            return true;
    }
    return false;
}

bool kd_is_lower(const char *s)
{
    for (; *s; s++)
        if (isupper((unsigned char)*s))
            return false;
    return true;
}

bool kd_is_upper(const char *s)
{
    for (; *s; s++)
        if (islower((unsigned char)*s))
            return false;
    return true;
}

bool kd_icontains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

bool kd_image_parse(const char *s, kd_imgref *out)
{
    memset(out, 0, sizeof *out);
    if (*s == '\0' || kd_has_var(s) || strchr(s, ' '))
        return false;
    const char *at = strchr(s, '@');
    size_t name_len = at ? (size_t)(at - s) : strlen(s);
    /* a tag is a ':' after the last '/' */
    const char *slash = memrchr(s, '/', name_len);
    const char *colon = memchr(slash ? slash : s, ':', name_len - (size_t)((slash ? slash : s) - s));
    size_t repo_end = colon ? (size_t)(colon - s) : name_len;
    if (repo_end == 0)
        return false;
    const char *first = memchr(s, '/', repo_end);
    size_t skip = 0;
    if (first) {
        size_t n = (size_t)(first - s);
        if (memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !strncmp(s, "localhost", 9))) {
            out->registry = kd_xstrndup(s, n);
            skip = n + 1;
        }
    }
    if (out->registry == NULL)
        out->registry = kd_xstrdup("docker.io");
    const char *repo = s + skip;
    size_t rlen = repo_end - skip;
    bool hub = strcmp(out->registry, "docker.io") == 0 || strcmp(out->registry, "index.docker.io") == 0;
    if (hub && rlen > 8 && strncmp(repo, "library/", 8) == 0) {
        repo += 8;
        rlen -= 8;
    }
    out->repo = kd_xstrndup(repo, rlen);
    out->official = hub && memchr(repo, '/', rlen) == NULL;
    if (colon)
        out->tag = kd_xstrndup(colon + 1, name_len - repo_end - 1);
    if (at)
        out->digest = kd_xstrdup(at + 1);
    return true;
}

void kd_image_free(kd_imgref *r)
{
    free(r->registry);
    free(r->repo);
    free(r->tag);
    free(r->digest);
    memset(r, 0, sizeof *r);
}

bool kd_stage_from_stage(const kd_lint_ctx *ctx, size_t st, size_t *parent)
{
    const df_stage *s = &ctx->stages->v[st];
    if (s->image == NULL)
        return false;
    ssize_t k = df_stages_lookup(ctx->stages, s->image->text, st);
    if (k < 0)
        return false;
    if (parent)
        *parent = (size_t)k;
    return true;
}

bool kd_from_has_var(const kd_lint_ctx *ctx)
{
    for (size_t st = 0; st < ctx->stages->n; st++) {
        const df_stage *s = &ctx->stages->v[st];
        if ((s->image && kd_has_var(s->image->text)) ||
            (s->platform && s->platform->value && kd_has_var(s->platform->value)))
            return true;
    }
    return false;
}

void kd_global_names(const kd_lint_ctx *ctx, df_vars *names)
{
    df_vars_copy(names, kd_auto_args());
    for (size_t i = 0; i < ctx->stages->nglobal && i < ctx->file->ninstrs; i++) {
        const df_instr *in = &ctx->file->instrs[i];
        for (size_t k = 0; in->kind == DF_ARG && k < in->nargs; k++)
            df_vars_setn(names, in->args[k].text, strcspn(in->args[k].text, "="), "", 0);
    }
}

/* Docker's reference grammar, loosely: lowercase path components of
 * [a-z0-9] joined by '.', '_', '__' or '-', an optional tag and digest. */
static bool path_component(const char *s, size_t n)
{
    if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '.' ||
              s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

bool kd_image_valid(const char *s)
{
    kd_imgref r;
    if (!kd_image_parse(s, &r))
        return false;
    bool ok = true;
    for (const char *p = r.repo; ok && *p;) {
        size_t n = strcspn(p, "/");
        ok = path_component(p, n);
        p += n;
        if (*p == '/' && *++p == '\0')
            ok = false;
    }
    if (ok && r.tag) {
        size_t n = strlen(r.tag);
        ok = n > 0 && n <= 128 && (isalnum((unsigned char)r.tag[0]) || r.tag[0] == '_');
        for (size_t i = 0; ok && i < n; i++)
            ok = isalnum((unsigned char)r.tag[i]) || strchr("_.-", r.tag[i]);
    }
    if (ok && r.digest)
        ok = strchr(r.digest, ':') != NULL && strlen(r.digest) > 8;
    kd_image_free(&r);
    return ok;
}

char *kd_stage_image(const kd_lint_ctx *ctx, size_t st)
{
    const df_stage *s = &ctx->stages->v[st];
    if (s->image == NULL)
        return NULL;
    if (!kd_has_var(s->image->text))
        return kd_xstrdup(s->image->text);
    df_lex_opts o = {.escape = ctx->file->escape};
    df_expansion e;
    char *r = NULL;
    if (df_expand(&o, s->image->text, s->image->len, kd_global_values(ctx), &e, NULL) == 0) {
        if (e.nunmatched == 0 && e.word[0]) {
            r = e.word;
            e.word = NULL;
        }
        df_expansion_free(&e);
    }
    return r;
}

void kd_report_overridden(kd_lint_ctx *ctx, const kd_rule *self, df_kind kind)
{
    for (size_t st = 0; st < ctx->stages->n; st++) {
        const df_instr *prev = NULL;
        for (const df_instr *in = NULL; (in = kd_stage_next(ctx, st, in, kind)); prev = in)
            if (prev)
                kd_report(ctx, self, kd_span_first_line(ctx, prev),
                          "only the last %s of a stage counts: this one is overridden by the "
                          "one at line %u",
                          df_kind_name(kind), in->start_line);
    }
}

bool kd_stage_chain_has(const kd_lint_ctx *ctx, size_t st, bool (*pred)(const df_instr *),
                        size_t before)
{
    for (size_t guard = 0; guard <= ctx->stages->n; guard++) {
        const df_stage *s = &ctx->stages->v[st];
        for (size_t i = s->from; i < s->end && i < before; i++)
            if (pred(&ctx->file->instrs[i]))
                return true;
        size_t parent;
        if (!kd_stage_from_stage(ctx, st, &parent))
            return false;
        st = parent;
        before = SIZE_MAX;
    }
    return false;
}

void kd_walk_scope(kd_lint_ctx *ctx, const kd_rule *self, kd_scope_visit visit, void *arg)
{
    const df_file *f = ctx->file;
    const df_stages *stg = ctx->stages;
    df_vars *ends = kd_xcalloc(stg->n + 1, sizeof *ends); /* each stage's final env */
    df_scope sc;
    df_scope_init(&sc, f, NULL, NULL);
    for (size_t i = 0; i < stg->nglobal && i < f->ninstrs; i++) {
        visit(ctx, self, &sc, &f->instrs[i], (size_t)-1, arg);
        df_scope_apply(&sc, &f->instrs[i], NULL);
    }
    for (size_t st = 0; st < stg->n; st++) {
        size_t parent;
        df_scope_enter_stage(&sc, kd_stage_from_stage(ctx, st, &parent) ? &ends[parent] : NULL);
        for (size_t i = stg->v[st].from; i < stg->v[st].end; i++) {
            visit(ctx, self, &sc, &f->instrs[i], st, arg);
            df_scope_apply(&sc, &f->instrs[i], NULL);
        }
        df_vars_copy(&ends[st], &sc.env);
    }
    for (size_t st = 0; st < stg->n; st++)
        df_vars_free(&ends[st]);
    free(ends);
    df_scope_free(&sc);
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

bool kd_var_used_plainly(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
        if (strncmp(p + 1, name, n) == 0 && !ident_char(p[1 + n]))
            return true;
        if (p[1] == '{' && strncmp(p + 2, name, n) == 0) {
            const char *m = p + 2 + n;
            if (*m == ':')
                m++;
            if (*m != '-' && *m != '+' && *m != '?' && !ident_char(*m))
                return true;
        }
    }
    return false;
}

size_t kd_rest_offset(const df_instr *in)
{
    size_t i = 0;
    while (i < in->logical_len && in->omap[i] < in->keyword_span.end.off)
        i++;
    if (in->rest.len <= in->logical_len - i) {
        const char *hit = memmem(in->logical + i, in->logical_len - i, in->rest.text, in->rest.len);
        if (hit)
            return (size_t)(hit - in->logical);
    }
    return i;
}

void kd_each_base_image(kd_lint_ctx *ctx, const kd_rule *self, kd_base_fn fn)
{
    for (size_t st = 0; st < ctx->stages->n; st++) {
        if (kd_stage_from_stage(ctx, st, NULL))
            continue;
        char *image = kd_stage_image(ctx, st);
        kd_imgref r;
        if (image && strcmp(image, "scratch") != 0 && kd_image_parse(image, &r)) {
            fn(ctx, self, st, image, &r);
            kd_image_free(&r);
        }
        free(image);
    }
}
