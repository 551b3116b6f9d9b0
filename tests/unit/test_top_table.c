// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The callers' and intermediaries' top N (user/calls/top_table.c): the
 * sliding window, the bound on candidates whatever the input, ties, "other"
 * (which keeps what evicted keys had); and on top of it (user/calls/calls.c,
 * calls_metrics.c) a caller counted once per transaction, a 608's jwscard
 * host, and the label hashed with a known HMAC-SHA-256 vector.
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

#include "calls/caller_id.h"
#include "calls/calls.h"
#include "calls/calls_metrics.h"
#include "calls/top_table.h"

#define CRLF "\r\n"

static unsigned int top(struct top_table *t, struct top_item *items, __u64 *other)
{
	return top_table_top(t, items, other);
}

static void window_expiry(void **state)
{
	struct top_table *t = top_table_new(2, 10000); /* slots of 1 s */
	struct top_item it[2];
	__u64 other;

	assert_non_null(t);
	top_table_add(t, "a", 100000);
	top_table_add(t, "a", 100500);
	top_table_add(t, "b", 105000);
	assert_int_equal(top(t, it, &other), 2);
	assert_string_equal(it[0].key, "a");
	assert_int_equal(it[0].count, 2);
	assert_string_equal(it[1].key, "b");
	assert_int_equal(it[1].count, 1);
	assert_int_equal(other, 0);
	/* "a"'s slot (100 s) leaves the window when the slot of 110 s begins. */
	top_table_advance(t, 109999);
	assert_int_equal(top(t, it, &other), 2);
	top_table_advance(t, 110000);
	assert_int_equal(top(t, it, &other), 1);
	assert_string_equal(it[0].key, "b");
	assert_int_equal(top_table_held(t), 1);
	/* A long gap empties everything, in at most TOP_SLOTS passes. */
	top_table_advance(t, 1000000000);
	assert_int_equal(top(t, it, &other), 0);
	assert_int_equal(other, 0);
	assert_int_equal(top_table_held(t), 0);
	/* Time never runs backwards: an older event counts in the current slot. */
	top_table_add(t, "c", 5);
	assert_int_equal(top(t, it, &other), 1);
	assert_int_equal(it[0].count, 1);
	top_table_free(t);
}

/* No window (--replay): nothing ever leaves. */
static void no_window(void **state)
{
	struct top_table *t = top_table_new(1, 0);
	struct top_item it[1];
	__u64 other;

	assert_non_null(t);
	top_table_add(t, "a", 0);
	top_table_add(t, "b", 3600 * 1000);
	top_table_add(t, "a", 86400ULL * 1000 * 365);
	assert_int_equal(top(t, it, &other), 1);
	assert_string_equal(it[0].key, "a");
	assert_int_equal(it[0].count, 2);
	assert_int_equal(other, 1);
	top_table_free(t);
}

/* Equal counts: the key decides, so a scrape's order is stable. */
static void ties(void **state)
{
	struct top_table *t = top_table_new(2, 0);
	struct top_item it[2];
	__u64 other;

	assert_non_null(t);
	top_table_add(t, "zeta", 1);
	top_table_add(t, "beta", 2);
	top_table_add(t, "alpha", 3);
	assert_int_equal(top(t, it, &other), 2);
	assert_string_equal(it[0].key, "alpha");
	assert_string_equal(it[1].key, "beta");
	assert_int_equal(other, 1);
	top_table_free(t);
}

/*
 * A flood of distinct keys holds at most TOP_CANDIDATES(N); a heavy key
 * keeps its place and its count; "other" is every other event, the evicted
 * keys' included.
 */
static void bound_and_other(void **state)
{
	struct top_table *t = top_table_new(3, 0);
	struct top_item it[3];
	char key[32];
	__u64 other;
	int i;

	assert_non_null(t);
	for (i = 0; i < 50; i++)
		top_table_add(t, "heavy", i);
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		top_table_add(t, key, 100 + i);
		assert_true(top_table_held(t) <= TOP_CANDIDATES(3));
	}
	assert_int_equal(top_table_held(t), TOP_CANDIDATES(3));
	assert_int_equal(top(t, it, &other), 3);
	assert_string_equal(it[0].key, "heavy");
	assert_int_equal(it[0].count, 50);
	assert_int_equal(it[1].count, 1);
	assert_int_equal(it[2].count, 1);
	assert_int_equal(other, 10000 - 2);
	top_table_free(t);
}

/* Keys from packets: cut to TOP_KEY_LEN - 1 bytes, bytes outside printable ASCII as '?'. */
static void keys_cleaned(void **state)
{
	struct top_table *t = top_table_new(2, 0);
	char long_key[TOP_KEY_LEN * 2];
	struct top_item it[2];
	__u64 other;

	assert_non_null(t);
	memset(long_key, 'x', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	top_table_add(t, long_key, 0);
	top_table_add(t, "a\nb\"\xff", 0);
	assert_int_equal(top(t, it, &other), 2);
	assert_string_equal(it[0].key, "a?b\"?");
	assert_int_equal(strlen(it[1].key), TOP_KEY_LEN - 1);
	top_table_free(t);
}

/* A key spelled like the rest's label counts in the rest: one series per label value. */
static void key_named_other(void **state)
{
	struct top_table *t = top_table_new(2, 0);
	struct top_item it[2];
	__u64 other;

	assert_non_null(t);
	top_table_add(t, TOP_OTHER, 0);
	top_table_add(t, TOP_OTHER, 0);
	top_table_add(t, "a", 0);
	assert_int_equal(top(t, it, &other), 1);
	assert_string_equal(it[0].key, "a");
	assert_int_equal(other, 2);
	assert_int_equal(top_table_held(t), 1);
	top_table_free(t);
}

static void bad_sizes(void **state)
{
	assert_null(top_table_new(0, 0));
	assert_null(top_table_new(TOP_MAX_N + 1, 0));
	top_table_free(NULL);
}

static void jwscard_host(void **state)
{
	char out[CALLER_ID_LEN];

	assert_int_equal(
		caller_id_host("https://Analytics.Example.ORG/jcard.json", out, sizeof(out)), 0);
	assert_string_equal(out, "analytics.example.org");
	assert_int_equal(caller_id_host("https://u:p@h.example:8443?x", out, sizeof(out)), 0);
	assert_string_equal(out, "h.example");
	assert_int_equal(caller_id_host("https://[2001:DB8::1]:443/j", out, sizeof(out)), 0);
	assert_string_equal(out, "[2001:db8::1]");
	assert_int_equal(caller_id_host("sip:svc@Blocker.Example", out, sizeof(out)), 0);
	assert_string_equal(out, "blocker.example");
	assert_int_not_equal(caller_id_host("https:///path", out, sizeof(out)), 0);
	assert_int_not_equal(caller_id_host("", out, sizeof(out)), 0);
}

struct collected {
	int nr;
	char value[8][TOP_KEY_LEN];
	__u64 v[8];
};

static void collect(void *arg, const struct calls_sample *s)
{
	struct collected *c = arg;

	assert_int_equal(s->dir, -1);
	assert_int_equal(s->nr_labels, 1);
	if (c->nr < 8) {
		snprintf(c->value[c->nr], sizeof(c->value[0]), "%s", s->value[0]);
		c->v[c->nr++] = s->v;
	}
}

static void observe(struct calls *c, __u64 ms, const char *start, const char *call_id,
		    const char *cseq, const char *extra)
{
	struct calls_frame f = { .time_ms = ms,
				 .dir = SIP6XX_DIR_RX,
				 .family = SIP6XX_FAMILY_IPV4,
				 .sport = 5060,
				 .dport = 5060 };
	char msg[1024];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "%s" CRLF "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-%s" CRLF
		     "From: <sip:+1-202-555-0101@example.com>;tag=a" CRLF
		     "To: <sip:bob@example.net>" CRLF "Call-ID: %s" CRLF "CSeq: %s" CRLF
		     "%sContent-Length: 0" CRLF CRLF,
		     start, call_id, call_id, cseq, extra);
	calls_observe(c, &f, msg, n);
}

/*
 * Once per transaction: a 607 sent three times is one rejection of its
 * caller; a BYE with two 6xx causes one more, of its To (the BYE is the
 * callee's); P-Asserted-Identity wins over From. A 608's jwscard host counts
 * for intermediaries.
 */
static void callers_from_messages(void **state)
{
	struct calls_opts o = { .transactions = 64, .callers = 2, .intermediaries = 2 };
	struct calls *c = calls_new_opts(&o);
	struct collected got = {};
	int i;

	assert_non_null(c);
	for (i = 0; i < 3; i++)
		observe(c, 1000 + 500 * i, "SIP/2.0 607 Unwanted", "c1", "1 INVITE", "");
	observe(c, 3000, "BYE sip:a@192.0.2.1 SIP/2.0", "c2", "2 BYE",
		"Reason: SIP;cause=607, SIP;cause=608" CRLF);
	observe(c, 3000, "BYE sip:a@192.0.2.1 SIP/2.0", "c2", "2 BYE",
		"Reason: SIP;cause=607, SIP;cause=608" CRLF);
	observe(c, 3100, "BYE sip:a@192.0.2.1 SIP/2.0", "c3", "2 BYE",
		"Reason: Q.850;cause=16" CRLF);
	observe(c, 4000, "SIP/2.0 608 Rejected", "c4", "1 INVITE",
		"P-Asserted-Identity: <tel:+44-20-7946-0000>" CRLF
		"Call-Info: <https://Block.Example/j.json>;purpose=jwscard" CRLF);
	observe(c, 4000, "SIP/2.0 608 Rejected", "c5", "1 INVITE", "");
	calls_metric_each(c, CALLS_M_CALLERS, collect, &got);
	assert_int_equal(got.nr, 3);
	assert_string_equal(got.value[0], "+12025550101");
	assert_int_equal(got.v[0], 2); /* c1, c5 */
	assert_string_equal(got.value[1], "+442079460000");
	assert_int_equal(got.v[1], 1);
	/* c2's BYE came from the callee: the caller it rejects is its To, bob, third. */
	assert_string_equal(got.value[2], "other");
	assert_int_equal(got.v[2], 1);
	memset(&got, 0, sizeof(got));
	calls_metric_each(c, CALLS_M_INTERMEDIARIES, collect, &got);
	assert_int_equal(got.nr, 2);
	assert_string_equal(got.value[0], "block.example");
	assert_int_equal(got.v[0], 1);
	assert_string_equal(got.value[1], "other");
	calls_free(c);
}

/* Live: the exporter's timer (calls_expire) moves the window; samples' time fills it. */
static void callers_window_live(void **state)
{
	struct calls_opts o = { .transactions = 64, .callers = 1, .window_ms = 60000 };
	struct calls *c = calls_new_opts(&o);
	struct collected got = {};

	assert_non_null(c);
	observe(c, 600000, "SIP/2.0 607 Unwanted", "c1", "1 INVITE", "");
	observe(c, 630000, "SIP/2.0 603 Decline", "c2", "1 INVITE", "");
	calls_expire(c, 659999);
	calls_metric_each(c, CALLS_M_CALLERS, collect, &got);
	assert_int_equal(got.nr, 2);
	assert_int_equal(got.v[0], 2);
	/* At 660 s the slot of 600 s is reused: c1 has left the window, c2 not. */
	memset(&got, 0, sizeof(got));
	calls_expire(c, 660000);
	calls_metric_each(c, CALLS_M_CALLERS, collect, &got);
	assert_string_equal(got.value[0], "+12025550101");
	assert_int_equal(got.v[0], 1);
	memset(&got, 0, sizeof(got));
	calls_expire(c, 700000);
	calls_metric_each(c, CALLS_M_CALLERS, collect, &got);
	assert_int_equal(got.nr, 1);
	assert_string_equal(got.value[0], "other");
	assert_int_equal(got.v[0], 0);
	calls_free(c);
}

/* Nothing about callers unless asked for. */
static void callers_off(void **state)
{
	struct calls *c = calls_new(64);
	struct collected got = {};

	assert_non_null(c);
	observe(c, 1000, "SIP/2.0 607 Unwanted", "c1", "1 INVITE", "");
	calls_metric_each(c, CALLS_M_CALLERS, collect, &got);
	calls_metric_each(c, CALLS_M_INTERMEDIARIES, collect, &got);
	assert_int_equal(got.nr, 0);
	calls_free(c);
}

/* RFC 4231 test case 1 (key 20 x 0x0b, "Hi There") through the exported label. */
static void hashed_label(void **state)
{
	unsigned char key[20];
	struct calls_opts o = { .transactions = 64, .callers = 1 };
	struct calls *c;
	struct collected got = {};

	memset(key, 0x0b, sizeof(key));
	o.hash_key = key;
	o.hash_key_len = sizeof(key);
	c = calls_new_opts(&o);
	assert_non_null(c);
	top_table_add(c->callers, "Hi There", 0);
	calls_metric_each(c, CALLS_M_CALLERS, collect, &got);
	assert_int_equal(got.nr, 2);
	assert_string_equal(got.value[0], "b0344c61d8db3853");
	assert_int_equal(got.v[0], 1);
	assert_string_equal(got.value[1], "other");
	calls_free(c);
}

/*
 * The table as it was, a scan of every candidate for whom to evict: the
 * heap that replaced it must evict the same keys and so report the same.
 */
#define REF_CAP TOP_CANDIDATES(3)
struct ref_entry {
	char key[TOP_KEY_LEN];
	__u64 slot[TOP_SLOTS], total, seen_ms;
	bool used;
};
struct ref_table {
	struct ref_entry e[REF_CAP];
	__u64 all[TOP_SLOTS], window_ms, slot_ms, epoch, now_ms;
	bool started;
};

static unsigned int ref_slot(const struct ref_table *r, __u64 epoch)
{
	return r->window_ms ? epoch % TOP_SLOTS : 0;
}

static void ref_advance(struct ref_table *r, __u64 now_ms)
{
	__u64 epoch, steps, k;
	unsigned int s, i;

	if (r->started && now_ms <= r->now_ms)
		return;
	r->now_ms = now_ms;
	epoch = now_ms / r->slot_ms;
	if (!r->started) {
		r->started = true;
		r->epoch = epoch;
		return;
	}
	if (!r->window_ms || epoch == r->epoch)
		return;
	steps = epoch - r->epoch < TOP_SLOTS ? epoch - r->epoch : TOP_SLOTS;
	r->epoch = epoch;
	for (k = 0; k < steps; k++) {
		s = ref_slot(r, epoch - k);
		r->all[s] = 0;
		for (i = 0; i < REF_CAP; i++) {
			if (!r->e[i].used)
				continue;
			r->e[i].total -= r->e[i].slot[s];
			r->e[i].slot[s] = 0;
			if (!r->e[i].total)
				memset(&r->e[i], 0, sizeof(r->e[i]));
		}
	}
}

static void ref_add(struct ref_table *r, const char *key, __u64 now_ms)
{
	unsigned int s, i, victim = REF_CAP;

	ref_advance(r, now_ms);
	s = ref_slot(r, r->epoch);
	r->all[s]++;
	for (i = 0; i < REF_CAP; i++)
		if (r->e[i].used && !strcmp(r->e[i].key, key))
			break;
	if (i == REF_CAP) {
		for (i = 0; i < REF_CAP; i++) {
			if (!r->e[i].used)
				break;
			if (victim == REF_CAP || r->e[i].total < r->e[victim].total ||
			    (r->e[i].total == r->e[victim].total &&
			     r->e[i].seen_ms < r->e[victim].seen_ms))
				victim = i;
		}
		if (i == REF_CAP)
			i = victim;
		memset(&r->e[i], 0, sizeof(r->e[i]));
		snprintf(r->e[i].key, sizeof(r->e[i].key), "%s", key);
		r->e[i].used = true;
	}
	r->e[i].slot[s]++;
	r->e[i].total++;
	r->e[i].seen_ms = r->now_ms;
}

static int ref_by_count(const void *a, const void *b)
{
	const struct ref_entry *x = *(const struct ref_entry *const *)a;
	const struct ref_entry *y = *(const struct ref_entry *const *)b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The reference's top 3 as one line, "key=count ... other=N", as the table's below. */
static void ref_top(const struct ref_table *r, char *out, size_t size)
{
	const struct ref_entry *order[REF_CAP];
	unsigned int nr = 0, i, n = 0;
	__u64 all = 0;

	for (i = 0; i < TOP_SLOTS; i++)
		all += r->all[i];
	for (i = 0; i < REF_CAP; i++)
		if (r->e[i].used && r->e[i].total)
			order[nr++] = &r->e[i];
	qsort(order, nr, sizeof(*order), ref_by_count);
	for (i = 0; i < nr && i < 3; i++) {
		n += snprintf(out + n, size - n, "%s=%llu ", order[i]->key,
			      (unsigned long long)order[i]->total);
		all -= order[i]->total;
	}
	snprintf(out + n, size - n, "other=%llu", (unsigned long long)all);
}

static void table_top(const struct top_table *t, char *out, size_t size)
{
	struct top_item it[3];
	unsigned int nr, i, n = 0;
	__u64 other;

	nr = top_table_top(t, it, &other);
	for (i = 0; i < nr; i++)
		n += snprintf(out + n, size - n, "%s=%llu ", it[i].key,
			      (unsigned long long)it[i].count);
	snprintf(out + n, size - n, "other=%llu", (unsigned long long)other);
}

/*
 * Seeded streams against the reference: keys skewed (a few heavy, a long
 * tail of new ones that keep the 12 candidates full), several events per
 * millisecond (ties in last seen), time gaps that move the window by one
 * slot or empty it; with a window and without. Compared after every event.
 */
static void same_as_scan(void **state)
{
	static const __u64 windows[] = { 10000, 0 };
	char want[512], got[512], key[16];
	unsigned int w, seed, ev;
	__u64 now;

	for (w = 0; w < 2; w++) {
		for (seed = 1; seed <= 20; seed++) {
			struct top_table *t = top_table_new(3, windows[w]);
			struct ref_table *r = calloc(1, sizeof(*r));

			assert_non_null(t);
			assert_non_null(r);
			r->window_ms = windows[w];
			r->slot_ms = windows[w] / TOP_SLOTS ? windows[w] / TOP_SLOTS : 1;
			srandom(seed);
			now = 1000000;
			for (ev = 0; ev < 3000; ev++) {
				long x = random();

				if (x % 5 == 0)
					snprintf(key, sizeof(key), "h%ld", x % 4);
				else
					snprintf(key, sizeof(key), "t%ld", x % (seed * 10));
				if (x % 97 == 0)
					now += 1000 + x % 5000; /* one slot or a few */
				else if (x % 1999 == 0)
					now += 20000; /* past the window */
				else if (x % 3 == 0)
					now++;
				top_table_add(t, key, now);
				ref_add(r, key, now);
				table_top(t, got, sizeof(got));
				ref_top(r, want, sizeof(want));
				if (strcmp(got, want))
					fail_msg("window %llu, seed %u, event %u: got \"%s\", want "
						 "\"%s\"",
						 (unsigned long long)windows[w], seed, ev, got,
						 want);
			}
			top_table_free(t);
			free(r);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(window_expiry),
		cmocka_unit_test(no_window),
		cmocka_unit_test(ties),
		cmocka_unit_test(bound_and_other),
		cmocka_unit_test(keys_cleaned),
		cmocka_unit_test(key_named_other),
		cmocka_unit_test(bad_sizes),
		cmocka_unit_test(jwscard_host),
		cmocka_unit_test(callers_from_messages),
		cmocka_unit_test(callers_off),
		cmocka_unit_test(callers_window_live),
		cmocka_unit_test(hashed_label),
		cmocka_unit_test(same_as_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
