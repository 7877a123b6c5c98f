/* libFuzzer target: variable expansion and word splitting. The first byte
 * picks the options; the rest is the word. */
#include "dockerfile/expand.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    df_lex_opts o = {
        .escape = (data[0] & 1) ? '`' : '\\',
        .raw_quotes = data[0] & 2,
        .raw_escapes = data[0] & 4,
        .skip_quotes = data[0] & 8,
        .skip_unset = data[0] & 16,
        .heredoc_words = data[0] & 32,
    };
    df_vars env = DF_VARS_INIT;
    df_vars_set(&env, "A", "a b");
    df_vars_set(&env, "EMPTY", "");
    df_vars_set(&env, "P", "/usr/local/bin:/usr/bin");
    df_expansion e;
    kd_error *err = NULL;
    if (df_expand(&o, (const char *)data + 1, size - 1, &env, &e, &err) == 0)
        df_expansion_free(&e);
    kd_error_free(err);
    df_vars_free(&env);
    return 0;
}
