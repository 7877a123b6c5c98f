/* Version pinning of installed packages (owner: shell): one description
 * per package manager and the check the pinning rules share. */
#ifndef KD_RULES_PINS_H
#define KD_RULES_PINS_H

#include "rules/run_util.h"

typedef struct kd_pin {
    const char *names; /* the commands ("apt-get|apt"), or NULL with tool */
    const char *tool;  /* a tool as kd_cmd_is_tool() finds it ("pip") */
    const char *subs;  /* the subcommands that install ("install|i") */
    /* Whether the command pins everything another way (pip -r FILE, gem -v);
     * may be NULL. */
    bool (*pinned_cmd)(const sh_cmd *c);
    bool (*pinned)(const char *package);
    const char *how; /* "apt-get install <package>=<version>" */
    bool first_only; /* only the first positional after the subcommand is a
                        package (go run PKG ARGS...) */
} kd_pin;

/* Reports each installing command with packages that are not pinned, at
 * the first of them. Words with expansions are not judged. */
void kd_pin_check(kd_lint_ctx *ctx, const kd_rule *self, const kd_pin *p);

/* Helpers for the pinned() functions. */
bool kd_has_any(const char *s, const char *const *parts); /* NULL-terminated */
bool kd_ends_with(const char *s, const char *suffix);
/* name-version as rpm writes it: a part after a '-' starts with a digit
 * and the parts after the name hold only version characters. */
bool kd_rpm_versioned(const char *package);
/* Pinned for yum and dnf: versioned, or a path, URL, .rpm file or @group. */
bool kd_rpm_pinned(const char *package);

#endif
