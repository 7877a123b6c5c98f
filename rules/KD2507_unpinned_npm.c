/* KD2507 unpinned-npm (hadolint DL3016): npm install of named packages without a version.
 * Pinned: name@version (a scope's @ does not count; @latest and @next are
 * tags that move, so they do not pin), a git URL with #commit, a tarball,
 * a folder. A bare `npm install` (the lock file) is fine. */
#include "rules/pins.h"

#include <string.h>

static bool pinned(const char *p)
{
    static const char *const git[] = {"git://",       "git+ssh://", "git+http://",
                                      "git+https://", "github:",    NULL};
    static const char *const local[] = {"/",     "./",      "../",      "~/",
                                        "file:", "http://", "https://", NULL};
    for (size_t k = 0; git[k]; k++)
        if (strncmp(p, git[k], strlen(git[k])) == 0)
            return strchr(p, '#') != NULL;
    for (size_t k = 0; local[k]; k++)
        if (strncmp(p, local[k], strlen(local[k])) == 0)
            return true;
    if (kd_ends_with(p, ".tgz") || kd_ends_with(p, ".tar.gz") || kd_ends_with(p, ".tar"))
        return true;
    if (p[0] == '@') { /* @scope/name@version */
        const char *slash = strchr(p, '/');
        p = slash ? slash + 1 : p + 1;
    }
    const char *at = strchr(p, '@');
    return at && at[1] && strcmp(at + 1, "latest") != 0 && strcmp(at + 1, "next") != 0;
}

static const kd_pin pin = {
    .names = "npm",
    .subs = "install|i|in|ins|inst|insta|instal|isnt|isnta|isntal|isntall|add",
    .pinned = pinned,
    .how = "npm install <package>@<version>",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_pin_check(ctx, self, &pin);
}

KD_RULE(KD2507) = {
    .id = "KD2507",
    .name = "unpinned-npm",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_NONE,
    .hadolint = {"DL3016"},
    .summary = "npm install without package versions",
    .check = check,
};
