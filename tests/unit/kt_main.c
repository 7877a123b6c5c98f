#include "kt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct kt_test {
    const char *file, *name;
    kt_fn fn;
} kt_test;

static kt_test tests[1024];
static size_t ntests;
int kt_failures;

void kt_register(const char *file, const char *name, kt_fn fn)
{
    if (ntests == sizeof tests / sizeof tests[0]) {
        fprintf(stderr, "kt: too many tests\n");
        abort();
    }
    const char *base = strrchr(file, '/');
    tests[ntests++] = (kt_test){base ? base + 1 : file, name, fn};
}

void kt_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "# %s:%d: ", file, line);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    kt_failures++;
}

/* Runs every test, or those whose "file:name" contains argv[1]. */
int main(int argc, char **argv)
{
    int failed = 0;
    for (size_t i = 0; i < ntests; i++) {
        char id[256];
        snprintf(id, sizeof id, "%s:%s", tests[i].file, tests[i].name);
        if (argc > 1 && strstr(id, argv[1]) == NULL)
            continue;
        /* failure details are printed before the verdict line; buffer them */
        char *buf = NULL;
        size_t len = 0;
        FILE *saved = stdout;
        FILE *mem = open_memstream(&buf, &len);
        stdout = mem;
        int before = kt_failures;
        tests[i].fn();
        fflush(mem);
        stdout = saved;
        fclose(mem);
        if (kt_failures == before) {
            printf("ok - %s\n", id);
        } else {
            printf("not ok - %s\n%s", id, buf);
            failed++;
        }
        free(buf);
    }
    fflush(stdout);
    return failed ? 1 : 0;
}
