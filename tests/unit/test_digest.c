#include "kt.h"
#include "build/digest.h"

TEST(sha256_known_values)
{
    char d[KD_DIGEST_STR_LEN + 1];
    kd_digest_of("", 0, d);
    CHECK_STR(d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    kd_sha256 *h = kd_sha256_new();
    kd_sha256_update(h, "a", 1);
    kd_sha256_update(h, "bc", 2);
    kd_sha256_final(h, d);
    CHECK_STR(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_STR(kd_digest_hex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(digest_validation)
{
    CHECK(kd_digest_valid("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK(!kd_digest_valid("sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK(!kd_digest_valid("sha256:ba78"));
    CHECK(!kd_digest_valid("sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK(!kd_digest_valid("sha256:../../../../etc/passwd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    CHECK(!kd_digest_valid(NULL));
}
