/* libFuzzer target: layer extraction (gzip detection, isa-l inflate,
 * libarchive's tar reader, and every write into the destination), fed
 * through the push form in two chunks split where the first byte says.
 *
 * The fuzzer runs as root, so a bug could write anywhere: at start it moves
 * into a private mount namespace where every mount is read-only except its
 * libFuzzer's own corpus and artifact directories; the extraction itself
 * goes to a detached tmpfs.
 * After each input it checks that nothing appeared beside the destination
 * and that a sentinel file is intact (abort otherwise), then deletes the
 * destination. */
#include "build/layer.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch[64];
static char dest[96], sentinel[96];

/* A detached tmpfs (new mount API): no mount point, gone with the process,
 * bounded in size. Without privileges, a temp dir instead. */
static void make_scratch(void)
{
    int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
    if (fs >= 0 && fsconfig(fs, FSCONFIG_SET_STRING, "size", "512m", 0) == 0 &&
        fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0) {
        int m = fsmount(fs, FSMOUNT_CLOEXEC, 0);
        close(fs);
        if (m >= 0) {
            snprintf(scratch, sizeof scratch, "/proc/self/fd/%d", m);
            return;
        }
    }
    snprintf(scratch, sizeof scratch, "/tmp/kd-fuzz-layer.XXXXXX");
    if (mkdtemp(scratch) == NULL)
        abort();
}

/* Remounts every mount but the bind mounts of writable dirs read-only. */
static void lock_down(int argc, char **argv)
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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    make_scratch();
    lock_down(*argc, *argv);
    snprintf(dest, sizeof dest, "%s/dest", scratch);
    snprintf(sentinel, sizeof sentinel, "%s/sentinel", scratch);
    int fd = open(sentinel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "intact", 6) != 6)
        abort();
    close(fd);
    return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

/* Nothing but dest and the sentinel may be in the scratch dir. */
static void check_outside(void)
{
    char buf[16] = {0};
    int fd = open(sentinel, O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof buf) != 6 || memcmp(buf, "intact", 6) != 0)
        abort();
    close(fd);
    DIR *d = opendir(scratch);
    if (d == NULL)
        abort();
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "dest") &&
            strcmp(de->d_name, "sentinel"))
            abort();
    closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (mkdir(dest, 0755) < 0)
        abort();
    kd_error *err = NULL;
    kd_layer_extractor *x = kd_layer_extractor_new(dest, NULL, &err);
    if (x == NULL)
        abort();
    size_t cut = size ? data[0] % (size + 1) : 0;
    if (kd_layer_extractor_feed(x, data, cut, NULL) == 0)
        kd_layer_extractor_feed(x, data + cut, size - cut, NULL);
    kd_layer_stats st;
    kd_layer_extractor_finish(x, &st, &err);
    kd_error_free(err);
    check_outside();
    nftw(dest, rm_one, 64, FTW_DEPTH | FTW_PHYS);
    return 0;
}
