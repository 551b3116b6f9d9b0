// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Host tests of the shared parser (bpf/sip_parse.h): one cmocka test per
 * fixture, named by its description, plus properties over every prefix and
 * over mutated frames. Each frame sits in a heap block of exactly its length,
 * so a read past data_end is an overread valgrind or ASan reports:
 *   valgrind --error-exitcode=1 build/tests/unit/test_sip_parse
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
#include "sip_parse.h"

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
	bool untouched; /* the parser left the frame as it was */
};

/* Parses @len bytes of @frame from a heap copy that ends exactly where the frame does. */
static struct parse_run parse_exact(const __u8 *frame, size_t len, const struct sip6xx_config *cfg)
{
	__u8 *block = malloc(FRAME_HEADROOM + len);
	__u8 *data = block + FRAME_HEADROOM;
	struct parse_run run;

	assert_non_null(block);
	memcpy(data, frame, len);
	/* Poison: a field the parser forgets to fill must not pass by luck. */
	memset(&run.res, 0xa5, sizeof(run.res));
	run.ret = sip_parse_frame(data, data + len, cfg, &run.res);
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

int main(void)
{
	const struct fixture *fx;
	struct CMUnitTest *tests;
	size_t nr, i, n = 0;
	int failed;

	fx = fixtures_get(&nr);
	tests = calloc(nr + 2, sizeof(*tests));
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
	failed = _cmocka_run_group_tests("sip_parse", tests, n, NULL, NULL);
	free(tests);
	return failed ? 1 : 0; /* an exit status keeps only 8 bits of the count */
}
