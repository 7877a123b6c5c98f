/* libFuzzer target: image reference parsing. Any input gives a reference or
 * an error; a parsed reference prints to a string that parses back to the
 * same reference. */
#include "build/ref.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    kd_ref r, again;
    kd_error *err = NULL;
    if (kd_ref_parse(s, &r, &err) < 0) {
        kd_error_free(err);
        free(s);
        return 0;
    }
    char *full = kd_ref_string(&r);
    char *fam = kd_ref_familiar(&r);
    if (kd_ref_parse(full, &again, NULL) < 0)
        abort();
    char *full2 = kd_ref_string(&again);
    if (strcmp(full, full2) != 0)
        abort();
    kd_ref_free(&again);
    if (kd_ref_parse(fam, &again, NULL) < 0)
        abort();
    kd_ref_free(&again);
    free(full);
    free(full2);
    free(fam);
    kd_ref_free(&r);
    free(s);
    return 0;
}
