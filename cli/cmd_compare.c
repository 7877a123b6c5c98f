/* kdoctor compare: the command line over kd_compare() (report/compare.h):
 * builds the variants with progress on standard error, then shows the
 * report in the terminal UI, or as text tables; --json saves it. */
#include "cli/cli.h"
#include "cli/compare_progress.h"
#include "report/compare.h"
#include "tui/tui.h"
#include "util/fs.h"
#include "util/mem.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t cancelled;

typedef struct cmp_cli {
    kd_compare_opts o;
    const char **variants, **args;
    size_t nvariants, nargs;
    const char *json;
    bool no_tui;
    int nmodes; /* --cold, --warm, --both given */
} cmp_cli;

static void push(const char ***v, size_t *n, const char *s)
{
    *v = kd_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

static int parse_runs(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < 1 || v > 100)
        return kd_usage_error("compare", "--runs takes a number from 1 to 100, not '%s'", s);
    *out = (int)v;
    return 0;
}

static int parse_network(const char *v, kd_net *n)
{
    if (strcmp(v, "host") == 0)
        *n = KD_NET_HOST;
    else if (strcmp(v, "none") == 0)
        *n = KD_NET_NONE;
    else
        return kd_usage_error("compare", "--network takes host or none, not '%s'", v);
    return 0;
}

static int set_modes(cmp_cli *c, bool cold, bool warm)
{
    if (c->nmodes++)
        return kd_usage_error("compare", "give one of --cold, --warm and --both");
    c->o.modes[KD_MODE_COLD] = cold;
    c->o.modes[KD_MODE_WARM] = warm;
    return 0;
}

enum {
    O_VARIANT = 256, O_RUNS, O_COLD, O_WARM, O_BOTH, O_COLD_PULL, O_JSON, O_NO_TUI, O_CACHE,
    O_ARG, O_TARGET, O_NETWORK,
};

static int parse_opt(cmp_cli *c, int opt, char **argv)
{
    switch (opt) {
    case 'f': c->o.dockerfile = optarg; return 0;
    case O_VARIANT: push(&c->variants, &c->nvariants, optarg); return 0;
    case O_RUNS: return parse_runs(optarg, &c->o.runs);
    case O_COLD: return set_modes(c, true, false);
    case O_WARM: return set_modes(c, false, true);
    case O_BOTH: return set_modes(c, true, true);
    case O_COLD_PULL: c->o.cold_pull = true; return 0;
    case O_JSON: c->json = optarg; return 0;
    case O_NO_TUI: c->no_tui = true; return 0;
    case O_CACHE: c->o.cache_dir = optarg; return 0;
    case O_ARG: push(&c->args, &c->nargs, optarg); return 0;
    case O_TARGET: c->o.target = optarg; return 0;
    case O_NETWORK: return parse_network(optarg, &c->o.network);
    case ':': return kd_usage_error("compare", "option '%s' needs a value", argv[optind - 1]);
    default: return kd_usage_error("compare", "unknown option '%s'", argv[optind - 1]);
    }
}

/* --json's folder must take the file: found out after minutes of builds,
 * it would throw them away. */
static int check_json_folder(const char *path)
{
    char *dir = kd_path_folder(path);
    int rc = 0;
    if (access(dir, W_OK) != 0)
        rc = kd_usage_error("compare", "--json %s: cannot write into %s: %s", path, dir,
                            strerror(errno));
    free(dir);
    return rc;
}

static int parse_args(cmp_cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"file", required_argument, NULL, 'f'},
        {"variant", required_argument, NULL, O_VARIANT},
        {"runs", required_argument, NULL, O_RUNS},
        {"cold", no_argument, NULL, O_COLD},
        {"warm", no_argument, NULL, O_WARM},
        {"both", no_argument, NULL, O_BOTH},
        {"cold-pull", no_argument, NULL, O_COLD_PULL},
        {"json", required_argument, NULL, O_JSON},
        {"no-tui", no_argument, NULL, O_NO_TUI},
        {"cache-dir", required_argument, NULL, O_CACHE},
        {"build-arg", required_argument, NULL, O_ARG},
        {"target", required_argument, NULL, O_TARGET},
        {"network", required_argument, NULL, O_NETWORK},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, ":f:", opts, NULL)) != -1)
        if (parse_opt(c, opt, argv) != 0)
            return 2;
    if (optind >= argc)
        return kd_usage_error("compare", "no build context given (use . for this directory)");
    if (optind + 1 < argc)
        return kd_usage_error("compare", "one build context only, got '%s' too", argv[optind + 1]);
    if (c->o.dockerfile && strcmp(c->o.dockerfile, "-") == 0)
        return kd_usage_error("compare", "the Dockerfile must be a file, not standard input");
    c->o.context = argv[optind];
    return c->json ? check_json_folder(c->json) : 0;
}

static int write_json(const kd_rep *r, const char *path)
{
    char *json = kd_report_to_json(r);
    kd_error *err = NULL;
    int rc = kd_write_file_atomic(path, NULL, json, strlen(json), 0644, &err);
    free(json);
    return rc < 0 ? kd_report(err) : 0;
}

static int show(const kd_rep *r, const cmp_cli *c)
{
    kd_error *err = NULL;
    int first = r->modes[KD_MODE_COLD] ? KD_MODE_COLD : KD_MODE_WARM;
    if (!c->no_tui && kd_tui_usable())
        return kd_tui_run(r, (kd_mode)first, &err) < 0 ? kd_report(err) : 0;
    return kd_print_report(r, -1);
}

static int run(int argc, char **argv)
{
    cmp_cli c;
    memset(&c, 0, sizeof c);
    c.o.network = KD_NET_HOST;
    int rc = parse_args(&c, argc, argv);
    if (rc == 0) {
        c.o.variant_files = c.variants, c.o.nvariant_files = c.nvariants;
        c.o.build_args = c.args, c.o.nbuild_args = c.nargs;
        kd_cmp_view *view = kd_cmp_view_new(stderr);
        c.o.progress = kd_cmp_view_event;
        c.o.progress_ctx = view;
        c.o.cancel = &cancelled;
        kd_catch_signals(&cancelled);
        kd_rep r;
        kd_error *err = NULL;
        rc = kd_compare(&c.o, &r, &err);
        kd_cmp_view_free(view);
        if (rc < 0)
            rc = kd_report(err);
        else if (c.json == NULL || (rc = write_json(&r, c.json)) == 0)
            rc = show(&r, &c) != 0 || kd_report_any_failed(&r) ? 1 : 0;
        kd_report_free(&r);
    }
    free(c.variants);
    free(c.args);
    return rc;
}

const kd_command kd_cmd_compare = {
    .name = "compare",
    .summary = "Build a Dockerfile as written and as fixed, and show where the time went",
    .help =
        "Usage: kdoctor compare [-f Dockerfile] [--variant FILE]... [--runs N]\n"
        "                       [--cold | --warm | --both] [--cold-pull] [--json FILE]\n"
        "                       [--no-tui] [--cache-dir DIR] [--build-arg K=V]...\n"
        "                       [--target STAGE] [--network host|none] CONTEXT\n"
        "\n"
        "Builds the Dockerfile (default CONTEXT/Dockerfile) as written, as 'kdoctor lint\n"
        "--fix' rewrites it, as '--fix-unsafe' rewrites it when that differs, and each\n"
        "--variant file, on this machine, --runs times each, the variants taking turns.\n"
        "Then shows the medians and their spread per variant, per phase and per step\n"
        "(a merged RUN stands against the RUNs it replaced), layer counts and sizes, and\n"
        "image efficiency: in the terminal UI on a terminal, else as text tables.\n"
        "Progress goes to standard error while it builds.\n"
        "\n"
        "A cold build starts from a fresh store holding only the base images' blobs of\n"
        "the store (nothing unpacked, no layer); a warm build rebuilds on the store a\n"
        "first build of the same variant filled. Nothing is kept: the stores live in a\n"
        "temporary folder of the store and are removed, also on Ctrl-C.\n"
        "\n"
        "Options:\n"
        "  -f, --file FILE        the Dockerfile\n"
        "  --variant FILE         another Dockerfile to build in the same context (repeatable)\n"
        "  --runs N               builds per variant and mode (default 3; 1 to 100)\n"
        "  --cold                 cold builds only (the default)\n"
        "  --warm                 warm builds only\n"
        "  --both                 cold and warm builds\n"
        "  --cold-pull            cold builds fetch their base images from the registry\n"
        "                         again (a base made with 'kdoctor import' cannot be)\n"
        "  --json FILE            write the report (schema kdoctor.compare/1); reopen it\n"
        "                         with 'kdoctor report FILE'\n"
        "  --no-tui               print text tables, not the terminal UI\n"
        "  --cache-dir DIR        the store holding the base images (default ~/.cache/kdoctor)\n"
        "  --build-arg K=V        a build argument; K alone takes $K (repeatable)\n"
        "  --target STAGE         build this stage, not the last\n"
        "  --network MODE         network of RUN steps: host (default) or none\n"
        "\n"
        "Exit status: 0 when every variant built, 1 when one failed (the report says\n"
        "which and why), 2 for usage errors and unreadable files, 130 when interrupted.\n"
        "See docs/compare.md for every figure.\n",
    .run = run,
};
