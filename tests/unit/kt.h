/* A very small unit-test harness: TEST(name) { ... } registers a test;
 * CHECK(cond) records a failure and goes on; REQUIRE(cond) records one and
 * leaves the test. The runner prints "ok - FILE:NAME" or "not ok - ..." per
 * test, the format tests/run.sh counts. */
#ifndef KD_TESTS_KT_H
#define KD_TESTS_KT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef void (*kt_fn)(void);
void kt_register(const char *file, const char *name, kt_fn fn);
void kt_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
extern int kt_failures;

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void kt_reg_##name(void)                                   \
    {                                                                                              \
        kt_register(__FILE__, #name, name);                                                        \
    }                                                                                              \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            kt_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                       \
    } while (0)

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            kt_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond);                                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *kt_g = (got), *kt_w = (want);                                                  \
        if (kt_g == NULL || strcmp(kt_g, kt_w) != 0)                                               \
            kt_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #got,                     \
                    kt_g ? kt_g : "(null)", kt_w);                                                 \
    } while (0)

#define CHECK_INT(got, want)                                                                       \
    do {                                                                                           \
        long long kt_g = (long long)(got), kt_w = (long long)(want);                               \
        if (kt_g != kt_w)                                                                          \
            kt_fail(__FILE__, __LINE__, "%s is %lld, expected %lld", #got, kt_g, kt_w);            \
    } while (0)

#endif
