/* The chroot fallback's tree work: applying layer dirs to a tree, and the
 * metadata snapshot and diff that find a step's changes. See
 * build/snapshot.h. Owner: build-finish. */
#include "build/fsroot.h"
#include "build/snapshot_int.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define NONE SIZE_MAX

static char *join(const char *dir, const char *name)
{
    return *dir ? kd_asprintf("%s/%s", dir, name) : kd_xstrdup(name);
}

static int open_top(const char *path, kd_error **err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        kd_err(err, errno, "cannot open %s", path);
    return fd;
}

/* ---- applying a layer dir ---- */

typedef struct apply_ctx {
    int top; /* the tree's root */
    snap_links links;
} apply_ctx;

static bool is_whiteout(const struct stat *st)
{
    return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool is_opaque(int fd)
{
    char v[2];
    return fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y';
}

static int apply_dir(apply_ctx *a, int sfd, int dfd, const char *rel, kd_error **err);

/* A directory of the layer over what the tree has at that name. */
static int apply_subdir(apply_ctx *a, int sfd, int dfd, const char *name, const struct stat *st,
                        const char *path, kd_error **err)
{
    struct stat have;
    bool exists = fstatat(dfd, name, &have, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !S_ISDIR(have.st_mode)) {
        if (snap_remove(dfd, name) < 0)
            return kd_err(err, errno, "cannot replace /%s", path);
        exists = false;
    }
    if (!exists && mkdirat(dfd, name, 0700) < 0)
        return kd_err(err, errno, "cannot create /%s", path);
    int s = snap_open_dir(sfd, name), d = s < 0 ? -1 : snap_open_dir(dfd, name);
    int rc = d < 0 ? kd_err(err, errno, "cannot open /%s", path) : 0;
    if (rc == 0 && exists && is_opaque(s) && snap_clear_dir(d) < 0)
        rc = kd_err(err, errno, "cannot empty the opaque dir /%s", path);
    if (rc == 0)
        rc = apply_dir(a, s, d, path, err);
    /* the times last: filling the dir moved them */
    if (rc == 0 && snap_dir_meta(s, st, d, true) < 0)
        rc = kd_err(err, errno, "cannot set the metadata of /%s", path);
    if (s >= 0)
        close(s);
    if (d >= 0)
        close(d);
    return rc;
}

static int apply_entry(apply_ctx *a, int sfd, int dfd, const char *name, const char *path,
                       kd_error **err)
{
    struct stat st;
    if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return kd_err(err, errno, "cannot read the layer's /%s", path);
    if (S_ISDIR(st.st_mode))
        return apply_subdir(a, sfd, dfd, name, &st, path, err);
    if (snap_remove(dfd, name) < 0)
        return kd_err(err, errno, "cannot replace /%s", path);
    if (is_whiteout(&st))
        return 0;
    return snap_put_node(&a->links, a->top, sfd, name, &st, dfd, path, err);
}

static int apply_dir(apply_ctx *a, int sfd, int dfd, const char *rel, kd_error **err)
{
    size_t n;
    char **names = kd_dir_names(sfd, &n);
    if (names == NULL)
        return kd_err(err, errno, "cannot read the layer's /%s", rel);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = join(rel, names[i]);
        if (rc == 0)
            rc = apply_entry(a, sfd, dfd, names[i], path, err);
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

int kd_tree_apply(const char *layer, const char *root, kd_error **err)
{
    apply_ctx a = {.top = open_top(root, err)};
    int sfd = a.top < 0 ? -1 : open_top(layer, err);
    int rc = sfd < 0 ? -1 : apply_dir(&a, sfd, a.top, "", err);
    if (sfd >= 0)
        close(sfd);
    if (a.top >= 0)
        close(a.top);
    snap_links_free(&a.links);
    return rc;
}

/* ---- the snapshot ---- */

typedef struct snent {
    char *path;        /* relative to the root; "" for the root */
    struct stat st;
    size_t first_child; /* tree links, for the removed-entry search */
    size_t next;
} snent;

struct kd_snap {
    snent *v;
    size_t n, cap;
    size_t *hash; /* open addressing: indices into v, NONE when free */
    size_t hcap;  /* a power of two */
    const char *const *skip;
    size_t nskip;
};

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static void hash_build(kd_snap *s)
{
    s->hcap = 64;
    while (s->hcap < s->n * 2)
        s->hcap *= 2;
    s->hash = kd_xmalloc(s->hcap * sizeof *s->hash);
    for (size_t i = 0; i < s->hcap; i++)
        s->hash[i] = NONE;
    for (size_t i = 0; i < s->n; i++) {
        size_t h = hash_str(s->v[i].path) & (s->hcap - 1);
        while (s->hash[h] != NONE)
            h = (h + 1) & (s->hcap - 1);
        s->hash[h] = i;
    }
}

static size_t lookup(const kd_snap *s, const char *path)
{
    for (size_t h = hash_str(path) & (s->hcap - 1); s->hash[h] != NONE; h = (h + 1) & (s->hcap - 1))
        if (strcmp(s->v[s->hash[h]].path, path) == 0)
            return s->hash[h];
    return NONE;
}

static bool skipped(const kd_snap *s, const char *path)
{
    for (size_t i = 0; i < s->nskip; i++)
        if (strcmp(s->skip[i], path) == 0)
            return true;
    return false;
}

static size_t add_entry(kd_snap *s, char *path, const struct stat *st)
{
    KD_GROW(s->v, s->cap, s->n + 1);
    s->v[s->n] = (snent){path, *st, NONE, NONE};
    return s->n++;
}

static int take_dir(kd_snap *s, int fd, size_t parent, kd_error **err)
{
    size_t n, prev = NONE;
    char **names = kd_dir_names(fd, &n);
    if (names == NULL)
        return kd_err(err, errno, "snapshot: cannot read /%s", s->v[parent].path);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = join(s->v[parent].path, names[i]);
        struct stat st;
        if (skipped(s, path) || fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = skipped(s, path) ? 0 : kd_err(err, errno, "snapshot: cannot stat /%s", path);
            free(path);
            continue;
        }
        size_t k = add_entry(s, path, &st);
        *(prev == NONE ? &s->v[parent].first_child : &s->v[prev].next) = k;
        prev = k;
        if (S_ISDIR(st.st_mode)) {
            int sub = snap_open_dir(fd, names[i]);
            rc = sub < 0 ? kd_err(err, errno, "snapshot: cannot open /%s", path)
                         : take_dir(s, sub, k, err);
            if (sub >= 0)
                close(sub);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Until the file-system clock (the coarse one) has passed every recorded
 * ctime: a change after the snapshot then always gets a later ctime. */
static void wait_past(const kd_snap *s)
{
    struct timespec max = {0, 0};
    for (size_t i = 0; i < s->n; i++) {
        const struct timespec *c = &s->v[i].st.st_ctim;
        if (c->tv_sec > max.tv_sec || (c->tv_sec == max.tv_sec && c->tv_nsec > max.tv_nsec))
            max = *c;
    }
    for (int i = 0; i < 1000; i++) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME_COARSE, &now);
        if (now.tv_sec > max.tv_sec || (now.tv_sec == max.tv_sec && now.tv_nsec > max.tv_nsec))
            return;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
}

int kd_snap_take(const char *root, const char *const *skip, size_t nskip, kd_snap **out,
                 kd_error **err)
{
    kd_snap *s = kd_xcalloc(1, sizeof *s);
    s->skip = skip, s->nskip = nskip;
    int fd = open_top(root, err);
    struct stat st;
    int rc = fd < 0 ? -1 : fstat(fd, &st) < 0 ? kd_err(err, errno, "cannot stat %s", root) : 0;
    if (rc == 0) {
        add_entry(s, kd_xstrdup(""), &st);
        rc = take_dir(s, fd, 0, err);
    }
    if (fd >= 0)
        close(fd);
    if (rc < 0) {
        kd_snap_free(s);
        return -1;
    }
    hash_build(s);
    wait_past(s);
    *out = s;
    return 0;
}

void kd_snap_free(kd_snap *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].path);
    free(s->v);
    free(s->hash);
    free(s);
}

/* ---- the diff ---- */

/* A directory of the tree being walked, and its counterpart in the change
 * dir, made only when something below (or the dir itself) changed. */
typedef struct frame {
    struct frame *up;
    int fd;           /* the dir in the tree */
    const char *name; /* in up */
    const char *path; /* relative to the root */
    struct stat st;
    int cfd;          /* the dir in the change dir, or -1 until needed */
    size_t before;    /* the snapshot's entry when it was a dir then too, or NONE */
} frame;

typedef struct diff_ctx {
    const kd_snap *s;
    bool *seen;
    int ctop; /* the change dir */
    snap_links links;
    char **dirs; /* change dirs made, whose times are set at the end */
    struct timespec (*times)[2];
    size_t ndirs, cap, tcap;
    size_t count;
} diff_ctx;

static int ensure(diff_ctx *d, frame *f, kd_error **err)
{
    if (f->cfd >= 0)
        return 0;
    if (ensure(d, f->up, err) < 0)
        return -1;
    if (mkdirat(f->up->cfd, f->name, 0700) < 0 ||
        (f->cfd = snap_open_dir(f->up->cfd, f->name)) < 0 ||
        snap_dir_meta(f->fd, &f->st, f->cfd, false) < 0)
        return kd_err(err, errno, "snapshot: cannot record the dir /%s", f->path);
    KD_GROW(d->dirs, d->cap, d->ndirs + 1);
    KD_GROW(d->times, d->tcap, d->ndirs + 1);
    d->times[d->ndirs][0] = f->st.st_atim, d->times[d->ndirs][1] = f->st.st_mtim;
    d->dirs[d->ndirs++] = kd_xstrdup(f->path);
    d->count++;
    return 0;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool changed(const struct stat *a, const struct stat *b)
{
    return a->st_mode != b->st_mode || a->st_uid != b->st_uid || a->st_gid != b->st_gid ||
           a->st_size != b->st_size || a->st_ino != b->st_ino || a->st_rdev != b->st_rdev ||
           !same_time(&a->st_mtim, &b->st_mtim) || !same_time(&a->st_ctim, &b->st_ctim);
}

static int diff_dir(diff_ctx *d, frame *f, kd_error **err);

static int diff_subdir(diff_ctx *d, frame *f, const char *name, const char *path,
                       const struct stat *st, size_t b, bool chg, kd_error **err)
{
    frame c = {f, snap_open_dir(f->fd, name), name, path, *st, -1, NONE};
    if (b != NONE && S_ISDIR(d->s->v[b].st.st_mode))
        c.before = b;
    int rc = c.fd < 0 ? kd_err(err, errno, "snapshot: cannot open /%s", path) : 0;
    if (rc == 0 && chg)
        rc = ensure(d, &c, err);
    if (rc == 0)
        rc = diff_dir(d, &c, err);
    if (c.fd >= 0)
        close(c.fd);
    if (c.cfd >= 0)
        close(c.cfd);
    return rc;
}

static int diff_entry(diff_ctx *d, frame *f, const char *name, kd_error **err)
{
    char *path = join(f->path, name);
    struct stat st;
    int rc = 0;
    if (skipped(d->s, path)) {
    } else if (fstatat(f->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        rc = kd_err(err, errno, "snapshot: cannot stat /%s", path);
    } else {
        size_t b = lookup(d->s, path);
        if (b != NONE)
            d->seen[b] = true;
        bool chg = b == NONE || changed(&d->s->v[b].st, &st);
        if (S_ISDIR(st.st_mode)) {
            rc = diff_subdir(d, f, name, path, &st, b, chg, err);
        } else if (chg) {
            rc = ensure(d, f, err);
            if (rc == 0)
                rc = snap_put_node(&d->links, d->ctop, f->fd, name, &st, f->cfd, path, err);
            d->count++;
        }
    }
    free(path);
    return rc;
}

/* Entries the snapshot had in this dir that are gone: a whiteout each. */
static int whiteouts(diff_ctx *d, frame *f, kd_error **err)
{
    if (f->before == NONE)
        return 0;
    const kd_snap *s = d->s;
    for (size_t c = s->v[f->before].first_child; c != NONE; c = s->v[c].next) {
        if (d->seen[c])
            continue;
        const char *base = strrchr(s->v[c].path, '/');
        base = base ? base + 1 : s->v[c].path;
        if (ensure(d, f, err) < 0)
            return -1;
        if (mknodat(f->cfd, base, S_IFCHR, makedev(0, 0)) < 0)
            return kd_err(err, errno, "snapshot: cannot record the removal of /%s", s->v[c].path);
        d->count++;
    }
    return 0;
}

static int diff_dir(diff_ctx *d, frame *f, kd_error **err)
{
    size_t n;
    char **names = kd_dir_names(f->fd, &n);
    if (names == NULL)
        return kd_err(err, errno, "snapshot: cannot read /%s", f->path);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = diff_entry(d, f, names[i], err);
        free(names[i]);
    }
    free(names);
    return rc == 0 ? whiteouts(d, f, err) : -1;
}

/* The change dirs' times, deepest first (filling them moved the times). */
static void set_dir_times(diff_ctx *d)
{
    for (size_t i = d->ndirs; i > 0; i--) {
        utimensat(d->ctop, d->dirs[i - 1], d->times[i - 1], AT_SYMLINK_NOFOLLOW);
        free(d->dirs[i - 1]);
    }
    free(d->dirs);
    free(d->times);
}

int kd_snap_diff(const kd_snap *s, const char *root, const char *changes, size_t *count,
                 kd_error **err)
{
    diff_ctx d = {.s = s, .seen = kd_xcalloc(s->n, sizeof(bool))};
    d.ctop = open_top(changes, err);
    frame top = {NULL, d.ctop < 0 ? -1 : open_top(root, err), "", "", s->v[0].st, d.ctop, 0};
    int rc = top.fd < 0 ? -1 : diff_dir(&d, &top, err);
    set_dir_times(&d);
    if (top.fd >= 0)
        close(top.fd);
    if (d.ctop >= 0)
        close(d.ctop);
    snap_links_free(&d.links);
    free(d.seen);
    if (count)
        *count = d.count;
    return rc;
}
