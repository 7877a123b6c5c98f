/* The instructions that change only the image config: ENV, ARG, LABEL,
 * EXPOSE, VOLUME, USER, CMD, ENTRYPOINT, HEALTHCHECK, STOPSIGNAL, SHELL,
 * ONBUILD, MAINTAINER. Each follows BuildKit's dispatch* functions: the
 * same config fields and the same history text (without a layer).
 * Owner: build-exec. */
#include "build/builder_int.h"
#include "util/buf.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static kd_run_config *cfg(bld_step *st)
{
    return &st->s->img.config.config;
}

static char *word(bld_step *st, const df_word *w, kd_error **err)
{
    return df_scope_word(&st->s->scope, st->in, w, err);
}

/* Go's fmt %q of a []string: ["a" "b"]. */
static void add_go_list(kd_buf *b, const kd_strv *v, bool quote)
{
    kd_buf_addc(b, '[');
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            kd_buf_addc(b, ' ');
        if (quote) {
            char *q = df_go_quote(v->v[i], strlen(v->v[i]));
            kd_buf_adds(b, q);
            free(q);
        } else {
            kd_buf_adds(b, v->v[i]);
        }
    }
    kd_buf_addc(b, ']');
}

static void history_buf(bld_step *st, kd_buf *b)
{
    bld_history(st, kd_buf_str(b), true);
    kd_buf_free(b);
}

/* ---- ENV and ARG ---- */

static void sync_env(bld_step *st)
{
    const df_vars *v = &st->s->scope.config_env;
    kd_strv *env = &cfg(st)->env;
    for (size_t i = 0; i < v->n; i++)
        bld_env_set(env, v->keys[i], v->vals[i]);
}

static int do_env(bld_step *st, kd_error **err)
{
    if (df_scope_apply(&st->s->scope, st->in, err) < 0)
        return -1;
    sync_env(st);
    kd_buf h = KD_BUF_INIT;
    kd_buf_adds(&h, "ENV");
    for (size_t i = 0; i + 2 < st->in->nargs; i += 3) {
        char *k = word(st, &st->in->args[i], err);
        const char *v = k ? df_vars_get(&st->s->scope.env, k, strlen(k)) : NULL;
        if (k)
            kd_buf_addf(&h, " %s=%s", k, v ? v : "");
        free(k);
    }
    history_buf(st, &h);
    return 0;
}

/* Remembers the stage's ARGs in order, for RUN's history ("|2 A=1 B=2"). */
static void note_run_arg(bld_stage *s, const char *key, const char *value)
{
    char *kv = kd_asprintf("%s=%s", key, value);
    size_t kl = strlen(key);
    for (size_t i = 0; i < s->nrun_args; i++) {
        if (strncmp(s->run_args[i], key, kl) == 0 && s->run_args[i][kl] == '=') {
            free(s->run_args[i]);
            s->run_args[i] = kv;
            return;
        }
    }
    s->run_args = kd_xrealloc(s->run_args, (s->nrun_args + 1) * sizeof *s->run_args);
    s->run_args[s->nrun_args++] = kv;
}

static int do_arg(bld_step *st, kd_error **err)
{
    if (df_scope_apply(&st->s->scope, st->in, err) < 0)
        return -1;
    kd_buf h = KD_BUF_INIT;
    kd_buf_adds(&h, "ARG");
    for (size_t i = 0; i < st->in->nargs; i++) {
        const df_word *w = &st->in->args[i];
        size_t kl = strcspn(w->text, "=");
        df_word kw = *w;
        kw.len = kl;
        char *kt = kd_xstrndup(w->text, kl);
        kw.text = kt;
        char *k = word(st, &kw, err);
        free(kt);
        if (k == NULL) {
            kd_buf_free(&h);
            return -1;
        }
        const char *v = df_vars_get(&st->s->scope.env, k, strlen(k));
        kd_buf_addf(&h, " %s%s%s", k, v ? "=" : "", v ? v : "");
        if (v)
            note_run_arg(st->s, k, v);
        free(k);
    }
    history_buf(st, &h);
    return 0;
}

/* ---- LABEL, MAINTAINER, USER, STOPSIGNAL ---- */

static int do_label(bld_step *st, kd_error **err)
{
    kd_buf h = KD_BUF_INIT;
    kd_buf_adds(&h, "LABEL");
    for (size_t i = 0; i + 2 < st->in->nargs; i += 3) {
        char *k = word(st, &st->in->args[i], err);
        char *v = k ? word(st, &st->in->args[i + 1], err) : NULL;
        if (v == NULL) {
            free(k);
            kd_buf_free(&h);
            return -1;
        }
        kd_map_set(&cfg(st)->labels, k, v);
        kd_buf_addf(&h, " %s=%s", k, v);
        free(k);
        free(v);
    }
    history_buf(st, &h);
    return 0;
}

static int do_maintainer(bld_step *st, kd_error **err)
{
    (void)err;
    const char *who = st->in->nargs ? st->in->args[0].text : "";
    kd_image_config *c = &st->s->img.config;
    free(c->author);
    c->author = kd_xstrdup(who);
    char *h = kd_asprintf("MAINTAINER %s", who);
    bld_history(st, h, true);
    free(h);
    return 0;
}

static int one_word(bld_step *st, char **out, kd_error **err)
{
    *out = NULL;
    if (st->in->nargs != 1)
        return kd_err(err, 0, "%s requires exactly one argument", st->in->keyword);
    *out = word(st, &st->in->args[0], err);
    return *out ? 0 : -1;
}

/* USER and STOPSIGNAL: one expanded word into a config field (valid may be
 * NULL), and the history "KEYWORD value". */
static int set_word(bld_step *st, char **field, bool (*valid)(const char *), kd_error **err)
{
    char *v = NULL;
    if (one_word(st, &v, err) < 0)
        return -1;
    if (valid && !valid(v)) {
        kd_err(err, 0, "invalid %s: %s", st->in->kind == DF_STOPSIGNAL ? "signal" : "value", v);
        free(v);
        return -1;
    }
    free(*field);
    *field = v;
    char *h = kd_asprintf("%s %s", df_kind_name(st->in->kind), v);
    bld_history(st, h, true);
    free(h);
    return 0;
}

static bool valid_signal(const char *s)
{
    static const char *const names[] = {
        "HUP",  "INT",  "QUIT", "ILL",  "TRAP", "ABRT",   "IOT",    "BUS",   "FPE",
        "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",   "TERM",   "STKFLT", "CHLD",
        "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",    "XCPU",   "XFSZ",  "VTALRM",
        "PROF", "WINCH", "IO",  "POLL", "PWR",  "SYS",    "RTMIN",  "RTMAX"};
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && *end == '\0')
        return n > 0 && n <= 64;
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    size_t len = strcspn(s, "+-");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && strncasecmp(s, names[i], len) == 0)
            return s[len] == '\0' || strncasecmp(s, "RT", 2) == 0;
    return false;
}

/* ---- EXPOSE and VOLUME ---- */

/* BuildKit's parsePortSpec: [[ip:]hostport:]port[-end][/proto], proto
 * tcp (default), udp or sctp; a range gives one entry per port. */
static int add_port_range(kd_map *ports, kd_strv *added, const char *spec, kd_error **err)
{
    char *s = kd_xstrdup(spec);
    char *proto = strchr(s, '/');
    if (proto)
        *proto++ = '\0';
    for (char *p = proto; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    int rc = 0;
    if (proto && *proto && strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 &&
        strcmp(proto, "sctp") != 0)
        rc = kd_err(err, 0, "invalid proto: %s", proto);
    char *colon = strrchr(s, ':');
    char *port = colon ? colon + 1 : s;
    char *end;
    long lo = strtol(port, &end, 10), hi = lo;
    if (rc == 0 && *end == '-' && end > port)
        hi = strtol(end + 1, &end, 10);
    if (rc == 0 && (*port == '\0' || !isdigit((unsigned char)*port) || *end || lo < 0 ||
                    hi > 65535 || hi < lo))
        rc = kd_err(err, 0, "invalid containerPort: %s", port);
    for (long p = lo; rc == 0 && p <= hi; p++) {
        char key[32];
        snprintf(key, sizeof key, "%ld/%s", p, proto && *proto ? proto : "tcp");
        kd_map_set(ports, key, "");
        kd_strv_push(added, key);
    }
    free(s);
    return rc;
}

static int do_expose(bld_step *st, kd_error **err)
{
    kd_map *ports = &cfg(st)->exposed_ports;
    kd_strv added = {0};
    for (size_t i = 0; i < st->in->nargs; i++) {
        df_expansion e;
        if (df_scope_expand(&st->s->scope, st->in, &st->in->args[i], &e, err) < 0) {
            kd_strv_free(&added);
            return -1;
        }
        int rc = 0;
        for (size_t k = 0; rc == 0 && k < e.nwords; k++)
            rc = add_port_range(ports, &added, e.words[k], err);
        df_expansion_free(&e);
        if (rc < 0) {
            kd_strv_free(&added);
            return -1;
        }
    }
    kd_buf h = KD_BUF_INIT;
    kd_buf_adds(&h, "EXPOSE ");
    add_go_list(&h, &added, false);
    kd_strv_free(&added);
    history_buf(st, &h);
    return 0;
}

static int do_volume(bld_step *st, kd_error **err)
{
    kd_strv added = {0};
    for (size_t i = 0; i < st->in->nargs; i++) {
        char *v = word(st, &st->in->args[i], err);
        if (v == NULL || *v == '\0') {
            if (v)
                kd_err(err, 0, "VOLUME specified can not be an empty string");
            free(v);
            kd_strv_free(&added);
            return -1;
        }
        kd_map_set(&cfg(st)->volumes, v, "");
        kd_strv_push(&added, v);
        free(v);
    }
    kd_buf h = KD_BUF_INIT;
    kd_buf_adds(&h, "VOLUME ");
    add_go_list(&h, &added, false);
    kd_strv_free(&added);
    history_buf(st, &h);
    return 0;
}

/* ---- CMD, ENTRYPOINT, SHELL, HEALTHCHECK ---- */

void bld_shell_argv(const bld_step *st, kd_strv *argv)
{
    const kd_strv *shell = &st->s->img.config.config.shell;
    if (shell->n) {
        for (size_t i = 0; i < shell->n; i++)
            kd_strv_push(argv, shell->v[i]);
    } else {
        kd_strv_push(argv, "/bin/sh");
        kd_strv_push(argv, "-c");
    }
}

/* The command of RUN/CMD/ENTRYPOINT/HEALTHCHECK: exec form as is, shell
 * form through the stage's SHELL. args[from..] are the words. */
static void command_args(const bld_step *st, size_t from, kd_strv *out)
{
    memset(out, 0, sizeof *out);
    out->set = true;
    const df_instr *in = st->in;
    if (in->json) {
        for (size_t i = from; i < in->nargs; i++)
            kd_strv_push(out, in->args[i].text);
        return;
    }
    bld_shell_argv(st, out);
    kd_buf text = KD_BUF_INIT;
    for (size_t i = from; i < in->nargs; i++) {
        if (i > from)
            kd_buf_addc(&text, ' ');
        kd_buf_adds(&text, in->args[i].text);
    }
    kd_strv_push(out, kd_buf_str(&text));
    kd_buf_free(&text);
}

static void set_command(bld_step *st, kd_strv *field, const char *name)
{
    kd_strv v;
    command_args(st, 0, &v);
    kd_strv_free(field);
    *field = v;
    kd_buf h = KD_BUF_INIT;
    kd_buf_addf(&h, "%s ", name);
    add_go_list(&h, field, true);
    history_buf(st, &h);
}

static int do_cmd(bld_step *st, kd_error **err)
{
    (void)err;
    set_command(st, &cfg(st)->cmd, "CMD");
    cfg(st)->args_escaped = true; /* as BuildKit sets it (meaningful on Windows only) */
    st->s->cmd_set = true;
    return 0;
}

static int do_entrypoint(bld_step *st, kd_error **err)
{
    (void)err;
    set_command(st, &cfg(st)->entrypoint, "ENTRYPOINT");
    if (!st->s->cmd_set) /* Docker: a new ENTRYPOINT resets an inherited CMD */
        kd_strv_free(&cfg(st)->cmd);
    return 0;
}

static int do_shell(bld_step *st, kd_error **err)
{
    if (!st->in->json || st->in->nargs == 0)
        return kd_err(err, 0, "SHELL requires the arguments to be in JSON form");
    kd_strv *sh = &cfg(st)->shell;
    kd_strv_free(sh);
    for (size_t i = 0; i < st->in->nargs; i++)
        kd_strv_push(sh, st->in->args[i].text);
    kd_buf h = KD_BUF_INIT;
    kd_buf_adds(&h, "SHELL ");
    add_go_list(&h, sh, false);
    history_buf(st, &h);
    return 0;
}

/* Go's time.ParseDuration for the positive values HEALTHCHECK takes:
 * "30s", "1m30s", "1.5h", "500ms", "0". */
static int parse_duration(const char *s, int64_t *ns)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6},
                 {"s", 1e9}, {"m", 6e10}, {"h", 3.6e12}};
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return 0;
    }
    double total = 0;
    if (*s == '\0')
        return -1;
    while (*s) {
        char *end;
        if (!isdigit((unsigned char)*s) && *s != '.')
            return -1;
        double v = strtod(s, &end);
        if (end == s)
            return -1;
        size_t i, n = sizeof units / sizeof units[0];
        for (i = n; i-- > 0;) /* longest units last in the table: try "ms" before "m" */
            if (strncmp(end, units[i].unit, strlen(units[i].unit)) == 0 &&
                !(units[i].unit[0] == 'm' && units[i].unit[1] == '\0' && end[1] == 's'))
                break;
        if (i >= n)
            return -1;
        total += v * units[i].ns;
        s = end + strlen(units[i].unit);
    }
    if (total > 9.2e18)
        return -1;
    *ns = (int64_t)total;
    return 0;
}

static int health_flag(bld_step *st, const df_flag *f, kd_healthcheck *hc, kd_error **err)
{
    const char *v = f->value ? f->value : "";
    int64_t *dst = strcmp(f->name, "interval") == 0         ? &hc->interval
                   : strcmp(f->name, "timeout") == 0        ? &hc->timeout
                   : strcmp(f->name, "start-period") == 0   ? &hc->start_period
                   : strcmp(f->name, "start-interval") == 0 ? &hc->start_interval
                                                            : NULL;
    (void)st;
    if (strcmp(f->name, "retries") == 0) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*v == '\0' || *end || n < 0 || n > 1 << 30)
            return kd_err(err, 0, "invalid --retries value: %s", v);
        hc->retries = (int)n;
        return 0;
    }
    if (dst == NULL)
        return kd_err(err, 0, "unknown flag: --%s", f->name);
    if (parse_duration(v, dst) < 0)
        return kd_err(err, 0, "invalid --%s duration: %s", f->name, v);
    if (*dst != 0 && *dst < 1000000)
        return kd_err(err, 0, "--%s cannot be less than 1ms", f->name);
    return 0;
}

static int do_healthcheck(bld_step *st, kd_error **err)
{
    const df_instr *in = st->in;
    if (in->nargs == 0)
        return kd_err(err, 0, "HEALTHCHECK requires an argument");
    kd_healthcheck *hc = kd_xcalloc(1, sizeof *hc);
    int rc = 0;
    if (strcasecmp(in->args[0].text, "NONE") == 0) {
        if (in->nargs > 1 || in->nflags)
            rc = kd_err(err, 0, "HEALTHCHECK NONE takes no other argument");
        kd_strv_push(&hc->test, "NONE");
    } else if (strcasecmp(in->args[0].text, "CMD") == 0 && in->nargs > 1) {
        for (size_t i = 0; rc == 0 && i < in->nflags; i++)
            rc = health_flag(st, &in->flags[i], hc, err);
        kd_strv_push(&hc->test, in->json ? "CMD" : "CMD-SHELL");
        kd_buf text = KD_BUF_INIT;
        for (size_t i = 1; i < in->nargs; i++) {
            if (in->json)
                kd_strv_push(&hc->test, in->args[i].text);
            else
                kd_buf_addf(&text, "%s%s", i > 1 ? " " : "", in->args[i].text);
        }
        if (!in->json)
            kd_strv_push(&hc->test, kd_buf_str(&text));
        kd_buf_free(&text);
    } else {
        rc = kd_err(err, 0, "unknown type for HEALTHCHECK: %s (CMD or NONE)", in->args[0].text);
    }
    if (rc < 0) {
        kd_strv_free(&hc->test);
        free(hc);
        return -1;
    }
    kd_run_config *c = cfg(st);
    if (c->healthcheck)
        kd_strv_free(&c->healthcheck->test);
    free(c->healthcheck);
    c->healthcheck = hc;
    kd_buf h = KD_BUF_INIT;
    kd_buf_adds(&h, "HEALTHCHECK ");
    add_go_list(&h, &hc->test, true);
    history_buf(st, &h);
    return 0;
}

/* ---- ONBUILD ---- */

static int do_onbuild(bld_step *st, kd_error **err)
{
    const df_instr *sub = st->in->sub;
    if (sub == NULL)
        return kd_err(err, 0, "ONBUILD requires an instruction");
    if (sub->kind == DF_ONBUILD)
        return kd_err(err, 0, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (sub->kind == DF_FROM || sub->kind == DF_MAINTAINER)
        return kd_err(err, 0, "%s isn't allowed as an ONBUILD trigger", sub->keyword);
    /* the trigger is the text after ONBUILD, as BuildKit keeps it (no
     * history entry: BuildKit adds none) */
    kd_strv_push(&cfg(st)->on_build, st->in->rest.text);
    return 0;
}

int bld_instr_meta(bld_step *st, kd_error **err)
{
    switch (st->in->kind) {
    case DF_ENV:
        return do_env(st, err);
    case DF_ARG:
        return do_arg(st, err);
    case DF_LABEL:
        return do_label(st, err);
    case DF_MAINTAINER:
        return do_maintainer(st, err);
    case DF_USER:
        return set_word(st, &cfg(st)->user, NULL, err);
    case DF_STOPSIGNAL:
        return set_word(st, &cfg(st)->stop_signal, valid_signal, err);
    case DF_EXPOSE:
        return do_expose(st, err);
    case DF_VOLUME:
        return do_volume(st, err);
    case DF_CMD:
        return do_cmd(st, err);
    case DF_ENTRYPOINT:
        return do_entrypoint(st, err);
    case DF_SHELL:
        return do_shell(st, err);
    case DF_HEALTHCHECK:
        return do_healthcheck(st, err);
    case DF_ONBUILD:
        return do_onbuild(st, err);
    default:
        return kd_err(err, 0, "%s is not supported", st->in->keyword);
    }
}
