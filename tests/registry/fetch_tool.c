/* fetch-tool: a test driver for build-fetch's library (refs, registry
 * client, store, pull, outputs), used by tests/registry/suite.sh against a
 * real docker-registry. Not installed; not a kdoctor command.
 *
 *   fetch-tool [OPTIONS] ref REF
 *   fetch-tool [OPTIONS] manifest REF              raw manifest to stdout
 *   fetch-tool [OPTIONS] blob REF DIGEST           blob to stdout
 *   fetch-tool [OPTIONS] pull STORE REF            into the store, named REF
 *   fetch-tool [OPTIONS] push STORE NAME DEST      NAME from the store to DEST
 *   fetch-tool [OPTIONS] oci STORE NAME DIR [REFNAME]
 *   fetch-tool [OPTIONS] archive STORE NAME FILE [TAG]
 *   fetch-tool [OPTIONS] ping HOST
 *
 * Options: --platform P, --insecure HOST, --mirror URL, --config DIR,
 * --anonymous, --chunk-size N, --parallel N, --mount REPO, --retries N.
 * Prints what it did and the client's counters ("stat NAME N") so the
 * suite can check what went over the wire. */
#include "build/output.h"
#include "build/pull.h"
#include "build/registry.h"
#include "build/store.h"
#include "util/mem.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct tool {
    kd_registry_opts o;
    const char *insecure[8], *mirrors[8], *mounts[8];
    size_t nmounts;
    const char *platform;
    kd_registry *r;
} tool;

static int fail(kd_error *e)
{
    fprintf(stderr, "fetch-tool: %s\n", e ? e->msg : "failed");
    kd_error_free(e);
    return 1;
}

static void log_msg(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "log: %s\n", msg);
}

static void print_stats(const kd_registry *r)
{
    kd_registry_stats st;
    kd_registry_stats_get(r, &st);
    printf("stat requests %" PRIu64 "\nstat retries %" PRIu64 "\nstat blobs_fetched %" PRIu64
           "\nstat blobs_existing %" PRIu64 "\nstat blobs_mounted %" PRIu64
           "\nstat blobs_uploaded %" PRIu64 "\nstat chunks_uploaded %" PRIu64
           "\nstat bytes_in %" PRIu64 "\nstat bytes_out %" PRIu64 "\n",
           st.requests, st.retries, st.blobs_fetched, st.blobs_existing, st.blobs_mounted,
           st.blobs_uploaded, st.chunks_uploaded, st.bytes_in, st.bytes_out);
}

static int cmd_ref(char **argv)
{
    kd_ref r;
    kd_error *e = NULL;
    if (kd_ref_parse(argv[0], &r, &e) < 0)
        return fail(e);
    char *s = kd_ref_string(&r), *f = kd_ref_familiar(&r);
    printf("%s\n%s\n", s, f);
    free(s);
    free(f);
    kd_ref_free(&r);
    return 0;
}

static int parse_ref(const char *s, kd_ref *r, kd_error **e)
{
    return kd_ref_parse(s, r, e);
}

static int cmd_manifest(tool *t, char **argv)
{
    kd_ref ref;
    kd_error *e = NULL;
    kd_fetched f;
    if (parse_ref(argv[0], &ref, &e) < 0 || kd_registry_get_manifest(t->r, &ref, NULL, &f, &e) < 0)
        return kd_ref_free(&ref), fail(e);
    fwrite(f.data, 1, f.len, stdout);
    fprintf(stderr, "digest %s\ntype %s\n", f.digest, f.media_type ? f.media_type : "");
    kd_fetched_free(&f);
    kd_ref_free(&ref);
    return 0;
}

static int to_stdout(void *ctx, const void *buf, size_t n)
{
    (void)ctx;
    return fwrite(buf, 1, n, stdout) == n ? 0 : -1;
}

static int cmd_blob(tool *t, char **argv)
{
    kd_ref ref;
    kd_error *e = NULL;
    int rc = parse_ref(argv[0], &ref, &e);
    if (rc == 0)
        rc = kd_registry_fetch_blob(t->r, &ref, argv[1], -1, to_stdout, NULL, &e);
    kd_ref_free(&ref);
    return rc < 0 ? fail(e) : 0;
}

static int open_store(const char *dir, kd_store **s, kd_error **e)
{
    return kd_store_open(dir, KD_STORE_SHARED, s, e);
}

static int cmd_pull(tool *t, char **argv)
{
    kd_store *s = NULL;
    kd_ref ref = {0};
    kd_error *e = NULL;
    kd_platform p = {0};
    kd_pull_opts po = {0};
    if (t->platform && kd_platform_parse(t->platform, &p, &e) < 0)
        return fail(e);
    po.platform = t->platform ? &p : NULL;
    kd_pulled out;
    int rc = open_store(argv[0], &s, &e);
    if (rc == 0)
        rc = parse_ref(argv[1], &ref, &e);
    if (rc == 0 && (rc = kd_pull(t->r, s, &ref, &po, &out, &e)) == 0) {
        char *name = kd_ref_string(&ref);
        rc = kd_store_image_set(s, name, out.manifest_digest, &e);
        printf("manifest %s\nindex %s\nconfig %s\nlayers %zu\nfetched %zu\nplatform %s/%s\n",
               out.manifest_digest, out.index_digest, out.manifest.config.digest,
               out.manifest.nlayers, out.layers_fetched, out.config.os,
               out.config.architecture);
        free(name);
        kd_pulled_free(&out);
    }
    kd_ref_free(&ref);
    kd_platform_free(&p);
    kd_store_close(s);
    print_stats(t->r);
    return rc < 0 ? fail(e) : 0;
}

/* The manifest digest of a store image by name ("sha256:..." as is). */
static int lookup(kd_store *s, const char *name, char digest[KD_DIGEST_STR_LEN + 1],
                  kd_error **e)
{
    if (kd_digest_valid(name)) {
        memcpy(digest, name, KD_DIGEST_STR_LEN + 1);
        return 0;
    }
    kd_ref ref;
    if (kd_ref_parse(name, &ref, e) < 0)
        return -1;
    char *full = kd_ref_string(&ref);
    int rc = kd_store_image_get(s, full, digest, e);
    kd_ref_free(&ref);
    free(full);
    if (rc == 1)
        return kd_err(e, 0, "no image %s in the store", name);
    return rc;
}

/* Opens the store argv[0] and finds the image argv[1] in it. */
static int store_image(char **argv, kd_store **s, char digest[KD_DIGEST_STR_LEN + 1],
                       kd_error **e)
{
    *s = NULL;
    if (open_store(argv[0], s, e) < 0)
        return -1;
    return lookup(*s, argv[1], digest, e);
}

static int cmd_push(tool *t, char **argv)
{
    kd_store *s;
    kd_ref dest = {0};
    kd_error *e = NULL;
    char digest[KD_DIGEST_STR_LEN + 1];
    int rc = store_image(argv, &s, digest, &e);
    if (rc == 0)
        rc = kd_ref_parse(argv[2], &dest, &e);
    if (rc == 0)
        rc = kd_output_push(t->r, s, digest, &dest, t->mounts, t->nmounts, &e);
    if (rc == 0)
        printf("pushed %s\n", digest);
    kd_ref_free(&dest);
    kd_store_close(s);
    print_stats(t->r);
    return rc < 0 ? fail(e) : 0;
}

static int cmd_oci(char **argv, int argc)
{
    kd_store *s;
    kd_error *e = NULL;
    char digest[KD_DIGEST_STR_LEN + 1];
    int rc = store_image(argv, &s, digest, &e);
    if (rc == 0)
        rc = kd_output_oci_layout(s, digest, argv[2], argc > 3 ? argv[3] : NULL, &e);
    kd_store_close(s);
    return rc < 0 ? fail(e) : 0;
}

static int cmd_archive(char **argv, int argc)
{
    kd_store *s;
    kd_error *e = NULL;
    char digest[KD_DIGEST_STR_LEN + 1];
    int rc = store_image(argv, &s, digest, &e);
    const char *tags[] = {argc > 3 ? argv[3] : NULL};
    if (rc == 0)
        rc = kd_output_docker_archive(s, digest, argv[2], tags, argc > 3 ? 1 : 0, &e);
    kd_store_close(s);
    return rc < 0 ? fail(e) : 0;
}

static int parse_opts(tool *t, int argc, char **argv)
{
    static const struct option longs[] = {
        {"platform", 1, 0, 'p'}, {"insecure", 1, 0, 'i'}, {"mirror", 1, 0, 'm'},
        {"config", 1, 0, 'c'},   {"anonymous", 0, 0, 'a'}, {"chunk-size", 1, 0, 'k'},
        {"parallel", 1, 0, 'j'}, {"mount", 1, 0, 'M'},     {"retries", 1, 0, 'r'},
        {0, 0, 0, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
        switch (c) {
        case 'p': t->platform = optarg; break;
        case 'i': if (t->o.ninsecure < 8) t->insecure[t->o.ninsecure++] = optarg; break;
        case 'm': if (t->o.nmirrors < 8) t->mirrors[t->o.nmirrors++] = optarg; break;
        case 'c': t->o.docker_config = optarg; break;
        case 'a': t->o.anonymous = true; break;
        case 'k': t->o.chunk_size = strtoll(optarg, NULL, 10); break;
        case 'j': t->o.parallel = atoi(optarg); break;
        case 'M': if (t->nmounts < 8) t->mounts[t->nmounts++] = optarg; break;
        case 'r': t->o.retries = atoi(optarg); break;
        default: return -1;
        }
    }
    t->o.insecure = t->insecure;
    t->o.mirrors = t->mirrors;
    t->o.log = log_msg;
    t->o.backoff_ms = 50;
    return optind;
}

static int dispatch(tool *t, const char *cmd, char **argv, int argc)
{
    static const struct {
        const char *name;
        int args;
    } need[] = {{"ref", 1}, {"manifest", 1}, {"blob", 2}, {"pull", 2}, {"push", 3},
                {"oci", 3}, {"archive", 3}, {"ping", 1}};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (strcmp(cmd, need[i].name) == 0 && argc < need[i].args)
            return fprintf(stderr, "fetch-tool %s: missing arguments\n", cmd), 2;
    if (strcmp(cmd, "ref") == 0)
        return cmd_ref(argv);
    if (strcmp(cmd, "manifest") == 0)
        return cmd_manifest(t, argv);
    if (strcmp(cmd, "blob") == 0)
        return cmd_blob(t, argv);
    if (strcmp(cmd, "pull") == 0)
        return cmd_pull(t, argv);
    if (strcmp(cmd, "push") == 0)
        return cmd_push(t, argv);
    if (strcmp(cmd, "oci") == 0)
        return cmd_oci(argv, argc);
    if (strcmp(cmd, "archive") == 0)
        return cmd_archive(argv, argc);
    if (strcmp(cmd, "ping") == 0) {
        kd_error *e = NULL;
        return kd_registry_ping(t->r, argv[0], &e) < 0 ? fail(e) : (printf("ok\n"), 0);
    }
    fprintf(stderr, "fetch-tool: unknown command %s\n", cmd);
    return 2;
}

int main(int argc, char **argv)
{
    tool t = {0};
    int i = parse_opts(&t, argc, argv);
    if (i < 0 || i >= argc) {
        fprintf(stderr, "usage: fetch-tool [OPTIONS] COMMAND ARGS (see the source)\n");
        return 2;
    }
    kd_error *e = NULL;
    if (kd_registry_new(&t.o, &t.r, &e) < 0)
        return fail(e);
    int rc = dispatch(&t, argv[i], argv + i + 1, argc - i - 1);
    kd_registry_free(t.r);
    return rc;
}
