/* Finding Dockerfiles in a directory tree for `kdoctor lint DIR`. */
#include "lint/engine.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool is_dockerfile(const char *name)
{
    size_t n = strlen(name);
    static const char ign[] = ".dockerignore"; /* BuildKit's NAME.dockerignore */
    if (n >= sizeof ign - 1 && strcmp(name + n - (sizeof ign - 1), ign) == 0)
        return false;
    return strcmp(name, "Dockerfile") == 0 || fnmatch("*.Dockerfile", name, 0) == 0 ||
           fnmatch("Dockerfile.*", name, 0) == 0;
}

static bool skip_dir(const char *name)
{
    return name[0] == '.' || strcmp(name, "node_modules") == 0;
}

static void walk(const char *dir, int depth, char ***paths, size_t *n)
{
    DIR *d = opendir(dir);
    if (d == NULL || depth > 32) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = strcmp(dir, "/") == 0 ? kd_asprintf("/%s", e->d_name)
                                        : kd_asprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && !skip_dir(e->d_name)) {
            walk(p, depth + 1, paths, n);
        } else if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && is_dockerfile(e->d_name)) {
            *paths = kd_xrealloc(*paths, (*n + 1) * sizeof **paths);
            (*paths)[(*n)++] = p;
            p = NULL;
        }
        free(p);
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int kd_find_dockerfiles(const char *dir, char ***paths, size_t *n, kd_error **err)
{
    size_t before = *n;
    char *root = kd_xstrdup(dir);
    size_t len = strlen(root);
    while (len > 1 && root[len - 1] == '/')
        root[--len] = '\0';
    DIR *d = opendir(root);
    if (d == NULL) {
        int e = errno;
        free(root);
        kd_err(err, e, "cannot open directory %s", dir);
        if (err && *err)
            (*err)->status = 2;
        return -1;
    }
    closedir(d);
    walk(root, 0, paths, n);
    free(root);
    if (*n == before) {
        kd_err(err, 0, "%s: no Dockerfile found (looked for Dockerfile, *.Dockerfile and "
                       "Dockerfile.*)", dir);
        if (err && *err)
            (*err)->status = 2;
        return -1;
    }
    qsort(*paths + before, *n - before, sizeof **paths, cmp_str);
    return 0;
}
