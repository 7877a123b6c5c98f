/* kdoctor compare's progress on standard error: a line per finished build
 * ("[3/12] fixed, cold run 1/3: 1.23 s"), and on a terminal a status line
 * below them, redrawn by a ticker thread, with the running build and step
 * and their elapsed times. */
#include "cli/compare_progress.h"
#include "build/timings.h"
#include "util/buf.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

struct kd_cmp_view {
    FILE *out;
    bool tty;
    pthread_mutex_t lock;
    pthread_t ticker;
    bool ticking, stop, shown;
    char *build;     /* "[3/12] fixed, cold run 1/3", owned */
    char *step;      /* "[2/5] RUN make", owned */
    double build_t0, step_t0;
};

static void clear_line(kd_cmp_view *v)
{
    if (v->shown) {
        fputs("\r\033[K", v->out);
        v->shown = false;
    }
}

/* The terminal's width (80 when unknown): the status line must not wrap,
 * or redrawing it in place would leave copies behind. */
static int width_of(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
        return ws.ws_col;
    return 80;
}

static void draw(kd_cmp_view *v)
{
    if (!v->tty || v->build == NULL)
        return;
    double now = kd_now_ms();
    kd_buf b = KD_BUF_INIT;
    kd_buf_addf(&b, "%s %.1fs", v->build, (now - v->build_t0) / 1e3);
    if (v->step)
        kd_buf_addf(&b, "  %.1fs %s", (now - v->step_t0) / 1e3, v->step);
    size_t w = (size_t)width_of(v->out) - 1;
    if (b.len > w) { /* cut on a character boundary */
        while (w > 0 && ((unsigned char)b.data[w] & 0xC0) == 0x80)
            w--;
        kd_buf_truncate(&b, w);
    }
    fprintf(v->out, "\r\033[K%s", kd_buf_str(&b));
    fflush(v->out);
    kd_buf_free(&b);
    v->shown = true;
}

static void *tick(void *arg)
{
    kd_cmp_view *v = arg;
    struct timespec ts = {0, 200 * 1000 * 1000};
    for (;;) {
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&v->lock);
        bool stop = v->stop;
        if (!stop)
            draw(v);
        pthread_mutex_unlock(&v->lock);
        if (stop)
            return NULL;
    }
}

kd_cmp_view *kd_cmp_view_new(FILE *out)
{
    kd_cmp_view *v = kd_xcalloc(1, sizeof *v);
    v->out = out;
    v->tty = isatty(fileno(out)) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
    pthread_mutex_init(&v->lock, NULL);
    if (v->tty)
        v->ticking = pthread_create(&v->ticker, NULL, tick, v) == 0;
    return v;
}

static char *build_title(const kd_cmp_event *ev)
{
    if (ev->run == 0)
        return kd_asprintf("[%zu/%zu] %s, %s", ev->build, ev->nbuilds, ev->variant,
                           ev->mode == KD_MODE_WARM ? "a first build for the warm runs"
                                                    : "a warm-up build, not measured");
    return kd_asprintf("[%zu/%zu] %s, %s run %d/%d", ev->build, ev->nbuilds, ev->variant,
                       kd_mode_name(ev->mode), ev->run, ev->runs);
}

static void build_done(kd_cmp_view *v, const kd_cmp_event *ev)
{
    clear_line(v);
    if (ev->error)
        fprintf(v->out, "%s: failed after %.2f s: %s\n", v->build, ev->elapsed_ms / 1e3,
                ev->error);
    else
        fprintf(v->out, "%s: %.2f s\n", v->build, ev->elapsed_ms / 1e3);
    fflush(v->out);
    free(v->build);
    free(v->step);
    v->build = v->step = NULL;
}

/* "[3/5] RUN make && make install": continuation lines and white space folded. */
static char *step_title(const kd_cmp_event *ev)
{
    kd_buf b = KD_BUF_INIT;
    if (ev->nsteps)
        kd_buf_addf(&b, "[%zu/%zu] ", ev->step, ev->nsteps);
    bool space = false;
    for (const char *p = ev->text ? ev->text : ""; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || (*p == '\\' && p[1] == '\n')) {
            space = true;
            continue;
        }
        if (space)
            kd_buf_addc(&b, ' ');
        space = false;
        kd_buf_addc(&b, *p);
    }
    return kd_buf_detach(&b, NULL);
}

void kd_cmp_view_event(void *ctx, const kd_cmp_event *ev)
{
    kd_cmp_view *v = ctx;
    pthread_mutex_lock(&v->lock);
    switch (ev->kind) {
    case KD_CMP_BUILD_START:
        free(v->build);
        v->build = build_title(ev);
        v->build_t0 = kd_now_ms();
        break;
    case KD_CMP_STEP_START:
        free(v->step);
        v->step = step_title(ev);
        v->step_t0 = kd_now_ms();
        break;
    case KD_CMP_STEP_DONE:
        break;
    case KD_CMP_BUILD_DONE:
        if (v->build)
            build_done(v, ev);
        break;
    case KD_CMP_INFO:
        clear_line(v);
        fprintf(v->out, "%s\n", ev->text ? ev->text : "");
        break;
    }
    draw(v);
    pthread_mutex_unlock(&v->lock);
}

void kd_cmp_view_free(kd_cmp_view *v)
{
    if (v == NULL)
        return;
    pthread_mutex_lock(&v->lock);
    v->stop = true;
    clear_line(v);
    fflush(v->out);
    pthread_mutex_unlock(&v->lock);
    if (v->ticking)
        pthread_join(v->ticker, NULL);
    pthread_mutex_destroy(&v->lock);
    free(v->build);
    free(v->step);
    free(v);
}
