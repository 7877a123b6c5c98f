#include "kt.h"
#include "report/efficiency.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static char root[] = "/tmp/kdoctor-eff.XXXXXX";

static void put(const char *layer, const char *path, size_t size)
{
    char full[512];
    snprintf(full, sizeof full, "%s/%s/%s", root, layer, path);
    for (char *p = full + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(full, 0755);
        *p = '/';
    }
    int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (size && ftruncate(fd, (off_t)size) != 0)
            kt_fail(__FILE__, __LINE__, "ftruncate %s", full);
        close(fd);
    }
}

static void whiteout(const char *layer, const char *path)
{
    char full[512];
    snprintf(full, sizeof full, "%s/%s/%s", root, layer, path);
    if (mknod(full, S_IFCHR | 0000, makedev(0, 0)) != 0)
        kt_fail(__FILE__, __LINE__, "mknod %s (needs root)", full);
}

static void opaque(const char *layer, const char *path)
{
    char full[512];
    snprintf(full, sizeof full, "%s/%s/%s", root, layer, path);
    mkdir(full, 0755);
    if (setxattr(full, "trusted.overlay.opaque", "y", 1, 0) != 0)
        kt_fail(__FILE__, __LINE__, "setxattr %s (needs root)", full);
}

TEST(replays_layers_and_counts_waste)
{
    REQUIRE(mkdtemp(root) != NULL);
    put("l0", "a", 100);
    put("l0", "dir/x", 50);
    put("l0", "var/lib/apt/lists/p", 1000);
    put("l0", "big", 5000);
    put("l1", "big", 6000);
    put("l1", "var/lib/apt/lists/q", 200);
    whiteout("l1", "a");
    opaque("l1", "dir");
    put("l1", "dir/y", 10);

    char l0[600], l1[600];
    snprintf(l0, sizeof l0, "%s/l0", root);
    snprintf(l1, sizeof l1, "%s/l1", root);
    const char *dirs[] = {l0, l1};
    kd_efficiency e;
    kd_error *err = NULL;
    REQUIRE(kd_efficiency_analyze(dirs, 2, 3, &e, &err) == 0);
    CHECK_INT(e.layers[0].bytes, 6150);
    CHECK_INT(e.layers[0].hidden_bytes, 5150);
    CHECK_INT(e.layers[0].added, 9);
    CHECK_INT(e.layers[0].cache_bytes, 1000);
    CHECK_INT(e.layers[1].bytes, 6210);
    CHECK_INT(e.layers[1].hidden_bytes, 0);
    CHECK_INT(e.layers[1].removed, 2);
    CHECK_INT(e.layers[1].changed, 1);
    CHECK_INT(e.layers[1].added, 2);
    CHECK_INT(e.layers[1].cache_bytes, 200);
    CHECK_INT(e.stored_bytes, 12360);
    CHECK_INT(e.final_bytes, 7210);
    CHECK_INT(e.wasted_bytes, 5150);
    CHECK(e.score > 0.583 && e.score < 0.584);
    REQUIRE(e.nlargest == 3);
    CHECK_STR(e.largest[0].path, "/big");
    CHECK_INT(e.largest[0].layer, 1);
    CHECK_STR(e.largest[1].path, "/var/lib/apt/lists/p");
    CHECK_STR(e.largest[2].path, "/var/lib/apt/lists/q");
    REQUIRE(e.ncaches == 1);
    CHECK_STR(e.caches[0].folder, "/var/lib/apt/lists");
    CHECK_INT(e.caches[0].bytes, 1200);
    CHECK_INT(e.caches[0].files, 2);
    CHECK_INT(e.cache_bytes, 1200);
    kd_efficiency_free(&e);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0);
}

TEST(cache_folder_names)
{
    CHECK_STR(kd_cache_folder("/var/lib/apt/lists/partial/x"), "/var/lib/apt/lists");
    CHECK_STR(kd_cache_folder("/home/node/.npm/_cacache/a"), "/home/*/.npm");
    CHECK_STR(kd_cache_folder("/root/.cache"), "/root/.cache");
    CHECK(kd_cache_folder("/var/lib/apt/extended_states") == NULL);
    CHECK(kd_cache_folder("/home/.npm") == NULL);
}

TEST(empty_and_missing_layers)
{
    kd_efficiency e;
    CHECK(kd_efficiency_analyze(NULL, 0, 5, &e, NULL) == 0);
    CHECK(e.score == 1.0);
    kd_efficiency_free(&e);
    const char *dirs[] = {"/nonexistent/kdoctor"};
    kd_error *err = NULL;
    CHECK(kd_efficiency_analyze(dirs, 1, 5, &e, &err) == -1);
    REQUIRE(err);
    CHECK(strstr(err->msg, "cannot open layer /nonexistent/kdoctor") != NULL);
    kd_error_free(err);
}
