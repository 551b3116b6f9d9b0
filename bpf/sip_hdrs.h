/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Header walkers for Ethernet, VLAN, PPPoE, IPv4, IPv6 and UDP, shared by the
 * BPF object and the host (see sip_parse.h). Each parse_<hdr>() checks its own
 * bounds against the cursor's end, advances the cursor, and returns a
 * struct sip_step: SIP_CONTINUE, or an outcome once it decided the frame.
 *
 * Host users: include <netinet/in.h> (or <arpa/inet.h>) before this header,
 * so glibc and the UAPI <linux/in6.h> agree on struct in6_addr.
 */
#ifndef SIP_HDRS_H
#define SIP_HDRS_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

#include "sip6xx.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define VLAN_MAX_DEPTH	   2 /* 802.1Q and QinQ (802.1ad outer) */
#define IPV6_EXT_MAX_CHAIN 6 /* extension headers followed before the transport */
/*
 * Largest header offset handed across a global-function boundary. The
 * verifier drops a bounds check whose pointer may reach past 64 KiB
 * (MAX_PACKET_OFF) once the checked length is added, so keep a margin.
 */
#define SIP_MAX_OFFSET	   0x3fff

/* Protocol numbers, spelled here so the host build needs no <linux/in.h>. */
#define SIP_IPPROTO_HOPOPTS  0
#define SIP_IPPROTO_IPIP     4
#define SIP_IPPROTO_UDP	     17
#define SIP_IPPROTO_IPV6     41
#define SIP_IPPROTO_ROUTING  43
#define SIP_IPPROTO_FRAGMENT 44
#define SIP_IPPROTO_GRE	     47
#define SIP_IPPROTO_DSTOPTS  60

#define SIP_ETH_P_PPPOE_SESS 0x8864
#define SIP_PPP_IPV4	     0x0021
#define SIP_PPP_IPV6	     0x0057

/* Where a stage leaves a frame: what struct sip_step.next says. */
enum sip_next {
	SIP_DECIDED = 0, /* the frame's outcome is known: sip_step.outcome */
	SIP_CONTINUE, /* the next header takes it; after a walk, the UDP payload in sip_l4_info */
	SIP_TUNNEL,   /* the outer walk found a tunnel: its inner frame is in sip_l4_info */
	SIP_SLOW,     /* the fast path (sip_fast.h) cannot tell: the full walk decides */
};

/* A stage's result: where the frame goes next, and its outcome once decided. */
struct sip_step {
	enum sip_next next;
	enum pkt_result outcome; /* with SIP_DECIDED only */
};

static __always_inline struct sip_step sip_decided(enum pkt_result outcome)
{
	return (struct sip_step){ .next = SIP_DECIDED, .outcome = outcome };
}

static __always_inline struct sip_step sip_next(enum sip_next next)
{
	return (struct sip_step){ .next = next };
}

/* How far a header walk goes. */
enum sip_walk {
	SIP_WALK_INNER = 0, /* no tunnels: the inner frame of one */
	SIP_WALK_OUTER,	    /* one tunnel level: SIP_TUNNEL */
};

/* Where a walk starts: at an Ethernet header, or right at an IP header. */
enum sip_layer {
	SIP_AT_ETH = 0,
	SIP_AT_IPV4,
	SIP_AT_IPV6,
	SIP_AT_NONE, /* a tunnel whose payload is not IP (PPP control traffic) */
};

/* Where the next header starts, and where the frame ends: every read checks against end. */
struct cursor {
	void *pos;
	void *end;
};

struct sip_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct sip_pppoe_hdr {
	__u8 ver_type;
	__u8 code;
	__be16 session;
	__be16 length;
	__be16 ppp_proto; /* PPP protocol field; PPPoE never compresses it */
};

struct sip_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-byte units << 3, then flags */
	__be32 identification;
};

/* What the parser found; filled by sip_parse_frame(). */
struct sip_parse_result {
	__u16 code;	/* status code, when the outcome is PKT_SIP_RESPONSE */
	__u16 sport;	/* host byte order, once UDP was reached */
	__u16 dport;	/* host byte order, once UDP was reached */
	__u8 family;	/* of saddr: SIP6XX_FAMILY_*, for 6xx responses only */
	__u8 decap;	/* PKT_DECAP_* of the tunnel the frame came out of; 0: none */
	__u8 saddr[16]; /* responder address (IPv4-mapped), 6xx responses only */
};

/* Where a header walk left off: what the next stage needs. */
struct sip_l4_info {
	__u32 l3_off;	   /* offset of the IPv4 or IPv6 header */
	__u32 payload_off; /* offset of the UDP payload */
	__u32 dgram_len;   /* UDP payload length, as the UDP header claims */
	__u32 inner_off;   /* SIP_TUNNEL: offset of the inner frame */
	__u8 family;	   /* SIP6XX_FAMILY_IPV4 or _IPV6 */
	__u8 inner_at;	   /* SIP_TUNNEL: enum sip_layer of the inner frame */
	__u8 decap;	   /* SIP_TUNNEL: PKT_DECAP_* */
	__u8 pad;
};

static __always_inline int sip_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/* A PPP protocol number as the Ethernet type of the same payload; 0: not IP. */
static __always_inline __be16 sip_ppp_to_ethertype(__u16 ppp_proto)
{
	if (ppp_proto == SIP_PPP_IPV4)
		return bpf_htons(ETH_P_IP);
	if (ppp_proto == SIP_PPP_IPV6)
		return bpf_htons(ETH_P_IPV6);
	return 0;
}

/* Advances past a PPPoE session header; *proto becomes IPv4's or IPv6's type. */
static __always_inline struct sip_step parse_pppoe(struct cursor *c, __be16 *proto)
{
	struct sip_pppoe_hdr *ph = c->pos;

	if ((void *)(ph + 1) > c->end)
		return sip_decided(PKT_TRUNCATED);
	*proto = sip_ppp_to_ethertype(bpf_ntohs(ph->ppp_proto));
	if (!*proto)
		return sip_decided(PKT_NON_IP); /* LCP, IPCP and other PPP control traffic */
	c->pos = ph + 1;
	return sip_next(SIP_CONTINUE);
}

/* Advances past Ethernet, up to VLAN_MAX_DEPTH tags and PPPoE; *proto is network order. */
static __always_inline struct sip_step parse_ethhdr(struct cursor *c, __be16 *proto)
{
	struct ethhdr *eth = c->pos;
	struct sip_vlan_hdr *vh;
	int i;

	if ((void *)(eth + 1) > c->end)
		return sip_decided(PKT_TRUNCATED);
	*proto = eth->h_proto;
	c->pos = eth + 1;

	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!sip_is_vlan(*proto))
			break;
		vh = c->pos;
		if ((void *)(vh + 1) > c->end)
			return sip_decided(PKT_TRUNCATED);
		*proto = vh->encap_proto;
		c->pos = vh + 1;
	}
	/* A third tag is deeper than we follow: not IP as far as we can tell. */
	if (sip_is_vlan(*proto))
		return sip_decided(PKT_NON_IP);
	if (*proto == bpf_htons(SIP_ETH_P_PPPOE_SESS))
		return parse_pppoe(c, proto);
	return sip_next(SIP_CONTINUE);
}

/* Advances past the IPv4 header and its options; *nexthdr is its protocol. */
static __always_inline struct sip_step parse_ipv4(struct cursor *c, __u8 *nexthdr)
{
	struct iphdr *iph = c->pos;
	__u32 hdrsize;

	if ((void *)(iph + 1) > c->end)
		return sip_decided(PKT_TRUNCATED);
	/* xdp-tools drops this check; without it IHL 0..4 would loop or underflow. */
	if (iph->version != 4 || iph->ihl < 5)
		return sip_decided(PKT_MALFORMED);
	hdrsize = iph->ihl * 4;
	if (c->pos + hdrsize > c->end)
		return sip_decided(PKT_TRUNCATED);
	/* Offset != 0: a later fragment, which never holds the status line. */
	if (iph->frag_off & bpf_htons(0x1fff))
		return sip_decided(PKT_FRAGMENT);
	*nexthdr = iph->protocol;
	c->pos += hdrsize;
	return sip_next(SIP_CONTINUE);
}

static __always_inline int sip_is_ipv6_ext(__u8 nexthdr)
{
	return nexthdr == SIP_IPPROTO_HOPOPTS || nexthdr == SIP_IPPROTO_ROUTING ||
	       nexthdr == SIP_IPPROTO_DSTOPTS || nexthdr == SIP_IPPROTO_FRAGMENT;
}

/*
 * Advances past the IPv6 header and up to IPV6_EXT_MAX_CHAIN extension
 * headers; *nexthdr is the header after them. A longer chain leaves *nexthdr
 * at an extension header, which callers then count as non-UDP.
 */
static __always_inline struct sip_step parse_ipv6(struct cursor *c, __u8 *nexthdr)
{
	struct ipv6hdr *ip6h = c->pos;
	struct ipv6_opt_hdr *oh;
	struct sip_ipv6_frag_hdr *fh;
	int i;

	if ((void *)(ip6h + 1) > c->end)
		return sip_decided(PKT_TRUNCATED);
	if (ip6h->version != 6)
		return sip_decided(PKT_MALFORMED);
	*nexthdr = ip6h->nexthdr;
	c->pos = ip6h + 1;

	for (i = 0; i < IPV6_EXT_MAX_CHAIN; i++) {
		switch (*nexthdr) {
		case SIP_IPPROTO_HOPOPTS:
		case SIP_IPPROTO_ROUTING:
		case SIP_IPPROTO_DSTOPTS:
			oh = c->pos;
			if ((void *)(oh + 1) > c->end)
				return sip_decided(PKT_TRUNCATED);
			*nexthdr = oh->nexthdr;
			/* Length is checked by the next header's own bounds test. */
			c->pos += (oh->hdrlen + 1) * 8;
			break;
		case SIP_IPPROTO_FRAGMENT:
			fh = c->pos;
			if ((void *)(fh + 1) > c->end)
				return sip_decided(PKT_TRUNCATED);
			if (fh->frag_off & bpf_htons(0xfff8))
				return sip_decided(PKT_FRAGMENT);
			*nexthdr = fh->nexthdr;
			c->pos = fh + 1;
			break;
		default:
			return sip_next(SIP_CONTINUE);
		}
	}
	return sip_next(SIP_CONTINUE);
}

static __always_inline int sip_port_allowed(const volatile struct sip6xx_config *cfg, __u16 sport,
					    __u16 dport)
{
	int n = cfg->nr_ports; /* int: compared with the int index (host -Wsign-compare) */
	__u16 p;
	int i;

	if (!n)
		return 1;
	for (i = 0; i < SIP6XX_MAX_PORTS; i++) {
		if (i >= n)
			break;
		p = cfg->ports[i];
		if (p == sport || p == dport)
			return 1;
	}
	return 0;
}

/* Reads the UDP header at the cursor without advancing; *ulen is its length field. */
static __always_inline struct sip_step parse_udp(const struct cursor *c,
						 struct sip_parse_result *res, __u32 *ulen)
{
	struct udphdr *udph = c->pos;

	if ((void *)(udph + 1) > c->end)
		return sip_decided(PKT_TRUNCATED);
	*ulen = bpf_ntohs(udph->len);
	if (*ulen < sizeof(*udph))
		return sip_decided(PKT_MALFORMED);
	res->sport = bpf_ntohs(udph->source);
	res->dport = bpf_ntohs(udph->dest);
	return sip_next(SIP_CONTINUE);
}

#endif /* SIP_HDRS_H */
