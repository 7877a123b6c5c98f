/* Progress events of a build, for a display the caller owns (the CLI's
 * plain or terminal view). The library never prints: it calls the
 * callback, possibly from several threads at once (parallel downloads), so
 * the callback must lock what it shares.
 *
 * Owner: build-exec. Every pointer in an event is borrowed for the call. */
#ifndef KD_BUILD_PROGRESS_H
#define KD_BUILD_PROGRESS_H

#include "build/timings.h"

#include <stddef.h>
#include <stdint.h>

typedef enum kd_event_kind {
    KD_EV_STEP_START, /* stage, step, text */
    KD_EV_STEP_OUTPUT, /* data/len: the step's stdout and stderr, as they come */
    KD_EV_STEP_DONE,  /* timing: the finished step (also when it failed) */
    KD_EV_PULL,       /* layer of nlayers: done of total bytes downloaded */
    KD_EV_INFO,       /* text: what is being done ("writing image ...") */
    KD_EV_WARN,       /* text: a warning */
} kd_event_kind;

typedef struct kd_event {
    kd_event_kind kind;
    size_t stage;           /* index in the Dockerfile */
    const char *stage_name; /* AS name, or NULL */
    size_t step, nsteps;    /* 1-based position in the stage (FROM is 1) */
    const char *text;
    const char *data;
    size_t len;
    const kd_step_timing *timing;
    size_t layer, nlayers;
    uint64_t done, total; /* total 0 when unknown */
} kd_event;

typedef void (*kd_progress_fn)(void *ctx, const kd_event *ev);

#endif
