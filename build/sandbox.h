/* Runs one process (a RUN step) isolated, on an overlayfs of layer dirs.
 *
 * Owner: build-sandbox (helper C). Users: build/builder.c (RUN), and COPY
 * through kd_sandbox_call (a function run inside a mounted overlay).
 *
 * Process tree (see docs/isolation.md):
 *   kdoctor --fork--> A: unshare(mount, PID, UTS, IPC [, net]); PDEATHSIG
 *     A --fork--> B: PID 1 of the new PID namespace, our own code: mounts
 *        the overlay, /proc, /dev, binds, pivot_root; never execs
 *       B --fork--> C: drops to USER, chdir, exec the step's argv
 *   When C exits, B reports C's status and exits; the kernel then kills
 *   every process left in the PID namespace (daemons, setsid, double fork)
 *   and, with the last process, the mount namespace and every mount in it.
 *   kdoctor dying (even SIGKILL) kills A (PDEATHSIG), which kills B, which
 *   takes the namespace down. PDEATHSIG fires when the *thread* that forked
 *   exits: call kd_sandbox_start from a thread that outlives the step.
 * The chroot fallback has no B: A chroots C and is its subreaper; when C
 *   exits, when kdoctor cancels (kd_sandbox_kill) or dies (PDEATHSIG,
 *   SIGTERM there), A kills every process of the step, then exits.
 *
 * Nothing the sandbox mounts leaves an entry in the upper dir: mount points
 * missing from the layers (/proc, /dev, /sys, /etc/hosts, /etc/resolv.conf,
 * bind targets) come from a small "stub" lower dir placed BELOW every layer,
 * built in a temp dir and removed after the run. The only upper entries are
 * the step's own writes, plus the working directory when it was missing
 * (Docker creates it too, and keeps it in the layer). */
#ifndef KD_BUILD_SANDBOX_H
#define KD_BUILD_SANDBOX_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The overlay a step runs on. Lower dirs are unpacked layer dirs, top
 * first, with whiteouts in overlayfs form (char 0:0 and the xattr
 * trusted.overlay.opaque=y). upper and work must be empty dirs on one file
 * system; after the run upper is the step's layer, self-contained thanks to
 * redirect_dir=off,metacopy=off,index=off,xino=off. */
typedef struct kd_overlay {
    const char *const *lowers; /* top first; at most KD_OVERLAY_MAX_LOWERS */
    size_t nlowers;
    const char *upper; /* NULL with readonly: a read-only overlay of lowers */
    const char *work;
    /* Mount with "volatile": no syncfs of the upper file system when the
     * overlay goes away, which otherwise waits for every dirty page there
     * (a base image just extracted: a second or more). Only for an upper and
     * work dir used once: the kernel refuses to mount that work dir again. */
    bool no_sync;
} kd_overlay;

#define KD_OVERLAY_MAX_LOWERS 500 /* the kernel's OVL_MAX_STACK */

typedef enum kd_net {
    KD_NET_HOST, /* the host's network; /etc/hosts and resolv.conf bound read-only */
    KD_NET_NONE, /* a new network namespace with only lo, up */
} kd_net;

typedef enum kd_sandbox_mode {
    KD_SANDBOX_AUTO = 0,   /* namespaces + overlay when kd_sandbox_detect says so */
    KD_SANDBOX_NAMESPACES, /* insist on namespaces + overlay */
    KD_SANDBOX_CHROOT,     /* the fallback: chroot into spec.rootfs */
} kd_sandbox_mode;

/* An extra mount for RUN --mount=type=bind/cache (source is a host path). */
typedef struct kd_bind {
    const char *source;
    const char *target; /* absolute path inside the root */
    bool readonly;
} kd_bind;

typedef struct kd_sandbox_spec {
    kd_sandbox_mode mode;
    kd_overlay overlay;     /* namespace mode */
    const char *rootfs;     /* chroot mode: a prepared tree, changed in place */
    const char *const *argv; /* NULL-terminated; argv[0] searched in env's PATH */
    const char *const *env;  /* NULL-terminated "K=V"; HOME is added if missing */
    const char *cwd;        /* absolute; "/" when NULL; created if missing */
    const char *user;       /* USER string; root when NULL or "" */
    const char *hostname;   /* "buildkitsandbox" (BuildKit's) when NULL */
    kd_net network;
    bool readonly_root;
    const kd_bind *binds;
    size_t nbinds;
    /* The step's stdout and stderr (-1: /dev/null); stdin is /dev/null.
     * kd_sandbox_wait blocks: pipes must be drained by another thread. */
    int stdout_fd;
    int stderr_fd;
    /* Testing aids: use mount(2) with a lowerdir= string even when the
     * kernel has fsconfig "lowerdir+"; a path that must fail to mount. */
    bool force_legacy_mount;
} kd_sandbox_spec;

typedef struct kd_sandbox_result {
    int exit_code; /* valid when signal == 0 */
    int signal;    /* the signal that killed the step's process, or 0 */
    /* Chroot mode only: paths (relative to rootfs) that the sandbox created
     * (device nodes, mount points) and the caller's snapshot must skip;
     * owned, free with kd_sandbox_result_free. */
    char **created;
    size_t ncreated;
} kd_sandbox_result;

typedef struct kd_sandbox kd_sandbox; /* a running step; opaque */

/* Starts the step. Errors in setting it up (a mount that fails, a USER that
 * does not exist, an argv[0] that cannot be executed) are reported by
 * kd_sandbox_wait, with the child's own message. */
int kd_sandbox_start(const kd_sandbox_spec *spec, kd_sandbox **out, kd_error **err);
/* Waits for the step and everything it started to be gone, then frees sb.
 * Returns -1 with *err for a set-up failure, 0 with *res otherwise. */
int kd_sandbox_wait(kd_sandbox *sb, kd_sandbox_result *res, kd_error **err);
/* Kills the step (and all its processes); kd_sandbox_wait must follow.
 * Namespace mode: SIGKILL to A. Chroot mode: tells the runner, which kills
 * every process of the step (setsid daemons too) and then exits. */
void kd_sandbox_kill(kd_sandbox *sb);
/* Whether A has exited (without reaping it). Every process of the step is
 * then gone (the PID namespace, or the chroot runner's kills, come first),
 * so the step's output pipe gets no more data, even while a copy of its
 * write end leaked elsewhere keeps it from reaching end of file. */
bool kd_sandbox_exited(kd_sandbox *sb);
/* Start + wait. */
int kd_sandbox_run(const kd_sandbox_spec *spec, kd_sandbox_result *res, kd_error **err);
void kd_sandbox_result_free(kd_sandbox_result *res);

/* What this machine allows, probed once (a child tries the namespaces and
 * an overlay mount in a temp dir) and cached. why is a static sentence
 * saying what is missing, for the caller to print once, or NULL. */
typedef struct kd_sandbox_caps {
    bool namespaces;  /* mount, PID, UTS, IPC and net namespaces */
    bool overlay;     /* overlayfs mounts (with the options above) */
    bool lowerdir_plus; /* fsconfig "lowerdir+" (Linux >= 6.8): no length limit */
    const char *why;
} kd_sandbox_caps;
const kd_sandbox_caps *kd_sandbox_detect(void);

/* Runs fn(root, arg) in a child process inside a new mount namespace where
 * ov is mounted at root (a private temp mount point), so fn sees the merged
 * view and writes go to ov->upper; the overlay vanishes with the child.
 * fn's error (return -1 with *err) is carried back. Used by COPY. */
typedef int (*kd_sandbox_fn)(const char *root, void *arg, kd_error **err);
int kd_sandbox_call(const kd_overlay *ov, kd_sandbox_fn fn, void *arg, kd_error **err);

/* For a kd_sandbox_fn, which runs in a private mount namespace: mounts a
 * read-only overlay of ov's lower dirs (ov->upper NULL; at least two lower
 * dirs, as overlayfs wants without an upper dir) on target, an existing
 * dir. The mount vanishes with the child. Used by COPY --from a stage. */
int kd_sandbox_mount_lowers(const kd_overlay *ov, const char *target, kd_error **err);

#endif
