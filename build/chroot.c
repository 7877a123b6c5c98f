/* The builder's chroot fallback, for machines where overlayfs or the
 * namespaces cannot be used (an unprivileged CI container, as Kaniko's).
 * Each stage gets a plain tree in the store's tmp session, made from its
 * layer dirs on first use; a step runs in it (RUN chrooted by the sandbox,
 * COPY/ADD/WORKDIR writing into it), and a metadata snapshot taken before
 * the step finds what it changed (build/snapshot.h). The changes are written
 * as a change dir in overlay form, then committed exactly as an overlay's
 * upper dir: the same layers, the same image. Slower than the overlay (two
 * walks of the tree per step) and weaker isolation (no PID namespace, no
 * /proc, the image's own /etc/resolv.conf). Owner: build-finish. */
#include "build/builder_int.h"
#include "build/snapshot.h"
#include "util/mem.h"

#include <stdlib.h>

bool bld_use_chroot(kd_builder *b)
{
    if (b->mode != KD_SANDBOX_AUTO)
        return b->mode == KD_SANDBOX_CHROOT;
    b->mode = b->o->sandbox;
    if (b->mode == KD_SANDBOX_AUTO) {
        const kd_sandbox_caps *c = kd_sandbox_detect();
        b->mode = c->namespaces && c->overlay ? KD_SANDBOX_NAMESPACES : KD_SANDBOX_CHROOT;
        if (b->mode == KD_SANDBOX_CHROOT)
            bld_warn(b, "%s: steps run in a chroot and a metadata snapshot finds their "
                        "changes (slower; no PID namespace, /proc or network isolation)",
                     c->why);
    } else if (b->mode == KD_SANDBOX_CHROOT) {
        bld_info(b, "steps run in a chroot (the fallback), as asked");
    }
    return b->mode == KD_SANDBOX_CHROOT;
}

/* Applies img's layers from the first to root, an existing tree. */
static int apply_layers(const bld_image *img, size_t first, const char *root, kd_error **err)
{
    for (size_t i = first; i < img->nlayers; i++)
        if (kd_tree_apply(img->layers[i].dir, root, err) < 0)
            return -1;
    return 0;
}

/* The stage's tree, in sync with its layers: made on first use; a layer
 * added without a step of ours (a cache hit) is applied to it. */
static int stage_root(bld_step *st, kd_error **err)
{
    bld_stage *s = st->s;
    if (s->root == NULL) {
        if (bld_mktemp_dir(st->b->store, "root-", &s->root, err) < 0)
            return -1;
        s->root_layers = 0;
    }
    if (s->root_layers == s->img.nlayers)
        return 0;
    double t0 = kd_now_ms();
    if (apply_layers(&s->img, s->root_layers, s->root, err) < 0)
        return -1;
    kd_phase_add(st->t, KD_PH_UNPACK, kd_now_ms() - t0, 0);
    s->root_layers = s->img.nlayers;
    return 0;
}

/* What the sandbox mounts over for a RUN: never part of its layer. */
static const char *const run_skip[] = {"dev", "proc", "sys", "etc/hosts", "etc/resolv.conf"};

int bld_chroot_step(bld_step *st, kd_sandbox_fn fn, void *arg, bool run, kd_error **err)
{
    if (stage_root(st, err) < 0)
        return -1;
    bld_stage *s = st->s;
    double t0 = kd_now_ms();
    kd_snap *snap = NULL;
    if (kd_snap_take(s->root, run ? run_skip : NULL, run ? 5 : 0, &snap, err) < 0)
        return -1;
    kd_phase_add(st->t, KD_PH_SNAPSHOT, kd_now_ms() - t0, 0);
    /* the tree is the step's from here: on failure it no longer matches */
    s->root_layers = (size_t)-1;
    t0 = kd_now_ms();
    int rc = fn(s->root, arg, err);
    if (!run) /* RUN's own runner times itself, with its output's bytes */
        kd_phase_add(st->t, KD_PH_RUN, kd_now_ms() - t0, 0);
    if (rc == 0 && bld_cancelled(st->b))
        rc = bld_cancel_error(err);
    bld_upper u = {0};
    if (rc == 0)
        rc = bld_upper_new(st->b, &u, err);
    t0 = kd_now_ms();
    if (rc == 0)
        rc = kd_snap_diff(snap, s->root, u.upper, NULL, err);
    kd_phase_add(st->t, KD_PH_SNAPSHOT, kd_now_ms() - t0, 0);
    kd_snap_free(snap);
    if (rc == 0)
        rc = bld_commit(st, &u, err);
    bld_upper_free(&u);
    if (rc == 0)
        s->root_layers = s->img.nlayers;
    return rc;
}

int bld_chroot_source(kd_builder *b, const bld_image *img, const bld_stage *stage,
                      const char **root, char **tmp, kd_error **err)
{
    *tmp = NULL;
    if (stage && stage->root && stage->root_layers == img->nlayers) {
        *root = stage->root;
        return 0;
    }
    if (bld_mktemp_dir(b->store, "from-root-", tmp, err) < 0)
        return -1;
    *root = *tmp;
    return apply_layers(img, 0, *tmp, err);
}
