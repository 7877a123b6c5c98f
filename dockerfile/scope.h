/* Stages and variable scope: which instructions belong to which stage, and
 * which ARG and ENV values an instruction sees, with BuildKit's rules:
 *
 *  - ARGs before the first FROM are global; FROM lines expand with them
 *    (and with the automatic platform ARGs such as TARGETARCH).
 *  - Inside a stage, `ARG NAME` without a default takes the --build-arg
 *    value, else the global ARG's value; `ARG NAME=default` takes the
 *    --build-arg value, else the default (expanded).
 *  - ENV and ARG values both join the stage's environment, the later
 *    definition winning; the image config only keeps the ENV ones.
 *
 * The builder walks a file with this API; the linter uses it to find
 * variables that are used but never defined. */
#ifndef KD_DOCKERFILE_SCOPE_H
#define KD_DOCKERFILE_SCOPE_H

#include "dockerfile/dockerfile.h"
#include "dockerfile/expand.h"

#include <sys/types.h>

typedef struct df_stage {
    size_t from;  /* index of the FROM instruction in f->instrs */
    size_t end;   /* index one past the stage's last instruction */
    char *name;   /* the AS name, lowercased, or NULL; owned */
    const df_word *image;    /* the image word as written (not expanded) */
    const df_flag *platform; /* --platform, or NULL */
} df_stage;

typedef struct df_stages {
    size_t nglobal; /* instructions before the first FROM */
    df_stage *v;
    size_t n;
} df_stages;

/* Splits f into stages and checks each FROM line's shape (one word, or
 * three with AS, a valid stage name, no duplicate names). Errors name
 * FILE:LINE:COL. */
int df_stages_find(const df_file *f, df_stages *out, kd_error **err);
void df_stages_free(df_stages *s);
/* The index of the stage named name (case-insensitive) or given as a
 * number, or -1. Only stages before 'before' count (a stage can only use
 * an earlier one). */
ssize_t df_stages_lookup(const df_stages *s, const char *name, size_t before);

typedef struct df_scope {
    const df_file *f;
    df_vars build_args;    /* --build-arg values */
    df_vars auto_args;     /* TARGETARCH and friends */
    df_vars globals;       /* global ARGs that have a value, with auto_args */
    df_vars global_names;  /* every global ARG name, with or without value */
    df_vars env;           /* the stage's environment: image env, ENV, ARG */
    df_vars config_env;    /* the image config's environment: image env and ENV */
    df_vars stage_args;    /* the stage's ARGs that have a value */
    df_vars used_build_args; /* --build-arg names some ARG consumed */
    bool in_stage;
} df_scope;

/* build_args and auto_args may be NULL; both are copied. */
void df_scope_init(df_scope *s, const df_file *f, const df_vars *build_args,
                   const df_vars *auto_args);
void df_scope_free(df_scope *s);

/* The automatic platform ARGs for a target such as "linux/arm64/v8" and the
 * build platform (pass NULL for the machine's own). */
void df_auto_args(df_vars *out, const char *target_platform, const char *build_platform);

/* Starts a stage whose base image has environment image_env (may be NULL). */
void df_scope_enter_stage(df_scope *s, const df_vars *image_env);

/* Applies an ARG (global before the first stage, else the stage's) or an
 * ENV instruction. */
int df_scope_apply(df_scope *s, const df_instr *in, kd_error **err);

/* Expands a word as written in instruction in (for error positions), with
 * the variables in scope: the globals outside a stage, else the stage's
 * environment. On success out holds the result (free with
 * df_expansion_free). */
int df_scope_expand(const df_scope *s, const df_instr *in, const df_word *w, df_expansion *out,
                    kd_error **err);
/* Shorthand for df_scope_expand returning the whole expanded word (owned). */
char *df_scope_word(const df_scope *s, const df_instr *in, const df_word *w, kd_error **err);

#endif
