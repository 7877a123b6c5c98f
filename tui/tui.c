/* The compare report's terminal UI. Everything is drawn from the report
 * model on each key: the screen is small and the model is in memory, so a
 * full redraw is cheap and resizing needs no bookkeeping. */
#include "tui/tui.h"
#include "util/buf.h"
#include "util/lazylib.h"
#include "util/mem.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { P_TITLE = 1, P_BAR0, P_BAR1, P_BETTER, P_WORSE, P_DIM, P_SEL };

typedef enum view { V_MAIN, V_STEP, V_EFF, V_HELP } view;
typedef enum sort_kind { SORT_LINE, SORT_TIME, SORT_GAIN, SORT_COUNT } sort_kind;

typedef struct line {
    char *text;
    int attr;
} line;

typedef struct ui {
    const kd_rep *r;
    WINDOW *w;
    int h, wd;
    kd_mode mode;
    view view;
    sort_kind sort;
    bool color, utf8;
    size_t *rows; /* the table's rows (report row numbers), in display order */
    size_t nrows;
    size_t sel, top;
    int scroll;     /* in the detail views */
    size_t variant; /* the variant a detail view focuses on */
    line *lines;    /* the detail view's lines */
    size_t nlines, cap;
} ui;

bool kd_tui_usable(void)
{
    const char *term = getenv("TERM");
    return isatty(0) && isatty(1) && term && *term && strcmp(term, "dumb") != 0;
}

/* ---- drawing primitives --------------------------------------------------- */

static int attr_of(const ui *u, int pair, int fallback)
{
    return u->color ? (int)COLOR_PAIR(pair) : fallback;
}

/* Prints at (y, x), clipped to the screen width, in attribute a. */
static void put(ui *u, int y, int x, int a, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void put(ui *u, int y, int x, int a, const char *fmt, ...)
{
    if (y < 0 || y >= u->h || x >= u->wd)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* clip by columns, counting a UTF-8 sequence as one column */
    int cols = 0, room = u->wd - x;
    size_t n = 0;
    while (buf[n] && cols < room) {
        n++;
        while (((unsigned char)buf[n] & 0xC0) == 0x80)
            n++;
        cols++;
    }
    wmove(u->w, y, x);
    if (a)
        wattr_on(u->w, (attr_t)a, NULL);
    waddnstr(u->w, buf, (int)n);
    if (a)
        wattr_off(u->w, (attr_t)a, NULL);
}

/* A bar of width w for value out of max. */
static void draw_bar(ui *u, int y, int x, int w, double value, double max, int pair)
{
    if (w <= 0)
        return;
    int n = max > 0 ? (int)(value / max * w + 0.5) : 0;
    if (n > w)
        n = w;
    if (value > 0 && n == 0)
        n = 1;
    kd_buf b = KD_BUF_INIT;
    for (int i = 0; i < n; i++)
        kd_buf_adds(&b, u->utf8 ? "\xe2\x96\x88" : "#");
    put(u, y, x, attr_of(u, pair, 0), "%s", kd_buf_str(&b));
    kd_buf_free(&b);
}

static void sep_line(ui *u, int y)
{
    kd_buf b = KD_BUF_INIT;
    for (int i = 0; i < u->wd; i++)
        kd_buf_adds(&b, u->utf8 ? "\xe2\x94\x80" : "-");
    put(u, y, 0, attr_of(u, P_DIM, A_DIM), "%s", kd_buf_str(&b));
    kd_buf_free(&b);
}

/* ---- rows ------------------------------------------------------------------ */

static const kd_rep_step *row_step(const ui *u, size_t row, size_t *variant)
{
    for (size_t i = 0; i < u->r->nvariants; i++) {
        const kd_rep_step *s = kd_report_step_at(&u->r->variants[i], row, NULL);
        if (s) {
            if (variant)
                *variant = i;
            return s;
        }
    }
    return NULL;
}

static double row_time(const ui *u, size_t row, size_t v)
{
    bool first;
    const kd_rep_step *s = kd_report_step_at(&u->r->variants[v], row, &first);
    return s && first && s->total[u->mode].n ? s->total[u->mode].median : 0;
}

static int by_line(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static const ui *sort_ui; /* qsort has no context argument */

static int by_time(const void *a, const void *b)
{
    double x = row_time(sort_ui, *(const size_t *)a, 0);
    double y = row_time(sort_ui, *(const size_t *)b, 0);
    return x > y ? -1 : x < y ? 1 : by_line(a, b);
}

/* Rows sorted by what the other variants save against the original. */
static int by_gain(const void *a, const void *b)
{
    double gx = 0, gy = 0;
    size_t rx = *(const size_t *)a, ry = *(const size_t *)b;
    for (size_t v = 1; v < sort_ui->r->nvariants; v++) {
        gx += row_time(sort_ui, rx, 0) - row_time(sort_ui, rx, v);
        gy += row_time(sort_ui, ry, 0) - row_time(sort_ui, ry, v);
    }
    return gx > gy ? -1 : gx < gy ? 1 : by_line(a, b);
}

static void build_rows(ui *u)
{
    free(u->rows);
    u->rows = kd_xcalloc(u->r->nrows + 1, sizeof *u->rows);
    u->nrows = 0;
    for (size_t row = 0; row < u->r->nrows; row++)
        if (row_step(u, row, NULL))
            u->rows[u->nrows++] = row;
    sort_ui = u;
    qsort(u->rows, u->nrows, sizeof *u->rows,
          u->sort == SORT_TIME ? by_time : u->sort == SORT_GAIN ? by_gain : by_line);
    if (u->sel >= u->nrows)
        u->sel = u->nrows ? u->nrows - 1 : 0;
}

/* ---- the main view ------------------------------------------------------------ */

static void title(ui *u, const char *what)
{
    const char *keys = "[c]old [w]arm [?]help";
    int room = u->wd - (int)strlen(keys) - 3;
    char t[512];
    snprintf(t, sizeof t, "kdoctor compare  %s%s  %d run%s  %s", kd_mode_name(u->mode), what,
             u->r->runs, u->r->runs == 1 ? "" : "s", u->r->dockerfile ? u->r->dockerfile : "");
    put(u, 0, 0, attr_of(u, P_TITLE, A_REVERSE), "%-*s", u->wd, "");
    put(u, 0, 1, attr_of(u, P_TITLE, A_REVERSE) | A_BOLD, "%.*s", room > 0 ? room : 0, t);
    if (room > 10)
        put(u, 0, u->wd - (int)strlen(keys) - 1, attr_of(u, P_TITLE, A_REVERSE), "%s", keys);
}

static void footer(ui *u, const char *keys)
{
    put(u, u->h - 1, 0, attr_of(u, P_DIM, A_DIM), "%s", keys);
}

static int summary(ui *u, int y)
{
    const kd_rep *r = u->r;
    const kd_rep_variant *o = &r->variants[0];
    double maxt = 0, maxs = 0;
    for (size_t i = 0; i < r->nvariants; i++) {
        if (r->variants[i].total[u->mode].median > maxt)
            maxt = r->variants[i].total[u->mode].median;
        if ((double)r->variants[i].size > maxs)
            maxs = (double)r->variants[i].size;
    }
    /* name 12, time 9, spread 5, bar, size 9, layers 4, gains 12 */
    int barw = u->wd - (1 + 12 + 1 + 9 + 1 + 5 + 1 + 1 + 9 + 1 + 4 + 1 + 12);
    if (barw > 30)
        barw = 30;
    if (barw < 4)
        barw = 4;
    int xs = 1 + 12 + 1 + 9 + 1 + 5 + 1, xsize = xs + barw + 1;
    put(u, y, 1, A_BOLD, "%-12s %9s %5s", "variant", "time", "+-");
    put(u, y, xsize, A_BOLD, "%9s %4s %12s", "size", "lyrs", "gain tm/size");
    y++;
    for (size_t i = 0; i < r->nvariants; i++, y++) {
        const kd_rep_variant *v = &r->variants[i];
        char t[32], sz[32], sp[16] = "-", g[48] = "";
        kd_fmt_ms(v->total[u->mode].n ? v->total[u->mode].median : -1, t, sizeof t);
        if (v->total[u->mode].n > 1)
            snprintf(sp, sizeof sp, "%.0f%%", kd_stat_spread(&v->total[u->mode]) * 50);
        kd_fmt_bytes(v->size, sz, sizeof sz);
        put(u, y, 1, i == 0 ? A_BOLD : 0, "%-12.12s", v->name);
        put(u, y, 14, 0, "%9s %5s", v->error ? "failed" : t, sp);
        draw_bar(u, y, xs, barw, v->total[u->mode].median, maxt, i == 0 ? P_BAR0 : P_BAR1);
        put(u, y, xsize, 0, "%9s %4zu", sz, v->layers);
        if (i > 0 && !v->error) {
            char gt[16], gs[16];
            kd_fmt_gain(o->total[u->mode].median, v->total[u->mode].median, gt, sizeof gt);
            kd_fmt_gain((double)o->size, (double)v->size, gs, sizeof gs);
            bool noise = o->total[u->mode].n > 1 && v->total[u->mode].n > 1 &&
                         !kd_stat_differs(&o->total[u->mode], &v->total[u->mode]);
            snprintf(g, sizeof g, "%s%s / %s", gt, noise ? "~" : "", gs);
            bool better = v->total[u->mode].median < o->total[u->mode].median;
            put(u, y, xsize + 15, attr_of(u, better ? P_BETTER : P_WORSE, A_BOLD), "%12s", g);
        }
    }
    bool any_noise = false;
    for (size_t i = 1; i < r->nvariants; i++)
        any_noise |= o->total[u->mode].n > 1 && r->variants[i].total[u->mode].n > 1 &&
                     !kd_stat_differs(&o->total[u->mode], &r->variants[i].total[u->mode]);
    if (any_noise)
        put(u, y++, 1, attr_of(u, P_DIM, A_DIM),
            "~ within the runs' spread: do not trust that difference (more --runs)");
    return y;
}

static int colw(const ui *u)
{
    int w = (u->wd - 30) / (int)u->r->nvariants;
    return w > 11 ? 11 : w < 8 ? 8 : w;
}

static void steps(ui *u, int y0, int y1)
{
    const kd_rep *r = u->r;
    int cw = colw(u), textw = u->wd - 6 - (int)r->nvariants * (cw + 1) - 1;
    put(u, y0, 1, A_BOLD, "%-4s %-*.*s", "line", textw, textw, "instruction");
    for (size_t i = 0; i < r->nvariants; i++)
        put(u, y0, 6 + textw + 1 + (int)i * (cw + 1), A_BOLD, "%*.*s", cw, cw, r->variants[i].name);
    int rows = y1 - y0 - 1;
    if (rows < 1)
        return;
    if (u->sel < u->top)
        u->top = u->sel;
    if (u->sel >= u->top + (size_t)rows)
        u->top = u->sel - (size_t)rows + 1;
    for (int k = 0; k < rows && u->top + (size_t)k < u->nrows; k++) {
        size_t idx = u->top + (size_t)k, row = u->rows[idx];
        int y = y0 + 1 + k;
        bool sel = idx == u->sel;
        const kd_rep_step *s = row_step(u, row, NULL);
        int a = sel ? attr_of(u, P_SEL, A_REVERSE) : 0;
        if (sel)
            put(u, y, 0, a, "%-*s", u->wd, "");
        put(u, y, 0, a, "%c%-4u %-*.*s", sel ? '>' : ' ', s->line_start, textw, textw, s->text);
        for (size_t i = 0; i < r->nvariants; i++) {
            bool first;
            const kd_rep_step *v = kd_report_step_at(&r->variants[i], row, &first);
            char t[32] = "";
            if (v && first) {
                kd_fmt_ms(v->total[u->mode].n ? v->total[u->mode].median : -1, t, sizeof t);
                if (v->cache_hit[u->mode])
                    strcat(t, "*");
            } else if (v) {
                snprintf(t, sizeof t, u->utf8 ? "\xe2\x86\x91 merged" : "^ merged");
            }
            int x = 6 + textw + 1 + (int)i * (cw + 1);
            put(u, y, x, a | (v && !first ? attr_of(u, P_DIM, A_DIM) : 0), "%*s", cw, t);
        }
    }
}

static void draw_main(ui *u)
{
    title(u, "");
    int y = summary(u, 2);
    sep_line(u, y++);
    steps(u, y, u->h - 1);
    footer(u, " arrows move  Enter step  s sort  c/w cold/warm  e efficiency  ? help  q quit");
}

/* ---- detail views: lines built, then scrolled --------------------------------- */

static void add_line(ui *u, int attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_line(ui *u, int attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    KD_GROW(u->lines, u->cap, u->nlines + 1);
    u->lines[u->nlines++] = (line){kd_xstrdup(buf), attr};
}

static void clear_lines(ui *u)
{
    for (size_t i = 0; i < u->nlines; i++)
        free(u->lines[i].text);
    u->nlines = 0;
}

static void phase_lines(ui *u, const kd_rep_step *s)
{
    double max = 0;
    for (int p = 0; p < KD_REP_PHASES; p++)
        if (s->phase[u->mode][p].median > max)
            max = s->phase[u->mode][p].median;
    for (int p = 0; p < KD_REP_PHASES; p++) {
        const kd_stat *st = &s->phase[u->mode][p];
        if (st->n == 0)
            continue;
        char t[32], b[32] = "";
        kd_fmt_ms(st->median, t, sizeof t);
        if (s->phase_bytes[p])
            kd_fmt_bytes(s->phase_bytes[p], b, sizeof b);
        int n = max > 0 ? (int)(st->median / max * 20 + 0.5) : 0;
        char bar[64] = "";
        for (int i = 0; i < n && i < 20; i++)
            strcat(bar, u->utf8 ? "\xe2\x96\x88" : "#");
        add_line(u, 0, "    %-9s %9s  %-20s %s", kd_rep_phase_names[p], t, bar, b);
    }
}

static void step_variant_lines(ui *u, size_t vi, const kd_rep_step *s)
{
    const kd_rep_variant *v = &u->r->variants[vi];
    char t[32], sp[16] = "";
    kd_fmt_ms(s->total[u->mode].n ? s->total[u->mode].median : -1, t, sizeof t);
    if (s->total[u->mode].n > 1)
        snprintf(sp, sizeof sp, " (+-%.0f%%)", kd_stat_spread(&s->total[u->mode]) * 50);
    add_line(u, A_BOLD, "%s: %s%s%s   line%s %u-%u", v->name, t, sp,
             s->cache_hit[u->mode] ? ", from the cache" : "", "s", s->line_start, s->line_end);
    if (s->row_span > 1)
        add_line(u, 0, "  stands for %zu steps of the original", s->row_span);
    phase_lines(u, s);
    if (s->layer) {
        char a[32], b[32], c[32];
        kd_fmt_bytes(s->size, a, sizeof a);
        kd_fmt_bytes(s->tar_size, b, sizeof b);
        kd_fmt_bytes(s->hidden_bytes, c, sizeof c);
        add_line(u, 0, "  layer: %s (%s uncompressed), %llu files; added %llu, changed %llu, "
                       "removed %llu; %s hidden by later layers",
                 a, b, (unsigned long long)s->files, (unsigned long long)s->added,
                 (unsigned long long)s->changed, (unsigned long long)s->removed, c);
    } else {
        add_line(u, 0, "  no layer");
    }
    for (size_t i = 0; i < s->nlargest && i < 8; i++) {
        char b[32];
        kd_fmt_bytes(s->largest[i].size, b, sizeof b);
        add_line(u, 0, "    %10s  %s", b, s->largest[i].path);
    }
}

static void log_lines(ui *u, const kd_rep_step *s, const char *name)
{
    if (s == NULL || s->log == NULL || *s->log == '\0')
        return;
    add_line(u, A_BOLD, "log of %s:", name);
    const char *p = s->log;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < 500 ? n : 500), p);
        for (char *c = buf; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = ' ';
        add_line(u, attr_of(u, P_DIM, 0), "  %s", buf);
        p = nl ? nl + 1 : p + n;
    }
}

static void build_step_lines(ui *u)
{
    clear_lines(u);
    size_t row = u->rows[u->sel];
    const kd_rep_step *s0 = row_step(u, row, NULL);
    add_line(u, A_BOLD, "%s", s0->text);
    add_line(u, 0, "%s", "");
    const kd_rep_step *focus = NULL;
    for (size_t i = 0; i < u->r->nvariants; i++) {
        const kd_rep_step *s = kd_report_step_at(&u->r->variants[i], row, NULL);
        if (s == NULL) {
            add_line(u, A_BOLD, "%s: no such step", u->r->variants[i].name);
            continue;
        }
        step_variant_lines(u, i, s);
        add_line(u, 0, "%s", "");
        if (i == u->variant)
            focus = s;
    }
    log_lines(u, focus, u->r->variants[u->variant].name);
}

static void build_eff_lines(ui *u)
{
    clear_lines(u);
    add_line(u, A_BOLD, "%-14s %10s %10s %10s %10s %6s", "variant", "stored", "visible", "wasted",
             "in caches", "score");
    for (size_t i = 0; i < u->r->nvariants; i++) {
        const kd_rep_variant *v = &u->r->variants[i];
        char a[32], b[32], c[32], d[32];
        kd_fmt_bytes(v->eff.stored_bytes, a, sizeof a);
        kd_fmt_bytes(v->eff.final_bytes, b, sizeof b);
        kd_fmt_bytes(v->eff.wasted_bytes, c, sizeof c);
        kd_fmt_bytes(v->eff.cache_bytes, d, sizeof d);
        add_line(u, i == u->variant ? A_BOLD : 0, "%-14.14s %10s %10s %10s %10s %5.0f%%", v->name,
                 a, b, c, d, v->eff.score * 100);
    }
    const kd_rep_variant *v = &u->r->variants[u->variant];
    add_line(u, 0, "%s", "");
    add_line(u, A_BOLD, "layers of %s (Tab: next variant; %zu from the base image):", v->name,
             v->base_layers);
    add_line(u, A_BOLD, "  %5s %10s %10s %8s %8s %8s %10s", "layer", "bytes", "hidden", "added",
             "changed", "removed", "in caches");
    for (size_t i = 0; i < v->eff.nlayers; i++) {
        const kd_eff_layer *l = &v->eff.layers[i];
        char a[32], b[32], c[32];
        kd_fmt_bytes(l->bytes, a, sizeof a);
        kd_fmt_bytes(l->hidden_bytes, b, sizeof b);
        kd_fmt_bytes(l->cache_bytes, c, sizeof c);
        add_line(u, 0, "  %5zu %10s %10s %8llu %8llu %8llu %10s", i + 1, a, b,
                 (unsigned long long)l->added, (unsigned long long)l->changed,
                 (unsigned long long)l->removed, c);
    }
    add_line(u, 0, "%s", "");
    add_line(u, A_BOLD, "largest files:");
    for (size_t i = 0; i < v->eff.nlargest; i++) {
        char b[32];
        kd_fmt_bytes(v->eff.largest[i].size, b, sizeof b);
        add_line(u, 0, "  %10s  %s (layer %zu)", b, v->eff.largest[i].path,
                 v->eff.largest[i].layer + 1);
    }
    for (size_t i = 0; i < v->eff.ncaches; i++) {
        char b[32];
        kd_fmt_bytes(v->eff.caches[i].bytes, b, sizeof b);
        add_line(u, 0, "  %10s  in %s, a package cache (%llu files)", b, v->eff.caches[i].folder,
                 (unsigned long long)v->eff.caches[i].files);
    }
}

static void build_help_lines(ui *u)
{
    clear_lines(u);
    static const char *const help[] = {
        "Keys",
        "  Up/Down, k/j   move in the step table (PgUp/PgDn, Home/End)",
        "  Enter          a step's phases, layer, largest files and log",
        "  Tab            in a detail view: the next variant's log or layers",
        "  Esc, Backspace back to the table",
        "  c / w          cold or warm builds",
        "  s              sort steps: by line, by time, by gain",
        "  e              image efficiency: wasted bytes, caches, largest files",
        "  ?              this help",
        "  q              quit",
        "",
        "Figures",
        "  time     median wall time over the runs; +- half the spread in percent",
        "  ~        the difference is within the runs' spread: not to be trusted",
        "  *        the step came from the layer cache",
        "  merged   a fixed variant's step that stands for several of the original",
        "  wasted   bytes a layer stores that a later layer deletes or overwrites",
        "  score    visible bytes / stored bytes (1 = nothing wasted)",
        "  docs/compare.md explains every figure",
    };
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
        add_line(u, (help[i][0] && help[i][0] != ' ') ? A_BOLD : 0, "%s", help[i]);
}

static void draw_lines(ui *u, const char *what, const char *keys)
{
    title(u, what);
    int rows = u->h - 3;
    if (u->scroll > (int)u->nlines - rows)
        u->scroll = (int)u->nlines - rows;
    if (u->scroll < 0)
        u->scroll = 0;
    for (int k = 0; k < rows && (size_t)(u->scroll + k) < u->nlines; k++) {
        const line *l = &u->lines[u->scroll + k];
        put(u, 2 + k, 1, l->attr, "%s", l->text);
    }
    footer(u, keys);
}

static void draw(ui *u)
{
    werase(u->w);
    getmaxyx(u->w, u->h, u->wd);
    if (u->h < 10 || u->wd < 40) {
        put(u, 0, 0, 0, "window too small (%dx%d)", u->wd, u->h);
    } else if (u->view == V_MAIN) {
        draw_main(u);
    } else if (u->view == V_STEP) {
        build_step_lines(u);
        draw_lines(u, "  step", " arrows scroll  Tab variant  Esc back  q quit");
    } else if (u->view == V_EFF) {
        build_eff_lines(u);
        draw_lines(u, "  efficiency", " arrows scroll  Tab variant  Esc back  q quit");
    } else {
        build_help_lines(u);
        draw_lines(u, "  help", " Esc back  q quit");
    }
    wnoutrefresh(u->w);
    doupdate();
}

/* ---- keys --------------------------------------------------------------------- */

static void move_sel(ui *u, long d)
{
    long s = (long)u->sel + d;
    if (s < 0)
        s = 0;
    if (s >= (long)u->nrows)
        s = (long)u->nrows - 1;
    u->sel = s < 0 ? 0 : (size_t)s;
}

static bool key(ui *u, int ch)
{
    int page = u->h > 8 ? u->h - 8 : 1;
    if (ch == 'q' || ch == 'Q')
        return false;
    if (ch == 'c' && u->r->modes[KD_MODE_COLD])
        u->mode = KD_MODE_COLD;
    else if (ch == 'w' && u->r->modes[KD_MODE_WARM])
        u->mode = KD_MODE_WARM;
    else if (ch == '?')
        u->view = V_HELP, u->scroll = 0;
    else if (ch == 'e')
        u->view = V_EFF, u->scroll = 0;
    else if (ch == 27 || ch == KEY_BACKSPACE || ch == 127 || ch == KEY_LEFT || ch == 'h')
        u->view = V_MAIN;
    else if (ch == '\t')
        u->variant = (u->variant + 1) % u->r->nvariants;
    else if (u->view == V_MAIN) {
        if (ch == KEY_DOWN || ch == 'j')
            move_sel(u, 1);
        else if (ch == KEY_UP || ch == 'k')
            move_sel(u, -1);
        else if (ch == KEY_NPAGE)
            move_sel(u, page);
        else if (ch == KEY_PPAGE)
            move_sel(u, -page);
        else if (ch == KEY_HOME || ch == 'g')
            u->sel = 0;
        else if (ch == KEY_END || ch == 'G')
            move_sel(u, (long)u->nrows);
        else if ((ch == '\n' || ch == KEY_ENTER || ch == '\r' || ch == KEY_RIGHT || ch == 'l') &&
                 u->nrows)
            u->view = V_STEP, u->scroll = 0;
        else if (ch == 's') {
            size_t row = u->nrows ? u->rows[u->sel] : 0;
            u->sort = (u->sort + 1) % SORT_COUNT;
            build_rows(u);
            for (size_t i = 0; i < u->nrows; i++)
                if (u->rows[i] == row)
                    u->sel = i;
        }
    } else {
        if (ch == KEY_DOWN || ch == 'j')
            u->scroll++;
        else if (ch == KEY_UP || ch == 'k')
            u->scroll--;
        else if (ch == KEY_NPAGE || ch == ' ')
            u->scroll += page;
        else if (ch == KEY_PPAGE)
            u->scroll -= page;
    }
    return true;
}

/* ---- set-up -------------------------------------------------------------------- */

static void colors(ui *u)
{
    const char *nc = getenv("NO_COLOR");
    u->color = has_colors() && !(nc && *nc);
    if (!u->color)
        return;
    start_color();
    use_default_colors();
    init_pair(P_TITLE, COLOR_BLACK, COLOR_CYAN);
    init_pair(P_BAR0, COLOR_BLUE, -1);
    init_pair(P_BAR1, COLOR_GREEN, -1);
    init_pair(P_BETTER, COLOR_GREEN, -1);
    init_pair(P_WORSE, COLOR_RED, -1);
    init_pair(P_DIM, COLOR_CYAN, -1);
    init_pair(P_SEL, COLOR_BLACK, COLOR_WHITE);
}

int kd_tui_run(const kd_rep *r, kd_mode mode, kd_error **err)
{
    if (r->nvariants == 0)
        return kd_err(err, 0, "the report has no variants");
    if (kd_lazy_require(KD_LIB_NCURSES, err) < 0)
        return -1;
    setlocale(LC_ALL, "");
    ui u = {.r = r, .mode = r->modes[mode] ? mode : (r->modes[KD_MODE_COLD] ? KD_MODE_COLD : KD_MODE_WARM)};
    u.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    u.w = initscr();
    if (u.w == NULL)
        return kd_err(err, 0, "cannot start the terminal interface (TERM=%s)",
                      getenv("TERM") ? getenv("TERM") : "");
    cbreak();
    noecho();
    keypad(u.w, TRUE);
    curs_set(0);
    set_escdelay(25);
    colors(&u);
    build_rows(&u);
    for (;;) {
        draw(&u);
        int ch = wgetch(u.w);
        if (ch == ERR || !key(&u, ch))
            break;
    }
    endwin();
    clear_lines(&u);
    free(u.lines);
    free(u.rows);
    return 0;
}
