/* The command-line front end: one file per subcommand (cli/cmd_*.c), each a
 * thin layer over the library, in the way of git's builtin/ folder. */
#ifndef KD_CLI_H
#define KD_CLI_H

#include "util/error.h"

#include <signal.h>
#include <stdbool.h>

typedef struct kd_command {
    const char *name;
    const char *summary; /* one line for 'kdoctor help' */
    const char *help;    /* the full text for 'kdoctor help NAME' */
    int (*run)(int argc, char **argv);
    /* Runs in the static front (cli/front.h): needs no library that is
     * loaded on first use, or hands over to kdoctor-full itself (lint with
     * --online or a JSON format). Other commands are handed over first. */
    bool light;
} kd_command;

extern const kd_command kd_cmd_parse;
extern const kd_command kd_cmd_lint;
extern const kd_command kd_cmd_rules;
extern const kd_command kd_cmd_explain;
extern const kd_command kd_cmd_build;
extern const kd_command kd_cmd_images;
extern const kd_command kd_cmd_cache;
extern const kd_command kd_cmd_import;
extern const kd_command kd_cmd_login;
extern const kd_command kd_cmd_compare;
extern const kd_command kd_cmd_report;
extern const kd_command kd_cmd_help;
extern const kd_command kd_cmd_version;

/* All commands, NULL-terminated, in the order 'kdoctor help' lists them. */
extern const kd_command *const kd_commands[];

const kd_command *kd_find_command(const char *name);

/* This binary's version string (cli/cmd_version.c). */
const char *kd_version(void);

/* Prints a compare report as text tables (all its modes, or only_mode). */
typedef struct kd_rep kd_rep;
int kd_print_report(const kd_rep *r, int only_mode);

/* Ctrl-C, SIGTERM and SIGHUP set *cancel (for kd_build_opts.cancel);
 * SIGPIPE is ignored (cli/signals.c). */
void kd_catch_signals(volatile sig_atomic_t *cancel);

/* Prints "kdoctor CMD: MESSAGE" and a hint to stderr; returns 2. */
int kd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints an error value as "kdoctor: MESSAGE", frees it, returns its status. */
int kd_report(kd_error *e);

#endif
