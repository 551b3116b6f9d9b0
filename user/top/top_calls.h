/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The call context in a scrape, for sip6xx-top: the top callers and
 * intermediaries the exporter exports with --callers and --intermediaries.
 * Their labels come from packets, through a scrape that may be hostile: each
 * is bounded and made printable here, before anything draws it.
 */
#ifndef SIP6XX_TOP_CALLS_H
#define SIP6XX_TOP_CALLS_H

#include <stdbool.h>
#include <stddef.h>

#include "label_count.h"

#define TOP_LABEL_LEN  LABEL_COUNT_LEN
#define TOP_LIST_MAX   4096 /* distinct labels kept from one scrape; the rest count in "other" */
#define TOP_LIST_RAW   (2 * TOP_LIST_MAX) /* rows before duplicates are merged */
#define TOP_LIST_OTHER "other"

struct top_list {
	bool present; /* the scrape had the metric at all: the option is on */
	/* Printable labels; after top_list_finish: by count, "other" last. */
	struct label_count *rows;
	size_t nr, cap;
	double other; /* label "other", and whatever did not fit */
	bool has_other, full;
};

/* Adds @count to the row of @label (summed over interfaces); 0 or -ENOMEM. */
int top_list_add(struct top_list *l, const char *label, double count);
/* Orders the rows: highest count first, ties by label, "other" last. */
void top_list_finish(struct top_list *l);
void top_list_free(struct top_list *l);
/*
 * What a block of @rows rows shows of a finished list: returns how many of its
 * first rows to draw (at most @rows, never "other"); *rest is the sum of every
 * row after them, "other" included, and *has_rest whether there is any.
 */
size_t top_list_head(const struct top_list *l, size_t rows, double *rest, bool *has_rest);

/*
 * Retransmissions as a share of every 6xx copy the call context saw (first
 * copies and repeats), as "12.5%", or "-" when it saw none. @approx (the
 * exporter dropped samples) prefixes it with '~': a repeat whose first copy
 * was dropped counted as a rejection, so the share is biased low.
 */
void top_retx_ratio(double rejections, double retransmissions, bool approx, char *out, size_t len);

#endif
