/* Internals shared by build/sandbox*.c. Owner: build-sandbox (helper C).
 *
 * Children report to kdoctor through a pipe of framed messages, each one
 * write(2) of at most PIPE_BUF bytes, so they never interleave:
 *   'E' text   a set-up error (the step did not run)
 *   'S' int    the wait status of the step's main process */
#ifndef KD_BUILD_SANDBOX_INT_H
#define KD_BUILD_SANDBOX_INT_H

#include "build/sandbox.h"
#include "build/user.h"

#include <stdarg.h>
#include <sys/types.h>

/* Sends 'E' with "WHAT: strerror(errnum)" (errnum may be 0). */
void sbx_report_err(int fd, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sbx_report_status(int fd, int status);

/* What the namespace child needs beyond the spec. */
typedef struct sbx_paths {
    const char *stub;  /* the stub lower dir (below every layer) */
    const char *root;  /* the empty dir the overlay is mounted on */
    const char *hosts; /* /etc/hosts to bind (host's, or generated) */
    const char *resolv; /* /etc/resolv.conf to bind, or NULL */
} sbx_paths;

/* The namespace child (A). Never returns. */
void sbx_run_ns(const kd_sandbox_spec *s, const sbx_paths *p, int report, pid_t parent)
    __attribute__((noreturn));
/* The chroot child (A), the step's subreaper. ctl is its end of a
 * socket kdoctor writes to or closes to cancel the step: the runner then
 * kills every process of the step before it exits. Never returns. */
void sbx_run_chroot(const kd_sandbox_spec *s, int report, int ctl, pid_t parent)
    __attribute__((noreturn));

/* Mounts the overlay of s (plus the stub lower) on target; in a child. */
int sbx_mount_overlay(const kd_overlay *ov, const char *stub, const char *target, bool legacy,
                      char *msg, size_t msglen);

/* Step process (C) part shared by both modes: ids, fds, env, exec. */
void sbx_exec_step(const kd_sandbox_spec *s, const kd_ids *ids, int report)
    __attribute__((noreturn));
/* mkdir -p; new components get mode and uid:gid ((uid_t)-1 keeps). */
int sbx_mkdirs(const char *path, mode_t mode, uid_t uid, gid_t gid);
/* In the new root: resolves USER (into *ids) and creates the working
 * directory, Docker's way; reports and _exits on failure. */
void sbx_enter_user(const kd_sandbox_spec *s, int rep, kd_ids *ids);
/* Sets PR_SET_PDEATHSIG(SIGKILL) and checks the parent is still parent. */
int sbx_die_with_parent(pid_t parent);

#endif
