/* libFuzzer target: the declarative rule loader (our positioned JSON
 * reader, the rule checks and PCRE2 compilation). Any input must give a
 * rule set or an error naming the file and a position. */
#include "lint/decl.h"
#include "lint/json.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kd_decl_set *s = NULL;
    kd_error *err = NULL;
    if (kd_decl_parse("fuzz.json", (const char *)data, size, &s, &err) < 0) {
        if (err == NULL || strncmp(err->msg, "fuzz.json:", 10) != 0)
            __builtin_trap();
        kd_error_free(err);
        return 0;
    }
    const kd_rule *const *v;
    size_t n = kd_decl_rules(s, &v);
    for (size_t i = 0; i < n; i++)
        if (v[i]->id == NULL || v[i]->check == NULL)
            __builtin_trap();
    kd_decl_free(s);
    return 0;
}
