/* Small helpers shared by the built-in rules (owner: lint-engine). */
#ifndef KD_RULES_UTIL_H
#define KD_RULES_UTIL_H

#include "lint/lint.h"

#include <stdbool.h>
#include <stddef.h>

/* An image reference split as Docker reads it; parts are owned. */
typedef struct kd_imgref {
    char *registry; /* "docker.io" when none is written */
    char *repo;     /* path without registry; "library/" dropped: "node", "bitnami/redis" */
    char *tag;      /* NULL when none */
    char *digest;   /* NULL when none */
    bool official;  /* a Docker Hub official image (no namespace) */
} kd_imgref;

/* Splits an image reference; false (and nothing to free) when it holds a
 * variable or is malformed. */
bool kd_image_parse(const char *s, kd_imgref *out);
void kd_image_free(kd_imgref *r);

/* The FROM image of stage st with the global ARGs' defaults (and the
 * automatic platform ARGs) expanded, owned; NULL when a variable stays
 * unresolved or the stage has no image. */
char *kd_stage_image(const kd_lint_ctx *ctx, size_t st);
/* Whether the FROM of stage st names an earlier stage (FROM builder). */
bool kd_stage_from_stage(const kd_lint_ctx *ctx, size_t st, size_t *parent);

/* Whether some FROM line (image or --platform) holds a variable; without
 * one the global ARGs need not be computed. */
bool kd_from_has_var(const kd_lint_ctx *ctx);

/* Every global ARG declared (before the first FROM), with the automatic
 * platform ARGs, into names, even those whose default fails to expand.
 * Their values are kd_global_values(ctx) (lint/lint.h). */
void kd_global_names(const kd_lint_ctx *ctx, df_vars *names);
/* Whether s is a valid image reference (or stage name) once expanded. */
bool kd_image_valid(const char *s);

/* Reports every instruction of kind that a later one in the same stage
 * overrides (only the last CMD, ENTRYPOINT or HEALTHCHECK counts). */
void kd_report_overridden(kd_lint_ctx *ctx, const kd_rule *self, df_kind kind);

/* Calls fn for each stage built on an image (not on an earlier stage or
 * scratch) whose reference, with the global ARG defaults expanded, is
 * known: image is the expanded reference, ref its parts. */
typedef void (*kd_base_fn)(kd_lint_ctx *ctx, const kd_rule *self, size_t stage,
                           const char *image, const kd_imgref *ref);
void kd_each_base_image(kd_lint_ctx *ctx, const kd_rule *self, kd_base_fn fn);

/* Whether stage st (or a stage it is built FROM) has an instruction for
 * which pred is true, before instruction index 'before'. */
bool kd_stage_chain_has(const kd_lint_ctx *ctx, size_t st, bool (*pred)(const df_instr *),
                        size_t before);

/* Whether .dockerignore text excludes a context path (a literal path; a
 * leading ./ or / is dropped). The last matching line wins, '!' lines
 * re-include, a pattern that matches a parent folder excludes what is in
 * it, and ** spans folders, as Docker reads the file. */
bool kd_dockerignore_excludes(const char *ignore, const char *path);

/* Walks every instruction with BuildKit's variable scope (global ARGs;
 * per stage its ARG and ENV values, a stage built FROM another starting
 * with that stage's environment), calling visit before the instruction is
 * applied, so sc holds what the instruction sees. */
typedef void (*kd_scope_visit)(kd_lint_ctx *ctx, const kd_rule *self, const df_scope *sc,
                               const df_instr *in, size_t stage, void *arg);
void kd_walk_scope(kd_lint_ctx *ctx, const kd_rule *self, kd_scope_visit visit, void *arg);

/* Whether text uses $name or ${name} in a way that needs it set: a use
 * with a default or alternative (${name:-x}, ${name-x}, ${name:+x},
 * ${name+x}, ${name:?x}) says the author expects it may be unset. */
bool kd_var_used_plainly(const char *text, const char *name);

/* Where in->rest (the text after the flags) starts in in->logical, so that
 * offsets into rest map to source spans with df_instr_span(). */
size_t kd_rest_offset(const df_instr *in);

bool kd_has_var(const char *s);
bool kd_is_url(const char *s);
bool kd_is_archive(const char *s);
bool kd_is_lower(const char *s);
bool kd_is_upper(const char *s);
/* Case-insensitive substring search. */
bool kd_icontains(const char *hay, const char *needle);

/* The sources and destination of a COPY/ADD (args without flags; heredoc
 * bodies count as sources). n is the number of args; the last one is the
 * destination. */
static inline size_t kd_copy_nsrc(const df_instr *in)
{
    return in->nargs ? in->nargs - 1 : 0;
}

#endif
