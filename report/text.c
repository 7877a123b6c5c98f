/* The compare report as plain-text tables: what `kdoctor compare` prints
 * without a terminal or with --no-tui, and what `kdoctor report` prints
 * into a pipe. */
#include "report/report.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAR_WIDTH 20

/* Appends s cut or padded to exactly w columns (bytes: the texts are
 * Dockerfile lines, mostly ASCII; a cut never splits a UTF-8 sequence). */
static void cell(kd_buf *out, const char *s, int w, bool right)
{
    size_t n = strlen(s);
    if ((int)n > w) {
        size_t cut = w > 1 ? (size_t)w - 1 : 0;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
        kd_buf_add(out, s, cut);
        if (w > 0)
            kd_buf_adds(out, "~");
        for (int i = (int)cut + 1; i < w; i++)
            kd_buf_addc(out, ' ');
        return;
    }
    if (right)
        for (int i = (int)n; i < w; i++)
            kd_buf_addc(out, ' ');
    kd_buf_adds(out, s);
    if (!right)
        for (int i = (int)n; i < w; i++)
            kd_buf_addc(out, ' ');
}

static void bar(kd_buf *out, double value, double max)
{
    int n = max > 0 ? (int)(value / max * BAR_WIDTH + 0.5) : 0;
    if (n > BAR_WIDTH)
        n = BAR_WIDTH;
    for (int i = 0; i < n; i++)
        kd_buf_addc(out, '#');
    for (int i = n; i < BAR_WIDTH; i++)
        kd_buf_addc(out, ' ');
}

static double max_total(const kd_rep *r, kd_mode m)
{
    double max = 0;
    for (size_t i = 0; i < r->nvariants; i++)
        if (r->variants[i].total[m].median > max)
            max = r->variants[i].total[m].median;
    return max;
}

static void summary(const kd_rep *r, kd_mode m, kd_buf *out)
{
    const kd_rep_variant *o = &r->variants[0];
    double max = max_total(r, m);
    kd_buf_addf(out, "%-14s %-10s %-7s %-*s %10s %6s %9s %9s\n", "variant", "time", "spread",
                BAR_WIDTH, "", "size", "layers", "time", "size");
    for (size_t i = 0; i < r->nvariants; i++) {
        const kd_rep_variant *v = &r->variants[i];
        char t[32], sp[16], sz[32], gt[16] = "", gs[16] = "";
        kd_fmt_ms(v->total[m].n ? v->total[m].median : -1, t, sizeof t);
        snprintf(sp, sizeof sp, v->total[m].n > 1 ? "+-%.0f%%" : "-",
                 kd_stat_spread(&v->total[m]) * 50);
        kd_fmt_bytes(v->size, sz, sizeof sz);
        if (i > 0) {
            kd_fmt_gain(o->total[m].median, v->total[m].median, gt, sizeof gt);
            kd_fmt_gain((double)o->size, (double)v->size, gs, sizeof gs);
        }
        cell(out, v->name, 14, false);
        kd_buf_addf(out, " %-10s %-7s ", v->error ? "failed" : t, sp);
        bar(out, v->total[m].median, max);
        kd_buf_addf(out, " %10s %6zu %9s %9s\n", sz, v->layers, gt, gs);
    }
    for (size_t i = 0; i < r->nvariants; i++) {
        const kd_rep_variant *v = &r->variants[i];
        if (v->error)
            kd_buf_addf(out, "  %s: the build failed: %s\n", v->name, v->error);
        else if (i == 0 || o->error)
            continue; /* gains are against the original */
        else if (o->total[m].n > 1 && v->total[m].n > 1 && !kd_stat_differs(&o->total[m], &v->total[m]))
            kd_buf_addf(out, "  %s: the time difference is within the runs' spread: do not "
                             "trust it; run with more --runs\n",
                        v->name);
        else if (o->total[m].n < 2 || v->total[m].n < 2)
            kd_buf_addf(out, "  %s: a single run per variant shows no spread; --runs 3 or "
                             "more tells noise from gain\n",
                        v->name);
    }
    for (size_t i = 0; i < r->nvariants; i++)
        for (size_t k = 0; k < r->variants[i].nfixes; k++)
            kd_buf_addf(out, "  %s: %s\n", r->variants[i].name, r->variants[i].fixes[k]);
}

static void efficiency(const kd_rep *r, kd_buf *out)
{
    kd_buf_addf(out, "%-14s %10s %10s %10s %10s %6s\n", "variant", "stored", "visible", "wasted",
                "in caches", "score");
    for (size_t i = 0; i < r->nvariants; i++) {
        const kd_rep_variant *v = &r->variants[i];
        char a[32], b[32], c[32], d[32];
        kd_fmt_bytes(v->eff.stored_bytes, a, sizeof a);
        kd_fmt_bytes(v->eff.final_bytes, b, sizeof b);
        kd_fmt_bytes(v->eff.wasted_bytes, c, sizeof c);
        kd_fmt_bytes(v->eff.cache_bytes, d, sizeof d);
        cell(out, v->name, 14, false);
        if (v->eff.nlayers == 0 && v->error) {
            kd_buf_adds(out, " (no image: the build failed)\n");
            continue;
        }
        kd_buf_addf(out, " %10s %10s %10s %10s %5.0f%%\n", a, b, c, d, v->eff.score * 100);
    }
}

/* The text shown for a row: the original's step there, else the first
 * variant's that has one. */
static const kd_rep_step *row_step(const kd_rep *r, size_t row)
{
    for (size_t i = 0; i < r->nvariants; i++) {
        bool first;
        const kd_rep_step *s = kd_report_step_at(&r->variants[i], row, &first);
        if (s)
            return s;
    }
    return NULL;
}

static void steps(const kd_rep *r, kd_mode m, int width, kd_buf *out)
{
    int colw = 11;
    int textw = width - 6 - (int)r->nvariants * (colw + 1) - 1;
    if (textw < 20)
        textw = 20;
    kd_buf_addf(out, "%-5s ", "line");
    cell(out, "instruction (as in the original)", textw, false);
    for (size_t i = 0; i < r->nvariants; i++) {
        kd_buf_addc(out, ' ');
        cell(out, r->variants[i].name, colw, true);
    }
    kd_buf_addc(out, '\n');
    for (size_t row = 0; row < r->nrows; row++) {
        const kd_rep_step *s = row_step(r, row);
        if (s == NULL)
            continue;
        char line[16], text[512];
        snprintf(line, sizeof line, "%u", s->line_start);
        snprintf(text, sizeof text, "%s", s->text);
        kd_buf_addf(out, "%-5s ", line);
        cell(out, text, textw, false);
        for (size_t i = 0; i < r->nvariants; i++) {
            bool first = false;
            const kd_rep_step *v = kd_report_step_at(&r->variants[i], row, &first);
            char t[32] = "";
            if (v && first) {
                kd_fmt_ms(v->total[m].n ? v->total[m].median : -1, t, sizeof t);
                if (v->cache_hit[m])
                    strcat(t, " c");
            } else if (v) {
                snprintf(t, sizeof t, "^ merged");
            }
            kd_buf_addc(out, ' ');
            cell(out, t, colw, true);
        }
        kd_buf_addc(out, '\n');
    }
}

static void phases(const kd_rep *r, kd_mode m, kd_buf *out)
{
    kd_buf_addf(out, "%-10s", "phase");
    for (size_t i = 0; i < r->nvariants; i++) {
        kd_buf_addc(out, ' ');
        cell(out, r->variants[i].name, 11, true);
    }
    kd_buf_addc(out, '\n');
    for (int p = 0; p < KD_REP_PHASES; p++) {
        bool any = false;
        for (size_t i = 0; i < r->nvariants; i++)
            any |= r->variants[i].phase[m][p].n > 0;
        if (!any)
            continue;
        kd_buf_addf(out, "%-10s", kd_rep_phase_names[p]);
        for (size_t i = 0; i < r->nvariants; i++) {
            char t[32];
            const kd_stat *s = &r->variants[i].phase[m][p];
            kd_fmt_ms(s->n ? s->median : -1, t, sizeof t);
            kd_buf_addc(out, ' ');
            cell(out, t, 11, true);
        }
        kd_buf_addc(out, '\n');
    }
}

static void largest(const kd_rep *r, kd_buf *out)
{
    const kd_rep_variant *v = &r->variants[0];
    size_t n = v->eff.nlargest < 5 ? v->eff.nlargest : 5;
    if (n == 0 && v->eff.ncaches == 0)
        return;
    kd_buf_addf(out, "\nLargest files and package caches of %s:\n", v->name);
    for (size_t i = 0; i < n; i++) {
        char b[32];
        kd_fmt_bytes(v->eff.largest[i].size, b, sizeof b);
        kd_buf_addf(out, "  %10s  %s (layer %zu)\n", b, v->eff.largest[i].path,
                    v->eff.largest[i].layer + 1);
    }
    for (size_t i = 0; i < v->eff.ncaches; i++) {
        char b[32];
        kd_fmt_bytes(v->eff.caches[i].bytes, b, sizeof b);
        kd_buf_addf(out, "  %10s  in %s (a package cache)\n", b, v->eff.caches[i].folder);
    }
}

void kd_report_text(const kd_rep *r, kd_mode m, int width, kd_buf *out)
{
    if (width < 80)
        width = 80;
    kd_buf_addf(out, "kdoctor compare: %s, context %s; %d run%s per variant, %s builds%s\n\n",
                r->dockerfile ? r->dockerfile : "Dockerfile", r->context ? r->context : ".",
                r->runs, r->runs == 1 ? "" : "s", kd_mode_name(m),
                m == KD_MODE_COLD && r->cold_pull ? " (base images pulled again)" : "");
    summary(r, m, out);
    kd_buf_adds(out, "\nImage efficiency (all layers, the base image's included):\n");
    efficiency(r, out);
    kd_buf_addf(out, "\nSteps (%s, median; c = from the layer cache):\n", kd_mode_name(m));
    steps(r, m, width, out);
    kd_buf_addf(out, "\nTime per phase (%s, median, all steps):\n", kd_mode_name(m));
    phases(r, m, out);
    largest(r, out);
}
