/* libFuzzer target: the parsers of registry JSON (manifests, indexes, image
 * configs, error bodies). Any input gives a result or an error; whatever
 * parses serialises to JSON that parses again to the same bytes. */
#include "build/oci.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void same_again(char *json, char *(*reparse)(const char *, size_t))
{
    char *again = reparse(json, strlen(json));
    if (again == NULL || strcmp(again, json) != 0)
        abort();
    free(again);
    free(json);
}

static char *manifest_again(const char *s, size_t n)
{
    kd_manifest m;
    if (kd_manifest_parse(s, n, NULL, &m, NULL) < 0)
        return NULL;
    char *j = kd_manifest_to_json(&m, NULL);
    kd_manifest_free(&m);
    return j;
}

static char *index_again(const char *s, size_t n)
{
    kd_index ix;
    if (kd_index_parse(s, n, NULL, &ix, NULL) < 0)
        return NULL;
    char *j = kd_index_to_json(&ix, NULL);
    kd_index_free(&ix);
    return j;
}

static char *config_again(const char *s, size_t n)
{
    kd_image_config c;
    if (kd_image_config_parse(s, n, &c, NULL) < 0)
        return NULL;
    char *j = kd_image_config_to_json(&c, NULL);
    kd_image_config_free(&c);
    return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    kd_error *err = NULL;
    kd_manifest m;
    if (kd_manifest_parse(s, size, NULL, &m, &err) == 0) {
        same_again(kd_manifest_to_json(&m, NULL), manifest_again);
        kd_manifest_free(&m);
    }
    kd_error_free(err);
    err = NULL;
    kd_index ix;
    if (kd_index_parse(s, size, KD_MT_DOCKER_LIST, &ix, &err) == 0) {
        kd_platform p;
        kd_platform_host(&p);
        kd_error *e2 = NULL;
        int i = kd_index_select(&ix, &p, &e2);
        if (i >= (int)ix.nmanifests)
            abort();
        kd_error_free(e2);
        kd_platform_free(&p);
        same_again(kd_index_to_json(&ix, NULL), index_again);
        kd_index_free(&ix);
    }
    kd_error_free(err);
    err = NULL;
    kd_image_config c;
    if (kd_image_config_parse(s, size, &c, &err) == 0) {
        same_again(kd_image_config_to_json(&c, NULL), config_again);
        kd_image_config_free(&c);
    }
    kd_error_free(err);
    free(kd_oci_error_text(s, size));
    (void)kd_doc_kind_of(NULL, s, size);
    return 0;
}
