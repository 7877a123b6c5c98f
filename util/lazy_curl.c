/* libcurl, loaded on first use (see util/lazylib.h). curl.h's type-checking
 * macros would turn curl_easy_setopt into a macro; they are turned off here
 * so that this file can define the functions themselves. */
#define CURL_DISABLE_TYPECHECK
#include "util/lazylib.h"

#include <curl/curl.h>
#include <stdarg.h>

#define L KD_LIB_CURL

KD_LAZY(L, CURL *, curl_easy_init, (void), ())
KD_LAZY(L, CURLcode, curl_easy_perform, (CURL * c), (c))
KD_LAZY_VOID(L, curl_easy_cleanup, (CURL * c), (c))
KD_LAZY_VOID(L, curl_easy_reset, (CURL * c), (c))
KD_LAZY(L, char *, curl_easy_escape, (CURL * c, const char *s, int n), (c, s, n))
KD_LAZY(L, const char *, curl_easy_strerror, (CURLcode e), (e))
KD_LAZY_VOID(L, curl_free, (void *p), (p))
KD_LAZY(L, time_t, curl_getdate, (const char *p, const time_t *unused), (p, unused))
KD_LAZY(L, CURLcode, curl_global_init, (long flags), (flags))
KD_LAZY(L, struct curl_slist *, curl_slist_append, (struct curl_slist * l, const char *s), (l, s))
KD_LAZY_VOID(L, curl_slist_free_all, (struct curl_slist * l), (l))

/* The variadic two: the one argument after the option is a long, an object
 * or function pointer, or a curl_off_t, as the option's number range says
 * (curl.h's CURLOPTTYPE_*); CURLINFO arguments are all pointers. */
typedef CURLcode (*setopt_fn)(CURL *, CURLoption, ...);

CURLcode curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
    static setopt_fn fp;
    setopt_fn f = __atomic_load_n(&fp, __ATOMIC_ACQUIRE);
    if (f == NULL) {
        f = (setopt_fn)kd_lazy_sym(L, "curl_easy_setopt");
        __atomic_store_n(&fp, f, __ATOMIC_RELEASE);
    }
    va_list ap;
    va_start(ap, opt);
    CURLcode rc;
    if (opt < CURLOPTTYPE_OBJECTPOINT)
        rc = f(c, opt, va_arg(ap, long));
    else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
        rc = f(c, opt, va_arg(ap, void *));
    else if (opt < CURLOPTTYPE_OFF_T)
        rc = f(c, opt, va_arg(ap, void (*)(void)));
    else if (opt < CURLOPTTYPE_BLOB)
        rc = f(c, opt, va_arg(ap, curl_off_t));
    else
        rc = f(c, opt, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

typedef CURLcode (*getinfo_fn)(CURL *, CURLINFO, ...);

CURLcode curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
    static getinfo_fn fp;
    getinfo_fn f = __atomic_load_n(&fp, __ATOMIC_ACQUIRE);
    if (f == NULL) {
        f = (getinfo_fn)kd_lazy_sym(L, "curl_easy_getinfo");
        __atomic_store_n(&fp, f, __ATOMIC_RELEASE);
    }
    va_list ap;
    va_start(ap, info);
    CURLcode rc = f(c, info, va_arg(ap, void *));
    va_end(ap);
    return rc;
}
