/* libFuzzer target: the .kdoctor.yaml loader (libyaml and our reader of its
 * node tree). Any input must give a config or an error with a position,
 * never a crash or a leak. */
#include "lint/config.h"

#include <stdint.h>
#include <string.h>

static bool known(const char *pattern, void *arg)
{
    (void)arg;
    return pattern[0] != 'x'; /* exercise the unknown-rule error too */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kd_config *c = NULL;
    kd_error *err = NULL;
    if (kd_config_parse("fuzz.yaml", (const char *)data, size, known, NULL, &c, &err) < 0) {
        if (err == NULL || strncmp(err->msg, "fuzz.yaml:", 10) != 0)
            __builtin_trap(); /* every error names the file and a position */
        kd_error_free(err);
        return 0;
    }
    kd_config_free(c);
    return 0;
}
