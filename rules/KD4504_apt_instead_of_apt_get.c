/* KD4504 apt-instead-of-apt-get (hadolint DL3027): apt is the interactive
 * front end; its output and behaviour may change between releases ("apt
 * does not have a stable CLI interface"). Scripts use apt-get and
 * apt-cache. The fix renames the command where apt-get or apt-cache has the
 * same subcommand (apt upgrade is apt-get upgrade --with-new-pkgs). It is
 * unsafe for the subcommands that download packages: apt deletes the .deb
 * files it downloaded, apt-get keeps them in /var/cache/apt/archives (on
 * images without Debian's docker-clean setting they stay in the layer). */
#include "rules/run_util.h"

#include <string.h>

/* The subcommands that download .deb files. */
#define DOWNLOADS "install|upgrade|dist-upgrade|build-dep|satisfy|reinstall"

static const char *replacement(const sh_cmd *c)
{
    const char *sub = sh_cmd_subcommand(c);
    if (kd_in_list(sub, "install|update|upgrade|remove|purge|autoremove|dist-upgrade|clean|"
                        "autoclean|build-dep|source|download|satisfy"))
        return "apt-get";
    if (kd_in_list(sub, "search|show|policy|depends|rdepends|showsrc"))
        return "apt-cache";
    return NULL;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (kd_run r = {0}; kd_run_next(ctx, &r);)
        for (size_t i = 0; i < r.sh->ncmds; i++) {
            const sh_cmd *c = r.sh->cmds[i];
            if (!sh_cmd_is(c, "apt"))
                continue;
            const char *to = replacement(c);
            const sh_word *w = sh_cmd_arg(c, 0);
            kd_finding *f = kd_report(ctx, self, w->span,
                                      "apt is meant for people, its command line is not stable "
                                      "for scripts; use %s",
                                      to ? to : "apt-get or apt-cache");
            if (f && to && kd_word_editable(ctx, &r, w) && strcmp(w->text, "apt") == 0) {
                kd_fix_edit(f, w->span.start.off, w->span.end.off, to);
                if (strcmp(sh_cmd_subcommand(c), "upgrade") == 0)
                    kd_fix_after_word(ctx, f, &r, sh_cmd_positional(c, 0), "--with-new-pkgs");
                if (kd_in_list(sh_cmd_subcommand(c), DOWNLOADS))
                    f->fix = KD_FIX_UNSAFE;
            }
        }
}

KD_RULE(KD4504) = {
    .id = "KD4504",
    .name = "apt-instead-of-apt-get",
    .severity = KD_SEV_WARNING,
    .category = KD_CAT_MAINTAINABILITY,
    .fix = KD_FIX_SAFE,
    .hadolint = {"DL3027"},
    .summary = "apt used in a RUN where apt-get or apt-cache belong",
    .check = check,
};
