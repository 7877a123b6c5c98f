#include "kt.h"
#include "dockerfile/expand.h"

#include <stdlib.h>

static df_vars env(void)
{
    df_vars v = DF_VARS_INIT;
    df_vars_set(&v, "A", "a");
    df_vars_set(&v, "PATHS", "/usr/local/bin:/usr/bin:/bin");
    df_vars_set(&v, "EMPTY", "");
    df_vars_set(&v, "SPACED", "x  y z");
    df_vars_set(&v, "FILE", "archive.tar.gz");
    return v;
}

/* expands with the default options and checks the result */
static void expect(const char *in, const char *want)
{
    df_vars v = env();
    kd_error *err = NULL;
    char *got = df_expand_word('\\', in, &v, &err);
    if (got == NULL)
        kt_fail(__FILE__, __LINE__, "%s: error %s", in, err->msg);
    else if (strcmp(got, want) != 0)
        kt_fail(__FILE__, __LINE__, "%s expanded to \"%s\", expected \"%s\"", in, got, want);
    free(got);
    kd_error_free(err);
    df_vars_free(&v);
}

static void expect_error(const char *in, const char *msg_part)
{
    df_vars v = env();
    kd_error *err = NULL;
    char *got = df_expand_word('\\', in, &v, &err);
    if (got != NULL)
        kt_fail(__FILE__, __LINE__, "%s: expected an error, got \"%s\"", in, got);
    else if (strstr(err->msg, msg_part) == NULL)
        kt_fail(__FILE__, __LINE__, "%s: error \"%s\" lacks \"%s\"", in, err->msg, msg_part);
    free(got);
    kd_error_free(err);
    df_vars_free(&v);
}

TEST(plain_variables)
{
    expect("$A", "a");
    expect("${A}", "a");
    expect("x$A-y", "xa-y");
    expect("${A}b", "ab");
    expect("$UNSET", "");
    expect("$", "$");
    expect("a$", "a$");
    expect("$1x", "x");
}

TEST(quotes_and_escapes)
{
    expect("'$A'", "$A");
    expect("\"$A\"", "a");
    expect("\\$A", "$A");
    expect("\"a\\\"b\"", "a\"b");
    expect("\"a\\xb\"", "a\\xb");
    expect("'a\\b'", "a\\b");
    expect("a\\ b", "a b");
    expect("ab\\", "ab");
}

TEST(defaults_and_alternatives)
{
    expect("${UNSET:-x}", "x");
    expect("${EMPTY:-x}", "x");
    expect("${EMPTY-x}", "");
    expect("${A:-x}", "a");
    expect("${UNSET-x}", "x");
    expect("${A:+x}", "x");
    expect("${EMPTY:+x}", "");
    expect("${EMPTY+x}", "x");
    expect("${UNSET+x}", "");
    expect("${UNSET:-$A}", "a");
    expect("${UNSET:-${A}b}", "ab");
    expect("${A:?oops}", "a");
}

TEST(pattern_removal)
{
    expect("${FILE#*.}", "tar.gz");
    expect("${FILE##*.}", "gz");
    expect("${FILE%.*}", "archive.tar");
    expect("${FILE%%.*}", "archive");
    expect("${PATHS#*:}", "/usr/bin:/bin");
    expect("${PATHS%:*}", "/usr/local/bin:/usr/bin");
    expect("${FILE#nomatch}", "archive.tar.gz");
    expect("${FILE%\\*}", "archive.tar.gz");
}

TEST(replacement)
{
    expect("${PATHS/:/;}", "/usr/local/bin;/usr/bin:/bin");
    expect("${PATHS//:/;}", "/usr/local/bin;/usr/bin;/bin");
    expect("${FILE/.tar/}", "archive.gz");
    expect("${FILE//a/A}", "Archive.tAr.gz");
    expect("${FILE/#x/y}", "archive.tar.gz");
}

TEST(errors)
{
    expect_error("${UNSET:?must be set}", "UNSET: must be set");
    expect_error("${UNSET?}", "is not allowed to be unset");
    expect_error("${EMPTY:?}", "is not allowed to be empty");
    expect_error("${A", "missing '}'");
    expect_error("${}", "bad substitution");
    expect_error("${:x}", "bad substitution");
    expect_error("'abc", "single-quote");
    expect_error("\"abc", "double-quote");
    expect_error("${A:x}", "unsupported modifier");
    expect_error("${FILE#\\a}", "invalid escape");
}

TEST(words_split_after_expansion)
{
    df_vars v = env();
    df_lex_opts o = {.escape = '\\'};
    df_expansion e;
    const char *in = "one \"two three\" $SPACED '' x\\ y";
    REQUIRE(df_expand(&o, in, strlen(in), &v, &e, NULL) == 0);
    REQUIRE(e.nwords == 6);
    CHECK_STR(e.words[0], "one");
    CHECK_STR(e.words[1], "two three");
    CHECK_STR(e.words[2], "x");
    CHECK_STR(e.words[3], "y");
    CHECK_STR(e.words[4], "z");
    CHECK_STR(e.words[5], "x y");
    CHECK_INT(e.word_starts[0], 0);
    CHECK_INT(e.word_ends[0], 3);
    CHECK_INT(e.word_starts[1], 4);
    CHECK_INT(e.word_ends[1], 15);
    df_expansion_free(&e);
    df_vars_free(&v);
}

TEST(matched_and_unmatched_names)
{
    df_vars v = env();
    df_lex_opts o = {.escape = '\\'};
    df_expansion e;
    const char *in = "$A ${NOPE:-x} $A $NOPE2";
    REQUIRE(df_expand(&o, in, strlen(in), &v, &e, NULL) == 0);
    CHECK_INT(e.nmatched, 1);
    CHECK_INT(e.nunmatched, 2);
    CHECK_STR(e.unmatched[0], "NOPE");
    CHECK_STR(e.unmatched[1], "NOPE2");
    df_expansion_free(&e);
    df_vars_free(&v);
}

TEST(skip_unset_keeps_references)
{
    df_lex_opts o = {.escape = '\\', .skip_unset = true};
    df_expansion e;
    const char *in = "$X ${Y} ${Z:-d}";
    REQUIRE(df_expand(&o, in, strlen(in), NULL, &e, NULL) == 0);
    CHECK_STR(e.word, "$X ${Y} ${Z:-d}");
    df_expansion_free(&e);
}

TEST(raw_quotes_and_backtick_escape)
{
    df_lex_opts o = {.escape = '`', .raw_quotes = true};
    df_expansion e;
    const char *in = "'a' \"b\" c`\"d \\e";
    REQUIRE(df_expand(&o, in, strlen(in), NULL, &e, NULL) == 0);
    CHECK_STR(e.word, "'a' \"b\" c\"d \\e");
    df_expansion_free(&e);
}

TEST(vars_set_replaces_in_place)
{
    df_vars v = DF_VARS_INIT;
    df_vars_set(&v, "X", "1");
    df_vars_set(&v, "Y", "2");
    df_vars_set(&v, "X", "3");
    CHECK_INT(v.n, 2);
    CHECK_STR(v.keys[0], "X");
    CHECK_STR(df_vars_get(&v, "X", 1), "3");
    CHECK(df_vars_unset(&v, "X"));
    CHECK(df_vars_get(&v, "X", 1) == NULL);
    CHECK_STR(v.keys[0], "Y");
    df_vars_free(&v);
}
