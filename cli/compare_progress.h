/* kdoctor compare's progress display (cli/compare_progress.c). */
#ifndef KD_CLI_COMPARE_PROGRESS_H
#define KD_CLI_COMPARE_PROGRESS_H

#include "report/compare.h"

#include <stdio.h>

typedef struct kd_cmp_view kd_cmp_view;

kd_cmp_view *kd_cmp_view_new(FILE *out);
/* The kd_cmp_progress_fn, with the view as its ctx. */
void kd_cmp_view_event(void *view, const kd_cmp_event *ev);
/* Clears the status line, stops the ticker, frees. NULL is fine. */
void kd_cmp_view_free(kd_cmp_view *v);

#endif
