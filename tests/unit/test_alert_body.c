// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What the call context adds to alerts (user/exporter/alert/alert_calls.c,
 * alert_body.c, user/calls/calls_view.c): the retransmission ratio's
 * arithmetic over the alert window and its nulling when the context lost
 * samples, the default line's shape, callers named only with --alert-callers
 * and intermediaries only in 608 alerts, bounded, labelled as their gauges
 * and escaped by the JSON writer, and --alert-on rejections' counter driving
 * the real detector.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/alert/alert_body.h"
#include "exporter/alert/alert_calls.h"
#include "calls/calls.h"
#include "calls/calls_metrics.h"
#include "calls/calls_view.h"

#define CRLF	"\r\n"
#define TICK_MS 100

/* One 6xx of @code from @from's caller, transaction @txn (same @txn: a retransmission). */
static void reject(struct calls *c, __u64 ms, unsigned int code, const char *from, int txn,
		   const char *extra)
{
	struct calls_frame f = { .time_ms = ms,
				 .dir = SIP6XX_DIR_RX,
				 .family = SIP6XX_FAMILY_IPV4,
				 .sport = 5060,
				 .dport = 5060 };
	char msg[2048];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "SIP/2.0 %u Nope" CRLF
		     "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK-%d" CRLF
		     "From: <%s>;tag=a" CRLF "To: <sip:bob@example.net>;tag=b" CRLF
		     "Call-ID: call-%d" CRLF "CSeq: 1 INVITE" CRLF "%s" CRLF,
		     code, txn, from, txn, extra);
	calls_observe(c, &f, msg, n);
}

static struct calls *new_calls_txns(size_t transactions, unsigned int callers,
				    unsigned int intermediaries, const char *key)
{
	struct calls_opts o = { .transactions = transactions,
				.callers = callers,
				.intermediaries = intermediaries,
				.window_ms = 60000,
				.hash_key = key,
				.hash_key_len = key ? strlen(key) : 0 };
	struct calls *c = calls_new_opts(&o);

	assert_non_null(c);
	return c;
}

static struct calls *new_calls(unsigned int callers, unsigned int intermediaries, const char *key)
{
	return new_calls_txns(1024, callers, intermediaries, key);
}

static void ratio_arithmetic(void **state)
{
	struct calls_code_totals w = { 0 };
	double r = -1;

	/* Nothing in the window: no ratio (null), never a division by zero. */
	assert_false(alert_retransmission_ratio(&w, &r));
	w = (struct calls_code_totals){ .rejections = 3, .retransmissions = 1 };
	assert_true(alert_retransmission_ratio(&w, &r));
	assert_float_equal(r, 0.25, 1e-12);
	w = (struct calls_code_totals){ .rejections = 4 };
	assert_true(alert_retransmission_ratio(&w, &r));
	assert_float_equal(r, 0, 1e-12);
	/* Only repeats in the window: their rejections were counted before it. */
	w = (struct calls_code_totals){ .retransmissions = 7 };
	assert_true(alert_retransmission_ratio(&w, &r));
	assert_float_equal(r, 1, 1e-12);
	w = (struct calls_code_totals){ .rejections = 1ULL << 62, .retransmissions = 1ULL << 62 };
	assert_true(alert_retransmission_ratio(&w, &r));
	assert_float_equal(r, 0.5, 1e-12);
}

/* Ticks every TICK_MS; each tick @per_tick new 607 rejections, each sent twice. */
static void window_and_feed(void **state)
{
	const __u16 codes[] = { 607, 608 };
	struct calls *c[2] = { new_calls(0, 0, NULL), new_calls(0, 0, NULL) };
	const struct calls *view[3] = { c[0], NULL, c[1] };
	struct alert_calls *ac = alert_calls_new(view, 3, codes, 2, 1000, TICK_MS, false);
	struct calls_code_totals d;
	__u64 now = 1000000;
	int tick, txn = 0, i;

	assert_non_null(ac);
	assert_true(alert_calls_live(ac));
	for (tick = 0; tick < 30; tick++) {
		now += TICK_MS;
		/* Every tick, interface 0 a 607 and its repeat, interface 2 one 607. */
		reject(c[0], now, 607, "sip:+12025550101@example.com", ++txn, "");
		reject(c[0], now, 607, "sip:+12025550101@example.com", txn, "");
		reject(c[1], now, 607, "sip:+12025550102@example.com", ++txn, "");
		/* A 603 counts for no alert code. */
		reject(c[1], now, 603, "sip:+12025550102@example.com", ++txn, "");
		alert_calls_sample(ac, now);
		/* The counter: every rejection of every interface, no retransmission. */
		assert_int_equal(alert_calls_rejections(ac, 0), 2 * (tick + 1));
		assert_int_equal(alert_calls_rejections(ac, 1), 0);
	}
	/* The window (1 s, 10 ticks): 20 rejections, 10 retransmissions. */
	alert_calls_window(ac, 0, &d);
	assert_int_equal(d.rejections, 20);
	assert_int_equal(d.retransmissions, 10);
	alert_calls_window(ac, 1, &d);
	assert_int_equal(d.rejections + d.retransmissions, 0);
	/* Quiet for a window: nothing gained. */
	for (i = 0; i < 10; i++)
		alert_calls_sample(ac, now += TICK_MS);
	alert_calls_window(ac, 0, &d);
	assert_int_equal(d.rejections + d.retransmissions, 0);
	assert_int_equal(alert_calls_rejections(ac, 0), 60);
	alert_calls_free(ac);
	calls_free(c[0]);
	calls_free(c[1]);

	/* No context at all (--context-rate 0): nothing is live, the counter stays 0. */
	view[0] = view[2] = NULL;
	ac = alert_calls_new(view, 3, codes, 2, 1000, TICK_MS, false);
	assert_non_null(ac);
	assert_false(alert_calls_live(ac));
	alert_calls_sample(ac, now);
	assert_int_equal(alert_calls_rejections(ac, 0), 0);
	assert_int_equal(alert_calls_top(ac, CALLS_TOP_CALLERS, NULL, 5), -1);
	alert_calls_free(ac);
}

/*
 * The real detector fed by the rejections' counter: a storm of repeats is no
 * spike of rejections, though the same messages counted as packets are one.
 */
static void rejections_fire_not_retransmissions(void **state)
{
	const struct alert_params p = ALERT_PARAMS_DEFAULT;
	const __u16 codes[] = { 607 };
	struct calls *c = new_calls(0, 0, NULL);
	const struct calls *view[1] = { c };
	struct alert_calls *ac =
		alert_calls_new(view, 1, codes, 1, p.window_ms, p.interval_ms, false);
	struct alert_state rej, pkt;
	struct calls_code_totals all;
	__u64 now = 1000000;
	int tick, txn = 0, k, rej_at = -1, pkt_at = -1;

	assert_non_null(ac);
	alert_state_init(&rej, 607);
	alert_state_init(&pkt, 607);
	/*
	 * 2 s quiet; 3 s of a new transaction every 5 ticks (2 rejections/s),
	 * each message sent 10 times a tick (100/s); then 10 new ones a tick.
	 */
	for (tick = 0; tick < 70; tick++) {
		now += TICK_MS;
		if (tick >= 20 && tick < 50) {
			txn += tick % 5 == 0;
			for (k = 0; k < 10; k++)
				reject(c, now, 607, "sip:+12025550101@example.com", txn, "");
		}
		if (tick >= 50)
			for (k = 0; k < 10; k++)
				reject(c, now, 607, "sip:+12025550101@example.com", ++txn, "");
		alert_calls_sample(ac, now);
		if (alert_tick(&rej, &p, now, alert_calls_rejections(ac, 0)) == ALERT_FIRED)
			rej_at = tick;
		all = (struct calls_code_totals){ 0 };
		calls_code_totals_add(c, 607, &all);
		if (alert_tick(&pkt, &p, now, all.rejections + all.retransmissions) ==
			    ALERT_FIRED &&
		    pkt_at < 0)
			pkt_at = tick;
	}
	assert_int_equal(rej.alerts_total, 1);
	assert_true(rej_at >= 50 && rej_at < 60);
	assert_true(pkt_at >= 20 && pkt_at < 30);
	alert_calls_free(ac);
	calls_free(c);
}

static const struct alert_state firing_607 = {
	.code = 607, .rate = 52, .baseline = 1.013, .threshold = 5, .firing = true
};

static struct alert_report report_of(const struct alert_state *st)
{
	struct alert_report r = {
		.st = st, .firing = true, .nr_callers = -1, .nr_intermediaries = -1
	};

	snprintf(r.started_at, sizeof(r.started_at), "2026-11-24T00:02:22.567Z");
	snprintf(r.top[0].source, sizeof(r.top[0].source), "198.18.0.2");
	r.top[0].rate = 50;
	r.nr_top = 1;
	return r;
}

static char *line_of(const struct alert_report *r)
{
	struct strbuf sb;
	size_t len;

	sb_init(&sb);
	alert_body_line(&sb, r);
	assert_false(sb.failed);
	return sb_steal(&sb, &len);
}

static char *am_of(const struct alert_report *r, const char *instance)
{
	struct strbuf sb;
	size_t len;

	sb_init(&sb);
	alert_body_alertmanager(&sb, r, instance, "2026-11-24T00:04:22.567Z");
	assert_false(sb.failed);
	return sb_steal(&sb, &len);
}

/* With --context-rate 0, the line of old byte for byte; with the context, those fields first. */
static void line_fields(void **state)
{
	static const char today[] =
		"{\"event\":\"alert\",\"state\":\"firing\",\"code\":607,\"rate\":52.000,"
		"\"baseline\":1.013,\"threshold\":5.000,\"started_at\":\"2026-11-24T00:02:22."
		"567Z\","
		"\"top_sources\":[{\"source\":\"198.18.0.2\",\"rate\":50.000}]";
	struct alert_report r = report_of(&firing_607);
	char *s;

	s = line_of(&r);
	assert_string_equal(s, "{\"event\":\"alert\",\"state\":\"firing\",\"code\":607,"
			       "\"rate\":52.000,\"baseline\":1.013,\"threshold\":5.000,"
			       "\"started_at\":\"2026-11-24T00:02:22.567Z\",\"top_sources\":"
			       "[{\"source\":\"198.18.0.2\",\"rate\":50.000}]}\n");
	free(s);

	r.context = true;
	r.on_rejections = true;
	r.window = (struct calls_code_totals){ .rejections = 30, .retransmissions = 10 };
	s = line_of(&r);
	assert_memory_equal(s, today, sizeof(today) - 1);
	assert_string_equal(s + sizeof(today) - 1,
			    ",\"alert_on\":\"rejections\",\"window_rejections\":30,"
			    "\"window_retransmissions\":10,\"window_context_dropped\":0,"
			    "\"retransmission_ratio\":0.250}\n");
	assert_null(strstr(s, "top_callers"));
	free(s);

	/* No 6xx of the code in the window: the ratio is null, not 0 or NaN. */
	r.window = (struct calls_code_totals){ 0 };
	s = line_of(&r);
	assert_non_null(strstr(s, ",\"retransmission_ratio\":null}"));
	free(s);

	/* Callers enabled but none in the window: an empty list, not a missing one. */
	r.nr_callers = 0;
	r.callers_window_ms = 300000;
	s = line_of(&r);
	assert_non_null(strstr(s, ",\"callers_window_s\":300,\"top_callers\":[]}"));
	assert_null(strstr(s, "top_intermediaries"));
	free(s);

	/* Their counts cover their own window and every 6xx: named so, with that window. */
	r.nr_intermediaries = 1;
	r.intermediaries_window_ms = 1500;
	snprintf(r.intermediaries[0].label, TOP_KEY_LEN, "analytics.example.org");
	r.intermediaries[0].count = 2;
	s = line_of(&r);
	assert_non_null(strstr(s,
			       ",\"top_callers\":[],\"intermediaries_window_s\":1.500,"
			       "\"top_intermediaries\":[{\"intermediary\":"
			       "\"analytics.example.org\",\"intermediaries_window_rejections\":2}"
			       "]}\n"));
	assert_null(strstr(s, "\"rejections\":"));
	free(s);
}

/* A label with a quote, a backslash and a byte that is never UTF-8. */
static void hostile_label_escaped(void **state)
{
	struct alert_report r = report_of(&firing_607);
	char *s;

	r.nr_callers = 1;
	snprintf(r.callers[0].label, sizeof(r.callers[0].label), "a\"b\\c\xff");
	r.callers[0].count = 3;
	s = line_of(&r);
	assert_non_null(strstr(s, ",\"top_callers\":[{\"caller\":\"a\\\"b\\\\c\\ufffd\","
				  "\"callers_window_rejections\":3}]}\n"));
	assert_null(strchr(s, '\xff'));
	free(s);

	/* In Alertmanager, the list is JSON text inside an annotation: escaped twice. */
	r.context = true;
	r.window = (struct calls_code_totals){ .rejections = 1, .retransmissions = 3 };
	s = am_of(&r, "sbc1:10060");
	assert_non_null(strstr(s, ",\"top_callers\":\"[{\\\"caller\\\":\\\"a\\\\\\\"b\\\\\\\\c"
				  "\\\\ufffd\\\",\\\"callers_window_rejections\\\":3}]\""));
	assert_non_null(strstr(s, ",\"retransmission_ratio\":\"0.750\""));
	assert_non_null(
		strstr(s, " Retransmission ratio 0.750 (3 retransmissions, 1 rejections)."));
	assert_null(strchr(s, '\xff'));
	free(s);
}

static void alertmanager_body(void **state)
{
	struct alert_report r = report_of(&firing_607);
	char *s;

	/* Packets, no context: today's body, byte for byte. */
	s = am_of(&r, "sbc1:10060");
	assert_string_equal(
		s, "[{\"labels\":{\"alertname\":\"SIP607Spike\",\"severity\":\"critical\","
		   "\"code\":\"607\",\"instance\":\"sbc1:10060\"},\"annotations\":{\"summary\":"
		   "\"SIP 607 Unwanted responses spiking on sbc1:10060\",\"description\":"
		   "\"Firing: 607 Unwanted at 52.0/s against a baseline of 1.0/s (threshold "
		   "5.0/s). Top sources: 198.18.0.2 (50.0/s).\"},"
		   "\"startsAt\":\"2026-11-24T00:02:22.567Z\",\"endsAt\":"
		   "\"2026-11-24T00:04:22.567Z\"}]");
	free(s);

	/* Rejections, callers off, the ratio undefined: none of them appears. */
	r.on_rejections = true;
	r.context = true;
	s = am_of(&r, "sbc1:10060");
	assert_non_null(strstr(s, "\"SIP 607 Unwanted rejections spiking on sbc1:10060\""));
	assert_non_null(strstr(s, "Firing: 607 Unwanted rejections at 52.0/s"));
	assert_non_null(strstr(s, "\"alert_on\":\"rejections\""));
	assert_null(strstr(s, "retransmission_ratio"));
	assert_null(strstr(s, "top_callers"));
	assert_null(strstr(s, "top_intermediaries"));
	free(s);
}

/* Names one caller @n times (one rejection each) on @c. */
static void caller_n(struct calls *c, int *txn, const char *from, int n)
{
	int i;

	for (i = 0; i < n; i++)
		reject(c, 1000, 607, from, ++*txn, "");
}

/* Labels as the gauge exports them: collected from calls_metric_each(). */
struct gauge {
	char label[8][TOP_KEY_LEN];
	__u64 v[8];
	int nr;
};

static void collect(void *arg, const struct calls_sample *s)
{
	struct gauge *g = arg;

	if (g->nr < 8 && strcmp(s->value[0], "other")) {
		snprintf(g->label[g->nr], TOP_KEY_LEN, "%s", s->value[0]);
		g->v[g->nr++] = s->v;
	}
}

/* At most ALERT_TOP_CALLERS, summed over interfaces, ordered as the gauges. */
static void callers_bounded_and_merged(void **state)
{
	const __u16 codes[] = { 607, 608 };
	struct calls *c[2] = { new_calls(20, 0, NULL), new_calls(20, 0, NULL) };
	const struct calls *view[2] = { c[0], c[1] };
	struct alert_calls *ac = alert_calls_new(view, 2, codes, 2, 1000, TICK_MS, false);
	struct label_count out[ALERT_TOP_CALLERS];
	char from[64];
	int i, txn = 0;

	assert_non_null(ac);
	/* Twelve callers; +1...0 through 11 with i + 1 rejections on interface 0. */
	for (i = 0; i < 12; i++) {
		snprintf(from, sizeof(from), "sip:+120255501%02d@example.com", i);
		caller_n(c[0], &txn, from, i + 1);
	}
	/* A caller low on each interface but the top over both. */
	caller_n(c[0], &txn, "sip:+12025559999@example.com", 8);
	caller_n(c[1], &txn, "sip:+12025559999@example.com", 8);
	assert_int_equal(alert_calls_top(ac, CALLS_TOP_CALLERS, out, ALERT_TOP_CALLERS),
			 ALERT_TOP_CALLERS);
	assert_string_equal(out[0].label, "+12025559999");
	assert_int_equal(out[0].count, 16);
	assert_string_equal(out[1].label, "+12025550111");
	assert_int_equal(out[1].count, 12);
	assert_string_equal(out[4].label, "+12025550108");
	assert_int_equal(out[4].count, 9);
	/* Intermediaries were not asked for: never named. */
	assert_int_equal(alert_calls_top(ac, CALLS_TOP_INTERMEDIARIES, out, ALERT_TOP_CALLERS), -1);
	alert_calls_free(ac);
	calls_free(c[0]);
	calls_free(c[1]);
}

/* The report alerting makes: alert_calls_report() on @ac, code number @slot. */
static struct alert_report report_from(const struct alert_calls *ac, int slot,
				       const struct alert_state *st)
{
	struct alert_report r = report_of(st);

	alert_calls_report(ac, slot, &r);
	return r;
}

/* Both texts of @r: none holds @needle. */
static void nowhere(const struct alert_report *r, const char *needle)
{
	char *s = line_of(r), *a = am_of(r, "sbc1:10060");

	assert_null(strstr(s, needle));
	assert_null(strstr(a, needle));
	free(s);
	free(a);
}

/* Both texts of @r hold @needle. */
static void in_both(const struct alert_report *r, const char *needle)
{
	char *s = line_of(r), *a = am_of(r, "sbc1:10060");

	assert_non_null(strstr(s, needle));
	assert_non_null(strstr(a, needle));
	free(s);
	free(a);
}

static const struct alert_state firing_608 = {
	.code = 608, .rate = 52, .baseline = 1.013, .threshold = 5, .firing = true
};

/*
 * The default alert (packets, --context-rate above 0, no --callers) as
 * alerting builds it: the fields of old, then the window's counts.
 */
static void default_line_shape(void **state)
{
	const __u16 codes[] = { 607 };
	struct calls *c = new_calls(0, 0, NULL);
	const struct calls *view[1] = { c };
	struct alert_calls *ac = alert_calls_new(view, 1, codes, 1, 1000, TICK_MS, false);
	struct alert_report r;
	char *s;

	assert_non_null(ac);
	/* Three transactions, the first sent twice. */
	reject(c, 1000, 607, "sip:+12025550101@example.com", 1, "");
	reject(c, 1000, 607, "sip:+12025550101@example.com", 1, "");
	reject(c, 1000, 607, "sip:+12025550101@example.com", 2, "");
	reject(c, 1000, 607, "sip:+12025550101@example.com", 3, "");
	alert_calls_sample(ac, 1000);
	r = report_from(ac, 0, &firing_607);
	s = line_of(&r);
	assert_string_equal(s, "{\"event\":\"alert\",\"state\":\"firing\",\"code\":607,"
			       "\"rate\":52.000,\"baseline\":1.013,\"threshold\":5.000,"
			       "\"started_at\":\"2026-11-24T00:02:22.567Z\",\"top_sources\":"
			       "[{\"source\":\"198.18.0.2\",\"rate\":50.000}],"
			       "\"window_rejections\":3,\"window_retransmissions\":1,"
			       "\"window_context_dropped\":0,\"retransmission_ratio\":0.250}\n");
	free(s);
	s = am_of(&r, "sbc1:10060");
	assert_non_null(strstr(s, "rejections).\",\"window_context_dropped\":\"0\","
				  "\"retransmission_ratio\":\"0.250\"},\"startsAt\""));
	free(s);
	alert_calls_free(ac);

	/* --context-rate 0: no context to report, the line of old byte for byte. */
	view[0] = NULL;
	ac = alert_calls_new(view, 1, codes, 1, 1000, TICK_MS, true);
	assert_non_null(ac);
	alert_calls_sample(ac, 1000);
	r = report_from(ac, 0, &firing_607);
	assert_false(r.context);
	s = line_of(&r);
	assert_string_equal(s, "{\"event\":\"alert\",\"state\":\"firing\",\"code\":607,"
			       "\"rate\":52.000,\"baseline\":1.013,\"threshold\":5.000,"
			       "\"started_at\":\"2026-11-24T00:02:22.567Z\",\"top_sources\":"
			       "[{\"source\":\"198.18.0.2\",\"rate\":50.000}]}\n");
	free(s);
	alert_calls_free(ac);
	/* No alert_calls at all (no context was given): the same. */
	r = report_from(NULL, 0, &firing_607);
	assert_false(r.context);
	assert_int_equal(r.nr_callers, -1);
	assert_int_equal(r.nr_intermediaries, -1);
	calls_free(c);
}

/*
 * Callers are named in alerts only with --alert-callers, on top of --callers;
 * hashed exactly as sip6xx_caller_rejections with --callers-hash.
 * Intermediaries (hosts) with --intermediaries, in 608 alerts only.
 */
static void report_names_callers_only_when_asked(void **state)
{
	const __u16 codes[] = { 607, 608 };
	struct calls *off = new_calls(0, 0, NULL), *on = new_calls(3, 0, NULL);
	struct calls *hashed = new_calls(3, 2, "a key of 16 bytes or more");
	const struct calls *view[1] = { off };
	struct alert_calls *ac;
	struct alert_report r;
	struct gauge g = { .nr = 0 };
	int txn = 0;

	/* --callers off, even were --alert-callers set: no caller. */
	ac = alert_calls_new(view, 1, codes, 2, 1000, TICK_MS, true);
	assert_non_null(ac);
	caller_n(off, &txn, "sip:+12025550101@example.com", 3);
	alert_calls_sample(ac, 1000);
	r = report_from(ac, 0, &firing_607);
	assert_true(r.context);
	assert_int_equal(r.window.rejections, 3);
	assert_int_equal(r.nr_callers, -1);
	nowhere(&r, "12025550101");
	nowhere(&r, "top_callers");
	alert_calls_free(ac);

	/* --callers without --alert-callers: the gauge names the caller, alerts do not. */
	view[0] = on;
	ac = alert_calls_new(view, 1, codes, 2, 1000, TICK_MS, false);
	assert_non_null(ac);
	caller_n(on, &txn, "sip:+12025550101@example.com", 3);
	alert_calls_sample(ac, 1000);
	calls_metric_each(on, CALLS_M_CALLERS, collect, &g);
	assert_int_equal(g.nr, 1);
	assert_string_equal(g.label[0], "+12025550101");
	r = report_from(ac, 0, &firing_607);
	assert_int_equal(r.window.rejections, 3);
	assert_int_equal(r.nr_callers, -1);
	nowhere(&r, "12025550101");
	nowhere(&r, "top_callers");
	nowhere(&r, "callers_window_s");
	alert_calls_free(ac);

	/* --callers with --alert-callers: named, over the callers' window (60 s here). */
	ac = alert_calls_new(view, 1, codes, 2, 1000, TICK_MS, true);
	assert_non_null(ac);
	alert_calls_sample(ac, 1000);
	r = report_from(ac, 0, &firing_607);
	assert_int_equal(r.nr_callers, 1);
	assert_string_equal(r.callers[0].label, "+12025550101");
	assert_int_equal(r.callers[0].count, 3);
	in_both(&r, "12025550101");
	{
		char *s = line_of(&r);

		assert_non_null(strstr(s, ",\"callers_window_s\":60,\"top_callers\":[{\"caller\":"
					  "\"+12025550101\",\"callers_window_rejections\":3}]}\n"));
		free(s);
	}
	/* No --intermediaries: none, not even for 608. */
	r = report_from(ac, 1, &firing_608);
	assert_int_equal(r.nr_intermediaries, -1);
	nowhere(&r, "top_intermediaries");
	alert_calls_free(ac);

	/* --callers-hash: the gauge's hashed label, the number nowhere. */
	view[0] = hashed;
	ac = alert_calls_new(view, 1, codes, 2, 1000, TICK_MS, true);
	assert_non_null(ac);
	caller_n(hashed, &txn, "sip:+12025550101@example.com", 2);
	reject(hashed, 1000, 608, "sip:+12025550102@example.com", ++txn,
	       "Call-Info: <https://Analytics.Example.org/j.json>;purpose=jwscard");
	alert_calls_sample(ac, 1000);
	g.nr = 0;
	calls_metric_each(hashed, CALLS_M_CALLERS, collect, &g);
	assert_int_equal(g.nr, 2);
	r = report_from(ac, 0, &firing_607);
	assert_int_equal(r.nr_callers, 2);
	assert_string_equal(r.callers[0].label, g.label[0]);
	assert_int_equal(r.callers[0].count, g.v[0]);
	assert_string_equal(r.callers[1].label, g.label[1]);
	assert_int_equal(strlen(r.callers[0].label), 16);
	in_both(&r, g.label[0]);
	nowhere(&r, "2025550101");
	nowhere(&r, "2025550102");
	/* Intermediaries are hosts, never hashed, and only in 608 alerts. */
	assert_int_equal(r.nr_intermediaries, -1);
	nowhere(&r, "analytics.example.org");
	r = report_from(ac, 1, &firing_608);
	assert_int_equal(r.window.rejections, 1);
	assert_int_equal(r.nr_intermediaries, 1);
	assert_string_equal(r.intermediaries[0].label, "analytics.example.org");
	assert_int_equal(r.intermediaries[0].count, 1);
	in_both(&r, "\"intermediaries_window_s");
	in_both(&r, "analytics.example.org");
	nowhere(&r, "2025550102");
	alert_calls_free(ac);
	calls_free(off);
	calls_free(on);
	calls_free(hashed);
}

/*
 * Samples the context lost in the alert window (over --context-rate, ring
 * full, a transaction evicted) make the ratio untrustworthy: a lost first
 * copy turns its repeats into rejections. The ratio is then null, and the
 * losses are said.
 */
static void report_drops_null_the_ratio(void **state)
{
	const __u16 codes[] = { 607 };
	struct calls *c = new_calls(0, 0, NULL), *small = new_calls_txns(4, 0, 0, NULL);
	const struct calls *view[1] = { c };
	struct alert_calls *ac = alert_calls_new(view, 1, codes, 1, 1000, TICK_MS, false);
	struct alert_report r;
	__u64 now = 1000000;
	double ratio;
	int tick, txn = 0;
	char *s;

	assert_non_null(ac);
	/* A window of one transaction a tick, each sent twice: ratio 0.5, nothing lost. */
	for (tick = 0; tick < 11; tick++) {
		now += TICK_MS;
		reject(c, now, 607, "sip:+12025550101@example.com", ++txn, "");
		reject(c, now, 607, "sip:+12025550101@example.com", txn, "");
		alert_calls_sample(ac, now);
	}
	r = report_from(ac, 0, &firing_607);
	assert_int_equal(r.window_dropped, 0);
	assert_true(alert_report_ratio(&r, &ratio));
	assert_float_equal(ratio, 0.5, 1e-12);

	/* Truncated samples are still decoded: no loss. */
	c->st.kernel_dropped[SIP6XX_DIR_RX][CTX_DROP_TRUNCATED] += 5;
	alert_calls_sample(ac, now += TICK_MS);
	r = report_from(ac, 0, &firing_607);
	assert_int_equal(r.window_dropped, 0);
	/* Over the rate on rx, ring full on tx: every direction counts. */
	c->st.kernel_dropped[SIP6XX_DIR_RX][CTX_DROP_RATE] += 2;
	c->st.kernel_dropped[SIP6XX_DIR_TX][CTX_DROP_BUFFER_FULL] += 1;
	alert_calls_sample(ac, now += TICK_MS);
	r = report_from(ac, 0, &firing_607);
	assert_int_equal(r.window_dropped, 3);
	assert_int_equal(r.window.rejections, 8); /* 10 ticks back, the last 2 quiet */
	assert_false(alert_report_ratio(&r, &ratio));
	s = line_of(&r);
	assert_non_null(strstr(s, ",\"window_rejections\":8,\"window_retransmissions\":8,"
				  "\"window_context_dropped\":3,\"retransmission_ratio\":null}\n"));
	free(s);
	s = am_of(&r, "sbc1:10060");
	assert_non_null(strstr(s, ",\"window_context_dropped\":\"3\""));
	assert_null(strstr(s, "retransmission_ratio"));
	assert_non_null(strstr(s, " Retransmission ratio unknown: 3 context samples dropped or "
				  "transactions evicted in the window."));
	free(s);
	/* A window later without a loss, the ratio is back. */
	for (tick = 0; tick < 11; tick++) {
		now += TICK_MS;
		reject(c, now, 607, "sip:+12025550101@example.com", ++txn, "");
		reject(c, now, 607, "sip:+12025550101@example.com", txn, "");
		alert_calls_sample(ac, now);
	}
	r = report_from(ac, 0, &firing_607);
	assert_int_equal(r.window_dropped, 0);
	assert_true(alert_report_ratio(&r, &ratio));
	assert_float_equal(ratio, 0.5, 1e-12);
	alert_calls_free(ac);

	/*
	 * A table of 4 transactions: the first evicted by four more, its repeat
	 * then counts as a new rejection. 6 rejections, no retransmission: the
	 * ratio would read 0 where it is 1/7. Null instead.
	 */
	view[0] = small;
	ac = alert_calls_new(view, 1, codes, 1, 1000, TICK_MS, false);
	assert_non_null(ac);
	alert_calls_sample(ac, now);
	for (tick = 0; tick < 5; tick++)
		reject(small, now, 607, "sip:+12025550101@example.com", 1000 + tick, "");
	reject(small, now, 607, "sip:+12025550101@example.com", 1000, "");
	alert_calls_sample(ac, now += TICK_MS);
	r = report_from(ac, 0, &firing_607);
	assert_int_equal(r.window.rejections, 6);
	assert_int_equal(r.window.retransmissions, 0);
	assert_true(r.window_dropped >= 1);
	assert_false(alert_report_ratio(&r, &ratio));
	s = line_of(&r);
	assert_non_null(strstr(s, ",\"retransmission_ratio\":null}\n"));
	free(s);
	alert_calls_free(ac);
	calls_free(c);
	calls_free(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ratio_arithmetic),
		cmocka_unit_test(window_and_feed),
		cmocka_unit_test(rejections_fire_not_retransmissions),
		cmocka_unit_test(line_fields),
		cmocka_unit_test(hostile_label_escaped),
		cmocka_unit_test(alertmanager_body),
		cmocka_unit_test(callers_bounded_and_merged),
		cmocka_unit_test(default_line_shape),
		cmocka_unit_test(report_names_callers_only_when_asked),
		cmocka_unit_test(report_drops_null_the_ratio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
