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

/* Whether pkg matches pattern p, with fnmatch only where the literal
 * parts agree: install lines name dozens of packages, and fnmatch of each
 * against every pattern was most of this rule's time. */
static bool tool_match(const char *p, const char *pkg)
{
    size_t lit = strcspn(p, "*?[");
    if (strncmp(p, pkg, lit) != 0)
        return false;
    if (p[lit] == '\0')
        return pkg[lit] == '\0';
    if (lit == 0 && p[0] == '*' && strpbrk(p + 1, "*?[") == NULL) { /* "*-dev" */
        size_t n = strlen(pkg), k = strlen(p + 1);
        return n >= k && strcmp(pkg + n - k, p + 1) == 0;
    }
    return fnmatch(p, pkg, 0) == 0;
}

static bool is_tool(const char *pkg)
{
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
        if (tool_match(tools[i], pkg))
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

/* What the commands after an install take away, gathered once for all the
 * packages it installs: every package (apt's auto-removal), or these
 * names. */
typedef struct removals {
    bool all;
    char **names; /* owned */
    size_t n, cap;
} removals;

static void note_removal(removals *rm, const sh_cmd *d, bool apt, bool *marked)
{
    if (apt && apt_auto_removal(d, marked))
        rm->all = true;
    if (!removes(d))
        return;
    for (size_t k = 1; k < sh_cmd_npositional(d); k++) {
        KD_GROW(rm->names, rm->cap, rm->n + 1);
        rm->names[rm->n++] = pkg_name(sh_cmd_positional(d, k)->text);
    }
}

/* The removals after install command c of r, in the stage. */
static void removals_after(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, removals *rm)
{
    bool apt = kd_cmd_sub(c, "apt-get|apt|aptitude", "install"), marked = false;
    for (size_t i = 0; i < r->sh->ncmds; i++)
        if (kd_runs_after(r->sh, c, r->sh->cmds[i]))
            note_removal(rm, r->sh->cmds[i], apt, &marked);
    kd_run next = *r;
    while (kd_run_next_in_stage(ctx, &next, &next))
        for (size_t i = 0; i < next.sh->ncmds; i++)
            note_removal(rm, next.sh->cmds[i], apt, &marked);
}

/* Whether pkg (or the apk virtual group it was installed in) is removed. */
static bool removed(const removals *rm, const char *pkg, const char *group)
{
    if (rm->all)
        return true;
    for (size_t i = 0; i < rm->n; i++)
        if (strcmp(rm->names[i], pkg) == 0 || (group && strcmp(rm->names[i], group) == 0))
            return true;
    return false;
}

static void removals_free(removals *rm)
{
    for (size_t i = 0; i < rm->n; i++)
        free(rm->names[i]);
    free(rm->names);
}

static void check_install(kd_lint_ctx *ctx, const kd_rule *self, const kd_run *r,
                          const sh_cmd *c)
{
    const sh_word *found[64];
    size_t n = 0;
    removals rm = {0};
    bool gathered = false;
    const char *group = kd_cmd_sub(c, "apk", "add") ? sh_cmd_opt_value(c, "-t|--virtual", NULL)
                                                     : NULL;
    for (size_t k = 1; k < sh_cmd_npositional(c) && n < 64; k++) {
        const sh_word *w = sh_cmd_positional(c, k);
        if (w->flags & SH_W_EXPANDS)
            continue;
        char *pkg = pkg_name(w->text);
        if (is_tool(pkg)) {
            if (!gathered)
                removals_after(ctx, r, c, &rm);
            gathered = true;
            if (!removed(&rm, pkg, group))
                found[n++] = w;
        }
        free(pkg);
    }
    removals_free(&rm);
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
