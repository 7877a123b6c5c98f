/* Internal to build/oci*.c: typed access to cJSON documents from outside
 * (every getter checks the type and fails with a message naming the field)
 * and deterministic writers. Not part of the public API.
 *
 * Getters: a key that is absent or JSON null leaves *out untouched and
 * returns 0; a value of the wrong type returns -1 with *err set. Strings
 * returned are copies owned by the caller. */
#ifndef KD_BUILD_OCI_JSON_H
#define KD_BUILD_OCI_JSON_H

#include "build/oci.h"

#include <cjson/cJSON.h>

/* Largest integer a JSON number holds exactly (2^53). */
#define KD_JSON_INT_MAX 9007199254740992LL

/* A copy of s, or NULL for NULL. */
char *kd_strdup_null(const char *s);

cJSON *kd_json_parse(const char *data, size_t len, const char *what, kd_error **err);
/* The member key of o, or NULL when absent or null. */
const cJSON *kd_json_get(const cJSON *o, const char *key);
int kd_json_str(const cJSON *o, const char *key, const char *what, char **out, kd_error **err);
int kd_json_int(const cJSON *o, const char *key, const char *what, int64_t min, int64_t max,
                int64_t *out, kd_error **err);
int kd_json_bool(const cJSON *o, const char *key, const char *what, bool *out, kd_error **err);
int kd_json_strv(const cJSON *o, const char *key, const char *what, kd_strv *out, kd_error **err);
/* An object of strings into a map; with set_only, the values are ignored
 * (ExposedPorts and Volumes map to {}) and stored as "". */
int kd_json_map(const cJSON *o, const char *key, const char *what, bool set_only, kd_map *out,
                kd_error **err);

void kd_json_add_str(cJSON *o, const char *key, const char *s); /* skips NULL and "" */
void kd_json_add_int(cJSON *o, const char *key, int64_t v);      /* exact */
void kd_json_add_strv(cJSON *o, const char *key, const kd_strv *s); /* skips unset */
/* A map as an object of strings, or with set_only as an object of {}. Skips
 * an empty map. */
void kd_json_add_map(cJSON *o, const char *key, const kd_map *m, bool set_only);
/* Prints o without white space, frees it; the caller frees the result. */
char *kd_json_print(cJSON *o, size_t *len);

#endif
