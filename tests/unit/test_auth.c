#include "kt.h"
#include "build/auth.h"
#include "build/store.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir(void)
{
    char *d = strdup("/tmp/kd-auth-test.XXXXXX");
    return mkdtemp(d);
}

static void write_file(const char *dir, const char *name, const char *text, int mode)
{
    char *path = kd_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
    free(path);
}

static char *read_config(const char *dir)
{
    char *path = kd_asprintf("%s/config.json", dir);
    char *data = NULL;
    size_t len;
    kd_read_file(path, &data, &len, NULL);
    free(path);
    return data;
}

/* Expects credentials user/pass for registry from the config in dir. */
static void expect_cred(const char *dir, const char *registry, const char *user,
                        const char *pass, int line)
{
    kd_cred c;
    kd_error *e = NULL;
    int rc = kd_auth_get(dir, registry, &c, &e);
    if (rc != 0) {
        kt_fail(__FILE__, line, "%s: rc %d %s", registry, rc, e ? e->msg : "");
        kd_error_free(e);
        return;
    }
    if (!c.username || strcmp(c.username, user) || !c.password || strcmp(c.password, pass))
        kt_fail(__FILE__, line, "%s: got %s", registry, c.username ? c.username : "(null)");
    kd_cred_free(&c);
}

TEST(auth_reads_auths)
{
    char *dir = tmpdir();
    /* dXNlcjpwYTpzcw== is user:pa:ss */
    write_file(dir, "config.json",
               "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
               "\"https://ghcr.io\":{\"username\":\"gh\",\"password\":\"tok\"},"
               "\"localhost:5000\":{\"auth\":\"YTpi\"},"
               "\"quay.io\":{\"identitytoken\":\"refresh\"},"
               "\"bad.example\":{\"auth\":\"!!!\"}}}",
               0600);
    expect_cred(dir, "docker.io", "user", "pa:ss", __LINE__);
    expect_cred(dir, "index.docker.io", "user", "pa:ss", __LINE__);
    expect_cred(dir, "ghcr.io", "gh", "tok", __LINE__);
    expect_cred(dir, "localhost:5000", "a", "b", __LINE__);
    kd_cred c;
    kd_error *e = NULL;
    REQUIRE(kd_auth_get(dir, "quay.io", &c, &e) == 0);
    CHECK_STR(c.identity_token, "refresh");
    CHECK(c.username == NULL);
    kd_cred_free(&c);
    CHECK_INT(kd_auth_get(dir, "localhost:5001", &c, &e), 1);
    CHECK(e == NULL);
    CHECK_INT(kd_auth_get(dir, "bad.example", &c, &e), -1);
    REQUIRE(e != NULL);
    CHECK(strstr(e->msg, "bad.example") && !strstr(e->msg, "!!!"));
    kd_error_free(e);
    e = NULL;
    /* a broken config is an error that does not quote it */
    write_file(dir, "config.json", "{\"auths\":{\"x\":{\"auth\":\"c2VjcmV0\"}", 0600);
    CHECK_INT(kd_auth_get(dir, "x", &c, &e), -1);
    CHECK(e && strstr(e->msg, "not valid JSON") && !strstr(e->msg, "c2VjcmV0"));
    kd_error_free(e);
    /* no config at all: no credentials */
    char *empty = tmpdir();
    CHECK_INT(kd_auth_get(empty, "docker.io", &c, NULL), 1);
    rmdir(empty);
    free(empty);
    kd_remove_tree(dir, NULL);
    free(dir);
}

TEST(auth_docker_hub_aliases)
{
    static const char *const keys[] = {"index.docker.io", "docker.io", "registry-1.docker.io",
                                       "https://index.docker.io/v1/", "https://docker.io"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char *dir = tmpdir();
        char *cfg = kd_asprintf("{\"auths\":{\"%s\":{\"auth\":\"YTpi\"}}}", keys[i]);
        write_file(dir, "config.json", cfg, 0600);
        free(cfg);
        expect_cred(dir, "docker.io", "a", "b", __LINE__);
        kd_remove_tree(dir, NULL);
        free(dir);
    }
    char *k = kd_auth_key("docker.io");
    CHECK_STR(k, "https://index.docker.io/v1/");
    free(k);
    k = kd_auth_key("localhost:5000");
    CHECK_STR(k, "localhost:5000");
    free(k);
}

TEST(auth_store_and_erase)
{
    char *top = tmpdir();
    char *dir = kd_asprintf("%s/sub/.docker", top);
    write_file(top, "unused", "", 0600);
    kd_cred c = {.username = "me", .password = "s3cret"};
    kd_error *e = NULL;
    REQUIRE(kd_auth_store(dir, "localhost:5000", &c, &e) == 0);
    REQUIRE(kd_auth_store(dir, "docker.io", &c, &e) == 0);
    expect_cred(dir, "localhost:5000", "me", "s3cret", __LINE__);
    expect_cred(dir, "docker.io", "me", "s3cret", __LINE__);
    char *path = kd_asprintf("%s/config.json", dir);
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    char *text = read_config(dir);
    CHECK(text && strstr(text, "\"https://index.docker.io/v1/\""));
    CHECK(text && strstr(text, "bWU6czNjcmV0")); /* base64 of me:s3cret */
    free(text);
    /* other keys survive a rewrite */
    write_file(dir, "config.json",
               "{\"auths\":{\"a.example\":{\"auth\":\"YTpi\"}},\"psFormat\":\"table\","
               "\"proxies\":{\"default\":{\"httpProxy\":\"x\"}}}",
               0644);
    REQUIRE(kd_auth_store(dir, "localhost:5000", &c, &e) == 0);
    text = read_config(dir);
    CHECK(text && strstr(text, "psFormat") && strstr(text, "httpProxy") && strstr(text, "a.example"));
    free(text);
    REQUIRE(stat(path, &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    CHECK_INT(kd_auth_erase(dir, "localhost:5000", &e), 0);
    CHECK_INT(kd_auth_erase(dir, "localhost:5000", &e), 1);
    kd_cred got;
    CHECK_INT(kd_auth_get(dir, "localhost:5000", &got, &e), 1);
    expect_cred(dir, "a.example", "a", "b", __LINE__);
    free(path);
    free(dir);
    kd_remove_tree(top, NULL);
    free(top);
}

/* A fake docker-credential-fake on PATH that keeps one secret in a file. */
static char *install_helper(const char *dir)
{
    char *bin = kd_asprintf("%s/bin", dir);
    mkdir(bin, 0755);
    write_file(bin, "docker-credential-fake",
               "#!/bin/sh\n"
               "d=$(dirname \"$0\")\n"
               "case \"$1\" in\n"
               "get) read -r server\n"
               "     echo \"$server\" >>\"$d/asked\"\n"
               "     if [ -f \"$d/secret\" ]; then cat \"$d/secret\"; else\n"
               "         echo 'credentials not found in native keychain'; exit 1; fi ;;\n"
               "store) cat >\"$d/secret\" ;;\n"
               "erase) rm -f \"$d/secret\" ;;\n"
               "esac\n",
               0755);
    write_file(bin, "docker-credential-broken",
               "#!/bin/sh\necho 'error getting credentials - err: exit status 1'; exit 1\n", 0755);
    const char *old = getenv("PATH");
    char *saved = strdup(old ? old : "/usr/bin:/bin");
    char *path = kd_asprintf("%s:%s", bin, saved);
    setenv("PATH", path, 1);
    free(path);
    free(bin);
    return saved;
}

TEST(auth_credential_helpers)
{
    char *dir = tmpdir();
    char *saved_path = install_helper(dir);
    write_file(dir, "config.json",
               "{\"credsStore\":\"fake\",\"credHelpers\":{\"broken.example\":\"broken\"},"
               "\"auths\":{\"fallback.example\":{\"auth\":\"YTpi\"}}}",
               0600);
    kd_cred c;
    kd_error *e = NULL;
    /* the helper has nothing: auths is the fallback */
    CHECK_INT(kd_auth_get(dir, "ghcr.io", &c, &e), 1);
    expect_cred(dir, "fallback.example", "a", "b", __LINE__);
    kd_cred put = {.username = "hu", .password = "hp"};
    REQUIRE(kd_auth_store(dir, "docker.io", &put, &e) == 0);
    expect_cred(dir, "docker.io", "hu", "hp", __LINE__);
    char *text = read_config(dir);
    /* the secret went to the helper, not into config.json */
    CHECK(text && !strstr(text, "aHU6aHA=") && strstr(text, "https://index.docker.io/v1/"));
    free(text);
    char *asked = kd_asprintf("%s/bin/asked", dir);
    char *data = NULL;
    size_t len;
    REQUIRE(kd_read_file(asked, &data, &len, NULL) == 0);
    CHECK(strstr(data, "https://index.docker.io/v1/") != NULL);
    free(data);
    free(asked);
    /* tokens: Username <token> */
    kd_cred tok = {.identity_token = "idtok"};
    REQUIRE(kd_auth_store(dir, "ghcr.io", &tok, &e) == 0);
    REQUIRE(kd_auth_get(dir, "ghcr.io", &c, &e) == 0);
    CHECK_STR(c.identity_token, "idtok");
    kd_cred_free(&c);
    /* a failing helper is an error naming it, not the secret */
    CHECK_INT(kd_auth_get(dir, "broken.example", &c, &e), -1);
    CHECK(e && strstr(e->msg, "docker-credential-broken") && strstr(e->msg, "broken.example"));
    kd_error_free(e);
    e = NULL;
    write_file(dir, "config.json", "{\"credsStore\":\"missing-helper\"}", 0600);
    CHECK_INT(kd_auth_get(dir, "docker.io", &c, &e), -1);
    CHECK(e && strstr(e->msg, "docker-credential-missing-helper"));
    kd_error_free(e);
    setenv("PATH", saved_path, 1);
    free(saved_path);
    kd_remove_tree(dir, NULL);
    free(dir);
}
