/* The compare report's model: statistics, lookups, formatting, freeing. */
#include "report/report.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kd_rep_phase_names[KD_REP_PHASES] = {
    "resolve", "pull", "unpack", "run", "snapshot", "compress", "write", "push",
};

const char *kd_mode_name(kd_mode m)
{
    return m == KD_MODE_WARM ? "warm" : "cold";
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

kd_stat kd_stat_of(double *values, size_t n)
{
    kd_stat s = {n, 0, 0, 0};
    if (n == 0)
        return s;
    qsort(values, n, sizeof *values, cmp_double);
    s.min = values[0];
    s.max = values[n - 1];
    s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    return s;
}

double kd_stat_spread(const kd_stat *s)
{
    if (s->n < 2 || s->median <= 0)
        return 0;
    return (s->max - s->min) / s->median;
}

bool kd_stat_differs(const kd_stat *a, const kd_stat *b)
{
    if (a->n < 2 || b->n < 2)
        return false;
    return a->max < b->min || b->max < a->min;
}

const kd_rep_step *kd_report_step_at(const kd_rep_variant *v, size_t row, bool *first)
{
    for (size_t i = 0; i < v->nsteps; i++) {
        const kd_rep_step *s = &v->steps[i];
        size_t span = s->row_span ? s->row_span : 1;
        if (row >= s->row && row < s->row + span) {
            if (first)
                *first = row == s->row;
            return s;
        }
    }
    return NULL;
}

void kd_fmt_ms(double ms, char *buf, size_t n)
{
    if (ms < 0)
        snprintf(buf, n, "-");
    else if (ms < 1000)
        snprintf(buf, n, "%.0f ms", ms);
    else if (ms < 60000)
        snprintf(buf, n, "%.2f s", ms / 1000);
    else
        snprintf(buf, n, "%dm%02ds", (int)(ms / 60000), (int)(ms / 1000) % 60);
}

void kd_fmt_bytes(uint64_t b, char *buf, size_t n)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)b;
    size_t u = 0;
    while (v >= 1000 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, n, "%llu B", (unsigned long long)b);
    else
        snprintf(buf, n, "%.1f %s", v, units[u]);
}

void kd_fmt_gain(double a, double b, char *buf, size_t n)
{
    if (a <= 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%+.0f%%", (b - a) / a * 100);
}

static void free_step(kd_rep_step *s)
{
    free(s->instruction);
    free(s->text);
    free(s->log);
    for (size_t i = 0; i < s->nlargest; i++)
        free(s->largest[i].path);
    free(s->largest);
}

static void free_variant(kd_rep_variant *v)
{
    free(v->name);
    free(v->dockerfile);
    free(v->how);
    for (size_t i = 0; i < v->nfixes; i++)
        free(v->fixes[i]);
    free(v->fixes);
    free(v->error);
    for (size_t i = 0; i < v->nsteps; i++)
        free_step(&v->steps[i]);
    free(v->steps);
    kd_efficiency_free(&v->eff);
}

void kd_report_free(kd_rep *r)
{
    free(r->created);
    free(r->context);
    free(r->dockerfile);
    for (size_t i = 0; i < r->nvariants; i++)
        free_variant(&r->variants[i]);
    free(r->variants);
    memset(r, 0, sizeof *r);
}
