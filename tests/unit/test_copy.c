/* COPY/ADD semantics: a table of Dockerfile-like cases run on a context and
 * a destination root made in a temp dir; each gives the entries the copy
 * added to the root (path, mode, owner, size or link target) or an error. */
#include "kt.h"
#include "kt_util.h"
#include "build/copy.h"
#include "build/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char top[64];

/* The context: files, a dir with a symlink, symlinks out, archives. */
static bool make_context(void)
{
    snprintf(top, sizeof top, "/tmp/kd-copy-XXXXXX");
    if (mkdtemp(top) == NULL)
        return false;
    return kt_sh("set -e; cd %s; mkdir -p ctx/dir/sub outside; cd ctx;"
              "printf a > a.txt; printf bb > b.txt; printf m > c.md; chmod 644 a.txt;"
              "chmod 600 b.txt; printf x > dir/x; chmod 755 dir/x; printf y > dir/sub/y;"
              "ln -s x dir/link; ln -s dir toplink; ln -s /etc out; ln -s ../outside rel-out;"
              "touch -d '2001-02-03 04:05:06' a.txt; chown 1234:5678 b.txt;"
              "mkdir -p t && printf 1 > t/1 && printf 22 > t/2 && tar czf arch.tar.gz t && rm -r t;"
              "printf plain > notar.gz; printf e > ../evil; tar -cPf evil.tar ../evil",
              top) == 0;
}

/* A fresh destination root with users, a symlinked dir, an escaping link. */
static void make_dst(void)
{
    kt_sh("set -e; cd %s; rm -rf dst; mkdir -p dst/etc dst/real dst/w; cd dst;"
       "printf 'root:x:0:0::/root:/bin/sh\\nbob:x:1000:1001::/home/bob:/bin/sh\\n' > etc/passwd;"
       "printf 'root:x:0:\\nstaff:x:50:bob\\n' > etc/group; ln -s /real linkdir;"
       "ln -s /../../../../tmp/kd-escape-target esc; cd ..; "
       "find dst -mindepth 1 -printf '%%p %%M %%U:%%G\\n' | sort > before",
       top);
}

/* What the copy added: entries not in the "before" listing (owned). */
static char *added(void)
{
    return kt_sh_output(
        "cd %s && find dst -mindepth 1 -printf '%%p %%M %%U:%%G\\n' | sort > after0 && "
        "comm -13 before after0 | while read p m o; do "
        "if [ -L \"$p\" ]; then echo \"${p#dst} $m $o -> $(readlink \"$p\")\";"
        "elif [ -f \"$p\" ]; then echo \"${p#dst} $m $o $(cat \"$p\")\";"
        "else echo \"${p#dst} $m $o\"; fi; done",
        top);
}

typedef struct copy_case {
    const char *name;
    const char *srcs[4];
    const char *dest;
    const char *workdir, *chown, *chmod, *exclude;
    bool parents, add, ignore_md;
    const char *want; /* added entries, or NULL when err is set */
    const char *err;
} copy_case;

static const copy_case cases[] = {
    {"dir copies its contents", {"dir"}, "/app/", .want =
         "/app drwxr-xr-x 0:0\n/app/link lrwxrwxrwx 0:0 -> x\n/app/sub drwxr-xr-x 0:0\n"
         "/app/sub/y -rw-r--r-- 0:0 y\n/app/x -rwxr-xr-x 0:0 x\n"},
    {"file to a new name", {"a.txt"}, "/app", .want = "/app -rw-r--r-- 0:0 a\n"},
    {"file into a dir (trailing slash)", {"a.txt"}, "/app/", .want =
         "/app drwxr-xr-x 0:0\n/app/a.txt -rw-r--r-- 0:0 a\n"},
    {"file into an existing dir", {"a.txt"}, "/real", .want = "/real/a.txt -rw-r--r-- 0:0 a\n"},
    {"several sources need a dir", {"a.txt", "b.txt"}, "/app", .err = "must be a directory"},
    {"glob of several needs a dir", {"*.txt"}, "/app", .err = "must be a directory"},
    {"glob, owner reset to root", {"*.txt"}, "/g/", .want =
         "/g drwxr-xr-x 0:0\n/g/a.txt -rw-r--r-- 0:0 a\n/g/b.txt -rw------- 0:0 bb\n"},
    {"glob with a class", {"[ab].txt"}, "/g/", .want =
         "/g drwxr-xr-x 0:0\n/g/a.txt -rw-r--r-- 0:0 a\n/g/b.txt -rw------- 0:0 bb\n"},
    {"glob matching nothing", {"*.none"}, "/n/", .want = ""},
    {"missing source", {"nope"}, "/n/", .err = "nope: not found"},
    {"chown names from the root", {"a.txt"}, "/new/dir/", .chown = "bob:staff", .want =
         "/new drwxr-xr-x 1000:50\n/new/dir drwxr-xr-x 1000:50\n"
         "/new/dir/a.txt -rw-r--r-- 1000:50 a\n"},
    {"chown user only", {"a.txt"}, "/c", .chown = "bob", .want = "/c -rw-r--r-- 1000:1001 a\n"},
    {"chown numbers", {"a.txt"}, "/c", .chown = "7:8", .want = "/c -rw-r--r-- 7:8 a\n"},
    {"chown unknown user", {"a.txt"}, "/c", .chown = "nobody", .err = "unable to find user"},
    {"chmod octal", {"a.txt"}, "/m", .chmod = "0755", .want = "/m -rwxr-xr-x 0:0 a\n"},
    {"chmod symbolic", {"a.txt"}, "/m", .chmod = "u+x,go-r", .want = "/m -rwx------ 0:0 a\n"},
    {"chmod on a dir", {"dir"}, "/m/", .chmod = "700", .want =
         "/m drwxr-xr-x 0:0\n/m/link lrwxrwxrwx 0:0 -> x\n/m/sub drwx------ 0:0\n"
         "/m/sub/y -rwx------ 0:0 y\n/m/x -rwx------ 0:0 x\n"},
    {"bad chmod", {"a.txt"}, "/m", .chmod = "u+q", .err = "invalid --chmod"},
    {"symlink in dest resolved in root", {"a.txt"}, "/linkdir/", .want =
         "/real/a.txt -rw-r--r-- 0:0 a\n"},
    {"escaping dest symlink stays in root", {"a.txt"}, "/esc/", .want =
         "/tmp drwxr-xr-x 0:0\n/tmp/kd-escape-target drwxr-xr-x 0:0\n"
         "/tmp/kd-escape-target/a.txt -rw-r--r-- 0:0 a\n"},
    {"source ../ refused", {"../outside"}, "/", .err = "outside the build context"},
    {"symlink out of the context refused", {"out/passwd"}, "/", .err = "outside the build context"},
    {"relative symlink out refused", {"rel-out"}, "/", .err = "outside the build context"},
    {"top-level symlink followed", {"toplink"}, "/t/", .want =
         "/t drwxr-xr-x 0:0\n/t/link lrwxrwxrwx 0:0 -> x\n/t/sub drwxr-xr-x 0:0\n"
         "/t/sub/y -rw-r--r-- 0:0 y\n/t/x -rwxr-xr-x 0:0 x\n"},
    {"dest relative to WORKDIR", {"a.txt"}, "rel/", .workdir = "/w", .want =
         "/w/rel drwxr-xr-x 0:0\n/w/rel/a.txt -rw-r--r-- 0:0 a\n"},
    {"dest . is WORKDIR", {"a.txt", "b.txt"}, ".", .workdir = "/w", .want =
         "/w/a.txt -rw-r--r-- 0:0 a\n/w/b.txt -rw------- 0:0 bb\n"},
    {"--parents keeps the path", {"dir/sub/y"}, "/p/", .parents = true, .want =
         "/p drwxr-xr-x 0:0\n/p/dir drwxr-xr-x 0:0\n/p/dir/sub drwxr-xr-x 0:0\n"
         "/p/dir/sub/y -rw-r--r-- 0:0 y\n"},
    {"--parents with a /./ pivot", {"./dir/./sub/y"}, "/p/", .parents = true, .want =
         "/p drwxr-xr-x 0:0\n/p/sub drwxr-xr-x 0:0\n/p/sub/y -rw-r--r-- 0:0 y\n"},
    {"--exclude", {"dir"}, "/e/", .exclude = "sub", .want =
         "/e drwxr-xr-x 0:0\n/e/link lrwxrwxrwx 0:0 -> x\n/e/x -rwxr-xr-x 0:0 x\n"},
    {".dockerignore applies", {"?.*"}, "/i/", .ignore_md = true, .want =
         "/i drwxr-xr-x 0:0\n/i/a.txt -rw-r--r-- 0:0 a\n/i/b.txt -rw------- 0:0 bb\n"},
    {".dockerignored source not found", {"c.md"}, "/i/", .ignore_md = true,
     .err = "excluded by .dockerignore"},
    {"ADD extracts a local tar.gz", {"arch.tar.gz"}, "/ad/", .add = true, .want =
         "/ad drwxr-xr-x 0:0\n/ad/t drwxr-xr-x 0:0\n/ad/t/1 -rw-r--r-- 0:0 1\n"
         "/ad/t/2 -rw-r--r-- 0:0 22\n"},
    {"ADD of a non-archive copies", {"notar.gz"}, "/ad/", .add = true, .want =
         "/ad drwxr-xr-x 0:0\n/ad/notar.gz -rw-r--r-- 0:0 plain\n"},
    {"COPY does not extract", {"arch.tar.gz"}, "/cp", .want = NULL},
    {"ADD refuses an escaping entry", {"evil.tar"}, "/ad/", .add = true, .err = "escapes"},
    {"ADD of a URL without a fetcher", {"https://example.invalid/f"}, "/u", .add = true,
     .err = "downloading URLs is not available"},
};

static void run_case(const copy_case *k, const kd_ignore *ign)
{
    char ctx[128], dst[128];
    snprintf(ctx, sizeof ctx, "%s/ctx", top);
    snprintf(dst, sizeof dst, "%s/dst", top);
    make_dst();
    size_t n = 0;
    while (n < 4 && k->srcs[n])
        n++;
    const char *ex[] = {k->exclude};
    kd_copy_opts o = {.src_root = ctx, .src_is_context = true, .ignore = k->ignore_md ? ign : NULL,
                      .srcs = k->srcs, .nsrcs = n, .dest = k->dest, .workdir = k->workdir,
                      .dst_root = dst, .chown = k->chown, .chmod = k->chmod, .excludes = ex,
                      .nexcludes = k->exclude ? 1 : 0, .parents = k->parents, .add = k->add};
    kd_error *err = NULL;
    int rc = kd_copy(&o, NULL, &err);
    if (k->err) {
        if (rc == 0 || strstr(err->msg, k->err) == NULL)
            kt_fail(__FILE__, __LINE__, "%s: expected error \"%s\", got %s", k->name, k->err,
                    err ? err->msg : "success");
    } else if (rc < 0) {
        kt_fail(__FILE__, __LINE__, "%s: %s", k->name, err->msg);
    } else if (k->want) {
        char *got = added();
        if (strcmp(got, k->want) != 0)
            kt_fail(__FILE__, __LINE__, "%s: got\n%sexpected\n%s", k->name, got, k->want);
        free(got);
    }
    kd_error_free(err);
}

TEST(copy_cases)
{
    if (getuid() != 0) {
        printf("# skip: chown needs root\n");
        return;
    }
    REQUIRE(make_context());
    kd_ignore *ign = NULL;
    REQUIRE(kd_ignore_parse("*.md\n", 5, &ign, NULL) == 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i], ign);
    kd_ignore_free(ign);
    CHECK(access("/tmp/kd-escape-target", F_OK) != 0);
    kt_sh("rm -rf %s", top);
}

static void one_copy(kd_copy_opts *o, const char *src, const char *dest)
{
    const char *srcs[] = {src};
    o->srcs = srcs, o->nsrcs = 1, o->dest = dest;
    kd_error *err = NULL;
    if (kd_copy(o, NULL, &err) < 0) {
        kt_fail(__FILE__, __LINE__, "%s: %s", src, err->msg);
        kd_error_free(err);
    }
}

TEST(copy_keeps_mtime_and_from_ownership)
{
    if (getuid() != 0)
        return;
    REQUIRE(make_context());
    make_dst();
    char ctx[128], dst[128], path[200];
    snprintf(ctx, sizeof ctx, "%s/ctx", top);
    snprintf(dst, sizeof dst, "%s/dst", top);
    kd_copy_opts o = {.src_root = ctx, .src_is_context = true, .dst_root = dst};
    one_copy(&o, "a.txt", "/mt");
    struct stat st;
    snprintf(path, sizeof path, "%s/mt", dst);
    REQUIRE(stat(path, &st) == 0);
    struct stat src;
    snprintf(path, sizeof path, "%s/a.txt", ctx);
    REQUIRE(stat(path, &src) == 0);
    CHECK(st.st_mtime == src.st_mtime);
    /* --from: another root; owners kept, absolute symlinks resolved in it */
    o.src_is_context = false;
    kt_sh("cd %s && ln -s /dir/x ctx/abs-in-root", top);
    one_copy(&o, "b.txt", "/from-b");
    one_copy(&o, "abs-in-root", "/from-abs");
    one_copy(&o, "../../dir/x", "/from-dotdot");
    snprintf(path, sizeof path, "%s/from-b", dst);
    CHECK(stat(path, &st) == 0 && st.st_uid == 1234 && st.st_gid == 5678);
    snprintf(path, sizeof path, "%s/from-abs", dst);
    CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 1);
    snprintf(path, sizeof path, "%s/from-dotdot", dst);
    CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
    kt_sh("rm -rf %s", top);
}

/* ADD <url>: the builder's fetcher writes the file; kd_copy names it after
 * the URL's last path element and gives it mode 600. */
static int fake_fetch(void *ctx, const char *url, int dirfd, const char *name, kd_error **err)
{
    (void)ctx;
    if (strstr(url, "fail"))
        return kd_err(err, 0, "fetch failed");
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0 || write(fd, "downloaded", 10) != 10)
        return kd_err(err, errno, "write");
    close(fd);
    return 0;
}

TEST(copy_add_url_through_hook)
{
    if (getuid() != 0)
        return;
    REQUIRE(make_context());
    make_dst();
    char ctx[128], dst[128];
    snprintf(ctx, sizeof ctx, "%s/ctx", top);
    snprintf(dst, sizeof dst, "%s/dst", top);
    const char *srcs[] = {"https://example.invalid/dl/tool.tar.gz?x=1"};
    kd_copy_opts o = {.src_root = ctx, .src_is_context = true, .srcs = srcs, .nsrcs = 1,
                      .dest = "/u/", .dst_root = dst, .add = true, .fetch = fake_fetch};
    kd_error *err = NULL;
    CHECK(kd_copy(&o, NULL, &err) == 0);
    char *got = added();
    CHECK_STR(got, "/u drwxr-xr-x 0:0\n/u/tool.tar.gz -rw------- 0:0 downloaded\n");
    free(got);
    srcs[0] = "https://example.invalid/fail";
    CHECK(kd_copy(&o, NULL, &err) < 0);
    CHECK(err && strstr(err->msg, "fetch failed"));
    kd_error_free(err);
    kt_sh("rm -rf %s", top);
}

static int copy_in_overlay(const char *root, void *arg, kd_error **err)
{
    kd_copy_opts *o = arg;
    o->dst_root = root;
    return kd_copy(o, NULL, err);
}

/* The builder's way: the copy runs inside the step's overlay, so the
 * upper dir receives exactly the new files and the copied-up parents. */
TEST(copy_into_overlay_upper)
{
    const kd_sandbox_caps *caps = kd_sandbox_detect();
    if (getuid() != 0 || !caps->namespaces || !caps->overlay)
        return;
    REQUIRE(make_context());
    make_dst();
    REQUIRE(kt_sh("cd %s && mkdir upper work", top) == 0);
    char ctx[128], lower[128], upper[128], work[128];
    snprintf(ctx, sizeof ctx, "%s/ctx", top);
    snprintf(lower, sizeof lower, "%s/dst", top);
    snprintf(upper, sizeof upper, "%s/upper", top);
    snprintf(work, sizeof work, "%s/work", top);
    const char *lowers[] = {lower};
    kd_overlay ov = {lowers, 1, upper, work, false};
    const char *srcs[] = {"dir"};
    kd_copy_opts o = {.src_root = ctx, .src_is_context = true, .srcs = srcs, .nsrcs = 1,
                      .dest = "/real/app/", .chown = "bob"};
    kd_error *err = NULL;
    CHECK(kd_sandbox_call(&ov, copy_in_overlay, &o, &err) == 0);
    kd_error_free(err);
    char *list = kt_sh_output("cd %s && find . | sort | tr '\\n' ' '", upper);
    CHECK_STR(list, ". ./real ./real/app ./real/app/link ./real/app/sub ./real/app/sub/y ./real/app/x ");
    free(list);
    char path[200];
    snprintf(path, sizeof path, "%s/real/app", lower);
    CHECK(access(path, F_OK) != 0); /* the lower is untouched */
    kt_sh("rm -rf %s", top);
}

TEST(chmod_parse_and_apply)
{
    kd_chmod *c = NULL;
    kd_error *err = NULL;
    REQUIRE(kd_chmod_parse("a=rX", &c, &err) == 0);
    CHECK_INT(kd_chmod_apply(c, 0600, false), 0444);
    CHECK_INT(kd_chmod_apply(c, 0700, false), 0555);
    CHECK_INT(kd_chmod_apply(c, 0600, true), 0555);
    kd_chmod_free(c);
    REQUIRE(kd_chmod_parse("u+s,o+t,g=w", &c, &err) == 0);
    CHECK_INT(kd_chmod_apply(c, 0755, false), 05725);
    kd_chmod_free(c);
    CHECK(kd_chmod_parse("99", &c, &err) < 0);
    kd_error_free(err);
}

/* ---- buildah as an oracle ---- */

typedef struct oracle_step {
    const char *line; /* the Dockerfile line buildah runs */
    const char *srcs[3];
    const char *dest, *workdir, *chown, *chmod;
    bool add;
} oracle_step;

static const oracle_step oracle[] = {
    {"COPY etc/ /etc/", {"etc/"}, .dest = "/etc/"},
    {"COPY dir /c1/", {"dir"}, .dest = "/c1/"},
    {"COPY a.txt /c2", {"a.txt"}, .dest = "/c2"},
    {"COPY a.txt /c3/", {"a.txt"}, .dest = "/c3/"},
    {"COPY *.txt /c4/", {"*.txt"}, .dest = "/c4/"},
    {"COPY --chown=bob:staff a.txt /c5/new/", {"a.txt"}, .dest = "/c5/new/", .chown = "bob:staff"},
    {"COPY --chown=bob a.txt /c6", {"a.txt"}, .dest = "/c6", .chown = "bob"},
    {"COPY --chown=7:8 dir /c7/", {"dir"}, .dest = "/c7/", .chown = "7:8"},
    {"COPY --chmod=0755 a.txt /c8", {"a.txt"}, .dest = "/c8", .chmod = "0755"},
    {"COPY toplink /c9/", {"toplink"}, .dest = "/c9/"},
    {"COPY a.txt b.txt /c10/", {"a.txt", "b.txt"}, .dest = "/c10/"},
    {"COPY [ab].txt /c11/", {"[ab].txt"}, .dest = "/c11/"},
    {"COPY . /c12/", {"."}, .dest = "/c12/"},
    {"ADD arch.tar.gz /c13/", {"arch.tar.gz"}, .dest = "/c13/", .add = true},
    {"ADD notar.gz /c14/", {"notar.gz"}, .dest = "/c14/", .add = true},
    {"COPY dir/sub/ /c15", {"dir/sub/"}, .dest = "/c15"},
    {"COPY dir/link /c16/", {"dir/link"}, .dest = "/c16/"},
    {"WORKDIR /w", {NULL}, .dest = NULL},
    {"COPY a.txt rel/", {"a.txt"}, .dest = "rel/", .workdir = "/w"},
    {"COPY b.txt .", {"b.txt"}, .dest = ".", .workdir = "/w"},
};

static const char listing[] =
    "find . -mindepth 1 \\( -type d -printf '%%p %%M %%U:%%G\\n' \\) -o \\( -type l -printf "
    "'%%p %%M %%U:%%G -> %%l\\n' \\) -o -printf '%%p %%M %%U:%%G %%s %%TY-%%Tm-%%Td\\n' | sort";

static bool run_buildah(void)
{
    char cmd[2048], fmt[1024];
    FILE *f;
    snprintf(cmd, sizeof cmd, "%s/ctx/Dockerfile", top);
    if ((f = fopen(cmd, "w")) == NULL)
        return false;
    fputs("FROM scratch\n", f);
    for (size_t i = 0; i < sizeof oracle / sizeof oracle[0]; i++)
        fprintf(f, "%s\n", oracle[i].line);
    fclose(f);
    snprintf(fmt, sizeof fmt, "cd %%s && printf '*.md\\n' > ctx/.dockerignore && "
             "timeout 300 buildah --root %%s/bh-storage --runroot %%s/bh-run --storage-driver vfs "
             "bud --output type=local,dest=%%s/bh -f ctx/Dockerfile ctx >bh.log 2>&1 && "
             "cd bh && %s > ../bh.list", listing);
    snprintf(cmd, sizeof cmd, fmt, top, top, top, top);
    return system(cmd) == 0;
}

static void run_ours(void)
{
    char ctx[128], dst[128];
    snprintf(ctx, sizeof ctx, "%s/ctx", top);
    snprintf(dst, sizeof dst, "%s/kd", top);
    mkdir(dst, 0755);
    kd_ignore *ign = NULL;
    if (kd_ignore_load(ctx, &ign, NULL) < 0)
        return;
    for (size_t i = 0; i < sizeof oracle / sizeof oracle[0]; i++) {
        const oracle_step *s = &oracle[i];
        if (s->dest == NULL) { /* WORKDIR */
            mkdir(strcat(strcpy((char[256]){0}, dst), "/w"), 0755);
            continue;
        }
        size_t n = s->srcs[1] ? 2 : 1;
        kd_copy_opts o = {.src_root = ctx, .src_is_context = true, .ignore = ign, .srcs = s->srcs,
                          .nsrcs = n, .dest = s->dest, .workdir = s->workdir, .dst_root = dst,
                          .chown = s->chown, .chmod = s->chmod, .add = s->add};
        kd_error *err = NULL;
        if (kd_copy(&o, NULL, &err) < 0)
            kt_fail(__FILE__, __LINE__, "%s: %s", s->line, err->msg);
        kd_error_free(err);
    }
    kd_ignore_free(ign);
    char fmt[1024], cmd[1200];
    snprintf(fmt, sizeof fmt, "cd %%s/kd && %s > ../kd.list", listing);
    snprintf(cmd, sizeof cmd, fmt, top);
    CHECK(system(cmd) == 0);
}

/* The same COPY/ADD lines through buildah (Debian's, as root with the vfs
 * driver) and through kd_copy: the trees must be equal (paths, modes,
 * owners, sizes, mtimes of files, link targets). */
TEST(copy_matches_buildah)
{
    if (getuid() != 0 || system("command -v buildah >/dev/null 2>&1") != 0) {
        printf("# skip: needs root and buildah\n");
        return;
    }
    REQUIRE(make_context());
    kt_sh("cd %s/ctx && mkdir etc && printf 'root:x:0:0::/root:/bin/sh\\nbob:x:1000:1001::/h:/bin/sh\\n'"
       " > etc/passwd && printf 'root:x:0:\\nstaff:x:50:bob\\n' > etc/group && rm evil.tar",
       top);
    if (run_buildah()) {
        run_ours();
        char *diff = kt_sh_output("cd %s && diff bh.list kd.list", top);
        if (*diff)
            kt_fail(__FILE__, __LINE__, "buildah (<) and kdoctor (>) differ:\n%s", diff);
        free(diff);
    } else {
        char *log = kt_sh_output("tail -c 2000 %s/bh.log", top);
        kt_fail(__FILE__, __LINE__, "buildah failed: %s", log);
        free(log);
    }
    kt_sh("rm -rf %s", top);
}
