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
