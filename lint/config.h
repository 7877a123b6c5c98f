/* The lint configuration file, .kdoctor.yaml (owner: lint-engine), parsed
 * with libyaml. Its keys (docs/lint.md has the reference):
 *
 *   ignore: [KD1100, DL3008, stage-name-casing]   # rules not to run
 *   enable: [KD4109]                              # off-by-default rules to run
 *   severity: {KD1100: error, DL3006: style}      # overrides ("off" disables)
 *   failure-threshold: warning
 *   trusted-registries: [docker.io, ghcr.io]
 *   allowed-base-images: [node, "python:3.12*"]   # shell-style patterns
 *   options: {fat-base-image: {min-saving-mb: 50}}
 *   rules: [team-rules.json]                      # declarative rule files
 *
 * hadolint's spellings are accepted too: ignored, trustedRegistries,
 * override: {error: [...], warning: [...], info: [...], style: [...]}.
 * Errors name FILE:LINE:COL of the offending node. */
#ifndef KD_LINT_CONFIG_H
#define KD_LINT_CONFIG_H

#include "lint/engine.h"
#include "rules/rule.h"
#include "util/error.h"

#include <stddef.h>

typedef struct kd_decl_set kd_decl_set; /* lint/decl.h */
typedef struct kd_config kd_config;

typedef struct kd_rule_opt {
    char *rule, *key, *value;
} kd_rule_opt;

/* Which rule names a config entry stood for and where, for messages. */
typedef struct kd_cfg_pattern {
    char *text;
    unsigned line, col;
} kd_cfg_pattern;

struct kd_config {
    char *path; /* NULL for the built-in defaults */
    kd_cfg_pattern *ignore;
    size_t nignore;
    kd_cfg_pattern *enable;
    size_t nenable;
    kd_sev_override *severity;
    size_t nseverity;
    int failure_threshold; /* -1: not set */
    char **trusted_registries;
    size_t ntrusted;
    char **allowed_images;
    size_t nallowed;
    kd_rule_opt *options;
    size_t noptions;
    kd_decl_set **rules; /* the declarative rule files of `rules:` */
    size_t nrules;
};

/* Parses len bytes of YAML named path (for messages; relative `rules:`
 * files are found beside it). known(pattern) says whether a rule pattern
 * designates some rule; NULL accepts any. */
int kd_config_parse(const char *path, const char *data, size_t len,
                    bool (*known)(const char *pattern, void *arg), void *arg, kd_config **out,
                    kd_error **err);
int kd_config_load(const char *path, bool (*known)(const char *pattern, void *arg), void *arg,
                   kd_config **out, kd_error **err);
/* The defaults: nothing ignored, no threshold, no lists. */
kd_config *kd_config_default(void);
void kd_config_free(kd_config *c);

/* The path of the nearest .kdoctor.yaml (or .kdoctor.yml) in dir or its
 * parents (owned), or NULL. */
char *kd_config_find(const char *dir);

#endif
