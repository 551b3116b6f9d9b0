// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The libosip2 decoder (user/calls/sip_decode.c) and canonical caller
 * identities (user/calls/caller_id.c): the fields of well-formed messages,
 * compact header names, several Reason values, and bad input (truncated,
 * binary, NUL-containing, huge) that must be unparsed, never a crash. Every
 * input sits in a heap block of exactly its length, so ASan or valgrind see
 * any read past it.
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
#include "calls/sip_decode.h"

#define CRLF "\r\n"

static const char resp_607[] =
	"SIP/2.0 607 Unwanted" CRLF
	"Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK-top;received=198.18.0.1, "
	"SIP/2.0/UDP 198.18.0.9;branch=z9hG4bK-second" CRLF
	"From: \"Alice\" <sip:+1-202-555-0101@Example.COM>;tag=a1" CRLF
	"To: <sip:bob@example.net>;tag=b2" CRLF "Call-ID: 4f2e@198.18.0.1" CRLF
	"CSeq: 42 INVITE" CRLF
	"P-Asserted-Identity: <tel:+12025550199>, <sip:alice@example.com>" CRLF
	"Content-Length: 0" CRLF CRLF;

/* Decodes a copy of @len bytes in a block of exactly that size. */
static int decode(const char *text, size_t len, struct sip_msg *m)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, text, len);
	ret = sip_decode(copy, len, m);
	free(copy);
	return ret;
}

static int decode_str(const char *text, struct sip_msg *m)
{
	return decode(text, strlen(text), m);
}

static void response_fields(void **state)
{
	struct sip_msg m;

	assert_int_equal(decode_str(resp_607, &m), 0);
	assert_int_equal(m.status, 607);
	assert_string_equal(m.method, "");
	assert_string_equal(m.call_id, "4f2e@198.18.0.1");
	assert_int_equal(m.cseq_num, 42);
	assert_string_equal(m.cseq_method, "INVITE");
	assert_string_equal(m.branch, "z9hG4bK-top");
	assert_string_equal(m.from, "sip:+1-202-555-0101@Example.COM");
	assert_string_equal(m.to, "sip:bob@example.net");
	assert_string_equal(m.pai, "tel:+12025550199");
	assert_false(m.has_jwscard);
	assert_int_equal(m.nr_reasons, 0);
}

static void bye_with_reasons(void **state)
{
	static const char bye[] =
		"BYE sip:alice@198.18.0.1 SIP/2.0" CRLF
		"v: SIP/2.0/UDP 198.18.0.2;branch=z9hG4bK-bye" CRLF
		"f: <sip:bob@example.net>;tag=b2" CRLF "t: <sip:alice@example.com>;tag=a1" CRLF
		"i: call-7@example.net" CRLF "CSeq: 7 BYE" CRLF
		"Reason: SIP ;cause=607 ;text=\"Unwanted, really\"" CRLF
		"Reason: Q.850;cause=21, STIR;cause=438;text=\"Invalid\"" CRLF "l: 0" CRLF CRLF;
	struct sip_msg m;

	assert_int_equal(decode_str(bye, &m), 0);
	assert_int_equal(m.status, 0);
	assert_string_equal(m.method, "BYE");
	assert_string_equal(m.call_id, "call-7@example.net");
	assert_string_equal(m.cseq_method, "BYE");
	assert_string_equal(m.branch, "z9hG4bK-bye");
	assert_int_equal(m.nr_reasons, 3);
	assert_string_equal(m.reasons[0].protocol, "SIP");
	assert_int_equal(m.reasons[0].cause, 607);
	assert_string_equal(m.reasons[0].text, "Unwanted, really");
	assert_string_equal(m.reasons[1].protocol, "Q.850");
	assert_int_equal(m.reasons[1].cause, 21);
	assert_string_equal(m.reasons[1].text, "");
	assert_string_equal(m.reasons[2].protocol, "STIR");
	assert_int_equal(m.reasons[2].cause, 438);
	assert_string_equal(m.reasons[2].text, "Invalid");
}

static void reason_bad_cause(void **state)
{
	static const char cancel[] =
		"CANCEL sip:bob@198.18.0.2 SIP/2.0" CRLF
		"Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bK-c" CRLF
		"From: <sip:alice@example.com>;tag=a" CRLF "To: <sip:bob@example.net>" CRLF
		"Call-ID: c1" CRLF "CSeq: 1 CANCEL" CRLF "Reason: SIP;cause=6o8" CRLF
		"Reason: SIP;text=\"no cause\"" CRLF "Reason: SIP;cause=99999999999" CRLF CRLF;
	struct sip_msg m;

	assert_int_equal(decode_str(cancel, &m), 0);
	assert_string_equal(m.method, "CANCEL");
	assert_int_equal(m.nr_reasons, 3);
	assert_int_equal(m.reasons[0].cause, SIP_NO_CAUSE);
	assert_int_equal(m.reasons[1].cause, SIP_NO_CAUSE);
	assert_string_equal(m.reasons[1].text, "no cause");
	assert_int_equal(m.reasons[2].cause, SIP_NO_CAUSE);
}

static void call_info_jwscard(void **state)
{
	static const char resp[] =
		"SIP/2.0 608 Rejected" CRLF "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bK-608" CRLF
		"From: <sip:alice@example.com>;tag=a" CRLF "To: <sip:bob@example.net>;tag=b" CRLF
		"Call-ID: c608" CRLF "CSeq: 1 INVITE" CRLF
		"Call-Info: <https://example.net/logo.png>;purpose=icon" CRLF
		"Call-Info: <https://analytics.example.org/jcard.json>;Purpose=JWSCARD" CRLF CRLF;
	struct sip_msg m;

	assert_int_equal(decode_str(resp, &m), 0);
	assert_int_equal(m.status, 608);
	assert_true(m.has_jwscard);
	assert_string_equal(m.jwscard, "https://analytics.example.org/jcard.json");
}

static void call_info_other_purpose(void **state)
{
	static const char resp[] =
		"SIP/2.0 608 Rejected" CRLF "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bK-608" CRLF
		"Call-ID: c608" CRLF "CSeq: 1 INVITE" CRLF
		"Call-Info: <https://example.net/logo.png>;purpose=icon" CRLF CRLF;
	struct sip_msg m;

	assert_int_equal(decode_str(resp, &m), 0);
	assert_false(m.has_jwscard);
	assert_string_equal(m.jwscard, "");
}

/* No Call-ID, no CSeq, a CSeq number out of range, no start line: no transaction. */
static void missing_required(void **state)
{
	static const char *const bad[] = {
		"SIP/2.0 607 Unwanted" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK-1" CRLF
		"CSeq: 1 INVITE" CRLF CRLF,
		"SIP/2.0 607 Unwanted" CRLF "Call-ID: x" CRLF CRLF,
		"SIP/2.0 607 Unwanted" CRLF "Call-ID: x" CRLF "CSeq: 2147483648 INVITE" CRLF CRLF,
		"SIP/2.0 607 Unwanted" CRLF "Call-ID: x" CRLF "CSeq: -1 INVITE" CRLF CRLF,
		"Call-ID: x" CRLF "CSeq: 1 INVITE" CRLF CRLF,
		"SIP/2.0 999 Nine" CRLF "Call-ID: x" CRLF "CSeq: 1 INVITE" CRLF CRLF,
		"",
	};
	struct sip_msg m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(decode_str(bad[i], &m), 0);
		assert_int_equal(m.status, 0);
		assert_string_equal(m.call_id, "");
	}
	assert_int_not_equal(sip_decode(NULL, 10, &m), 0);
}

/*
 * Every prefix of a message: a cut inside a header line decodes the lines
 * before it, so once Call-ID and CSeq are whole the prefix decodes, with
 * each field whole or empty, never half; never a crash or an overread.
 */
static void every_prefix(void **state)
{
	const char *cseq_end = strstr(resp_607, "CSeq: 42 INVITE\r\n") + 17;
	size_t len, whole = cseq_end - resp_607;
	struct sip_msg m;

	for (len = 0; len <= strlen(resp_607); len++) {
		int ret = decode(resp_607, len, &m);

		if (len < whole) {
			assert_int_not_equal(ret, 0);
			continue;
		}
		assert_int_equal(ret, 0);
		assert_int_equal(m.status, 607);
		assert_string_equal(m.call_id, "4f2e@198.18.0.1");
		assert_int_equal(m.cseq_num, 42);
		assert_true(!strcmp(m.pai, "") || !strcmp(m.pai, "tel:+12025550199"));
	}
}

/* NULs, bytes >= 0x80 and control bytes in place of header bytes. */
static void binary_bytes(void **state)
{
	size_t len = strlen(resp_607), i;
	char *buf = malloc(len);
	struct sip_msg m;
	unsigned int seed = 18;

	assert_non_null(buf);
	for (i = 0; i < 2000; i++) {
		size_t at, n;

		memcpy(buf, resp_607, len);
		for (n = 0; n < 4; n++) {
			seed = seed * 1103515245 + 12345;
			at = (seed >> 8) % len;
			buf[at] = (char)(seed >> 20);
		}
		if (!decode(buf, len, &m)) {
			assert_true(m.status >= 100 && m.status <= 699);
			assert_true(strlen(m.call_id) < sizeof(m.call_id));
		}
	}
	free(buf);
}

/* Values longer than the fields are cut, not overflowed; a huge message is cut at the limit. */
static void long_values(void **state)
{
	size_t big = SIP_DECODE_MAX_LEN + 4096, n;
	char *buf = malloc(big);
	struct sip_msg m;

	assert_non_null(buf);
	n = snprintf(buf, big, "SIP/2.0 603 Decline" CRLF "Call-ID: ");
	memset(buf + n, 'c', 1000);
	n += 1000;
	n += snprintf(buf + n, big - n, CRLF "CSeq: 1 INVITE" CRLF "Via: SIP/2.0/UDP h;branch=");
	memset(buf + n, 'b', 500);
	n += 500;
	n += snprintf(buf + n, big - n, CRLF "X-Pad: ");
	/* The pad runs past SIP_DECODE_MAX_LEN: decoded up to the last line before it. */
	memset(buf + n, 'x', big - n);
	assert_int_equal(decode(buf, big, &m), 0);
	assert_int_equal(m.status, 603);
	assert_int_equal(strlen(m.call_id), SIP_FIELD_LEN - 1);
	assert_int_equal(strlen(m.branch), SIP_BRANCH_LEN - 1);
	free(buf);
}

struct canon_case {
	const char *uri;
	const char *want; /* NULL: no identity */
};

static void canonical_ids(void **state)
{
	static const struct canon_case cases[] = {
		{ "tel:+12025550101", "+12025550101" },
		{ "tel:+1-202-555-0101;ext=7", "+12025550101" },
		{ "tel:+1 202", NULL },
		{ "tel:5550101;phone-context=+1-202", "+12025550101" },
		{ "tel:7042;phone-context=Example.COM", "7042@example.com" },
		{ "tel:7042", NULL },
		{ "sip:+12025550101@Example.com;user=phone", "+12025550101" },
		{ "sip:+1(202)555.0101;isub=12@h", "+12025550101" },
		{ "sips:+44-20-7946-0000@gw.example.net", "+442079460000" },
		/* National numbers stay names: the country is unknown. */
		{ "sip:2025550101@GW.Example.net", "2025550101@gw.example.net" },
		{ "sip:Alice@Example.COM", "alice@example.com" },
		{ "sip:example.com", "example.com" },
		/* More than 15 digits is no E.164 number. */
		{ "sip:+1234567890123456@h", "+1234567890123456@h" },
		{ "http://example.com/x", NULL },
		{ "", NULL },
		{ "not a uri", NULL },
	};
	char out[CALLER_ID_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = caller_id_canonical(cases[i].uri, out, sizeof(out));

		if (cases[i].want) {
			if (ret || strcmp(out, cases[i].want))
				fail_msg("%s: got %d \"%s\", want \"%s\"", cases[i].uri, ret, out,
					 cases[i].want);
		} else if (!ret) {
			fail_msg("%s: got \"%s\", want none", cases[i].uri, out);
		}
	}
}

static void caller_prefers_pai(void **state)
{
	struct sip_msg m;
	char out[CALLER_ID_LEN];

	assert_int_equal(decode_str(resp_607, &m), 0);
	assert_int_equal(caller_id_of(&m, out, sizeof(out)), 0);
	assert_string_equal(out, "+12025550199");
	m.pai[0] = '\0';
	assert_int_equal(caller_id_of(&m, out, sizeof(out)), 0);
	assert_string_equal(out, "+12025550101");
	m.from[0] = '\0';
	assert_int_not_equal(caller_id_of(&m, out, sizeof(out)), 0);
}

/* RFC 4231 test case 2 ("Jefe"), cut to 16 hex digits: the hash is HMAC-SHA-256. */
static void caller_hash(void **state)
{
	char out[CALLER_HASH_CHARS + 1], again[CALLER_HASH_CHARS + 1];

	caller_id_hash("Jefe", 4, "what do ya want for nothing?", out);
	assert_string_equal(out, "5bdcc146bf60754e");
	caller_id_hash("key-1", 5, "+12025550101", out);
	caller_id_hash("key-1", 5, "+12025550101", again);
	assert_string_equal(out, again);
	caller_id_hash("key-2", 5, "+12025550101", again);
	assert_string_not_equal(out, again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(response_fields),
		cmocka_unit_test(bye_with_reasons),
		cmocka_unit_test(reason_bad_cause),
		cmocka_unit_test(call_info_jwscard),
		cmocka_unit_test(call_info_other_purpose),
		cmocka_unit_test(missing_required),
		cmocka_unit_test(every_prefix),
		cmocka_unit_test(binary_bytes),
		cmocka_unit_test(long_values),
		cmocka_unit_test(canonical_ids),
		cmocka_unit_test(caller_prefers_pai),
		cmocka_unit_test(caller_hash),
	};

	sip_decode_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
