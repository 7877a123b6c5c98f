/* Queries a rule asks of a simple command: its name, wrappers, options
 * (short clusters, long options with or without =value, values), the
 * positional arguments and the connector to what runs next. */
#include "shell/internal.h"

#include <string.h>

const char *sh_cmd_name(const sh_cmd *c)
{
    if (c == NULL || c->kind != SH_SIMPLE || c->argv0 >= c->nwords)
        return "";
    return c->name_ ? c->name_ : sh_basename(c->words[c->argv0].text);
}

static const sh_optspec *opts_of(const sh_cmd *c)
{
    return c->opts_ ? c->opts_ : sh_optspec_for(sh_cmd_name(c));
}

bool sh_cmd_is(const sh_cmd *c, const char *names)
{
    if (c == NULL || c->kind != SH_SIMPLE || c->argv0 >= c->nwords)
        return false;
    if (c->name_)
        return c->name_len_ && sh_name_in_hashed(c->name_, c->name_len_, c->name_hash_, names);
    const char *n = sh_cmd_name(c);
    return *n && sh_name_in(n, strlen(n), names);
}

bool sh_cmd_wrapped_by(const sh_cmd *c, const char *names)
{
    for (size_t k = 0; k < c->nwrappers; k++) {
        const char *n = sh_basename(c->words[c->wrappers[k]].text);
        if (sh_name_in(n, strlen(n), names))
            return true;
    }
    return false;
}

size_t sh_cmd_argc(const sh_cmd *c)
{
    return c->kind == SH_SIMPLE && c->argv0 < c->nwords ? c->nwords - c->argv0 : 0;
}

const sh_word *sh_cmd_arg(const sh_cmd *c, size_t i)
{
    return i < sh_cmd_argc(c) ? &c->words[c->argv0 + i] : NULL;
}

/* ---- the argument scanner ---------------------------------------------------- */

typedef enum ev_kind { EV_SHORT, EV_LONG, EV_POS } ev_kind;

typedef struct argev {
    ev_kind kind;
    char ch;          /* EV_SHORT */
    const char *name; /* EV_LONG, without dashes, nlen bytes */
    size_t nlen;
    const char *value;    /* an option's value, or NULL */
    const sh_word *where; /* the word holding the value, or the positional */
} argev;

/* returns true to stop the scan */
typedef bool (*arg_fn)(const argev *e, void *ud);

static bool scan_long(const sh_cmd *c, const sh_optspec *sp, size_t *i, const char *name, arg_fn fn,
                      void *ud)
{
    const char *eq = strchr(name, '=');
    argev e = {.kind = EV_LONG, .name = name, .nlen = eq ? (size_t)(eq - name) : strlen(name)};
    e.where = &c->words[*i];
    if (eq) {
        e.value = eq + 1;
    } else if (*i + 1 < c->nwords && /* the spec tables are constant: their lists are hashed */
               sh_name_in_hashed(name, e.nlen, sh_name_hash(name, e.nlen), sp->long_value)) {
        e.where = &c->words[++*i];
        e.value = e.where->text;
    }
    return fn(&e, ud);
}

static bool scan_short(const sh_cmd *c, const sh_optspec *sp, size_t *i, arg_fn fn, void *ud)
{
    const sh_word *w = &c->words[*i];
    for (const char *p = w->text + 1; *p; p++) {
        argev e = {.kind = EV_SHORT, .ch = *p, .where = w};
        if (p[1] == '=') { /* apt-get -q=2 */
            e.value = p + 2;
        } else if (strchr(sp->short_value, *p)) {
            if (p[1]) {
                e.value = p + 1;
            } else if (*i + 1 < c->nwords) {
                e.where = &c->words[++*i];
                e.value = e.where->text;
            }
        }
        if (fn(&e, ud))
            return true;
        if (e.value)
            break;
    }
    return false;
}

static void scan_args(const sh_cmd *c, arg_fn fn, void *ud)
{
    if (c->kind != SH_SIMPLE || c->argv0 >= c->nwords)
        return;
    const sh_optspec *sp = opts_of(c);
    bool ended = false;
    for (size_t i = c->argv0 + 1; i < c->nwords; i++) {
        const char *t = c->words[i].text;
        bool stop;
        if (ended || t[0] != '-' || t[1] == '\0') {
            argev e = {.kind = EV_POS, .where = &c->words[i], .value = t};
            stop = fn(&e, ud);
        } else if (strcmp(t, "--") == 0) {
            ended = true;
            continue;
        } else if (t[1] == '-' || sp->dash_long) {
            stop = scan_long(c, sp, &i, t + (t[1] == '-' ? 2 : 1), fn, ud);
        } else {
            stop = scan_short(c, sp, &i, fn, ud);
        }
        if (stop)
            return;
    }
}

/* ---- option queries ------------------------------------------------------------ */

typedef struct optq {
    const char *opts;
    bool dash_long;
    size_t count;
    const char *value;
    const sh_word *where;
} optq;

static bool spelling_matches(const argev *e, const char *s, size_t n, bool dash_long)
{
    if (n < 2 || s[0] != '-')
        return false;
    if (s[1] == '-' || dash_long) {
        size_t skip = s[1] == '-' ? 2 : 1;
        return e->kind == EV_LONG && e->nlen == n - skip && memcmp(e->name, s + skip, e->nlen) == 0;
    }
    return n == 2 && e->kind == EV_SHORT && e->ch == s[1];
}

static bool ev_matches(const argev *e, const char *opts, bool dash_long)
{
    for (const char *p = opts; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (spelling_matches(e, p, n, dash_long))
            return true;
        if (bar == NULL)
            break;
        p = bar + 1;
    }
    return false;
}

static bool on_opt(const argev *e, void *ud)
{
    optq *q = ud;
    if (e->kind != EV_POS && ev_matches(e, q->opts, q->dash_long)) {
        q->count++;
        q->value = e->value;
        q->where = e->where;
    }
    return false;
}

static optq query_opts(const sh_cmd *c, const char *opts)
{
    optq q = {.opts = opts, .dash_long = opts_of(c)->dash_long};
    scan_args(c, on_opt, &q);
    return q;
}

bool sh_cmd_has_opt(const sh_cmd *c, const char *opts)
{
    return query_opts(c, opts).count > 0;
}

size_t sh_cmd_opt_count(const sh_cmd *c, const char *opts)
{
    return query_opts(c, opts).count;
}

const char *sh_cmd_opt_value(const sh_cmd *c, const char *opts, const sh_word **where)
{
    optq q = query_opts(c, opts);
    if (where)
        *where = q.value ? q.where : NULL;
    return q.value;
}

/* ---- positionals ------------------------------------------------------------------ */

typedef struct posq {
    size_t want, seen;
    const sh_word *found;
} posq;

static bool on_pos(const argev *e, void *ud)
{
    posq *q = ud;
    if (e->kind != EV_POS)
        return false;
    if (q->seen++ == q->want) {
        q->found = e->where;
        return true;
    }
    return false;
}

const sh_word *sh_cmd_positional(const sh_cmd *c, size_t k)
{
    posq q = {.want = k};
    scan_args(c, on_pos, &q);
    return q.found;
}

size_t sh_cmd_npositional(const sh_cmd *c)
{
    posq q = {.want = (size_t)-1};
    scan_args(c, on_pos, &q);
    return q.seen;
}

const char *sh_cmd_subcommand(const sh_cmd *c)
{
    const sh_word *w = sh_cmd_positional(c, 0);
    return w ? w->text : "";
}

/* ---- environment and connectors -------------------------------------------------- */

static const char *assigned(const char *text, const char *name)
{
    size_t n = strlen(name);
    return strncmp(text, name, n) == 0 && text[n] == '=' ? text + n + 1 : NULL;
}

const char *sh_cmd_env(const sh_cmd *c, const char *name)
{
    const char *v = NULL, *x;
    for (size_t i = 0; i < c->nassigns; i++)
        if ((x = assigned(c->assigns[i].text, name)))
            v = x;
    /* env A=1 cmd, sudo A=1 cmd: words before the real command */
    for (size_t i = 0; c->kind == SH_SIMPLE && i < c->argv0 && i < c->nwords; i++)
        if (c->nwrappers && (x = assigned(c->words[i].text, name)))
            v = x;
    return v;
}

sh_conn sh_cmd_next_conn(const sh_cmd *c)
{
    for (; c; c = c->parent)
        if (c->conn != SH_END)
            return c->conn;
    return SH_END;
}

static bool prev_in(const sh_list *l, const sh_cmd *c, sh_conn *out)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (l->v[i] == c) {
            *out = i ? l->v[i - 1]->conn : SH_END;
            return true;
        }
    return false;
}

static bool prev_in_words(const sh_word *w, size_t n, const sh_cmd *c, sh_conn *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < w[i].nsubs; k++)
            if (prev_in(w[i].subs[k], c, out))
                return true;
    return false;
}

/* The lists that may hold c: its parent's bodies, substitutions, nested
 * script and heredoc scripts, or the top list. */
sh_conn sh_cmd_prev_conn(const sh_script *s, const sh_cmd *c)
{
    const sh_cmd *p = c->parent;
    sh_conn k = SH_END;
    if (p == NULL)
        return prev_in(&s->top, c, &k) ? k : SH_END;
    for (size_t i = 0; i < p->nlists; i++)
        if (prev_in(p->lists[i], c, &k))
            return k;
    if (prev_in(p->nested, c, &k) || prev_in_words(p->words, p->nwords, c, &k) ||
        prev_in_words(p->assigns, p->nassigns, c, &k))
        return k;
    for (size_t i = 0; i < p->nredirs; i++)
        if (prev_in(p->redirs[i].script, c, &k) || prev_in_words(&p->redirs[i].target, 1, c, &k))
            return k;
    return SH_END;
}

const char *sh_conn_str(sh_conn k)
{
    static const char *const names[] = {"end", "newline", ";", "&&", "||", "|", "&"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

bool sh_in_list(const char *s, const char *list)
{
    return sh_name_in(s, strlen(s), list);
}

bool sh_word_is(const sh_word *w, const char *s)
{
    return w && !(w->flags & SH_W_EXPANDS) && strcmp(w->text, s) == 0;
}
