/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The SIP status-line parser, shared by the BPF object and the host.
 *
 * The kernel program, the host unit tests and the fuzzer all run this very
 * code: every read goes through a bounds check against data_end, every loop
 * is bounded by a named constant, and nothing is written to the packet.
 * A frame goes through three stages: the headers (sip_hdrs.h, and one
 * tunnel level from sip_tunnel.h), the UDP payload, and the source address.
 *
 * Host users: include <netinet/in.h> (or <arpa/inet.h>) before this header,
 * so glibc and the UAPI <linux/in6.h> agree on struct in6_addr.
 */
#ifndef SIP_PARSE_H
#define SIP_PARSE_H

#include "sip_hdrs.h"
#include "sip_tunnel.h"

#define SIP_METHOD_MAX 16 /* longest request method we recognise */
#define SIP_STATUS_LEN 12 /* "SIP/2.0 NNN " */

/*
 * Byte @off of the UDP payload: -1 past the datagram (the UDP length), -2 past
 * the frame (data_end), so callers can tell "short datagram" from "cut frame".
 */
static __always_inline int sip_payload_byte(const __u8 *payload, __u32 off, __u32 dgram_len,
					    void *data_end)
{
	if (off >= dgram_len)
		return -1;
	/* Verifier: a packet offset must be provably below 64 KiB. */
	if (off > 0xffff)
		return -1;
	if ((void *)(payload + off + 1) > data_end)
		return -2;
	return payload[off];
}

/* RFC 3261 25.1 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
#define SIP_TOKEN_LO 0x03ff6ca200000000ULL /* the token bytes 0..63, one bit each */
#define SIP_TOKEN_HI 0x47ffffff87fffffeULL /* and 64..127 */

static __always_inline int sip_is_token_char(int c)
{
	if (c < 64)
		return c >= 0 && (SIP_TOKEN_LO >> c) & 1;
	return c < 128 && (SIP_TOKEN_HI >> (c - 64)) & 1;
}

/*
 * A request line starts "Method SP scheme:" with a token method and one of the
 * URI schemes SIP requests use (sip, sips, tel, urn), case-insensitively.
 * Running out of bytes is truncated when the frame was cut, else not SIP.
 */
static __always_inline enum pkt_result parse_request_line(const __u8 *payload, __u32 dgram_len,
							  void *data_end)
{
	int c, s0, s1, s2, s3, s4;
	__u32 i, m = 0;

	for (i = 0; i <= SIP_METHOD_MAX; i++) {
		c = sip_payload_byte(payload, i, dgram_len, data_end);
		if (c < 0)
			return c == -2 ? PKT_TRUNCATED : PKT_NOT_SIP;
		if (c == ' ')
			break;
		if (!sip_is_token_char(c))
			return PKT_NOT_SIP;
		m++;
	}
	if (m == 0 || m > SIP_METHOD_MAX)
		return PKT_NOT_SIP;

	/* Verifier and readers: m is at most SIP_METHOD_MAX here. */
	s0 = sip_payload_byte(payload, m + 1, dgram_len, data_end);
	s1 = sip_payload_byte(payload, m + 2, dgram_len, data_end);
	s2 = sip_payload_byte(payload, m + 3, dgram_len, data_end);
	s3 = sip_payload_byte(payload, m + 4, dgram_len, data_end);
	if (s3 == -2)
		return PKT_TRUNCATED;
	if (s3 < 0)
		return PKT_NOT_SIP;
	s0 |= 0x20;
	s1 |= 0x20;
	s2 |= 0x20;
	if (s0 == 's' && s1 == 'i' && s2 == 'p') {
		if (s3 == ':')
			return PKT_SIP_REQUEST;
		if ((s3 | 0x20) != 's')
			return PKT_NOT_SIP;
		s4 = sip_payload_byte(payload, m + 5, dgram_len, data_end);
		if (s4 == -2)
			return PKT_TRUNCATED;
		return s4 == ':' ? PKT_SIP_REQUEST : PKT_NOT_SIP;
	}
	if (s3 == ':' &&
	    ((s0 == 't' && s1 == 'e' && s2 == 'l') || (s0 == 'u' && s1 == 'r' && s2 == 'n')))
		return PKT_SIP_REQUEST;
	return PKT_NOT_SIP;
}

static __always_inline int sip_is_digit(__u8 c)
{
	return c >= '0' && c <= '9';
}

/*
 * RFC 3261 7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF.
 * SIP-Version is case-insensitive (7.1); the code is three digits, 100..699.
 */
static __always_inline enum pkt_result
parse_sip_payload(const __u8 *p, __u32 dgram_len, void *data_end, struct sip_parse_result *res)
{
	/* The cheapest test first: "SIP/" decides response path vs. everything else. */
	if (dgram_len < 4)
		return PKT_NOT_SIP;
	if ((void *)(p + 4) > data_end)
		return PKT_TRUNCATED;
	/* | 0x20 folds case for letters only; 'S'/'s' are the only bytes that map to 's'. */
	if ((p[0] | 0x20) != 's' || (p[1] | 0x20) != 'i' || (p[2] | 0x20) != 'p' || p[3] != '/')
		return parse_request_line(p, dgram_len, data_end);

	if (dgram_len < SIP_STATUS_LEN)
		return PKT_MALFORMED;
	if ((void *)(p + SIP_STATUS_LEN) > data_end)
		return PKT_TRUNCATED;
	if (p[4] != '2' || p[5] != '.' || p[6] != '0' || p[7] != ' ')
		return PKT_MALFORMED;
	if (p[8] < '1' || p[8] > '6' || !sip_is_digit(p[9]) || !sip_is_digit(p[10]) || p[11] != ' ')
		return PKT_MALFORMED;
	res->code = (p[8] - '0') * 100 + (p[9] - '0') * 10 + (p[10] - '0');
	return PKT_SIP_RESPONSE;
}

/* After the UDP header at @c: VXLAN (outer walk only), the port filter, the payload. */
static __always_inline struct sip_step sip_after_udp(const struct cursor *c, void *data,
						     enum sip_walk walk,
						     const volatile struct sip6xx_config *cfg,
						     struct sip_parse_result *res,
						     struct sip_l4_info *l4)
{
	int allow_tunnel = walk == SIP_WALK_OUTER;
	struct udphdr *udph = c->pos;
	struct cursor after = { udph + 1, c->end };
	struct sip_step st;
	__u32 ulen = 0;

	st = parse_udp(c, res, &ulen);
	if (st.next != SIP_CONTINUE)
		return st;
	/*
	 * Before the port filter: --port names the SIP ports, not the tunnel's.
	 * Only a datagram long enough for the VXLAN header is taken for VXLAN.
	 */
	if (allow_tunnel && res->dport == SIP_VXLAN_PORT &&
	    ulen >= sizeof(*udph) + sizeof(struct sip_vxlan_hdr)) {
		st = parse_vxlan(&after, data, l4);
		if (st.next != SIP_CONTINUE)
			return st;
	}
	if (allow_tunnel && res->dport == SIP_GTPU_PORT && ulen >= sizeof(*udph) + GTP_HLEN) {
		st = parse_gtpu(&after, data, l4);
		if (st.next != SIP_CONTINUE)
			return st;
	}
	if (!sip_port_allowed(cfg, res->sport, res->dport))
		return sip_decided(PKT_FILTERED_PORT);
	l4->dgram_len = ulen - sizeof(*udph);
	l4->payload_off = (void *)(udph + 1) - data;
	return sip_next(SIP_CONTINUE);
}

/*
 * Stage 1: L2, L3 and L4 from @off, which holds an @at header. Returns an
 * outcome; SIP_CONTINUE with the UDP payload in @l4; with SIP_WALK_OUTER,
 * SIP_TUNNEL with the inner frame in @l4.
 */
static __always_inline struct sip_step sip_parse_headers(void *data, void *data_end, __u32 off,
							 __u32 at, enum sip_walk walk,
							 const volatile struct sip6xx_config *cfg,
							 struct sip_parse_result *res,
							 struct sip_l4_info *l4)
{
	struct cursor c = { .end = data_end };
	struct sip_step st;
	__be16 proto = 0;
	__u8 nexthdr = 0;

	/* Verifier: the offset may arrive as a scalar and must be bounded before use. */
	if (off > SIP_MAX_OFFSET)
		return sip_decided(PKT_TRUNCATED);
	c.pos = data + off;
	if (at == SIP_AT_NONE)
		return sip_decided(PKT_NON_IP);
	if (at == SIP_AT_IPV4) {
		proto = bpf_htons(ETH_P_IP);
	} else if (at == SIP_AT_IPV6) {
		proto = bpf_htons(ETH_P_IPV6);
	} else {
		st = parse_ethhdr(&c, &proto);
		if (st.next != SIP_CONTINUE)
			return st;
	}
	l4->l3_off = c.pos - data;
	if (proto == bpf_htons(ETH_P_IP)) {
		l4->family = SIP6XX_FAMILY_IPV4;
		st = parse_ipv4(&c, &nexthdr);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		l4->family = SIP6XX_FAMILY_IPV6;
		st = parse_ipv6(&c, &nexthdr);
	} else {
		return sip_decided(PKT_NON_IP);
	}
	if (st.next != SIP_CONTINUE)
		return st;

	if (nexthdr == SIP_IPPROTO_UDP)
		return sip_after_udp(&c, data, walk, cfg, res, l4);
	if (walk == SIP_WALK_INNER)
		return sip_decided(PKT_NON_UDP);
	if (nexthdr == SIP_IPPROTO_IPIP || nexthdr == SIP_IPPROTO_IPV6)
		return parse_ip_in_ip(&c, data, nexthdr, l4);
	if (nexthdr == SIP_IPPROTO_GRE)
		return parse_gre(&c, data, l4);
	return sip_decided(PKT_NON_UDP);
}

/* Stage 2: the status or request line of the UDP payload at @off. */
static __always_inline enum pkt_result sip_parse_payload(void *data, void *data_end, __u32 off,
							 __u32 dgram_len,
							 struct sip_parse_result *res)
{
	/* Verifier: the offset arrives as a scalar and must be bounded before use. */
	if (off > SIP_MAX_OFFSET)
		return PKT_TRUNCATED;
	return parse_sip_payload((const __u8 *)data + off, dgram_len, data_end, res);
}

/* Stage 3: copies the responder's address (IPv4-mapped for IPv4) into @res. */
static __always_inline void sip_copy_source(void *data, void *data_end, __u32 l3_off, __u8 family,
					    struct sip_parse_result *res)
{
	struct ipv6hdr *ip6h;
	struct iphdr *iph;

	if (l3_off > SIP_MAX_OFFSET) /* verifier: bounded offset, as above */
		return;
	if (family == SIP6XX_FAMILY_IPV4) {
		iph = data + l3_off;
		if ((void *)(iph + 1) > data_end)
			return;
		res->family = SIP6XX_FAMILY_IPV4;
		res->saddr[10] = 0xff;
		res->saddr[11] = 0xff;
		__builtin_memcpy(&res->saddr[12], &iph->saddr, 4);
	} else {
		ip6h = data + l3_off;
		if ((void *)(ip6h + 1) > data_end)
			return;
		res->family = SIP6XX_FAMILY_IPV6;
		__builtin_memcpy(res->saddr, &ip6h->saddr, 16);
	}
}

/*
 * Parse one Ethernet frame. Returns its enum pkt_result outcome; res->decap
 * names the tunnel it was taken out of, if any; for a 6xx response,
 * res->saddr and res->family name the responder (the inner packet's source).
 * Reads only. The BPF object runs the same stages, split across a
 * tail-called program and global functions so the verifier checks each once.
 */
static __always_inline enum pkt_result sip_parse_frame(void *data, void *data_end,
						       const volatile struct sip6xx_config *cfg,
						       struct sip_parse_result *res)
{
	struct sip_l4_info l4 = {};
	enum pkt_result ret;
	struct sip_step st;

	__builtin_memset(res, 0, sizeof(*res));
	st = sip_parse_headers(data, data_end, 0, SIP_AT_ETH, SIP_WALK_OUTER, cfg, res, &l4);
	if (st.next == SIP_TUNNEL) {
		res->decap = l4.decap;
		st = sip_parse_headers(data, data_end, l4.inner_off, l4.inner_at, SIP_WALK_INNER,
				       cfg, res, &l4);
	}
	if (st.next != SIP_CONTINUE)
		return st.outcome;
	ret = sip_parse_payload(data, data_end, l4.payload_off, l4.dgram_len, res);
	if (ret == PKT_SIP_RESPONSE && res->code >= 600)
		sip_copy_source(data, data_end, l4.l3_off, l4.family, res);
	return ret;
}

#endif /* SIP_PARSE_H */
