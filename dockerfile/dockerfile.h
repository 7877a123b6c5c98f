/* The Dockerfile parser shared by lint, rewrite and build.
 *
 * It accepts exactly what BuildKit's frontend parser accepts (the fixtures in
 * shared/corpus/buildkit-parser are its conformance test) and keeps the
 * source position of every instruction, flag, argument, heredoc and comment,
 * so that the rewriter can edit the original text in place.
 *
 * Ownership: df_parse() returns a df_file that owns everything reachable from
 * it, including a copy of the source text; free it with df_file_free(). */
#ifndef KD_DOCKERFILE_H
#define KD_DOCKERFILE_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A place in the source: byte offset, 1-based line, 1-based byte column. */
typedef struct df_pos {
    size_t off;
    uint32_t line;
    uint32_t col;
} df_pos;

/* A half-open range of source bytes [start, end). */
typedef struct df_span {
    df_pos start;
    df_pos end;
} df_span;

typedef enum df_kind {
    DF_UNKNOWN = 0,
    DF_ADD,
    DF_ARG,
    DF_CMD,
    DF_COPY,
    DF_ENTRYPOINT,
    DF_ENV,
    DF_EXPOSE,
    DF_FROM,
    DF_HEALTHCHECK,
    DF_LABEL,
    DF_MAINTAINER,
    DF_ONBUILD,
    DF_RUN,
    DF_SHELL,
    DF_STOPSIGNAL,
    DF_USER,
    DF_VOLUME,
    DF_WORKDIR,
    DF_KIND_COUNT
} df_kind;

/* An argument or flag value. text holds len bytes plus a NUL; JSON strings
 * may contain NULs, hence len. span covers the source text it came from
 * (for a JSON element, the quoted string; for a word, the word as written). */
typedef struct df_word {
    char *text;
    size_t len;
    df_span span;
} df_word;

/* A builder flag such as --mount=type=cache,target=/x. text is the whole
 * word after quote and escape removal, as BuildKit keeps it ("--name=value");
 * name is without the leading dashes; value is NULL for a bare "--name". */
typedef struct df_flag {
    char *text;
    char *name;
    char *value;
    df_span span;
} df_flag;

typedef struct df_heredoc {
    char *name;      /* the terminator word, quotes removed */
    bool expand;     /* false when any part of the word was quoted */
    bool chomp;      /* <<- : leading tabs are stripped */
    int fd;          /* 3<<EOF gives 3; 0 when none was written */
    char *content;   /* the body lines, raw, each with its newline */
    size_t content_len;
    df_span word;    /* the <<WORD in the instruction line */
    df_span body;    /* from the first body line to the end of the terminator line */
} df_heredoc;

typedef struct df_instr df_instr;
struct df_instr {
    df_kind kind;
    char *keyword;       /* as written, e.g. "Run" */
    df_span keyword_span;
    df_span span;        /* first byte of the keyword to the end of the last line consumed */
    uint32_t start_line; /* first and last physical lines, heredoc bodies included */
    uint32_t end_line;

    df_flag *flags;
    size_t nflags;

    /* The arguments as BuildKit's dump shows them (see docs/parser.md). For
     * ENV and LABEL they come in triples: key, value as written, "=" or "". */
    df_word *args;
    size_t nargs;
    bool json;   /* the arguments came from a JSON array (exec form) */
    df_word rest; /* the text after the flags, trimmed, joined over continuations */

    df_heredoc *heredocs;
    size_t nheredocs;

    df_instr *sub; /* ONBUILD's instruction, or NULL */

    /* The logical line (physical lines joined, continuation characters and
     * skipped lines removed) and, for each of its bytes, its source offset. */
    char *logical;
    size_t logical_len;
    size_t *omap; /* logical_len + 1 entries; shared with sub */
};

typedef struct df_comment {
    char *text;   /* the whole line after leading white space, '#' included */
    df_span span;
    bool inside;  /* inside a continued instruction */
} df_comment;

typedef struct df_directive {
    char *name; /* lowercased: syntax, escape or check */
    char *value;
    df_span span;
} df_directive;

typedef enum df_warning_kind {
    DF_WARN_EMPTY_CONTINUATION, /* blank line inside a continued instruction */
    DF_WARN_UNTERMINATED_QUOTE, /* a quote left open in a word list */
    DF_WARN_TRAILING_CONTINUATION, /* the file ends inside a continued instruction */
    DF_WARN_UNKNOWN_INSTRUCTION,
} df_warning_kind;

typedef struct df_warning {
    df_warning_kind kind;
    df_pos pos;
    char *msg;
} df_warning;

typedef struct df_file {
    char *path;   /* as given, used in messages */
    char *src;    /* the whole input, owned, NUL-terminated */
    size_t len;
    bool bom;     /* the input began with a UTF-8 byte-order mark */
    bool crlf;    /* at least one line ended in \r\n */
    char escape;  /* '\\' or '`' */

    df_instr *instrs;
    size_t ninstrs;
    df_comment *comments;
    size_t ncomments;
    df_directive *directives;
    size_t ndirectives;
    df_warning *warnings;
    size_t nwarnings;

    size_t *line_starts; /* offset of each physical line's first byte */
    size_t nlines;
    size_t pos_hint; /* private: the line df_file_pos() found last (a cache) */
} df_file;

/* The limit BuildKit puts on one physical line. */
#define DF_MAX_LINE 65535

/* Parses len bytes of data (a copy is kept). path names the file in error
 * messages, which read "PATH:LINE:COL: what is wrong". On failure returns -1
 * with *err set (status 2) and *out untouched. */
int df_parse(const char *path, const char *data, size_t len, df_file **out, kd_error **err);
/* Reads and parses a file; "-" reads standard input. */
int df_parse_file(const char *path, df_file **out, kd_error **err);
void df_file_free(df_file *f);

/* The position of source offset off (clamped to the file's length). */
df_pos df_file_pos(const df_file *f, size_t off);

/* The source span of logical bytes [lo, hi) of instruction in. */
df_span df_instr_span(const df_file *f, const df_instr *in, size_t lo, size_t hi);

const char *df_kind_name(df_kind k); /* upper case, "" for DF_UNKNOWN */
df_kind df_kind_from_word(const char *s, size_t n);

/* The flag named name (without dashes), or NULL. */
const df_flag *df_instr_flag(const df_instr *in, const char *name);

/* Appends BuildKit's dump of the file (its Node.Dump() plus a final newline)
 * to a malloc'ed string returned to the caller. */
char *df_dump(const df_file *f);
/* One instruction's dump, without the surrounding parentheses. */
char *df_dump_instr(const df_instr *in);

/* Go's strconv.Quote of s[0..n), appended to a new string. */
char *df_go_quote(const char *s, size_t n);

#endif
