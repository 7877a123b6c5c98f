#include "kt.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

TEST(atomic_write_keeps_mode_and_checks_content)
{
    char dir[] = "/tmp/kdoctor-fs.XXXXXX";
    REQUIRE(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/Dockerfile", dir);
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs("FROM a\n", f);
    fclose(f);
    chmod(path, 0640);

    kd_error *err = NULL;
    CHECK(kd_replace_file(path, "FROM b\n", 7, "FROM a\n", 7, &err) == 0);
    char *data;
    size_t len;
    REQUIRE(kd_read_file(path, &data, &len, NULL) == 0);
    CHECK_STR(data, "FROM b\n");
    free(data);
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    CHECK_INT(st.st_mode & 07777, 0640);

    /* the file changed since it was read: nothing written */
    CHECK(kd_replace_file(path, "FROM c\n", 7, "FROM a\n", 7, &err) == -1);
    REQUIRE(err);
    CHECK(strstr(err->msg, "changed on disk since kdoctor read it") != NULL);
    kd_error_free(err);
    REQUIRE(kd_read_file(path, &data, &len, NULL) == 0);
    CHECK_STR(data, "FROM b\n");
    free(data);

    /* no temp file left behind */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", dir);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

TEST(atomic_write_of_a_missing_file_fails)
{
    kd_error *err = NULL;
    CHECK(kd_replace_file("/nonexistent/kdoctor/Dockerfile", "x", 1, NULL, 0, &err) == -1);
    REQUIRE(err);
    CHECK(strstr(err->msg, "cannot write /nonexistent/kdoctor/Dockerfile") != NULL);
    kd_error_free(err);
}
