/* Layer extraction as one stream: bytes in -> (inflate) -> tar -> files.
 *
 * libarchive pulls its input through a read callback, while a download
 * pushes bytes as they come. The two meet in a bounded ring of NSLOTS
 * slots of SLOT bytes:
 *   - the caller's thread (feed) hashes the input, inflates it with isa-l
 *     straight into the free slot, hashes the tar bytes, and publishes full
 *     slots; it blocks while the ring is full (back-pressure on the
 *     download);
 *   - a worker thread runs libarchive, whose read callback hands it a
 *     published slot in place (no copy) and releases it on the next call,
 *     and writes the files (layer_tree.c).
 * So inflate and the file writes overlap on two cores, and the pull form
 * is the same machine fed by a read() loop. When the tar ends before the
 * stream (the end-of-archive blocks, padding), the worker stops taking
 * slots and the producer inflates the rest into a scratch slot, only to
 * check and hash it: the diff_id covers every uncompressed byte. */
#include "build/layer_int.h"
#include "util/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOT (1u << 20)
#define NSLOTS 4
#define MAGIC_LEN 6

enum { IN_UNKNOWN, IN_GZIP, IN_PLAIN };
enum { GZ_MEMBER, GZ_BETWEEN, GZ_ZEROS }; /* where a gzip stream is */

typedef struct ring {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned char *slot[NSLOTS + 1]; /* owned, allocated when first needed (a
                                        small layer touches one); slot[NSLOTS]
                                        is the scratch */
    size_t len[NSLOTS];
    unsigned head, count; /* published slots: head .. head+count-1 */
    bool held;            /* the consumer holds slot[head] */
    bool eof;             /* the producer has published its last slot */
    bool abort;           /* the producer failed or gave up */
    bool done;            /* the consumer stopped taking slots */
} ring;

struct kd_layer_extractor {
    ring r;
    /* producer side (the caller's thread) */
    int kind;
    unsigned char magic[MAGIC_LEN];
    size_t nmagic;
    struct inflate_state *zs; /* owned, for gzip */
    int gz;
    bool gz_pending; /* isa-l holds output that did not fit the last slot */
    kd_sha256 *in_hash, *tar_hash; /* owned */
    uint64_t in_bytes, tar_bytes;
    unsigned char *out; /* the slot being filled, or NULL */
    size_t out_len;
    kd_error *perr; /* owned: the producer's first error */
    /* consumer side (the worker) */
    pthread_t worker;
    kd_ltree *tree;    /* owned */
    kd_layer_stats st; /* counts, written by the worker */
    kd_error *werr;    /* owned: the worker's error, set before done */
    bool got_bytes;    /* the worker saw at least one byte of tar */
};

/* ---- the ring ---- */

static void ring_init(ring *r)
{
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
}

static void ring_free(ring *r)
{
    for (int i = 0; i <= NSLOTS; i++)
        free(r->slot[i]);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
}

/* The next slot to fill: a free ring slot, or the scratch once the
 * consumer is done. Blocks while the ring is full. */
static unsigned char *ring_acquire(ring *r)
{
    pthread_mutex_lock(&r->mu);
    while (r->count == NSLOTS && !r->done)
        pthread_cond_wait(&r->cv, &r->mu);
    unsigned i = r->done ? NSLOTS : (r->head + r->count) % NSLOTS;
    if (r->slot[i] == NULL)
        r->slot[i] = kd_xmalloc(SLOT);
    unsigned char *s = r->slot[i];
    pthread_mutex_unlock(&r->mu);
    return s;
}

static void ring_publish(ring *r, size_t len)
{
    pthread_mutex_lock(&r->mu);
    if (!r->done) {
        r->len[(r->head + r->count) % NSLOTS] = len;
        r->count++;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
}

static void ring_end(ring *r, bool abort)
{
    pthread_mutex_lock(&r->mu);
    r->eof = true;
    r->abort |= abort;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static bool ring_consumer_done(ring *r)
{
    pthread_mutex_lock(&r->mu);
    bool d = r->done;
    pthread_mutex_unlock(&r->mu);
    return d;
}

/* libarchive's read callback, in the worker: releases the slot handed out
 * last time and waits for the next one. */
static la_ssize_t ring_read(struct archive *a, void *ctx, const void **buf)
{
    ring *r = &((kd_layer_extractor *)ctx)->r;
    pthread_mutex_lock(&r->mu);
    if (r->held) {
        r->head = (r->head + 1) % NSLOTS;
        r->count--;
        r->held = false;
        pthread_cond_broadcast(&r->cv);
    }
    while (r->count == 0 && !r->eof && !r->abort)
        pthread_cond_wait(&r->cv, &r->mu);
    la_ssize_t n = 0;
    if (r->abort) {
        archive_set_error(a, ECANCELED, "layer stream failed");
        n = -1;
    } else if (r->count > 0) {
        ((kd_layer_extractor *)ctx)->got_bytes = true;
        r->held = true;
        *buf = r->slot[r->head];
        n = (la_ssize_t)r->len[r->head];
    }
    pthread_mutex_unlock(&r->mu);
    return n;
}

static void ring_consumer_stop(ring *r)
{
    pthread_mutex_lock(&r->mu);
    r->done = true;
    r->count = 0;
    r->held = false;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* ---- the worker ---- */

static int extract_all(kd_layer_extractor *x, struct archive *a)
{
    struct archive_entry *e;
    for (;;) {
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN && !x->got_bytes)
            break; /* an empty stream is an empty layer, as Go's tar reads it */
        if (r < ARCHIVE_WARN) {
            const char *msg = archive_error_string(a);
            return kd_err(&x->werr, 0, "layer tar: %s", msg ? msg : "unreadable");
        }
        if (kd_ltree_apply(x->tree, a, e, &x->st, &x->werr) < 0)
            return -1;
    }
    return kd_ltree_finish(x->tree, &x->werr);
}

static void *worker_main(void *arg)
{
    kd_layer_extractor *x = arg;
    struct archive *a = archive_read_new();
    /* the tar format only (ustar, pax, GNU): no filter, inflate is ours */
    archive_read_support_format_tar(a);
    if (archive_read_open(a, x, NULL, ring_read, NULL) == ARCHIVE_OK) {
        extract_all(x, a);
    } else if (x->got_bytes) { /* else an empty stream: an empty layer */
        const char *msg = archive_error_string(a);
        kd_err(&x->werr, 0, "layer tar: %s", msg ? msg : "unreadable");
    }
    archive_read_free(a);
    ring_consumer_stop(&x->r);
    return NULL;
}

/* ---- the producer: input -> tar bytes in slots ---- */

static int emit_room(kd_layer_extractor *x, unsigned char **p, size_t *room)
{
    if (x->out != NULL && x->out_len == SLOT) {
        ring_publish(&x->r, SLOT);
        x->out = NULL;
    }
    if (x->out == NULL) {
        x->out = ring_acquire(&x->r);
        x->out_len = 0;
    }
    *p = x->out + x->out_len;
    *room = SLOT - x->out_len;
    return 0;
}

static void emitted(kd_layer_extractor *x, const unsigned char *p, size_t n)
{
    kd_sha256_update(x->tar_hash, p, n);
    x->tar_bytes += n;
    x->out_len += n;
}

static int push_plain(kd_layer_extractor *x, const unsigned char *in, size_t n)
{
    while (n > 0) {
        unsigned char *p;
        size_t room;
        emit_room(x, &p, &room);
        size_t k = n < room ? n : room;
        memcpy(p, in, k);
        emitted(x, p, k);
        in += k, n -= k;
    }
    return 0;
}

static const char *isal_msg(int rc)
{
    switch (rc) {
    case ISAL_INVALID_WRAPPER:
        return "bad gzip header";
    case ISAL_UNSUPPORTED_METHOD:
        return "unsupported gzip method";
    case ISAL_INCORRECT_CHECKSUM:
        return "gzip checksum mismatch";
    default:
        return "corrupt deflate data";
    }
}

/* Between members: another member, or zero padding to the end (which gzip
 * itself accepts); anything else is refused. */
static int gz_between(kd_layer_extractor *x, const unsigned char **in, size_t *n)
{
    if (x->gz == GZ_BETWEEN && (*in)[0] == 0x1f) {
        isal_inflate_reset(x->zs);
        x->zs->crc_flag = ISAL_GZIP;
        x->gz = GZ_MEMBER;
        return 0;
    }
    for (; *n > 0; (*in)++, (*n)--)
        if ((*in)[0] != 0)
            return kd_err(&x->perr, 0, "layer stream: data after the end of the gzip stream");
    x->gz = GZ_ZEROS;
    return 0;
}

static int push_gzip(kd_layer_extractor *x, const unsigned char *in, size_t n)
{
    while (n > 0 || x->gz_pending) {
        if (x->gz != GZ_MEMBER) {
            if (gz_between(x, &in, &n) < 0)
                return -1;
            continue;
        }
        unsigned char *p;
        size_t room;
        emit_room(x, &p, &room);
        struct inflate_state *zs = x->zs;
        size_t chunk = n > (1u << 30) ? (1u << 30) : n;
        zs->next_in = (uint8_t *)in;
        zs->avail_in = (uint32_t)chunk;
        zs->next_out = p;
        zs->avail_out = (uint32_t)room;
        int rc = isal_inflate(zs);
        if (rc < 0)
            return kd_err(&x->perr, 0, "layer stream: %s", isal_msg(rc));
        emitted(x, p, room - zs->avail_out);
        size_t used = chunk - zs->avail_in;
        in += used, n -= used;
        x->gz_pending = zs->avail_out == 0 && zs->block_state != ISAL_BLOCK_FINISH;
        if (zs->block_state == ISAL_BLOCK_FINISH)
            x->gz = GZ_BETWEEN;
    }
    return 0;
}

static bool has_magic(const unsigned char *m, size_t n, const char *magic, size_t len)
{
    return n >= len && memcmp(m, magic, len) == 0;
}

/* Decides gzip or plain from the first bytes; other compressions get a
 * clear refusal instead of a tar error. */
static int detect(kd_layer_extractor *x)
{
    const unsigned char *m = x->magic;
    size_t n = x->nmagic;
    if (has_magic(m, n, "\x1f\x8b", 2)) {
        x->kind = IN_GZIP;
        x->zs = kd_xcalloc(1, sizeof *x->zs);
        isal_inflate_init(x->zs);
        x->zs->crc_flag = ISAL_GZIP;
        x->gz = GZ_MEMBER;
        return 0;
    }
    if (has_magic(m, n, "\x28\xb5\x2f\xfd", 4))
        return kd_err(&x->perr, 0, "layer stream: zstd compression is not supported");
    if (has_magic(m, n, "\xfd" "7zXZ", 6) || has_magic(m, n, "BZh", 3))
        return kd_err(&x->perr, 0, "layer stream: xz and bzip2 compression are not supported");
    x->kind = IN_PLAIN;
    return 0;
}

static int push_bytes(kd_layer_extractor *x, const unsigned char *in, size_t n)
{
    return x->kind == IN_GZIP ? push_gzip(x, in, n) : push_plain(x, in, n);
}

static int produce(kd_layer_extractor *x, const unsigned char *in, size_t n)
{
    kd_sha256_update(x->in_hash, in, n);
    x->in_bytes += n;
    if (x->kind == IN_UNKNOWN) {
        size_t k = MAGIC_LEN - x->nmagic < n ? MAGIC_LEN - x->nmagic : n;
        memcpy(x->magic + x->nmagic, in, k);
        x->nmagic += k, in += k, n -= k;
        if (x->nmagic < MAGIC_LEN)
            return 0;
        if (detect(x) < 0 || push_bytes(x, x->magic, x->nmagic) < 0)
            return -1;
    }
    return push_bytes(x, in, n);
}

static int produce_end(kd_layer_extractor *x)
{
    if (x->kind == IN_UNKNOWN && x->nmagic > 0 &&
        (detect(x) < 0 || push_bytes(x, x->magic, x->nmagic) < 0))
        return -1;
    if (x->kind == IN_GZIP && x->gz_pending && push_gzip(x, NULL, 0) < 0)
        return -1;
    if (x->kind == IN_GZIP && x->gz == GZ_MEMBER)
        return kd_err(&x->perr, 0, "layer stream: truncated gzip data");
    if (x->out != NULL && x->out_len > 0)
        ring_publish(&x->r, x->out_len);
    x->out = NULL;
    return 0;
}

/* ---- the API ---- */

kd_layer_extractor *kd_layer_extractor_new(const char *dest, const kd_layer_extract_opts *opts,
                                           kd_error **err)
{
    kd_ltree *t = kd_ltree_open(dest, opts ? opts->flags : 0, err);
    if (t == NULL)
        return NULL;
    kd_layer_extractor *x = kd_xcalloc(1, sizeof *x);
    x->tree = t;
    x->in_hash = kd_sha256_new();
    x->tar_hash = kd_sha256_new();
    ring_init(&x->r);
    int rc = pthread_create(&x->worker, NULL, worker_main, x);
    if (rc != 0) {
        kd_err(err, rc, "cannot start the layer extraction thread");
        ring_free(&x->r);
        kd_sha256_free(x->in_hash);
        kd_sha256_free(x->tar_hash);
        kd_ltree_free(t);
        free(x);
        return NULL;
    }
    return x;
}

/* Hands the caller a copy of e (its message already says strerror). */
static int pass_error(const kd_error *e, kd_error **err)
{
    kd_err(err, 0, "%s", e->msg);
    if (err && *err)
        (*err)->errnum = e->errnum;
    return -1;
}

/* The first error of either side, as a copy for the caller. */
static int copy_error(kd_layer_extractor *x, kd_error **err)
{
    kd_error *e = x->perr;
    if (e == NULL && ring_consumer_done(&x->r))
        e = x->werr; /* written before done was set, never after */
    return e ? pass_error(e, err) : 0;
}

int kd_layer_extractor_feed(kd_layer_extractor *x, const void *buf, size_t n, kd_error **err)
{
    if (x->perr == NULL && produce(x, buf, n) < 0)
        ring_end(&x->r, true);
    if (x->perr != NULL)
        return copy_error(x, err);
    /* the tar failed: stop the download early */
    if (ring_consumer_done(&x->r) && x->werr != NULL)
        return copy_error(x, err);
    return 0;
}

int kd_layer_extractor_sink(void *x, const void *buf, size_t n)
{
    return kd_layer_extractor_feed(x, buf, n, NULL);
}

static void extractor_free(kd_layer_extractor *x)
{
    ring_free(&x->r);
    kd_sha256_free(x->in_hash);
    kd_sha256_free(x->tar_hash);
    free(x->zs);
    kd_ltree_free(x->tree);
    kd_error_free(x->perr);
    kd_error_free(x->werr);
    free(x);
}

int kd_layer_extractor_finish(kd_layer_extractor *x, kd_layer_stats *st, kd_error **err)
{
    bool ok = x->perr == NULL && produce_end(x) == 0;
    ring_end(&x->r, !ok);
    pthread_join(x->worker, NULL);
    int rc = 0;
    if (x->perr || x->werr)
        rc = pass_error(x->perr ? x->perr : x->werr, err);
    if (st != NULL) {
        *st = x->st;
        st->size = x->in_bytes;
        st->tar_size = x->tar_bytes;
        st->gzip = x->kind == IN_GZIP;
        kd_sha256_final(x->in_hash, st->digest);
        kd_sha256_final(x->tar_hash, st->diff_id);
        x->in_hash = x->tar_hash = NULL;
    }
    extractor_free(x);
    return rc;
}

void kd_layer_extractor_abort(kd_layer_extractor *x)
{
    if (x == NULL)
        return;
    ring_end(&x->r, true);
    pthread_join(x->worker, NULL);
    extractor_free(x);
}

int kd_layer_extract_fd(int fd, const char *dest, const kd_layer_extract_opts *opts,
                        kd_layer_stats *st, kd_error **err)
{
    kd_layer_extractor *x = kd_layer_extractor_new(dest, opts, err);
    if (x == NULL)
        return -1;
    unsigned char *buf = kd_xmalloc(SLOT);
    bool failed = false;
    for (;;) {
        ssize_t n = read(fd, buf, SLOT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            failed = kd_err(err, errno, "cannot read the layer") < 0;
        else if (n > 0)
            failed = kd_layer_extractor_feed(x, buf, (size_t)n, err) < 0;
        if (n <= 0 || failed)
            break;
    }
    free(buf);
    if (failed) {
        kd_layer_extractor_abort(x);
        return -1;
    }
    return kd_layer_extractor_finish(x, st, err);
}

int kd_layer_extract_file(const char *path, const char *dest, const kd_layer_extract_opts *opts,
                          kd_layer_stats *st, kd_error **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kd_err(err, errno, "cannot open layer %s", path);
    int rc = kd_layer_extract_fd(fd, dest, opts, st, err);
    close(fd);
    return rc;
}
