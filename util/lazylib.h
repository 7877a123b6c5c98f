/* Libraries loaded when first used rather than when kdoctor starts.
 *
 * Every shared library a process links costs it at start-up (on this kind
 * of machine: libcurl and its 27 dependencies about 22 ms, libarchive 9 ms,
 * libcrypto 6 ms, ncurses 4 ms, even cJSON some 0.1 ms), and `kdoctor lint` on one
 * file must start in a few milliseconds. So these libraries are not linked:
 * util/lazy_*.c define the functions kdoctor calls, with the libraries' own
 * prototypes (their headers are included, so the compiler checks them), and
 * each forwards to the real function, looked up with dlopen/dlsym on first
 * use. A command that needs a library calls kd_lazy_require() first, so a
 * missing library is a clear error rather than a failure deep inside. */
#ifndef KD_UTIL_LAZYLIB_H
#define KD_UTIL_LAZYLIB_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum kd_lazylib {
    KD_LIB_CURL,
    KD_LIB_ARCHIVE,
    KD_LIB_CRYPTO,
    KD_LIB_ISAL,
    KD_LIB_NCURSES,
    KD_LIB_CJSON,
    KD_LIB_COUNT
} kd_lazylib;

/* Whether this binary loads libraries: false in the static front
 * (out/kdoctor, linked with glibc's libc.a, which must not dlopen). */
bool kd_lazy_available(void);

/* Loads lib now; -1 with *err naming the library and its Debian package
 * when it cannot be loaded. Thread-safe; cheap after the first call. */
int kd_lazy_require(kd_lazylib lib, kd_error **err);

/* The address of symbol name in lib, loading lib if needed. A library or
 * symbol that cannot be found here is a broken installation: kdoctor says
 * which and aborts (callers that can fail cleanly use kd_lazy_require). */
void *kd_lazy_sym(kd_lazylib lib, const char *name);

/* Defines a forwarding function: ret name params { return real args; }. */
#define KD_LAZY(lib, ret, name, params, args)                                                      \
    ret name params                                                                                \
    {                                                                                              \
        static ret(*kd_fp_) params;                                                                \
        ret(*kd_f_) params = __atomic_load_n(&kd_fp_, __ATOMIC_ACQUIRE);                           \
        if (kd_f_ == NULL) {                                                                       \
            kd_f_ = (ret(*) params)kd_lazy_sym(lib, #name);                                        \
            __atomic_store_n(&kd_fp_, kd_f_, __ATOMIC_RELEASE);                                    \
        }                                                                                          \
        return kd_f_ args;                                                                         \
    }

/* The same for functions returning void. */
#define KD_LAZY_VOID(lib, name, params, args)                                                      \
    void name params                                                                               \
    {                                                                                              \
        static void(*kd_fp_) params;                                                               \
        void(*kd_f_) params = __atomic_load_n(&kd_fp_, __ATOMIC_ACQUIRE);                          \
        if (kd_f_ == NULL) {                                                                       \
            kd_f_ = (void(*) params)kd_lazy_sym(lib, #name);                                       \
            __atomic_store_n(&kd_fp_, kd_f_, __ATOMIC_RELEASE);                                    \
        }                                                                                          \
        kd_f_ args;                                                                                \
    }

#endif
