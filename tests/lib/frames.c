// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test frame builders: Ethernet, VLAN, IPv4/IPv6 (+ extension headers), UDP/TCP,
 * and one level of IPIP, GRE, GRE-TEB, PPTP GRE/PPP, ERSPAN I/II/III, VXLAN,
 * PPPoE or GTP-U around an inner frame.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"

#define ETH_TYPE_IPV4	0x0800
#define ETH_TYPE_IPV6	0x86dd
#define ETH_TYPE_8021Q	0x8100
#define ETH_TYPE_8021AD 0x88a8
#define ETH_TYPE_PPPOE	0x8864
#define ETH_TYPE_TEB	0x6558
#define ETH_TYPE_ERSPAN 0x88be /* ERSPAN type I and II */
#define ETH_TYPE_ERSP3	0x22eb /* ERSPAN type III */
#define ETH_TYPE_PPP	0x880b

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

#define IPPROTO_NR_IPIP 4
#define IPPROTO_NR_IPV6 41
#define IPPROTO_NR_GRE	47

#define IPV4_HLEN	   20
#define IPV4_MAX_OPT_WORDS 10 /* IHL 15 */
#define IPV6_HLEN	   40
#define UDP_HLEN	   8
#define GTP_HLEN	   8 /* TS 29.281 5.1: the mandatory part, before the optional word */
#define GTP_MSG_GPDU	   0xff
#define GTP_MSG_END_MARKER 0xfe
#define TCP_HLEN	   20

struct frame_cursor {
	__u8 *buf;
	size_t cap;
	size_t len;
};

static void __attribute__((noreturn)) frame_fail(const char *what, const char *detail)
{
	fprintf(stderr, "frame_build: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

/* Reserves @n zeroed bytes at the end of the frame. */
static __u8 *put(struct frame_cursor *c, size_t n)
{
	__u8 *p;

	if (n > c->cap - c->len)
		frame_fail("frame does not fit the buffer", NULL);
	p = c->buf + c->len;
	memset(p, 0, n);
	c->len += n;
	return p;
}

static void put_be16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put_be32(__u8 *p, __u32 v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

static void parse_addr(int af, const char *text, __u8 *out)
{
	if (inet_pton(af, text, out) != 1)
		frame_fail("address does not parse", text);
}

/* RFC 1071 one's complement sum over @n bytes, big-endian 16-bit words. */
static __u32 csum_add(__u32 sum, const __u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (__u32)p[n - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static size_t payload_len(const struct frame_spec *s)
{
	if (!s->payload)
		return 0;
	return s->payload_len ? s->payload_len : strlen(s->payload);
}

/*
 * Where a built frame's L3 header starts, after its Ethernet header and up to
 * FRAME_MAX_VLANS tags, and its EtherType; for inner_raw, whatever its bytes.
 */
static size_t raw_l3(const __u8 *f, size_t len, __u16 *ethertype)
{
	size_t off = 12;
	int i;

	*ethertype = 0;
	for (i = 0; i <= FRAME_MAX_VLANS && off + 2 <= len; i++) {
		*ethertype = f[off] << 8 | f[off + 1];
		off += 2;
		if (*ethertype != ETH_TYPE_8021Q && *ethertype != ETH_TYPE_8021AD)
			return off;
		off += 2;
	}
	return len < FRAME_ETH_HLEN ? len : FRAME_ETH_HLEN;
}

/* The IP version of what a tunnel carries: 4, 6, or 0 for none. */
static __u8 inner_ip_version(const struct frame_spec *s)
{
	__u16 et;

	if (s->inner_raw) {
		raw_l3(s->inner_raw, s->inner_raw_len, &et);
		return et == ETH_TYPE_IPV6 ? 6 : 4;
	}
	return s->inner ? s->inner->ip_version : 0;
}

static __u8 l4_proto(const struct frame_spec *s)
{
	if (s->l4_proto)
		return s->l4_proto;
	switch (s->tunnel) {
	case FRAME_TUN_IPIP:
		return inner_ip_version(s) == 6 ? IPPROTO_NR_IPV6 : IPPROTO_NR_IPIP;
	case FRAME_TUN_GRE:
	case FRAME_TUN_GRE_TEB:
	case FRAME_TUN_GRE_PPP:
	case FRAME_TUN_ERSPAN1:
	case FRAME_TUN_ERSPAN2:
	case FRAME_TUN_ERSPAN3:
		return IPPROTO_NR_GRE;
	default:
		return IPPROTO_UDP;
	}
}

__u16 frame_sport(const struct frame_spec *s)
{
	if (s->sport)
		return s->sport;
	if (s->tunnel == FRAME_TUN_GTPU)
		return FRAME_GTPU_PORT;
	return s->tunnel == FRAME_TUN_VXLAN ? FRAME_VXLAN_SPORT : FRAME_SIP_PORT;
}

__u16 frame_dport(const struct frame_spec *s)
{
	if (s->dport)
		return s->dport;
	if (s->tunnel == FRAME_TUN_GTPU)
		return FRAME_GTPU_PORT;
	return s->tunnel == FRAME_TUN_VXLAN ? FRAME_VXLAN_PORT : FRAME_SIP_PORT;
}

static size_t l4_hdr_len(const struct frame_spec *s)
{
	if (!s->ip_version)
		return 0;
	if (l4_proto(s) == IPPROTO_UDP)
		return UDP_HLEN;
	return l4_proto(s) == IPPROTO_TCP ? TCP_HLEN : 0;
}

static size_t ext_len(const struct frame_ip6_ext *e)
{
	return e->type == IPPROTO_FRAGMENT ? 8 : (e->hdrlen + 1) * 8;
}

static __u8 ip_version_field(const struct frame_spec *s)
{
	return s->version_field ? s->version_field : s->ip_version;
}

static __u16 vlan_tpid(const struct frame_spec *s, int i)
{
	if (s->tpid[i])
		return s->tpid[i];
	return s->nr_vlans >= 2 && i == 0 ? ETH_TYPE_8021AD : ETH_TYPE_8021Q;
}

static __u16 l2_ethertype(const struct frame_spec *s)
{
	if (s->ethertype)
		return s->ethertype;
	if (s->tunnel == FRAME_TUN_PPPOE)
		return ETH_TYPE_PPPOE;
	if (s->ip_version == 4)
		return ETH_TYPE_IPV4;
	if (s->ip_version == 6)
		return ETH_TYPE_IPV6;
	frame_fail("no ethertype for a frame without IP", NULL);
}

static void put_eth(struct frame_cursor *c, const struct frame_spec *s, struct frame_layout *l)
{
	/* Locally administered unicast MACs. */
	static const __u8 dst[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02 };
	static const __u8 src[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	__u8 *p = put(c, 12);
	int i;

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	for (i = 0; i < s->nr_vlans; i++) {
		l->vlan[i] = c->len;
		p = put(c, 4);
		put_be16(p, vlan_tpid(s, i));
		put_be16(p + 2, 100 + i); /* PCP 0, DEI 0, VID 100 + i */
	}
	put_be16(put(c, 2), l2_ethertype(s));
}

/* NOPs, then End of Option List in the last byte (RFC 791). */
static void fill_ipv4_options(__u8 *p, size_t n)
{
	if (!n)
		return;
	memset(p, 1, n - 1);
	p[n - 1] = 0;
}

static void put_ipv4(struct frame_cursor *c, const struct frame_spec *s, size_t l4_len)
{
	size_t hlen = IPV4_HLEN + 4 * s->ip_opt_words;
	__u8 ihl = s->ihl_set ? s->ihl_field : hlen / 4;
	__u16 frag = s->frag_off & 0x1fff;
	__u8 *p = put(c, hlen);

	p[0] = ip_version_field(s) << 4 | (ihl & 0x0f);
	p[1] = 0x60; /* DSCP CS3, as SIP signalling is often marked */
	put_be16(p + 2, hlen + l4_len);
	put_be16(p + 4, 0x5a17); /* identification */
	frag |= (s->df ? 0x4000 : 0) | (s->mf ? 0x2000 : 0);
	put_be16(p + 6, frag);
	p[8] = 64;
	p[9] = l4_proto(s);
	parse_addr(AF_INET, s->saddr ? s->saddr : FRAME_V4_SRC, p + 12);
	parse_addr(AF_INET, s->daddr ? s->daddr : FRAME_V4_DST, p + 16);
	fill_ipv4_options(p + IPV4_HLEN, hlen - IPV4_HLEN);
	put_be16(p + 10, csum_fold(csum_add(0, p, hlen)));
}

static __u8 ip6_next_after(const struct frame_spec *s, int i)
{
	return i + 1 < s->nr_ext ? s->ext[i + 1].type : l4_proto(s);
}

/* Routing type 4 (SRv6, RFC 8754) with Segments Left 0: every node skips it. */
static void fill_srh(__u8 *p, size_t n)
{
	__u8 nseg = (n - 8) / 16;
	__u8 i;

	p[2] = 4;
	p[3] = 0;
	p[4] = nseg ? nseg - 1 : 0;
	for (i = 0; i < nseg; i++) {
		parse_addr(AF_INET6, "2001:db8:5::", p + 8 + 16 * i);
		p[8 + 16 * i + 15] = i + 1;
	}
}

static void put_ip6_ext(struct frame_cursor *c, const struct frame_ip6_ext *e, __u8 next)
{
	size_t n = ext_len(e);
	__u8 *p = put(c, n);

	p[0] = next;
	if (e->type == IPPROTO_FRAGMENT) {
		put_be16(p + 2, (e->frag_off & 0x1fff) << 3 | (e->more ? 1 : 0));
		put_be32(p + 4, 0x5a170001); /* identification */
		return;
	}
	p[1] = e->hdrlen;
	if (e->type == IPPROTO_AH) {
		/* AH counts its length in 4-octet units, minus 2 (RFC 4302 2.2). */
		p[1] = n / 4 - 2;
		put_be32(p + 4, 0x100); /* SPI */
		put_be32(p + 8, 1);	/* sequence number */
		return;
	}
	if (e->type == IPPROTO_ROUTING) {
		fill_srh(p, n);
		return;
	}
	/* Options header: one PadN option fills it (RFC 8200 4.2). */
	p[2] = 1;
	p[3] = n - 4;
}

static void put_ipv6(struct frame_cursor *c, const struct frame_spec *s, struct frame_layout *l,
		     size_t l4_len)
{
	size_t exts = 0;
	__u8 *p;
	int i;

	if (s->nr_ext > FRAME_MAX_IP6_EXT)
		frame_fail("too many IPv6 extension headers", NULL);
	for (i = 0; i < s->nr_ext; i++)
		exts += ext_len(&s->ext[i]);
	p = put(c, IPV6_HLEN);
	put_be32(p, (__u32)ip_version_field(s) << 28 | 0x60 << 20 | 0x5a17);
	put_be16(p + 4, exts + l4_len);
	p[6] = s->nr_ext ? s->ext[0].type : l4_proto(s);
	p[7] = 64;
	parse_addr(AF_INET6, s->saddr ? s->saddr : FRAME_V6_SRC, p + 8);
	parse_addr(AF_INET6, s->daddr ? s->daddr : FRAME_V6_DST, p + 24);
	for (i = 0; i < s->nr_ext; i++) {
		l->ext[i] = c->len;
		put_ip6_ext(c, &s->ext[i], ip6_next_after(s, i));
	}
}

static void put_l4(struct frame_cursor *c, const struct frame_spec *s, size_t plen)
{
	__u16 sport = frame_sport(s);
	__u16 dport = frame_dport(s);
	size_t hlen = l4_hdr_len(s);
	__u8 *p = put(c, hlen);

	if (!hlen)
		return;
	put_be16(p, sport);
	put_be16(p + 2, dport);
	if (hlen == UDP_HLEN) {
		put_be16(p + 4, s->udp_len_set ? s->udp_len : UDP_HLEN + plen);
		return;
	}
	put_be32(p + 4, 1);	 /* sequence number */
	put_be32(p + 8, 1);	 /* acknowledgment number */
	p[12] = 5 << 4;		 /* data offset: no options */
	p[13] = 0x18;		 /* PSH, ACK */
	put_be16(p + 14, 65535); /* window */
}

/* UDP/TCP checksum over the pseudo-header and everything the frame holds. */
static void put_l4_csum(__u8 *buf, const struct frame_spec *s, const struct frame_layout *l)
{
	size_t alen = s->ip_version == 4 ? 4 : 16;
	size_t saddr = l->l3 + (s->ip_version == 4 ? 12 : 8);
	size_t n = l->len - l->l4;
	__u8 pseudo[8] = { 0 };
	__u32 sum;

	if (!l4_hdr_len(s))
		return;
	put_be32(pseudo, n);
	pseudo[7] = l4_proto(s);
	sum = csum_add(0, buf + saddr, 2 * alen);
	sum = csum_add(sum, pseudo, sizeof(pseudo));
	sum = csum_add(sum, buf + l->l4, n);
	put_be16(buf + l->l4 + (l4_proto(s) == IPPROTO_UDP ? 6 : 16), csum_fold(sum));
}

/* A tunnel's headers and the inner frame: the outer frame's payload. */
struct tunnel_blob {
	__u8 *buf; /* as large as the outer frame's buffer */
	size_t cap;
	size_t len;
	struct frame_layout l; /* tun_hdr[] and inner*, from the blob's start */
};

static void tun_region(struct frame_cursor *c, struct tunnel_blob *t, const char *name)
{
	if (t->l.nr_tun_hdrs == FRAME_MAX_TUN_HDRS)
		frame_fail("too many tunnel headers", name);
	t->l.tun_hdr[t->l.nr_tun_hdrs].off = c->len;
	t->l.tun_hdr[t->l.nr_tun_hdrs++].name = name;
}

static bool tunnel_carries_eth(__u8 tunnel)
{
	return tunnel == FRAME_TUN_GRE_TEB || tunnel == FRAME_TUN_ERSPAN1 ||
	       tunnel == FRAME_TUN_ERSPAN2 || tunnel == FRAME_TUN_ERSPAN3 ||
	       tunnel == FRAME_TUN_VXLAN;
}

static __u16 ppp_proto(const struct frame_spec *s)
{
	if (s->ppp_proto)
		return s->ppp_proto;
	if (inner_ip_version(s) == 4)
		return PPP_IPV4;
	if (inner_ip_version(s) == 6)
		return PPP_IPV6;
	frame_fail("no PPP protocol for an inner frame without IP", NULL);
}

static __u16 gre_base_flags(const struct frame_spec *s)
{
	switch (s->tunnel) {
	case FRAME_TUN_GRE_PPP:
		return FRAME_GRE_K | 1; /* PPTP: the key carries payload length and call ID */
	case FRAME_TUN_ERSPAN2:
	case FRAME_TUN_ERSPAN3:
		return FRAME_GRE_S;
	default:
		return 0;
	}
}

static __u16 gre_proto(const struct frame_spec *s)
{
	if (s->gre_proto)
		return s->gre_proto;
	switch (s->tunnel) {
	case FRAME_TUN_GRE_TEB:
		return ETH_TYPE_TEB;
	case FRAME_TUN_GRE_PPP:
		return ETH_TYPE_PPP;
	case FRAME_TUN_ERSPAN1:
	case FRAME_TUN_ERSPAN2:
		return ETH_TYPE_ERSPAN;
	case FRAME_TUN_ERSPAN3:
		return ETH_TYPE_ERSP3;
	default:
		if (inner_ip_version(s) == 4)
			return ETH_TYPE_IPV4;
		if (inner_ip_version(s) == 6)
			return ETH_TYPE_IPV6;
		frame_fail("no GRE protocol type for an inner frame without IP", NULL);
	}
}

/*
 * GRE header and its optional words, in the order RFC 1701 and RFC 2637 give:
 * checksum and offset (C or R), key (version 1: payload length, call ID),
 * sequence number, then version 0's routing (one NULL SRE) or version 1's
 * acknowledgment number. Returns the offset of the key word, or 0.
 */
static size_t put_gre(struct frame_cursor *c, const struct frame_spec *s, struct tunnel_blob *t)
{
	__u16 flags = gre_base_flags(s) | s->gre_flags;
	size_t key = 0;
	__u8 *p;

	tun_region(c, t, "GRE header");
	p = put(c, 4);
	put_be16(p, flags);
	put_be16(p + 2, gre_proto(s));
	if (flags & (FRAME_GRE_C | FRAME_GRE_R)) {
		tun_region(c, t, "GRE checksum");
		put(c, 4); /* filled in once the packet is complete */
	}
	if (flags & FRAME_GRE_K) {
		tun_region(c, t, "GRE key");
		key = c->len;
		p = put(c, 4);
		if ((flags & FRAME_GRE_VER) == 1)
			put_be16(p + 2, 0x5a17); /* call ID; payload length filled in later */
		else
			put_be32(p, 0x00123400); /* NVGRE would read VSID 0x1234 */
	}
	if (flags & FRAME_GRE_S) {
		tun_region(c, t, "GRE sequence number");
		put_be32(put(c, 4), 7);
	}
	if ((flags & FRAME_GRE_VER) == 1 && (flags & FRAME_GRE_A)) {
		tun_region(c, t, "GRE acknowledgment number");
		put_be32(put(c, 4), 6);
	}
	if ((flags & FRAME_GRE_VER) == 0 && (flags & FRAME_GRE_R)) {
		tun_region(c, t, "GRE routing");
		put(c, 4); /* NULL SRE: address family 0, SRE length 0 */
	}
	return key;
}

/* ERSPAN II (version 1) and III (version 2) headers, after draft-foschiano-erspan-03. */
static void put_erspan(struct frame_cursor *c, const struct frame_spec *s, struct tunnel_blob *t)
{
	__u16 et;
	bool tagged = s->inner ? s->inner->nr_vlans > 0
			       : raw_l3(s->inner_raw, s->inner_raw_len, &et) > FRAME_ETH_HLEN;
	__u8 ver, *p;

	if (s->tunnel == FRAME_TUN_ERSPAN2) {
		ver = s->erspan_ver ? s->erspan_ver : 1;
		tun_region(c, t, "ERSPAN II header");
		p = put(c, 8);
		put_be16(p, (__u16)ver << 12); /* VLAN 0 */
		/* COS 0, En 3 (VLAN tag kept) or 0 (untagged), T 0, session ID 0x17 */
		put_be16(p + 2, (tagged ? 3 : 0) << 11 | 0x17);
		put_be32(p + 4, 0x00000a17); /* reserved 0, index 0xa17 */
		return;
	}
	ver = s->erspan_ver ? s->erspan_ver : 2;
	tun_region(c, t, "ERSPAN III header");
	p = put(c, 12);
	put_be16(p, (__u16)ver << 12);			 /* VLAN 0 */
	put_be16(p + 2, 0x17);				 /* COS 0, BSO 0, T 0, session ID 0x17 */
	put_be32(p + 4, 0x5a170001);			 /* timestamp */
	put_be16(p + 8, 0);				 /* SGT */
	p[10] = (s->erspan_ft & 0x1f) << 2;		 /* P 0, FT, Hw ID high bits 0 */
	p[11] = 1 << 4 | 3 << 1 | (s->erspan_o ? 1 : 0); /* Hw ID 1, D 0, Gra 3 (IEEE 1588), O */
	if (!s->erspan_o)
		return;
	tun_region(c, t, "ERSPAN III subheader");
	p = put(c, 8);
	p[0] = 3 << 2;		     /* platform ID 3, reserved */
	put_be16(p + 2, 0x0017);     /* port ID/index */
	put_be32(p + 4, 0x65a0bc00); /* timestamp, upper 32 bits of the seconds */
}

/* RFC 7348: I flag, reserved, 24-bit VNI, reserved. */
static void put_vxlan(struct frame_cursor *c, const struct frame_spec *s, struct tunnel_blob *t)
{
	__u8 *p;

	tun_region(c, t, "VXLAN header");
	p = put(c, 8);
	p[0] = s->vxlan_no_i ? 0x00 : 0x08;
	put_be32(p + 4, 0x001234 << 8); /* VNI 0x1234 */
}

/* RFC 2516 session header, then the PPP protocol. Returns the header's offset. */
static size_t put_pppoe(struct frame_cursor *c, const struct frame_spec *s, struct tunnel_blob *t)
{
	size_t off = c->len;
	__u8 *p;

	tun_region(c, t, "PPPoE header");
	p = put(c, 6);
	p[0] = 0x11;		 /* version 1, type 1 */
	p[1] = 0x00;		 /* code: session data */
	put_be16(p + 2, 0x5a17); /* session ID; the length is filled in later */
	tun_region(c, t, "PPP protocol");
	put_be16(put(c, 2), ppp_proto(s));
	return off;
}

static __u8 gtp_ext_type(const struct frame_gtp_ext *e)
{
	return e->type ? e->type : FRAME_GTP_EXT_PSC;
}

static size_t gtp_ext_units(const struct frame_gtp_ext *e)
{
	if (e->units)
		return e->units;
	return gtp_ext_type(e) == FRAME_GTP_EXT_LPDCP ? 2 : 1;
}

/*
 * TS 29.281 5.2.2: one extension header, with @next as its Next Extension
 * Header Type. The content follows TS 38.415 5.5.2 for a PDU Session
 * Container (DL PDU SESSION INFORMATION, QFI 5) and 5.2.2.2/5.2.2.2A for the
 * PDCP PDU numbers; other types get zeros.
 */
static void put_gtp_ext(struct frame_cursor *c, const struct frame_gtp_ext *e, __u8 next)
{
	size_t units = gtp_ext_units(e);
	__u8 *p = put(c, 4 * units);

	p[0] = e->len_zero ? 0 : units;
	switch (gtp_ext_type(e)) {
	case FRAME_GTP_EXT_PSC:
		p[1] = 0x00; /* PDU type 0 (DL), no QMP/SNP/MSNP */
		p[2] = 0x05; /* PPP 0, RQI 0, QFI 5 */
		break;
	case FRAME_GTP_EXT_PDCP:
		put_be16(p + 1, 0x5a17);
		break;
	case FRAME_GTP_EXT_LPDCP:
		p[1] = 0x01; /* 6 spare bits, then an 18-bit PDCP PDU number 0x15a17 */
		put_be16(p + 2, 0x5a17);
		break;
	}
	p[4 * units - 1] = next;
}

/* The flags GTP-U's first octet carries for @s: E with extension headers. */
static __u8 gtp_flags(const struct frame_spec *s)
{
	__u8 flags = s->gtp_flags & 0x07;

	if (s->gtp_nr_ext)
		flags |= FRAME_GTP_E;
	if (s->gtp_no_e)
		flags &= ~FRAME_GTP_E;
	return flags;
}

/*
 * TS 29.281 5.1: version, PT, E/S/PN; message type; length (filled in
 * later); TEID; then, if any flag is set, the optional word and the
 * extension headers. Returns the header's offset.
 */
static size_t put_gtpu(struct frame_cursor *c, const struct frame_spec *s, struct tunnel_blob *t)
{
	static const char *const ext_names[FRAME_GTP_MAX_EXT] = { "GTP-U extension header 1",
								  "GTP-U extension header 2",
								  "GTP-U extension header 3" };
	__u8 flags = gtp_flags(s), ver = s->gtp_ver_set ? s->gtp_ver : 1;
	size_t off = c->len;
	__u8 *p;
	int i;

	if (s->gtp_nr_ext > FRAME_GTP_MAX_EXT)
		frame_fail("too many GTP-U extension headers", NULL);
	tun_region(c, t, "GTP-U header");
	p = put(c, GTP_HLEN);
	p[0] = (ver & 0x07) << 5 | (s->gtp_prime ? 0 : 0x10) | flags;
	p[1] = s->gtp_msg_type ? s->gtp_msg_type : GTP_MSG_GPDU;
	if (p[1] == GTP_MSG_GPDU || p[1] == GTP_MSG_END_MARKER)
		put_be32(p + 4, 0x5a170001); /* TEID; echo and error indication carry 0 */
	if (!flags && s->gtp_nr_ext)
		frame_fail("GTP-U extension headers need a flag, so the optional word is there",
			   NULL);
	if (!flags)
		return off;
	tun_region(c, t, "GTP-U optional word");
	p = put(c, 4);
	if (flags & FRAME_GTP_S)
		put_be16(p, 0x5a17); /* sequence number */
	if (flags & FRAME_GTP_PN)
		p[2] = 0x17; /* N-PDU number */
	p[3] = s->gtp_nr_ext ? gtp_ext_type(&s->gtp_ext[0]) : 0;
	for (i = 0; i < s->gtp_nr_ext; i++) {
		tun_region(c, t, ext_names[i]);
		put_gtp_ext(c, &s->gtp_ext[i],
			    i + 1 < s->gtp_nr_ext ? gtp_ext_type(&s->gtp_ext[i + 1]) : 0);
	}
	return off;
}

/* The inner frame: built from ->inner into @ibuf, or ->inner_raw as it is. */
static const __u8 *inner_frame(const struct frame_spec *s, __u8 *ibuf, size_t cap,
			       struct frame_spec *in, struct frame_layout *il, size_t *ilen)
{
	__u16 et;

	memset(in, 0, sizeof(*in));
	memset(il, 0, sizeof(*il));
	if (s->inner_raw) {
		*ilen = s->inner_raw_len;
		il->l3 = raw_l3(s->inner_raw, s->inner_raw_len, &et);
		il->l4 = il->payload = il->l3;
		return s->inner_raw;
	}
	*in = *s->inner;
	if (!tunnel_carries_eth(s->tunnel) && !in->ip_version && !in->ethertype)
		in->ethertype = ETH_TYPE_IPV4; /* the Ethernet header is cut off below anyway */
	*ilen = frame_build(ibuf, cap, in, il);
	return ibuf;
}

static void build_tunnel(const struct frame_spec *s, struct tunnel_blob *t)
{
	struct frame_cursor c = { .buf = t->buf, .cap = t->cap };
	struct frame_spec in;
	struct frame_layout il;
	__u8 ibuf[FRAME_MAX_LEN];
	const __u8 *inner;
	size_t ilen, from = 0, key = 0, ppp = 0, pppoe = 0, gtp = 0, shift;
	bool gre_csum = false;
	__u16 proto;
	int i;

	memset(&t->l, 0, sizeof(t->l));
	if (!s->inner == !s->inner_raw)
		frame_fail("a tunnel needs an inner frame: ->inner or ->inner_raw", NULL);
	if ((s->tunnel == FRAME_TUN_PPPOE) != !s->ip_version)
		frame_fail("PPPoE has no outer IP header, every other tunnel has one", NULL);
	inner = inner_frame(s, ibuf, sizeof(ibuf), &in, &il, &ilen);
	if (!tunnel_carries_eth(s->tunnel))
		from = il.l3;

	if (s->tunnel != FRAME_TUN_IPIP && s->tunnel != FRAME_TUN_VXLAN &&
	    s->tunnel != FRAME_TUN_PPPOE && s->tunnel != FRAME_TUN_GTPU)
		gre_csum = (gre_base_flags(s) | s->gre_flags) & FRAME_GRE_C;
	switch (s->tunnel) {
	case FRAME_TUN_IPIP:
		break;
	case FRAME_TUN_GRE:
	case FRAME_TUN_GRE_TEB:
	case FRAME_TUN_ERSPAN1:
		put_gre(&c, s, t);
		break;
	case FRAME_TUN_GRE_PPP:
		key = put_gre(&c, s, t);
		ppp = c.len;
		if (!s->ppp_acfc) {
			tun_region(&c, t, "PPP address and control");
			memcpy(put(&c, 2), "\xff\x03", 2);
		}
		tun_region(&c, t, "PPP protocol");
		proto = ppp_proto(s);
		if (s->ppp_pfc)
			*put(&c, 1) = proto & 0xff;
		else
			put_be16(put(&c, 2), proto);
		break;
	case FRAME_TUN_ERSPAN2:
	case FRAME_TUN_ERSPAN3:
		put_gre(&c, s, t);
		put_erspan(&c, s, t);
		break;
	case FRAME_TUN_VXLAN:
		put_vxlan(&c, s, t);
		break;
	case FRAME_TUN_PPPOE:
		pppoe = put_pppoe(&c, s, t);
		break;
	case FRAME_TUN_GTPU:
		gtp = put_gtpu(&c, s, t);
		break;
	default:
		frame_fail("unknown tunnel", NULL);
	}

	t->l.inner = c.len;
	t->l.inner_eth = tunnel_carries_eth(s->tunnel);
	memcpy(put(&c, ilen - from), inner + from, ilen - from);
	t->len = c.len;

	/* The inner frame's offsets, moved to where it sits in the blob. */
	shift = t->l.inner;
	for (i = 0; i < FRAME_MAX_VLANS; i++)
		t->l.inner_vlan[i] =
			t->l.inner_eth && i < in.nr_vlans ? il.vlan[i] - from + shift : 0;
	for (i = 0; i < FRAME_MAX_IP6_EXT; i++)
		t->l.inner_ext[i] = i < in.nr_ext ? il.ext[i] - from + shift : 0;
	t->l.inner_l3 = il.l3 - from + shift;
	t->l.inner_l4 = il.l4 - from + shift;
	t->l.inner_payload = il.payload - from + shift;

	/* Lengths and checksums over what follows them. */
	if (key)
		put_be16(t->buf + key, t->len - ppp); /* PPTP: the PPP frame's length */
	if (s->tunnel == FRAME_TUN_PPPOE) /* RFC 2516: the PPP protocol and its payload */
		put_be16(t->buf + pppoe + 4, t->len - pppoe - 6);
	if (s->tunnel == FRAME_TUN_GTPU) /* TS 29.281 5.1: all past the first 8 octets */
		put_be16(t->buf + gtp + 2, t->len - gtp - GTP_HLEN);
	if (gre_csum) /* RFC 2784: over the GRE header and its payload */
		put_be16(t->buf + 4, csum_fold(csum_add(0, t->buf, t->len)));
}

size_t frame_build(void *buf, size_t cap, const struct frame_spec *s, struct frame_layout *layout)
{
	struct frame_cursor c = { .buf = buf, .cap = cap };
	struct frame_layout l = { 0 };
	struct tunnel_blob *t = NULL;
	const void *payload = s->payload;
	size_t plen = payload_len(s);
	size_t i;

	if (s->nr_vlans > FRAME_MAX_VLANS || s->ip_opt_words > IPV4_MAX_OPT_WORDS)
		frame_fail("spec out of range", NULL);
	if (s->tunnel) {
		if (s->payload)
			frame_fail("a tunnel's payload is its inner frame", NULL);
		t = malloc(sizeof(*t));
		if (t)
			t->buf = malloc(cap);
		if (!t || !t->buf)
			abort();
		t->cap = cap;
		build_tunnel(s, t);
		payload = t->buf;
		plen = t->len;
	}
	put_eth(&c, s, &l);
	l.l3 = c.len;
	if (s->ip_version == 4)
		put_ipv4(&c, s, l4_hdr_len(s) + plen);
	else if (s->ip_version == 6)
		put_ipv6(&c, s, &l, l4_hdr_len(s) + plen);
	l.l4 = c.len;
	put_l4(&c, s, plen);
	l.payload = c.len;
	if (plen)
		memcpy(put(&c, plen), payload, plen);
	l.len = c.len;
	if (s->ip_version)
		put_l4_csum(c.buf, s, &l);
	if (t) {
		l.nr_tun_hdrs = t->l.nr_tun_hdrs;
		for (i = 0; i < t->l.nr_tun_hdrs; i++) {
			l.tun_hdr[i] = t->l.tun_hdr[i];
			l.tun_hdr[i].off += l.payload;
		}
		l.inner = t->l.inner + l.payload;
		l.inner_eth = t->l.inner_eth;
		for (i = 0; i < FRAME_MAX_VLANS; i++)
			l.inner_vlan[i] = t->l.inner_vlan[i] ? t->l.inner_vlan[i] + l.payload : 0;
		for (i = 0; i < FRAME_MAX_IP6_EXT; i++)
			l.inner_ext[i] = t->l.inner_ext[i] ? t->l.inner_ext[i] + l.payload : 0;
		l.inner_l3 = t->l.inner_l3 + l.payload;
		l.inner_l4 = t->l.inner_l4 + l.payload;
		l.inner_payload = t->l.inner_payload + l.payload;
		free(t->buf);
		free(t);
	}
	if (layout)
		*layout = l;
	return c.len;
}

int frame_addr16(const char *text, __u8 out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out + 12) == 1) {
		out[10] = 0xff;
		out[11] = 0xff;
		return 4;
	}
	memset(out, 0, 16);
	return inet_pton(AF_INET6, text, out) == 1 ? 6 : 0;
}

int frame_parse_mac(const char *text, __u8 out[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		out[i] = b[i];
	return 0;
}

const char *const tunnel_names[TUNNEL_KIND_MAX] = {
	[TUNNEL_IPIP] = "ipip",	      [TUNNEL_IP6] = "ip6tnl",	   [TUNNEL_GRE4] = "gre",
	[TUNNEL_GRE6] = "ip6gre",     [TUNNEL_GRE_TEB] = "gretap", [TUNNEL_ERSPAN1] = "erspan1",
	[TUNNEL_ERSPAN2] = "erspan2", [TUNNEL_GRE_PPP] = "pptp",   [TUNNEL_ERSPAN3] = "erspan3",
	[TUNNEL_VXLAN4] = "vxlan",    [TUNNEL_VXLAN6] = "vxlan6",  [TUNNEL_PPPOE] = "pppoe",
	[TUNNEL_GTPU4] = "gtpu",      [TUNNEL_GTPU6] = "gtpu6",
};

/* GRE's C, K and S bits from the variant bits. */
static __u16 tunnel_gre_flags(unsigned int var)
{
	return (var & TUNNEL_VAR_CSUM ? FRAME_GRE_C : 0) |
	       (var & TUNNEL_VAR_KEY ? FRAME_GRE_K : 0) | (var & TUNNEL_VAR_SEQ ? FRAME_GRE_S : 0);
}

size_t tunnel_wrap(enum tunnel_kind kind, unsigned int var, const __u8 *inner, size_t len,
		   __u8 *out, size_t cap)
{
	struct frame_spec s = { .inner_raw = inner, .inner_raw_len = len, .ip_version = 4 };

	if (cap < len + TUNNEL_MAX_OVERHEAD || kind >= TUNNEL_KIND_MAX)
		return 0;
	if (var & TUNNEL_VAR_VLAN)
		s.nr_vlans = 1;
	if (var & TUNNEL_VAR_IPV4_OPT)
		s.ip_opt_words = 1;
	if (kind == TUNNEL_IP6 || kind == TUNNEL_GRE6 || kind == TUNNEL_VXLAN6 ||
	    kind == TUNNEL_GTPU6)
		s.ip_version = 6;
	switch (kind) {
	case TUNNEL_IPIP:
	case TUNNEL_IP6:
		s.tunnel = FRAME_TUN_IPIP;
		break;
	case TUNNEL_GRE4:
	case TUNNEL_GRE6:
		s.tunnel = FRAME_TUN_GRE;
		s.gre_flags = tunnel_gre_flags(var);
		break;
	case TUNNEL_GRE_TEB:
		s.tunnel = FRAME_TUN_GRE_TEB;
		s.gre_flags = tunnel_gre_flags(var);
		break;
	case TUNNEL_ERSPAN1: /* type I has no sequence number */
		s.tunnel = FRAME_TUN_ERSPAN1;
		s.gre_flags = tunnel_gre_flags(var & ~TUNNEL_VAR_SEQ);
		break;
	case TUNNEL_ERSPAN2: /* the S bit is always there (gre_base_flags) */
		s.tunnel = FRAME_TUN_ERSPAN2;
		s.gre_flags = tunnel_gre_flags(var);
		break;
	case TUNNEL_ERSPAN3: /* CSUM asks for the O bit and its subheader here */
		s.tunnel = FRAME_TUN_ERSPAN3;
		s.gre_flags = tunnel_gre_flags(var & ~TUNNEL_VAR_CSUM);
		s.erspan_o = var & TUNNEL_VAR_CSUM;
		break;
	case TUNNEL_GRE_PPP: /* PPTP always numbers its packets */
		s.tunnel = FRAME_TUN_GRE_PPP;
		s.gre_flags = FRAME_GRE_S | (var & TUNNEL_VAR_KEY ? FRAME_GRE_A : 0);
		s.ppp_acfc = var & TUNNEL_VAR_CSUM;
		s.ppp_pfc = var & TUNNEL_VAR_SEQ;
		break;
	case TUNNEL_VXLAN4:
	case TUNNEL_VXLAN6:
		s.tunnel = FRAME_TUN_VXLAN;
		break;
	case TUNNEL_PPPOE:
		s.tunnel = FRAME_TUN_PPPOE;
		s.ip_version = 0;
		s.ip_opt_words = 0;
		break;
	case TUNNEL_GTPU4:
	case TUNNEL_GTPU6:
		s.tunnel = FRAME_TUN_GTPU;
		s.gtp_flags = var & TUNNEL_VAR_SEQ ? FRAME_GTP_S : 0;
		if (var & TUNNEL_VAR_KEY) {
			s.gtp_nr_ext = 1; /* one PDU Session Container */
			s.gtp_ext[0].type = FRAME_GTP_EXT_PSC;
		}
		break;
	default:
		return 0;
	}
	if (s.ip_version == 6)
		s.ip_opt_words = 0;
	return frame_build(out, cap, &s, NULL);
}
