/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The order bpf/sip6xx.bpf.c decides a frame in, on the host: the fast path;
 * else the outer walk (the tail-called slow stage) and the fast checks after
 * it; else the inner walk (sip6xx_*_inner()) and the same fast payload check
 * (decide_payload()). The unit tests and the fuzzer hold it to sip_parse_frame().
 */
#ifndef SIP6XX_TESTS_STAGED_H
#define SIP6XX_TESTS_STAGED_H

#include "sip_fast.h"

/*
 * Returns the outcome with *fr filled as the kernel counts it, or
 * SIP_PARSE_SLOW where the generic payload stage decides: the kernel trusts
 * that only with payloads shorter than a status line, so never a response.
 */
static inline int staged_parse(void *data, void *end, const struct sip6xx_config *cfg,
			       struct sip_fast_result *fr)
{
	struct sip_parse_result res = {};
	struct sip_l4_info l4 = {};
	int walked, ret;

	ret = sip_fast_frame(data, end, cfg, fr);
	if (ret != SIP_PARSE_SLOW)
		return ret;
	walked = sip_parse_headers(data, end, 0, SIP_AT_ETH, SIP_WALK_OUTER, cfg, &res, &l4);
	ret = sip_fast_after_walk(data, end, walked, &l4, cfg, fr);
	if (ret != SIP_PARSE_SLOW || walked != SIP_PARSE_TUNNEL)
		return ret;
	walked = sip_parse_headers(data, end, l4.inner_off, l4.inner_at, SIP_WALK_INNER, cfg, &res,
				   &l4);
	/* The inner walk never returns SIP_PARSE_TUNNEL: this is sip_fast_l4() or its outcome. */
	return sip_fast_after_walk(data, end, walked, &l4, cfg, fr);
}

#endif
