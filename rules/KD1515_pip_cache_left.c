/* KD1515 pip-cache-left (hadolint DL3042): pip keeps what it downloads in ~/.cache/pip. Not
 * reported: --no-cache-dir (or a prefix of it such as --no-cache, which pip accepts),
 * PIP_NO_CACHE_DIR set true inline, by an earlier export in the RUN or by
 * ENV/ARG in the stage (or the stages it is built FROM), `pip cache purge`
 * or rm of the folder afterwards, a cache mount over it. The fix (safe)
 * adds --no-cache-dir after `install`.
 * The facts about the manager are in rules/pkg_cache.c. */
#include "rules/pkg_cache.h"

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    kd_cache_check(ctx, self, &kd_cache_pip);
}

KD_RULE(KD1515) = {
    .id = "KD1515",
    .name = "pip-cache-left",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3042"},
    .summary = "pip install without --no-cache-dir leaves its cache in the layer",
    .check = check,
};
