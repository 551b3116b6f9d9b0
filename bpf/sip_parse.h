/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The SIP status-line parser, shared by the BPF object and the host.
 *
 * The kernel program, the host unit tests and the fuzzer all run this very
 * code: every read goes through a bounds check against data_end, every loop
 * is bounded by a named constant, and nothing is written to the packet.
 *
 * Host users: include <netinet/in.h> (or <arpa/inet.h>) before this header,
 * so glibc and the UAPI <linux/in6.h> agree on struct in6_addr.
 */
#ifndef SIP_PARSE_H
#define SIP_PARSE_H

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

#define VLAN_MAX_DEPTH	   2  /* 802.1Q and QinQ (802.1ad outer) */
#define IPV6_EXT_MAX_CHAIN 6  /* extension headers followed before UDP */
#define SIP_METHOD_MAX	   16 /* longest request method we recognise */
#define SIP_STATUS_LEN	   12 /* "SIP/2.0 NNN " */
/*
 * Largest header offset handed across the global-function boundary. The
 * verifier drops a bounds check whose pointer may reach past 64 KiB
 * (MAX_PACKET_OFF) once the checked length is added, so keep a margin.
 */
#define SIP_MAX_OFFSET	   0x3fff

/* Protocol numbers, spelled here so the host build needs no <linux/in.h>. */
#define SIP_IPPROTO_HOPOPTS  0
#define SIP_IPPROTO_UDP	     17
#define SIP_IPPROTO_ROUTING  43
#define SIP_IPPROTO_FRAGMENT 44
#define SIP_IPPROTO_DSTOPTS  60

/* Returned by a parse step that has not decided the frame's outcome yet. */
#define SIP_PARSE_CONTINUE PKT_RESULT_MAX

struct hdr_cursor {
	void *pos;
};

struct sip_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct sip_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-byte units << 3, then flags */
	__be32 identification;
};

/* What the parser found; filled by sip_parse_frame(). */
struct sip_parse_result {
	__u16 code;  /* status code, when the outcome is PKT_SIP_RESPONSE */
	__u16 sport; /* host byte order, once UDP was reached */
	__u16 dport; /* host byte order, once UDP was reached */
	__u8 family; /* of saddr: SIP6XX_FAMILY_*, for 6xx responses only */
	__u8 pad;
	__u8 saddr[16]; /* responder address (IPv4-mapped), 6xx responses only */
};

static __always_inline int sip_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/* Advances past Ethernet and up to VLAN_MAX_DEPTH tags; *proto is network order. */
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
	return SIP_PARSE_CONTINUE;
}

/* Advances past the IPv4 header and its options. */
static __always_inline int parse_ipv4(struct hdr_cursor *nh, void *data_end)
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
	if (iph->protocol != SIP_IPPROTO_UDP)
		return PKT_NON_UDP;
	nh->pos += hdrsize;
	return SIP_PARSE_CONTINUE;
}

/* Advances past the IPv6 header and up to IPV6_EXT_MAX_CHAIN extension headers. */
static __always_inline int parse_ipv6(struct hdr_cursor *nh, void *data_end)
{
	struct ipv6hdr *ip6h = nh->pos;
	struct ipv6_opt_hdr *oh;
	struct sip_ipv6_frag_hdr *fh;
	__u8 nexthdr;
	int i;

	if ((void *)(ip6h + 1) > data_end)
		return PKT_TRUNCATED;
	if (ip6h->version != 6)
		return PKT_MALFORMED;
	nexthdr = ip6h->nexthdr;
	nh->pos = ip6h + 1;

	for (i = 0; i < IPV6_EXT_MAX_CHAIN; i++) {
		switch (nexthdr) {
		case SIP_IPPROTO_HOPOPTS:
		case SIP_IPPROTO_ROUTING:
		case SIP_IPPROTO_DSTOPTS:
			oh = nh->pos;
			if ((void *)(oh + 1) > data_end)
				return PKT_TRUNCATED;
			nexthdr = oh->nexthdr;
			/* Length is checked by the next header's own bounds test. */
			nh->pos += (oh->hdrlen + 1) * 8;
			break;
		case SIP_IPPROTO_FRAGMENT:
			fh = nh->pos;
			if ((void *)(fh + 1) > data_end)
				return PKT_TRUNCATED;
			if (fh->frag_off & bpf_htons(0xfff8))
				return PKT_FRAGMENT;
			nexthdr = fh->nexthdr;
			nh->pos = fh + 1;
			break;
		default:
			goto chain_done;
		}
	}
chain_done:
	/* A chain longer than IPV6_EXT_MAX_CHAIN also ends here, as non-UDP. */
	if (nexthdr != SIP_IPPROTO_UDP)
		return PKT_NON_UDP;
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

/* Advances past UDP; *dgram_len is the payload length the UDP header claims. */
static __always_inline int parse_udp(struct hdr_cursor *nh, void *data_end,
				     const volatile struct sip6xx_config *cfg,
				     struct sip_parse_result *res, __u32 *dgram_len)
{
	struct udphdr *udph = nh->pos;
	__u32 ulen;

	if ((void *)(udph + 1) > data_end)
		return PKT_TRUNCATED;
	ulen = bpf_ntohs(udph->len);
	if (ulen < sizeof(*udph))
		return PKT_MALFORMED;
	res->sport = bpf_ntohs(udph->source);
	res->dport = bpf_ntohs(udph->dest);
	if (!sip_port_allowed(cfg, res->sport, res->dport))
		return PKT_FILTERED_PORT;
	*dgram_len = ulen - sizeof(*udph);
	nh->pos = udph + 1;
	return SIP_PARSE_CONTINUE;
}

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

static __always_inline int sip_is_token_char(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	/* RFC 3261 25.1 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
	 */
	return c == '-' || c == '.' || c == '!' || c == '%' || c == '*' || c == '_' || c == '+' ||
	       c == '`' || c == '\'' || c == '~';
}

/*
 * A request line starts "Method SP scheme:" with a token method and one of the
 * URI schemes SIP requests use (sip, sips, tel, urn), case-insensitively.
 * Running out of bytes is truncated when the frame was cut, else not SIP.
 */
static __always_inline int parse_request_line(const __u8 *payload, __u32 dgram_len, void *data_end)
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
static __always_inline int parse_sip_payload(const __u8 *p, __u32 dgram_len, void *data_end,
					     struct sip_parse_result *res)
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

/* Where the first stage left off: what the payload stage and the source copy need. */
struct sip_l4_info {
	__u32 l3_off;	   /* offset of the IPv4 or IPv6 header */
	__u32 payload_off; /* offset of the UDP payload */
	__u32 dgram_len;   /* UDP payload length, as the UDP header claims */
	__u8 family;	   /* SIP6XX_FAMILY_IPV4 or _IPV6 */
	__u8 pad[3];
};

/*
 * Stage 1: Ethernet, VLANs, IP, UDP and the port filter. Returns an outcome,
 * or SIP_PARSE_CONTINUE with @l4 filled when there is a UDP payload to read.
 */
static __always_inline int sip_parse_headers(void *data, void *data_end,
					     const volatile struct sip6xx_config *cfg,
					     struct sip_parse_result *res, struct sip_l4_info *l4)
{
	struct hdr_cursor nh = { .pos = data };
	__be16 proto = 0;
	int ret;

	ret = parse_ethhdr(&nh, data_end, &proto);
	if (ret != SIP_PARSE_CONTINUE)
		return ret;
	l4->l3_off = nh.pos - data;
	if (proto == bpf_htons(ETH_P_IP)) {
		l4->family = SIP6XX_FAMILY_IPV4;
		ret = parse_ipv4(&nh, data_end);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		l4->family = SIP6XX_FAMILY_IPV6;
		ret = parse_ipv6(&nh, data_end);
	} else {
		return PKT_NON_IP;
	}
	if (ret != SIP_PARSE_CONTINUE)
		return ret;

	ret = parse_udp(&nh, data_end, cfg, res, &l4->dgram_len);
	if (ret != SIP_PARSE_CONTINUE)
		return ret;
	l4->payload_off = nh.pos - data;
	return SIP_PARSE_CONTINUE;
}

/* Stage 2: the status or request line of the UDP payload at @off. */
static __always_inline int sip_parse_payload(void *data, void *data_end, __u32 off, __u32 dgram_len,
					     struct sip_parse_result *res)
{
	/* Verifier: the offset arrives as a scalar and must be bounded before use. */
	if (off > SIP_MAX_OFFSET)
		return PKT_TRUNCATED;
	return parse_sip_payload((const __u8 *)data + off, dgram_len, data_end, res);
}

/* Copies the responder's address (IPv4-mapped for IPv4) into @res. */
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
 * Parse one Ethernet frame. Returns its enum pkt_result outcome; for a 6xx
 * response, res->saddr and res->family name the responder. Reads only.
 * The BPF object runs the same three stages, split across a global function.
 */
static __always_inline int sip_parse_frame(void *data, void *data_end,
					   const volatile struct sip6xx_config *cfg,
					   struct sip_parse_result *res)
{
	struct sip_l4_info l4 = {};
	int ret;

	__builtin_memset(res, 0, sizeof(*res));
	ret = sip_parse_headers(data, data_end, cfg, res, &l4);
	if (ret != SIP_PARSE_CONTINUE)
		return ret;
	ret = sip_parse_payload(data, data_end, l4.payload_off, l4.dgram_len, res);
	if (ret == PKT_SIP_RESPONSE && res->code >= 600)
		sip_copy_source(data, data_end, l4.l3_off, l4.family, res);
	return ret;
}

#endif /* SIP_PARSE_H */
