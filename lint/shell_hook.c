/* STUB, until the shell branch merges (see lint/shell_hook.h): no analyser
 * is linked, so there is no analysis. The shell branch replaces these
 * bodies; nothing here pretends to analyse anything. */
#include "lint/shell_hook.h"

#include <stdlib.h>

bool kd_shell_hook_available(void)
{
    return false;
}

sh_script *kd_shell_hook_analyse(const df_file *f, const df_instr *in)
{
    (void)f;
    (void)in;
    return NULL;
}

void kd_shell_hook_free(sh_script *s)
{
    (void)s;
}

size_t kd_shell_hook_commands(const sh_script *s, const df_file *f, const df_instr *in,
                              kd_shell_cmd **out)
{
    (void)s;
    (void)f;
    (void)in;
    *out = NULL;
    return 0;
}

void kd_shell_cmds_free(kd_shell_cmd *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
    free(v);
}
