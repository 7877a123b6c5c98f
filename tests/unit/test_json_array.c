#include "kt.h"
#include "dockerfile/json_array.h"

#include <stdlib.h>

static int decode(const char *s, df_jstr **el, size_t *n)
{
    return df_json_string_array(s, strlen(s), el, n);
}

TEST(valid_string_arrays)
{
    df_jstr *el;
    size_t n;
    REQUIRE(decode(" [ \"a\", \"b c\" ] ", &el, &n) == 1);
    REQUIRE(n == 2);
    CHECK_STR(el[0].text, "a");
    CHECK_STR(el[1].text, "b c");
    CHECK_INT(el[0].start, 3);
    CHECK_INT(el[0].end, 6);
    df_jstr_free(el, n);
    REQUIRE(decode("[]", &el, &n) == 1);
    CHECK_INT(n, 0);
    df_jstr_free(el, n);
}

TEST(escapes_decode_like_go)
{
    df_jstr *el;
    size_t n;
    REQUIRE(decode("[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u00e9 \\ud83d\\ude00\"]", &el, &n) ==
            1);
    REQUIRE(n == 1);
    const char want[] = "\" \\ / \b \f \n \r \t \0 \xc3\xa9 \xf0\x9f\x98\x80";
    CHECK_INT(el[0].len, sizeof want - 1);
    CHECK(memcmp(el[0].text, want, sizeof want - 1) == 0);
    df_jstr_free(el, n);
}

TEST(lone_surrogates_and_bad_utf8_become_replacement)
{
    df_jstr *el;
    size_t n;
    REQUIRE(decode("[\"\\ud800x\", \"\xff\"]", &el, &n) == 1);
    CHECK_STR(el[0].text, "\xef\xbf\xbdx");
    CHECK_STR(el[1].text, "\xef\xbf\xbd");
    df_jstr_free(el, n);
}

TEST(invalid_json_is_shell_form)
{
    df_jstr *el;
    size_t n;
    CHECK(decode("['a']", &el, &n) == 0);
    CHECK(decode("[\"a\"", &el, &n) == 0);
    CHECK(decode("[\"a\",]", &el, &n) == 0);
    CHECK(decode("[\"a\"] x", &el, &n) == 0);
    CHECK(decode("[\"a\nb\"]", &el, &n) == 0);
    CHECK(decode("[01]", &el, &n) == 0);
    CHECK(decode("[1.]", &el, &n) == 0);
    CHECK(decode("[\"\\x\"]", &el, &n) == 0);
    CHECK(decode("echo [", &el, &n) == 0);
}

TEST(non_string_elements_are_errors)
{
    df_jstr *el;
    size_t n;
    CHECK(decode("[\"a\", 1]", &el, &n) == -1);
    CHECK(decode("[[\"a\"]]", &el, &n) == -1);
    CHECK(decode("[{\"a\": [true, null, -1.5e+3]}]", &el, &n) == -1);
}

TEST(deep_nesting_does_not_overflow)
{
    size_t depth = 60000;
    char *s = malloc(depth * 2 + 1);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[depth * 2] = '\0';
    df_jstr *el;
    size_t n;
    CHECK(decode(s, &el, &n) == 0); /* deeper than Go's limit: not JSON */
    free(s);
}
