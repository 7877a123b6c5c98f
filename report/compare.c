/* kdoctor compare: the variants, then the builds taking turns (see
 * report/compare.h). */
#include "dockerfile/dockerfile.h"
#include "report/compare_int.h"
#include "rewrite/fix.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- progress ---------------------------------------------------------------- */

static void emit(cmp *c, kd_cmp_event *ev)
{
    if (c->o->progress == NULL)
        return;
    ev->variant = c->r->variants[c->vi].name;
    ev->mode = c->mode;
    ev->run = c->run;
    ev->runs = c->r->runs;
    ev->build = c->build;
    ev->nbuilds = c->nbuilds;
    ev->elapsed_ms = kd_now_ms() - c->t0;
    c->o->progress(c->o->progress_ctx, ev);
}

static void info(cmp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void info(cmp *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = kd_vasprintf(fmt, ap);
    va_end(ap);
    kd_cmp_event ev = {.kind = KD_CMP_INFO, .text = text};
    emit(c, &ev);
    free(text);
}

/* The builder's events: step starts and ends go on, output is kept. */
static void on_build_event(void *ctx, const kd_event *ev)
{
    cmp *c = ctx;
    if (ev->kind == KD_EV_STEP_OUTPUT) {
        cmp_log_add(c, ev->stage, ev->step, ev->data, ev->len);
        return;
    }
    if (ev->kind != KD_EV_STEP_START && ev->kind != KD_EV_STEP_DONE)
        return;
    kd_cmp_event e = {.kind = ev->kind == KD_EV_STEP_START ? KD_CMP_STEP_START : KD_CMP_STEP_DONE,
                      .stage = ev->stage, .step = ev->step, .nsteps = ev->nsteps,
                      .text = ev->text,
                      .step_ms = ev->timing ? ev->timing->total_ms : 0};
    emit(c, &e);
}

/* ---- the variants -------------------------------------------------------------- */

static kd_rep_variant *add_variant(kd_rep *r, const char *name, const char *path, const char *how)
{
    r->variants = kd_xrealloc(r->variants, (r->nvariants + 1) * sizeof *r->variants);
    kd_rep_variant *v = &r->variants[r->nvariants++];
    memset(v, 0, sizeof *v);
    v->name = kd_xstrdup(name);
    v->dockerfile = kd_xstrdup(path);
    v->how = kd_xstrdup(how);
    return v;
}

/* Writes a fixed text as work/NAME/Dockerfile and adds its variant. */
static int add_fixed(cmp *c, const char *name, const char *how, const kd_fix_result *fr,
                     kd_error **err)
{
    char *dir = kd_asprintf("%s/%s", c->work, name);
    char *path = kd_asprintf("%s/Dockerfile", dir);
    int rc = kd_mkdirs(dir, 0700, err);
    if (rc == 0)
        rc = kd_write_file_atomic(path, NULL, fr->text, fr->len, 0644, err);
    if (rc == 0) {
        kd_rep_variant *v = add_variant(c->r, name, path, how);
        v->fixes = kd_xcalloc(fr->ncounts + 1, sizeof *v->fixes);
        for (size_t i = 0; i < fr->ncounts; i++)
            v->fixes[v->nfixes++] = kd_asprintf("%zu x %s %s", fr->counts[i].n,
                                                fr->counts[i].rule->id, fr->counts[i].rule->name);
    }
    free(dir);
    free(path);
    return rc;
}

/* The original's fixes: safe, and unsafe when that differs. */
static int add_fixes(cmp *c, const char *path, const char *data, size_t len, kd_error **err)
{
    kd_linter *l;
    kd_lint_opts lo = {.failure_threshold = -1};
    if (kd_linter_new(&lo, &l, err) < 0)
        return -1;
    char *dir = kd_path_folder(path);
    kd_fix_result safe, unsafe;
    memset(&safe, 0, sizeof safe);
    memset(&unsafe, 0, sizeof unsafe);
    kd_fix_opts so = {.unsafe = false}, uo = {.unsafe = true};
    int rc = kd_fix_source(l, path, data, len, dir, &so, &safe, err);
    if (rc == 0)
        rc = kd_fix_source(l, path, data, len, dir, &uo, &unsafe, err);
    bool changed = rc == 0 && (safe.len != len || memcmp(safe.text, data, len) != 0);
    if (changed)
        rc = add_fixed(c, "fixed", "kdoctor lint --fix", &safe, err);
    else if (rc == 0)
        info(c, "kdoctor lint --fix changes nothing in %s", path);
    if (rc == 0 && (unsafe.len != safe.len || memcmp(unsafe.text, safe.text, safe.len) != 0))
        rc = add_fixed(c, "fixed-unsafe", "kdoctor lint --fix-unsafe", &unsafe, err);
    kd_fix_result_free(&safe);
    kd_fix_result_free(&unsafe);
    free(dir);
    kd_linter_free(l);
    return rc;
}

/* A --variant file's name: its file name, made unique. */
static char *variant_name(const kd_rep *r, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash && slash[1] ? slash + 1 : path;
    char *name = kd_xstrdup(base);
    for (int k = 2;; k++) {
        bool taken = false;
        for (size_t i = 0; i < r->nvariants; i++)
            taken |= strcmp(r->variants[i].name, name) == 0;
        if (!taken)
            return name;
        free(name);
        name = kd_asprintf("%s-%d", base, k);
    }
}

static int make_variants(cmp *c, kd_error **err)
{
    const kd_compare_opts *o = c->o;
    char *path = o->dockerfile ? kd_xstrdup(o->dockerfile) : kd_asprintf("%s/Dockerfile", o->context);
    char *data = NULL;
    size_t len;
    int rc = kd_read_file(path, &data, &len, err);
    if (rc == 0) {
        add_variant(c->r, "original", path, "as written");
        rc = add_fixes(c, path, data, len, err);
    }
    free(data);
    for (size_t i = 0; rc == 0 && i < o->nvariant_files; i++) {
        const char *f = o->variant_files[i];
        df_file *df = NULL;
        if ((rc = df_parse_file(f, &df, err)) < 0) /* bad input: before any build */
            break;
        df_file_free(df);
        char *name = variant_name(c->r, f);
        add_variant(c->r, name, f, "--variant");
        free(name);
    }
    free(path);
    if (rc < 0 && err && *err)
        (*err)->status = 2;
    return rc;
}

/* ---- builds -------------------------------------------------------------------------- */

/* One build of the current variant in the store at dir. measured: its
 * time counts (not the build that fills a warm store). Returns -1 only
 * when cancelled; a failed build is recorded in its variant. */
static int build_in(cmp *c, const char *dir, bool measured, kd_error **err)
{
    const kd_compare_opts *o = c->o;
    kd_rep_variant *v = &c->r->variants[c->vi];
    kd_build_opts bo = {
        .context = o->context, .dockerfile = v->dockerfile,
        .build_args = o->build_args, .nbuild_args = o->nbuild_args,
        .target = o->target, .network = o->network, .cache_dir = dir,
        .source_date_epoch = -1, .progress = on_build_event, .progress_ctx = c,
        .cancel = o->cancel, .sandbox = KD_SANDBOX_AUTO, .variant = v->name,
    };
    c->build++;
    c->t0 = kd_now_ms();
    cmp_logs_clear(c);
    kd_cmp_event start = {.kind = KD_CMP_BUILD_START};
    emit(c, &start);
    kd_build_result res;
    kd_error *e = NULL;
    int rc = kd_build(&bo, &res, &e);
    kd_store *store = NULL;
    if (rc == 0 && kd_store_open(dir, KD_STORE_SHARED, &store, NULL) == 0) {
        cmp_record(c, store, &res, measured);
        if (!o->cold_pull || c->mode == KD_MODE_WARM)
            cmp_store_harvest(c, store, &res.timings);
    } else if (rc == 0) {
        cmp_record(c, NULL, &res, measured);
    } else if (e->status != 130) {
        cmp_record_failure(c, &res, e);
    }
    kd_store_close(store);
    kd_cmp_event done = {.kind = KD_CMP_BUILD_DONE, .error = rc < 0 ? e->msg : NULL};
    emit(c, &done);
    kd_build_result_free(&res);
    if (rc < 0 && e->status == 130) {
        *err = e;
        return -1;
    }
    kd_error_free(e);
    return 0;
}

/* A cold build: a fresh store, removed afterwards. */
static int build_cold(cmp *c, kd_error **err)
{
    char *dir;
    if (cmp_store_new(c, c->o->cold_pull, &dir, err) < 0)
        return -1;
    int rc = build_in(c, dir, true, err);
    kd_remove_tree(dir, NULL);
    free(dir);
    return rc;
}

/* The warm stores: one per variant, filled by a first build. */
static int prepare_warm(cmp *c, kd_error **err)
{
    c->mode = KD_MODE_WARM;
    c->run = 0;
    for (c->vi = 0; c->vi < c->r->nvariants; c->vi++) {
        cmp_var_acc *a = &c->acc[c->vi];
        if (cmp_store_new(c, false, &a->warm_store, err) < 0 ||
            build_in(c, a->warm_store, false, err) < 0)
            return -1;
    }
    return 0;
}

static bool cancelled(const cmp *c, kd_error **err)
{
    if (c->o->cancel == NULL || !*c->o->cancel)
        return false;
    kd_err(err, 0, "cancelled");
    (*err)->status = 130;
    return true;
}

/* Without warm builds: one unmeasured cold build of the original first,
 * so that what only the first build of a process pays (libraries loaded
 * on first use, files read into the page cache) is not charged to it. */
static int warm_up(cmp *c, kd_error **err)
{
    c->mode = KD_MODE_COLD;
    c->run = 0;
    c->vi = 0;
    char *dir;
    if (cmp_store_new(c, c->o->cold_pull, &dir, err) < 0)
        return -1;
    int rc = build_in(c, dir, false, err);
    kd_remove_tree(dir, NULL);
    free(dir);
    return rc;
}

/* Round after round, each variant in turn, so that noise spreads evenly. */
static int build_all(cmp *c, kd_error **err)
{
    if (c->r->modes[KD_MODE_WARM] ? prepare_warm(c, err) < 0 : warm_up(c, err) < 0)
        return -1;
    for (c->run = 1; c->run <= c->r->runs; c->run++)
        for (int m = 0; m < KD_MODE_COUNT; m++) {
            if (!c->r->modes[m])
                continue;
            c->mode = (kd_mode)m;
            for (c->vi = 0; c->vi < c->r->nvariants; c->vi++) {
                if (cancelled(c, err))
                    return -1;
                if (c->acc[c->vi].failed)
                    continue;
                int rc = m == KD_MODE_COLD ? build_cold(c, err)
                                           : build_in(c, c->acc[c->vi].warm_store, true, err);
                if (rc < 0)
                    return -1;
            }
        }
    return 0;
}

/* ---- the whole ------------------------------------------------------------------------ */

static char *now_rfc3339(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return kd_xstrdup(buf);
}

static int check_opts(const kd_compare_opts *o, kd_error **err)
{
    int rc = 0;
    if (o->context == NULL)
        rc = kd_err(err, 0, "no build context given");
    else if (o->runs < 0 || o->runs > 100)
        rc = kd_err(err, 0, "--runs must be between 1 and 100, not %d", o->runs);
    else if (o->dockerfile && strcmp(o->dockerfile, "-") == 0)
        rc = kd_err(err, 0, "compare needs the Dockerfile in a file, not standard input");
    if (rc < 0)
        (*err)->status = 2;
    return rc;
}

static void init_report(const kd_compare_opts *o, kd_rep *r)
{
    memset(r, 0, sizeof *r);
    r->created = now_rfc3339();
    r->context = kd_xstrdup(o->context);
    r->dockerfile = o->dockerfile ? kd_xstrdup(o->dockerfile)
                                  : kd_asprintf("%s/Dockerfile", o->context);
    r->runs = o->runs ? o->runs : 3;
    r->cold_pull = o->cold_pull;
    bool any = false;
    for (int m = 0; m < KD_MODE_COUNT; m++)
        any |= r->modes[m] = o->modes[m];
    if (!any)
        r->modes[KD_MODE_COLD] = true;
}

static size_t count_builds(const kd_rep *r)
{
    size_t modes = r->modes[KD_MODE_COLD] + r->modes[KD_MODE_WARM];
    /* the warm stores' first builds, or the cold warm-up build */
    size_t first = r->modes[KD_MODE_WARM] ? r->nvariants : 1;
    return r->nvariants * (size_t)r->runs * modes + first;
}

/* The fixed Dockerfiles lived in the work dir, which goes: the report
 * must not name them (kdoctor lint --fix makes them again). */
static void forget_temp_files(cmp *c)
{
    size_t n = c->work ? strlen(c->work) : 0;
    for (size_t i = 0; n && i < c->r->nvariants; i++) {
        kd_rep_variant *v = &c->r->variants[i];
        if (v->dockerfile && strncmp(v->dockerfile, c->work, n) == 0 && v->dockerfile[n] == '/') {
            free(v->dockerfile);
            v->dockerfile = NULL;
        }
    }
}

int kd_compare(const kd_compare_opts *o, kd_rep *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    if (check_opts(o, err) < 0)
        return -1;
    init_report(o, out);
    cmp c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.r = out;
    pthread_mutex_init(&c.lock, NULL);
    int rc = cmp_stores_open(&c, err);
    if (rc == 0)
        rc = make_variants(&c, err);
    if (rc == 0) {
        c.acc = kd_xcalloc(out->nvariants, sizeof *c.acc);
        c.nbuilds = count_builds(out);
        rc = build_all(&c, err);
    }
    if (rc == 0)
        cmp_finish(&c);
    forget_temp_files(&c);
    cmp_acc_free(&c);
    cmp_stores_close(&c);
    pthread_mutex_destroy(&c.lock);
    return rc;
}

bool kd_report_any_failed(const kd_rep *r)
{
    for (size_t i = 0; i < r->nvariants; i++)
        if (r->variants[i].error)
            return true;
    return false;
}
