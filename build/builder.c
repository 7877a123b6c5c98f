/* kd_build(): set-up, the plan (which stages the target needs), the run of
 * those stages, the export, and the clean-up that leaves nothing behind.
 * Owner: build-exec. */
#include "build/builder_int.h"
#include "util/mem.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

/* ---- messages and progress ---- */

void bld_emit(kd_builder *b, const kd_event *ev)
{
    if (b->o->progress == NULL)
        return;
    pthread_mutex_lock(&b->lock);
    b->o->progress(b->o->progress_ctx, ev);
    pthread_mutex_unlock(&b->lock);
}

static void vmessage(kd_builder *b, kd_event_kind kind, const char *fmt, va_list ap)
{
    char *msg = kd_vasprintf(fmt, ap);
    kd_event ev = {.kind = kind, .text = msg};
    bld_emit(b, &ev);
    if (kind == KD_EV_WARN) {
        kd_build_result *r = b->res;
        r->warnings = kd_xrealloc(r->warnings, (r->nwarnings + 1) * sizeof *r->warnings);
        r->warnings[r->nwarnings++] = msg;
    } else {
        free(msg);
    }
}

void bld_info(kd_builder *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(b, KD_EV_INFO, fmt, ap);
    va_end(ap);
}

void bld_warn(kd_builder *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(b, KD_EV_WARN, fmt, ap);
    va_end(ap);
}

bool bld_cancelled(const kd_builder *b)
{
    return b->o->cancel && *b->o->cancel;
}

int bld_cancel_error(kd_error **err)
{
    kd_err(err, 0, "build cancelled");
    if (err && *err)
        (*err)->status = 130;
    return -1;
}

char *bld_where(const kd_builder *b, const df_instr *in)
{
    return kd_asprintf("%s:%u", b->dockerfile, in ? in->start_line : 0);
}

char *bld_instr_text(const df_instr *in)
{
    const char *s = in->logical ? in->logical : "";
    size_t n = in->logical_len;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    return kd_xmemdup0(s, n);
}

int bld_fail_at(const kd_builder *b, const df_instr *in, kd_error **err)
{
    if (err && *err) {
        char *where = bld_where(b, in);
        char *text = bld_instr_text(in);
        if (strlen(text) > 80)
            strcpy(text + 77, "...");
        kd_error_wrap(*err, "%s: %s", where, text);
        free(where);
        free(text);
    }
    return -1;
}

char *bld_rfc3339(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return kd_xstrdup(buf);
}

static void registry_log(void *ctx, const char *msg)
{
    bld_info(ctx, "%s", msg);
}

int bld_registry(kd_builder *b, kd_registry **out, kd_error **err)
{
    pthread_mutex_lock(&b->lock);
    int rc = 0;
    if (b->reg == NULL) {
        kd_registry_opts ro = {
            .insecure = b->o->insecure,
            .ninsecure = b->o->ninsecure,
            .mirrors = b->o->mirrors,
            .nmirrors = b->o->nmirrors,
            .log = registry_log,
            .log_ctx = b,
        };
        rc = kd_registry_new(&ro, &b->reg, err);
    }
    pthread_mutex_unlock(&b->lock);
    *out = b->reg;
    return rc;
}

/* ---- set-up ---- */

static int parse_build_args(kd_builder *b, kd_error **err)
{
    for (size_t i = 0; i < b->o->nbuild_args; i++) {
        const char *a = b->o->build_args[i];
        const char *eq = strchr(a, '=');
        if (eq == a || *a == '\0') {
            kd_err(err, 0, "--build-arg %s: a name is needed (K=V)", a);
            (*err)->status = 2;
            return -1;
        }
        if (eq) {
            df_vars_setn(&b->build_args, a, (size_t)(eq - a), eq + 1, strlen(eq + 1));
        } else if (getenv(a)) {
            /* Docker: --build-arg K takes K from the environment when set */
            df_vars_set(&b->build_args, a, getenv(a));
        }
    }
    return 0;
}

static int setup_platform(kd_builder *b, kd_error **err)
{
    if (b->o->platform) {
        if (kd_platform_parse(b->o->platform, &b->platform, err) < 0) {
            if (err && *err)
                (*err)->status = 2;
            return -1;
        }
    } else {
        kd_platform_host(&b->platform);
    }
    b->platform_str = kd_platform_string(&b->platform);
    df_auto_args(&b->auto_args, b->platform_str, NULL);
    return 0;
}

static int setup_dockerfile(kd_builder *b, kd_error **err)
{
    const kd_build_opts *o = b->o;
    b->context = realpath(o->context, NULL);
    struct stat st;
    if (b->context == NULL || stat(b->context, &st) < 0 || !S_ISDIR(st.st_mode)) {
        kd_err(err, b->context ? ENOTDIR : errno, "build context %s", o->context);
        (*err)->status = 2;
        return -1;
    }
    b->dockerfile = o->dockerfile ? kd_xstrdup(o->dockerfile)
                                  : kd_asprintf("%s/Dockerfile", o->context);
    if (df_parse_file(b->dockerfile, &b->f, err) < 0)
        return -1;
    if (b->f->ninstrs == 0) {
        kd_err(err, 0, "%s: the Dockerfile is empty", b->dockerfile);
        (*err)->status = 2;
        return -1;
    }
    return df_stages_find(b->f, &b->stages, err);
}

static int setup_store(kd_builder *b, kd_error **err)
{
    if (kd_store_open(b->o->cache_dir, KD_STORE_SHARED, &b->store, err) < 0)
        return -1;
    if (bld_mktemp_dir(b->store, "empty-", &b->empty_dir, err) < 0)
        return -1;
    return kd_ignore_load(b->context, &b->ignore, err);
}

static void setup_timings(kd_builder *b)
{
    kd_timings *t = b->t;
    t->variant = kd_xstrdup(b->o->variant ? b->o->variant : b->dockerfile);
    t->dockerfile = kd_xstrdup(b->dockerfile);
    t->context = kd_xstrdup(b->o->context);
    t->target = b->o->target ? kd_xstrdup(b->o->target) : NULL;
    t->platform = kd_xstrdup(b->platform_str);
    t->started = bld_rfc3339((int64_t)time(NULL));
}

/* SOURCE_DATE_EPOCH from the caller (the environment), else from a
 * --build-arg, as BuildKit takes it. */
static int setup_epoch(kd_builder *b, kd_error **err)
{
    b->epoch = b->o->source_date_epoch;
    const char *v = df_vars_get(&b->build_args, "SOURCE_DATE_EPOCH", 17);
    if (b->epoch < 0 && v && *v) {
        char *end;
        long long n = strtoll(v, &end, 10);
        if (*end || n < 0) {
            kd_err(err, 0, "SOURCE_DATE_EPOCH must be a number of seconds, not \"%s\"", v);
            (*err)->status = 2;
            return -1;
        }
        b->epoch = n;
    }
    if (b->epoch < 0 && b->o->reproducible)
        b->epoch = 0;
    b->now = (int64_t)time(NULL);
    if (b->epoch >= 0 && b->epoch < b->now)
        b->now = b->epoch;
    return 0;
}

static int setup(kd_builder *b, kd_error **err)
{
    if (parse_build_args(b, err) < 0 || setup_epoch(b, err) < 0 || setup_platform(b, err) < 0 ||
        setup_dockerfile(b, err) < 0)
        return -1;
    setup_timings(b);
    if (bld_cache_repo_setup(b, err) < 0)
        return -1;
    return setup_store(b, err);
}

/* ---- the plan ---- */

/* The global ARGs applied to a fresh scope: every stage starts from them. */
int bld_global_scope(kd_builder *b, df_scope *s, kd_error **err)
{
    df_scope_init(s, b->f, &b->build_args, &b->auto_args);
    for (size_t i = 0; i < b->stages.nglobal; i++)
        if (df_scope_apply(s, &b->f->instrs[i], err) < 0)
            return -1;
    return 0;
}

bld_stage *bld_stage_ref(kd_builder *b, const char *name, size_t before)
{
    ssize_t j = df_stages_lookup(&b->stages, name, before);
    return j >= 0 ? &b->st[j] : NULL;
}

/* The --from of COPY/ADD, or from= of RUN --mount, or NULL. */
static const char *instr_from(const df_instr *in, char **owned)
{
    *owned = NULL;
    if (in->kind == DF_COPY || in->kind == DF_ADD) {
        const df_flag *fl = df_instr_flag(in, "from");
        return fl ? fl->value : NULL;
    }
    if (in->kind != DF_RUN)
        return NULL;
    for (size_t i = 0; i < in->nflags; i++) {
        const char *v = in->flags[i].value;
        if (strcmp(in->flags[i].name, "mount") != 0 || v == NULL)
            continue;
        for (const char *p = v; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
            if (strncmp(p, "from=", 5) == 0) {
                size_t n = strcspn(p + 5, ",");
                *owned = kd_xstrndup(p + 5, n);
                return *owned;
            }
        }
    }
    return NULL;
}

static void mark_needed(kd_builder *b, size_t i);

static void mark_deps(kd_builder *b, size_t i)
{
    const df_stage *ds = &b->stages.v[i];
    for (size_t k = ds->from + 1; k < ds->end; k++) {
        char *owned;
        const char *from = instr_from(&b->f->instrs[k], &owned);
        bld_stage *dep = from ? bld_stage_ref(b, from, i) : NULL;
        if (dep)
            mark_needed(b, dep->index);
        free(owned);
    }
}

static void mark_needed(kd_builder *b, size_t i)
{
    bld_stage *s = &b->st[i];
    if (s->needed)
        return;
    s->needed = true;
    kd_error *e = NULL;
    df_scope g;
    if (bld_global_scope(b, &g, &e) == 0) {
        char *base = df_scope_word(&g, &b->f->instrs[s->df->from], s->df->image, &e);
        bld_stage *dep = base ? bld_stage_ref(b, base, i) : NULL;
        if (dep)
            mark_needed(b, dep->index);
        free(base);
    }
    df_scope_free(&g);
    kd_error_free(e); /* reported when the stage runs */
    mark_deps(b, i);
}

static int plan(kd_builder *b, kd_error **err)
{
    b->st = kd_xcalloc(b->stages.n, sizeof *b->st);
    for (size_t i = 0; i < b->stages.n; i++) {
        b->st[i].index = i;
        b->st[i].df = &b->stages.v[i];
        bld_image_init(&b->st[i].img);
    }
    b->target = b->stages.n - 1;
    if (b->o->target) {
        bld_stage *t = bld_stage_ref(b, b->o->target, b->stages.n);
        if (t == NULL) {
            kd_err(err, 0, "target stage \"%s\" could not be found", b->o->target);
            (*err)->status = 2;
            return -1;
        }
        b->target = t->index;
    }
    mark_needed(b, b->target);
    for (size_t i = 0; i < b->stages.n; i++) {
        if (!b->st[i].needed)
            continue;
        b->st[i].timing = b->t->nstages;
        kd_timings_add_stage(b->t, i, b->st[i].df->name);
    }
    return 0;
}

/* ---- the run ---- */

/* Proxy variables are predefined ARGs: never reported as unused. */
static bool predefined_arg(const char *k)
{
    static const char *const names[] = {"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY",
                                        "ALL_PROXY", "SOURCE_DATE_EPOCH"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(k, names[i]) == 0)
            return true;
    return false;
}

static void warn_unused_args(kd_builder *b)
{
    df_scope g;
    kd_error *e = NULL;
    bld_global_scope(b, &g, &e);
    kd_error_free(e);
    char *list = NULL;
    for (size_t i = 0; i < b->build_args.n; i++) {
        const char *k = b->build_args.keys[i];
        bool used = predefined_arg(k) || df_vars_get(&g.used_build_args, k, strlen(k));
        for (size_t j = 0; j < b->stages.n && !used; j++)
            used = b->st[j].done && df_vars_get(&b->st[j].scope.used_build_args, k, strlen(k));
        if (used)
            continue;
        char *l = kd_asprintf("%s%s%s", list ? list : "", list ? " " : "", k);
        free(list);
        list = l;
    }
    df_scope_free(&g);
    if (list)
        bld_warn(b, "one or more build args were not consumed: [%s]", list);
    free(list);
}

static int run_stages(kd_builder *b, kd_error **err)
{
    for (size_t i = 0; i < b->stages.n; i++) {
        bld_stage *s = &b->st[i];
        if (!s->needed)
            continue;
        if (bld_cancelled(b))
            return bld_cancel_error(err);
        if (bld_run_stage(b, s, err) < 0)
            return -1;
        s->done = true;
    }
    warn_unused_args(b);
    return 0;
}

/* ---- result and clean-up ---- */

static void finish_timings(kd_builder *b, int rc, const kd_error *e)
{
    kd_timings *t = b->t;
    t->total_ms = kd_now_ms() - b->t0;
    const char *status = rc == 0 ? "ok" : e && e->status == 130 ? "cancelled" : "failed";
    free(t->status);
    t->status = kd_xstrdup(status);
    if (rc < 0 && e)
        t->error = kd_xstrdup(e->msg);
}

static void cleanup(kd_builder *b)
{
    for (size_t i = 0; b->st && i < b->stages.n; i++) {
        bld_image_free(&b->st[i].img);
        if (b->st[i].scope.f)
            df_scope_free(&b->st[i].scope);
        for (size_t k = 0; k < b->st[i].nrun_args; k++)
            free(b->st[i].run_args[k]);
        free(b->st[i].run_args);
        free(b->st[i].root); /* the tree itself goes with the store's tmp session */
    }
    free(b->st);
    for (size_t i = 0; i < b->next; i++) {
        free(b->ext[i].name);
        bld_image_free(&b->ext[i].img);
    }
    free(b->ext);
    kd_ignore_free(b->ignore);
    kd_ctx_free(&b->ctx);
    bld_cache_repo_free(b);
    bld_lazy_free(b);
    kd_registry_free(b->reg);
    free(b->empty_dir);
    kd_store_close(b->store); /* removes the tmp session: every temp file of the build */
    df_stages_free(&b->stages);
    df_file_free(b->f);
    df_vars_free(&b->build_args);
    df_vars_free(&b->auto_args);
    kd_platform_free(&b->platform);
    free(b->platform_str);
    free(b->context);
    free(b->dockerfile);
    pthread_mutex_destroy(&b->lock);
}

void bld_init(kd_builder *b, const kd_build_opts *o, kd_build_result *res)
{
    memset(res, 0, sizeof *res);
    kd_timings_init(&res->timings);
    memset(b, 0, sizeof *b);
    b->o = o;
    b->res = res;
    b->t = &res->timings;
    b->t0 = kd_now_ms();
    b->epoch = -1;
    pthread_mutex_init(&b->lock, NULL);
}

int kd_build(const kd_build_opts *o, kd_build_result *res, kd_error **err)
{
    kd_builder b;
    bld_init(&b, o, res);
    kd_error *e = NULL;
    int rc = setup(&b, &e);
    if (rc == 0)
        rc = plan(&b, &e);
    if (rc == 0)
        rc = run_stages(&b, &e);
    if (b.store) /* also after a failed step: what ran is worth sharing */
        bld_cache_push(&b);
    if (rc == 0)
        rc = bld_export(&b, &b.st[b.target].img, &e);
    if (rc < 0 && e == NULL)
        kd_err(&e, 0, "build failed");
    finish_timings(&b, rc, e);
    cleanup(&b);
    if (rc < 0) {
        if (err && *err == NULL)
            *err = e;
        else
            kd_error_free(e);
    }
    return rc;
}

void kd_build_result_free(kd_build_result *res)
{
    kd_timings_free(&res->timings);
    for (size_t i = 0; i < res->nwarnings; i++)
        free(res->warnings[i]);
    free(res->warnings);
    memset(res, 0, sizeof *res);
}
