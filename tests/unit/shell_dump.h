/* Test helpers for the shell analyser: a compact dump of the model, so that
 * a test states the whole structure in one string, and the list of the
 * commands that run. Strings are malloc'ed for the caller. */
#ifndef KD_TESTS_SHELL_DUMP_H
#define KD_TESTS_SHELL_DUMP_H

#include "shell/shell.h"

/* "a && b | c ; { d }": words by text, assignments first, redirections as
 * ">x", heredocs as "<<EOF[body]", wrapped commands as "sudo -u x:apt-get
 * install", compound commands as if[..]then[..]else[..], while[..]do[..],
 * for x in a b do[..], case x in a|b)[..], (..), {..}, f()[..]. */
char *shd_dump(const sh_script *s);
/* Every simple command that runs, by name, space-separated, with
 * "name@ctx" where ctx lists S(ubst) N(ested) C(ond) B(ranch) L(oop)
 * F(unc) P(ipe) G(background) H (subsHell) when set. */
char *shd_cmds(const sh_script *s);
/* Warnings as "line:col msg" joined with "; ". */
char *shd_warnings(const sh_script *s);

#endif
