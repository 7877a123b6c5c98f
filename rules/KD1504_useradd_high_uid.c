/* KD1504 useradd-high-uid (hadolint DL3046): useradd with a large UID and
 * without -l/--no-log-init. useradd then writes the user's record at offset
 * UID x 292 bytes of /var/log/lastlog (and UID x 32 of faillog): sparse
 * files on disk, but a layer stores them in full. UIDs from 100000 on, as
 * hadolint does. The fix (safe) adds -l, which only skips those logs. */
#include "rules/run_util.h"

#include <stdlib.h>
#include <string.h>

#define LASTLOG_RECORD 292ULL /* struct lastlog on 64-bit Linux */

static void check_cmd(kd_lint_ctx *ctx, const kd_rule *self, const kd_run *r, const sh_cmd *c)
{
    const sh_word *w = NULL;
    const char *uid = sh_cmd_opt_value(c, "-u|--uid", &w);
    if (uid == NULL || (w && (w->flags & SH_W_EXPANDS)) || strspn(uid, "0123456789") != strlen(uid))
        return;
    unsigned long long n = strtoull(uid, NULL, 10);
    if (n < 100000 || sh_cmd_has_opt(c, "-l|--no-log-init"))
        return;
    kd_finding *f = kd_report_cmd(ctx, self, c,
                                  "useradd with UID %s makes /var/log/lastlog about %llu MB, a "
                                  "sparse file on disk that the layer stores in full; add -l "
                                  "(--no-log-init)",
                                  uid, n * LASTLOG_RECORD >> 20);
    kd_fix_after_word(ctx, f, r, sh_cmd_arg(c, 0), "-l");
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++)
            if (sh_cmd_is(r.sh->cmds[i], "useradd"))
                check_cmd(ctx, self, &r, r.sh->cmds[i]);
}

KD_RULE(KD1504) = {
    .id = "KD1504",
    .name = "useradd-high-uid",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_COST,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3046"},
    .summary = "useradd with a high UID and without -l fills the layer with a huge lastlog",
    .check = check,
};
