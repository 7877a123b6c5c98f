/* The RUN sandbox, for real: busybox (Debian's busybox-static) in a tiny
 * root assembled in a temp dir, run on an overlay. Needs root and
 * namespaces; each test says "skip" otherwise (as a passing check with a
 * note, since the unit runner has no skip line). */
#include "kt.h"
#include "kt_util.h"
#include "build/sandbox.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define BUSYBOX "/bin/busybox"

typedef struct fixture {
    char dir[64];
    char lower[128], upper[128], work[128];
} fixture;

static bool can_run(void)
{
    const kd_sandbox_caps *c = kd_sandbox_detect();
    if (getuid() != 0 || access(BUSYBOX, X_OK) != 0 || !c->namespaces || !c->overlay) {
        printf("# skip: needs root, namespaces, overlayfs and %s\n", BUSYBOX);
        return false;
    }
    return true;
}

/* The chroot fallback needs neither namespaces nor overlayfs. */
static bool can_chroot(void)
{
    if (getuid() != 0 || access(BUSYBOX, X_OK) != 0) {
        printf("# skip: needs root and %s\n", BUSYBOX);
        return false;
    }
    return true;
}

/* lower: busybox + applet links, passwd/group, files to delete. */
static bool fx_make(fixture *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/kd-sbx-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return false;
    snprintf(f->lower, sizeof f->lower, "%s/lower", f->dir);
    snprintf(f->upper, sizeof f->upper, "%s/upper", f->dir);
    snprintf(f->work, sizeof f->work, "%s/work", f->dir);
    return kt_sh("set -e; cd %s; mkdir -p lower/bin lower/etc lower/del lower/opaque upper work;"
              "cp " BUSYBOX " lower/bin/busybox;"
              "for a in sh ls cat echo id hostname pwd env sleep setsid touch rm mkdir test ps "
              "grep wc readlink stat head tr kill true; do ln -s busybox lower/bin/$a; done;"
              "printf 'root:x:0:0:root:/root:/bin/sh\\nbob:x:1000:1000:Bob:/home/bob:/bin/sh\\n'"
              " > lower/etc/passwd;"
              "printf 'root:x:0:\\nbob:x:1000:\\nstaff:x:50:alice,bob\\n' > lower/etc/group;"
              "echo x > lower/del/x; echo old > lower/opaque/old",
              f->dir) == 0;
}

static void fx_free(fixture *f)
{
    kt_sh("rm -rf %s", f->dir);
}

static void spec_init(kd_sandbox_spec *s, fixture *f, const char **lowers, const char **argv,
                      int out)
{
    lowers[0] = f->lower;
    *s = (kd_sandbox_spec){
        .overlay = {lowers, 1, f->upper, f->work, false},
        .argv = argv,
        .stdout_fd = out,
        .stderr_fd = out,
    };
}

/* Runs "sh -c script" with spec tweaks; returns its output (owned). */
static char *run_spec(kd_sandbox_spec *s, const char *script, kd_sandbox_result *res, kd_error **err)
{
    FILE *out = tmpfile();
    const char *argv[] = {"sh", "-c", script, NULL};
    s->argv = argv;
    s->stdout_fd = s->stderr_fd = fileno(out);
    int rc = kd_sandbox_run(s, res, err);
    s->argv = NULL;
    char *text = calloc(1, 65536);
    rewind(out);
    size_t n = fread(text, 1, 65535, out);
    text[n] = '\0';
    fclose(out);
    if (rc < 0) {
        free(text);
        return NULL;
    }
    return text;
}

static char *run_in(fixture *f, const char *env[], const char *script, kd_sandbox_result *res)
{
    const char *lowers[1];
    kd_sandbox_spec s;
    spec_init(&s, f, lowers, NULL, -1);
    s.env = env;
    kd_error *err = NULL;
    char *out = run_spec(&s, script, res, &err);
    if (out == NULL) {
        kt_fail(__FILE__, __LINE__, "sandbox: %s", err->msg);
        kd_error_free(err);
    }
    return out;
}

/* The lines of the mount table that could be ours: those naming the
 * fixture's dir (an overlay of its layers) or a sandbox temp dir. Other
 * processes on the machine mount and unmount meanwhile (parallel builds
 * and tests), so the whole table is no fixed point. */
static char *mountinfo(const fixture *f)
{
    char *all = kt_file_text("/proc/self/mountinfo");
    if (all == NULL)
        return NULL;
    char *ours = kd_xstrdup(""), *save = NULL;
    for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strstr(line, f->dir) == NULL && strstr(line, "kdoctor-run") == NULL)
            continue;
        char *next = kd_asprintf("%s%s\n", ours, line);
        free(ours);
        ours = next;
    }
    free(all);
    return ours;
}

/* Mounts now are those before; frees before. */
static void check_mounts(const fixture *f, char *before)
{
    char *after = mountinfo(f);
    CHECK(before && after && strcmp(before, after) == 0);
    free(before), free(after);
}

/* Any process whose command line has this argument? */
static bool process_with_arg(const char *arg)
{
    DIR *d = opendir("/proc");
    bool found = false;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL && !found) {
        char path[300], buf[4096];
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        for (ssize_t i = 0; i < n && !found; i += (ssize_t)strlen(buf + i) + 1) {
            buf[n] = '\0';
            found = strcmp(buf + i, arg) == 0;
        }
    }
    if (d)
        closedir(d);
    return found;
}

TEST(sandbox_sees_only_its_root_and_processes)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    char *before = mountinfo(&f);
    kd_sandbox_result res;
    char *out = run_in(&f, NULL,
                       "ls /; echo pid=$$; ls /proc | grep -c '^[0-9]'; "
                       "test -e /etc/debian_version && echo HOST-VISIBLE; "
                       "test -e /usr/bin/apt && echo HOST-VISIBLE; hostname",
                       &res);
    REQUIRE(out != NULL);
    CHECK_INT(res.exit_code, 0);
    CHECK(strstr(out, "bin\ndel\ndev\netc\nopaque\nproc\nsys\n") != NULL);
    CHECK(strstr(out, "HOST-VISIBLE") == NULL);
    /* B is PID 1, the step PID 2; only they and ls/grep exist (3 when ls
     * has read /proc before grep was forked: the shell starts them in turn) */
    CHECK(strstr(out, "pid=2\n") != NULL);
    CHECK(strstr(out, "\n4\n") != NULL || strstr(out, "\n3\n") != NULL);
    CHECK(strstr(out, "buildkitsandbox\n") != NULL);
    free(out);
    check_mounts(&f, before);
    fx_free(&f);
}

TEST(sandbox_env_cwd_user_from_rootfs)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    const char *lowers[1];
    kd_sandbox_spec s;
    spec_init(&s, &f, lowers, NULL, -1);
    const char *env[] = {"FOO=bar baz", "PATH=/bin", NULL};
    s.env = env, s.cwd = "/work/dir", s.user = "bob", s.hostname = "box";
    kd_sandbox_result res;
    kd_error *err = NULL;
    char *out = run_spec(&s, "echo \"$FOO|$HOME|$(pwd)|$(id -u):$(id -g)|$(id -G)|$(hostname)\"",
                         &res, &err);
    REQUIRE(out != NULL);
    CHECK_STR(out, "bar baz|/home/bob|/work/dir|1000:1000|1000 50|box\n");
    free(out);
    /* the working dir was created, owned by the user, in the upper dir */
    char path[300];
    struct stat st;
    snprintf(path, sizeof path, "%s/work/dir", f.upper);
    CHECK(stat(path, &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000);

    s.user = "bob:staff", s.cwd = NULL;
    out = run_spec(&s, "echo $(id -u):$(id -g):$(id -G)", &res, &err);
    REQUIRE(out != NULL);
    CHECK_STR(out, "1000:50:50\n");
    free(out);
    s.user = "4321";
    out = run_spec(&s, "echo $(id -u):$(id -g) $HOME", &res, &err);
    REQUIRE(out != NULL);
    CHECK_STR(out, "4321:0 /\n");
    free(out);
    s.user = "nosuchuser";
    out = run_spec(&s, "true", &res, &err);
    CHECK(out == NULL);
    CHECK(err && strstr(err->msg, "unable to find user nosuchuser"));
    kd_error_free(err);
    fx_free(&f);
}

TEST(sandbox_network_none_has_only_lo)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    const char *lowers[1];
    kd_sandbox_spec s;
    spec_init(&s, &f, lowers, NULL, -1);
    s.network = KD_NET_NONE;
    kd_sandbox_result res;
    kd_error *err = NULL;
    char *out = run_spec(&s, "ls /sys/class/net; cat /sys/class/net/lo/operstate; cat /etc/hosts",
                         &res, &err);
    REQUIRE(out != NULL);
    CHECK(strncmp(out, "lo\n", 3) == 0);
    CHECK(strstr(out, "eth") == NULL);
    CHECK(strstr(out, "127.0.0.1\tlocalhost buildkitsandbox") != NULL);
    free(out);
    /* host network: the host's interfaces and /etc/hosts */
    s.network = KD_NET_HOST;
    out = run_spec(&s, "cat /etc/hosts", &res, &err);
    REQUIRE(out != NULL);
    char *hosts = kt_file_text("/etc/hosts");
    CHECK_STR(out, hosts ? hosts : "");
    free(out), free(hosts);
    fx_free(&f);
}

static bool is_whiteout(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

TEST(sandbox_writes_go_to_upper_only)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    kd_sandbox_result res;
    char *out = run_in(&f, NULL,
                       "echo hi > /new; rm /del/x; rm -rf /opaque; mkdir /opaque; "
                       "echo n > /opaque/new; echo ok > /dev/null; ls /dev",
                       &res);
    REQUIRE(out != NULL);
    CHECK_INT(res.exit_code, 0);
    CHECK(strstr(out, "null\n") && strstr(out, "urandom\n") && strstr(out, "pts\n") &&
          strstr(out, "shm\n") && strstr(out, "fd\n"));
    free(out);
    char p[300];
    /* the upper dir holds exactly the step's changes */
    char *listing = kt_sh_output("cd %s && find . | sort | tr '\\n' ' '", f.upper);
    CHECK_STR(listing, ". ./del ./del/x ./new ./opaque ./opaque/new ");
    free(listing);
    snprintf(p, sizeof p, "%s/del/x", f.upper);
    CHECK(is_whiteout(p));
    snprintf(p, sizeof p, "%s/opaque", f.upper);
    char v[8] = "";
    CHECK(getxattr(p, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y');
    /* the lower dir is untouched */
    snprintf(p, sizeof p, "%s/del/x", f.lower);
    CHECK(access(p, F_OK) == 0);
    snprintf(p, sizeof p, "%s/opaque/old", f.lower);
    CHECK(access(p, F_OK) == 0);
    snprintf(p, sizeof p, "%s/new", f.lower);
    CHECK(access(p, F_OK) != 0);
    fx_free(&f);
}

TEST(sandbox_daemons_die_with_the_step)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    kd_sandbox_result res;
    char *out = run_in(&f, NULL,
                       "sleep 987651 & setsid sh -c 'sleep 987651 & sleep 987651 &' & "
                       "(sh -c 'sleep 987651 &' &); "
                       "i=0; while [ $(ps | grep -c 'sleep 98765[1]') -lt 4 ] && [ $i -lt 600 ]; do "
                       "sleep 0.05; i=$((i+1)); done; "
                       "echo started",
                       &res);
    REQUIRE(out != NULL);
    CHECK(strstr(out, "started") != NULL);
    CHECK_INT(res.exit_code, 0);
    CHECK(!process_with_arg("987651"));
    free(out);
    fx_free(&f);
}

TEST(sandbox_exit_codes_and_signals)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    kd_sandbox_result res;
    char *out = run_in(&f, NULL, "exit 3", &res);
    CHECK(out && res.exit_code == 3 && res.signal == 0);
    free(out);
    out = run_in(&f, NULL, "kill -9 $$", &res);
    CHECK(out && res.signal == 9);
    free(out);
    /* a command that does not exist is a set-up error, not a status */
    const char *lowers[1];
    const char *argv[] = {"/no/such/cmd", NULL};
    kd_sandbox_spec s;
    spec_init(&s, &f, lowers, argv, 1);
    kd_error *err = NULL;
    CHECK(kd_sandbox_run(&s, &res, &err) < 0);
    CHECK(err && strstr(err->msg, "cannot run /no/such/cmd"));
    kd_error_free(err);
    fx_free(&f);
}

TEST(sandbox_mount_failure_is_clear)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    char *before = mountinfo(&f);
    const char *lowers[] = {"/nonexistent/layer"};
    const char *argv[] = {"sh", "-c", "true", NULL};
    kd_sandbox_spec s = {.overlay = {lowers, 1, f.upper, f.work, false}, .argv = argv,
                         .stdout_fd = 1, .stderr_fd = 2};
    kd_sandbox_result res;
    kd_error *err = NULL;
    CHECK(kd_sandbox_run(&s, &res, &err) < 0);
    CHECK(err && strstr(err->msg, "/nonexistent/layer"));
    kd_error_free(err);
    err = NULL;
    s.force_legacy_mount = true;
    CHECK(kd_sandbox_run(&s, &res, &err) < 0);
    CHECK(err && strstr(err->msg, "overlay"));
    kd_error_free(err);
    check_mounts(&f, before);
    fx_free(&f);
}

/* 60 layers with long names: too long for mount(2)'s one page, fine with
 * "lowerdir+"; the legacy path says so clearly. */
TEST(sandbox_many_layers)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    enum { N = 60 };
    static char names[N][200];
    const char *lowers[N + 1];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i],
                 "%s/layers/sha256-%02d-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                 f.dir, i);
        lowers[i] = names[i];
        CHECK(kt_sh("mkdir -p %s && echo %d > %s/layer%d", names[i], i, names[i], i) == 0);
    }
    lowers[N] = f.lower;
    const char *argv[] = {"sh", "-c", "cat /layer0 /layer59", NULL};
    FILE *out = tmpfile();
    kd_sandbox_spec s = {.overlay = {lowers, N + 1, f.upper, f.work, false}, .argv = argv,
                         .stdout_fd = fileno(out), .stderr_fd = fileno(out)};
    kd_sandbox_result res;
    kd_error *err = NULL;
    if (kd_sandbox_detect()->lowerdir_plus) {
        CHECK(kd_sandbox_run(&s, &res, &err) == 0 && res.exit_code == 0);
        char buf[64] = "";
        rewind(out);
        CHECK(fread(buf, 1, sizeof buf - 1, out) > 0 && strcmp(buf, "0\n59\n") == 0);
    }
    kd_error_free(err);
    err = NULL;
    s.force_legacy_mount = true;
    CHECK(kd_sandbox_run(&s, &res, &err) < 0);
    CHECK(err && strstr(err->msg, "over mount(2)'s limit"));
    kd_error_free(err);
    /* a few layers do fit the legacy way (relative names) */
    err = NULL;
    s.overlay.lowers = lowers + N - 3, s.overlay.nlowers = 4;
    s.argv = (const char *[]){"sh", "-c", "cat /layer59", NULL};
    CHECK(kd_sandbox_run(&s, &res, &err) == 0 && res.exit_code == 0);
    kd_error_free(err);
    fclose(out);
    fx_free(&f);
}

TEST(sandbox_readonly_root_and_binds)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    char shared[200];
    snprintf(shared, sizeof shared, "%s/shared", f.dir);
    CHECK(kt_sh("mkdir -p %s && echo host > %s/in", shared, shared) == 0);
    const char *lowers[1];
    kd_sandbox_spec s;
    spec_init(&s, &f, lowers, NULL, -1);
    kd_bind binds[] = {{shared, "/mnt/data", false}, {shared, "/ro", true}};
    s.binds = binds, s.nbinds = 2;
    kd_sandbox_result res;
    kd_error *err = NULL;
    char *out = run_spec(&s, "cat /mnt/data/in; echo step > /mnt/data/out; "
                             "(echo no > /ro/x) 2>/dev/null || echo ro-ok",
                         &res, &err);
    REQUIRE(out != NULL);
    CHECK_STR(out, "host\nro-ok\n");
    free(out);
    char p[300];
    snprintf(p, sizeof p, "%s/out", shared);
    CHECK(access(p, F_OK) == 0);
    snprintf(p, sizeof p, "%s/mnt", f.upper);
    CHECK(access(p, F_OK) != 0); /* mount points leave no trace */
    s.readonly_root = true, s.nbinds = 0;
    out = run_spec(&s, "touch /x 2>/dev/null && echo wrote || echo refused", &res, &err);
    REQUIRE(out != NULL);
    CHECK_STR(out, "refused\n");
    free(out);
    fx_free(&f);
}

/* kdoctor killed with SIGKILL: the step dies too. A helper process H
 * starts a step (in namespaces, or chrooted when rootfs is set) that says
 * "up" once it runs, and is killed then; the test process is a subreaper,
 * so it inherits the sandbox's processes and waiting for all of them
 * (until ECHILD) is a deterministic end; alarm() only guards against a
 * hang (a daemon reparented to us would never end). */
static void kill_holder(int ready[2], fixture *f, const char *rootfs, const char *script,
                        const char *mark)
{
    pid_t h = fork();
    if (h == 0) {
        close(ready[0]);
        const char *argv[] = {"sh", "-c", script, NULL};
        setenv("TMPDIR", f->dir, 1); /* H's temp dir goes with the fixture */
        const char *lowers[] = {f->lower};
        kd_sandbox_spec s = {.overlay = {lowers, 1, f->upper, f->work, false}, .argv = argv,
                             .stdout_fd = ready[1], .stderr_fd = 2};
        if (rootfs)
            s.mode = KD_SANDBOX_CHROOT, s.rootfs = rootfs;
        kd_sandbox *sb;
        if (kd_sandbox_start(&s, &sb, NULL) < 0)
            _exit(1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    char buf[8];
    if (read(ready[0], buf, 3) == 3)
        kill(h, SIGKILL);
    alarm(60);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ;
    _exit(process_with_arg(mark) ? 1 : 0);
}

/* Runs kill_holder in a subreaper child; true when nothing survived. */
static bool dies_with_kdoctor(fixture *f, const char *rootfs, const char *script, const char *mark)
{
    int ready[2];
    if (pipe(ready) < 0)
        return false;
    pid_t t = fork();
    if (t == 0) {
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        kill_holder(ready, f, rootfs, script, mark);
    }
    close(ready[0]), close(ready[1]);
    int st;
    return waitpid(t, &st, 0) == t && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
           !process_with_arg(mark);
}

TEST(sandbox_dies_with_kdoctor)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    CHECK(dies_with_kdoctor(&f, NULL, "sleep 987652 & echo up; sleep 987652", "987652"));
    fx_free(&f);
}

/* Without a PID namespace: the runner's parent-death signal makes it kill
 * the step's daemons before it goes. */
TEST(sandbox_chroot_dies_with_kdoctor)
{
    if (!can_chroot())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    CHECK(dies_with_kdoctor(&f, f.lower,
                            "setsid sh -c 'echo up; exec sleep 987655' & sleep 987655", "987655"));
    fx_free(&f);
}

/* Reads fd until end of file, 60 s at most (a guard against a hang, not a
 * measure of speed); appends to buf (size n). False on the guard. */
static bool read_to_eof(int fd, char *buf, size_t n)
{
    size_t len = strlen(buf);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 60000) <= 0)
            return false;
        ssize_t got = read(fd, buf + len, n - 1 - len);
        if (got <= 0)
            return got == 0;
        len += (size_t)got;
        buf[len] = '\0';
    }
}

/* Cancelled while its daemons (setsid, double fork) hold the output pipe:
 * the chroot runner kills them all, so the pipe reaches end of file. */
TEST(sandbox_chroot_kill_takes_daemons)
{
    if (!can_chroot())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    int pfd[2];
    REQUIRE(pipe2(pfd, O_CLOEXEC) == 0);
    const char *argv[] = {"sh", "-c",
                          "setsid sh -c 'echo d1; exec sleep 987656' & "
                          "(setsid sh -c 'echo d2; exec sleep 987656' &); sleep 987656",
                          NULL};
    kd_sandbox_spec s = {.mode = KD_SANDBOX_CHROOT, .rootfs = f.lower, .argv = argv,
                         .stdout_fd = pfd[1], .stderr_fd = pfd[1]};
    kd_sandbox *sb;
    kd_error *err = NULL;
    REQUIRE(kd_sandbox_start(&s, &sb, &err) == 0);
    close(pfd[1]);
    char out[256] = "";
    size_t len = 0;
    while (!(strstr(out, "d1") && strstr(out, "d2")) && len < sizeof out - 1) {
        ssize_t got = read(pfd[0], out + len, sizeof out - 1 - len);
        if (got <= 0)
            break;
        len += (size_t)got;
        out[len] = '\0';
    }
    CHECK(strstr(out, "d1") && strstr(out, "d2"));
    CHECK(!kd_sandbox_exited(sb)); /* the step sleeps */
    kd_sandbox_kill(sb);
    CHECK(read_to_eof(pfd[0], out, sizeof out));
    kd_sandbox_result res;
    kd_sandbox_wait(sb, &res, &err); /* an error: no status, it was cancelled */
    kd_sandbox_result_free(&res);    /* set either way */
    kd_error_free(err);
    close(pfd[0]);
    CHECK(!process_with_arg("987656"));
    fx_free(&f);
}

static int write_in_root(const char *root, void *arg, kd_error **err)
{
    char p[300];
    snprintf(p, sizeof p, "%s/%s", root, (const char *)arg);
    FILE *f = fopen(p, "w");
    if (f == NULL)
        return kd_err(err, errno, "cannot write %s", p);
    fputs("copied\n", f);
    fclose(f);
    return 0;
}

TEST(sandbox_call_in_overlay)
{
    if (!can_run())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    char *before = mountinfo(&f);
    const char *lowers[] = {f.lower};
    kd_overlay ov = {lowers, 1, f.upper, f.work, false};
    kd_error *err = NULL;
    CHECK(kd_sandbox_call(&ov, write_in_root, "etc/copied", &err) == 0);
    char p[300];
    snprintf(p, sizeof p, "%s/etc/copied", f.upper);
    CHECK(access(p, F_OK) == 0);
    snprintf(p, sizeof p, "%s/etc/passwd", f.upper);
    CHECK(access(p, F_OK) != 0); /* only the parent dir was copied up */
    CHECK(kd_sandbox_call(&ov, write_in_root, "no/such/dir/x", &err) < 0);
    CHECK(err && strstr(err->msg, "cannot write"));
    kd_error_free(err);
    check_mounts(&f, before);
    fx_free(&f);
}

TEST(sandbox_chroot_fallback)
{
    if (!can_chroot())
        return;
    fixture f;
    REQUIRE(fx_make(&f));
    const char *argv[] = {"sh", "-c",
                          "echo hi > /dev/null; id -u; pwd; "
                          "setsid sh -c 'sleep 987653 & touch up' & sleep 987653 & "
                          "i=0; while [ ! -e up ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; exit 4",
                          NULL};
    FILE *out = tmpfile();
    kd_sandbox_spec s = {.mode = KD_SANDBOX_CHROOT, .rootfs = f.lower, .argv = argv,
                         .cwd = "/app", .user = "bob", .stdout_fd = fileno(out),
                         .stderr_fd = fileno(out)};
    kd_sandbox_result res;
    kd_error *err = NULL;
    REQUIRE(kd_sandbox_run(&s, &res, &err) == 0);
    CHECK_INT(res.exit_code, 4);
    char buf[256] = "";
    rewind(out);
    CHECK(fread(buf, 1, sizeof buf - 1, out) > 0);
    CHECK_STR(buf, "1000\n/app\n");
    CHECK(!process_with_arg("987653"));
    bool null_listed = false;
    for (size_t i = 0; i < res.ncreated; i++)
        null_listed |= strcmp(res.created[i], "dev/null") == 0;
    CHECK(null_listed);
    kd_sandbox_result_free(&res);
    fclose(out);
    fx_free(&f);
}
