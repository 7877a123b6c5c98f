/* The build's live display, fed by the library's progress events
 * (build/progress.h): plain lines for logs and CI ("#3 [2/4] RUN make",
 * its output, "#3 DONE 1.2s  run 1.1s ..."), or on a terminal the same
 * lines plus a redrawn status line with the running step's time and
 * download bars. */
#ifndef KD_CLI_PROGRESS_H
#define KD_CLI_PROGRESS_H

#include "build/progress.h"

#include <stdbool.h>
#include <stdio.h>

typedef enum kd_ui_mode { KD_UI_AUTO, KD_UI_PLAIN, KD_UI_TTY } kd_ui_mode;

typedef struct kd_ui kd_ui;

/* mode AUTO picks TTY when out is a terminal. */
kd_ui *kd_ui_new(kd_ui_mode mode, FILE *out);
/* The kd_progress_fn to give the builder, with the kd_ui as its ctx. */
void kd_ui_event(void *ui, const kd_event *ev);
/* Clears the status line and stops the ticker; frees ui. */
void kd_ui_free(kd_ui *ui);

/* "1.2 MB" style sizes, into buf. */
const char *kd_human_size(double bytes, char *buf, size_t n);

#endif
