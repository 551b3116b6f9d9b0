/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The fast path: one straight pass over the frame most links carry
 * (Ethernet with up to two VLAN tags, IPv4 without options or IPv6 without
 * extension headers, UDP) that decides it exactly as sip_parse_frame()
 * would, or returns SIP_SLOW and leaves it to the full walk. A cursor moves
 * by fixed steps and reads words, so the common frame costs a few instructions
 * more than XDP_PASS. After a full walk, the same checks decide what it
 * found (sip_fast_after_walk()). The host tests check both against
 * sip_parse_frame() on every fixture, every prefix, mutated frames and fuzz
 * input (tests/lib/staged.h runs them in the kernel's order).
 */
#ifndef SIP_FAST_H
#define SIP_FAST_H

#include "sip_parse.h"

#define SIP_FAST_L3 14 /* Ethernet header, before any VLAN tag */

#ifndef barrier_var /* bpf_helpers.h's; the host tests build without it */
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

/* The bytes of a 4-byte word as network order would write them. */
#define SIP_WORD(a, b, c, d)                                                                       \
	bpf_htonl((__u32)(a) << 24 | (__u32)(b) << 16 | (__u32)(c) << 8 | (__u32)(d))

/*
 * Loads at any alignment. BPF: one instruction; the verifier allows
 * unaligned packet reads where the CPU handles them (x86, arm64), which is
 * where sip6xx runs. Host: memcpy, so the tests stay free of undefined
 * behaviour.
 */
#ifdef __bpf__
#define SIP_LOAD(type, p) (*(const type *)(p))
#else
#define SIP_LOAD(type, p)                                                                          \
	({                                                                                         \
		type v_;                                                                           \
		__builtin_memcpy(&v_, (p), sizeof(v_));                                            \
		v_;                                                                                \
	})
#endif

static __always_inline __u16 sip_load16(const void *p)
{
	return SIP_LOAD(__u16, p);
}

static __always_inline __u32 sip_load32(const void *p)
{
	return SIP_LOAD(__u32, p);
}

static __always_inline __u64 sip_load64(const void *p)
{
	return SIP_LOAD(__u64, p);
}

/* The 4 bytes at the lower address of an 8-byte word loaded from memory. */
static __always_inline __u32 sip_first_half(__u64 w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__u32)w;
#else
	return w >> 32;
#endif
}

/* The 8-byte word two 4-byte words make in memory, @first at the lower address. */
static __always_inline __u64 sip_pair(__u32 first, __u32 second)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__u64)second << 32 | first;
#else
	return (__u64)first << 32 | second;
#endif
}

/*
 * A struct peer_key built as its three 8-byte words, in registers: the map
 * hashes the key in 4-byte words, and a key written field by field to the
 * stack, then read back as words, would stall on store forwarding.
 */
union sip_peer_key {
	struct peer_key key;
	__u64 w[3];
};

_Static_assert(sizeof(union sip_peer_key) == sizeof(struct peer_key),
	       "a peer key is three 8-byte words");

static __always_inline void sip_peer_key_fill(union sip_peer_key *k, const __u8 *saddr, __u8 family,
					      __u32 ifindex, __u16 code, __u8 dir)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__u32 tail = code | (__u32)family << 16 | (__u32)dir << 24;
#else
	__u32 tail = (__u32)code << 16 | (__u32)family << 8 | dir;
#endif

	if (family == SIP6XX_FAMILY_IPV4) {
		k->w[0] = 0;
		k->w[1] = sip_pair(bpf_htonl(0xffff), sip_load32(saddr)); /* ::ffff:a.b.c.d */
	} else {
		k->w[0] = sip_load64(saddr);
		k->w[1] = sip_load64(saddr + 8);
	}
	k->w[2] = sip_pair(ifindex, tail);
}

/* What the fast path found; saddr points at the responder's address in the frame. */
struct sip_fast_result {
	const __u8 *saddr;
	const __u8 *payload; /* context: the UDP payload of a response or request */
	__u32 dgram_len;     /* context: its length as the UDP header gives it */
	__u16 code;
	__u8 family;
};

/*
 * The first 8 bytes of a payload, as one word: "SIP/2.0 " with the letters
 * of "SIP" in either case is a status line's start (sip_fast_payload()).
 */
#define SIP_FOLD_SIP  sip_pair(SIP_WORD(0x20, 0x20, 0x20, 0), 0)
#define SIP_VERSION_W sip_pair(SIP_WORD('s', 'i', 'p', '/'), SIP_WORD('2', '.', '0', ' '))

/* After "SIP/2.0 " at @p: the code and the space, as parse_sip_payload() checks them. */
static __always_inline enum pkt_result sip_fast_status(const __u8 *p, struct sip_fast_result *r)
{
	__u32 d0 = p[8] - '1', d1 = p[9] - '0', d2 = p[10] - '0';

	/* Unsigned: one compare per digit; d0 is the hundreds less one, 1..6. */
	if (d0 > 5 || d1 > 9 || d2 > 9 || p[11] != ' ')
		return PKT_MALFORMED;
	r->code = (d0 + 1) * 100 + d1 * 10 + d2;
	return PKT_SIP_RESPONSE;
}

/* A request method SIP deployments send at @p, with the space after it: its length, or 0. */
static __always_inline __u32 sip_fast_method(const __u8 *p)
{
	__u32 w = sip_load32(p), w2 = sip_load32(p + 4);

	switch (w) {
	case SIP_WORD('A', 'C', 'K', ' '):
	case SIP_WORD('B', 'Y', 'E', ' '):
		return 3;
	case SIP_WORD('I', 'N', 'F', 'O'):
		return p[4] == ' ' ? 4 : 0;
	case SIP_WORD('R', 'E', 'F', 'E'):
		return (w2 & SIP_WORD(0xff, 0xff, 0, 0)) == SIP_WORD('R', ' ', 0, 0) ? 5 : 0;
	case SIP_WORD('P', 'R', 'A', 'C'):
		return (w2 & SIP_WORD(0xff, 0xff, 0, 0)) == SIP_WORD('K', ' ', 0, 0) ? 5 : 0;
	case SIP_WORD('I', 'N', 'V', 'I'):
		return (w2 & SIP_WORD(0xff, 0xff, 0xff, 0)) == SIP_WORD('T', 'E', ' ', 0) ? 6 : 0;
	case SIP_WORD('C', 'A', 'N', 'C'):
		return (w2 & SIP_WORD(0xff, 0xff, 0xff, 0)) == SIP_WORD('E', 'L', ' ', 0) ? 6 : 0;
	case SIP_WORD('N', 'O', 'T', 'I'):
		return (w2 & SIP_WORD(0xff, 0xff, 0xff, 0)) == SIP_WORD('F', 'Y', ' ', 0) ? 6 : 0;
	case SIP_WORD('U', 'P', 'D', 'A'):
		return (w2 & SIP_WORD(0xff, 0xff, 0xff, 0)) == SIP_WORD('T', 'E', ' ', 0) ? 6 : 0;
	case SIP_WORD('O', 'P', 'T', 'I'):
		return w2 == SIP_WORD('O', 'N', 'S', ' ') ? 7 : 0;
	case SIP_WORD('M', 'E', 'S', 'S'):
		return w2 == SIP_WORD('A', 'G', 'E', ' ') ? 7 : 0;
	case SIP_WORD('P', 'U', 'B', 'L'):
		return w2 == SIP_WORD('I', 'S', 'H', ' ') ? 7 : 0;
	case SIP_WORD('R', 'E', 'G', 'I'):
		return w2 == SIP_WORD('S', 'T', 'E', 'R') && p[8] == ' ' ? 8 : 0;
	case SIP_WORD('S', 'U', 'B', 'S'):
		return w2 == SIP_WORD('C', 'R', 'I', 'B') && p[8] == 'E' && p[9] == ' ' ? 9 : 0;
	}
	return 0;
}

/*
 * A payload at @c that is not a status line, at least SIP_STATUS_LEN bytes
 * in the frame and the datagram: decided as parse_request_line() would. A
 * known method is matched in a word or two, a non-token first byte (RTP,
 * most binary protocols) is not SIP at once, and the rest take the scan.
 */
static __always_inline enum pkt_result sip_fast_request(const struct cursor *c, __u64 w8,
							__u32 dgram_len)
{
	const __u8 *p = c->pos;
	__u32 m, w;

	/*
	 * "INVITE s", the request most SIP frames carry, in the word already
	 * loaded; then "sip:" at byte 7, inside the status line's 12 bytes.
	 */
	if ((w8 | sip_pair(0, SIP_WORD(0, 0, 0, 0x20))) ==
		    sip_pair(SIP_WORD('I', 'N', 'V', 'I'), SIP_WORD('T', 'E', ' ', 's')) &&
	    (sip_load32(p + 7) | SIP_WORD(0x20, 0x20, 0x20, 0)) == SIP_WORD('s', 'i', 'p', ':'))
		return PKT_SIP_REQUEST;
	if (!sip_is_token_char(p[0]))
		return PKT_NOT_SIP;
	m = sip_fast_method(p);
	/* The scheme, and the ':' of "sips:", must be in the frame and the datagram. */
	if (!m || (void *)(p + m + 6) > c->end || dgram_len < m + 6)
		return parse_request_line(p, dgram_len, c->end);
	w = sip_load32(p + m + 1) | SIP_WORD(0x20, 0x20, 0x20, 0);
	if (w == SIP_WORD('s', 'i', 'p', ':') || w == SIP_WORD('t', 'e', 'l', ':') ||
	    w == SIP_WORD('u', 'r', 'n', ':'))
		return PKT_SIP_REQUEST;
	if ((w | SIP_WORD(0, 0, 0, 0x20)) == SIP_WORD('s', 'i', 'p', 's') && p[m + 5] == ':')
		return PKT_SIP_REQUEST;
	return PKT_NOT_SIP;
}

/*
 * A UDP payload of @dgram_len bytes at @c, decided as sip_parse_payload()
 * would, or SIP_SLOW when less than a status line of it is in the frame or
 * the datagram (such a payload is never a response).
 */
static __always_inline struct sip_step sip_fast_payload(const struct cursor *c, __u32 dgram_len,
							struct sip_fast_result *r)
{
	const __u8 *p = c->pos;
	__u64 w8;

	if (dgram_len < SIP_STATUS_LEN || (void *)(p + SIP_STATUS_LEN) > c->end)
		return sip_next(SIP_SLOW);
	/*
	 * One 8-byte load and compare tells a status line from the rest.
	 * | 0x20 folds the letters' case only; '/' already has the bit.
	 */
	w8 = sip_load64(p);
	/* For the call context's sample (sip_context.bpf.h): two stores, no branch. */
	r->payload = p;
	r->dgram_len = dgram_len;
	if ((w8 | SIP_FOLD_SIP) == SIP_VERSION_W)
		return sip_decided(sip_fast_status(p, r));
	/* "SIP/" with another version: rare, so tested only after the miss. */
	if ((sip_first_half(w8) | SIP_WORD(0x20, 0x20, 0x20, 0)) == SIP_WORD('s', 'i', 'p', '/'))
		return sip_decided(PKT_MALFORMED);
	return sip_decided(sip_fast_request(c, w8, dgram_len));
}

/*
 * The payload a full header walk left in @l4 (the IP header at l3_off, the
 * UDP payload at payload_off of the frame at @data), decided as
 * sip_parse_payload() would, with the responder's address as
 * sip_copy_source() finds it; or SIP_SLOW.
 */
static __always_inline struct sip_step sip_fast_l4(void *data, void *data_end, __u64 payload_off,
						   __u32 dgram_len, __u64 l3_off, __u8 family,
						   struct sip_fast_result *r)
{
	struct cursor c = { data, data_end };
	const __u8 *ip = data;

	/* Verifier: offsets arrive as scalars and must be bounded before use. */
	if (payload_off > SIP_MAX_OFFSET)
		return sip_decided(PKT_TRUNCATED); /* never; what sip_parse_payload() says to it */
	/* Verifier: else clang folds both bound checks into one test of (a | b). */
	barrier_var(l3_off);
	if (l3_off > SIP_MAX_OFFSET)
		return sip_next(SIP_SLOW);
	ip += l3_off;
	/*
	 * The walk checked the IP header, so never slow here. One branch per
	 * family: the verifier then ties saddr's family to the bound checked.
	 */
	if (family == SIP6XX_FAMILY_IPV4) {
		if ((void *)(ip + 20) > data_end)
			return sip_next(SIP_SLOW);
		r->family = SIP6XX_FAMILY_IPV4;
		r->saddr = ip + 12;
	} else {
		if ((void *)(ip + 40) > data_end)
			return sip_next(SIP_SLOW);
		r->family = SIP6XX_FAMILY_IPV6;
		r->saddr = ip + 8;
	}
	c.pos += payload_off;
	return sip_fast_payload(&c, dgram_len, r);
}

/* The UDP datagram at @c, its headers in bounds; the payload as sip_after_udp() would see it. */
static __always_inline struct sip_step
sip_fast_udp(struct cursor *c, const volatile struct sip6xx_config *cfg, struct sip_fast_result *r)
{
	const __u8 *udp = c->pos;
	__u32 ulen = bpf_ntohs(sip_load16(udp + 4));
	__u16 dport = sip_load16(udp + 2);

	/* Tunnels and short or bad lengths: the full walk's business. */
	if (dport == bpf_htons(SIP_VXLAN_PORT) || dport == bpf_htons(SIP_GTPU_PORT))
		return sip_next(SIP_SLOW);
	if (ulen < 8 + SIP_STATUS_LEN)
		return sip_next(SIP_SLOW);
	/* Without --port, rodata holds 0 and the verifier drops the filter. */
	if (!sip_port_allowed(cfg, bpf_ntohs(sip_load16(udp)), bpf_ntohs(dport)))
		return sip_decided(PKT_FILTERED_PORT);
	c->pos += 8;
	return sip_fast_payload(c, ulen - 8, r);
}

/* From the IP header at @c on, whose EtherType is @proto: as sip_fast_frame(). */
static __always_inline struct sip_step sip_fast_ip(struct cursor *c, __u16 proto,
						   const volatile struct sip6xx_config *cfg,
						   struct sip_fast_result *r)
{
	const __u8 *ip = c->pos;
	__u8 next;

	if (proto == bpf_htons(ETH_P_IP)) {
		if ((void *)(ip + 20 + 8) > c->end || ip[0] != 0x45)
			return sip_next(SIP_SLOW);
		if (sip_load16(ip + 6) & bpf_htons(0x1fff))
			return sip_next(SIP_SLOW); /* a later fragment */
		next = ip[9];
		r->family = SIP6XX_FAMILY_IPV4;
		r->saddr = ip + 12;
		if (next == SIP_IPPROTO_UDP) {
			c->pos += 20;
			return sip_fast_udp(c, cfg, r);
		}
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if ((void *)(ip + 40 + 8) > c->end || (ip[0] & 0xf0) != 0x60)
			return sip_next(SIP_SLOW);
		next = ip[6];
		r->family = SIP6XX_FAMILY_IPV6;
		r->saddr = ip + 8;
		if (next == SIP_IPPROTO_UDP) {
			c->pos += 40;
			return sip_fast_udp(c, cfg, r);
		}
		if (sip_is_ipv6_ext(next))
			return sip_next(SIP_SLOW);
	} else {
		/* A third VLAN tag and PPPoE go the full way; nothing else is IP. */
		if (sip_is_vlan(proto) || proto == bpf_htons(SIP_ETH_P_PPPOE_SESS))
			return sip_next(SIP_SLOW);
		return sip_decided(PKT_NON_IP);
	}
	if (next == SIP_IPPROTO_IPIP || next == SIP_IPPROTO_IPV6 || next == SIP_IPPROTO_GRE)
		return sip_next(SIP_SLOW); /* tunnels */
	return sip_decided(PKT_NON_UDP);
}

/* From the Ethernet header at @c on: as sip_fast_frame(). */
static __always_inline struct sip_step
sip_fast_eth(struct cursor *c, const volatile struct sip6xx_config *cfg, struct sip_fast_result *r)
{
	const __u8 *eth = c->pos;
	__u16 proto;

	if ((void *)(eth + SIP_FAST_L3) > c->end)
		return sip_next(SIP_SLOW);
	proto = sip_load16(eth + 12);
	c->pos += SIP_FAST_L3;
	/* Up to two VLAN tags; a third is the full walk's (it counts non_ip). */
	if (sip_is_vlan(proto)) {
		if (c->pos + 4 > c->end)
			return sip_next(SIP_SLOW);
		proto = sip_load16(c->pos + 2);
		c->pos += 4;
		if (sip_is_vlan(proto)) {
			if (c->pos + 4 > c->end)
				return sip_next(SIP_SLOW);
			proto = sip_load16(c->pos + 2);
			c->pos += 4;
		}
	}
	return sip_fast_ip(c, proto, cfg, r);
}

/*
 * Decides a frame as sip_parse_frame() does, or returns SIP_SLOW. Never
 * decides a frame whose outcome depends on what it does not look at.
 */
static __always_inline struct sip_step sip_fast_frame(void *data, void *data_end,
						      const volatile struct sip6xx_config *cfg,
						      struct sip_fast_result *r)
{
	struct cursor c = { data, data_end };

	return sip_fast_eth(&c, cfg, r);
}

/*
 * A tunnel's inner frame at @off, an @at header (enum sip_layer), as the
 * inner walk and the payload stage decide it, or SIP_SLOW. Tunnels in it are
 * never decided here: the inner walk does not follow them.
 */
static __always_inline struct sip_step sip_fast_inner(void *data, void *data_end, __u64 off,
						      __u32 at,
						      const volatile struct sip6xx_config *cfg,
						      struct sip_fast_result *r)
{
	struct cursor c = { data, data_end };

	/* Verifier: the offset arrives as a scalar and must be bounded before use. */
	if (off > SIP_MAX_OFFSET)
		return sip_next(SIP_SLOW);
	c.pos += off;
	if (at == SIP_AT_ETH)
		return sip_fast_eth(&c, cfg, r);
	if (at == SIP_AT_IPV4)
		return sip_fast_ip(&c, bpf_htons(ETH_P_IP), cfg, r);
	if (at == SIP_AT_IPV6)
		return sip_fast_ip(&c, bpf_htons(ETH_P_IPV6), cfg, r);
	return sip_next(SIP_SLOW);
}

/*
 * After a full walk that returned @walked: a tunnel's inner frame or the UDP
 * payload decided by the checks above, or SIP_SLOW when the inner walk or the
 * generic payload stage must take it. The walk's own outcome when it decided
 * the frame.
 */
static __always_inline struct sip_step sip_fast_after_walk(void *data, void *data_end,
							   struct sip_step walked,
							   const struct sip_l4_info *l4,
							   const volatile struct sip6xx_config *cfg,
							   struct sip_fast_result *r)
{
	__u64 off; /* 64-bit: no zero-extension between the bound check and the add */

	if (walked.next == SIP_TUNNEL) {
		off = l4->inner_off;
		/* Verifier: keep the bound check and the pointer add on one register. */
		barrier_var(off);
		return sip_fast_inner(data, data_end, off, l4->inner_at, cfg, r);
	}
	if (walked.next == SIP_CONTINUE)
		return sip_fast_l4(data, data_end, l4->payload_off, l4->dgram_len, l4->l3_off,
				   l4->family, r);
	return walked;
}

#endif /* SIP_FAST_H */
