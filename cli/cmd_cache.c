/* kdoctor cache ls | prune | warm: the layer cache of the local store
 * (build/cache.h, docs/cache.md). */
#include "build/builder.h"
#include "build/cache.h"
#include "build/store.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "util/mem.h"

#include <getopt.h>
#include <math.h> /* isfinite, a macro: no libm */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
    (void)sig;
    cancelled = 1;
}

/* "10GB", "512m", "1.5GiB", "2000000": units are powers of 1024 as in
 * Docker's --keep-storage (k, kb, kib all 1024). -1 when not a size. */
static int64_t parse_size(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0 || !isfinite(v))
        return -1;
    static const char *const units[] = {"", "k", "m", "g", "t"};
    char u[8] = "";
    size_t n = strlen(end);
    if (n >= sizeof u)
        return -1;
    for (size_t i = 0; i <= n; i++)
        u[i] = (char)(end[i] >= 'A' && end[i] <= 'Z' ? end[i] + 32 : end[i]);
    size_t ul = strlen(u);
    if (ul && u[ul - 1] == 'b') /* "kb", "kib", "b" */
        u[--ul] = '\0';
    if (ul == 2 && u[1] == 'i')
        u[--ul] = '\0';
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(u, units[i]) == 0)
            return (int64_t)(v * (double)(1ULL << (10 * i)));
    return -1;
}

typedef struct cache_cli {
    const char *dir;
    int64_t keep;
    const char *platform;
    const char **insecure;
    size_t ninsecure;
} cache_cli;

static int parse_opts(const char *sub, cache_cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"cache-dir", required_argument, NULL, 'c'},
        {"keep-storage", required_argument, NULL, 'k'},
        {"platform", required_argument, NULL, 'p'},
        {"insecure-registry", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    char cmd[32];
    snprintf(cmd, sizeof cmd, "cache %s", sub);
    c->keep = -1;
    opterr = 0;
    optind = 1;
    int o;
    while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (o == 'c') {
            c->dir = optarg;
        } else if (o == 'k' && strcmp(sub, "prune") == 0) {
            if ((c->keep = parse_size(optarg)) < 0)
                return kd_usage_error(cmd, "--keep-storage takes a size (10GB, 512MB), not '%s'",
                                      optarg);
        } else if (o == 'p' && strcmp(sub, "warm") == 0) {
            c->platform = optarg;
        } else if (o == 'i' && strcmp(sub, "warm") == 0) {
            c->insecure = kd_xrealloc(c->insecure, (c->ninsecure + 1) * sizeof *c->insecure);
            c->insecure[c->ninsecure++] = optarg;
        } else if (o == ':') {
            return kd_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        } else {
            return kd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    return 0;
}

static int cmd_ls(cache_cli *c)
{
    kd_store *s;
    kd_error *err = NULL;
    if (kd_store_open(c->dir, KD_STORE_SHARED, &s, &err) < 0)
        return kd_report(err);
    kd_cache_entry *v;
    size_t n;
    uint64_t bytes = 0;
    size_t nentries = 0;
    if (kd_cache_list(s, &v, &n, &err) < 0 || kd_cache_usage(s, &bytes, &nentries, &err) < 0) {
        kd_store_close(s);
        return kd_report(err);
    }
    printf("%-12s %10s %-20s %s\n", "KEY", "LAYER", "LAST USED", "STEP");
    for (size_t i = 0; i < n; i++) {
        char sz[32] = "-", when[32];
        if (v[i].layer)
            kd_human_size((double)v[i].size, sz, sizeof sz);
        time_t t = (time_t)(v[i].used_ns / 1000000000);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        const char *by = v[i].created_by ? v[i].created_by : "";
        size_t cut = strcspn(by, "\n");
        printf("%.12s %10s %-20s %.*s%s\n", v[i].key + 7, sz, when, (int)(cut > 60 ? 60 : cut), by,
               by[cut] || cut > 60 ? "..." : "");
    }
    char total[32];
    kd_human_size((double)bytes, total, sizeof total);
    printf("%zu entr%s; the store holds %s (%llu bytes: blobs + unpacked layers)\n", n,
           n == 1 ? "y" : "ies", total, (unsigned long long)bytes);
    kd_cache_entries_free(v, n);
    kd_store_close(s);
    return 0;
}

static int cmd_prune(cache_cli *c)
{
    kd_store *s;
    kd_error *err = NULL;
    /* exclusive: waits until no build has the store open, so nothing a
     * running build uses can go */
    if (kd_store_open(c->dir, KD_STORE_EXCLUSIVE, &s, &err) < 0)
        return kd_report(err);
    kd_prune_stats st;
    int rc = kd_cache_prune(s, c->keep, &st, &err);
    kd_store_close(s);
    if (rc < 0)
        return kd_report(err);
    char freed[32], kept[32];
    kd_human_size((double)st.bytes, freed, sizeof freed);
    kd_human_size((double)st.kept_bytes, kept, sizeof kept);
    printf("removed %zu entr%s, %zu blob%s, %zu unpacked layer%s: %s freed; "
           "%zu entr%s kept, the store holds %s\n",
           st.entries, st.entries == 1 ? "y" : "ies", st.blobs, st.blobs == 1 ? "" : "s", st.layers,
           st.layers == 1 ? "" : "s", freed, st.kept_entries, st.kept_entries == 1 ? "y" : "ies",
           kept);
    return 0;
}

static int cmd_warm(cache_cli *c, int argc, char **argv)
{
    if (optind >= argc)
        return kd_usage_error("cache warm", "no image given");
    size_t n = (size_t)(argc - optind);
    kd_build_opts o;
    memset(&o, 0, sizeof o);
    o.cache_dir = c->dir;
    o.platform = c->platform;
    o.insecure = c->insecure;
    o.ninsecure = c->ninsecure;
    o.cancel = &cancelled;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    kd_ui *ui = kd_ui_new(KD_UI_AUTO, stderr);
    o.progress = kd_ui_event;
    o.progress_ctx = ui;
    char(*digests)[KD_DIGEST_STR_LEN + 1] = kd_xcalloc(n, sizeof *digests);
    kd_build_result res;
    kd_error *err = NULL;
    int rc = kd_build_warm(&o, (const char *const *)argv + optind, n, digests, &res, &err);
    kd_ui_free(ui);
    for (size_t i = 0; rc == 0 && i < n; i++)
        printf("%s %s\n", digests[i], argv[optind + (int)i]);
    free(digests);
    kd_build_result_free(&res);
    return rc == 0 ? 0 : kd_report(err);
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return kd_usage_error("cache", "ls, prune or warm?");
    const char *sub = argv[1];
    if (strcmp(sub, "ls") != 0 && strcmp(sub, "prune") != 0 && strcmp(sub, "warm") != 0)
        return kd_usage_error("cache", "unknown subcommand '%s' (ls, prune or warm)", sub);
    cache_cli c;
    memset(&c, 0, sizeof c);
    int rc = parse_opts(sub, &c, argc - 1, argv + 1);
    if (rc == 0 && strcmp(sub, "warm") != 0 && optind < argc - 1)
        rc = kd_usage_error(sub, "takes no arguments");
    if (rc == 0)
        rc = strcmp(sub, "ls") == 0      ? cmd_ls(&c)
             : strcmp(sub, "prune") == 0 ? cmd_prune(&c)
                                         : cmd_warm(&c, argc - 1, argv + 1);
    free(c.insecure);
    return rc;
}

const kd_command kd_cmd_cache = {
    .name = "cache",
    .summary = "Show, trim or fill the build cache in kdoctor's store",
    .help = "Usage: kdoctor cache ls [--cache-dir DIR]\n"
            "       kdoctor cache prune [--keep-storage SIZE] [--cache-dir DIR]\n"
            "       kdoctor cache warm [--platform os/arch] [--insecure-registry HOST]...\n"
            "                          [--cache-dir DIR] IMAGE...\n"
            "\n"
            "ls     lists the layer cache's entries, most recently used first, and the\n"
            "       store's size.\n"
            "prune  removes cache entries, then every blob and unpacked layer that no named\n"
            "       image (kdoctor images) and no kept entry needs. With --keep-storage SIZE\n"
            "       (10GB, 512MB; powers of 1024) the most recently used entries stay as\n"
            "       long as the store fits in SIZE. It waits until no build is using the\n"
            "       store, so nothing a running build uses is removed.\n"
            "warm   puts base images into the store, unpacked, as FROM would get them\n"
            "       (a registry reference, or oci-layout://DIR[:TAG]); prints their digests.\n"
            "\n"
            "See docs/cache.md.\n",
    .run = run,
};
