/* --chmod for COPY/ADD: octal ("755", "0644") or symbolic clauses
 * ("u+x,go-w", "a=rX") as chmod(1) reads them, without the umask.
 * Owner: build-sandbox (helper C). */
#include "build/copy.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct clause {
    unsigned who; /* mask of the u/g/o permission bits concerned */
    char op;      /* '+', '-' or '=' */
    const char *perms;
    size_t nperms;
} clause;

struct kd_chmod {
    bool octal;
    unsigned mode;
    clause *cl;
    size_t n, cap;
};

static int parse_clause(const char *s, size_t len, clause *c)
{
    size_t i = 0;
    c->who = 0;
    for (; i < len && strchr("ugoa", s[i]); i++)
        c->who |= s[i] == 'u' ? 04700 : s[i] == 'g' ? 02070 : s[i] == 'o' ? 01007 : 07777;
    if (c->who == 0)
        c->who = 07777;
    if (i == len || !strchr("+-=", s[i]))
        return -1;
    c->op = s[i++];
    c->perms = s + i;
    c->nperms = len - i;
    for (size_t k = i; k < len; k++)
        if (!strchr("rwxXst", s[k]))
            return -1;
    return 0;
}

int kd_chmod_parse(const char *s, kd_chmod **out, kd_error **err)
{
    kd_chmod *c = kd_xcalloc(1, sizeof *c);
    if (*s && strspn(s, "01234567") == strlen(s)) {
        c->octal = true;
        c->mode = (unsigned)strtoul(s, NULL, 8);
        if (strlen(s) <= 4 && c->mode <= 07777) {
            *out = c;
            return 0;
        }
    }
    for (const char *p = s; !c->octal && *p;) {
        size_t len = strcspn(p, ",");
        KD_GROW(c->cl, c->cap, c->n + 1);
        if (len == 0 || parse_clause(p, len, &c->cl[c->n++]) < 0)
            break;
        p += len + (p[len] == ',');
        if (*p == '\0') {
            *out = c;
            return 0;
        }
    }
    kd_chmod_free(c);
    return kd_err(err, 0, "invalid --chmod value %s", s);
}

/* The bits one clause's letters give, for the file's old mode. */
static unsigned clause_bits(const clause *c, unsigned old, bool is_dir)
{
    unsigned bits = 0;
    for (size_t i = 0; i < c->nperms; i++) {
        switch (c->perms[i]) {
        case 'r': bits |= 0444; break;
        case 'w': bits |= 0222; break;
        case 'x': bits |= 0111; break;
        case 'X': bits |= (is_dir || (old & 0111)) ? 0111 : 0; break;
        case 's': bits |= 06000; break;
        case 't': bits |= 01000; break;
        }
    }
    return bits & c->who;
}

unsigned kd_chmod_apply(const kd_chmod *c, unsigned old, bool is_dir)
{
    old &= 07777;
    if (c->octal)
        return c->mode;
    for (size_t i = 0; i < c->n; i++) {
        const clause *cl = &c->cl[i];
        unsigned bits = clause_bits(cl, old, is_dir);
        if (cl->op == '+')
            old |= bits;
        else if (cl->op == '-')
            old &= ~bits;
        else
            old = (old & ~cl->who) | bits;
    }
    return old;
}

void kd_chmod_free(kd_chmod *c)
{
    if (c == NULL)
        return;
    free(c->cl);
    free(c);
}
