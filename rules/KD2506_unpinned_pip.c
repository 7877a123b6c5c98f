/* KD2506 unpinned-pip (hadolint DL3013): pip install (pip, pip3, python -m pip) of
 * packages without a version specifier. Not judged: a command with
 * -r/--requirement or -c/--constraint, or installing the local project
 * (.). Pinned: a specifier (==, >=, ~=, ...), a direct reference (@), a
 * local or remote file (.whl, .tar.gz, a path), a VCS URL with @revision. */
#include "rules/pins.h"

#include <string.h>

static bool vcs(const char *p)
{
    static const char *const schemes[] = {"git+", "hg+", "svn+", "bzr+", "git://", NULL};
    for (size_t k = 0; schemes[k]; k++)
        if (strncmp(p, schemes[k], strlen(schemes[k])) == 0)
            return true;
    return false;
}

static bool pinned(const char *p)
{
    static const char *const ops[] = {"==", ">=", "<=", "!=", "~=", ">", "<", NULL};
    static const char *const files[] = {".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", NULL};
    if (vcs(p)) { /* the revision follows an @ in the last path part */
        const char *slash = strrchr(p, '/');
        return slash && strchr(slash, '@');
    }
    for (size_t k = 0; files[k]; k++)
        if (kd_ends_with(p, files[k]))
            return true;
    return kd_has_any(p, ops) || strchr(p, '@') || strchr(p, '/');
}

static bool pinned_cmd(const sh_cmd *c)
{
    for (size_t k = 1; k < sh_cmd_npositional(c); k++)
        if (strcmp(sh_cmd_positional(c, k)->text, ".") == 0)
            return true;
    return sh_cmd_has_opt(c, "-r|--requirement|-c|--constraint");
}

static const kd_pin pin = {
    .tool = "pip",
    .subs = "install",
    .pinned_cmd = pinned_cmd,
    .pinned = pinned,
    .how = "pip install <package>==<version>",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_pin_check(ctx, self, &pin);
}

KD_RULE(KD2506) = {
    .id = "KD2506",
    .name = "unpinned-pip",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_NONE,
    .hadolint = {"DL3013"},
    .summary = "pip install without package versions",
    .check = check,
};
