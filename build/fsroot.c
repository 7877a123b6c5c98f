/* Owner: build-sandbox (helper C). See build/fsroot.h. */
#include "build/fsroot.h"
#include "util/mem.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

int kd_root_open(int dirfd, const char *path, int flags, mode_t mode, kd_resolve how)
{
    struct open_how oh = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
        .resolve = RESOLVE_NO_MAGICLINKS |
                   (how == KD_IN_ROOT ? RESOLVE_IN_ROOT : RESOLVE_BENEATH),
    };
    while (*path == '/')
        path++;
    if (*path == '\0')
        path = ".";
    for (;;) {
        long fd = syscall(SYS_openat2, dirfd, path, &oh, sizeof oh);
        /* EAGAIN: a concurrent rename raced the lookup; try again */
        if (fd >= 0 || errno != EAGAIN)
            return (int)fd;
    }
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **kd_dir_names(int dirfd, size_t *n)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (d == NULL) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return NULL;
    }
    char **names = NULL;
    size_t cap = 0;
    struct dirent *de;
    *n = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        KD_GROW(names, cap, *n + 1);
        names[(*n)++] = kd_xstrdup(de->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, cmp_names);
    return names ? names : kd_xcalloc(1, sizeof *names);
}
