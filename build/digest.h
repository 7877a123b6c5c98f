/* SHA-256 content digests in the OCI form "sha256:<64 hex>", computed with
 * OpenSSL's libcrypto (hardware-accelerated where the CPU allows). */
#ifndef KD_BUILD_DIGEST_H
#define KD_BUILD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#define KD_DIGEST_HEX_LEN 64
#define KD_DIGEST_STR_LEN (7 + KD_DIGEST_HEX_LEN) /* "sha256:" + hex */

typedef struct kd_sha256 kd_sha256; /* a running hash; opaque */

kd_sha256 *kd_sha256_new(void);
void kd_sha256_update(kd_sha256 *h, const void *p, size_t n);
/* Writes "sha256:<hex>" and a NUL into out (KD_DIGEST_STR_LEN + 1 bytes)
 * and frees h. */
void kd_sha256_final(kd_sha256 *h, char out[KD_DIGEST_STR_LEN + 1]);
void kd_sha256_free(kd_sha256 *h);

/* One-shot digest of a buffer. */
void kd_digest_of(const void *p, size_t n, char out[KD_DIGEST_STR_LEN + 1]);

/* True for "sha256:" followed by exactly 64 lowercase hex digits; other
 * algorithms are refused, so a digest can be used as a file name safely. */
bool kd_digest_valid(const char *d);
/* The hex part of a valid digest. */
const char *kd_digest_hex(const char *d);

#endif
