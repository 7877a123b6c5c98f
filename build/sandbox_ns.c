/* The namespace side of the sandbox: process A (unshares) and process B
 * (PID 1 of the step: mounts, pivot_root, reaping). Everything here runs in
 * a forked child and reports errors through the report pipe, then _exits.
 * Owner: build-sandbox (helper C). */
#include "build/fsroot.h"
#include "build/sandbox_int.h"
#include "util/buf.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* So that the upper dir is a self-contained layer: no redirects, no
 * metadata-only copy-ups, no index, no inode number remapping. */
static const char *const ovl_opts[][2] = {
    {"redirect_dir", "off"}, {"metacopy", "off"}, {"index", "off"}, {"xino", "off"}};

/* ---- the overlay ---- */

/* The kernel's last messages about an fs context, appended to msg. */
static void fs_messages(int fsfd, char *msg, size_t len)
{
    char buf[512];
    ssize_t n;
    size_t used = strlen(msg);
    while (used + 3 < len && (n = read(fsfd, buf, sizeof buf - 1)) > 0) {
        buf[n] = '\0';
        used += (size_t)snprintf(msg + used, len - used, " (%s)", buf);
    }
}

/* The new mount API: "lowerdir+" takes one layer per call (Linux >= 6.8),
 * so there is no length limit. 1 means "not supported here". */
static int mount_new_api(const kd_overlay *ov, const char *stub, const char *target, char *msg,
                         size_t len)
{
    int fs = fsopen("overlay", FSOPEN_CLOEXEC);
    if (fs < 0)
        return 1;
    int rc = 0;
    for (size_t i = 0; i <= ov->nlowers && rc == 0; i++) {
        const char *l = i < ov->nlowers ? ov->lowers[i] : stub;
        if (l == NULL)
            continue;
        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", l, 0) < 0)
            rc = (i == 0 && errno == EINVAL) ? 1 : -1;
        if (rc < 0)
            snprintf(msg, len, "overlay lower dir %s: %s", l, strerror(errno));
    }
    if (rc == 0 && ov->upper &&
        (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", ov->upper, 0) < 0 ||
         fsconfig(fs, FSCONFIG_SET_STRING, "workdir", ov->work, 0) < 0)) {
        snprintf(msg, len, "overlay upper/work dir %s: %s", ov->upper, strerror(errno));
        rc = -1;
    }
    for (size_t i = 0; i < 4 && rc == 0; i++)
        if (fsconfig(fs, FSCONFIG_SET_STRING, ovl_opts[i][0], ovl_opts[i][1], 0) < 0)
            snprintf(msg, len, "overlay option %s: %s", ovl_opts[i][0], strerror(errno)), rc = -1;
    if (rc == 0 && ov->upper && ov->no_sync) /* an optimisation: kernels < 5.10 lack it */
        fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0);
    if (rc == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        snprintf(msg, len, "cannot mount the overlay: %s", strerror(errno)), rc = -1;
    int mfd = rc == 0 ? fsmount(fs, FSMOUNT_CLOEXEC, 0) : -1;
    if (rc == 0 && (mfd < 0 || move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0))
        snprintf(msg, len, "cannot attach the overlay at %s: %s", target, strerror(errno)), rc = -1;
    if (rc < 0)
        fs_messages(fs, msg, len);
    if (mfd >= 0)
        close(mfd);
    close(fs);
    if (rc == 0)
        snprintf(msg, len, "lowerdir+");
    return rc;
}

/* The directory every absolute lower dir is under ("" if none). */
static size_t common_parent(const kd_overlay *ov)
{
    if (ov->nlowers == 0 || ov->lowers[0][0] != '/')
        return 0;
    const char *first = ov->lowers[0];
    size_t n = strlen(first);
    for (size_t i = 1; i < ov->nlowers; i++) {
        const char *l = ov->lowers[i];
        if (l[0] != '/')
            return 0;
        size_t k = 0;
        while (k < n && first[k] == l[k])
            k++;
        n = k;
    }
    while (n > 0 && !(first[n] == '/' || first[n] == '\0'))
        n--;
    /* the common part must be a whole directory of every lower */
    for (size_t i = 0; i < ov->nlowers; i++)
        if (ov->lowers[i][n] != '/')
            return 0;
    return n;
}

static int add_path(kd_buf *b, const char *p, char *msg, size_t len)
{
    if (strchr(p, ',')) {
        snprintf(msg, len, "overlay path %s contains a comma, which mount(2) cannot pass", p);
        return -1;
    }
    for (; *p; p++) {
        if (*p == ':' || *p == '\\')
            kd_buf_addc(b, '\\');
        kd_buf_addc(b, *p);
    }
    return 0;
}

/* Builds "lowerdir=...,upperdir=...,..." with lower dirs relative to
 * their common parent (the caller chdirs there), to fit in one page. */
static int legacy_options(const kd_overlay *ov, const char *stub, size_t cut, bool no_sync,
                          kd_buf *b, char *msg, size_t len)
{
    kd_buf_adds(b, "lowerdir=");
    for (size_t i = 0; i < ov->nlowers; i++) {
        if (i)
            kd_buf_addc(b, ':');
        if (add_path(b, ov->lowers[i] + (cut ? cut + 1 : 0), msg, len) < 0)
            return -1;
    }
    if (stub && (kd_buf_addc(b, ':'), add_path(b, stub, msg, len) < 0))
        return -1;
    if (ov->upper) {
        kd_buf_adds(b, ",upperdir=");
        if (add_path(b, ov->upper, msg, len) < 0)
            return -1;
        kd_buf_adds(b, ",workdir=");
        if (add_path(b, ov->work, msg, len) < 0)
            return -1;
    }
    for (size_t i = 0; i < 4; i++)
        kd_buf_addf(b, ",%s=%s", ovl_opts[i][0], ovl_opts[i][1]);
    if (ov->upper && no_sync)
        kd_buf_adds(b, ",volatile");
    long page = sysconf(_SC_PAGESIZE);
    if ((long)b->len >= page) {
        snprintf(msg, len,
                 "overlay options for %zu layers take %zu bytes, over mount(2)'s limit of %ld; "
                 "this kernel lacks fsconfig lowerdir+ (Linux 6.8) which has no limit",
                 ov->nlowers, b->len, page - 1);
        return -1;
    }
    return 0;
}

static int mount_legacy(const kd_overlay *ov, const char *stub, const char *target, char *msg,
                        size_t len)
{
    size_t cut = common_parent(ov);
    kd_buf opts = KD_BUF_INIT;
    int rc = legacy_options(ov, stub, cut, ov->no_sync, &opts, msg, len);
    int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    char *dir = cut ? kd_xstrndup(ov->lowers[0], cut) : NULL;
    if (rc == 0 && dir && chdir(dir) < 0)
        snprintf(msg, len, "cannot enter %s: %s", dir, strerror(errno)), rc = -1;
    int e = rc == 0 && mount("overlay", target, "overlay", 0, opts.data) < 0 ? errno : 0;
    if (e == EINVAL && ov->upper && ov->no_sync) { /* a kernel without "volatile" */
        kd_buf_free(&opts);
        rc = legacy_options(ov, stub, cut, false, &opts, msg, len);
        e = rc == 0 && mount("overlay", target, "overlay", 0, opts.data) < 0 ? errno : 0;
    }
    if (e)
        snprintf(msg, len, "cannot mount the overlay on %s: %s", target, strerror(e)), rc = -1;
    if (here >= 0) {
        if (fchdir(here) < 0 && rc == 0)
            snprintf(msg, len, "cannot return to the working dir"), rc = -1;
        close(here);
    }
    if (rc == 0)
        snprintf(msg, len, "legacy");
    free(dir);
    kd_buf_free(&opts);
    return rc;
}

int sbx_mount_overlay(const kd_overlay *ov, const char *stub, const char *target, bool legacy,
                      char *msg, size_t len)
{
    msg[0] = '\0';
    if (ov->nlowers + (stub != NULL) == 0) {
        snprintf(msg, len, "overlay: no lower dir");
        return -1;
    }
    int rc = legacy ? 1 : mount_new_api(ov, stub, target, msg, len);
    return rc == 1 ? mount_legacy(ov, stub, target, msg, len) : rc;
}

/* ---- mounts inside the root ---- */

/* Mounts on ROOT/rel, resolved inside the root so that a symlink in the
 * image cannot redirect a mount onto a host path. */
static int mount_in(int rootfd, const char *rel, const char *src, const char *type,
                    unsigned long flags, const char *data)
{
    int fd = kd_root_open(rootfd, rel, O_PATH, 0, KD_IN_ROOT);
    if (fd < 0)
        return -1;
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    int rc = mount(src, p, type, flags, data);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* Makes the mount now at ROOT/rel read-only (a bind needs a remount). */
static int remount_ro(int rootfd, const char *rel)
{
    int fd = kd_root_open(rootfd, rel, O_PATH, 0, KD_IN_ROOT);
    if (fd < 0)
        return -1;
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    int rc = mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
    close(fd);
    return rc;
}

static int bind_in(int rootfd, const char *rel, const char *src, bool ro)
{
    if (mount_in(rootfd, rel, src, NULL, MS_BIND | MS_REC, NULL) < 0)
        return -1;
    return ro ? remount_ro(rootfd, rel) : 0;
}

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

/* /dev: a small tmpfs with the usual nodes bound from the host's /dev. */
static int setup_dev(int rootfd, int rep)
{
    if (mount_in(rootfd, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k") < 0) {
        sbx_report_err(rep, errno, "cannot mount /dev");
        return -1;
    }
    int dev = kd_root_open(rootfd, "dev", O_PATH | O_DIRECTORY, 0, KD_IN_ROOT);
    for (size_t i = 0; dev >= 0 && i < sizeof dev_nodes / sizeof dev_nodes[0]; i++) {
        char host[64], rel[64];
        snprintf(host, sizeof host, "/dev/%s", dev_nodes[i]);
        snprintf(rel, sizeof rel, "dev/%s", dev_nodes[i]);
        int fd = openat(dev, dev_nodes[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
        if (fd < 0 || (close(fd), bind_in(rootfd, rel, host, false)) < 0) {
            sbx_report_err(rep, errno, "cannot bind %s", host);
            return -1;
        }
    }
    if (dev < 0 || mkdirat(dev, "pts", 0755) < 0 || mkdirat(dev, "shm", 01777) < 0 ||
        mount_in(rootfd, "dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                 "newinstance,ptmxmode=0666,mode=0620") < 0 ||
        mount_in(rootfd, "dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "mode=1777,size=65536k") < 0) {
        sbx_report_err(rep, errno, "cannot set up /dev/pts and /dev/shm");
        return -1;
    }
    static const char *const links[][2] = {{"pts/ptmx", "ptmx"},         {"/proc/self/fd", "fd"},
                                           {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
                                           {"/proc/self/fd/2", "stderr"}};
    for (size_t i = 0; i < 5; i++)
        if (symlinkat(links[i][0], dev, links[i][1]) < 0) {
            sbx_report_err(rep, errno, "cannot create /dev/%s", links[i][1]);
            return -1;
        }
    close(dev);
    return 0;
}

/* /etc/hosts and /etc/resolv.conf, read-only; skipped when the host has
 * none or the image's path is a dangling symlink. */
static int setup_etc(int rootfd, const sbx_paths *p, int rep)
{
    const char *src[2] = {p->hosts, p->resolv}, *rel[2] = {"etc/hosts", "etc/resolv.conf"};
    for (size_t i = 0; i < 2; i++) {
        if (src[i] == NULL || access(src[i], R_OK) < 0)
            continue;
        if (bind_in(rootfd, rel[i], src[i], true) < 0 && errno != ENOENT) {
            sbx_report_err(rep, errno, "cannot bind %s on /%s", src[i], rel[i]);
            return -1;
        }
    }
    return 0;
}

/* /dev is our own fresh tmpfs, mounted after the stub's mount points were
 * made: a bind below it (BuildKit's /dev/pipes for a RUN heredoc script)
 * gets its mount point created in that tmpfs, never in the layers. */
static int dev_mount_point(int rootfd, const kd_bind *b)
{
    if (strncmp(b->target, "/dev/", 5) != 0 || strstr(b->target, "/.."))
        return 0;
    struct stat st;
    if (stat(b->source, &st) < 0)
        return -1;
    char *rel = kd_xstrdup(b->target + 1);
    int rc = 0;
    for (char *p = rel + 4; rc == 0 && *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdirat(rootfd, rel, 0755) < 0 && errno != EEXIST)
            rc = -1;
        *p = '/';
    }
    if (rc == 0 && S_ISDIR(st.st_mode))
        rc = mkdirat(rootfd, rel, 0755) < 0 && errno != EEXIST ? -1 : 0;
    else if (rc == 0) {
        int fd = openat(rootfd, rel, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        rc = fd < 0 ? -1 : close(fd);
    }
    free(rel);
    return rc;
}

static int setup_binds(int rootfd, const kd_sandbox_spec *s, int rep)
{
    for (size_t i = 0; i < s->nbinds; i++) {
        const kd_bind *b = &s->binds[i];
        if (dev_mount_point(rootfd, b) < 0 || bind_in(rootfd, b->target, b->source, b->readonly) < 0) {
            sbx_report_err(rep, errno, "cannot bind %s on %s", b->source, b->target);
            return -1;
        }
    }
    return 0;
}

static int loopback_up(int rep)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int rc = s < 0 ? -1 : ioctl(s, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (rc == 0)
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    if (rc < 0)
        sbx_report_err(rep, errno, "cannot bring lo up");
    if (s >= 0)
        close(s);
    return rc;
}

/* Mounts everything under the new root, then pivots into it. */
static int setup_root(const kd_sandbox_spec *s, const sbx_paths *p, int rep)
{
    char msg[1024];
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        sbx_report_err(rep, errno, "cannot make the mount namespace private");
        return -1;
    }
    if (sbx_mount_overlay(&s->overlay, p->stub, p->root, s->force_legacy_mount, msg, sizeof msg) < 0) {
        sbx_report_err(rep, 0, "%s", msg);
        return -1;
    }
    int rootfd = open(p->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0 || mount_in(rootfd, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
        sbx_report_err(rep, errno, "cannot mount /proc");
        return -1;
    }
    /* sysfs is a courtesy (Docker mounts it read-only); not fatal */
    mount_in(rootfd, "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    if (setup_dev(rootfd, rep) < 0 || setup_etc(rootfd, p, rep) < 0 || setup_binds(rootfd, s, rep) < 0)
        return -1;
    close(rootfd);
    if (chdir(p->root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
        chdir("/") < 0) {
        sbx_report_err(rep, errno, "cannot pivot into the new root");
        return -1;
    }
    return 0;
}

/* Reaps every child until the step's main process is gone, then reports
 * its status. Returning makes this process (PID 1) exit, which kills the
 * rest of the namespace. */
static void reap(pid_t step, int rep)
{
    for (;;) {
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0 || pid == step) {
            sbx_report_status(rep, pid < 0 ? 255 << 8 : st);
            return;
        }
    }
}

/* B: PID 1 of the step's namespaces. */
static void run_init(const kd_sandbox_spec *s, const sbx_paths *p, int rep)
{
    if (setup_root(s, p, rep) < 0)
        _exit(1);
    if (sethostname(s->hostname ? s->hostname : "buildkitsandbox",
                    strlen(s->hostname ? s->hostname : "buildkitsandbox")) < 0 ||
        (s->network == KD_NET_NONE && loopback_up(rep) < 0)) {
        sbx_report_err(rep, errno, "cannot set the hostname");
        _exit(1);
    }
    kd_ids ids;
    sbx_enter_user(s, rep, &ids);
    if (s->readonly_root && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
        sbx_report_err(rep, errno, "cannot make the root read-only");
        _exit(1);
    }
    pid_t step = fork();
    if (step == 0)
        sbx_exec_step(s, &ids, rep);
    if (step < 0) {
        sbx_report_err(rep, errno, "cannot fork the step");
        _exit(1);
    }
    reap(step, rep);
    _exit(0);
}

/* A: creates the namespaces and waits for B. */
void sbx_run_ns(const kd_sandbox_spec *s, const sbx_paths *p, int rep, pid_t parent)
{
    if (sbx_die_with_parent(parent) < 0)
        _exit(1);
    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
    if (s->network == KD_NET_NONE)
        flags |= CLONE_NEWNET;
    if (unshare(flags) < 0) {
        sbx_report_err(rep, errno, "cannot create namespaces");
        _exit(1);
    }
    int life[2];
    if (pipe2(life, O_CLOEXEC) < 0) {
        sbx_report_err(rep, errno, "pipe");
        _exit(1);
    }
    pid_t b = fork();
    if (b < 0) {
        sbx_report_err(rep, errno, "cannot fork the namespace's init");
        _exit(1);
    }
    if (b == 0) {
        close(life[1]);
        /* getppid() is 0 across the PID namespace: A's death shows as
         * the hang-up of the lifeline pipe instead */
        struct pollfd pf = {life[0], POLLIN, 0};
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || poll(&pf, 1, 0) != 0)
            _exit(1);
        run_init(s, p, rep);
    }
    close(rep);
    close(life[0]);
    int st = 0;
    while (waitpid(b, &st, 0) < 0 && errno == EINTR)
        ;
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}
