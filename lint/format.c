/* The output formats (see lint/format.h): tty and gnu print per file;
 * json, sarif, checkstyle and gitlab build one document. Columns are
 * 1-based Unicode code points everywhere (SARIF says so in columnKind);
 * strings are cleaned to valid UTF-8 before they reach a document. */
#include "lint/decl.h"
#include "lint/format.h"
#include "lint/lint.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kd_formatter {
    kd_format_opts o;
    cJSON *doc;   /* json, sarif, gitlab: the document */
    cJSON *list;  /* where findings go */
    const kd_rule **rules; /* sarif: driver.rules in order */
    size_t nrules;
    cJSON *sarif_rules;
    size_t counts[5]; /* findings per severity */
    size_t files;
};

int kd_format_parse(const char *name)
{
    static const char *const names[] = {"tty", "json", "sarif", "checkstyle", "gitlab", "gnu"};
    for (int i = 0; i < 6; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* ---- text helpers ------------------------------------------------------------ */

/* s with invalid UTF-8 replaced by U+FFFD and control bytes by spaces
 * (except in_line ones: newline and tab kept); owned by the caller. */
static char *clean(const char *s, bool keep_newlines)
{
    kd_buf b = KD_BUF_INIT;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t run = i; /* printable ASCII, the common case, goes in whole runs */
        while (run < n && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x80)
            run++;
        if (run > i) {
            kd_buf_add(&b, s + i, run - i);
            i = run;
            continue;
        }
        size_t w;
        unsigned cp = kd_utf8_decode((const unsigned char *)s + i, n - i, &w);
        if (cp == KD_RUNE_ERROR && w == 1)
            kd_buf_add_utf8(&b, 0xFFFD);
        else if (cp < 0x20 && !(keep_newlines && (cp == '\n' || cp == '\t')))
            kd_buf_addc(&b, ' ');
        else
            kd_buf_add(&b, s + i, w);
        i += w;
    }
    return kd_buf_detach(&b, NULL);
}

/* The code-point column of a byte position. */
static unsigned cp_col(const df_file *f, df_pos p)
{
    size_t start = p.off - (p.col - 1), col = 1;
    for (size_t i = start; i < p.off && i < f->len; i++)
        if (((unsigned char)f->src[i] & 0xC0) != 0x80)
            col++;
    return (unsigned)col;
}

static const char *display_path(const char *p)
{
    return strcmp(p, "-") == 0 ? "<stdin>" : p;
}

static void add_aliases(cJSON *arr, const kd_rule *r)
{
    for (size_t i = 0; i < KD_MAX_ALIASES && r->hadolint[i]; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(r->hadolint[i]));
    if (r->buildkit)
        cJSON_AddItemToArray(arr, cJSON_CreateString(r->buildkit));
}

static void add_clean_string(cJSON *o, const char *key, const char *s)
{
    char *c = clean(s, false);
    cJSON_AddStringToObject(o, key, c);
    free(c);
}

/* ---- tty and gnu ----------------------------------------------------------- */

static const char *sev_color(kd_severity s)
{
    switch (s) {
    case KD_SEV_ERROR: return "\033[1;31m";
    case KD_SEV_WARNING: return "\033[1;33m";
    case KD_SEV_INFO: return "\033[1;36m";
    default: return "\033[1;35m";
    }
}

/* The source line under a finding, and a caret with tildes under its span
 * (to the end of the first line when the span goes on). */
static void tty_snippet(const df_file *f, const kd_finding *x, bool color, kd_buf *out)
{
    uint32_t ln = x->span.start.line;
    if (ln == 0 || ln > f->nlines)
        return;
    size_t ls = f->line_starts[ln - 1];
    size_t le = ls;
    while (le < f->len && f->src[le] != '\n' && f->src[le] != '\r')
        le++;
    char *line = kd_xstrndup(f->src + ls, le - ls);
    char *shown = clean(line, true);
    kd_buf_addf(out, "%5u | %s\n      | ", ln, shown);
    size_t st = x->span.start.off, en = x->span.end.line == ln ? x->span.end.off : le;
    if (en <= st)
        en = st + 1;
    for (size_t i = ls; i < st && i < le; i++) /* keep tabs so the caret lines up */
        if (((unsigned char)f->src[i] & 0xC0) != 0x80)
            kd_buf_addc(out, f->src[i] == '\t' ? '\t' : ' ');
    if (color)
        kd_buf_adds(out, "\033[1;32m");
    kd_buf_addc(out, '^');
    for (size_t i = st + 1; i < en && i < le; i++)
        if (((unsigned char)f->src[i] & 0xC0) != 0x80)
            kd_buf_addc(out, '~');
    kd_buf_adds(out, color ? "\033[0m\n" : "\n");
    free(line);
    free(shown);
}

static void tty_file(kd_formatter *fm, const kd_file_result *r, kd_buf *out)
{
    bool c = fm->o.color;
    for (size_t i = 0; i < r->nfindings; i++) {
        const kd_finding *x = r->findings[i];
        char *msg = clean(x->message, false);
        kd_buf_addf(out, "%s%s:%u:%u:%s %s%s%s %s %s%s%s: %s\n", c ? "\033[1m" : "",
                    display_path(r->path), x->span.start.line, cp_col(r->file, x->span.start),
                    c ? "\033[0m" : "", c ? sev_color(x->severity) : "",
                    kd_severity_name(x->severity), c ? "\033[0m" : "", x->rule->id,
                    c ? "\033[2m" : "", x->rule->name, c ? "\033[0m" : "", msg);
        free(msg);
        tty_snippet(r->file, x, c, out);
    }
}

static void tty_end(kd_formatter *fm, kd_buf *out)
{
    size_t total = 0;
    for (int s = 1; s < 5; s++)
        total += fm->counts[s];
    if (fm->files == 0) /* nothing could be read: the errors said so */
        return;
    if (total == 0) {
        kd_buf_addf(out, "no findings in %zu file%s\n", fm->files, fm->files == 1 ? "" : "s");
        return;
    }
    kd_buf_addf(out, "%zu finding%s in %zu file%s:", total, total == 1 ? "" : "s", fm->files,
                fm->files == 1 ? "" : "s");
    const char *sep = " ";
    for (int s = 4; s >= 1; s--)
        if (fm->counts[s]) {
            kd_buf_addf(out, "%s%zu %s%s", sep, fm->counts[s], kd_severity_name((kd_severity)s),
                        fm->counts[s] > 1 && s >= KD_SEV_WARNING ? "s" : "");
            sep = ", ";
        }
    kd_buf_addc(out, '\n');
}

static void gnu_file(const kd_file_result *r, kd_buf *out)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const kd_finding *x = r->findings[i];
        df_pos last = x->span.end.off > x->span.start.off
                          ? df_file_pos(r->file, x->span.end.off - 1)
                          : x->span.start;
        char *msg = clean(x->message, false);
        kd_buf_addf(out, "%s:%u.%u-%u.%u: %s: %s [%s]\n", display_path(r->path),
                    x->span.start.line, cp_col(r->file, x->span.start), last.line,
                    cp_col(r->file, last), kd_severity_name(x->severity), msg, x->rule->id);
        free(msg);
    }
}

/* ---- json ------------------------------------------------------------------ */

static void json_file(kd_formatter *fm, const kd_file_result *r)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const kd_finding *x = r->findings[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", x->rule->id);
        cJSON_AddStringToObject(o, "name", x->rule->name);
        cJSON_AddStringToObject(o, "severity", kd_severity_name(x->severity));
        cJSON_AddStringToObject(o, "category", kd_category_name(x->rule->category));
        add_aliases(cJSON_AddArrayToObject(o, "aliases"), x->rule);
        add_clean_string(o, "file", display_path(r->path));
        cJSON_AddNumberToObject(o, "line", x->span.start.line);
        cJSON_AddNumberToObject(o, "column", cp_col(r->file, x->span.start));
        cJSON_AddNumberToObject(o, "end_line", x->span.end.line);
        cJSON_AddNumberToObject(o, "end_column", cp_col(r->file, x->span.end));
        add_clean_string(o, "message", x->message);
        cJSON_AddBoolToObject(o, "fixable", x->nedits > 0);
        cJSON_AddStringToObject(o, "fix", kd_fix_kind_name(x->nedits ? x->fix : KD_FIX_NONE));
        if (kd_decl_link(x->rule))
            add_clean_string(o, "link", kd_decl_link(x->rule));
        cJSON_AddItemToArray(fm->list, o);
    }
    cJSON *files = cJSON_GetObjectItem(fm->doc, "files");
    cJSON *fo = cJSON_CreateObject();
    add_clean_string(fo, "path", display_path(r->path));
    cJSON_AddNumberToObject(fo, "findings", (double)r->nfindings);
    cJSON_AddItemToArray(files, fo);
}

static void json_begin(kd_formatter *fm)
{
    fm->doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(fm->doc, "version", 1);
    cJSON_AddStringToObject(fm->doc, "tool", "kdoctor");
    cJSON_AddArrayToObject(fm->doc, "files");
    fm->list = cJSON_AddArrayToObject(fm->doc, "findings");
}

static void json_end(kd_formatter *fm)
{
    cJSON *s = cJSON_AddObjectToObject(fm->doc, "summary");
    for (int i = 4; i >= 1; i--)
        cJSON_AddNumberToObject(s, kd_severity_name((kd_severity)i), (double)fm->counts[i]);
}

/* ---- sarif ------------------------------------------------------------------- */

static const char *sarif_level(kd_severity s)
{
    return s == KD_SEV_ERROR ? "error" : s == KD_SEV_WARNING ? "warning" : "note";
}

static cJSON *sarif_rule(const kd_rule *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "name", r->name);
    cJSON *sd = cJSON_AddObjectToObject(o, "shortDescription");
    add_clean_string(sd, "text", r->summary);
    const char *doc = kd_rule_doc(r->id);
    cJSON *help = cJSON_AddObjectToObject(o, "help");
    add_clean_string(help, "text", r->summary);
    if (doc) {
        char *md = clean(doc, true);
        cJSON_AddStringToObject(help, "markdown", md);
        free(md);
    }
    if (kd_decl_link(r))
        add_clean_string(o, "helpUri", kd_decl_link(r));
    cJSON *dc = cJSON_AddObjectToObject(o, "defaultConfiguration");
    cJSON_AddStringToObject(dc, "level", sarif_level(r->severity));
    cJSON_AddBoolToObject(dc, "enabled", !r->off_by_default);
    cJSON *props = cJSON_AddObjectToObject(o, "properties");
    cJSON *tags = cJSON_AddArrayToObject(props, "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString(kd_category_name(r->category)));
    add_aliases(tags, r);
    return o;
}

static size_t sarif_rule_index(kd_formatter *fm, const kd_rule *r)
{
    for (size_t i = 0; i < fm->nrules; i++)
        if (fm->rules[i] == r)
            return i;
    fm->rules = kd_xrealloc(fm->rules, (fm->nrules + 1) * sizeof *fm->rules);
    fm->rules[fm->nrules] = r;
    cJSON_AddItemToArray(fm->sarif_rules, sarif_rule(r));
    return fm->nrules++;
}

/* A relative URI reference for a path: unreserved bytes and '/' kept,
 * everything else percent-encoded. */
static char *uri_of(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    kd_buf b = KD_BUF_INIT;
    if (strcmp(path, "-") == 0)
        path = "stdin";
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    if (path[0] == '/')
        kd_buf_adds(&b, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            kd_buf_addc(&b, (char)*p);
        else
            kd_buf_addf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    return kd_buf_detach(&b, NULL);
}

static cJSON *sarif_location(const kd_file_result *r, const kd_finding *x)
{
    cJSON *loc = cJSON_CreateObject();
    cJSON *pl = cJSON_AddObjectToObject(loc, "physicalLocation");
    cJSON *al = cJSON_AddObjectToObject(pl, "artifactLocation");
    char *uri = uri_of(r->path);
    cJSON_AddStringToObject(al, "uri", uri);
    free(uri);
    cJSON *rg = cJSON_AddObjectToObject(pl, "region");
    cJSON_AddNumberToObject(rg, "startLine", x->span.start.line);
    cJSON_AddNumberToObject(rg, "startColumn", cp_col(r->file, x->span.start));
    cJSON_AddNumberToObject(rg, "endLine", x->span.end.line);
    cJSON_AddNumberToObject(rg, "endColumn", cp_col(r->file, x->span.end));
    return loc;
}

static void sarif_file(kd_formatter *fm, const kd_file_result *r)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const kd_finding *x = r->findings[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ruleId", x->rule->id);
        cJSON_AddNumberToObject(o, "ruleIndex", (double)sarif_rule_index(fm, x->rule));
        cJSON_AddStringToObject(o, "level", sarif_level(x->severity));
        cJSON *m = cJSON_AddObjectToObject(o, "message");
        add_clean_string(m, "text", x->message);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "locations"), sarif_location(r, x));
        cJSON_AddItemToArray(fm->list, o);
    }
}

static void sarif_begin(kd_formatter *fm)
{
    fm->doc = cJSON_CreateObject();
    cJSON_AddStringToObject(fm->doc, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(fm->doc, "version", "2.1.0");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(fm->doc, "runs"), run);
    cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
    cJSON_AddStringToObject(driver, "name", "kdoctor");
    cJSON_AddStringToObject(driver, "version", fm->o.version ? fm->o.version : "0");
    fm->sarif_rules = cJSON_AddArrayToObject(driver, "rules");
    if (fm->o.linter) { /* every known rule, so that ruleIndex values are stable */
        const kd_rule *const *v;
        size_t n = kd_linter_rules(fm->o.linter, &v);
        for (size_t i = 0; i < n; i++)
            sarif_rule_index(fm, v[i]);
    }
    cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
    fm->list = cJSON_AddArrayToObject(run, "results");
}

/* ---- gitlab (Code Climate) ------------------------------------------------- */

static const char *cc_severity(kd_severity s)
{
    switch (s) {
    case KD_SEV_ERROR: return "blocker";
    case KD_SEV_WARNING: return "major";
    case KD_SEV_INFO: return "info";
    default: return "minor";
    }
}

static const char *cc_category(kd_category c)
{
    switch (c) {
    case KD_CAT_COST: return "Performance";
    case KD_CAT_CORRECTNESS: return "Bug Risk";
    case KD_CAT_SECURITY: return "Security";
    default: return "Style";
    }
}

/* Two 64-bit FNV-1a hashes with different offset bases: 128 bits, enough
 * to tell findings apart, and no need to link a crypto library (whose
 * loading alone would cost every run milliseconds). */
static void hash128(const char *p, size_t n, char out[33])
{
    unsigned long long h1 = 14695981039346656037ULL, h2 = 0x6c62272e07bb0142ULL;
    for (size_t i = 0; i < n; i++) {
        h1 = (h1 ^ (unsigned char)p[i]) * 1099511628211ULL;
        h2 = (h2 ^ (unsigned char)p[i]) * 1099511628211ULL;
    }
    snprintf(out, 33, "%016llx%016llx", h1, h2);
}

/* Stable across line shifts: the file, the rule, the text of the line and
 * how many earlier findings of the rule had the same line text. */
static void fingerprint(const kd_file_result *r, size_t i, char out[33])
{
    const kd_finding *x = r->findings[i];
    const df_file *f = r->file;
    kd_buf b = KD_BUF_INIT;
    kd_buf_adds(&b, r->path);
    kd_buf_addc(&b, '\0');
    kd_buf_adds(&b, x->rule->id);
    kd_buf_addc(&b, '\0');
    size_t ls = f->line_starts[x->span.start.line - 1], le = ls;
    while (le < f->len && f->src[le] != '\n')
        le++;
    kd_buf_add(&b, f->src + ls, le - ls);
    size_t same = 0;
    for (size_t k = 0; k < i; k++)
        if (r->findings[k]->rule == x->rule &&
            r->findings[k]->span.start.line == x->span.start.line)
            same++;
    kd_buf_addf(&b, "%c%zu", 0, same);
    hash128(b.data, b.len, out);
    kd_buf_free(&b);
}

static void gitlab_file(kd_formatter *fm, const kd_file_result *r)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const kd_finding *x = r->findings[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "issue");
        cJSON_AddStringToObject(o, "check_name", x->rule->id);
        char *d = kd_asprintf("%s %s: %s", x->rule->id, x->rule->name, x->message);
        add_clean_string(o, "description", d);
        free(d);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "categories"),
                             cJSON_CreateString(cc_category(x->rule->category)));
        cJSON_AddStringToObject(o, "severity", cc_severity(x->severity));
        char fp[33];
        fingerprint(r, i, fp);
        cJSON_AddStringToObject(o, "fingerprint", fp);
        cJSON *loc = cJSON_AddObjectToObject(o, "location");
        add_clean_string(loc, "path", display_path(r->path));
        cJSON *lines = cJSON_AddObjectToObject(loc, "lines");
        cJSON_AddNumberToObject(lines, "begin", x->span.start.line);
        cJSON_AddNumberToObject(lines, "end", x->span.end.line);
        cJSON_AddStringToObject(o, "engine_name", "kdoctor");
        cJSON_AddItemToArray(fm->list, o);
    }
}

/* ---- checkstyle -------------------------------------------------------------- */

static void xml_attr(kd_buf *out, const char *s)
{
    char *c = clean(s, false);
    for (const char *p = c; *p; p++) {
        switch (*p) {
        case '&': kd_buf_adds(out, "&amp;"); break;
        case '<': kd_buf_adds(out, "&lt;"); break;
        case '>': kd_buf_adds(out, "&gt;"); break;
        case '"': kd_buf_adds(out, "&quot;"); break;
        case '\'': kd_buf_adds(out, "&apos;"); break;
        default: kd_buf_addc(out, *p);
        }
    }
    free(c);
}

static void checkstyle_file(const kd_file_result *r, kd_buf *out)
{
    kd_buf_adds(out, "<file name=\"");
    xml_attr(out, display_path(r->path));
    kd_buf_adds(out, "\">\n");
    for (size_t i = 0; i < r->nfindings; i++) {
        const kd_finding *x = r->findings[i];
        kd_severity s = x->severity;
        kd_buf_addf(out, "<error line=\"%u\" column=\"%u\" severity=\"%s\" message=\"",
                    x->span.start.line, cp_col(r->file, x->span.start),
                    s == KD_SEV_ERROR ? "error" : s == KD_SEV_WARNING ? "warning" : "info");
        xml_attr(out, x->message);
        kd_buf_addf(out, "\" source=\"kdoctor.%s.%s\"/>\n", x->rule->id, x->rule->name);
    }
    kd_buf_adds(out, "</file>\n");
}

/* ---- dispatch ------------------------------------------------------------------ */

kd_formatter *kd_formatter_new(const kd_format_opts *o)
{
    kd_formatter *fm = kd_xcalloc(1, sizeof *fm);
    fm->o = *o;
    switch (o->format) {
    case KD_FMT_JSON: json_begin(fm); break;
    case KD_FMT_SARIF: sarif_begin(fm); break;
    case KD_FMT_GITLAB: fm->doc = fm->list = cJSON_CreateArray(); break;
    default: break;
    }
    return fm;
}

void kd_formatter_file(kd_formatter *fm, const kd_file_result *r, kd_buf *out)
{
    fm->files++;
    for (size_t i = 0; i < r->nfindings; i++)
        fm->counts[r->findings[i]->severity]++;
    switch (fm->o.format) {
    case KD_FMT_TTY: tty_file(fm, r, out); break;
    case KD_FMT_GNU: gnu_file(r, out); break;
    case KD_FMT_JSON: json_file(fm, r); break;
    case KD_FMT_SARIF: sarif_file(fm, r); break;
    case KD_FMT_GITLAB: gitlab_file(fm, r); break;
    case KD_FMT_CHECKSTYLE:
        if (fm->files == 1)
            kd_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<checkstyle version=\"4.3\">\n");
        checkstyle_file(r, out);
        break;
    }
}

void kd_formatter_end(kd_formatter *fm, kd_buf *out)
{
    if (fm->o.format == KD_FMT_TTY)
        tty_end(fm, out);
    if (fm->o.format == KD_FMT_CHECKSTYLE)
        kd_buf_adds(out, fm->files ? "</checkstyle>\n"
                                   : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                     "<checkstyle version=\"4.3\">\n</checkstyle>\n");
    if (fm->o.format == KD_FMT_JSON)
        json_end(fm);
    if (fm->doc) {
        char *s = cJSON_Print(fm->doc);
        kd_buf_adds(out, s);
        kd_buf_addc(out, '\n');
        free(s);
    }
}

void kd_formatter_free(kd_formatter *fm)
{
    if (fm == NULL)
        return;
    if (fm->doc) /* only JSON formats have one (and cJSON is loaded on first use) */
        cJSON_Delete(fm->doc);
    free(fm->rules);
    free(fm);
}
