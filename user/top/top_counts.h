/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What sip6xx-top shows, whichever way it was read (pinned maps or a scrape):
 * counters summed over interfaces and directions, and per-second rates from
 * the deltas between two reads.
 */
#ifndef SIP6XX_TOP_COUNTS_H
#define SIP6XX_TOP_COUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "sip_codes.h"
#include "top_calls.h"

/* The six named 6xx codes, then one column for every 6xx (the total). */
#define TOP_NR_CODES SIP_NR_NAMED_6XX /* the columns: sip_codes.h */
#define TOP_COL_ALL  TOP_NR_CODES
#define TOP_NR_COLS  (TOP_NR_CODES + 1)
#define TOP_ADDR_LEN 46 /* INET6_ADDRSTRLEN; also holds source="other" */

/* Column of @code (600..699), or -1 when it is not one of the named codes. */
int top_code_col(unsigned int code);

struct top_source {
	char addr[TOP_ADDR_LEN];
	double count[TOP_NR_COLS]; /* named codes, then every 6xx */
};

enum top_alert {
	TOP_ALERT_UNKNOWN = 0, /* the scrape had no sip6xx_alert_firing for the code */
	TOP_ALERT_QUIET,
	TOP_ALERT_FIRING,
};

/* The ALERT column: "FIRING", "ok" (watched, quiet) or "not watched", never blank. */
const char *top_alert_text(enum top_alert a);

struct top_counts {
	double t;		/* monotonic seconds of the read */
	double responses;	/* every response, 100..699 */
	double final_responses; /* 200..699, as the recording rules count them */
	double code[TOP_NR_COLS];
	struct top_source *sources; /* sorted by addr, one row per address */
	size_t nr_sources;
	size_t cap_sources;
	double peers_tracked, peers_capacity, peers_evicted;
	enum top_alert alert[TOP_NR_CODES]; /* from a scrape; pinned maps leave it unknown */
	/* The call context, from a scrape only: false with --context-rate 0 or pinned maps. */
	bool calls;
	double rejections[TOP_NR_COLS];	     /* 6xx transactions, every method */
	double retransmissions[TOP_NR_COLS]; /* their repeated copies */
	/*
	 * Samples the exporter dropped undecoded (sip6xx_context_dropped_total,
	 * reasons rate and buffer_full): above 0, a repeat whose first copy was
	 * dropped counted as a rejection, and the retransmission ratio is low.
	 */
	double context_lost;
	struct top_list callers, intermediaries; /* present with --callers, --intermediaries */
};

struct top_source_rate {
	char addr[TOP_ADDR_LEN];
	double rate[TOP_NR_COLS];
	double count; /* every 6xx so far, for ties and quiet sources */
};

struct top_rates {
	double seconds; /* between the two reads; 0 before the second read */
	double responses, final_responses;
	double code[TOP_NR_COLS];
	double rejections[TOP_NR_COLS], retransmissions[TOP_NR_COLS];
	struct top_source_rate *sources; /* every source of the newer read */
	size_t nr_sources;
};

/* Adds @count of @code (600..699) from @addr; call top_counts_finish() when done. */
int top_counts_add_source(struct top_counts *c, const char *addr, unsigned int code, double count);
/* Sorts the sources by address and merges rows of the same address; orders the lists. */
void top_counts_finish(struct top_counts *c);
void top_counts_free(struct top_counts *c);
/* Adds one status code's counter to the totals. */
void top_counts_add_code(struct top_counts *c, unsigned int code, double count);
/* Adds 6xx rejections and retransmissions of @code (600..699); marks c->calls. */
void top_counts_add_calls(struct top_counts *c, unsigned int code, double rejections,
			  double retransmissions);

/*
 * Rates from @then to @now (both finished). A counter that went backwards (the
 * maps were re-created, the exporter restarted) counts from zero. Returns 0 or
 * -ENOMEM.
 */
int top_rates_compute(const struct top_counts *then, const struct top_counts *now,
		      struct top_rates *r);
void top_rates_free(struct top_rates *r);
/* Orders r->sources by the rate in @col, highest first; ties by total, then address. */
void top_rates_sort(struct top_rates *r, int col);

#endif
