/* libFuzzer target: layer extraction (gzip detection, isa-l inflate,
 * libarchive's tar reader, and every write into the destination), fed
 * through the push form in two chunks split where the first byte says.
 * Runs locked down (fuzz_root.h); after each input nothing but the
 * destination may have appeared beside it. */
#include "build/layer.h"
#include "tests/fuzz/fuzz_root.h"

#include <stdint.h>

static char dest[96];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_root_init(*argc, *argv);
    snprintf(dest, sizeof dest, "%s/dest", fuzz_scratch);
    return 0;
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
    static const char *const allowed[] = {"dest", NULL};
    fuzz_root_check(allowed);
    fuzz_rm_tree(dest);
    return 0;
}
