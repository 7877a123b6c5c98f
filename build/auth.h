/* Registry credentials, kept where Docker keeps them: config.json in
 * $DOCKER_CONFIG, else ~/.docker.
 *
 * Reading (kd_auth_get): credHelpers[host] wins, then credsStore, then
 * auths[host] ("auth" = base64 "user:password", or "username"/"password",
 * "identitytoken", "registrytoken"). Keys are matched as Docker matches them:
 * "https://ghcr.io" = "ghcr.io"; for docker.io also "index.docker.io",
 * "https://index.docker.io/v1/" and "registry-1.docker.io". A helper is run
 * as "docker-credential-NAME get" with the server on standard input.
 *
 * Writing (kd_auth_store, for 'kdoctor login'): to the configured helper when
 * there is one, else into auths in config.json, rewritten atomically with
 * mode 0600 and every other key kept.
 *
 * Secrets never appear in an error message.
 *
 * Owner: build-fetch. Ownership: a kd_cred owns its strings (kd_cred_free
 * wipes and frees them); char * results are the caller's. */
#ifndef KD_BUILD_AUTH_H
#define KD_BUILD_AUTH_H

#include "util/error.h"

typedef struct kd_cred {
    char *username;       /* NULL when only a token is known */
    char *password;
    char *identity_token; /* OAuth2 refresh token ("identitytoken") */
    char *registry_token; /* a bearer token used as is ("registrytoken") */
} kd_cred;

/* $DOCKER_CONFIG, else $HOME/.docker. Caller frees. */
char *kd_auth_config_dir(void);

/* Credentials for registry (a kd_ref domain: "docker.io", "ghcr.io",
 * "localhost:5000"). config_dir NULL: kd_auth_config_dir(). Returns 0 with
 * *out filled, 1 when there are none (no error set), -1 on a broken config
 * or a failing helper. */
int kd_auth_get(const char *config_dir, const char *registry, kd_cred *out, kd_error **err);

/* Stores credentials for registry (see above). */
int kd_auth_store(const char *config_dir, const char *registry, const kd_cred *c,
                  kd_error **err);

/* Removes stored credentials; 1 when there were none. */
int kd_auth_erase(const char *config_dir, const char *registry, kd_error **err);

/* The registry a config.json key or a login argument names:
 * "https://ghcr.io/v2/" -> "ghcr.io"; docker.io's aliases -> "docker.io".
 * Caller frees. */
char *kd_auth_registry_name(const char *s);

/* The config.json key Docker uses for registry: "https://index.docker.io/v1/"
 * for docker.io, else the host itself. Caller frees. */
char *kd_auth_key(const char *registry);

void kd_cred_free(kd_cred *c);

#endif
