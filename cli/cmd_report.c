/* kdoctor report FILE.json: reopens a saved compare report (kdoctor compare
 * --json FILE) in the terminal UI, or prints its tables. */
#include "cli/cli.h"
#include "report/report.h"
#include "tui/tui.h"
#include "util/fs.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The terminal's width, or 100 for a pipe. */
static int text_width(void)
{
    struct winsize ws;
    if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 80)
        return ws.ws_col;
    return 100;
}

/* Prints r as text tables, for each mode it measured (or just mode). */
int kd_print_report(const kd_rep *r, int only_mode)
{
    kd_buf b = KD_BUF_INIT;
    bool first = true;
    for (int m = 0; m < KD_MODE_COUNT; m++) {
        if (!r->modes[m] || (only_mode >= 0 && m != only_mode))
            continue;
        if (!first)
            kd_buf_adds(&b, "\n");
        kd_report_text(r, (kd_mode)m, text_width(), &b);
        first = false;
    }
    fwrite(b.data ? b.data : "", 1, b.len, stdout);
    kd_buf_free(&b);
    return 0;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"no-tui", no_argument, NULL, 'n'},
        {"warm", no_argument, NULL, 'w'},
        {"cold", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    bool no_tui = false;
    int mode = -1, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'n': no_tui = true; break;
        case 'w': mode = KD_MODE_WARM; break;
        case 'c': mode = KD_MODE_COLD; break;
        default: return kd_usage_error("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return kd_usage_error("report", "takes one report file (kdoctor compare --json FILE)");
    const char *path = argv[optind];
    char *data;
    size_t len;
    kd_error *err = NULL;
    if (kd_read_file(path, &data, &len, &err) < 0) {
        err->status = 2;
        return kd_report(err);
    }
    kd_rep r;
    int rc = kd_report_from_json(path, data, len, &r, &err);
    free(data);
    if (rc < 0) {
        err->status = 2;
        return kd_report(err);
    }
    if (!no_tui && kd_tui_usable())
        rc = kd_tui_run(&r, mode < 0 ? KD_MODE_COLD : (kd_mode)mode, &err) < 0 ? kd_report(err) : 0;
    else
        rc = kd_print_report(&r, mode);
    kd_report_free(&r);
    return rc;
}

const kd_command kd_cmd_report = {
    .name = "report",
    .summary = "Reopen a saved compare report",
    .help = "Usage: kdoctor report [--no-tui] [--cold | --warm] FILE.json\n"
            "\n"
            "Shows a report that 'kdoctor compare --json FILE.json' saved: in the terminal\n"
            "UI on a terminal, else (or with --no-tui) as plain-text tables.\n"
            "\n"
            "Options:\n"
            "  --no-tui   print the tables instead of opening the terminal UI\n"
            "  --cold     start with (or print only) the cold builds\n"
            "  --warm     start with (or print only) the warm builds\n"
            "\n"
            "In the UI: arrows move, Enter opens a step, c/w switch cold/warm, s sorts,\n"
            "e shows image efficiency, ? helps, q quits. docs/compare.md explains the\n"
            "figures.\n",
    .run = run,
};
