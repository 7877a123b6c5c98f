/* KD2104 undefined-var (BuildKit UndefinedVar): an instruction that
 * Docker expands (COPY, ADD, ENV, ARG, LABEL, WORKDIR, USER, EXPOSE,
 * VOLUME, STOPSIGNAL) uses a variable that no ARG or ENV before it sets.
 * The base image's own environment is not in the Dockerfile, so the rule
 * only speaks for stages built on an image whose environment it knows
 * (scratch and the official images listed below); elsewhere it is silent
 * rather than guess. */
#include "rules/util.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *repo, *env;
} known[] = {
    {"scratch", ""},
    {"alpine", "PATH"}, {"busybox", "PATH"}, {"debian", "PATH"}, {"ubuntu", "PATH"},
    {"node", "PATH NODE_VERSION YARN_VERSION"},
    {"python", "PATH LANG GPG_KEY PYTHON_VERSION PYTHON_SHA256 PYTHON_PIP_VERSION "
               "PYTHON_SETUPTOOLS_VERSION PYTHON_GET_PIP_URL PYTHON_GET_PIP_SHA256"},
    {"golang", "PATH GOLANG_VERSION GOPATH GOTOOLCHAIN"},
    {"ruby", "PATH LANG RUBY_MAJOR RUBY_VERSION RUBY_DOWNLOAD_SHA256 RUBY_DOWNLOAD_URL GEM_HOME "
             "BUNDLE_SILENCE_ROOT_WARNING BUNDLE_APP_CONFIG"},
    {"nginx", "PATH NGINX_VERSION NJS_VERSION NJS_RELEASE PKG_RELEASE DYNPKG_RELEASE"},
    {"php", "PATH PHPIZE_DEPS PHP_INI_DIR APACHE_CONFDIR APACHE_ENVVARS PHP_CFLAGS "
            "PHP_CPPFLAGS PHP_LDFLAGS GPG_KEYS PHP_VERSION PHP_URL PHP_ASC_URL PHP_SHA256"},
    {"eclipse-temurin", "PATH JAVA_HOME LANG LANGUAGE LC_ALL JAVA_VERSION"},
    {"openjdk", "PATH JAVA_HOME LANG LANGUAGE LC_ALL JAVA_VERSION"},
    {"rust", "PATH RUSTUP_HOME CARGO_HOME RUST_VERSION"},
};

/* Set by the runtime or the shell; never worth a finding. */
static const char always[] = " HOME HOSTNAME TERM PWD SHELL USER ";

/* The known environment of the image at the root of stage st's FROM
 * chain, or NULL when unknown. */
static const char *root_env(const kd_lint_ctx *ctx, size_t st)
{
    size_t parent;
    for (size_t guard = 0; kd_stage_from_stage(ctx, st, &parent) && guard < ctx->stages->n; guard++)
        st = parent;
    char *image = kd_stage_image(ctx, st);
    const char *env = NULL;
    kd_imgref r;
    if (image && strcmp(image, "scratch") == 0)
        env = "";
    else if (image && kd_image_parse(image, &r)) {
        for (size_t i = 0; r.official && i < sizeof known / sizeof known[0]; i++)
            if (strcmp(known[i].repo, r.repo) == 0)
                env = known[i].env;
        kd_image_free(&r);
    }
    free(image);
    return env;
}

static bool in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

typedef struct walk_state {
    size_t stage;
    const char *env;  /* of the current stage, NULL: unknown base */
    df_vars declared; /* ARG names of the stage, with or without a value */
} walk_state;

static void check_word(kd_lint_ctx *ctx, const kd_rule *self, const df_scope *sc,
                       const df_word *w, const walk_state *ws)
{
    if (!kd_has_var(w->text))
        return;
    df_lex_opts o = {.escape = ctx->file->escape};
    df_expansion e;
    if (df_expand(&o, w->text, w->len, &sc->env, &e, NULL) < 0)
        return;
    for (size_t i = 0; i < e.nunmatched; i++)
        if (!in_list(ws->env, e.unmatched[i]) && !in_list(always, e.unmatched[i]) &&
            !df_vars_get(&ws->declared, e.unmatched[i], strlen(e.unmatched[i])) &&
            kd_var_used_plainly(w->text, e.unmatched[i]))
            kd_report(ctx, self, w->span,
                      "'%s' is not defined: no ARG or ENV sets it before this line, so it "
                      "expands to nothing", e.unmatched[i]);
    df_expansion_free(&e);
}

static bool expanded(df_kind k)
{
    return k == DF_COPY || k == DF_ADD || k == DF_ENV || k == DF_ARG || k == DF_LABEL ||
           k == DF_WORKDIR || k == DF_USER || k == DF_EXPOSE || k == DF_VOLUME ||
           k == DF_STOPSIGNAL;
}

static void visit(kd_lint_ctx *ctx, const kd_rule *self, const df_scope *sc, const df_instr *in,
                  size_t st, void *arg)
{
    walk_state *ws = arg;
    if (st == (size_t)-1 || !expanded(in->kind))
        return;
    if (st != ws->stage) {
        ws->stage = st;
        ws->env = root_env(ctx, st);
        df_vars_free(&ws->declared);
    }
    if (ws->env == NULL)
        return;
    if (in->kind == DF_ARG) /* declared from here on, even without a value */
        for (size_t i = 0; i < in->nargs; i++)
            df_vars_setn(&ws->declared, in->args[i].text, strcspn(in->args[i].text, "="), "", 0);
    for (size_t i = 0; i < in->nargs; i++) {
        bool is_key = (in->kind == DF_ENV || in->kind == DF_LABEL) && i % 3 != 1;
        if (is_key)
            continue;
        df_word w = in->args[i];
        if (in->kind == DF_ARG) { /* only the default value is expanded */
            const char *eq = strchr(w.text, '=');
            if (eq == NULL)
                continue;
            w.len -= (size_t)(eq + 1 - w.text);
            w.text = (char *)eq + 1;
        }
        check_word(ctx, self, sc, &w, ws);
    }
}

/* Whether some instruction Docker expands holds a variable: without one
 * the (costly) scope walk cannot find anything. */
static bool candidate(const kd_lint_ctx *ctx)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, KD_ANY));)
        for (size_t i = 0; expanded(in->kind) && i < in->nargs; i++)
            if (kd_has_var(in->args[i].text))
                return true;
    return false;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    if (!candidate(ctx))
        return;
    walk_state ws = {(size_t)-1, NULL, DF_VARS_INIT};
    kd_walk_scope(ctx, self, visit, &ws);
    df_vars_free(&ws.declared);
}

KD_RULE(KD2104) = {
    .id = "KD2104",
    .name = "undefined-var",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .buildkit = "UndefinedVar",
    .summary = "A variable used before any ARG or ENV sets it",
    .check = check,
};
