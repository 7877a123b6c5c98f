/* A step's changes become a layer: the overlay's upper dir is written as a
 * gzip tar blob (sorted entries, OCI whiteouts) and then moved into the
 * store as that layer's unpacked dir, so the next step mounts it as a lower
 * dir without extracting anything. No walk of the base happens: the upper
 * dir holds only what the step changed. Owner: build-exec. */
#include "build/builder_int.h"
#include "util/mem.h"

#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bld_mktemp_dir(kd_store *s, const char *prefix, char **path, kd_error **err)
{
    if (kd_store_mktemp_dir(s, prefix, path, err) < 0)
        return -1;
    /* mkdtemp's 0700 would become the mode of "/" in the overlay (an upper
     * or lowest layer dir is the merged root) */
    if (chmod(*path, 0755) < 0) {
        kd_err(err, errno, "cannot chmod %s", *path);
        rmdir(*path);
        free(*path);
        *path = NULL;
        return -1;
    }
    return 0;
}

int bld_upper_new(kd_builder *b, bld_upper *u, kd_error **err)
{
    u->upper = u->work = NULL;
    if (bld_mktemp_dir(b->store, "upper-", &u->upper, err) < 0)
        return -1;
    if (bld_mktemp_dir(b->store, "work-", &u->work, err) < 0) {
        bld_upper_free(u);
        return -1;
    }
    return 0;
}

void bld_upper_free(bld_upper *u)
{
    char *dirs[] = {u->upper, u->work};
    for (size_t i = 0; i < 2; i++) {
        if (dirs[i]) {
            kd_error *e = NULL;
            kd_remove_tree(dirs[i], &e); /* the store's session removal is the backstop */
            kd_error_free(e);
            free(dirs[i]);
        }
    }
    u->upper = u->work = NULL;
}

/* An upper dir with no entry: the step changed nothing. */
static int dir_is_empty(const char *path, bool *empty, kd_error **err)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return kd_err(err, errno, "cannot read %s", path);
    *empty = true;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            *empty = false;
            break;
        }
    }
    closedir(d);
    return 0;
}

typedef struct blob_out {
    kd_blob_writer *w;
    volatile sig_atomic_t *cancel;
} blob_out;

static int to_blob(void *ctx, const void *buf, size_t n, kd_error **err)
{
    blob_out *o = ctx;
    if (o->cancel && *o->cancel)
        return bld_cancel_error(err);
    return kd_blob_writer_write(o->w, buf, n, err);
}

/* tar + gzip of dir into a new blob of the store: the compress phase, then
 * the write phase (fsync and rename into place). */
int bld_write_layer_blob(kd_store *s, const char *dir, int64_t epoch, bool fixed,
                         volatile sig_atomic_t *cancel, char digest[KD_DIGEST_STR_LEN + 1],
                         kd_layer_stats *stats, kd_step_timing *t, kd_error **err)
{
    blob_out o = {NULL, cancel};
    if (kd_store_blob_begin(s, NULL, -1, &o.w, err) < 0)
        return -1;
    kd_layer_write_opts wo = {.compression = KD_LAYER_GZIP};
    if (epoch >= 0)
        wo.mtime_mode = fixed ? KD_LAYER_MTIME_FIXED : KD_LAYER_MTIME_CLAMP, wo.mtime = epoch;
    double t0 = kd_now_ms();
    if (kd_layer_write_to(dir, to_blob, &o, &wo, stats, err) < 0) {
        kd_store_blob_abort(o.w);
        return -1;
    }
    double t1 = kd_now_ms();
    if (t)
        kd_phase_add(t, KD_PH_COMPRESS, t1 - t0, stats->tar_size);
    if (kd_store_blob_commit(o.w, digest, err) < 0)
        return -1;
    if (t)
        kd_phase_add(t, KD_PH_WRITE, kd_now_ms() - t1, stats->size);
    return 0;
}

int bld_store_layer(kd_store *s, const char *dir, int64_t epoch, bool fixed,
                    volatile sig_atomic_t *cancel,
                    kd_descriptor *desc, char diff_id[KD_DIGEST_STR_LEN + 1],
                    kd_layer_stats *stats, kd_step_timing *t, kd_error **err)
{
    char digest[KD_DIGEST_STR_LEN + 1];
    if (bld_write_layer_blob(s, dir, epoch, fixed, cancel, digest, stats, t, err) < 0)
        return -1;
    double t0 = kd_now_ms();
    if (bld_commit_layer_dir(s, dir, digest, KD_MT_OCI_LAYER_GZIP, stats, err) < 0)
        return -1;
    if (t)
        kd_phase_add(t, KD_PH_SNAPSHOT, kd_now_ms() - t0, 0);
    memset(desc, 0, sizeof *desc);
    desc->media_type = kd_xstrdup(KD_MT_OCI_LAYER_GZIP);
    snprintf(desc->digest, sizeof desc->digest, "%s", digest);
    desc->size = (int64_t)stats->size;
    snprintf(diff_id, KD_DIGEST_STR_LEN + 1, "%s", stats->diff_id);
    return 0;
}

void bld_history(bld_step *st, const char *created_by, bool empty_layer)
{
    kd_builder *b = st->b;
    char *created = bld_rfc3339(b->now);
    kd_history h = {
        .created = created,
        .created_by = (char *)created_by,
        .comment = "buildkit.dockerfile.v0",
        .empty_layer = empty_layer,
    };
    kd_history_add(&st->s->img.config, &h);
    free(created);
    if (st->t)
        st->t->empty_layer = empty_layer;
}

void bld_add_layer(bld_step *st, const kd_descriptor *desc, const char *diff_id, uint64_t size,
                   uint64_t tar_size, uint64_t files)
{
    kd_builder *b = st->b;
    char *dir = kd_store_layer_path(b->store, diff_id);
    bld_image *im = &st->s->img;
    bld_image_add_layer(im, desc, diff_id, dir, tar_size);
    kd_strv_push(&im->config.diff_ids, diff_id);
    free(dir);
    if (st->t) {
        kd_step_timing *t = st->t;
        t->layer = true;
        snprintf(t->digest, sizeof t->digest, "%s", desc->digest);
        snprintf(t->diff_id, sizeof t->diff_id, "%s", diff_id);
        t->size = size;
        t->tar_size = tar_size;
        t->files = files;
    }
}

/* --normalize-owners / --normalize-modes, applied to the upper dir. The
 * whiteouts (0:0 character devices) and symlinks keep their modes. */
static bool norm_owners, norm_modes;

static int norm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)flag, (void)ftw;
    if (norm_owners && lchown(path, 0, 0) < 0)
        return -1;
    if (!norm_modes || S_ISLNK(sb->st_mode) || (!S_ISDIR(sb->st_mode) && !S_ISREG(sb->st_mode)))
        return 0;
    mode_t m = S_ISDIR(sb->st_mode) || (sb->st_mode & 0111) ? 0755 : 0644;
    return chmod(path, m);
}

static int normalize(kd_builder *b, const char *dir, kd_error **err)
{
    if (!b->o->normalize_owners && !b->o->normalize_modes)
        return 0;
    /* nftw has no context argument: the flags are set for this walk under
     * a lock (several builds may run in one process) */
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    norm_owners = b->o->normalize_owners;
    norm_modes = b->o->normalize_modes;
    int rc = nftw(dir, norm_entry, 32, FTW_PHYS);
    int e = errno;
    pthread_mutex_unlock(&lock);
    return rc != 0 ? kd_err(err, e, "cannot normalise the step's files") : 0;
}

int bld_commit(bld_step *st, bld_upper *u, kd_error **err)
{
    kd_builder *b = st->b;
    double t0 = kd_now_ms();
    bool empty = false;
    if (dir_is_empty(u->upper, &empty, err) < 0)
        return -1;
    if (empty) {
        if (st->t)
            kd_phase_add(st->t, KD_PH_SNAPSHOT, kd_now_ms() - t0, 0);
        bld_history(st, st->created_by, true);
        bld_upper_free(u);
        bld_cache_save(st, NULL, NULL, NULL);
        return 0;
    }
    if (st->t)
        kd_phase_add(st->t, KD_PH_SNAPSHOT, kd_now_ms() - t0, 0);
    if (normalize(b, u->upper, err) < 0)
        return -1;
    kd_descriptor desc;
    char diff_id[KD_DIGEST_STR_LEN + 1];
    kd_layer_stats stats;
    memset(&stats, 0, sizeof stats);
    int rc = bld_store_layer(b->store, u->upper, b->epoch, b->o->reproducible, b->o->cancel, &desc,
                             diff_id, &stats, st->t, err);
    /* the upper dir is in the store now (or, after a failure, still in our
     * tmp session): removing a path that is gone is harmless */
    bld_upper_free(u);
    if (rc < 0)
        return -1;
    bld_add_layer(st, &desc, diff_id, stats.size, stats.tar_size, stats.files);
    bld_history(st, st->created_by, false);
    bld_cache_save(st, &desc, diff_id, &stats);
    kd_descriptor_free(&desc);
    return 0;
}
