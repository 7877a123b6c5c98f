/* Image references ("node:12", "ghcr.io/a/b:tag", "localhost:5000/x@sha256:...")
 * parsed and normalised exactly as Docker's distribution/reference package
 * does (ParseNormalizedNamed followed by TagNameOnly):
 *
 *   node:12             -> docker.io/library/node:12
 *   user/img            -> docker.io/user/img:latest
 *   index.docker.io/x   -> docker.io/library/x:latest
 *   localhost:5000/x    -> localhost:5000/x:latest
 *   ghcr.io/a/b@sha256:<hex> -> digest only, no default tag
 *   a/b:1@sha256:<hex>  -> tag and digest both kept; pulls use the digest
 *
 * "scratch" is not a reference but the empty image: kd_ref_parse() accepts it
 * and sets .scratch, leaving every other field NULL.
 *
 * Owner: build-fetch. Ownership: a kd_ref owns its strings; free them with
 * kd_ref_free(). Functions returning char * give the caller a malloc'd string. */
#ifndef KD_BUILD_REF_H
#define KD_BUILD_REF_H

#include "util/error.h"

#include <stdbool.h>

#define KD_REF_DOCKER_DOMAIN "docker.io"
/* The host that actually serves docker.io's distribution API. */
#define KD_REF_DOCKER_HOST "registry-1.docker.io"
#define KD_REF_NAME_MAX 255 /* domain + "/" + path, as Docker limits it */

typedef struct kd_ref {
    char *domain; /* "docker.io", "ghcr.io", "localhost:5000", "[::1]:5000" */
    char *path;   /* repository path inside the registry: "library/node" */
    char *tag;    /* "12"; "latest" when neither tag nor digest was given; NULL
                   * when only a digest was given */
    char *digest; /* "sha256:<64 hex>" or NULL */
    bool scratch; /* the input was "scratch": the empty image */
} kd_ref;

/* Parses and normalises s into *out (zeroed first). On error returns -1 with
 * a message quoting s, e.g. "invalid reference format: repository name (Foo)
 * must be lowercase", and leaves *out empty. Only sha256 digests are
 * accepted, since only those can be verified here. */
int kd_ref_parse(const char *s, kd_ref *out, kd_error **err);

/* Parses a repository name without tag or digest ("ubuntu", "ghcr.io/a/b"),
 * as used for cross-repository mounts and cache repos. */
int kd_ref_parse_name(const char *s, kd_ref *out, kd_error **err);

/* The fully qualified form: "docker.io/library/node:12", with "@digest"
 * appended when there is one. "scratch" for the empty image. */
char *kd_ref_string(const kd_ref *r);
/* The short form Docker shows: "node:12", "user/img:latest",
 * "ghcr.io/a/b@sha256:..." */
char *kd_ref_familiar(const kd_ref *r);
/* domain + "/" + path: "docker.io/library/node". */
char *kd_ref_name(const kd_ref *r);

/* What goes after /manifests/ in a registry URL: the digest when there is one
 * (so a pinned pull can't be changed by a moved tag), else the tag. Borrowed
 * from r. NULL for scratch. */
const char *kd_ref_reference(const kd_ref *r);

/* True when s names one of docker.io's aliases: "docker.io",
 * "index.docker.io", "registry-1.docker.io", with or without "https://" and a
 * "/v1/" or "/v2/" path. */
bool kd_ref_is_docker_hub(const char *s);

/* Deep copy; dst is overwritten. */
void kd_ref_copy(kd_ref *dst, const kd_ref *src);
void kd_ref_free(kd_ref *r);

#endif
