/* kdoctor cache warm: base images into the store ahead of builds, as
 * Kaniko's warmer does, but unpacked too, so that a build's first RUN on
 * them starts at once. The FROM machinery of a build (build/from.c) does
 * the work: local store first, then an OCI layout or the registry, pulling
 * while extracting. Owner: cache (issue 6). */
#include "build/builder_int.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>

static int warm_one(kd_builder *b, const char *name, char digest[KD_DIGEST_STR_LEN + 1],
                    kd_error **err)
{
    bld_image im;
    bld_image_init(&im);
    int rc = bld_resolve_image(b, name, NULL, &im, NULL, err);
    if (rc == 0)
        rc = bld_unpack_layers(b, &im, NULL, err);
    if (rc == 0)
        snprintf(digest, KD_DIGEST_STR_LEN + 1, "%s", im.manifest_digest);
    bld_image_free(&im);
    return rc;
}

int kd_build_warm(const kd_build_opts *o, const char *const *images, size_t n,
                  char (*digests)[KD_DIGEST_STR_LEN + 1], kd_build_result *res, kd_error **err)
{
    kd_builder b;
    bld_init(&b, o, res);
    int rc = 0;
    if (o->platform)
        rc = kd_platform_parse(o->platform, &b.platform, err);
    else
        kd_platform_host(&b.platform);
    if (rc == 0)
        rc = kd_store_open(o->cache_dir, KD_STORE_SHARED, &b.store, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (bld_cancelled(&b))
            rc = bld_cancel_error(err);
        else
            rc = warm_one(&b, images[i], digests[i], err);
        if (rc < 0 && err && *err && (*err)->status != 130)
            kd_error_wrap(*err, "%s", images[i]);
    }
    kd_registry_free(b.reg);
    kd_store_close(b.store);
    kd_platform_free(&b.platform);
    pthread_mutex_destroy(&b.lock);
    return rc;
}
