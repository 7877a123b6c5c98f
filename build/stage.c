/* One stage: its FROM (base image, ONBUILD triggers, scope), then each
 * instruction as a step with its timing and progress events.
 * Owner: build-exec. */
#include "build/builder_int.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static kd_stage_timing *stage_timing(kd_builder *b, bld_stage *s)
{
    return &b->t->stages[s->timing];
}

static void step_begin(bld_step *st, const df_instr *in, bool onbuild)
{
    kd_builder *b = st->b;
    char *text = bld_instr_text(in);
    const char *kind = in->kind == DF_UNKNOWN ? in->keyword : df_kind_name(in->kind);
    st->t = kd_timings_add_step(stage_timing(b, st->s), kind, text,
                                onbuild ? 0 : in->start_line, onbuild ? 0 : in->end_line);
    st->t->onbuild = onbuild;
    st->start = kd_now_ms();
    st->t->start_ms = st->start - b->t0;
    st->s->step++;
    kd_event ev = {.kind = KD_EV_STEP_START,
                   .stage = st->s->index,
                   .stage_name = st->s->df->name,
                   .step = st->s->step,
                   .nsteps = st->s->nsteps,
                   .text = st->t->text};
    bld_emit(b, &ev);
    free(text);
}

static void step_end(bld_step *st, int rc, const kd_error *e)
{
    kd_step_timing *t = st->t;
    t->total_ms = kd_now_ms() - st->start;
    free(t->status);
    t->status = kd_xstrdup(rc == 0 ? "done" : e && e->status == 130 ? "cancelled" : "failed");
    kd_event ev = {.kind = KD_EV_STEP_DONE,
                   .stage = st->s->index,
                   .stage_name = st->s->df->name,
                   .step = st->s->step,
                   .nsteps = st->s->nsteps,
                   .text = t->text,
                   .timing = t};
    bld_emit(st->b, &ev);
    free(st->created_by);
    st->created_by = NULL;
    kd_sha256_free(st->key_h); /* a step that failed before its lookup */
    st->key_h = NULL;
}

static int dispatch(bld_step *st, kd_error **err)
{
    switch (st->in->kind) {
    case DF_RUN:
        return bld_instr_run(st, err);
    case DF_COPY:
    case DF_ADD:
        return bld_instr_copy(st, err);
    case DF_WORKDIR:
        return bld_instr_workdir(st, err);
    case DF_FROM:
        return kd_err(err, 0, "FROM is not allowed here");
    case DF_UNKNOWN:
        return kd_err(err, 0, "unknown instruction: %s", st->in->keyword);
    default:
        return bld_instr_meta(st, err);
    }
}

/* Runs one instruction; at names the place for errors (the FROM line for a
 * base image's ONBUILD trigger). */
static int run_step(kd_builder *b, bld_stage *s, const df_instr *in, const df_instr *at,
                    bool onbuild, kd_error **err)
{
    if (bld_cancelled(b))
        return bld_cancel_error(err);
    bld_step st = {.b = b, .s = s, .in = in};
    step_begin(&st, in, onbuild);
    kd_error *e = NULL;
    int rc = dispatch(&st, &e);
    if (rc < 0 && e == NULL)
        kd_err(&e, 0, "failed");
    if (rc < 0 && e->status != 130)
        bld_fail_at(b, at, &e);
    step_end(&st, rc, e);
    if (rc < 0)
        *err = e;
    return rc;
}

/* ---- FROM ---- */

static int from_stage_or_image(kd_builder *b, bld_stage *s, const char *base, bld_step *st,
                               kd_error **err)
{
    kd_stage_timing *tm = stage_timing(b, s);
    bld_stage *dep = bld_stage_ref(b, base, s->index);
    if (dep) {
        if (!dep->done)
            return kd_err(err, 0, "stage \"%s\" has not been built", base);
        bld_image_copy(&s->img, &dep->img);
        tm->base = kd_asprintf("stage %s", dep->df->name ? dep->df->name : base);
        return 0;
    }
    const df_flag *pf = s->df->platform;
    char *platform = NULL;
    if (pf && pf->value) {
        df_word w = {.text = pf->value, .len = strlen(pf->value), .span = pf->span};
        platform = df_scope_word(&s->scope, st->in, &w, err);
        if (platform == NULL)
            return -1;
    }
    int rc = bld_resolve_image(b, base, platform, &s->img, st->t, err);
    free(platform);
    if (rc < 0)
        return -1;
    tm->base = kd_xstrdup(s->img.name ? s->img.name : base);
    snprintf(tm->base_digest, sizeof tm->base_digest, "%s", s->img.manifest_digest);
    return 0;
}

/* What every stage's image starts with: BuildKit drops the base's created
 * time and makes sure PATH is set. */
static void prepare_config(bld_stage *s)
{
    kd_image_config *c = &s->img.config;
    free(c->created);
    c->created = NULL;
    if (bld_env_get(&c->config.env, "PATH") == NULL)
        bld_env_set(&c->config.env, "PATH", DEFAULT_PATH);
    if (c->rootfs_type == NULL)
        c->rootfs_type = kd_xstrdup("layers");
    c->diff_ids.set = true;
}

static void enter_scope(bld_stage *s)
{
    df_vars env = DF_VARS_INIT;
    const kd_strv *e = &s->img.config.config.env;
    for (size_t i = 0; i < e->n; i++) {
        const char *eq = strchr(e->v[i], '=');
        size_t kl = eq ? (size_t)(eq - e->v[i]) : strlen(e->v[i]);
        df_vars_setn(&env, e->v[i], kl, eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0);
    }
    df_scope_enter_stage(&s->scope, &env);
    df_vars_free(&env);
}

static int run_from(kd_builder *b, bld_stage *s, kd_error **err)
{
    const df_instr *in = &b->f->instrs[s->df->from];
    bld_step st = {.b = b, .s = s, .in = in};
    step_begin(&st, in, false);
    kd_error *e = NULL;
    int rc = -1;
    char *base = df_scope_word(&s->scope, in, s->df->image, &e);
    if (base && base[0] == '\0')
        kd_err(&e, 0, "base name (%s) should not be blank", s->df->image->text);
    else if (base)
        rc = from_stage_or_image(b, s, base, &st, &e);
    free(base);
    if (rc < 0 && e && e->status != 130)
        bld_fail_at(b, in, &e);
    step_end(&st, rc, e);
    if (rc < 0) {
        *err = e;
        return -1;
    }
    prepare_config(s);
    enter_scope(s);
    return 0;
}

/* ---- ONBUILD triggers of the base ---- */

static int check_trigger(const df_instr *in, kd_error **err)
{
    if (in->kind == DF_ONBUILD || in->kind == DF_FROM || in->kind == DF_MAINTAINER)
        return kd_err(err, 0, "%s isn't allowed as an ONBUILD trigger", in->keyword);
    return 0;
}

static int run_triggers(kd_builder *b, bld_stage *s, const kd_strv *triggers, kd_error **err)
{
    const df_instr *at = &b->f->instrs[s->df->from];
    for (size_t i = 0; i < triggers->n; i++) {
        df_file *tf = NULL;
        const char *text = triggers->v[i];
        if (df_parse("ONBUILD", text, strlen(text), &tf, err) < 0)
            return bld_fail_at(b, at, err);
        int rc = 0;
        if (tf->ninstrs != 1)
            rc = kd_err(err, 0, "onbuild trigger should be a single expression");
        if (rc == 0)
            rc = check_trigger(&tf->instrs[0], err);
        if (rc < 0)
            bld_fail_at(b, at, err);
        else
            rc = run_step(b, s, &tf->instrs[0], at, true, err);
        df_file_free(tf);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int bld_run_stage(kd_builder *b, bld_stage *s, kd_error **err)
{
    kd_stage_timing *tm = stage_timing(b, s);
    double t0 = kd_now_ms();
    tm->start_ms = t0 - b->t0;
    if (bld_global_scope(b, &s->scope, err) < 0)
        return -1;
    s->nsteps = s->df->end - s->df->from;
    if (run_from(b, s, err) < 0)
        return -1;
    kd_strv triggers;
    kd_strv_copy(&triggers, &s->img.config.config.on_build);
    kd_strv_free(&s->img.config.config.on_build); /* triggers do not carry over */
    s->nsteps += triggers.n;
    int rc = run_triggers(b, s, &triggers, err);
    kd_strv_free(&triggers);
    for (size_t i = s->df->from + 1; rc == 0 && i < s->df->end; i++)
        rc = run_step(b, s, &b->f->instrs[i], &b->f->instrs[i], false, err);
    stage_timing(b, s)->total_ms = kd_now_ms() - t0;
    return rc;
}
