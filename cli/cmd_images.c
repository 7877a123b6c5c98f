/* kdoctor images: the local store's named images. */
#include "build/oci.h"
#include "build/ref.h"
#include "build/store.h"
#include "cli/cli.h"
#include "cli/progress.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Layers + config + manifest of a manifest, or of an index's first
 * manifest; -1 when it cannot be read. */
static int64_t image_size(kd_store *s, const char *digest, int depth)
{
    char *data;
    size_t len;
    kd_error *e = NULL;
    if (depth > 2 || kd_store_blob_read(s, digest, KD_MANIFEST_MAX, &data, &len, &e) < 0) {
        kd_error_free(e);
        return -1;
    }
    int64_t size = -1;
    if (kd_doc_kind_of(NULL, data, len) == KD_DOC_INDEX) {
        kd_index ix;
        if (kd_index_parse(data, len, NULL, &ix, &e) == 0 && ix.nmanifests)
            size = image_size(s, ix.manifests[0].digest, depth + 1);
        kd_index_free(&ix);
    } else {
        kd_manifest m;
        if (kd_manifest_parse(data, len, NULL, &m, &e) == 0) {
            size = (int64_t)len + m.config.size;
            for (size_t i = 0; i < m.nlayers; i++)
                size += m.layers[i].size;
            kd_manifest_free(&m);
        }
    }
    kd_error_free(e);
    free(data);
    return size;
}

/* One format for the header and the rows, so that their columns agree:
 * name, digest (cut to the digest width), created, size. */
#define ROW_FORMAT         "%-40s %-*.*s %-20s %10s\n"
#define DIGEST_WIDTH(full) ((full) ? 71 : 12)

static void print_row(kd_store *s, const kd_store_image *im, bool full)
{
    kd_ref ref;
    kd_error *e = NULL;
    char *name = NULL;
    if (kd_ref_parse(im->name, &ref, &e) == 0) {
        name = kd_ref_familiar(&ref);
        kd_ref_free(&ref);
    }
    kd_error_free(e);
    int64_t size = image_size(s, im->digest, 0);
    char sz[32] = "?";
    if (size >= 0)
        kd_human_size((double)size, sz, sizeof sz);
    printf(ROW_FORMAT, name ? name : im->name, DIGEST_WIDTH(full), DIGEST_WIDTH(full),
           full ? im->digest : im->digest + 7, im->created ? im->created : "", sz);
    free(name);
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"cache-dir", required_argument, NULL, 'c'},
        {"digests", no_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL;
    bool full = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'c')
            dir = optarg;
        else if (c == 'd')
            full = true;
        else
            return kd_usage_error("images", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return kd_usage_error("images", "takes no arguments");
    kd_store *s;
    kd_error *err = NULL;
    if (kd_store_open(dir, KD_STORE_SHARED, &s, &err) < 0)
        return kd_report(err);
    kd_store_image *list;
    size_t n;
    if (kd_store_image_list(s, &list, &n, &err) < 0) {
        kd_store_close(s);
        return kd_report(err);
    }
    printf(ROW_FORMAT, "NAME", DIGEST_WIDTH(full), DIGEST_WIDTH(full), "DIGEST", "CREATED", "SIZE");
    for (size_t i = 0; i < n; i++)
        print_row(s, &list[i], full);
    kd_store_images_free(list, n);
    kd_store_close(s);
    return 0;
}

const kd_command kd_cmd_images = {
    .name = "images",
    .summary = "List the images in kdoctor's local store",
    .help = "Usage: kdoctor images [--cache-dir DIR] [--digests]\n"
            "\n"
            "Lists the named images of the local store (default ~/.cache/kdoctor): the\n"
            "images 'kdoctor build' made without an output flag, the bases it pulled, and\n"
            "those 'kdoctor import' made. FROM uses these before asking a registry.\n"
            "\n"
            "Options:\n"
            "  --cache-dir DIR   the store to list\n"
            "  --digests         show whole manifest digests\n",
    .run = run,
};
