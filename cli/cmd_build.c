/* kdoctor build: the command line over kd_build() (build/builder.h). */
#include "build/builder.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "util/mem.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t cancelled;

typedef struct strlist {
    const char **v;
    size_t n;
} strlist;

static void push(strlist *l, const char *s)
{
    l->v = kd_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = s;
}

typedef struct build_cli {
    kd_build_opts o;
    strlist tags, args, insecure, mirrors;
    const char *timings;
    kd_ui_mode ui;
} build_cli;

static int epoch_from_env(int64_t *out)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    *out = -1;
    if (s == NULL || *s == '\0')
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0)
        return kd_usage_error("build", "SOURCE_DATE_EPOCH must be a number of seconds, not '%s'",
                              s);
    *out = v;
    return 0;
}

/* KDOCTOR_SANDBOX=chroot forces the fallback used where overlayfs or the
 * namespaces are missing (tests use it to compare both), =namespaces
 * refuses it; unset or auto: detect. */
static int sandbox_from_env(kd_sandbox_mode *out)
{
    const char *s = getenv("KDOCTOR_SANDBOX");
    *out = KD_SANDBOX_AUTO;
    if (s == NULL || *s == '\0' || strcmp(s, "auto") == 0)
        return 0;
    if (strcmp(s, "chroot") == 0)
        *out = KD_SANDBOX_CHROOT;
    else if (strcmp(s, "namespaces") == 0)
        *out = KD_SANDBOX_NAMESPACES;
    else
        return kd_usage_error("build", "KDOCTOR_SANDBOX takes auto, namespaces or chroot, not '%s'",
                              s);
    return 0;
}

static int parse_progress(const char *v, kd_ui_mode *m)
{
    if (strcmp(v, "auto") == 0)
        *m = KD_UI_AUTO;
    else if (strcmp(v, "plain") == 0)
        *m = KD_UI_PLAIN;
    else if (strcmp(v, "tty") == 0)
        *m = KD_UI_TTY;
    else
        return kd_usage_error("build", "--progress takes auto, plain or tty, not '%s'", v);
    return 0;
}

static int parse_network(const char *v, kd_net *n)
{
    if (strcmp(v, "host") == 0)
        *n = KD_NET_HOST;
    else if (strcmp(v, "none") == 0)
        *n = KD_NET_NONE;
    else
        return kd_usage_error("build", "--network takes host or none, not '%s'", v);
    return 0;
}

/* "336h", "14d", "30m", "90s", "3600" (seconds) */
static int parse_ttl(const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    long long mul = *end == '\0' || strcmp(end, "s") == 0 ? 1
                    : strcmp(end, "m") == 0            ? 60
                    : strcmp(end, "h") == 0            ? 3600
                    : strcmp(end, "d") == 0            ? 86400
                                                       : 0;
    if (errno || end == v || n <= 0 || mul == 0 || n > INT64_MAX / mul)
        return kd_usage_error("build", "--cache-ttl takes a duration (336h, 14d, 30m), not '%s'", v);
    *out = n * mul;
    return 0;
}

enum {
    OPT_ARG = 256, OPT_TARGET, OPT_PLATFORM, OPT_OCI, OPT_TAR, OPT_PUSH, OPT_NO_PUSH,
    OPT_TIMINGS, OPT_PROGRESS, OPT_NETWORK, OPT_CACHE, OPT_INSECURE, OPT_MIRROR,
    OPT_USE_CACHE, OPT_NO_CACHE, OPT_REPRODUCIBLE, OPT_CACHE_REPO, OPT_CACHE_TTL,
    OPT_NORM_OWNERS, OPT_NORM_MODES,
};

static int parse_opt(build_cli *c, int opt, const char *arg, int argc, char **argv)
{
    (void)argc;
    switch (opt) {
    case 'f': c->o.dockerfile = arg; return 0;
    case 't': push(&c->tags, arg); return 0;
    case OPT_ARG: push(&c->args, arg); return 0;
    case OPT_TARGET: c->o.target = arg; return 0;
    case OPT_PLATFORM: c->o.platform = arg; return 0;
    case OPT_OCI: c->o.oci_layout = arg; return 0;
    case OPT_TAR: c->o.tar_path = arg; return 0;
    case OPT_PUSH: c->o.push = true; return 0;
    case OPT_NO_PUSH: c->o.push = false; return 0;
    case OPT_TIMINGS: c->timings = arg; return 0;
    case OPT_PROGRESS: return parse_progress(arg, &c->ui);
    case OPT_NETWORK: return parse_network(arg, &c->o.network);
    case OPT_CACHE: c->o.cache_dir = arg; return 0;
    case OPT_INSECURE: push(&c->insecure, arg); return 0;
    case OPT_MIRROR: push(&c->mirrors, arg); return 0;
    case OPT_USE_CACHE: c->o.no_cache = false; return 0;
    case OPT_NO_CACHE: c->o.no_cache = true; return 0;
    case OPT_REPRODUCIBLE: c->o.reproducible = true; return 0;
    case OPT_NORM_OWNERS: c->o.normalize_owners = true; return 0;
    case OPT_NORM_MODES: c->o.normalize_modes = true; return 0;
    case OPT_CACHE_REPO: c->o.cache_repo = arg; return 0;
    case OPT_CACHE_TTL: return parse_ttl(arg, &c->o.cache_ttl);
    case ':':
        return kd_usage_error("build", "option '%s' needs a value", argv[optind - 1]);
    default:
        return kd_usage_error("build", "unknown option '%s'", argv[optind - 1]);
    }
}

static int parse_args(build_cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"file", required_argument, NULL, 'f'},
        {"tag", required_argument, NULL, 't'},
        {"build-arg", required_argument, NULL, OPT_ARG},
        {"target", required_argument, NULL, OPT_TARGET},
        {"platform", required_argument, NULL, OPT_PLATFORM},
        {"oci-layout", required_argument, NULL, OPT_OCI},
        {"tar", required_argument, NULL, OPT_TAR},
        {"push", no_argument, NULL, OPT_PUSH},
        {"no-push", no_argument, NULL, OPT_NO_PUSH},
        {"timings", required_argument, NULL, OPT_TIMINGS},
        {"progress", required_argument, NULL, OPT_PROGRESS},
        {"network", required_argument, NULL, OPT_NETWORK},
        {"cache-dir", required_argument, NULL, OPT_CACHE},
        {"insecure-registry", required_argument, NULL, OPT_INSECURE},
        {"registry-mirror", required_argument, NULL, OPT_MIRROR},
        {"cache", no_argument, NULL, OPT_USE_CACHE},
        {"no-cache", no_argument, NULL, OPT_NO_CACHE},
        {"reproducible", no_argument, NULL, OPT_REPRODUCIBLE},
        {"normalize-owners", no_argument, NULL, OPT_NORM_OWNERS},
        {"normalize-modes", no_argument, NULL, OPT_NORM_MODES},
        {"cache-repo", required_argument, NULL, OPT_CACHE_REPO},
        {"cache-ttl", required_argument, NULL, OPT_CACHE_TTL},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, ":f:t:", opts, NULL)) != -1)
        if (parse_opt(c, opt, optarg, argc, argv) != 0)
            return 2;
    if (optind >= argc)
        return kd_usage_error("build", "no build context given (use . for this directory)");
    if (optind + 1 < argc)
        return kd_usage_error("build", "one build context only, got '%s' too", argv[optind + 1]);
    c->o.context = argv[optind];
    return 0;
}

static void print_result(const kd_build_opts *o, const kd_build_result *r)
{
    char size[32];
    kd_human_size((double)r->size, size, sizeof size);
    fprintf(stderr, "built %s in %.2fs: %zu layer%s, %s\n", r->digest,
            r->timings.total_ms / 1e3, r->layers, r->layers == 1 ? "" : "s", size);
    for (size_t i = 0; i < o->ntags && !o->oci_layout && !o->tar_path && !o->push; i++)
        fprintf(stderr, "named %s\n", o->tags[i]);
    printf("%s\n", r->digest);
}

static int run(int argc, char **argv)
{
    build_cli c;
    memset(&c, 0, sizeof c);
    c.o.network = KD_NET_HOST;
    int rc = parse_args(&c, argc, argv);
    if (rc == 0)
        rc = epoch_from_env(&c.o.source_date_epoch);
    if (rc == 0)
        rc = sandbox_from_env(&c.o.sandbox);
    if (rc != 0) {
        free(c.tags.v), free(c.args.v), free(c.insecure.v), free(c.mirrors.v);
        return rc;
    }
    c.o.tags = c.tags.v, c.o.ntags = c.tags.n;
    c.o.build_args = c.args.v, c.o.nbuild_args = c.args.n;
    c.o.insecure = c.insecure.v, c.o.ninsecure = c.insecure.n;
    c.o.mirrors = c.mirrors.v, c.o.nmirrors = c.mirrors.n;
    kd_ui *ui = kd_ui_new(c.ui, stderr);
    c.o.progress = kd_ui_event;
    c.o.progress_ctx = ui;
    c.o.cancel = &cancelled;
    kd_catch_signals(&cancelled);
    kd_build_result res;
    kd_error *err = NULL;
    int brc = kd_build(&c.o, &res, &err);
    kd_ui_free(ui);
    kd_error *terr = NULL;
    if (c.timings && kd_timings_write(&res.timings, c.timings, &terr) < 0)
        fprintf(stderr, "kdoctor: %s\n", terr->msg);
    kd_error_free(terr);
    if (brc == 0)
        print_result(&c.o, &res);
    kd_build_result_free(&res);
    free(c.tags.v), free(c.args.v), free(c.insecure.v), free(c.mirrors.v);
    return brc == 0 ? 0 : kd_report(err);
}

const kd_command kd_cmd_build = {
    .name = "build",
    .summary = "Build an image from a Dockerfile, without a daemon, timing every step",
    .help =
        "Usage: kdoctor build [-f Dockerfile] [-t REF]... [--build-arg K=V]... [--target STAGE]\n"
        "                     [--platform os/arch] [--oci-layout DIR] [--tar FILE]\n"
        "                     [--no-push | --push] [--timings FILE.json]\n"
        "                     [--progress auto|plain|tty] [--network host|none]\n"
        "                     [--cache | --no-cache] [--cache-dir DIR] [--reproducible]\n"
        "                     [--normalize-owners] [--normalize-modes]\n"
        "                     [--cache-repo REF [--cache-ttl DURATION]]\n"
        "                     [--insecure-registry HOST]... [--registry-mirror URL]... CONTEXT\n"
        "\n"
        "Builds the Dockerfile (default CONTEXT/Dockerfile) as BuildKit would, with no\n"
        "daemon: base layers are unpacked once into the store while they download, each\n"
        "RUN runs isolated on an overlay of them, and its changes are exactly the\n"
        "overlay's upper directory. Only the stages the target needs are built.\n"
        "A step whose inputs did not change since an earlier build is taken from the\n"
        "layer cache (shown as CACHED) without running or unpacking anything.\n"
        "\n"
        "Without --oci-layout, --tar or --push the image goes into the local store\n"
        "(see 'kdoctor images') under the -t names. The image digest is printed on\n"
        "standard output; progress goes to standard error.\n"
        "\n"
        "Options:\n"
        "  -f, --file FILE          the Dockerfile (- reads standard input)\n"
        "  -t, --tag REF            a name for the image (repeatable)\n"
        "  --build-arg K=V          a build argument; K alone takes $K (repeatable)\n"
        "  --target STAGE           build this stage (name or index), not the last\n"
        "  --platform os/arch       the platform of the base images (default: this machine)\n"
        "  --oci-layout DIR         write the image as an OCI image layout directory\n"
        "  --tar FILE               write a docker-archive tar ('docker load', 'podman load')\n"
        "  --push                   push to each -t REF's registry; --no-push (default) does not\n"
        "  --timings FILE.json      write every step's phases and bytes (docs/timings.md)\n"
        "  --progress MODE          auto (default), plain, or tty\n"
        "  --network MODE           network of RUN steps: host (default) or none\n"
        "  --cache, --no-cache      use the layer cache (default) or run every step;\n"
        "                           results are recorded either way (docs/cache.md)\n"
        "  --cache-dir DIR          the store and its cache (default ~/.cache/kdoctor)\n"
        "  --cache-repo REF         also keep the layer cache in this registry repository,\n"
        "                           shared by builds on other machines (reading needs only\n"
        "                           pull rights; works with --no-push)\n"
        "  --cache-ttl DURATION     cache-repo entries older than this miss (default 336h)\n"
        "  --reproducible           byte-identical images for the same inputs: every\n"
        "                           timestamp is SOURCE_DATE_EPOCH (0 when unset)\n"
        "  --normalize-owners       every file the steps write is owned by 0:0\n"
        "  --normalize-modes        ... and is 0755 (dirs, files with an x bit) or 0644\n"
        "  --insecure-registry HOST allow plain HTTP for HOST (repeatable)\n"
        "  --registry-mirror URL    try this mirror for docker.io first (repeatable)\n"
        "\n"
        "SOURCE_DATE_EPOCH in the environment clamps every timestamp of the image;\n"
        "with --reproducible every timestamp is set to it.\n"
        "Without overlayfs or namespaces, steps run in a chroot (said once);\n"
        "KDOCTOR_SANDBOX=chroot forces that fallback, =namespaces forbids it.\n"
        "A failing step stops the build (status 1) naming FILE:LINE, the exit code and\n"
        "the step's last output; Ctrl-C stops it (status 130). Either way nothing is\n"
        "left behind: no mount, no process, no temp file. See docs/build.md.\n",
    .run = run,
};
