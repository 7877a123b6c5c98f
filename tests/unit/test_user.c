/* USER and --chown resolution against an image's own passwd/group. */
#include "kt.h"
#include "kt_util.h"
#include "build/user.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int make_root(char *dir)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s/etc && printf 'root:x:0:0:root:/root:/bin/sh\\n# c\\n"
             "bob:x:1000:1001:Bob:/home/bob:/bin/sh\\nsvc:x:77:77::/:/bin/false\\n' > %s/etc/passwd"
             " && printf 'root:x:0:\\nbobs:x:1001:\\nstaff:x:50:alice,bob\\nwheel:x:10:bob\\n'"
             " > %s/etc/group",
             dir, dir, dir);
    return system(cmd) == 0 ? open(dir, O_PATH | O_DIRECTORY) : -1;
}

TEST(user_resolve_like_runc)
{
    char dir[] = "/tmp/kd-user-XXXXXX";
    int root = make_root(dir);
    REQUIRE(root >= 0);
    kd_ids ids;
    kd_error *err = NULL;
    REQUIRE(kd_user_resolve(root, "bob", &ids, &err) == 0);
    CHECK_INT(ids.uid, 1000);
    CHECK_INT(ids.gid, 1001);
    CHECK_STR(ids.home, "/home/bob");
    REQUIRE(ids.ngroups == 2);
    CHECK_INT(ids.groups[0], 50);
    CHECK_INT(ids.groups[1], 10);
    kd_ids_free(&ids);

    REQUIRE(kd_user_resolve(root, "1000:staff", &ids, &err) == 0);
    CHECK(ids.uid == 1000 && ids.gid == 50 && ids.ngroups == 0);
    kd_ids_free(&ids);
    REQUIRE(kd_user_resolve(root, "", &ids, &err) == 0);
    CHECK(ids.uid == 0 && ids.gid == 0);
    CHECK_STR(ids.home, "/root");
    kd_ids_free(&ids);
    REQUIRE(kd_user_resolve(root, "5000:5001", &ids, &err) == 0);
    CHECK(ids.uid == 5000 && ids.gid == 5001);
    CHECK_STR(ids.home, "/");
    kd_ids_free(&ids);
    CHECK(kd_user_resolve(root, "nobody", &ids, &err) < 0);
    CHECK(err && strstr(err->msg, "unable to find user nobody"));
    kd_error_free(err);
    err = NULL;
    CHECK(kd_user_resolve(root, "bob:nogroup", &ids, &err) < 0);
    CHECK(err && strstr(err->msg, "unable to find group nogroup"));
    kd_error_free(err);
    close(root);
    CHECK(kt_sh("rm -rf %s", dir) == 0);
}

TEST(chown_resolve_like_buildkit)
{
    char dir[] = "/tmp/kd-user-XXXXXX";
    int root = make_root(dir);
    REQUIRE(root >= 0);
    uid_t u;
    gid_t g;
    kd_error *err = NULL;
    CHECK(kd_chown_resolve(root, "bob", &u, &g, &err) == 0 && u == 1000 && g == 1001);
    CHECK(kd_chown_resolve(root, "bob:staff", &u, &g, &err) == 0 && u == 1000 && g == 50);
    CHECK(kd_chown_resolve(root, "55", &u, &g, &err) == 0 && u == 55 && g == 55);
    CHECK(kd_chown_resolve(root, "55:66", &u, &g, &err) == 0 && u == 55 && g == 66);
    CHECK(kd_chown_resolve(root, "ghost", &u, &g, &err) < 0);
    kd_error_free(err);
    close(root);
    /* an image without /etc/passwd: numbers still work, names do not */
    char empty[] = "/tmp/kd-user-XXXXXX";
    REQUIRE(mkdtemp(empty) != NULL);
    root = open(empty, O_PATH | O_DIRECTORY);
    err = NULL;
    CHECK(kd_chown_resolve(root, "1:2", &u, &g, &err) == 0 && u == 1 && g == 2);
    CHECK(kd_chown_resolve(root, "bob", &u, &g, &err) < 0);
    kd_error_free(err);
    close(root);
    rmdir(empty);
    CHECK(kt_sh("rm -rf %s", dir) == 0);
}
