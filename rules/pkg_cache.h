/* Package-manager caches left in a layer (owner: shell). Each manager is
 * described once here (what fills its cache, what removes it, where it
 * lives and how big it typically is); one rule per manager reports a RUN
 * that fills the cache and leaves it in a layer of the image, and
 * KD1501 reports the caches removed only by a later RUN. */
#ifndef KD_RULES_PKG_CACHE_H
#define KD_RULES_PKG_CACHE_H

#include "rules/run_util.h"

typedef struct kd_cache kd_cache;
struct kd_cache {
    const char *what;     /* "the apt package lists" */
    const char *paths[4]; /* where it lives (~ for any home), NULL-terminated */
    /* For each path, the variable that moves it ("GOCACHE", or
     * "GOPATH/pkg/mod" for a folder below the variable's value), or NULL. */
    const char *moved_by[4];
    const char *size;   /* "typically 20-50 MB" */
    const char *advice; /* how to avoid it, for the message */
    /* Whether c fills the cache in this RUN (and does not itself avoid it,
     * with --no-cache or an environment variable). */
    bool (*fills)(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *c);
    /* Whether c empties the cache, besides removing one of the paths. */
    bool (*cleans)(const sh_cmd *c);
    /* The safe fix. option: added after the subcommand of every command of
     * the RUN that fills the cache, when option_ok (if set) accepts each
     * one; otherwise append: " && CMD" right after the last command of the
     * RUN that uses the cache (%s is the filling command's name), in the
     * same subshell, branch or nested script, run by the same user. uses
     * names the commands that use the cache ('|'-separated; NULL: those
     * named like the filling command). fix_ok (may be NULL) vetoes the fix,
     * looking at the later RUNs of the stage up to instruction index until
     * (SIZE_MAX: all of them). */
    const char *option;
    bool (*option_ok)(const sh_cmd *filler);
    const char *append;
    const char *uses;
    bool (*fix_ok)(kd_lint_ctx *ctx, const kd_run *r, const sh_cmd *filler, size_t until);
};

/* Every manager, NULL-terminated (for KD1501). */
extern const kd_cache *const kd_caches[];
extern const kd_cache kd_cache_apt, kd_cache_apk, kd_cache_yum, kd_cache_dnf, kd_cache_zypper,
    kd_cache_pip, kd_cache_npm, kd_cache_yarn, kd_cache_pnpm, kd_cache_gem, kd_cache_composer,
    kd_cache_go, kd_cache_maven, kd_cache_gradle, kd_cache_conda;

/* The first command of r that fills m's cache and that no later command of
 * the same RUN cleans, or NULL. Skips RUNs that mount a cache over it. */
const sh_cmd *kd_cache_left(kd_lint_ctx *ctx, const kd_run *r, const kd_cache *m);
/* The first later RUN of r's stage that cleans the cache filler c of r
 * filled, in *later, and the command that does, in *by. */
bool kd_cache_cleaned_later(kd_lint_ctx *ctx, const kd_run *r, const kd_cache *m, const sh_cmd *c,
                            kd_run *later, const sh_cmd **by);

/* Whether word (a path as written) names where the cache of filler c of r
 * lives, or a folder above it, or a glob over its content. */
bool kd_cache_path_word(kd_lint_ctx *ctx, const kd_run *r, const kd_cache *m, const sh_cmd *c,
                        const char *word);
/* Whether c uses m's cache (m->uses, or named like filler). */
bool kd_cache_uses(const kd_cache *m, const sh_cmd *filler, const sh_cmd *c);
/* Adds " && text" to r right after the last command that uses m's cache
 * (filled by c), where kd_cmd_anchor() puts it; false (nothing attached)
 * when there is no such place. */
bool kd_cache_fix_after_use(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const kd_cache *m,
                            const sh_cmd *c, const char *text);

/* The command that removes m's cache as the fix adds it, for filler c:
 * m->append with c's name, run as c is (sudo -u x, A=1). Owned. */
char *kd_cache_clean_text(const kd_cache *m, const sh_cmd *c);

/* The per-manager fix of filler c of r (see the fields option and append)
 * attached to f, when there is one. */
void kd_cache_add_fix(kd_lint_ctx *ctx, kd_finding *f, const kd_run *r, const kd_cache *m,
                      const sh_cmd *c);

/* The check of a per-manager rule: every RUN of a stage in the image that
 * leaves m's cache (and no later RUN removes it: KD1501 says so). */
void kd_cache_check(kd_lint_ctx *ctx, const kd_rule *self, const kd_cache *m);

#endif
