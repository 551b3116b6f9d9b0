/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One level of tunnel decapsulation, for probes fed mirrored traffic: IP in
 * IP (4, 41), GRE (IP, Ethernet, PPTP's PPP), ERSPAN I/II/III, VXLAN, and
 * GTP-U for mobile cores (VoLTE's SIP rides in it between eNodeB and SGW). Each
 * parser reads at its cursor and returns SIP_TUNNEL with the inner frame's
 * offset (from @data, the frame's start), layer and PKT_DECAP_* kind in
 * struct sip_l4_info, or an outcome.
 */
#ifndef SIP_TUNNEL_H
#define SIP_TUNNEL_H

#include "sip_hdrs.h"

#define SIP_VXLAN_PORT 4789
#define SIP_GTPU_PORT  2152

#define GTP_V1_PT    0x30 /* version 1, protocol type GTP */
#define GTP_F_OPT    0x07 /* E, S, PN: the 4-byte optional word is present */
#define GTP_F_EXT    0x04 /* E: extension headers follow */
#define GTP_MSG_GPDU 0xff /* a user packet; the rest is signalling */
#define GTP_HLEN     8
#define GTP_OPT_LEN  4
#define GTP_EXT_MAX  2 /* extension headers followed (PDU session container, ...) */

#define GRE_F_CSUM    0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY     0x2000
#define GRE_F_SEQ     0x1000
#define GRE_F_ACK     0x0080 /* enhanced GRE (version 1) only */
#define GRE_VERSION   0x0007

#define GRE_P_TEB     0x6558 /* transparent Ethernet bridging */
#define GRE_P_ERSPAN2 0x88be /* ERSPAN type I (no sequence number) or II */
#define GRE_P_ERSPAN3 0x22eb
#define GRE_P_PPP     0x880b
#define PPP_ADDR_CTRL 0xff03 /* address and control, absent when compressed (ACFC) */

#define ERSPAN2_HLEN	   8
#define ERSPAN3_HLEN	   12
#define ERSPAN3_SUBHDR_LEN 8 /* platform-specific subheader, when the O bit is set */

struct sip_gre_hdr {
	__be16 flags;
	__be16 proto;
};

struct sip_vxlan_hdr {
	__u8 flags; /* 0x08: the VNI is valid */
	__u8 reserved1[3];
	__u8 vni[3];
	__u8 reserved2;
};

static __always_inline struct sip_step sip_tunnel(struct sip_l4_info *l4, void *data, void *pos,
						  enum sip_layer at, __u8 decap)
{
	l4->inner_off = pos - data;
	l4->inner_at = at;
	l4->decap = decap;
	return sip_next(SIP_TUNNEL);
}

/* The inner frame's layer for an Ethernet type seen in a tunnel header. */
static __always_inline int sip_ip_layer(__be16 proto)
{
	if (proto == bpf_htons(ETH_P_IP))
		return SIP_AT_IPV4;
	if (proto == bpf_htons(ETH_P_IPV6))
		return SIP_AT_IPV6;
	return -1;
}

/* ERSPAN I/II/III after GRE, at @c; the mirrored frame is Ethernet. */
static __always_inline struct sip_step parse_erspan(const struct cursor *c, void *data, __u16 proto,
						    __u16 gre_flags, struct sip_l4_info *l4)
{
	__u8 *eh = c->pos;
	void *pos;

	/* Type I has no ERSPAN header; GRE then carries no sequence number. */
	if (proto == GRE_P_ERSPAN2 && !(gre_flags & GRE_F_SEQ))
		return sip_tunnel(l4, data, eh, SIP_AT_ETH, PKT_DECAP_ERSPAN2);
	if (proto == GRE_P_ERSPAN2) {
		if ((void *)(eh + ERSPAN2_HLEN) > c->end)
			return sip_decided(PKT_TRUNCATED);
		if ((eh[0] >> 4) != 1)
			return sip_decided(PKT_NON_UDP);
		return sip_tunnel(l4, data, eh + ERSPAN2_HLEN, SIP_AT_ETH, PKT_DECAP_ERSPAN2);
	}
	if ((void *)(eh + ERSPAN3_HLEN) > c->end)
		return sip_decided(PKT_TRUNCATED);
	/* Version 2 means type III; frame type (FT) 0 means Ethernet. */
	if ((eh[0] >> 4) != 2 || ((eh[10] >> 2) & 0x1f) != 0)
		return sip_decided(PKT_NON_UDP);
	pos = eh + ERSPAN3_HLEN;
	if (eh[11] & 1) {
		if ((void *)(eh + ERSPAN3_HLEN + ERSPAN3_SUBHDR_LEN) > c->end)
			return sip_decided(PKT_TRUNCATED);
		pos += ERSPAN3_SUBHDR_LEN;
	}
	return sip_tunnel(l4, data, pos, SIP_AT_ETH, PKT_DECAP_ERSPAN3);
}

/* PPP inside enhanced GRE, at @c: address/control and the protocol may be compressed. */
static __always_inline struct sip_step parse_gre_ppp(const struct cursor *c, void *data,
						     struct sip_l4_info *l4)
{
	__u8 *p = c->pos;
	__u16 ppp_proto;
	int at;

	if ((void *)(p + 1) > c->end)
		return sip_decided(PKT_TRUNCATED);
	/* A compressed protocol 0xff is reserved (RFC 1661): 0xff starts address/control. */
	if (p[0] == (PPP_ADDR_CTRL >> 8)) {
		if ((void *)(p + 3) > c->end)
			return sip_decided(PKT_TRUNCATED);
		if (p[1] != (PPP_ADDR_CTRL & 0xff))
			return sip_decided(PKT_NON_UDP);
		p += 2;
	}
	if (p[0] & 1) { /* protocol field compression: one odd byte */
		ppp_proto = p[0];
		p += 1;
	} else {
		if ((void *)(p + 2) > c->end)
			return sip_decided(PKT_TRUNCATED);
		ppp_proto = p[0] << 8 | p[1];
		p += 2;
	}
	/* LCP, IPCP and the like: decapsulated all the same, and not IP. */
	at = sip_ip_layer(sip_ppp_to_ethertype(ppp_proto));
	return sip_tunnel(l4, data, p, at < 0 ? SIP_AT_NONE : at, PKT_DECAP_GRE_PPP);
}

/* GRE (RFC 2784/2890) and enhanced GRE (RFC 2637) at the cursor. */
static __always_inline struct sip_step parse_gre(struct cursor *c, void *data,
						 struct sip_l4_info *l4)
{
	struct sip_gre_hdr *gh = c->pos;
	__u16 flags, proto;
	__u8 *pos;
	int at;

	if ((void *)(gh + 1) > c->end)
		return sip_decided(PKT_TRUNCATED);
	flags = bpf_ntohs(gh->flags);
	proto = bpf_ntohs(gh->proto);
	if (flags & GRE_F_ROUTING)
		return sip_decided(PKT_NON_UDP); /* source routing: deprecated by RFC 2784 */
	/* Optional words: checksum+reserved, key, sequence, (v1) acknowledgement. */
	pos = (__u8 *)(gh + 1);
	pos += (flags & GRE_F_CSUM ? 4 : 0) + (flags & GRE_F_KEY ? 4 : 0) +
	       (flags & GRE_F_SEQ ? 4 : 0);
	if ((flags & GRE_VERSION) > 1)
		return sip_decided(PKT_NON_UDP);
	if ((flags & GRE_VERSION) == 1 && proto != GRE_P_PPP)
		return sip_decided(PKT_NON_UDP);
	if ((flags & GRE_VERSION) == 1 && (flags & GRE_F_ACK))
		pos += 4;
	/* A tunnel counts once its whole header is there. */
	if ((void *)pos > c->end)
		return sip_decided(PKT_TRUNCATED);
	c->pos = pos;
	if (flags & GRE_VERSION)
		return parse_gre_ppp(c, data, l4);
	if (proto == GRE_P_TEB)
		return sip_tunnel(l4, data, pos, SIP_AT_ETH, PKT_DECAP_GRE_TEB);
	if (proto == GRE_P_ERSPAN2 || proto == GRE_P_ERSPAN3)
		return parse_erspan(c, data, proto, flags, l4);
	at = sip_ip_layer(bpf_htons(proto));
	if (at < 0)
		return sip_decided(PKT_NON_UDP);
	return sip_tunnel(l4, data, pos, at, PKT_DECAP_GRE);
}

/* VXLAN (RFC 7348) at @c, after a UDP header to port 4789; else plain UDP (CONTINUE). */
static __always_inline struct sip_step parse_vxlan(const struct cursor *c, void *data,
						   struct sip_l4_info *l4)
{
	struct sip_vxlan_hdr *vh = c->pos;

	if ((void *)(vh + 1) > c->end)
		return sip_decided(PKT_TRUNCATED);
	if (!(vh->flags & 0x08))
		return sip_next(SIP_CONTINUE);
	return sip_tunnel(l4, data, vh + 1, SIP_AT_ETH, PKT_DECAP_VXLAN);
}

/*
 * GTP-U (3GPP TS 29.281) at @c, after a UDP header to port 2152: a G-PDU
 * carries an IP packet; anything else (echo, error indication) is plain UDP
 * (CONTINUE).
 */
static __always_inline struct sip_step parse_gtpu(const struct cursor *c, void *data,
						  struct sip_l4_info *l4)
{
	__u8 next, len, *last, *p = c->pos;
	void *end = c->end;
	int i;

	if ((void *)(p + GTP_HLEN) > end)
		return sip_decided(PKT_TRUNCATED);
	if ((p[0] & 0xf0) != GTP_V1_PT || p[1] != GTP_MSG_GPDU)
		return sip_next(SIP_CONTINUE);
	if (!(p[0] & GTP_F_OPT)) {
		p += GTP_HLEN;
		goto inner;
	}
	if ((void *)(p + GTP_HLEN + GTP_OPT_LEN) > end)
		return sip_decided(PKT_TRUNCATED);
	next = p[0] & GTP_F_EXT ? p[GTP_HLEN + GTP_OPT_LEN - 1] : 0;
	p += GTP_HLEN + GTP_OPT_LEN;
	/* Each extension header: a length in 4-byte units, and the next type last. */
	for (i = 0; i < GTP_EXT_MAX && next; i++) {
		if ((void *)(p + 1) > end)
			return sip_decided(PKT_TRUNCATED);
		len = p[0];
		if (!len)
			return sip_decided(PKT_MALFORMED);
		/* Verifier: check the very pointer we read through, not a recomputed one. */
		last = p + len * 4 - 1;
		if ((void *)(last + 1) > end)
			return sip_decided(PKT_TRUNCATED);
		next = *last;
		p = last + 1;
	}
	if (next)
		return sip_decided(PKT_NON_IP); /* a longer chain than we follow */
inner:
	if ((void *)(p + 1) > end)
		return sip_tunnel(l4, data, p, SIP_AT_IPV4, PKT_DECAP_GTPU);
	/* The IP version nibble says which: GTP-U carries no protocol field. */
	if ((p[0] >> 4) == 6)
		return sip_tunnel(l4, data, p, SIP_AT_IPV6, PKT_DECAP_GTPU);
	if ((p[0] >> 4) == 4)
		return sip_tunnel(l4, data, p, SIP_AT_IPV4, PKT_DECAP_GTPU);
	return sip_tunnel(l4, data, p, SIP_AT_NONE, PKT_DECAP_GTPU);
}

/* IP in IP at @c: the inner header follows the outer one directly. */
static __always_inline struct sip_step parse_ip_in_ip(const struct cursor *c, void *data,
						      __u8 nexthdr, struct sip_l4_info *l4)
{
	if (nexthdr == SIP_IPPROTO_IPIP)
		return sip_tunnel(l4, data, c->pos, SIP_AT_IPV4, PKT_DECAP_IPIP);
	return sip_tunnel(l4, data, c->pos, SIP_AT_IPV6, PKT_DECAP_IP6IP);
}

#endif /* SIP_TUNNEL_H */
