/* Private to shell/: the arena, the analysis context, the tokenizer and the
 * entry points the files of the analyser share. */
#ifndef KD_SHELL_INTERNAL_H
#define KD_SHELL_INTERNAL_H

#include "shell/shell.h"
#include "util/buf.h"

#include <stdint.h>

/* ---- arena: everything in a script is freed at once ---------------------- */

typedef struct sh_arena sh_arena;
sh_arena *sh_arena_new(void);
void sh_arena_free(sh_arena *a);
void *sh_alloc(sh_arena *a, size_t n); /* zeroed */
char *sh_astrndup(sh_arena *a, const char *s, size_t n);
/* Grows an arena array to hold need elements; returns the (maybe moved)
 * array. The old copy stays in the arena, so never keep pointers into an
 * array that may still grow. */
void *sh_agrow(sh_arena *a, void *p, size_t *cap, size_t need, size_t elem);
#define SH_AGROW(a, arr, cap, need) ((arr) = sh_agrow((a), (arr), &(cap), (need), sizeof *(arr)))

/* ---- a text under analysis ------------------------------------------------ */

typedef struct sh_text {
    const char *s; /* in the arena */
    size_t len;
    const size_t *omap; /* source offset of each byte (len + 1), or NULL */
    size_t base;        /* with omap NULL: byte i is at base + i */
} sh_text;

/* A heredoc waiting for its body, and where the body goes once read. */
typedef struct hd_slot {
    sh_redir *dest; /* the redirection, once its command is built */
    const char *delim;
    bool chomp, quoted, read;
    const char *body;
    size_t body_len;
    df_span span;
    sh_text body_text; /* the body as a text of its own, to analyse it */
} hd_slot;

typedef struct sh_ctx {
    sh_script *s;
    sh_arena *a;
    const df_file *f;
    int depth;
    bool abort; /* too deep: every lexer now reports the end */
    sh_warning *warns;
    size_t nwarns, cap_warns;
    sh_comment *comments;
    size_t ncomments, cap_comments;
    hd_slot **slots; /* every heredoc, to find a redirection's body text */
    size_t nslots, cap_slots;
    /* the RUN's heredocs, whose bodies the Dockerfile parser read */
    const df_heredoc *ext;
    size_t next_ext, n_ext;
    const sh_cmd **cmds;
    size_t ncmds, cap_cmds;
    /* exec form: the text of each argv element, to analyse sh -c's script */
    const sh_cmd *exec_cmd;
    const sh_text *exec_texts;
} sh_ctx;

size_t sh_src_off(const sh_text *t, size_t i);
df_span sh_span(const sh_ctx *c, const sh_text *t, size_t lo, size_t hi);
void sh_warn(sh_ctx *c, const sh_text *t, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Enters one more level of nesting; false (and the analysis stops) past
 * SH_MAX_DEPTH. Every true is paired with sh_leave(). */
bool sh_enter(sh_ctx *c, const sh_text *t, size_t at);
void sh_leave(sh_ctx *c);
/* A text in the arena whose byte k comes from byte map[k] of t (map has
 * len + 1 entries). */
const sh_text *sh_text_derived(sh_ctx *c, const sh_text *t, const char *s, size_t len,
                               const size_t *map);

/* ---- tokenizer (lex.c) ---------------------------------------------------- */

typedef enum tok_kind { TK_EOF, TK_WORD, TK_IONUM, TK_NEWLINE, TK_OP } tok_kind;

typedef enum sh_op {
    OP_NONE,
    OP_AND_IF,    /* && */
    OP_OR_IF,     /* || */
    OP_DSEMI,     /* ;; */
    OP_SEMI_AND,  /* ;& */
    OP_DSEMI_AND, /* ;;& */
    OP_SEMI,      /* ; */
    OP_AMP,       /* & */
    OP_PIPE,      /* | */
    OP_PIPE_AMP,  /* |& */
    OP_LPAREN,    /* ( */
    OP_RPAREN,    /* ) */
    OP_LESS,      /* < */
    OP_GREAT,     /* > */
    OP_DGREAT,    /* >> */
    OP_DLESS,     /* << */
    OP_DLESSDASH, /* <<- */
    OP_TLESS,     /* <<< */
    OP_LESSAND,   /* <& */
    OP_GREATAND,  /* >& */
    OP_LESSGREAT, /* <> */
    OP_CLOBBER,   /* >| */
    OP_AND_GREAT, /* &> */
    OP_AND_DGREAT /* &>> */
} sh_op;

typedef struct token {
    tok_kind k;
    sh_op op;
    size_t lo, hi; /* in the text */
    sh_word w;     /* TK_WORD and TK_IONUM */
} token;

typedef struct lexer lexer;
struct lexer {
    sh_ctx *c;
    const sh_text *t;
    size_t pos;
    size_t last_hi; /* end of the last token taken */
    bool peeked;
    token tok;
    hd_slot **pend; /* heredocs whose body starts after the next newline */
    size_t npend, cap_pend;
    bool top;        /* the RUN's own text: the Dockerfile read its heredoc bodies */
    lexer *parent;   /* for $(...): heredocs left open pass to it */
    bool value_mode; /* only compute a word's value and map (no analysis) */
    kd_buf wtext;    /* the word being built */
    size_t *wmap;    /* in value mode: text offset of each byte of wtext */
    size_t cap_wmap;
    sh_list **subs;
    size_t nsubs, cap_subs;
};

void lex_init(lexer *lx, sh_ctx *c, const sh_text *t, size_t pos);
void lex_done(lexer *lx);
token *lex_peek(lexer *lx);
token lex_next(lexer *lx);
/* Drops any peeked token and goes on from text offset pos. */
void lex_seek(lexer *lx, size_t pos);
/* The heredoc's body starts after the next newline. */
void lex_heredoc(lexer *lx, hd_slot *slot);
/* At the end of the text: heredocs still open take the Dockerfile's bodies
 * (top level) or get a warning. */
void lex_finish(lexer *lx);
/* Skips blanks and line continuations from i. */
size_t lex_skip_blanks(const sh_text *t, size_t i);
/* The end of a balanced "((...))" starting at i, or 0. */
size_t lex_arith_end(const sh_text *t, size_t i);
/* The value of word t[lo, hi) (quotes removed, expansions as written) with,
 * for each byte, its offset in t. Both are malloc'ed for the caller. */
void lex_word_value(sh_ctx *c, const sh_text *t, size_t lo, size_t hi, kd_buf *out, size_t **map);
const char *lex_op_str(sh_op op);
void hd_slot_apply(hd_slot *h);

/* ---- grammar (parse.c) ---------------------------------------------------- */

/* Analyses a whole text; top when it is a RUN's own line. */
sh_list *sh_parse_text(sh_ctx *c, const sh_text *t, bool top);
/* Analyses the list of a $( starting at text offset at (after "$("), up to
 * its ")"; *end gets the offset after it. parent is the enclosing lexer. */
sh_list *sh_parse_subst(lexer *parent, size_t dollar, size_t at, size_t *end);

/* ---- model walk (model.c) and wrappers (wrap.c) --------------------------- */

/* Sets parents, contexts, wrappers and nested scripts below list, and
 * appends its simple commands to c->cmds in the order they run. */
void sh_walk(sh_ctx *c, sh_list *l, sh_cmd *parent, unsigned ctx, int depth);
/* Finds the real command of a simple command (argv0, wrappers). */
void sh_unwrap(sh_ctx *c, sh_cmd *cmd);
/* The index in cmd->words of the script given to sh -c / su -c, or
 * SIZE_MAX. *reads_stdin tells whether the command is a shell reading its
 * script from standard input (no -c, no script file). */
size_t sh_script_arg(const sh_cmd *cmd, bool *reads_stdin);

/* Option tables (opts.c): which options take a separate value. */
typedef struct sh_optspec {
    const char *names;       /* '|'-separated command names */
    const char *short_value; /* short options that take a value */
    const char *long_value;  /* '|'-separated long options (no dashes) that take one */
    bool dash_long;          /* -name is a long option (go) */
} sh_optspec;
const sh_optspec *sh_optspec_for(const char *name);
/* Whether name[0..len) is one of the '|'-separated names. names must have
 * static storage duration (a literal or a constant table): its parsed form
 * is cached by address (sh_name_in_hashed; hash = sh_name_hash(name)). */
bool sh_name_in(const char *name, size_t len, const char *names);
bool sh_name_in_hashed(const char *name, size_t len, uint64_t hash, const char *names);
uint64_t sh_name_hash(const char *s, size_t n);
const char *sh_basename(const char *path);

#endif
