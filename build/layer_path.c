/* Tar entry names and the small policies shared by extraction and writing. */
#include "build/layer_int.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kd_lpath_clean(const char *name, char **out)
{
    *out = NULL;
    if (name[0] == '/')
        return -1;
    size_t n = strlen(name);
    char *res = kd_xmalloc(n + 1);
    size_t len = 0;
    const char *p = name;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t cl = end ? (size_t)(end - p) : strlen(p);
        if (cl == 0 || (cl == 1 && p[0] == '.')) {
            /* "//" and "." add nothing */
        } else if (cl == 2 && p[0] == '.' && p[1] == '.') {
            if (len == 0) {
                free(res);
                return -2;
            }
            /* drop the last component: lexical, as Go's filepath.Clean does;
             * nothing on disk is looked at, so no symlink can be involved */
            while (len > 0 && res[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
        } else {
            if (len > 0)
                res[len++] = '/';
            memcpy(res + len, p, cl);
            len += cl;
        }
        p += cl;
        if (*p == '/')
            p++;
    }
    res[len] = '\0';
    *out = res;
    return 0;
}

void kd_lpath_quote(kd_buf *b, const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = strlen(name);
    kd_buf_addc(b, '"');
    for (size_t i = 0; i < n;) {
        size_t w = 1;
        unsigned cp = s[i] < 0x80 ? s[i] : kd_utf8_decode(s + i, n - i, &w);
        if (s[i] == '"' || s[i] == '\\') {
            kd_buf_addc(b, '\\');
            kd_buf_addc(b, (char)s[i]);
        } else if (s[i] < 0x20 || s[i] == 0x7f || (cp == KD_RUNE_ERROR && w == 1)) {
            kd_buf_addf(b, "\\x%02x", s[i]);
        } else {
            kd_buf_add(b, s + i, w);
        }
        i += w;
    }
    kd_buf_addc(b, '"');
}

char *kd_lpath_quoted(const char *name)
{
    kd_buf b = KD_BUF_INIT;
    kd_lpath_quote(&b, name);
    return kd_buf_detach(&b, NULL);
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

int kd_lxattr_policy(const char *name)
{
    if (has_prefix(name, "trusted.overlay.") || has_prefix(name, "user.overlay."))
        return -1;
    if (has_prefix(name, "user.") || has_prefix(name, "trusted.") ||
        strcmp(name, "security.capability") == 0)
        return 1;
    /* security.selinux, ACLs in system.*: host policy, not image content */
    return 0;
}

static int remove_dir_contents(int dfd)
{
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        rc = kd_lremove_at(dirfd(d), de->d_name);
    }
    closedir(d);
    return rc;
}

int kd_lremove_at(int dirfd, const char *name)
{
    if (unlinkat(dirfd, name, 0) == 0)
        return 0;
    if (errno != EISDIR)
        return errno == ENOENT ? 0 : -1;
    /* O_NOFOLLOW: a symlink put there meanwhile is unlinked above, never
     * entered */
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (remove_dir_contents(fd) < 0)
        return -1;
    return unlinkat(dirfd, name, AT_REMOVEDIR);
}
