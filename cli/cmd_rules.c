/* kdoctor rules: lists every lint rule, built-in and declarative. */
#include "cli/cli.h"
#include "cli/front.h"
#include "lint/engine.h"
#include "util/buf.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void aliases(const kd_rule *r, kd_buf *b)
{
    for (size_t i = 0; i < KD_MAX_ALIASES && r->hadolint[i]; i++)
        kd_buf_addf(b, "%s%s", b->len ? "," : "", r->hadolint[i]);
    if (r->buildkit)
        kd_buf_addf(b, "%s%s", b->len ? "," : "", r->buildkit);
}

/* One format for the header and the rows, so that their columns agree. */
#define ROW_FORMAT "%-8s %-34s %-8s %-16s %-7s %s%s\n"

static void print_table(const kd_rule *const *v, size_t n)
{
    printf(ROW_FORMAT, "ID", "NAME", "SEVERITY", "CATEGORY", "FIX", "ALIASES", "");
    for (size_t i = 0; i < n; i++) {
        kd_buf b = KD_BUF_INIT;
        aliases(v[i], &b);
        printf(ROW_FORMAT, v[i]->id, v[i]->name, kd_severity_name(v[i]->severity),
               kd_category_name(v[i]->category), kd_fix_kind_name(v[i]->fix),
               b.len ? kd_buf_str(&b) : "-", v[i]->off_by_default ? " (off by default)" : "");
        kd_buf_free(&b);
    }
}

static void print_json(const kd_rule *const *v, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", v[i]->id);
        cJSON_AddStringToObject(o, "name", v[i]->name);
        cJSON_AddStringToObject(o, "severity", kd_severity_name(v[i]->severity));
        cJSON_AddStringToObject(o, "category", kd_category_name(v[i]->category));
        cJSON_AddStringToObject(o, "fix", kd_fix_kind_name(v[i]->fix));
        cJSON_AddBoolToObject(o, "fixable", v[i]->fix != KD_FIX_NONE);
        cJSON *al = cJSON_AddArrayToObject(o, "aliases");
        for (size_t k = 0; k < KD_MAX_ALIASES && v[i]->hadolint[k]; k++)
            cJSON_AddItemToArray(al, cJSON_CreateString(v[i]->hadolint[k]));
        if (v[i]->buildkit)
            cJSON_AddItemToArray(al, cJSON_CreateString(v[i]->buildkit));
        cJSON_AddBoolToObject(o, "enabled_by_default", !v[i]->off_by_default);
        cJSON_AddStringToObject(o, "summary", v[i]->summary);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_Print(arr);
    puts(s);
    free(s);
    cJSON_Delete(arr);
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"rules", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    const char *files[64];
    size_t nfiles = 0;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'j')
            json = true;
        else if (c == 'r' && nfiles < 64)
            files[nfiles++] = optarg;
        else
            return kd_usage_error("rules", "unknown option or missing value: '%s'",
                                  argv[optind - 1]);
    }
    if (optind < argc)
        return kd_usage_error("rules", "unexpected argument '%s'", argv[optind]);
    int rc = json ? kd_need_full() : 0; /* cJSON */
    if (rc)
        return rc;
    kd_lint_opts o = {.failure_threshold = -1, .no_config = true, .rules_files = files,
                      .nrules_files = nfiles};
    kd_linter *l;
    kd_error *err = NULL;
    if (kd_linter_new(&o, &l, &err) < 0)
        return kd_report(err);
    const kd_rule *const *v;
    size_t n = kd_linter_rules(l, &v);
    if (json)
        print_json(v, n);
    else
        print_table(v, n);
    kd_linter_free(l);
    return 0;
}

const kd_command kd_cmd_rules = {
    .name = "rules",
    .summary = "List the lint rules",
    .help = "Usage: kdoctor rules [--json] [--rules FILE]...\n"
            "\n"
            "Lists every lint rule: id, name, default severity, category, what a fix\n"
            "does (none, safe, unsafe) and its aliases (hadolint DLnnnn, BuildKit check\n"
            "name). 'kdoctor explain RULE' shows a rule's documentation.\n"
            "\n"
            "Options:\n"
            "  --json        print the list as JSON\n"
            "  --rules FILE  also list the declarative rules of FILE\n",
    .run = run,
    .light = true,
};
