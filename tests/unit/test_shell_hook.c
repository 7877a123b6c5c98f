/* lint/shell_hook.c: the engine's view of the shell analyser. */
#include "kt.h"
#include "lint/shell_hook.h"
#include "shell/shell.h"

#include <stdlib.h>

TEST(shell_hook_commands)
{
    const char *src = "FROM debian\nRUN A=1 && sudo apt-get install -y $(cat pkgs) && rm -rf x\n"
                      "SHELL [\"powershell\", \"-Command\"]\nRUN Write-Host hi\n"
                      "RUN [\"echo\", \"a b\"]\n";
    df_file *f = NULL;
    REQUIRE(df_parse("Dockerfile", src, strlen(src), &f, NULL) == 0);
    CHECK(kd_shell_hook_available());
    CHECK(kd_shell_hook_analyse(f, &f->instrs[0]) == NULL);
    CHECK(kd_shell_hook_analyse(f, &f->instrs[3]) == NULL); /* PowerShell */
    sh_script *s = kd_shell_hook_analyse(f, &f->instrs[1]);
    REQUIRE(s != NULL);
    kd_shell_cmd *v;
    size_t n = kd_shell_hook_commands(s, f, &f->instrs[1], &v);
    REQUIRE(n == 3); /* the bare assignment is no command */
    CHECK_STR(v[0].text, "apt-get install -y $(cat pkgs)");
    CHECK_STR(v[1].text, "cat pkgs");
    CHECK_STR(v[2].text, "rm -rf x");
    CHECK_INT(v[0].start, 23); /* sudo is part of the command */
    CHECK(v[1].start > v[0].start && v[2].start > v[1].start);
    kd_shell_cmds_free(v, n);
    kd_shell_hook_free(s);
    s = kd_shell_hook_analyse(f, &f->instrs[4]);
    REQUIRE(s != NULL); /* the exec form runs without the SHELL */
    CHECK(s->exec_form);
    n = kd_shell_hook_commands(s, f, &f->instrs[4], &v);
    REQUIRE(n == 1);
    CHECK_STR(v[0].text, "echo a b");
    kd_shell_cmds_free(v, n);
    kd_shell_hook_free(s);
    df_file_free(f);
}
