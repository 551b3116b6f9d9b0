/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The call context's samples, one metric at a time, for user/exporter/metrics.c to
 * write in its table's order and formats (labels escaped there, once).
 */
#ifndef SIP6XX_CALLS_METRICS_H
#define SIP6XX_CALLS_METRICS_H

#include <linux/types.h>

#include "calls.h"
#include "top_table.h"

enum calls_metric {
	CALLS_M_NONE = 0, /* a metric_def row that is no call metric */
	CALLS_M_SAMPLES,
	CALLS_M_DROPPED,
	CALLS_M_REJECTIONS,
	CALLS_M_RETRANSMISSIONS,
	CALLS_M_REASONS,
	CALLS_M_CALLS_REJECTED,
	CALLS_M_608_MISSING_CALL_INFO,
	CALLS_M_TRACKED,
	CALLS_M_EVICTED,
	CALLS_M_CALLERS,	/* only with --callers: label values from packets */
	CALLS_M_INTERMEDIARIES, /* only with --intermediaries: likewise */
};

#define CALLS_MAX_LABELS 4
#define CALLS_VALUE_LEN                                                                            \
	8 /* "699", "Q.850", "midcall", ...: label values are ours, but for the two below */

struct calls_sample {
	int dir; /* SIP6XX_DIR_*, or -1 for a per-interface series */
	int nr_labels;
	const char *label[CALLS_MAX_LABELS]; /* after interface and direction */
	const char *value[CALLS_MAX_LABELS];
	char buf[CALLS_MAX_LABELS][CALLS_VALUE_LEN];
	/* A caller (its hash with --callers-hash) or intermediary: printable ASCII, bounded. */
	char id[TOP_KEY_LEN];
	__u64 v;
};

typedef void (*calls_sample_fn)(void *arg, const struct calls_sample *s);

/*
 * Calls @fn for each sample of @m: every non-zero one, and the six named 6xx
 * codes at 0 (INVITE for rejections, each phase for calls rejected), so
 * rate() sees the first after a quiet period, as sip6xx_responses_total does.
 */
void calls_metric_each(const struct calls *c, enum calls_metric m, calls_sample_fn fn, void *arg);

#endif
