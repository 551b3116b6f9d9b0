// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sip6xx-top's pure parts, without a terminal: the Prometheus text reader,
 * a scrape turned into counts (the call context's too), rates from two
 * reads, the source sort, the top callers and the sparkline.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
#include <cmocka.h>

#include "log.h"
#include "prom_text.h"
#include "spark.h"
#include "top_cli.h"
#include "top_counts.h"
#include "top_scrape.h"
#include "top_url.h"

static void test_prom_line_with_labels(void **state)
{
	struct prom_sample s;

	assert_int_equal(1,
			 prom_parse_line("sip6xx_global_failures_total{interface=\"eth0\","
					 "direction=\"rx\",source=\"2001:db8::2\",code=\"607\"} 42",
					 &s));
	assert_string_equal("sip6xx_global_failures_total", s.name);
	assert_int_equal(4, s.nr_labels);
	assert_string_equal("2001:db8::2", prom_label(&s, "source"));
	assert_string_equal("607", prom_label(&s, "code"));
	assert_null(prom_label(&s, "instance"));
	assert_true(s.value == 42);
}

static void test_prom_line_escapes_timestamp_and_specials(void **state)
{
	struct prom_sample s;

	assert_int_equal(1,
			 prom_parse_line("m{a=\"x\\\"y\\\\z\\n\",b=\"\"} 1.5e3 1700000000000", &s));
	assert_string_equal("x\"y\\z\n", prom_label(&s, "a"));
	assert_string_equal("", prom_label(&s, "b"));
	assert_true(s.value == 1500);
	assert_int_equal(1, prom_parse_line("up 1", &s));
	assert_int_equal(0, s.nr_labels);
	assert_int_equal(1, prom_parse_line("m{} NaN", &s));
	assert_true(isnan(s.value));
	assert_int_equal(1, prom_parse_line("m +Inf", &s));
	assert_true(isinf(s.value));
}

static void test_prom_line_comments_and_garbage(void **state)
{
	struct prom_sample s;

	assert_int_equal(0, prom_parse_line("# HELP m help", &s));
	assert_int_equal(0, prom_parse_line("", &s));
	assert_int_equal(0, prom_parse_line("   ", &s));
	assert_int_equal(-1, prom_parse_line("m{a=\"unterminated} 1", &s));
	assert_int_equal(-1, prom_parse_line("m{a=x} 1", &s));
	assert_int_equal(-1, prom_parse_line("m{a=\"\\q\"} 1", &s));
	assert_int_equal(-1, prom_parse_line("m", &s));
	assert_int_equal(-1, prom_parse_line("m abc", &s));
	assert_int_equal(-1, prom_parse_line("9m 1", &s));
}

static const char scrape_body[] =
	"# TYPE sip6xx_responses_total counter\n"
	"sip6xx_responses_total{interface=\"eth0\",direction=\"rx\",code=\"100\"} 50\n"
	"sip6xx_responses_total{interface=\"eth0\",direction=\"rx\",code=\"200\"} 30\n"
	"sip6xx_responses_total{interface=\"eth0\",direction=\"rx\",code=\"607\"} 10\n"
	"sip6xx_responses_total{interface=\"eth0\",direction=\"tx\",code=\"607\"} 1\n"
	"sip6xx_responses_total{interface=\"eth1\",direction=\"rx\",code=\"608\"} 5\n"
	"sip6xx_responses_total{interface=\"eth1\",direction=\"rx\",code=\"699\"} 2\n"
	"sip6xx_global_failures_total{interface=\"eth0\",direction=\"rx\",source=\"198.18.0.2\","
	"code=\"607\"} 10\n"
	"sip6xx_global_failures_total{interface=\"eth1\",direction=\"rx\",source=\"198.18.0.2\","
	"code=\"608\"} 5\n"
	"sip6xx_global_failures_total{interface=\"eth1\",direction=\"rx\",source=\"2001:db8::2\","
	"code=\"699\"} 2\n"
	"sip6xx_peers_tracked{interface=\"eth0\"} 1\n"
	"sip6xx_peers_tracked{interface=\"eth1\"} 2\n"
	"sip6xx_peers_capacity{interface=\"eth0\"} 100\n"
	"sip6xx_peers_capacity{interface=\"eth1\"} 100\n"
	"sip6xx_alert_firing{code=\"607\"} 1\n"
	"sip6xx_alert_firing{code=\"608\"} 0\n"
	"other_metric{code=\"607\"} 99\n";

static void scrape(const char *const *ifnames, int nr, struct top_counts *c)
{
	struct top_scrape sc = { .url = "test", .ifnames = ifnames, .nr_ifnames = nr };
	char body[sizeof(scrape_body)];

	memcpy(body, scrape_body, sizeof(body));
	memset(c, 0, sizeof(*c));
	assert_int_equal(0, top_scrape_parse(&sc, body, c));
	top_counts_finish(c);
	assert_int_equal(2, sc.nr_seen);
}

static void test_scrape_sums_interfaces_and_directions(void **state)
{
	struct top_counts c;

	scrape(NULL, 0, &c);
	assert_true(c.responses == 98);
	assert_true(c.final_responses == 48);
	assert_true(c.code[top_code_col(607)] == 11);
	assert_true(c.code[top_code_col(608)] == 5);
	assert_true(c.code[TOP_COL_ALL] == 18); /* 699 too */
	assert_int_equal(2, c.nr_sources);	/* one row per address */
	assert_string_equal("198.18.0.2", c.sources[0].addr);
	assert_true(c.sources[0].count[top_code_col(607)] == 10);
	assert_true(c.sources[0].count[top_code_col(608)] == 5);
	assert_true(c.sources[0].count[TOP_COL_ALL] == 15);
	assert_true(c.sources[1].count[TOP_COL_ALL] == 2);
	assert_true(c.peers_tracked == 3 && c.peers_capacity == 200);
	assert_int_equal(TOP_ALERT_FIRING, c.alert[top_code_col(607)]);
	assert_int_equal(TOP_ALERT_QUIET, c.alert[top_code_col(608)]);
	assert_int_equal(TOP_ALERT_UNKNOWN, c.alert[top_code_col(603)]);
	top_counts_free(&c);
}

static void test_scrape_interface_filter(void **state)
{
	const char *const only[] = { "eth1" };
	struct top_counts c;

	scrape(only, 1, &c);
	assert_true(c.code[top_code_col(607)] == 0);
	assert_true(c.code[top_code_col(608)] == 5);
	assert_true(c.peers_tracked == 2);
	assert_int_equal(TOP_ALERT_FIRING, c.alert[top_code_col(607)]); /* not per interface */
	top_counts_free(&c);
}

static void test_rates_sort_and_reset(void **state)
{
	struct top_counts then = { .t = 10 }, now = { .t = 12 };
	struct top_rates r;

	top_counts_add_code(&then, 607, 100);
	top_counts_add_source(&then, "198.18.0.2", 607, 100);
	top_counts_add_source(&then, "198.18.0.3", 608, 50);
	top_counts_finish(&then);
	top_counts_add_code(&now, 607, 20); /* went backwards: the maps were re-created */
	top_counts_add_source(&now, "198.18.0.2", 607, 120);
	top_counts_add_source(&now, "198.18.0.3", 608, 90);
	top_counts_add_source(&now, "2001:db8::9", 603, 4); /* new: counts from zero */
	top_counts_finish(&now);

	assert_int_equal(0, top_rates_compute(&then, &now, &r));
	assert_true(r.seconds == 2);
	assert_true(r.code[top_code_col(607)] == 10);
	top_rates_sort(&r, top_code_col(607));
	assert_string_equal("198.18.0.2", r.sources[0].addr);
	assert_true(r.sources[0].rate[top_code_col(607)] == 10);
	top_rates_sort(&r, top_code_col(608));
	assert_string_equal("198.18.0.3", r.sources[0].addr);
	assert_true(r.sources[0].rate[TOP_COL_ALL] == 20);
	top_rates_sort(&r, top_code_col(603));
	assert_string_equal("2001:db8::9", r.sources[0].addr);
	assert_true(r.sources[0].rate[top_code_col(603)] == 2);
	top_rates_sort(&r, TOP_COL_ALL);
	assert_string_equal("198.18.0.3", r.sources[0].addr);
	top_rates_free(&r);

	/* The first read has no rate yet, but lists the sources. */
	assert_int_equal(0, top_rates_compute(NULL, &now, &r));
	assert_true(r.seconds == 0 && r.nr_sources == 3);
	top_rates_free(&r);
	top_counts_free(&then);
	top_counts_free(&now);
}

static void test_spark_levels_and_alignment(void **state)
{
	static struct spark s; /* 28 KiB: not on the stack */
	char out[3 * 8 + 1];

	memset(&s, 0, sizeof(s));
	assert_int_equal(0, spark_render(&s, 8, 1, false, out));
	assert_string_equal("", out);
	spark_push(&s, 0);
	spark_push(&s, 0.01);
	spark_push(&s, 4);
	spark_push(&s, 8);
	assert_true(spark_max(&s, 8) == 8);
	assert_int_equal(4, spark_render(&s, 8, 8, false, out));
	assert_string_equal(" .=@", out); /* zero blank, tiny still visible */
	assert_int_equal(2, spark_render(&s, 2, 8, false, out));
	assert_string_equal("=@", out); /* the newest on the right */
	spark_render(&s, 2, 8, true, out);
	assert_string_equal("\u2584\u2588", out);
	assert_int_equal(3, spark_render(&s, 3, 0, true, out));
	assert_string_equal("   ", out); /* no scale: blank, not a division by zero */
}

/* Equal rates: the larger count first, then the address as a number, IPv4 first. */
static void test_sources_tie_order(void **state)
{
	static const char *const want[] = { "198.18.0.200", "198.18.0.9",  "198.18.0.10",
					    "2001:db8::1",  "2001:db8::a", "other" };
	struct top_counts now = { .t = 1 };
	struct top_rates r;
	size_t i;

	top_counts_add_source(&now, "other", 607, 5);
	top_counts_add_source(&now, "2001:db8::a", 607, 5);
	top_counts_add_source(&now, "198.18.0.10", 607, 5);
	top_counts_add_source(&now, "2001:db8::1", 607, 5);
	top_counts_add_source(&now, "198.18.0.9", 607, 5);
	top_counts_add_source(&now, "198.18.0.200", 607, 7);
	top_counts_finish(&now);
	assert_int_equal(0, top_rates_compute(NULL, &now, &r));
	top_rates_sort(&r, top_code_col(607));
	assert_int_equal(6, r.nr_sources);
	for (i = 0; i < r.nr_sources; i++)
		if (strcmp(want[i], r.sources[i].addr))
			fail_msg("row %zu: %s, expected %s", i, r.sources[i].addr, want[i]);
	top_rates_free(&r);
	top_counts_free(&now);
}

/* The sparkline's title states the time it covers, not the screen's width. */
static void test_spark_span(void **state)
{
	static struct spark s;
	int i;

	assert_true(spark_span(&s, 154, 1) == 0);
	for (i = 0; i < 3; i++)
		spark_push(&s, i);
	assert_true(spark_span(&s, 154, 1) == 3);
	assert_true(spark_span(&s, 154, 0.5) == 1.5);
	assert_true(spark_span(&s, 2, 1) == 2);
}

/* The ALERT column is never blank: each state has its own word. */
static void test_alert_text(void **state)
{
	assert_string_equal("FIRING", top_alert_text(TOP_ALERT_FIRING));
	assert_string_equal("ok", top_alert_text(TOP_ALERT_QUIET));
	assert_string_equal("not watched", top_alert_text(TOP_ALERT_UNKNOWN));
}

/* The call context as the exporter writes it: two interfaces, both directions, BYE too. */
static const char calls_body[] =
	"sip6xx_responses_total{interface=\"eth0\",direction=\"rx\",code=\"607\"} 7\n"
	"sip6xx_context_samples_total{interface=\"eth0\",direction=\"rx\"} 12\n"
	"sip6xx_context_samples_total{interface=\"eth1\",direction=\"rx\"} 0\n"
	"sip6xx_rejections_total{interface=\"eth0\",direction=\"rx\",code=\"607\",method="
	"\"INVITE\"} 3\n"
	"sip6xx_rejections_total{interface=\"eth0\",direction=\"tx\",code=\"607\",method="
	"\"INVITE\"} 1\n"
	"sip6xx_rejections_total{interface=\"eth0\",direction=\"rx\",code=\"607\",method=\"BYE\"} "
	"2\n"
	"sip6xx_rejections_total{interface=\"eth1\",direction=\"rx\",code=\"608\",method="
	"\"INVITE\"} 5\n"
	"sip6xx_rejections_total{interface=\"eth1\",direction=\"rx\",code=\"699\",method="
	"\"INVITE\"} 1\n"
	"sip6xx_retransmissions_total{interface=\"eth0\",direction=\"rx\",code=\"607\"} 4\n"
	"sip6xx_retransmissions_total{interface=\"eth0\",direction=\"tx\",code=\"607\"} 2\n"
	"sip6xx_retransmissions_total{interface=\"eth1\",direction=\"rx\",code=\"608\"} 0\n"
	"sip6xx_retransmissions_total{interface=\"eth1\",direction=\"rx\",code=\"699\"} 3\n"
	"sip6xx_reason_total{interface=\"eth0\",direction=\"tx\",method=\"BYE\",protocol=\"SIP\","
	"cause=\"607\"} 9\n";

static void parse_text(const char *text, const char *const *ifnames, int nr, struct top_counts *c)
{
	struct top_scrape sc = { .url = "test", .ifnames = ifnames, .nr_ifnames = nr };
	char *body = strdup(text);

	assert_non_null(body);
	memset(c, 0, sizeof(*c));
	assert_int_equal(0, top_scrape_parse(&sc, body, c));
	top_counts_finish(c);
	free(body);
}

static void test_scrape_rejections_and_retransmissions(void **state)
{
	const char *const only[] = { "eth1" };
	int c607 = top_code_col(607), c608 = top_code_col(608);
	struct top_counts c;
	char ratio[16];

	parse_text(calls_body, NULL, 0, &c);
	assert_true(c.calls);
	assert_true(c.rejections[c607] == 6); /* both directions, every method */
	assert_true(c.retransmissions[c607] == 6);
	assert_true(c.rejections[c608] == 5 && c.retransmissions[c608] == 0);
	assert_true(c.rejections[TOP_COL_ALL] == 12); /* 699 too */
	assert_true(c.retransmissions[TOP_COL_ALL] == 9);
	assert_true(c.code[c607] == 7); /* packets stay packets */
	assert_false(c.callers.present || c.intermediaries.present);
	top_retx_ratio(c.rejections[c607], c.retransmissions[c607], false, ratio, sizeof(ratio));
	assert_string_equal("50.0%", ratio);
	top_retx_ratio(c.rejections[c608], c.retransmissions[c608], false, ratio, sizeof(ratio));
	assert_string_equal("0.0%", ratio);
	top_retx_ratio(0, 0, false, ratio, sizeof(ratio));
	assert_string_equal("-", ratio); /* nothing seen: no ratio, not 0% */
	top_counts_free(&c);

	parse_text(calls_body, only, 1, &c);
	assert_true(c.calls); /* eth1 decodes, though it has seen nothing */
	assert_true(c.rejections[c607] == 0 && c.rejections[c608] == 5);
	assert_true(c.retransmissions[TOP_COL_ALL] == 3);
	top_counts_free(&c);
}

/*
 * Samples the exporter dropped undecoded (rate, buffer_full) make the ratio
 * approximate: a repeat whose first copy was dropped counted as a rejection.
 * truncated was still decoded and unparsed never keys a transaction: exact.
 */
static const char dropped_body[] =
	"sip6xx_context_samples_total{interface=\"eth0\",direction=\"rx\"} 10\n"
	"sip6xx_context_dropped_total{interface=\"eth0\",direction=\"rx\",reason=\"rate\"} 3\n"
	"sip6xx_context_dropped_total{interface=\"eth0\",direction=\"tx\",reason=\"truncated\"} 7\n"
	"sip6xx_context_dropped_total{interface=\"eth1\",direction=\"rx\",reason=\"buffer_full\"} "
	"2\n"
	"sip6xx_context_dropped_total{interface=\"eth1\",direction=\"rx\",reason=\"unparsed\"} 9\n"
	"sip6xx_context_dropped_total{interface=\"eth2\",direction=\"rx\",reason=\"rate\"} 0\n"
	"sip6xx_context_dropped_total{interface=\"eth2\",direction=\"rx\",reason=\"unparsed\"} 4\n"
	"sip6xx_rejections_total{interface=\"eth0\",direction=\"rx\",code=\"607\",method="
	"\"INVITE\"} 3\n"
	"sip6xx_retransmissions_total{interface=\"eth0\",direction=\"rx\",code=\"607\"} 1\n";

static void test_retx_ratio_approximate_after_drops(void **state)
{
	const char *const eth1[] = { "eth1" }, *const eth2[] = { "eth2" };
	struct top_counts c;
	char ratio[16];

	parse_text(dropped_body, NULL, 0, &c);
	assert_true(c.context_lost == 5); /* rate and buffer_full, every interface */
	top_retx_ratio(c.rejections[TOP_COL_ALL], c.retransmissions[TOP_COL_ALL],
		       c.context_lost > 0, ratio, sizeof(ratio));
	assert_string_equal("~25.0%", ratio);
	top_counts_free(&c);
	parse_text(dropped_body, eth1, 1, &c);
	assert_true(c.context_lost == 2); /* only the interface shown */
	top_counts_free(&c);
	parse_text(dropped_body, eth2, 1, &c);
	assert_true(c.context_lost == 0); /* unparsed and a rate of 0: exact */
	top_counts_free(&c);
	top_retx_ratio(3, 1, false, ratio, sizeof(ratio));
	assert_string_equal("25.0%", ratio);
	top_retx_ratio(0, 0, true, ratio, sizeof(ratio));
	assert_string_equal("-", ratio); /* nothing seen: nothing to approximate */
}

/* The '-' line says what the scrape tells: --context-rate 0, or no such interface (-i). */
static void test_no_calls_why_names_the_interface(void **state)
{
	const char *const eth1[] = { "eth1" }, *const nosuch[] = { "nosuch0" };
	const char *const both[] = { "nosuch0", "eth1" };
	struct top_scrape sc = { .url = "test" };
	struct top_counts c;
	char body[sizeof(scrape_body)], why[256];

	memcpy(body, scrape_body, sizeof(body));
	memset(&c, 0, sizeof(c));
	assert_int_equal(0, top_scrape_parse(&sc, body, &c));
	assert_false(c.calls);
	top_scrape_no_calls_why(&sc, why, sizeof(why));
	assert_string_equal("REJ, RETX: '-' = no call context in this scrape (exporter with "
			    "--context-rate 0)",
			    why);
	sc.ifnames = eth1;
	sc.nr_ifnames = 1;
	top_scrape_no_calls_why(&sc, why, sizeof(why));
	assert_string_equal("REJ, RETX: '-' = no call context in this scrape for interface eth1 "
			    "(exporter with --context-rate 0)",
			    why);
	sc.ifnames = nosuch;
	top_scrape_no_calls_why(&sc, why, sizeof(why));
	assert_string_equal("REJ, RETX: '-' = no interface nosuch0 in this scrape (-i): no call "
			    "context, no packets",
			    why);
	assert_null(strstr(why, "--context-rate"));
	sc.ifnames = both;
	sc.nr_ifnames = 2;
	top_scrape_no_calls_why(&sc, why, sizeof(why));
	assert_non_null(strstr(why, "for interface nosuch0,eth1 (exporter with --context-rate 0)"));
	top_counts_free(&c);
}

/* --context-rate 0 (and every exporter before issue 18): no call context, not zero calls. */
static void test_scrape_without_call_context(void **state)
{
	struct top_counts c;

	scrape(NULL, 0, &c);
	assert_false(c.calls);
	assert_true(c.rejections[TOP_COL_ALL] == 0 && c.retransmissions[TOP_COL_ALL] == 0);
	assert_false(c.callers.present || c.intermediaries.present);
	top_counts_free(&c);
}

static void test_rejection_rates(void **state)
{
	struct top_counts then = { .t = 1 }, now = { .t = 3 };
	struct top_rates r;

	top_counts_add_calls(&then, 607, 10, 4);
	top_counts_add_calls(&now, 607, 30, 10);
	top_counts_add_calls(&now, 603, 2, 0);
	top_counts_finish(&then);
	top_counts_finish(&now);
	assert_int_equal(0, top_rates_compute(&then, &now, &r));
	assert_true(r.rejections[top_code_col(607)] == 10);
	assert_true(r.retransmissions[top_code_col(607)] == 3);
	assert_true(r.rejections[top_code_col(603)] == 1);
	assert_true(r.rejections[TOP_COL_ALL] == 11);
	top_rates_free(&r);
	top_counts_free(&then);
	top_counts_free(&now);
}

/* A hostile scrape's caller labels: escapes, control bytes, UTF-8; drawn only as printable ASCII.
 */
static const char callers_body[] =
	"sip6xx_context_samples_total{interface=\"eth0\",direction=\"rx\"} 1\n"
	"sip6xx_caller_rejections{interface=\"eth0\",caller=\"+12025550101\"} 5\n"
	"sip6xx_caller_rejections{interface=\"eth1\",caller=\"+12025550101\"} 2\n"
	"sip6xx_caller_rejections{interface=\"eth0\",caller=\"\x1b[2J\x1b]0;pwned\x07\"} 7\n"
	"sip6xx_caller_rejections{interface=\"eth0\",caller=\"a\\nb\\\\c\\\"d\"} 1\n"
	"sip6xx_caller_rejections{interface=\"eth0\",caller=\"caf\xc3\xa9@example.com\"} 3\n"
	"sip6xx_caller_rejections{interface=\"eth0\",caller=\"other\"} 4\n"
	"sip6xx_caller_rejections{interface=\"eth1\",caller=\"other\"} 1\n"
	"sip6xx_intermediary_rejections{interface=\"eth0\",intermediary=\"other\"} 0\n"
	"sip6xx_global_failures_total{interface=\"eth0\",direction=\"rx\",source=\"\x1b[31m198.18."
	"0.9\","
	"code=\"607\"} 2\n";

static void test_scrape_callers_hostile_labels(void **state)
{
	static const char *const want[] = { "+12025550101", "?[2J?]0;pwned?", "caf??@example.com",
					    "a?b\\c\"d", "other" };
	static const double counts[] = { 7, 7, 3, 1, 5 };
	struct top_counts c;
	size_t i, j;

	parse_text(callers_body, NULL, 0, &c);
	assert_true(c.callers.present);
	assert_true(c.intermediaries.present); /* only "other": the option is on, none yet */
	assert_int_equal(1, c.intermediaries.nr);
	assert_int_equal(5, c.callers.nr);
	assert_int_equal(1, c.nr_sources); /* the sources table draws scrape labels too */
	assert_string_equal("?[31m198.18.0.9", c.sources[0].addr);
	for (i = 0; i < c.callers.nr; i++) {
		const char *l = c.callers.rows[i].label;

		for (j = 0; l[j]; j++)
			if ((unsigned char)l[j] < 0x20 || (unsigned char)l[j] >= 0x7f)
				fail_msg("row %zu: byte 0x%02x in the label", i,
					 (unsigned char)l[j]);
		/* Highest first, ties by label, the rest last whatever its count. */
		if (strcmp(want[i], l) || c.callers.rows[i].count != counts[i])
			fail_msg("row %zu: %s %g, expected %s %g", i, l, c.callers.rows[i].count,
				 want[i], counts[i]);
	}
	top_counts_free(&c);
}

/* user/lib/label_count.c: one row per label, the most first, ties by label. */
static void test_label_count_merge_and_rank(void **state)
{
	struct label_count rows[] = { { "b", 2 }, { "a", 1 }, { "c", 3 },
				      { "b", 1 }, { "a", 2 }, { "d", 0.5 } };
	static const char *const want[] = { "a", "b", "c", "d" };
	static const double counts[] = { 3, 3, 3, 0.5 };
	size_t i, nr = label_count_merge(rows, 6);

	assert_int_equal(4, nr);
	label_count_rank(rows, nr);
	for (i = 0; i < nr; i++) {
		assert_string_equal(want[i], rows[i].label);
		assert_true(rows[i].count == counts[i]);
	}
	assert_int_equal(0, label_count_merge(NULL, 0)); /* an empty list has no rows yet */
	label_count_rank(NULL, 0);
}

/*
 * The block shows LIST_ROWS rows: "(every other)" is everything after them,
 * the scrape's "other" and every caller ranked below, not "other" alone.
 */
static void test_top_list_head_folds_the_rest(void **state)
{
	struct top_list l = {}, small = {}, six = {}, none = {};
	char label[32];
	bool has_rest;
	double rest;
	size_t i;

	for (i = 0; i < 10; i++) { /* --callers 10: ten callers of 10, the rest 5 */
		snprintf(label, sizeof(label), "caller-%02zu", i);
		assert_int_equal(0, top_list_add(&l, label, 10));
	}
	assert_int_equal(0, top_list_add(&l, TOP_LIST_OTHER, 5));
	top_list_finish(&l);
	assert_int_equal(5, top_list_head(&l, 5, &rest, &has_rest));
	assert_true(has_rest);
	assert_true(rest == 55);
	assert_string_equal("caller-04", l.rows[4].label); /* ties by label */
	assert_int_equal(10, top_list_head(&l, 20, &rest, &has_rest));
	assert_true(has_rest && rest == 5); /* only the scrape's "other" */

	assert_int_equal(0, top_list_add(&small, "a", 2));
	assert_int_equal(0, top_list_add(&small, "b", 1));
	top_list_finish(&small);
	assert_int_equal(2, top_list_head(&small, 5, &rest, &has_rest));
	assert_false(has_rest);
	assert_true(rest == 0);

	for (i = 0; i < 6; i++) { /* no "other" from the exporter, one row too many */
		snprintf(label, sizeof(label), "c%zu", i);
		assert_int_equal(0, top_list_add(&six, label, 6 - i));
	}
	top_list_finish(&six);
	assert_int_equal(5, top_list_head(&six, 5, &rest, &has_rest));
	assert_true(has_rest && rest == 1);

	assert_int_equal(0, top_list_add(&none, TOP_LIST_OTHER, 0)); /* on, nobody yet */
	top_list_finish(&none);
	assert_int_equal(0, top_list_head(&none, 5, &rest, &has_rest));
	assert_true(has_rest && rest == 0);
	top_list_free(&l);
	top_list_free(&small);
	top_list_free(&six);
	top_list_free(&none);
}

/* Endless distinct labels cost a bounded number of rows; nothing is lost from the total. */
static void test_top_list_bounded(void **state)
{
	struct top_list l = {};
	char label[64], max[TOP_LABEL_LEN + 10];
	double sum = 0;
	size_t i;

	for (i = 0; i < 3 * TOP_LIST_MAX; i++) {
		snprintf(label, sizeof(label), "caller-%zu", i);
		assert_int_equal(0, top_list_add(&l, label, 1));
	}
	memset(max, 'x', sizeof(max) - 1);
	max[sizeof(max) - 1] = '\0';
	assert_int_equal(0, top_list_add(&l, max, 1000)); /* longer than any label */
	top_list_finish(&l);
	assert_true(l.nr <= TOP_LIST_MAX);
	assert_string_equal(TOP_LIST_OTHER, l.rows[l.nr - 1].label);
	for (i = 0; i < l.nr; i++)
		sum += l.rows[i].count;
	assert_true(sum == 3 * TOP_LIST_MAX + 1000);
	top_list_free(&l);
}

/* Messages of the shared library code (map readers, pins) name sip6xx-top, not the exporter. */
static void test_library_messages_name_top(void **state)
{
	char *argv[] = { "sip6xx-top", "--delay", "2", NULL };
	char line[256] = "";
	struct top_opts o;
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);

	assert_non_null(tmp);
	optind = 0;
	top_cli_parse(3, argv, &o);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	pr_err("map peers: reading failed\n");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	assert_non_null(fgets(line, sizeof(line), tmp));
	fclose(tmp);
	assert_string_equal("sip6xx-top: error: map peers: reading failed\n", line);
}

/* --url's user name and password never reach a message or the header line. */
static void test_url_redact_drops_credentials(void **state)
{
	char out[256];

	top_url_redact("https://prometheus:s3cret@198.18.0.1:19443/metrics", out, sizeof(out));
	assert_string_equal("https://198.18.0.1:19443/metrics", out);
	top_url_redact("http://user:p%40ss@[2001:db8::1]:10060/metrics", out, sizeof(out));
	assert_string_equal("http://[2001:db8::1]:10060/metrics", out);
	top_url_redact("http://127.0.0.1:10060/metrics", out, sizeof(out));
	assert_string_equal("http://127.0.0.1:10060/metrics", out);
	/* Not a URL libcurl can parse: echoed only when it holds no '@'. */
	top_url_redact("http://us er:s3cret@", out, sizeof(out));
	assert_null(strstr(out, "s3cret"));
	top_url_redact("no-scheme", out, sizeof(out));
	assert_string_equal("no-scheme", out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prom_line_with_labels),
		cmocka_unit_test(test_prom_line_escapes_timestamp_and_specials),
		cmocka_unit_test(test_prom_line_comments_and_garbage),
		cmocka_unit_test(test_scrape_sums_interfaces_and_directions),
		cmocka_unit_test(test_scrape_interface_filter),
		cmocka_unit_test(test_scrape_rejections_and_retransmissions),
		cmocka_unit_test(test_scrape_without_call_context),
		cmocka_unit_test(test_rejection_rates),
		cmocka_unit_test(test_scrape_callers_hostile_labels),
		cmocka_unit_test(test_top_list_bounded),
		cmocka_unit_test(test_top_list_head_folds_the_rest),
		cmocka_unit_test(test_retx_ratio_approximate_after_drops),
		cmocka_unit_test(test_no_calls_why_names_the_interface),
		cmocka_unit_test(test_label_count_merge_and_rank),
		cmocka_unit_test(test_rates_sort_and_reset),
		cmocka_unit_test(test_spark_levels_and_alignment),
		cmocka_unit_test(test_sources_tie_order),
		cmocka_unit_test(test_spark_span),
		cmocka_unit_test(test_alert_text),
		cmocka_unit_test(test_library_messages_name_top),
		cmocka_unit_test(test_url_redact_drops_credentials),
	};

	return cmocka_run_group_tests_name("sip6xx-top", tests, NULL, NULL) ? 1 : 0;
}
