/* USER and --chown resolution against an image's /etc/passwd and
 * /etc/group, following runc's user.GetExecUser (what Docker and BuildKit
 * run). Owner: build-sandbox (helper C). */
#include "build/user.h"
#include "build/fsroot.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ID_MAX 2147483647L /* runc's maxID: ids are Go ints in int32 range */

/* A decimal id, as Go's strconv.Atoi accepts it (sign allowed, so "-1" is
 * numeric and then out of range, as in runc). */
static bool parse_id(const char *s, long *out)
{
    if (*s == '\0')
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || errno != 0 || s[0] == ' ' || s[0] == '\t')
        return false;
    *out = v;
    return true;
}

/* The whole of ROOT/etc/NAME, or NULL when it does not exist. */
static char *read_etc(int rootfd, const char *name)
{
    int fd = kd_root_open(rootfd, name, O_RDONLY, 0, KD_IN_ROOT);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "r");
    if (f == NULL) {
        close(fd);
        return NULL;
    }
    char *text = NULL;
    size_t cap = 0, len = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        KD_GROW(text, cap, len + n + 1);
        memcpy(text + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (text == NULL)
        text = kd_xstrdup("");
    else
        text[len] = '\0';
    return text;
}

/* Splits a line into at most max ':'-separated fields, in place. */
static size_t split_fields(char *line, char **f, size_t max)
{
    size_t n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == ':') {
            *p = '\0';
            f[n++] = p + 1;
        }
    }
    for (size_t i = n; i < max; i++)
        f[i] = "";
    return n;
}

typedef struct pw_entry {
    bool found;
    char name[256];
    long uid, gid;
    char home[4096];
} pw_entry;

/* First passwd line whose name (or uid, when want_uid) matches. */
static void find_passwd(char *text, const char *name, bool by_uid, long uid, pw_entry *out)
{
    out->found = false;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *f[7];
        if (line[0] == '#' || split_fields(line, f, 7) < 3)
            continue;
        long u, g;
        if (!parse_id(f[2], &u))
            continue;
        if (by_uid ? u != uid : strcmp(f[0], name) != 0)
            continue;
        g = 0;
        parse_id(f[3], &g);
        out->found = true;
        snprintf(out->name, sizeof out->name, "%s", f[0]);
        out->uid = u, out->gid = g;
        snprintf(out->home, sizeof out->home, "%s", f[5]);
        return;
    }
}

static bool in_list(char *list, const char *name)
{
    char *save;
    for (char *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save))
        if (strcmp(m, name) == 0)
            return true;
    return false;
}

/* Explicit group: by gid when numeric, by name otherwise; -1 if none. */
static long find_group(char *text, const char *group)
{
    long want;
    bool numeric = parse_id(group, &want);
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        char *f[4];
        long g;
        if (line[0] == '#' || split_fields(line, f, 4) < 3 || !parse_id(f[2], &g))
            continue;
        if (numeric ? g == want : strcmp(f[0], group) == 0)
            return g;
    }
    return numeric && want >= 0 && want <= ID_MAX ? want : -1;
}

/* Supplementary groups: every group listing the user by name. */
static void member_groups(char *text, const char *user, kd_ids *ids)
{
    size_t cap = 0;
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        char *f[4];
        long g;
        if (line[0] == '#' || split_fields(line, f, 4) < 4 || !parse_id(f[2], &g))
            continue;
        if (in_list(f[3], user)) {
            KD_GROW(ids->groups, cap, ids->ngroups + 1);
            ids->groups[ids->ngroups++] = (gid_t)g;
        }
    }
}

static void split_spec(const char *spec, char **user, char **group)
{
    const char *colon = strchr(spec, ':');
    *user = colon ? kd_xstrndup(spec, (size_t)(colon - spec)) : kd_xstrdup(spec);
    *group = colon ? kd_xstrdup(colon + 1) : kd_xstrdup("");
}

static int resolve_user(int rootfd, const char *user, kd_ids *ids, pw_entry *pw, kd_error **err)
{
    long uid;
    bool numeric = parse_id(user, &uid);
    char *passwd = read_etc(rootfd, "etc/passwd");
    if (passwd)
        find_passwd(passwd, user, numeric || *user == '\0', numeric ? uid : 0, pw);
    free(passwd);
    if (pw->found) {
        ids->uid = (uid_t)pw->uid, ids->gid = (gid_t)pw->gid;
        ids->home = kd_xstrdup(pw->home[0] ? pw->home : "/");
        return 0;
    }
    if (*user == '\0')
        return 0;
    if (!numeric)
        return kd_err(err, 0, "unable to find user %s: no matching entries in passwd file", user);
    if (uid < 0 || uid > ID_MAX)
        return kd_err(err, 0, "user %s: uid out of range", user);
    ids->uid = (uid_t)uid;
    return 0;
}

int kd_user_resolve(int rootfd, const char *spec, kd_ids *ids, kd_error **err)
{
    *ids = (kd_ids){0};
    char *user, *group;
    split_spec(spec ? spec : "", &user, &group);
    pw_entry pw = {0};
    int rc = resolve_user(rootfd, user, ids, &pw, err);
    if (rc == 0 && *group) {
        char *text = read_etc(rootfd, "etc/group");
        long g = find_group(text, group);
        free(text);
        if (g < 0)
            rc = kd_err(err, 0, "unable to find group %s: no matching entries in group file", group);
        else
            ids->gid = (gid_t)g;
    } else if (rc == 0 && pw.found) {
        char *text = read_etc(rootfd, "etc/group");
        member_groups(text, pw.name, ids);
        free(text);
    }
    if (rc == 0 && ids->home == NULL)
        ids->home = kd_xstrdup("/");
    free(user);
    free(group);
    if (rc < 0)
        kd_ids_free(ids);
    return rc;
}

int kd_chown_resolve(int rootfd, const char *spec, uid_t *uid, gid_t *gid, kd_error **err)
{
    char *user, *group;
    split_spec(spec, &user, &group);
    long u = -1, g = -1, primary = -1;
    int rc = 0;
    if (parse_id(user, &u)) {
        primary = u;
    } else {
        pw_entry pw = {0};
        char *passwd = read_etc(rootfd, "etc/passwd");
        if (passwd)
            find_passwd(passwd, user, false, 0, &pw);
        free(passwd);
        u = pw.found ? pw.uid : -1;
        primary = pw.found ? pw.gid : -1;
        if (!pw.found)
            rc = kd_err(err, 0, "unable to find user %s: no matching entries in passwd file", user);
    }
    if (rc == 0 && *group) {
        long want;
        char *text = parse_id(group, &want) ? NULL : read_etc(rootfd, "etc/group");
        g = parse_id(group, &want) ? want : find_group(text, group);
        free(text);
        if (g < 0)
            rc = kd_err(err, 0, "unable to find group %s: no matching entries in group file", group);
    } else if (rc == 0) {
        /* BuildKit: a name brings its passwd group, a number is both ids */
        g = primary;
    }
    if (rc == 0 && (u < 0 || u > ID_MAX || g < 0 || g > ID_MAX))
        rc = kd_err(err, 0, "--chown=%s: id out of range", spec);
    free(user);
    free(group);
    if (rc == 0)
        *uid = (uid_t)u, *gid = (gid_t)g;
    return rc;
}

void kd_ids_free(kd_ids *ids)
{
    free(ids->groups);
    free(ids->home);
    *ids = (kd_ids){0};
}
