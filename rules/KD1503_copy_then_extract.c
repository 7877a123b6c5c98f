/* KD1503 copy-then-extract (hadolint DL3010): a local tar archive COPYed
 * into the image and extracted by a later RUN of the stage. The archive
 * stays in the COPY layer even when the RUN deletes it; ADD extracts a
 * local tar archive (plain, gzip, bzip2, xz) itself, in one layer. Zip
 * files are left alone: ADD does not unpack them. Only stages that end up
 * in the image are checked. */
#include "rules/run_util.h"
#include "rules/util.h"

#include <string.h>
#include <strings.h>

/* an archive that tar reads (kd_is_archive also knows bare .gz files) */
static bool tar_archive(const char *s)
{
    const char *dot = strrchr(s, '.');
    return kd_is_archive(s) && (strcasestr(s, ".tar") || (dot[1] == 't' || dot[1] == 'T'));
}

static const char *base(const char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    const char *s = memrchr(p, '/', n);
    return s ? s + 1 : p;
}

/* tar -x, tar --extract, or the old form tar xzf */
static bool tar_extracts(const sh_cmd *c)
{
    if (!sh_cmd_is(c, "tar"))
        return false;
    const sh_word *key = sh_cmd_arg(c, 1);
    return sh_cmd_has_opt(c, "-x|--extract|--get") ||
           (key && key->text[0] != '-' && strchr(key->text, 'x') &&
            strspn(key->text, "abcdfhijklmopqrstuvwxzABCGHJKLMNOPRSTUVWXZ") == key->len);
}

static bool names_archive(const sh_cmd *c, const char *name)
{
    const char *f = sh_cmd_opt_value(c, "-f|--file", NULL);
    if (f && strcmp(base(f), name) == 0)
        return true;
    for (size_t k = 0; k < sh_cmd_npositional(c); k++)
        if (strcmp(base(sh_cmd_positional(c, k)->text), name) == 0)
            return true;
    return false;
}

/* The line of the first later RUN of the stage that extracts name, or 0. */
static unsigned extracted_at(kd_lint_ctx *ctx, const df_instr *copy, size_t st, const char *name)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);) {
        if (r.stage != st || r.in <= copy)
            continue;
        for (size_t i = 0; i < r.sh->ncmds; i++)
            if (tar_extracts(r.sh->cmds[i]) && names_archive(r.sh->cmds[i], name))
                return r.in->start_line;
    }
    return 0;
}

static void check_copy(kd_lint_ctx *ctx, const kd_rule *self, const df_instr *in, size_t st)
{
    const char *dest = in->args[in->nargs - 1].text;
    for (size_t i = 0; i + 1 < in->nargs; i++) {
        const df_word *src = &in->args[i];
        /* COPY x /tmp/app.tgz names the copy after the destination */
        const char *name = tar_archive(base(dest)) ? base(dest) : base(src->text);
        if (!tar_archive(src->text) || strchr(src->text, '$'))
            continue;
        unsigned line = extracted_at(ctx, in, st, name);
        if (line)
            kd_report(ctx, self, src->span,
                      "%s is copied here and extracted by the RUN at line %u: the archive stays "
                      "in this layer; `ADD %s %s` extracts it in one layer",
                      src->text, line, src->text, tar_archive(base(dest)) ? "DIR/" : dest);
    }
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_COPY));) {
        ssize_t st = kd_stage_of(ctx, in);
        if (st < 0 || in->nargs < 2 || in->nheredocs || df_instr_flag(in, "from") ||
            !kd_stage_in_image(ctx, (size_t)st))
            continue;
        check_copy(ctx, self, in, (size_t)st);
    }
}

KD_RULE(KD1503) = {
    .id = "KD1503",
    .name = "copy-then-extract",
    .severity = KD_SEV_INFO,
    .category = KD_CAT_COST,
    .hadolint = {"DL3010"},
    .summary = "A tar archive COPYed and then extracted by a RUN, where ADD does both",
    .check = check,
};
