/* The exec form of RUN, CMD, COPY... is a JSON array of strings, decoded the
 * way Go's encoding/json decodes it, because whether BuildKit sees exec form
 * or shell form hinges on exactly what Go accepts: a complete, valid JSON
 * value (nested up to 10000 levels), strings with U+FFFD for invalid UTF-8
 * and lone surrogates, and NULs kept. cJSON differs on all of these (its
 * strings stop at NUL, its numbers follow strtod), so this small decoder
 * exists for this one job; other JSON in kdoctor goes through cJSON. */
#include "dockerfile/json_array.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 10000

typedef struct cursor {
    const char *s;
    size_t n, i;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->i < c->n) {
        char ch = c->s[c->i];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            break;
        c->i++;
    }
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static bool hex4(const cursor *c, size_t at, unsigned *out)
{
    if (at + 4 > c->n)
        return false;
    unsigned v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(c->s[at + k]);
        if (h < 0)
            return false;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return true;
}

/* Scans a string token at c->i (which is '"'); decodes into out if given. */
static bool scan_string(cursor *c, kd_buf *out)
{
    c->i++;
    while (c->i < c->n) {
        unsigned char ch = (unsigned char)c->s[c->i];
        if (ch == '"') {
            c->i++;
            return true;
        }
        if (ch < 0x20)
            return false;
        if (ch == '\\') {
            if (c->i + 1 >= c->n)
                return false;
            char e = c->s[c->i + 1];
            unsigned cp;
            switch (e) {
            case '"': case '\\': case '/':
                cp = (unsigned char)e;
                break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u':
                if (!hex4(c, c->i + 2, &cp))
                    return false;
                c->i += 4;
                if (cp >= 0xD800 && cp < 0xDC00) {
                    unsigned lo;
                    if (c->i + 2 < c->n && c->s[c->i + 2] == '\\' && c->s[c->i + 3] == 'u' &&
                        hex4(c, c->i + 4, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        c->i += 6;
                    } else {
                        cp = KD_RUNE_ERROR;
                    }
                } else if (cp >= 0xDC00 && cp < 0xE000) {
                    cp = KD_RUNE_ERROR;
                }
                break;
            default:
                return false;
            }
            if (out)
                kd_buf_add_utf8(out, cp);
            c->i += 2;
            continue;
        }
        if (ch < 0x80) {
            if (out)
                kd_buf_addc(out, (char)ch);
            c->i++;
            continue;
        }
        size_t w;
        unsigned cp = kd_utf8_decode((const unsigned char *)c->s + c->i, c->n - c->i, &w);
        if (out) {
            if (cp == KD_RUNE_ERROR && w == 1)
                kd_buf_add_utf8(out, KD_RUNE_ERROR);
            else
                kd_buf_add(out, c->s + c->i, w);
        }
        c->i += w;
    }
    return false;
}

static bool scan_digits(cursor *c)
{
    size_t start = c->i;
    while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9')
        c->i++;
    return c->i > start;
}

static bool scan_number(cursor *c)
{
    if (c->s[c->i] == '-')
        c->i++;
    if (c->i >= c->n)
        return false;
    if (c->s[c->i] == '0')
        c->i++;
    else if (!scan_digits(c))
        return false;
    if (c->i < c->n && c->s[c->i] == '.') {
        c->i++;
        if (!scan_digits(c))
            return false;
    }
    if (c->i < c->n && (c->s[c->i] == 'e' || c->s[c->i] == 'E')) {
        c->i++;
        if (c->i < c->n && (c->s[c->i] == '+' || c->s[c->i] == '-'))
            c->i++;
        if (!scan_digits(c))
            return false;
    }
    return true;
}

static bool scan_literal(cursor *c, const char *lit)
{
    size_t n = strlen(lit);
    if (c->n - c->i < n || memcmp(c->s + c->i, lit, n) != 0)
        return false;
    c->i += n;
    return true;
}

/* Scans a scalar (string, number, literal) at c->i. */
static bool scan_scalar(cursor *c)
{
    char ch = c->s[c->i];
    if (ch == '"')
        return scan_string(c, NULL);
    if (ch == '-' || (ch >= '0' && ch <= '9'))
        return scan_number(c);
    if (ch == 't')
        return scan_literal(c, "true");
    if (ch == 'f')
        return scan_literal(c, "false");
    if (ch == 'n')
        return scan_literal(c, "null");
    return false;
}

/* Validates one complete JSON value spanning s[0..n) (white space around it
 * allowed). Iterative, with an explicit stack, so deep nesting cannot
 * overflow the C stack. */
static bool json_valid(const char *s, size_t n)
{
    cursor c = {s, n, 0};
    char *stack = kd_xmalloc(MAX_DEPTH + 1);
    size_t depth = 0;
    bool ok = false;

    skip_ws(&c);
    for (;;) {
        /* expect a value */
        if (c.i >= c.n)
            goto out;
        char ch = c.s[c.i];
        if (ch == '[' || ch == '{') {
            if (depth >= MAX_DEPTH)
                goto out;
            stack[depth++] = ch;
            c.i++;
            skip_ws(&c);
            if (c.i < c.n && c.s[c.i] == (ch == '[' ? ']' : '}')) {
                c.i++;
                depth--;
                goto after_value;
            }
            if (ch == '{')
                goto object_key;
            continue;
        }
        if (!scan_scalar(&c))
            goto out;
    after_value:
        skip_ws(&c);
        if (depth == 0) {
            ok = c.i == c.n;
            goto out;
        }
        if (c.i >= c.n)
            goto out;
        if (c.s[c.i] == ',') {
            c.i++;
            skip_ws(&c);
            if (stack[depth - 1] == '{')
                goto object_key;
            continue;
        }
        if (c.s[c.i] == (stack[depth - 1] == '[' ? ']' : '}')) {
            c.i++;
            depth--;
            goto after_value;
        }
        goto out;
    object_key:
        if (c.i >= c.n || c.s[c.i] != '"' || !scan_string(&c, NULL))
            goto out;
        skip_ws(&c);
        if (c.i >= c.n || c.s[c.i] != ':')
            goto out;
        c.i++;
        skip_ws(&c);
    }
out:
    free(stack);
    return ok;
}

int df_json_string_array(const char *s, size_t n, df_jstr **elems, size_t *nelems)
{
    *elems = NULL;
    *nelems = 0;
    cursor c = {s, n, 0};
    skip_ws(&c);
    if (c.i >= c.n || c.s[c.i] != '[')
        return 0;
    if (!json_valid(s, n))
        return 0;

    df_jstr *out = NULL;
    size_t len = 0, cap = 0;
    c.i++;
    for (;;) {
        skip_ws(&c);
        if (c.s[c.i] == ']')
            break;
        if (c.s[c.i] != '"') {
            for (size_t k = 0; k < len; k++)
                free(out[k].text);
            free(out);
            return -1;
        }
        kd_buf b = KD_BUF_INIT;
        size_t start = c.i;
        scan_string(&c, &b);
        KD_GROW(out, cap, len + 1);
        out[len].start = start;
        out[len].end = c.i;
        out[len].text = kd_buf_detach(&b, &out[len].len);
        len++;
        skip_ws(&c);
        if (c.s[c.i] == ',')
            c.i++;
    }
    *elems = out;
    *nelems = len;
    return 1;
}

void df_jstr_free(df_jstr *elems, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(elems[i].text);
    free(elems);
}
