#include "util/lazylib.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef KD_LAZY_FRONT
/* The static front (Makefile: out/kdoctor): it cannot load a shared library
 * safely (a second glibc would come with it), so every command that needs
 * one is handed to kdoctor-full before it starts (cli/front.c). Reaching
 * these is a command that did not say so. */

bool kd_lazy_available(void)
{
    return false;
}

int kd_lazy_require(kd_lazylib lib, kd_error **err)
{
    return kd_err(err, 0, "internal error: this kdoctor binary does not load library %d",
                  (int)lib);
}

void *kd_lazy_sym(kd_lazylib lib, const char *name)
{
    fprintf(stderr, "kdoctor: internal error: %s (library %d) called in the static front\n", name,
            (int)lib);
    abort();
}

#else

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

typedef struct libinfo {
    const char *soname;
    const char *package; /* the Debian package that ships it */
    void *handle;
    char *error;
    pthread_once_t once;
} libinfo;

static libinfo libs[KD_LIB_COUNT] = {
    [KD_LIB_CURL] = {"libcurl.so.4", "libcurl4", NULL, NULL, PTHREAD_ONCE_INIT},
    [KD_LIB_ARCHIVE] = {"libarchive.so.13", "libarchive13", NULL, NULL, PTHREAD_ONCE_INIT},
    [KD_LIB_CRYPTO] = {"libcrypto.so.3", "libssl3", NULL, NULL, PTHREAD_ONCE_INIT},
    [KD_LIB_ISAL] = {"libisal.so.2", "libisal2", NULL, NULL, PTHREAD_ONCE_INIT},
    [KD_LIB_NCURSES] = {"libncursesw.so.6", "libncursesw6", NULL, NULL, PTHREAD_ONCE_INIT},
    [KD_LIB_CJSON] = {"libcjson.so.1", "libcjson1", NULL, NULL, PTHREAD_ONCE_INIT},
};

#define LOADER(ID)                                                                                 \
    static void load_##ID(void)                                                                    \
    {                                                                                              \
        libinfo *l = &libs[ID];                                                                    \
        l->handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);                                      \
        if (l->handle == NULL) {                                                                   \
            const char *e = dlerror();                                                             \
            l->error = e ? strdup(e) : NULL;                                                       \
        }                                                                                          \
    }
LOADER(KD_LIB_CURL)
LOADER(KD_LIB_ARCHIVE)
LOADER(KD_LIB_CRYPTO)
LOADER(KD_LIB_ISAL)
LOADER(KD_LIB_NCURSES)
LOADER(KD_LIB_CJSON)

static void (*const loaders[KD_LIB_COUNT])(void) = {
    load_KD_LIB_CURL, load_KD_LIB_ARCHIVE, load_KD_LIB_CRYPTO,
    load_KD_LIB_ISAL, load_KD_LIB_NCURSES, load_KD_LIB_CJSON,
};

static libinfo *load(kd_lazylib lib)
{
    libinfo *l = &libs[lib];
    pthread_once(&l->once, loaders[lib]);
    return l;
}

bool kd_lazy_available(void)
{
    return true;
}

int kd_lazy_require(kd_lazylib lib, kd_error **err)
{
    libinfo *l = load(lib);
    if (l->handle == NULL)
        return kd_err(err, 0, "cannot load %s (Debian package %s): %s", l->soname, l->package,
                      l->error ? l->error : "not found");
    return 0;
}

void *kd_lazy_sym(kd_lazylib lib, const char *name)
{
    libinfo *l = load(lib);
    void *p = l->handle ? dlsym(l->handle, name) : NULL;
    if (p == NULL) {
        fprintf(stderr, "kdoctor: cannot %s %s%s%s (install the Debian package %s)\n",
                l->handle ? "find" : "load", l->handle ? name : l->soname, l->handle ? " in " : "",
                l->handle ? l->soname : "", l->package);
        abort();
    }
    return p;
}

#endif
