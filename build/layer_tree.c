/* The destination side of an extraction. Every entry is created through a
 * directory fd resolved beneath the root without following any symlink
 * (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or a component walk with
 * O_NOFOLLOW where openat2 is missing), and the final component is always
 * created with O_EXCL/O_NOFOLLOW semantics, so no entry can write outside
 * the root, whatever symlinks earlier entries made. */
#include "build/layer_int.h"
#include "util/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* A directory's mode and times, applied after its contents are written:
 * times because writing children changes them, the mode so that a
 * read-only directory can still be filled without privileges. */
typedef struct dirtime {
    char *path; /* owned; "" for the root */
    mode_t mode;
    struct timespec ts[2];
} dirtime;

struct kd_ltree {
    int root;
    unsigned flags;
    bool no_openat2;
    char *cached; /* owned: parent path whose fd is cached_fd, or NULL */
    int cached_fd;
    dirtime *dirs; /* owned */
    size_t ndirs, capdirs;
};

/* One entry being applied: its cleaned path split in parent and base. */
typedef struct lent {
    const char *raw;  /* the name in the tar, for errors */
    char *path;       /* owned, cleaned */
    const char *base; /* in path */
    int pfd;          /* parent dir fd, owned by the tree's cache */
    struct archive_entry *e;
} lent;

static int ent_err(kd_error **err, const lent *le, int errnum, const char *what)
{
    char *q = kd_lpath_quoted(le->raw);
    kd_err(err, errnum, "layer entry %s: %s", q, what);
    free(q);
    return -1;
}

kd_ltree *kd_ltree_open(const char *dest, unsigned flags, kd_error **err)
{
    int fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        kd_err(err, errno, "cannot open layer destination %s", dest);
        return NULL;
    }
    kd_ltree *t = kd_xcalloc(1, sizeof *t);
    t->root = fd;
    t->flags = flags;
    t->cached_fd = -1;
    return t;
}

static void cache_drop(kd_ltree *t)
{
    if (t->cached_fd >= 0 && t->cached_fd != t->root)
        close(t->cached_fd);
    t->cached_fd = -1;
    free(t->cached);
    t->cached = NULL;
}

/* Takes ownership of fd as the cached directory for path. */
static void cache_set(kd_ltree *t, const char *path, int fd)
{
    cache_drop(t);
    t->cached = kd_xstrdup(path);
    t->cached_fd = fd;
}

void kd_ltree_free(kd_ltree *t)
{
    if (t == NULL)
        return;
    cache_drop(t);
    for (size_t i = 0; i < t->ndirs; i++)
        free(t->dirs[i].path);
    free(t->dirs);
    close(t->root);
    free(t);
}

/* Opens rel (a cleaned, non-empty path) as a directory, one component at a
 * time with O_NOFOLLOW; missing components are created when create is set.
 * Returns the fd, or -1 with errno. */
static int walk_dir(kd_ltree *t, const char *rel, bool create)
{
    int cur = t->root;
    char *copy = kd_xstrdup(rel), *save = NULL;
    for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        int fd = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create) {
            if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
                fd = -1;
            else
                fd = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        int saved = errno;
        if (cur != t->root)
            close(cur);
        if (fd < 0) {
            free(copy);
            errno = saved;
            return -1;
        }
        cur = fd;
    }
    free(copy);
    return cur == t->root ? dup(t->root) : cur;
}

/* The kernel does the whole walk in one call, refusing any symlink and any
 * escape from the root. */
static int open_beneath(kd_ltree *t, const char *rel)
{
    if (!t->no_openat2) {
        struct open_how how = {
            .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
                       RESOLVE_NO_XDEV,
        };
        int fd = (int)syscall(SYS_openat2, t->root, rel, &how, sizeof how);
        if (fd >= 0 || (errno != ENOSYS && errno != ENAMETOOLONG && errno != EAGAIN))
            return fd;
        if (errno == ENOSYS)
            t->no_openat2 = true;
    }
    return walk_dir(t, rel, false);
}

/* Resolves the parent directory of le->path into le->pfd, creating missing
 * parents (as Docker's MkdirAll does). */
static int resolve_parent(kd_ltree *t, lent *le, kd_error **err)
{
    const char *slash = strrchr(le->path, '/');
    le->base = slash ? slash + 1 : le->path;
    if (slash == NULL) {
        le->pfd = t->root;
        return 0;
    }
    size_t plen = (size_t)(slash - le->path);
    if (t->cached && strlen(t->cached) == plen && memcmp(t->cached, le->path, plen) == 0) {
        le->pfd = t->cached_fd;
        return 0;
    }
    char *parent = kd_xstrndup(le->path, plen);
    int fd = open_beneath(t, parent);
    if (fd < 0 && errno == ENOENT)
        fd = walk_dir(t, parent, true);
    if (fd < 0) {
        int e = errno;
        free(parent);
        if (e == ELOOP || e == ENOTDIR || e == EXDEV)
            return ent_err(err, le, 0, "a parent directory is a symlink or not a directory");
        return ent_err(err, le, e, "cannot open its parent directory");
    }
    cache_set(t, parent, fd);
    free(parent);
    le->pfd = fd;
    return 0;
}

/* Makes room for a new entry whose name exists already: the later entry
 * wins; a directory over a directory is merged (returns 1). */
static int make_room(kd_ltree *t, lent *le, bool new_is_dir, kd_error **err)
{
    struct stat st;
    if (fstatat(le->pfd, le->base, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : ent_err(err, le, errno, "cannot stat the existing entry");
    if (S_ISDIR(st.st_mode) && new_is_dir)
        return 1;
    if (S_ISDIR(st.st_mode)) {
        /* the cache is either this entry's parent (kept) or may lie inside
         * the tree being removed (dropped) */
        if (le->pfd != t->cached_fd)
            cache_drop(t);
        if (kd_lremove_at(le->pfd, le->base) < 0)
            return ent_err(err, le, errno, "cannot remove the existing directory");
        return 0;
    }
    if (unlinkat(le->pfd, le->base, 0) < 0)
        return ent_err(err, le, errno, "cannot remove the existing entry");
    return 0;
}

/* ---- metadata ---- */

static int apply_xattrs(lent *le, int fd, kd_error **err)
{
    struct archive_entry *e = le->e;
    if (archive_entry_xattr_reset(e) == 0)
        return 0;
    const char *name;
    const void *val;
    size_t size;
    char path[64];
    if (fd < 0) /* no fd of its own (symlink, device): its parent's fd and name */
        snprintf(path, sizeof path, "/proc/self/fd/%d/", le->pfd);
    while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
        int pol = kd_lxattr_policy(name);
        if (pol < 0)
            return ent_err(err, le, 0, "carries an overlayfs xattr, refused");
        if (pol == 0)
            continue;
        int rc;
        if (fd >= 0) {
            rc = fsetxattr(fd, name, val, size, 0);
        } else {
            char *p = kd_asprintf("%s%s", path, le->base);
            rc = lsetxattr(p, name, val, size, 0);
            free(p);
        }
        /* as Docker: a file system without (this kind of) xattrs is not fatal */
        if (rc < 0 && (errno == ENOTSUP || errno == EPERM))
            continue;
        if (rc < 0) {
            char *msg = kd_asprintf("cannot set xattr %s", name);
            ent_err(err, le, errno, msg);
            free(msg);
            return -1;
        }
    }
    return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    if (archive_entry_atime_is_set(e)) {
        ts[0].tv_sec = archive_entry_atime(e);
        ts[0].tv_nsec = archive_entry_atime_nsec(e);
    } else {
        ts[0] = ts[1];
    }
}

/* Owner, then mode (chown clears setuid bits), then xattrs (chown clears
 * security.capability), then times. fd < 0: by name in the parent. */
static int apply_meta(kd_ltree *t, lent *le, int fd, bool is_link, kd_error **err)
{
    struct archive_entry *e = le->e;
    uid_t uid = (uid_t)archive_entry_uid(e);
    gid_t gid = (gid_t)archive_entry_gid(e);
    if (!(t->flags & KD_LAYER_NO_CHOWN)) {
        int rc = fd >= 0 ? fchown(fd, uid, gid)
                         : fchownat(le->pfd, le->base, uid, gid, AT_SYMLINK_NOFOLLOW);
        if (rc < 0)
            return ent_err(err, le, errno, "cannot set its owner");
    }
    bool is_dir = archive_entry_filetype(e) == AE_IFDIR;
    if (!is_link && !is_dir) {
        mode_t mode = archive_entry_mode(e) & 07777;
        int rc = fd >= 0 ? fchmod(fd, mode) : fchmodat(le->pfd, le->base, mode, 0);
        if (rc < 0)
            return ent_err(err, le, errno, "cannot set its mode");
    }
    if (apply_xattrs(le, fd, err) < 0)
        return -1;
    struct timespec ts[2];
    entry_times(e, ts);
    if (is_dir) {
        KD_GROW(t->dirs, t->capdirs, t->ndirs + 1);
        t->dirs[t->ndirs].path = kd_xstrdup(le->path);
        t->dirs[t->ndirs].mode = archive_entry_mode(e) & 07777;
        memcpy(t->dirs[t->ndirs].ts, ts, sizeof ts);
        t->ndirs++;
        return 0;
    }
    int rc = fd >= 0 ? futimens(fd, ts) : utimensat(le->pfd, le->base, ts, AT_SYMLINK_NOFOLLOW);
    if (rc < 0)
        return ent_err(err, le, errno, "cannot set its times");
    return 0;
}

/* ---- entry kinds ---- */

static int write_data(lent *le, struct archive *a, int fd, kd_error **err)
{
    const void *buf;
    size_t size;
    la_int64_t off, pos = 0;
    for (;;) {
        int r = archive_read_data_block(a, &buf, &size, &off);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return ent_err(err, le, 0,
                           archive_error_string(a) ? archive_error_string(a) : "bad data");
        const char *p = buf;
        while (size > 0) {
            /* pwrite at the block's offset: a sparse file's holes stay holes */
            ssize_t w = pwrite(fd, p, size, off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return ent_err(err, le, w < 0 ? errno : ENOSPC, "cannot write its data");
            p += w, size -= (size_t)w, off += w;
        }
        pos = off;
    }
    la_int64_t want = archive_entry_size(le->e);
    if (archive_entry_size_is_set(le->e) && pos < want && ftruncate(fd, want) < 0)
        return ent_err(err, le, errno, "cannot size it");
    return 0;
}

static int make_file(kd_ltree *t, lent *le, struct archive *a, kd_layer_stats *st, kd_error **err)
{
    int fd;
    for (int tries = 0;; tries++) {
        fd = openat(le->pfd, le->base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST || tries > 0)
            break;
        if (make_room(t, le, false, err) < 0)
            return -1;
    }
    if (fd < 0)
        return ent_err(err, le, errno, "cannot create it");
    int rc = write_data(le, a, fd, err);
    if (rc == 0)
        rc = apply_meta(t, le, fd, false, err);
    close(fd);
    st->files++;
    st->file_bytes += (uint64_t)archive_entry_size(le->e);
    return rc;
}

static int make_dir(kd_ltree *t, lent *le, kd_error **err)
{
    if (mkdirat(le->pfd, le->base, 0700) < 0) {
        if (errno != EEXIST)
            return ent_err(err, le, errno, "cannot create the directory");
        int merge = make_room(t, le, true, err);
        if (merge < 0)
            return -1;
        if (merge == 0 && mkdirat(le->pfd, le->base, 0700) < 0)
            return ent_err(err, le, errno, "cannot create the directory");
    }
    int fd = openat(le->pfd, le->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ent_err(err, le, errno, "cannot open the directory");
    if (apply_meta(t, le, fd, false, err) < 0) {
        close(fd);
        return -1;
    }
    /* its children most likely come next */
    cache_set(t, le->path, fd);
    return 0;
}

/* Creates a non-regular, non-directory node with create(); retried once
 * after removing what had the name. */
static int make_node(kd_ltree *t, lent *le, int (*create)(lent *), kd_error **err)
{
    if (create(le) < 0) {
        if (errno != EEXIST)
            return ent_err(err, le, errno, "cannot create it");
        if (make_room(t, le, false, err) < 0)
            return -1;
        if (create(le) < 0)
            return ent_err(err, le, errno, "cannot create it");
    }
    return 0;
}

static int create_symlink(lent *le)
{
    const char *target = archive_entry_symlink(le->e);
    return symlinkat(target ? target : "", le->pfd, le->base);
}

static int create_special(lent *le)
{
    struct archive_entry *e = le->e;
    mode_t type = archive_entry_filetype(e) == AE_IFCHR   ? S_IFCHR
                  : archive_entry_filetype(e) == AE_IFBLK ? S_IFBLK
                                                          : S_IFIFO;
    dev_t dev = type == S_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
    return mknodat(le->pfd, le->base, type | 0600, dev);
}

static int create_whiteout(lent *le)
{
    return mknodat(le->pfd, le->base, S_IFCHR | 0000, makedev(0, 0));
}

static int make_hardlink(kd_ltree *t, lent *le, kd_error **err)
{
    char *target = NULL;
    int c = kd_lpath_clean(archive_entry_hardlink(le->e), &target);
    if (c < 0 || target[0] == '\0') {
        free(target);
        return ent_err(err, le, 0, "hard link target is outside the layer");
    }
    /* resolve the target's parent with the same no-symlink rules; it has its
     * own fd, since the cache holds the entry's parent */
    const char *slash = strrchr(target, '/');
    int tfd = t->root;
    if (slash) {
        *(char *)slash = '\0';
        tfd = open_beneath(t, target);
        *(char *)slash = '/';
    }
    const char *tbase = slash ? slash + 1 : target;
    int rc = -1;
    if (tfd < 0) {
        ent_err(err, le, errno, "hard link target is missing or behind a symlink");
    } else if (linkat(tfd, tbase, le->pfd, le->base, 0) == 0) {
        rc = 0;
    } else if (errno == EEXIST && make_room(t, le, false, err) == 0 &&
               linkat(tfd, tbase, le->pfd, le->base, 0) == 0) {
        rc = 0;
    } else if (err == NULL || *err == NULL) {
        ent_err(err, le, errno, errno == ENOENT ? "hard link target is missing"
                                                : "cannot create the hard link");
    }
    if (tfd >= 0 && tfd != t->root)
        close(tfd);
    free(target);
    return rc;
}

/* ---- whiteouts ---- */

static int make_whiteout(kd_ltree *t, lent *le, kd_layer_stats *st, kd_error **err)
{
    const char *name = le->base + 4;
    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return ent_err(err, le, 0, "whiteout of an invalid name");
    le->base = name;
    if (make_node(t, le, create_whiteout, err) < 0)
        return -1;
    st->whiteouts++;
    if (t->flags & KD_LAYER_NO_CHOWN)
        return 0;
    uid_t uid = (uid_t)archive_entry_uid(le->e);
    gid_t gid = (gid_t)archive_entry_gid(le->e);
    if (fchownat(le->pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return ent_err(err, le, errno, "cannot set the whiteout's owner");
    return 0;
}

static int make_opaque(lent *le, kd_layer_stats *st, kd_error **err)
{
    if (fsetxattr(le->pfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
        return ent_err(err, le, errno, "cannot mark the directory opaque");
    st->whiteouts++;
    return 0;
}

/* aufs metadata (".wh..wh.plnk" and what is inside it) is skipped, as
 * Docker does; ".wh..wh..opq" as the last component is the opaque marker. */
static bool is_aufs_meta(const char *path)
{
    for (const char *p = path; (p = strstr(p, ".wh..wh.")) != NULL; p++)
        if ((p == path || p[-1] == '/') && strcmp(p, ".wh..wh..opq") != 0)
            return true;
    return false;
}

/* ---- dispatch ---- */

static int apply_root(kd_ltree *t, lent *le, kd_error **err)
{
    if (archive_entry_filetype(le->e) != AE_IFDIR)
        return ent_err(err, le, 0, "would replace the layer's root directory");
    le->pfd = t->root;
    le->base = ".";
    return apply_meta(t, le, t->root, false, err);
}

static int apply_kind(kd_ltree *t, lent *le, struct archive *a, kd_layer_stats *st,
                      kd_error **err)
{
    if (strcmp(le->base, ".wh..wh..opq") == 0)
        return make_opaque(le, st, err);
    if (strncmp(le->base, ".wh.", 4) == 0)
        return make_whiteout(t, le, st, err);
    if (archive_entry_hardlink(le->e) != NULL)
        return make_hardlink(t, le, err);
    switch (archive_entry_filetype(le->e)) {
    case AE_IFREG:
        return make_file(t, le, a, st, err);
    case AE_IFDIR:
        return make_dir(t, le, err);
    case AE_IFLNK:
        if (make_node(t, le, create_symlink, err) < 0)
            return -1;
        return apply_meta(t, le, -1, true, err);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
        if (make_node(t, le, create_special, err) < 0)
            return -1;
        return apply_meta(t, le, -1, false, err);
    default:
        return ent_err(err, le, 0, "has an unsupported type");
    }
}

int kd_ltree_apply(kd_ltree *t, struct archive *a, struct archive_entry *e, kd_layer_stats *st,
                   kd_error **err)
{
    lent le = {.raw = archive_entry_pathname(e), .e = e, .pfd = -1};
    if (le.raw == NULL)
        return kd_err(err, 0, "layer entry without a name");
    int c = kd_lpath_clean(le.raw, &le.path);
    if (c < 0)
        return ent_err(err, &le, 0, c == -1 ? "absolute path" : "path escapes the layer root");
    st->entries++;
    int rc;
    if (is_aufs_meta(le.path))
        rc = 0;
    else if (le.path[0] == '\0')
        rc = apply_root(t, &le, err);
    else
        rc = resolve_parent(t, &le, err) < 0 ? -1 : apply_kind(t, &le, a, st, err);
    free(le.path);
    return rc;
}

int kd_ltree_finish(kd_ltree *t, kd_error **err)
{
    cache_drop(t);
    /* in tar order, so that a later duplicate's mode and times win;
     * setting a directory's times does not touch its parent's */
    for (size_t i = 0; i < t->ndirs; i++) {
        dirtime *d = &t->dirs[i];
        int fd = d->path[0] ? open_beneath(t, d->path) : dup(t->root);
        if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
            continue; /* removed or replaced by a later entry */
        if (fd < 0 || fchmod(fd, d->mode) < 0 || futimens(fd, d->ts) < 0) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            char *q = kd_lpath_quoted(d->path);
            kd_err(err, e, "layer entry %s: cannot set its mode and times", q);
            free(q);
            return -1;
        }
        close(fd);
    }
    return 0;
}
