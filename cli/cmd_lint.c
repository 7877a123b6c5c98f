/* kdoctor lint: runs the rule engine over Dockerfiles and prints the
 * findings in one of the CI formats. */
#include "cli/cli.h"
#include "cli/front.h"
#include "lint/engine.h"
#include "lint/format.h"
#include "lint/online.h"
#include "rewrite/fix.h"
#include "util/buf.h"
#include "util/diff.h"
#include "util/fs.h"
#include "util/mem.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct strs {
    char **v;
    size_t n;
} strs;

static void strs_add(strs *s, const char *x)
{
    s->v = kd_xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = kd_xstrdup(x);
}

/* Adds each comma-separated word of list. */
static void strs_add_list(strs *s, const char *list)
{
    char *copy = kd_xstrdup(list), *save = NULL;
    for (char *w = strtok_r(copy, ", ", &save); w; w = strtok_r(NULL, ", ", &save))
        strs_add(s, w);
    free(copy);
}

static void strs_free(strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

typedef struct lint_args {
    strs select, ignore, rules, files;
    strs insecure, mirrors; /* --online's registries */
    bool online;
    kd_sev_override *sev;
    size_t nsev;
    int threshold;
    const char *config;
    bool no_config, statistics, quiet;
    bool fix, diff, unsafe, show_fixes; /* issue 4's fixer */
    int format; /* -1: tty */
    int color;  /* -1 auto, 0 never, 1 always */
} lint_args;

static int add_severity(lint_args *a, const char *arg)
{
    char *copy = kd_xstrdup(arg), *save = NULL;
    int rc = 0;
    for (char *w = strtok_r(copy, ",", &save); w && rc == 0; w = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(w, '=');
        int sev = eq ? kd_severity_parse(eq + 1) : -1;
        if (eq == NULL || eq == w || sev < 0) {
            rc = kd_usage_error("lint", "--severity takes RULE=LEVEL (error, warning, info, "
                                        "style or off), not '%s'", w);
            break;
        }
        *eq = '\0';
        a->sev = kd_xrealloc(a->sev, (a->nsev + 1) * sizeof *a->sev);
        a->sev[a->nsev++] = (kd_sev_override){kd_xstrdup(w), (kd_severity)sev};
    }
    free(copy);
    return rc;
}

static int parse_color(lint_args *a, const char *s)
{
    if (strcmp(s, "auto") == 0)
        a->color = -1;
    else if (strcmp(s, "always") == 0)
        a->color = 1;
    else if (strcmp(s, "never") == 0)
        a->color = 0;
    else
        return kd_usage_error("lint", "--color takes auto, always or never, not '%s'", s);
    return 0;
}

static int parse_threshold(lint_args *a, const char *s)
{
    a->threshold = kd_severity_parse(s);
    if (a->threshold < 0)
        return kd_usage_error("lint", "--failure-threshold takes error, warning, info, style or "
                                      "none, not '%s'", s);
    return 0;
}

static int parse_args(int argc, char **argv, lint_args *a)
{
    enum { O_SELECT = 256, O_IGNORE, O_SEV, O_THRESH, O_STATS, O_CONFIG, O_NOCONFIG, O_RULES,
           O_COLOR, O_FIX, O_DIFF, O_UNSAFE, O_SHOW, O_ONLINE, O_INSECURE, O_MIRROR };
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"select", required_argument, NULL, O_SELECT},
        {"ignore", required_argument, NULL, O_IGNORE},
        {"severity", required_argument, NULL, O_SEV},
        {"failure-threshold", required_argument, NULL, O_THRESH},
        {"statistics", no_argument, NULL, O_STATS},
        {"config", required_argument, NULL, O_CONFIG},
        {"no-config", no_argument, NULL, O_NOCONFIG},
        {"rules", required_argument, NULL, O_RULES},
        {"color", required_argument, NULL, O_COLOR},
        {"quiet", no_argument, NULL, 'q'},
        {"fix", no_argument, NULL, O_FIX},
        {"diff", no_argument, NULL, O_DIFF},
        {"fix-unsafe", no_argument, NULL, O_UNSAFE},
        {"show-fixes", no_argument, NULL, O_SHOW},
        {"online", no_argument, NULL, O_ONLINE},
        {"insecure-registry", required_argument, NULL, O_INSECURE},
        {"registry-mirror", required_argument, NULL, O_MIRROR},
        {NULL, 0, NULL, 0},
    };
    int c, rc = 0;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, "+f:q", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            a->format = kd_format_parse(optarg);
            if (a->format < 0)
                rc = kd_usage_error("lint", "unknown format '%s' (tty, json, sarif, checkstyle, "
                                            "gitlab or gnu)", optarg);
            break;
        case 'q': a->quiet = true; break;
        case O_SELECT: strs_add_list(&a->select, optarg); break;
        case O_IGNORE: strs_add_list(&a->ignore, optarg); break;
        case O_SEV: rc = add_severity(a, optarg); break;
        case O_THRESH: rc = parse_threshold(a, optarg); break;
        case O_STATS: a->statistics = true; break;
        case O_CONFIG: a->config = optarg; break;
        case O_NOCONFIG: a->no_config = true; break;
        case O_RULES: strs_add(&a->rules, optarg); break;
        case O_COLOR: rc = parse_color(a, optarg); break;
        case O_FIX: a->fix = true; break;
        case O_DIFF: a->diff = true; break;
        case O_UNSAFE: a->unsafe = true; break;
        case O_SHOW: a->show_fixes = true; break;
        case O_ONLINE: a->online = true; break;
        case O_INSECURE: strs_add(&a->insecure, optarg); break;
        case O_MIRROR: strs_add(&a->mirrors, optarg); break;
        default:
            if (optopt)
                rc = kd_usage_error("lint", "option '-%c' %s", optopt,
                                    strchr("f", optopt) ? "needs a value" : "is unknown");
            else
                rc = kd_usage_error("lint", "unknown option or missing value: '%s'",
                                    argv[optind - 1]);
        }
    }
    if (rc == 0 && a->unsafe && !a->diff)
        a->fix = true; /* --fix-unsafe alone fixes; with --diff it only shows */
    if (rc == 0 && a->fix && a->diff)
        rc = kd_usage_error("lint", "--fix writes the files and --diff shows what it would write: "
                                    "choose one");
    if (rc == 0 && optind >= argc)
        rc = kd_usage_error("lint", "no Dockerfile given (a file, a directory, or - for "
                                    "standard input)");
    return rc;
}

/* Expands directories into the Dockerfiles under them. */
static int collect_files(int argc, char **argv, strs *files)
{
    int status = 0;
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            kd_error *err = NULL;
            if (kd_find_dockerfiles(argv[i], &files->v, &files->n, &err) < 0)
                status = kd_report(err);
        } else {
            strs_add(files, argv[i]);
        }
    }
    return status;
}

static void flush(kd_buf *b)
{
    fwrite(b->data ? b->data : "", 1, b->len, stdout);
    kd_buf_truncate(b, 0);
}

typedef struct stat_row {
    const kd_rule *rule;
    size_t n;
} stat_row;

static void count(stat_row **rows, size_t *n, const kd_file_result *r)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        size_t k = 0;
        while (k < *n && (*rows)[k].rule != r->findings[i]->rule)
            k++;
        if (k == *n) {
            *rows = kd_xrealloc(*rows, (*n + 1) * sizeof **rows);
            (*rows)[(*n)++] = (stat_row){r->findings[i]->rule, 0};
        }
        (*rows)[k].n++;
    }
}

static int cmp_row(const void *a, const void *b)
{
    const stat_row *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->rule->id, y->rule->id);
}

static void print_statistics(FILE *out, stat_row *rows, size_t n)
{
    if (n > 1)
        qsort(rows, n, sizeof *rows, cmp_row);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%6zu  %-7s %-34s %s\n", rows[i].n, rows[i].rule->id, rows[i].rule->name,
                kd_severity_name(rows[i].rule->severity));
}

static bool use_color(const lint_args *a)
{
    if (a->color >= 0)
        return a->color == 1;
    const char *nc = getenv("NO_COLOR");
    return isatty(1) && (nc == NULL || *nc == '\0');
}

static void print_fixes(const char *path, const kd_fix_result *fr)
{
    size_t total = 0;
    for (size_t i = 0; i < fr->ncounts; i++)
        total += fr->counts[i].n;
    if (total == 0) {
        fprintf(stderr, "%s: nothing to fix\n", path);
        return;
    }
    fprintf(stderr, "%s: fixed %zu finding%s in %zu round%s:\n", path, total,
            total == 1 ? "" : "s", fr->rounds, fr->rounds == 1 ? "" : "s");
    for (size_t i = 0; i < fr->ncounts; i++)
        fprintf(stderr, "  %4zu  %-7s %s\n", fr->counts[i].n, fr->counts[i].rule->id,
                fr->counts[i].rule->name);
}

/* --fix or --diff on one file: fixes it in memory, then writes it (or the
 * diff); *r gets the findings that are left. *changed tells whether the
 * text changed. */
static int fix_one(kd_linter *l, const lint_args *a, const char *path, kd_file_result **r,
                   bool *changed)
{
    char *data;
    size_t len;
    kd_error *err = NULL;
    if (kd_read_file(path, &data, &len, &err) < 0) {
        err->status = 2;
        return kd_report(err);
    }
    char *dir = kd_path_folder(path);
    kd_fix_opts fo = {.unsafe = a->unsafe};
    kd_fix_result fr;
    int status = 0;
    if (kd_fix_source(l, strcmp(path, "-") == 0 ? "-" : path, data, len, dir, &fo, &fr, &err) <
        0) {
        status = kd_report(err);
        goto out;
    }
    *changed = fr.len != len || memcmp(fr.text, data, len) != 0;
    if (fr.broken)
        fprintf(stderr, "kdoctor: %s: a fix of %s made the file unparsable; those fixes were "
                        "not applied (please report this)\n", path, fr.broken);
    if (!fr.converged)
        fprintf(stderr, "kdoctor: %s: fixes still pending after %d rounds; run again\n", path,
                KD_FIX_MAX_ROUNDS);
    if (a->diff && *changed) {
        kd_buf d = KD_BUF_INIT;
        /* git's a/ b/ prefixes for relative paths (patch -p1 applies them) */
        bool abs = path[0] == '/';
        char *old = kd_asprintf("%s%s", abs ? "" : "a/", path);
        char *new = kd_asprintf("%s%s", abs ? "" : "b/", path);
        kd_unified_diff(data, len, fr.text, fr.len, old, new, 3, &d);
        fwrite(d.data, 1, d.len, stdout);
        kd_buf_free(&d);
        free(old);
        free(new);
    } else if (a->fix && strcmp(path, "-") == 0) {
        fwrite(fr.text, 1, fr.len, stdout); /* standard input: the fixed file to stdout */
    } else if (a->fix && *changed &&
               kd_replace_file(path, fr.text, fr.len, data, len, &err) < 0) {
        status = kd_report(err);
    }
    if (a->show_fixes)
        print_fixes(path, &fr);
    *r = fr.remaining;
    fr.remaining = NULL;
    kd_fix_result_free(&fr);
out:
    free(dir);
    free(data);
    return status;
}

/* Lints every file, printing as it goes; returns the exit status. */
static int lint_all(kd_linter *l, const lint_args *a, int status)
{
    kd_format_opts fo = {a->format < 0 ? KD_FMT_TTY : (kd_format)a->format, use_color(a),
                         kd_version(), l};
    kd_formatter *fm = kd_formatter_new(&fo);
    kd_buf out = KD_BUF_INIT;
    stat_row *rows = NULL;
    size_t nrows = 0;
    bool fails = false, changed = false;
    /* with --diff the findings are not printed; with --fix of standard
     * input the fixed file takes stdout, so findings go to stderr */
    bool to_stderr = a->fix && a->files.n == 1 && strcmp(a->files.v[0], "-") == 0;
    bool quiet = a->quiet || a->diff;
    for (size_t i = 0; i < a->files.n; i++) {
        kd_file_result *r = NULL;
        kd_error *err = NULL;
        bool ch = false;
        if (a->fix || a->diff) {
            int rc = fix_one(l, a, a->files.v[i], &r, &ch);
            status = rc > status ? rc : status;
            changed |= ch;
            if (r == NULL)
                continue;
        } else if (kd_lint_path(l, a->files.v[i], &r, &err) < 0) {
            fflush(stdout);
            int rc = kd_report(err);
            status = rc > status ? rc : status;
            continue;
        }
        fails |= kd_result_fails(r);
        count(&rows, &nrows, r);
        if (!quiet) {
            kd_formatter_file(fm, r, &out);
            if (to_stderr) {
                fwrite(out.data ? out.data : "", 1, out.len, stderr);
                kd_buf_truncate(&out, 0);
            } else {
                flush(&out);
            }
        }
        kd_file_result_free(r);
    }
    kd_formatter_end(fm, &out);
    if (!quiet) {
        if (to_stderr)
            fwrite(out.data ? out.data : "", 1, out.len, stderr);
        else
            flush(&out);
    }
    if (a->statistics) {
        bool doc = fo.format != KD_FMT_TTY && fo.format != KD_FMT_GNU;
        fflush(stdout);
        print_statistics(doc ? stderr : stdout, rows, nrows);
    }
    free(rows);
    kd_buf_free(&out);
    kd_formatter_free(fm);
    fflush(stdout);
    if (a->diff)
        return status ? status : changed ? 1 : 0;
    return status ? status : fails ? 1 : 0;
}

/* Whether this run needs kdoctor-full (cli/front.h): libcurl for
 * --online, cJSON for the JSON formats. Rule files are read by lint's own
 * JSON reader (lint/json.c), in the front. */
static bool needs_full(const lint_args *a)
{
    return a->online || a->format == KD_FMT_JSON || a->format == KD_FMT_SARIF ||
           a->format == KD_FMT_GITLAB;
}

static int run(int argc, char **argv)
{
    lint_args a = {.threshold = -1, .format = -1, .color = -1};
    int status = parse_args(argc, argv, &a);
    if (status == 0)
        status = collect_files(argc, argv, &a.files);
    kd_lint_opts o = {
        .select = (const char *const *)a.select.v, .nselect = a.select.n,
        .ignore = (const char *const *)a.ignore.v, .nignore = a.ignore.n,
        .severity = a.sev, .nseverity = a.nsev,
        .failure_threshold = a.threshold,
        .config_path = a.config, .no_config = a.no_config,
        .rules_files = (const char *const *)a.rules.v, .nrules_files = a.rules.n,
    };
    kd_linter *l = NULL;
    kd_error *err = NULL;
    kd_online_opts oo = {
        .insecure = (const char *const *)a.insecure.v, .ninsecure = a.insecure.n,
        .mirrors = (const char *const *)a.mirrors.v, .nmirrors = a.mirrors.n,
    };
    int handover = (status == 0 || a.files.n > 0) && needs_full(&a) ? kd_need_full() : 0;
    if (handover)
        status = handover;
    else if (status == 0 && a.online && kd_online_new(&oo, &o.online, &err) < 0)
        status = kd_report(err);
    else if (status == 0 || a.files.n > 0) {
        if (kd_linter_new(&o, &l, &err) < 0)
            status = kd_report(err);
        else
            status = lint_all(l, &a, status);
    }
    kd_linter_free(l);
    kd_online_free(o.online);
    strs_free(&a.insecure);
    strs_free(&a.mirrors);
    strs_free(&a.select);
    strs_free(&a.ignore);
    strs_free(&a.rules);
    strs_free(&a.files);
    for (size_t i = 0; i < a.nsev; i++)
        free(a.sev[i].rule);
    free(a.sev);
    return status;
}

const kd_command kd_cmd_lint = {
    .name = "lint",
    .summary = "Find cost patterns and mistakes in Dockerfiles",
    .help =
        "Usage: kdoctor lint [options] FILE|DIR|-...\n"
        "\n"
        "Lints each Dockerfile (- reads standard input; a directory is searched for\n"
        "Dockerfile, *.Dockerfile and Dockerfile.*). Exit status: 0 when no finding\n"
        "reaches the failure threshold, 1 when one does, 2 for usage errors and for\n"
        "files that cannot be read or parsed (reported as FILE:LINE:COL).\n"
        "\n"
        "Options:\n"
        "  -f, --format FMT          tty (default), json, sarif, checkstyle, gitlab or gnu\n"
        "      --select LIST         run only the rules matching LIST (ids, names, aliases\n"
        "                            or id prefixes such as KD1; comma-separated)\n"
        "      --ignore LIST         do not run the rules matching LIST\n"
        "      --severity RULE=LEVEL override a rule's severity (error, warning, info,\n"
        "                            style, off); repeatable\n"
        "      --failure-threshold LEVEL\n"
        "                            exit 1 when a finding is at least this severe:\n"
        "                            error, warning, info (default), style or none\n"
        "      --statistics          print the number of findings per rule at the end\n"
        "      --config FILE         use this config instead of the nearest .kdoctor.yaml\n"
        "      --no-config           use no config file\n"
        "      --rules FILE          add the declarative rules of a JSON file; repeatable\n"
        "      --color WHEN          auto (default: on a terminal unless NO_COLOR is set),\n"
        "                            always or never\n"
        "  -q, --quiet               print no findings; only the exit status tells\n"
        "      --fix                 apply the safe fixes to each file in place (standard\n"
        "                            input: the fixed file goes to standard output and the\n"
        "                            findings to standard error), then report what is left:\n"
        "                            join RUNs, remove package caches in the RUN that\n"
        "                            filled them, COPY --chown instead of RUN chown...\n"
        "                            Comments, blank lines and line ends stay; a second\n"
        "                            --fix changes nothing\n"
        "      --fix-unsafe          also apply fixes that change the image's files\n"
        "                            (smaller base, --no-install-recommends...); implies\n"
        "                            --fix unless --diff is given\n"
        "      --diff                print what --fix would change as a unified diff and\n"
        "                            write nothing; exit 1 when there is a change\n"
        "      --show-fixes          list the fixes applied per rule (on standard error)\n"
        "      --online              ask registries for the real compressed sizes of base\n"
        "                            images and their smaller siblings (fat-base-image)\n"
        "      --registry-mirror URL with --online: ask this registry for Docker Hub images\n"
        "                            (never Docker Hub itself)\n"
        "      --insecure-registry HOST\n"
        "                            with --online: plain HTTP allowed for HOST\n"
        "\n"
        "Inline suppressions: '# kdoctor ignore=KD1100,DL3008' on the lines right above\n"
        "an instruction, '# kdoctor global ignore=...' for the file; '# hadolint\n"
        "ignore=...' works through each rule's hadolint alias.\n"
        "Joining RUNs stops at max-lines (options: {consecutive-runs: {max-lines: 40}}).\n"
        "See 'kdoctor rules', 'kdoctor explain RULE', docs/lint.md and docs/fix.md.\n",
    .run = run,
    .light = true,
};
