/* The build display (cli/progress.h). Plain mode prints whole lines only,
 * so that logs stay readable; TTY mode adds one status line at the bottom,
 * redrawn in place by a ticker thread (the running step's time, download
 * bars), cleared before any other line is printed. */
#include "cli/progress.h"
#include "build/timings.h"
#include "util/buf.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LAYERS 64

struct kd_ui {
    bool tty;
    FILE *out;
    pthread_mutex_t lock;
    pthread_t ticker;
    bool ticking, stop;
    size_t n;              /* "#n" of the current step */
    char *title;           /* "[build 2/4] RUN make", owned */
    double step_start;     /* kd_now_ms() */
    kd_buf partial;        /* output without its newline yet */
    bool status_shown;
    uint64_t done[MAX_LAYERS], total[MAX_LAYERS];
    size_t nlayers;
};

const char *kd_human_size(double bytes, char *buf, size_t n)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    size_t u = 0;
    while (bytes >= 1000 && u < 4)
        bytes /= 1000, u++;
    snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
    return buf;
}

/* ---- the status line (TTY) ---- */

static void clear_status(kd_ui *ui)
{
    if (ui->tty && ui->status_shown) {
        fputs("\r\033[K", ui->out);
        ui->status_shown = false;
    }
}

static void pull_bar(kd_ui *ui, kd_buf *b)
{
    uint64_t done = 0, total = 0;
    for (size_t i = 0; i < ui->nlayers && i < MAX_LAYERS; i++)
        done += ui->done[i], total += ui->total[i];
    if (total == 0)
        return;
    int width = 20, fill = (int)((double)done / (double)total * width);
    if (fill > width)
        fill = width;
    char d[32], t[32];
    kd_buf_addf(b, "  [%.*s%*s] %s / %s", fill, "####################", width - fill, "",
                kd_human_size((double)done, d, sizeof d), kd_human_size((double)total, t, sizeof t));
}

static void draw_status(kd_ui *ui)
{
    if (!ui->tty || ui->title == NULL)
        return;
    kd_buf b = KD_BUF_INIT;
    kd_buf_addf(&b, "#%zu %.60s  %.1fs", ui->n, ui->title, (kd_now_ms() - ui->step_start) / 1e3);
    pull_bar(ui, &b);
    fprintf(ui->out, "\r\033[K\033[1m%s\033[0m", kd_buf_str(&b));
    fflush(ui->out);
    kd_buf_free(&b);
    ui->status_shown = true;
}

static void *tick(void *arg)
{
    kd_ui *ui = arg;
    for (;;) {
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&ui->lock);
        bool stop = ui->stop;
        if (!stop)
            draw_status(ui);
        pthread_mutex_unlock(&ui->lock);
        if (stop)
            return NULL;
    }
}

/* ---- lines ---- */

static void line(kd_ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(kd_ui *ui, const char *fmt, ...)
{
    clear_status(ui);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(ui->out, fmt, ap);
    va_end(ap);
    fputc('\n', ui->out);
    draw_status(ui);
    fflush(ui->out);
}

static void flush_partial(kd_ui *ui)
{
    if (ui->partial.len == 0)
        return;
    line(ui, "#%zu %.3f %s", ui->n, (kd_now_ms() - ui->step_start) / 1e3,
         kd_buf_str(&ui->partial));
    kd_buf_truncate(&ui->partial, 0);
}

static void output(kd_ui *ui, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            if (ui->partial.len == 0)
                kd_buf_addc(&ui->partial, ' ');
            flush_partial(ui);
        } else if (p[i] != '\r') {
            kd_buf_addc(&ui->partial, p[i]);
        }
    }
}

static void step_start(kd_ui *ui, const kd_event *ev)
{
    flush_partial(ui);
    ui->n++;
    free(ui->title);
    kd_buf t = KD_BUF_INIT;
    if (ev->nsteps == 0) { /* the export */
        kd_buf_addf(&t, "%s", ev->text ? ev->text : "");
    } else {
        kd_buf_addc(&t, '[');
        if (ev->stage_name)
            kd_buf_addf(&t, "%s ", ev->stage_name);
        kd_buf_addf(&t, "%zu/%zu] %s", ev->step, ev->nsteps, ev->text ? ev->text : "");
    }
    ui->title = kd_buf_detach(&t, NULL);
    ui->step_start = kd_now_ms();
    ui->nlayers = 0;
    memset(ui->done, 0, sizeof ui->done);
    memset(ui->total, 0, sizeof ui->total);
    /* long texts (heredocs) are cut at their first line */
    size_t cut = strcspn(ui->title, "\n");
    line(ui, "#%zu %.*s%s", ui->n, (int)(cut < 200 ? cut : 200), ui->title,
         ui->title[cut] || cut > 200 ? " ..." : "");
}

static void step_done(kd_ui *ui, const kd_event *ev)
{
    flush_partial(ui);
    const kd_step_timing *t = ev->timing;
    kd_buf b = KD_BUF_INIT;
    const char *st = t->status && strcmp(t->status, "done") != 0 ? t->status
                      : t->cache_hit                                 ? "CACHED"
                                                                     : "DONE";
    kd_buf_addf(&b, "#%zu %s %.2fs", ui->n, st, t->total_ms / 1e3);
    for (int p = 0; p < KD_PH_COUNT; p++) {
        if (!t->phases[p].used)
            continue;
        kd_buf_addf(&b, "  %s %.2fs", kd_phase_name((kd_phase)p), t->phases[p].ms / 1e3);
        if (t->phases[p].bytes && (p == KD_PH_PULL || p == KD_PH_UNPACK)) {
            char s[32];
            kd_buf_addf(&b, " (%s)", kd_human_size((double)t->phases[p].bytes, s, sizeof s));
        }
    }
    if (t->layer) {
        char s[32];
        kd_buf_addf(&b, "  layer %s", kd_human_size((double)t->size, s, sizeof s));
    } else if (t->empty_layer) {
        kd_buf_adds(&b, "  no layer");
    }
    free(ui->title);
    ui->title = NULL;
    line(ui, "%s", kd_buf_str(&b));
    kd_buf_free(&b);
}

void kd_ui_event(void *arg, const kd_event *ev)
{
    kd_ui *ui = arg;
    pthread_mutex_lock(&ui->lock);
    switch (ev->kind) {
    case KD_EV_STEP_START:
        step_start(ui, ev);
        break;
    case KD_EV_STEP_OUTPUT:
        output(ui, ev->data, ev->len);
        break;
    case KD_EV_STEP_DONE:
        step_done(ui, ev);
        break;
    case KD_EV_PULL:
        if (ev->layer < MAX_LAYERS) {
            ui->done[ev->layer] = ev->done;
            ui->total[ev->layer] = ev->total;
            if (ev->layer + 1 > ui->nlayers)
                ui->nlayers = ev->layer + 1;
        }
        if (ui->tty)
            draw_status(ui);
        break;
    case KD_EV_INFO:
        flush_partial(ui);
        line(ui, "#%zu %s", ui->n, ev->text);
        break;
    case KD_EV_WARN:
        flush_partial(ui);
        line(ui, "%sWARNING: %s%s", ui->tty ? "\033[33m" : "", ev->text, ui->tty ? "\033[0m" : "");
        break;
    }
    pthread_mutex_unlock(&ui->lock);
}

kd_ui *kd_ui_new(kd_ui_mode mode, FILE *out)
{
    kd_ui *ui = kd_xcalloc(1, sizeof *ui);
    ui->out = out;
    ui->tty = mode == KD_UI_TTY || (mode == KD_UI_AUTO && isatty(fileno(out)));
    pthread_mutex_init(&ui->lock, NULL);
    if (ui->tty)
        ui->ticking = pthread_create(&ui->ticker, NULL, tick, ui) == 0;
    return ui;
}

void kd_ui_free(kd_ui *ui)
{
    if (ui == NULL)
        return;
    pthread_mutex_lock(&ui->lock);
    ui->stop = true;
    flush_partial(ui);
    free(ui->title);
    ui->title = NULL;
    clear_status(ui);
    fflush(ui->out);
    pthread_mutex_unlock(&ui->lock);
    if (ui->ticking)
        pthread_join(ui->ticker, NULL);
    kd_buf_free(&ui->partial);
    pthread_mutex_destroy(&ui->lock);
    free(ui);
}
