/* Version pinning (see rules/pins.h). */
#include "rules/pins.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool kd_has_any(const char *s, const char *const *parts)
{
    for (; *parts; parts++)
        if (strstr(s, *parts))
            return true;
    return false;
}

bool kd_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool version_part(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)p[i]) && !strchr(".~^_:+", p[i]))
            return false;
    return n > 0;
}

bool kd_rpm_versioned(const char *package)
{
    if (kd_ends_with(package, ".rpm"))
        return true;
    bool digit = false;
    const char *p = strchr(package, '-');
    if (p == NULL)
        return false;
    for (p++; *p;) {
        const char *e = strchr(p, '-');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!version_part(p, n))
            return false;
        digit |= isdigit((unsigned char)p[0]);
        p = e ? e + 1 : p + n;
    }
    return digit;
}

bool kd_rpm_pinned(const char *p)
{
    return kd_rpm_versioned(p) || strchr(p, '/') || p[0] == '@';
}

static bool installs(const kd_pin *p, const sh_cmd *c)
{
    bool named = p->names ? sh_cmd_is(c, p->names) : kd_cmd_is_tool(c, p->tool, NULL);
    return named && kd_in_list(sh_cmd_subcommand(c), p->subs) &&
           !(p->pinned_cmd && p->pinned_cmd(c));
}

static void check_cmd(kd_lint_ctx *ctx, const kd_rule *self, const kd_pin *p, const sh_cmd *c)
{
    size_t n = sh_cmd_npositional(c), bad = 0;
    const sh_word **v = kd_xcalloc(n ? n : 1, sizeof *v);
    for (size_t k = 1; k < n && (k == 1 || !p->first_only); k++) {
        const sh_word *w = sh_cmd_positional(c, k);
        if (!(w->flags & SH_W_EXPANDS) && !p->pinned(w->text))
            v[bad++] = w;
    }
    if (bad) {
        char *list = kd_word_list(v, bad, 4), *head = kd_cmd_head(c);
        kd_report(ctx, self, v[0]->span,
                  "`%s` does not pin the version of %s: the image changes whenever the "
                  "repository does; use `%s`",
                  head, list, p->how);
        free(list);
        free(head);
    }
    free(v);
}

void kd_pin_check(kd_lint_ctx *ctx, const kd_rule *self, const kd_pin *p)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++)
            if (installs(p, r.sh->cmds[i]))
                check_cmd(ctx, self, p, r.sh->cmds[i]);
}
