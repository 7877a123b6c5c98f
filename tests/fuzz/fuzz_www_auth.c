/* libFuzzer target: what a registry or token server says in headers and
 * token answers (WWW-Authenticate, Retry-After, the token JSON). Outside
 * data: any input parses to something or nothing, never a crash. */
#include "build/registry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    kd_challenge *c;
    size_t n = kd_www_authenticate_parse(s, &c);
    for (size_t i = 0; i < n; i++) {
        if (c[i].scheme == NULL || c[i].scheme[0] == '\0')
            abort();
        /* params are kept sorted and unique */
        for (size_t k = 1; k < c[i].params.n; k++)
            if (strcmp(c[i].params.items[k - 1].key, c[i].params.items[k].key) >= 0)
                abort();
    }
    kd_challenges_free(c, n);
    (void)kd_retry_after_parse(s, 0);
    char *token = NULL;
    long exp;
    kd_error *err = NULL;
    if (kd_token_response_parse((const char *)data, size, &token, &exp, &err) == 0) {
        if (token == NULL || exp < 60)
            abort();
        free(token);
    }
    kd_error_free(err);
    free(s);
    return 0;
}
