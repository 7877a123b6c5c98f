/* The compare report in the terminal (ncurses): a summary of the variants
 * side by side with bars for time and size and each one's gain against the
 * original, the aligned step table below it, and on Enter a step's phases,
 * its layer, the files it added and its log. Keys: arrows/j/k move, Enter
 * opens, Esc/Backspace goes back, c/w cold/warm, s sort, e efficiency,
 * ? help, q quit. Works at 80x24 and when resized, with colours or without
 * (NO_COLOR, monochrome terminals).
 *
 * libncursesw is loaded on first use (util/lazylib.h), like the builder's
 * libraries, so that other commands do not pay for it. */
#ifndef KD_TUI_H
#define KD_TUI_H

#include "report/report.h"
#include "util/error.h"

#include <stdbool.h>

/* Whether the TUI can run here: standard input and output are terminals
 * and TERM names one curses knows. */
bool kd_tui_usable(void);

/* Shows r until the user quits; starts in mode (when r measured it). */
int kd_tui_run(const kd_rep *r, kd_mode mode, kd_error **err);

#endif
