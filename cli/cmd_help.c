#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void overview(void)
{
    printf("kdoctor: find and fix what makes container image builds slow.\n"
           "\n"
           "Usage: kdoctor <command> [options] [arguments]\n"
           "\n"
           "Commands:\n");
    for (size_t i = 0; kd_commands[i]; i++)
        printf("  %-10s %s\n", kd_commands[i]->name, kd_commands[i]->summary);
    printf("\n"
           "Run 'kdoctor help <command>' for the options of one command.\n"
           "Documentation: README.md and docs/ in kdoctor's source tree.\n");
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        overview();
        return 0;
    }
    if (argc > 2)
        return kd_usage_error("help", "takes at most one command name");
    const kd_command *c = kd_find_command(argv[1]);
    if (c == NULL)
        return kd_usage_error("help", "'%s' is not a kdoctor command", argv[1]);
    fputs(c->help, stdout);
    return 0;
}

const kd_command kd_cmd_help = {
    .name = "help",
    .summary = "Show help for kdoctor or one of its commands",
    .help = "Usage: kdoctor help [COMMAND]\n"
            "\n"
            "Without a command, lists kdoctor's commands; with one, shows its usage\n"
            "and options. 'kdoctor COMMAND --help' does the same.\n",
    .run = run,
    .light = true,
};
