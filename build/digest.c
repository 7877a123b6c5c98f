#include "build/digest.h"
#include "util/mem.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct kd_sha256 {
    EVP_MD_CTX *ctx;
};

kd_sha256 *kd_sha256_new(void)
{
    kd_sha256 *h = kd_xcalloc(1, sizeof *h);
    h->ctx = EVP_MD_CTX_new();
    if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        /* only out of memory gets here */
        kd_xmalloc((size_t)-1);
    }
    return h;
}

void kd_sha256_update(kd_sha256 *h, const void *p, size_t n)
{
    if (n)
        EVP_DigestUpdate(h->ctx, p, n);
}

void kd_sha256_final(kd_sha256 *h, char out[KD_DIGEST_STR_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(h->ctx, md, &len);
    memcpy(out, "sha256:", 7);
    for (int i = 0; i < 32; i++) {
        out[7 + 2 * i] = hex[md[i] >> 4];
        out[8 + 2 * i] = hex[md[i] & 15];
    }
    out[KD_DIGEST_STR_LEN] = '\0';
    kd_sha256_free(h);
}

void kd_sha256_free(kd_sha256 *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

void kd_digest_of(const void *p, size_t n, char out[KD_DIGEST_STR_LEN + 1])
{
    kd_sha256 *h = kd_sha256_new();
    kd_sha256_update(h, p, n);
    kd_sha256_final(h, out);
}

bool kd_digest_valid(const char *d)
{
    if (d == NULL || strncmp(d, "sha256:", 7) != 0 || strlen(d) != KD_DIGEST_STR_LEN)
        return false;
    for (const char *c = d + 7; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

const char *kd_digest_hex(const char *d)
{
    return d + 7;
}
