#include "util/diff.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct line {
    const char *p;
    size_t n;      /* with its newline, if any */
    uint64_t hash; /* to compare quickly */
} line;

typedef struct lines {
    line *v;
    size_t n;
} lines;

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
    return h;
}

static lines split_lines(const char *s, size_t len)
{
    lines l = {NULL, 0};
    size_t cap = 0, i = 0;
    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) + 1 : len;
        KD_GROW(l.v, cap, l.n + 1);
        l.v[l.n++] = (line){s + i, end - i, hash_bytes(s + i, end - i)};
        i = end;
    }
    return l;
}

static bool same(const line *a, const line *b)
{
    return a->hash == b->hash && a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

/* Beyond this many differing lines the diff is not worth its memory
 * (O(D^2) for the trace): everything between the common head and tail is
 * shown as replaced. */
#define MAX_D 2000

static void replace_middle(const lines *a, const lines *b, char *del, char *ins)
{
    size_t head = 0, tail = 0;
    while (head < a->n && head < b->n && same(&a->v[head], &b->v[head]))
        head++;
    while (tail < a->n - head && tail < b->n - head &&
           same(&a->v[a->n - 1 - tail], &b->v[b->n - 1 - tail]))
        tail++;
    memset(del + head, 1, a->n - head - tail);
    memset(ins + head, 1, b->n - head - tail);
}

/* The edit script as a per-line mark: for a's lines, 1 = deleted; for b's,
 * 1 = inserted. Myers' greedy algorithm; trace[d] keeps the band of
 * furthest-reaching x values [-d, d] from before round d, for the walk back. */
static void myers(const lines *a, const lines *b, char *del, char *ins)
{
    size_t n = a->n, m = b->n, max = n + m;
    if (max == 0)
        return;
    size_t dmax = max < MAX_D ? max : MAX_D;
    size_t off = max + 1;
    long *v = kd_xcalloc(2 * max + 3, sizeof *v);
    long **trace = kd_xcalloc(dmax + 1, sizeof *trace);
    bool found = false;
    size_t dfinal = 0;
    for (size_t d = 0; d <= dmax && !found; d++) {
        trace[d] = kd_xmalloc((2 * d + 1) * sizeof **trace);
        memcpy(trace[d], v + off - d, (2 * d + 1) * sizeof *v);
        for (long k = -(long)d; k <= (long)d; k += 2) {
            long x;
            if (k == -(long)d || (k != (long)d && v[off + k - 1] < v[off + k + 1]))
                x = v[off + k + 1];
            else
                x = v[off + k - 1] + 1;
            long y = x - k;
            while ((size_t)x < n && (size_t)y < m && same(&a->v[x], &b->v[y])) {
                x++;
                y++;
            }
            v[off + k] = x;
            if ((size_t)x >= n && (size_t)y >= m) {
                found = true;
                dfinal = d;
                break;
            }
        }
    }
    if (!found) {
        replace_middle(a, b, del, ins);
    } else {
        long x = (long)n, y = (long)m;
        for (size_t d = dfinal; d > 0; d--) {
            const long *band = trace[d] + d; /* band[k] for k in [-d, d] */
            long k = x - y;
            long pk = (k == -(long)d || (k != (long)d && band[k - 1] < band[k + 1])) ? k + 1
                                                                                     : k - 1;
            long px = band[pk], py = px - pk;
            while (x > px && y > py) {
                x--;
                y--;
            }
            if (x == px)
                ins[--y] = 1;
            else
                del[--x] = 1;
        }
    }
    for (size_t d = 0; d <= dmax && trace[d]; d++)
        free(trace[d]);
    free(trace);
    free(v);
}

static void add_line(kd_buf *out, char mark, const line *l)
{
    kd_buf_addc(out, mark);
    kd_buf_add(out, l->p, l->n);
    if (l->n == 0 || l->p[l->n - 1] != '\n')
        kd_buf_adds(out, "\n\\ No newline at end of file\n");
}

/* Emits the hunks: runs of changes with up to context lines around them,
 * merged when their contexts touch. */
static void hunks(const lines *a, const lines *b, const char *del, const char *ins, int context,
                  kd_buf *out)
{
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        if (i < a->n && j < b->n && !del[i] && !ins[j]) {
            i++;
            j++;
            continue;
        }
        /* a change starts at (i, j); the hunk starts context lines before */
        size_t ctx = (size_t)context;
        size_t hi = i > ctx ? i - ctx : 0, hj = j - (i - hi);
        size_t ei = i, ej = j;
        /* extend over changes whose gap is at most 2 * context */
        for (;;) {
            while ((ei < a->n && del[ei]) || (ej < b->n && ins[ej])) {
                if (ei < a->n && del[ei])
                    ei++;
                else
                    ej++;
            }
            size_t gap = 0;
            while (ei + gap < a->n && ej + gap < b->n && !del[ei + gap] && !ins[ej + gap])
                gap++;
            bool more = (ei + gap < a->n) || (ej + gap < b->n);
            if (more && gap <= 2 * ctx) {
                ei += gap;
                ej += gap;
                continue;
            }
            size_t tail = gap < ctx ? gap : ctx;
            ei += tail;
            ej += tail;
            break;
        }
        kd_buf_addf(out, "@@ -%zu", ei - hi == 0 ? hi : hi + 1);
        if (ei - hi != 1)
            kd_buf_addf(out, ",%zu", ei - hi);
        kd_buf_addf(out, " +%zu", ej - hj == 0 ? hj : hj + 1);
        if (ej - hj != 1)
            kd_buf_addf(out, ",%zu", ej - hj);
        kd_buf_adds(out, " @@\n");
        size_t x = hi, y = hj;
        while (x < ei || y < ej) {
            if (x < ei && del[x]) {
                add_line(out, '-', &a->v[x++]);
            } else if (y < ej && ins[y]) {
                add_line(out, '+', &b->v[y++]);
            } else {
                add_line(out, ' ', &a->v[x]);
                x++;
                y++;
            }
        }
        i = ei;
        j = ej;
    }
}

bool kd_unified_diff(const char *a, size_t alen, const char *b, size_t blen, const char *old_name,
                     const char *new_name, int context, kd_buf *out)
{
    if (alen == blen && memcmp(a, b, alen) == 0)
        return false;
    lines la = split_lines(a, alen), lb = split_lines(b, blen);
    char *del = kd_xcalloc(la.n + 1, 1), *ins = kd_xcalloc(lb.n + 1, 1);
    myers(&la, &lb, del, ins);
    kd_buf_addf(out, "--- %s\n+++ %s\n", old_name, new_name);
    hunks(&la, &lb, del, ins, context, out);
    free(del);
    free(ins);
    free(la.v);
    free(lb.v);
    return true;
}
