/* The engine's private state behind kd_lint_ctx (owner: lint-engine); only
 * the lint/ sources include this. */
#ifndef KD_LINT_PRIV_H
#define KD_LINT_PRIV_H

#include "lint/config.h"
#include "lint/engine.h"
#include "lint/lint.h"

/* One rule as it runs on the current file. */
typedef struct kd_rule_state {
    const kd_rule *rule;
    kd_severity severity;
    bool enabled;
} kd_rule_state;

/* An inline suppression: the rule pattern it names and the instruction it
 * covers (SIZE_MAX for `global`). */
typedef struct kd_suppress {
    char *pattern;
    size_t instr;
} kd_suppress;

typedef struct kd_ctx_cache kd_ctx_cache; /* per-folder context walks */

struct kd_lint_priv {
    kd_linter *linter;
    const char *path; /* the Dockerfile's path, for NAME.dockerignore */
    kd_rule_state *states;
    size_t nstates;
    kd_rule_state *cur;  /* the rule whose check() is running */
    kd_finding **findings;
    size_t nfindings, cap;
    kd_suppress *sup;
    size_t nsup;
    sh_script **shell;   /* per instruction, computed on demand */
    bool *shell_done;
    bool *stage_used;    /* per stage, NULL until asked */
    kd_context_info *context; /* owned, with its own copy of the ignore text */
    df_vars *globals;          /* owned; the global ARG values, NULL until asked */
};

/* Reads the file's inline suppressions into p->sup. */
void kd_suppress_collect(const df_file *f, struct kd_lint_priv *p);
bool kd_suppressed(const struct kd_lint_priv *p, const df_file *f, const kd_rule *r,
                   size_t off);
/* `# check=skip=A,B|all` directive: whether it skips rule r. */
bool kd_directive_skips(const df_file *f, const kd_rule *r);

/* A folder's .dockerignore text and size, each computed once per run
 * (lint/context.c). */
const char *kd_dir_dockerignore(kd_ctx_cache **cache, const char *dir);
const kd_context_size *kd_dir_size(kd_ctx_cache **cache, const char *dir);
/* Whether the folder holds NAME.dockerignore for the file name NAME. */
bool kd_dir_has_own_ignore(kd_ctx_cache **cache, const char *dir, const char *name);
void kd_ctx_cache_free(kd_ctx_cache *c);
/* The linter's cache. */
kd_ctx_cache **kd_linter_ctx_cache(kd_linter *l);

/* Tolerant stage split (see kd_lint_ctx.stages). */
void kd_stages_tolerant(const df_file *f, df_stages *out);

#endif
