// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Host tests of the shared parser (bpf/sip_parse.h): one cmocka test per
 * fixture, named by its description, plus properties over every prefix and
 * over mutated frames. Every parse also runs the kernel's fast path
 * (bpf/sip_fast.h), which must decide as the full parser does or pass, and the
 * kernel's staged order (the fast path, else the walk and the fast checks after
 * it), which must also agree. Each frame sits in a heap block of exactly its length, so a read past
 * data_end is an overread valgrind or ASan reports: valgrind --error-exitcode=1
 * build/tests/unit/test_sip_parse
 */
#include <netinet/in.h> /* before sip_parse.h: see the note at its top */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixtures.h"
#include "staged.h"

#define MUTATIONS_PER_FIXTURE 200
/*
 * Frames start 2 bytes into their block, so the IP header is 4-byte aligned
 * as NET_IP_ALIGN makes it for many drivers: the parser reads struct iphdr
 * in place, which UBSan's alignment check would otherwise flag on the host.
 */
#define FRAME_HEADROOM	      2

struct parse_run {
	int ret;
	struct sip_parse_result res;
	bool untouched;	      /* the parser left the frame as it was */
	struct sip_step fast; /* sip_fast_frame()'s: SIP_SLOW when it passed */
	bool fast_agrees;
	struct sip_step staged; /* staged_parse()'s */
	bool staged_agrees;
};

/* An outcome's label, or the stage a step leaves the frame to. */
static const char *step_name(struct sip_step st)
{
	static const char *const next[] = {
		[SIP_CONTINUE] = "continue", [SIP_TUNNEL] = "tunnel", [SIP_SLOW] = "slow"
	};

	return st.next == SIP_DECIDED ? pkt_result_name(st.outcome) : next[st.next];
}

/*
 * A fast decision @fast agrees with the full parser: outcome, code and
 * responder. The fast checks decide a frame or leave it to the slow stage,
 * nothing else.
 */
static bool fast_agrees(const struct parse_run *run, struct sip_step fast,
			const struct sip_fast_result *fr)
{
	union sip_peer_key a, b;
	const __u8 *saddr = run->res.saddr;

	if (fast.next == SIP_SLOW)
		return true;
	if (fast.next != SIP_DECIDED || fast.outcome != (enum pkt_result)run->ret)
		return false;
	if (run->ret != PKT_SIP_RESPONSE)
		return true;
	if (fr->code != run->res.code)
		return false;
	if (run->res.code < 600)
		return true;
	if (fr->family != run->res.family)
		return false;
	if (run->res.family == SIP6XX_FAMILY_IPV4)
		saddr += 12;
	sip_peer_key_fill(&a, fr->saddr, fr->family, 1, fr->code, 0);
	sip_peer_key_fill(&b, saddr, run->res.family, 1, run->res.code, 0);
	return !memcmp(&a, &b, sizeof(a));
}

/* Parses @len bytes of @frame from a heap copy that ends exactly where the frame does. */
static struct parse_run parse_exact(const __u8 *frame, size_t len, const struct sip6xx_config *cfg)
{
	__u8 *block = malloc(FRAME_HEADROOM + len);
	__u8 *data = block + FRAME_HEADROOM;
	struct sip_fast_result fr;
	struct parse_run run;

	assert_non_null(block);
	memcpy(data, frame, len);
	/* Poison: a field the parser forgets to fill must not pass by luck. */
	memset(&run.res, 0xa5, sizeof(run.res));
	run.ret = sip_parse_frame(data, data + len, cfg, &run.res);
	run.fast = sip_fast_frame(data, data + len, cfg, &fr);
	run.fast_agrees = fast_agrees(&run, run.fast, &fr);
	run.staged = staged_parse(data, data + len, cfg, &fr);
	run.staged_agrees = run.staged.next == SIP_SLOW ? run.ret != PKT_SIP_RESPONSE
							: fast_agrees(&run, run.staged, &fr);
	run.untouched = !memcmp(data, frame, len);
	free(block);
	return run;
}

static void check_fixture(void **state)
{
	const struct fixture *f = *state;
	struct parse_run run;
	__u8 *frame;
	size_t len;

	frame = fixture_frame(f, &len);
	run = parse_exact(frame, len, fixture_config(f->cfg));
	free(frame);

	if (run.ret != f->want)
		fail_msg("outcome %s (%d), want %s", pkt_result_name(run.ret), run.ret,
			 pkt_result_name(f->want));
	if (run.res.decap != f->decap)
		fail_msg("decap %s (%u), want %s (%u)",
			 run.res.decap ? pkt_result_name(run.res.decap) : "none", run.res.decap,
			 f->decap ? pkt_result_name(f->decap) : "none", f->decap);
	assert_true(run.untouched);
	if (!run.fast_agrees)
		fail_msg("the fast path decided %s, the full parser %s (or the code or responder "
			 "differs)",
			 step_name(run.fast), pkt_result_name(run.ret));
	if (!run.staged_agrees)
		fail_msg("the staged parse decided %s, the full parser %s (or the code or "
			 "responder differs)",
			 step_name(run.staged), pkt_result_name(run.ret));
	if (f->want == PKT_SIP_RESPONSE)
		assert_int_equal(run.res.code, f->code);
	if (f->want_ports) {
		assert_int_equal(run.res.sport, f->sport);
		assert_int_equal(run.res.dport, f->dport);
	}
	if (f->code >= 600) {
		assert_int_equal(run.res.family, f->family);
		assert_memory_equal(run.res.saddr, f->saddr, sizeof(f->saddr));
	}
}

/*
 * Bytes past a cut can only be missing, never contradict: a prefix of a frame
 * is either truncated or decided exactly as the whole frame is, tunnel
 * included; a truncated prefix was taken out of the whole frame's tunnel or
 * of none. Also walks every prefix of every frame through the exact-size buffer.
 */
static void test_every_prefix_is_truncated_or_agrees(void **state)
{
	const struct fixture *fx;
	struct parse_run whole, part;
	size_t nr, i, cut, len;
	__u8 *frame;

	fx = fixtures_get(&nr);
	for (i = 0; i < nr; i++) {
		if (fx[i].cut)
			continue;
		frame = fixture_frame(&fx[i], &len);
		whole = parse_exact(frame, len, fixture_config(fx[i].cfg));
		for (cut = 0; cut < len; cut++) {
			part = parse_exact(frame, cut, fixture_config(fx[i].cfg));
			if (cut < FRAME_ETH_HLEN && part.ret != PKT_TRUNCATED)
				fail_msg("%s: %zu bytes is not even Ethernet, got %s", fx[i].desc,
					 cut, pkt_result_name(part.ret));
			if (!part.fast_agrees)
				fail_msg("%s: cut to %zu bytes, the fast path decided %s, the full "
					 "parser %s (or the code or responder differs)",
					 fx[i].desc, cut, step_name(part.fast),
					 pkt_result_name(part.ret));
			if (!part.staged_agrees)
				fail_msg("%s: cut to %zu bytes, the staged parse decided %s, the "
					 "full parser %s (or the code or responder differs)",
					 fx[i].desc, cut, step_name(part.staged),
					 pkt_result_name(part.ret));
			if (part.res.decap && part.res.decap != whole.res.decap)
				fail_msg("%s: cut to %zu bytes decapsulates %s, whole frame %s",
					 fx[i].desc, cut, pkt_result_name(part.res.decap),
					 pkt_result_name(whole.res.decap));
			if (part.ret == PKT_TRUNCATED)
				continue;
			if (part.ret != whole.ret || part.res.decap != whole.res.decap ||
			    (part.ret == PKT_SIP_RESPONSE && part.res.code != whole.res.code))
				fail_msg("%s: cut to %zu bytes gives %s %u (decap %u), whole frame "
					 "%s %u (decap %u)",
					 fx[i].desc, cut, pkt_result_name(part.ret), part.res.code,
					 part.res.decap, pkt_result_name(whole.ret), whole.res.code,
					 whole.res.decap);
		}
		free(frame);
	}
}

/* xorshift32: a fixed seed keeps failures reproducible. */
static __u32 next_rand(__u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void check_sane(const struct parse_run *run, const char *desc, __u32 seed)
{
	if (run->ret < 0 || run->ret >= PKT_OUTCOME_MAX)
		fail_msg("%s, seed %u: outcome %d out of range", desc, seed, run->ret);
	if (run->res.decap &&
	    (run->res.decap < PKT_OUTCOME_MAX || run->res.decap >= PKT_RESULT_MAX))
		fail_msg("%s, seed %u: decap %u out of range", desc, seed, run->res.decap);
	if (!run->untouched)
		fail_msg("%s, seed %u: the parser wrote to the frame", desc, seed);
	if (!run->fast_agrees)
		fail_msg("%s, seed %u: the fast path decided %s, the full parser %s (or the code "
			 "or responder differs)",
			 desc, seed, step_name(run->fast), pkt_result_name(run->ret));
	if (!run->staged_agrees)
		fail_msg("%s, seed %u: the staged parse decided %s, the full parser %s (or the "
			 "code or responder differs)",
			 desc, seed, step_name(run->staged), pkt_result_name(run->ret));
	if (run->ret != PKT_SIP_RESPONSE)
		return;
	if (run->res.code < SIP_CODE_MIN || run->res.code > SIP_CODE_MAX)
		fail_msg("%s, seed %u: code %u out of range", desc, seed, run->res.code);
	if (run->res.code >= 600 && run->res.family != SIP6XX_FAMILY_IPV4 &&
	    run->res.family != SIP6XX_FAMILY_IPV6)
		fail_msg("%s, seed %u: 6xx without an address family", desc, seed);
}

/* Random byte flips and cuts: whatever the bytes, reads stay inside the frame. */
static void test_mutated_frames_stay_in_bounds(void **state)
{
	const struct fixture *fx;
	struct parse_run run;
	size_t nr, i, len, cut;
	__u32 seed = 0x5160600d;
	__u8 *frame;
	int m, k;

	fx = fixtures_get(&nr);
	for (i = 0; i < nr; i++) {
		if (fx[i].cut)
			continue;
		frame = fixture_frame(&fx[i], &len);
		for (m = 0; m < MUTATIONS_PER_FIXTURE; m++) {
			__u8 mutated[FRAME_MAX_LEN];

			memcpy(mutated, frame, len);
			for (k = next_rand(&seed) % 4; k >= 0; k--)
				mutated[next_rand(&seed) % len] ^= 1 << (next_rand(&seed) % 8);
			cut = next_rand(&seed) % 2 ? len : next_rand(&seed) % (len + 1);
			run = parse_exact(mutated, cut, fixture_config(fx[i].cfg));
			check_sane(&run, fx[i].desc, seed);
		}
		free(frame);
	}
}

/*
 * The agreement checks above pass trivially if the fast path always passes:
 * it must decide every kind of outcome it claims, on the fixtures themselves.
 */
static void test_fast_path_decides_common_frames(void **state)
{
	static const int kinds[] = { PKT_NON_IP,      PKT_NON_UDP,	PKT_NOT_SIP,
				     PKT_SIP_REQUEST, PKT_SIP_RESPONSE, PKT_MALFORMED };
	int decided[PKT_RESULT_MAX] = { 0 };
	const struct fixture *fx;
	struct parse_run run;
	size_t nr, i, len;
	__u8 *frame;
	int six = 0, six_after_walk = 0;

	fx = fixtures_get(&nr);
	for (i = 0; i < nr; i++) {
		frame = fixture_frame(&fx[i], &len);
		run = parse_exact(frame, len, fixture_config(fx[i].cfg));
		free(frame);
		if (run.fast.next == SIP_SLOW) {
			six_after_walk += run.staged.next == SIP_DECIDED &&
					  run.staged.outcome == PKT_SIP_RESPONSE &&
					  run.res.code >= 600;
			continue;
		}
		assert_int_equal(run.fast.next, SIP_DECIDED);
		assert_true(run.fast.outcome < PKT_RESULT_MAX);
		decided[run.fast.outcome]++;
		six += run.fast.outcome == PKT_SIP_RESPONSE && run.res.code >= 600;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!decided[kinds[i]])
			fail_msg("the fast path never decided %s", pkt_result_name(kinds[i]));
	if (!six)
		fail_msg("the fast path never decided a 6xx");
	/* Tunnels and IPv6 extension headers: decided after the walk. */
	if (!six_after_walk)
		fail_msg("the fast checks after the walk never decided a 6xx");
}

/*
 * The fast path's method table against the scan: every method it knows, then
 * each of the first 16 bytes replaced by bytes that end, extend or break a
 * method or a scheme, whole and cut short.
 */
static void test_fast_request_lines(void **state)
{
	static const char *const methods[] = { "ACK",	   "BYE",      "INFO",	  "REFER",
					       "PRACK",	   "INVITE",   "CANCEL",  "NOTIFY",
					       "UPDATE",   "OPTIONS",  "MESSAGE", "PUBLISH",
					       "REGISTER", "SUBSCRIBE" };
	static const char *const schemes[] = { "sip:", "sips:", "SIP:", "tel:", "urn:", "sipx" };
	static const char swaps[] = { ' ', 'x', 'E', ':', 's', '\t', '\x80', 'R' };
	struct frame_spec spec = { .ip_version = 4 };
	__u8 frame[FRAME_MAX_LEN];
	char line[64];
	size_t m, sc, pos, k, len, cut;
	int fast = 0;

	for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		for (sc = 0; sc < sizeof(schemes) / sizeof(schemes[0]); sc++) {
			for (pos = 0; pos <= 16; pos++) {
				for (k = 0; k < sizeof(swaps); k++) {
					struct parse_run run;

					snprintf(line, sizeof(line),
						 "%s %sbob@198.19.0.2 SIP/2.0\r\n", methods[m],
						 schemes[sc]);
					if (pos < 16)
						line[pos] = swaps[k];
					else if (k)
						break;
					spec.payload = line;
					len = frame_build(frame, sizeof(frame), &spec, NULL);
					assert_true(len > 0);
					for (cut = len - 16; cut <= len; cut += 4) {
						run = parse_exact(frame, cut,
								  fixture_config(FIXTURE_CFG_ANY));
						if (!run.fast_agrees)
							fail_msg("\"%s\" cut to %zu: fast %s, full "
								 "%s",
								 line, cut, step_name(run.fast),
								 pkt_result_name(run.ret));
						fast += run.fast.next == SIP_DECIDED &&
							run.fast.outcome == PKT_SIP_REQUEST;
					}
				}
			}
		}
	}
	/* Most of them are requests the table decides. */
	assert_true(fast > 1000);
}

/* The token bitmap is RFC 3261's token set, byte for byte. */
static void test_token_chars(void **state)
{
	int c, want;

	for (c = -2; c < 300; c++) {
		want = c >= 0 && c < 128 &&
		       ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || (c && strchr("-.!%*_+`'~", c)));
		if (sip_is_token_char(c) != want)
			fail_msg("byte %d: token %d, want %d", c, sip_is_token_char(c), want);
	}
}

int main(void)
{
	const struct fixture *fx;
	struct CMUnitTest *tests;
	size_t nr, i, n = 0;
	int failed;

	fx = fixtures_get(&nr);
	tests = calloc(nr + 5, sizeof(*tests));
	if (!tests)
		return 1;
	for (i = 0; i < nr; i++)
		tests[n++] = (struct CMUnitTest){
			.name = fx[i].desc,
			.test_func = check_fixture,
			.initial_state = (void *)&fx[i],
		};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_every_prefix_is_truncated_or_agrees);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_mutated_frames_stay_in_bounds);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fast_path_decides_common_frames);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fast_request_lines);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_token_chars);
	failed = _cmocka_run_group_tests("sip_parse", tests, n, NULL, NULL);
	free(tests);
	return failed ? 1 : 0; /* an exit status keeps only 8 bits of the count */
}
