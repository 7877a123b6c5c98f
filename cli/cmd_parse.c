/* kdoctor parse: runs the Dockerfile parser and prints what it found. */
#include "cli/cli.h"
#include "dockerfile/dockerfile.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum format { FMT_SUMMARY, FMT_DUMP, FMT_JSON, FMT_QUIET };

static cJSON *pos_json(df_pos p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "line", p.line);
    cJSON_AddNumberToObject(o, "column", p.col);
    cJSON_AddNumberToObject(o, "offset", (double)p.off);
    return o;
}

static void add_span(cJSON *o, df_span s)
{
    cJSON_AddItemToObject(o, "start", pos_json(s.start));
    cJSON_AddItemToObject(o, "end", pos_json(s.end));
}

static cJSON *instr_json(const df_instr *in)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "instruction", df_kind_name(in->kind));
    cJSON_AddStringToObject(o, "keyword", in->keyword);
    add_span(o, in->span);
    cJSON_AddNumberToObject(o, "start_line", in->start_line);
    cJSON_AddNumberToObject(o, "end_line", in->end_line);
    cJSON *flags = cJSON_AddArrayToObject(o, "flags");
    for (size_t i = 0; i < in->nflags; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "name", in->flags[i].name);
        if (in->flags[i].value)
            cJSON_AddStringToObject(f, "value", in->flags[i].value);
        else
            cJSON_AddNullToObject(f, "value");
        add_span(f, in->flags[i].span);
        cJSON_AddItemToArray(flags, f);
    }
    cJSON_AddBoolToObject(o, "json", in->json);
    cJSON *args = cJSON_AddArrayToObject(o, "args");
    for (size_t i = 0; i < in->nargs; i++) {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "value", in->args[i].text);
        add_span(a, in->args[i].span);
        cJSON_AddItemToArray(args, a);
    }
    if (in->nheredocs) {
        cJSON *hs = cJSON_AddArrayToObject(o, "heredocs");
        for (size_t i = 0; i < in->nheredocs; i++) {
            const df_heredoc *h = &in->heredocs[i];
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "name", h->name);
            cJSON_AddBoolToObject(j, "expand", h->expand);
            cJSON_AddBoolToObject(j, "chomp", h->chomp);
            cJSON_AddNumberToObject(j, "fd", h->fd);
            cJSON_AddStringToObject(j, "content", h->content);
            add_span(j, h->word);
            cJSON_AddItemToArray(hs, j);
        }
    }
    if (in->sub)
        cJSON_AddItemToObject(o, "onbuild", instr_json(in->sub));
    return o;
}

static char *file_json(const df_file *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", f->path);
    char esc[2] = {f->escape, 0};
    cJSON_AddStringToObject(o, "escape", esc);
    cJSON_AddBoolToObject(o, "bom", f->bom);
    cJSON_AddBoolToObject(o, "crlf", f->crlf);
    cJSON *dirs = cJSON_AddArrayToObject(o, "directives");
    for (size_t i = 0; i < f->ndirectives; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "name", f->directives[i].name);
        cJSON_AddStringToObject(d, "value", f->directives[i].value);
        add_span(d, f->directives[i].span);
        cJSON_AddItemToArray(dirs, d);
    }
    cJSON *ins = cJSON_AddArrayToObject(o, "instructions");
    for (size_t i = 0; i < f->ninstrs; i++)
        cJSON_AddItemToArray(ins, instr_json(&f->instrs[i]));
    cJSON *cs = cJSON_AddArrayToObject(o, "comments");
    for (size_t i = 0; i < f->ncomments; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "text", f->comments[i].text);
        cJSON_AddBoolToObject(c, "inside_instruction", f->comments[i].inside);
        add_span(c, f->comments[i].span);
        cJSON_AddItemToArray(cs, c);
    }
    cJSON *ws = cJSON_AddArrayToObject(o, "warnings");
    for (size_t i = 0; i < f->nwarnings; i++) {
        cJSON *w = cJSON_CreateObject();
        cJSON_AddStringToObject(w, "message", f->warnings[i].msg);
        cJSON_AddItemToObject(w, "position", pos_json(f->warnings[i].pos));
        cJSON_AddItemToArray(ws, w);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static void print_summary(const df_file *f)
{
    printf("%s: %zu instruction%s, escape %c%s%s\n", f->path, f->ninstrs,
           f->ninstrs == 1 ? "" : "s", f->escape, f->crlf ? ", CRLF" : "", f->bom ? ", BOM" : "");
    for (size_t i = 0; i < f->ninstrs; i++) {
        const df_instr *in = &f->instrs[i];
        char where[32];
        if (in->start_line == in->end_line)
            snprintf(where, sizeof where, "%u", in->start_line);
        else
            snprintf(where, sizeof where, "%u-%u", in->start_line, in->end_line);
        printf("  %-9s %s", where, in->keyword);
        for (size_t k = 0; k < in->nflags; k++)
            printf(" %s", in->flags[k].text);
        /* the arguments as one line, control bytes shown as spaces */
        size_t n = in->rest.len < 100 ? in->rest.len : 100;
        if (n)
            putchar(' ');
        for (size_t k = 0; k < n; k++) {
            unsigned char ch = (unsigned char)in->rest.text[k];
            putchar(ch < 0x20 || ch == 0x7f ? ' ' : ch);
        }
        printf("%s\n", in->rest.len > n ? " ..." : "");
    }
}

static int parse_one(const char *path, enum format fmt, bool warnings)
{
    df_file *f;
    kd_error *err = NULL;
    if (df_parse_file(path, &f, &err) < 0)
        return kd_report(err);
    if (warnings)
        for (size_t i = 0; i < f->nwarnings; i++)
            fprintf(stderr, "%s:%u:%u: warning: %s\n", f->path, f->warnings[i].pos.line,
                    f->warnings[i].pos.col, f->warnings[i].msg);
    switch (fmt) {
    case FMT_DUMP: {
        char *d = df_dump(f);
        fputs(d, stdout);
        free(d);
        break;
    }
    case FMT_JSON: {
        char *j = file_json(f);
        puts(j);
        free(j);
        break;
    }
    case FMT_SUMMARY:
        print_summary(f);
        break;
    case FMT_QUIET:
        break;
    }
    df_file_free(f);
    return 0;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dump", no_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"no-warnings", no_argument, NULL, 'W'},
        {NULL, 0, NULL, 0},
    };
    enum format fmt = FMT_SUMMARY;
    bool warnings = true;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+djqW", opts, NULL)) != -1) {
        switch (c) {
        case 'd': fmt = FMT_DUMP; break;
        case 'j': fmt = FMT_JSON; break;
        case 'q': fmt = FMT_QUIET; break;
        case 'W': warnings = false; break;
        default:
            return kd_usage_error("parse", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return kd_usage_error("parse", "no Dockerfile given (use - for standard input)");
    int status = 0;
    for (int i = optind; i < argc; i++) {
        int rc = parse_one(argv[i], fmt, warnings && fmt != FMT_QUIET);
        if (rc > status)
            status = rc;
    }
    fflush(stdout);
    return status;
}

const kd_command kd_cmd_parse = {
    .name = "parse",
    .summary = "Parse Dockerfiles and show their structure",
    .help = "Usage: kdoctor parse [--dump | --json | --quiet] [--no-warnings] FILE...\n"
            "\n"
            "Parses each Dockerfile (- reads standard input) as BuildKit does and shows\n"
            "its instructions. A file that does not parse gets an error naming\n"
            "FILE:LINE:COLUMN and the exit status is 2.\n"
            "\n"
            "Options:\n"
            "  --dump         print BuildKit's own parse dump, e.g. (run \"make\")\n"
            "  --json         print one JSON object per file with the position of every\n"
            "                 instruction, flag, argument, heredoc and comment\n"
            "                 (docs/parser.md describes it)\n"
            "  -q, --quiet    print nothing; only the exit status tells\n"
            "  --no-warnings  do not print parser warnings to standard error\n",
    .run = run,
};
