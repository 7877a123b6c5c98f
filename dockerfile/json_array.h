/* Decoding of exec-form arguments: a JSON array of strings, as Go decodes it. */
#ifndef KD_DOCKERFILE_JSON_ARRAY_H
#define KD_DOCKERFILE_JSON_ARRAY_H

#include <stddef.h>

typedef struct df_jstr {
    char *text; /* decoded, owned, NUL-terminated (may hold NULs) */
    size_t len;
    size_t start, end; /* the quoted token's offsets in the input */
} df_jstr;

/* Returns 1 when s[0..n) is one valid JSON array whose elements are all
 * strings (they go to *elems, owned by the caller: df_jstr_free), 0 when it
 * is not valid JSON or not an array (shell form applies), and -1 when it is
 * a valid array with a non-string element (an error in BuildKit). */
int df_json_string_array(const char *s, size_t n, df_jstr **elems, size_t *nelems);
void df_jstr_free(df_jstr *elems, size_t n);

#endif
