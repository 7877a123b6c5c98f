/* Wrappers: commands that run another command given as their arguments
 * (sudo apt-get ..., env A=1 pip ..., xargs rm ...). Unwrapping them lets a
 * rule see the real command; the scripts of sh -c and su -c are found here
 * too, for the walk to analyse. */
#include "shell/internal.h"
#include "util/mem.h"

#include <stdint.h>
#include <string.h>

typedef struct wrapper {
    const char *names;
    const char *short_value; /* short options that take a value */
    const char *long_value;  /* long options that take a value */
    int operands;            /* operands before the command (timeout 10, gosu user) */
    bool assigns;            /* NAME=value words may come before the command */
    const char *no_command;  /* options after which no command runs (command -v) */
} wrapper;

static const wrapper wrappers[] = {
    {"sudo|doas", "ugpCchrtUDRT",
     "user|group|prompt|close-from|chdir|host|role|type|other-user|chroot|command-timeout", 0, true,
     "-l|--list|-e|--edit|-v|--validate|-V|--version|-K|--remove-timestamp"},
    {"env", "uCS", "unset|chdir|split-string", 0, true, "--help|--version"},
    {"xargs", "adEILnPs",
     "arg-file|delimiter|eof|max-lines|max-args|max-procs|max-chars|process-slot-var", 0, false,
     "--help|--version"},
    {"nice", "n", "adjustment", 0, false, NULL},
    {"nohup|eatmydata|builtin", "", "", 0, false, NULL},
    {"time", "fo", "format|output", 0, false, NULL},
    {"exec", "a", "", 0, false, NULL},
    {"command", "", "", 0, false, "-v|-V"},
    {"timeout", "sk", "signal|kill-after", 1, false, "--help|--version"},
    {"stdbuf", "ioe", "input|output|error", 0, false, NULL},
    {"gosu|su-exec", "", "", 1, false, NULL},
    {"fakeroot", "lsi", "lib|faked|save-file|load-file", 0, false, NULL},
};

/* ---- name lists -------------------------------------------------------
 * Rules ask "is this command one of a|b|c" for every command, and with the
 * analyser that was most of the linter's time. Lists are string literals or
 * constant tables (the documented contract of sh_name_in), so each is parsed
 * once into a set of (length, hash) pairs, found again by its address in a
 * small lock-free table; a name is then hashed once and compared with
 * integers. */

typedef struct name_ent {
    uint64_t hash;
    size_t len;
    const char *s;
} name_ent;

typedef struct name_set {
    size_t mask;       /* slots - 1 */
    uint64_t first[4]; /* the first bytes of the names, a bit each: most
                        * commands asked about start with none of them */
    name_ent slots[];  /* open addressing by hash; len == SIZE_MAX marks empty */
} name_set;

#define SET_SLOTS 1024 /* a power of two; the program has ~200 lists */

static struct {
    const char *key;
    name_set *set;
} sets[SET_SLOTS];

uint64_t sh_name_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static void set_add(name_set *set, name_ent e)
{
    for (size_t i = e.hash & set->mask;; i = (i + 1) & set->mask) {
        if (set->slots[i].len == SIZE_MAX) {
            set->slots[i] = e;
            return;
        }
    }
}

static name_set *compile(const char *names)
{
    size_t n = 1;
    for (const char *p = names; *p; p++)
        n += *p == '|';
    size_t slots = 4;
    while (slots < 2 * n)
        slots *= 2;
    /* one allocation: a short run compiles a hundred sets or more */
    name_set *set = kd_xmalloc(sizeof *set + slots * sizeof *set->slots);
    set->mask = slots - 1;
    memset(set->first, 0, sizeof set->first);
    for (size_t i = 0; i < slots; i++)
        set->slots[i].len = SIZE_MAX;
    for (const char *p = names;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        set_add(set, (name_ent){sh_name_hash(p, len), len, p});
        unsigned char c0 = len ? (unsigned char)p[0] : 0;
        set->first[c0 >> 6] |= 1ull << (c0 & 63);
        if (bar == NULL)
            break;
        p = bar + 1;
    }
    return set;
}

/* The compiled set of names, or NULL when the table is full. Sets are never
 * freed: they live as long as the literals they describe. */
static const name_set *set_of(const char *names)
{
    /* the high bits of a Fibonacci hash of the address */
    size_t h = (size_t)(((uint64_t)(uintptr_t)names * 0x9E3779B97F4A7C15ull) >> 54);
    for (size_t probe = 0; probe < SET_SLOTS; probe++) {
        size_t i = (h + probe) & (SET_SLOTS - 1);
        const char *k = __atomic_load_n(&sets[i].key, __ATOMIC_ACQUIRE);
        if (k == names) {
            name_set *set;
            while ((set = __atomic_load_n(&sets[i].set, __ATOMIC_ACQUIRE)) == NULL)
                ; /* another thread is publishing it */
            return set;
        }
        if (k != NULL)
            continue;
        const char *expected = NULL;
        if (__atomic_compare_exchange_n(&sets[i].key, &expected, names, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            name_set *set = compile(names);
            __atomic_store_n(&sets[i].set, set, __ATOMIC_RELEASE);
            return set;
        }
        if (expected == names) {
            name_set *set;
            while ((set = __atomic_load_n(&sets[i].set, __ATOMIC_ACQUIRE)) == NULL)
                ;
            return set;
        }
    }
    return NULL;
}

/* Rules ask about a few lists, taking turns, for command after command:
 * the sets last found are kept per thread, by their list's address. */
#define MEMO_BITS 8
static __thread struct {
    const char *names;
    const name_set *set;
} memo[1 << MEMO_BITS];

static size_t memo_slot(const char *names)
{
    return (size_t)(((uint64_t)(uintptr_t)names * 0x9E3779B97F4A7C15ull) >> (64 - MEMO_BITS));
}

/* The slow paths, out of line, so that the usual question (the same list
 * as the last one, a name whose first byte starts none of its names)
 * costs a few instructions and no saved registers. */
static __attribute__((noinline)) bool probe(const name_set *set, const char *name, size_t len,
                                            uint64_t hash)
{
    for (size_t i = hash & set->mask;; i = (i + 1) & set->mask) {
        const name_ent *e = &set->slots[i];
        if (e->len == SIZE_MAX)
            return false;
        if (e->hash == hash && e->len == len && memcmp(e->s, name, len) == 0)
            return true;
    }
}

static __attribute__((noinline)) bool switch_and_ask(const char *name, size_t len, uint64_t hash,
                                                     const char *names)
{
    const name_set *set = set_of(names);
    if (set == NULL)
        return sh_name_in(name, len, names);
    size_t k = memo_slot(names);
    memo[k].names = names;
    memo[k].set = set;
    return sh_name_in_hashed(name, len, hash, names);
}

bool sh_name_in_hashed(const char *name, size_t len, uint64_t hash, const char *names)
{
    size_t k = memo_slot(names);
    if (memo[k].names != names)
        return switch_and_ask(name, len, hash, names);
    const name_set *set = memo[k].set;
    unsigned char c0 = len ? (unsigned char)name[0] : 0;
    if (!(set->first[c0 >> 6] & (1ull << (c0 & 63))))
        return false;
    return probe(set, name, len, hash);
}

/* The plain form, for names asked once. */
bool sh_name_in(const char *name, size_t len, const char *names)
{
    const char *p = names;
    char c0 = len ? name[0] : '|';
    for (;;) {
        if (*p == c0 || len == 0) {
            size_t i = 0;
            while (i < len && p[i] == name[i])
                i++;
            if (i == len && (p[i] == '|' || p[i] == '\0'))
                return true;
        }
        while (*p && *p != '|')
            p++;
        if (*p == '\0')
            return false;
        p++;
    }
}

const char *sh_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

static const wrapper *wrapper_for(const char *name)
{
    size_t len = strlen(name);
    uint64_t h = sh_name_hash(name, len);
    for (size_t k = 0; k < sizeof wrappers / sizeof wrappers[0]; k++)
        if (sh_name_in_hashed(name, len, h, wrappers[k].names))
            return &wrappers[k];
    return NULL;
}

static bool is_assign_text(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
           *s == '_')
        s++;
    return *s == '=';
}

/* Whether option word w takes the next word as its value. */
static bool takes_next(const char *w, const char *short_value, const char *long_value)
{
    if (w[1] == '-') {
        const char *eq = strchr(w, '=');
        return eq == NULL && sh_name_in(w + 2, strlen(w + 2), long_value);
    }
    for (const char *p = w + 1; *p; p++)
        if (strchr(short_value, *p))
            return p[1] == '\0'; /* -uroot carries its value */
    return false;
}

static bool opt_in(const char *w, const char *list)
{
    if (list == NULL)
        return false;
    const char *eq = strchr(w, '=');
    return sh_name_in(w, eq ? (size_t)(eq - w) : strlen(w), list);
}

/* Skips wrapper wr's options, assignments and operands from word i; returns
 * the index of the command it runs, or SIZE_MAX when none runs. */
static size_t skip_wrapper(const sh_cmd *cmd, const wrapper *wr, size_t i)
{
    int operands = wr->operands;
    while (i < cmd->nwords) {
        const char *w = cmd->words[i].text;
        if (strcmp(w, "--") == 0) {
            i++;
            break;
        }
        if (w[0] != '-' || w[1] == '\0') {
            if (strcmp(w, "-") == 0 || (wr->assigns && is_assign_text(w)) || operands-- > 0) {
                i++;
                continue;
            }
            break;
        }
        if (opt_in(w, wr->no_command))
            return SIZE_MAX;
        i += takes_next(w, wr->short_value, wr->long_value) ? 2 : 1;
    }
    while (i < cmd->nwords && operands-- > 0)
        i++;
    return i < cmd->nwords ? i : SIZE_MAX;
}

/* The real command's name and option table, computed once for the many
 * queries rules make. */
static void set_name(sh_cmd *cmd)
{
    cmd->name_ = cmd->argv0 < cmd->nwords ? sh_basename(cmd->words[cmd->argv0].text) : "";
    cmd->name_len_ = strlen(cmd->name_);
    cmd->name_hash_ = sh_name_hash(cmd->name_, cmd->name_len_);
    cmd->opts_ = sh_optspec_for(cmd->name_);
}

void sh_unwrap(sh_ctx *c, sh_cmd *cmd)
{
    cmd->argv0 = 0;
    set_name(cmd);
    if (cmd->kind != SH_SIMPLE || cmd->nwords == 0)
        return;
    for (;;) {
        const wrapper *wr = wrapper_for(cmd->name_);
        if (wr == NULL)
            return;
        size_t next = skip_wrapper(cmd, wr, cmd->argv0 + 1);
        if (next == SIZE_MAX)
            return;                /* nothing to unwrap: the wrapper is the command */
        if (cmd->wrappers == NULL) /* at most one wrapper per word */
            cmd->wrappers = sh_alloc(c->a, cmd->nwords * sizeof *cmd->wrappers);
        cmd->wrappers[cmd->nwrappers++] = cmd->argv0;
        cmd->argv0 = next;
        set_name(cmd);
    }
}

/* ---- scripts given to shells ------------------------------------------------ */

static bool is_shell(const char *name)
{
    return sh_name_in(name, strlen(name), "sh|bash|dash|ash|zsh|ksh|mksh");
}

/* bash [options] [-c script | file] ...: the script's index, if any */
static size_t shell_script_arg(const sh_cmd *cmd, bool *reads_stdin)
{
    bool has_c = false;
    size_t i = cmd->argv0 + 1;
    for (; i < cmd->nwords; i++) {
        const char *w = cmd->words[i].text;
        if (strcmp(w, "--") == 0 || strcmp(w, "-") == 0) {
            i++;
            break;
        }
        if ((w[0] != '-' && w[0] != '+') || w[1] == '\0')
            break;
        if (w[1] == '-') {
            if (strcmp(w, "--rcfile") == 0 || strcmp(w, "--init-file") == 0)
                i++;
            continue;
        }
        has_c |= w[0] == '-' && strchr(w, 'c') != NULL;
        if (strpbrk(w + 1, "oO"))
            i++; /* -o pipefail */
    }
    if (has_c)
        return i < cmd->nwords ? i : SIZE_MAX;
    *reads_stdin = i >= cmd->nwords;
    return SIZE_MAX;
}

/* su [options] [-] [user] -c script: the script's index, if any */
static size_t su_script_arg(const sh_cmd *cmd)
{
    for (size_t i = cmd->argv0 + 1; i + 1 < cmd->nwords; i++) {
        const char *w = cmd->words[i].text;
        if (strcmp(w, "--") == 0)
            return SIZE_MAX;
        if (strcmp(w, "--command") == 0 || strcmp(w, "--session-command") == 0 ||
            (w[0] == '-' && w[1] != '-' && w[1] && w[strlen(w) - 1] == 'c'))
            return i + 1;
        if (strcmp(w, "-s") == 0 || strcmp(w, "-g") == 0 || strcmp(w, "-G") == 0 ||
            strcmp(w, "-w") == 0 || strcmp(w, "--shell") == 0 || strcmp(w, "--group") == 0)
            i++;
    }
    return SIZE_MAX;
}

size_t sh_script_arg(const sh_cmd *cmd, bool *reads_stdin)
{
    *reads_stdin = false;
    if (cmd->kind != SH_SIMPLE || cmd->argv0 >= cmd->nwords)
        return SIZE_MAX;
    const char *name = sh_basename(cmd->words[cmd->argv0].text);
    if (is_shell(name))
        return shell_script_arg(cmd, reads_stdin);
    if (strcmp(name, "su") == 0 || strcmp(name, "runuser") == 0)
        return su_script_arg(cmd);
    return SIZE_MAX;
}
