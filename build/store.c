/* The content-addressed store: opening, locking, tmp sessions and blobs.
 * Layers and the local image index are in store_index.c. See store.h. */
#include "build/store.h"
#include "util/lazylib.h"
#include "build/store_int.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A tmp dir older than this without a lock file (which our sessions never
 * leave) is junk from something else: removed. */
#define ORPHAN_AGE_SECONDS (24 * 3600)

char *kd_store_default_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && xdg[0] == '/')
        return kd_asprintf("%s/kdoctor", xdg);
    const char *home = getenv("HOME");
    return kd_asprintf("%s/.cache/kdoctor", home && *home ? home : "/root");
}

int kd_lock_fd(int fd, int op)
{
    int rc;
    while ((rc = flock(fd, op)) < 0 && errno == EINTR)
        ;
    return rc;
}

/* Opens path (creating it) and flocks it with op. */
static int open_locked(const char *path, int op, kd_error **err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return kd_err(err, errno, "cannot open %s", path);
    if (kd_lock_fd(fd, op) < 0) {
        int e = errno;
        close(fd);
        return kd_err(err, e, "cannot lock %s", path);
    }
    return fd;
}

static int remove_dir_contents(int dfd, const char *path, kd_error **err);

/* Removes name in dfd, whatever it is. */
static int remove_at(int dfd, const char *name, const char *path, kd_error **err)
{
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return kd_err(err, errno, "cannot remove %s/%s", path, name);
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == EACCES && fchmodat(dfd, name, 0700, 0) == 0)
        fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return kd_err(err, errno, "cannot open %s/%s", path, name);
    /* a read-only directory would refuse the unlinks inside it */
    fchmod(fd, 0700);
    char *sub = kd_asprintf("%s/%s", path, name);
    int rc = remove_dir_contents(fd, sub, err);
    free(sub);
    if (rc == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        rc = kd_err(err, errno, "cannot remove %s/%s", path, name);
    return rc;
}

/* Removes everything in the directory fd (which it closes). */
static int remove_dir_contents(int fd, const char *path, kd_error **err)
{
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return kd_err(err, errno, "cannot read %s", path);
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        rc = remove_at(dirfd(d), e->d_name, path, err);
    }
    closedir(d);
    return rc;
}

int kd_remove_tree_at(int dfd, const char *name, kd_error **err)
{
    return remove_at(dfd, name, ".", err);
}

int kd_remove_tree(const char *path, kd_error **err)
{
    char *parent = kd_xstrdup(path);
    char *slash = strrchr(parent, '/');
    const char *name = path;
    int dfd = AT_FDCWD;
    if (slash) {
        *slash = '\0';
        name = slash + 1;
        dfd = open(slash == parent ? "/" : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
            int e = errno;
            free(parent);
            return e == ENOENT ? 0 : kd_err(err, e, "cannot open %s", path);
        }
    }
    int rc = remove_at(dfd, name, slash ? parent : ".", err);
    if (dfd != AT_FDCWD)
        close(dfd);
    free(parent);
    return rc;
}

static void random_hex(char *out, size_t bytes)
{
    unsigned char r[16];
    if (bytes > sizeof r)
        bytes = sizeof r;
    if (getrandom(r, bytes, 0) != (ssize_t)bytes) {
        /* no entropy source: the pid and clock keep names apart */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long v = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)getpid() << 32);
        memcpy(r, &v, bytes < sizeof v ? bytes : sizeof v);
    }
    for (size_t i = 0; i < bytes; i++)
        sprintf(out + 2 * i, "%02x", r[i]);
}

/* Tries to create and lock tmp/<name>.lock, then tmp/<name>/: 1 when the
 * name was taken or lost to a cleaner (try another), 0 done, -1 error. A
 * cleaner may remove a lock file between our open and our flock: then the
 * inode we locked is no longer the one at the path. */
static int session_try(kd_store *s, char *name, char *lock, kd_error **err)
{
    int fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? 1 : kd_err(err, errno, "cannot create %s", lock);
    struct stat a, b;
    if (kd_lock_fd(fd, LOCK_EX) < 0 || fstat(fd, &a) < 0) {
        int e = errno;
        close(fd);
        return kd_err(err, e, "cannot lock %s", lock);
    }
    if (stat(lock, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
        close(fd);
        return 1;
    }
    if (mkdir(name, 0700) < 0) {
        int e = errno;
        unlink(lock);
        close(fd);
        return e == EEXIST ? 1 : kd_err(err, e, "cannot create %s", name);
    }
    s->session = name;
    s->session_lock = lock;
    s->session_fd = fd;
    return 0;
}

static int session_create(kd_store *s, kd_error **err)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        char id[33];
        random_hex(id, 8);
        char *name = kd_asprintf("%s/tmp/%ld-%s", s->dir, (long)getpid(), id);
        char *lock = kd_asprintf("%s.lock", name);
        int rc = session_try(s, name, lock, err);
        if (rc == 0)
            return 0;
        free(name);
        free(lock);
        if (rc < 0)
            return -1;
    }
    return kd_err(err, 0, "cannot create a tmp session in %s/tmp", s->dir);
}

/* Removes tmp/<base> and its lock if no live process holds the lock. */
static void clean_session(kd_store *s, const char *lockname)
{
    char *lock = kd_asprintf("%s/tmp/%s", s->dir, lockname);
    int fd = open(lock, O_RDWR | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
        char *dir = kd_xstrndup(lock, strlen(lock) - 5);
        kd_error *e = NULL;
        /* the dir first: a lock file without a dir is what a crash of this
         * very cleanup may leave, and the next one finishes it */
        if (kd_remove_tree(dir, &e) == 0)
            unlink(lock);
        kd_error_free(e);
        free(dir);
    }
    if (fd >= 0)
        close(fd);
    free(lock);
}

static bool has_lock_file(kd_store *s, const char *name)
{
    char *lock = kd_asprintf("%s/tmp/%s.lock", s->dir, name);
    bool there = access(lock, F_OK) == 0;
    free(lock);
    return there;
}

static void clean_orphan(kd_store *s, const char *name)
{
    char *path = kd_asprintf("%s/tmp/%s", s->dir, name);
    struct stat st;
    if (lstat(path, &st) == 0 && st.st_mtime + ORPHAN_AGE_SECONDS < time(NULL) &&
        !has_lock_file(s, name)) {
        kd_error *e = NULL;
        kd_remove_tree(path, &e);
        kd_error_free(e);
    }
    free(path);
}

/* Removes what crashed processes left in tmp/. Best effort: a failure here
 * must not stop a build. */
static void clean_stale(kd_store *s)
{
    char *tmp = kd_asprintf("%s/tmp", s->dir);
    DIR *d = opendir(tmp);
    free(tmp);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        if (n[0] == '.' || (s->session && strstr(s->session, n)))
            continue;
        if (len > 5 && strcmp(n + len - 5, ".lock") == 0)
            clean_session(s, n);
        else
            clean_orphan(s, n);
    }
    closedir(d);
}

static int make_layout(const char *dir, kd_error **err)
{
    static const char *const subs[] = {"blobs/sha256", "layers/sha256", "tmp"};
    if (kd_mkdirs(dir, 0700, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        char *p = kd_asprintf("%s/%s", dir, subs[i]);
        int rc = kd_mkdirs(p, 0755, err);
        free(p);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int kd_store_open(const char *dir, kd_store_mode mode, kd_store **out, kd_error **err)
{
    *out = NULL;
    if (kd_lazy_require(KD_LIB_CRYPTO, err) < 0)
        return -1;
    char *want = dir ? kd_xstrdup(dir) : kd_store_default_dir();
    if (make_layout(want, err) < 0) {
        free(want);
        return -1;
    }
    kd_store *s = kd_xcalloc(1, sizeof *s);
    s->lock_fd = s->session_fd = -1;
    s->dir = realpath(want, NULL);
    free(want);
    if (s->dir == NULL) {
        kd_err(err, errno, "cannot resolve the store directory");
        kd_store_close(s);
        return -1;
    }
    char *lock = kd_asprintf("%s/lock", s->dir);
    s->lock_fd = open_locked(lock, mode == KD_STORE_EXCLUSIVE ? LOCK_EX : LOCK_SH, err);
    free(lock);
    if (s->lock_fd < 0 || session_create(s, err) < 0) {
        kd_store_close(s);
        return -1;
    }
    clean_stale(s);
    *out = s;
    return 0;
}

void kd_store_close(kd_store *s)
{
    if (s == NULL)
        return;
    if (s->session) {
        kd_error *e = NULL;
        if (kd_remove_tree(s->session, &e) == 0)
            unlink(s->session_lock);
        kd_error_free(e);
    }
    if (s->session_fd >= 0)
        close(s->session_fd);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->session);
    free(s->session_lock);
    free(s->dir);
    free(s);
}

const char *kd_store_dir(const kd_store *s)
{
    return s->dir;
}

const char *kd_store_tmp(const kd_store *s)
{
    return s->session;
}

int kd_store_mktemp_dir(kd_store *s, const char *prefix, char **path, kd_error **err)
{
    char *p = kd_asprintf("%s/%sXXXXXX", s->session, prefix);
    if (mkdtemp(p) == NULL) {
        free(p);
        return kd_err(err, errno, "cannot create a tmp dir in %s", s->session);
    }
    *path = p;
    return 0;
}

int kd_store_mktemp_file(kd_store *s, const char *prefix, int *fd, char **path, kd_error **err)
{
    char *p = kd_asprintf("%s/%sXXXXXX", s->session, prefix);
    int f = mkostemp(p, O_CLOEXEC);
    if (f < 0) {
        free(p);
        return kd_err(err, errno, "cannot create a tmp file in %s", s->session);
    }
    *fd = f;
    *path = p;
    return 0;
}

/* ---- blobs ----------------------------------------------------------- */

char *kd_store_blob_path(const kd_store *s, const char *digest)
{
    if (!kd_digest_valid(digest))
        return NULL;
    return kd_asprintf("%s/blobs/sha256/%s", s->dir, kd_digest_hex(digest));
}

bool kd_store_has_blob(const kd_store *s, const char *digest, int64_t *size)
{
    char *p = kd_store_blob_path(s, digest);
    struct stat st;
    bool there = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
    if (there && size)
        *size = st.st_size;
    free(p);
    return there;
}

int kd_store_blob_open(const kd_store *s, const char *digest, int *fd, int64_t *size,
                       kd_error **err)
{
    char *p = kd_store_blob_path(s, digest);
    if (p == NULL)
        return kd_err(err, 0, "invalid digest \"%.80s\"", digest);
    int f = open(p, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (f < 0 || fstat(f, &st) < 0) {
        int e = errno;
        if (f >= 0)
            close(f);
        free(p);
        return kd_err(err, e, "blob %s is not in the store", digest);
    }
    free(p);
    *fd = f;
    if (size)
        *size = st.st_size;
    return 0;
}

int kd_store_blob_read(const kd_store *s, const char *digest, size_t max, char **data,
                       size_t *len, kd_error **err)
{
    int fd;
    int64_t size;
    if (kd_store_blob_open(s, digest, &fd, &size, err) < 0)
        return -1;
    if ((uint64_t)size > max) {
        close(fd);
        return kd_err(err, 0, "blob %s is %lld bytes, more than the %zu expected", digest,
                      (long long)size, max);
    }
    char *buf = kd_xmalloc((size_t)size + 1);
    int rc = kd_read_all(fd, buf, (size_t)size);
    int e = errno;
    close(fd);
    if (rc < 0) {
        free(buf);
        return kd_err(err, e, "cannot read blob %s", digest);
    }
    buf[size] = '\0';
    char got[KD_DIGEST_STR_LEN + 1];
    kd_digest_of(buf, (size_t)size, got);
    if (strcmp(got, digest) != 0) {
        /* damaged on disk: drop it so that the next pull fetches it again */
        char *p = kd_store_blob_path(s, digest);
        unlink(p);
        free(p);
        free(buf);
        return kd_err(err, 0, "blob %s in the store was corrupt (it hashed to %s); removed",
                      digest, got);
    }
    *data = buf;
    if (len)
        *len = (size_t)size;
    return 0;
}

struct kd_blob_writer {
    kd_store *s;
    int fd;
    char *path;
    kd_sha256 *h;
    int64_t written, want_size;
    char want[KD_DIGEST_STR_LEN + 1];
    kd_error *err; /* from the sink form, reported by commit */
};

int kd_store_blob_begin(kd_store *s, const char *want, int64_t want_size, kd_blob_writer **w,
                        kd_error **err)
{
    *w = NULL;
    if (want && !kd_digest_valid(want))
        return kd_err(err, 0, "invalid digest \"%.80s\"", want);
    kd_blob_writer *b = kd_xcalloc(1, sizeof *b);
    if (kd_store_mktemp_file(s, "blob-", &b->fd, &b->path, err) < 0) {
        free(b);
        return -1;
    }
    b->s = s;
    b->h = kd_sha256_new();
    b->want_size = want_size;
    if (want)
        memcpy(b->want, want, sizeof b->want);
    *w = b;
    return 0;
}

int kd_blob_writer_write(kd_blob_writer *w, const void *buf, size_t n, kd_error **err)
{
    if (w->want_size >= 0 && w->written + (int64_t)n > w->want_size)
        return kd_err(err, 0, "blob %s is larger than the %lld bytes expected",
                      w->want[0] ? w->want : "", (long long)w->want_size);
    if (kd_write_all(w->fd, buf, n) < 0)
        return kd_err(err, errno, "cannot write %s", w->path);
    kd_sha256_update(w->h, buf, n);
    w->written += (int64_t)n;
    return 0;
}

int kd_blob_writer_sink(void *ctx, const void *buf, size_t n)
{
    kd_blob_writer *w = ctx;
    if (w->err)
        return -1;
    return kd_blob_writer_write(w, buf, n, &w->err);
}

int64_t kd_blob_writer_size(const kd_blob_writer *w)
{
    return w->written;
}

static void writer_free(kd_blob_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    if (w->path)
        unlink(w->path);
    free(w->path);
    kd_sha256_free(w->h);
    kd_error_free(w->err);
    free(w);
}

/* Checks digest and size; got receives the digest. */
static int writer_verify(kd_blob_writer *w, char got[KD_DIGEST_STR_LEN + 1], kd_error **err)
{
    kd_sha256_final(w->h, got);
    w->h = NULL;
    if (w->want[0] && strcmp(got, w->want) != 0)
        return kd_err(err, 0, "digest mismatch: expected %s, got %s", w->want, got);
    if (w->want_size >= 0 && w->written != w->want_size)
        return kd_err(err, 0, "size mismatch for %s: expected %lld bytes, got %lld", got,
                      (long long)w->want_size, (long long)w->written);
    return 0;
}

int kd_store_blob_commit(kd_blob_writer *w, char out[KD_DIGEST_STR_LEN + 1], kd_error **err)
{
    char got[KD_DIGEST_STR_LEN + 1];
    int rc = -1;
    if (w->err) {
        kd_err(err, w->err->errnum, "%s", w->err->msg);
        goto done;
    }
    if (writer_verify(w, got, err) < 0)
        goto done;
    if (fchmod(w->fd, 0644) < 0 || fsync(w->fd) < 0) {
        kd_err(err, errno, "cannot sync %s", w->path);
        goto done;
    }
    char *dest = kd_store_blob_path(w->s, got);
    /* the same digest is the same bytes: replacing a copy that is there is
     * harmless, and rename is atomic for readers */
    if (rename(w->path, dest) < 0) {
        kd_err(err, errno, "cannot move blob %s into the store", got);
        free(dest);
        goto done;
    }
    free(dest);
    free(w->path);
    w->path = NULL;
    if (out)
        memcpy(out, got, sizeof got);
    rc = 0;
done:
    writer_free(w);
    return rc;
}

void kd_store_blob_abort(kd_blob_writer *w)
{
    if (w)
        writer_free(w);
}

int kd_store_put_blob(kd_store *s, const void *data, size_t len, const char *want,
                      char out[KD_DIGEST_STR_LEN + 1], kd_error **err)
{
    char own[KD_DIGEST_STR_LEN + 1];
    if (want == NULL) { /* a config or manifest written again: no rewrite, no fsync */
        kd_digest_of(data, len, own);
        want = own;
    }
    if (kd_store_has_blob(s, want, NULL)) {
        char got[KD_DIGEST_STR_LEN + 1];
        kd_digest_of(data, len, got);
        if (strcmp(got, want) != 0)
            return kd_err(err, 0, "digest mismatch: expected %s, got %s", want, got);
        if (out)
            memcpy(out, got, sizeof got);
        return 0;
    }
    kd_blob_writer *w;
    if (kd_store_blob_begin(s, want, want ? (int64_t)len : -1, &w, err) < 0)
        return -1;
    if (kd_blob_writer_write(w, data, len, err) < 0) {
        kd_store_blob_abort(w);
        return -1;
    }
    return kd_store_blob_commit(w, out, err);
}
