#include "cli/front.h"

#include "util/lazylib.h"
#include "util/mem.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char **saved_argv;

void kd_front_init(char **argv)
{
    saved_argv = argv;
}

/* kdoctor-full beside this binary (the build tree, or an install that put
 * both in bin/), or in ../libexec/kdoctor/ (make install); owned, or NULL
 * with self set to this binary's path. */
static char *find_full(char *self, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", self, n - 1);
    if (k <= 0)
        return NULL;
    self[k] = '\0';
    char *slash = strrchr(self, '/');
    int dir = slash ? (int)(slash - self) : 0;
    static const char *const where[] = {"/kdoctor-full", "/../libexec/kdoctor/kdoctor-full"};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        char *p = kd_asprintf("%.*s%s", dir, self, where[i]);
        if (access(p, X_OK) == 0)
            return p;
        free(p);
    }
    return NULL;
}

int kd_need_full(void)
{
    if (kd_lazy_available())
        return 0;
    fflush(stdout);
    fflush(stderr);
    char self[PATH_MAX] = "kdoctor";
    char *full = find_full(self, sizeof self);
    if (full == NULL) {
        fprintf(stderr,
                "kdoctor: this command runs in kdoctor-full, which is neither beside %s nor in "
                "../libexec/kdoctor/ (make install puts it there)\n",
                self);
        return 1;
    }
    execv(full, saved_argv);
    fprintf(stderr, "kdoctor: cannot run %s: %s\n", full, strerror(errno));
    free(full);
    return 1;
}
