/* The lint engine: the rule table, rule matching, the positioned JSON
 * reader, the config and declarative rule loaders, suppressions and the
 * .dockerignore matcher. Rule behaviour itself is tested by tests/rules. */
#include "kt.h"
#include "lint/config.h"
#include "lint/decl.h"
#include "lint/engine.h"
#include "lint/json.h"
#include "lint/lint.h"
#include "rules/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

extern const char *const kd_builtin_rule_syms[];

TEST(rule_table_is_consistent)
{
    REQUIRE(kd_builtin_rule_count > 40);
    for (size_t i = 0; i < kd_builtin_rule_count; i++) {
        const kd_rule *r = kd_builtin_rules[i];
        CHECK_STR(r->id, kd_builtin_rule_syms[i]); /* KD_RULE(ID) matches .id */
        CHECK(strlen(r->id) == 6 && strncmp(r->id, "KD", 2) == 0);
        CHECK(r->id[2] - '1' == (int)r->category || r->category == KD_CAT_CORRECTNESS);
        CHECK(r->check != NULL && r->summary && r->summary[strlen(r->summary) - 1] != '.');
        CHECK(kd_rule_doc(r->id) != NULL);
        for (const char *c = r->name; *c; c++)
            CHECK(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-');
        for (size_t k = 0; k < i; k++) {
            CHECK(strcmp(kd_builtin_rules[k]->id, r->id) < 0); /* sorted, unique */
            CHECK(strcmp(kd_builtin_rules[k]->name, r->name) != 0);
        }
    }
    CHECK(kd_builtin_rules[kd_builtin_rule_count] == NULL);
}

TEST(rule_matching)
{
    const kd_rule *r = kd_rule_find("add-instead-of-copy");
    REQUIRE(r != NULL);
    CHECK(kd_rule_matches(r, "KD1101"));
    CHECK(kd_rule_matches(r, "kd1101"));
    CHECK(kd_rule_matches(r, "DL3020"));
    CHECK(kd_rule_matches(r, "KD1"));
    CHECK(kd_rule_matches(r, "KD11"));
    CHECK(!kd_rule_matches(r, "KD2"));
    CHECK(!kd_rule_matches(r, "K"));
    CHECK(kd_rule_find("DL3020") == r);
    const kd_rule *b = kd_rule_find("StageNameCasing");
    REQUIRE(b != NULL);
    CHECK_STR(b->name, "stage-name-casing");
    CHECK(kd_rule_find("nope") == NULL);
}

TEST(severity_names)
{
    CHECK_INT(kd_severity_parse("warning"), KD_SEV_WARNING);
    CHECK_INT(kd_severity_parse("NONE"), KD_SEV_OFF);
    CHECK_INT(kd_severity_parse("loud"), -1);
    CHECK_STR(kd_severity_name(KD_SEV_STYLE), "style");
    CHECK_STR(kd_category_name(KD_CAT_COST), "cost");
    CHECK_STR(kd_fix_kind_name(KD_FIX_UNSAFE), "unsafe");
}

TEST(json_reader_positions)
{
    const char *s = "{\n  \"a\": [1, -2.5e3, true, null],\n  \"b\": \"x\\ty\\u00e9\"\n}";
    kj_val *v;
    kd_error *err = NULL;
    REQUIRE(kj_parse("t.json", s, strlen(s), &v, &err) == 0);
    const kj_val *a = kj_get(v, "a"), *b = kj_get(v, "b");
    REQUIRE(a && b && a->type == KJ_ARR && a->n == 4);
    CHECK_INT(a->line, 2);
    CHECK_INT(a->col, 8);
    CHECK_STR(a->items[1].str, "-2.5e3");
    CHECK(a->items[2].type == KJ_BOOL && a->items[2].b);
    CHECK_STR(b->str, "x\ty\xc3\xa9");
    CHECK_INT(b->line, 3);
    /* decoded byte 2 ('y') stands after the 2-byte escape \t */
    CHECK_INT(kj_str_src_offset(s, b, 2) - b->off, 4);
    kj_free(v);
}

static void json_error(const char *s, const char *want)
{
    kj_val *v = NULL;
    kd_error *err = NULL;
    if (kj_parse("t.json", s, strlen(s), &v, &err) == 0) {
        kt_fail(__FILE__, __LINE__, "%s parsed", s);
        kj_free(v);
        return;
    }
    if (strstr(err->msg, want) == NULL)
        kt_fail(__FILE__, __LINE__, "%s: error '%s', expected '%s'", s, err->msg, want);
    kd_error_free(err);
}

TEST(json_reader_errors)
{
    json_error("{\"a\": 1,}", "t.json:1:9: bad JSON: expected a member name");
    json_error("[1 2]", "t.json:1:4: bad JSON: expected ',' or ']'");
    json_error("\"abc", "unterminated string");
    json_error("01", "unexpected text after");
    json_error("[1]\n x", "t.json:2:2:");
    char deep[200];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = 0;
    json_error(deep, "nested too deeply");
}

static bool any_rule(const char *p, void *arg)
{
    (void)arg;
    return strncmp(p, "bad", 3) != 0;
}

TEST(config_reads_every_key)
{
    const char *y = "ignore: [KD1100, DL3006]\n"
                    "enable: KD4109\n"
                    "severity: {KD1101: error}\n"
                    "override:\n  style: [DL3020]\n"
                    "failure-threshold: warning\n"
                    "trustedRegistries: [docker.io]\n"
                    "allowed-base-images: [node]\n"
                    "options:\n  fat-base-image: {min-saving-mb: 50}\n";
    kd_config *c;
    kd_error *err = NULL;
    REQUIRE(kd_config_parse("c.yaml", y, strlen(y), any_rule, NULL, &c, &err) == 0);
    CHECK_INT(c->nignore, 2);
    CHECK_STR(c->ignore[1].text, "DL3006");
    CHECK_INT(c->ignore[1].line, 1);
    CHECK_INT(c->nenable, 1);
    CHECK_INT(c->nseverity, 2);
    CHECK_INT(c->severity[1].severity, KD_SEV_STYLE);
    CHECK_INT(c->failure_threshold, KD_SEV_WARNING);
    CHECK_INT(c->ntrusted, 1);
    CHECK_INT(c->nallowed, 1);
    REQUIRE(c->noptions == 1);
    CHECK_STR(c->options[0].value, "50");
    kd_config_free(c);
}

static void config_error(const char *y, const char *want)
{
    kd_config *c = NULL;
    kd_error *err = NULL;
    if (kd_config_parse("c.yaml", y, strlen(y), any_rule, NULL, &c, &err) == 0) {
        kt_fail(__FILE__, __LINE__, "%s parsed", y);
        kd_config_free(c);
        return;
    }
    if (strstr(err->msg, want) == NULL)
        kt_fail(__FILE__, __LINE__, "error '%s', expected '%s'", err->msg, want);
    CHECK_INT(err->status, 2);
    kd_error_free(err);
}

TEST(config_errors_have_positions)
{
    config_error("ignore: [a]\nfrobs: 1\n", "c.yaml:2:1: unknown key 'frobs'");
    config_error("severity:\n  KD1100: loud\n", "c.yaml:2:11: unknown severity 'loud'");
    config_error("ignore: [KD1, badrule]\n", "c.yaml:1:15: unknown rule 'badrule'");
    config_error("ignore: [a\n", "c.yaml:2:1: bad YAML");
    config_error("- a\n- b\n", "c.yaml:1:1: the config must be a mapping");
    config_error("failure-threshold: [x]\n", "c.yaml:1:20: unknown severity");
    config_error("rules: [/nonexistent/r.json]\n", "c.yaml:1:9: in rules file");
}

TEST(config_empty_is_defaults)
{
    kd_config *c;
    kd_error *err = NULL;
    REQUIRE(kd_config_parse("c.yaml", "", 0, NULL, NULL, &c, &err) == 0);
    CHECK_INT(c->failure_threshold, -1);
    CHECK_INT(c->nignore, 0);
    kd_config_free(c);
}

static void decl_error(const char *j, const char *want)
{
    kd_decl_set *s = NULL;
    kd_error *err = NULL;
    if (kd_decl_parse("r.json", j, strlen(j), &s, &err) == 0) {
        kt_fail(__FILE__, __LINE__, "%s loaded", j);
        kd_decl_free(s);
        return;
    }
    if (strstr(err->msg, want) == NULL)
        kt_fail(__FILE__, __LINE__, "error '%s', expected '%s'", err->msg, want);
    kd_error_free(err);
}

TEST(declarative_rules_load)
{
    const char *j = "{\"rules\": [{\"id\": \"ACME1\", \"instruction\": [\"RUN\", \"CMD\"],"
                    " \"pattern\": \"curl\\\\s.*\\\\|\\\\s*sh\", \"message\": \"no curl | sh\","
                    " \"severity\": \"error\", \"category\": \"security\","
                    " \"link\": \"https://example.com\"}]}";
    kd_decl_set *s;
    kd_error *err = NULL;
    REQUIRE(kd_decl_parse("r.json", j, strlen(j), &s, &err) == 0);
    const kd_rule *const *v;
    REQUIRE(kd_decl_rules(s, &v) == 1);
    CHECK_STR(v[0]->id, "ACME1");
    CHECK_STR(v[0]->name, "acme1");
    CHECK_INT(v[0]->severity, KD_SEV_ERROR);
    CHECK_INT(v[0]->category, KD_CAT_SECURITY);
    CHECK_STR(kd_decl_link(v[0]), "https://example.com");
    kd_decl_free(s);
}

TEST(declarative_rule_errors)
{
    /* the pattern error offset 4 (the end of "\\d(a", where the '(' is
     * still open) is column 31 of the file: the escape counts as written */
    decl_error("[{\"id\": \"A\", \"pattern\": \"\\\\d(a\", \"message\": \"m\"}]",
               "r.json:1:31: bad pattern: missing closing parenthesis (at offset 4");
    decl_error("[{\"id\": \"A\", \"message\": \"m\"}]", "neither \"pattern\" nor \"command\"");
    decl_error("[{\"id\": \"KD1234\", \"pattern\": \"x\", \"message\": \"m\"}]", "are reserved");
    decl_error("[{\"id\": \"A\", \"pattern\": \"x\"}]", "r.json:1:2: rule has no \"message\"");
    decl_error("[{\"id\": \"A\", \"pattern\": \"x\", \"message\": \"m\", \"colour\": 1}]",
               "unknown key \"colour\"");
    decl_error("[{\"id\": \"A\", \"pattern\": \"x\", \"message\": \"m\", \"instruction\": \"RUNX\"}]",
               "unknown instruction \"RUNX\"");
    decl_error("[{\"id\": \"A\", \"pattern\": \"x\", \"message\": \"m\"},\n"
               " {\"id\": \"a\", \"pattern\": \"y\", \"message\": \"m\"}]",
               "r.json:2:2: rule \"a\" is defined twice");
    decl_error("{\"rule\": []}", "unknown key \"rule\"");
}

/* Lints src with only the rules matching sel; returns the finding count. */
static size_t lint_count(const char *src, const char *sel, const char *rules_file)
{
    const char *selv[] = {sel};
    kd_lint_opts o = {.select = selv, .nselect = sel ? 1 : 0, .failure_threshold = -1,
                      .no_config = true, .rules_files = &rules_file,
                      .nrules_files = rules_file ? 1 : 0};
    kd_linter *l;
    kd_error *err = NULL;
    if (kd_linter_new(&o, &l, &err) < 0) {
        kt_fail(__FILE__, __LINE__, "linter: %s", err->msg);
        kd_error_free(err);
        return 0;
    }
    kd_file_result *r;
    size_t n = 0;
    if (kd_lint_source(l, "Dockerfile", src, strlen(src), NULL, &r, &err) == 0) {
        n = r->nfindings;
        kd_file_result_free(r);
    } else {
        kt_fail(__FILE__, __LINE__, "lint: %s", err->msg);
        kd_error_free(err);
    }
    kd_linter_free(l);
    return n;
}

TEST(inline_suppressions)
{
    CHECK_INT(lint_count("FROM ubuntu\n", "KD4106", NULL), 1);
    CHECK_INT(lint_count("# kdoctor ignore=KD4106\nFROM ubuntu\n", "KD4106", NULL), 0);
    CHECK_INT(lint_count("# hadolint ignore=DL3006\nFROM ubuntu\n", "KD4106", NULL), 0);
    CHECK_INT(lint_count("# kdoctor ignore=untagged-image\n# why\nFROM ubuntu\n", "KD4106", NULL),
              0);
    /* a blank line breaks the link to the instruction */
    CHECK_INT(lint_count("# kdoctor ignore=KD4106\n\nFROM ubuntu\n", "KD4106", NULL), 1);
    /* only the next instruction */
    CHECK_INT(lint_count("# kdoctor ignore=KD4106\nFROM ubuntu\nFROM debian\n", "KD4106", NULL),
              1);
    CHECK_INT(lint_count("FROM a\n# kdoctor global ignore=KD4106\nFROM ubuntu\n", "KD4106", NULL),
              0);
    CHECK_INT(lint_count("FROM a\n# hadolint global ignore=DL3006\n", "KD4106", NULL), 0);
    /* inside a continued instruction, any of its lines */
    CHECK_INT(lint_count("FROM alpine:3\nENV A \\\n# kdoctor ignore=KD4104\n  1\n", "KD4104", NULL),
              0);
    /* BuildKit's check directive */
    CHECK_INT(lint_count("# check=skip=StageNameCasing\nFROM a AS B\n", "KD4100", NULL), 0);
    CHECK_INT(lint_count("# check=skip=all\nFROM a AS B\n", "KD4100", NULL), 0);
    CHECK_INT(lint_count("# check=error=true\nFROM a AS B\n", "KD4100", NULL), 1);
}

TEST(off_by_default_rules)
{
    CHECK_INT(lint_count("FROM a:1\n", NULL, NULL) >= 1, 0);
    CHECK_INT(lint_count("FROM a:1\n", "KD4109", NULL), 1);
}

TEST(dockerignore_matching)
{
    const char *ig = "# comment\n*.log\n/build\nnode_modules\n**/*.o\n!keep.log\ndocs/**/draft*\n";
    CHECK(kd_dockerignore_excludes(ig, "a.log"));
    CHECK(!kd_dockerignore_excludes(ig, "keep.log"));
    CHECK(!kd_dockerignore_excludes(ig, "sub/a.log")); /* * does not cross '/' */
    CHECK(kd_dockerignore_excludes(ig, "./build/x/y"));
    CHECK(kd_dockerignore_excludes(ig, "node_modules/left-pad/index.js"));
    CHECK(kd_dockerignore_excludes(ig, "src/deep/x.o"));
    CHECK(kd_dockerignore_excludes(ig, "x.o"));
    CHECK(kd_dockerignore_excludes(ig, "docs/a/b/draft1.md"));
    CHECK(!kd_dockerignore_excludes(ig, "docs/final.md"));
    CHECK(!kd_dockerignore_excludes(ig, "src/main.c"));
    CHECK(kd_dockerignore_excludes("[a-c]x\n", "bx"));
    CHECK(!kd_dockerignore_excludes("[!a-c]x\n", "bx"));
}

TEST(image_references)
{
    kd_imgref r;
    REQUIRE(kd_image_parse("docker.io/library/node:20-slim@sha256:abc", &r));
    CHECK_STR(r.registry, "docker.io");
    CHECK_STR(r.repo, "node");
    CHECK_STR(r.tag, "20-slim");
    CHECK_STR(r.digest, "sha256:abc");
    CHECK(r.official);
    kd_image_free(&r);
    REQUIRE(kd_image_parse("localhost:5000/team/app", &r));
    CHECK_STR(r.registry, "localhost:5000");
    CHECK_STR(r.repo, "team/app");
    CHECK(r.tag == NULL && !r.official);
    kd_image_free(&r);
    CHECK(!kd_image_parse("node:$V", &r));
    CHECK(kd_image_valid("ghcr.io/a/b:1.0"));
    CHECK(!kd_image_valid("node:"));
    CHECK(!kd_image_valid("Node:1"));
    CHECK(!kd_image_valid(":"));
}
