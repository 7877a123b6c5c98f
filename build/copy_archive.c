/* ADD of a local tar archive (plain, gzip, bzip2 or xz, told by content):
 * libarchive parses, we write, each entry resolved inside the image's root
 * (an entry cannot escape it, even through a symlink an earlier entry
 * made). Owner: build-sandbox (helper C). */
#include "build/copy_int.h"
#include "build/fsroot.h"
#include "build/store.h"
#include "util/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct archive *open_tar(int fd)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    if (lseek(fd, 0, SEEK_SET) < 0 || archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

int copy_is_archive(int fd)
{
    struct archive *a = open_tar(fd);
    if (a == NULL)
        return 0;
    struct archive_entry *e;
    int rc = archive_read_next_header(a, &e);
    archive_read_free(a);
    return rc == ARCHIVE_OK || rc == ARCHIVE_WARN;
}

/* DEST/NAME, cleaned; NULL when the name climbs out of DEST. */
static char *entry_path(const char *dest, const char *name)
{
    while (*name == '/')
        name++;
    char *rel = kd_path_clean(name);
    char *out = NULL;
    if (strcmp(rel, "..") != 0 && strncmp(rel, "../", 3) != 0)
        out = strcmp(rel, ".") == 0 ? kd_xstrdup(dest) : kd_asprintf("%s/%s", strcmp(dest, "/") ? dest : "", rel);
    free(rel);
    return out;
}

static int write_data(struct archive *a, int out)
{
    const void *buf;
    size_t n;
    int64_t off;
    int rc;
    while ((rc = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK) {
        if (pwrite(out, buf, n, off) != (ssize_t)n)
            return -1;
    }
    return rc == ARCHIVE_EOF ? 0 : -1;
}

typedef struct slot {
    int dir; /* O_PATH fd of the parent, inside the root */
    const char *base;
} slot;

/* Makes room for an entry of the given type, as Docker's unpacker does
 * (pkg/archive createTarFile): whatever is there is removed, a directory
 * too, unless both are directories. (COPY refuses to replace a directory.) */
static int clear_for_entry(slot *s, mode_t type, kd_error **err)
{
    struct stat st;
    if (fstatat(s->dir, s->base, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return 0;
    if (S_ISDIR(st.st_mode) && type == AE_IFDIR)
        return 0;
    return kd_remove_tree_at(s->dir, s->base, err);
}

static int make_entry(cctx *c, struct archive *a, struct archive_entry *e, slot *s,
                      const char *dest, kd_error **err)
{
    mode_t type = archive_entry_filetype(e);
    const char *link = archive_entry_hardlink(e);
    if (clear_for_entry(s, link ? AE_IFREG : type, err) < 0)
        return -1;
    if (link) {
        char *target = entry_path(dest, link);
        int tfd = target ? kd_root_open(c->dst_root, target, O_PATH | O_NOFOLLOW, 0, KD_IN_ROOT) : -1;
        int rc = tfd >= 0 ? linkat(tfd, "", s->dir, s->base, AT_EMPTY_PATH) : -1;
        free(target);
        if (tfd >= 0)
            close(tfd);
        return rc < 0 ? kd_err(err, errno, "archive hard link %s", archive_entry_pathname(e)) : 1;
    }
    if (type == AE_IFDIR)
        return mkdirat(s->dir, s->base, 0700) < 0 && errno != EEXIST ? -1 : 0;
    if (type == AE_IFLNK)
        return symlinkat(archive_entry_symlink(e), s->dir, s->base);
    if (type != AE_IFREG)
        return mknodat(s->dir, s->base, type | 0600, archive_entry_rdev(e));
    int out = openat(s->dir, s->base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = out < 0 || write_data(a, out) < 0 ? -1 : 0;
    if (out >= 0)
        close(out);
    return rc;
}

static int set_meta(cctx *c, struct archive_entry *e, slot *s)
{
    uid_t uid = c->chown ? c->uid : (uid_t)archive_entry_uid(e);
    gid_t gid = c->chown ? c->gid : (gid_t)archive_entry_gid(e);
    struct timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                             {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    if (fchownat(s->dir, s->base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    if (archive_entry_filetype(e) != AE_IFLNK &&
        fchmodat(s->dir, s->base, archive_entry_perm(e) & 07777, 0) < 0)
        return -1;
    return utimensat(s->dir, s->base, ts, AT_SYMLINK_NOFOLLOW);
}

static int extract_entry(cctx *c, struct archive *a, struct archive_entry *e, const char *dest,
                         kd_error **err)
{
    const char *name = archive_entry_pathname(e);
    char *path = name ? entry_path(dest, name) : NULL;
    if (path == NULL)
        return kd_err(err, 0, "archive entry %s escapes the destination", name ? name : "(null)");
    if (strcmp(path, dest) == 0) {
        free(path);
        return 0; /* "./": the destination itself */
    }
    char *slash = strrchr(path, '/');
    *slash = '\0';
    slot s = {-1, slash + 1};
    int rc = copy_dst_dir(c, *path ? path : "/", &s.dir, err);
    if (rc == 0) {
        rc = make_entry(c, a, e, &s, dest, err);
        if (rc == 0 && set_meta(c, e, &s) < 0)
            rc = -1;
        if (rc < 0)
            kd_err(err, errno, "cannot extract %s", name);
        rc = rc < 0 ? -1 : 0;
        c->st.files++;
    }
    if (s.dir >= 0)
        close(s.dir);
    free(path);
    return rc;
}

int copy_extract(cctx *c, int fd, const char *dest, kd_error **err)
{
    int dfd;
    if (copy_dst_dir(c, dest, &dfd, err) < 0)
        return -1;
    close(dfd);
    struct archive *a = open_tar(fd);
    if (a == NULL)
        return kd_err(err, 0, "cannot read the archive");
    struct archive_entry *e;
    int rc = 0, r;
    while (rc == 0 && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            rc = kd_err(err, 0, "archive: %s", archive_error_string(a));
        else
            rc = extract_entry(c, a, e, dest, err);
    }
    archive_read_free(a);
    return rc;
}
