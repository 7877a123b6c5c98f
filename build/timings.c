/* The timings model and its JSON form (docs/timings.md). Owner: build-exec. */
#include "build/timings.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const phase_names[KD_PH_COUNT] = {
    [KD_PH_RESOLVE] = "resolve",   [KD_PH_PULL] = "pull",   [KD_PH_UNPACK] = "unpack",
    [KD_PH_RUN] = "run",           [KD_PH_SNAPSHOT] = "snapshot",
    [KD_PH_COMPRESS] = "compress", [KD_PH_WRITE] = "write", [KD_PH_PUSH] = "push",
};

const char *kd_phase_name(kd_phase p)
{
    return p < KD_PH_COUNT ? phase_names[p] : "";
}

double kd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void kd_timings_init(kd_timings *t)
{
    memset(t, 0, sizeof *t);
    kd_step_timing_init(&t->export);
}

void kd_step_timing_init(kd_step_timing *s)
{
    memset(s, 0, sizeof *s);
    s->exit_code = -1;
}

void kd_step_timing_free(kd_step_timing *s)
{
    free(s->instruction);
    free(s->text);
    free(s->status);
    kd_step_timing_init(s);
}

void kd_timings_free(kd_timings *t)
{
    for (size_t i = 0; i < t->nstages; i++) {
        kd_stage_timing *st = &t->stages[i];
        for (size_t j = 0; j < st->nsteps; j++)
            kd_step_timing_free(&st->steps[j]);
        free(st->steps);
        free(st->name);
        free(st->base);
    }
    free(t->stages);
    kd_step_timing_free(&t->export);
    for (size_t i = 0; i < t->noutputs; i++)
        free(t->outputs[i]);
    free(t->outputs);
    free(t->variant);
    free(t->dockerfile);
    free(t->context);
    free(t->target);
    free(t->platform);
    free(t->started);
    free(t->status);
    free(t->error);
    kd_timings_init(t);
}

kd_stage_timing *kd_timings_add_stage(kd_timings *t, size_t index, const char *name)
{
    KD_GROW(t->stages, t->cap, t->nstages + 1);
    kd_stage_timing *st = &t->stages[t->nstages++];
    memset(st, 0, sizeof *st);
    st->index = index;
    st->name = name ? kd_xstrdup(name) : NULL;
    return st;
}

kd_step_timing *kd_timings_add_step(kd_stage_timing *st, const char *instruction,
                                    const char *text, uint32_t line_start, uint32_t line_end)
{
    KD_GROW(st->steps, st->cap, st->nsteps + 1);
    kd_step_timing *s = &st->steps[st->nsteps++];
    kd_step_timing_init(s);
    s->instruction = kd_xstrdup(instruction);
    s->text = kd_xstrdup(text ? text : "");
    s->line_start = line_start;
    s->line_end = line_end;
    return s;
}

void kd_phase_add(kd_step_timing *s, kd_phase p, double ms, uint64_t bytes)
{
    if (p >= KD_PH_COUNT)
        return;
    s->phases[p].used = true;
    s->phases[p].ms += ms > 0 ? ms : 0;
    s->phases[p].bytes += bytes;
}

void kd_timings_add_output(kd_timings *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    t->outputs = kd_xrealloc(t->outputs, (t->noutputs + 1) * sizeof *t->outputs);
    t->outputs[t->noutputs++] = kd_vasprintf(fmt, ap);
    va_end(ap);
}

/* ---- JSON ---- */

/* Milliseconds with microsecond precision: enough, and short to print. */
static void add_ms(cJSON *o, const char *key, double ms)
{
    cJSON_AddNumberToObject(o, key, (double)(int64_t)(ms * 1000.0 + 0.5) / 1000.0);
}

static void add_str_or_null(cJSON *o, const char *key, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *phases_json(const kd_step_timing *s)
{
    cJSON *o = cJSON_CreateObject();
    for (int p = 0; p < KD_PH_COUNT; p++) {
        if (!s->phases[p].used)
            continue;
        cJSON *ph = cJSON_AddObjectToObject(o, phase_names[p]);
        add_ms(ph, "ms", s->phases[p].ms);
        cJSON_AddNumberToObject(ph, "bytes", (double)s->phases[p].bytes);
    }
    return o;
}

static cJSON *step_json(const kd_step_timing *s, size_t index)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", (double)index);
    cJSON_AddStringToObject(o, "instruction", s->instruction ? s->instruction : "");
    cJSON_AddStringToObject(o, "text", s->text ? s->text : "");
    cJSON *lines = cJSON_AddArrayToObject(o, "lines");
    cJSON_AddItemToArray(lines, cJSON_CreateNumber(s->line_start));
    cJSON_AddItemToArray(lines, cJSON_CreateNumber(s->line_end));
    cJSON_AddBoolToObject(o, "onbuild", s->onbuild);
    add_str_or_null(o, "status", s->status);
    add_ms(o, "start_ms", s->start_ms);
    add_ms(o, "total_ms", s->total_ms);
    cJSON_AddItemToObject(o, "phases", phases_json(s));
    if (s->layer) {
        cJSON *l = cJSON_AddObjectToObject(o, "layer");
        cJSON_AddStringToObject(l, "digest", s->digest);
        cJSON_AddStringToObject(l, "diff_id", s->diff_id);
        cJSON_AddNumberToObject(l, "size", (double)s->size);
        cJSON_AddNumberToObject(l, "uncompressed_size", (double)s->tar_size);
        cJSON_AddNumberToObject(l, "files", (double)s->files);
    } else {
        cJSON_AddNullToObject(o, "layer");
    }
    cJSON_AddBoolToObject(o, "empty_layer", s->empty_layer);
    cJSON_AddBoolToObject(o, "cache_hit", s->cache_hit);
    if (s->exit_code >= 0)
        cJSON_AddNumberToObject(o, "exit_code", s->exit_code);
    else
        cJSON_AddNullToObject(o, "exit_code");
    return o;
}

static cJSON *stage_json(const kd_stage_timing *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", (double)st->index);
    add_str_or_null(o, "name", st->name);
    add_str_or_null(o, "base", st->base);
    add_str_or_null(o, "base_digest", st->base_digest[0] ? st->base_digest : NULL);
    add_ms(o, "start_ms", st->start_ms);
    add_ms(o, "total_ms", st->total_ms);
    cJSON *steps = cJSON_AddArrayToObject(o, "steps");
    for (size_t i = 0; i < st->nsteps; i++)
        cJSON_AddItemToArray(steps, step_json(&st->steps[i], i));
    return o;
}

static cJSON *image_json(const kd_timings *t)
{
    if (!t->digest[0])
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "digest", t->digest);
    cJSON_AddStringToObject(o, "config_digest", t->config_digest);
    cJSON_AddNumberToObject(o, "layers", (double)t->layers);
    cJSON_AddNumberToObject(o, "size", (double)t->size);
    cJSON_AddNumberToObject(o, "uncompressed_size", (double)t->tar_size);
    return o;
}

static cJSON *build_json(const kd_timings *t)
{
    cJSON *b = cJSON_CreateObject();
    add_str_or_null(b, "variant", t->variant);
    add_str_or_null(b, "dockerfile", t->dockerfile);
    add_str_or_null(b, "context", t->context);
    add_str_or_null(b, "target", t->target);
    add_str_or_null(b, "platform", t->platform);
    add_str_or_null(b, "started", t->started);
    add_str_or_null(b, "status", t->status);
    add_str_or_null(b, "error", t->error);
    add_ms(b, "total_ms", t->total_ms);
    cJSON *totals = cJSON_AddObjectToObject(b, "phase_totals");
    double sum[KD_PH_COUNT] = {0};
    uint64_t bytes[KD_PH_COUNT] = {0};
    for (size_t i = 0; i < t->nstages; i++)
        for (size_t j = 0; j < t->stages[i].nsteps; j++)
            for (int p = 0; p < KD_PH_COUNT; p++)
                sum[p] += t->stages[i].steps[j].phases[p].ms,
                    bytes[p] += t->stages[i].steps[j].phases[p].bytes;
    for (int p = 0; p < KD_PH_COUNT; p++) {
        cJSON *ph = cJSON_AddObjectToObject(totals, phase_names[p]);
        add_ms(ph, "ms", sum[p] + t->export.phases[p].ms);
        cJSON_AddNumberToObject(ph, "bytes", (double)(bytes[p] + t->export.phases[p].bytes));
    }
    cJSON_AddItemToObject(b, "image", image_json(t));
    cJSON *outs = cJSON_AddArrayToObject(b, "outputs");
    for (size_t i = 0; i < t->noutputs; i++)
        cJSON_AddItemToArray(outs, cJSON_CreateString(t->outputs[i]));
    cJSON *stages = cJSON_AddArrayToObject(b, "stages");
    for (size_t i = 0; i < t->nstages; i++)
        cJSON_AddItemToArray(stages, stage_json(&t->stages[i]));
    cJSON_AddItemToObject(b, "export", step_json(&t->export, 0));
    return b;
}

char *kd_timings_to_json(const kd_timings *t)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", KD_TIMINGS_SCHEMA);
    cJSON *builds = cJSON_AddArrayToObject(root, "builds");
    cJSON_AddItemToArray(builds, build_json(t));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char *out = kd_asprintf("%s\n", text);
    cJSON_free(text);
    return out;
}

int kd_timings_write(const kd_timings *t, const char *path, kd_error **err)
{
    char *json = kd_timings_to_json(t);
    char *tmp = kd_asprintf("%s.tmp.%d", path, (int)getpid());
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        kd_err(err, errno, "cannot write %s", path);
        goto out;
    }
    size_t len = strlen(json), off = 0;
    while (off < len) {
        ssize_t n = write(fd, json + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    if (close(fd) < 0 || off < len || rename(tmp, path) < 0) {
        kd_err(err, errno, "cannot write %s", path);
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    free(json);
    return rc;
}
