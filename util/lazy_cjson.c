/* cJSON, loaded on first use (see util/lazylib.h): `kdoctor lint` with its
 * default output never touches JSON, and each linked library costs every
 * process its loading. */
#include "util/lazylib.h"

#include <cjson/cJSON.h>

#define L KD_LIB_CJSON

KD_LAZY(L, cJSON *, cJSON_AddArrayToObject, (cJSON *const object, const char *const name),
        (object, name))
KD_LAZY(L, cJSON *, cJSON_AddBoolToObject,
        (cJSON *const object, const char *const name, const cJSON_bool boolean),
        (object, name, boolean))
KD_LAZY(L, cJSON_bool, cJSON_AddItemToArray, (cJSON * array, cJSON *item), (array, item))
KD_LAZY(L, cJSON_bool, cJSON_AddItemToObject, (cJSON * object, const char *string, cJSON *item),
        (object, string, item))
KD_LAZY(L, cJSON *, cJSON_AddNullToObject, (cJSON *const object, const char *const name),
        (object, name))
KD_LAZY(L, cJSON *, cJSON_AddNumberToObject,
        (cJSON *const object, const char *const name, const double number), (object, name, number))
KD_LAZY(L, cJSON *, cJSON_AddObjectToObject, (cJSON *const object, const char *const name),
        (object, name))
KD_LAZY(L, cJSON *, cJSON_AddStringToObject,
        (cJSON *const object, const char *const name, const char *const string),
        (object, name, string))
KD_LAZY(L, cJSON *, cJSON_AddTrueToObject, (cJSON *const object, const char *const name),
        (object, name))
KD_LAZY(L, cJSON *, cJSON_CreateArray, (void), ())
KD_LAZY(L, cJSON *, cJSON_CreateNull, (void), ())
KD_LAZY(L, cJSON *, cJSON_CreateNumber, (double num), (num))
KD_LAZY(L, cJSON *, cJSON_CreateObject, (void), ())
KD_LAZY(L, cJSON *, cJSON_CreateRaw, (const char *raw), (raw))
KD_LAZY(L, cJSON *, cJSON_CreateString, (const char *string), (string))
KD_LAZY_VOID(L, cJSON_Delete, (cJSON * item), (item))
KD_LAZY_VOID(L, cJSON_DeleteItemFromObjectCaseSensitive, (cJSON * object, const char *string),
             (object, string))
KD_LAZY(L, cJSON *, cJSON_DetachItemViaPointer, (cJSON * parent, cJSON *const item), (parent, item))
KD_LAZY(L, cJSON *, cJSON_GetArrayItem, (const cJSON *array, int index), (array, index))
KD_LAZY(L, int, cJSON_GetArraySize, (const cJSON *array), (array))
KD_LAZY(L, const char *, cJSON_GetErrorPtr, (void), ())
KD_LAZY(L, cJSON *, cJSON_GetObjectItem, (const cJSON *const object, const char *const string),
        (object, string))
KD_LAZY(L, cJSON *, cJSON_GetObjectItemCaseSensitive,
        (const cJSON *const object, const char *const string), (object, string))
KD_LAZY(L, cJSON_bool, cJSON_IsArray, (const cJSON *const item), (item))
KD_LAZY(L, cJSON_bool, cJSON_IsBool, (const cJSON *const item), (item))
KD_LAZY(L, cJSON_bool, cJSON_IsNull, (const cJSON *const item), (item))
KD_LAZY(L, cJSON_bool, cJSON_IsNumber, (const cJSON *const item), (item))
KD_LAZY(L, cJSON_bool, cJSON_IsObject, (const cJSON *const item), (item))
KD_LAZY(L, cJSON_bool, cJSON_IsString, (const cJSON *const item), (item))
KD_LAZY(L, cJSON_bool, cJSON_IsTrue, (const cJSON *const item), (item))
KD_LAZY(L, cJSON *, cJSON_Parse, (const char *value), (value))
KD_LAZY(L, cJSON *, cJSON_ParseWithLength, (const char *value, size_t buffer_length),
        (value, buffer_length))
KD_LAZY(L, cJSON *, cJSON_ParseWithLengthOpts,
        (const char *value, size_t buffer_length, const char **return_parse_end,
         cJSON_bool require_null_terminated),
        (value, buffer_length, return_parse_end, require_null_terminated))
KD_LAZY(L, char *, cJSON_Print, (const cJSON *item), (item))
KD_LAZY(L, char *, cJSON_PrintUnformatted, (const cJSON *item), (item))
KD_LAZY(L, cJSON_bool, cJSON_ReplaceItemInObjectCaseSensitive,
        (cJSON * object, const char *string, cJSON *newitem), (object, string, newitem))
KD_LAZY_VOID(L, cJSON_free, (void *object), (object))
