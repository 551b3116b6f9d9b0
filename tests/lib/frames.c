// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Test frame builders: Ethernet, VLAN, IPv4/IPv6 (+ extension headers), UDP/TCP. */
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

#define IPV4_HLEN	   20
#define IPV4_MAX_OPT_WORDS 10 /* IHL 15 */
#define IPV6_HLEN	   40
#define UDP_HLEN	   8
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

static __u8 l4_proto(const struct frame_spec *s)
{
	return s->l4_proto ? s->l4_proto : IPPROTO_UDP;
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
	__u16 sport = s->sport ? s->sport : FRAME_SIP_PORT;
	__u16 dport = s->dport ? s->dport : FRAME_SIP_PORT;
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

size_t frame_build(void *buf, size_t cap, const struct frame_spec *s, struct frame_layout *layout)
{
	struct frame_cursor c = { .buf = buf, .cap = cap };
	struct frame_layout l = { 0 };
	size_t plen = payload_len(s);

	if (s->nr_vlans > FRAME_MAX_VLANS || s->ip_opt_words > IPV4_MAX_OPT_WORDS)
		frame_fail("spec out of range", NULL);
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
		memcpy(put(&c, plen), s->payload, plen);
	l.len = c.len;
	if (s->ip_version)
		put_l4_csum(c.buf, s, &l);
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
