#include "kt.h"
#include "build/store.h"
#include "util/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmpdir(void)
{
    char *d = strdup("/tmp/kd-store-test.XXXXXX");
    return mkdtemp(d);
}

static void rmrf(const char *d)
{
    kd_remove_tree(d, NULL);
}

/* Number of entries in dir (without . and ..). */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

TEST(store_blobs)
{
    char *dir = tmpdir();
    kd_store *s;
    kd_error *e = NULL;
    REQUIRE(kd_store_open(dir, KD_STORE_SHARED, &s, &e) == 0);
    char d[KD_DIGEST_STR_LEN + 1], want[KD_DIGEST_STR_LEN + 1];
    kd_digest_of("hello", 5, want);
    REQUIRE(kd_store_put_blob(s, "hello", 5, NULL, d, &e) == 0);
    CHECK_STR(d, want);
    int64_t size = 0;
    CHECK(kd_store_has_blob(s, want, &size));
    CHECK_INT(size, 5);
    char *data;
    size_t len;
    REQUIRE(kd_store_blob_read(s, want, 100, &data, &len, &e) == 0);
    CHECK(len == 5 && memcmp(data, "hello", 5) == 0);
    free(data);
    /* a wrong expected digest is refused and nothing is stored */
    char other[KD_DIGEST_STR_LEN + 1];
    kd_digest_of("world", 5, other);
    CHECK(kd_store_put_blob(s, "hello", 5, other, NULL, &e) < 0);
    CHECK(e && strstr(e->msg, "digest mismatch"));
    kd_error_free(e);
    e = NULL;
    CHECK(!kd_store_has_blob(s, other, NULL));
    CHECK_INT(count_entries(kd_store_tmp(s)), 0);
    /* a blob larger than its expected size stops at once */
    kd_blob_writer *w;
    REQUIRE(kd_store_blob_begin(s, other, 5, &w, NULL) == 0);
    CHECK(kd_blob_writer_write(w, "wor", 3, NULL) == 0);
    CHECK(kd_blob_writer_sink(w, "ld!", 3) < 0);
    CHECK(kd_store_blob_commit(w, NULL, &e) < 0);
    CHECK(e && strstr(e->msg, "larger than the 5 bytes"));
    kd_error_free(e);
    e = NULL;
    /* streamed in pieces */
    REQUIRE(kd_store_blob_begin(s, other, 5, &w, NULL) == 0);
    CHECK(kd_blob_writer_sink(w, "wo", 2) == 0);
    CHECK(kd_blob_writer_sink(w, "rld", 3) == 0);
    CHECK_INT(kd_blob_writer_size(w), 5);
    CHECK(kd_store_blob_commit(w, NULL, &e) == 0);
    CHECK(kd_store_has_blob(s, other, NULL));
    /* corruption on disk is detected on read and the blob dropped */
    char *p = kd_store_blob_path(s, other);
    FILE *f = fopen(p, "w");
    fputs("WORLD", f);
    fclose(f);
    CHECK(kd_store_blob_read(s, other, 100, &data, &len, &e) < 0);
    CHECK(e && strstr(e->msg, "corrupt"));
    kd_error_free(e);
    e = NULL;
    CHECK(access(p, F_OK) != 0);
    free(p);
    CHECK(kd_store_blob_path(s, "sha256:../../etc/passwd") == NULL);
    CHECK(!kd_store_has_blob(s, "sha256:x", NULL));
    kd_store_close(s);
    CHECK_INT(count_entries(dir), 4); /* blobs layers tmp lock */
    rmrf(dir);
    free(dir);
}

/* Makes a tmp dir in s with one file, as an unpacked layer. */
static char *fake_layer(kd_store *s, const char *content)
{
    char *d;
    if (kd_store_mktemp_dir(s, "layer-", &d, NULL) < 0)
        return NULL;
    char *f = malloc(strlen(d) + 16);
    sprintf(f, "%s/file", d);
    FILE *fp = fopen(f, "w");
    fputs(content, fp);
    fclose(fp);
    free(f);
    /* a read-only directory must not stop its removal */
    char *sub = malloc(strlen(d) + 16);
    sprintf(sub, "%s/ro", d);
    mkdir(sub, 0500);
    free(sub);
    return d;
}

TEST(store_layers)
{
    char *dir = tmpdir();
    kd_store *s;
    REQUIRE(kd_store_open(dir, KD_STORE_SHARED, &s, NULL) == 0);
    kd_layer_meta m;
    kd_layer_meta_init(&m);
    kd_digest_of("layer", 5, m.diff_id);
    kd_digest_of("blob", 4, m.blob);
    m.tar_size = 1024;
    m.files = 1;
    CHECK(!kd_store_has_layer(s, m.diff_id));
    char *l1 = fake_layer(s, "first");
    bool won = false;
    kd_error *e = NULL;
    REQUIRE(kd_store_layer_commit(s, l1, &m, &won, &e) == 0);
    CHECK(won);
    CHECK(kd_store_has_layer(s, m.diff_id));
    /* a second producer loses and its copy goes away */
    char *l2 = fake_layer(s, "second");
    m.files = 99;
    REQUIRE(kd_store_layer_commit(s, l2, &m, &won, &e) == 0);
    CHECK(!won);
    CHECK(access(l2, F_OK) != 0);
    char *path = kd_store_layer_path(s, m.diff_id);
    char *file = malloc(strlen(path) + 8);
    sprintf(file, "%s/file", path);
    char *data;
    size_t len;
    REQUIRE(kd_read_file(file, &data, &len, NULL) == 0);
    CHECK_STR(data, "first");
    free(data);
    free(file);
    free(path);
    kd_layer_meta got;
    REQUIRE(kd_store_layer_meta(s, m.diff_id, &got, &e) == 0);
    CHECK_STR(got.blob, m.blob);
    CHECK_INT(got.files, 1); /* the first record stays */
    CHECK_INT(got.tar_size, 1024);
    CHECK_INT(got.blob_size, -1);
    kd_layer_meta_free(&got);
    char other[KD_DIGEST_STR_LEN + 1];
    kd_digest_of("nope", 4, other);
    CHECK_INT(kd_store_layer_meta(s, other, &got, &e), 1);
    CHECK(e == NULL);
    free(l1);
    free(l2);
    kd_store_close(s);
    rmrf(dir);
    free(dir);
}

TEST(store_images)
{
    char *dir = tmpdir();
    kd_store *s;
    REQUIRE(kd_store_open(dir, KD_STORE_SHARED, &s, NULL) == 0);
    char d1[KD_DIGEST_STR_LEN + 1], d2[KD_DIGEST_STR_LEN + 1], got[KD_DIGEST_STR_LEN + 1];
    kd_digest_of("1", 1, d1);
    kd_digest_of("2", 1, d2);
    kd_error *e = NULL;
    CHECK_INT(kd_store_image_get(s, "a:1", got, &e), 1);
    REQUIRE(kd_store_image_set(s, "b:1", d1, &e) == 0);
    REQUIRE(kd_store_image_set(s, "a:1", d2, &e) == 0);
    REQUIRE(kd_store_image_set(s, "b:1", d2, &e) == 0);
    CHECK_INT(kd_store_image_get(s, "b:1", got, &e), 0);
    CHECK_STR(got, d2);
    kd_store_image *list;
    size_t n;
    REQUIRE(kd_store_image_list(s, &list, &n, &e) == 0);
    REQUIRE(n == 2);
    CHECK_STR(list[0].name, "a:1");
    CHECK(list[0].created && strlen(list[0].created) == 20);
    kd_store_images_free(list, n);
    CHECK_INT(kd_store_image_remove(s, "a:1", &e), 0);
    CHECK_INT(kd_store_image_remove(s, "a:1", &e), 1);
    CHECK(kd_store_image_set(s, "x", "sha256:bad", &e) < 0);
    kd_error_free(e);
    e = NULL;
    /* a damaged index is reported, not silently replaced */
    char *idx = malloc(strlen(dir) + 16);
    sprintf(idx, "%s/images.json", dir);
    FILE *f = fopen(idx, "w");
    fputs("{\"images\":{\"x\":{\"digest\":\"sha256:zz\"}}}", f);
    fclose(f);
    CHECK(kd_store_image_set(s, "c", d1, &e) < 0);
    CHECK(e && strstr(e->msg, "damaged"));
    kd_error_free(e);
    free(idx);
    kd_store_close(s);
    rmrf(dir);
    free(dir);
}

TEST(store_cleans_crashed_sessions)
{
    char *dir = tmpdir();
    pid_t pid = fork();
    if (pid == 0) {
        kd_store *s;
        if (kd_store_open(dir, KD_STORE_SHARED, &s, NULL) < 0)
            _exit(1);
        char *t;
        int fd;
        kd_store_mktemp_file(s, "blob-", &fd, &t, NULL);
        if (write(fd, "partial", 7) != 7)
            _exit(1);
        _exit(0); /* a crash: no close */
    }
    int st;
    waitpid(pid, &st, 0);
    REQUIRE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char *tmp = malloc(strlen(dir) + 8);
    sprintf(tmp, "%s/tmp", dir);
    CHECK_INT(count_entries(tmp), 2); /* the session dir and its lock */
    kd_store *s;
    REQUIRE(kd_store_open(dir, KD_STORE_SHARED, &s, NULL) == 0);
    CHECK_INT(count_entries(tmp), 2); /* only ours now */
    /* a live session of another handle is left alone */
    kd_store *s2;
    REQUIRE(kd_store_open(dir, KD_STORE_SHARED, &s2, NULL) == 0);
    CHECK_INT(count_entries(tmp), 4);
    CHECK(access(kd_store_tmp(s), F_OK) == 0);
    kd_store_close(s2);
    kd_store_close(s);
    CHECK_INT(count_entries(tmp), 0);
    free(tmp);
    rmrf(dir);
    free(dir);
}

/* One of the concurrent workers: a shared blob, its own blob, the same
 * layer as everyone, its own image name and the shared one. */
static int worker(const char *dir, int id)
{
    kd_store *s;
    if (kd_store_open(dir, KD_STORE_SHARED, &s, NULL) < 0)
        return 1;
    char big[1 << 16];
    memset(big, 'x', sizeof big);
    char mine[64];
    snprintf(mine, sizeof mine, "worker %d", id);
    char d[KD_DIGEST_STR_LEN + 1];
    int rc = 0;
    for (int round = 0; round < 20 && rc == 0; round++) {
        kd_blob_writer *w;
        rc |= kd_store_blob_begin(s, NULL, -1, &w, NULL);
        for (int i = 0; i < 16 && rc == 0; i++)
            rc |= kd_blob_writer_write(w, big, sizeof big, NULL);
        rc |= kd_store_blob_commit(w, d, NULL);
        rc |= kd_store_put_blob(s, mine, strlen(mine), NULL, NULL, NULL);
        kd_layer_meta m;
        kd_layer_meta_init(&m);
        kd_digest_of("shared layer", 12, m.diff_id);
        char *l = fake_layer(s, "shared");
        rc |= l == NULL || kd_store_layer_commit(s, l, &m, NULL, NULL) < 0;
        free(l);
        char name[64];
        snprintf(name, sizeof name, "img%d", id);
        rc |= kd_store_image_set(s, name, d, NULL);
        rc |= kd_store_image_set(s, "shared", d, NULL);
    }
    kd_store_close(s);
    return rc != 0;
}

TEST(store_concurrent_processes)
{
    char *dir = tmpdir();
    enum { N = 8 };
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            _exit(worker(dir, i));
    }
    for (int i = 0; i < N; i++) {
        int st;
        waitpid(pids[i], &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    kd_store *s;
    REQUIRE(kd_store_open(dir, KD_STORE_SHARED, &s, NULL) == 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/blobs/sha256", dir);
    CHECK_INT(count_entries(path), N + 1);
    snprintf(path, sizeof path, "%s/layers/sha256", dir);
    CHECK_INT(count_entries(path), 2); /* the dir and its .json */
    kd_store_image *list;
    size_t n;
    REQUIRE(kd_store_image_list(s, &list, &n, NULL) == 0);
    CHECK_INT(n, N + 1);
    for (size_t i = 0; i < n; i++) {
        /* every name points at a complete blob */
        char *data;
        size_t len;
        CHECK(kd_store_blob_read(s, list[i].digest, 1 << 21, &data, &len, NULL) == 0 &&
              len == (1 << 20));
        if (len == (1 << 20))
            free(data);
    }
    kd_store_images_free(list, n);
    snprintf(path, sizeof path, "%s/tmp", dir);
    CHECK_INT(count_entries(path), 2); /* only this handle's session */
    kd_store_close(s);
    rmrf(dir);
    free(dir);
}

TEST(store_exclusive_waits_for_shared)
{
    char *dir = tmpdir();
    int go[2], done[2];
    REQUIRE(pipe(go) == 0 && pipe(done) == 0);
    /* fork first: a child would otherwise share our lock's open file */
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (read(go[0], &c, 1) != 1)
            _exit(2);
        kd_store *x;
        int rc = kd_store_open(dir, KD_STORE_EXCLUSIVE, &x, NULL);
        /* reached only once the parent closed its shared handle */
        if (write(done[1], "x", 1) != 1)
            _exit(2);
        kd_store_close(x);
        _exit(rc != 0);
    }
    close(done[1]);
    kd_store *s;
    REQUIRE(kd_store_open(dir, KD_STORE_SHARED, &s, NULL) == 0);
    REQUIRE(write(go[1], "g", 1) == 1);
    /* the child cannot get the lock while we hold ours; the pause only
     * gives a broken lock the chance to show */
    usleep(100000);
    int fl = fcntl(done[0], F_GETFL);
    fcntl(done[0], F_SETFL, fl | O_NONBLOCK);
    char c;
    CHECK(read(done[0], &c, 1) < 0);
    fcntl(done[0], F_SETFL, fl);
    kd_store_close(s);
    CHECK(read(done[0], &c, 1) == 1);
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(done[0]);
    close(go[0]);
    close(go[1]);
    rmrf(dir);
    free(dir);
}
