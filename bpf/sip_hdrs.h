/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Header walkers for Ethernet, VLAN, PPPoE, IPv4, IPv6 and UDP, shared by the
 * BPF object and the host (see sip_parse.h). Each parse_<hdr>() checks its own
 * bounds against data_end, advances the cursor, and returns an outcome
 * (enum pkt_result) or SIP_PARSE_CONTINUE.
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

/* Returned by a parse step that has not decided the frame's outcome yet. */
#define SIP_PARSE_CONTINUE 0x100
/* Returned by the outer walk for a tunnel: the inner frame is in sip_l4_info. */
#define SIP_PARSE_TUNNEL   0x101
/* Returned by the fast path (sip_fast.h): the frame needs the full walk. */
#define SIP_PARSE_SLOW	   0x102

/* How far a header walk goes. */
enum sip_walk {
	SIP_WALK_INNER = 0, /* no tunnels: the inner frame of one */
	SIP_WALK_OUTER,	    /* one tunnel level: SIP_PARSE_TUNNEL */
};

/* Where a walk starts: at an Ethernet header, or right at an IP header. */
enum sip_layer {
	SIP_AT_ETH = 0,
	SIP_AT_IPV4,
	SIP_AT_IPV6,
	SIP_AT_NONE, /* a tunnel whose payload is not IP (PPP control traffic) */
};

struct hdr_cursor {
	void *pos;
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
	__u32 inner_off;   /* SIP_PARSE_TUNNEL: offset of the inner frame */
	__u8 family;	   /* SIP6XX_FAMILY_IPV4 or _IPV6 */
	__u8 inner_at;	   /* SIP_PARSE_TUNNEL: enum sip_layer of the inner frame */
	__u8 decap;	   /* SIP_PARSE_TUNNEL: PKT_DECAP_* */
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
static __always_inline int parse_pppoe(struct hdr_cursor *nh, void *data_end, __be16 *proto)
{
	struct sip_pppoe_hdr *ph = nh->pos;

	if ((void *)(ph + 1) > data_end)
		return PKT_TRUNCATED;
	*proto = sip_ppp_to_ethertype(bpf_ntohs(ph->ppp_proto));
	if (!*proto)
		return PKT_NON_IP; /* LCP, IPCP and other PPP control traffic */
	nh->pos = ph + 1;
	return SIP_PARSE_CONTINUE;
}

/* Advances past Ethernet, up to VLAN_MAX_DEPTH tags and PPPoE; *proto is network order. */
static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end, __be16 *proto)
{
	struct ethhdr *eth = nh->pos;
	struct sip_vlan_hdr *vh;
	int i;

	if ((void *)(eth + 1) > data_end)
		return PKT_TRUNCATED;
	*proto = eth->h_proto;
	nh->pos = eth + 1;

	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!sip_is_vlan(*proto))
			break;
		vh = nh->pos;
		if ((void *)(vh + 1) > data_end)
			return PKT_TRUNCATED;
		*proto = vh->encap_proto;
		nh->pos = vh + 1;
	}
	/* A third tag is deeper than we follow: not IP as far as we can tell. */
	if (sip_is_vlan(*proto))
		return PKT_NON_IP;
	if (*proto == bpf_htons(SIP_ETH_P_PPPOE_SESS))
		return parse_pppoe(nh, data_end, proto);
	return SIP_PARSE_CONTINUE;
}

/* Advances past the IPv4 header and its options; *nexthdr is its protocol. */
static __always_inline int parse_ipv4(struct hdr_cursor *nh, void *data_end, __u8 *nexthdr)
{
	struct iphdr *iph = nh->pos;
	__u32 hdrsize;

	if ((void *)(iph + 1) > data_end)
		return PKT_TRUNCATED;
	/* xdp-tools drops this check; without it IHL 0..4 would loop or underflow. */
	if (iph->version != 4 || iph->ihl < 5)
		return PKT_MALFORMED;
	hdrsize = iph->ihl * 4;
	if (nh->pos + hdrsize > data_end)
		return PKT_TRUNCATED;
	/* Offset != 0: a later fragment, which never holds the status line. */
	if (iph->frag_off & bpf_htons(0x1fff))
		return PKT_FRAGMENT;
	*nexthdr = iph->protocol;
	nh->pos += hdrsize;
	return SIP_PARSE_CONTINUE;
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
static __always_inline int parse_ipv6(struct hdr_cursor *nh, void *data_end, __u8 *nexthdr)
{
	struct ipv6hdr *ip6h = nh->pos;
	struct ipv6_opt_hdr *oh;
	struct sip_ipv6_frag_hdr *fh;
	int i;

	if ((void *)(ip6h + 1) > data_end)
		return PKT_TRUNCATED;
	if (ip6h->version != 6)
		return PKT_MALFORMED;
	*nexthdr = ip6h->nexthdr;
	nh->pos = ip6h + 1;

	for (i = 0; i < IPV6_EXT_MAX_CHAIN; i++) {
		switch (*nexthdr) {
		case SIP_IPPROTO_HOPOPTS:
		case SIP_IPPROTO_ROUTING:
		case SIP_IPPROTO_DSTOPTS:
			oh = nh->pos;
			if ((void *)(oh + 1) > data_end)
				return PKT_TRUNCATED;
			*nexthdr = oh->nexthdr;
			/* Length is checked by the next header's own bounds test. */
			nh->pos += (oh->hdrlen + 1) * 8;
			break;
		case SIP_IPPROTO_FRAGMENT:
			fh = nh->pos;
			if ((void *)(fh + 1) > data_end)
				return PKT_TRUNCATED;
			if (fh->frag_off & bpf_htons(0xfff8))
				return PKT_FRAGMENT;
			*nexthdr = fh->nexthdr;
			nh->pos = fh + 1;
			break;
		default:
			return SIP_PARSE_CONTINUE;
		}
	}
	return SIP_PARSE_CONTINUE;
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
static __always_inline int parse_udp(struct hdr_cursor *nh, void *data_end,
				     struct sip_parse_result *res, __u32 *ulen)
{
	struct udphdr *udph = nh->pos;

	if ((void *)(udph + 1) > data_end)
		return PKT_TRUNCATED;
	*ulen = bpf_ntohs(udph->len);
	if (*ulen < sizeof(*udph))
		return PKT_MALFORMED;
	res->sport = bpf_ntohs(udph->source);
	res->dport = bpf_ntohs(udph->dest);
	return SIP_PARSE_CONTINUE;
}

#endif /* SIP_HDRS_H */
