/* The file-copy engine of COPY/ADD: one object (file, symlink, dir tree,
 * device, fifo) from a source fd to a destination dir fd, with Docker's
 * metadata rules. Every destination lookup is relative to a dir fd opened
 * inside dst_root, with O_NOFOLLOW on the last component, so nothing is
 * ever written outside the root. Owner: build-sandbox (helper C). */
#include "build/copy_int.h"
#include "build/fsroot.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

void copy_owner(const cctx *c, const struct stat *st, uid_t *uid, gid_t *gid)
{
    if (c->chown)
        *uid = c->uid, *gid = c->gid;
    else if (c->o->src_is_context)
        *uid = 0, *gid = 0;
    else
        *uid = st->st_uid, *gid = st->st_gid;
}

static unsigned final_mode(const cctx *c, const struct stat *st)
{
    unsigned m = st->st_mode & 07777;
    return c->chmod ? kd_chmod_apply(c->chmod, m, S_ISDIR(st->st_mode)) : m;
}

/* ---- the destination ---- */

static char *parent_of(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash + 1;
    return slash == path ? kd_xstrdup("/") : kd_xstrndup(path, (size_t)(slash - path));
}

/* Where a dangling symlink at pfd/base points, as an absolute path in the
 * root (resolved like RESOLVE_IN_ROOT: ".." stops at "/"), or NULL. */
static char *link_target(int pfd, const char *base, const char *parent)
{
    char t[4096];
    ssize_t n = readlinkat(pfd, base, t, sizeof t - 1);
    if (n <= 0)
        return NULL;
    t[n] = '\0';
    char *joined = t[0] == '/' ? kd_xstrdup(t) : kd_asprintf("%s/%s", parent, t);
    char *clean = kd_path_clean(joined);
    free(joined);
    return clean;
}

static int dst_dir(cctx *c, const char *path, int depth, int *out, kd_error **err);

/* Creates base in the dir at parent (fd pfd); a dangling symlink there is
 * followed, as MkdirAll does, but inside the root. */
static int make_one(cctx *c, int pfd, const char *parent, const char *base, int depth,
                    kd_error **err)
{
    if (mkdirat(pfd, base, 0755) == 0) {
        /* explicit, past the umask; Docker makes parents 0755 */
        fchownat(pfd, base, c->chown ? c->uid : 0, c->chown ? c->gid : 0, AT_SYMLINK_NOFOLLOW);
        fchmodat(pfd, base, 0755, 0);
        c->st.dirs++;
        return 0;
    }
    struct stat st;
    if (errno != EEXIST || fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
        return errno == EEXIST ? 0 : kd_err(err, errno, "cannot create directory %s/%s", parent, base);
    char *target = link_target(pfd, base, parent);
    int fd = -1;
    int rc = target ? dst_dir(c, target, depth + 1, &fd, err) : kd_err(err, errno, "bad link %s", base);
    if (fd >= 0)
        close(fd);
    free(target);
    return rc;
}

static int dst_dir(cctx *c, const char *path, int depth, int *out, kd_error **err)
{
    if (depth > 40)
        return kd_err(err, ELOOP, "cannot create directory %s", path);
    int fd = kd_root_open(c->dst_root, path, O_PATH | O_DIRECTORY, 0, KD_IN_ROOT);
    if (fd >= 0 || errno != ENOENT || strcmp(path, "/") == 0) {
        *out = fd;
        return fd >= 0 ? 0
                       : kd_err(err, errno, "cannot use %s as a directory in the destination", path);
    }
    const char *base;
    char *parent = parent_of(path, &base);
    int pfd;
    int rc = dst_dir(c, parent, depth + 1, &pfd, err);
    if (rc == 0) {
        rc = make_one(c, pfd, parent, base, depth, err);
        close(pfd);
    }
    free(parent);
    if (rc < 0)
        return -1;
    fd = kd_root_open(c->dst_root, path, O_PATH | O_DIRECTORY, 0, KD_IN_ROOT);
    *out = fd;
    return fd >= 0 ? 0 : kd_err(err, errno, "cannot create directory %s", path);
}

int copy_dst_dir(cctx *c, const char *path, int *out, kd_error **err)
{
    return dst_dir(c, path, 0, out, err);
}

/* Makes room for a non-directory at ddir/name. */
int copy_clear_slot(int ddir, const char *name, kd_error **err)
{
    struct stat st;
    if (fstatat(ddir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return 0;
    if (S_ISDIR(st.st_mode))
        return kd_err(err, EISDIR, "cannot overwrite directory %s with a non-directory", name);
    if (unlinkat(ddir, name, 0) < 0)
        return kd_err(err, errno, "cannot replace %s", name);
    return 0;
}

static int set_times(int ddir, const char *name, const struct stat *st)
{
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    return utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW);
}

/* ---- objects ---- */

static int copy_data(int in, int out)
{
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
        if (n == 0)
            return 0;
        if (n > 0)
            continue;
        if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
            return -1;
        break;
    }
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        for (ssize_t w = 0, k; w < n; w += k)
            if ((k = write(out, buf + w, (size_t)(n - w))) < 0)
                return -1;
    return n < 0 ? -1 : 0;
}

/* Reopens an O_PATH fd for reading (no new path lookup). */
int copy_reopen(int fd, int flags)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    return open(p, flags | O_CLOEXEC);
}

static int copy_file(cctx *c, int fd, const struct stat *st, int ddir, const char *name,
                     kd_error **err)
{
    if (copy_clear_slot(ddir, name, err) < 0)
        return -1;
    int in = copy_reopen(fd, O_RDONLY);
    int out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = in < 0 || out < 0 || copy_data(in, out) < 0 ? -1 : 0;
    int e = errno;
    uid_t uid;
    gid_t gid;
    copy_owner(c, st, &uid, &gid);
    /* chown first: it clears set-id bits that chmod then restores */
    if (rc == 0 && (fchown(out, uid, gid) < 0 || fchmod(out, final_mode(c, st)) < 0))
        rc = -1, e = errno;
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if (rc == 0 && futimens(out, ts) < 0)
        rc = -1, e = errno;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (rc < 0)
        return kd_err(err, e, "cannot copy to %s", name);
    c->st.files++;
    c->st.bytes += (uint64_t)st->st_size;
    return 0;
}

static int copy_link(cctx *c, int fd, const struct stat *st, int ddir, const char *name,
                     kd_error **err)
{
    char target[4096];
    ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
    if (n < 0)
        return kd_err(err, errno, "cannot read symlink %s", name);
    target[n] = '\0';
    if (copy_clear_slot(ddir, name, err) < 0)
        return -1;
    uid_t uid;
    gid_t gid;
    copy_owner(c, st, &uid, &gid);
    if (symlinkat(target, ddir, name) < 0 ||
        fchownat(ddir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 || set_times(ddir, name, st) < 0)
        return kd_err(err, errno, "cannot create symlink %s", name);
    c->st.symlinks++;
    return 0;
}

static int copy_special(cctx *c, const struct stat *st, int ddir, const char *name, kd_error **err)
{
    if (S_ISSOCK(st->st_mode))
        return 0; /* sockets are not copied (nor put in layers) */
    if (copy_clear_slot(ddir, name, err) < 0)
        return -1;
    uid_t uid;
    gid_t gid;
    copy_owner(c, st, &uid, &gid);
    if (mknodat(ddir, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0 ||
        fchownat(ddir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
        fchmodat(ddir, name, final_mode(c, st), 0) < 0 || set_times(ddir, name, st) < 0)
        return kd_err(err, errno, "cannot create %s", name);
    c->st.others++;
    return 0;
}

/* A directory: created (or merged into an existing one), children, then
 * owner/mode/mtime (the mtime last: adding children changes it). */
static int copy_dir(cctx *c, int fd, const struct stat *st, int ddir, const char *name,
                    const char *rel, const char *ctx_rel, kd_error **err)
{
    struct stat have;
    bool exists = fstatat(ddir, name, &have, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !S_ISDIR(have.st_mode)) {
        if (unlinkat(ddir, name, 0) < 0)
            return kd_err(err, errno, "cannot replace %s with a directory", name);
        exists = false;
    }
    if (!exists && mkdirat(ddir, name, 0700) < 0)
        return kd_err(err, errno, "cannot create directory %s", name);
    int sub = openat(ddir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
        return kd_err(err, errno, "cannot open directory %s", name);
    int rc = copy_children(c, fd, sub, rel, ctx_rel, err);
    close(sub);
    uid_t uid;
    gid_t gid;
    copy_owner(c, st, &uid, &gid);
    if (rc == 0 && (fchownat(ddir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
                    fchmodat(ddir, name, final_mode(c, st), 0) < 0 || set_times(ddir, name, st) < 0))
        rc = kd_err(err, errno, "cannot set the metadata of %s", name);
    if (rc == 0)
        c->st.dirs++;
    return rc;
}

int copy_obj(cctx *c, int fd, const struct stat *st, int ddir, const char *dname, const char *rel,
             const char *ctx_rel, kd_error **err)
{
    if (S_ISREG(st->st_mode))
        return copy_file(c, fd, st, ddir, dname, err);
    if (S_ISLNK(st->st_mode))
        return copy_link(c, fd, st, ddir, dname, err);
    if (S_ISDIR(st->st_mode))
        return copy_dir(c, fd, st, ddir, dname, rel, ctx_rel, err);
    return copy_special(c, st, ddir, dname, err);
}

char *copy_join(const char *a, const char *b)
{
    return a && *a ? kd_asprintf("%s/%s", a, b) : kd_xstrdup(b);
}

/* Is this child left out by .dockerignore or --exclude? */
static bool skipped(const cctx *c, const char *rel, const char *ctx_rel, bool dir)
{
    bool ign = ctx_rel && kd_ignore_match(c->o->ignore, ctx_rel);
    bool exc = c->exclude && kd_ignore_match(c->exclude, rel);
    /* an excluded dir is entered when an exception may re-include below */
    if (dir)
        return (ign && !kd_ignore_has_exceptions(c->o->ignore)) ||
               (exc && !kd_ignore_has_exceptions(c->exclude));
    return ign || exc;
}

static int copy_child(cctx *c, int dirfd, const char *name, int ddir, const char *rel,
                      const char *ctx_rel, kd_error **err)
{
    int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstatat(fd, "", &st, AT_EMPTY_PATH) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return kd_err(err, e, "cannot read %s", rel);
    }
    int rc = 0;
    if (!skipped(c, rel, ctx_rel, S_ISDIR(st.st_mode)))
        rc = copy_obj(c, fd, &st, ddir, name, rel, ctx_rel, err);
    close(fd);
    return rc;
}

int copy_children(cctx *c, int dirfd, int ddir, const char *rel, const char *ctx_rel,
                  kd_error **err)
{
    size_t n = 0;
    char **names = kd_dir_names(dirfd, &n);
    if (names == NULL)
        return kd_err(err, errno, "cannot list %s", rel && *rel ? rel : ".");
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *r = copy_join(rel, names[i]);
        char *cr = ctx_rel ? copy_join(ctx_rel, names[i]) : NULL;
        if (rc == 0)
            rc = copy_child(c, dirfd, names[i], ddir, r, cr, err);
        free(r), free(cr), free(names[i]);
    }
    free(names);
    return rc;
}
