/* libcrypto (OpenSSL 3), loaded on first use (see util/lazylib.h). */
#include "util/lazylib.h"

#include <openssl/evp.h>

#define L KD_LIB_CRYPTO

KD_LAZY(L, EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
KD_LAZY_VOID(L, EVP_MD_CTX_free, (EVP_MD_CTX * c), (c))
KD_LAZY(L, int, EVP_DigestInit_ex, (EVP_MD_CTX * c, const EVP_MD *t, ENGINE *e), (c, t, e))
KD_LAZY(L, int, EVP_DigestUpdate, (EVP_MD_CTX * c, const void *d, size_t n), (c, d, n))
KD_LAZY(L, int, EVP_DigestFinal_ex, (EVP_MD_CTX * c, unsigned char *md, unsigned int *s),
        (c, md, s))
KD_LAZY(L, const EVP_MD *, EVP_sha256, (void), ())
KD_LAZY(L, int, EVP_EncodeBlock, (unsigned char *t, const unsigned char *f, int n), (t, f, n))
KD_LAZY(L, int, EVP_DecodeBlock, (unsigned char *t, const unsigned char *f, int n), (t, f, n))
