/* kdoctor explain: prints a rule's documentation page (docs/rules/ID.md,
 * embedded in the binary at build time). */
#include "cli/cli.h"
#include "lint/engine.h"

#include <stdio.h>

static int run(int argc, char **argv)
{
    if (argc != 2)
        return kd_usage_error("explain", "takes one rule (id, name or alias)");
    size_t shown = 0;
    for (size_t i = 0; kd_builtin_rules[i]; i++) {
        const kd_rule *r = kd_builtin_rules[i];
        if (!kd_rule_matches(r, argv[1]))
            continue;
        const char *doc = kd_rule_doc(r->id);
        if (shown++)
            fputs("\n", stdout);
        if (doc)
            fputs(doc, stdout);
        else
            printf("# %s %s\n\n%s.\n", r->id, r->name, r->summary);
    }
    if (shown == 0)
        return kd_usage_error("explain", "no rule matches '%s' (kdoctor rules lists them)",
                              argv[1]);
    return 0;
}

const kd_command kd_cmd_explain = {
    .name = "explain",
    .summary = "Show the documentation of a lint rule",
    .help = "Usage: kdoctor explain RULE\n"
            "\n"
            "Prints the documentation of the rule named by its id (KD1100), name\n"
            "(fat-base-image), hadolint alias (DL3020), BuildKit check name\n"
            "(StageNameCasing) or id prefix (KD11: every matching rule), with an\n"
            "example that triggers it and one that does not.\n",
    .run = run,
    .light = true,
};
