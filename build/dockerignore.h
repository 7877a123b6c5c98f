/* .dockerignore and --exclude patterns with moby/patternmatcher semantics,
 * Go's filepath.Match for COPY sources, and the walk of a build context
 * that yields the files a build may use, with content hashes for the cache.
 *
 * Owner: build-sandbox (helper C). Users: build/copy.c (COPY sources and
 * --exclude), build/builder.c (the context and its cache keys, issue 6).
 *
 * Pattern semantics (moby/patternmatcher + docker's ignorefile.ReadAll):
 * one pattern per line; a line starting with '#' is a comment (checked
 * before trimming, as Docker does); white space around a pattern is
 * trimmed; blank lines are skipped; "!" makes an exception; each pattern is
 * filepath.Clean'ed and a leading "/" dropped ("./x" cleans to "x"); '*' and
 * '?' never match '/', "**" matches any number of directories, '[...]'
 * classes and '\\' escapes as in Go; the last matching pattern wins; a
 * pattern matching a directory matches everything under it (unless a later
 * exception re-includes a path). */
#ifndef KD_BUILD_DOCKERIGNORE_H
#define KD_BUILD_DOCKERIGNORE_H

#include "build/digest.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef struct kd_ignore kd_ignore; /* compiled patterns; opaque */

/* Parses a .dockerignore file's text (len bytes). */
int kd_ignore_parse(const char *text, size_t len, kd_ignore **out, kd_error **err);
/* Compiles patterns already split (COPY --exclude): each is trimmed and
 * cleaned as patternmatcher.New does. */
int kd_ignore_compile(const char *const *patterns, size_t n, kd_ignore **out, kd_error **err);
/* Reads DIR/.dockerignore; a missing file gives a matcher that excludes
 * nothing. */
int kd_ignore_load(const char *context_dir, kd_ignore **out, kd_error **err);
void kd_ignore_free(kd_ignore *m);

/* True when path (slash-separated, relative to the context, no leading
 * "./") is excluded: patternmatcher's MatchesOrParentMatches. */
bool kd_ignore_match(const kd_ignore *m, const char *path);
/* True when some exception pattern exists (a walk may not skip an excluded
 * directory then: an exception may re-include something under it). */
bool kd_ignore_has_exceptions(const kd_ignore *m);
size_t kd_ignore_count(const kd_ignore *m);

/* Docker's classic builder still sends the Dockerfile and .dockerignore
 * when they are excluded (cli TrimBuildFilesFromExcludes): this adds
 * "!.dockerignore" and "!DOCKERFILE" exceptions when needed. BuildKit does
 * not (COPY . . then skips them); the builder chooses. dockerfile is
 * relative to the context, or NULL. */
void kd_ignore_keep_build_files(kd_ignore *m, const char *dockerfile);

/* Go's filepath.Match(pattern, name) on '/'-separated strings: 0 no match,
 * 1 match, -1 malformed pattern (ErrBadPattern). */
int kd_path_match(const char *pattern, const char *name);
/* Go's path.Clean of a '/'-separated path (owned result; "" gives "."). */
char *kd_path_clean(const char *p);

/* True when a pattern has a Match meta character (* ? [ \). */
bool kd_path_has_meta(const char *pattern);

/* ---- The build context ---- */

/* Hash of one entry, the unit of the context's cache key: sha256 over
 * "PATH\0", then "MODE SIZE\0" (mode in octal with the file-type bits,
 * size in decimal, 0 for directories), then the contents (a regular file's
 * bytes or a symlink's target). Not the owner: COPY from the context gives
 * files root (or --chown), so checkouts by different users share keys; not
 * the mtime, as in Docker. dirfd + name open the file. */
int kd_ctx_entry_hash(int dirfd, const char *name, const char *path, const struct stat *st,
                      char out[KD_DIGEST_STR_LEN + 1], kd_error **err);

typedef struct kd_ctx_entry {
    char *path;   /* relative, '/'-separated, owned */
    mode_t mode;  /* st_mode, type bits included */
    uid_t uid;
    gid_t gid;
    uint64_t size;
    char digest[KD_DIGEST_STR_LEN + 1]; /* kd_ctx_entry_hash */
} kd_ctx_entry;

typedef struct kd_ctx {
    kd_ctx_entry *entries; /* sorted by path (bytewise), owned */
    size_t n, cap;
    /* sha256 over every entry's "PATH\0DIGEST\n" in that order */
    char digest[KD_DIGEST_STR_LEN + 1];
} kd_ctx;

/* Walks dir (not following symlinks, never leaving it) and lists what ign
 * (may be NULL) includes: files, symlinks and directories; an excluded
 * directory is skipped whole unless exceptions exist, and the parents of an
 * included path are listed too. Free with kd_ctx_free. */
int kd_ctx_walk(const char *dir, const kd_ignore *ign, kd_ctx *out, kd_error **err);
void kd_ctx_free(kd_ctx *c);

#endif
