/* Writing a layer from a change directory (an overlayfs upper dir): a
 * depth-first walk, siblings sorted by the byte-wise name they get in the
 * tar, so the same tree always gives the same bytes. Overlay's forms are
 * turned back into OCI ones: a whiteout (char device 0:0, or an empty file
 * with trusted.overlay.whiteout) becomes ".wh.NAME", an opaque directory
 * gets a ".wh..wh..opq" entry right after it, and trusted.overlay.* xattrs
 * are dropped. */
#include "build/layer_int.h"
#include "build/layer_tar.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

typedef struct child {
    char *name; /* owned: the name on disk */
    char *tarname; /* owned: the name in the tar (".wh.NAME" for whiteouts) */
    struct stat st;
    bool whiteout;
} child;

typedef struct link_seen {
    dev_t dev;
    ino_t ino;
    char *path; /* owned: tar name of the first entry */
} link_seen;

typedef struct writer {
    kd_ltar tar;
    const kd_layer_write_opts *o;
    char **ex; /* owned: cleaned excludes */
    bool *ex_contents; /* "P/": keep P, leave out its contents */
    size_t nex;
    link_seen *links; /* owned: open-addressing table of hard links */
    size_t nlinks, caplinks;
    kd_layer_stats st;
    kd_buf path; /* the current directory's tar path, "" or ending in "/" */
} writer;

static int werr_path(kd_error **err, writer *w, const char *name, int e, const char *what)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_add(&b, w->path.data ? w->path.data : "", w->path.len);
    kd_buf_adds(&b, name);
    char *q = kd_lpath_quoted(kd_buf_str(&b));
    kd_err(err, e, "layer write: %s: %s", q, what);
    free(q);
    kd_buf_free(&b);
    return -1;
}

static int64_t entry_mtime(const writer *w, const struct stat *st)
{
    int64_t t = st->st_mtim.tv_sec;
    if (w->o->mtime_mode == KD_LAYER_MTIME_FIXED)
        return w->o->mtime;
    if (w->o->mtime_mode == KD_LAYER_MTIME_CLAMP && t > w->o->mtime)
        return w->o->mtime;
    return t;
}

/* ---- excludes ---- */

static void excludes_init(writer *w)
{
    w->ex = kd_xcalloc(w->o->nexcludes + 1, sizeof *w->ex);
    w->ex_contents = kd_xcalloc(w->o->nexcludes + 1, sizeof *w->ex_contents);
    for (size_t i = 0; i < w->o->nexcludes; i++) {
        const char *p = w->o->excludes[i];
        while (*p == '/')
            p++;
        size_t n = strlen(p);
        char *clean = NULL;
        if (kd_lpath_clean(p, &clean) < 0 || clean[0] == '\0') {
            free(clean);
            continue;
        }
        w->ex_contents[w->nex] = n > 0 && p[n - 1] == '/';
        w->ex[w->nex++] = clean;
    }
}

/* 0 keep, 1 leave out, 2 keep but leave out the contents; rel is the
 * entry's path without a trailing "/". */
static int excluded(const writer *w, const char *rel)
{
    for (size_t i = 0; i < w->nex; i++)
        if (strcmp(w->ex[i], rel) == 0)
            return w->ex_contents[i] ? 2 : 1;
    return 0;
}

/* ---- hard links ---- */

static size_t link_slot(const writer *w, dev_t dev, ino_t ino)
{
    size_t h = ((size_t)ino * 0x9e3779b97f4a7c15ull ^ (size_t)dev) & (w->caplinks - 1);
    while (w->links[h].path && !(w->links[h].dev == dev && w->links[h].ino == ino))
        h = (h + 1) & (w->caplinks - 1);
    return h;
}

/* The tar name of an earlier entry with the same inode, or NULL after
 * recording this one (whose tar name is name). */
static const char *link_check(writer *w, const struct stat *st, const char *name)
{
    if (st->st_nlink < 2 || S_ISDIR(st->st_mode))
        return NULL;
    if (2 * (w->nlinks + 1) > w->caplinks) {
        link_seen *old = w->links;
        size_t oldcap = w->caplinks;
        w->caplinks = oldcap ? 2 * oldcap : 64;
        w->links = kd_xcalloc(w->caplinks, sizeof *w->links);
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].path)
                w->links[link_slot(w, old[i].dev, old[i].ino)] = old[i];
        free(old);
    }
    size_t h = link_slot(w, st->st_dev, st->st_ino);
    if (w->links[h].path)
        return w->links[h].path;
    w->links[h] = (link_seen){st->st_dev, st->st_ino, kd_xstrdup(name)};
    w->nlinks++;
    return NULL;
}

/* ---- xattrs ---- */

typedef struct xattrs {
    kd_lxattr *v; /* owned array; names point into names, values into vals */
    size_t n;
    char *names; /* owned */
    kd_buf vals;
} xattrs;

static void xattrs_free(xattrs *x)
{
    free(x->v);
    free(x->names);
    kd_buf_free(&x->vals);
    memset(x, 0, sizeof *x);
}

static int cmp_xattr(const void *a, const void *b)
{
    return strcmp(((const kd_lxattr *)a)->name, ((const kd_lxattr *)b)->name);
}

static ssize_t xlist(int fd, const char *path, char *buf, size_t n)
{
    return fd >= 0 ? flistxattr(fd, buf, n) : llistxattr(path, buf, n);
}

static ssize_t xget(int fd, const char *path, const char *name, char *buf, size_t n)
{
    return fd >= 0 ? fgetxattr(fd, name, buf, n) : lgetxattr(path, name, buf, n);
}

/* Reads the xattrs of fd (or of path when fd < 0) that a layer carries
 * (kd_lxattr_policy), sorted by name for stable output. */
static void read_xattrs(int fd, const char *path, xattrs *x)
{
    memset(x, 0, sizeof *x);
    ssize_t ln = xlist(fd, path, NULL, 0);
    if (ln <= 0)
        return;
    x->names = kd_xmalloc((size_t)ln);
    ln = xlist(fd, path, x->names, (size_t)ln);
    size_t cap = 0;
    size_t *offs = NULL;
    for (ssize_t i = 0; i < ln; i += (ssize_t)strlen(x->names + i) + 1) {
        const char *nm = x->names + i;
        ssize_t vl = kd_lxattr_policy(nm) == 1 ? xget(fd, path, nm, NULL, 0) : -1;
        if (vl < 0)
            continue;
        kd_buf_reserve(&x->vals, (size_t)vl + 1);
        vl = xget(fd, path, nm, x->vals.data + x->vals.len, (size_t)vl);
        if (vl < 0)
            continue;
        KD_GROW(x->v, cap, x->n + 1);
        offs = kd_xrealloc(offs, cap * sizeof *offs);
        offs[x->n] = x->vals.len;
        x->v[x->n++] = (kd_lxattr){nm, NULL, (size_t)vl};
        x->vals.len += (size_t)vl;
    }
    /* values are placed once the buffer has stopped moving */
    for (size_t i = 0; i < x->n; i++)
        x->v[i].value = x->vals.data + offs[i];
    free(offs);
    if (x->n > 1)
        qsort(x->v, x->n, sizeof *x->v, cmp_xattr);
}

static bool has_xattr(int fd, const char *path, const char *name, const char *want)
{
    char v[8];
    ssize_t n = xget(fd, path, name, v, sizeof v);
    return n >= 0 && (want == NULL || ((size_t)n == strlen(want) && memcmp(v, want, (size_t)n) == 0));
}

/* ---- listing a directory ---- */

static void proc_path(char out[64], int dirfd, const char *name, char **longp)
{
    /* /proc/self/fd/N/NAME reaches NAME in that exact directory */
    *longp = NULL;
    if (snprintf(out, 64, "/proc/self/fd/%d/%s", dirfd, name) >= 64) {
        *longp = kd_asprintf("/proc/self/fd/%d/%s", dirfd, name);
    }
}

static int cmp_child(const void *a, const void *b)
{
    return strcmp(((const child *)a)->tarname, ((const child *)b)->tarname);
}

static void children_free(child *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].name);
        free(c[i].tarname);
    }
    free(c);
}

static bool is_whiteout(int dirfd, const char *name, const struct stat *st)
{
    if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0))
        return true;
    if (!S_ISREG(st->st_mode) || st->st_size != 0)
        return false;
    /* overlayfs' other form, for upper dirs where mknod is not allowed */
    char pbuf[64], *longp;
    proc_path(pbuf, dirfd, name, &longp);
    bool wo = has_xattr(-1, longp ? longp : pbuf, "trusted.overlay.whiteout", NULL);
    free(longp);
    return wo;
}

/* Reads dirfd's entries with their lstat, sorted by tar name. */
static int list_dir(writer *w, int dirfd, child **out, size_t *nout, kd_error **err)
{
    *out = NULL;
    *nout = 0;
    int dfd = dup(dirfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (d == NULL) {
        if (dfd >= 0)
            close(dfd);
        return werr_path(err, w, "", errno, "cannot read the directory");
    }
    size_t cap = 0, n = 0;
    child *c = NULL;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        KD_GROW(c, cap, n + 1);
        child *ch = &c[n];
        if (fstatat(dirfd, de->d_name, &ch->st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = werr_path(err, w, de->d_name, errno, "cannot stat it");
            break;
        }
        ch->name = kd_xstrdup(de->d_name);
        ch->whiteout = is_whiteout(dirfd, ch->name, &ch->st);
        ch->tarname = ch->whiteout ? kd_asprintf(".wh.%s", ch->name) : kd_xstrdup(ch->name);
        n++;
    }
    closedir(d);
    if (rc < 0) {
        children_free(c, n);
        return -1;
    }
    if (n > 1)
        qsort(c, n, sizeof *c, cmp_child);
    *out = c;
    *nout = n;
    return 0;
}

/* ---- entries ---- */

static void hdr_from_stat(const writer *w, kd_ltar_hdr *h, const struct stat *st)
{
    h->mode = st->st_mode & 07777;
    h->uid = st->st_uid;
    h->gid = st->st_gid;
    h->mtime = entry_mtime(w, st);
}

/* An empty regular file standing for a whiteout or an opaque marker. */
static int put_marker(writer *w, const char *tarname, const struct stat *st, kd_error **err)
{
    kd_ltar_hdr h = {.name = tarname, .type = '0'};
    hdr_from_stat(w, &h, st);
    h.mode &= 0777;
    w->st.entries++;
    w->st.whiteouts++;
    return kd_ltar_header(&w->tar, &h, err);
}

/* Header then exactly size bytes of data (zeros if the file shrank). */
static int put_file(writer *w, int dirfd, const child *c, kd_ltar_hdr *h, kd_error **err)
{
    int fd = openat(dirfd, c->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return werr_path(err, w, c->name, errno, "cannot open it");
    xattrs x;
    read_xattrs(fd, NULL, &x);
    h->xattrs = x.v, h->nxattrs = x.n;
    h->size = (uint64_t)c->st.st_size;
    int rc = kd_ltar_header(&w->tar, h, err);
    xattrs_free(&x);
    for (uint64_t left = h->size; rc == 0 && left > 0;) {
        unsigned char *p;
        size_t room;
        if ((rc = kd_ltar_room(&w->tar, 4096, &p, &room, err)) < 0)
            break;
        size_t want = left < room ? (size_t)left : room;
        ssize_t n = read(fd, p, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = werr_path(err, w, c->name, errno, "cannot read it");
            break;
        }
        if (n == 0) { /* shrank while being read: keep the header's size */
            memset(p, 0, want);
            n = (ssize_t)want;
        }
        w->tar.len += (size_t)n;
        left -= (uint64_t)n;
    }
    close(fd);
    if (rc == 0)
        rc = kd_ltar_pad(&w->tar, err);
    w->st.files++;
    w->st.file_bytes += h->size;
    return rc;
}

/* A symlink, device or fifo: no fd of its own, xattrs by /proc path. */
static int put_node(writer *w, int dirfd, const child *c, kd_ltar_hdr *h, kd_error **err)
{
    char pbuf[64], *longp;
    proc_path(pbuf, dirfd, c->name, &longp);
    const char *path = longp ? longp : pbuf;
    char *target = NULL;
    int rc = 0;
    if (S_ISLNK(c->st.st_mode)) {
        size_t cap = (size_t)c->st.st_size + 1;
        target = kd_xmalloc(cap + 1);
        ssize_t n = readlinkat(dirfd, c->name, target, cap);
        if (n < 0 || (size_t)n >= cap)
            rc = werr_path(err, w, c->name, n < 0 ? errno : 0, "cannot read the symlink");
        else
            target[n] = '\0';
        h->type = '2';
        h->link = target;
    } else {
        h->type = S_ISCHR(c->st.st_mode) ? '3' : S_ISBLK(c->st.st_mode) ? '4' : '6';
        h->devmajor = major(c->st.st_rdev);
        h->devminor = minor(c->st.st_rdev);
    }
    xattrs x = {0};
    if (rc == 0) {
        read_xattrs(-1, path, &x);
        h->xattrs = x.v, h->nxattrs = x.n;
        rc = kd_ltar_header(&w->tar, h, err);
    }
    xattrs_free(&x);
    free(target);
    free(longp);
    return rc;
}

static int walk(writer *w, int dirfd, kd_error **err);

static int put_dir(writer *w, int dirfd, const child *c, kd_ltar_hdr *h, int ex,
                   kd_error **err)
{
    int fd = openat(dirfd, c->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return werr_path(err, w, c->name, errno, "cannot open the directory");
    xattrs x;
    read_xattrs(fd, NULL, &x);
    h->type = '5';
    h->xattrs = x.v, h->nxattrs = x.n;
    int rc = kd_ltar_header(&w->tar, h, err);
    xattrs_free(&x);
    size_t mark = w->path.len;
    kd_buf_adds(&w->path, c->name);
    kd_buf_addc(&w->path, '/');
    if (rc == 0 && has_xattr(fd, NULL, "trusted.overlay.opaque", "y")) {
        char *name = kd_asprintf("%s.wh..wh..opq", kd_buf_str(&w->path));
        rc = put_marker(w, name, &c->st, err);
        free(name);
    }
    if (rc == 0 && ex != 2)
        rc = walk(w, fd, err);
    kd_buf_truncate(&w->path, mark);
    close(fd);
    return rc;
}

static int put_child(writer *w, int dirfd, const child *c, kd_error **err)
{
    size_t mark = w->path.len;
    kd_buf_adds(&w->path, c->tarname);
    char *name = kd_xstrdup(kd_buf_str(&w->path));
    kd_buf_truncate(&w->path, mark);
    int ex = excluded(w, name);
    int rc = 0;
    if (ex == 1) {
        /* left out */
    } else if (c->whiteout) {
        rc = put_marker(w, name, &c->st, err);
    } else {
        kd_ltar_hdr h = {.name = name};
        hdr_from_stat(w, &h, &c->st);
        const char *first = link_check(w, &c->st, name);
        w->st.entries++;
        if (first != NULL) {
            h.type = '1';
            h.link = first;
            rc = kd_ltar_header(&w->tar, &h, err);
        } else if (S_ISREG(c->st.st_mode)) {
            h.type = '0';
            rc = put_file(w, dirfd, c, &h, err);
        } else if (S_ISDIR(c->st.st_mode)) {
            char *dname = kd_asprintf("%s/", name);
            h.name = dname;
            rc = put_dir(w, dirfd, c, &h, ex, err);
            free(dname);
        } else if (S_ISSOCK(c->st.st_mode)) {
            w->st.entries--; /* sockets have no tar form; Docker skips them too */
        } else {
            rc = put_node(w, dirfd, c, &h, err);
        }
    }
    free(name);
    return rc;
}

static int walk(writer *w, int dirfd, kd_error **err)
{
    child *c;
    size_t n;
    if (list_dir(w, dirfd, &c, &n, err) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = put_child(w, dirfd, &c[i], err);
    children_free(c, n);
    return rc;
}

/* ---- the API ---- */

static int fd_out(void *ctx, const void *buf, size_t n, kd_error **err)
{
    int fd = *(int *)ctx;
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return kd_err(err, errno, "cannot write the layer");
        p += k, n -= (size_t)k;
    }
    return 0;
}

int kd_layer_write_to(const char *dir, kd_layer_out out, void *ctx, const kd_layer_write_opts *opts,
                      kd_layer_stats *st, kd_error **err)
{
    static const kd_layer_write_opts defaults;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return kd_err(err, errno, "cannot open the layer directory %s", dir);
    writer w = {.o = opts ? opts : &defaults};
    excludes_init(&w);
    kd_ltar_init(&w.tar, w.o->compression == KD_LAYER_GZIP, out, ctx);
    int rc = walk(&w, dfd, err);
    if (rc == 0)
        rc = kd_ltar_finish(&w.tar, &w.st, err);
    if (rc == 0 && st != NULL)
        *st = w.st;
    kd_ltar_free(&w.tar);
    for (size_t i = 0; i < w.nex; i++)
        free(w.ex[i]);
    free(w.ex);
    free(w.ex_contents);
    for (size_t i = 0; i < w.caplinks; i++)
        free(w.links[i].path);
    free(w.links);
    kd_buf_free(&w.path);
    close(dfd);
    return rc;
}

int kd_layer_write(const char *dir, int fd, const kd_layer_write_opts *opts, kd_layer_stats *st,
                   kd_error **err)
{
    return kd_layer_write_to(dir, fd_out, &fd, opts, st, err);
}
