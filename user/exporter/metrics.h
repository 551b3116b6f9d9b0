/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Map snapshots to Prometheus text format 0.0.4, or to JSON for --replay. */
#ifndef SIP6XX_METRICS_H
#define SIP6XX_METRICS_H

#include "spike_detector.h"
#include "calls/calls.h"
#include "fold.h"
#include "maps.h"
#include "strbuf.h"

struct metrics_iface {
	const char *interface; /* value of the interface label */
	const struct map_snapshot *snap;
	int attached;			/* 1 or 0; -1: attached nowhere (--replay) */
	unsigned int dirs;		/* DIR_BIT(SIP6XX_DIR_*) of the directions exported */
	const struct fold_config *fold; /* --top, --peers; NULL: every source, no peer label */
	const struct calls *calls;	/* the call context; NULL: its metrics are left out */
};

enum metrics_format {
	METRICS_PROMETHEUS,
	METRICS_JSON,
};

struct metrics_input {
	const struct metrics_iface *ifs;
	int nr_ifs;
	const struct alert_state *alerts; /* one per alert code; NULL for --replay */
	int nr_alerts;
};

/* Returns 0, or -ENOMEM when the buffer could not grow. */
int metrics_format(enum metrics_format fmt, const struct metrics_input *in, struct strbuf *out);

#endif
