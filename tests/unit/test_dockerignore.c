/* .dockerignore patterns (moby/patternmatcher's own test table), Go's
 * filepath.Match (Go's match_test.go table) and the context walk. */
#include "kt.h"
#include "kt_util.h"
#include "build/dockerignore.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const char *pattern, *path;
    bool want;
} pm_case;

/* moby/patternmatcher TestMatches (MatchesOrParentMatches). */
static const pm_case pm_cases[] = {
    {"**", "file", true},
    {"**", "file/", true},
    {"**/", "file", true},
    {"**/", "file/", true},
    {"**", "/", true},
    {"**/", "/", true},
    {"**", "dir/file", true},
    {"**/", "dir/file", true},
    {"**", "dir/file/", true},
    {"**/**", "dir/file", true},
    {"**/**", "dir/file/", true},
    {"dir/**", "dir/file", true},
    {"dir/**", "dir/dir2/file", true},
    {"**/dir", "dir", true},
    {"**/dir", "dir/file", true},
    {"**/dir2/*", "dir/dir2/file", true},
    {"**/dir2/**", "dir/dir2/dir3/file", true},
    {"**file", "file", true},
    {"**file", "dir/file", true},
    {"**/file", "dir/file", true},
    {"**file", "dir/dir/file", true},
    {"**/file", "dir/dir/file", true},
    {"**/file*", "dir/dir/file", true},
    {"**/file*", "dir/dir/file.txt", true},
    {"**/file*txt", "dir/dir/file.txt", true},
    {"**/file*.txt", "dir/dir/file.txt", true},
    {"**/file*.txt*", "dir/dir/file.txt", true},
    {"**/**/*.txt", "dir/dir/file.txt", true},
    {"**/**/*.txt2", "dir/dir/file.txt", false},
    {"**/*.txt", "file.txt", true},
    {"**/**/*.txt", "file.txt", true},
    {"a**/*.txt", "a/file.txt", true},
    {"a**/*.txt", "a/dir/file.txt", true},
    {"a**/*.txt", "a/dir/dir/file.txt", true},
    {"a/*.txt", "a/dir/file.txt", false},
    {"a/*.txt", "a/file.txt", true},
    {"a/*.txt**", "a/file.txt", true},
    {"a[b-d]e", "ae", false},
    {"a[b-d]e", "ace", true},
    {"a[b-d]e", "aae", false},
    {"a[^b-d]e", "aze", true},
    {".*", ".foo", true},
    {".*", "foo", false},
    {"abc.def", "abcdef", false},
    {"abc.def", "abc.def", true},
    {"abc.def", "abcZdef", false},
    {"abc?def", "abcZdef", true},
    {"abc?def", "abcdef", false},
    {"a\\\\", "a\\", true},
    {"**/foo/bar", "foo/bar", true},
    {"**/foo/bar", "dir/foo/bar", true},
    {"**/foo/bar", "dir/dir2/foo/bar", true},
    {"abc/**", "abc", false},
    {"abc/**", "abc/def", true},
    {"abc/**", "abc/def/ghi", true},
    {"**/.foo", ".foo", true},
    {"**/.foo", "bar.foo", false},
    {"a(b)c/def", "a(b)c/def", true},
    {"a(b)c/def", "a(b)c/xyz", false},
    {"a.|)$(}+{bc", "a.|)$(}+{bc", true},
    {"dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
    {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
    /* the suffix shortcut's quirk, kept as Docker has it */
    {"**foo", "afoo", true},
    /* Docker's documentation examples */
    {"*/temp*", "somedir/temporary.txt", true},
    {"*/temp*", "somedir/temp", true},
    {"*/temp*", "temp", false},
    {"*/*/temp*", "somedir/subdir/temporary.txt", true},
    {"temp?", "tempa", true},
    {"temp?", "temp", false},
    {"/abs", "abs", true},
    {"./rel/../x", "x", true},
    {"x", "x/deep/file", true},
    {"é?", "éé", true},
};

TEST(ignore_patternmatcher_table)
{
    for (size_t i = 0; i < sizeof pm_cases / sizeof pm_cases[0]; i++) {
        const pm_case *c = &pm_cases[i];
        kd_ignore *m = NULL;
        kd_error *err = NULL;
        if (kd_ignore_parse(c->pattern, strlen(c->pattern), &m, &err) < 0) {
            kt_fail(__FILE__, __LINE__, "pattern %s: %s", c->pattern, err->msg);
            kd_error_free(err);
            continue;
        }
        if (kd_ignore_match(m, c->path) != c->want)
            kt_fail(__FILE__, __LINE__, "pattern %s path %s: expected %d", c->pattern, c->path,
                    c->want);
        kd_ignore_free(m);
    }
}

static kd_ignore *parse(const char *text)
{
    kd_ignore *m = NULL;
    kd_error *err = NULL;
    if (kd_ignore_parse(text, strlen(text), &m, &err) < 0) {
        kt_fail(__FILE__, __LINE__, "%s", err->msg);
        kd_error_free(err);
    }
    return m;
}

TEST(ignore_exceptions_last_match_wins)
{
    kd_ignore *m = parse("*.md\n!README*.md\nREADME-secret.md\n");
    REQUIRE(m != NULL);
    CHECK(kd_ignore_match(m, "other.md"));
    CHECK(!kd_ignore_match(m, "README.md"));
    CHECK(kd_ignore_match(m, "README-secret.md"));
    CHECK(kd_ignore_has_exceptions(m));
    kd_ignore_free(m);

    m = parse("docs\n!docs/README.md\n");
    REQUIRE(m != NULL);
    CHECK(kd_ignore_match(m, "docs/other"));
    CHECK(!kd_ignore_match(m, "docs/README.md"));
    CHECK(kd_ignore_match(m, "docs"));
    kd_ignore_free(m);
}

/* docker's ignorefile.ReadAll test: comments only at column 1, trimming,
 * leading '/' dropped, "!" alone is an error. */
TEST(ignore_file_syntax)
{
    kd_ignore *m = parse("\xef\xbb\xbftest1\n/test2\r\n/a/file/here\n\nlastfile\n"
                         "# this is a comment\n! /inverted/abs/path\n  # not a comment\n");
    REQUIRE(m != NULL);
    CHECK_INT(kd_ignore_count(m), 6);
    CHECK(kd_ignore_match(m, "test1"));
    CHECK(kd_ignore_match(m, "test2"));
    CHECK(kd_ignore_match(m, "a/file/here"));
    CHECK(kd_ignore_match(m, "lastfile"));
    CHECK(kd_ignore_match(m, "# not a comment"));
    CHECK(!kd_ignore_match(m, "# this is a comment"));
    kd_ignore_free(m);

    kd_ignore *bad = NULL;
    kd_error *err = NULL;
    CHECK(kd_ignore_parse("a\n!\n", 4, &bad, &err) < 0);
    REQUIRE(err != NULL);
    CHECK(strstr(err->msg, "line 2") != NULL);
    CHECK(strstr(err->msg, "illegal exclusion pattern") != NULL);
    kd_error_free(err);
    err = NULL;
    CHECK(kd_ignore_parse("a[\n", 3, &bad, &err) < 0);
    kd_error_free(err);
}

TEST(ignore_keeps_build_files)
{
    kd_ignore *m = parse("*\n");
    REQUIRE(m != NULL);
    CHECK(kd_ignore_match(m, "Dockerfile"));
    kd_ignore_keep_build_files(m, "Dockerfile");
    CHECK(!kd_ignore_match(m, "Dockerfile"));
    CHECK(!kd_ignore_match(m, ".dockerignore"));
    CHECK(kd_ignore_match(m, "src"));
    kd_ignore_free(m);
}

typedef struct {
    const char *pattern, *name;
    int want; /* 1, 0, or -1 for ErrBadPattern */
} match_case;

/* Go's path/filepath match_test.go. */
static const match_case match_cases[] = {
    {"abc", "abc", 1},
    {"*", "abc", 1},
    {"*c", "abc", 1},
    {"a*", "a", 1},
    {"a*", "abc", 1},
    {"a*", "ab/c", 0},
    {"a*/b", "abc/b", 1},
    {"a*/b", "a/c/b", 0},
    {"a*b*c*d*e*/f", "axbxcxdxe/f", 1},
    {"a*b*c*d*e*/f", "axbxcxdxexxx/f", 1},
    {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0},
    {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0},
    {"a*b?c*x", "abxbbxdbxebxczzx", 1},
    {"a*b?c*x", "abxbbxdbxebxczzy", 0},
    {"ab[c]", "abc", 1},
    {"ab[b-d]", "abc", 1},
    {"ab[e-g]", "abc", 0},
    {"ab[^c]", "abc", 0},
    {"ab[^b-d]", "abc", 0},
    {"ab[^e-g]", "abc", 1},
    {"a\\*b", "a*b", 1},
    {"a\\*b", "ab", 0},
    {"a?b", "a\xe2\x98\xba" "b", 1},
    {"a[^a]b", "a\xe2\x98\xba" "b", 1},
    {"a???b", "a\xe2\x98\xba" "b", 0},
    {"a[^a][^a][^a]b", "a\xe2\x98\xba" "b", 0},
    {"[a-\xce\xb6]*", "\xce\xb1", 1},
    {"*[a-\xce\xb6]", "A", 0},
    {"a?b", "a/b", 0},
    {"a*b", "a/b", 0},
    {"[\\]a]", "]", 1},
    {"[\\-]", "-", 1},
    {"[x\\-]", "x", 1},
    {"[x\\-]", "-", 1},
    {"[x\\-]", "z", 0},
    {"[\\-x]", "x", 1},
    {"[\\-x]", "-", 1},
    {"[\\-x]", "a", 0},
    {"[]a]", "]", -1},
    {"[-]", "-", -1},
    {"[x-]", "x", -1},
    {"[x-]", "-", -1},
    {"[x-]", "z", -1},
    {"[-x]", "x", -1},
    {"[-x]", "-", -1},
    {"[-x]", "a", -1},
    {"\\", "a", -1},
    {"[a-b-c]", "a", -1},
    {"[", "a", -1},
    {"[^", "a", -1},
    {"[^bc", "a", -1},
    {"a[", "a", -1},
    {"a[", "ab", -1},
    {"a[", "x", -1},
    {"a/b[", "x", -1},
    {"*x", "xxx", 1},
};

TEST(path_match_go_table)
{
    for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++) {
        const match_case *c = &match_cases[i];
        int got = kd_path_match(c->pattern, c->name);
        if (got != c->want)
            kt_fail(__FILE__, __LINE__, "Match(%s, %s) = %d, expected %d", c->pattern, c->name,
                    got, c->want);
    }
    CHECK(kd_path_has_meta("a*"));
    CHECK(!kd_path_has_meta("plain/name.txt"));
}

static void put(const char *dir, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static const kd_ctx_entry *find(const kd_ctx *c, const char *path)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->entries[i].path, path) == 0)
            return &c->entries[i];
    return NULL;
}

TEST(context_walk_and_hash)
{
    char dir[] = "/tmp/kd-ctx-XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/docs", dir);
    mkdir(sub, 0755);
    snprintf(sub, sizeof sub, "%s/node_modules", dir);
    mkdir(sub, 0755);
    put(dir, "app.c", "int main;");
    put(dir, "docs/README.md", "read me");
    put(dir, "docs/other.md", "other");
    put(dir, "node_modules/x.js", "x");
    put(dir, ".dockerignore", "docs\n!docs/README.md\nnode_modules\n");
    char link[600];
    snprintf(link, sizeof link, "%s/ln", dir);
    CHECK(symlink("app.c", link) == 0);

    kd_ignore *ign = NULL;
    kd_error *err = NULL;
    REQUIRE(kd_ignore_load(dir, &ign, &err) == 0);
    kd_ctx c;
    REQUIRE(kd_ctx_walk(dir, ign, &c, &err) == 0);
    CHECK(find(&c, "app.c") != NULL);
    CHECK(find(&c, "ln") != NULL && S_ISLNK(find(&c, "ln")->mode));
    CHECK(find(&c, "docs") != NULL); /* parent of an included file */
    CHECK(find(&c, "docs/README.md") != NULL);
    CHECK(find(&c, "docs/other.md") == NULL);
    CHECK(find(&c, "node_modules") == NULL);
    CHECK(find(&c, "node_modules/x.js") == NULL);
    CHECK_INT(c.n, 5); /* .dockerignore app.c docs docs/README.md ln */
    char first[KD_DIGEST_STR_LEN + 1];
    memcpy(first, c.digest, sizeof first);
    kd_ctx_free(&c);

    /* the same tree hashes the same; a content change changes it */
    REQUIRE(kd_ctx_walk(dir, ign, &c, &err) == 0);
    CHECK_STR(c.digest, first);
    kd_ctx_free(&c);
    put(dir, "app.c", "int main;;");
    REQUIRE(kd_ctx_walk(dir, ign, &c, &err) == 0);
    CHECK(strcmp(c.digest, first) != 0);
    kd_ctx_free(&c);
    /* an excluded file does not count */
    put(dir, "node_modules/x.js", "changed");
    REQUIRE(kd_ctx_walk(dir, ign, &c, &err) == 0);
    memcpy(first, c.digest, sizeof first);
    kd_ctx_free(&c);
    put(dir, "node_modules/x.js", "changed again");
    REQUIRE(kd_ctx_walk(dir, ign, &c, &err) == 0);
    CHECK_STR(c.digest, first);
    kd_ctx_free(&c);
    kd_ignore_free(ign);
    CHECK(kt_sh("rm -rf %s", dir) == 0);
}

TEST(context_entry_hash_covers_metadata)
{
    char dir[] = "/tmp/kd-ctxh-XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    put(dir, "f", "abc");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    struct stat st;
    REQUIRE(fstatat(fd, "f", &st, AT_SYMLINK_NOFOLLOW) == 0);
    char a[KD_DIGEST_STR_LEN + 1], b[KD_DIGEST_STR_LEN + 1];
    kd_error *err = NULL;
    REQUIRE(kd_ctx_entry_hash(fd, "f", "f", &st, a, &err) == 0);
    st.st_mode ^= 0100;
    REQUIRE(kd_ctx_entry_hash(fd, "f", "f", &st, b, &err) == 0);
    CHECK(strcmp(a, b) != 0);
    st.st_mode ^= 0100;
    REQUIRE(kd_ctx_entry_hash(fd, "f", "g", &st, b, &err) == 0);
    CHECK(strcmp(a, b) != 0);
    REQUIRE(kd_ctx_entry_hash(fd, "f", "f", &st, b, &err) == 0);
    CHECK_STR(b, a);
    close(fd);
    CHECK(kt_sh("rm -rf %s", dir) == 0);
}
