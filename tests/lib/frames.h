/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Test frame builders, in the spirit of the kernel selftests' network_helpers:
 * plain C, no scapy. Every header is written byte by byte in network order, so
 * the frames do not depend on the struct layouts the parser itself uses.
 * Addresses come from the benchmarking range 198.18.0.0/15 and the
 * documentation prefix 2001:db8::/32.
 */
#ifndef SIP6XX_TESTS_FRAMES_H
#define SIP6XX_TESTS_FRAMES_H

/* First, so glibc and <linux/in6.h> agree on struct in6_addr (see sip_parse.h). */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define FRAME_MAX_LEN	  2048
#define FRAME_MAX_VLANS	  3
#define FRAME_MAX_IP6_EXT 8
#define FRAME_ETH_HLEN	  14
#define FRAME_SIP_PORT	  5060

#define FRAME_V4_SRC "198.18.0.1"
#define FRAME_V4_DST "198.19.0.2"
#define FRAME_V6_SRC "2001:db8::1"
#define FRAME_V6_DST "2001:db8:ffff::2"

/* One IPv6 extension header; the builder links the Next Header chain. */
struct frame_ip6_ext {
	__u8 type;   /* IPPROTO_HOPOPTS, _ROUTING, _DSTOPTS, _FRAGMENT, or another number */
	__u8 hdrlen; /* size: (hdrlen + 1) * 8 bytes, written as AH or RFC 8200 want; not fragment
		      */
	__u16 frag_off; /* fragment header: offset in 8-octet units */
	bool more;	/* fragment header: M flag */
};

struct frame_spec {
	/* L2: Ethernet II and up to FRAME_MAX_VLANS tags, outermost first. */
	__u8 nr_vlans;
	__u16 tpid[FRAME_MAX_VLANS]; /* 0: 802.1Q, but 802.1ad for the outer of two */
	__u16 ethertype;	     /* 0: IPv4 or IPv6 from ip_version */

	/* L3: ip_version 4 or 6; 0 puts the payload right after L2. */
	__u8 ip_version;
	__u8 version_field; /* non-zero: written instead of ip_version */
	const char *saddr;  /* text; NULL: FRAME_V4_SRC or FRAME_V6_SRC */
	const char *daddr;  /* text; NULL: FRAME_V4_DST or FRAME_V6_DST */
	__u8 ip_opt_words;  /* IPv4 options in 32-bit words: IHL = 5 + words */
	bool ihl_set;	    /* write ihl_field instead of the real IHL */
	__u8 ihl_field;
	__u16 frag_off; /* IPv4 fragment offset in 8-octet units */
	bool mf;	/* IPv4 More Fragments */
	bool df;	/* IPv4 Don't Fragment */
	__u8 nr_ext;	/* IPv6 extension headers, in order */
	struct frame_ip6_ext ext[FRAME_MAX_IP6_EXT];

	/* L4: UDP unless l4_proto names another protocol (TCP gets a TCP header). */
	__u8 l4_proto;
	__u16 sport;	  /* 0: FRAME_SIP_PORT */
	__u16 dport;	  /* 0: FRAME_SIP_PORT */
	bool udp_len_set; /* write udp_len instead of the true length */
	__u16 udp_len;

	const char *payload;
	size_t payload_len; /* 0: strlen(payload) */
};

/* Where each layer starts in a built frame, to name truncation points. */
struct frame_layout {
	size_t vlan[FRAME_MAX_VLANS];
	size_t l3;
	size_t ext[FRAME_MAX_IP6_EXT];
	size_t l4;
	size_t payload;
	size_t len;
};

/*
 * Builds the frame @spec describes into @buf. Returns its length; aborts with
 * a message if it does not fit in @cap or an address does not parse, so a
 * broken fixture fails the test rather than testing something else.
 * @layout may be NULL.
 */
size_t frame_build(void *buf, size_t cap, const struct frame_spec *spec,
		   struct frame_layout *layout);

/* @text as the 16 bytes of a peer key: IPv4 is mapped (::ffff:a.b.c.d). Returns 4, 6 or 0. */
int frame_addr16(const char *text, __u8 out[16]);

#endif /* SIP6XX_TESTS_FRAMES_H */
