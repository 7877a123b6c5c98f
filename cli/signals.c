/* Ctrl-C, SIGTERM and SIGHUP for the commands that build: they set a flag
 * the library polls (kd_build_opts.cancel), so that a build stops cleanly
 * and removes everything it made. */
#include "cli/cli.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t *flag;

static void on_signal(int sig)
{
    (void)sig;
    if (flag)
        *flag = 1;
}

void kd_catch_signals(volatile sig_atomic_t *cancel)
{
    flag = cancel;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
