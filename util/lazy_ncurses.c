/* ncursesw, loaded on first use (see util/lazylib.h): only the TUI of
 * compare and report needs it. */
#include "util/lazylib.h"

#include <curses.h>

#define L KD_LIB_NCURSES

KD_LAZY(L, WINDOW *, initscr, (void), ())
KD_LAZY(L, int, endwin, (void), ())
KD_LAZY(L, int, cbreak, (void), ())
KD_LAZY(L, int, noecho, (void), ())
KD_LAZY(L, int, keypad, (WINDOW * w, bool b), (w, b))
KD_LAZY(L, int, curs_set, (int v), (v))
KD_LAZY(L, int, set_escdelay, (int ms), (ms))
KD_LAZY(L, bool, has_colors, (void), ())
KD_LAZY(L, int, start_color, (void), ())
KD_LAZY(L, int, use_default_colors, (void), ())
KD_LAZY(L, int, init_pair, (NCURSES_PAIRS_T p, NCURSES_COLOR_T f, NCURSES_COLOR_T b), (p, f, b))
KD_LAZY(L, int, wgetch, (WINDOW * w), (w))
KD_LAZY(L, int, werase, (WINDOW * w), (w))
KD_LAZY(L, int, wmove, (WINDOW * w, int y, int x), (w, y, x))
KD_LAZY(L, int, waddnstr, (WINDOW * w, const char *s, int n), (w, s, n))
KD_LAZY(L, int, wattr_on, (WINDOW * w, attr_t a, void *opts), (w, a, opts))
KD_LAZY(L, int, wattr_off, (WINDOW * w, attr_t a, void *opts), (w, a, opts))
KD_LAZY(L, int, wnoutrefresh, (WINDOW * w), (w))
KD_LAZY(L, int, doupdate, (void), ())
