/* kdoctor import: a base image from a root filesystem (build/builder.h). */
#include "build/builder.h"
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tag", required_argument, NULL, 't'},
        {"cache-dir", required_argument, NULL, 'c'},
        {"platform", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    kd_import_opts o = {.source_date_epoch = -1};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":t:", opts, NULL)) != -1) {
        switch (c) {
        case 't': o.name = optarg; break;
        case 'c': o.cache_dir = optarg; break;
        case 'p': o.platform = optarg; break;
        case ':': return kd_usage_error("import", "option '%s' needs a value", argv[optind - 1]);
        default: return kd_usage_error("import", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return kd_usage_error("import", "give one DIR or TAR to import");
    if (o.name == NULL)
        return kd_usage_error("import", "give the image a name with -t NAME");
    o.source = argv[optind];
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && *epoch) {
        char *end;
        errno = 0;
        long long v = strtoll(epoch, &end, 10);
        if (errno || *end || v < 0)
            return kd_usage_error("import", "SOURCE_DATE_EPOCH must be a number of seconds");
        o.source_date_epoch = v;
    }
    char digest[KD_DIGEST_STR_LEN + 1];
    kd_error *err = NULL;
    if (kd_import(&o, digest, &err) < 0)
        return kd_report(err);
    fprintf(stderr, "imported %s as %s\n", o.source, o.name);
    printf("%s\n", digest);
    return 0;
}

const kd_command kd_cmd_import = {
    .name = "import",
    .summary = "Make a base image from a root filesystem (a directory or a tar)",
    .help = "Usage: kdoctor import [--cache-dir DIR] [--platform os/arch] DIR|TAR -t NAME\n"
            "\n"
            "Makes a one-layer image from a root filesystem, a directory or a tar (gzip or\n"
            "plain), and names it NAME in the local store, as 'docker import' does. A\n"
            "Dockerfile can then say FROM NAME with no registry at all. The manifest\n"
            "digest is printed.\n"
            "\n"
            "Options:\n"
            "  -t, --tag NAME      the image's name (required)\n"
            "  --cache-dir DIR     the store (default ~/.cache/kdoctor)\n"
            "  --platform os/arch  the platform written in the config (default: this machine)\n"
            "\n"
            "SOURCE_DATE_EPOCH in the environment fixes the timestamps.\n",
    .run = run,
};
