/* The rule author's view of the lint engine (owner: lint-engine): what a
 * rule's check() gets and how it reports. The driver side (running files,
 * config, output formats) is lint/engine.h, which rules never need.
 *
 * A check runs once per parsed file. Everything it can ask is computed once
 * per file and shared by all rules (no rule re-parses): the df_file, its
 * stages, the effective config, and per RUN the shell analysis (lazily, on
 * the first kd_shell() call, then cached).
 *
 * Note: cli/cli.h has an unrelated kd_report(kd_error *). Rules call
 * kd_report(ctx, rule, span, ...) as designed; the symbol is
 * kd_lint_report (the macro below), so both link into one binary. The CLI
 * includes lint/engine.h, never this header. */
#ifndef KD_LINT_LINT_H
#define KD_LINT_LINT_H

#include "dockerfile/dockerfile.h"
#include "dockerfile/scope.h"
#include "lint/engine.h"
#include "rules/rule.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* kd_edit and kd_finding are in lint/engine.h, shared with the driver. */

typedef struct kd_config kd_config; /* lint/config.h */

/* The shell analysis of one instruction; the type is shell/shell.h's
 * (owner: shell). The engine only stores and hands out pointers. */
typedef struct sh_script sh_script;

/* What a check can read. The engine fills it; rules only read. */
struct kd_lint_ctx {
    const df_file *file;
    /* Every FROM starts a stage, even a malformed one: unlike
     * df_stages_find() this never fails, so duplicate or invalid stage
     * names stay visible to the rules that report them. Names are
     * lowercased; v[i].name is NULL without AS. */
    const df_stages *stages;
    const kd_config *config; /* never NULL (defaults when no file) */
    const char *dir;         /* the Dockerfile's folder; NULL for stdin */
    struct kd_lint_priv *priv; /* the engine's own state */
};

/* Iteration: the instruction after prev (NULL: the first) whose kind is
 * kind (KD_ANY: any kind), or NULL at the end. ONBUILD's inner instruction
 * is not visited (see in->sub). */
#define KD_ANY DF_KIND_COUNT
const df_instr *kd_next(const kd_lint_ctx *ctx, const df_instr *prev, df_kind kind);
/* The same within stage number stage (0-based). */
const df_instr *kd_stage_next(const kd_lint_ctx *ctx, size_t stage, const df_instr *prev,
                              df_kind kind);
size_t kd_instr_index(const kd_lint_ctx *ctx, const df_instr *in);
/* The stage an instruction belongs to, or -1 before the first FROM. */
ssize_t kd_stage_of(const kd_lint_ctx *ctx, const df_instr *in);
/* True when a later stage refers to stage i (FROM i, COPY --from=i,
 * RUN --mount=from=i). The last stage is the image unless --target. */
bool kd_stage_is_used(const kd_lint_ctx *ctx, size_t i);

/* The shell analysis of a RUN (shell form or heredoc script; the exec
 * form as one simple command, sh_script.exec_form), computed on first use
 * and cached for the file's lifetime; NULL when there is none (not a RUN,
 * or a shell-form RUN that a PowerShell or cmd SHELL runs: sh_run_posix()). */
const sh_script *kd_shell(kd_lint_ctx *ctx, const df_instr *in);

/* The automatic platform ARGs (TARGETPLATFORM, BUILDARCH, ...) of this
 * machine, computed once per process. */
const df_vars *kd_auto_args(void);
/* The values of the global ARGs (declared before the first FROM, with the
 * automatic ones) as a FROM line sees them, computed on first use and
 * kept for the file's lifetime. */
const df_vars *kd_global_values(const kd_lint_ctx *ctx);

/* Reports a finding of rule at span with a printf-style message (one
 * sentence, no final period; costs stated where known). Returns the
 * finding, owned by the engine, so that a fix can be attached, or NULL when
 * the finding is suppressed (inline ignore, config, --ignore): a rule need
 * not check, kd_fix_edit() accepts NULL. */
#define kd_report kd_lint_report
kd_finding *kd_lint_report(kd_lint_ctx *ctx, const kd_rule *rule, df_span span, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

/* Attaches an edit to a finding's fix (no-op on NULL): replace source bytes
 * [start, end) with text (copied). The fix's kind is the rule's; a rule may
 * set f->fix = KD_FIX_UNSAFE for one finding. */
void kd_fix_edit(kd_finding *f, size_t start, size_t end, const char *text);

/* Spans: bytes [start, end) of the source; an instruction's first physical
 * line (keyword to line end, what a caret display underlines). */
df_span kd_span(const kd_lint_ctx *ctx, size_t start, size_t end);
df_span kd_span_first_line(const kd_lint_ctx *ctx, const df_instr *in);

/* Config values a rule may read (lint/config.h has the whole config). */
/* A rule-specific option from the config's `options: {RULE: {key: value}}`
 * (RULE is the id or name), or NULL. */
const char *kd_rule_option(const kd_lint_ctx *ctx, const kd_rule *rule, const char *key);
/* Whether the image reference is from a trusted registry (true when the
 * config lists none) and whether it is an allowed base image (true when the
 * config lists none). */
bool kd_registry_trusted(const kd_lint_ctx *ctx, const char *image);
bool kd_base_image_allowed(const kd_lint_ctx *ctx, const char *image);

/* With `lint --online`, an image's compressed size from its registry
 * (lint/online.h): 0 with *bytes set; 1 when the registry has no such
 * image; -1 when it could not be asked (*why, owned by the caller, says
 * why; why may be NULL); -2 when lint runs offline. */
int kd_online_image_size(kd_lint_ctx *ctx, const char *image, unsigned long long *bytes,
                         char **why);

/* The build context as far as the linter can see it: the folder next to
 * the Dockerfile (the usual `docker build .`). NULL for standard input.
 * kd_context() only reads the ignore file; kd_context_size() walks the
 * folder, once per folder and run, with a cap: call it last. */
typedef struct kd_context_info {
    const char *dir;
    const char *dockerignore; /* the ignore file's text (NAME.dockerignore beside the
                                 Dockerfile wins over .dockerignore), or NULL */
    bool dockerignore_own;    /* it came from NAME.dockerignore */
} kd_context_info;
const kd_context_info *kd_context(kd_lint_ctx *ctx);

typedef struct kd_context_size {
    unsigned long long bytes; /* bytes of regular files, counted up to the cap */
    size_t files;
    bool capped;              /* the walk stopped at its cap: there is more */
    bool has_git, has_node_modules; /* .git/ or node_modules/ at the top */
} kd_context_size;
const kd_context_size *kd_context_size_of(kd_lint_ctx *ctx);

/* Whether a comment is an inline suppression (`# kdoctor ignore=...`,
 * `# hadolint ignore=...`, with or without `global`). */
bool kd_is_ignore_pragma(const char *comment_text);
/* Whether a comment is such a suppression and names rule r (by id, name,
 * alias or prefix). */
bool kd_pragma_ignores(const char *comment_text, const kd_rule *r);

#endif
