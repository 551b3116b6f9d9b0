/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the alerts take from the call context (user/calls/): each alert code's
 * rejections and retransmissions summed over every interface, sampled on the
 * alert tick and kept for one --alert-window, so that a report can give the
 * retransmission ratio over the window its rate was measured on and
 * --alert-on rejections can feed the detectors; and the callers and
 * intermediaries of every interface, merged.
 */
#ifndef SIP6XX_ALERT_CALLS_H
#define SIP6XX_ALERT_CALLS_H

#include <stdbool.h>
#include <linux/types.h>

#include "calls/calls_view.h"

struct calls;
struct alert_calls;
struct alert_report;

/*
 * @calls: one per interface, read on every sample; entries may still be NULL
 * (no context, or not started yet) and are skipped. @codes: the alert codes.
 * @name_callers: --alert-callers, reports name the top callers (else never).
 * NULL on ENOMEM.
 */
struct alert_calls *alert_calls_new(const struct calls *const *calls, int nr_calls,
				    const __u16 *codes, int nr_codes, __u64 window_ms,
				    __u64 interval_ms, bool name_callers);
void alert_calls_free(struct alert_calls *ac);
/* Whether any interface has a call context (--context-rate above 0). */
bool alert_calls_live(const struct alert_calls *ac);
/* The tick at @now_ms: every code's totals, summed over the interfaces. */
void alert_calls_sample(struct alert_calls *ac, __u64 now_ms);
/* Alert code number @slot's rejections at the last sample: --alert-on rejections' counter. */
__u64 alert_calls_rejections(const struct alert_calls *ac, int slot);
/*
 * What code @slot gained over the last window: from the newest sample at
 * least a window old (else the oldest) to the last one.
 */
void alert_calls_window(const struct alert_calls *ac, int slot, struct calls_code_totals *d);
/*
 * What the interfaces' contexts lost over the same window (every code:
 * calls_context_dropped()). Above 0, a window's rejections may include
 * retransmissions whose first copy was lost, and its ratio reads low.
 */
__u64 alert_calls_dropped(const struct alert_calls *ac);
/*
 * The first @max labels of @kind over every interface (a label's counts
 * summed), most first, ties by label. Returns how many, or -1 when the table
 * is off (--callers or --intermediaries not given).
 */
int alert_calls_top(const struct alert_calls *ac, enum calls_top_kind kind, struct label_count *out,
		    int max);
/*
 * What the call context says of the alert @r (its state set) on code number
 * @slot: the window's counts and losses, the top callers only with
 * --alert-callers (with --callers too), the top intermediaries for 608 only
 * (they count nothing else). @ac NULL or without a live context: nothing
 * (r->context false, no list).
 */
void alert_calls_report(const struct alert_calls *ac, int slot, struct alert_report *r);

#endif
