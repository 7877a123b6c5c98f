/* kdoctor's content-addressed store (default ~/.cache/kdoctor, --cache-dir):
 *
 *   DIR/blobs/sha256/<hex>        compressed layers, manifests, configs
 *   DIR/layers/sha256/<hex>/      unpacked layers keyed by diff_id
 *   DIR/layers/sha256/<hex>.json  their metadata (kd_layer_meta)
 *   DIR/images.json               local image index: name -> manifest digest
 *   DIR/images.lock               flock guarding images.json's read-modify-write
 *   DIR/tmp/<session>/            one private work dir per open store handle,
 *   DIR/tmp/<session>.lock        held with flock(LOCK_EX) while it lives
 *   DIR/lock                      flock: shared by every user, exclusive for prune
 *
 * Guarantees:
 * - Every write goes to the session's tmp dir first and is renamed into
 *   place only when complete, and for blobs only after the digest matched:
 *   an interrupted or lying download never poisons the store.
 * - Any number of processes (and threads, each with its own handle or
 *   sharing one) can use one store at once. Content addressing makes two
 *   writers of the same blob or layer agree; the loser's copy is discarded.
 * - A crashed process leaves only its tmp/<session>; the next kd_store_open()
 *   removes sessions whose lock file nobody holds.
 * - Digests are validated with kd_digest_valid() before they form a path.
 *
 * Owner: build-fetch. Ownership: kd_store_open() returns a handle the caller
 * closes with kd_store_close(); paths returned as char * are the caller's to
 * free. A kd_store handle may be used from several threads: everything it
 * holds after open is read-only, and each call works on its own files.
 * A forked child shares the handle's flocks (they belong to the open file):
 * it must not close the handle (that removes the parent's session); the
 * descriptors are O_CLOEXEC, so an exec drops them. */
#ifndef KD_BUILD_STORE_H
#define KD_BUILD_STORE_H

#include "build/digest.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kd_store kd_store;

typedef enum kd_store_mode {
    KD_STORE_SHARED = 0, /* normal use: builds, pulls, pushes */
    KD_STORE_EXCLUSIVE,  /* prune: waits until no other handle is open */
} kd_store_mode;

/* $XDG_CACHE_HOME/kdoctor, else $HOME/.cache/kdoctor. Caller frees. */
char *kd_store_default_dir(void);

/* Opens (creating when needed, mode 0700 for the top) the store at dir, or at
 * the default when dir is NULL; takes DIR/lock in the given mode (blocking),
 * creates this handle's tmp session and removes stale sessions. */
int kd_store_open(const char *dir, kd_store_mode mode, kd_store **out, kd_error **err);
/* Removes this handle's tmp session and releases its locks. NULL is fine. */
void kd_store_close(kd_store *s);
/* The store's top directory (absolute); borrowed. */
const char *kd_store_dir(const kd_store *s);
/* This handle's private tmp dir (inside the store, same file system, so
 * rename(2) into the store works); borrowed. Removed on close. */
const char *kd_store_tmp(const kd_store *s);
/* A new empty directory or file under kd_store_tmp() whose name starts with
 * prefix; *path is the caller's. The file is opened O_RDWR|O_CLOEXEC. */
int kd_store_mktemp_dir(kd_store *s, const char *prefix, char **path, kd_error **err);
int kd_store_mktemp_file(kd_store *s, const char *prefix, int *fd, char **path, kd_error **err);

/* ---- blobs ---------------------------------------------------------- */

/* DIR/blobs/sha256/<hex>, or NULL when digest is not valid. */
char *kd_store_blob_path(const kd_store *s, const char *digest);
/* Present in the store? *size (may be NULL) gets its size. */
bool kd_store_has_blob(const kd_store *s, const char *digest, int64_t *size);
/* Opens a blob for reading (O_RDONLY|O_CLOEXEC); caller closes *fd. */
int kd_store_blob_open(const kd_store *s, const char *digest, int *fd, int64_t *size,
                       kd_error **err);
/* Reads a whole blob of at most max bytes into memory (caller frees *data,
 * which is NUL-terminated), checking its digest again: small blobs
 * (manifests, configs) are verified on every read. */
int kd_store_blob_read(const kd_store *s, const char *digest, size_t max, char **data,
                       size_t *len, kd_error **err);
/* Stores data; when want is not NULL the data must have that digest. The
 * digest is written to out (may be NULL). */
int kd_store_put_blob(kd_store *s, const void *data, size_t len, const char *want,
                      char out[KD_DIGEST_STR_LEN + 1], kd_error **err);

/* A blob being written in a stream (a download): bytes go to a tmp file and
 * a running sha256; commit verifies, fsyncs and renames into place. */
typedef struct kd_blob_writer kd_blob_writer;

/* want: the expected digest, or NULL to learn it at commit; want_size: the
 * expected size or -1. Writing more than want_size bytes fails at once. */
int kd_store_blob_begin(kd_store *s, const char *want, int64_t want_size, kd_blob_writer **w,
                        kd_error **err);
int kd_blob_writer_write(kd_blob_writer *w, const void *buf, size_t n, kd_error **err);
/* The kd_blob_sink form of kd_blob_writer_write (ctx is the writer); an error
 * is kept in the writer and reported by commit. */
int kd_blob_writer_sink(void *ctx, const void *buf, size_t n);
/* Bytes written so far. */
int64_t kd_blob_writer_size(const kd_blob_writer *w);
/* Verifies digest (and size), moves the blob into place and frees w in every
 * case. out (may be NULL) gets the digest. A mismatch removes the tmp file
 * and fails naming both digests. */
int kd_store_blob_commit(kd_blob_writer *w, char out[KD_DIGEST_STR_LEN + 1], kd_error **err);
/* Discards the tmp file and frees w. NULL is fine. */
void kd_store_blob_abort(kd_blob_writer *w);

/* ---- unpacked layers -------------------------------------------------- */

typedef struct kd_layer_meta {
    char diff_id[KD_DIGEST_STR_LEN + 1]; /* sha256 of the uncompressed tar */
    char blob[KD_DIGEST_STR_LEN + 1];    /* a compressed form's digest, or "" */
    char *media_type;                    /* of that compressed form, or NULL */
    int64_t blob_size;                   /* -1 when unknown */
    int64_t tar_size;                    /* uncompressed size, -1 when unknown */
    int64_t files;                       /* entries extracted, -1 when unknown */
} kd_layer_meta;

void kd_layer_meta_init(kd_layer_meta *m); /* sizes -1, strings empty */
void kd_layer_meta_free(kd_layer_meta *m);

/* DIR/layers/sha256/<hex> for a diff_id, or NULL when it is not valid. */
char *kd_store_layer_path(const kd_store *s, const char *diff_id);
bool kd_store_has_layer(const kd_store *s, const char *diff_id);
/* Moves dir (a directory under kd_store_tmp(), filled by the caller) into
 * place as the layer m->diff_id, with its metadata. When another process got
 * there first, dir is removed and the existing layer kept (*won = false).
 * dir is gone after the call either way, also on error. won may be NULL. */
int kd_store_layer_commit(kd_store *s, const char *dir, const kd_layer_meta *m, bool *won,
                          kd_error **err);
/* Reads a layer's metadata; returns 1 when absent (no error set). */
int kd_store_layer_meta(const kd_store *s, const char *diff_id, kd_layer_meta *out,
                        kd_error **err);

/* ---- local images ------------------------------------------------------ */

typedef struct kd_store_image {
    char *name;                           /* "docker.io/library/node:12" or any tag */
    char digest[KD_DIGEST_STR_LEN + 1];   /* manifest (or index) digest */
    char *created;                        /* RFC 3339 time the name was set */
} kd_store_image;

/* Points name at a manifest digest (under images.lock; images.json is
 * rewritten atomically). The manifest blob should already be stored. */
int kd_store_image_set(kd_store *s, const char *name, const char *digest, kd_error **err);
/* 1 when name is unknown (no error set), 0 with *digest filled when known. */
int kd_store_image_get(kd_store *s, const char *name, char digest[KD_DIGEST_STR_LEN + 1],
                       kd_error **err);
/* 1 when name was not there. */
int kd_store_image_remove(kd_store *s, const char *name, kd_error **err);
/* All images, sorted by name; free with kd_store_images_free(). */
int kd_store_image_list(kd_store *s, kd_store_image **list, size_t *n, kd_error **err);
void kd_store_images_free(kd_store_image *list, size_t n);

/* Removes a directory tree (also read-only dirs an unpacked layer may hold).
 * Used for tmp dirs; exported for the builder's own scratch dirs. */
int kd_remove_tree(const char *path, kd_error **err);
/* The same for name in the directory dfd (never followed if a symlink). */
int kd_remove_tree_at(int dfd, const char *name, kd_error **err);

#endif
