/* Variable expansion and word splitting as BuildKit's shell.Lex does them:
 * quotes, the escape character, $VAR, ${VAR}, ${VAR:-x}, ${VAR-x},
 * ${VAR:+x}, ${VAR+x}, ${VAR:?msg}, ${VAR?msg}, ${VAR#p}, ${VAR##p},
 * ${VAR%p}, ${VAR%%p}, ${VAR/p/r} and ${VAR//p/r}.
 *
 * The builder calls this for the instructions Docker expands (FROM, COPY,
 * ADD, ENV, ARG, LABEL, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL); the
 * linter uses the names it reports to find undefined variables. */
#ifndef KD_DOCKERFILE_EXPAND_H
#define KD_DOCKERFILE_EXPAND_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

/* An ordered set of variables; setting an existing name replaces its value
 * in place. Keys and values are owned copies. */
typedef struct df_vars {
    char **keys;
    char **vals;
    size_t n, cap;
} df_vars;

#define DF_VARS_INIT {NULL, NULL, 0, 0}

void df_vars_set(df_vars *v, const char *key, const char *val);
void df_vars_setn(df_vars *v, const char *key, size_t klen, const char *val, size_t vlen);
/* The value of key[0..klen), or NULL when it is not set. */
const char *df_vars_get(const df_vars *v, const char *key, size_t klen);
bool df_vars_unset(df_vars *v, const char *key);
void df_vars_copy(df_vars *dst, const df_vars *src);
void df_vars_free(df_vars *v);

typedef struct df_lex_opts {
    char escape;       /* '\\' or '`' */
    bool raw_quotes;   /* keep quote characters in the result */
    bool raw_escapes;  /* keep escape characters in the result */
    bool skip_quotes;  /* quotes are ordinary characters (heredoc bodies) */
    bool skip_unset;   /* leave references to unset variables as written */
    bool heredoc_words; /* "<<" takes the white space after it into its word */
} df_lex_opts;

typedef struct df_expansion {
    char *word;  /* the whole input, expanded (ProcessWord) */
    size_t len;
    char **words; /* the expanded input split into words (ProcessWords) */
    size_t *word_starts, *word_ends; /* where each word stands in the input */
    size_t nwords;
    char **unmatched; /* variable names referenced but not set, once each */
    size_t nunmatched;
    char **matched; /* variable names referenced and set, once each */
    size_t nmatched;
} df_expansion;

/* Expands s[0..n) with the variables in env (may be NULL). On failure (bad
 * substitution, unterminated quote, ${X:?msg}) returns -1 with *err set to a
 * message like BuildKit's: failed to process "WORD": REASON. */
int df_expand(const df_lex_opts *o, const char *s, size_t n, const df_vars *env,
              df_expansion *out, kd_error **err);
void df_expansion_free(df_expansion *e);

/* Shorthand: the expanded word with default options for escape character
 * esc, or NULL with *err set. The result is owned by the caller. */
char *df_expand_word(char esc, const char *s, const df_vars *env, kd_error **err);

#endif
