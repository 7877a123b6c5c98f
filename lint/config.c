/* .kdoctor.yaml: libyaml's document loader gives a node tree with marks;
 * each top-level key has a small reader that checks its shape and names
 * the node's FILE:LINE:COL when something is wrong. */
#include "lint/config.h"
#include "lint/decl.h"
#include "lint/input.h"
#include "util/fs.h"
#include "util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

typedef struct cfg_reader {
    const char *path;
    yaml_document_t *doc;
    kd_config *c;
    bool (*known)(const char *pattern, void *arg);
    void *arg;
    kd_error **err;
} cfg_reader;

static int at(cfg_reader *r, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int at(cfg_reader *r, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kd_verr_at(r->err, r->path, n->start_mark.line + 1, n->start_mark.column + 1, fmt, ap);
    va_end(ap);
    return -1;
}

static yaml_node_t *node(cfg_reader *r, int i)
{
    return yaml_document_get_node(r->doc, i);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Calls fn on each string of a list; a single scalar counts as a list of
 * its comma-separated words (ignore: KD1100,KD2101). */
typedef int (*item_fn)(cfg_reader *r, const yaml_node_t *n, const char *s);

static int each_word(cfg_reader *r, const yaml_node_t *n, item_fn fn)
{
    char *copy = kd_xstrdup(scalar(n));
    int rc = 0;
    char *save = NULL;
    for (char *w = strtok_r(copy, ", \t", &save); w && rc == 0; w = strtok_r(NULL, ", \t", &save))
        rc = fn(r, n, w);
    free(copy);
    return rc;
}

static int each_item(cfg_reader *r, const yaml_node_t *n, const char *key, item_fn fn)
{
    if (n->type == YAML_SCALAR_NODE)
        return each_word(r, n, fn);
    if (n->type != YAML_SEQUENCE_NODE)
        return at(r, n, "'%s' takes a list of strings", key);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        const yaml_node_t *e = node(r, *it);
        if (scalar(e) == NULL)
            return at(r, e ? e : n, "'%s' takes a list of strings", key);
        if (fn(r, e, scalar(e)) < 0)
            return -1;
    }
    return 0;
}

/* A rule pattern names a rule of the config's own rule files or one the
 * caller knows (the `rules:` key is read first, see read_root). */
static bool own_rule(const kd_config *c, const char *s)
{
    for (size_t i = 0; i < c->nrules; i++) {
        const kd_rule *const *v;
        size_t n = kd_decl_rules(c->rules[i], &v);
        for (size_t k = 0; k < n; k++)
            if (kd_rule_matches(v[k], s))
                return true;
    }
    return false;
}

static int check_pattern(cfg_reader *r, const yaml_node_t *n, const char *s)
{
    if (r->known && !own_rule(r->c, s) && !r->known(s, r->arg))
        return at(r, n, "unknown rule '%s' (kdoctor rules lists them)", s);
    return 0;
}

static int add_pattern(cfg_reader *r, const yaml_node_t *n, const char *s,
                       kd_cfg_pattern **v, size_t *len)
{
    if (check_pattern(r, n, s) < 0)
        return -1;
    *v = kd_xrealloc(*v, (*len + 1) * sizeof **v);
    (*v)[*len] = (kd_cfg_pattern){kd_xstrdup(s), (unsigned)n->start_mark.line + 1,
                                  (unsigned)n->start_mark.column + 1};
    (*len)++;
    return 0;
}

static int add_ignore(cfg_reader *r, const yaml_node_t *n, const char *s)
{
    return add_pattern(r, n, s, &r->c->ignore, &r->c->nignore);
}

static int add_enable(cfg_reader *r, const yaml_node_t *n, const char *s)
{
    return add_pattern(r, n, s, &r->c->enable, &r->c->nenable);
}

static void push_str(char ***v, size_t *len, const char *s)
{
    *v = kd_xrealloc(*v, (*len + 1) * sizeof **v);
    (*v)[(*len)++] = kd_xstrdup(s);
}

static int add_registry(cfg_reader *r, const yaml_node_t *n, const char *s)
{
    (void)n;
    push_str(&r->c->trusted_registries, &r->c->ntrusted, s);
    return 0;
}

static int add_image(cfg_reader *r, const yaml_node_t *n, const char *s)
{
    (void)n;
    push_str(&r->c->allowed_images, &r->c->nallowed, s);
    return 0;
}

static int add_severity(cfg_reader *r, const yaml_node_t *n, const char *rule, int sev)
{
    if (check_pattern(r, n, rule) < 0)
        return -1;
    kd_config *c = r->c;
    c->severity = kd_xrealloc(c->severity, (c->nseverity + 1) * sizeof *c->severity);
    c->severity[c->nseverity++] = (kd_sev_override){kd_xstrdup(rule), (kd_severity)sev};
    return 0;
}

static int parse_level(cfg_reader *r, const yaml_node_t *n, int *sev)
{
    const char *s = scalar(n);
    *sev = s ? kd_severity_parse(s) : -1;
    if (*sev < 0)
        return at(r, n, "unknown severity '%s' (error, warning, info, style or off)",
                  s ? s : "(not a string)");
    return 0;
}

/* severity: {RULE: level} */
static int read_severity(cfg_reader *r, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return at(r, n, "'severity' takes a mapping of rule to level");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        int sev;
        if (scalar(k) == NULL)
            return at(r, k ? k : n, "a rule name must be a string");
        if (v == NULL || parse_level(r, v, &sev) < 0 || add_severity(r, k, scalar(k), sev) < 0)
            return v ? -1 : at(r, k, "missing level");
    }
    return 0;
}

/* hadolint's override: {error: [RULE...], warning: [...]} */
static int read_override(cfg_reader *r, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return at(r, n, "'override' takes a mapping of level to rule list");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        int sev;
        if (k == NULL || v == NULL || parse_level(r, k, &sev) < 0)
            return -1;
        if (v->type != YAML_SEQUENCE_NODE)
            return at(r, v, "'override' levels take a list of rules");
        for (yaml_node_item_t *it = v->data.sequence.items.start;
             it < v->data.sequence.items.top; it++) {
            const yaml_node_t *e = node(r, *it);
            if (scalar(e) == NULL)
                return at(r, e ? e : v, "a rule name must be a string");
            if (add_severity(r, e, scalar(e), sev) < 0)
                return -1;
        }
    }
    return 0;
}

static int read_threshold(cfg_reader *r, const yaml_node_t *n)
{
    int sev;
    if (parse_level(r, n, &sev) < 0)
        return -1;
    r->c->failure_threshold = sev;
    return 0;
}

/* options: {RULE: {key: scalar}} */
static int read_options(cfg_reader *r, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return at(r, n, "'options' takes a mapping of rule to its options");
    kd_config *c = r->c;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        if (scalar(k) == NULL || check_pattern(r, k, scalar(k)) < 0)
            return scalar(k) ? -1 : at(r, k ? k : n, "a rule name must be a string");
        if (v == NULL || v->type != YAML_MAPPING_NODE)
            return at(r, v ? v : k, "options of '%s' must be a mapping", scalar(k));
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top;
             q++) {
            const yaml_node_t *ok = node(r, q->key), *ov = node(r, q->value);
            if (scalar(ok) == NULL || scalar(ov) == NULL)
                return at(r, ov ? ov : v, "an option must be a key with a scalar value");
            c->options = kd_xrealloc(c->options, (c->noptions + 1) * sizeof *c->options);
            c->options[c->noptions++] = (kd_rule_opt){kd_xstrdup(scalar(k)),
                                                      kd_xstrdup(scalar(ok)),
                                                      kd_xstrdup(scalar(ov))};
        }
    }
    return 0;
}

/* rules: [FILE...], relative to the config's folder */
static int add_rules_file(cfg_reader *r, const yaml_node_t *n, const char *s)
{
    char *file;
    const char *slash = strrchr(r->path, '/');
    if (s[0] == '/' || slash == NULL)
        file = kd_xstrdup(s);
    else
        file = kd_asprintf("%.*s/%s", (int)(slash - r->path), r->path, s);
    kd_decl_set *set = NULL;
    kd_error *e = NULL;
    int rc = kd_decl_load(file, &set, &e);
    free(file);
    if (rc < 0) {
        at(r, n, "in rules file '%s': %s", s, e->msg);
        kd_error_free(e);
        return -1;
    }
    kd_config *c = r->c;
    c->rules = kd_xrealloc(c->rules, (c->nrules + 1) * sizeof *c->rules);
    c->rules[c->nrules++] = set;
    return 0;
}

typedef int (*key_fn)(cfg_reader *r, const yaml_node_t *v);

static int read_ignore(cfg_reader *r, const yaml_node_t *v)
{
    return each_item(r, v, "ignore", add_ignore);
}
static int read_enable(cfg_reader *r, const yaml_node_t *v)
{
    return each_item(r, v, "enable", add_enable);
}
static int read_registries(cfg_reader *r, const yaml_node_t *v)
{
    return each_item(r, v, "trusted-registries", add_registry);
}
static int read_images(cfg_reader *r, const yaml_node_t *v)
{
    return each_item(r, v, "allowed-base-images", add_image);
}
static int read_rules(cfg_reader *r, const yaml_node_t *v)
{
    return each_item(r, v, "rules", add_rules_file);
}

static const struct {
    const char *key;
    key_fn fn;
} keys[] = {
    {"ignore", read_ignore},
    {"ignored", read_ignore}, /* hadolint */
    {"enable", read_enable},
    {"severity", read_severity},
    {"override", read_override}, /* hadolint */
    {"failure-threshold", read_threshold},
    {"trusted-registries", read_registries},
    {"trustedRegistries", read_registries}, /* hadolint */
    {"allowed-base-images", read_images},
    {"options", read_options},
    {"rules", read_rules},
};

/* Reads the keys: `rules:` in a first pass, so that the other keys may
 * name the rules it loads, then the others. */
static int read_keys(cfg_reader *r, const yaml_node_t *root, bool rules_only)
{
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *name = scalar(k);
        if (name == NULL || v == NULL)
            return at(r, k ? k : root, "a config key must be a string");
        size_t i = 0;
        while (i < sizeof keys / sizeof keys[0] && strcmp(keys[i].key, name) != 0)
            i++;
        if (i == sizeof keys / sizeof keys[0])
            return at(r, k, "unknown key '%s' (see docs/lint.md for the config keys)", name);
        if ((keys[i].fn == read_rules) != rules_only)
            continue;
        if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0 &&
            v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
            continue; /* `ignore:` with nothing after it */
        if (keys[i].fn(r, v) < 0)
            return -1;
    }
    return 0;
}

/* Reads the keys: `rules:` in a first pass, so that the other keys may
 * name the rules it loads, then the others. */
static int read_root(cfg_reader *r, const yaml_node_t *root)
{
    if (root == NULL) /* an empty file: defaults */
        return 0;
    if (root->type != YAML_MAPPING_NODE)
        return at(r, root, "the config must be a mapping of keys (ignore, severity, ...)");
    for (int pass = 0; pass < 2; pass++)
        if (read_keys(r, root, pass == 0) < 0)
            return -1;
    return 0;
}

kd_config *kd_config_default(void)
{
    kd_config *c = kd_xcalloc(1, sizeof *c);
    c->failure_threshold = -1;
    return c;
}

static int yaml_error(const char *path, const yaml_parser_t *p, kd_error **err)
{
    const yaml_mark_t *m = &p->problem_mark;
    return kd_err_at(err, path, m->line + 1, m->column + 1, "bad YAML: %s%s%s",
                     p->problem ? p->problem : "unknown error", p->context ? " " : "",
                     p->context ? p->context : "");
}

int kd_config_parse(const char *path, const char *data, size_t len,
                    bool (*known)(const char *pattern, void *arg), void *arg, kd_config **out,
                    kd_error **err)
{
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p))
        return kd_err(err, 0, "%s: cannot start the YAML parser", path);
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    if (!yaml_parser_load(&p, &doc)) {
        yaml_error(path, &p, err);
        yaml_parser_delete(&p);
        return -1;
    }
    kd_config *c = kd_config_default();
    c->path = kd_xstrdup(path);
    cfg_reader r = {path, &doc, c, known, arg, err};
    int rc = read_root(&r, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    if (rc < 0) {
        kd_config_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int kd_config_load(const char *path, bool (*known)(const char *pattern, void *arg), void *arg,
                   kd_config **out, kd_error **err)
{
    char *data;
    size_t len;
    if (kd_read_input(path, &data, &len, err) < 0)
        return -1;
    int rc = kd_config_parse(path, data, len, known, arg, out, err);
    free(data);
    return rc;
}

static void free_patterns(kd_cfg_pattern *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
    free(v);
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void kd_config_free(kd_config *c)
{
    if (c == NULL)
        return;
    free(c->path);
    free_patterns(c->ignore, c->nignore);
    free_patterns(c->enable, c->nenable);
    for (size_t i = 0; i < c->nseverity; i++)
        free(c->severity[i].rule);
    free(c->severity);
    free_strs(c->trusted_registries, c->ntrusted);
    free_strs(c->allowed_images, c->nallowed);
    for (size_t i = 0; i < c->noptions; i++) {
        free(c->options[i].rule);
        free(c->options[i].key);
        free(c->options[i].value);
    }
    free(c->options);
    for (size_t i = 0; i < c->nrules; i++)
        kd_decl_free(c->rules[i]);
    free(c->rules);
    free(c);
}

char *kd_config_find(const char *dir)
{
    char *d = realpath(dir && *dir ? dir : ".", NULL);
    if (d == NULL)
        return NULL;
    for (;;) {
        static const char *const names[] = {".kdoctor.yaml", ".kdoctor.yml"};
        for (size_t i = 0; i < 2; i++) {
            char *p = kd_asprintf("%s/%s", strcmp(d, "/") == 0 ? "" : d, names[i]);
            if (is_file(p)) {
                free(d);
                return p;
            }
            free(p);
        }
        char *slash = strrchr(d, '/');
        if (slash == NULL || strcmp(d, "/") == 0)
            break;
        if (slash == d)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    free(d);
    return NULL;
}
