/* Real image sizes for `lint --online` (see lint/online.h). */
#include "lint/online.h"
#include "build/registry.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* One answer, kept for the run. */
typedef struct answer {
    char *image;
    int status; /* as kd_online_size returns it */
    uint64_t bytes;
    char *why;
} answer;

struct kd_online {
    kd_registry *reg;
    char *hub; /* the mirror's host that stands in for docker.io, or NULL */
    answer *v;
    size_t n, cap;
};

int kd_online_new(const kd_online_opts *o, kd_online **out, kd_error **err)
{
    *out = NULL;
    kd_online *on = kd_xcalloc(1, sizeof *on);
    /* the mirror is asked directly (see lint/online.h), so it needs to be
     * an insecure host when it is plain HTTP */
    size_t nins = o->ninsecure + (o->nmirrors ? 1 : 0);
    const char **ins = kd_xcalloc(nins + 1, sizeof *ins);
    for (size_t i = 0; i < o->ninsecure; i++)
        ins[i] = o->insecure[i];
    if (o->nmirrors) {
        int scheme;
        on->hub = kd_registry_mirror_host(o->mirrors[0], &scheme);
        if (scheme == 2) /* plain http:// */
            ins[o->ninsecure] = on->hub;
        else
            nins--;
    }
    /* lint must stay quick: one retry of a transient failure, short waits */
    kd_registry_opts ro = {.insecure = ins, .ninsecure = nins, .docker_config = o->docker_config,
                           .retries = 1, .backoff_ms = 200, .backoff_max_ms = 1000};
    int rc = kd_registry_new(&ro, &on->reg, err);
    free(ins);
    if (rc < 0) {
        kd_online_free(on);
        return -1;
    }
    *out = on;
    return 0;
}

void kd_online_free(kd_online *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].image);
        free(o->v[i].why);
    }
    free(o->v);
    free(o->hub);
    kd_registry_free(o->reg);
    free(o);
}

/* Asks the registry: the answer's status, bytes and why. */
static void ask(kd_online *o, answer *a)
{
    kd_ref ref;
    kd_error *e = NULL;
    if (kd_ref_parse(a->image, &ref, &e) < 0 || ref.scratch) {
        a->status = -1;
        a->why = kd_xstrdup(e ? e->msg : "scratch has no size");
        kd_error_free(e);
        kd_ref_free(&ref);
        return;
    }
    if (o->hub && strcmp(ref.domain, KD_REF_DOCKER_DOMAIN) == 0) {
        free(ref.domain);
        ref.domain = kd_xstrdup(o->hub);
    }
    kd_descriptor d = {0};
    kd_resolved res = {0};
    int found = kd_registry_head_manifest(o->reg, &ref, NULL, &d, &e);
    if (found == 1) {
        a->status = 1;
    } else if (found < 0 || kd_registry_resolve(o->reg, &ref, NULL, &res, &e) < 0) {
        a->status = -1;
        a->why = kd_xstrdup(e->msg);
    } else {
        a->bytes = (uint64_t)res.parsed.config.size;
        for (size_t i = 0; i < res.parsed.nlayers; i++)
            a->bytes += (uint64_t)res.parsed.layers[i].size;
    }
    kd_descriptor_free(&d);
    kd_resolved_free(&res);
    kd_error_free(e);
    kd_ref_free(&ref);
}

int kd_online_size(kd_online *o, const char *image, uint64_t *bytes, char **why)
{
    answer *a = NULL;
    for (size_t i = 0; i < o->n && a == NULL; i++)
        if (strcmp(o->v[i].image, image) == 0)
            a = &o->v[i];
    if (a == NULL) {
        KD_GROW(o->v, o->cap, o->n + 1);
        a = &o->v[o->n++];
        *a = (answer){.image = kd_xstrdup(image)};
        ask(o, a);
    }
    *bytes = a->bytes;
    if (why)
        *why = a->why ? kd_xstrdup(a->why) : NULL;
    return a->status;
}
