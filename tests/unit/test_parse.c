#include "kt.h"
#include "dockerfile/dockerfile.h"

#include <stdlib.h>

static df_file *parse(const char *src)
{
    df_file *f = NULL;
    kd_error *err = NULL;
    if (df_parse("Dockerfile", src, strlen(src), &f, &err) < 0) {
        kt_fail(__FILE__, __LINE__, "parse failed: %s", err->msg);
        kd_error_free(err);
        return NULL;
    }
    return f;
}

static char *parse_error(const char *src, size_t len)
{
    df_file *f = NULL;
    kd_error *err = NULL;
    if (df_parse("Dockerfile", src, len, &f, &err) == 0) {
        df_file_free(f);
        return NULL;
    }
    char *msg = strdup(err->msg);
    CHECK_INT(err->status, 2);
    kd_error_free(err);
    return msg;
}

/* the source text a span covers */
static char *text(const df_file *f, df_span s)
{
    return strndup(f->src + s.start.off, s.end.off - s.start.off);
}

#define CHECK_SPAN_TEXT(f, span, want)                                                             \
    do {                                                                                           \
        char *t_ = text(f, span);                                                                  \
        CHECK_STR(t_, want);                                                                       \
        free(t_);                                                                                  \
    } while (0)

#define CHECK_DUMP(f, i, want)                                                                     \
    do {                                                                                           \
        char *d_ = df_dump_instr(&(f)->instrs[i]);                                                 \
        CHECK_STR(d_, want);                                                                       \
        free(d_);                                                                                  \
    } while (0)

TEST(positions_of_instructions_flags_and_args)
{
    df_file *f = parse("FROM alpine:3.19 AS build\n"
                       "  RUN --mount=type=cache,target=/root/.cache \\\n"
                       "      --network=none make all\n");
    REQUIRE(f);
    REQUIRE(f->ninstrs == 2);
    df_instr *from = &f->instrs[0];
    CHECK_INT(from->kind, DF_FROM);
    CHECK_INT(from->nargs, 3);
    CHECK_SPAN_TEXT(f, from->args[0].span, "alpine:3.19");
    CHECK_INT(from->args[2].span.start.line, 1);
    CHECK_INT(from->args[2].span.start.col, 21);

    df_instr *run = &f->instrs[1];
    CHECK_INT(run->start_line, 2);
    CHECK_INT(run->end_line, 3);
    CHECK_INT(run->keyword_span.start.col, 3);
    REQUIRE(run->nflags == 2);
    CHECK_STR(run->flags[0].name, "mount");
    CHECK_STR(run->flags[0].value, "type=cache,target=/root/.cache");
    CHECK_SPAN_TEXT(f, run->flags[0].span, "--mount=type=cache,target=/root/.cache");
    CHECK_SPAN_TEXT(f, run->flags[1].span, "--network=none");
    CHECK_INT(run->flags[1].span.start.line, 3);
    CHECK_INT(run->flags[1].span.start.col, 7);
    REQUIRE(run->nargs == 1);
    CHECK_STR(run->args[0].text, "make all");
    CHECK_SPAN_TEXT(f, run->args[0].span, "make all");
    CHECK_SPAN_TEXT(f, run->span, "RUN --mount=type=cache,target=/root/.cache \\\n"
                                  "      --network=none make all");
    CHECK(df_instr_flag(run, "network") != NULL);
    CHECK(df_instr_flag(run, "chown") == NULL);
    df_file_free(f);
}

TEST(shell_form_arg_spans_continuations)
{
    df_file *f = parse("RUN apt-get update && \\\n    apt-get install -y curl\n");
    REQUIRE(f);
    df_instr *in = &f->instrs[0];
    CHECK_STR(in->args[0].text, "apt-get update &&     apt-get install -y curl");
    CHECK_SPAN_TEXT(f, in->args[0].span, "apt-get update && \\\n    apt-get install -y curl");
    /* logical offsets map back to the source */
    CHECK_INT(in->omap[0], 0);
    CHECK(in->omap[in->logical_len - 1] == f->len - 2);
    df_file_free(f);
}

TEST(json_args_have_string_spans)
{
    df_file *f = parse("CMD [\"nginx\", \"-g\", \"daemon off;\"]\n");
    REQUIRE(f);
    df_instr *in = &f->instrs[0];
    CHECK(in->json);
    REQUIRE(in->nargs == 3);
    CHECK_SPAN_TEXT(f, in->args[2].span, "\"daemon off;\"");
    CHECK_STR(in->args[2].text, "daemon off;");
    df_file_free(f);
}

TEST(env_pairs_and_legacy_form)
{
    df_file *f = parse("ENV A=1 B=\"two words\" \\\n    C=3\nENV LEGACY some value\n");
    REQUIRE(f);
    df_instr *env = &f->instrs[0];
    REQUIRE(env->nargs == 9);
    CHECK_STR(env->args[3].text, "B");
    CHECK_STR(env->args[4].text, "\"two words\"");
    CHECK_STR(env->args[5].text, "=");
    CHECK_SPAN_TEXT(f, env->args[3].span, "B");
    CHECK_SPAN_TEXT(f, env->args[4].span, "\"two words\"");
    CHECK_INT(env->args[6].span.start.line, 2);
    df_instr *legacy = &f->instrs[1];
    REQUIRE(legacy->nargs == 3);
    CHECK_STR(legacy->args[0].text, "LEGACY");
    CHECK_STR(legacy->args[1].text, "some value");
    CHECK_STR(legacy->args[2].text, "");
    df_file_free(f);
}

TEST(heredocs_are_read_with_their_bodies)
{
    df_file *f = parse("FROM scratch\n"
                       "RUN <<EOF bash -e\n"
                       "echo one\n"
                       "  # not a comment\n"
                       "EOF\n"
                       "COPY <<-\"A\" 3<<B /dest/\n"
                       "\tquoted $X\n"
                       "\tA\n"
                       "b\n"
                       "B\n"
                       "CMD true\n");
    REQUIRE(f);
    REQUIRE(f->ninstrs == 4);
    df_instr *run = &f->instrs[1];
    CHECK_INT(run->start_line, 2);
    CHECK_INT(run->end_line, 5);
    REQUIRE(run->nheredocs == 1);
    CHECK_STR(run->heredocs[0].name, "EOF");
    CHECK(run->heredocs[0].expand);
    CHECK(!run->heredocs[0].chomp);
    CHECK_STR(run->heredocs[0].content, "echo one\n  # not a comment\n");
    CHECK_SPAN_TEXT(f, run->heredocs[0].word, "<<EOF");
    CHECK_DUMP(f, 1, "run \"<<EOF bash -e\"");
    CHECK_INT(f->ncomments, 0);

    df_instr *copy = &f->instrs[2];
    CHECK_INT(copy->start_line, 6);
    CHECK_INT(copy->end_line, 10);
    REQUIRE(copy->nheredocs == 2);
    CHECK_STR(copy->heredocs[0].name, "A");
    CHECK(!copy->heredocs[0].expand);
    CHECK(copy->heredocs[0].chomp);
    CHECK_STR(copy->heredocs[0].content, "\tquoted $X\n");
    CHECK_STR(copy->heredocs[1].name, "B");
    CHECK_INT(copy->heredocs[1].fd, 3);
    CHECK_STR(copy->heredocs[1].content, "b\n");
    CHECK_SPAN_TEXT(f, copy->heredocs[1].word, "3<<B");
    CHECK_DUMP(f, 3, "cmd \"true\"");
    df_file_free(f);
}

TEST(heredoc_edge_cases)
{
    /* quoted or exec form: not heredocs; "<<  EOF" is one */
    df_file *f = parse("RUN \"<<EOF\"\nRUN [\"<<EOF\"]\nRUN cat <<  END\nx\nEND\n"
                       "ONBUILD RUN <<X\nbody\nX\nUSER <<Y\nY\n");
    REQUIRE(f);
    REQUIRE(f->ninstrs == 6);
    CHECK_INT(f->instrs[0].nheredocs, 0);
    CHECK_INT(f->instrs[1].nheredocs, 0);
    REQUIRE(f->instrs[2].nheredocs == 1);
    CHECK_STR(f->instrs[2].heredocs[0].name, "END");
    REQUIRE(f->instrs[3].nheredocs == 1);
    CHECK_STR(f->instrs[3].heredocs[0].content, "body\n");
    CHECK_DUMP(f, 4, "user \"<<Y\"");
    CHECK_DUMP(f, 5, "y \"\"");
    df_file_free(f);
}

TEST(unterminated_heredoc_is_an_error)
{
    const char *src = "FROM a\nRUN <<EOF\necho\n";
    char *msg = parse_error(src, strlen(src));
    REQUIRE(msg);
    CHECK(strstr(msg, "Dockerfile:2:5: unterminated heredoc") != NULL);
    free(msg);
}

TEST(comments_directives_and_escape)
{
    df_file *f = parse("# syntax=docker/dockerfile:1\n"
                       "# escape=`\n"
                       "# a comment\n"
                       "FROM windows\n"
                       "RUN dir `\n"
                       "  # inside\n"
                       "  c:\\\n");
    REQUIRE(f);
    REQUIRE(f->ndirectives == 2);
    CHECK_STR(f->directives[0].name, "syntax");
    CHECK_STR(f->directives[0].value, "docker/dockerfile:1");
    CHECK_STR(f->directives[1].name, "escape");
    CHECK_INT(f->escape, '`');
    REQUIRE(f->ncomments == 4);
    CHECK_STR(f->comments[2].text, "# a comment");
    CHECK(!f->comments[2].inside);
    CHECK(f->comments[3].inside);
    CHECK_INT(f->comments[3].span.start.line, 6);
    CHECK_INT(f->comments[3].span.start.col, 3);
    CHECK_DUMP(f, 1, "run \"dir   c:\\\\\"");
    df_file_free(f);
}

TEST(directive_after_comment_is_a_comment)
{
    df_file *f = parse("# hello\n# escape=`\nFROM a\nRUN x \\\n y\n");
    REQUIRE(f);
    CHECK_INT(f->ndirectives, 0);
    CHECK_INT(f->escape, '\\');
    CHECK_DUMP(f, 1, "run \"x  y\"");
    df_file_free(f);
}

TEST(bad_directives_are_errors)
{
    const char *twice = "# escape=\\\n# escape=`\nFROM a\n";
    char *msg = parse_error(twice, strlen(twice));
    REQUIRE(msg);
    CHECK(strstr(msg, "Dockerfile:2:1: only one escape parser directive") != NULL);
    free(msg);
    const char *bad = "# escape=x\nFROM a\n";
    msg = parse_error(bad, strlen(bad));
    REQUIRE(msg);
    CHECK(strstr(msg, "invalid escape token") != NULL);
    free(msg);
}

TEST(crlf_and_bom)
{
    df_file *f = parse("\xEF\xBB\xBF"
                       "FROM a\r\nRUN one \\\r\n two\r\n");
    REQUIRE(f);
    CHECK(f->bom);
    CHECK(f->crlf);
    CHECK_DUMP(f, 0, "from \"a\"");
    CHECK_DUMP(f, 1, "run \"one  two\"");
    CHECK_INT(f->instrs[0].keyword_span.start.off, 3);
    CHECK_INT(f->instrs[0].keyword_span.start.col, 4);
    CHECK_SPAN_TEXT(f, f->instrs[1].span, "RUN one \\\r\n two");
    df_file_free(f);
}

TEST(onbuild_sub_instruction)
{
    df_file *f = parse("ONBUILD COPY --from=x a b\n");
    REQUIRE(f);
    df_instr *in = &f->instrs[0];
    REQUIRE(in->sub);
    CHECK_INT(in->sub->kind, DF_COPY);
    CHECK_SPAN_TEXT(f, in->sub->flags[0].span, "--from=x");
    CHECK_SPAN_TEXT(f, in->sub->args[1].span, "b");
    CHECK_DUMP(f, 0, "onbuild (copy [\"--from=x\"] \"a\" \"b\")");
    df_file_free(f);
}

TEST(warnings_for_unknown_and_empty_continuation)
{
    df_file *f = parse("FROM a\nFOO bar\nRUN a \\\n\n b\n");
    REQUIRE(f);
    REQUIRE(f->nwarnings == 2);
    CHECK_INT(f->warnings[0].kind, DF_WARN_UNKNOWN_INSTRUCTION);
    CHECK_INT(f->warnings[0].pos.line, 2);
    CHECK_INT(f->warnings[1].kind, DF_WARN_EMPTY_CONTINUATION);
    CHECK_INT(f->warnings[1].pos.line, 4);
    df_file_free(f);
}

TEST(bad_input_gets_a_position)
{
    char nul[] = "FROM a\nRUN a\0b\n";
    char *msg = parse_error(nul, sizeof nul - 1);
    REQUIRE(msg);
    CHECK(strstr(msg, "Dockerfile:2:6: NUL byte") != NULL);
    free(msg);

    size_t n = 70000;
    char *big = malloc(n + 20);
    memcpy(big, "FROM a\nRUN ", 11);
    memset(big + 11, 'x', n);
    memcpy(big + 11 + n, "\n", 2);
    msg = parse_error(big, strlen(big));
    REQUIRE(msg);
    CHECK(strstr(msg, "Dockerfile:2:1: line is 70004 bytes long") != NULL);
    free(msg);
    free(big);

    msg = parse_error("ENV X\n", 6);
    REQUIRE(msg);
    CHECK(strstr(msg, "Dockerfile:1:5: ENV must have two arguments") != NULL);
    free(msg);

    msg = parse_error("LABEL a=b c\n", 12);
    REQUIRE(msg);
    CHECK(strstr(msg, "Dockerfile:1:11: syntax error - can't find = in \"c\"") != NULL);
    free(msg);

    msg = parse_error("\n\n# only comments\n", 18);
    REQUIRE(msg);
    CHECK(strstr(msg, "file with no instructions") != NULL);
    free(msg);
}

TEST(unterminated_quote_warns)
{
    df_file *f = parse("ENV A=\"open\n");
    REQUIRE(f);
    REQUIRE(f->nwarnings == 1);
    CHECK_INT(f->warnings[0].kind, DF_WARN_UNTERMINATED_QUOTE);
    df_file_free(f);
}

TEST(go_quote)
{
    char *q = df_go_quote("a\"\\\x01\x7f\xc2\xa0\xe2\x98\x83\xff\n", 12);
    CHECK_STR(q, "\"a\\\"\\\\\\x01\\x7f\\u00a0\xe2\x98\x83\\xff\\n\"");
    free(q);
}
