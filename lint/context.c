/* What the linter knows about a build context: the folder next to the
 * Dockerfile. Its .dockerignore is read and its size walked at most once
 * per folder and run, and only when a rule asks (the walk has a cap: a
 * linter must stay fast on a huge checkout). */
#include "lint/priv.h"
#include "util/fs.h"
#include "util/mem.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WALK_MAX_ENTRIES 20000
#define WALK_MAX_DEPTH 32

typedef struct dir_entry {
    char *dir;
    char *dockerignore; /* .dockerignore's text, or NULL */
    bool ignore_read, walked, listed;
    kd_context_size size;
    char **own_ignores; /* the NAME.dockerignore files of the folder */
    size_t nown;
} dir_entry;

struct kd_ctx_cache {
    dir_entry **v; /* pointers, so that entries never move */
    size_t n;
};

static void walk(const char *dir, int depth, kd_context_size *c, size_t *entries)
{
    if (depth > WALK_MAX_DEPTH) {
        c->capped = true;
        return;
    }
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && !c->capped) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (++*entries > WALK_MAX_ENTRIES) {
            c->capped = true;
            break;
        }
        /* the entry's type comes with it on most file systems: only a
         * regular file's size needs a stat (relative to the open folder:
         * no path to build or resolve) */
        struct stat st = {.st_mode = e->d_type == DT_DIR ? S_IFDIR : e->d_type == DT_LNK ? S_IFLNK : 0};
        if ((e->d_type == DT_REG || e->d_type == DT_UNKNOWN) &&
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth == 0 && strcmp(e->d_name, ".git") == 0)
                c->has_git = true;
            if (depth == 0 && strcmp(e->d_name, "node_modules") == 0)
                c->has_node_modules = true;
            char *p = kd_asprintf("%s/%s", dir, e->d_name);
            walk(p, depth + 1, c, entries);
            free(p);
        } else if (S_ISREG(st.st_mode)) {
            c->bytes += (unsigned long long)st.st_size;
            c->files++;
        }
    }
    closedir(d);
}

static dir_entry *entry(kd_ctx_cache **cache, const char *dir)
{
    if (*cache == NULL)
        *cache = kd_xcalloc(1, sizeof **cache);
    kd_ctx_cache *k = *cache;
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->v[i]->dir, dir) == 0)
            return k->v[i];
    k->v = kd_xrealloc(k->v, (k->n + 1) * sizeof *k->v);
    dir_entry *e = kd_xcalloc(1, sizeof *e);
    e->dir = kd_xstrdup(dir);
    return k->v[k->n++] = e;
}

const char *kd_dir_dockerignore(kd_ctx_cache **cache, const char *dir)
{
    dir_entry *e = entry(cache, dir);
    if (!e->ignore_read) {
        char *ign = kd_asprintf("%s/.dockerignore", dir);
        size_t len;
        if (kd_read_file(ign, &e->dockerignore, &len, NULL) < 0)
            e->dockerignore = NULL;
        free(ign);
        e->ignore_read = true;
    }
    return e->dockerignore;
}

/* Lists the folder's NAME.dockerignore files once, so that each Dockerfile
 * need not try to open its own. */
static void list_own_ignores(dir_entry *e)
{
    e->listed = true;
    DIR *d = opendir(e->dir);
    if (d == NULL)
        return;
    static const char suffix[] = ".dockerignore";
    size_t k = sizeof suffix - 1;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        size_t n = strlen(de->d_name);
        if (n > k && strcmp(de->d_name + n - k, suffix) == 0) {
            e->own_ignores = kd_xrealloc(e->own_ignores, (e->nown + 1) * sizeof *e->own_ignores);
            e->own_ignores[e->nown++] = kd_xstrdup(de->d_name);
        }
    }
    closedir(d);
}

bool kd_dir_has_own_ignore(kd_ctx_cache **cache, const char *dir, const char *name)
{
    dir_entry *e = entry(cache, dir);
    if (!e->listed)
        list_own_ignores(e);
    size_t n = strlen(name);
    for (size_t i = 0; i < e->nown; i++)
        if (strncmp(e->own_ignores[i], name, n) == 0 && strcmp(e->own_ignores[i] + n, ".dockerignore") == 0)
            return true;
    return false;
}

const kd_context_size *kd_dir_size(kd_ctx_cache **cache, const char *dir)
{
    dir_entry *e = entry(cache, dir);
    if (!e->walked) {
        size_t entries = 0;
        walk(dir, 0, &e->size, &entries);
        e->walked = true;
    }
    return &e->size;
}

void kd_ctx_cache_free(kd_ctx_cache *k)
{
    if (k == NULL)
        return;
    for (size_t i = 0; i < k->n; i++) {
        free(k->v[i]->dir);
        free(k->v[i]->dockerignore);
        for (size_t j = 0; j < k->v[i]->nown; j++)
            free(k->v[i]->own_ignores[j]);
        free(k->v[i]->own_ignores);
        free(k->v[i]);
    }
    free(k->v);
    free(k);
}
