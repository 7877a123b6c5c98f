#include "build/timings.h"
#include "kt.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static kd_timings sample(void)
{
    kd_timings t;
    kd_timings_init(&t);
    t.variant = strdup("Dockerfile");
    t.status = strdup("ok");
    kd_stage_timing *st = kd_timings_add_stage(&t, 0, "build");
    kd_step_timing *s = kd_timings_add_step(st, "RUN", "RUN make", 3, 4);
    kd_phase_add(s, KD_PH_RUN, 12.5, 100);
    kd_phase_add(s, KD_PH_COMPRESS, 1.25, 2048);
    s->layer = true;
    snprintf(s->digest, sizeof s->digest, "sha256:%064d", 1);
    s->size = 10;
    s->exit_code = 0;
    kd_timings_add_step(st, "ENV", "ENV A=1", 5, 5)->empty_layer = true;
    kd_timings_add_output(&t, "store:%s", "x");
    return t;
}

TEST(timings_json_has_the_documented_shape)
{
    kd_timings t = sample();
    char *json = kd_timings_to_json(&t);
    cJSON *j = cJSON_Parse(json);
    REQUIRE(j != NULL);
    CHECK_STR(cJSON_GetObjectItem(j, "schema")->valuestring, KD_TIMINGS_SCHEMA);
    cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "builds"), 0);
    REQUIRE(b != NULL);
    CHECK_STR(cJSON_GetObjectItem(b, "variant")->valuestring, "Dockerfile");
    cJSON *stage = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "stages"), 0);
    CHECK_STR(cJSON_GetObjectItem(stage, "name")->valuestring, "build");
    cJSON *steps = cJSON_GetObjectItem(stage, "steps");
    CHECK_INT(cJSON_GetArraySize(steps), 2);
    cJSON *run = cJSON_GetArrayItem(steps, 0);
    CHECK_INT(cJSON_GetArrayItem(cJSON_GetObjectItem(run, "lines"), 1)->valueint, 4);
    cJSON *ph = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "phases"), "run");
    CHECK(cJSON_GetObjectItem(ph, "ms")->valuedouble == 12.5);
    CHECK_INT(cJSON_GetObjectItem(ph, "bytes")->valueint, 100);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "phases"), "pull") == NULL);
    CHECK_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "layer"), "size")->valueint, 10);
    cJSON *env = cJSON_GetArrayItem(steps, 1);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(env, "layer")));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(env, "empty_layer")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(env, "exit_code")));
    cJSON *tot = cJSON_GetObjectItem(cJSON_GetObjectItem(b, "phase_totals"), "compress");
    CHECK_INT(cJSON_GetObjectItem(tot, "bytes")->valueint, 2048);
    cJSON_Delete(j);
    free(json);
    kd_timings_free(&t);
}

TEST(timings_write_is_atomic_and_readable)
{
    kd_timings t = sample();
    char path[] = "/tmp/kd-timings-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    kd_error *err = NULL;
    CHECK(kd_timings_write(&t, path, &err) == 0);
    FILE *f = fopen(path, "r");
    REQUIRE(f != NULL);
    char buf[64] = "";
    CHECK(fgets(buf, sizeof buf, f) != NULL);
    CHECK_STR(buf, "{\n");
    fclose(f);
    unlink(path);
    CHECK(kd_timings_write(&t, "/nonexistent-dir/x.json", &err) < 0);
    CHECK(err != NULL);
    kd_error_free(err);
    kd_timings_free(&t);
}
