/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The exporter's alerting: a timerfd tick samples the alert codes' counters,
 * feeds the detectors, and on each state change writes one JSON line to
 * stdout and tells Alertmanager (every replica given), naming the top
 * sources behind the spike.
 */
#ifndef SIP6XX_ALERT_SAMPLER_H
#define SIP6XX_ALERT_SAMPLER_H

#include <poll.h>
#include "spike_detector.h"
#include "maps.h"

struct calls;

/* What the detectors count: the kernel's packets, or the call context's rejections. */
enum alert_on {
	ALERT_ON_PACKETS = 0,
	ALERT_ON_REJECTIONS, /* 6xx once per transaction: sampled, up to a ring poll late */
};

/* Alertmanager replicas an exporter posts to: a cluster of two or three, with room. */
#define ALERTING_MAX_AM_URLS 4

struct alerting_opts {
	struct alert_params params;
	__u16 codes[ALERT_MAX_CODES]; /* --alert-codes */
	int nr_codes;
	/* --alertmanager-url, repeatable: each gets the same alerts, with its own retries. */
	const char *am_urls[ALERTING_MAX_AM_URLS];
	int nr_am_urls;
	const char *instance; /* instance label: --alert-instance or host:port */
	enum alert_on on;     /* --alert-on */
	bool name_callers;    /* --alert-callers: alerts name the top callers */
	/*
	 * Each interface's call context, or NULL (--context-rate 0), read on
	 * every tick: the array may be filled after alerting_new().
	 */
	const struct calls *const *calls;
	int nr_calls;
};

struct alerting;

/* @maps: one per interface, read on every tick. NULL after logging why. */
struct alerting *alerting_new(const struct alerting_opts *opts, const struct sip6xx_maps *maps,
			      int nr_maps);
void alerting_free(struct alerting *al);
int alerting_timer_fd(const struct alerting *al);
/* The timer fired: sample, detect, report. */
void alerting_on_timer(struct alerting *al);
/* CLOCK_MONOTONIC in ms, the clock of alerting_scraped()'s @read_ms. */
__u64 alerting_now_ms(void);
/*
 * A scrape read every interface's maps into @snaps (in the order of the maps
 * given to alerting_new) at @read_ms: when a peers sample is due, it is taken
 * from them instead of reading the maps again; either way the timer leaves the
 * maps alone for a while, so its read never holds up a scrape in a series.
 */
void alerting_scraped(struct alerting *al, const struct map_snapshot *snaps, int nr, __u64 read_ms);
/* Alertmanager transfers: descriptors to poll and a timeout, then progress. */
int alerting_pollfds(struct alerting *al, struct pollfd *pfd, int max, int *timeout_ms);
void alerting_perform(struct alerting *al);
/*
 * At a stop: every firing alert is reported resolved (stdout line, log line,
 * Alertmanager), so nothing stays firing for the exporter's alerts; then
 * alerting_busy() says whether Alertmanager still has to hear it.
 */
void alerting_stop(struct alerting *al);
bool alerting_busy(struct alerting *al);
/* Detector states, for the sip6xx_alert_firing and sip6xx_alerts_total metrics. */
const struct alert_state *alerting_states(const struct alerting *al, int *nr);

#endif
