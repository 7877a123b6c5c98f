#include "util/utf8.h"

unsigned kd_utf8_decode(const unsigned char *s, size_t n, size_t *width)
{
    unsigned c = s[0];
    *width = 1;
    if (c < 0x80)
        return c;
    size_t len;
    unsigned cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return KD_RUNE_ERROR;
    }
    if (n < len)
        return KD_RUNE_ERROR;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return KD_RUNE_ERROR;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return KD_RUNE_ERROR;
    *width = len;
    return cp;
}

bool kd_uni_is_space(unsigned cp)
{
    switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

static bool in_table(const kd_uni_range *t, unsigned n, unsigned cp)
{
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (cp < t[mid].lo)
            hi = mid;
        else if (cp > t[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

bool kd_uni_is_print(unsigned cp)
{
    if (cp < 0x80)
        return cp >= 0x20 && cp < 0x7F;
    return in_table(kd_uni_print, kd_uni_print_len, cp);
}

bool kd_uni_is_letter(unsigned cp)
{
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    return in_table(kd_uni_letter, kd_uni_letter_len, cp);
}

bool kd_uni_is_digit(unsigned cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    return in_table(kd_uni_digit, kd_uni_digit_len, cp);
}

size_t kd_utf8_space_at(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    size_t w;
    unsigned cp = kd_utf8_decode((const unsigned char *)s, n, &w);
    if (cp == KD_RUNE_ERROR && w == 1 && (unsigned char)s[0] >= 0x80)
        return 0;
    return kd_uni_is_space(cp) ? w : 0;
}
