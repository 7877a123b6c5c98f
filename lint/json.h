/* A small JSON reader that keeps the position of every value (owner:
 * lint-engine). cJSON has no positions, and the declarative rule loader
 * must name the line and column of a bad rule or pattern. Strict RFC 8259;
 * nesting is limited to KJ_MAX_DEPTH. */
#ifndef KD_LINT_JSON_H
#define KD_LINT_JSON_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

#define KJ_MAX_DEPTH 64

typedef enum kj_type { KJ_NULL, KJ_BOOL, KJ_NUM, KJ_STR, KJ_ARR, KJ_OBJ } kj_type;

typedef struct kj_val kj_val;
struct kj_val {
    kj_type type;
    size_t off;          /* source offset of the value's first byte */
    unsigned line, col;  /* 1-based; col in bytes */
    bool b;
    char *str;           /* KJ_STR: decoded (may hold NULs), KJ_NUM: as written */
    size_t len;
    kj_val *items;       /* KJ_ARR elements, KJ_OBJ member values */
    char **keys;         /* KJ_OBJ member names, parallel to items */
    size_t n;
};

/* Parses data; on error returns -1 with "PATH:LINE:COL: message". The
 * result is owned by the caller (kj_free). */
int kj_parse(const char *path, const char *data, size_t len, kj_val **out, kd_error **err);
void kj_free(kj_val *v);

/* The member named key of an object, or NULL. */
const kj_val *kj_get(const kj_val *obj, const char *key);
/* The source offset of byte i of a string value's decoded text (escapes
 * make the two differ). */
size_t kj_str_src_offset(const char *data, const kj_val *s, size_t i);

#endif
