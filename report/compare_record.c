/* A comparison's builds turned into the report: samples per run, the steps
 * of each variant with their logs and layers, image efficiency, and at the
 * end medians, spreads and the alignment. */
#include "build/oci.h"
#include "report/compare_int.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define LARGEST_PER_IMAGE 10
#define LARGEST_PER_STEP 5

void cmp_samples_add(cmp_samples *s, double x)
{
    s->v = kd_xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = x;
}

/* ---- step logs ------------------------------------------------------------ */

static size_t log_cap(const cmp *c)
{
    return c->o->log_cap ? c->o->log_cap : KD_COMPARE_LOG_CAP;
}

void cmp_log_add(cmp *c, size_t stage, size_t step, const char *data, size_t len)
{
    pthread_mutex_lock(&c->lock);
    cmp_log *l = NULL;
    for (size_t i = 0; i < c->nlogs && l == NULL; i++)
        if (c->logs[i].stage == stage && c->logs[i].step == step)
            l = &c->logs[i];
    if (l == NULL) {
        KD_GROW(c->logs, c->caplogs, c->nlogs + 1);
        l = &c->logs[c->nlogs++];
        memset(l, 0, sizeof *l);
        l->stage = stage, l->step = step;
    }
    kd_buf_add(&l->buf, data, len);
    size_t cap = log_cap(c);
    if (l->buf.len > 2 * cap) { /* keep the tail: that is where errors are */
        size_t drop = l->buf.len - cap;
        memmove(l->buf.data, l->buf.data + drop, cap);
        kd_buf_truncate(&l->buf, cap);
        l->cut += drop;
    }
    pthread_mutex_unlock(&c->lock);
}

void cmp_logs_clear(cmp *c)
{
    for (size_t i = 0; i < c->nlogs; i++)
        kd_buf_free(&c->logs[i].buf);
    c->nlogs = 0;
}

/* The log of a step (at most its last log_cap bytes, from a line's
 * start), or NULL when it printed nothing. */
static char *log_of(cmp *c, size_t stage, size_t step)
{
    for (size_t i = 0; i < c->nlogs; i++) {
        cmp_log *l = &c->logs[i];
        if (l->stage != stage || l->step != step)
            continue;
        size_t cap = log_cap(c), len = l->buf.len, skip = len > cap ? len - cap : 0;
        if (l->cut + skip) { /* start at a line */
            const char *nl = memchr(l->buf.data + skip, '\n', len - skip);
            if (nl && nl + 1 < l->buf.data + len)
                skip = (size_t)(nl + 1 - l->buf.data);
        }
        kd_buf b = KD_BUF_INIT;
        if (l->cut + skip)
            kd_buf_addf(&b, "[... %zu bytes cut]\n", l->cut + skip);
        kd_buf_add(&b, l->buf.data + skip, len - skip);
        return kd_buf_detach(&b, NULL);
    }
    return NULL;
}

/* ---- the steps of a build -------------------------------------------------- */

typedef struct flat_step {
    const kd_step_timing *t;
    size_t stage, step; /* stage index in the Dockerfile; 1-based step in it */
} flat_step;

/* The steps of t in Dockerfile order (stages by index); caller frees. */
static flat_step *flatten(const kd_timings *t, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < t->nstages; i++)
        total += t->stages[i].nsteps;
    flat_step *f = kd_xcalloc(total + 1, sizeof *f);
    size_t k = 0;
    size_t done = 0, last = 0; /* stages taken, the last index taken */
    while (done < t->nstages) {
        const kd_stage_timing *next = NULL;
        for (size_t i = 0; i < t->nstages; i++) {
            const kd_stage_timing *st = &t->stages[i];
            bool after = done == 0 ? true : st->index > last;
            if (after && (next == NULL || st->index < next->index))
                next = st;
        }
        if (next == NULL)
            break;
        for (size_t j = 0; j < next->nsteps; j++)
            f[k++] = (flat_step){&next->steps[j], next->index, j + 1};
        last = next->index;
        done++;
    }
    *n = k;
    return f;
}

static void step_from_timing(kd_rep_step *s, const flat_step *f)
{
    s->instruction = kd_xstrdup(f->t->instruction ? f->t->instruction : "");
    s->text = kd_xstrdup(f->t->text ? f->t->text : "");
    s->line_start = f->t->line_start;
    s->line_end = f->t->line_end;
    s->stage = f->stage;
}

/* The variant's steps from its first build that got anywhere. */
static void make_steps(cmp *c, kd_rep_variant *v, cmp_var_acc *a, const flat_step *f, size_t n)
{
    (void)c;
    v->steps = kd_xcalloc(n + 1, sizeof *v->steps);
    a->steps = kd_xcalloc(n + 1, sizeof *a->steps);
    v->nsteps = n;
    for (size_t i = 0; i < n; i++)
        step_from_timing(&v->steps[i], &f[i]);
}

/* What the last run of a step says: layer, bytes, cache hit, log. */
static void step_last_run(cmp *c, kd_rep_step *s, const flat_step *f, kd_mode m)
{
    const kd_step_timing *t = f->t;
    s->cache_hit[m] = t->cache_hit;
    if (m == KD_MODE_COLD || !c->r->modes[KD_MODE_COLD])
        for (int p = 0; p < KD_REP_PHASES; p++)
            s->phase_bytes[p] = t->phases[p].used ? t->phases[p].bytes : 0;
    s->layer = t->layer;
    s->size = t->size;
    s->tar_size = t->tar_size;
    s->files = t->files;
    free(s->log);
    s->log = log_of(c, f->stage, f->step);
}

static void add_phases(cmp_samples ph[KD_REP_PHASES], const kd_step_timing *t, double sum[])
{
    for (int p = 0; p < KD_REP_PHASES; p++)
        if (t->phases[p].used) {
            if (ph)
                cmp_samples_add(&ph[p], t->phases[p].ms);
            if (sum)
                sum[p] += t->phases[p].ms;
        }
}

/* One measured build's samples. */
static void add_samples(cmp *c, cmp_var_acc *a, const kd_timings *t, const flat_step *f, size_t n)
{
    kd_mode m = c->mode;
    kd_rep_variant *v = &c->r->variants[c->vi];
    cmp_samples_add(&a->total[m], t->total_ms);
    double sum[KD_REP_PHASES] = {0};
    bool used[KD_REP_PHASES] = {false};
    for (size_t i = 0; i < n; i++) {
        for (int p = 0; p < KD_REP_PHASES; p++)
            used[p] |= f[i].t->phases[p].used;
        add_phases(NULL, f[i].t, sum);
        if (n == v->nsteps) { /* the same steps as the first build (always, in practice) */
            cmp_samples_add(&a->steps[i].total[m], f[i].t->total_ms);
            add_phases(a->steps[i].phase[m], f[i].t, NULL);
        }
    }
    for (int p = 0; p < KD_REP_PHASES; p++)
        used[p] |= t->export.phases[p].used;
    add_phases(NULL, &t->export, sum); /* writing the image is part of the build */
    for (int p = 0; p < KD_REP_PHASES; p++)
        if (used[p])
            cmp_samples_add(&a->phase[m][p], sum[p]);
}

/* ---- image efficiency --------------------------------------------------------- */

/* The diff_ids of the image whose manifest is digest; caller frees. */
static int image_diff_ids(kd_store *s, const char *digest, kd_strv *out, kd_error **err)
{
    char *data;
    size_t len;
    if (kd_store_blob_read(s, digest, KD_MANIFEST_MAX, &data, &len, err) < 0)
        return -1;
    kd_manifest m;
    int rc = kd_manifest_parse(data, len, NULL, &m, err);
    free(data);
    if (rc < 0)
        return -1;
    rc = kd_store_blob_read(s, m.config.digest, KD_MANIFEST_MAX, &data, &len, err);
    kd_manifest_free(&m);
    if (rc < 0)
        return -1;
    kd_image_config cfg;
    rc = kd_image_config_parse(data, len, &cfg, err);
    free(data);
    if (rc < 0)
        return -1;
    kd_strv_copy(out, &cfg.diff_ids);
    kd_image_config_free(&cfg);
    return 0;
}

/* A step's layer on its own: the files it holds, largest first, and its
 * entries when the image does not hold it (another stage's). */
static void step_layer(kd_store *store, kd_rep_step *s, const char *diff_id, size_t layer,
                       bool in_image)
{
    char *dir = kd_store_layer_path(store, diff_id);
    const char *dirs[1] = {dir};
    kd_efficiency e;
    memset(&e, 0, sizeof e);
    if (dir && kd_efficiency_analyze(dirs, 1, LARGEST_PER_STEP, &e, NULL) == 0) {
        s->largest = e.largest;
        s->nlargest = e.nlargest;
        for (size_t i = 0; i < e.nlargest; i++)
            e.largest[i].layer = layer;
        e.largest = NULL;
        e.nlargest = 0;
        if (!in_image && e.nlayers) {
            s->added = e.layers[0].added;
            s->removed = e.layers[0].removed;
        }
    }
    kd_efficiency_free(&e);
    free(dir);
}

static size_t index_of(const kd_strv *ids, const char *id)
{
    for (size_t i = 0; i < ids->n; i++)
        if (strcmp(ids->v[i], id) == 0)
            return i;
    return SIZE_MAX;
}

/* Analyses the image of a build the store holds; steps get their layer's
 * figures. Best effort: an image that cannot be read keeps no figures. */
static void efficiency(kd_store *store, kd_rep_variant *v, const kd_build_result *res,
                       const flat_step *f, size_t n)
{
    kd_strv ids = {0};
    if (image_diff_ids(store, res->digest, &ids, NULL) < 0)
        return;
    char **dirs = kd_xcalloc(ids.n + 1, sizeof *dirs);
    for (size_t i = 0; i < ids.n; i++)
        dirs[i] = kd_store_layer_path(store, ids.v[i]);
    kd_efficiency_free(&v->eff);
    if (kd_efficiency_analyze((const char *const *)dirs, ids.n, LARGEST_PER_IMAGE, &v->eff, NULL) <
        0)
        memset(&v->eff, 0, sizeof v->eff);
    v->base_layers = ids.n;
    for (size_t i = 0; i < n && n == v->nsteps; i++) {
        if (!f[i].t->layer)
            continue;
        kd_rep_step *s = &v->steps[i];
        size_t k = index_of(&ids, f[i].t->diff_id);
        bool in_image = k != SIZE_MAX && k < v->eff.nlayers;
        if (in_image) {
            const kd_eff_layer *l = &v->eff.layers[k];
            s->added = l->added, s->changed = l->changed, s->removed = l->removed;
            s->hidden_bytes = l->hidden_bytes;
            if (k < v->base_layers)
                v->base_layers = k;
        }
        step_layer(store, s, f[i].t->diff_id, in_image ? k : 0, in_image);
    }
    for (size_t i = 0; i < ids.n; i++)
        free(dirs[i]);
    free(dirs);
    kd_strv_free(&ids);
}

/* ---- recording builds ------------------------------------------------------------- */

void cmp_record(cmp *c, kd_store *store, const kd_build_result *res, bool measured)
{
    kd_rep_variant *v = &c->r->variants[c->vi];
    cmp_var_acc *a = &c->acc[c->vi];
    size_t n;
    flat_step *f = flatten(&res->timings, &n);
    if (v->steps == NULL)
        make_steps(c, v, a, f, n);
    if (measured)
        add_samples(c, a, &res->timings, f, n);
    for (size_t i = 0; i < n && n == v->nsteps; i++)
        step_last_run(c, &v->steps[i], &f[i], c->mode);
    v->layers = res->layers;
    v->size = res->size;
    v->tar_size = res->timings.tar_size;
    if (!a->eff_done && store) {
        efficiency(store, v, res, f, n);
        a->eff_done = true;
    }
    free(f);
}

void cmp_record_failure(cmp *c, const kd_build_result *res, const kd_error *e)
{
    kd_rep_variant *v = &c->r->variants[c->vi];
    cmp_var_acc *a = &c->acc[c->vi];
    size_t n;
    flat_step *f = flatten(&res->timings, &n);
    if (v->steps == NULL)
        make_steps(c, v, a, f, n);
    for (size_t i = 0; i < n && i < v->nsteps; i++) {
        free(v->steps[i].log);
        v->steps[i].log = log_of(c, f[i].stage, f[i].step);
    }
    free(v->error);
    v->error = kd_xstrdup(e && e->msg ? e->msg : "the build failed");
    a->failed = true;
    free(f);
}

/* ---- the end --------------------------------------------------------------------- */

static kd_stat stat_of(cmp_samples *s)
{
    return kd_stat_of(s->v, s->n);
}

void cmp_finish(cmp *c)
{
    for (size_t vi = 0; vi < c->r->nvariants; vi++) {
        kd_rep_variant *v = &c->r->variants[vi];
        cmp_var_acc *a = &c->acc[vi];
        for (int m = 0; m < KD_MODE_COUNT; m++) {
            v->total[m] = stat_of(&a->total[m]);
            for (int p = 0; p < KD_REP_PHASES; p++)
                v->phase[m][p] = stat_of(&a->phase[m][p]);
            for (size_t i = 0; i < v->nsteps && a->steps; i++) {
                v->steps[i].total[m] = stat_of(&a->steps[i].total[m]);
                for (int p = 0; p < KD_REP_PHASES; p++)
                    v->steps[i].phase[m][p] = stat_of(&a->steps[i].phase[m][p]);
            }
        }
    }
    kd_report_align(c->r);
}

void cmp_acc_free(cmp *c)
{
    for (size_t vi = 0; c->acc && vi < c->r->nvariants; vi++) {
        cmp_var_acc *a = &c->acc[vi];
        for (int m = 0; m < KD_MODE_COUNT; m++) {
            free(a->total[m].v);
            for (int p = 0; p < KD_REP_PHASES; p++)
                free(a->phase[m][p].v);
            for (size_t i = 0; a->steps && i < c->r->variants[vi].nsteps; i++) {
                free(a->steps[i].total[m].v);
                for (int p = 0; p < KD_REP_PHASES; p++)
                    free(a->steps[i].phase[m][p].v);
            }
        }
        free(a->steps);
        free(a->warm_store);
    }
    free(c->acc);
    c->acc = NULL;
    cmp_logs_clear(c);
    free(c->logs);
}
