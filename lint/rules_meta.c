/* Names of severities, categories and fix kinds; rule lookup and the
 * pattern matching that --select, --ignore, the config and inline
 * suppressions share; the embedded documentation pages. */
#include "lint/engine.h"
#include "rules/rule.h"

#include <string.h>
#include <strings.h>

extern const char *const kd_rule_doc_ids[];   /* generated: scripts/embed-docs.sh */
extern const char *const kd_rule_doc_texts[];

static const char *const sev_names[] = {"off", "style", "info", "warning", "error"};

const char *kd_severity_name(kd_severity s)
{
    return (unsigned)s < 5 ? sev_names[s] : "?";
}

int kd_severity_parse(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (strcasecmp(s, sev_names[i]) == 0)
            return i;
    if (strcasecmp(s, "none") == 0 || strcasecmp(s, "ignore") == 0)
        return KD_SEV_OFF;
    return -1;
}

const char *kd_category_name(kd_category c)
{
    static const char *const names[] = {"cost", "correctness", "security", "maintainability"};
    return (unsigned)c < 4 ? names[c] : "?";
}

const char *kd_fix_kind_name(kd_fix_kind k)
{
    static const char *const names[] = {"none", "safe", "unsafe"};
    return (unsigned)k < 3 ? names[k] : "?";
}

static bool is_id_prefix(const char *id, const char *p)
{
    size_t n = strlen(p);
    return n >= 2 && n < strlen(id) && strncasecmp(id, p, n) == 0;
}

bool kd_rule_matches(const kd_rule *r, const char *p)
{
    if (strcasecmp(r->id, p) == 0 || strcasecmp(r->name, p) == 0 || is_id_prefix(r->id, p))
        return true;
    if (r->buildkit && strcasecmp(r->buildkit, p) == 0)
        return true;
    for (size_t i = 0; i < KD_MAX_ALIASES && r->hadolint[i]; i++)
        if (strcasecmp(r->hadolint[i], p) == 0)
            return true;
    return false;
}

const kd_rule *kd_rule_find(const char *id_or_name)
{
    for (size_t i = 0; kd_builtin_rules[i]; i++) {
        const kd_rule *r = kd_builtin_rules[i];
        if (strcasecmp(r->id, id_or_name) == 0 || strcasecmp(r->name, id_or_name) == 0)
            return r;
    }
    for (size_t i = 0; kd_builtin_rules[i]; i++) /* then aliases */
        if (!is_id_prefix(kd_builtin_rules[i]->id, id_or_name) &&
            kd_rule_matches(kd_builtin_rules[i], id_or_name))
            return kd_builtin_rules[i];
    return NULL;
}

const char *kd_rule_doc(const char *id)
{
    for (size_t i = 0; kd_rule_doc_ids[i]; i++)
        if (strcasecmp(kd_rule_doc_ids[i], id) == 0)
            return kd_rule_doc_texts[i];
    return NULL;
}
