/* `kdoctor lint --online`: real compressed image sizes from the registry,
 * for the rules that otherwise quote typical sizes (KD1100 fat-base-image).
 *
 * An image's size is the sum of its manifest's layer and config sizes for
 * this machine's platform (an index is resolved to that platform's
 * manifest), as `docker manifest inspect` would add them up. Answers are
 * kept for the run: a base image named by many files is asked once.
 *
 * With mirrors, Docker Hub images are asked of the first mirror only (a
 * pull-through cache or an internal copy of the Hub): lint never falls
 * back to Docker Hub then, so an air-gapped network gets no request out.
 *
 * Owner: lint-engine. Ownership: kd_online_new() gives a handle freed
 * with kd_online_free(); *why strings returned are the caller's. */
#ifndef KD_LINT_ONLINE_H
#define KD_LINT_ONLINE_H

#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct kd_online_opts {
    const char *const *insecure; /* hosts allowed plain HTTP (--insecure-registry) */
    size_t ninsecure;
    const char *const *mirrors; /* --registry-mirror: where Docker Hub images are asked */
    size_t nmirrors;
    const char *docker_config; /* NULL: $DOCKER_CONFIG or ~/.docker */
} kd_online_opts;

typedef struct kd_online kd_online;

int kd_online_new(const kd_online_opts *o, kd_online **out, kd_error **err);
void kd_online_free(kd_online *o);

/* The compressed size of image ("node:12", "ghcr.io/a/b:1"): 0 with *bytes
 * set; 1 when the registry has no such tag or repository; -1 when it could
 * not be asked, with *why (owned by the caller) saying why. */
int kd_online_size(kd_online *o, const char *image, uint64_t *bytes, char **why);

#endif
