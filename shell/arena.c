/* A bump allocator: a script's words, commands and texts live in one arena
 * and go with one free, so the parser needs no unwinding on bad input. */
#include "shell/internal.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_MIN 8192

typedef struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[]; /* aligned for any object */
} block;

struct sh_arena {
    block *head;
};

sh_arena *sh_arena_new(void)
{
    return kd_xcalloc(1, sizeof(sh_arena));
}

void sh_arena_free(sh_arena *a)
{
    if (a == NULL)
        return;
    for (block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
}

void *sh_alloc(sh_arena *a, size_t n)
{
    const size_t al = sizeof(max_align_t);
    n = (n + al - 1) / al * al;
    if (n == 0)
        n = al;
    block *b = a->head;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
        b = kd_xmalloc(sizeof(block) + cap);
        b->used = 0;
        b->cap = cap;
        /* a big allocation goes behind the current block so that the
         * current one keeps serving small ones */
        if (a->head && n > BLOCK_MIN) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *sh_astrndup(sh_arena *a, const char *s, size_t n)
{
    char *p = sh_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void *sh_agrow(sh_arena *a, void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap * 2 : 4;
    while (nc < need)
        nc *= 2;
    void *q = sh_alloc(a, nc * elem);
    if (p && *cap)
        memcpy(q, p, *cap * elem);
    *cap = nc;
    return q;
}
