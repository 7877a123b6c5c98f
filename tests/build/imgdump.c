/* Test driver for the builder's conformance suite (not installed): dumps an
 * image in one canonical text form, so that kdoctor's image and buildah's
 * (or Docker's) can be compared with cmp.
 *
 *   imgdump tree DIR            one line per entry below DIR, sorted by path:
 *                               PATH TYPE MODE UID:GID SIZE SHA256|- LINK|-
 *                               (no times: they differ between builders)
 *   imgdump config LAYOUT TAG   the run config of the image tagged TAG in an
 *                               OCI layout: one "Field: value" line per field
 *                               (Env in order, maps sorted), then os/arch
 *   imgdump layers LAYOUT TAG   the layer count and media types
 *   imgdump config-json FILE [KEY]  the same config dump of a config object in
 *                               a JSON file (under KEY), e.g. `buildah inspect`
 * Empty values (""/[]/{}) count as absent in config dumps.
 *
 * Exit status 1 with a message on stderr when something cannot be read. */
#include "build/digest.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* ---- tree ---- */

typedef struct entry {
    char *line;
} entry;

static entry *entries;
static size_t nentries, capentries;

static void add_line(char *line)
{
    if (nentries == capentries) {
        capentries = capentries ? capentries * 2 : 256;
        entries = realloc(entries, capentries * sizeof *entries);
        if (entries == NULL)
            abort();
    }
    entries[nentries++].line = line;
}

static int file_hash(int dirfd, const char *name, char out[KD_DIGEST_STR_LEN + 1])
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    kd_sha256 *h = kd_sha256_new();
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        kd_sha256_update(h, buf, (size_t)n);
    close(fd);
    kd_sha256_final(h, out);
    return n < 0 ? -1 : 0;
}

static char type_of(mode_t m)
{
    return S_ISDIR(m) ? 'd' : S_ISREG(m) ? 'f' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c'
         : S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p' : S_ISSOCK(m) ? 's' : '?';
}

static int walk(int dirfd, const char *rel)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL)
        return -1;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = -1;
            break;
        }
        char *path = NULL;
        if (asprintf(&path, "%s/%s", rel, e->d_name) < 0)
            abort();
        char hash[KD_DIGEST_STR_LEN + 1] = "-";
        char link[4096] = "-";
        long long size = S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
        if (S_ISREG(st.st_mode) && file_hash(dirfd, e->d_name, hash) < 0)
            rc = -1;
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlinkat(dirfd, e->d_name, link, sizeof link - 1);
            link[n < 0 ? 0 : n] = '\0';
        }
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
            snprintf(link, sizeof link, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
        char *line = NULL;
        if (asprintf(&line, "%s %c %04o %u:%u %lld %s %s", path, type_of(st.st_mode),
                     (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid,
                     size, hash, link) < 0)
            abort();
        add_line(line);
        if (rc == 0 && S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            rc = sub < 0 ? -1 : walk(sub, path);
            if (sub >= 0)
                close(sub);
        }
        free(path);
    }
    closedir(d);
    return rc;
}

static int by_line(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->line, ((const entry *)b)->line);
}

static int cmd_tree(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || walk(fd, "") < 0) {
        fprintf(stderr, "imgdump: cannot walk %s: %s\n", dir, strerror(errno));
        return 1;
    }
    close(fd);
    qsort(entries, nentries, sizeof *entries, by_line);
    for (size_t i = 0; i < nentries; i++) {
        puts(entries[i].line);
        free(entries[i].line);
    }
    free(entries);
    return 0;
}

/* ---- config ---- */

static cJSON *read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, len = 0, n;
    do {
        if (len + 65536 > cap) {
            cap = (len + 65536) * 2;
            buf = realloc(buf, cap);
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
    } while (n > 0);
    fclose(f);
    buf[len] = '\0';
    cJSON *j = cJSON_Parse(buf);
    free(buf);
    return j;
}

static cJSON *blob(const char *layout, const char *digest)
{
    if (digest == NULL || strncmp(digest, "sha256:", 7) != 0)
        return NULL;
    char *path = NULL;
    if (asprintf(&path, "%s/blobs/sha256/%s", layout, digest + 7) < 0)
        abort();
    cJSON *j = read_json(path);
    free(path);
    return j;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The manifest of TAG (through an index entry, first manifest). */
static cJSON *manifest_of(const char *layout, const char *tag)
{
    char *path = NULL;
    if (asprintf(&path, "%s/index.json", layout) < 0)
        abort();
    cJSON *ix = read_json(path);
    free(path);
    cJSON *m = NULL, *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(ix, "manifests")) {
        const char *rn = str(cJSON_GetObjectItem(e, "annotations"),
                             "org.opencontainers.image.ref.name");
        if (m == NULL && (tag == NULL || (rn && strcmp(rn, tag) == 0)))
            m = blob(layout, str(e, "digest"));
    }
    cJSON_Delete(ix);
    if (m && cJSON_GetObjectItem(m, "manifests")) { /* an index: its first manifest */
        cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "manifests"), 0);
        cJSON *mm = blob(layout, str(first, "digest"));
        cJSON_Delete(m);
        m = mm;
    }
    return m;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Empty values count as absent: buildah writes "WorkingDir": "" and
 * "Volumes": {} where BuildKit leaves the field out. */
static bool is_empty(const cJSON *v)
{
    return v == NULL || cJSON_IsNull(v) || (cJSON_IsString(v) && v->valuestring[0] == '\0') ||
           ((cJSON_IsArray(v) || cJSON_IsObject(v)) && cJSON_GetArraySize(v) == 0);
}

static void print_value(const char *name, const cJSON *v)
{
    if (is_empty(v))
        return;
    if (cJSON_IsArray(v) && strcmp(name, "Env") == 0) {
        const cJSON *e;
        cJSON_ArrayForEach(e, v) printf("Env: %s\n", e->valuestring ? e->valuestring : "");
        return;
    }
    if (cJSON_IsObject(v) && strcmp(name, "Healthcheck") != 0) {
        /* a map or set: one line per key, sorted (cJSON keeps input order) */
        size_t n = (size_t)cJSON_GetArraySize(v), k = 0;
        char **lines = calloc(n + 1, sizeof *lines);
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            if (asprintf(&lines[k++], "%s: %s%s%s", name, e->string, cJSON_IsString(e) ? "=" : "",
                         cJSON_IsString(e) ? e->valuestring : "") < 0)
                abort();
        }
        qsort(lines, k, sizeof *lines, by_str);
        for (size_t i = 0; i < k; i++) {
            puts(lines[i]);
            free(lines[i]);
        }
        free(lines);
        return;
    }
    char *t = cJSON_PrintUnformatted(v);
    printf("%s: %s\n", name, t);
    free(t);
}

/* The run config and platform of an image config object c. */
static void print_config(const cJSON *c)
{
    static const char *const fields[] = {"User", "Env", "Entrypoint", "Cmd", "WorkingDir",
                                         "Labels", "ExposedPorts", "Volumes", "Healthcheck",
                                         "StopSignal", "Shell", "OnBuild"};
    const cJSON *rc = cJSON_GetObjectItem(c, "config");
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        print_value(fields[i], cJSON_GetObjectItem(rc, fields[i]));
    printf("os: %s\narchitecture: %s\n", str(c, "os"), str(c, "architecture"));
    if (str(c, "author") && *str(c, "author"))
        printf("author: %s\n", str(c, "author"));
}

static int cmd_config(const char *layout, const char *tag, bool layers)
{
    cJSON *m = manifest_of(layout, tag);
    cJSON *c = m ? blob(layout, str(cJSON_GetObjectItem(m, "config"), "digest")) : NULL;
    if (c == NULL) {
        fprintf(stderr, "imgdump: no image %s in %s\n", tag ? tag : "", layout);
        cJSON_Delete(m);
        return 1;
    }
    if (layers) {
        const cJSON *l;
        cJSON_ArrayForEach(l, cJSON_GetObjectItem(m, "layers")) printf("layer %s\n",
                                                                       str(l, "mediaType"));
    } else {
        print_config(c);
    }
    cJSON_Delete(c);
    cJSON_Delete(m);
    return 0;
}

/* A config inside a JSON document, e.g. the "Docker" object of
 * `buildah inspect` (the Docker format keeps Healthcheck, Shell, OnBuild). */
static int cmd_config_json(const char *file, const char *key)
{
    cJSON *j = read_json(file);
    const cJSON *c = key ? cJSON_GetObjectItem(j, key) : j;
    if (!cJSON_IsObject(c)) {
        fprintf(stderr, "imgdump: no config %s in %s\n", key ? key : "", file);
        cJSON_Delete(j);
        return 1;
    }
    print_config(c);
    cJSON_Delete(j);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "tree") == 0)
        return cmd_tree(argv[2]);
    if (argc == 4 && strcmp(argv[1], "config") == 0)
        return cmd_config(argv[2], argv[3], false);
    if (argc == 4 && strcmp(argv[1], "layers") == 0)
        return cmd_config(argv[2], argv[3], true);
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "config-json") == 0)
        return cmd_config_json(argv[2], argc == 4 ? argv[3] : NULL);
    fprintf(stderr, "usage: imgdump tree DIR | config LAYOUT TAG | layers LAYOUT TAG |\n"
                    "               config-json FILE [KEY]\n");
    return 2;
}
