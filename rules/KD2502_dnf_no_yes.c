/* KD2502 dnf-no-yes (hadolint DL3038): dnf (dnf5, tdnf) install, upgrade, remove...
 * without -y (or --assumeyes, or assumeyes=True set earlier) waits for an
 * answer the build cannot give. microdnf never asks, so it is left alone.
 * The fix (safe) adds -y. */
#include "rules/prompts.h"

static const kd_prompt prompt = {
    "dnf|dnf5|tdnf|dnf-3",
    "install|groupinstall|localinstall|reinstall|update|upgrade|remove|erase|downgrade|"
    "autoremove|group|module|distro-sync|swap|builddep",
    "-y|--assumeyes",
    NULL,
    "assumeyes=",
    "-y",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_prompt_check(ctx, self, &prompt);
}

KD_RULE(KD2502) = {
    .id = "KD2502",
    .name = "dnf-no-yes",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3038"},
    .summary = "dnf install without -y",
    .check = check,
};
