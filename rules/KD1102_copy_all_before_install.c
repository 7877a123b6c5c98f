/* KD1102 copy-all-before-install: a COPY of the whole build context
 * (COPY . .) followed, later in the same stage, by a RUN that installs the
 * project's dependencies. Any edit to any file then invalidates the
 * install's cache. Conservative: only installs that read a lock or
 * manifest file count (npm ci/install, yarn [install], pnpm install,
 * pip install -r, poetry/pipenv/uv, bundle, composer, go mod download,
 * dotnet restore, mvn dependency:go-offline, cargo fetch), found by one
 * PCRE2 pattern on the RUN text (compiled once). The shell analysis, once
 * merged, can replace the pattern; the pattern is documented in
 * docs/rules/KD1102.md. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rules/util.h"

#include <pcre2.h>
#include <string.h>

static const char install_re[] =
    "(?:^|[;&|(`]|\\$\\(|\\bthen\\b|\\bdo\\b)\\s*(?:sudo\\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\\S*\\s+)*"
    "(npm\\s+(?:ci|install|i)\\b(?![^;&|]*\\s(?:-g|--global)\\b)"
    "|yarn(?:\\s+install)?(?=\\s*(?:$|[;&|)]|\\s--))"
    "|pnpm\\s+(?:install|i)\\b"
    "|(?:python3?\\s+-m\\s+)?pip3?\\s+install\\b[^;&|]*\\s(?:-r|--requirement)\\b"
    "|poetry\\s+install\\b|pipenv\\s+(?:install|sync)\\b|uv\\s+sync\\b"
    "|bundle\\s+install\\b|composer\\s+install\\b|go\\s+mod\\s+download\\b"
    "|dotnet\\s+restore\\b|mvn\\b[^;&|]*\\bdependency:(?:go-offline|resolve)\\b"
    "|cargo\\s+fetch\\b)";

static const struct {
    const char *tool, *files;
} lock_files[] = {
    {"npm", "package.json and package-lock.json"}, {"yarn", "package.json and yarn.lock"},
    {"pnpm", "package.json and pnpm-lock.yaml"},   {"pip", "the requirements file"},
    {"python", "the requirements file"},           {"poetry", "pyproject.toml and poetry.lock"},
    {"pipenv", "Pipfile and Pipfile.lock"},        {"uv", "pyproject.toml and uv.lock"},
    {"bundle", "Gemfile and Gemfile.lock"},        {"composer", "composer.json and composer.lock"},
    {"go", "go.mod and go.sum"},                   {"dotnet", "the project files (*.csproj)"},
    {"mvn", "pom.xml"},                            {"cargo", "Cargo.toml and Cargo.lock"},
};

static pcre2_code *install_code(void)
{
    static pcre2_code *re; /* compiled once for the process */
    if (re == NULL) {
        int e;
        PCRE2_SIZE off;
        re = pcre2_compile((PCRE2_SPTR)install_re, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &e,
                           &off, NULL);
        if (re)
            pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    }
    return re;
}

/* The install command in text: its offset and length, or false. */
static bool find_install(const char *text, size_t n, size_t *lo, size_t *hi)
{
    pcre2_code *re = install_code();
    if (re == NULL)
        return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)text, n, 0, 0, md, NULL);
    if (rc >= 2) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        *lo = ov[2];
        *hi = ov[3];
    }
    pcre2_match_data_free(md);
    return rc >= 2;
}

static bool is_wide(const df_instr *in)
{
    if ((in->kind != DF_COPY && in->kind != DF_ADD) || df_instr_flag(in, "from"))
        return false;
    for (size_t i = 0; i + 1 < in->nargs; i++) {
        const char *s = in->args[i].text;
        if (!strcmp(s, ".") || !strcmp(s, "./") || !strcmp(s, "*") || !strcmp(s, "./*"))
            return true;
    }
    return false;
}

static const char *files_for(const char *cmd)
{
    for (size_t i = 0; i < sizeof lock_files / sizeof lock_files[0]; i++)
        if (strncmp(cmd, lock_files[i].tool, strlen(lock_files[i].tool)) == 0)
            return lock_files[i].files;
    return "the dependency manifest";
}

/* The first dependency install of a RUN: its text (rest or heredoc). */
static bool run_installs(const df_instr *in, char *cmd, size_t cap)
{
    size_t lo, hi;
    const char *t = in->rest.text;
    bool found = find_install(t, in->rest.len, &lo, &hi);
    for (size_t h = 0; !found && h < in->nheredocs; h++) {
        t = in->heredocs[h].content;
        found = find_install(t, in->heredocs[h].content_len, &lo, &hi);
    }
    if (found) {
        size_t n = hi - lo < cap - 1 ? hi - lo : cap - 1;
        memcpy(cmd, t + lo, n);
        cmd[n] = '\0';
        for (char *c = cmd; *c; c++) /* one line in the message */
            if (*c == '\n' || *c == '\t')
                *c = ' ';
    }
    return found;
}

static void check_stage(kd_lint_ctx *ctx, const kd_rule *self, size_t st)
{
    const df_instr *wide = NULL;
    for (const df_instr *in = NULL; (in = kd_stage_next(ctx, st, in, KD_ANY));) {
        if (wide == NULL && is_wide(in))
            wide = in;
        char cmd[64];
        if (wide == NULL || in->kind != DF_RUN || in->json || !run_installs(in, cmd, sizeof cmd))
            continue;
        kd_report(ctx, self, kd_span_first_line(ctx, wide),
                  "the whole build context is copied before `%s` (line %u): any change to "
                  "any file re-runs the install, typically tens of seconds to minutes per "
                  "build; copy %s first, install, then copy the rest",
                  cmd, in->start_line, files_for(cmd));
        return;
    }
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (size_t st = 0; st < ctx->stages->n; st++)
        check_stage(ctx, self, st);
}

KD_RULE(KD1102) = {
    .id = "KD1102",
    .name = "copy-all-before-install",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .summary = "The whole build context is copied before the dependency install",
    .check = check,
};
