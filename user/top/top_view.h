/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ncurses screen of sip6xx-top: packets, rejections and retransmissions by
 * code, 607/608 sparklines, top callers and intermediaries, top sources.
 */
#ifndef SIP6XX_TOP_VIEW_H
#define SIP6XX_TOP_VIEW_H

#include <stdbool.h>
#include "spark.h"
#include "top_counts.h"

struct top_view {
	const char *from;	 /* where the counts come from: "pinned maps DIR (IFACES)", "URL" */
	const char *alerts_from; /* who decides the alert state */
	double interval;	 /* seconds between refreshes */
	const struct top_counts *counts;
	const struct top_rates *rates; /* sorted by sort_col */
	const struct spark *spark607, *spark608;
	enum top_alert alert[TOP_NR_CODES];
	int sort_col; /* 0..TOP_NR_CODES-1, or TOP_COL_ALL */
	bool unicode;
	const char *error;	  /* the last read's failure, or NULL */
	bool scraping;		  /* from a scrape: call context possible; pinned maps: never */
	const char *no_calls_why; /* a scrape without call context: why (top_scrape_no_calls_why) */
};

/* Starts curses on the terminal; false (curses not started) when it cannot. */
bool top_view_start(void);
void top_view_stop(void);
void top_view_draw(const struct top_view *v);

#endif
