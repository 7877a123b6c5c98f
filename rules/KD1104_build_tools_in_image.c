/* KD1104 build-tools-in-image: a single-stage build installs compilers,
 * build tools or development headers with the system package manager and
 * never removes them, so they ship in the image (typically 100-300 MB for
 * gcc, make and a few -dev packages). A multi-stage build compiles in a
 * first stage and copies only the results into a slim final stage.
 *
 * Only single-stage files are checked: with several stages the author
 * already chose what the image keeps. Tools removed later in the stage
 * (apt-get purge, apk del, also of an `apk add --virtual` group, yum/dnf
 * remove, zypper remove) do not count. */
#include "rules/run_util.h"
#include "util/buf.h"
#include "util/mem.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* Build-time packages of Debian, Alpine and RPM distributions. */
static const char *const tools[] = {
    "build-essential", "alpine-sdk",  "build-base", "gcc",     "gcc-[0-9]*", "g++",
    "g++-[0-9]*",      "gcc-c++",     "cpp",        "clang",   "clang-[0-9]*", "llvm",
    "make",            "cmake",       "autoconf",   "automake", "libtool",    "pkg-config",
    "pkgconf",         "bison",       "flex",       "gfortran", "golang",     "golang-go",
    "go",              "rustc",       "cargo",      "maven",   "gradle",     "default-jdk",
    "openjdk-*-jdk",   "openjdk-*-jdk-headless",     "*-dev",   "*-devel",    "linux-headers",
};

/* The package name without a version (apt/apk `pkg=1.2`). */
static char *pkg_name(const char *arg)
{
    size_t n = strcspn(arg, "=<>~");
    return kd_xstrndup(arg, n);
}

static bool is_tool(const char *pkg)
{
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
        if (fnmatch(tools[i], pkg, 0) == 0)
            return true;
    return false;
}

static bool installs(const sh_cmd *c)
{
    return kd_cmd_sub(c, "apt-get|apt|aptitude", "install") || kd_cmd_sub(c, "apk", "add") ||
           kd_cmd_sub(c, "yum|dnf|microdnf|tdnf", "install") ||
           kd_cmd_sub(c, "zypper", "install|in");
}

static bool removes(const sh_cmd *c)
{
    return kd_cmd_sub(c, "apt-get|apt|aptitude", "purge|remove") || kd_cmd_sub(c, "apk", "del") ||
           kd_cmd_sub(c, "yum|dnf|microdnf|tdnf", "remove|erase") ||
           kd_cmd_sub(c, "zypper", "remove|rm");
}

/* Whether command rm (a removal) names pkg, or the apk --virtual group
 * that pkg was installed in. */
static bool removal_names(const sh_cmd *rm, const char *pkg, const char *group)
{
    for (size_t k = 1; k < sh_cmd_npositional(rm); k++) {
        char *name = pkg_name(sh_cmd_positional(rm, k)->text);
        bool hit = strcmp(name, pkg) == 0 || (group && strcmp(name, group) == 0);
        free(name);
        if (hit)
            return true;
    }
    return false;
}

/* The official images' pattern: `apt-mark auto '.*'` (everything becomes
 * removable), `apt-mark manual` of what must stay, then `apt-get purge
 * --auto-remove` or `autoremove`: every package installed before is gone
 * unless marked manual again, which the rule cannot follow; it trusts it. */
static bool apt_auto_removal(const sh_cmd *d, bool *marked)
{
    if (kd_cmd_sub(d, "apt-mark", "auto"))
        *marked = true;
    return *marked && (kd_cmd_sub(d, "apt-get|apt", "autoremove") ||
                       (kd_cmd_sub(d, "apt-get|apt", "purge|remove") &&
                        sh_cmd_has_opt(d, "--auto-remove|--autoremove")));
}

/* Whether removal command d (after c) takes pkg away. */
static bool takes_away(const sh_cmd *c, const sh_cmd *d, const char *pkg, const char *group,
                       bool *marked)
{
    if (kd_cmd_sub(c, "apt-get|apt|aptitude", "install") && apt_auto_removal(d, marked))
        return true;
    return removes(d) && removal_names(d, pkg, group);
}

/* Whether pkg, installed by c of r, is removed later in the stage. */
static bool removed_later(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, const char *pkg)
{
    const char *group = kd_cmd_sub(c, "apk", "add") ? sh_cmd_opt_value(c, "-t|--virtual", NULL)
                                                     : NULL;
    bool marked = false;
    for (size_t i = 0; i < r->sh->ncmds; i++) {
        const sh_cmd *d = r->sh->cmds[i];
        if (kd_runs_after(r->sh, c, d) && takes_away(c, d, pkg, group, &marked))
            return true;
    }
    kd_run next = *r;
    while (kd_run_next_in_stage(ctx, &next, &next))
        for (size_t i = 0; i < next.sh->ncmds; i++)
            if (takes_away(c, next.sh->cmds[i], pkg, group, &marked))
                return true;
    return false;
}

static void check_install(kd_lint_ctx *ctx, const kd_rule *self, const kd_run *r,
                          const sh_cmd *c)
{
    const sh_word *found[64];
    size_t n = 0;
    for (size_t k = 1; k < sh_cmd_npositional(c) && n < 64; k++) {
        const sh_word *w = sh_cmd_positional(c, k);
        if (w->flags & SH_W_EXPANDS)
            continue;
        char *pkg = pkg_name(w->text);
        if (is_tool(pkg) && !removed_later(ctx, r, c, pkg))
            found[n++] = w;
        free(pkg);
    }
    if (n == 0)
        return;
    char *list = kd_word_list(found, n, 4);
    kd_report_cmd(ctx, self, c,
                  "build tools stay in the image: %s (typically 100-300 MB with a compiler and "
                  "headers); build in a first stage and COPY --from it only what the program "
                  "needs at run time",
                  list);
    free(list);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    if (ctx->stages->n != 1)
        return;
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++)
            if (installs(r.sh->cmds[i]))
                check_install(ctx, self, &r, r.sh->cmds[i]);
}

KD_RULE(KD1104) = {
    .id = "KD1104",
    .name = "build-tools-in-image",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_COST,
    .fix = KD_FIX_NONE,
    .summary = "Compilers and build tools left in the image of a single-stage build",
    .check = check,
};
