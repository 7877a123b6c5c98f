/* libFuzzer target: .dockerignore parsing and matching, and Go's
 * filepath.Match. The input is "PATTERNS\0PATH": the patterns are parsed
 * as a .dockerignore file, then the path is matched against them and, as a
 * single Match pattern, against itself. */
#include "build/dockerignore.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t tlen = nul ? (size_t)(nul - text) : size;
    char *path = nul ? kd_xmemdup0(nul + 1, size - tlen - 1) : kd_xstrdup("a/b/c");
    kd_ignore *m = NULL;
    kd_error *err = NULL;
    if (kd_ignore_parse(text, tlen, &m, &err) == 0) {
        kd_ignore_match(m, path);
        kd_ignore_keep_build_files(m, "Dockerfile");
        kd_ignore_match(m, path);
        kd_ignore_free(m);
    }
    kd_error_free(err);
    char *pat = kd_xmemdup0(text, tlen);
    kd_path_match(pat, path);
    free(pat);
    free(path);
    return 0;
}
