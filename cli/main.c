#include "cli/cli.h"
#include "cli/front.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const kd_command *const kd_commands[] = {
    &kd_cmd_parse,
    &kd_cmd_lint,
    &kd_cmd_rules,
    &kd_cmd_explain,
    &kd_cmd_build,
    &kd_cmd_images,
    &kd_cmd_cache,
    &kd_cmd_import,
    &kd_cmd_login,
    &kd_cmd_compare,
    &kd_cmd_report,
    &kd_cmd_help,
    &kd_cmd_version,
    NULL,
};

const kd_command *kd_find_command(const char *name)
{
    for (size_t i = 0; kd_commands[i]; i++)
        if (strcmp(kd_commands[i]->name, name) == 0)
            return kd_commands[i];
    return NULL;
}

int kd_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kdoctor%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'kdoctor help%s%s' for usage.\n", cmd ? " " : "", cmd ? cmd : "");
    return 2;
}

int kd_report(kd_error *e)
{
    if (e == NULL)
        return 1;
    fprintf(stderr, "kdoctor: %s\n", e->msg);
    int status = e->status ? e->status : 1;
    kd_error_free(e);
    return status;
}

int main(int argc, char **argv)
{
    kd_front_init(argv);
    if (argc < 2)
        return kd_cmd_help.run(1, argv);
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        name = "version";
    else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    const kd_command *c = kd_find_command(name);
    if (c == NULL) {
        if (name[0] == '-')
            return kd_usage_error(NULL, "unknown option '%s'", name);
        return kd_usage_error(NULL, "'%s' is not a kdoctor command", name);
    }
    if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        fputs(c->help, stdout);
        return 0;
    }
    int rc = c->light ? 0 : kd_need_full();
    return rc ? rc : c->run(argc - 1, argv + 1);
}
