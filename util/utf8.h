/* UTF-8 decoding and the few Unicode classes that BuildKit's Go code relies
 * on (unicode.IsSpace, IsPrint, IsLetter, IsDigit), so that our parser treats
 * every byte exactly as BuildKit does. */
#ifndef KD_UTIL_UTF8_H
#define KD_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#define KD_RUNE_ERROR 0xFFFDu

typedef struct kd_uni_range {
    unsigned lo, hi;
} kd_uni_range;

/* Decodes one rune from s[0..n) like Go's utf8.DecodeRune: an invalid or
 * truncated sequence yields KD_RUNE_ERROR with *width 1. n must be > 0. */
unsigned kd_utf8_decode(const unsigned char *s, size_t n, size_t *width);

bool kd_uni_is_space(unsigned cp);
bool kd_uni_is_print(unsigned cp);
bool kd_uni_is_letter(unsigned cp);
bool kd_uni_is_digit(unsigned cp);

/* Width in bytes of a Unicode white-space rune at s, or 0 if none there. */
size_t kd_utf8_space_at(const char *s, size_t n);

extern const kd_uni_range kd_uni_print[], kd_uni_letter[], kd_uni_digit[];
extern const unsigned kd_uni_print_len, kd_uni_letter_len, kd_uni_digit_len;

#endif
