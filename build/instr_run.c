/* RUN: the command (shell form through SHELL, exec form, heredocs as
 * BuildKit runs them), its environment, mounts and network, run in the
 * sandbox on an overlay of the stage's layers; its output streamed to the
 * progress callback; its upper dir committed as the step's layer.
 * Owner: build-exec. */
#include "build/builder_int.h"
#include "build/fsroot.h"
#include "build/snapshot.h"
#include "util/buf.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAIL_MAX 4096 /* bytes of output kept for the error message */

typedef struct run_spec {
    kd_strv argv;
    kd_strv env;
    kd_bind *binds;
    size_t nbinds;
    char **owned; /* strings the binds point to */
    size_t nowned;
    kd_net net;
    char *script_dir; /* a heredoc script's dir (bound on /dev/pipes) */
} run_spec;

static void run_spec_free(run_spec *r)
{
    kd_strv_free(&r->argv);
    kd_strv_free(&r->env);
    free(r->binds);
    for (size_t i = 0; i < r->nowned; i++)
        free(r->owned[i]);
    free(r->owned);
    if (r->script_dir)
        kd_remove_tree(r->script_dir, NULL);
    free(r->script_dir);
}

static const char *own(run_spec *r, char *s)
{
    r->owned = kd_xrealloc(r->owned, (r->nowned + 1) * sizeof *r->owned);
    r->owned[r->nowned++] = s;
    return s;
}

/* ---- the command ---- */

/* BuildKit's MustParseHeredoc: the whole command is one heredoc word. */
static bool single_heredoc(const df_instr *in)
{
    if (in->nheredocs != 1 || in->nargs != 1)
        return false;
    const char *s = in->args[0].text;
    s += strspn(s, " \t");
    if (strncmp(s, "<<", 2) != 0)
        return false;
    const char *rest = s + strcspn(s, " \t\r\n");
    return rest[strspn(rest, " \t\r\n")] == '\0';
}

/* <<- strips leading tabs from every line. Caller frees. */
static char *heredoc_data(const df_heredoc *h)
{
    if (!h->chomp)
        return kd_xmemdup0(h->content, h->content_len);
    kd_buf b = KD_BUF_INIT;
    bool bol = true;
    for (size_t i = 0; i < h->content_len; i++) {
        char c = h->content[i];
        if (bol && c == '\t')
            continue;
        kd_buf_addc(&b, c);
        bol = c == '\n';
    }
    return kd_buf_detach(&b, NULL);
}

/* A heredoc with a shebang: written to a file bound read-only on
 * /dev/pipes and run directly, as BuildKit does. */
static int shebang_script(bld_step *st, run_spec *r, const df_heredoc *h, const char *data,
                          kd_error **err)
{
    if (bld_mktemp_dir(st->b->store, "heredoc-", &r->script_dir, err) < 0)
        return -1;
    char *path = kd_asprintf("%s/%s", r->script_dir, h->name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    size_t len = strlen(data);
    int rc = fd >= 0 && write(fd, data, len) == (ssize_t)len ? 0 : -1;
    if (fd >= 0 && close(fd) < 0)
        rc = -1;
    free(path);
    if (rc < 0 || chmod(r->script_dir, 0755) < 0)
        return kd_err(err, errno, "cannot write the heredoc script");
    r->binds = kd_xrealloc(r->binds, (r->nbinds + 1) * sizeof *r->binds);
    r->binds[r->nbinds++] = (kd_bind){r->script_dir, "/dev/pipes", true};
    kd_strv_push(&r->argv, own(r, kd_asprintf("/dev/pipes/%s", h->name)));
    return 0;
}

static void push_shell(bld_step *st, kd_strv *argv, const char *text)
{
    bld_shell_argv(st, argv);
    kd_strv_push(argv, text);
}

static int build_argv(bld_step *st, run_spec *r, kd_error **err)
{
    const df_instr *in = st->in;
    r->argv.set = true;
    if (in->json) {
        for (size_t i = 0; i < in->nargs; i++)
            kd_strv_push(&r->argv, in->args[i].text);
        return r->argv.n ? 0 : kd_err(err, 0, "RUN needs a command");
    }
    if (in->nargs == 0 || in->args[0].text[0] == '\0')
        return kd_err(err, 0, "RUN needs a command");
    if (in->nheredocs == 0) {
        push_shell(st, &r->argv, in->args[0].text);
        return 0;
    }
    if (single_heredoc(in)) {
        char *data = heredoc_data(&in->heredocs[0]);
        int rc = 0;
        if (strncmp(data, "#!", 2) == 0)
            rc = shebang_script(st, r, &in->heredocs[0], data, err);
        else
            push_shell(st, &r->argv, data);
        free(data);
        return rc;
    }
    /* several heredocs, or one inside a command: the shell reads them */
    kd_buf b = KD_BUF_INIT;
    kd_buf_adds(&b, in->args[0].text);
    for (size_t i = 0; i < in->nheredocs; i++) {
        kd_buf_addc(&b, '\n');
        kd_buf_add(&b, in->heredocs[i].content, in->heredocs[i].content_len);
        kd_buf_adds(&b, in->heredocs[i].name);
    }
    push_shell(st, &r->argv, kd_buf_str(&b));
    kd_buf_free(&b);
    return 0;
}

/* ---- environment, history ---- */

static void build_env(bld_step *st, run_spec *r)
{
    const df_vars *env = &st->s->scope.env;
    r->env.set = true;
    for (size_t i = 0; i < env->n; i++)
        kd_strv_push(&r->env, own(r, kd_asprintf("%s=%s", env->keys[i], env->vals[i])));
    /* proxy build args reach RUN without an ARG, as in Docker */
    const df_vars *ba = &st->b->build_args;
    for (size_t i = 0; i < ba->n; i++) {
        const char *k = ba->keys[i];
        bool proxy = strcasecmp(k, "http_proxy") == 0 || strcasecmp(k, "https_proxy") == 0 ||
                     strcasecmp(k, "ftp_proxy") == 0 || strcasecmp(k, "no_proxy") == 0 ||
                     strcasecmp(k, "all_proxy") == 0;
        if (proxy && df_vars_get(env, k, strlen(k)) == NULL)
            kd_strv_push(&r->env, own(r, kd_asprintf("%s=%s", k, ba->vals[i])));
    }
}

/* BuildKit's runCommandString: "RUN |2 A=1 B=2 /bin/sh -c cmd # buildkit". */
static char *history_text(const bld_step *st, const kd_strv *argv)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_adds(&b, "RUN ");
    const bld_stage *s = st->s;
    if (s->nrun_args) {
        kd_buf_addf(&b, "|%zu ", s->nrun_args);
        for (size_t i = 0; i < s->nrun_args; i++)
            kd_buf_addf(&b, "%s ", s->run_args[i]);
    }
    for (size_t i = 0; i < argv->n; i++)
        kd_buf_addf(&b, "%s%s", i ? " " : "", argv->v[i]);
    kd_buf_adds(&b, " # buildkit");
    return kd_buf_detach(&b, NULL);
}

/* ---- flags: --network, --mount ---- */

static int parse_network(bld_step *st, run_spec *r, kd_error **err)
{
    r->net = st->b->o->network;
    const df_flag *f = df_instr_flag(st->in, "network");
    if (f == NULL)
        return 0;
    const char *v = f->value ? f->value : "";
    if (strcmp(v, "none") == 0)
        r->net = KD_NET_NONE;
    else if (strcmp(v, "host") == 0)
        r->net = KD_NET_HOST;
    else if (strcmp(v, "default") != 0)
        return kd_err(err, 0, "unsupported network mode %s (none, host or default)", v);
    return 0;
}

typedef struct mount_opts {
    char *type, *target, *source, *from, *id;
    bool rw, readonly_given;
} mount_opts;

static void mount_opts_free(mount_opts *m)
{
    free(m->type), free(m->target), free(m->source), free(m->from), free(m->id);
}

static int parse_mount(const char *v, mount_opts *m, kd_error **err)
{
    memset(m, 0, sizeof *m);
    char *s = kd_xstrdup(v), *save = NULL;
    int rc = 0;
    for (char *kv = strtok_r(s, ",", &save); kv && rc == 0; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        const char *val = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
        char **dst = strcmp(kv, "type") == 0                                     ? &m->type
                     : strcmp(kv, "target") == 0 || strcmp(kv, "dst") == 0 ||
                             strcmp(kv, "destination") == 0                      ? &m->target
                     : strcmp(kv, "source") == 0 || strcmp(kv, "src") == 0      ? &m->source
                     : strcmp(kv, "from") == 0                                   ? &m->from
                     : strcmp(kv, "id") == 0                                     ? &m->id
                                                                                 : NULL;
        if (dst) {
            free(*dst);
            *dst = kd_xstrdup(val);
        } else if (strcmp(kv, "rw") == 0 || strcmp(kv, "readwrite") == 0) {
            m->rw = !eq || strcmp(val, "true") == 0;
        } else if (strcmp(kv, "ro") == 0 || strcmp(kv, "readonly") == 0) {
            m->rw = eq && strcmp(val, "false") == 0;
        } else if (strcmp(kv, "sharing") != 0 && strcmp(kv, "mode") != 0 &&
                   strcmp(kv, "uid") != 0 && strcmp(kv, "gid") != 0 &&
                   strcmp(kv, "required") != 0 && strcmp(kv, "size") != 0) {
            rc = kd_err(err, 0, "unknown --mount option %s", kv);
        }
    }
    free(s);
    if (rc == 0 && m->type == NULL)
        m->type = kd_xstrdup("bind");
    if (rc == 0 && (m->target == NULL || m->target[0] == '\0'))
        rc = kd_err(err, 0, "--mount needs a target");
    return rc;
}

/* A cache mount: a directory of the store, kept across builds, keyed by
 * its id (the target when no id is given). */
static int cache_dir(bld_step *st, const mount_opts *m, char **out, kd_error **err)
{
    const char *id = m->id && *m->id ? m->id : m->target;
    char digest[KD_DIGEST_STR_LEN + 1];
    kd_digest_of(id, strlen(id), digest);
    char *top = kd_asprintf("%s/cache-mounts", kd_store_dir(st->b->store));
    *out = kd_asprintf("%s/%.32s", top, kd_digest_hex(digest));
    int rc = 0;
    if ((mkdir(top, 0700) < 0 && errno != EEXIST) || (mkdir(*out, 0755) < 0 && errno != EEXIST))
        rc = kd_err(err, errno, "cannot create the cache mount dir %s", *out);
    free(top);
    return rc;
}

/* A bind from the context: the source must stay inside it. */
static int context_source(bld_step *st, const mount_opts *m, char **out, kd_error **err)
{
    char *joined = kd_asprintf("%s/%s", st->b->context, m->source ? m->source : "");
    char *real = realpath(joined, NULL);
    free(joined);
    size_t n = strlen(st->b->context);
    if (real == NULL || strncmp(real, st->b->context, n) != 0 || (real[n] && real[n] != '/')) {
        free(real);
        return kd_err(err, 0, "--mount source %s is not in the build context",
                      m->source ? m->source : "");
    }
    *out = real;
    return 0;
}

static int add_mount(bld_step *st, run_spec *r, const char *v, kd_error **err)
{
    mount_opts m;
    if (parse_mount(v, &m, err) < 0) {
        mount_opts_free(&m);
        return -1;
    }
    char *src = NULL;
    bool ro = true;
    int rc;
    if (strcmp(m.type, "cache") == 0) {
        rc = m.from ? kd_err(err, 0, "--mount=type=cache,from= is not supported")
                    : cache_dir(st, &m, &src, err);
        ro = false;
    } else if (strcmp(m.type, "bind") == 0) {
        rc = m.from ? kd_err(err, 0, "--mount=type=bind,from= is not supported yet; "
                                     "bind from the context, or COPY --from")
                    : context_source(st, &m, &src, err);
        if (rc == 0) /* what the step can read is part of its cache key */
            rc = bld_key_context(st, m.source ? m.source : ".", err);
        ro = !m.rw;
    } else {
        rc = kd_err(err, 0, "--mount=type=%s is not supported (bind and cache are)", m.type);
    }
    if (rc == 0) {
        const char *target = m.target[0] == '/'
                                 ? own(r, kd_xstrdup(m.target))
                                 : own(r, kd_asprintf("%s/%s", st->s->img.config.config.working_dir
                                                          ? st->s->img.config.config.working_dir
                                                          : "",
                                                      m.target));
        r->binds = kd_xrealloc(r->binds, (r->nbinds + 1) * sizeof *r->binds);
        r->binds[r->nbinds++] = (kd_bind){own(r, src), target, ro};
    } else {
        free(src);
    }
    mount_opts_free(&m);
    return rc;
}

static int parse_flags(bld_step *st, run_spec *r, kd_error **err)
{
    if (parse_network(st, r, err) < 0)
        return -1;
    for (size_t i = 0; i < st->in->nflags; i++) {
        const df_flag *f = &st->in->flags[i];
        if (strcmp(f->name, "mount") == 0) {
            if (add_mount(st, r, f->value ? f->value : "", err) < 0)
                return -1;
        } else if (strcmp(f->name, "network") != 0 &&
                   !(strcmp(f->name, "security") == 0 && f->value &&
                     strcmp(f->value, "sandbox") == 0)) {
            return kd_err(err, 0, "unknown flag: --%s", f->name);
        }
    }
    return 0;
}

/* ---- running ---- */

typedef struct out_tail {
    char buf[TAIL_MAX];
    size_t len;
    uint64_t total;
} out_tail;

static void tail_add(out_tail *t, const char *p, size_t n)
{
    t->total += n;
    if (n >= TAIL_MAX) {
        memcpy(t->buf, p + n - TAIL_MAX, TAIL_MAX);
        t->len = TAIL_MAX;
        return;
    }
    if (t->len + n > TAIL_MAX) {
        size_t drop = t->len + n - TAIL_MAX;
        memmove(t->buf, t->buf + drop, t->len - drop);
        t->len -= drop;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
}

/* Streams the step's output until every writer is gone, or, should a
 * write end outlive them elsewhere, until the sandbox's first process has
 * exited and the pipe is drained; kills the step when the build is
 * cancelled. Returns true when it was cancelled. */
static bool pump_output(bld_step *st, kd_sandbox *sb, int fd, out_tail *tail)
{
    bool killed = false;
    char buf[8192];
    for (;;) {
        if (!killed && bld_cancelled(st->b)) {
            kd_sandbox_kill(sb);
            killed = true;
        }
        /* asked before the poll: what the step wrote before it was gone is
         * then in the pipe, and "nothing to read" means nothing ever will */
        bool gone = kd_sandbox_exited(sb);
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, gone ? 0 : 100);
        if (n < 0 && errno != EINTR)
            break;
        if (n == 0 && gone)
            break;
        if (n <= 0)
            continue;
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        tail_add(tail, buf, (size_t)got);
        kd_event ev = {.kind = KD_EV_STEP_OUTPUT,
                       .stage = st->s->index,
                       .stage_name = st->s->df->name,
                       .step = st->s->step,
                       .nsteps = st->s->nsteps,
                       .data = buf,
                       .len = (size_t)got};
        bld_emit(st->b, &ev);
    }
    return killed;
}

/* The last lines of the output, for the error message. Caller frees. */
static char *tail_text(const out_tail *t)
{
    size_t start = 0, lines = 0;
    for (size_t i = t->len; i > 0; i--) {
        if (t->buf[i - 1] == '\n' && i != t->len && ++lines == 20) {
            start = i;
            break;
        }
    }
    return kd_xmemdup0(t->buf + start, t->len - start);
}

static char *argv_text(const kd_strv *argv)
{
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < argv->n; i++)
        kd_buf_addf(&b, "%s%s", i ? " " : "", argv->v[i]);
    return kd_buf_detach(&b, NULL);
}

static int step_failed(const kd_strv *argv, const kd_sandbox_result *res, const out_tail *tail,
                       kd_error **err)
{
    char *cmd = argv_text(argv);
    char *out = tail_text(tail);
    size_t ol = strlen(out);
    kd_err(err, 0, "process \"%s\" did not complete successfully: %s %d%s%s%s", cmd,
           res->signal ? "killed by signal" : "exit code:", res->signal ? res->signal : res->exit_code,
           ol ? "\n--- last output ---\n" : "", out, ol && out[ol - 1] != '\n' ? "\n" : "");
    free(cmd);
    free(out);
    return -1;
}

/* Starts the step, streams its output until it is gone, waits for it. The
 * pipe's write end is ours only until the child has it. */
static int start_and_wait(bld_step *st, const kd_sandbox_spec *spec, int pfd[2], out_tail *tail,
                          kd_sandbox_result *res, kd_error **err)
{
    kd_sandbox *sb;
    int rc = kd_sandbox_start(spec, &sb, err);
    close(pfd[1]);
    if (rc == 0) {
        bool killed = pump_output(st, sb, pfd[0], tail);
        rc = kd_sandbox_wait(sb, res, err);
        if (killed) { /* what the killed step said does not matter */
            kd_error_free(err ? *err : NULL);
            if (err)
                *err = NULL;
            rc = bld_cancel_error(err);
        }
    }
    close(pfd[0]);
    return rc;
}

/* Runs the step on an overlay with upper dir u, or, with rootfs, chrooted
 * into that tree (the fallback). */
static int run_sandbox(bld_step *st, run_spec *r, const bld_upper *u, const char *rootfs,
                       kd_error **err)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        return kd_err(err, errno, "pipe");
    size_t nlowers;
    const char **lowers = bld_image_lowers(&st->s->img, &nlowers);
    const kd_run_config *c = &st->s->img.config.config;
    /* NULL-terminated copies of the arrays (the strings stay r's) */
    const char **argv = kd_xcalloc(r->argv.n + 1, sizeof *argv);
    const char **envp = kd_xcalloc(r->env.n + 1, sizeof *envp);
    memcpy(argv, r->argv.v, r->argv.n * sizeof *argv);
    memcpy(envp, r->env.v, r->env.n * sizeof *envp);
    kd_sandbox_spec spec = {
        .mode = rootfs ? KD_SANDBOX_CHROOT : st->b->o->sandbox,
        .overlay = {lowers, nlowers, u ? u->upper : NULL, u ? u->work : NULL, true},
        .rootfs = rootfs,
        .argv = argv,
        .env = envp,
        .cwd = c->working_dir && *c->working_dir ? c->working_dir : "/",
        .user = c->user,
        .network = r->net,
        .binds = r->binds,
        .nbinds = r->nbinds,
        .stdout_fd = pfd[1],
        .stderr_fd = pfd[1],
    };
    out_tail tail = {.len = 0};
    kd_sandbox_result res = {0};
    double t0 = kd_now_ms();
    int rc = start_and_wait(st, &spec, pfd, &tail, &res, err);
    kd_phase_add(st->t, KD_PH_RUN, kd_now_ms() - t0, tail.total);
    if (rc == 0) {
        st->t->exit_code = res.exit_code;
        if (res.exit_code != 0 || res.signal)
            rc = step_failed(&r->argv, &res, &tail, err);
    }
    kd_sandbox_result_free(&res);
    free(argv);
    free(envp);
    free(lowers);
    return rc;
}

/* ---- the chroot fallback ---- */

typedef struct chroot_run {
    bld_step *st;
    run_spec *r;
} chroot_arg;

/* A heredoc script goes where BuildKit binds it, /dev/pipes/NAME: /dev is
 * left out of a RUN's changes. Every path is resolved inside the root. */
static int place_script(const run_spec *r, const char *root, kd_error **err)
{
    int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int dev = rootfd < 0 ? -1 : kd_root_open(rootfd, "/dev", O_PATH | O_DIRECTORY, 0, KD_IN_ROOT);
    int rc = dev < 0 || (mkdirat(dev, "pipes", 0755) < 0 && errno != EEXIST) ? -1 : 0;
    int pipes = rc < 0 ? -1 : kd_root_open(rootfd, "/dev/pipes", O_PATH | O_DIRECTORY, 0, KD_IN_ROOT);
    int src = open(r->script_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    const char *name = strrchr(r->argv.v[0], '/') + 1;
    struct stat sst;
    if (pipes < 0 || src < 0 || fstatat(src, name, &sst, 0) < 0)
        rc = kd_err(err, errno, "cannot place the heredoc script in /dev/pipes");
    else if ((unlinkat(pipes, name, 0) < 0 && errno != ENOENT) ||
             kd_tree_copy_node(src, name, &sst, pipes, err) < 0)
        rc = kd_err(err, errno, "cannot place the heredoc script in /dev/pipes");
    int fds[] = {rootfd, dev, pipes, src};
    for (size_t i = 0; i < 4; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return rc;
}

static int chroot_run_fn(const char *root, void *arg, kd_error **err)
{
    chroot_arg *c = arg;
    if (c->r->script_dir && place_script(c->r, root, err) < 0)
        return -1;
    return run_sandbox(c->st, c->r, NULL, root, err);
}

/* What a chroot cannot give a RUN: mounts and a network namespace. */
static int chroot_run(bld_step *st, run_spec *r, kd_error **err)
{
    if (r->nbinds > (r->script_dir ? 1u : 0u))
        return kd_err(err, 0, "RUN --mount needs mount namespaces, which this machine does not "
                              "allow (the chroot fallback)");
    if (r->net == KD_NET_NONE)
        return kd_err(err, 0, "RUN --network=none needs a network namespace, which this machine "
                              "does not allow (the chroot fallback)");
    chroot_arg c = {st, r};
    return bld_chroot_step(st, chroot_run_fn, &c, true, err);
}

/* The rest of the key: the command as run, its environment (ENV, ARG and
 * proxy values) and network; USER, WORKDIR and SHELL are in the image. */
static int lookup(bld_step *st, const run_spec *r, kd_error **err)
{
    bld_key_add(st, "created_by", st->created_by);
    for (size_t i = 0; i < r->argv.n; i++)
        bld_key_add(st, "argv", r->argv.v[i]);
    for (size_t i = 0; i < r->env.n; i++)
        bld_key_add(st, "env", r->env.v[i]);
    char net[16];
    snprintf(net, sizeof net, "%d", (int)r->net);
    bld_key_add(st, "network", net);
    return bld_cache_lookup(st, err);
}

int bld_instr_run(bld_step *st, kd_error **err)
{
    run_spec r;
    memset(&r, 0, sizeof r);
    bld_upper u = {0};
    bld_key_begin(st);
    int rc = parse_flags(st, &r, err);
    if (rc == 0)
        rc = build_argv(st, &r, err);
    if (rc == 0) {
        build_env(st, &r);
        st->created_by = history_text(st, &r.argv);
        rc = lookup(st, &r, err);
    }
    if (rc == 0)
        rc = bld_cache_miss(st, err);
    if (rc == 0 && bld_use_chroot(st->b)) {
        rc = chroot_run(st, &r, err);
        run_spec_free(&r);
        return rc < 0 ? -1 : 0;
    }
    if (rc == 0)
        rc = bld_upper_new(st->b, &u, err);
    if (rc == 0)
        rc = run_sandbox(st, &r, &u, NULL, err);
    if (rc == 0)
        rc = bld_commit(st, &u, err);
    bld_upper_free(&u);
    run_spec_free(&r);
    return rc < 0 ? -1 : 0;
}
