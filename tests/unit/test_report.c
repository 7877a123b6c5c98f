#include "kt.h"
#include "report/report.h"
#include "util/mem.h"

#include <stdlib.h>

static void add_step(kd_rep_variant *v, const char *instr, const char *text, uint32_t line,
                     size_t row, size_t span, double cold, double warm)
{
    v->steps = kd_xrealloc(v->steps, (v->nsteps + 1) * sizeof *v->steps);
    kd_rep_step *s = &v->steps[v->nsteps++];
    memset(s, 0, sizeof *s);
    s->instruction = kd_xstrdup(instr);
    s->text = kd_xstrdup(text);
    s->line_start = s->line_end = line;
    s->row = row;
    s->row_span = span;
    double c[] = {cold, cold * 1.1, cold * 0.9}, w[] = {warm};
    s->total[KD_MODE_COLD] = kd_stat_of(c, 3);
    s->total[KD_MODE_WARM] = kd_stat_of(w, 1);
    s->phase[KD_MODE_COLD][3] = s->total[KD_MODE_COLD];
    s->layer = strcmp(instr, "RUN") == 0;
    s->size = 1000;
    s->log = kd_xstrdup("hello\n");
}

/* original: FROM, RUN a, RUN b; fixed: FROM, RUN a && b (covering 2 rows) */
static void sample(kd_rep *r)
{
    memset(r, 0, sizeof *r);
    r->created = kd_xstrdup("2026-11-28T00:00:00Z");
    r->context = kd_xstrdup(".");
    r->dockerfile = kd_xstrdup("Dockerfile");
    r->runs = 3;
    r->modes[KD_MODE_COLD] = r->modes[KD_MODE_WARM] = true;
    r->nvariants = 2;
    r->nrows = 3;
    r->variants = kd_xcalloc(2, sizeof *r->variants);
    kd_rep_variant *o = &r->variants[0], *f = &r->variants[1];
    o->name = kd_xstrdup("original");
    o->how = kd_xstrdup("as written");
    f->name = kd_xstrdup("fixed");
    f->how = kd_xstrdup("kdoctor lint --fix");
    f->fixes = kd_xcalloc(1, sizeof *f->fixes);
    f->fixes[f->nfixes++] = kd_xstrdup("1 x KD1500 consecutive-runs");
    add_step(o, "FROM", "FROM alpine:3.20", 1, 0, 1, 100, 5);
    add_step(o, "RUN", "RUN apk add curl", 2, 1, 1, 2000, 1900);
    add_step(o, "RUN", "RUN apk add git", 3, 2, 1, 1500, 1400);
    add_step(f, "FROM", "FROM alpine:3.20", 1, 0, 1, 100, 5);
    add_step(f, "RUN", "RUN apk add curl && apk add git", 2, 1, 2, 2600, 2500);
    double ot[] = {3600, 3700, 3500}, ft[] = {2700, 2750, 2650};
    o->total[KD_MODE_COLD] = kd_stat_of(ot, 3);
    f->total[KD_MODE_COLD] = kd_stat_of(ft, 3);
    o->size = 3000000;
    f->size = 2800000;
    o->layers = 3;
    f->layers = 2;
    o->eff.score = 0.9;
    o->eff.stored_bytes = 100;
    o->eff.layers = kd_xcalloc(1, sizeof *o->eff.layers);
    o->eff.nlayers = 1;
    o->eff.caches = kd_xcalloc(1, sizeof *o->eff.caches);
    o->eff.caches[0] = (kd_eff_cache){kd_cache_folder("/var/cache/apk"), 5000, 3};
    o->eff.ncaches = 1;
}

TEST(stats_and_differences)
{
    double v[] = {3, 1, 2, 10};
    kd_stat s = kd_stat_of(v, 4);
    CHECK(s.median == 2.5 && s.min == 1 && s.max == 10);
    double a[] = {10, 11, 12}, b[] = {13, 14, 15}, c[] = {11.5, 13, 14};
    kd_stat sa = kd_stat_of(a, 3), sb = kd_stat_of(b, 3), sc = kd_stat_of(c, 3);
    CHECK(kd_stat_differs(&sa, &sb));
    CHECK(!kd_stat_differs(&sa, &sc));
    double one[] = {5};
    kd_stat s1 = kd_stat_of(one, 1);
    CHECK(!kd_stat_differs(&s1, &sb));
    CHECK(kd_stat_spread(&s1) == 0);
}

TEST(merged_step_covers_the_rows_it_replaced)
{
    kd_rep r;
    sample(&r);
    bool first;
    const kd_rep_step *s = kd_report_step_at(&r.variants[1], 2, &first);
    REQUIRE(s);
    CHECK(!first);
    CHECK_STR(s->text, "RUN apk add curl && apk add git");
    CHECK(kd_report_step_at(&r.variants[1], 3, &first) == NULL);
    kd_report_free(&r);
}

TEST(json_round_trip)
{
    kd_rep r, back;
    sample(&r);
    char *j = kd_report_to_json(&r);
    kd_error *err = NULL;
    REQUIRE(kd_report_from_json("r.json", j, strlen(j), &back, &err) == 0);
    CHECK_INT(back.nvariants, 2);
    CHECK_INT(back.nrows, 3);
    CHECK_INT(back.runs, 3);
    CHECK(back.modes[KD_MODE_COLD] && back.modes[KD_MODE_WARM]);
    CHECK_STR(back.variants[1].fixes[0], "1 x KD1500 consecutive-runs");
    CHECK_INT(back.variants[1].steps[1].row_span, 2);
    CHECK(back.variants[0].steps[1].total[KD_MODE_COLD].median == 2000);
    CHECK_STR(back.variants[0].eff.caches[0].folder, "/var/cache/apk");
    CHECK_STR(back.variants[0].steps[2].log, "hello\n");
    char *j2 = kd_report_to_json(&back);
    CHECK_STR(j2, j); /* stable */
    free(j);
    free(j2);
    kd_report_free(&r);
    kd_report_free(&back);
}

TEST(json_errors)
{
    kd_rep r;
    kd_error *err = NULL;
    CHECK(kd_report_from_json("x.json", "{", 1, &r, &err) == -1);
    REQUIRE(err);
    CHECK(strstr(err->msg, "x.json: not valid JSON") != NULL);
    kd_error_free(err);
    err = NULL;
    const char *t = "{\"schema\": \"kdoctor.timings/1\"}";
    CHECK(kd_report_from_json("t.json", t, strlen(t), &r, &err) == -1);
    REQUIRE(err);
    CHECK(strstr(err->msg, "not a kdoctor compare report") != NULL);
    kd_error_free(err);
}

TEST(text_tables)
{
    kd_rep r;
    sample(&r);
    kd_buf b = KD_BUF_INIT;
    kd_report_text(&r, KD_MODE_COLD, 100, &b);
    const char *t = kd_buf_str(&b);
    CHECK(strstr(t, "original") != NULL);
    CHECK(strstr(t, "3.60 s") != NULL);
    CHECK(strstr(t, "2.70 s") != NULL);
    CHECK(strstr(t, "-25%") != NULL);
    CHECK(strstr(t, "^ merged") != NULL);
    CHECK(strstr(t, "RUN apk add git") != NULL);
    CHECK(strstr(t, "1 x KD1500 consecutive-runs") != NULL);
    CHECK(strstr(t, "in /var/cache/apk") != NULL);
    kd_buf_free(&b);
    kd_report_free(&r);
}

TEST(formatting)
{
    char b[32];
    kd_fmt_ms(850, b, sizeof b);
    CHECK_STR(b, "850 ms");
    kd_fmt_ms(1234, b, sizeof b);
    CHECK_STR(b, "1.23 s");
    kd_fmt_ms(125000, b, sizeof b);
    CHECK_STR(b, "2m05s");
    kd_fmt_bytes(297100000, b, sizeof b);
    CHECK_STR(b, "297.1 MB");
    kd_fmt_bytes(999, b, sizeof b);
    CHECK_STR(b, "999 B");
    kd_fmt_gain(100, 58, b, sizeof b);
    CHECK_STR(b, "-42%");
}

static void step(kd_rep_variant *v, const char *instr, const char *text)
{
    add_step(v, instr, text, (uint32_t)v->nsteps + 1, 0, 0, 1, 1);
}

static kd_rep_variant *variant(kd_rep *r, const char *name)
{
    r->variants = kd_xrealloc(r->variants, (r->nvariants + 1) * sizeof *r->variants);
    kd_rep_variant *v = &r->variants[r->nvariants++];
    memset(v, 0, sizeof *v);
    v->name = kd_xstrdup(name);
    return v;
}

TEST(align_merged_changed_and_extra_steps)
{
    kd_rep r;
    memset(&r, 0, sizeof r);
    kd_rep_variant *o = variant(&r, "original");
    step(o, "FROM", "FROM debian:12");
    step(o, "RUN", "RUN apt-get update");
    step(o, "RUN", "RUN apt-get install -y curl");
    step(o, "ADD", "ADD app /app");
    step(o, "RUN", "RUN  chmod +x /app/run");
    step(o, "CMD", "CMD [\"/app/run\"]");
    kd_rep_variant *f = variant(&r, "fixed");
    step(f, "FROM", "FROM debian:12");
    step(f, "RUN", "RUN apt-get update &&     apt-get install -y --no-install-recommends curl "
                   "&& rm -rf /var/lib/apt/lists/*");
    step(f, "COPY", "COPY app /app");
    step(f, "RUN", "RUN chmod +x /app/run");
    step(f, "LABEL", "LABEL extra=1");
    step(f, "CMD", "CMD [\"/app/run\"]");
    o = &r.variants[0]; /* adding a variant moved the array */
    kd_report_align(&r);
    CHECK_INT(r.nrows, 7);
    CHECK_INT(o->steps[0].row, 0);
    CHECK_INT(o->steps[5].row, 6);
    CHECK_INT(f->steps[1].row, 1); /* the merged RUN ... */
    CHECK_INT(f->steps[1].row_span, 2); /* ... covers both RUNs */
    CHECK_INT(f->steps[2].row, 3);     /* COPY stands for ADD */
    CHECK_INT(f->steps[3].row, 4);     /* white space aside, the same */
    CHECK_INT(f->steps[4].row, 5);     /* a new row after chmod */
    CHECK_INT(f->steps[4].row_span, 1);
    CHECK_INT(f->steps[5].row, 6);
    bool first;
    CHECK(kd_report_step_at(o, 5, &first) == NULL);
    CHECK(kd_report_step_at(f, 2, &first) == &f->steps[1] && !first);
    kd_report_free(&r);
}
