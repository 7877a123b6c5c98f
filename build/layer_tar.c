/* The output side of layer writing: a tar encoder (ustar headers, PAX
 * records when a value does not fit) over a buffered stream that hashes the
 * tar (diff_id), compresses it with isa-l's igzip at level 1 (measured ~3x
 * libdeflate level 1 per chunk at a ratio within 6%; docs/layers.md), and
 * hashes and hands out the result (digest). */
#include "build/layer_tar.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TBUF (1u << 20)
#define ZBUF (1u << 20)

void kd_ltar_init(kd_ltar *w, bool gzip, kd_layer_out out, void *ctx)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->ctx = ctx;
    w->buf = kd_xmalloc(TBUF);
    w->tar_hash = kd_sha256_new();
    w->out_hash = kd_sha256_new();
    if (!gzip)
        return;
    w->z = kd_xcalloc(1, sizeof *w->z);
    isal_deflate_init(w->z);
    w->z->gzip_flag = IGZIP_GZIP;
    w->z->level = 1;
    w->z->level_buf_size = ISAL_DEF_LVL1_DEFAULT;
    w->z->level_buf = kd_xmalloc(ISAL_DEF_LVL1_DEFAULT);
    w->zbuf = kd_xmalloc(ZBUF);
}

void kd_ltar_free(kd_ltar *w)
{
    free(w->buf);
    if (w->z)
        free(w->z->level_buf);
    free(w->z);
    free(w->zbuf);
    kd_sha256_free(w->tar_hash);
    kd_sha256_free(w->out_hash);
    memset(w, 0, sizeof *w);
}

static int emit(kd_ltar *w, const void *p, size_t n, kd_error **err)
{
    kd_sha256_update(w->out_hash, p, n);
    w->out_bytes += n;
    return w->out(w->ctx, p, n, err);
}

static int deflate_some(kd_ltar *w, const unsigned char *p, size_t n, bool last, kd_error **err)
{
    struct isal_zstream *z = w->z;
    z->next_in = (uint8_t *)p;
    z->avail_in = (uint32_t)n;
    z->end_of_stream = last;
    z->flush = NO_FLUSH;
    do {
        z->next_out = w->zbuf;
        z->avail_out = ZBUF;
        if (isal_deflate(z) != COMP_OK)
            return kd_err(err, 0, "layer compression failed");
        if (emit(w, w->zbuf, ZBUF - z->avail_out, err) < 0)
            return -1;
    } while (z->avail_in > 0 || (last && z->internal_state.state != ZSTATE_END));
    return 0;
}

static int flush(kd_ltar *w, bool last, kd_error **err)
{
    kd_sha256_update(w->tar_hash, w->buf, w->len);
    w->tar_bytes += w->len;
    int rc = w->z ? deflate_some(w, w->buf, w->len, last, err) : emit(w, w->buf, w->len, err);
    w->len = 0;
    return rc;
}

/* Room for at least want bytes (want <= TBUF) at w->buf + w->len. */
int kd_ltar_room(kd_ltar *w, size_t want, unsigned char **p, size_t *room, kd_error **err)
{
    if (TBUF - w->len < want && flush(w, false, err) < 0)
        return -1;
    *p = w->buf + w->len;
    *room = TBUF - w->len;
    return 0;
}

int kd_ltar_add(kd_ltar *w, const void *p, size_t n, kd_error **err)
{
    const unsigned char *s = p;
    while (n > 0) {
        unsigned char *d;
        size_t room;
        if (kd_ltar_room(w, 1, &d, &room, err) < 0)
            return -1;
        size_t k = n < room ? n : room;
        memcpy(d, s, k);
        w->len += k, s += k, n -= k;
    }
    return 0;
}

/* Zero bytes up to the next 512-byte boundary of the tar stream. */
int kd_ltar_pad(kd_ltar *w, kd_error **err)
{
    static const unsigned char zeros[512];
    size_t rem = (size_t)((w->tar_bytes + w->len) % 512);
    return rem ? kd_ltar_add(w, zeros, 512 - rem, err) : 0;
}

int kd_ltar_finish(kd_ltar *w, kd_layer_stats *st, kd_error **err)
{
    static const unsigned char end[1024]; /* two zero blocks end the archive */
    if (kd_ltar_add(w, end, sizeof end, err) < 0 || flush(w, true, err) < 0)
        return -1;
    st->tar_size = w->tar_bytes;
    st->size = w->out_bytes;
    st->gzip = w->z != NULL;
    kd_sha256_final(w->tar_hash, st->diff_id);
    kd_sha256_final(w->out_hash, st->digest);
    w->tar_hash = w->out_hash = NULL;
    return 0;
}

/* ---- headers ---- */

/* Octal in a field of width w (w-1 digits and a NUL); false if too big. */
static bool octal(char *f, size_t w, uint64_t v)
{
    if (w < 12 && v >> (3 * (w - 1)) != 0)
        return false;
    if (w == 12 && v >> 33 != 0)
        return false;
    snprintf(f, w, "%0*llo", (int)(w - 1), (unsigned long long)v);
    return true;
}

/* One PAX record "LEN key=value\n", LEN counting itself. */
static void pax_record(kd_buf *b, const char *key, const char *val, size_t vlen)
{
    size_t body = strlen(key) + vlen + 3; /* ' ', '=', '\n' */
    size_t len = body + 1;
    while (snprintf(NULL, 0, "%zu", len) + body != len)
        len++;
    kd_buf_addf(b, "%zu %s=", len, key);
    kd_buf_add(b, val, vlen);
    kd_buf_addc(b, '\n');
}

static void pax_num(kd_buf *b, const char *key, long long v)
{
    char s[32];
    int n = snprintf(s, sizeof s, "%lld", v);
    pax_record(b, key, s, (size_t)n);
}

static bool valid_utf8(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t w = 1;
        if ((unsigned char)s[i] >= 0x80 &&
            kd_utf8_decode((const unsigned char *)s + i, n - i, &w) == KD_RUNE_ERROR && w == 1)
            return false;
        i += w;
    }
    return true;
}

static void fill_header(char h[512], const kd_ltar_hdr *e, kd_buf *pax)
{
    memset(h, 0, 512);
    size_t nl = strlen(e->name), ll = e->link ? strlen(e->link) : 0;
    bool binary = false;
    if (nl > 100) {
        pax_record(pax, "path", e->name, nl);
        binary |= !valid_utf8(e->name);
    }
    memcpy(h, e->name, nl > 100 ? 100 : nl);
    if (ll > 100) {
        pax_record(pax, "linkpath", e->link, ll);
        binary |= !valid_utf8(e->link);
    }
    if (ll)
        memcpy(h + 157, e->link, ll > 100 ? 100 : ll);
    octal(h + 100, 8, e->mode & 07777);
    if (!octal(h + 108, 8, e->uid))
        pax_num(pax, "uid", (long long)e->uid);
    if (!octal(h + 116, 8, e->gid))
        pax_num(pax, "gid", (long long)e->gid);
    if (!octal(h + 124, 12, e->size))
        pax_num(pax, "size", (long long)e->size);
    if (e->mtime < 0 || !octal(h + 136, 12, (uint64_t)e->mtime))
        pax_num(pax, "mtime", (long long)e->mtime);
    h[156] = e->type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    if (!octal(h + 329, 8, e->devmajor))
        pax_num(pax, "SCHILY.devmajor", (long long)e->devmajor);
    if (!octal(h + 337, 8, e->devminor))
        pax_num(pax, "SCHILY.devminor", (long long)e->devminor);
    for (size_t i = 0; i < e->nxattrs; i++) {
        char *key = kd_asprintf("SCHILY.xattr.%s", e->xattrs[i].name);
        pax_record(pax, key, e->xattrs[i].value, e->xattrs[i].len);
        free(key);
    }
    if (binary)
        pax_record(pax, "hdrcharset", "BINARY", 6);
}

static void checksum(char h[512])
{
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += (unsigned char)h[i];
    snprintf(h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

static int write_pax(kd_ltar *w, const kd_ltar_hdr *e, const kd_buf *pax, kd_error **err)
{
    char h[512];
    const char *base = strrchr(e->name, '/');
    base = base && base[1] ? base + 1 : e->name;
    kd_ltar_hdr p = {.type = 'x', .mode = 0644, .size = pax->len, .mtime = e->mtime};
    char name[101];
    snprintf(name, sizeof name, "PaxHeaders.0/%.*s", 87, base);
    p.name = name;
    kd_buf none = KD_BUF_INIT;
    fill_header(h, &p, &none);
    kd_buf_free(&none);
    checksum(h);
    if (kd_ltar_add(w, h, 512, err) < 0 || kd_ltar_add(w, pax->data, pax->len, err) < 0)
        return -1;
    return kd_ltar_pad(w, err);
}

int kd_ltar_header(kd_ltar *w, const kd_ltar_hdr *e, kd_error **err)
{
    char h[512];
    kd_buf pax = KD_BUF_INIT;
    fill_header(h, e, &pax);
    checksum(h);
    int rc = pax.len ? write_pax(w, e, &pax, err) : 0;
    kd_buf_free(&pax);
    if (rc < 0)
        return -1;
    return kd_ltar_add(w, h, 512, err);
}
