/* Image configs: parse and deterministic serialisation. The field order is
 * that of moby's image and container.Config structs. */
#include "build/oci.h"
#include "build/oci_json.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static int healthcheck_from_json(const cJSON *o, kd_healthcheck *h, kd_error **err)
{
    const char *what = "image config Healthcheck";
    if (!cJSON_IsObject(o))
        return kd_err(err, 0, "%s must be an object", what);
    int64_t retries = 0;
    if (kd_json_strv(o, "Test", what, &h->test, err) < 0 ||
        kd_json_int(o, "Interval", what, 0, KD_JSON_INT_MAX, &h->interval, err) < 0 ||
        kd_json_int(o, "Timeout", what, 0, KD_JSON_INT_MAX, &h->timeout, err) < 0 ||
        kd_json_int(o, "StartPeriod", what, 0, KD_JSON_INT_MAX, &h->start_period, err) < 0 ||
        kd_json_int(o, "StartInterval", what, 0, KD_JSON_INT_MAX, &h->start_interval, err) < 0 ||
        kd_json_int(o, "Retries", what, 0, 1 << 30, &retries, err) < 0)
        return -1;
    h->retries = (int)retries;
    return 0;
}

static cJSON *healthcheck_to_json(const kd_healthcheck *h)
{
    cJSON *o = cJSON_CreateObject();
    kd_json_add_strv(o, "Test", &h->test);
    if (h->interval)
        kd_json_add_int(o, "Interval", h->interval);
    if (h->timeout)
        kd_json_add_int(o, "Timeout", h->timeout);
    if (h->start_period)
        kd_json_add_int(o, "StartPeriod", h->start_period);
    if (h->start_interval)
        kd_json_add_int(o, "StartInterval", h->start_interval);
    if (h->retries)
        kd_json_add_int(o, "Retries", h->retries);
    return o;
}

static int run_config_from_json(const cJSON *o, kd_run_config *c, kd_error **err)
{
    const char *what = "image config \"config\"";
    if (!cJSON_IsObject(o))
        return kd_err(err, 0, "%s must be an object", what);
    if (kd_json_str(o, "User", what, &c->user, err) < 0 ||
        kd_json_map(o, "ExposedPorts", what, true, &c->exposed_ports, err) < 0 ||
        kd_json_strv(o, "Env", what, &c->env, err) < 0 ||
        kd_json_strv(o, "Entrypoint", what, &c->entrypoint, err) < 0 ||
        kd_json_strv(o, "Cmd", what, &c->cmd, err) < 0 ||
        kd_json_bool(o, "ArgsEscaped", what, &c->args_escaped, err) < 0 ||
        kd_json_map(o, "Volumes", what, true, &c->volumes, err) < 0 ||
        kd_json_str(o, "WorkingDir", what, &c->working_dir, err) < 0 ||
        kd_json_strv(o, "OnBuild", what, &c->on_build, err) < 0 ||
        kd_json_map(o, "Labels", what, false, &c->labels, err) < 0 ||
        kd_json_str(o, "StopSignal", what, &c->stop_signal, err) < 0 ||
        kd_json_strv(o, "Shell", what, &c->shell, err) < 0)
        return -1;
    const cJSON *hc = kd_json_get(o, "Healthcheck");
    if (hc) {
        c->healthcheck = kd_xcalloc(1, sizeof *c->healthcheck);
        return healthcheck_from_json(hc, c->healthcheck, err);
    }
    return 0;
}

static cJSON *run_config_to_json(const kd_run_config *c)
{
    cJSON *o = cJSON_CreateObject();
    kd_json_add_str(o, "User", c->user);
    kd_json_add_map(o, "ExposedPorts", &c->exposed_ports, true);
    kd_json_add_strv(o, "Env", &c->env);
    kd_json_add_strv(o, "Cmd", &c->cmd);
    if (c->healthcheck)
        cJSON_AddItemToObject(o, "Healthcheck", healthcheck_to_json(c->healthcheck));
    if (c->args_escaped)
        cJSON_AddTrueToObject(o, "ArgsEscaped");
    kd_json_add_map(o, "Volumes", &c->volumes, true);
    kd_json_add_str(o, "WorkingDir", c->working_dir);
    kd_json_add_strv(o, "Entrypoint", &c->entrypoint);
    kd_json_add_strv(o, "OnBuild", &c->on_build);
    kd_json_add_map(o, "Labels", &c->labels, false);
    kd_json_add_str(o, "StopSignal", c->stop_signal);
    kd_json_add_strv(o, "Shell", &c->shell);
    return o;
}

static void run_config_free(kd_run_config *c)
{
    free(c->user);
    kd_map_free(&c->exposed_ports);
    kd_strv_free(&c->env);
    kd_strv_free(&c->entrypoint);
    kd_strv_free(&c->cmd);
    if (c->healthcheck)
        kd_strv_free(&c->healthcheck->test);
    free(c->healthcheck);
    kd_map_free(&c->volumes);
    free(c->working_dir);
    kd_strv_free(&c->on_build);
    kd_map_free(&c->labels);
    free(c->stop_signal);
    kd_strv_free(&c->shell);
    memset(c, 0, sizeof *c);
}

static int history_from_json(const cJSON *a, kd_image_config *c, kd_error **err)
{
    const char *what = "image config history";
    if (!cJSON_IsArray(a))
        return kd_err(err, 0, "%s must be an array", what);
    size_t n = (size_t)cJSON_GetArraySize(a);
    c->history = kd_xcalloc(n ? n : 1, sizeof *c->history);
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        kd_history *h = &c->history[c->nhistory++];
        if (!cJSON_IsObject(e))
            return kd_err(err, 0, "%s entries must be objects", what);
        if (kd_json_str(e, "created", what, &h->created, err) < 0 ||
            kd_json_str(e, "created_by", what, &h->created_by, err) < 0 ||
            kd_json_str(e, "author", what, &h->author, err) < 0 ||
            kd_json_str(e, "comment", what, &h->comment, err) < 0 ||
            kd_json_bool(e, "empty_layer", what, &h->empty_layer, err) < 0)
            return -1;
    }
    return 0;
}

static int rootfs_from_json(const cJSON *o, kd_image_config *c, kd_error **err)
{
    const char *what = "image config rootfs";
    if (!cJSON_IsObject(o))
        return kd_err(err, 0, "%s must be an object", what);
    if (kd_json_str(o, "type", what, &c->rootfs_type, err) < 0 ||
        kd_json_strv(o, "diff_ids", what, &c->diff_ids, err) < 0)
        return -1;
    /* diff_ids name unpacked layer directories: only valid digests */
    for (size_t i = 0; i < c->diff_ids.n; i++)
        if (!kd_digest_valid(c->diff_ids.v[i]))
            return kd_err(err, 0, "%s: diff_id \"%.80s\" is not a sha256 digest", what,
                          c->diff_ids.v[i]);
    return 0;
}

int kd_image_config_parse(const char *data, size_t len, kd_image_config *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    const char *what = "image config";
    cJSON *j = kd_json_parse(data, len, what, err);
    if (j == NULL)
        return -1;
    const cJSON *cfg = kd_json_get(j, "config");
    const cJSON *rootfs = kd_json_get(j, "rootfs");
    const cJSON *history = kd_json_get(j, "history");
    int rc = -1;
    if (kd_json_str(j, "created", what, &out->created, err) < 0 ||
        kd_json_str(j, "author", what, &out->author, err) < 0 ||
        kd_json_str(j, "architecture", what, &out->architecture, err) < 0 ||
        kd_json_str(j, "os", what, &out->os, err) < 0 ||
        kd_json_str(j, "os.version", what, &out->os_version, err) < 0 ||
        kd_json_str(j, "variant", what, &out->variant, err) < 0)
        goto done;
    if (cfg && run_config_from_json(cfg, &out->config, err) < 0)
        goto done;
    if (rootfs && rootfs_from_json(rootfs, out, err) < 0)
        goto done;
    if (history && history_from_json(history, out, err) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(j);
    if (rc < 0)
        kd_image_config_free(out);
    return rc;
}

static cJSON *history_to_json(const kd_history *h)
{
    cJSON *o = cJSON_CreateObject();
    kd_json_add_str(o, "created", h->created);
    kd_json_add_str(o, "created_by", h->created_by);
    kd_json_add_str(o, "author", h->author);
    kd_json_add_str(o, "comment", h->comment);
    if (h->empty_layer)
        cJSON_AddTrueToObject(o, "empty_layer");
    return o;
}

char *kd_image_config_to_json(const kd_image_config *c, size_t *len)
{
    cJSON *o = cJSON_CreateObject();
    kd_json_add_str(o, "created", c->created);
    kd_json_add_str(o, "author", c->author);
    cJSON_AddStringToObject(o, "architecture", c->architecture ? c->architecture : "");
    cJSON_AddStringToObject(o, "os", c->os ? c->os : "");
    kd_json_add_str(o, "os.version", c->os_version);
    kd_json_add_str(o, "variant", c->variant);
    cJSON_AddItemToObject(o, "config", run_config_to_json(&c->config));
    cJSON *rootfs = cJSON_AddObjectToObject(o, "rootfs");
    cJSON_AddStringToObject(rootfs, "type", c->rootfs_type ? c->rootfs_type : "layers");
    cJSON *ids = cJSON_AddArrayToObject(rootfs, "diff_ids");
    for (size_t i = 0; i < c->diff_ids.n; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateString(c->diff_ids.v[i]));
    if (c->nhistory) {
        cJSON *h = cJSON_AddArrayToObject(o, "history");
        for (size_t i = 0; i < c->nhistory; i++)
            cJSON_AddItemToArray(h, history_to_json(&c->history[i]));
    }
    return kd_json_print(o, len);
}

static void run_config_copy(kd_run_config *d, const kd_run_config *s)
{
    d->user = kd_strdup_null(s->user);
    kd_map_copy(&d->exposed_ports, &s->exposed_ports);
    kd_strv_copy(&d->env, &s->env);
    kd_strv_copy(&d->entrypoint, &s->entrypoint);
    kd_strv_copy(&d->cmd, &s->cmd);
    if (s->healthcheck) {
        d->healthcheck = kd_xmalloc(sizeof *d->healthcheck);
        *d->healthcheck = *s->healthcheck;
        kd_strv_copy(&d->healthcheck->test, &s->healthcheck->test);
    }
    d->args_escaped = s->args_escaped;
    kd_map_copy(&d->volumes, &s->volumes);
    d->working_dir = kd_strdup_null(s->working_dir);
    kd_strv_copy(&d->on_build, &s->on_build);
    kd_map_copy(&d->labels, &s->labels);
    d->stop_signal = kd_strdup_null(s->stop_signal);
    kd_strv_copy(&d->shell, &s->shell);
}

void kd_history_add(kd_image_config *c, const kd_history *h)
{
    c->history = kd_xrealloc(c->history, (c->nhistory + 1) * sizeof *c->history);
    c->history[c->nhistory++] = (kd_history){
        kd_strdup_null(h->created), kd_strdup_null(h->created_by), kd_strdup_null(h->author),
        kd_strdup_null(h->comment), h->empty_layer,
    };
}

void kd_image_config_copy(kd_image_config *dst, const kd_image_config *src)
{
    memset(dst, 0, sizeof *dst);
    dst->created = kd_strdup_null(src->created);
    dst->author = kd_strdup_null(src->author);
    dst->architecture = kd_strdup_null(src->architecture);
    dst->os = kd_strdup_null(src->os);
    dst->os_version = kd_strdup_null(src->os_version);
    dst->variant = kd_strdup_null(src->variant);
    run_config_copy(&dst->config, &src->config);
    dst->rootfs_type = kd_strdup_null(src->rootfs_type);
    kd_strv_copy(&dst->diff_ids, &src->diff_ids);
    for (size_t i = 0; i < src->nhistory; i++)
        kd_history_add(dst, &src->history[i]);
}

void kd_image_config_free(kd_image_config *c)
{
    if (c == NULL)
        return;
    free(c->created);
    free(c->author);
    free(c->architecture);
    free(c->os);
    free(c->os_version);
    free(c->variant);
    run_config_free(&c->config);
    free(c->rootfs_type);
    kd_strv_free(&c->diff_ids);
    for (size_t i = 0; i < c->nhistory; i++) {
        kd_history *h = &c->history[i];
        free(h->created);
        free(h->created_by);
        free(h->author);
        free(h->comment);
    }
    free(c->history);
    memset(c, 0, sizeof *c);
}
