/* KD1100 fat-base-image: the final image is built on the full variant of a
 * family that has a much smaller official one (node:20 where node:20-slim
 * exists). Only the stages that end up in the image count: the last stage
 * and the stages it is built FROM; a builder stage whose files are copied
 * out may stay fat. Sizes come from rules/base_images.def. */
#include "rules/util.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

enum { KD_SUFFIX_VERSION, KD_SUFFIX_TAG, KD_OTHER_REPO };

typedef struct base_family {
    const char *repo;
    int how;
    const char *suffix;
    int fat_mb, small_mb;
    const char *label;
} base_family;

static const base_family families[] = {
#define KD_BASE(r, h, s, f, sm, l) {r, h, s, f, sm, l},
#include "rules/base_images.def"
#undef KD_BASE
};

static const base_family *family_of(const char *repo)
{
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strcmp(families[i].repo, repo) == 0)
            return &families[i];
    return NULL;
}

/* A tag that already is a small or special variant. */
static bool small_tag(const char *tag)
{
    static const char *const marks[] = {"slim", "alpine", "distroless", "minimal", "chiseled",
                                        "jre", "windowsservercore", "nanoserver", "busybox",
                                        "apache", "onbuild", NULL};
    for (size_t i = 0; marks[i]; i++)
        if (kd_icontains(tag, marks[i]))
            return true;
    return false;
}

static char *suggestion(const base_family *fam, const char *tag)
{
    bool plain = tag == NULL || strcmp(tag, "latest") == 0;
    size_t vlen = tag ? strcspn(tag, "-") : 0;
    switch (fam->how) {
    case KD_SUFFIX_TAG:
        return plain ? kd_asprintf("%s:%s", fam->repo, strcmp(fam->repo, "debian") == 0
                                                           ? "stable-slim" : fam->suffix)
                     : kd_asprintf("%s:%s-%s", fam->repo, tag, fam->suffix);
    case KD_OTHER_REPO:
        return plain ? kd_asprintf("%s:jre", fam->suffix)
                     : kd_asprintf("%s:%.*s-jre", fam->suffix, (int)vlen, tag);
    default:
        return plain ? kd_asprintf("%s:%s", fam->repo, fam->suffix)
                     : kd_asprintf("%s:%.*s-%s", fam->repo, (int)vlen, tag, fam->suffix);
    }
}

static int min_saving(const kd_lint_ctx *ctx, const kd_rule *self)
{
    const char *v = kd_rule_option(ctx, self, "min-saving-mb");
    return v ? atoi(v) : 50;
}

static void check_stage(kd_lint_ctx *ctx, const kd_rule *self, size_t st)
{
    char *image = kd_stage_image(ctx, st);
    kd_imgref ref;
    if (image == NULL || !kd_image_parse(image, &ref)) {
        free(image);
        return;
    }
    const base_family *fam = ref.official ? family_of(ref.repo) : NULL;
    if (fam && !(ref.tag && small_tag(ref.tag)) && fam->fat_mb - fam->small_mb >= min_saving(ctx, self)) {
        char *better = suggestion(fam, ref.tag);
        kd_report(ctx, self, ctx->stages->v[st].image->span,
                  "%s is typically ~%d MB compressed; %s (%s) is typically ~%d MB: about %d MB "
                  "less to pull, store and push for every image built on it",
                  image, fam->fat_mb, better, fam->label, fam->small_mb,
                  fam->fat_mb - fam->small_mb);
        free(better);
    }
    kd_image_free(&ref);
    free(image);
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    if (ctx->stages->n == 0)
        return;
    /* walk from the last stage up its FROM chain */
    size_t st = ctx->stages->n - 1, guard = 0;
    while (guard++ < ctx->stages->n) {
        size_t parent;
        if (!kd_stage_from_stage(ctx, st, &parent)) {
            check_stage(ctx, self, st);
            return;
        }
        st = parent;
    }
}

KD_RULE(KD1100) = {
    .id = "KD1100",
    .name = "fat-base-image",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_COST,
    .summary = "The image is built on the full variant of a family with a much smaller one",
    .check = check,
};
