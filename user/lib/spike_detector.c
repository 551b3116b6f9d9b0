// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <math.h>
#include <string.h>

#include "spike_detector.h"

const char *alert_params_check(const struct alert_params *p)
{
	if (p->interval_ms < 10 || p->interval_ms > 60000)
		return "--alert-interval must be 10ms..60s";
	if (p->window_ms < p->interval_ms)
		return "--alert-window must be at least --alert-interval";
	if (p->window_ms / p->interval_ms + 1 > ALERT_RING_MAX)
		return "--alert-window / --alert-interval must stay under 1024 samples";
	if (p->baseline_ms < p->window_ms)
		return "--alert-baseline must be at least --alert-window";
	if (!(p->min_rate > 0) || !(p->factor >= 1))
		return "--alert-min-rate must be > 0 and --alert-factor >= 1";
	return NULL;
}

void alert_state_init(struct alert_state *st, __u16 code)
{
	memset(st, 0, sizeof(*st));
	st->code = code;
}

static const struct alert_sample *ring_at(const struct alert_state *st, __u32 age)
{
	return &st->ring[(st->head + ALERT_RING_MAX - 1 - age) % ALERT_RING_MAX];
}

static void ring_push(struct alert_state *st, __u64 now_ms, __u64 count)
{
	st->ring[st->head] = (struct alert_sample){ .t_ms = now_ms, .count = count };
	st->head = (st->head + 1) % ALERT_RING_MAX;
	if (st->len < ALERT_RING_MAX)
		st->len++;
}

/*
 * The oldest sample still inside the window, keeping exactly one at or before
 * its start; NULL while the samples span less than a full window.
 */
static const struct alert_sample *window_start(struct alert_state *st, __u64 now_ms,
					       __u64 window_ms)
{
	while (st->len > 1 && now_ms - ring_at(st, st->len - 2)->t_ms >= window_ms)
		st->len--;
	if (now_ms - ring_at(st, st->len - 1)->t_ms < window_ms)
		return NULL;
	return ring_at(st, st->len - 1);
}

/* The counter went backwards (map re-created or cleared): start over, silently. */
static enum alert_transition reset(struct alert_state *st, __u64 now_ms, __u64 count)
{
	bool was_firing = st->firing;

	st->primed = false;
	st->firing = false;
	st->below_since_ms = 0;
	st->len = 0;
	st->resets++;
	ring_push(st, now_ms, count);
	return was_firing ? ALERT_RESOLVED : ALERT_NONE;
}

static void learn(struct alert_state *st, const struct alert_params *p, __u64 dt_ms)
{
	double alpha = 1.0 - exp(-(double)dt_ms / (double)p->baseline_ms);

	st->baseline += alpha * (st->rate - st->baseline);
}

static enum alert_transition while_firing(struct alert_state *st, const struct alert_params *p,
					  __u64 now_ms)
{
	/* Hysteresis: resolve only after resolve_ms below half the firing threshold. */
	if (st->rate >= st->threshold / 2) {
		st->below_since_ms = 0;
		return ALERT_NONE;
	}
	if (!st->below_since_ms)
		st->below_since_ms = now_ms;
	if (now_ms - st->below_since_ms < p->resolve_ms)
		return ALERT_NONE;
	st->firing = false;
	st->below_since_ms = 0;
	return ALERT_RESOLVED;
}

enum alert_transition alert_tick(struct alert_state *st, const struct alert_params *p, __u64 now_ms,
				 __u64 count)
{
	const struct alert_sample *start;
	__u64 prev_ms;

	if (st->len && count < ring_at(st, 0)->count)
		return reset(st, now_ms, count);
	prev_ms = st->len ? ring_at(st, 0)->t_ms : now_ms;
	ring_push(st, now_ms, count);
	start = window_start(st, now_ms, p->window_ms);
	if (!start)
		return ALERT_NONE;
	st->rate = (double)(count - start->count) * 1000.0 / (double)(now_ms - start->t_ms);

	if (!st->primed) {
		/* The first full window seeds the baseline: no alert for traffic already there. */
		st->baseline = st->rate;
		st->primed = true;
		return ALERT_NONE;
	}
	if (st->firing)
		return while_firing(st, p, now_ms);

	st->threshold = fmax(p->min_rate, p->factor * st->baseline);
	if (st->rate >= st->threshold) {
		st->firing = true;
		st->started_ms = now_ms;
		st->below_since_ms = 0;
		st->alerts_total++;
		return ALERT_FIRED;
	}
	learn(st, p, now_ms - prev_ms);
	return ALERT_NONE;
}
