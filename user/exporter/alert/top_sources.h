/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Which sources sent a code most over an interval: deltas between two peers snapshots. */
#ifndef SIP6XX_TOP_SOURCES_H
#define SIP6XX_TOP_SOURCES_H

#include <stddef.h>
#include "maps.h"

struct source_rate {
	char source[46]; /* canonical text, as in the source label */
	double rate;	 /* per second over the interval */
};

/*
 * @now and @then are sorted as snapshot_read() leaves them. Sums the deltas of
 * @code per source address (across interfaces), and writes the @max largest to
 * @out, largest first. A key whose counter went backwards counts from zero.
 * Returns how many were written.
 */
int top_sources(const struct peer_count *now, size_t nr_now, const struct peer_count *then,
		size_t nr_then, __u16 code, double seconds, struct source_rate *out, int max);

#endif
