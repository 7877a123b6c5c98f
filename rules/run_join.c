/* What joining a RUN with its neighbours needs to know about it (see
 * rules/run_join.h and docs/fix.md, "Joining RUNs"). */
#include "rules/run_join.h"
#include "rules/fix_util.h"
#include "rules/util.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- the stage's SHELL ---------------------------------------------------------- */

static bool is_letters(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return false;
    return true;
}

/* -e in a SHELL's options (before -c): "-e", "-eo pipefail", "-o errexit". */
static bool shell_has_e(const df_word *argv, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const char *w = argv[i].text;
        if (strcmp(w, "-c") == 0)
            break;
        if (strcmp(w, "-o") == 0 && i + 1 < n && strcmp(argv[i + 1].text, "errexit") == 0)
            return true;
        if (w[0] == '-' && w[1] != '-' && strchr(w + 1, 'e') && is_letters(w + 1))
            return true;
    }
    return false;
}

/* kd_walk_back's visit: keeps the first SHELL instruction in *arg */
static bool is_shell(kd_lint_ctx *ctx, const df_instr *in, void *arg)
{
    (void)ctx;
    if (in->kind != DF_SHELL || !in->json || in->nargs == 0)
        return false;
    *(const df_instr **)arg = in;
    return true;
}

bool kd_run_shell(kd_lint_ctx *ctx, const kd_run *r, const df_word **argv, size_t *n)
{
    const df_instr *sh = NULL;
    kd_walk_back(ctx, r->stage, r->index, is_shell, &sh);
    *argv = sh ? sh->args : NULL;
    *n = sh ? sh->nargs : 0;
    return sh && shell_has_e(sh->args, sh->nargs);
}

/* ---- the exec form as shell words ----------------------------------------------- */

/* Names the shell would run itself instead of looking up the program. */
#define SHELL_OWN                                                                                  \
    "!|{|}|[[|]]|case|do|done|elif|else|esac|fi|for|function|if|in|select|then|time|until|"     \
    "while|coproc|.|:|[|alias|bg|bind|break|builtin|caller|cd|command|compgen|complete|compopt|" \
    "continue|declare|dirs|disown|echo|enable|eval|exec|exit|export|false|fc|fg|getopts|hash|"   \
    "help|history|jobs|kill|let|local|logout|mapfile|popd|printf|pushd|pwd|read|readarray|"      \
    "readonly|return|set|shift|shopt|source|suspend|test|times|trap|true|type|typeset|ulimit|"   \
    "umask|unalias|unset|wait|newgrp"

static void quote_word(kd_buf *b, const char *s, bool first)
{
    static const char bare[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                               "_@%+:,./-=";
    size_t n = strlen(s);
    if (n > 0 && strspn(s, bare) == n && !(first && strchr(s, '='))) {
        kd_buf_adds(b, s);
        return;
    }
    kd_buf_addc(b, '\'');
    for (; *s; s++)
        kd_buf_adds(b, *s == '\'' ? "'\\''" : (char[]){*s, 0});
    kd_buf_addc(b, '\'');
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Whether args are [SHELL..., "-c", script]: the script runs as a RUN's
 * shell form would. */
static bool is_shell_script(const df_instr *in, const df_word *sh, size_t nsh)
{
    static const df_word def[] = {{(char *)"/bin/sh", 7, {{0}, {0}}}, {(char *)"-c", 2, {{0}, {0}}}};
    if (nsh == 0) {
        sh = def;
        nsh = 2;
    }
    if (in->nargs != nsh + 1 || strcmp(base_name(in->args[0].text), base_name(sh[0].text)) != 0)
        return false;
    for (size_t i = 1; i < nsh; i++)
        if (strcmp(in->args[i].text, sh[i].text) != 0)
            return false;
    return true;
}

/* Refuses texts a shell-form RUN cannot hold as they are. */
static const char *unwritable(const kd_lint_ctx *ctx, const char *t)
{
    size_t n = strlen(t);
    if (n == 0)
        return "the exec form is empty";
    if (strstr(t, "<<"))
        return "`<<` in a shell-form RUN would start a heredoc";
    if (t[n - 1] == ctx->file->escape || t[n - 1] == ' ' || t[n - 1] == '\t')
        return "the converted text would end with the escape character or a blank";
    return NULL;
}

char *kd_exec_to_shell(kd_lint_ctx *ctx, const kd_run *r, const char **why)
{
    const df_instr *in = r->in;
    *why = NULL;
    if (in->nargs == 0) {
        *why = "the exec form is empty";
        return NULL;
    }
    for (size_t i = 0; i < in->nargs; i++)
        if (strlen(in->args[i].text) != in->args[i].len || strpbrk(in->args[i].text, "\r\n")) {
            *why = "an argument holds a line break or a NUL, which a shell-form RUN cannot hold";
            return NULL;
        }
    const df_word *sh;
    size_t nsh;
    kd_run_shell(ctx, r, &sh, &nsh);
    if (is_shell_script(in, sh, nsh)) {
        const char *s = in->args[in->nargs - 1].text;
        if (strstr(s, "$0") || strstr(s, "${0")) {
            *why = "the script reads $0, which names the shell it ran in";
            return NULL;
        }
        *why = unwritable(ctx, s);
        return *why ? NULL : kd_xstrdup(s);
    }
    const char *argv0 = in->args[0].text;
    if (!strchr(argv0, '/') && sh_in_list(argv0, SHELL_OWN)) {
        *why = "its program is also a shell builtin or keyword: the shell would run its own";
        return NULL;
    }
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < in->nargs; i++) {
        if (i)
            kd_buf_addc(&b, ' ');
        quote_word(&b, in->args[i].text, i == 0);
    }
    char *t = kd_buf_detach(&b, NULL);
    if ((*why = unwritable(ctx, t)) != NULL) {
        free(t);
        return NULL;
    }
    return t;
}

/* ---- shell state ------------------------------------------------------------------ */

/* Builtins whose effect outlives them in the shell that runs them. */
#define STATE_CMDS                                                                                 \
    "cd|pushd|popd|export|unset|umask|ulimit|source|.|alias|unalias|trap|eval|readonly|declare|" \
    "typeset|local|shopt|enable|exec|exit|return|read|getopts|shift|let|mapfile|readarray|"      \
    "builtin|hash|set|logout|disown"

/* ${NAME=x}, ${NAME:=x}, $((n = 1)), $((n++)): expansions that assign. */
static bool word_assigns(const sh_word *w)
{
    const char *s = w->raw, *end = w->raw + w->raw_len;
    for (const char *p = s; p + 2 < end; p++) {
        if (p[0] == '$' && p[1] == '{') {
            const char *q = p + 2;
            while (q < end && (strchr("_", *q) || (*q >= 'a' && *q <= 'z') ||
                               (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
                q++;
            if (q < end && (*q == '=' || (*q == ':' && q + 1 < end && q[1] == '=')))
                return true;
        }
        if (p[0] == '$' && p[1] == '(' && p[2] == '(') {
            for (const char *q = p + 3; q + 1 < end && !(q[0] == ')' && q[1] == ')'); q++)
                if ((q[0] == '=' && q[1] != '=' && !strchr("=!<>", q[-1])) ||
                    (q[0] == '+' && q[1] == '+') || (q[0] == '-' && q[1] == '-'))
                    return true;
        }
    }
    return false;
}

static bool simple_leaks(const sh_cmd *c)
{
    if (sh_cmd_argc(c) == 0 && c->nassigns)
        return true; /* a bare assignment */
    if (sh_cmd_wrapped_by(c, "exec") || (c->nwords && sh_word_is(&c->words[0], "exec")))
        return true;
    if (sh_cmd_is(c, STATE_CMDS) || (sh_cmd_is(c, "printf") && sh_cmd_has_opt(c, "-v")))
        return true;
    for (size_t i = 0; i < c->nwords; i++)
        if (word_assigns(&c->words[i]) || (sh_cmd_is(c, "[[") && sh_word_is(&c->words[i], "=~")))
            return true;
    for (size_t i = 0; i < c->nassigns; i++)
        if (word_assigns(&c->assigns[i]))
            return true;
    return false;
}

static void note_leak(kd_body *b, const sh_cmd *c, bool is_set)
{
    if (b->leak == NULL) {
        b->leak = c;
        b->leak_set_only = true;
    }
    if (!is_set)
        b->leak_set_only = false;
}

/* Walks the commands that run in the RUN's own shell (cur) and below. */
static void walk_state(kd_body *b, const sh_list *l, bool cur)
{
    for (size_t i = 0; l && i < l->n; i++) {
        const sh_cmd *c = l->v[i];
        switch (c->kind) {
        case SH_SIMPLE:
            if (cur && sh_cmd_is(c, "set") && sh_cmd_argc(c) > 1) {
                note_leak(b, c, true);
                if (b->set1 == NULL)
                    b->set1 = c;
            } else if (cur && simple_leaks(c)) {
                note_leak(b, c, false);
            }
            break;
        case SH_SUBSHELL:
            walk_state(b, c->nlists ? c->lists[0] : NULL, false);
            break;
        case SH_FUNCTION:
        case SH_ARITH:
            if (cur)
                note_leak(b, c, false); /* a function stays defined; (( )) may assign */
            break;
        case SH_FOR:
            if (cur)
                note_leak(b, c, false); /* the loop variable stays set */
            /* fall through */
        default:
            for (size_t k = 0; k < c->nlists; k++)
                walk_state(b, c->lists[k], cur);
        }
    }
}

/* ---- jobs and services left running ------------------------------------------------ */

static bool has_arg(const sh_cmd *c, const char *list)
{
    for (size_t i = 1; i < sh_cmd_argc(c); i++)
        if (sh_in_list(sh_cmd_arg(c, i)->text, list))
            return true;
    return false;
}

/* Commands that start a service that outlives them (best effort): in one
 * RUN it stops with the RUN; joined, it would keep running while the next
 * commands run. */
static bool starts_service(const sh_cmd *c)
{
    const char *argv0 = sh_cmd_argc(c) ? sh_cmd_arg(c, 0)->text : "";
    if (sh_cmd_is(c, "service|rc-service|invoke-rc.d|pg_ctl|pg_ctlcluster|apachectl|apache2ctl|"
                     "start-stop-daemon|systemctl") ||
        strncmp(argv0, "/etc/init.d/", 12) == 0)
        return has_arg(c, "start|restart|reload|force-reload|graceful|--start|-S");
    if (sh_cmd_is(c, "mysqld_safe|supervisord|dockerd|containerd|Xvfb|memcached|redis-server"))
        return !has_arg(c, "-h|--help|-v|-V|--version|-n|--nodaemon");
    if (sh_cmd_is(c, "nginx|httpd|apache2|sshd|crond|cron|rsyslogd|php-fpm"))
        return !has_arg(c, "-t|-T|-v|-V|-h|-?|-s|--version|--help|-t|-D|-f|-F|-n|--nodaemonize");
    return false;
}

static const char *holds(const sh_script *s)
{
    for (size_t i = 0; i < s->ncmds; i++) {
        if (s->cmds[i]->ctx & SH_IN_BG)
            return "it leaves a job running in the background";
        if (starts_service(s->cmds[i]))
            return "it starts a service that would keep running into the next RUN's commands";
    }
    return NULL;
}

/* ---- set -e and the last and-or list ------------------------------------------------ */

static bool enables_e(const sh_cmd *c)
{
    if (!sh_cmd_is(c, "set"))
        return false;
    for (size_t i = 1; i < sh_cmd_argc(c); i++) {
        const char *w = sh_cmd_arg(c, i)->text;
        if (strcmp(w, "--") == 0)
            break;
        if ((strcmp(w, "-o") == 0 && i + 1 < sh_cmd_argc(c) &&
             strcmp(sh_cmd_arg(c, i + 1)->text, "errexit") == 0) ||
            (w[0] == '-' && w[1] != '-' && strchr(w + 1, 'e') && is_letters(w + 1)))
            return true;
    }
    return false;
}

static void errexit_facts(kd_body *b)
{
    const sh_list *top = &b->sh->top;
    size_t t0 = 0;
    for (size_t i = 0; i + 1 < top->n; i++)
        if (top->v[i]->conn == SH_SEMI || top->v[i]->conn == SH_NEWLINE ||
            top->v[i]->conn == SH_BG)
            t0 = i + 1;
    for (size_t i = 0; i < b->sh->ncmds; i++) {
        const sh_cmd *c = b->sh->cmds[i];
        if (!enables_e(c) || (c->ctx & SH_IN_NESTED))
            continue;
        b->errexit = true;
        b->errexit_top |= !(c->ctx & (SH_IN_SUBST | SH_IN_SUBSHELL | SH_IN_FUNC));
        for (size_t k = t0; k < top->n; k++)
            b->tail_errexit |= top->v[k]->kind != SH_SIMPLE && kd_cmd_within(c, top->v[k]);
    }
    for (size_t k = t0; k < top->n; k++)
        b->tail_compound |= top->v[k]->kind != SH_SIMPLE;
}

static void list_facts(kd_lint_ctx *ctx, kd_body *b)
{
    const sh_list *top = &b->sh->top;
    for (size_t i = 0; i + 1 < top->n; i++)
        b->multi |= top->v[i]->conn != SH_AND && top->v[i]->conn != SH_PIPE;
    const df_word *rest = &b->run.in->rest;
    if (b->exec_text == NULL && top->n && rest->len && rest->text[rest->len - 1] == ';') {
        const sh_cmd *last = top->v[top->n - 1];
        b->semi_end = last->span.end.off < rest->span.end.off;
    }
    const char *t = b->exec_text ? b->exec_text : rest->text;
    b->starts_paren = t[0] == '(';
    b->comment = b->sh->ncomments > 0;
    (void)ctx;
}

void kd_body_init(kd_lint_ctx *ctx, const kd_run *r, kd_body *b)
{
    memset(b, 0, sizeof *b);
    b->run = *r;
    b->sh = r->sh;
    if (r->in->nheredocs) {
        b->apart = "it has a heredoc";
        return;
    }
    if (!sh_run_posix(ctx->file, r->index)) {
        b->apart = "its stage's SHELL is not a POSIX shell";
        return;
    }
    if (r->in->json) {
        b->exec_text = kd_exec_to_shell(ctx, r, &b->apart);
        if (b->exec_text == NULL)
            return;
        b->own = sh_parse(b->exec_text, strlen(b->exec_text), NULL);
        b->sh = b->own;
    } else if (r->in->rest.len == 0) {
        b->apart = "it is empty";
        return;
    }
    if (b->sh->nwarnings || b->sh->too_deep || b->sh->top.n == 0) {
        b->apart = "its shell text does not read cleanly";
        return;
    }
    b->holds = holds(b->sh);
    walk_state(b, &b->sh->top, true);
    errexit_facts(b);
    list_facts(ctx, b);
}

void kd_body_free(kd_body *b)
{
    free(b->exec_text);
    sh_script_free(b->own);
    memset(b, 0, sizeof *b);
}

bool kd_body_same_set(const kd_body *b, const kd_body *next)
{
    if (!b->leak_set_only || next->sh->top.n == 0)
        return false;
    const sh_cmd *first = next->sh->top.v[0];
    if (first->kind != SH_SIMPLE || !sh_cmd_is(first, "set"))
        return false;
    for (size_t i = 0; i < b->sh->ncmds; i++) {
        const sh_cmd *c = b->sh->cmds[i];
        if (!sh_cmd_is(c, "set") || sh_cmd_argc(c) < 2 ||
            (c->ctx & (SH_IN_SUBST | SH_IN_SUBSHELL | SH_IN_NESTED | SH_IN_FUNC)))
            continue;
        if (sh_cmd_argc(c) != sh_cmd_argc(first))
            return false;
        for (size_t k = 0; k < sh_cmd_argc(c); k++)
            if (strcmp(sh_cmd_arg(c, k)->text, sh_cmd_arg(first, k)->text) != 0)
                return false;
    }
    return true;
}
