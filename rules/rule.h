/* The rule interface (owner: lint-engine). One file per rule under rules/,
 * named after the id (rules/KD1001_fat_base_image.c), each defining one rule
 * with the KD_RULE macro:
 *
 *     #include "lint/lint.h"
 *
 *     static void check(kd_lint_ctx *ctx, const kd_rule *self)
 *     {
 *         for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_ADD));)
 *             kd_report(ctx, self, in->keyword_span, "use COPY");
 *     }
 *
 *     KD_RULE(KD1003) = {
 *         .id = "KD1003", .name = "add-instead-of-copy",
 *         .severity = KD_SEV_WARNING, .category = KD_CAT_COST, .fix = KD_FIX_SAFE,
 *         .hadolint = {"DL3020"}, .summary = "ADD used where COPY does",
 *         .check = check,
 *     };
 *
 * The build collects every `KD_RULE(` line of the rule files into a generated
 * table (scripts/gen-rules-table.sh writes $(OUT)/gen/rules_table.c), so
 * adding a rule touches its own file, its docs page docs/rules/KDnnnn.md
 * and its tests (tests/rules/KDnnnn/), and nothing else.
 *
 * Ids: KD1xxx cost, KD2xxx correctness, KD3xxx security, KD4xxx
 * maintainability and style. The rules that need no shell analysis use
 * KDx100-KDx499, the RUN-command rules (branch shell) KDx500-KDx999, so the
 * two sets never collide. The id given to KD_RULE must equal .id (a unit
 * test checks it). */
#ifndef KD_RULES_RULE_H
#define KD_RULES_RULE_H

#include <stdbool.h>
#include <stddef.h>

/* Severities, ordered: a larger value is more severe. KD_SEV_OFF turns a
 * rule off (config, --severity ID=off). */
typedef enum kd_severity {
    KD_SEV_OFF = 0,
    KD_SEV_STYLE,
    KD_SEV_INFO,
    KD_SEV_WARNING,
    KD_SEV_ERROR,
} kd_severity;

typedef enum kd_category {
    KD_CAT_COST,
    KD_CAT_CORRECTNESS,
    KD_CAT_SECURITY,
    KD_CAT_MAINTAINABILITY,
} kd_category;

/* What a fix of the rule's findings does: none (no fix), safe (the image
 * stays the same, `--fix` applies it) or unsafe (it may change the image;
 * applied only on request). */
typedef enum kd_fix_kind {
    KD_FIX_NONE = 0,
    KD_FIX_SAFE,
    KD_FIX_UNSAFE,
} kd_fix_kind;

typedef struct kd_lint_ctx kd_lint_ctx; /* lint/lint.h */
typedef struct kd_rule kd_rule;

#define KD_MAX_ALIASES 4

struct kd_rule {
    const char *id;   /* "KD1001" */
    const char *name; /* short kebab-case, unique: "fat-base-image" */
    kd_severity severity; /* the default; config and --severity override it */
    kd_category category;
    kd_fix_kind fix;
    /* hadolint rule ids this rule stands for ("DL3020"), NULL-terminated;
     * `# hadolint ignore=DL3020` suppresses the rule through them */
    const char *hadolint[KD_MAX_ALIASES];
    const char *buildkit; /* BuildKit build-check name ("StageNameCasing") or NULL */
    const char *summary;  /* one line, no final period */
    bool off_by_default;  /* enabled only by --select or the config */
    /* Runs once per parsed file; reports with kd_report(). Never prints,
     * never fails: a rule that cannot decide stays silent. */
    void (*check)(kd_lint_ctx *ctx, const kd_rule *self);
    /* Declarative rules (--rules FILE) carry their compiled patterns here;
     * NULL for built-in rules. Owned by the rule set that made the rule. */
    const void *decl;
};

/* Defines the rule with id ID; its table entry is kd_rule_ID. */
#define KD_RULE(ID) const kd_rule kd_rule_##ID

/* The built-in rules sorted by id, NULL-terminated (generated table). */
extern const kd_rule *const kd_builtin_rules[];
extern const size_t kd_builtin_rule_count;

/* The built-in rule with this id or name (case-insensitive), or NULL. */
const kd_rule *kd_rule_find(const char *id_or_name);

const char *kd_severity_name(kd_severity s); /* "error", ..., "off" */
/* Parses "error", "warning", "info", "style", "off"/"none"; -1 if unknown. */
int kd_severity_parse(const char *s);
const char *kd_category_name(kd_category c);
const char *kd_fix_kind_name(kd_fix_kind k); /* "none", "safe", "unsafe" */

/* The documentation page of a built-in rule (docs/rules/ID.md, embedded at
 * build time), or NULL. */
const char *kd_rule_doc(const char *id);

#endif
