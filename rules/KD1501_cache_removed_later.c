/* KD1501 cache-removed-later: a package-manager cache filled by one RUN and
 * removed by a later RUN of the same stage. Each RUN is a layer: deleting
 * files in a later layer only hides them, and their bytes stay in the
 * image. The finding is on the command that fills the cache, where the
 * removal belongs; the per-manager rules (KD1510-KD1523) stay silent on
 * such a RUN so that it is reported once. */
#include "rules/pkg_cache.h"

#include <stdlib.h>

static void check_run(kd_lint_ctx *ctx, const kd_rule *self, const kd_run *r)
{
    for (size_t k = 0; kd_caches[k]; k++) {
        const kd_cache *m = kd_caches[k];
        const sh_cmd *c = kd_cache_left(ctx, r, m), *by;
        kd_run later;
        if (c == NULL || !kd_cache_cleaned_later(ctx, r, m, c, &later, &by))
            continue;
        char *head = kd_cmd_head(c), *rm = kd_cmd_head(by);
        kd_report_cmd(ctx, self, c,
                      "`%s` fills %s (%s), which only the RUN at line %u removes (`%s`): a later "
                      "layer cannot shrink this one, so remove it in this RUN",
                      head, m->what, m->size, later.in->start_line, rm);
        free(head);
        free(rm);
    }
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        if (kd_stage_in_image(ctx, r.stage))
            check_run(ctx, self, &r);
}

KD_RULE(KD1501) = {
    .id = "KD1501",
    .name = "cache-removed-later",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .summary = "A package cache removed by a later RUN than the one that filled it",
    .check = check,
};
