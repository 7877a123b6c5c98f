/* The POSIX shell analyser behind the RUN rules: a tokenizer and a small
 * command-list model, enough for a rule to ask "which commands run, with
 * which options" and to report exact Dockerfile spans.
 *
 * Input is the text of a shell-form RUN (the instruction's rest, with
 * continuations already joined), a heredoc body, or any text with a map of
 * its bytes back to the Dockerfile. The model keeps words (quotes removed,
 * expansions kept as written), assignments, redirections and heredocs,
 * simple commands, pipelines, and/or lists, subshells, brace groups,
 * if/for/while/until/case bodies and functions (as nested lists), and the
 * scripts inside $(...), backticks, `sh -c '...'`, `su -c '...'` and shell
 * heredocs (`bash <<EOF`), analysed recursively.
 *
 * Wrappers are unwrapped so that a rule sees the real command: sudo, env,
 * xargs, nice, nohup, time, exec, command, timeout, stdbuf, gosu, su-exec,
 * eatmydata (chroot is kept: its command runs elsewhere).
 *
 * The analysis never fails: bad or unfinished shell gives warnings with
 * positions and a best-effort model. Nesting deeper than SH_MAX_DEPTH stops
 * the analysis of what follows, with a warning.
 *
 * Ownership: sh_parse() and sh_parse_run() return an sh_script that owns
 * everything reachable from it (one arena); free it with sh_script_free().
 * Nothing points into the caller's text or df_file after they return. */
#ifndef KD_SHELL_H
#define KD_SHELL_H

#include "dockerfile/dockerfile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SH_MAX_DEPTH 64

typedef struct sh_list sh_list;
typedef struct sh_cmd sh_cmd;
typedef struct sh_script sh_script;

/* ---- words -------------------------------------------------------------- */

enum {
    SH_W_SQUOTED = 1u << 0, /* has a '...' or $'...' part */
    SH_W_DQUOTED = 1u << 1, /* has a "..." part */
    SH_W_ESCAPED = 1u << 2, /* has a backslash escape outside quotes */
    SH_W_PARAM = 1u << 3,   /* $NAME or ${...} */
    SH_W_CMDSUB = 1u << 4,  /* $(...) or `...` */
    SH_W_ARITH = 1u << 5,   /* $((...)) */
    SH_W_GLOB = 1u << 6,    /* an unquoted * ? or [ */
    SH_W_TILDE = 1u << 7,   /* an unquoted leading ~ */
};
#define SH_W_QUOTED  (SH_W_SQUOTED | SH_W_DQUOTED | SH_W_ESCAPED)
#define SH_W_EXPANDS (SH_W_PARAM | SH_W_CMDSUB | SH_W_ARITH)

typedef struct sh_word {
    const char *raw; /* as written, raw_len bytes (not NUL-terminated) */
    size_t raw_len;
    /* Quotes and escapes removed, expansions ($X, ${X}, $(...), `...`)
     * kept as written; NUL-terminated. When the word has no SH_W_EXPANDS
     * flag this is its literal value (globs and ~ are not expanded). */
    const char *text;
    size_t len;
    unsigned flags; /* SH_W_* */
    df_span span;
    sh_list **subs; /* the scripts of its $(...) and `...`, in order */
    size_t nsubs;
} sh_word;

/* ---- redirections ------------------------------------------------------- */

typedef enum sh_redir_op {
    SH_R_IN,        /* <  */
    SH_R_OUT,       /* >  */
    SH_R_APPEND,    /* >> */
    SH_R_CLOBBER,   /* >| */
    SH_R_RDWR,      /* <> */
    SH_R_DUP_IN,    /* <& */
    SH_R_DUP_OUT,   /* >& */
    SH_R_HEREDOC,   /* << and <<- */
    SH_R_HERESTR,   /* <<< (bash) */
    SH_R_OUT_ERR,   /* &> (bash) */
    SH_R_APPEND_ERR /* &>> (bash) */
} sh_redir_op;

typedef struct sh_redir {
    sh_redir_op op;
    int fd;         /* the number written before the operator, or -1 */
    bool chomp;     /* <<- */
    sh_word target; /* the file, the fd, or the heredoc's delimiter word */
    df_span span;   /* from the fd (or operator) to the end of the target */
    /* Heredocs: the body as written (each line with its newline, the
     * delimiter line excluded), whether it expands ($ inside), its span,
     * and when the command is a shell reading it as a script, its model. */
    const char *body;
    size_t body_len;
    bool body_expands;
    df_span body_span;
    sh_list *script;
} sh_redir;

/* ---- commands and lists ------------------------------------------------- */

typedef enum sh_cmd_kind {
    SH_SIMPLE,
    SH_SUBSHELL, /* ( list ) */
    SH_GROUP,    /* { list; } */
    SH_IF,
    SH_FOR,
    SH_WHILE,
    SH_UNTIL,
    SH_CASE,
    SH_FUNCTION,
    SH_ARITH, /* (( expr )) (bash) */
} sh_cmd_kind;

/* How a command links to the next one in its list. */
typedef enum sh_conn {
    SH_END,     /* the last command of its list */
    SH_NEWLINE, /* a newline */
    SH_SEMI,    /* ; */
    SH_AND,     /* && */
    SH_OR,      /* || */
    SH_PIPE,    /* | or |& */
    SH_BG,      /* & */
} sh_conn;

/* Where a command runs, as flags (several may hold). */
enum {
    SH_IN_SUBST = 1u << 0,    /* inside $(...) or `...` */
    SH_IN_SUBSHELL = 1u << 1, /* inside ( ... ) */
    SH_IN_COND = 1u << 2,     /* the condition of if/elif/while/until */
    SH_IN_BRANCH = 1u << 3,   /* then/elif/else bodies and case items: may not run */
    SH_IN_LOOP = 1u << 4,     /* a for/while/until body */
    SH_IN_FUNC = 1u << 5,     /* a function body: runs only if called */
    SH_IN_NESTED = 1u << 6,   /* a script given to sh -c, su -c or a shell's heredoc */
    SH_IN_BG = 1u << 7,       /* its and/or list runs in the background (&) */
    SH_IN_PIPE = 1u << 8,     /* part of a pipeline of two or more commands */
};

struct sh_list {
    sh_cmd **v; /* in order; each command's conn links it to the next */
    size_t n;
};

struct sh_cmd {
    sh_cmd_kind kind;
    sh_conn conn;
    bool negated;   /* ! pipeline */
    unsigned ctx;   /* SH_IN_* */
    df_span span;   /* the command as written, redirections included */
    sh_cmd *parent; /* the enclosing compound or simple command (for a
                     * substitution or nested script), NULL at the top */
    size_t index;   /* a simple command's place in sh_script.cmds */

    /* SH_SIMPLE: assignments before the command (A=1 cmd), then every word
     * as written, wrappers included. argv0 is the index in words of the
     * real command once wrappers are removed (nwords when there is none,
     * e.g. a bare assignment); wrappers lists the indexes of the wrapper
     * names (sudo, env, ...). nested is the script run by sh -c / su -c. */
    sh_word *assigns;
    size_t nassigns;
    sh_word *words;
    size_t nwords;
    size_t argv0;
    size_t *wrappers;
    size_t nwrappers;
    sh_list *nested;

    /* Redirections of a simple or compound command. */
    sh_redir *redirs;
    size_t nredirs;

    /* Compound commands, loosely:
     *   SH_SUBSHELL, SH_GROUP, SH_FUNCTION: lists[0] is the body;
     *   SH_IF: lists = cond, then, [elif-cond, elif-then]..., [else];
     *   SH_WHILE, SH_UNTIL: lists = cond, body;
     *   SH_FOR: words[0] is the variable, words[1..] the items; lists[0] the body;
     *   SH_CASE: words[0] is the subject, words[1..] every pattern;
     *            lists[k] is the body of the k-th item;
     *   SH_FUNCTION: words[0] is the name;
     *   SH_ARITH: words[0] is the whole (( ... )). */
    sh_list **lists;
    size_t nlists;

    const void *text_; /* private: the text the command was read from */
    const char *name_; /* private: sh_cmd_name(), once known */
    size_t name_len_;  /* private: its length and hash (sh_name_hash) */
    uint64_t name_hash_;
    const void *opts_; /* private: the option table of the command's name */
};

typedef struct sh_warning {
    char *msg;
    df_span span;
} sh_warning;

typedef struct sh_comment {
    const char *text; /* from '#' to the end of the line */
    size_t len;
    df_span span;
} sh_comment;

struct sh_script {
    sh_list top;
    /* Every simple command, nested ones included, in the order they run:
     * a command's substitutions come before it, a nested script (sh -c)
     * right after the command that runs it. */
    const sh_cmd **cmds;
    size_t ncmds;
    sh_warning *warnings;
    size_t nwarnings;
    sh_comment *comments;
    size_t ncomments;
    /* A RUN whose heredoc script starts with a #! line naming something
     * other than a POSIX shell (python, node...): its name, and no commands. */
    const char *interpreter;
    bool exec_form; /* from a JSON RUN */
    bool too_deep;  /* SH_MAX_DEPTH was reached; the rest was skipped */
    void *arena_;   /* private */
};

/* ---- analysis ----------------------------------------------------------- */

/* Where the analysed text comes from, to give df_spans: byte i of the text
 * stands at source offset omap[i] (omap has len + 1 entries), or at
 * base + i when omap is NULL. With f NULL, positions count bytes only
 * (line 1, column offset + 1). */
typedef struct sh_origin {
    const df_file *f;
    const size_t *omap;
    size_t base;
} sh_origin;

/* Analyses text[0..len) as a shell script. o may be NULL (base 0, no file).
 * Returns a script owned by the caller (never NULL). */
sh_script *sh_parse(const char *text, size_t len, const sh_origin *o);

/* Analyses a RUN instruction of f (for ONBUILD RUN pass in->sub): the
 * shell form's text with its heredocs (RUN <<EOF runs the body as a script;
 * cat <<EOF >file gets the body as data), or the exec form's argv as one
 * simple command ([sh, -c, script] analyses the script). Any other
 * instruction gives an empty script. Returns a script owned by the caller. */
sh_script *sh_parse_run(const df_file *f, const df_instr *in);

void sh_script_free(sh_script *s);

/* Whether RUN instruction f->instrs[i] runs under a POSIX shell: decided by
 * the stage's last SHELL before it (following FROM <earlier stage>), else
 * by the base image (Windows images default to cmd). Rules skip the RUNs
 * of PowerShell and cmd stages. */
bool sh_run_posix(const df_file *f, size_t i);

/* ---- queries on simple commands ----------------------------------------- */

/* The command's name: the basename of its real argv[0] ("" when none). */
const char *sh_cmd_name(const sh_cmd *c);
/* Whether the name is one of names, separated by '|' ("apt-get|apt"). */
bool sh_cmd_is(const sh_cmd *c, const char *names);
/* Whether a wrapper named in names ("sudo|doas") ran the command. */
bool sh_cmd_wrapped_by(const sh_cmd *c, const char *names);

/* The arguments after wrappers: 0 is the command itself. */
size_t sh_cmd_argc(const sh_cmd *c);
const sh_word *sh_cmd_arg(const sh_cmd *c, size_t i);

/* Options. opts is a '|'-separated list of spellings ("-y|--yes|--assume-yes").
 * A short "-y" matches clusters ("-qy"); a long "--foo" matches "--foo" and
 * "--foo=value". Options end at "--". The command's known options that take
 * a value (apt-get -o, pip -r, ...) are skipped with their value. */
bool sh_cmd_has_opt(const sh_cmd *c, const char *opts);
/* How many times the options occur ("-qq" counts 2 for "-q"). */
size_t sh_cmd_opt_count(const sh_cmd *c, const char *opts);
/* The value of the last occurrence ("-o X", "-oX", "--opt=X", "--opt X"),
 * or NULL. *where (may be NULL) gets the word holding the value. */
const char *sh_cmd_opt_value(const sh_cmd *c, const char *opts, const sh_word **where);

/* Positional arguments (not options nor option values) after argv[0]:
 * k = 0 is the subcommand for tools that have one. NULL past the end. */
const sh_word *sh_cmd_positional(const sh_cmd *c, size_t k);
size_t sh_cmd_npositional(const sh_cmd *c);
/* The subcommand's text ("install" in `apt-get -qy install x`), or "". */
const char *sh_cmd_subcommand(const sh_cmd *c);

/* The value given to variable name just for this command (A=1 cmd, or
 * env A=1 cmd), or NULL. */
const char *sh_cmd_env(const sh_cmd *c, const char *name);

/* How the command links to the next command that runs after it: its own
 * connector, or when it ends its list, the enclosing command's (SH_END at
 * the very end). */
sh_conn sh_cmd_next_conn(const sh_cmd *c);
/* The connector from the command before c in c's own list to c (SH_END
 * when c comes first): SH_OR says c runs only when that command failed. */
sh_conn sh_cmd_prev_conn(const sh_script *s, const sh_cmd *c);
const char *sh_conn_str(sh_conn k); /* "&&", "||", ";", "|", "&", "newline", "end" */

/* Whether s is one of the '|'-separated names of list ("apt-get|apt"). */
bool sh_in_list(const char *s, const char *list);

/* Whether the word's literal value is s (false for words that expand). */
bool sh_word_is(const sh_word *w, const char *s);

#endif
