/* Package-manager caches (see rules/pkg_cache.h): the managers' facts and
 * the check the per-manager rules share. Sizes are typical figures for a
 * usual install, said as such in the messages. */
#include "rules/pkg_cache.h"
#include "rules/fix_util.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- what fills and what cleans ---------------------------------------------- */

static bool apt_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, "apt-get|apt|aptitude", "update");
}

static bool apt_cleans(const sh_cmd *c)
{
    return kd_cmd_sub(c, "apt-get|apt", "dist-clean|distclean");
}

/* Removing the lists is safe unless a later RUN of the stage (before
 * instruction until) installs before any later update (it would find no
 * package). */
static bool apt_fix_ok(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *filler, size_t until)
{
    (void)filler;
    kd_run l;
    bool updated = false;
    for (kd_run cur = *r; kd_run_next_in_stage(ctx, &cur, &l) && l.index < until; cur = l) {
        for (size_t i = 0; i < l.sh->ncmds; i++) {
            const sh_cmd *c = l.sh->cmds[i];
            updated |= apt_fills(ctx, &l, c);
            if (!updated && kd_cmd_sub(c, "apt-get|apt|aptitude",
                                       "install|upgrade|dist-upgrade|full-upgrade|build-dep|"
                                       "source|reinstall"))
                return false;
        }
    }
    return true;
}

static bool apk_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    /* --no-network installs from what is already there: nothing is fetched */
    return kd_cmd_sub(c, "apk", "add|update|upgrade|fix") &&
           !sh_cmd_has_opt(c, "--no-cache|--no-network");
}

static bool apk_cleans(const sh_cmd *c)
{
    const sh_word *what = sh_cmd_positional(c, 1);
    return kd_cmd_sub(c, "apk", "cache") && what && kd_in_list(what->text, "clean|purge");
}

/* --no-cache only helps where apk installs; a RUN with `apk update` gets
 * the index removed instead */
static bool apk_option_ok(const sh_cmd *filler)
{
    return kd_in_list(sh_cmd_subcommand(filler), "add|upgrade");
}

static bool yum_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, "yum",
                      "install|groupinstall|localinstall|reinstall|update|upgrade|makecache|"
                      "downgrade|distro-sync|group|swap|update-minimal|upgrade-minimal");
}

static bool clean_all(const sh_cmd *c, const char *names)
{
    const sh_word *what = sh_cmd_positional(c, 1);
    return kd_cmd_sub(c, names, "clean") && what && kd_in_list(what->text, "all|metadata");
}

static bool yum_cleans(const sh_cmd *c)
{
    return clean_all(c, "yum");
}

#define DNF_NAMES "dnf|microdnf|dnf5|tdnf|dnf-3"

static bool dnf_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, DNF_NAMES,
                      "install|groupinstall|localinstall|reinstall|update|upgrade|makecache|"
                      "downgrade|distro-sync|group|module|swap|builddep");
}

static bool dnf_cleans(const sh_cmd *c)
{
    return clean_all(c, DNF_NAMES);
}

static bool zypper_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, "zypper",
                      "install|in|update|up|patch|dist-upgrade|dup|source-install|si|refresh|"
                      "ref|install-new-recommends|inr");
}

static bool zypper_cleans(const sh_cmd *c)
{
    return kd_cmd_sub(c, "zypper", "clean|cc");
}

/* pip takes any unambiguous prefix of a long option: --no-cache is
 * --no-cache-dir */
static bool pip_no_cache(const sh_cmd *c)
{
    static const char full[] = "--no-cache-dir";
    for (size_t i = 1; i < sh_cmd_argc(c); i++) {
        const char *w = sh_cmd_arg(c, i)->text;
        size_t n = strlen(w);
        if (n >= 7 && n <= sizeof full - 1 && strncmp(w, full, n) == 0)
            return true;
    }
    return false;
}

static bool pip_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    return kd_cmd_is_tool(c, "pip", NULL) &&
           kd_in_list(sh_cmd_subcommand(c), "install|download|wheel") && !pip_no_cache(c) &&
           !kd_env_true(ctx, r, c, "PIP_NO_CACHE_DIR");
}

static bool pip_cleans(const sh_cmd *c)
{
    const sh_word *what = sh_cmd_positional(c, 1);
    return kd_cmd_is_tool(c, "pip", NULL) && kd_in_list(sh_cmd_subcommand(c), "cache") && what &&
           kd_in_list(what->text, "purge|remove|rm");
}

static bool npm_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, "npm",
                      "install|i|in|ins|inst|insta|instal|isnt|isnta|isntal|isntall|add|ci|"
                      "clean-install|ic|install-clean|isntall-clean|update|up|upgrade|udpate|"
                      "install-test|it|install-ci-test|cit");
}

static bool npm_cleans(const sh_cmd *c)
{
    const sh_word *what = sh_cmd_positional(c, 1);
    return kd_cmd_sub(c, "npm", "cache") && what && kd_in_list(what->text, "clean|clear|rm");
}

/* yarn --version, bundle --help: a bare command that only prints */
static bool asks_only(const sh_cmd *c)
{
    return sh_cmd_npositional(c) == 0 && sh_cmd_has_opt(c, "-v|--version|-h|--help");
}

static bool yarn_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    /* a bare `yarn` (options only) installs, unless it only asks */
    return kd_cmd_sub(c, "yarn", "|install|add|global") && !asks_only(c);
}

static bool yarn_cleans(const sh_cmd *c)
{
    const sh_word *what = sh_cmd_positional(c, 1);
    return kd_cmd_sub(c, "yarn", "cache") && what && strcmp(what->text, "clean") == 0;
}

static bool pnpm_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, "pnpm", "install|i|add|fetch|update|up|upgrade");
}

static bool pnpm_cleans(const sh_cmd *c)
{
    const sh_word *what = sh_cmd_positional(c, 1);
    return kd_cmd_sub(c, "pnpm", "store") && what && strcmp(what->text, "prune") == 0;
}

static bool gem_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, "gem", "install|i|update") ||
           (kd_cmd_sub(c, "bundle|bundler", "|install|update") && !asks_only(c));
}

/* rm -rf "$GEM_HOME"/cache, /usr/local/lib/ruby/gems/3.2.0/cache... */
static bool gem_cleans(const sh_cmd *c)
{
    for (size_t k = 0; sh_cmd_is(c, "rm") && k < sh_cmd_npositional(c); k++) {
        const char *t = sh_cmd_positional(c, k)->text;
        if (strstr(t, "cache") &&
            (strstr(t, "gem") || strstr(t, "GEM") || strstr(t, "bundle") || strstr(t, "BUNDLE")))
            return true;
    }
    return false;
}

static bool composer_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, "composer|composer.phar",
                      "install|i|require|r|update|u|upgrade|create-project|global") &&
           !sh_cmd_has_opt(c, "--no-cache");
}

static bool composer_cleans(const sh_cmd *c)
{
    return kd_cmd_sub(c, "composer|composer.phar", "clear-cache|clearcache|cc");
}

static bool go_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, "go", "build|install|get|test|run|mod|generate");
}

static bool go_cleans(const sh_cmd *c)
{
    return kd_cmd_sub(c, "go", "clean") && sh_cmd_has_opt(c, "-cache|-modcache");
}

/* Whether an instruction runs the go tool: a RUN with a go command, a
 * CMD or ENTRYPOINT starting with go. */
static bool runs_go(kd_lint_ctx *ctx, const df_instr *in)
{
    if (in->kind == DF_RUN) {
        const sh_script *s = kd_shell(ctx, in);
        for (size_t i = 0; s && i < s->ncmds; i++)
            if (sh_cmd_is(s->cmds[i], "go"))
                return true;
        return false;
    }
    if ((in->kind != DF_CMD && in->kind != DF_ENTRYPOINT) || in->nargs == 0)
        return false;
    const char *t = in->args[0].text, *slash = strrchr(t, '/');
    t = slash && in->json ? slash + 1 : t;
    return strcmp(t, "go") == 0 || strncmp(t, "go ", 3) == 0;
}

/* Removing the module cache is safe unless the go tool runs again later
 * in the image's stages (a later RUN, or the container's command: `go run`
 * would download every module again). */
static bool go_fix_ok(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *filler, size_t until)
{
    (void)filler;
    for (size_t i = r->index + 1; i < ctx->file->ninstrs && i < until; i++) {
        const df_instr *in = &ctx->file->instrs[i];
        ssize_t st = kd_stage_of(ctx, in);
        if (st >= 0 && kd_stage_in_image(ctx, (size_t)st) && runs_go(ctx, in))
            return false;
    }
    return true;
}

/* a build that does something: a goal or task, not just -v or --help */
static bool build_tool_runs(const sh_cmd *c, const char *names)
{
    return sh_cmd_is(c, names) && sh_cmd_npositional(c) > 0;
}

static bool maven_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return build_tool_runs(c, "mvn|mvnw|mvnd");
}

static bool rm_mentions(const sh_cmd *c, const char *part)
{
    for (size_t k = 0; sh_cmd_is(c, "rm") && k < sh_cmd_npositional(c); k++)
        if (strstr(sh_cmd_positional(c, k)->text, part))
            return true;
    return false;
}

static bool maven_cleans(const sh_cmd *c)
{
    for (size_t k = 0; sh_cmd_is(c, "mvn|mvnw|mvnd") && k < sh_cmd_npositional(c); k++)
        if (strstr(sh_cmd_positional(c, k)->text, "purge-local-repository"))
            return true;
    return rm_mentions(c, ".m2") || rm_mentions(c, "/m2");
}

static bool gradle_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return build_tool_runs(c, "gradle|gradlew");
}

static bool gradle_cleans(const sh_cmd *c)
{
    return rm_mentions(c, ".gradle");
}

#define CONDA_NAMES "conda|mamba|micromamba"

static bool conda_fills(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c)
{
    (void)ctx, (void)r;
    return kd_cmd_sub(c, CONDA_NAMES, "install|create|update|upgrade|env");
}

static bool conda_cleans(const sh_cmd *c)
{
    return kd_cmd_sub(c, CONDA_NAMES, "clean") || rm_mentions(c, "/pkgs");
}

/* ---- the managers -------------------------------------------------------------- */

const kd_cache kd_cache_apt = {
    .what = "the apt package lists",
    .paths = {"/var/lib/apt/lists"},
    .size = "typically 20-50 MB",
    .advice = "add `&& rm -rf /var/lib/apt/lists/*` after the last apt-get command of this RUN",
    .fills = apt_fills,
    .cleans = apt_cleans,
    .append = "rm -rf /var/lib/apt/lists/*",
    .uses = "apt-get|apt|aptitude|apt-cache|apt-file|add-apt-repository",
    .fix_ok = apt_fix_ok,
};

const kd_cache kd_cache_apk = {
    .what = "the apk package indexes",
    .paths = {"/var/cache/apk", "/etc/apk/cache"},
    .size = "typically 2-5 MB",
    .advice = "use `apk add --no-cache`",
    .fills = apk_fills,
    .cleans = apk_cleans,
    .option = "--no-cache",
    .option_ok = apk_option_ok,
    .append = "rm -rf /var/cache/apk/*",
};

const kd_cache kd_cache_yum = {
    .what = "the yum repository metadata",
    .paths = {"/var/cache/yum"},
    .size = "typically 100-250 MB",
    .advice = "add `&& yum clean all` at the end of this RUN",
    .fills = yum_fills,
    .cleans = yum_cleans,
    .append = "yum clean all",
};

const kd_cache kd_cache_dnf = {
    .what = "the dnf repository metadata",
    .paths = {"/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"},
    .size = "typically 50-200 MB",
    .advice = "add `&& dnf clean all` (or `microdnf clean all`) at the end of this RUN",
    .fills = dnf_fills,
    .cleans = dnf_cleans,
    .append = "%s clean all",
    .uses = DNF_NAMES,
};

const kd_cache kd_cache_zypper = {
    .what = "the zypper caches",
    .paths = {"/var/cache/zypp"},
    .size = "typically 20-100 MB",
    .advice = "add `&& zypper clean --all` at the end of this RUN",
    .fills = zypper_fills,
    .cleans = zypper_cleans,
    .append = "zypper clean --all",
};

const kd_cache kd_cache_pip = {
    .what = "the pip cache (~/.cache/pip)",
    .paths = {"~/.cache/pip"},
    .moved_by = {"PIP_CACHE_DIR"},
    .size = "often tens of MB",
    .advice = "use `pip install --no-cache-dir` or set PIP_NO_CACHE_DIR=1",
    .fills = pip_fills,
    .cleans = pip_cleans,
    .option = "--no-cache-dir",
};

const kd_cache kd_cache_npm = {
    .what = "the npm cache (~/.npm)",
    .paths = {"~/.npm"},
    .moved_by = {"npm_config_cache"},
    .size = "typically tens to hundreds of MB",
    .advice = "add `&& npm cache clean --force` at the end of this RUN",
    .fills = npm_fills,
    .cleans = npm_cleans,
    .append = "npm cache clean --force",
    .uses = "npm|npx",
};

const kd_cache kd_cache_yarn = {
    .what = "the yarn cache",
    .paths = {"/usr/local/share/.cache/yarn", "~/.cache/yarn", "~/.yarn/berry/cache"},
    .moved_by = {"YARN_CACHE_FOLDER"},
    .size = "typically tens to hundreds of MB",
    .advice = "add `&& yarn cache clean` at the end of this RUN",
    .fills = yarn_fills,
    .cleans = yarn_cleans,
    .append = "yarn cache clean",
};

const kd_cache kd_cache_pnpm = {
    .what = "the pnpm store",
    .paths = {"~/.local/share/pnpm/store", "~/.pnpm-store", "/pnpm/store", "~/.cache/pnpm"},
    .size = "its index and the packages not hard-linked into node_modules, typically a few MB",
    .advice =
        "mount a cache over the store (--mount=type=cache,target=/root/.local/share/pnpm/store) or "
        "add `&& pnpm store prune`",
    .fills = pnpm_fills,
    .cleans = pnpm_cleans,
    .append = "pnpm store prune",
};

const kd_cache kd_cache_gem = {
    .what = "the downloaded .gem files",
    .paths = {"/usr/local/bundle/cache", "~/.gem", "~/.bundle/cache", "~/.local/share/gem"},
    .moved_by = {"GEM_HOME/cache", NULL, "BUNDLE_PATH/cache"},
    .size = "typically a few MB to tens of MB",
    .advice = "remove the gem cache (`rm -rf \"$GEM_HOME\"/cache`) in this RUN",
    .fills = gem_fills,
    .cleans = gem_cleans,
};

const kd_cache kd_cache_composer = {
    .what = "the composer cache",
    .paths = {"~/.composer/cache", "~/.cache/composer", "/tmp/cache"},
    .moved_by = {"COMPOSER_CACHE_DIR", "COMPOSER_HOME/cache"},
    .size = "typically tens of MB",
    .advice = "use `composer install --no-cache` or add `&& composer clear-cache`",
    .fills = composer_fills,
    .cleans = composer_cleans,
    .append = "composer clear-cache",
    .uses = "composer|composer.phar",
};

const kd_cache kd_cache_go = {
    .what = "the Go build and module caches",
    .paths = {"~/.cache/go-build", "/go/pkg/mod", "~/go/pkg/mod"},
    .moved_by = {"GOCACHE", "GOMODCACHE", "GOPATH/pkg/mod"},
    .size = "often hundreds of MB",
    .advice =
        "build in an earlier stage and copy the binary, or add `&& go clean -cache -modcache`",
    .fills = go_fills,
    .cleans = go_cleans,
    .append = "go clean -cache -modcache",
    .fix_ok = go_fix_ok,
};

const kd_cache kd_cache_maven = {
    .what = "the Maven local repository (~/.m2)",
    .paths = {"~/.m2"},
    .size = "often hundreds of MB",
    .advice = "build in an earlier stage and copy the artifact, or mount a cache over ~/.m2",
    .fills = maven_fills,
    .cleans = maven_cleans,
};

const kd_cache kd_cache_gradle = {
    .what = "the Gradle caches (~/.gradle)",
    .paths = {"~/.gradle"},
    .size = "often hundreds of MB",
    .advice = "build in an earlier stage and copy the artifact, or mount a cache over ~/.gradle",
    .fills = gradle_fills,
    .cleans = gradle_cleans,
};

const kd_cache kd_cache_conda = {
    .what = "the conda package cache (pkgs/)",
    .paths = {"/opt/conda/pkgs", "~/.conda/pkgs", "~/miniconda3/pkgs"},
    .moved_by = {"CONDA_PKGS_DIRS"},
    .size = "often hundreds of MB",
    .advice = "add `&& conda clean --all --yes` at the end of this RUN",
    .fills = conda_fills,
    .cleans = conda_cleans,
    .append = "%s clean --all --yes",
    .uses = CONDA_NAMES,
};

const kd_cache *const kd_caches[] = {
    &kd_cache_apt,    &kd_cache_apk,    &kd_cache_yum,      &kd_cache_dnf,
    &kd_cache_zypper, &kd_cache_pip,    &kd_cache_npm,      &kd_cache_yarn,
    &kd_cache_pnpm,   &kd_cache_gem,    &kd_cache_composer, &kd_cache_go,
    &kd_cache_maven,  &kd_cache_gradle, &kd_cache_conda,    NULL,
};

/* ---- the check ------------------------------------------------------------------ */

/* Where the cache of filler c lives: the usual folders, and where the
 * variables that move them point (by value, and as written: $GOCACHE). */
typedef struct where {
    char *v[12]; /* owned */
    size_t n;
} where;

static void where_of(kd_lint_ctx *ctx, const kd_run *r, const kd_cache *m, const sh_cmd *c,
                     where *w)
{
    w->n = 0;
    for (size_t k = 0; k < 4 && m->paths[k]; k++) {
        w->v[w->n++] = kd_xstrdup(m->paths[k]);
        if (m->moved_by[k] == NULL)
            continue;
        const char *slash = strchr(m->moved_by[k], '/');
        char *var = kd_xstrndup(m->moved_by[k],
                                slash ? (size_t)(slash - m->moved_by[k]) : strlen(m->moved_by[k]));
        char *val = kd_env_value(ctx, r, c, var);
        if (val)
            w->v[w->n++] = kd_asprintf("%s%s", val, slash ? slash : "");
        w->v[w->n++] = kd_asprintf("$%s%s", var, slash ? slash : "");
        free(val);
        free(var);
    }
}

static void where_free(where *w)
{
    for (size_t k = 0; k < w->n; k++)
        free(w->v[k]);
}

static bool cleans(const kd_cache *m, const where *w, const sh_cmd *c)
{
    if (m->cleans && m->cleans(c))
        return true;
    for (size_t k = 0; k < w->n; k++)
        if (kd_cmd_removes(c, w->v[k]))
            return true;
    return false;
}

static bool mounted(const df_instr *in, const kd_cache *m)
{
    for (size_t k = 0; k < 4 && m->paths[k]; k++)
        if (kd_run_mounts_over(in, m->paths[k]))
            return true;
    return false;
}

static bool cleaned_after(kd_lint_ctx *ctx, const kd_run *r, const kd_cache *m, const sh_cmd *c)
{
    where w;
    where_of(ctx, r, m, c, &w);
    bool cleaned = false;
    for (size_t j = c->index + 1; j < r->sh->ncmds && !cleaned; j++)
        cleaned = cleans(m, &w, r->sh->cmds[j]) && kd_runs_after(r->sh, c, r->sh->cmds[j]);
    where_free(&w);
    return cleaned;
}

const sh_cmd *kd_cache_left(kd_lint_ctx *ctx, const kd_run *r, const kd_cache *m)
{
    if (mounted(r->in, m))
        return NULL;
    for (size_t i = 0; i < r->sh->ncmds; i++) {
        const sh_cmd *c = r->sh->cmds[i];
        if (m->fills(ctx, r, c) && !cleaned_after(ctx, r, m, c))
            return c;
    }
    return NULL;
}

bool kd_cache_cleaned_later(kd_lint_ctx *ctx, const kd_run *r, const kd_cache *m, const sh_cmd *c,
                            kd_run *later, const sh_cmd **by)
{
    where w;
    where_of(ctx, r, m, c, &w);
    bool found = false;
    for (kd_run cur = *r; !found && kd_run_next_in_stage(ctx, &cur, later); cur = *later)
        for (size_t i = 0; i < later->sh->ncmds && !found; i++)
            if (cleans(m, &w, later->sh->cmds[i]) &&
                kd_runs_always(later->sh, later->sh->cmds[i])) {
                *by = later->sh->cmds[i];
                found = true;
            }
    where_free(&w);
    return found;
}

bool kd_cache_path_word(kd_lint_ctx *ctx, const kd_run *r, const kd_cache *m, const sh_cmd *c,
                        const char *word)
{
    where w;
    where_of(ctx, r, m, c, &w);
    bool hit = false;
    for (size_t k = 0; k < w.n && !hit; k++)
        hit = kd_path_covers(word, w.v[k]);
    where_free(&w);
    return hit;
}

bool kd_cache_uses(const kd_cache *m, const sh_cmd *filler, const sh_cmd *c)
{
    return m->uses ? sh_cmd_is(c, m->uses) : strcmp(sh_cmd_name(c), sh_cmd_name(filler)) == 0;
}

bool kd_cache_fix_after_use(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const kd_cache *m,
                            const sh_cmd *c, const char *text)
{
    const sh_cmd **v = kd_xcalloc(r->sh->ncmds + 1, sizeof *v);
    size_t n = 0;
    v[n++] = c;
    for (size_t i = c->index + 1; i < r->sh->ncmds; i++)
        if (kd_cache_uses(m, c, r->sh->cmds[i]))
            v[n++] = r->sh->cmds[i];
    bool done = kd_fix_after_cmd(ctx, f, r, kd_cmd_anchor(r, v, n), text);
    free(v);
    return done;
}

/* Adds m->option after the subcommand of every command of r that fills
 * the cache, when each one takes it; false (nothing attached) otherwise. */
static bool add_options(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const kd_cache *m)
{
    size_t n = 0;
    for (size_t i = 0; i < r->sh->ncmds; i++) {
        const sh_cmd *c = r->sh->cmds[i];
        if (!m->fills(ctx, r, c))
            continue;
        const sh_word *sub = sh_cmd_positional(c, 0);
        if ((m->option_ok && !m->option_ok(c)) || sub == NULL || !kd_word_editable(ctx, r, sub))
            return false;
        n++;
    }
    for (size_t i = 0; i < r->sh->ncmds; i++)
        if (m->fills(ctx, r, r->sh->cmds[i]))
            kd_fix_after_word(ctx, f, r, sh_cmd_positional(r->sh->cmds[i], 0), m->option);
    return n > 0;
}

char *kd_cache_clean_text(const kd_cache *m, const sh_cmd *c)
{
    bool rm = strncmp(m->append, "rm ", 3) == 0;
    char *runner = kd_cmd_runner(c, rm), *cmd = kd_asprintf(m->append, sh_cmd_name(c));
    char *t = kd_asprintf("%s%s", runner, cmd);
    free(runner);
    free(cmd);
    return t;
}

void kd_cache_add_fix(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const kd_cache *m,
                      const sh_cmd *c)
{
    if (f == NULL || (m->fix_ok && !m->fix_ok(ctx, r, c, SIZE_MAX)))
        return;
    if (m->option && add_options(ctx, f, r, m))
        return;
    if (m->append) {
        char *t = kd_cache_clean_text(m, c);
        kd_cache_fix_after_use(ctx, f, r, m, c, t);
        free(t);
    }
}

void kd_cache_check(kd_lint_ctx *ctx, const kd_rule *self, const kd_cache *m)
{
    kd_run r = {0}, later;
    const sh_cmd *by;
    while (kd_run_next(ctx, &r)) {
        if (!kd_stage_in_image(ctx, r.stage))
            continue;
        const sh_cmd *c = kd_cache_left(ctx, &r, m);
        if (c == NULL || kd_cache_cleaned_later(ctx, &r, m, c, &later, &by))
            continue;
        char *head = kd_cmd_head(c);
        kd_finding *f = kd_report_cmd(ctx, self, c, "`%s` leaves %s in this layer (%s): %s", head,
                                      m->what, m->size, m->advice);
        free(head);
        kd_cache_add_fix(ctx, f, &r, m, c);
    }
}
