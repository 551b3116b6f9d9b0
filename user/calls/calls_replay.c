// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Finds the SIP message in a frame with the host build of the kernel's own
 * header walk (bpf/sip_parse.h), so replay decodes exactly the frames the
 * program counts, tunnels and VLANs included, and the kernel's samples will
 * carry the same. One context for the one capture a process replays, so
 * replay.c needs a single call and no new argument.
 */
#include <netinet/in.h> /* before sip_parse.h: see the note at its top */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sip_parse.h"
#include "calls_replay.h"

#define FRAME_ALIGN 2 /* NET_IP_ALIGN: the IP header 4-byte aligned, as the parser reads it */

static struct {
	struct calls *calls;
	struct sip6xx_config cfg;
	__u8 *buf; /* FRAME_ALIGN + 64 KiB */
	__u64 last_ms;
} rp;

int calls_replay_use(struct calls *c, const struct sip6xx_config *cfg)
{
	free(rp.buf);
	memset(&rp, 0, sizeof(rp));
	if (!c)
		return 0;
	rp.buf = malloc(FRAME_ALIGN + 0x10000);
	if (!rp.buf)
		return -ENOMEM;
	rp.calls = c;
	if (cfg)
		rp.cfg = *cfg;
	return 0;
}

/* BYE and CANCEL: the requests whose Reason may reject a call (RFC 8197 section 4). */
static bool reason_request(const __u8 *p, __u32 len)
{
	return (len >= 4 && !memcmp(p, "BYE ", 4)) || (len >= 7 && !memcmp(p, "CANCEL ", 7));
}

static void copy_addrs(const __u8 *l3, __u8 family, struct calls_frame *f)
{
	const struct ipv6hdr *ip6h = (const void *)l3;
	const struct iphdr *iph = (const void *)l3;

	f->family = family;
	if (family == SIP6XX_FAMILY_IPV6) {
		memcpy(f->saddr, &ip6h->saddr, 16);
		memcpy(f->daddr, &ip6h->daddr, 16);
		return;
	}
	f->saddr[10] = f->saddr[11] = f->daddr[10] = f->daddr[11] = 0xff;
	memcpy(&f->saddr[12], &iph->saddr, 4);
	memcpy(&f->daddr[12], &iph->daddr, 4);
}

void calls_replay_frame(const void *frame, __u32 len, const struct timeval *ts)
{
	struct sip_parse_result res = {};
	struct sip_l4_info l4 = {};
	struct calls_frame f = { .dir = SIP6XX_DIR_RX };
	__u8 *data = rp.buf + FRAME_ALIGN;
	void *end = data + len;
	enum pkt_result ret;
	struct sip_step st;
	__u32 avail;

	if (!rp.calls || len > 0x10000)
		return;
	f.time_ms = (__u64)ts->tv_sec * 1000 + ts->tv_usec / 1000;
	if (f.time_ms > rp.last_ms)
		rp.last_ms = f.time_ms;
	memcpy(data, frame, len);
	st = sip_parse_headers(data, end, 0, SIP_AT_ETH, SIP_WALK_OUTER, &rp.cfg, &res, &l4);
	if (st.next == SIP_TUNNEL)
		st = sip_parse_headers(data, end, l4.inner_off, l4.inner_at, SIP_WALK_INNER,
				       &rp.cfg, &res, &l4);
	if (st.next != SIP_CONTINUE)
		return;
	ret = sip_parse_payload(data, end, l4.payload_off, l4.dgram_len, &res);
	avail = len - l4.payload_off;
	if (avail > l4.dgram_len)
		avail = l4.dgram_len;
	if (!(ret == PKT_SIP_RESPONSE && res.code >= 600) &&
	    !(ret == PKT_SIP_REQUEST && reason_request(data + l4.payload_off, avail)))
		return;
	copy_addrs(data + l4.l3_off, l4.family, &f);
	f.sport = res.sport;
	f.dport = res.dport;
	calls_observe(rp.calls, &f, data + l4.payload_off, avail);
}

void calls_replay_done(void)
{
	if (rp.calls)
		calls_expire(rp.calls, rp.last_ms);
	free(rp.buf);
	memset(&rp, 0, sizeof(rp));
}
