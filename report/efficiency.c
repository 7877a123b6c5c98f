/* Replays an image's layers, bottom first, onto an in-memory tree of paths:
 * each node remembers which layer wrote it and how big it is, so that
 * overwriting or deleting it later tells which layer's bytes went to waste. */
#include "report/efficiency.h"
#include "util/buf.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Package-manager caches an image should not carry. A '*' stands for one
 * path component (a user's home). */
static const char *const cache_folders[] = {
    "/var/lib/apt/lists",      "/var/cache/apt",         "/var/cache/apk",
    "/var/cache/yum",          "/var/cache/dnf",         "/var/cache/zypp",
    "/var/cache/pacman/pkg",   "/root/.cache",           "/home/*/.cache",
    "/root/.npm",              "/home/*/.npm",           "/usr/local/share/.cache",
    "/root/.yarn",             "/root/.composer/cache",  "/home/*/.composer/cache",
    "/root/.m2/repository",    "/home/*/.m2/repository", "/root/.gradle/caches",
    "/home/*/.gradle/caches",  "/root/.gem",             "/usr/local/bundle/cache",
    "/root/.local/share/pnpm", "/opt/conda/pkgs",        "/root/go/pkg/mod/cache",
    "/go/pkg/mod/cache",       "/root/.cargo/registry",  "/usr/local/cargo/registry",
};
#define NCACHES (sizeof cache_folders / sizeof cache_folders[0])
#define NO_CACHE 0xFF

enum { T_DIR = 'd', T_FILE = 'f', T_OTHER = 'o' };

typedef struct node node;
struct node {
    char *name;
    node *parent, *first, *next, *prev; /* the parent's children, doubly linked */
    node *hnext;                        /* hash chain */
    uint64_t size;
    uint32_t layer;
    char type;
    unsigned char cache; /* index in cache_folders, or NO_CACHE */
};

typedef struct tree {
    node root;
    node **buckets;
    size_t nbuckets, count;
    kd_efficiency *out;
} tree;

/* ---- the path tree ------------------------------------------------------ */

static size_t hash(const node *parent, const char *name)
{
    size_t h = (size_t)(uintptr_t)parent * 0x9E3779B97F4A7C15ull;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001B3ull;
    return h;
}

static void rehash(tree *t)
{
    size_t n = t->nbuckets ? t->nbuckets * 2 : 4096;
    node **b = kd_xcalloc(n, sizeof *b);
    for (size_t i = 0; i < t->nbuckets; i++) {
        for (node *x = t->buckets[i], *nx; x; x = nx) {
            nx = x->hnext;
            size_t k = hash(x->parent, x->name) & (n - 1);
            x->hnext = b[k];
            b[k] = x;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static node *lookup(const tree *t, const node *parent, const char *name)
{
    if (t->nbuckets == 0)
        return NULL;
    for (node *x = t->buckets[hash(parent, name) & (t->nbuckets - 1)]; x; x = x->hnext)
        if (x->parent == parent && strcmp(x->name, name) == 0)
            return x;
    return NULL;
}

static node *insert(tree *t, node *parent, const char *name)
{
    if (t->count * 2 >= t->nbuckets)
        rehash(t);
    node *x = kd_xcalloc(1, sizeof *x);
    x->name = kd_xstrdup(name);
    x->parent = parent;
    x->next = parent->first;
    if (parent->first)
        parent->first->prev = x;
    parent->first = x;
    size_t k = hash(parent, name) & (t->nbuckets - 1);
    x->hnext = t->buckets[k];
    t->buckets[k] = x;
    t->count++;
    return x;
}

static void unhash(tree *t, node *x)
{
    node **pp = &t->buckets[hash(x->parent, x->name) & (t->nbuckets - 1)];
    while (*pp != x)
        pp = &(*pp)->hnext;
    *pp = x->hnext;
    t->count--;
}

/* Charges a node's bytes to its layer as hidden (a later layer replaced or
 * removed it). */
static void hide(tree *t, node *x)
{
    if (x->type == T_FILE)
        t->out->layers[x->layer].hidden_bytes += x->size;
}

/* Removes x's children (iteratively: trees may be deep). */
static void remove_children(tree *t, node *x, uint64_t *removed)
{
    node *cur = x->first;
    while (cur) {
        if (cur->first) {
            cur = cur->first;
            continue;
        }
        node *parent = cur->parent, *next = cur->next;
        hide(t, cur);
        (*removed)++;
        unhash(t, cur);
        parent->first = next;
        if (next)
            next->prev = NULL;
        free(cur->name);
        free(cur);
        cur = next ? next : (parent == x ? NULL : parent);
    }
}

static void remove_node(tree *t, node *x, uint64_t *removed)
{
    remove_children(t, x, removed);
    hide(t, x);
    (*removed)++;
    unhash(t, x);
    if (x->prev)
        x->prev->next = x->next;
    else
        x->parent->first = x->next;
    if (x->next)
        x->next->prev = x->prev;
    free(x->name);
    free(x);
}

/* ---- cache folders ------------------------------------------------------ */

static unsigned char cache_index(const char *path)
{
    for (size_t i = 0; i < NCACHES; i++)
        if (fnmatch(cache_folders[i], path, FNM_PATHNAME) == 0)
            return (unsigned char)i;
    return NO_CACHE;
}

const char *kd_cache_folder(const char *path)
{
    /* the folder itself or anything below it */
    kd_buf b = KD_BUF_INIT;
    const char *found = NULL;
    kd_buf_adds(&b, path);
    for (;;) {
        unsigned char i = cache_index(kd_buf_str(&b));
        if (i != NO_CACHE) {
            found = cache_folders[i];
            break;
        }
        char *slash = strrchr(b.data, '/');
        if (slash == NULL || slash == b.data)
            break;
        kd_buf_truncate(&b, (size_t)(slash - b.data));
    }
    kd_buf_free(&b);
    return found;
}

/* ---- replaying one layer ------------------------------------------------ */

typedef struct walk {
    tree *t;
    uint32_t layer;
    int rootfd;
    kd_buf path; /* "/a/b" of the directory being read */
} walk;

static bool is_opaque(int dirfd)
{
    char v[4];
    ssize_t n = fgetxattr(dirfd, "trusted.overlay.opaque", v, sizeof v);
    return n == 1 && v[0] == 'y';
}

static void apply_entry(walk *w, node *parent, const char *name, const struct stat *st,
                        node **dir_out)
{
    tree *t = w->t;
    kd_eff_layer *L = &t->out->layers[w->layer];
    node *x = lookup(t, parent, name);
    *dir_out = NULL;
    if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0)) { /* whiteout */
        if (x)
            remove_node(t, x, &L->removed);
        return;
    }
    char type = S_ISDIR(st->st_mode) ? T_DIR : S_ISREG(st->st_mode) ? T_FILE : T_OTHER;
    if (x && type == T_DIR && x->type == T_DIR) {
        *dir_out = x; /* a directory over a directory merges */
        return;
    }
    if (x) {
        remove_node(t, x, &L->removed);
        L->removed--; /* a replacement, counted as a change */
        L->changed++;
    } else {
        L->added++;
    }
    x = insert(t, parent, name);
    x->type = type;
    x->layer = w->layer;
    x->size = type == T_FILE ? (uint64_t)st->st_size : 0;
    x->cache = parent->cache;
    if (type == T_DIR && x->cache == NO_CACHE) {
        size_t len = w->path.len;
        kd_buf_addc(&w->path, '/');
        kd_buf_adds(&w->path, name);
        x->cache = cache_index(kd_buf_str(&w->path));
        kd_buf_truncate(&w->path, len);
    }
    L->bytes += x->size;
    if (x->cache != NO_CACHE)
        L->cache_bytes += x->size;
    if (type == T_DIR)
        *dir_out = x;
}

/* Reads one directory of the layer (rel is its path below the layer root,
 * "" for the root), applying each entry and recursing into directories. An
 * explicit stack would spare the C stack on hostile depths; layer trees come
 * from our own store and are bounded by PATH_MAX, which bounds recursion. */
static int walk_dir(walk *w, node *dnode, const char *rel, kd_error **err)
{
    int fd = rel[0] ? openat(w->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    : dup(w->rootfd);
    if (fd < 0)
        return kd_err(err, errno, "cannot open layer directory %s", w->path.len ? w->path.data : "/");
    if (rel[0] && is_opaque(fd)) {
        kd_eff_layer *L = &w->t->out->layers[w->layer];
        remove_children(w->t, dnode, &L->removed);
    }
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return kd_err(err, errno, "cannot read layer directory");
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = kd_err(err, errno, "cannot stat %s/%s in a layer", kd_buf_str(&w->path),
                        de->d_name);
            break;
        }
        node *child;
        apply_entry(w, dnode, de->d_name, &st, &child);
        if (child && S_ISDIR(st.st_mode)) {
            size_t plen = w->path.len;
            kd_buf_addc(&w->path, '/');
            kd_buf_adds(&w->path, de->d_name);
            char *crel = rel[0] ? kd_asprintf("%s/%s", rel, de->d_name) : kd_xstrdup(de->d_name);
            rc = walk_dir(w, child, crel, err);
            free(crel);
            kd_buf_truncate(&w->path, plen);
        }
    }
    closedir(d);
    return rc;
}

/* ---- the final filesystem ----------------------------------------------- */

static char *node_path(const node *x)
{
    size_t len = 0;
    for (const node *p = x; p->parent; p = p->parent)
        len += strlen(p->name) + 1;
    char *s = kd_xmalloc(len + 1);
    s[len] = '\0';
    for (const node *p = x; p->parent; p = p->parent) {
        size_t n = strlen(p->name);
        len -= n;
        memcpy(s + len, p->name, n);
        s[--len] = '/';
    }
    return s;
}

/* Keeps the top_n largest files in a min-heap, then sorts it. */
static void heap_push(kd_efficiency *e, size_t top_n, const node *x)
{
    if (top_n == 0)
        return;
    kd_eff_file *h = e->largest;
    if (e->nlargest == top_n) {
        if (x->size <= h[0].size)
            return;
        free(h[0].path);
        e->nlargest--;
        h[0] = h[e->nlargest];
        for (size_t i = 0;;) { /* sift down */
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < e->nlargest && h[l].size < h[m].size)
                m = l;
            if (r < e->nlargest && h[r].size < h[m].size)
                m = r;
            if (m == i)
                break;
            kd_eff_file tmp = h[i];
            h[i] = h[m];
            h[m] = tmp;
            i = m;
        }
    }
    size_t i = e->nlargest++;
    h[i] = (kd_eff_file){node_path(x), x->size, x->layer};
    while (i > 0 && h[(i - 1) / 2].size > h[i].size) { /* sift up */
        kd_eff_file tmp = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

static int by_size_desc(const void *a, const void *b)
{
    const kd_eff_file *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return strcmp(x->path, y->path);
}

static int cache_by_bytes(const void *a, const void *b)
{
    const kd_eff_cache *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return strcmp(x->folder, y->folder);
}

static void summarise(tree *t, size_t top_n)
{
    kd_efficiency *e = t->out;
    kd_eff_cache caches[NCACHES];
    memset(caches, 0, sizeof caches);
    e->largest = kd_xcalloc(top_n ? top_n : 1, sizeof *e->largest);
    for (node *x = t->root.first; x;) {
        e->final_files++;
        e->final_bytes += x->size;
        if (x->type == T_FILE) {
            heap_push(e, top_n, x);
            if (x->cache != NO_CACHE) {
                caches[x->cache].bytes += x->size;
                caches[x->cache].files++;
            }
        }
        /* pre-order walk without recursion */
        if (x->first) {
            x = x->first;
            continue;
        }
        while (x && !x->next)
            x = x->parent == &t->root ? NULL : x->parent;
        if (x)
            x = x->next;
    }
    qsort(e->largest, e->nlargest, sizeof *e->largest, by_size_desc);
    e->caches = kd_xcalloc(NCACHES, sizeof *e->caches);
    for (size_t i = 0; i < NCACHES; i++) {
        if (caches[i].bytes == 0)
            continue;
        caches[i].folder = cache_folders[i];
        e->caches[e->ncaches++] = caches[i];
        e->cache_bytes += caches[i].bytes;
    }
    qsort(e->caches, e->ncaches, sizeof *e->caches, cache_by_bytes);
    for (size_t i = 0; i < e->nlayers; i++)
        e->stored_bytes += e->layers[i].bytes;
    e->wasted_bytes = e->stored_bytes - e->final_bytes;
    e->score = e->stored_bytes ? (double)e->final_bytes / (double)e->stored_bytes : 1.0;
}

static void free_tree(tree *t)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        for (node *x = t->buckets[i], *nx; x; x = nx) {
            nx = x->hnext;
            free(x->name);
            free(x);
        }
    }
    free(t->buckets);
}

int kd_efficiency_analyze(const char *const *dirs, size_t n, size_t top_n, kd_efficiency *out,
                          kd_error **err)
{
    memset(out, 0, sizeof *out);
    out->layers = kd_xcalloc(n ? n : 1, sizeof *out->layers);
    out->nlayers = n;
    tree t = {.out = out};
    t.root.type = T_DIR;
    t.root.cache = NO_CACHE;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        walk w = {.t = &t, .layer = (uint32_t)i, .path = KD_BUF_INIT};
        w.rootfd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (w.rootfd < 0) {
            rc = kd_err(err, errno, "cannot open layer %s", dirs[i]);
            break;
        }
        rc = walk_dir(&w, &t.root, "", err);
        close(w.rootfd);
        kd_buf_free(&w.path);
    }
    if (rc == 0)
        summarise(&t, top_n);
    free_tree(&t);
    if (rc < 0)
        kd_efficiency_free(out);
    return rc;
}

void kd_efficiency_free(kd_efficiency *e)
{
    free(e->layers);
    for (size_t i = 0; i < e->nlargest; i++)
        free(e->largest[i].path);
    free(e->largest);
    free(e->caches);
    memset(e, 0, sizeof *e);
}
