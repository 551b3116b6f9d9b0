/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The texts of one alert state change: the JSON line on stdout and the
 * Alertmanager v2 body. Every string goes through the JSON writer, above all
 * callers and intermediaries, which come from packets.
 */
#ifndef SIP6XX_ALERT_BODY_H
#define SIP6XX_ALERT_BODY_H

#include <stdbool.h>

#include "spike_detector.h"
#include "strbuf.h"
#include "top_sources.h"
#include "calls/calls_view.h"

#define ALERT_TOP_CALLERS 5 /* callers and intermediaries an alert names at most */

struct alert_report {
	const struct alert_state *st;
	bool firing;
	bool on_rejections; /* --alert-on rejections: the rate counts rejections, not packets */
	char started_at[40];
	char now[40];
	struct source_rate top[ALERT_TOP_SOURCES];
	int nr_top;
	bool context;			 /* a call context runs: @window is known */
	struct calls_code_totals window; /* the code's gains over the alert window */
	/* Context samples dropped and transactions evicted in that window: the ratio is null. */
	__u64 window_dropped;
	int nr_callers;		 /* -1: --alert-callers (or --callers) off, so none is ever named */
	__u64 callers_window_ms; /* --callers-window: what the callers' counts cover */
	struct label_count callers[ALERT_TOP_CALLERS];
	int nr_intermediaries; /* -1: --intermediaries off, or the code is not 608 */
	__u64 intermediaries_window_ms;
	struct label_count intermediaries[ALERT_TOP_CALLERS];
};

/*
 * retransmissions / (rejections + retransmissions) over the window into
 * *@ratio; false when the window holds neither (the ratio is then null).
 */
bool alert_retransmission_ratio(const struct calls_code_totals *w, double *ratio);
/*
 * @r's ratio as reported: none without the context, or when the context lost
 * samples or transactions in the window (a lost first copy turns its repeats
 * into rejections: the ratio would read low).
 */
bool alert_report_ratio(const struct alert_report *r, double *ratio);
/* The stdout line, with its newline. */
void alert_body_line(struct strbuf *sb, const struct alert_report *r);
/* Alertmanager's POST body: one postableAlert labelled with @instance, ending at @ends_at. */
void alert_body_alertmanager(struct strbuf *sb, const struct alert_report *r, const char *instance,
			     const char *ends_at);

#endif
