#include "kt.h"
#include "build/ref.h"

#include <stdlib.h>

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIG "sha256:" HEX

/* Parses in and checks the full string, familiar string and fields. */
static void ok_case(const char *in, const char *full, const char *familiar, const char *domain,
                    const char *path)
{
    kd_ref r;
    kd_error *e = NULL;
    if (kd_ref_parse(in, &r, &e) < 0) {
        kt_fail(__FILE__, __LINE__, "%s: %s", in, e->msg);
        kd_error_free(e);
        return;
    }
    char *s = kd_ref_string(&r), *f = kd_ref_familiar(&r);
    if (strcmp(s, full) != 0)
        kt_fail(__FILE__, __LINE__, "%s: string %s, expected %s", in, s, full);
    if (strcmp(f, familiar) != 0)
        kt_fail(__FILE__, __LINE__, "%s: familiar %s, expected %s", in, f, familiar);
    if (strcmp(r.domain, domain) != 0 || strcmp(r.path, path) != 0)
        kt_fail(__FILE__, __LINE__, "%s: domain %s path %s", in, r.domain, r.path);
    free(s);
    free(f);
    kd_ref_free(&r);
}

/* in must fail with a message containing want. */
static void bad_case(const char *in, const char *want)
{
    kd_ref r;
    kd_error *e = NULL;
    if (kd_ref_parse(in, &r, &e) == 0) {
        kt_fail(__FILE__, __LINE__, "%s parsed", in);
        kd_ref_free(&r);
        return;
    }
    if (e == NULL || strstr(e->msg, want) == NULL)
        kt_fail(__FILE__, __LINE__, "%s: message \"%s\" lacks \"%s\"", in, e ? e->msg : "", want);
    kd_error_free(e);
}

TEST(ref_docker_hub_names)
{
    ok_case("node:12", "docker.io/library/node:12", "node:12", "docker.io", "library/node");
    ok_case("node", "docker.io/library/node:latest", "node:latest", "docker.io", "library/node");
    ok_case("user/img", "docker.io/user/img:latest", "user/img:latest", "docker.io", "user/img");
    ok_case("user/img/sub:v1", "docker.io/user/img/sub:v1", "user/img/sub:v1", "docker.io",
            "user/img/sub");
    ok_case("docker.io/library/node:12", "docker.io/library/node:12", "node:12", "docker.io",
            "library/node");
    ok_case("docker.io/node", "docker.io/library/node:latest", "node:latest", "docker.io",
            "library/node");
    ok_case("index.docker.io/node:1", "docker.io/library/node:1", "node:1", "docker.io",
            "library/node");
    ok_case("library/node", "docker.io/library/node:latest", "node:latest", "docker.io",
            "library/node");
    ok_case("a-b__c/d_e---f.g", "docker.io/a-b__c/d_e---f.g:latest", "a-b__c/d_e---f.g:latest",
            "docker.io", "a-b__c/d_e---f.g");
}

TEST(ref_other_registries)
{
    ok_case("ghcr.io/a/b:tag", "ghcr.io/a/b:tag", "ghcr.io/a/b:tag", "ghcr.io", "a/b");
    ok_case("localhost:5000/x", "localhost:5000/x:latest", "localhost:5000/x:latest",
            "localhost:5000", "x");
    ok_case("localhost/x", "localhost/x:latest", "localhost/x:latest", "localhost", "x");
    ok_case("127.0.0.1:5000/a/b:1.0", "127.0.0.1:5000/a/b:1.0", "127.0.0.1:5000/a/b:1.0",
            "127.0.0.1:5000", "a/b");
    ok_case("[::1]:5000/x:y", "[::1]:5000/x:y", "[::1]:5000/x:y", "[::1]:5000", "x");
    ok_case("Example.COM/x", "Example.COM/x:latest", "Example.COM/x:latest", "Example.COM", "x");
    ok_case("Foo/bar", "Foo/bar:latest", "Foo/bar:latest", "Foo", "bar");
    ok_case("my-host.example:443/team/app:v1.2_3-rc", "my-host.example:443/team/app:v1.2_3-rc",
            "my-host.example:443/team/app:v1.2_3-rc", "my-host.example:443", "team/app");
}

TEST(ref_digests)
{
    ok_case("host.example/x@" DIG, "host.example/x@" DIG, "host.example/x@" DIG, "host.example",
            "x");
    ok_case("busybox@" DIG, "docker.io/library/busybox@" DIG, "busybox@" DIG, "docker.io",
            "library/busybox");
    ok_case("busybox:1.36@" DIG, "docker.io/library/busybox:1.36@" DIG, "busybox:1.36@" DIG,
            "docker.io", "library/busybox");
    kd_ref r;
    REQUIRE(kd_ref_parse("busybox:1.36@" DIG, &r, NULL) == 0);
    CHECK_STR(kd_ref_reference(&r), DIG);
    CHECK_STR(r.tag, "1.36");
    kd_ref_free(&r);
    REQUIRE(kd_ref_parse("ghcr.io/x@" DIG, &r, NULL) == 0);
    CHECK(r.tag == NULL);
    kd_ref_free(&r);
    REQUIRE(kd_ref_parse("ghcr.io/x", &r, NULL) == 0);
    CHECK_STR(kd_ref_reference(&r), "latest");
    kd_ref_free(&r);
}

TEST(ref_scratch)
{
    kd_ref r;
    REQUIRE(kd_ref_parse("scratch", &r, NULL) == 0);
    CHECK(r.scratch);
    CHECK(r.domain == NULL && r.path == NULL && r.tag == NULL);
    CHECK(kd_ref_reference(&r) == NULL);
    char *s = kd_ref_string(&r);
    CHECK_STR(s, "scratch");
    free(s);
    kd_ref_free(&r);
    /* only the exact word is the empty image */
    REQUIRE(kd_ref_parse("scratch:1", &r, NULL) == 0);
    CHECK(!r.scratch);
    kd_ref_free(&r);
}

TEST(ref_errors)
{
    bad_case("", "empty image name");
    bad_case("Node:12", "repository name (library/Node) must be lowercase");
    bad_case("user/Img", "must be lowercase");
    bad_case("ghcr.io/A/b", "must be lowercase");
    bad_case(HEX, "cannot specify 64-byte hexadecimal strings");
    bad_case("a//b", "component \"\"");
    bad_case("a/b/", "component \"\"");
    bad_case("-a/b", "component \"-a\"");
    bad_case("a_/b", "component \"a_\"");
    bad_case("a___b", "component \"a___b\"");
    bad_case("a..b", "component \"a..b\"");
    bad_case("a.-b", "component \"a.-b\"");
    bad_case("node:", "tag \"\"");
    bad_case("node:.x", "tag \".x\"");
    bad_case("node:-x", "tag \"-x\"");
    bad_case("node:a b", "tag \"a b\"");
    bad_case("node:1:2", "component \"node:1\"");
    bad_case("node@sha256:abc", "bad digest");
    bad_case("node@" "sha512:" HEX HEX, "unsupported digest algorithm");
    bad_case("node@sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
             "64 lowercase hex");
    bad_case("node@sha256:" HEX "00", "64 lowercase hex");
    bad_case("ex_ample.com/x", "bad registry host \"ex_ample.com\"");
    bad_case("-example.com/x", "bad registry host");
    bad_case("example.com:port/x", "bad registry host");
    bad_case("[zz]:5000/x", "bad registry host");
    bad_case("a b", "component \"a b\"");
    bad_case("[::1]:5000", "component");
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    bad_case(longname, "more than 255 characters");
    char tag[200] = "node:";
    memset(tag + 5, 'a', 129);
    tag[134] = '\0';
    bad_case(tag, "1 to 128 characters");
}

TEST(ref_name_only)
{
    kd_ref r;
    kd_error *e = NULL;
    REQUIRE(kd_ref_parse_name("busybox", &r, NULL) == 0);
    CHECK_STR(r.path, "library/busybox");
    CHECK(r.tag == NULL);
    char *n = kd_ref_name(&r);
    CHECK_STR(n, "docker.io/library/busybox");
    free(n);
    kd_ref_free(&r);
    CHECK(kd_ref_parse_name("busybox:1", &r, &e) < 0);
    CHECK(e && strstr(e->msg, "without a tag"));
    kd_error_free(e);
}

TEST(ref_docker_hub_aliases)
{
    CHECK(kd_ref_is_docker_hub("docker.io"));
    CHECK(kd_ref_is_docker_hub("index.docker.io"));
    CHECK(kd_ref_is_docker_hub("https://index.docker.io/v1/"));
    CHECK(kd_ref_is_docker_hub("registry-1.docker.io"));
    CHECK(kd_ref_is_docker_hub("https://registry-1.docker.io/v2/"));
    CHECK(!kd_ref_is_docker_hub("ghcr.io"));
    CHECK(!kd_ref_is_docker_hub("docker.io.evil.example"));
    CHECK(!kd_ref_is_docker_hub("https://index.docker.io/other"));
}

TEST(ref_copy)
{
    kd_ref a, b;
    REQUIRE(kd_ref_parse("ghcr.io/a/b:c@" DIG, &a, NULL) == 0);
    kd_ref_copy(&b, &a);
    kd_ref_free(&a);
    char *s = kd_ref_string(&b);
    CHECK_STR(s, "ghcr.io/a/b:c@" DIG);
    free(s);
    kd_ref_free(&b);
}

TEST(ref_familiar_keeps_meaning)
{
    /* a docker.io path whose first component has a dot must keep docker.io */
    ok_case("docker.io/a.b/c", "docker.io/a.b/c:latest", "docker.io/a.b/c:latest", "docker.io",
            "a.b/c");
}
