/* Users and groups of an image: USER and --chown strings resolved against
 * the image's own /etc/passwd and /etc/group (never the host's, and never
 * through NSS, which could load libraries from the image).
 *
 * Owner: build-sandbox (helper C). Used by build/sandbox.c (RUN's USER) and
 * build/copy.c (--chown). */
#ifndef KD_BUILD_USER_H
#define KD_BUILD_USER_H

#include "util/error.h"

#include <stddef.h>
#include <sys/types.h>

typedef struct kd_ids {
    uid_t uid;
    gid_t gid;
    gid_t *groups;  /* supplementary groups, owned; NULL when ngroups == 0 */
    size_t ngroups;
    char *home;     /* owned; "/" when the user has no passwd entry */
} kd_ids;

/* Resolves a USER string ("name", "uid", "name:group", "uid:gid", "" for
 * root) as runc does for Docker: a name must exist in ROOT/etc/passwd, a
 * number need not (its gid is then 0); the primary gid comes from passwd
 * unless a group is given; supplementary groups are the /etc/group entries
 * listing the user, only when no group is given. rootfd is a directory fd
 * of the image's root; files are opened with RESOLVE_IN_ROOT, so symlinks
 * in them cannot leave it. Free *out with kd_ids_free. */
int kd_user_resolve(int rootfd, const char *spec, kd_ids *out, kd_error **err);

/* Resolves a COPY/ADD --chown string as BuildKit does: "user", "user:group",
 * numbers as is; names through ROOT's passwd/group (an unknown name is an
 * error); without a group, a user name brings its passwd gid and a uid
 * number is used as the gid too. */
int kd_chown_resolve(int rootfd, const char *spec, uid_t *uid, gid_t *gid, kd_error **err);

void kd_ids_free(kd_ids *ids);

#endif
