/* KD2501 yum-no-yes (hadolint DL3030): yum install, update, remove... without -y (or
 * --assumeyes, or assumeyes=1 set earlier in the stage) waits for an answer
 * the build cannot give. The fix (safe) adds -y. */
#include "rules/prompts.h"

static const kd_prompt prompt = {
    "yum",
    "install|groupinstall|localinstall|reinstall|update|upgrade|remove|erase|downgrade|"
    "autoremove|group|distro-sync|swap",
    "-y|--assumeyes",
    NULL,
    "assumeyes=1",
    "-y",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_prompt_check(ctx, self, &prompt);
}

KD_RULE(KD2501) = {
    .id = "KD2501",
    .name = "yum-no-yes",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3030"},
    .summary = "yum install without -y",
    .check = check,
};
