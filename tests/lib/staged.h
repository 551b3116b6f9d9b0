/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The order bpf/sip6xx.bpf.c decides a frame in (the pipeline at its top),
 * on the host: stage 1, the fast path; else stage 2, the outer walk and the
 * fast checks after it; else stage 3, the inner walk and the same fast
 * payload checks (decide_payload()). Stage 4 takes what is left: a payload
 * shorter than a status line. The unit tests and the fuzzer hold it to
 * sip_parse_frame().
 */
#ifndef SIP6XX_TESTS_STAGED_H
#define SIP6XX_TESTS_STAGED_H

#include "sip_fast.h"

/*
 * Returns the outcome with *fr filled as the kernel counts it, or SIP_SLOW
 * where stage 4 decides: the kernel trusts that only with payloads shorter
 * than a status line, so never a response.
 */
static inline struct sip_step staged_parse(void *data, void *end, const struct sip6xx_config *cfg,
					   struct sip_fast_result *fr)
{
	struct sip_parse_result res = {};
	struct sip_l4_info l4 = {};
	struct sip_step walked, st;

	st = sip_fast_frame(data, end, cfg, fr);
	if (st.next != SIP_SLOW)
		return st;
	walked = sip_parse_headers(data, end, 0, SIP_AT_ETH, SIP_WALK_OUTER, cfg, &res, &l4);
	st = sip_fast_after_walk(data, end, walked, &l4, cfg, fr);
	if (st.next != SIP_SLOW || walked.next != SIP_TUNNEL)
		return st;
	walked = sip_parse_headers(data, end, l4.inner_off, l4.inner_at, SIP_WALK_INNER, cfg, &res,
				   &l4);
	/* The inner walk never returns SIP_TUNNEL: this is sip_fast_l4() or its outcome. */
	return sip_fast_after_walk(data, end, walked, &l4, cfg, fr);
}

#endif
