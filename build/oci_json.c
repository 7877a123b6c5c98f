#include "build/oci_json.h"
#include "util/mem.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *kd_strdup_null(const char *s)
{
    return s ? kd_xstrdup(s) : NULL;
}

cJSON *kd_json_parse(const char *data, size_t len, const char *what, kd_error **err)
{
    if (len > KD_MANIFEST_MAX) {
        kd_err(err, 0, "%s is %zu bytes, more than the %zu accepted", what, len,
               (size_t)KD_MANIFEST_MAX);
        return NULL;
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(data, len, &end, false);
    if (j == NULL) {
        size_t at = end && end >= data ? (size_t)(end - data) : 0;
        kd_err(err, 0, "%s is not valid JSON (error near byte %zu)", what, at);
        return NULL;
    }
    /* nothing but white space may follow the document */
    for (const char *p = end; p < data + len; p++) {
        if (!strchr(" \t\r\n", *p)) {
            cJSON_Delete(j);
            kd_err(err, 0, "%s has trailing data after the JSON document", what);
            return NULL;
        }
    }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        kd_err(err, 0, "%s is not a JSON object", what);
        return NULL;
    }
    return j;
}

const cJSON *kd_json_get(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return v == NULL || cJSON_IsNull(v) ? NULL : v;
}

static int type_error(const char *what, const char *key, const char *want, kd_error **err)
{
    return kd_err(err, 0, "%s: \"%s\" must be %s", what, key, want);
}

int kd_json_str(const cJSON *o, const char *key, const char *what, char **out, kd_error **err)
{
    const cJSON *v = kd_json_get(o, key);
    if (v == NULL)
        return 0;
    if (!cJSON_IsString(v))
        return type_error(what, key, "a string", err);
    free(*out);
    *out = kd_xstrdup(v->valuestring);
    return 0;
}

/* A JSON number that is an integer in [min, max]. */
static int int_value(const cJSON *v, const char *key, const char *what, int64_t min, int64_t max,
                     int64_t *out, kd_error **err)
{
    if (!cJSON_IsNumber(v))
        return type_error(what, key, "a number", err);
    double d = v->valuedouble;
    /* in range first, so that the cast is defined; then whole */
    if (!isfinite(d) || d < (double)min || d > (double)max || d != (double)(int64_t)d)
        return kd_err(err, 0, "%s: \"%s\" must be an integer from %" PRId64 " to %" PRId64, what,
                      key, min, max);
    *out = (int64_t)d;
    return 0;
}

int kd_json_int(const cJSON *o, const char *key, const char *what, int64_t min, int64_t max,
                int64_t *out, kd_error **err)
{
    const cJSON *v = kd_json_get(o, key);
    return v ? int_value(v, key, what, min, max, out, err) : 0;
}

int kd_json_bool(const cJSON *o, const char *key, const char *what, bool *out, kd_error **err)
{
    const cJSON *v = kd_json_get(o, key);
    if (v == NULL)
        return 0;
    if (!cJSON_IsBool(v))
        return type_error(what, key, "true or false", err);
    *out = cJSON_IsTrue(v);
    return 0;
}

int kd_json_strv(const cJSON *o, const char *key, const char *what, kd_strv *out, kd_error **err)
{
    const cJSON *v = kd_json_get(o, key);
    if (v == NULL)
        return 0;
    if (!cJSON_IsArray(v))
        return type_error(what, key, "an array of strings", err);
    kd_strv_free(out);
    out->set = true;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        if (!cJSON_IsString(e)) {
            kd_strv_free(out);
            return type_error(what, key, "an array of strings", err);
        }
        kd_strv_push(out, e->valuestring);
    }
    return 0;
}

int kd_json_map(const cJSON *o, const char *key, const char *what, bool set_only, kd_map *out,
                kd_error **err)
{
    const cJSON *v = kd_json_get(o, key);
    if (v == NULL)
        return 0;
    if (!cJSON_IsObject(v))
        return type_error(what, key, "an object", err);
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        if (e->string == NULL)
            continue;
        if (set_only) {
            kd_map_set(out, e->string, "");
        } else if (cJSON_IsString(e)) {
            kd_map_set(out, e->string, e->valuestring);
        } else if (!cJSON_IsNull(e)) {
            kd_map_free(out);
            return type_error(what, key, "an object of strings", err);
        }
    }
    return 0;
}

void kd_json_add_str(cJSON *o, const char *key, const char *s)
{
    if (s && *s)
        cJSON_AddStringToObject(o, key, s);
}

void kd_json_add_int(cJSON *o, const char *key, int64_t v)
{
    /* a raw node prints exactly; cJSON's doubles would round past 2^31 */
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    cJSON_AddItemToObject(o, key, cJSON_CreateRaw(num));
}

void kd_json_add_strv(cJSON *o, const char *key, const kd_strv *s)
{
    if (!s->set)
        return;
    cJSON *a = cJSON_AddArrayToObject(o, key);
    for (size_t i = 0; i < s->n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(s->v[i]));
}

void kd_json_add_map(cJSON *o, const char *key, const kd_map *m, bool set_only)
{
    if (m->n == 0)
        return;
    cJSON *obj = cJSON_AddObjectToObject(o, key);
    for (size_t i = 0; i < m->n; i++) {
        if (set_only)
            cJSON_AddItemToObject(obj, m->items[i].key, cJSON_CreateObject());
        else
            cJSON_AddStringToObject(obj, m->items[i].key, m->items[i].value);
    }
}

char *kd_json_print(cJSON *o, size_t *len)
{
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (s == NULL) /* cJSON fails only when out of memory */
        kd_xmalloc((size_t)-1);
    if (len)
        *len = strlen(s);
    return s;
}
