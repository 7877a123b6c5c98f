/* build/snapshot.h: the chroot fallback's metadata snapshot and diff, and
 * applying layer dirs to a tree. */
#include "build/snapshot.h"
#include "kt.h"
#include "kt_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A listing of a change dir: "TYPE MODE UID PATH[ -> TARGET]" per entry,
 * whiteouts as "c 0:0". */
static char *listing(const char *dir)
{
    return kt_sh_output("cd %s && find . -mindepth 1 | sort | while read -r p; do "
                        "t=$(stat -c %%F \"$p\"); case $t in directory) t=d;; "
                        "'regular file'|'regular empty file') t=f;; 'symbolic link') t=l;; "
                        "'character special file') t=\"c $(stat -c %%t:%%T \"$p\")\";; esac; "
                        "echo \"$t $(stat -c '%%a %%u' \"$p\") ${p#./}\"; done",
                        dir);
}

TEST(snapshot_diff_finds_every_kind_of_change)
{
    char top[] = "/tmp/kdoctor-snap.XXXXXX";
    REQUIRE(mkdtemp(top));
    REQUIRE(kt_sh("cd %s && mkdir -p root/keep root/gone root/redo root/dev changes && "
                  "echo k > root/keep/same && echo m > root/keep/mod && echo x > root/gone/f && "
                  "echo o > root/redo/old && echo c > root/chmod && echo l > root/linked && "
                  "echo d > root/todir",
                  top) == 0);
    char root[64], changes[64];
    snprintf(root, sizeof root, "%s/root", top);
    snprintf(changes, sizeof changes, "%s/changes", top);
    static const char *const skip[] = {"dev"};
    kd_snap *s = NULL;
    kd_error *err = NULL;
    REQUIRE(kd_snap_take(root, skip, 1, &s, &err) == 0);
    /* same size, same second: only the ctime and mtime's nanoseconds tell */
    REQUIRE(kt_sh("cd %s/root && echo M > keep/mod && rm -r gone && rm -r redo && mkdir redo && "
                  "echo n > redo/new && chmod 600 chmod && ln linked keep/link2 && "
                  "rm todir && mkdir todir && ln -s /etc/passwd sym && echo z > dev/null2",
                  top) == 0);
    size_t n = 0;
    REQUIRE(kd_snap_diff(s, root, changes, &n, &err) == 0);
    char *got = listing(changes);
    CHECK_STR(got, "f 600 0 chmod\n"
                   "c 0:0 0 0 gone\n"
                   "d 755 0 keep\n"
                   "f 644 0 keep/link2\n"
                   "f 644 0 keep/mod\n"
                   "f 644 0 linked\n"
                   "d 755 0 redo\n"
                   "f 644 0 redo/new\n"
                   "c 0:0 0 0 redo/old\n"
                   "l 777 0 sym\n"
                   "d 755 0 todir\n");
    CHECK_INT(n, 11);
    /* the two links of one inode stay one inode */
    CHECK(kt_sh("test $(stat -c %%i %s/keep/link2) = $(stat -c %%i %s/linked)", changes,
                changes) == 0);
    free(got);
    kd_snap_free(s);
    kt_sh("rm -rf %s", top);
}

TEST(tree_apply_follows_whiteouts_and_opaque_dirs)
{
    char top[] = "/tmp/kdoctor-apply.XXXXXX";
    REQUIRE(mkdtemp(top));
    REQUIRE(kt_sh("cd %s && mkdir -p tree/a tree/o layer/a layer/o && echo 1 > tree/a/gone && "
                  "echo 2 > tree/a/kept && echo 3 > tree/o/hidden && ln -s /etc tree/esc && "
                  "mknod layer/a/gone c 0 0 && setfattr -n trusted.overlay.opaque -v y layer/o && "
                  "echo 4 > layer/o/new && mkdir layer/esc && echo 5 > layer/esc/in",
                  top) == 0);
    char tree[64], layer[64];
    snprintf(tree, sizeof tree, "%s/tree", top);
    snprintf(layer, sizeof layer, "%s/layer", top);
    kd_error *err = NULL;
    REQUIRE(kd_tree_apply(layer, tree, &err) == 0);
    char *got = kt_sh_output("cd %s && find . -mindepth 1 | sort", tree);
    /* the symlink esc is replaced by the layer's dir, never followed */
    CHECK_STR(got, "./a\n./a/kept\n./esc\n./esc/in\n./o\n./o/new\n");
    CHECK(kt_sh("test ! -e /etc/in") == 0);
    free(got);
    kt_sh("rm -rf %s", top);
}
