/* KD1102 copy-all-before-install: a COPY of the whole build context
 * (COPY . .) followed, later in the same stage, by a RUN that installs the
 * project's dependencies. Any edit to any file then invalidates the
 * install's cache. Conservative: only installs that read a lock or
 * manifest file count (npm ci, npm install without package names, yarn
 * [install], pnpm install, pip install -r, poetry/pipenv/uv, bundle,
 * composer, go mod download, dotnet restore, mvn dependency:go-offline,
 * cargo fetch), found in the RUN's shell analysis (also inside sh -c,
 * subshells and heredoc scripts). */
#include "rules/run_util.h"
#include "rules/util.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

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

/* npm install with package names installs those packages, not the
 * project's: only the bare form reads package.json. */
static bool npm_installs_project(const sh_cmd *c)
{
    const char *sub = sh_cmd_subcommand(c);
    if (strcmp(sub, "ci") == 0)
        return true;
    if (!kd_in_list(sub, "install|i") || sh_cmd_has_opt(c, "-g|--global"))
        return false;
    return sh_cmd_npositional(c) == 1;
}

static bool mvn_resolves(const sh_cmd *c)
{
    for (size_t k = 0; k < sh_cmd_npositional(c); k++) {
        const char *goal = sh_cmd_positional(c, k)->text;
        if (strstr(goal, "dependency:go-offline") || strstr(goal, "dependency:resolve"))
            return true;
    }
    return false;
}

/* Whether c installs the project's dependencies from its manifest. */
static bool installs_deps(const sh_cmd *c)
{
    size_t first;
    if (sh_cmd_is(c, "npm"))
        return npm_installs_project(c);
    if (sh_cmd_is(c, "yarn"))
        return sh_cmd_npositional(c) == 0 || strcmp(sh_cmd_subcommand(c), "install") == 0;
    if (kd_cmd_is_tool(c, "pip", &first))
        return kd_in_list(sh_cmd_subcommand(c), "install") &&
               sh_cmd_has_opt(c, "-r|--requirement");
    return kd_cmd_sub(c, "pnpm", "install|i") || kd_cmd_sub(c, "poetry", "install") ||
           kd_cmd_sub(c, "pipenv", "install|sync") || kd_cmd_sub(c, "uv", "sync") ||
           kd_cmd_sub(c, "bundle", "install") || kd_cmd_sub(c, "composer", "install") ||
           (kd_cmd_sub(c, "go", "mod") && sh_cmd_npositional(c) > 1 &&
            strcmp(sh_cmd_positional(c, 1)->text, "download") == 0) ||
           kd_cmd_sub(c, "dotnet", "restore") || kd_cmd_sub(c, "cargo", "fetch") ||
           (sh_cmd_is(c, "mvn|mvnw") && mvn_resolves(c));
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

/* The first dependency install of a RUN, as written up to its subcommand
 * (owned), or NULL. */
static char *run_installs(kd_lint_ctx *ctx, const df_instr *in)
{
    const sh_script *sh = kd_shell(ctx, in);
    for (size_t i = 0; sh && i < sh->ncmds; i++)
        if (installs_deps(sh->cmds[i]))
            return kd_cmd_head(sh->cmds[i]);
    return NULL;
}

static void check_stage(kd_lint_ctx *ctx, const kd_rule *self, size_t st)
{
    const df_instr *wide = NULL;
    for (const df_instr *in = NULL; (in = kd_stage_next(ctx, st, in, KD_ANY));) {
        if (wide == NULL && is_wide(in))
            wide = in;
        char *cmd = wide && in->kind == DF_RUN ? run_installs(ctx, in) : NULL;
        if (cmd == NULL)
            continue;
        kd_report(ctx, self, kd_span_first_line(ctx, wide),
                  "the whole build context is copied before `%s` (line %u): any change to "
                  "any file re-runs the install, typically tens of seconds to minutes per "
                  "build; copy %s first, install, then copy the rest",
                  cmd, in->start_line, files_for(cmd));
        free(cmd);
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
