#include "kt.h"
#include "dockerfile/scope.h"

#include <stdlib.h>

static df_file *parse(const char *src)
{
    df_file *f = NULL;
    kd_error *err = NULL;
    if (df_parse("Dockerfile", src, strlen(src), &f, &err) < 0) {
        kt_fail(__FILE__, __LINE__, "parse failed: %s", err->msg);
        kd_error_free(err);
    }
    return f;
}

static char *stages_error(const char *src)
{
    df_file *f = parse(src);
    if (f == NULL)
        return NULL;
    df_stages st;
    kd_error *err = NULL;
    char *msg = NULL;
    if (df_stages_find(f, &st, &err) == 0)
        df_stages_free(&st);
    else
        msg = strdup(err->msg);
    kd_error_free(err);
    df_file_free(f);
    return msg;
}

TEST(stages_are_split_and_named)
{
    df_file *f = parse("ARG V=1\nFROM a AS Build\nRUN x\nFROM build\nFROM scratch AS out\nCOPY a b\n");
    REQUIRE(f);
    df_stages st;
    REQUIRE(df_stages_find(f, &st, NULL) == 0);
    CHECK_INT(st.nglobal, 1);
    REQUIRE(st.n == 3);
    CHECK_STR(st.v[0].name, "build");
    CHECK_INT(st.v[0].from, 1);
    CHECK_INT(st.v[0].end, 3);
    CHECK(st.v[1].name == NULL);
    CHECK_INT(st.v[2].end, 6);
    CHECK_INT(df_stages_lookup(&st, "BUILD", 3), 0);
    CHECK_INT(df_stages_lookup(&st, "1", 3), 1);
    CHECK_INT(df_stages_lookup(&st, "out", 2), -1);
    CHECK_INT(df_stages_lookup(&st, "7", 3), -1);
    df_stages_free(&st);
    df_file_free(f);
}

TEST(bad_stages_are_errors_with_positions)
{
    char *m = stages_error("RUN x\nFROM a\n");
    REQUIRE(m);
    CHECK(strstr(m, "Dockerfile:1:1: RUN comes before the first FROM") != NULL);
    free(m);
    m = stages_error("FROM a b\n");
    REQUIRE(m);
    CHECK(strstr(m, "Dockerfile:1:1: FROM takes an image") != NULL);
    free(m);
    m = stages_error("FROM a AS 1x\n");
    REQUIRE(m);
    CHECK(strstr(m, "Dockerfile:1:11: invalid stage name \"1x\"") != NULL);
    free(m);
    m = stages_error("FROM a AS x\nFROM b AS X\n");
    REQUIRE(m);
    CHECK(strstr(m, "Dockerfile:2:11: duplicate stage name \"x\"") != NULL);
    free(m);
    m = stages_error("ARG A\n");
    REQUIRE(m);
    CHECK(strstr(m, "no FROM instruction") != NULL);
    free(m);
}

/* walks every instruction the way the builder does and returns the
 * expansion of word `arg` of instruction `at` */
static char *walk(const char *src, const df_vars *build_args, size_t at, size_t arg)
{
    df_file *f = parse(src);
    if (f == NULL)
        return NULL;
    df_vars autos = DF_VARS_INIT;
    df_auto_args(&autos, "linux/arm64/v8", "linux/amd64");
    df_scope s;
    df_scope_init(&s, f, build_args, &autos);
    char *result = NULL;
    kd_error *err = NULL;
    df_vars image_env = DF_VARS_INIT;
    df_vars_set(&image_env, "PATH", "/usr/bin:/bin");
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        if (i == at) {
            result = df_scope_word(&s, in, &in->args[arg], &err);
            break;
        }
        if (in->kind == DF_FROM)
            df_scope_enter_stage(&s, &image_env);
        if (df_scope_apply(&s, in, &err) < 0)
            break;
    }
    if (err) {
        result = strdup(err->msg);
        kd_error_free(err);
    }
    df_vars_free(&image_env);
    df_vars_free(&autos);
    df_scope_free(&s);
    df_file_free(f);
    return result;
}

#define CHECK_WALK(src, ba, at, arg, want)                                                         \
    do {                                                                                           \
        char *w_ = walk(src, ba, at, arg);                                                         \
        CHECK_STR(w_, want);                                                                       \
        free(w_);                                                                                  \
    } while (0)

TEST(global_args_expand_from_lines_only)
{
    const char *src = "ARG TAG=3.19\nARG IMG=alpine:${TAG}\nFROM ${IMG} AS b\nRUN x\nWORKDIR /$TAG\n";
    CHECK_WALK(src, NULL, 2, 0, "alpine:3.19");
    CHECK_WALK(src, NULL, 4, 0, "/"); /* not declared in the stage */
    df_vars ba = DF_VARS_INIT;
    df_vars_set(&ba, "TAG", "edge");
    CHECK_WALK(src, &ba, 2, 0, "alpine:edge");
    df_vars_free(&ba);
}

TEST(stage_args_inherit_defaults_and_build_args)
{
    const char *src = "ARG V=global\nFROM a\nARG V\nARG W=dflt\nARG X\nWORKDIR /$V/$W/${X:-none}\n";
    CHECK_WALK(src, NULL, 5, 0, "/global/dflt/none");
    df_vars ba = DF_VARS_INIT;
    df_vars_set(&ba, "V", "b1");
    df_vars_set(&ba, "W", "b2");
    df_vars_set(&ba, "X", "b3");
    CHECK_WALK(src, &ba, 5, 0, "/b1/b2/b3");
    df_vars_free(&ba);
}

TEST(env_and_arg_later_wins)
{
    CHECK_WALK("FROM a\nARG A=arg\nENV A=env\nWORKDIR /$A\n", NULL, 3, 0, "/env");
    CHECK_WALK("FROM a\nENV A=env\nARG A=arg\nWORKDIR /$A\n", NULL, 3, 0, "/arg");
    /* all pairs of one ENV see the environment from before it */
    CHECK_WALK("FROM a\nENV A=1\nENV A=2 B=$A\nWORKDIR /$B\n", NULL, 3, 0, "/1");
    CHECK_WALK("FROM a\nENV P=/x:$PATH\nWORKDIR $P\n", NULL, 2, 0, "/x:/usr/bin:/bin");
}

TEST(stages_do_not_leak_into_each_other)
{
    CHECK_WALK("FROM a\nENV A=1\nFROM b\nWORKDIR /$A\n", NULL, 3, 0, "/");
}

TEST(platform_args)
{
    CHECK_WALK("FROM --platform=$BUILDPLATFORM a\nARG TARGETARCH\nARG TARGETVARIANT\n"
               "WORKDIR /$TARGETARCH$TARGETVARIANT\n",
               NULL, 3, 0, "/arm64v8");
    CHECK_WALK("FROM a:$TARGETOS\n", NULL, 0, 0, "a:linux");
    CHECK_WALK("FROM a\nWORKDIR /$TARGETARCH\n", NULL, 1, 0, "/");
}

TEST(expansion_errors_name_the_position)
{
    CHECK_WALK("FROM a\nWORKDIR ${X:?X must be set}\n", NULL, 1, 0,
               "Dockerfile:2:9: failed to process \"${X:?X must be set}\": X: X must be set");
}
