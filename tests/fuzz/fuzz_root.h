/* Shared by the fuzz targets that write files from hostile archives
 * (fuzz_layer_extract.c, fuzz_add_archive.c). Header-only: each target is
 * one translation unit linked alone.
 *
 * The fuzzer runs as root, so a bug could write anywhere: fuzz_root_init
 * moves into a private mount namespace where every mount is read-only
 * except libFuzzer's own corpus and artifact directories; the extraction
 * goes to a detached tmpfs (fuzz_scratch). After each input the target
 * calls fuzz_root_check, which aborts when a sentinel file changed or a
 * name other than the allowed ones appeared in the scratch dir. */
#ifndef KD_TESTS_FUZZ_ROOT_H
#define KD_TESTS_FUZZ_ROOT_H

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_scratch[64];
static char fuzz_sentinel[96];

/* A detached tmpfs (new mount API): no mount point, gone with the process,
 * bounded in size. Without privileges, a temp dir instead. */
static void fuzz_make_scratch(void)
{
    int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
    if (fs >= 0 && fsconfig(fs, FSCONFIG_SET_STRING, "size", "512m", 0) == 0 &&
        fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0) {
        int m = fsmount(fs, FSMOUNT_CLOEXEC, 0);
        close(fs);
        if (m >= 0) {
            snprintf(fuzz_scratch, sizeof fuzz_scratch, "/proc/self/fd/%d", m);
            return;
        }
    }
    snprintf(fuzz_scratch, sizeof fuzz_scratch, "/tmp/kd-fuzz-root.XXXXXX");
    if (mkdtemp(fuzz_scratch) == NULL)
        abort();
}

/* Remounts every mount but the bind mounts of writable dirs read-only. */
static void fuzz_lock_down(int argc, char **argv)
{
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return; /* not root: it cannot do much harm anyway */
    char **keep = calloc((size_t)argc + 2, sizeof *keep);
    int nkeep = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "-artifact_prefix=", 17) == 0)
            keep[nkeep++] = argv[i] + 17;
        else if (argv[i][0] != '-')
            keep[nkeep++] = argv[i];
    }
    FILE *mi = fopen("/proc/self/mountinfo", "r");
    char line[8192], mp[4096];
    while (mi && fgets(line, sizeof line, mi)) {
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1)
            mount(NULL, mp, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
    }
    if (mi)
        fclose(mi);
    /* bind mounts made after the lock are writable again: only these */
    for (int i = 0; i < nkeep; i++) {
        char real[4096];
        if (realpath(keep[i], real) == NULL)
            continue;
        mount(real, real, NULL, MS_BIND, NULL);
        mount(NULL, real, NULL, MS_REMOUNT | MS_BIND, NULL);
    }
    free(keep);
}

static void fuzz_root_init(int argc, char **argv)
{
    fuzz_make_scratch();
    fuzz_lock_down(argc, argv);
    snprintf(fuzz_sentinel, sizeof fuzz_sentinel, "%s/sentinel", fuzz_scratch);
    int fd = open(fuzz_sentinel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "intact", 6) != 6)
        abort();
    close(fd);
}

static int fuzz_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

/* Removes the tree at path (symlinks not followed). */
static void fuzz_rm_tree(const char *path)
{
    nftw(path, fuzz_rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

/* Nothing but the sentinel and the NULL-terminated allowed names may be in
 * the scratch dir, and the sentinel must hold what it held. */
static void fuzz_root_check(const char *const *allowed)
{
    char buf[16] = {0};
    int fd = open(fuzz_sentinel, O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof buf) != 6 || memcmp(buf, "intact", 6) != 0)
        abort();
    close(fd);
    DIR *d = opendir(fuzz_scratch);
    if (d == NULL)
        abort();
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        int ok = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
                 !strcmp(de->d_name, "sentinel");
        for (const char *const *a = allowed; !ok && *a; a++)
            ok = !strcmp(de->d_name, *a);
        if (!ok)
            abort();
    }
    closedir(d);
}

#endif
