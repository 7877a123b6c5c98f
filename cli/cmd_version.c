#include "cli/cli.h"

#include <stdio.h>

#ifndef KD_VERSION
#define KD_VERSION "0.0.0-dev"
#endif

const char *kd_version(void)
{
    return KD_VERSION;
}

static int run(int argc, char **argv)
{
    if (argc > 1)
        return kd_usage_error("version", "unexpected argument '%s'", argv[1]);
    printf("kdoctor %s\n", KD_VERSION);
    return 0;
}

const kd_command kd_cmd_version = {
    .name = "version",
    .summary = "Print kdoctor's version",
    .help = "Usage: kdoctor version\n"
            "       kdoctor --version\n"
            "\n"
            "Prints the version of this kdoctor binary.\n",
    .run = run,
    .light = true,
};
