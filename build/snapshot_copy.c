/* Copying one entry with its metadata, and removing entries, by directory
 * fds: the shared ground of kd_tree_apply and kd_snap_diff (snapshot.c).
 * Owner: build-finish. */
#include "build/snapshot_int.h"
#include "build/fsroot.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Extended attributes from in to out (fds), overlayfs' own left out: they
 * are the layer format's markers, not the file's. trusted.* needs
 * CAP_SYS_ADMIN to set; without it those are dropped, as on any copy. */
int snap_copy_xattrs(int in, int out)
{
    ssize_t len = flistxattr(in, NULL, 0);
    if (len <= 0)
        return len < 0 && errno != ENOTSUP ? -1 : 0;
    char *names = kd_xmalloc((size_t)len);
    len = flistxattr(in, names, (size_t)len);
    int rc = len < 0 ? -1 : 0;
    for (ssize_t i = 0; rc == 0 && i < len; i += (ssize_t)strlen(names + i) + 1) {
        const char *n = names + i;
        if (strncmp(n, "trusted.overlay.", 16) == 0 || strncmp(n, "user.overlay.", 13) == 0)
            continue;
        ssize_t vl = fgetxattr(in, n, NULL, 0);
        char *v = kd_xmalloc(vl > 0 ? (size_t)vl : 1);
        vl = vl < 0 ? -1 : fgetxattr(in, n, v, vl > 0 ? (size_t)vl : 1);
        if (vl < 0 || (fsetxattr(out, n, v, (size_t)vl, 0) < 0 &&
                       !(strncmp(n, "trusted.", 8) == 0 && errno == EPERM)))
            rc = -1;
        free(v);
    }
    free(names);
    return rc;
}

static int copy_data(int in, int out, off_t size)
{
    if (ioctl(out, FICLONE, in) == 0)
        return 0;
    while (size > 0) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)size, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size -= n;
    }
    if (size <= 0)
        return 0;
    /* copy_file_range refused (EXDEV on old kernels, EINVAL): plain copy */
    char buf[1 << 16];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return (int)n;
        for (ssize_t w = 0; w < n;) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0 && errno != EINTR)
                return -1;
            w += k > 0 ? k : 0;
        }
    }
}

static int copy_reg(int sdir, const char *name, const struct stat *st, int ddir)
{
    int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int out = in < 0 ? -1
                     : openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    /* owner before mode: chown clears the setuid bit */
    int rc = out < 0 || copy_data(in, out, st->st_size) < 0 ||
                     fchown(out, st->st_uid, st->st_gid) < 0 ||
                     fchmod(out, st->st_mode & 07777) < 0 || snap_copy_xattrs(in, out) < 0 ||
                     futimens(out, ts) < 0
                 ? -1
                 : 0;
    int e = errno;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    errno = e;
    return rc;
}

static int copy_other(int sdir, const char *name, const struct stat *st, int ddir)
{
    if (S_ISLNK(st->st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(sdir, name, target, sizeof target - 1);
        if (n < 0)
            return -1;
        target[n] = '\0';
        if (symlinkat(target, ddir, name) < 0)
            return -1;
    } else if (mknodat(ddir, name, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0) {
        return -1;
    }
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    /* a node we just made, in a dir of ours: not a symlink to follow */
    if (!S_ISLNK(st->st_mode) && fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
        return -1;
    return utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW);
}

int kd_tree_copy_node(int sdir, const char *name, const struct stat *st, int ddir, kd_error **err)
{
    int rc = S_ISREG(st->st_mode) ? copy_reg(sdir, name, st, ddir) : copy_other(sdir, name, st, ddir);
    return rc < 0 ? kd_err(err, errno, "cannot copy %s", name) : 0;
}

int snap_dir_meta(int sfd, const struct stat *st, int dfd, bool times)
{
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if (fchown(dfd, st->st_uid, st->st_gid) < 0 || fchmod(dfd, st->st_mode & 07777) < 0 ||
        snap_copy_xattrs(sfd, dfd) < 0)
        return -1;
    return times ? futimens(dfd, ts) : 0;
}

int snap_open_dir(int dirfd, const char *name)
{
    return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int snap_clear_dir(int fd)
{
    size_t n;
    char **names = kd_dir_names(fd, &n);
    if (names == NULL)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = snap_remove(fd, names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

int snap_remove(int dirfd, const char *name)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -1;
    int fd = snap_open_dir(dirfd, name);
    if (fd < 0)
        return -1;
    int rc = snap_clear_dir(fd);
    close(fd);
    return rc < 0 ? -1 : unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* ---- hard links ---- */

int snap_link_find(const snap_links *l, const struct stat *st)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].ino == st->st_ino && l->v[i].dev == st->st_dev)
            return (int)i;
    return -1;
}

void snap_link_add(snap_links *l, const struct stat *st, const char *path)
{
    KD_GROW(l->v, l->cap, l->n + 1);
    l->v[l->n++] = (snap_link){st->st_dev, st->st_ino, kd_xstrdup(path)};
}

void snap_links_free(snap_links *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
    *l = (snap_links){0};
}

/* A non-directory copied from sdir to ddir, or hard-linked to the copy
 * already made of the same inode (topfd + that copy's path). */
int snap_put_node(snap_links *l, int topfd, int sdir, const char *name, const struct stat *st,
                  int ddir, const char *path, kd_error **err)
{
    if (st->st_nlink > 1 && !S_ISDIR(st->st_mode)) {
        int i = snap_link_find(l, st);
        if (i >= 0)
            return linkat(topfd, l->v[i].path, ddir, name, 0) < 0
                       ? kd_err(err, errno, "cannot link %s", path)
                       : 0;
        snap_link_add(l, st, path);
    }
    return kd_tree_copy_node(sdir, name, st, ddir, err);
}
