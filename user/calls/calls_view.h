/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Read-only views of a call context for the exporter's alerts: a code's
 * totals, and the head of the callers' and intermediaries' tables labelled
 * exactly as their gauges export them. Nothing here changes what is counted.
 */
#ifndef SIP6XX_CALLS_VIEW_H
#define SIP6XX_CALLS_VIEW_H

#include <stdbool.h>
#include <linux/types.h>

#include "calls.h"
#include "label_count.h"
#include "top_table.h"

struct calls_code_totals {
	__u64 rejections;      /* 6xx once per transaction, every direction and CSeq method */
	__u64 retransmissions; /* 6xx repeating a transaction already counted */
};

/* Adds @code's totals in @c to @t; a code outside 600..699 adds nothing. */
void calls_code_totals_add(const struct calls *c, unsigned int code, struct calls_code_totals *t);

/*
 * The 6xx that may have gone uncounted, or counted again: samples the kernel
 * dropped (over --context-rate, or the ring full; every direction) and
 * transactions evicted from the full table. A transaction whose first copy
 * was lost counts its next copy as a new rejection, not a retransmission.
 * The kernel's counts are as of the last context_ring_refresh().
 */
__u64 calls_context_dropped(const struct calls *c);

enum calls_top_kind {
	CALLS_TOP_CALLERS = 0,	  /* --callers: sip6xx_caller_rejections */
	CALLS_TOP_INTERMEDIARIES, /* --intermediaries: sip6xx_intermediary_rejections */
};

/* Whether @c keeps that table: only when the user asked for it. */
bool calls_top_enabled(const struct calls *c, enum calls_top_kind kind);
/* Its N (--callers N, --intermediaries N): the most calls_top_view() gives; 0 when off. */
unsigned int calls_top_n(const struct calls *c, enum calls_top_kind kind);
/* Its window (--callers-window); 0 when off or without end. */
__u64 calls_top_window_ms(const struct calls *c, enum calls_top_kind kind);
/*
 * The first @max of the table's top N, in the gauge's order (most first,
 * ties by key), into @out: each label as the gauge's (a caller's hash with
 * --callers-hash), its count the window's rejections. Returns how many; 0
 * when the table is off.
 */
unsigned int calls_top_view(const struct calls *c, enum calls_top_kind kind,
			    struct label_count *out, unsigned int max);

#endif
