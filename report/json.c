/* The compare report as JSON (schema kdoctor.compare/1, docs/compare.md),
 * both ways, with cJSON. Readers ignore fields they do not know. */
#include "report/report.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- numeric fields ----------------------------------------------------- */

/* A number of one of the report's structs and its JSON key: each table
 * below serves both the writer and the reader, in the order the keys are
 * written, so that the two cannot drift apart. */
typedef enum { NUM_U64, NUM_SIZE, NUM_DOUBLE } num_type;
typedef struct num_field {
    const char *key;
    size_t off;
    num_type type;
} num_field;

#define NFIELDS(t) (sizeof(t) / sizeof *(t))

static const num_field stat_fields[] = {
    {"runs", offsetof(kd_stat, n), NUM_SIZE},
    {"median_ms", offsetof(kd_stat, median), NUM_DOUBLE},
    {"min_ms", offsetof(kd_stat, min), NUM_DOUBLE},
    {"max_ms", offsetof(kd_stat, max), NUM_DOUBLE},
};
/* a file of "largest", after its "path" */
static const num_field file_fields[] = {
    {"size", offsetof(kd_eff_file, size), NUM_U64},
    {"layer", offsetof(kd_eff_file, layer), NUM_SIZE},
};
static const num_field eff_fields[] = {
    {"score", offsetof(kd_efficiency, score), NUM_DOUBLE},
    {"stored_bytes", offsetof(kd_efficiency, stored_bytes), NUM_U64},
    {"final_bytes", offsetof(kd_efficiency, final_bytes), NUM_U64},
    {"final_files", offsetof(kd_efficiency, final_files), NUM_U64},
    {"wasted_bytes", offsetof(kd_efficiency, wasted_bytes), NUM_U64},
    {"cache_bytes", offsetof(kd_efficiency, cache_bytes), NUM_U64},
};
static const num_field eff_layer_fields[] = {
    {"added", offsetof(kd_eff_layer, added), NUM_U64},
    {"changed", offsetof(kd_eff_layer, changed), NUM_U64},
    {"removed", offsetof(kd_eff_layer, removed), NUM_U64},
    {"bytes", offsetof(kd_eff_layer, bytes), NUM_U64},
    {"hidden_bytes", offsetof(kd_eff_layer, hidden_bytes), NUM_U64},
    {"cache_bytes", offsetof(kd_eff_layer, cache_bytes), NUM_U64},
};
/* a package cache, after its "folder" */
static const num_field cache_fields[] = {
    {"bytes", offsetof(kd_eff_cache, bytes), NUM_U64},
    {"files", offsetof(kd_eff_cache, files), NUM_U64},
};
static const num_field step_row_fields[] = {
    {"stage", offsetof(kd_rep_step, stage), NUM_SIZE},
    {"row", offsetof(kd_rep_step, row), NUM_SIZE},
    {"row_span", offsetof(kd_rep_step, row_span), NUM_SIZE},
};
/* the step's "layer" object */
static const num_field step_layer_fields[] = {
    {"size", offsetof(kd_rep_step, size), NUM_U64},
    {"uncompressed_size", offsetof(kd_rep_step, tar_size), NUM_U64},
    {"files", offsetof(kd_rep_step, files), NUM_U64},
    {"added", offsetof(kd_rep_step, added), NUM_U64},
    {"changed", offsetof(kd_rep_step, changed), NUM_U64},
    {"removed", offsetof(kd_rep_step, removed), NUM_U64},
    {"hidden_bytes", offsetof(kd_rep_step, hidden_bytes), NUM_U64},
};
/* the variant's "image" object */
static const num_field image_fields[] = {
    {"layers", offsetof(kd_rep_variant, layers), NUM_SIZE},
    {"size", offsetof(kd_rep_variant, size), NUM_U64},
    {"uncompressed_size", offsetof(kd_rep_variant, tar_size), NUM_U64},
};

/* Adds the fields of the struct at base to o. */
static void put_nums(cJSON *o, const void *base, const num_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = (const char *)base + f[i].off;
        double v = f[i].type == NUM_U64    ? (double)*(const uint64_t *)p
                   : f[i].type == NUM_SIZE ? (double)*(const size_t *)p
                                           : *(const double *)p;
        cJSON_AddNumberToObject(o, f[i].key, v);
    }
}

static void add_str_or_null(cJSON *o, const char *key, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

/* ---- writing ------------------------------------------------------------ */

static cJSON *stat_json(const kd_stat *s)
{
    cJSON *o = cJSON_CreateObject();
    put_nums(o, s, stat_fields, NFIELDS(stat_fields));
    return o;
}

static void add_by_mode(cJSON *o, const char *key, const kd_stat *s /* [KD_MODE_COUNT] */)
{
    cJSON *m = cJSON_AddObjectToObject(o, key);
    for (int k = 0; k < KD_MODE_COUNT; k++)
        if (s[k].n)
            cJSON_AddItemToObject(m, kd_mode_name((kd_mode)k), stat_json(&s[k]));
}

static void add_phases(cJSON *o, kd_stat ph[KD_MODE_COUNT][KD_REP_PHASES])
{
    cJSON *m = cJSON_AddObjectToObject(o, "phases");
    for (int k = 0; k < KD_MODE_COUNT; k++) {
        cJSON *pm = NULL;
        for (int p = 0; p < KD_REP_PHASES; p++) {
            if (ph[k][p].n == 0)
                continue;
            if (pm == NULL)
                pm = cJSON_AddObjectToObject(m, kd_mode_name((kd_mode)k));
            cJSON_AddItemToObject(pm, kd_rep_phase_names[p], stat_json(&ph[k][p]));
        }
    }
}

static cJSON *files_json(const kd_eff_file *f, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", f[i].path);
        put_nums(o, &f[i], file_fields, NFIELDS(file_fields));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *efficiency_json(const kd_rep_variant *v)
{
    const kd_efficiency *e = &v->eff;
    cJSON *o = cJSON_CreateObject();
    put_nums(o, e, eff_fields, NFIELDS(eff_fields));
    cJSON_AddNumberToObject(o, "base_layers", (double)v->base_layers);
    cJSON *ls = cJSON_AddArrayToObject(o, "layers");
    for (size_t i = 0; i < e->nlayers; i++) {
        cJSON *j = cJSON_CreateObject();
        put_nums(j, &e->layers[i], eff_layer_fields, NFIELDS(eff_layer_fields));
        cJSON_AddItemToArray(ls, j);
    }
    cJSON_AddItemToObject(o, "largest", files_json(e->largest, e->nlargest));
    cJSON *cs = cJSON_AddArrayToObject(o, "caches");
    for (size_t i = 0; i < e->ncaches; i++) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "folder", e->caches[i].folder);
        put_nums(j, &e->caches[i], cache_fields, NFIELDS(cache_fields));
        cJSON_AddItemToArray(cs, j);
    }
    return o;
}

static cJSON *step_json(const kd_rep_step *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "instruction", s->instruction);
    cJSON_AddStringToObject(o, "text", s->text);
    cJSON *lines = cJSON_AddArrayToObject(o, "lines");
    cJSON_AddItemToArray(lines, cJSON_CreateNumber(s->line_start));
    cJSON_AddItemToArray(lines, cJSON_CreateNumber(s->line_end));
    put_nums(o, s, step_row_fields, NFIELDS(step_row_fields));
    add_by_mode(o, "total", s->total);
    add_phases(o, (kd_stat(*)[KD_REP_PHASES])s->phase);
    cJSON *pb = cJSON_AddObjectToObject(o, "phase_bytes");
    for (int p = 0; p < KD_REP_PHASES; p++)
        if (s->phase_bytes[p])
            cJSON_AddNumberToObject(pb, kd_rep_phase_names[p], (double)s->phase_bytes[p]);
    cJSON *ch = cJSON_AddObjectToObject(o, "cache_hit");
    for (int k = 0; k < KD_MODE_COUNT; k++)
        if (s->total[k].n)
            cJSON_AddBoolToObject(ch, kd_mode_name((kd_mode)k), s->cache_hit[k]);
    if (s->layer) {
        cJSON *l = cJSON_AddObjectToObject(o, "layer");
        put_nums(l, s, step_layer_fields, NFIELDS(step_layer_fields));
    } else {
        cJSON_AddNullToObject(o, "layer");
    }
    add_str_or_null(o, "log", s->log);
    cJSON_AddItemToObject(o, "largest", files_json(s->largest, s->nlargest));
    return o;
}

static cJSON *variant_json(const kd_rep_variant *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", v->name);
    cJSON_AddStringToObject(o, "dockerfile", v->dockerfile ? v->dockerfile : "");
    cJSON_AddStringToObject(o, "how", v->how ? v->how : "");
    cJSON *fx = cJSON_AddArrayToObject(o, "fixes");
    for (size_t i = 0; i < v->nfixes; i++)
        cJSON_AddItemToArray(fx, cJSON_CreateString(v->fixes[i]));
    add_str_or_null(o, "error", v->error);
    add_by_mode(o, "total", v->total);
    add_phases(o, (kd_stat(*)[KD_REP_PHASES])v->phase);
    put_nums(cJSON_AddObjectToObject(o, "image"), v, image_fields, NFIELDS(image_fields));
    cJSON_AddItemToObject(o, "efficiency", efficiency_json(v));
    cJSON *steps = cJSON_AddArrayToObject(o, "steps");
    for (size_t i = 0; i < v->nsteps; i++)
        cJSON_AddItemToArray(steps, step_json(&v->steps[i]));
    return o;
}

char *kd_report_to_json(const kd_rep *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "schema", KD_REPORT_SCHEMA);
    cJSON_AddStringToObject(o, "created", r->created ? r->created : "");
    cJSON_AddStringToObject(o, "context", r->context ? r->context : "");
    cJSON_AddStringToObject(o, "dockerfile", r->dockerfile ? r->dockerfile : "");
    cJSON_AddNumberToObject(o, "runs", r->runs);
    cJSON *modes = cJSON_AddArrayToObject(o, "modes");
    for (int k = 0; k < KD_MODE_COUNT; k++)
        if (r->modes[k])
            cJSON_AddItemToArray(modes, cJSON_CreateString(kd_mode_name((kd_mode)k)));
    cJSON_AddBoolToObject(o, "cold_pull", r->cold_pull);
    cJSON_AddNumberToObject(o, "rows", (double)r->nrows);
    cJSON *vs = cJSON_AddArrayToObject(o, "variants");
    for (size_t i = 0; i < r->nvariants; i++)
        cJSON_AddItemToArray(vs, variant_json(&r->variants[i]));
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    char *out = kd_xstrdup(s);
    cJSON_free(s);
    return out;
}

/* ---- reading ------------------------------------------------------------ */

static double num(const cJSON *o, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(j) && j->valuedouble >= 0 ? j->valuedouble : 0;
}

static char *str_or_null(const cJSON *o, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(j) ? kd_xstrdup(j->valuestring) : NULL;
}

/* Sets the fields of the struct at base from o (0 where a key is missing,
 * not a number or negative). */
static void get_nums(const cJSON *o, void *base, const num_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *p = (char *)base + f[i].off;
        double v = num(o, f[i].key);
        if (f[i].type == NUM_U64)
            *(uint64_t *)p = (uint64_t)v;
        else if (f[i].type == NUM_SIZE)
            *(size_t *)p = (size_t)v;
        else
            *(double *)p = v;
    }
}

static kd_stat stat_from(const cJSON *o)
{
    kd_stat s = {0, 0, 0, 0};
    if (cJSON_IsObject(o))
        get_nums(o, &s, stat_fields, NFIELDS(stat_fields));
    return s;
}

static void by_mode_from(const cJSON *o, const char *key, kd_stat *out)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
    for (int k = 0; k < KD_MODE_COUNT; k++)
        out[k] = stat_from(cJSON_GetObjectItemCaseSensitive(m, kd_mode_name((kd_mode)k)));
}

static void phases_from(const cJSON *o, kd_stat ph[KD_MODE_COUNT][KD_REP_PHASES])
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "phases");
    for (int k = 0; k < KD_MODE_COUNT; k++) {
        const cJSON *pm = cJSON_GetObjectItemCaseSensitive(m, kd_mode_name((kd_mode)k));
        for (int p = 0; p < KD_REP_PHASES; p++)
            ph[k][p] = stat_from(cJSON_GetObjectItemCaseSensitive(pm, kd_rep_phase_names[p]));
    }
}

static kd_eff_file *files_from(const cJSON *a, size_t *n)
{
    size_t cnt = (size_t)cJSON_GetArraySize(a);
    kd_eff_file *f = kd_xcalloc(cnt ? cnt : 1, sizeof *f);
    size_t k = 0;
    const cJSON *j;
    cJSON_ArrayForEach(j, a)
    {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path");
        if (!cJSON_IsString(p))
            continue;
        f[k].path = kd_xstrdup(p->valuestring);
        get_nums(j, &f[k++], file_fields, NFIELDS(file_fields));
    }
    *n = k;
    return f;
}

static void efficiency_from(const cJSON *o, kd_rep_variant *v)
{
    kd_efficiency *e = &v->eff;
    get_nums(o, e, eff_fields, NFIELDS(eff_fields));
    v->base_layers = (size_t)num(o, "base_layers");
    const cJSON *ls = cJSON_GetObjectItemCaseSensitive(o, "layers");
    e->nlayers = (size_t)cJSON_GetArraySize(ls);
    e->layers = kd_xcalloc(e->nlayers ? e->nlayers : 1, sizeof *e->layers);
    size_t i = 0;
    const cJSON *j;
    cJSON_ArrayForEach(j, ls)
    {
        get_nums(j, &e->layers[i++], eff_layer_fields, NFIELDS(eff_layer_fields));
    }
    e->largest = files_from(cJSON_GetObjectItemCaseSensitive(o, "largest"), &e->nlargest);
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(o, "caches");
    e->caches = kd_xcalloc((size_t)cJSON_GetArraySize(cs) + 1, sizeof *e->caches);
    cJSON_ArrayForEach(j, cs)
    {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "folder");
        /* the folder names are static; keep only the ones this kdoctor knows */
        const char *known = cJSON_IsString(f) ? kd_cache_folder(f->valuestring) : NULL;
        if (known == NULL)
            continue;
        kd_eff_cache *c = &e->caches[e->ncaches++];
        c->folder = known;
        get_nums(j, c, cache_fields, NFIELDS(cache_fields));
    }
}

static void step_from(const cJSON *o, kd_rep_step *s)
{
    s->instruction = str_or_null(o, "instruction");
    s->text = str_or_null(o, "text");
    if (s->instruction == NULL)
        s->instruction = kd_xstrdup("?");
    if (s->text == NULL)
        s->text = kd_xstrdup("");
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(o, "lines");
    if (cJSON_GetArraySize(lines) == 2) {
        s->line_start = (uint32_t)cJSON_GetArrayItem(lines, 0)->valuedouble;
        s->line_end = (uint32_t)cJSON_GetArrayItem(lines, 1)->valuedouble;
    }
    get_nums(o, s, step_row_fields, NFIELDS(step_row_fields));
    by_mode_from(o, "total", s->total);
    phases_from(o, s->phase);
    const cJSON *pb = cJSON_GetObjectItemCaseSensitive(o, "phase_bytes");
    for (int p = 0; p < KD_REP_PHASES; p++)
        s->phase_bytes[p] = (uint64_t)num(pb, kd_rep_phase_names[p]);
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, "cache_hit");
    for (int k = 0; k < KD_MODE_COUNT; k++)
        s->cache_hit[k] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ch, kd_mode_name((kd_mode)k)));
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "layer");
    if (cJSON_IsObject(l)) {
        s->layer = true;
        get_nums(l, s, step_layer_fields, NFIELDS(step_layer_fields));
    }
    s->log = str_or_null(o, "log");
    s->largest = files_from(cJSON_GetObjectItemCaseSensitive(o, "largest"), &s->nlargest);
}

static void variant_from(const cJSON *o, kd_rep_variant *v)
{
    v->name = str_or_null(o, "name");
    if (v->name == NULL)
        v->name = kd_xstrdup("?");
    v->dockerfile = str_or_null(o, "dockerfile");
    v->how = str_or_null(o, "how");
    v->error = str_or_null(o, "error");
    const cJSON *fx = cJSON_GetObjectItemCaseSensitive(o, "fixes");
    v->fixes = kd_xcalloc((size_t)cJSON_GetArraySize(fx) + 1, sizeof *v->fixes);
    const cJSON *j;
    cJSON_ArrayForEach(j, fx)
    {
        if (cJSON_IsString(j))
            v->fixes[v->nfixes++] = kd_xstrdup(j->valuestring);
    }
    by_mode_from(o, "total", v->total);
    phases_from(o, v->phase);
    get_nums(cJSON_GetObjectItemCaseSensitive(o, "image"), v, image_fields, NFIELDS(image_fields));
    efficiency_from(cJSON_GetObjectItemCaseSensitive(o, "efficiency"), v);
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(o, "steps");
    v->steps = kd_xcalloc((size_t)cJSON_GetArraySize(steps) + 1, sizeof *v->steps);
    cJSON_ArrayForEach(j, steps)
    {
        if (cJSON_IsObject(j))
            step_from(j, &v->steps[v->nsteps++]);
    }
}

int kd_report_from_json(const char *path, const char *data, size_t len, kd_rep *out,
                        kd_error **err)
{
    memset(out, 0, sizeof *out);
    cJSON *o = cJSON_ParseWithLength(data, len);
    if (o == NULL)
        return kd_err(err, 0, "%s: not valid JSON (near byte %zu)", path,
                      (size_t)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - data : 0));
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(o, "schema");
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, KD_REPORT_SCHEMA) != 0) {
        cJSON_Delete(o);
        return kd_err(err, 0, "%s: not a kdoctor compare report (schema %s expected)", path,
                      KD_REPORT_SCHEMA);
    }
    out->created = str_or_null(o, "created");
    out->context = str_or_null(o, "context");
    out->dockerfile = str_or_null(o, "dockerfile");
    out->runs = (int)num(o, "runs");
    out->cold_pull = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "cold_pull"));
    out->nrows = (size_t)num(o, "rows");
    const cJSON *j;
    cJSON_ArrayForEach(j, cJSON_GetObjectItemCaseSensitive(o, "modes"))
    {
        for (int k = 0; k < KD_MODE_COUNT; k++)
            if (cJSON_IsString(j) && strcmp(j->valuestring, kd_mode_name((kd_mode)k)) == 0)
                out->modes[k] = true;
    }
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(o, "variants");
    out->variants = kd_xcalloc((size_t)cJSON_GetArraySize(vs) + 1, sizeof *out->variants);
    cJSON_ArrayForEach(j, vs)
    {
        if (cJSON_IsObject(j))
            variant_from(j, &out->variants[out->nvariants++]);
    }
    cJSON_Delete(o);
    if (out->nvariants == 0) {
        kd_report_free(out);
        return kd_err(err, 0, "%s: the report has no variants", path);
    }
    /* rows must cover every step, whatever the file says */
    for (size_t i = 0; i < out->nvariants; i++)
        for (size_t k = 0; k < out->variants[i].nsteps; k++) {
            kd_rep_step *s = &out->variants[i].steps[k];
            if (s->row_span == 0)
                s->row_span = 1;
            if (s->row > 100000 || s->row_span > 100000)
                s->row = s->row_span = 1;
            if (s->row + s->row_span > out->nrows)
                out->nrows = s->row + s->row_span;
        }
    return 0;
}
