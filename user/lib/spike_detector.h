/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * 607/608 spike detection: a short-window rate against a slow EWMA baseline,
 * with hysteresis on resolve. Pure logic over (time, counter) samples, so the
 * unit tests drive it with a synthetic clock.
 */
#ifndef SIP6XX_SPIKE_DETECTOR_H
#define SIP6XX_SPIKE_DETECTOR_H

#include <stdbool.h>
#include <linux/types.h>

#define ALERT_MAX_CODES	  8
#define ALERT_RING_MAX	  1024 /* samples per window: window / interval */
#define ALERT_TOP_SOURCES 5

struct alert_params {
	__u64 interval_ms; /* --alert-interval: sampling period (100) */
	__u64 window_ms;   /* --alert-window: short-rate window (1000) */
	__u64 baseline_ms; /* --alert-baseline: EWMA time constant (300000) */
	__u64 resolve_ms;  /* --alert-resolve: quiet time before resolving (10000) */
	double min_rate;   /* --alert-min-rate: per second (5) */
	double factor;	   /* --alert-factor: times the baseline (4) */
};

struct alert_sample {
	__u64 t_ms;
	__u64 count;
};

struct alert_state {
	__u16 code;
	bool primed; /* a full window was seen and seeded the baseline */
	bool firing;
	double rate;	      /* per second over the last window */
	double baseline;      /* EWMA of rate; frozen while firing */
	double threshold;     /* max(min_rate, factor * baseline); frozen while firing */
	__u64 started_ms;     /* when the current (or last) alert fired */
	__u64 below_since_ms; /* firing, rate below threshold / 2 since then; 0: not below */
	__u64 alerts_total;   /* times it fired */
	__u64 resets;	      /* counter went backwards */
	struct alert_sample ring[ALERT_RING_MAX];
	__u32 head; /* next slot to write */
	__u32 len;  /* samples held */
};

enum alert_transition {
	ALERT_NONE = 0,
	ALERT_FIRED,
	ALERT_RESOLVED,
};

/* The defaults --help documents; sip6xx-top's local detector uses them too. */
#define ALERT_PARAMS_DEFAULT                                                                       \
	{                                                                                          \
		.interval_ms = 100, .window_ms = 1000, .baseline_ms = 300000, .resolve_ms = 10000, \
		.min_rate = 5, .factor = 4                                                         \
	}

/* Checks @p; returns NULL or a message naming the option at fault. */
const char *alert_params_check(const struct alert_params *p);
void alert_state_init(struct alert_state *st, __u16 code);
/*
 * Feeds one sample: @now_ms from a monotonic clock, @count the code's counter
 * summed over CPUs and interfaces. Returns the transition it caused.
 */
enum alert_transition alert_tick(struct alert_state *st, const struct alert_params *p, __u64 now_ms,
				 __u64 count);

#endif
