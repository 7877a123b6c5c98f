#include "kt.h"
#include "rewrite/fix.h"

#include <stdlib.h>

static const kd_rule r1 = {.id = "KD9001", .name = "one", .fix = KD_FIX_SAFE};
static const kd_rule r2 = {.id = "KD9002", .name = "two", .fix = KD_FIX_UNSAFE};

static kd_finding *finding(const kd_rule *r, kd_fix_kind k, size_t s, size_t e, const char *t)
{
    kd_finding *f = calloc(1, sizeof *f);
    f->rule = r;
    f->fix = k;
    f->edits = calloc(1, sizeof *f->edits);
    f->edits[0] = (kd_edit){s, e, strdup(t)};
    f->nedits = 1;
    return f;
}

static void free_findings(kd_finding **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]->edits[0].text);
        free(v[i]->edits);
        free(v[i]);
    }
}

TEST(apply_skips_overlaps_and_unsafe)
{
    const char *src = "0123456789";
    kd_finding *v[] = {
        finding(&r1, KD_FIX_SAFE, 2, 4, "ab"),   /* applied */
        finding(&r1, KD_FIX_SAFE, 3, 5, "xx"),   /* overlaps the first: next round */
        finding(&r2, KD_FIX_UNSAFE, 6, 7, "U"),  /* unsafe: only on request */
        finding(&r1, KD_FIX_SAFE, 8, 8, "+"),    /* an insertion */
        finding(&r1, KD_FIX_SAFE, 8, 8, "-"),    /* a second insertion at the same place */
    };
    size_t n = sizeof v / sizeof v[0], len, nc = 0;
    kd_fix_count *c = NULL;
    char *out = kd_fix_apply(src, 10, v, n, false, &len, &c, &nc);
    CHECK_STR(out, "01ab4567+89");
    REQUIRE(nc == 1);
    CHECK_INT(c[0].n, 2);
    free(out);
    free(c);
    c = NULL;
    nc = 0;
    out = kd_fix_apply(src, 10, v, n, true, &len, &c, &nc);
    CHECK_STR(out, "01ab45U7+89");
    CHECK_INT(nc, 2);
    free(out);
    free(c);
    free_findings(v, n);
}

TEST(apply_refuses_edits_past_the_end)
{
    kd_finding *v[] = {finding(&r1, KD_FIX_SAFE, 3, 99, "x")};
    size_t len, nc = 0;
    kd_fix_count *c = NULL;
    char *out = kd_fix_apply("abc", 3, v, 1, false, &len, &c, &nc);
    CHECK_STR(out, "abc");
    CHECK_INT(nc, 0);
    free(out);
    free(c);
    free_findings(v, 1);
}

/* KD1101 writes "copy" for "add"; KD4102 then fixes the casing: 2 rounds */
static const char two_rounds[] = "FROM alpine:3.19\nadd a /a\n";

static kd_linter *linter(void)
{
    kd_lint_opts o = {.failure_threshold = -1, .no_config = true};
    kd_linter *l = NULL;
    kd_error *err = NULL;
    if (kd_linter_new(&o, &l, &err) < 0)
        kd_error_free(err);
    return l;
}

TEST(fix_source_runs_rounds_until_nothing_changes)
{
    kd_linter *l = linter();
    REQUIRE(l != NULL);
    kd_fix_result r;
    kd_error *err = NULL;
    kd_fix_opts o = {0};
    REQUIRE(kd_fix_source(l, "Dockerfile", two_rounds, strlen(two_rounds), NULL, &o, &r, &err) ==
            0);
    CHECK_STR(r.text, "FROM alpine:3.19\nCOPY a /a\n");
    CHECK_INT(r.rounds, 2);
    CHECK(r.converged);
    CHECK(r.broken == NULL);
    /* a second fix changes nothing */
    kd_fix_result again;
    REQUIRE(kd_fix_source(l, "Dockerfile", r.text, r.len, NULL, &o, &again, &err) == 0);
    CHECK_STR(again.text, r.text);
    CHECK_INT(again.rounds, 0);
    kd_fix_result_free(&again);
    kd_fix_result_free(&r);
    kd_linter_free(l);
}

TEST(fix_source_stops_at_the_round_bound)
{
    kd_linter *l = linter();
    REQUIRE(l != NULL);
    kd_fix_result r;
    kd_error *err = NULL;
    kd_fix_opts o = {.max_rounds = 1};
    REQUIRE(kd_fix_source(l, "Dockerfile", two_rounds, strlen(two_rounds), NULL, &o, &r, &err) ==
            0);
    CHECK_STR(r.text, "FROM alpine:3.19\ncopy a /a\n");
    CHECK_INT(r.rounds, 1);
    CHECK(!r.converged);
    kd_fix_result_free(&r);
    kd_linter_free(l);
}
