/* KD2512 unpinned-go-install (hadolint DL3062): go install, go get and go run of a remote
 * package without @version. @latest, @master, @main and @HEAD move, so
 * they do not pin. Local packages (./cmd/x, /src, main.go) are fine; for
 * go run only the first argument is a package. */
#include "rules/pins.h"

#include <string.h>

static bool pinned(const char *p)
{
    if (p[0] == '.' || p[0] == '/' || kd_ends_with(p, ".go"))
        return true;
    const char *at = strrchr(p, '@');
    return at && at[1] && strcmp(at + 1, "latest") != 0 && strcmp(at + 1, "master") != 0 &&
           strcmp(at + 1, "main") != 0 && strcmp(at + 1, "HEAD") != 0;
}

static const kd_pin install = {
    .names = "go",
    .subs = "install|get",
    .pinned = pinned,
    .how = "go install <package>@<version>",
};
static const kd_pin run = {
    .names = "go",
    .subs = "run",
    .pinned = pinned,
    .how = "go run <package>@<version>",
    .first_only = true,
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_pin_check(ctx, self, &install);
    kd_pin_check(ctx, self, &run);
}

KD_RULE(KD2512) = {
    .id = "KD2512",
    .name = "unpinned-go-install",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_NONE,
    .hadolint = {"DL3062"},
    .summary = "go install, get or run of a module without a version",
    .check = check,
};
