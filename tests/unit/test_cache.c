/* The build cache's entries (build/cache.h): JSON round trip and what a
 * parse refuses; get/put in a store, a pruned blob making a miss, the
 * list ordered by last use. */
#include "kt.h"
#include "build/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void sample(kd_cache_entry *e, const char *layer_data)
{
    memset(e, 0, sizeof *e);
    kd_digest_of("a step", 6, e->key);
    e->created_by = strdup("RUN /bin/sh -c true # buildkit");
    if (layer_data) {
        e->layer = true;
        e->media_type = strdup(KD_MT_OCI_LAYER_GZIP);
        kd_digest_of(layer_data, strlen(layer_data), e->digest);
        e->size = (int64_t)strlen(layer_data);
        kd_digest_of("tar", 3, e->diff_id);
        e->tar_size = 1536;
        e->files = 2;
    }
}

TEST(cache_entry_json)
{
    kd_cache_entry e, back;
    sample(&e, "blob");
    size_t len;
    char *json = kd_cache_entry_to_json(&e, &len);
    kd_error *err = NULL;
    REQUIRE(kd_cache_entry_parse(json, len, &back, &err) == 0);
    CHECK_STR(back.key, e.key);
    CHECK(back.layer);
    CHECK_STR(back.digest, e.digest);
    CHECK_STR(back.diff_id, e.diff_id);
    CHECK_STR(back.media_type, KD_MT_OCI_LAYER_GZIP);
    CHECK_STR(back.created_by, e.created_by);
    CHECK_INT(back.size, 4);
    CHECK_INT(back.tar_size, 1536);
    CHECK_INT(back.files, 2);
    kd_cache_entry_free(&back);
    free(json);
    kd_cache_entry_free(&e);
    /* no layer */
    sample(&e, NULL);
    json = kd_cache_entry_to_json(&e, &len);
    REQUIRE(kd_cache_entry_parse(json, len, &back, &err) == 0);
    CHECK(!back.layer);
    kd_cache_entry_free(&back);
    free(json);
    kd_cache_entry_free(&e);
}

TEST(cache_entry_refused)
{
    static const char *const bad[] = {
        "{}",
        "{\"key\":\"sha256:abc\"}",
        "{\"key\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\","
        "\"layer\":{\"mediaType\":\"text/plain\",\"digest\":\"sha256:00000000000000000000000000"
        "00000000000000000000000000000000000000\",\"size\":1,\"diffID\":\"sha256:000000000000"
        "0000000000000000000000000000000000000000000000000000\"}}",
        "{\"key\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\","
        "\"layer\":\"x\"}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kd_cache_entry e;
        kd_error *err = NULL;
        CHECK(kd_cache_entry_parse(bad[i], strlen(bad[i]), &e, &err) < 0);
        CHECK(err != NULL);
        kd_error_free(err);
    }
}

TEST(cache_store)
{
    char dir[] = "/tmp/kd-cache-test.XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    kd_store *s;
    kd_error *err = NULL;
    REQUIRE(kd_store_open(dir, KD_STORE_SHARED, &s, &err) == 0);
    kd_cache_entry e, got;
    sample(&e, "layer bytes");
    CHECK(kd_cache_get(s, e.key, &got, &err) == 1); /* nothing yet */
    REQUIRE(kd_cache_put(s, &e, &err) == 0);
    CHECK(kd_cache_get(s, e.key, &got, &err) == 1); /* its blob is not stored */
    REQUIRE(kd_store_put_blob(s, "layer bytes", 11, e.digest, NULL, &err) == 0);
    REQUIRE(kd_cache_get(s, e.key, &got, &err) == 0);
    CHECK_STR(got.diff_id, e.diff_id);
    kd_cache_entry_free(&got);
    /* a second entry used later lists first */
    kd_cache_entry e2;
    sample(&e2, NULL);
    kd_digest_of("another step", 12, e2.key);
    struct timespec ts = {0, 30000000}; /* file times move by clock ticks */
    nanosleep(&ts, NULL);
    REQUIRE(kd_cache_put(s, &e2, &err) == 0);
    kd_cache_entry *v;
    size_t n;
    REQUIRE(kd_cache_list(s, &v, &n, &err) == 0);
    REQUIRE(n == 2);
    CHECK_STR(v[0].key, e2.key);
    CHECK_STR(v[1].key, e.key);
    kd_cache_entries_free(v, n);
    CHECK(kd_cache_remove(s, e2.key, &err) == 0);
    CHECK(kd_cache_remove(s, e2.key, &err) == 1);
    CHECK(kd_cache_get(s, "sha256:nope", &got, &err) < 0);
    kd_error_free(err);
    kd_cache_entry_free(&e);
    kd_cache_entry_free(&e2);
    kd_store_close(s);
    kd_remove_tree(dir, NULL);
}
