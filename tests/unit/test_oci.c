#include "kt.h"
#include "build/oci.h"

#include <stdlib.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define D4 "sha256:4444444444444444444444444444444444444444444444444444444444444444"

static const char docker_manifest[] =
    "{\n  \"schemaVersion\": 2,\n"
    "  \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
    "  \"config\": {\"mediaType\": \"application/vnd.docker.container.image.v1+json\","
    " \"size\": 1457, \"digest\": \"" D1 "\"},\n"
    "  \"layers\": [{\"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\","
    " \"size\": 2591575, \"digest\": \"" D2 "\"},"
    "{\"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\","
    " \"size\": 12345678901, \"digest\": \"" D3 "\", \"urls\": [\"https://x.example/l\"]}]\n}\n";

static const char oci_index[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
    "\"manifests\":["
    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D1 "\","
    "\"size\":100,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v6\"}},"
    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D2 "\","
    "\"size\":100,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D3 "\","
    "\"size\":100,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D4 "\","
    "\"size\":100,\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"},"
    "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}";

static const char config[] =
    "{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"\",\"Env\":[\"PATH=/usr/bin:/bin\","
    "\"A=b c\"],\"Cmd\":[\"sh\"],\"Entrypoint\":null,\"WorkingDir\":\"/app\",\"User\":\"1000:1000\","
    "\"Labels\":{\"z\":\"last\",\"a\":\"first\"},\"ExposedPorts\":{\"8080/tcp\":{},\"53/udp\":{}},"
    "\"Volumes\":{\"/data\":{}},\"StopSignal\":\"SIGTERM\",\"Shell\":[\"/bin/bash\",\"-c\"],"
    "\"OnBuild\":[\"RUN echo hi\"],\"ArgsEscaped\":true,\"Healthcheck\":{\"Test\":[\"CMD-SHELL\","
    "\"curl -f http://localhost/\"],\"Interval\":30000000000,\"Timeout\":5000000000,"
    "\"StartPeriod\":1000000000,\"Retries\":3}},\"created\":\"2023-07-18T23:19:33.655005962Z\","
    "\"history\":[{\"created\":\"2023-07-18T23:19:33Z\",\"created_by\":\"/bin/sh -c #(nop) ADD "
    "file:abc in / \"},{\"created\":\"2023-07-18T23:19:33Z\",\"created_by\":\"/bin/sh -c #(nop)  "
    "CMD [\\\"sh\\\"]\",\"empty_layer\":true}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
    "\"diff_ids\":[\"" D1 "\"]},\"container_config\":{\"Cmd\":[\"x\"]},\"docker_version\":\"20\"}";

TEST(oci_docker_manifest)
{
    kd_manifest m;
    kd_error *e = NULL;
    REQUIRE(kd_manifest_parse(docker_manifest, strlen(docker_manifest), NULL, &m, &e) == 0);
    CHECK_STR(m.media_type, KD_MT_DOCKER_MANIFEST);
    CHECK_STR(m.config.digest, D1);
    CHECK_INT(m.config.size, 1457);
    REQUIRE(m.nlayers == 2);
    CHECK_INT(m.layers[1].size, 12345678901LL);
    CHECK(m.layers[1].urls.n == 1);
    CHECK(kd_media_type_is_layer(m.layers[0].media_type));
    size_t len;
    char *json = kd_manifest_to_json(&m, &len);
    CHECK_STR(json,
              "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest."
              "v2+json\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+"
              "json\",\"digest\":\"" D1 "\",\"size\":1457},\"layers\":[{\"mediaType\":\"application/"
              "vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"" D2 "\",\"size\":2591575},{"
              "\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":"
              "\"" D3 "\",\"size\":12345678901,\"urls\":[\"https://x.example/l\"]}]}");
    CHECK_INT(len, strlen(json));
    /* parse of our own output gives the same bytes again */
    kd_manifest m2;
    REQUIRE(kd_manifest_parse(json, len, NULL, &m2, NULL) == 0);
    char *json2 = kd_manifest_to_json(&m2, NULL);
    CHECK_STR(json2, json);
    free(json);
    free(json2);
    kd_manifest_free(&m);
    kd_manifest_free(&m2);
    CHECK(kd_doc_kind_of(NULL, docker_manifest, strlen(docker_manifest)) == KD_DOC_MANIFEST);
    CHECK(kd_doc_kind_of(NULL, oci_index, strlen(oci_index)) == KD_DOC_INDEX);
    CHECK(kd_doc_kind_of(KD_MT_DOCKER_LIST, "", 0) == KD_DOC_INDEX);
}

/* text must fail to parse as a manifest with a message containing want */
static void bad_manifest(const char *text, const char *ct, const char *want)
{
    kd_manifest m;
    kd_error *e = NULL;
    if (kd_manifest_parse(text, strlen(text), ct, &m, &e) == 0) {
        kt_fail(__FILE__, __LINE__, "parsed: %s", text);
        kd_manifest_free(&m);
        return;
    }
    if (strstr(e->msg, want) == NULL)
        kt_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", e->msg, want);
    kd_error_free(e);
}

TEST(oci_manifest_errors)
{
    bad_manifest("", NULL, "not valid JSON");
    bad_manifest("[1]", NULL, "not a JSON object");
    bad_manifest("{\"schemaVersion\":2} x", NULL, "trailing data");
    bad_manifest("{\"schemaVersion\":1,\"name\":\"x\"}", NULL, "schema 1 is deprecated");
    bad_manifest("{\"schemaVersion\":\"2\"}", NULL, "\"schemaVersion\" must be a number");
    bad_manifest(oci_index, NULL, "is not an image manifest");
    bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" D1
                 "\",\"size\":1},\"layers\":{}}",
                 NULL, "\"layers\" must be an array");
    bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:../x\","
                 "\"size\":1},\"layers\":[]}",
                 NULL, "is not a sha256 digest");
    bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" D1
                 "\",\"size\":-1},\"layers\":[]}",
                 NULL, "must be an integer");
    bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" D1
                 "\",\"size\":1.5},\"layers\":[]}",
                 NULL, "must be an integer");
    bad_manifest("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]}",
                 NULL, "lacks a mediaType");
    bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" D1
                 "\",\"size\":1},\"layers\":[{\"mediaType\":\"a\",\"digest\":\"" D1 "\","
                 "\"size\":1,\"platform\":{\"os\":\"linux\"}}]}",
                 NULL, "needs \"os\" and \"architecture\"");
    /* a manifest without mediaType is recognised by its shape */
    kd_manifest m;
    const char *plain = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" D1
                        "\",\"size\":1},\"layers\":[]}";
    REQUIRE(kd_manifest_parse(plain, strlen(plain), NULL, &m, NULL) == 0);
    CHECK_STR(m.media_type, KD_MT_OCI_MANIFEST);
    kd_manifest_free(&m);
    REQUIRE(kd_manifest_parse(plain, strlen(plain), KD_MT_DOCKER_MANIFEST, &m, NULL) == 0);
    CHECK_STR(m.media_type, KD_MT_DOCKER_MANIFEST);
    kd_manifest_free(&m);
    /* size limit */
    size_t big = KD_MANIFEST_MAX + 1;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[big] = '\0';
    huge[0] = '{';
    huge[big - 1] = '}';
    bad_manifest(huge, NULL, "more than the");
    free(huge);
}

TEST(oci_index_platform_selection)
{
    kd_index ix;
    REQUIRE(kd_index_parse(oci_index, strlen(oci_index), NULL, &ix, NULL) == 0);
    REQUIRE(ix.nmanifests == 4);
    kd_platform want;
    REQUIRE(kd_platform_parse("linux/amd64", &want, NULL) == 0);
    CHECK_INT(kd_index_select(&ix, &want, NULL), 1);
    kd_platform_free(&want);
    REQUIRE(kd_platform_parse("linux/aarch64", &want, NULL) == 0);
    CHECK_STR(want.architecture, "arm64");
    CHECK_INT(kd_index_select(&ix, &want, NULL), 2);
    kd_platform_free(&want);
    REQUIRE(kd_platform_parse("linux/arm64/v8", &want, NULL) == 0);
    CHECK_INT(kd_index_select(&ix, &want, NULL), 2);
    kd_platform_free(&want);
    REQUIRE(kd_platform_parse("linux/arm/v6", &want, NULL) == 0);
    CHECK_INT(kd_index_select(&ix, &want, NULL), 0);
    kd_platform_free(&want);
    kd_error *e = NULL;
    REQUIRE(kd_platform_parse("linux/arm/v7", &want, NULL) == 0);
    CHECK_INT(kd_index_select(&ix, &want, &e), -1);
    REQUIRE(e != NULL);
    CHECK_STR(e->msg, "no image for platform linux/arm/v7 (the index has: linux/arm/v6, "
                      "linux/amd64, linux/arm64/v8)");
    kd_error_free(e);
    kd_platform_free(&want);
    /* the attestation never matches */
    REQUIRE(kd_platform_parse("unknown/unknown", &want, NULL) == 0);
    CHECK_INT(kd_index_select(&ix, &want, NULL), -1);
    kd_platform_free(&want);
    /* round trip */
    char *json = kd_index_to_json(&ix, NULL);
    kd_index ix2;
    REQUIRE(kd_index_parse(json, strlen(json), NULL, &ix2, NULL) == 0);
    char *json2 = kd_index_to_json(&ix2, NULL);
    CHECK_STR(json2, json);
    CHECK(strstr(json, "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v6\"}"));
    free(json);
    free(json2);
    kd_index_free(&ix);
    kd_index_free(&ix2);
}

TEST(oci_platforms)
{
    kd_platform p, h;
    kd_error *e = NULL;
    CHECK(kd_platform_parse("linux", &p, &e) < 0);
    CHECK(e && strstr(e->msg, "expected os/arch"));
    kd_error_free(e);
    CHECK(kd_platform_parse("linux/amd64/", &p, NULL) < 0);
    CHECK(kd_platform_parse("a/b/c/d", &p, NULL) < 0);
    REQUIRE(kd_platform_parse("Linux/x86_64", &p, NULL) == 0);
    char *s = kd_platform_string(&p);
    CHECK_STR(s, "linux/amd64");
    free(s);
    kd_platform_free(&p);
    REQUIRE(kd_platform_parse("linux/arm64", &p, NULL) == 0);
    REQUIRE(kd_platform_parse("linux/arm64/8", &h, NULL) == 0);
    CHECK(kd_platform_match(&p, &h));
    CHECK(kd_platform_match(&h, &p)); /* arm64 without variant is v8 */
    kd_platform_free(&p);
    kd_platform_free(&h);
    REQUIRE(kd_platform_parse("linux/arm/v7", &p, NULL) == 0);
    REQUIRE(kd_platform_parse("linux/armhf", &h, NULL) == 0);
    CHECK(kd_platform_match(&p, &h));
    kd_platform_free(&h);
    REQUIRE(kd_platform_parse("windows/amd64", &h, NULL) == 0);
    CHECK(!kd_platform_match(&p, &h));
    kd_platform_free(&h);
    kd_platform_free(&p);
    kd_platform_host(&h);
    CHECK_STR(h.os, "linux");
    CHECK(h.architecture && strcmp(h.architecture, "x86_64") != 0);
    kd_platform_free(&h);
}

TEST(oci_image_config)
{
    kd_image_config c;
    kd_error *e = NULL;
    REQUIRE(kd_image_config_parse(config, strlen(config), &c, &e) == 0);
    CHECK_STR(c.architecture, "amd64");
    CHECK(c.config.env.n == 2);
    CHECK_STR(c.config.env.v[1], "A=b c");
    CHECK(c.config.cmd.set && c.config.cmd.n == 1);
    CHECK(!c.config.entrypoint.set);
    CHECK_STR(kd_map_get(&c.config.labels, "z"), "last");
    CHECK(kd_map_get(&c.config.exposed_ports, "53/udp") != NULL);
    REQUIRE(c.config.healthcheck != NULL);
    CHECK_INT(c.config.healthcheck->interval, 30000000000LL);
    CHECK_INT(c.config.healthcheck->retries, 3);
    CHECK(c.config.args_escaped);
    CHECK(c.nhistory == 2 && c.history[1].empty_layer);
    CHECK(c.diff_ids.n == 1);
    char *json = kd_image_config_to_json(&c, NULL);
    CHECK_STR(json,
              "{\"created\":\"2023-07-18T23:19:33.655005962Z\",\"architecture\":\"amd64\",\"os\":"
              "\"linux\",\"config\":{\"User\":\"1000:1000\",\"ExposedPorts\":{\"53/udp\":{},"
              "\"8080/tcp\":{}},\"Env\":[\"PATH=/usr/bin:/bin\",\"A=b c\"],\"Cmd\":[\"sh\"],"
              "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"curl -f http://localhost/\"],"
              "\"Interval\":30000000000,\"Timeout\":5000000000,\"StartPeriod\":1000000000,"
              "\"Retries\":3},\"ArgsEscaped\":true,\"Volumes\":{\"/data\":{}},\"WorkingDir\":"
              "\"/app\",\"OnBuild\":[\"RUN echo hi\"],\"Labels\":{\"a\":\"first\",\"z\":\"last\"},"
              "\"StopSignal\":\"SIGTERM\",\"Shell\":[\"/bin/bash\",\"-c\"]},\"rootfs\":{\"type\":"
              "\"layers\",\"diff_ids\":[\"" D1 "\"]},\"history\":[{\"created\":\"2023-07-18T23:19:"
              "33Z\",\"created_by\":\"/bin/sh -c #(nop) ADD file:abc in / \"},{\"created\":\"2023-"
              "07-18T23:19:33Z\",\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"sh\\\"]\","
              "\"empty_layer\":true}]}");
    /* a copy serialises to the same bytes; CMD [] stays distinct from no CMD */
    kd_image_config d;
    kd_image_config_copy(&d, &c);
    char *json2 = kd_image_config_to_json(&d, NULL);
    CHECK_STR(json2, json);
    free(json2);
    kd_strv_free(&d.config.cmd);
    d.config.cmd.set = true;
    kd_history h = {.created_by = "CMD []", .empty_layer = true};
    kd_history_add(&d, &h);
    json2 = kd_image_config_to_json(&d, NULL);
    CHECK(strstr(json2, "\"Cmd\":[]"));
    CHECK(strstr(json2, "{\"created_by\":\"CMD []\",\"empty_layer\":true}]"));
    free(json2);
    kd_image_config_free(&d);
    free(json);
    kd_image_config_free(&c);
}

TEST(oci_config_errors)
{
    kd_image_config c;
    kd_error *e = NULL;
    const char *bad = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:../../etc\"]}}";
    CHECK(kd_image_config_parse(bad, strlen(bad), &c, &e) < 0);
    CHECK(e && strstr(e->msg, "diff_id"));
    kd_error_free(e);
    e = NULL;
    bad = "{\"config\":{\"Env\":\"A=1\"}}";
    CHECK(kd_image_config_parse(bad, strlen(bad), &c, &e) < 0);
    CHECK(e && strstr(e->msg, "\"Env\" must be an array of strings"));
    kd_error_free(e);
    e = NULL;
    bad = "{\"config\":{\"Labels\":{\"a\":1}}}";
    CHECK(kd_image_config_parse(bad, strlen(bad), &c, &e) < 0);
    kd_error_free(e);
    e = NULL;
    bad = "{\"history\":[{\"empty_layer\":\"yes\"}]}";
    CHECK(kd_image_config_parse(bad, strlen(bad), &c, &e) < 0);
    CHECK(e && strstr(e->msg, "true or false"));
    kd_error_free(e);
    const char *empty = "{}";
    REQUIRE(kd_image_config_parse(empty, 2, &c, NULL) == 0);
    char *json = kd_image_config_to_json(&c, NULL);
    CHECK_STR(json, "{\"architecture\":\"\",\"os\":\"\",\"config\":{},\"rootfs\":{\"type\":"
                    "\"layers\",\"diff_ids\":[]}}");
    free(json);
    kd_image_config_free(&c);
}

TEST(oci_maps)
{
    kd_map m = {0};
    kd_map_set(&m, "b", "2");
    kd_map_set(&m, "a", "1");
    kd_map_set(&m, "c", "3");
    kd_map_set(&m, "b", "two");
    CHECK(m.n == 3);
    CHECK_STR(m.items[0].key, "a");
    CHECK_STR(kd_map_get(&m, "b"), "two");
    CHECK(kd_map_del(&m, "a"));
    CHECK(!kd_map_del(&m, "a"));
    CHECK(kd_map_get(&m, "a") == NULL);
    CHECK_STR(m.items[0].key, "b");
    kd_map_free(&m);
}

TEST(oci_error_bodies)
{
    const char *body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest "
                       "unknown\\n\\u001b[31m\",\"detail\":{\"Tag\":\"x\"}}]}";
    char *t = kd_oci_error_text(body, strlen(body));
    CHECK_STR(t, "MANIFEST_UNKNOWN: manifest unknown[31m");
    free(t);
    body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}";
    t = kd_oci_error_text(body, strlen(body));
    CHECK_STR(t, "UNAUTHORIZED");
    free(t);
    CHECK(kd_oci_error_text("<html>", 6) == NULL);
    CHECK(kd_oci_error_text("{\"errors\":[]}", 13) == NULL);
    CHECK(kd_oci_error_text("{\"errors\":[1]}", 14) == NULL);
}
