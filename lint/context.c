/* What the linter knows about a build context: the folder next to the
 * Dockerfile, walked once per folder with a cap (a linter must stay fast
 * on a huge checkout), and its .dockerignore. */
#include "lint/priv.h"
#include "util/fs.h"
#include "util/mem.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WALK_MAX_ENTRIES 20000
#define WALK_MAX_DEPTH 32

struct kd_ctx_cache {
    kd_context_info *v;
    size_t n;
};

static void walk(const char *dir, int depth, kd_context_info *c, size_t *entries)
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
        char *p = kd_asprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                if (depth == 0 && strcmp(e->d_name, ".git") == 0)
                    c->has_git = true;
                if (depth == 0 && strcmp(e->d_name, "node_modules") == 0)
                    c->has_node_modules = true;
                walk(p, depth + 1, c, entries);
            } else if (S_ISREG(st.st_mode)) {
                c->bytes += (unsigned long long)st.st_size;
                c->files++;
            }
        }
        free(p);
    }
    closedir(d);
}

static void fill(kd_context_info *c, const char *dir)
{
    memset(c, 0, sizeof *c);
    c->dir = kd_xstrdup(dir);
    size_t entries = 0;
    walk(dir, 0, c, &entries);
    char *ign = kd_asprintf("%s/.dockerignore", dir);
    size_t len;
    if (kd_read_file(ign, &c->dockerignore, &len, NULL) < 0)
        c->dockerignore = NULL;
    free(ign);
}

const kd_context_info *kd_linter_context_in(kd_ctx_cache **cache, const char *dir)
{
    if (*cache == NULL)
        *cache = kd_xcalloc(1, sizeof **cache);
    kd_ctx_cache *k = *cache;
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->v[i].dir, dir) == 0)
            return &k->v[i];
    k->v = kd_xrealloc(k->v, (k->n + 1) * sizeof *k->v);
    fill(&k->v[k->n], dir);
    return &k->v[k->n++];
}

void kd_ctx_cache_free(kd_ctx_cache *k)
{
    if (k == NULL)
        return;
    for (size_t i = 0; i < k->n; i++) {
        free((char *)k->v[i].dir);
        free(k->v[i].dockerignore);
    }
    free(k->v);
    free(k);
}
