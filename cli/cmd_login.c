/* kdoctor login: checks credentials against a registry and stores them
 * where Docker (and kdoctor's pulls and pushes) find them. */
#include "build/auth.h"
#include "build/ref.h"
#include "build/registry.h"
#include "cli/cli.h"
#include "util/buf.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define SECRET_MAX 8192

typedef struct login_opts {
    const char *user;
    bool password_stdin;
    bool insecure;
    bool verify;
    char *registry;
} login_opts;

/* Reads one line from fd (without its newline) into a wiped-on-free
 * buffer; NULL on end of input before anything was read. */
static char *read_line(int fd, bool all)
{
    kd_buf b = KD_BUF_INIT;
    char c;
    ssize_t n;
    while ((n = read(fd, &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
        if (n < 0)
            continue;
        if (c == '\n' && !all)
            break;
        if (b.len >= SECRET_MAX)
            break;
        kd_buf_addc(&b, c);
    }
    if (n == 0 && b.len == 0 && b.data == NULL)
        return NULL;
    /* --password-stdin: one trailing newline (or CRLF) is not part of it */
    if (all && b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    if (b.len && b.data[b.len - 1] == '\r')
        b.data[--b.len] = '\0';
    return kd_buf_detach(&b, NULL);
}

/* Prompts on the terminal; echo off for secrets. */
static char *prompt(const char *what, bool secret)
{
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0)
        return NULL;
    struct termios old, quiet;
    bool restore = false;
    if (secret && tcgetattr(tty, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        restore = tcsetattr(tty, TCSAFLUSH, &quiet) == 0;
    }
    dprintf(tty, "%s: ", what);
    char *line = read_line(tty, false);
    if (restore)
        tcsetattr(tty, TCSAFLUSH, &old);
    close(tty);
    return line;
}

static void wipe(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static int parse_args(int argc, char **argv, login_opts *o)
{
    static const struct option longs[] = {
        {"username", required_argument, NULL, 'u'},
        {"password-stdin", no_argument, NULL, 's'},
        {"insecure", no_argument, NULL, 'i'},
        {"no-verify", no_argument, NULL, 'n'},
        {"password", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":u:p:", longs, NULL)) != -1) {
        switch (c) {
        case 'u': o->user = optarg; break;
        case 's': o->password_stdin = true; break;
        case 'i': o->insecure = true; break;
        case 'n': o->verify = false; break;
        case 'p':
            return kd_usage_error("login", "a password on the command line would show in ps "
                                           "and shell history; use --password-stdin");
        case ':': return kd_usage_error("login", "option '%s' needs a value", argv[optind - 1]);
        default: return kd_usage_error("login", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind > 1)
        return kd_usage_error("login", "takes one registry, got %d", argc - optind);
    o->registry = kd_auth_registry_name(optind < argc ? argv[optind] : KD_REF_DOCKER_DOMAIN);
    if (o->registry[0] == '\0') {
        free(o->registry);
        return kd_usage_error("login", "'%s' is not a registry name", argv[optind]);
    }
    return 0;
}

/* Asks the registry whether the credentials work. */
static int verify(const login_opts *o, const kd_cred *c, kd_error **err)
{
    const char *insecure[] = {o->registry};
    kd_registry_opts ro = {.anonymous = true, .insecure = insecure,
                           .ninsecure = o->insecure ? 1 : 0, .retries = 2};
    kd_registry *r;
    if (kd_registry_new(&ro, &r, err) < 0)
        return -1;
    kd_registry_set_cred(r, o->registry, c);
    int rc = kd_registry_ping(r, o->registry, err);
    kd_registry_free(r);
    if (rc < 0 && err && *err)
        kd_error_wrap(*err, "login to %s failed", o->registry);
    return rc;
}

static int get_secrets(const login_opts *o, kd_cred *c)
{
    c->username = o->user ? kd_xstrdup(o->user) : prompt("Username", false);
    if (c->username == NULL || c->username[0] == '\0')
        return kd_usage_error("login", "no user name: give -u USER (no terminal to ask on)");
    c->password = o->password_stdin ? read_line(0, true) : prompt("Password", true);
    if (c->password == NULL || c->password[0] == '\0')
        return kd_usage_error("login", "%s", o->password_stdin
                                                 ? "no password on standard input"
                                                 : "no password: no terminal to ask on; use "
                                                   "--password-stdin");
    return 0;
}

static int run(int argc, char **argv)
{
    login_opts o = {.verify = true};
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    kd_cred c = {0};
    kd_error *err = NULL;
    int rc = get_secrets(&o, &c);
    if (rc == 0 && o.verify && verify(&o, &c, &err) < 0)
        rc = kd_report(err);
    else if (rc == 0 && kd_auth_store(NULL, o.registry, &c, &err) < 0)
        rc = kd_report(err);
    if (rc == 0) {
        char *dir = kd_auth_config_dir();
        printf("Login Succeeded: credentials for %s stored in %s/config.json\n", o.registry, dir);
        free(dir);
    }
    wipe(c.password);
    c.password = NULL;
    kd_cred_free(&c);
    free(o.registry);
    return rc;
}

const kd_command kd_cmd_login = {
    .name = "login",
    .summary = "Store credentials for a container registry",
    .help =
        "Usage: kdoctor login [-u USER] [--password-stdin] [--insecure] [--no-verify] "
        "[REGISTRY]\n"
        "\n"
        "Checks a user name and password (or token) against REGISTRY (default docker.io)\n"
        "and stores them in $DOCKER_CONFIG/config.json, else ~/.docker/config.json, where\n"
        "kdoctor's pulls and pushes (and Docker, Podman, Kaniko) find them. The file is\n"
        "rewritten atomically with mode 0600; when config.json names a credential helper\n"
        "(credsStore, credHelpers), the secret goes to that helper instead.\n"
        "\n"
        "Without -u, asks for the user name; without --password-stdin, asks for the\n"
        "password on the terminal without echoing it. A password is never accepted as an\n"
        "argument, which would show in ps and in shell history.\n"
        "\n"
        "Options:\n"
        "  -u, --username USER  the user name\n"
        "  --password-stdin     read the password (or token) from standard input\n"
        "  --insecure           allow plain HTTP to REGISTRY (localhost needs no flag)\n"
        "  --no-verify          store without asking the registry first\n"
        "\n"
        "Examples:\n"
        "  kdoctor login ghcr.io -u me --password-stdin <token.txt\n"
        "  echo \"$CI_REGISTRY_PASSWORD\" | kdoctor login -u \"$CI_REGISTRY_USER\" \\\n"
        "      --password-stdin \"$CI_REGISTRY\"\n",
    .run = run,
};
