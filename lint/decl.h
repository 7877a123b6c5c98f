/* Declarative rules (owner: lint-engine): a team's own checks written in a
 * JSON file (--rules FILE, or `rules:` in .kdoctor.yaml), each an
 * instruction kind, PCRE2 patterns and a message. docs/lint.md describes
 * the format. Patterns are compiled once, when the file is loaded; every
 * error names FILE:LINE:COL (for a bad pattern, the column of the byte the
 * PCRE2 error offset points at). */
#ifndef KD_LINT_DECL_H
#define KD_LINT_DECL_H

#include "rules/rule.h"
#include "util/error.h"

#include <stddef.h>

typedef struct kd_decl_set kd_decl_set;

int kd_decl_parse(const char *path, const char *data, size_t len, kd_decl_set **out,
                  kd_error **err);
int kd_decl_load(const char *path, kd_decl_set **out, kd_error **err);
void kd_decl_free(kd_decl_set *s);

/* The set's rules, in file order; they stay valid while the set lives. */
size_t kd_decl_rules(const kd_decl_set *s, const kd_rule *const **out);

/* A declarative rule's link (its "link" member), or NULL; NULL for a
 * built-in rule. */
const char *kd_decl_link(const kd_rule *r);

#endif
