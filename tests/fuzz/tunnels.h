/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Tunnel wrappers for the fuzz seeds and the differential test: put an
 * Ethernet frame (or the IP packet inside it) into IPIP, SIT, IPv6-in-IPv6,
 * GRE, ERSPAN II/III, VXLAN, PPPoE or GTP-U, so decapsulation paths are
 * exercised whether or not the parser follows them yet. Header layouts come
 * from the RFCs and specifications named at each kind, written byte by byte
 * in network order, as tests/lib/frames.c does. Checksums are not computed:
 * the parser never verifies one.
 */
#ifndef SIP6XX_TESTS_TUNNELS_H
#define SIP6XX_TESTS_TUNNELS_H

#include <stddef.h>
#include <string.h>
#include <linux/types.h>

enum tunnel_kind {
	TUNNEL_IPIP = 0, /* RFC 2003: outer IPv4, protocol 4 (or 41 for an IPv6 inner packet) */
	TUNNEL_IP6,	 /* RFC 2473: outer IPv6, next header 4 or 41 */
	TUNNEL_GRE4,	 /* RFC 2784/2890 over IPv4: C/K/S optional fields, IP inner packet */
	TUNNEL_GRE6,	 /* the same over IPv6 */
	TUNNEL_GRE_TEB,	 /* GRE protocol 0x6558: transparent Ethernet bridging, inner frame */
	TUNNEL_ERSPAN1,	 /* GRE 0x88be without sequence number: type I, no ERSPAN header */
	TUNNEL_ERSPAN2,	 /* GRE 0x88be with sequence number, 8-byte ERSPAN II header */
	TUNNEL_ERSPAN3,	 /* GRE 0x22eb, 12-byte ERSPAN III header, optional 8-byte subheader */
	TUNNEL_GRE_PPP,	 /* RFC 2637 enhanced GRE (PPTP): version 1, key, PPP inside */
	TUNNEL_VXLAN4,	 /* RFC 7348: UDP 4789 over IPv4, 8-byte header, inner frame */
	TUNNEL_VXLAN6,	 /* the same over IPv6 */
	TUNNEL_PPPOE,	 /* RFC 2516 session stage, ethertype 0x8864, PPP 0x0021/0x0057 */
	TUNNEL_GTPU4,	 /* 3GPP TS 29.281: UDP 2152 over IPv4, GTPv1-U G-PDU, IP inner packet */
	TUNNEL_GTPU6,	 /* the same over IPv6 */
	TUNNEL_KIND_MAX,
};

static const char *const tunnel_names[TUNNEL_KIND_MAX] = {
	[TUNNEL_IPIP] = "ipip",	      [TUNNEL_IP6] = "ip6tnl",	   [TUNNEL_GRE4] = "gre",
	[TUNNEL_GRE6] = "ip6gre",     [TUNNEL_GRE_TEB] = "gretap", [TUNNEL_ERSPAN1] = "erspan1",
	[TUNNEL_ERSPAN2] = "erspan2", [TUNNEL_GRE_PPP] = "pptp",   [TUNNEL_ERSPAN3] = "erspan3",
	[TUNNEL_VXLAN4] = "vxlan",    [TUNNEL_VXLAN6] = "vxlan6",  [TUNNEL_PPPOE] = "pppoe",
	[TUNNEL_GTPU4] = "gtpu",      [TUNNEL_GTPU6] = "gtpu6",
};

/* Variant bits: which optional fields a wrapper writes. */
#define TUNNEL_VAR_VLAN	    0x01 /* an 802.1Q tag on the outer frame */
#define TUNNEL_VAR_CSUM	    0x02 /* GRE C bit; ERSPAN III O bit; PPTP: no PPP address/control */
#define TUNNEL_VAR_KEY	    0x04 /* GRE K bit; GTP-U E bit and one extension; PPTP: A bit */
#define TUNNEL_VAR_SEQ	    0x08 /* GRE S bit; GTP-U S bit; PPTP: compressed PPP protocol */
#define TUNNEL_VAR_IPV4_OPT 0x10 /* outer IPv4 with one option word */

/* No wrapper adds more than this in front of the inner part (ERSPAN III: 76 bytes). */
#define TUNNEL_MAX_OVERHEAD 128

struct tunnel_buf {
	__u8 *p;
	size_t len;
};

/* Appends @n zeroed bytes; tunnel_wrap() checked the room for all of them up front. */
static inline __u8 *tunnel_put(struct tunnel_buf *b, size_t n)
{
	__u8 *p = b->p + b->len;

	memset(p, 0, n);
	b->len += n;
	return p;
}

static inline void tunnel_be16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void tunnel_be32(__u8 *p, __u32 v)
{
	tunnel_be16(p, v >> 16);
	tunnel_be16(p + 2, v & 0xffff);
}

/* Where the L3 packet of an Ethernet frame starts (after up to 3 VLAN tags), and its ethertype. */
static inline size_t tunnel_inner_l3(const __u8 *f, size_t len, __u16 *ethertype)
{
	size_t off = 12;
	int i;

	*ethertype = 0;
	for (i = 0; i < 4 && off + 2 <= len; i++) {
		*ethertype = f[off] << 8 | f[off + 1];
		off += 2;
		if (*ethertype != 0x8100 && *ethertype != 0x88a8)
			return off;
		off += 2;
	}
	return len < 14 ? len : 14;
}

static inline void tunnel_eth(struct tunnel_buf *b, __u16 ethertype, unsigned int var)
{
	static const __u8 macs[12] = { 0x02, 0x00, 0x5e, 0x20, 0x00, 0x02,
				       0x02, 0x00, 0x5e, 0x20, 0x00, 0x01 };
	__u8 *p = tunnel_put(b, 12);

	memcpy(p, macs, sizeof(macs));
	if (var & TUNNEL_VAR_VLAN) {
		p = tunnel_put(b, 4);
		tunnel_be16(p, 0x8100);
		tunnel_be16(p + 2, 200);
	}
	tunnel_be16(tunnel_put(b, 2), ethertype);
}

/* Outer IPv4 (192.0.2.1 -> 192.0.2.2); returns its offset, total length patched later. */
static inline size_t tunnel_ipv4(struct tunnel_buf *b, __u8 proto, unsigned int var)
{
	size_t hlen = var & TUNNEL_VAR_IPV4_OPT ? 24 : 20;
	size_t off = b->len;
	__u8 *p = tunnel_put(b, hlen);

	p[0] = 0x40 | hlen / 4;
	tunnel_be16(p + 4, 0x7e57);
	tunnel_be16(p + 6, 0x4000); /* DF */
	p[8] = 64;
	p[9] = proto;
	tunnel_be32(p + 12, 0xc0000201);
	tunnel_be32(p + 16, 0xc0000202);
	if (hlen > 20)
		p[20] = 1, p[21] = 1, p[22] = 1, p[23] = 0; /* NOP NOP NOP EOL */
	return off;
}

/* Outer IPv6 (2001:db8:7::1 -> 2001:db8:7::2); payload length patched later. */
static inline size_t tunnel_ipv6(struct tunnel_buf *b, __u8 nexthdr)
{
	size_t off = b->len;
	__u8 *p = tunnel_put(b, 40);

	tunnel_be32(p, 0x60000000);
	p[6] = nexthdr;
	p[7] = 64;
	tunnel_be32(p + 8, 0x20010db8);
	tunnel_be16(p + 12, 7);
	p[23] = 1;
	tunnel_be32(p + 24, 0x20010db8);
	tunnel_be16(p + 28, 7);
	p[39] = 2;
	return off;
}

/* Outer UDP to @dport; its length is patched later. */
static inline size_t tunnel_udp(struct tunnel_buf *b, __u16 dport)
{
	size_t off = b->len;
	__u8 *p = tunnel_put(b, 8);

	tunnel_be16(p, 49152 + (dport & 0xff));
	tunnel_be16(p + 2, dport);
	return off;
}

static inline void tunnel_gre(struct tunnel_buf *b, __u16 proto, unsigned int var)
{
	__u8 *p = tunnel_put(b, 4);
	__u8 flags = 0;

	if (var & TUNNEL_VAR_CSUM)
		flags |= 0x80;
	if (var & TUNNEL_VAR_KEY)
		flags |= 0x20;
	if (var & TUNNEL_VAR_SEQ)
		flags |= 0x10;
	p[0] = flags;
	tunnel_be16(p + 2, proto);
	if (flags & 0x80)
		tunnel_put(b, 4); /* checksum (unverified) and reserved1 */
	if (flags & 0x20)
		tunnel_be32(tunnel_put(b, 4), 0x5160);
	if (flags & 0x10)
		tunnel_be32(tunnel_put(b, 4), 1);
}

/*
 * Wraps @inner (an Ethernet frame of @len bytes) into @kind. IP-level tunnels
 * carry the L3 packet of @inner; Ethernet-level ones (gretap, ERSPAN, VXLAN)
 * carry the whole frame. Returns the new length, or 0 if @cap may not hold it.
 */
static inline size_t tunnel_wrap(enum tunnel_kind kind, unsigned int var, const __u8 *inner,
				 size_t len, __u8 *out, size_t cap)
{
	struct tunnel_buf b = { .p = out };
	size_t l3_off, ip_off = 0, udp_off = 0, ip6 = 0, gre_ppp_off = 0;
	__u16 et;
	int inner_v6, eth_inner = 0;
	__u8 *p;

	if (cap < len + TUNNEL_MAX_OVERHEAD)
		return 0;
	l3_off = tunnel_inner_l3(inner, len, &et);
	inner_v6 = et == 0x86dd;

	switch (kind) {
	case TUNNEL_IPIP:
		tunnel_eth(&b, 0x0800, var);
		ip_off = tunnel_ipv4(&b, inner_v6 ? 41 : 4, var);
		break;
	case TUNNEL_IP6:
		tunnel_eth(&b, 0x86dd, var);
		ip_off = tunnel_ipv6(&b, inner_v6 ? 41 : 4);
		ip6 = 1;
		break;
	case TUNNEL_GRE_PPP:
		tunnel_eth(&b, 0x0800, var);
		ip_off = tunnel_ipv4(&b, 47, var);
		p = tunnel_put(&b, 8);
		p[0] = 0x30;					 /* K, S */
		p[1] = 0x01 | (var & TUNNEL_VAR_KEY ? 0x80 : 0); /* A, version 1 */
		tunnel_be16(p + 2, 0x880b);
		tunnel_be16(p + 6, 0x5160);	   /* call ID; payload length patched below */
		tunnel_be32(tunnel_put(&b, 4), 1); /* sequence number */
		if (var & TUNNEL_VAR_KEY)
			tunnel_be32(tunnel_put(&b, 4), 0); /* acknowledgement number */
		if (!(var & TUNNEL_VAR_CSUM))
			tunnel_be16(tunnel_put(&b, 2), 0xff03); /* PPP address and control */
		if (var & TUNNEL_VAR_SEQ) {
			*tunnel_put(&b, 1) = inner_v6 ? 0x57 : 0x21;
		} else {
			tunnel_be16(tunnel_put(&b, 2), inner_v6 ? 0x0057 : 0x0021);
		}
		gre_ppp_off = p - out;
		break;
	case TUNNEL_GRE4:
	case TUNNEL_GRE6:
	case TUNNEL_GRE_TEB:
	case TUNNEL_ERSPAN1:
	case TUNNEL_ERSPAN2:
	case TUNNEL_ERSPAN3:
		if (kind == TUNNEL_GRE6) {
			tunnel_eth(&b, 0x86dd, var);
			ip_off = tunnel_ipv6(&b, 47);
			ip6 = 1;
		} else {
			tunnel_eth(&b, 0x0800, var);
			ip_off = tunnel_ipv4(&b, 47, var);
		}
		if (kind == TUNNEL_GRE4 || kind == TUNNEL_GRE6) {
			tunnel_gre(&b, inner_v6 ? 0x86dd : 0x0800, var);
		} else if (kind == TUNNEL_GRE_TEB) {
			tunnel_gre(&b, 0x6558, var);
			eth_inner = 1;
		} else if (kind == TUNNEL_ERSPAN1) {
			tunnel_gre(&b, 0x88be, var & ~TUNNEL_VAR_SEQ);
			eth_inner = 1;
		} else if (kind == TUNNEL_ERSPAN2) {
			/* Type II always carries a sequence number (S bit). */
			tunnel_gre(&b, 0x88be, var | TUNNEL_VAR_SEQ);
			p = tunnel_put(&b, 8);
			tunnel_be16(p, 0x1000 | 100);	/* ver 1, VLAN 100 */
			tunnel_be16(p + 2, 0x0000 | 7); /* COS 0, En 0, T 0, session 7 */
			tunnel_be32(p + 4, 1);		/* index */
			eth_inner = 1;
		} else {
			tunnel_gre(&b, 0x22eb, var & ~TUNNEL_VAR_CSUM);
			p = tunnel_put(&b, 12);
			tunnel_be16(p, 0x2000 | 100);	/* ver 2, VLAN 100 */
			tunnel_be16(p + 2, 7);		/* session 7 */
			tunnel_be32(p + 4, 0x01020304); /* timestamp */
			if (var & TUNNEL_VAR_CSUM) {
				p[11] = 0x01; /* O: an 8-byte platform subheader follows */
				tunnel_put(&b, 8);
			}
			eth_inner = 1;
		}
		break;
	case TUNNEL_VXLAN4:
	case TUNNEL_VXLAN6:
	case TUNNEL_GTPU4:
	case TUNNEL_GTPU6:
		if (kind == TUNNEL_VXLAN6 || kind == TUNNEL_GTPU6) {
			tunnel_eth(&b, 0x86dd, var);
			ip_off = tunnel_ipv6(&b, 17);
			ip6 = 1;
		} else {
			tunnel_eth(&b, 0x0800, var);
			ip_off = tunnel_ipv4(&b, 17, var);
		}
		if (kind == TUNNEL_VXLAN4 || kind == TUNNEL_VXLAN6) {
			udp_off = tunnel_udp(&b, 4789);
			p = tunnel_put(&b, 8);
			p[0] = 0x08; /* I: the VNI is valid */
			tunnel_be32(p + 4, 5060 << 8);
			eth_inner = 1;
			break;
		}
		udp_off = tunnel_udp(&b, 2152);
		p = tunnel_put(&b, 8);
		p[0] = 0x30; /* version 1, PT 1 */
		if (var & TUNNEL_VAR_KEY)
			p[0] |= 0x04; /* E */
		if (var & TUNNEL_VAR_SEQ)
			p[0] |= 0x02; /* S */
		p[1] = 0xff;	      /* G-PDU */
		tunnel_be32(p + 4, 0x5160);
		if (p[0] & 0x06) {
			__u8 *opt = tunnel_put(&b, 4); /* sequence, N-PDU, next ext type */

			tunnel_be16(opt, 1);
			if (var & TUNNEL_VAR_KEY) {
				opt[3] = 0x85; /* PDU session container */
				opt = tunnel_put(&b, 4);
				opt[0] = 1;    /* length in 4-octet units */
				opt[1] = 0x10; /* UL PDU session information */
				opt[2] = 9;    /* QFI */
				opt[3] = 0;    /* no further extension */
			}
		}
		break;
	case TUNNEL_PPPOE:
		tunnel_eth(&b, 0x8864, var);
		p = tunnel_put(&b, 8);
		p[0] = 0x11; /* version 1, type 1 */
		tunnel_be16(p + 2, 0x5160);
		tunnel_be16(p + 6, inner_v6 ? 0x0057 : 0x0021);
		break;
	default:
		return 0;
	}

	if (!eth_inner) {
		inner += l3_off;
		len -= l3_off;
	}
	memcpy(tunnel_put(&b, len), inner, len);

	/* Lengths the outer headers claim, now that the inner part is in place. */
	if (kind == TUNNEL_PPPOE)
		tunnel_be16(out + b.len - len - 4, len + 2);
	else if (ip6)
		tunnel_be16(out + ip_off + 4, b.len - ip_off - 40);
	else
		tunnel_be16(out + ip_off + 2, b.len - ip_off);
	if (gre_ppp_off) /* PPTP's key: payload length, then call ID */
		tunnel_be16(out + gre_ppp_off + 4,
			    b.len - gre_ppp_off - 12 - (var & TUNNEL_VAR_KEY ? 4 : 0));
	if (udp_off) {
		tunnel_be16(out + udp_off + 4, b.len - udp_off);
		if (kind == TUNNEL_GTPU4 || kind == TUNNEL_GTPU6)
			tunnel_be16(out + udp_off + 8 + 2, b.len - udp_off - 8 - 8);
	}
	return b.len;
}

#endif /* SIP6XX_TESTS_TUNNELS_H */
