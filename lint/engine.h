/* The lint driver (owner: lint-engine): what `kdoctor lint` runs. It owns
 * the rule set (built-in rules plus declarative ones), finds and caches the
 * config of each Dockerfile's folder, parses a file once, runs every
 * enabled rule on it and returns the findings, suppressions applied.
 * Rules see lint/lint.h instead. Library code: never prints or exits. */
#ifndef KD_LINT_ENGINE_H
#define KD_LINT_ENGINE_H

#include "dockerfile/dockerfile.h"
#include "rules/rule.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

/* One edit of the original source: replace src[start, end) by text. Fixes
 * are lists of such edits, applied from the end backwards (issue 4). */
typedef struct kd_edit {
    size_t start, end;
    char *text; /* owned by the finding */
} kd_edit;

typedef struct kd_finding {
    const kd_rule *rule;
    kd_severity severity; /* effective: after config and --severity */
    df_span span;         /* what the finding is about, in the source */
    char *message;        /* owned */
    kd_fix_kind fix;      /* KD_FIX_NONE while no edit is attached */
    kd_edit *edits;       /* owned, sorted by start, never overlapping */
    size_t nedits;
} kd_finding;


/* A --severity ID=level override. */
typedef struct kd_sev_override {
    char *rule; /* id, name, alias or prefix */
    kd_severity severity;
} kd_sev_override;

/* The command line's settings; they win over the config files'. */
typedef struct kd_lint_opts {
    const char *const *select; /* run only the rules these match (ids, names, prefixes) */
    size_t nselect;
    const char *const *ignore; /* never run the rules these match */
    size_t nignore;
    const kd_sev_override *severity;
    size_t nseverity;
    int failure_threshold;       /* a kd_severity, KD_SEV_OFF for none; -1: unset */
    const char *config_path;     /* --config: use this file instead of searching */
    bool no_config;              /* --no-config: defaults only */
    const char *const *rules_files; /* --rules: declarative rule files */
    size_t nrules_files;
    /* --online: asks registries for real image sizes (lint/online.h);
     * NULL: offline, rules quote typical sizes. Not owned. */
    struct kd_online *online;
} kd_lint_opts;

typedef struct kd_linter kd_linter;

/* The findings of one file, in source order. */
typedef struct kd_file_result {
    char *path;      /* as given; "-" for standard input */
    df_file *file;   /* the parsed file (for source lines) */
    kd_finding **findings;
    size_t nfindings;
    kd_severity threshold; /* the effective --failure-threshold for this file */
} kd_file_result;

/* Checks the options (every --select/--ignore/--severity pattern must
 * match a rule), loads --config and --rules. Errors have status 2. */
int kd_linter_new(const kd_lint_opts *o, kd_linter **out, kd_error **err);
void kd_linter_free(kd_linter *l);

/* Lints the file at path ("-": standard input). A file that cannot be read
 * or parsed, or whose config is bad, gives -1 and *err (status 2). */
int kd_lint_path(kd_linter *l, const char *path, kd_file_result **out, kd_error **err);
/* Lints len bytes of source; dir is the folder the file stands in (for
 * .dockerignore and the config search), NULL for none. */
int kd_lint_source(kd_linter *l, const char *path, const char *data, size_t len, const char *dir,
                   kd_file_result **out, kd_error **err);
void kd_file_result_free(kd_file_result *r);

/* True when a finding of r reaches r's failure threshold. */
bool kd_result_fails(const kd_file_result *r);

/* Every rule the linter knows: built-in ones, then the --rules ones (the
 * config's own declarative rules are not listed; see their findings). */
size_t kd_linter_rules(const kd_linter *l, const kd_rule *const **out);

/* Whether pattern (id, name, hadolint or BuildKit alias, or id prefix such
 * as "KD1") designates rule. */
bool kd_rule_matches(const kd_rule *r, const char *pattern);

/* Searches a directory (recursively, skipping hidden folders and
 * node_modules) for Dockerfile, *.Dockerfile and Dockerfile.* files;
 * appends their paths (owned) to *paths, sorted. */
int kd_find_dockerfiles(const char *dir, char ***paths, size_t *n, kd_error **err);

#endif
