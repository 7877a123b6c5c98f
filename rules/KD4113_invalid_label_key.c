/* KD4113 invalid-label-key (hadolint DL3048): label keys are lowercase
 * letters and digits separated by single '.' or '-', starting and ending
 * with a letter or digit, and stay out of the namespaces Docker reserves
 * (com.docker., io.docker., org.dockerproject.). Keys with variables are
 * left alone. */
#include "rules/util.h"

#include <ctype.h>
#include <string.h>

static const char *problem(const char *k)
{
    static const char *const reserved[] = {"com.docker.", "io.docker.", "org.dockerproject.",
                                           NULL};
    for (size_t i = 0; reserved[i]; i++)
        if (strncmp(k, reserved[i], strlen(reserved[i])) == 0)
            return "uses a namespace Docker reserves";
    size_t n = strlen(k);
    if (n == 0 || !isalnum((unsigned char)k[0]) || !isalnum((unsigned char)k[n - 1]))
        return "must start and end with a letter or digit";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        if (isupper(c))
            return "should be lowercase";
        if (!islower(c) && !isdigit(c) && c != '.' && c != '-')
            return "may only hold letters, digits, '.' and '-'";
        if ((c == '.' || c == '-') && (k[i + 1] == '.' || k[i + 1] == '-'))
            return "must not have two separators in a row";
    }
    return NULL;
}

static void check(kd_lint_ctx *ctx, const kd_rule *self)
{
    for (const df_instr *in = NULL; (in = kd_next(ctx, in, DF_LABEL));)
        for (size_t i = 0; i + 2 < in->nargs; i += 3) {
            const df_word *k = &in->args[i];
            const char *why = kd_has_var(k->text) ? NULL : problem(k->text);
            if (why)
                kd_report(ctx, self, k->span, "label key '%s' %s", k->text, why);
        }
}

KD_RULE(KD4113) = {
    .id = "KD4113",
    .name = "invalid-label-key",
    .severity = KD_SEV_STYLE,
    .category = KD_CAT_MAINTAINABILITY,
    .hadolint = {"DL3048"},
    .summary = "A label key outside Docker's key format",
    .check = check,
};
