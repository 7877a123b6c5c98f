/* Owner: build-sandbox (helper C). See build/fsroot.h. */
#include "build/fsroot.h"

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
