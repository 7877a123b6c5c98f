/* The step's own process (C) in both modes, and the chroot fallback's
 * runner. Runs in forked children only. Owner: build-sandbox (helper C). */
#include "build/sandbox_int.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* stdin from /dev/null, stdout/stderr to the caller's fds, nothing else
 * open after exec (everything else becomes close-on-exec). */
static int setup_fds(const kd_sandbox_spec *s)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int out = s->stdout_fd >= 0 ? fcntl(s->stdout_fd, F_DUPFD_CLOEXEC, 10) : null;
    int err = s->stderr_fd >= 0 ? fcntl(s->stderr_fd, F_DUPFD_CLOEXEC, 10) : null;
    if (null < 0 || out < 0 || err < 0)
        return -1;
    if (dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        return -1;
    return close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
}

/* kdoctor's signal mask and ignored signals must not leak into the step. */
static void reset_signals(void)
{
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
}

static char **step_env(const kd_sandbox_spec *s, const char *home)
{
    size_t n = 0;
    bool has_home = false;
    for (; s->env && s->env[n]; n++)
        has_home |= strncmp(s->env[n], "HOME=", 5) == 0;
    char **env = kd_xcalloc(n + 2, sizeof *env);
    for (size_t i = 0; i < n; i++)
        env[i] = (char *)s->env[i];
    if (!has_home)
        env[n] = kd_asprintf("HOME=%s", home); /* as runc does */
    return env;
}

void sbx_enter_user(const kd_sandbox_spec *s, int rep, kd_ids *ids)
{
    int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    kd_error *e = NULL;
    if (kd_user_resolve(rootfd, s->user, ids, &e) < 0) {
        sbx_report_err(rep, 0, "%s", e->msg);
        _exit(1);
    }
    close(rootfd);
    const char *cwd = s->cwd ? s->cwd : "/";
    if (sbx_mkdirs(cwd, 0755, ids->uid, ids->gid) < 0) {
        sbx_report_err(rep, errno, "cannot create the working directory %s", cwd);
        _exit(1);
    }
}

void sbx_exec_step(const kd_sandbox_spec *s, const kd_ids *ids, int rep)
{
    const char *cwd = s->cwd ? s->cwd : "/";
    setsid();
    if (setup_fds(s) < 0) {
        sbx_report_err(rep, errno, "cannot set up the step's stdin/stdout/stderr");
        _exit(127);
    }
    reset_signals();
    if (setgroups(ids->ngroups, ids->groups) < 0 || setgid(ids->gid) < 0 || setuid(ids->uid) < 0) {
        sbx_report_err(rep, errno, "cannot switch to user %s", s->user ? s->user : "root");
        _exit(127);
    }
    /* changing credentials clears PDEATHSIG: set it again */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (chdir(cwd) < 0) {
        sbx_report_err(rep, errno, "cannot enter the working directory %s", cwd);
        _exit(127);
    }
    environ = step_env(s, ids->home);
    execvp(s->argv[0], (char *const *)s->argv);
    sbx_report_err(rep, errno, "cannot run %s", s->argv[0]);
    _exit(127);
}

/* ---- the chroot fallback ---- */

/* The parent pid in /proc/PID/stat (after the ")" that ends the name). */
static pid_t ppid_of(const char *pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    int ppid;
    return p && sscanf(p + 1, " %*c %d", &ppid) == 1 ? ppid : -1;
}

static size_t kill_children(void)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return 0;
    pid_t me = getpid();
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9' || ppid_of(de->d_name) != me)
            continue;
        kill((pid_t)atoi(de->d_name), SIGKILL);
        n++;
    }
    closedir(d);
    return n;
}

/* Without a PID namespace, the runner is a child subreaper: everything the
 * step leaves behind (daemons included, setsid or not) is reparented to
 * it; it kills its children until none is left. Then the step's output
 * pipe has no writer left but the runner itself. */
static void kill_leftovers(void)
{
    for (;;) {
        kill_children();
        pid_t pid = waitpid(-1, NULL, 0);
        if (pid < 0 && errno != EINTR)
            return;
    }
}

static void chroot_step(const kd_sandbox_spec *s, int rep, pid_t parent)
{
    if (sbx_die_with_parent(parent) < 0)
        _exit(1);
    if (chroot(s->rootfs) < 0 || chdir("/") < 0) {
        sbx_report_err(rep, errno, "cannot chroot into %s", s->rootfs);
        _exit(1);
    }
    kd_ids ids;
    sbx_enter_user(s, rep, &ids);
    sbx_exec_step(s, &ids, rep);
}

/* The runner must never die before it has killed the step's processes:
 * a daemon it leaves would hold the output pipe open and kdoctor would
 * wait for it. So it is not killed but told: by kdoctor through ctl, or,
 * when kdoctor (the thread that forked it) dies, by SIGTERM, its
 * parent-death signal, read with SIGCHLD from a signalfd. SIGTERM is
 * blocked before it is armed, so it can never run kdoctor's inherited
 * handler or the default action. Ctrl-C, SIGQUIT and SIGHUP reach kdoctor
 * too (same process group): kdoctor decides, the runner ignores them.
 * Returns the signalfd, or -1. */
static int runner_signals(pid_t parent)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -1;
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent ||
        prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        return -1;
    return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Waits for the step's main process, reaping the other children that end
 * meanwhile. Returns true with its wait status, or false when kdoctor
 * cancels (ctl readable or closed) or dies (SIGTERM). */
static bool wait_step(pid_t step, int sfd, int ctl, int *status)
{
    for (;;) {
        int st;
        pid_t pid;
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
            if (pid == step) {
                *status = st;
                return true;
            }
        if (pid < 0) { /* cannot be: the step is our child until reaped */
            *status = 255 << 8;
            return true;
        }
        /* a SIGCHLD after the waitpid above stays pending in sfd */
        struct pollfd p[2] = {{sfd, POLLIN, 0}, {ctl, POLLIN, 0}};
        if (poll(p, 2, -1) < 0)
            continue; /* EINTR: every signal that matters is blocked */
        if (p[1].revents)
            return false;
        struct signalfd_siginfo si;
        if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si && si.ssi_signo == SIGTERM)
            return false;
    }
}

void sbx_run_chroot(const kd_sandbox_spec *s, int rep, int ctl, pid_t parent)
{
    int sfd = runner_signals(parent);
    if (sfd < 0)
        _exit(1);
    pid_t me = getpid(), step = fork();
    if (step == 0)
        chroot_step(s, rep, me); /* sfd and ctl are close-on-exec */
    if (step < 0) {
        sbx_report_err(rep, errno, "cannot fork the step");
        _exit(1);
    }
    int st;
    if (wait_step(step, sfd, ctl, &st))
        sbx_report_status(rep, st);
    close(rep);
    kill_leftovers(); /* the step too, when cancelled */
    _exit(0);
}
