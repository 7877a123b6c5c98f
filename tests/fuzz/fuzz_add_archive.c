/* libFuzzer target: ADD of a local archive from the build context
 * (build/copy_archive.c: libarchive's tar, gzip, bzip2 and xz readers, and
 * every write into the image's root). The input is the archive; it is
 * added to /x/ of an empty root. Runs locked down (fuzz_root.h); after
 * each input nothing but the context and the root may be beside them, and
 * the context holds only the archive. */
#include "build/copy.h"
#include "tests/fuzz/fuzz_root.h"

#include <stdint.h>

static char ctx[96], root[96], archive[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_root_init(*argc, *argv);
    snprintf(ctx, sizeof ctx, "%s/ctx", fuzz_scratch);
    snprintf(root, sizeof root, "%s/root", fuzz_scratch);
    snprintf(archive, sizeof archive, "%s/a.tar", ctx);
    if (mkdir(ctx, 0755) < 0)
        abort();
    return 0;
}

/* The context dir must hold a.tar and nothing else. */
static void check_context(void)
{
    DIR *d = opendir(ctx);
    if (d == NULL)
        abort();
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "a.tar"))
            abort();
    closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = open(archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || mkdir(root, 0755) < 0)
        abort();
    close(fd);
    const char *srcs[] = {"a.tar"};
    kd_copy_opts o = {.src_root = ctx, .src_is_context = true, .srcs = srcs, .nsrcs = 1,
                      .dest = "/x/", .dst_root = root, .add = true};
    kd_error *err = NULL;
    if (kd_copy(&o, NULL, &err) < 0 && (err == NULL || err->msg[0] == '\0'))
        abort(); /* a failure always says why */
    kd_error_free(err);
    static const char *const allowed[] = {"ctx", "root", NULL};
    fuzz_root_check(allowed);
    check_context();
    fuzz_rm_tree(root);
    return 0;
}
