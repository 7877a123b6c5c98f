/* A recursive-descent JSON reader with positions (see lint/json.h). */
#include "lint/input.h"
#include "lint/json.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct jp {
    const char *path, *s;
    size_t len, i;
    unsigned line;
    size_t line_start;
    kd_error **err;
} jp;

static int jerr(jp *p, const char *msg)
{
    return kd_err_at(p->err, p->path, p->line, p->i - p->line_start + 1, "bad JSON: %s", msg);
}

static void skip_ws(jp *p)
{
    while (p->i < p->len) {
        char c = p->s[p->i];
        if (c == '\n') {
            p->line++;
            p->line_start = p->i + 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            return;
        }
        p->i++;
    }
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* One escape after the backslash at p->i; appends its bytes to b. */
static int escape(jp *p, kd_buf *b)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char c = p->i + 1 < p->len ? p->s[p->i + 1] : 0;
    const char *k = c ? strchr(from, c) : NULL;
    if (k) {
        kd_buf_addc(b, to[k - from]);
        p->i += 2;
        return 0;
    }
    unsigned cp, lo;
    if (c != 'u' || p->i + 6 > p->len || hex4(p->s + p->i + 2, &cp) < 0)
        return jerr(p, "bad escape in string");
    p->i += 6;
    if (cp >= 0xD800 && cp < 0xDC00 && p->i + 6 <= p->len && p->s[p->i] == '\\' &&
        p->s[p->i + 1] == 'u' && hex4(p->s + p->i + 2, &lo) == 0 && lo >= 0xDC00 &&
        lo < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p->i += 6;
    } else if (cp >= 0xD800 && cp < 0xE000) {
        cp = 0xFFFD; /* a lone surrogate, as Go and most decoders do */
    }
    kd_buf_add_utf8(b, cp);
    return 0;
}

static int string(jp *p, char **out, size_t *len)
{
    kd_buf b = KD_BUF_INIT;
    p->i++; /* the opening quote */
    for (;;) {
        if (p->i >= p->len) {
            kd_buf_free(&b);
            return jerr(p, "unterminated string");
        }
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"')
            break;
        if (c < 0x20) {
            kd_buf_free(&b);
            return jerr(p, "control character in string");
        }
        if (c == '\\') {
            if (escape(p, &b) < 0) {
                kd_buf_free(&b);
                return -1;
            }
            continue;
        }
        kd_buf_addc(&b, (char)c);
        p->i++;
    }
    p->i++;
    *out = kd_buf_detach(&b, len);
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int number(jp *p, kj_val *v)
{
    size_t st = p->i;
    if (p->s[p->i] == '-')
        p->i++;
    if (p->i >= p->len || !is_digit(p->s[p->i]))
        return jerr(p, "bad number");
    if (p->s[p->i] == '0')
        p->i++;
    else
        while (p->i < p->len && is_digit(p->s[p->i]))
            p->i++;
    if (p->i < p->len && p->s[p->i] == '.') {
        p->i++;
        if (p->i >= p->len || !is_digit(p->s[p->i]))
            return jerr(p, "bad number");
        while (p->i < p->len && is_digit(p->s[p->i]))
            p->i++;
    }
    if (p->i < p->len && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->len && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        if (p->i >= p->len || !is_digit(p->s[p->i]))
            return jerr(p, "bad number");
        while (p->i < p->len && is_digit(p->s[p->i]))
            p->i++;
    }
    v->type = KJ_NUM;
    v->str = kd_xmemdup0(p->s + st, p->i - st);
    v->len = p->i - st;
    return 0;
}

static int value(jp *p, kj_val *v, int depth);

static void push(kj_val *v, size_t *cap, char *key)
{
    KD_GROW(v->items, *cap, v->n + 1);
    if (v->type == KJ_OBJ)
        v->keys = kd_xrealloc(v->keys, *cap * sizeof *v->keys);
    memset(&v->items[v->n], 0, sizeof v->items[0]);
    if (key)
        v->keys[v->n] = key;
    v->n++;
}

/* Arrays and objects: elements separated by commas up to the closer. */
static int container(jp *p, kj_val *v, int depth)
{
    bool obj = p->s[p->i] == '{';
    char close = obj ? '}' : ']';
    v->type = obj ? KJ_OBJ : KJ_ARR;
    size_t cap = 0;
    p->i++;
    skip_ws(p);
    if (p->i < p->len && p->s[p->i] == close) {
        p->i++;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        if (obj) {
            size_t klen;
            if (p->i >= p->len || p->s[p->i] != '"')
                return jerr(p, "expected a member name in quotes");
            if (string(p, &key, &klen) < 0)
                return -1;
            skip_ws(p);
            if (p->i >= p->len || p->s[p->i] != ':') {
                free(key);
                return jerr(p, "expected ':' after the member name");
            }
            p->i++;
        }
        push(v, &cap, key);
        if (value(p, &v->items[v->n - 1], depth + 1) < 0)
            return -1;
        skip_ws(p);
        if (p->i < p->len && p->s[p->i] == ',') {
            p->i++;
            skip_ws(p);
            continue;
        }
        if (p->i < p->len && p->s[p->i] == close) {
            p->i++;
            return 0;
        }
        return jerr(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int literal(jp *p, kj_val *v, const char *word, kj_type t, bool b)
{
    size_t n = strlen(word);
    if (p->len - p->i < n || memcmp(p->s + p->i, word, n) != 0)
        return jerr(p, "unexpected character");
    p->i += n;
    v->type = t;
    v->b = b;
    return 0;
}

static int value(jp *p, kj_val *v, int depth)
{
    if (depth > KJ_MAX_DEPTH)
        return jerr(p, "nested too deeply");
    skip_ws(p);
    v->off = p->i;
    v->line = p->line;
    v->col = (unsigned)(p->i - p->line_start + 1);
    if (p->i >= p->len)
        return jerr(p, "unexpected end of input");
    switch (p->s[p->i]) {
    case '{':
    case '[': return container(p, v, depth);
    case '"': v->type = KJ_STR; return string(p, &v->str, &v->len);
    case 't': return literal(p, v, "true", KJ_BOOL, true);
    case 'f': return literal(p, v, "false", KJ_BOOL, false);
    case 'n': return literal(p, v, "null", KJ_NULL, false);
    default: return number(p, v);
    }
}

static void free_val(kj_val *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free_val(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
}

void kj_free(kj_val *v)
{
    if (v) {
        free_val(v);
        free(v);
    }
}

int kj_parse(const char *path, const char *data, size_t len, kj_val **out, kd_error **err)
{
    jp p = {path, data, len, 0, 1, 0, err};
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        p.i = p.line_start = 3; /* a byte-order mark, as editors write it */
    kj_val *v = kd_xcalloc(1, sizeof *v);
    if (value(&p, v, 0) < 0) {
        kj_free(v);
        return -1;
    }
    skip_ws(&p);
    if (p.i < p.len) {
        kj_free(v);
        return jerr(&p, "unexpected text after the JSON value");
    }
    *out = v;
    return 0;
}

const kj_val *kj_get(const kj_val *obj, const char *key)
{
    if (obj == NULL || obj->type != KJ_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

size_t kj_str_src_offset(const char *data, const kj_val *s, size_t i)
{
    size_t src = s->off + 1, got = 0;
    while (got < i && data[src] != '"') {
        if (data[src] != '\\') {
            src++;
            got++;
            continue;
        }
        if (data[src + 1] != 'u') {
            src += 2;
            got++;
            continue;
        }
        /* \uXXXX gives 1 to 4 UTF-8 bytes (or a pair gives 4) */
        unsigned cp;
        hex4(data + src + 2, &cp);
        size_t w = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        src += 6;
        if (cp >= 0xD800 && cp < 0xDC00 && data[src] == '\\' && data[src + 1] == 'u') {
            unsigned lo;
            if (hex4(data + src + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                src += 6;
                w = 4;
            }
        }
        got += w;
    }
    return src;
}
