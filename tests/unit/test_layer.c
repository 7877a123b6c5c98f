#include "kt.h"
#include "build/layer.h"
#include "build/layer_int.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *clean(const char *name, int *rc)
{
    char *out = NULL;
    *rc = kd_lpath_clean(name, &out);
    return out;
}

TEST(layer_path_clean)
{
    static const struct {
        const char *in, *want;
        int rc;
    } cases[] = {
        {"a/b/c", "a/b/c", 0},         {"./a//b/./c/", "a/b/c", 0},
        {"./", "", 0},                 {".", "", 0},
        {"a/../b", "b", 0},            {"a/b/../../c", "c", 0},
        {"a/..", "", 0},               {"../x", NULL, -2},
        {"a/../../x", NULL, -2},       {"..", NULL, -2},
        {"/etc/passwd", NULL, -1},     {"//x", NULL, -1},
        {"a/.../b", "a/.../b", 0},     {"..a/b..", "..a/b..", 0},
        {"new\nline/\xff", "new\nline/\xff", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc;
        char *got = clean(cases[i].in, &rc);
        CHECK_INT(rc, cases[i].rc);
        if (cases[i].want)
            CHECK_STR(got, cases[i].want);
        else
            CHECK(got == NULL);
        free(got);
    }
}

TEST(layer_path_quote)
{
    char *q = kd_lpath_quoted("a\nb\xff\"c\\d caf\xc3\xa9");
    CHECK_STR(q, "\"a\\x0ab\\xff\\\"c\\\\d caf\xc3\xa9\"");
    free(q);
}

TEST(layer_xattr_policy)
{
    CHECK_INT(kd_lxattr_policy("user.comment"), 1);
    CHECK_INT(kd_lxattr_policy("security.capability"), 1);
    CHECK_INT(kd_lxattr_policy("trusted.md5"), 1);
    CHECK_INT(kd_lxattr_policy("trusted.overlay.opaque"), -1);
    CHECK_INT(kd_lxattr_policy("user.overlay.redirect"), -1);
    CHECK_INT(kd_lxattr_policy("security.selinux"), 0);
    CHECK_INT(kd_lxattr_policy("system.posix_acl_access"), 0);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

typedef struct mem {
    char *data;
    size_t len;
    int fail_after; /* calls before a failure, or -1 */
} mem;

static int mem_out(void *ctx, const void *buf, size_t n, kd_error **err)
{
    mem *m = ctx;
    if (m->fail_after == 0)
        return kd_err(err, 0, "sink full");
    if (m->fail_after > 0)
        m->fail_after--;
    m->data = realloc(m->data, m->len + n);
    memcpy(m->data + m->len, buf, n);
    m->len += n;
    return 0;
}

TEST(layer_write_empty_dir_is_two_zero_blocks)
{
    char dir[] = "/tmp/kd-unit-layer.XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    mem m = {NULL, 0, -1};
    kd_layer_write_opts o = {.compression = KD_LAYER_UNCOMPRESSED};
    kd_layer_stats st;
    kd_error *err = NULL;
    CHECK_INT(kd_layer_write_to(dir, mem_out, &m, &o, &st, &err), 0);
    CHECK_INT(m.len, 1024);
    char zeros[1024] = {0};
    CHECK(m.data && memcmp(m.data, zeros, 1024) == 0);
    char d[KD_DIGEST_STR_LEN + 1];
    kd_digest_of(zeros, 1024, d);
    CHECK_STR(st.diff_id, d);
    CHECK_STR(st.digest, d);
    CHECK_INT(st.entries, 0);
    CHECK(!st.gzip);
    free(m.data);
    rm_tree(dir);
}

TEST(layer_write_sink_error_is_passed_up)
{
    char dir[] = "/tmp/kd-unit-layer.XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    mem m = {NULL, 0, 0};
    kd_error *err = NULL;
    CHECK_INT(kd_layer_write_to(dir, mem_out, &m, NULL, NULL, &err), -1);
    REQUIRE(err != NULL);
    CHECK_STR(err->msg, "sink full");
    kd_error_free(err);
    free(m.data);
    rm_tree(dir);
    err = NULL;
    CHECK_INT(kd_layer_write("/nonexistent/kd", 1, NULL, NULL, &err), -1);
    CHECK(err != NULL);
    kd_error_free(err);
}

/* A layer written to memory, then pushed byte by byte: same digests, and
 * the file comes back. */
TEST(layer_write_then_push_one_byte_at_a_time)
{
    char src[] = "/tmp/kd-unit-layer.XXXXXX", dst[] = "/tmp/kd-unit-layer.XXXXXX";
    REQUIRE(mkdtemp(src) != NULL && mkdtemp(dst) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/f", src);
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    for (int i = 0; i < 100000; i++)
        fprintf(f, "line %d\n", i);
    fclose(f);
    mem m = {NULL, 0, -1};
    kd_layer_stats w, x;
    kd_error *err = NULL;
    REQUIRE(kd_layer_write_to(src, mem_out, &m, NULL, &w, &err) == 0);
    CHECK(w.gzip);
    CHECK_INT(w.size, m.len);
    kd_layer_extractor *ex = kd_layer_extractor_new(dst, NULL, &err);
    REQUIRE(ex != NULL);
    for (size_t i = 0; i < m.len; i++)
        REQUIRE(kd_layer_extractor_feed(ex, m.data + i, 1, &err) == 0);
    CHECK_INT(kd_layer_extractor_finish(ex, &x, &err), 0);
    CHECK_STR(x.digest, w.digest);
    CHECK_STR(x.diff_id, w.diff_id);
    CHECK_INT(x.files, 1);
    CHECK_INT(x.file_bytes, w.file_bytes);
    snprintf(path, sizeof path, "%s/f", dst);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (uint64_t)st.st_size == w.file_bytes);
    free(m.data);
    rm_tree(src);
    rm_tree(dst);
}

TEST(layer_extract_errors)
{
    char dst[] = "/tmp/kd-unit-layer.XXXXXX";
    REQUIRE(mkdtemp(dst) != NULL);
    kd_error *err = NULL;
    /* a stream that is not a tar: feed may or may not see it, finish does */
    kd_layer_extractor *x = kd_layer_extractor_new(dst, NULL, &err);
    REQUIRE(x != NULL);
    char junk[4096];
    memset(junk, 'j', sizeof junk);
    kd_layer_extractor_feed(x, junk, sizeof junk, NULL);
    CHECK_INT(kd_layer_extractor_finish(x, NULL, &err), -1);
    CHECK(err != NULL && strstr(err->msg, "layer tar") != NULL);
    kd_error_free(err);
    err = NULL;
    /* gzip magic, then garbage: the feed itself fails, and keeps failing */
    x = kd_layer_extractor_new(dst, NULL, &err);
    REQUIRE(x != NULL);
    const char bad[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff\xff\xff";
    int rc = kd_layer_extractor_feed(x, bad, sizeof bad - 1, &err);
    CHECK_INT(rc, -1);
    CHECK(err != NULL);
    kd_error_free(err);
    err = NULL;
    CHECK_INT(kd_layer_extractor_feed(x, bad, 4, &err), -1);
    kd_error_free(err);
    kd_layer_extractor_abort(x);
    /* abort in the middle of a stream frees everything */
    x = kd_layer_extractor_new(dst, NULL, NULL);
    REQUIRE(x != NULL);
    kd_layer_extractor_feed(x, "\x1f\x8b", 2, NULL);
    kd_layer_extractor_abort(x);
    err = NULL;
    CHECK(kd_layer_extractor_new("/nonexistent/kd", NULL, &err) == NULL);
    CHECK(err != NULL);
    kd_error_free(err);
    rm_tree(dst);
}

TEST(layer_extract_empty_stream)
{
    char dst[] = "/tmp/kd-unit-layer.XXXXXX";
    REQUIRE(mkdtemp(dst) != NULL);
    kd_error *err = NULL;
    kd_layer_extractor *x = kd_layer_extractor_new(dst, NULL, &err);
    REQUIRE(x != NULL);
    kd_layer_stats st;
    CHECK_INT(kd_layer_extractor_finish(x, &st, &err), 0);
    CHECK_STR(st.diff_id, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_INT(st.entries, 0);
    kd_error_free(err);
    rm_tree(dst);
}
