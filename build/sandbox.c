/* The kdoctor side of the sandbox: the stub lower dir, starting the child,
 * reading its report, waiting, cleaning up; capability detection; and
 * kd_sandbox_call. The child side is in sandbox_ns.c and sandbox_exec.c.
 * Owner: build-sandbox (helper C). */
#include "build/sandbox.h"
#include "build/sandbox_int.h"
#include "util/buf.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A temp dir and an fd of it holding a shared flock while it is in use. */
typedef struct sbx_tmp {
    char *path;
    int lock;
} sbx_tmp;

struct kd_sandbox {
    pid_t pid;      /* child A */
    int report;     /* read end of the report pipe */
    int cancel;     /* chroot mode: our end of the runner's control socket; else -1 */
    sbx_tmp tmp;    /* stub/, root/ and hosts; removed by wait */
    char **created; /* chroot mode: what we added to the tree */
    size_t ncreated, cap;
};

/* ---- the report pipe ---- */

static void report(int fd, char type, const void *p, size_t n)
{
    char msg[PIPE_BUF];
    if (n > sizeof msg - 1)
        n = sizeof msg - 1;
    msg[0] = type;
    memcpy(msg + 1, p, n);
    ssize_t w;
    do
        w = write(fd, msg, n + 1);
    while (w < 0 && errno == EINTR);
}

void sbx_report_err(int fd, int errnum, const char *fmt, ...)
{
    char text[PIPE_BUF - 1];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if (errnum && (size_t)n < sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, ": %s", strerror(errnum));
    /* the text goes with its NUL: several messages may arrive in one read */
    size_t len = (size_t)n < sizeof text - 1 ? (size_t)n : sizeof text - 2;
    text[len] = '\0';
    report(fd, 'E', text, len + 1);
}

void sbx_report_status(int fd, int status)
{
    report(fd, 'S', &status, sizeof status);
}

typedef struct reading {
    char *err;      /* first 'E' message, owned */
    bool have_status;
    int status;
} reading;

/* Splits what the pipe carried into messages: 'E' text NUL, 'S' int.
 * Writes are atomic, but one read may return several of them. */
static void parse_reports(const char *p, size_t n, reading *r)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] == 'E') {
            const char *end = memchr(p + i + 1, '\0', n - i - 1);
            size_t len = end ? (size_t)(end - (p + i + 1)) : n - i - 1;
            if (r->err == NULL)
                r->err = kd_xstrndup(p + i + 1, len);
            i += 1 + len + (end != NULL);
        } else if (p[i] == 'S' && n - i >= 1 + sizeof(int)) {
            if (!r->have_status) {
                memcpy(&r->status, p + i + 1, sizeof(int));
                r->have_status = true;
            }
            i += 1 + sizeof(int);
        } else {
            return; /* not a message of ours */
        }
    }
}

/* Reads messages until every writer is gone (the step's processes have
 * closed it: CLOEXEC at their exec, or their exit). */
static void read_reports(int fd, reading *r)
{
    kd_buf all = KD_BUF_INIT;
    char msg[PIPE_BUF];
    for (;;) {
        ssize_t n = read(fd, msg, sizeof msg);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        kd_buf_add(&all, msg, (size_t)n);
    }
    parse_reports(all.data, all.len, r);
    kd_buf_free(&all);
}

int sbx_die_with_parent(pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return -1;
    /* the parent may have died before prctl: then we were reparented */
    return getppid() == parent ? 0 : -1;
}

/* ---- temp dirs ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_tree(const char *dir)
{
    if (dir)
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *tmp_base(void)
{
    const char *base = getenv("TMPDIR");
    return base && *base ? base : "/tmp";
}

/* Whether a kdoctor-run-new.* dir is an orphan: its maker renames it a few
 * microseconds after creating it, so one older than this was left by a
 * kdoctor killed in between. */
#define NEW_DIR_ORPHAN_SECONDS 600

static bool orphan(int dirfd_, const char *name)
{
    if (strncmp(name, "kdoctor-run-new.", 16) == 0) {
        struct stat st;
        return fstatat(dirfd_, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
               time(NULL) - st.st_mtime > NEW_DIR_ORPHAN_SECONDS;
    }
    if (strncmp(name, "kdoctor-run.", 12) != 0)
        return false;
    int fd = openat(dirfd_, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    bool free_ = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (fd >= 0)
        close(fd); /* a kdoctor starting now cannot take this name: mkdtemp made it */
    return free_;
}

/* Removes the kdoctor-run.* dirs of processes that died without cleaning
 * up (kill -9): a live owner holds a shared flock on its dir, so an
 * exclusive one succeeds only on an orphan. Dirs are created under another
 * prefix and renamed once locked, so no dir is ever seen here unlocked.
 * (The prefix is not the kdoctor-sbx.* of kdoctors before these locks, so
 * an older kdoctor running beside this one keeps its dirs.) */
static void sweep_orphans(void)
{
    const char *base = tmp_base();
    DIR *d = opendir(base);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (!orphan(dirfd(d), e->d_name))
            continue;
        char *path = kd_asprintf("%s/%s", base, e->d_name);
        rm_tree(path);
        free(path);
    }
    if (d)
        closedir(d);
}

static int tmp_make(sbx_tmp *t, kd_error **err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sweep_orphans);
    const char *base = tmp_base();
    char *fresh = kd_asprintf("%s/kdoctor-run-new.XXXXXX", base);
    t->lock = -1;
    t->path = NULL;
    if (mkdtemp(fresh) == NULL) {
        kd_err(err, errno, "cannot create a temp dir in %s", base);
        free(fresh);
        return -1;
    }
    char *path = kd_asprintf("%s/kdoctor-run.%s", base, strrchr(fresh, '.') + 1);
    int fd = open(fresh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_SH) < 0 || rename(fresh, path) < 0) {
        kd_err(err, errno, "cannot lock the temp dir %s", fresh);
        rm_tree(fresh);
        if (fd >= 0)
            close(fd);
        free(fresh);
        free(path);
        return -1;
    }
    free(fresh);
    t->path = path;
    t->lock = fd;
    return 0;
}

static void tmp_drop(sbx_tmp *t)
{
    rm_tree(t->path);
    free(t->path);
    if (t->lock >= 0)
        close(t->lock);
    t->path = NULL;
    t->lock = -1;
}

int sbx_mkdirs(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    char *p = kd_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        /* explicit mode and owner: the umask must not decide */
        if (mkdir(p, mode) == 0)
            rc = chmod(p, mode) < 0 || lchown(p, uid, gid) < 0 ? -1 : 0;
        else if (errno != EEXIST)
            rc = -1;
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

static int touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* A mount point in the stub: a dir, or an empty file when the thing
 * mounted on it is a file. */
static int stub_point(const char *stub, const char *target, bool file, kd_error **err)
{
    char *path = kd_asprintf("%s/%s", stub, target + strspn(target, "/"));
    char *slash = strrchr(path, '/');
    *slash = '\0';
    int rc = sbx_mkdirs(path, 0755, (uid_t)-1, (gid_t)-1);
    *slash = '/';
    if (rc == 0)
        rc = file ? touch(path) : (mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0);
    if (rc < 0)
        kd_err(err, errno, "cannot create mount point %s", path);
    free(path);
    return rc;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The stub lower dir: every mount point the sandbox may need, so that no
 * mount point is ever created in the upper dir (see sandbox.h). */
static int make_stub(const kd_sandbox_spec *s, const char *tmp, sbx_paths *p, kd_error **err)
{
    static const char *const dirs[] = {"/proc", "/dev", "/sys"};
    static const char *const files[] = {"/etc/hosts", "/etc/resolv.conf"};
    for (size_t i = 0; i < 3; i++)
        if (stub_point(p->stub, dirs[i], false, err) < 0)
            return -1;
    for (size_t i = 0; i < 2; i++)
        if (stub_point(p->stub, files[i], true, err) < 0)
            return -1;
    for (size_t i = 0; i < s->nbinds; i++) {
        struct stat st;
        if (s->binds[i].target == NULL || s->binds[i].target[0] != '/')
            return kd_err(err, 0, "bind mount target must be an absolute path");
        if (stat(s->binds[i].source, &st) < 0)
            return kd_err(err, errno, "bind mount source %s", s->binds[i].source);
        if (stub_point(p->stub, s->binds[i].target, !S_ISDIR(st.st_mode), err) < 0)
            return -1;
    }
    if (s->network == KD_NET_NONE) {
        char *hosts = kd_asprintf("%s/hosts", tmp);
        char *text = kd_asprintf("127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost\n",
                                 s->hostname ? s->hostname : "buildkitsandbox");
        int rc = write_file(hosts, text);
        free(text);
        p->hosts = hosts;
        if (rc < 0)
            return kd_err(err, errno, "cannot write %s", hosts);
    }
    return 0;
}

/* ---- start / wait ---- */

static int check_spec(const kd_sandbox_spec *s, kd_error **err)
{
    if (s->argv == NULL || s->argv[0] == NULL)
        return kd_err(err, 0, "sandbox: no command to run");
    if (s->cwd && s->cwd[0] != '/')
        return kd_err(err, 0, "sandbox: working directory %s is not absolute", s->cwd);
    if (s->mode == KD_SANDBOX_CHROOT)
        return s->rootfs ? 0 : kd_err(err, 0, "sandbox: chroot mode needs a root tree");
    if (s->overlay.nlowers > KD_OVERLAY_MAX_LOWERS)
        return kd_err(err, 0, "sandbox: %zu layers, over overlayfs' limit of %d",
                      s->overlay.nlowers, KD_OVERLAY_MAX_LOWERS);
    if ((s->overlay.upper == NULL) != (s->overlay.work == NULL))
        return kd_err(err, 0, "sandbox: overlay upper and work dirs go together");
    if (s->overlay.upper == NULL && !s->readonly_root)
        return kd_err(err, 0, "sandbox: an overlay without an upper dir must be read-only");
    return 0;
}

static kd_sandbox_mode pick_mode(const kd_sandbox_spec *s, kd_error **err)
{
    if (s->mode != KD_SANDBOX_AUTO)
        return s->mode;
    const kd_sandbox_caps *c = kd_sandbox_detect();
    if (c->namespaces && c->overlay)
        return KD_SANDBOX_NAMESPACES;
    if (s->rootfs)
        return KD_SANDBOX_CHROOT;
    kd_err(err, 0, "sandbox: %s, and no root tree was given for the chroot fallback", c->why);
    return KD_SANDBOX_AUTO;
}

static void close_pair(int fds[2])
{
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

static int fork_child(kd_sandbox *sb, const kd_sandbox_spec *s, kd_sandbox_mode mode,
                      const sbx_paths *p, kd_error **err)
{
    int fds[2], ctl[2] = {-1, -1};
    if (pipe2(fds, O_CLOEXEC) < 0)
        return kd_err(err, errno, "sandbox: pipe");
    /* a socket, not a pipe: a cancel sent after the runner is gone must not
     * raise SIGPIPE (MSG_NOSIGNAL) */
    if (mode == KD_SANDBOX_CHROOT && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0) {
        close_pair(fds);
        return kd_err(err, errno, "sandbox: socketpair");
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close_pair(fds), close_pair(ctl);
        return kd_err(err, errno, "sandbox: fork");
    }
    if (pid == 0) {
        close(fds[0]);
        if (mode == KD_SANDBOX_CHROOT) {
            close(ctl[0]);
            sbx_run_chroot(s, fds[1], ctl[1], parent);
        }
        sbx_run_ns(s, p, fds[1], parent);
    }
    close(fds[1]);
    if (ctl[1] >= 0)
        close(ctl[1]);
    sb->pid = pid;
    sb->report = fds[0];
    sb->cancel = ctl[0];
    return 0;
}

static int prepare_ns(const kd_sandbox_spec *s, kd_sandbox *sb, sbx_paths *p, kd_error **err)
{
    if (tmp_make(&sb->tmp, err) < 0)
        return -1;
    char *stub = kd_asprintf("%s/stub", sb->tmp.path), *root = kd_asprintf("%s/root", sb->tmp.path);
    p->stub = stub, p->root = root;
    p->hosts = "/etc/hosts", p->resolv = "/etc/resolv.conf";
    if (s->network == KD_NET_NONE)
        p->resolv = NULL;
    if (mkdir(stub, 0755) < 0 || mkdir(root, 0755) < 0)
        return kd_err(err, errno, "sandbox: cannot create %s", root);
    return make_stub(s, sb->tmp.path, p, err);
}

static void note_created(kd_sandbox *sb, const char *rel)
{
    KD_GROW(sb->created, sb->cap, sb->ncreated + 1);
    sb->created[sb->ncreated++] = kd_xstrdup(rel);
}

/* The chroot fallback cannot mount /dev: it makes the few device nodes a
 * step needs when the tree lacks them (CAP_MKNOD; skipped without it) and
 * tells the caller, whose snapshot must leave them out. */
static void prepare_chroot(const kd_sandbox_spec *s, kd_sandbox *sb)
{
    static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
    char *dev = kd_asprintf("%s/dev", s->rootfs);
    if (mkdir(dev, 0755) == 0)
        note_created(sb, "dev");
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        char host[32];
        snprintf(host, sizeof host, "/dev/%s", nodes[i]);
        char *path = kd_asprintf("%s/%s", dev, nodes[i]);
        struct stat st, have;
        if (lstat(path, &have) < 0 && stat(host, &st) == 0 &&
            mknod(path, S_IFCHR | 0666, st.st_rdev) == 0) {
            chmod(path, 0666); /* past the umask */
            char rel[32];
            snprintf(rel, sizeof rel, "dev/%s", nodes[i]);
            note_created(sb, rel);
        }
        free(path);
    }
    free(dev);
}

static void free_paths(sbx_paths *p)
{
    free((char *)p->stub);
    free((char *)p->root);
    if (p->hosts && strcmp(p->hosts, "/etc/hosts") != 0)
        free((char *)p->hosts);
}

int kd_sandbox_start(const kd_sandbox_spec *s, kd_sandbox **out, kd_error **err)
{
    if (check_spec(s, err) < 0)
        return -1;
    kd_sandbox_mode mode = pick_mode(s, err);
    if (mode == KD_SANDBOX_AUTO)
        return -1;
    kd_sandbox *sb = kd_xcalloc(1, sizeof *sb);
    sb->tmp.lock = -1; /* chroot mode makes no temp dir */
    sb->cancel = -1;
    sbx_paths p = {0};
    int rc = 0;
    if (mode == KD_SANDBOX_CHROOT)
        prepare_chroot(s, sb);
    else
        rc = prepare_ns(s, sb, &p, err);
    if (rc == 0)
        rc = fork_child(sb, s, mode, &p, err);
    free_paths(&p);
    if (rc < 0) {
        kd_sandbox_result r = {.created = sb->created, .ncreated = sb->ncreated};
        kd_sandbox_result_free(&r);
        tmp_drop(&sb->tmp);
        free(sb);
        return -1;
    }
    *out = sb;
    return 0;
}

static void decode(int status, kd_sandbox_result *res)
{
    if (WIFSIGNALED(status))
        res->signal = WTERMSIG(status), res->exit_code = 128 + res->signal;
    else
        res->exit_code = WEXITSTATUS(status);
}

int kd_sandbox_wait(kd_sandbox *sb, kd_sandbox_result *res, kd_error **err)
{
    *res = (kd_sandbox_result){0};
    reading r = {0};
    read_reports(sb->report, &r);
    close(sb->report);
    if (sb->cancel >= 0)
        close(sb->cancel);
    int st = 0;
    while (waitpid(sb->pid, &st, 0) < 0 && errno == EINTR)
        ;
    tmp_drop(&sb->tmp);
    res->created = sb->created, res->ncreated = sb->ncreated;
    free(sb);
    int rc = 0;
    if (r.err)
        rc = kd_err(err, 0, "sandbox: %s", r.err);
    else if (r.have_status)
        decode(r.status, res);
    else
        rc = kd_err(err, 0, "sandbox: the step's init process died (status %d)", st);
    free(r.err);
    return rc;
}

void kd_sandbox_kill(kd_sandbox *sb)
{
    if (sb->cancel >= 0) {
        /* the chroot runner kills what the step left before it exits; a
         * SIGKILL would orphan the step's daemons (they would keep its
         * output pipe open) */
        send(sb->cancel, "k", 1, MSG_NOSIGNAL);
        close(sb->cancel);
        sb->cancel = -1;
        return;
    }
    /* A's death fires B's PDEATHSIG; B's death empties the PID namespace */
    kill(sb->pid, SIGKILL);
}

bool kd_sandbox_exited(kd_sandbox *sb)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int rc;
    while ((rc = waitid(P_PID, (id_t)sb->pid, &si, WEXITED | WNOHANG | WNOWAIT)) < 0 &&
           errno == EINTR)
        ;
    /* an error (it cannot be waited for) must not make the caller wait */
    return rc < 0 || si.si_pid == sb->pid;
}

int kd_sandbox_run(const kd_sandbox_spec *s, kd_sandbox_result *res, kd_error **err)
{
    kd_sandbox *sb;
    if (kd_sandbox_start(s, &sb, err) < 0)
        return -1;
    return kd_sandbox_wait(sb, res, err);
}

void kd_sandbox_result_free(kd_sandbox_result *res)
{
    for (size_t i = 0; i < res->ncreated; i++)
        free(res->created[i]);
    free(res->created);
    *res = (kd_sandbox_result){0};
}

/* ---- detection ---- */

enum { CAP_NS = 1, CAP_OVL = 2, CAP_PLUS = 4 };

/* In a child: the namespaces, then an overlay of two lowers in tmp. */
static int probe_child(const char *tmp)
{
    if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) < 0)
        return 0;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return CAP_NS;
    char *l = kd_asprintf("%s/l", tmp), *l2 = kd_asprintf("%s/l2", tmp);
    char *u = kd_asprintf("%s/u", tmp), *w = kd_asprintf("%s/w", tmp);
    char *m = kd_asprintf("%s/m", tmp);
    mkdir(l, 0755), mkdir(l2, 0755), mkdir(u, 0755), mkdir(w, 0755), mkdir(m, 0755);
    const char *lowers[] = {l};
    /* volatile, as the steps' overlays: otherwise the probe's unmount
     * syncs the whole temp file system, which right after the pull of a
     * big base holds a gigabyte of dirty pages (1.3 s on a 900 MB base) */
    kd_overlay ov = {lowers, 1, u, w, true};
    char msg[256];
    int caps = CAP_NS;
    /* the child exits right after: its allocations die with it */
    if (sbx_mount_overlay(&ov, l2, m, false, msg, sizeof msg) == 0)
        caps |= CAP_OVL | (strcmp(msg, "lowerdir+") == 0 ? CAP_PLUS : 0);
    return caps;
}

static kd_sandbox_caps caps;

static void detect_once(void)
{
    caps.why = "cannot fork a probe process";
    sbx_tmp tmp;
    pid_t pid = tmp_make(&tmp, NULL) == 0 ? fork() : -1;
    if (pid == 0)
        _exit(probe_child(tmp.path));
    int st = 0;
    if (pid > 0)
        waitpid(pid, &st, 0);
    tmp_drop(&tmp);
    if (pid < 0 || !WIFEXITED(st))
        return;
    int c = WEXITSTATUS(st);
    caps.namespaces = c & CAP_NS, caps.overlay = c & CAP_OVL, caps.lowerdir_plus = c & CAP_PLUS;
    caps.why = !caps.namespaces ? "namespaces are not available here (no CAP_SYS_ADMIN?)"
               : !caps.overlay  ? "overlayfs cannot be mounted here"
                                : NULL;
}

const kd_sandbox_caps *kd_sandbox_detect(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, detect_once);
    return &caps;
}

/* ---- a function inside a mounted overlay ---- */

static void call_child(const kd_overlay *ov, const char *root, kd_sandbox_fn fn, void *arg,
                       int rep, pid_t parent)
{
    char msg[512];
    if (sbx_die_with_parent(parent) < 0)
        _exit(1);
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        sbx_report_err(rep, errno, "cannot create a mount namespace");
        _exit(1);
    }
    if (sbx_mount_overlay(ov, NULL, root, false, msg, sizeof msg) < 0) {
        sbx_report_err(rep, 0, "%s", msg);
        _exit(1);
    }
    kd_error *e = NULL;
    if (fn(root, arg, &e) < 0) {
        sbx_report_err(rep, 0, "%s", e ? e->msg : "failed");
        _exit(1);
    }
    sbx_report_status(rep, 0);
    _exit(0);
}

int kd_sandbox_call(const kd_overlay *ov, kd_sandbox_fn fn, void *arg, kd_error **err)
{
    sbx_tmp tmp;
    if (tmp_make(&tmp, err) < 0)
        return -1;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        tmp_drop(&tmp);
        return kd_err(err, errno, "pipe");
    }
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        close(fds[0]);
        call_child(ov, tmp.path, fn, arg, fds[1], parent);
    }
    close(fds[1]);
    reading r = {0};
    if (pid > 0)
        read_reports(fds[0], &r);
    close(fds[0]);
    int st = 0;
    while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    tmp_drop(&tmp);
    int rc = 0;
    if (pid < 0)
        rc = kd_err(err, errno, "fork");
    else if (r.err)
        rc = kd_err(err, 0, "%s", r.err);
    else if (!r.have_status)
        rc = kd_err(err, 0, "the overlay process died (status %d)", st);
    free(r.err);
    return rc;
}

int kd_sandbox_mount_lowers(const kd_overlay *ov, const char *target, kd_error **err)
{
    if (ov->upper != NULL || ov->nlowers < 2)
        return kd_err(err, 0, "a read-only overlay needs two lower dirs and no upper dir");
    char msg[512];
    if (sbx_mount_overlay(ov, NULL, target, false, msg, sizeof msg) < 0)
        return kd_err(err, 0, "%s", msg);
    return 0;
}
