/* KD1100 fat-base-image: the final image is built on the full variant of a
 * family that has a much smaller official one (node:20 where node:20-slim
 * exists). Only the stages that end up in the image count: the last stage
 * and the stages it is built FROM; a builder stage whose files are copied
 * out may stay fat. Sizes come from rules/base_images.def, or with
 * `lint --online` from the registry (the image and its sibling; no finding
 * when the registry has no such sibling).
 *
 * The fix (unsafe: the image's files change) swaps the image word for the
 * smaller sibling, the only edit: node:20 becomes node:20-slim (the slim
 * variants keep the same libc; the table only names Alpine where the
 * family has no slim one). Refused when the word holds a variable or a
 * digest, and when a RUN of the image's stages uses what the sibling lacks:
 * apt, dpkg, bash or the shadow tools on Alpine; compilers, make, git,
 * curl, wget and the like on a slim variant (unless the stage installs them
 * with apt-get first); javac, jar and jlink on a JRE. */
#include "rules/run_util.h"
#include "rules/util.h"
#include "util/buf.h"
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

/* ---- the fix ----------------------------------------------------------------- */

/* What the smaller sibling lacks, by its kind. */
static const char *lacks(const char *variant)
{
    if (strstr(variant, "alpine"))
        return "apt-get|apt|apt-cache|aptitude|dpkg|dpkg-reconfigure|bash|useradd|groupadd|"
               "usermod|update-alternatives|locale-gen";
    if (strstr(variant, "jre"))
        return "javac|jar|jlink|jdeps|jshell|jpackage|jarsigner";
    return "gcc|g++|cc|c++|make|cmake|git|curl|wget|ssh|scp|svn|hg|bzr|autoconf|automake|"
           "libtool|pkg-config|patch|unzip|bzip2|file|gpg|gnupg|dirmngr|ps|less|man";
}

/* Whether an `apt-get install` before c in r's stage chain names pkg. */
static bool installed_before(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c, const char *pkg)
{
    for (kd_run q = {0}; kd_run_next(ctx, &q) && q.index <= r->index;)
        for (size_t i = 0; i < q.sh->ncmds && (q.index < r->index || i < c->index); i++) {
            const sh_cmd *x = q.sh->cmds[i];
            for (size_t k = 1; kd_cmd_sub(x, "apt-get|apt", "install") &&
                               k < sh_cmd_npositional(x); k++)
                if (strcmp(sh_cmd_positional(x, k)->text, pkg) == 0)
                    return true;
        }
    return false;
}

/* The first command of the image's stages (stage st and those built FROM
 * it) that the sibling of kind variant lacks, or NULL. */
static const char *needs(kd_lint_ctx *ctx, size_t st, const char *variant)
{
    const char *list = lacks(variant);
    bool alpine = strstr(variant, "alpine") != NULL;
    for (kd_run r = {0}; kd_run_next(ctx, &r);) {
        if (r.stage < st || !kd_stage_in_image(ctx, r.stage))
            continue;
        for (size_t i = 0; i < r.sh->ncmds; i++) {
            const sh_cmd *c = r.sh->cmds[i];
            if (sh_cmd_is(c, list) &&
                (alpine || !installed_before(ctx, &r, c, sh_cmd_name(c))))
                return sh_cmd_name(c);
        }
    }
    for (size_t i = ctx->stages->v[st].from; alpine && i < ctx->file->ninstrs; i++) {
        const df_instr *in = &ctx->file->instrs[i];
        if (in->kind == DF_SHELL && in->nargs && strstr(in->args[0].text, "bash"))
            return "bash";
    }
    return NULL;
}

/* The image word with its tag swapped for the sibling's, or NULL. */
static char *swapped_word(const base_family *fam, const char *word, const char *better)
{
    const char *tag = strchr(better, ':');
    if (tag == NULL || strchr(word, '@'))
        return NULL;
    if (fam->how == KD_OTHER_REPO) /* another repository: only a plain word */
        return strncmp(word, fam->repo, strlen(fam->repo)) == 0 &&
                       (word[strlen(fam->repo)] == '\0' || word[strlen(fam->repo)] == ':')
                   ? kd_xstrdup(better)
                   : NULL;
    const char *slash = strrchr(word, '/'), *colon = strchr(slash ? slash : word, ':');
    size_t keep = colon ? (size_t)(colon - word) : strlen(word);
    return kd_asprintf("%.*s%s", (int)keep, word, tag);
}

static void add_fix(kd_lint_ctx *ctx, kd_finding *f, size_t st, const base_family *fam,
                    const char *better)
{
    const df_word *w = ctx->stages->v[st].image;
    if (f == NULL || w == NULL || strchr(w->text, '$') ||
        w->span.end.off - w->span.start.off != w->len ||
        memcmp(ctx->file->src + w->span.start.off, w->text, w->len) != 0 ||
        needs(ctx, st, strchr(better, ':') + 1))
        return;
    char *nw = swapped_word(fam, w->text, better);
    if (nw)
        kd_fix_edit(f, w->span.start.off, w->span.end.off, nw);
    free(nw);
}

static int min_saving(const kd_lint_ctx *ctx, const kd_rule *self)
{
    const char *v = kd_rule_option(ctx, self, "min-saving-mb");
    return v ? atoi(v) : 50;
}

/* Sizes asked of the registry (lint --online). Returns 1 when they
 * decided (a finding made, or none because the saving is small or the
 * sibling does not exist), 0 to fall back on the table's typical sizes,
 * with *note saying why when the registry could not answer. */
static int check_online(kd_lint_ctx *ctx, const kd_rule *self, size_t st, const char *image,
                        const base_family *fam, const char *better, char **note)
{
    unsigned long long fat = 0, small = 0;
    char *why = NULL;
    int rc = kd_online_image_size(ctx, image, &fat, &why);
    if (rc == 0)
        rc = kd_online_image_size(ctx, better, &small, &why);
    else if (rc == 1)
        *note = kd_asprintf("the registry has no image %s", image);
    if (rc == -1)
        *note = kd_asprintf("the registry could not be asked: %s", why);
    free(why);
    if (rc != 0)
        return rc == 1 && *note == NULL; /* no sibling: nothing smaller to suggest */
    double saving_mb = ((double)fat - (double)small) / 1e6;
    if (saving_mb < min_saving(ctx, self))
        return 1;
    kd_finding *f = kd_report(ctx, self, ctx->stages->v[st].image->span,
              "%s is %.1f MB compressed (asked of its registry); %s (%s) is %.1f MB: %.1f MB "
              "less to pull, store and push for every image built on it",
              image, (double)fat / 1e6, better, fam->label, (double)small / 1e6, saving_mb);
    add_fix(ctx, f, st, fam, better);
    return 1;
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
    char *note = NULL;
    if (fam && !(ref.tag && small_tag(ref.tag))) {
        char *better = suggestion(fam, ref.tag);
        if (!check_online(ctx, self, st, image, fam, better, &note) &&
            fam->fat_mb - fam->small_mb >= min_saving(ctx, self)) {
            kd_finding *f = kd_report(ctx, self, ctx->stages->v[st].image->span,
                      "%s is typically ~%d MB compressed; %s (%s) is typically ~%d MB: about %d "
                      "MB less to pull, store and push for every image built on it%s%s%s",
                      image, fam->fat_mb, better, fam->label, fam->small_mb,
                      fam->fat_mb - fam->small_mb, note ? " (" : "", note ? note : "",
                      note ? ")" : "");
            add_fix(ctx, f, st, fam, better);
        }
        free(better);
    }
    free(note);
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
    .fix = KD_FIX_UNSAFE,
    .summary = "The image is built on the full variant of a family with a much smaller one",
    .check = check,
};
