/* libarchive, loaded on first use (see util/lazylib.h). */
#include "util/lazylib.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <stdio.h>

#define L KD_LIB_ARCHIVE
typedef struct archive_entry entry;
typedef struct archive arch;

/* entries */
KD_LAZY(L, entry *, archive_entry_new, (void), ())
KD_LAZY_VOID(L, archive_entry_free, (entry * e), (e))
KD_LAZY(L, time_t, archive_entry_atime, (entry * e), (e))
KD_LAZY(L, int, archive_entry_atime_is_set, (entry * e), (e))
KD_LAZY(L, long, archive_entry_atime_nsec, (entry * e), (e))
KD_LAZY(L, time_t, archive_entry_mtime, (entry * e), (e))
KD_LAZY(L, long, archive_entry_mtime_nsec, (entry * e), (e))
KD_LAZY(L, __LA_MODE_T, archive_entry_filetype, (entry * e), (e))
KD_LAZY(L, __LA_MODE_T, archive_entry_mode, (entry * e), (e))
KD_LAZY(L, __LA_MODE_T, archive_entry_perm, (entry * e), (e))
KD_LAZY(L, la_int64_t, archive_entry_uid, (entry * e), (e))
KD_LAZY(L, la_int64_t, archive_entry_gid, (entry * e), (e))
KD_LAZY(L, la_int64_t, archive_entry_size, (entry * e), (e))
KD_LAZY(L, int, archive_entry_size_is_set, (entry * e), (e))
KD_LAZY(L, dev_t, archive_entry_rdev, (entry * e), (e))
KD_LAZY(L, dev_t, archive_entry_rdevmajor, (entry * e), (e))
KD_LAZY(L, dev_t, archive_entry_rdevminor, (entry * e), (e))
KD_LAZY(L, const char *, archive_entry_pathname, (entry * e), (e))
KD_LAZY(L, const char *, archive_entry_hardlink, (entry * e), (e))
KD_LAZY(L, const char *, archive_entry_symlink, (entry * e), (e))
KD_LAZY_VOID(L, archive_entry_copy_pathname, (entry * e, const char *s), (e, s))
KD_LAZY_VOID(L, archive_entry_copy_hardlink, (entry * e, const char *s), (e, s))
KD_LAZY_VOID(L, archive_entry_copy_symlink, (entry * e, const char *s), (e, s))
KD_LAZY_VOID(L, archive_entry_set_pathname, (entry * e, const char *s), (e, s))
KD_LAZY_VOID(L, archive_entry_set_filetype, (entry * e, unsigned int t), (e, t))
KD_LAZY_VOID(L, archive_entry_set_perm, (entry * e, __LA_MODE_T m), (e, m))
KD_LAZY_VOID(L, archive_entry_set_mtime, (entry * e, time_t t, long ns), (e, t, ns))
KD_LAZY_VOID(L, archive_entry_set_rdev, (entry * e, dev_t d), (e, d))
KD_LAZY_VOID(L, archive_entry_set_size, (entry * e, la_int64_t n), (e, n))
KD_LAZY_VOID(L, archive_entry_xattr_add_entry,
             (entry * e, const char *name, const void *value, size_t n), (e, name, value, n))
KD_LAZY(L, int, archive_entry_xattr_reset, (entry * e), (e))
KD_LAZY(L, int, archive_entry_xattr_next,
        (entry * e, const char **name, const void **value, size_t *n), (e, name, value, n))

/* reading */
KD_LAZY(L, arch *, archive_read_new, (void), ())
KD_LAZY(L, int, archive_read_free, (arch * a), (a))
KD_LAZY(L, int, archive_read_support_filter_all, (arch * a), (a))
KD_LAZY(L, int, archive_read_support_filter_bzip2, (arch * a), (a))
KD_LAZY(L, int, archive_read_support_filter_gzip, (arch * a), (a))
KD_LAZY(L, int, archive_read_support_filter_xz, (arch * a), (a))
KD_LAZY(L, int, archive_read_support_format_gnutar, (arch * a), (a))
KD_LAZY(L, int, archive_read_support_format_raw, (arch * a), (a))
KD_LAZY(L, int, archive_read_support_format_tar, (arch * a), (a))
KD_LAZY(L, int, archive_read_open,
        (arch * a, void *cd, archive_open_callback *o, archive_read_callback *r,
         archive_close_callback *c),
        (a, cd, o, r, c))
KD_LAZY(L, int, archive_read_open_fd, (arch * a, int fd, size_t bs), (a, fd, bs))
KD_LAZY(L, int, archive_read_open_filename, (arch * a, const char *f, size_t bs), (a, f, bs))
KD_LAZY(L, int, archive_read_next_header, (arch * a, entry **e), (a, e))
KD_LAZY(L, la_ssize_t, archive_read_data, (arch * a, void *b, size_t n), (a, b, n))
KD_LAZY(L, int, archive_read_data_block,
        (arch * a, const void **b, size_t *n, la_int64_t *off), (a, b, n, off))
KD_LAZY(L, int, archive_read_extract, (arch * a, entry *e, int flags), (a, e, flags))

/* writing */
KD_LAZY(L, arch *, archive_write_new, (void), ())
KD_LAZY(L, int, archive_write_free, (arch * a), (a))
KD_LAZY(L, int, archive_write_set_format_pax_restricted, (arch * a), (a))
KD_LAZY(L, int, archive_write_open_fd, (arch * a, int fd), (a, fd))
KD_LAZY(L, int, archive_write_open_filename, (arch * a, const char *f), (a, f))
KD_LAZY(L, int, archive_write_header, (arch * a, entry *e), (a, e))
KD_LAZY(L, la_ssize_t, archive_write_data, (arch * a, const void *b, size_t n), (a, b, n))
KD_LAZY(L, int, archive_write_close, (arch * a), (a))

/* errors */
KD_LAZY(L, const char *, archive_error_string, (arch * a), (a))

/* Variadic: formatted here, handed on as "%s". */
void archive_set_error(arch *a, int err, const char *fmt, ...)
{
    typedef void (*fn)(arch *, int, const char *, ...);
    static fn fp;
    fn f = __atomic_load_n(&fp, __ATOMIC_ACQUIRE);
    if (f == NULL) {
        f = (fn)kd_lazy_sym(L, "archive_set_error");
        __atomic_store_n(&fp, f, __ATOMIC_RELEASE);
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    f(a, err, "%s", msg);
}
