/* Registry credentials in Docker's config.json and credential helpers.
 * Messages name files, registries and helpers, never a secret; the
 * contents of config.json never go into a message either. */
#include "build/auth.h"
#include "build/oci_json.h"
#include "build/ref.h"
#include "build/user.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define HUB_KEY "https://index.docker.io/v1/"
#define HELPER_OUTPUT_MAX (1 << 20)

char *kd_auth_config_dir(void)
{
    const char *d = getenv("DOCKER_CONFIG");
    if (d && *d)
        return kd_xstrdup(d);
    const char *home = getenv("HOME");
    if (home && *home)
        return kd_asprintf("%s/.docker", home);
    /* no $HOME: the user's entry in /etc/passwd, read as the builder reads
     * an image's (not through NSS, which a static kdoctor cannot use) */
    char uid[32];
    snprintf(uid, sizeof uid, "%u", (unsigned)getuid());
    kd_ids ids = {0};
    int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *dir = NULL;
    if (root >= 0 && kd_user_resolve(root, uid, &ids, NULL) == 0)
        dir = kd_asprintf("%s/.docker", ids.home);
    if (root >= 0)
        close(root);
    kd_ids_free(&ids);
    return dir ? dir : kd_xstrdup("/.docker");
}

char *kd_auth_key(const char *registry)
{
    return kd_xstrdup(kd_ref_is_docker_hub(registry) ? HUB_KEY : registry);
}

char *kd_auth_registry_name(const char *key)
{
    if (kd_ref_is_docker_hub(key))
        return kd_xstrdup(KD_REF_DOCKER_DOMAIN);
    const char *s = key;
    if (strncmp(s, "https://", 8) == 0)
        s += 8;
    else if (strncmp(s, "http://", 7) == 0)
        s += 7;
    return kd_xstrndup(s, strcspn(s, "/"));
}

static bool key_matches(const char *key, const char *registry)
{
    char *a = kd_auth_registry_name(key), *b = kd_auth_registry_name(registry);
    bool same = strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

/* The member of object o whose key names registry: an exact key first, as
 * Docker looks it up, then any alias. */
static cJSON *find_entry(const cJSON *o, const char *registry)
{
    if (!cJSON_IsObject(o))
        return NULL;
    char *key = kd_auth_key(registry);
    cJSON *e = cJSON_GetObjectItemCaseSensitive(o, key);
    free(key);
    for (cJSON *it = o->child; e == NULL && it; it = it->next)
        if (it->string && key_matches(it->string, registry))
            e = it;
    return e;
}

static char *config_path(const char *dir)
{
    char *d = dir ? kd_xstrdup(dir) : kd_auth_config_dir();
    char *p = kd_asprintf("%s/config.json", d);
    free(d);
    return p;
}

/* Loads config.json; *out NULL when the file does not exist. */
static int load_config(const char *path, cJSON **out, kd_error **err)
{
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    kd_error *e = NULL;
    if (kd_read_file(path, &data, &len, &e) < 0) {
        int rc = e->errnum == ENOENT ? 0 : kd_err(err, e->errnum, "%s", e->msg);
        kd_error_free(e);
        return rc;
    }
    *out = kd_json_parse(data, len, path, err);
    explicit_bzero(data, len);
    free(data);
    return *out ? 0 : -1;
}

/* ---- credential helpers ---------------------------------------------- */

/* Feeds input to the child and reads its output; the child's stderr goes
 * to /dev/null so that nothing it says can leak into our terminal logs. */
static int helper_io(int in, int out, const char *input, kd_buf *output)
{
    size_t len = strlen(input);
    ssize_t w = len ? write(in, input, len) : 0;
    close(in);
    if (w != (ssize_t)len)
        return -1;
    char buf[4096];
    for (;;) {
        ssize_t n = read(out, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return (int)n;
        if (output->len + (size_t)n > HELPER_OUTPUT_MAX)
            return -1;
        kd_buf_add(output, buf, (size_t)n);
    }
}

/* Runs "docker-credential-NAME action" with input on stdin. Returns its
 * exit status (or -1 with *err set when it could not be run). */
static int run_helper(const char *name, const char *action, const char *input, kd_buf *output,
                      kd_error **err)
{
    for (const char *c = name; *c; c++)
        if (*c == '/' || *c == ' ')
            return kd_err(err, 0, "credential helper name \"%s\" is not valid", name);
    char *prog = kd_asprintf("docker-credential-%s", name);
    int pin[2], pout[2];
    if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0) {
        kd_err(err, errno, "cannot run %s", prog);
        free(prog);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
    posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {prog, (char *)action, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pin[0]);
    close(pout[1]);
    if (rc != 0) {
        close(pin[1]);
        close(pout[0]);
        kd_err(err, rc, "cannot run credential helper %s", prog);
        free(prog);
        return -1;
    }
    /* a helper that exits early must not kill us with SIGPIPE */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    int io = helper_io(pin[1], pout[0], input, output);
    signal(SIGPIPE, old);
    close(pout[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (io < 0 && !(WIFEXITED(st) && WEXITSTATUS(st) != 0)) {
        kd_err(err, 0, "credential helper %s: broken exchange", prog);
        free(prog);
        return -1;
    }
    free(prog);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The first line of a helper's complaint, without control characters. */
static char *helper_message(const kd_buf *out)
{
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < out->len && out->data[i] != '\n' && b.len < 200; i++)
        if ((unsigned char)out->data[i] >= 0x20)
            kd_buf_addc(&b, out->data[i]);
    return kd_buf_detach(&b, NULL);
}

static int parse_helper_creds(const kd_buf *out, kd_cred *c, const char *name, kd_error **err)
{
    cJSON *j = kd_json_parse(kd_buf_str(out), out->len, "credential helper output", NULL);
    char *user = NULL, *secret = NULL;
    int rc = 0;
    if (j == NULL || kd_json_str(j, "Username", "helper", &user, NULL) < 0 ||
        kd_json_str(j, "Secret", "helper", &secret, NULL) < 0 || secret == NULL) {
        rc = kd_err(err, 0, "credential helper docker-credential-%s gave no usable answer",
                    name);
        free(user);
    } else if (user && strcmp(user, "<token>") == 0) {
        free(user);
        c->identity_token = secret;
        secret = NULL;
    } else {
        c->username = user;
        c->password = secret;
        secret = NULL;
    }
    if (secret)
        explicit_bzero(secret, strlen(secret));
    free(secret);
    cJSON_Delete(j);
    return rc;
}

/* 0 found, 1 the helper has none, -1 error. */
static int helper_get(const char *name, const char *registry, kd_cred *c, kd_error **err)
{
    char *key = kd_auth_key(registry);
    kd_buf out = KD_BUF_INIT;
    int st = run_helper(name, "get", key, &out, err);
    free(key);
    int rc;
    if (st < 0) {
        rc = -1;
    } else if (st != 0) {
        char *msg = helper_message(&out);
        if (strstr(msg, "credentials not found"))
            rc = 1;
        else
            rc = kd_err(err, 0, "credential helper docker-credential-%s failed for %s: %s", name,
                        registry, *msg ? msg : "no message");
        free(msg);
    } else {
        rc = parse_helper_creds(&out, c, name, err);
    }
    if (out.data)
        explicit_bzero(out.data, out.len);
    kd_buf_free(&out);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

static int decode_auth(const char *b64, kd_cred *c, const char *registry, kd_error **err)
{
    size_t n = strlen(b64);
    if (n == 0)
        return 1;
    unsigned char *raw = kd_xmalloc(n + 1);
    int len = n % 4 == 0 ? EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n) : -1;
    if (len >= 0) {
        /* EVP_DecodeBlock counts the padding as zero bytes */
        for (size_t i = n; i > 0 && b64[i - 1] == '='; i--)
            len--;
    }
    char *colon = len > 0 ? memchr(raw, ':', (size_t)len) : NULL;
    int rc = 0;
    if (colon == NULL) {
        rc = kd_err(err, 0, "the stored \"auth\" for %s is not base64 of user:password", registry);
    } else {
        c->username = kd_xstrndup((char *)raw, (size_t)(colon - (char *)raw));
        c->password = kd_xstrndup(colon + 1, (size_t)len - (size_t)(colon - (char *)raw) - 1);
    }
    explicit_bzero(raw, n + 1);
    free(raw);
    return rc;
}

/* Credentials from an auths entry. 0 found, 1 empty, -1 error. */
static int from_auths_entry(const cJSON *e, const char *registry, kd_cred *c, kd_error **err)
{
    const char *what = "config.json auths entry";
    if (!cJSON_IsObject(e))
        return kd_err(err, 0, "config.json: the auths entry for %s is not an object", registry);
    char *auth = NULL;
    if (kd_json_str(e, "auth", what, &auth, err) < 0 ||
        kd_json_str(e, "identitytoken", what, &c->identity_token, err) < 0 ||
        kd_json_str(e, "registrytoken", what, &c->registry_token, err) < 0)
        return -1;
    int rc = auth ? decode_auth(auth, c, registry, err) : 1;
    if (auth)
        explicit_bzero(auth, strlen(auth));
    free(auth);
    if (rc == 1 && kd_json_str(e, "username", what, &c->username, err) == 0 &&
        kd_json_str(e, "password", what, &c->password, err) == 0 && c->username && c->password)
        rc = 0;
    if (rc == 1 && (c->identity_token || c->registry_token))
        rc = 0;
    return rc;
}

/* The helper configured for registry: credHelpers, else credsStore. */
static const char *helper_for(const cJSON *cfg, const char *registry)
{
    const cJSON *h = find_entry(kd_json_get(cfg, "credHelpers"), registry);
    if (cJSON_IsString(h) && *h->valuestring)
        return h->valuestring;
    const cJSON *store = kd_json_get(cfg, "credsStore");
    return cJSON_IsString(store) && *store->valuestring ? store->valuestring : NULL;
}

int kd_auth_get(const char *config_dir, const char *registry, kd_cred *out, kd_error **err)
{
    memset(out, 0, sizeof *out);
    char *path = config_path(config_dir);
    cJSON *cfg;
    int rc = load_config(path, &cfg, err);
    free(path);
    if (rc < 0 || cfg == NULL)
        return rc < 0 ? -1 : 1;
    const char *helper = helper_for(cfg, registry);
    rc = helper ? helper_get(helper, registry, out, err) : 1;
    if (rc == 1) {
        const cJSON *e = find_entry(kd_json_get(cfg, "auths"), registry);
        rc = e ? from_auths_entry(e, registry, out, err) : 1;
    }
    cJSON_Delete(cfg);
    if (rc != 0)
        kd_cred_free(out);
    return rc;
}

/* ---- writing ------------------------------------------------------------ */

/* Writes cfg to path through a 0600 temp file renamed over it. A symlinked
 * config.json (a mounted secret) is followed, as Docker does. */
static int save_config(const char *path, cJSON *cfg, kd_error **err)
{
    char *real = realpath(path, NULL);
    char *text = cJSON_Print(cfg);
    int rc = kd_write_file_atomic(real ? real : path, NULL, text, strlen(text), 0600, err);
    explicit_bzero(text, strlen(text));
    free(text);
    free(real);
    return rc;
}

/* Loads config.json for a change (an empty object when there is none). */
static cJSON *load_for_update(const char *config_dir, char **path, kd_error **err)
{
    char *dir = config_dir ? kd_xstrdup(config_dir) : kd_auth_config_dir();
    int rc = kd_mkdirs(dir, 0700, err);
    *path = kd_asprintf("%s/config.json", dir);
    free(dir);
    cJSON *cfg = NULL;
    if (rc < 0 || load_config(*path, &cfg, err) < 0) {
        free(*path);
        *path = NULL;
        return NULL;
    }
    return cfg ? cfg : cJSON_CreateObject();
}

static char *encode_auth(const kd_cred *c)
{
    char *plain = kd_asprintf("%s:%s", c->username, c->password);
    size_t n = strlen(plain);
    char *b64 = kd_xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)plain, (int)n);
    explicit_bzero(plain, n);
    free(plain);
    return b64;
}

static int helper_store(const char *name, const char *key, const kd_cred *c, kd_error **err)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "ServerURL", key);
    cJSON_AddStringToObject(j, "Username", c->identity_token ? "<token>" : c->username);
    cJSON_AddStringToObject(j, "Secret", c->identity_token ? c->identity_token : c->password);
    char *input = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    kd_buf out = KD_BUF_INIT;
    int st = run_helper(name, "store", input, &out, err);
    explicit_bzero(input, strlen(input));
    free(input);
    int rc = 0;
    if (st > 0) {
        char *msg = helper_message(&out);
        rc = kd_err(err, 0, "credential helper docker-credential-%s could not store: %s", name,
                    *msg ? msg : "no message");
        free(msg);
    }
    kd_buf_free(&out);
    return st < 0 ? -1 : rc;
}

/* Replaces auths[key] with the credentials (or {} when a helper has them). */
static void set_auths_entry(cJSON *cfg, const char *key, const kd_cred *c, bool in_helper)
{
    cJSON *auths = cJSON_GetObjectItemCaseSensitive(cfg, "auths");
    if (!cJSON_IsObject(auths)) {
        cJSON_DeleteItemFromObjectCaseSensitive(cfg, "auths");
        auths = cJSON_AddObjectToObject(cfg, "auths");
    }
    cJSON *e = cJSON_CreateObject();
    if (!in_helper && c->username && c->password) {
        char *b64 = encode_auth(c);
        cJSON_AddStringToObject(e, "auth", b64);
        explicit_bzero(b64, strlen(b64));
        free(b64);
    }
    if (!in_helper && c->identity_token)
        cJSON_AddStringToObject(e, "identitytoken", c->identity_token);
    if (cJSON_GetObjectItemCaseSensitive(auths, key))
        cJSON_ReplaceItemInObjectCaseSensitive(auths, key, e);
    else
        cJSON_AddItemToObject(auths, key, e);
}

int kd_auth_store(const char *config_dir, const char *registry, const kd_cred *c,
                  kd_error **err)
{
    if ((c->username == NULL || c->password == NULL) && c->identity_token == NULL)
        return kd_err(err, 0, "nothing to store for %s: no user and password", registry);
    char *path;
    cJSON *cfg = load_for_update(config_dir, &path, err);
    if (cfg == NULL)
        return -1;
    char *key = kd_auth_key(registry);
    const char *helper = helper_for(cfg, registry);
    int rc = helper ? helper_store(helper, key, c, err) : 0;
    if (rc == 0) {
        set_auths_entry(cfg, key, c, helper != NULL);
        rc = save_config(path, cfg, err);
    }
    free(key);
    free(path);
    cJSON_Delete(cfg);
    return rc;
}

int kd_auth_erase(const char *config_dir, const char *registry, kd_error **err)
{
    char *path;
    cJSON *cfg = load_for_update(config_dir, &path, err);
    if (cfg == NULL)
        return -1;
    int rc = 1;
    const char *helper = helper_for(cfg, registry);
    if (helper) {
        char *key = kd_auth_key(registry);
        kd_buf out = KD_BUF_INIT;
        int st = run_helper(helper, "erase", key, &out, err);
        rc = st < 0 ? -1 : st == 0 ? 0 : 1;
        kd_buf_free(&out);
        free(key);
    }
    cJSON *auths = cJSON_GetObjectItemCaseSensitive(cfg, "auths");
    cJSON *e;
    while (rc >= 0 && (e = find_entry(auths, registry)) != NULL) {
        cJSON_Delete(cJSON_DetachItemViaPointer(auths, e));
        rc = 0;
    }
    if (rc == 0)
        rc = save_config(path, cfg, err);
    free(path);
    cJSON_Delete(cfg);
    return rc;
}

static void wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void kd_cred_free(kd_cred *c)
{
    if (c == NULL)
        return;
    wipe_free(c->username);
    wipe_free(c->password);
    wipe_free(c->identity_token);
    wipe_free(c->registry_token);
    memset(c, 0, sizeof *c);
}
