// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The 607/608 spike detector under a synthetic clock: no sleeps, every sample
 * is (time, counter) as the exporter's timerfd tick would read it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "spike_detector.h"

#define TICK_MS 100

static const struct alert_params defaults = ALERT_PARAMS_DEFAULT;

/* A counter driven by a per-second rate, sampled every TICK_MS. */
struct sim {
	struct alert_state st;
	__u64 now_ms;
	double count;
	int fired;
	int resolved;
	__u64 first_fire_ms;
};

static void sim_init(struct sim *s, __u16 code)
{
	alert_state_init(&s->st, code);
	s->now_ms = 1000000; /* monotonic clocks do not start at 0 */
	s->count = 0;
	s->fired = 0;
	s->resolved = 0;
	s->first_fire_ms = 0;
}

/* Runs @seconds at @rate per second; returns the transitions seen. */
static void sim_run(struct sim *s, double rate, double seconds)
{
	int ticks = (int)(seconds * 1000 / TICK_MS + 0.5), i;

	for (i = 0; i < ticks; i++) {
		s->now_ms += TICK_MS;
		s->count += rate * TICK_MS / 1000.0;
		switch (alert_tick(&s->st, &defaults, s->now_ms, (__u64)s->count)) {
		case ALERT_FIRED:
			if (!s->fired)
				s->first_fire_ms = s->now_ms;
			s->fired++;
			break;
		case ALERT_RESOLVED:
			s->resolved++;
			break;
		default:
			break;
		}
	}
}

static void test_defaults_are_valid(void **state)
{
	struct alert_params bad = defaults;

	assert_null(alert_params_check(&defaults));
	bad.window_ms = 50;
	assert_non_null(alert_params_check(&bad));
	bad = defaults;
	bad.interval_ms = 1;
	assert_non_null(alert_params_check(&bad));
	bad = defaults;
	bad.factor = 0.5;
	assert_non_null(alert_params_check(&bad));
}

static void test_steady_baseline_never_fires(void **state)
{
	struct sim s;

	sim_init(&s, 607);
	sim_run(&s, 20, 600); /* 20/s for ten minutes: well over min_rate, but normal */
	assert_int_equal(s.fired, 0);
	assert_true(s.st.primed);
	assert_true(s.st.baseline > 19 && s.st.baseline < 21);
}

static void test_step_spike_fires_at_first_qualifying_tick(void **state)
{
	struct sim s;
	__u64 spike_start;

	sim_init(&s, 607);
	sim_run(&s, 1, 120); /* steady 1/s */
	assert_int_equal(s.fired, 0);
	spike_start = s.now_ms;
	sim_run(&s, 500, 0.1); /* one tick of 500/s adds 50 in the window: 50/s >= 5 and >= 4x */
	assert_int_equal(s.fired, 1);
	assert_int_equal(s.first_fire_ms, spike_start + TICK_MS);
	assert_true(s.st.firing);
	assert_int_equal(s.st.started_ms, spike_start + TICK_MS);
	assert_int_equal(s.st.alerts_total, 1);
	/* Threshold is max(min_rate, factor * baseline) = max(5, 4 * ~1). */
	assert_true(s.st.threshold >= 5.0 && s.st.threshold < 5.5);
}

static void test_slow_ramp_never_fires(void **state)
{
	struct sim s;
	int minute;

	sim_init(&s, 608);
	/* A daily-like rise from 1/s to 100/s over six hours, minute by minute. */
	for (minute = 0; minute < 360; minute++)
		sim_run(&s, 1 + 99.0 * minute / 359, 60);
	assert_int_equal(s.fired, 0);
}

static void test_blip_below_min_rate_never_fires(void **state)
{
	struct sim s;

	sim_init(&s, 607);
	sim_run(&s, 0, 60);
	sim_run(&s, 40, 0.1); /* a blip of 4 responses: 4/s over the window, below 5/s */
	sim_run(&s, 0, 60);
	assert_int_equal(s.fired, 0);
}

static void test_resolves_only_after_quiet_period(void **state)
{
	struct sim s;

	sim_init(&s, 608);
	sim_run(&s, 1, 120);
	sim_run(&s, 200, 5);
	assert_int_equal(s.fired, 1);
	sim_run(&s, 1, 10.5); /* window drains after 1 s, then 10 s below half */
	assert_int_equal(s.resolved, 0);
	sim_run(&s, 1, 1);
	assert_int_equal(s.resolved, 1);
	assert_false(s.st.firing);
}

static void test_flapping_around_threshold_holds(void **state)
{
	struct sim s;
	int i;

	sim_init(&s, 607);
	sim_run(&s, 1, 120);
	sim_run(&s, 50, 3);
	assert_int_equal(s.fired, 1);
	/* Alternate just above and below the firing threshold (~5/s) for a minute:
	 * never below half of it for 10 s, so one alert, no resolve, no re-fire. */
	for (i = 0; i < 30; i++) {
		sim_run(&s, 6, 1);
		sim_run(&s, 4, 1);
	}
	assert_int_equal(s.fired, 1);
	assert_int_equal(s.resolved, 0);
	assert_true(s.st.firing);
}

static void test_baseline_frozen_while_firing(void **state)
{
	struct sim s;
	double before;

	sim_init(&s, 607);
	sim_run(&s, 2, 120);
	sim_run(&s, 100, 0.5);
	assert_true(s.st.firing);
	before = s.st.baseline;
	sim_run(&s, 100, 300); /* five minutes of spike: a learning baseline would reach ~63 */
	assert_true(s.st.firing);
	assert_true(s.st.baseline == before);
}

static void test_counter_reset_resets_and_never_fires(void **state)
{
	struct sim s;

	sim_init(&s, 607);
	sim_run(&s, 1, 120);
	s.count = 0; /* map re-created: the counter restarts below its last value */
	sim_run(&s, 1, 0.1);
	assert_int_equal(s.st.resets, 1);
	assert_false(s.st.primed);
	sim_run(&s, 1, 60);
	assert_int_equal(s.fired, 0);
	/* A counter that starts again at a large value in the same window is no spike either. */
	s.count = 0;
	sim_run(&s, 1, 0.1);
	s.count += 1000;
	sim_run(&s, 1, 5);
	assert_int_equal(s.fired, 0);
	assert_int_equal(s.st.resets, 2);
}

static void test_reset_while_firing_resolves(void **state)
{
	struct sim s;

	sim_init(&s, 608);
	sim_run(&s, 1, 120);
	sim_run(&s, 100, 1);
	assert_true(s.st.firing);
	s.count = 0;
	sim_run(&s, 1, 0.1);
	assert_int_equal(s.resolved, 1);
	assert_false(s.st.firing);
}

static void test_two_codes_independent(void **state)
{
	struct sim a, b;

	sim_init(&a, 607);
	sim_init(&b, 608);
	sim_run(&a, 1, 120);
	sim_run(&b, 1, 120);
	sim_run(&a, 300, 1);
	sim_run(&b, 1, 1);
	assert_int_equal(a.fired, 1);
	assert_int_equal(b.fired, 0);
	sim_run(&b, 300, 1);
	assert_int_equal(b.fired, 1);
	assert_true(a.st.firing && b.st.firing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_valid),
		cmocka_unit_test(test_steady_baseline_never_fires),
		cmocka_unit_test(test_step_spike_fires_at_first_qualifying_tick),
		cmocka_unit_test(test_slow_ramp_never_fires),
		cmocka_unit_test(test_blip_below_min_rate_never_fires),
		cmocka_unit_test(test_resolves_only_after_quiet_period),
		cmocka_unit_test(test_flapping_around_threshold_holds),
		cmocka_unit_test(test_baseline_frozen_while_firing),
		cmocka_unit_test(test_counter_reset_resets_and_never_fires),
		cmocka_unit_test(test_reset_while_firing_resolves),
		cmocka_unit_test(test_two_codes_independent),
	};

	/* cmocka returns the failure count; an exit status keeps only 8 bits of it. */
	return cmocka_run_group_tests_name("alert detector", tests, NULL, NULL) ? 1 : 0;
}
