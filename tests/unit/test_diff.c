#include "kt.h"
#include "util/diff.h"

#include <stdlib.h>

static char *udiff(const char *a, const char *b)
{
    kd_buf out = KD_BUF_INIT;
    kd_unified_diff(a, strlen(a), b, strlen(b), "a/Dockerfile", "b/Dockerfile", 3, &out);
    return kd_buf_detach(&out, NULL);
}

TEST(equal_texts_give_no_diff)
{
    kd_buf out = KD_BUF_INIT;
    CHECK(!kd_unified_diff("x\n", 2, "x\n", 2, "a", "b", 3, &out));
    CHECK_INT(out.len, 0);
}

TEST(one_changed_line_with_context)
{
    char *d = udiff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nfive\n6\n7\n8\n");
    CHECK_STR(d, "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n"
                 " 7\n 8\n");
    free(d);
}

TEST(merged_runs)
{
    char *d = udiff("FROM a\nRUN x\nRUN y\nCMD z\n", "FROM a\nRUN x && \\\n    y\nCMD z\n");
    CHECK_STR(d, "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,4 +1,4 @@\n FROM a\n-RUN x\n-RUN y\n"
                 "+RUN x && \\\n+    y\n CMD z\n");
    free(d);
}

TEST(separate_hunks_and_insertions_at_ends)
{
    char *d = udiff("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "new\na\nb\nc\nd\ne\nf\ng\nh\ni\nj\nend\n");
    CHECK_STR(d, "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,3 +1,4 @@\n+new\n a\n b\n c\n"
                 "@@ -8,3 +9,4 @@\n h\n i\n j\n+end\n");
    free(d);
}

TEST(missing_final_newline_and_crlf)
{
    char *d = udiff("a\r\nb", "a\r\nc");
    CHECK_STR(d, "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n a\r\n-b\n\\ No newline at "
                 "end of file\n+c\n\\ No newline at end of file\n");
    free(d);
}

TEST(empty_sides)
{
    char *d = udiff("", "x\n");
    CHECK_STR(d, "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -0,0 +1 @@\n+x\n");
    free(d);
    d = udiff("x\ny\n", "");
    CHECK_STR(d, "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +0,0 @@\n-x\n-y\n");
    free(d);
}

/* Applies a unified diff of ours to a (a minimal patch: hunks in order, no
 * fuzz) and returns the result, or NULL if a context or deleted line does
 * not match a. */
static char *apply(const char *a, const char *diff)
{
    kd_buf out = KD_BUF_INIT;
    const char *ap = a, *d = strstr(diff, "@@");
    size_t aline = 1;
    while (d && strncmp(d, "@@ -", 4) == 0) {
        size_t start = strtoul(d + 4, NULL, 10);
        const char *comma = strchr(d + 4, ',');
        const char *space = strchr(d + 4, ' ');
        size_t count = comma && comma < space ? strtoul(comma + 1, NULL, 10) : 1;
        if (count == 0)
            start++; /* "-N,0" means after line N */
        while (aline < start) { /* copy unchanged lines */
            const char *nl = strchr(ap, '\n');
            size_t n = nl ? (size_t)(nl - ap) + 1 : strlen(ap);
            kd_buf_add(&out, ap, n);
            ap += n;
            aline++;
        }
        d = strchr(d, '\n') + 1;
        while (*d == ' ' || *d == '-' || *d == '+' || *d == '\\') {
            const char *nl = strchr(d, '\n');
            size_t n = (size_t)(nl - d);
            bool nonl = strncmp(nl + 1, "\\ No newline", 12) == 0;
            size_t len = n - 1 + (nonl ? 0 : 1);
            if (*d == ' ' || *d == '-') {
                if (strncmp(ap, d + 1, len) != 0) {
                    kd_buf_free(&out);
                    return NULL;
                }
                if (*d == ' ')
                    kd_buf_add(&out, ap, len);
                ap += len;
                aline++;
            } else if (*d == '+') {
                kd_buf_add(&out, d + 1, len);
            }
            d = nl + 1;
            if (nonl)
                d = strchr(d, '\n') + 1;
        }
    }
    kd_buf_adds(&out, ap);
    return kd_buf_detach(&out, NULL);
}

static char *random_text(unsigned *seed)
{
    kd_buf b = KD_BUF_INIT;
    int n = rand_r(seed) % 40;
    for (int i = 0; i < n; i++)
        kd_buf_addf(&b, "%d\n", rand_r(seed) % 6);
    if (rand_r(seed) % 5 == 0)
        kd_buf_adds(&b, "no newline");
    return kd_buf_detach(&b, NULL);
}

TEST(random_diffs_apply_back)
{
    unsigned seed = 42;
    for (int i = 0; i < 500; i++) {
        char *a = random_text(&seed), *b = random_text(&seed);
        kd_buf d = KD_BUF_INIT;
        kd_unified_diff(a, strlen(a), b, strlen(b), "a", "b", (int)(seed % 4), &d);
        char *r = d.len ? apply(a, kd_buf_str(&d)) : strdup(a);
        if (r == NULL || strcmp(r, b) != 0) {
            kt_fail(__FILE__, __LINE__, "case %d: diff does not apply back:\n%s", i,
                    kd_buf_str(&d));
            i = 500;
        }
        free(r);
        free(a);
        free(b);
        kd_buf_free(&d);
    }
}
