// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The transaction table (user/calls/txn_table.c) and the decisions on top of
 * it (user/calls/calls.c): TTL, least-recently-seen eviction, time that comes
 * from the caller (and never runs backwards in an unsorted capture); the
 * first 6xx of a transaction is a rejection and its repeats retransmissions,
 * a Reason counts once per transaction, a call once per code and phase, and
 * a 608 without purpose=jwscard is flagged.
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

#include "calls/calls.h"
#include "calls/txn_table.h"

#define CRLF "\r\n"

static enum txn_seen see(struct txn_table *t, const char *key, __u64 now_ms)
{
	struct txn_key k;

	txn_key_init(t, &k);
	txn_key_add_str(&k, key);
	return txn_table_see(t, &k, now_ms);
}

static void table_repeat_and_ttl(void **state)
{
	struct txn_table *t = txn_table_new(16, TXN_TTL_MS);

	assert_non_null(t);
	assert_int_equal(see(t, "a", 1000), TXN_NEW);
	assert_int_equal(see(t, "a", 1500), TXN_REPEAT);
	assert_int_equal(see(t, "b", 1500), TXN_NEW);
	assert_int_equal(txn_table_tracked(t), 2);
	/* 32 s after "a" was last seen it is gone; "b" too, at the same age. */
	assert_int_equal(see(t, "a", 1500 + TXN_TTL_MS - 1), TXN_REPEAT);
	assert_int_equal(see(t, "a", 1498 + 2 * TXN_TTL_MS), TXN_REPEAT);
	assert_int_equal(txn_table_tracked(t), 1);
	txn_table_expire(t, 1499 + 3 * TXN_TTL_MS);
	assert_int_equal(txn_table_tracked(t), 0);
	assert_int_equal(see(t, "a", 1499 + 3 * TXN_TTL_MS), TXN_NEW);
	assert_int_equal(txn_table_evicted(t), 0);
	txn_table_free(t);
}

/* Length-prefixed fields: ("ab", "c") is not ("a", "bc"). */
static void table_field_boundaries(void **state)
{
	struct txn_table *t = txn_table_new(16, TXN_TTL_MS);
	struct txn_key k;

	assert_non_null(t);
	txn_key_init(t, &k);
	txn_key_add_str(&k, "ab");
	txn_key_add_str(&k, "c");
	assert_int_equal(txn_table_see(t, &k, 0), TXN_NEW);
	txn_key_init(t, &k);
	txn_key_add_str(&k, "a");
	txn_key_add_str(&k, "bc");
	assert_int_equal(txn_table_see(t, &k, 0), TXN_NEW);
	txn_key_init(t, &k);
	txn_key_add_str(&k, "ab");
	txn_key_add_str(&k, "c");
	assert_int_equal(txn_table_see(t, &k, 0), TXN_REPEAT);
	txn_table_free(t);
}

static void table_eviction_lru(void **state)
{
	struct txn_table *t = txn_table_new(3, TXN_TTL_MS);

	assert_non_null(t);
	assert_int_equal(see(t, "a", 0), TXN_NEW);
	assert_int_equal(see(t, "b", 1), TXN_NEW);
	assert_int_equal(see(t, "c", 2), TXN_NEW);
	assert_int_equal(see(t, "a", 3), TXN_REPEAT); /* "b" is now the least recent */
	assert_int_equal(see(t, "d", 4), TXN_NEW);
	assert_int_equal(txn_table_evicted(t), 1);
	assert_int_equal(txn_table_tracked(t), 3);
	assert_int_equal(see(t, "a", 5), TXN_REPEAT);
	assert_int_equal(see(t, "c", 6), TXN_REPEAT);
	assert_int_equal(see(t, "d", 7), TXN_REPEAT);
	assert_int_equal(see(t, "b", 8), TXN_NEW); /* evicted: new again, evicting "a" */
	assert_int_equal(txn_table_evicted(t), 2);
	txn_table_free(t);
}

/* Many more keys than capacity: the fill never passes it, each key is new or evicted. */
static void table_flood(void **state)
{
	struct txn_table *t = txn_table_new(1000, TXN_TTL_MS);
	char key[32];
	int i;

	assert_non_null(t);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(see(t, key, i / 100), TXN_NEW);
		assert_true(txn_table_tracked(t) <= 1000);
	}
	assert_int_equal(txn_table_tracked(t) + txn_table_evicted(t), 100000);
	/* Expired entries make room without evictions. */
	txn_table_expire(t, 100000 / 100 + TXN_TTL_MS);
	assert_int_equal(txn_table_tracked(t), 0);
	assert_int_equal(see(t, "again", 100000 / 100 + TXN_TTL_MS), TXN_NEW);
	assert_int_equal(txn_table_tracked(t) + txn_table_evicted(t), 100000 - 1000 + 1);
	txn_table_free(t);
}

/* A capture out of order: an earlier time counts as the latest seen, nothing expires early. */
static void table_time_backwards(void **state)
{
	struct txn_table *t = txn_table_new(16, TXN_TTL_MS);

	assert_non_null(t);
	assert_int_equal(see(t, "a", 100000), TXN_NEW);
	assert_int_equal(see(t, "a", 5), TXN_REPEAT);
	assert_int_equal(see(t, "b", 5), TXN_NEW);
	txn_table_expire(t, 0);
	assert_int_equal(txn_table_tracked(t), 2);
	txn_table_expire(t, 100000 + TXN_TTL_MS);
	assert_int_equal(txn_table_tracked(t), 0);
	txn_table_free(t);
}

static void table_bad_capacity(void **state)
{
	assert_null(txn_table_new(0, TXN_TTL_MS));
	assert_null(txn_table_new(TXN_MAX_CAPACITY + 1, TXN_TTL_MS));
}

/* A message built from a template: %1$s is the start line, %2$s the rest. */
static void observe(struct calls *c, __u64 ms, __u16 sport, const char *start, const char *call_id,
		    const char *cseq, const char *branch, const char *extra)
{
	struct calls_frame f = { .time_ms = ms,
				 .dir = SIP6XX_DIR_RX,
				 .family = SIP6XX_FAMILY_IPV4,
				 .sport = sport,
				 .dport = 5060 };
	char msg[2048];
	int n;

	f.saddr[10] = f.saddr[11] = 0xff;
	f.saddr[12] = 198;
	f.saddr[13] = 18;
	f.saddr[15] = 2;
	n = snprintf(msg, sizeof(msg),
		     "%s" CRLF "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=%s" CRLF
		     "From: <sip:+12025550101@example.com>;tag=a" CRLF
		     "To: <sip:bob@example.net>;tag=b" CRLF "Call-ID: %s" CRLF "CSeq: %s" CRLF
		     "%s" CRLF,
		     start, branch, call_id, cseq, extra);
	calls_observe(c, &f, msg, n);
}

#define ST(c) (&(c)->st)
#define RX    SIP6XX_DIR_RX

static void rejection_then_retransmissions(void **state)
{
	struct calls *c = calls_new(64);
	int i;

	assert_non_null(c);
	/* 607 to INVITE, sent 3 times (timer G: 0.5 s, 1 s), then a new call. */
	for (i = 0; i < 3; i++)
		observe(c, 1000 + i * 500, 5060, "SIP/2.0 607 Unwanted", "call-1", "1 INVITE",
			"z9hG4bK-1", "");
	assert_int_equal(ST(c)->rejections[RX][7][CALLS_METHOD_INVITE], 1);
	assert_int_equal(ST(c)->retransmissions[RX][7], 2);
	assert_int_equal(ST(c)->calls_rejected[RX][7][CALLS_PHASE_SETUP], 1);
	assert_int_equal(ST(c)->samples[RX], 3);
	assert_int_equal(ST(c)->unparsed[RX], 0);

	/* The same call, a new INVITE transaction (new CSeq, branch): a rejection, not a new call.
	 */
	observe(c, 3000, 5060, "SIP/2.0 607 Unwanted", "call-1", "2 INVITE", "z9hG4bK-2", "");
	assert_int_equal(ST(c)->rejections[RX][7][CALLS_METHOD_INVITE], 2);
	assert_int_equal(ST(c)->calls_rejected[RX][7][CALLS_PHASE_SETUP], 1);
	/* Another source port: another transaction on the wire. */
	observe(c, 3000, 5062, "SIP/2.0 607 Unwanted", "call-1", "2 INVITE", "z9hG4bK-2", "");
	assert_int_equal(ST(c)->rejections[RX][7][CALLS_METHOD_INVITE], 3);
	/* 33 s later the transaction is gone: the same bytes are a new rejection. */
	observe(c, 3000 + TXN_TTL_MS + 1000, 5060, "SIP/2.0 607 Unwanted", "call-1", "2 INVITE",
		"z9hG4bK-2", "");
	assert_int_equal(ST(c)->rejections[RX][7][CALLS_METHOD_INVITE], 4);
	assert_int_equal(ST(c)->retransmissions[RX][7], 2);
	/* The call is still the one rejected: it stays counted for CALLS_SEEN_TTL_MS. */
	assert_int_equal(ST(c)->calls_rejected[RX][7][CALLS_PHASE_SETUP], 1);
	observe(c, 3000 + TXN_TTL_MS + 1000 + CALLS_SEEN_TTL_MS, 5060, "SIP/2.0 607 Unwanted",
		"call-1", "3 INVITE", "z9hG4bK-3", "");
	assert_int_equal(ST(c)->calls_rejected[RX][7][CALLS_PHASE_SETUP], 2);
	/* A 603 to a SUBSCRIBE: method from CSeq. */
	observe(c, 40000, 5060, "SIP/2.0 603 Decline", "call-2", "5 SUBSCRIBE", "z9hG4bK-s", "");
	assert_int_equal(ST(c)->rejections[RX][3][CALLS_METHOD_SUBSCRIBE], 1);
	assert_int_equal(ST(c)->calls_rejected[RX][3][CALLS_PHASE_SETUP], 0);
	observe(c, 40000, 5060, "SIP/2.0 603 Decline", "call-3", "5 invite", "z9hG4bK-t", "");
	assert_int_equal(ST(c)->rejections[RX][3][CALLS_METHOD_OTHER], 1);
	calls_free(c);
}

static void reason_once_per_transaction(void **state)
{
	struct calls *c = calls_new(64);
	int i;

	assert_non_null(c);
	/* A BYE with SIP 607 and Q.850 21, retransmitted (timer E) twice. */
	for (i = 0; i < 3; i++)
		observe(c, 1000 + i * 500, 5060, "BYE sip:alice@198.18.0.1 SIP/2.0", "call-b",
			"3 BYE", "z9hG4bK-b",
			"Reason: SIP;cause=607;text=\"Unwanted\"" CRLF "Reason: Q.850;cause=21");
	assert_int_equal(ST(c)->reasons[RX][CALLS_REASON_BYE][CALLS_PROTO_SIP][607], 1);
	assert_int_equal(ST(c)->reasons[RX][CALLS_REASON_BYE][CALLS_PROTO_Q850][21], 1);
	assert_int_equal(ST(c)->calls_rejected[RX][7][CALLS_PHASE_MIDCALL], 1);
	assert_int_equal(ST(c)->calls_rejected[RX][7][CALLS_PHASE_SETUP], 0);

	/* A CANCEL from a forking proxy with cause 608, on two branches: one call. */
	observe(c, 5000, 5060, "CANCEL sip:bob@198.18.0.3 SIP/2.0", "call-c", "1 CANCEL",
		"z9hG4bK-c1", "Reason: SIP;cause=608;text=\"Rejected\"");
	observe(c, 5000, 5060, "CANCEL sip:bob@198.18.0.4 SIP/2.0", "call-c", "1 CANCEL",
		"z9hG4bK-c2", "Reason: SIP;cause=608;text=\"Rejected\"");
	assert_int_equal(ST(c)->reasons[RX][CALLS_REASON_CANCEL][CALLS_PROTO_SIP][608], 2);
	assert_int_equal(ST(c)->calls_rejected[RX][8][CALLS_PHASE_CANCEL], 1);

	/* No Reason: nothing counted. A non-6xx SIP cause: a reason, no rejected call. */
	observe(c, 6000, 5060, "BYE sip:x@h SIP/2.0", "call-d", "4 BYE", "z9hG4bK-d", "");
	observe(c, 6000, 5060, "BYE sip:x@h SIP/2.0", "call-e", "4 BYE", "z9hG4bK-e",
		"Reason: SIP;cause=200;text=\"Call completed elsewhere\"");
	assert_int_equal(ST(c)->reasons[RX][CALLS_REASON_BYE][CALLS_PROTO_SIP][200], 1);
	/* An unknown protocol and an unusable cause are "other", bounded. */
	observe(c, 6000, 5060, "BYE sip:x@h SIP/2.0", "call-f", "4 BYE", "z9hG4bK-f",
		"Reason: X-Mine;cause=123456");
	assert_int_equal(ST(c)->reasons[RX][CALLS_REASON_BYE][CALLS_PROTO_OTHER][CALLS_CAUSE_OTHER],
			 1);
	calls_free(c);
}

static void jwscard_608(void **state)
{
	struct calls *c = calls_new(64);

	assert_non_null(c);
	observe(c, 0, 5060, "SIP/2.0 608 Rejected", "call-608a", "1 INVITE", "z9hG4bK-a",
		"Call-Info: <https://analytics.example.org/jcard.json>;purpose=jwscard");
	observe(c, 0, 5060, "SIP/2.0 608 Rejected", "call-608b", "1 INVITE", "z9hG4bK-b",
		"Call-Info: <https://example.net/icon.png>;purpose=icon");
	/* Its retransmission is the same transaction: flagged once. */
	observe(c, 500, 5060, "SIP/2.0 608 Rejected", "call-608b", "1 INVITE", "z9hG4bK-b",
		"Call-Info: <https://example.net/icon.png>;purpose=icon");
	assert_int_equal(ST(c)->rejections[RX][8][CALLS_METHOD_INVITE], 2);
	assert_int_equal(ST(c)->retransmissions[RX][8], 1);
	assert_int_equal(ST(c)->missing_call_info[RX], 1);
	assert_int_equal(ST(c)->calls_rejected[RX][8][CALLS_PHASE_SETUP], 2);
	calls_free(c);
}

static void unparsed_counted(void **state)
{
	struct calls *c = calls_new(64);
	struct calls_frame f = { .dir = SIP6XX_DIR_RX };
	static const char junk[] = "SIP/2.0 607 Unwanted\r\n\0\0\xff\xfe";

	assert_non_null(c);
	calls_observe(c, &f, junk, sizeof(junk));
	calls_observe(c, &f, "", 0);
	assert_int_equal(ST(c)->samples[RX], 2);
	assert_int_equal(ST(c)->unparsed[RX], 2);
	assert_int_equal(ST(c)->rejections[RX][7][CALLS_METHOD_INVITE], 0);
	/* A bad direction is ignored, not an out-of-bounds count. */
	f.dir = SIP6XX_NR_DIRS;
	calls_observe(c, &f, junk, sizeof(junk));
	assert_int_equal(ST(c)->samples[RX], 2);
	calls_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_repeat_and_ttl),
		cmocka_unit_test(table_field_boundaries),
		cmocka_unit_test(table_eviction_lru),
		cmocka_unit_test(table_flood),
		cmocka_unit_test(table_time_backwards),
		cmocka_unit_test(table_bad_capacity),
		cmocka_unit_test(rejection_then_retransmissions),
		cmocka_unit_test(reason_once_per_transaction),
		cmocka_unit_test(jwscard_608),
		cmocka_unit_test(unparsed_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
