/* An image under construction: its config and its layers with their
 * unpacked dirs. Owner: build-exec. */
#include "build/builder_int.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BuildKit's system.DefaultPathEnv for Linux. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void bld_image_init(bld_image *im)
{
    memset(im, 0, sizeof *im);
}

void bld_image_free(bld_image *im)
{
    kd_image_config_free(&im->config);
    for (size_t i = 0; i < im->nlayers; i++) {
        kd_descriptor_free(&im->layers[i].desc);
        free(im->layers[i].dir);
    }
    free(im->layers);
    free(im->name);
    free(im->repo);
    free(im->domain);
    bld_image_init(im);
}

static char *dup_or_null(const char *s)
{
    return s ? kd_xstrdup(s) : NULL;
}

void bld_image_copy(bld_image *dst, const bld_image *src)
{
    bld_image_init(dst);
    kd_image_config_copy(&dst->config, &src->config);
    for (size_t i = 0; i < src->nlayers; i++) {
        const bld_layer *l = &src->layers[i];
        bld_image_add_layer(dst, &l->desc, l->diff_id, l->dir, l->tar_size);
    }
    memcpy(dst->manifest_digest, src->manifest_digest, sizeof dst->manifest_digest);
    dst->name = dup_or_null(src->name);
    dst->repo = dup_or_null(src->repo);
    dst->domain = dup_or_null(src->domain);
}

void bld_image_add_layer(bld_image *im, const kd_descriptor *desc, const char *diff_id,
                         const char *dir, uint64_t tar_size)
{
    KD_GROW(im->layers, im->cap, im->nlayers + 1);
    bld_layer *l = &im->layers[im->nlayers++];
    memset(l, 0, sizeof *l);
    kd_descriptor_copy(&l->desc, desc);
    snprintf(l->diff_id, sizeof l->diff_id, "%s", diff_id);
    l->dir = dup_or_null(dir);
    l->tar_size = tar_size;
}

const char **bld_image_lowers(const bld_image *im, size_t *n)
{
    const char **v = kd_xcalloc(im->nlayers + 1, sizeof *v);
    for (size_t i = 0; i < im->nlayers; i++)
        v[i] = im->layers[im->nlayers - 1 - i].dir;
    *n = im->nlayers;
    return v;
}

void bld_image_scratch(bld_image *im, const kd_platform *p)
{
    bld_image_init(im);
    kd_image_config *c = &im->config;
    c->os = kd_xstrdup(p->os ? p->os : "linux");
    c->architecture = kd_xstrdup(p->architecture ? p->architecture : "amd64");
    c->variant = dup_or_null(p->variant);
    c->rootfs_type = kd_xstrdup("layers");
    c->diff_ids.set = true;
    /* BuildKit's emptyImage: WorkingDir "/" and a PATH */
    c->config.working_dir = kd_xstrdup("/");
    bld_env_set(&c->config.env, "PATH", DEFAULT_PATH);
}

static size_t key_len(const char *kv)
{
    const char *eq = strchr(kv, '=');
    return eq ? (size_t)(eq - kv) : strlen(kv);
}

void bld_env_set(kd_strv *env, const char *key, const char *value)
{
    char *kv = kd_asprintf("%s=%s", key, value);
    size_t kl = strlen(key);
    for (size_t i = 0; i < env->n; i++) {
        if (key_len(env->v[i]) == kl && memcmp(env->v[i], key, kl) == 0) {
            free(env->v[i]);
            env->v[i] = kv;
            return;
        }
    }
    kd_strv_push(env, kv);
    free(kv);
}

const char *bld_env_get(const kd_strv *env, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < env->n; i++)
        if (key_len(env->v[i]) == kl && memcmp(env->v[i], key, kl) == 0)
            return env->v[i][kl] == '=' ? env->v[i] + kl + 1 : "";
    return NULL;
}
