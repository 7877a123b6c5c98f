/* KD2503 zypper-no-non-interactive (hadolint DL3034): zypper install, remove, update... without
 * -n/--non-interactive (before the subcommand) or -y/--no-confirm waits for
 * an answer. The fix (safe) adds -y after the subcommand. */
#include "rules/prompts.h"

static const kd_prompt prompt = {
    "zypper",
    "install|in|remove|rm|update|up|patch|dist-upgrade|dup|source-install|si|"
    "install-new-recommends|inr",
    "-n|--non-interactive|-y|--no-confirm",
    NULL,
    NULL,
    "-y",
};

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_prompt_check(ctx, self, &prompt);
}

KD_RULE(KD2503) = {
    .id = "KD2503",
    .name = "zypper-no-non-interactive",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_CORRECTNESS,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3034"},
    .summary = "zypper without --non-interactive or -y",
    .check = check,
};
