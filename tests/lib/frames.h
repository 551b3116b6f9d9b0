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

#define FRAME_VXLAN_PORT  4789	/* IANA VXLAN (RFC 7348): the outer destination port */
#define FRAME_VXLAN_SPORT 49320 /* outer source port when the spec names none */
#define FRAME_GTPU_PORT	  2152	/* 3GPP TS 29.281 4.4.2: GTP-U, both ports by default */

/*
 * One level of encapsulation: the spec describes the outer frame, ->inner the
 * frame it carries (built by the same rules, recursively). Tunnels that carry
 * IP (IPIP, GRE, GRE_PPP, PPPOE, GTPU) take the inner frame from its L3 header
 * on; the others carry it whole, Ethernet header and VLAN tags included.
 */
enum frame_tunnel {
	FRAME_TUN_NONE = 0,
	FRAME_TUN_IPIP,	   /* IP protocol 4 or 41, per inner->ip_version */
	FRAME_TUN_GRE,	   /* GRE version 0, protocol type 0x0800 or 0x86dd */
	FRAME_TUN_GRE_TEB, /* GRE version 0, 0x6558 (transparent Ethernet bridging) */
	FRAME_TUN_GRE_PPP, /* enhanced GRE version 1 (PPTP, RFC 2637), 0x880b, then PPP */
	FRAME_TUN_ERSPAN1, /* GRE 0x88be without the S bit, no ERSPAN header */
	FRAME_TUN_ERSPAN2, /* GRE 0x88be with the S bit, 8-byte ERSPAN II header */
	FRAME_TUN_ERSPAN3, /* GRE 0x22eb with the S bit, 12-byte ERSPAN III header */
	FRAME_TUN_VXLAN,   /* UDP to FRAME_VXLAN_PORT, 8-byte VXLAN header */
	FRAME_TUN_PPPOE,   /* EtherType 0x8864, PPPoE session header + PPP protocol; no outer IP */
	FRAME_TUN_GTPU,	   /* UDP to FRAME_GTPU_PORT, GTPv1-U G-PDU header (TS 29.281 5.1) */
};

/* GRE flag bits (RFC 1701/2784/2890, RFC 2637), for frame_spec.gre_flags. */
#define FRAME_GRE_C   0x8000 /* checksum present: checksum + reserved/offset word */
#define FRAME_GRE_R   0x4000 /* routing present (RFC 1701): offset word, then a NULL SRE */
#define FRAME_GRE_K   0x2000 /* key present (version 1: payload length + call ID) */
#define FRAME_GRE_S   0x1000 /* sequence number present */
#define FRAME_GRE_A   0x0080 /* version 1: acknowledgment number present */
#define FRAME_GRE_VER 0x0007

/* GTP-U flags in the first octet (TS 29.281 5.1), for frame_spec.gtp_flags. */
#define FRAME_GTP_E	  0x04 /* extension headers follow the optional word */
#define FRAME_GTP_S	  0x02 /* the sequence number is meaningful */
#define FRAME_GTP_PN	  0x01 /* the N-PDU number is meaningful */
#define FRAME_GTP_MAX_EXT 3

/* GTP-U extension header types (TS 29.281 5.2.1), for frame_gtp_ext.type. */
#define FRAME_GTP_EXT_PSC   0x85 /* PDU Session Container (TS 38.415), 4 bytes */
#define FRAME_GTP_EXT_PDCP  0xc0 /* PDCP PDU Number, 4 bytes */
#define FRAME_GTP_EXT_LPDCP 0x82 /* Long PDCP PDU Number, 8 bytes */

/*
 * One GTP-U extension header: Length (in 4-octet units), content, and the
 * Next Extension Header Type in its last octet; the builder links the chain.
 */
struct frame_gtp_ext {
	__u8 type;     /* 0: FRAME_GTP_EXT_PSC */
	__u8 units;    /* size in 4-octet units; 0: 1, or 2 for a Long PDCP PDU Number */
	bool len_zero; /* write a Length of 0 (invalid) over the header's real size */
};

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

	/*
	 * One level of encapsulation (enum frame_tunnel). With a tunnel the
	 * payload is the tunnel's headers and the inner frame, and l4_proto
	 * defaults to the tunnel's (4/41, 47, UDP); with FRAME_TUN_PPPOE,
	 * ip_version must be 0 and the EtherType defaults to 0x8864.
	 */
	__u8 tunnel;
	const struct frame_spec *inner; /* the carried frame */
	/*
	 * Or, instead of ->inner, a frame already built (a fixture, a random
	 * frame from the differential test), carried byte for byte: tunnels
	 * that carry IP take it from its L3 header on, after its Ethernet
	 * header and up to FRAME_MAX_VLANS tags; its IP version is 6 when the
	 * EtherType says IPv6, else 4. Nothing in it is checked.
	 */
	const __u8 *inner_raw;
	size_t inner_raw_len;
	__u16 gre_flags; /* ORed into the tunnel's own GRE flags and version */
	__u16 gre_proto; /* 0: the tunnel's GRE protocol type */
	__u16 ppp_proto; /* GRE_PPP, PPPOE; 0: 0x0021 or 0x0057 per inner IP version */
	bool ppp_acfc;	 /* GRE_PPP: no FF 03 address and control */
	bool ppp_pfc;	 /* GRE_PPP: protocol compressed to its low byte */
	__u8 erspan_ver; /* ERSPAN2/3: 0: the type's version (1 for II, 2 for III) */
	__u8 erspan_ft;	 /* ERSPAN3: frame type; 0: Ethernet */
	bool erspan_o;	 /* ERSPAN3: O bit and the 8-byte platform subheader */
	bool vxlan_no_i; /* VXLAN: flags 0x00 instead of 0x08 (VNI valid) */
	/*
	 * GTP-U: the 4-byte optional word (sequence number, N-PDU number, next
	 * extension header type) is written when any of E, S, PN is set; E is
	 * set whenever there are extension headers, unless gtp_no_e.
	 */
	__u8 gtp_flags;	 /* FRAME_GTP_S, _PN, _E */
	__u8 gtp_nr_ext; /* extension headers after the optional word, in order */
	struct frame_gtp_ext gtp_ext[FRAME_GTP_MAX_EXT];
	bool gtp_no_e;	   /* E clear, even with extension headers written */
	__u8 gtp_msg_type; /* 0: 0xff, G-PDU; 1 echo request, 26 error indication, ... */
	bool gtp_ver_set;  /* write gtp_ver instead of version 1 */
	__u8 gtp_ver;
	bool gtp_prime; /* protocol type 0 (GTP', TS 32.295) instead of 1 */
};

/* A named header inside the tunnel, for truncation descriptions. */
struct frame_region {
	size_t off;
	const char *name;
};

#define FRAME_MAX_TUN_HDRS 8

/* Where each layer starts in a built frame, to name truncation points. */
struct frame_layout {
	size_t vlan[FRAME_MAX_VLANS];
	size_t l3;
	size_t ext[FRAME_MAX_IP6_EXT];
	size_t l4;
	size_t payload; /* with a tunnel: where its first header (or the inner frame) starts */
	size_t len;

	/* With a tunnel, from the frame's start: its headers in order, then the inner frame. */
	size_t nr_tun_hdrs;
	struct frame_region tun_hdr[FRAME_MAX_TUN_HDRS];
	size_t inner;	/* first byte of the inner frame: its Ethernet or its L3 header */
	bool inner_eth; /* the inner frame starts with Ethernet */
	size_t inner_vlan[FRAME_MAX_VLANS];
	size_t inner_l3;
	size_t inner_ext[FRAME_MAX_IP6_EXT];
	size_t inner_l4;
	size_t inner_payload;
};

/*
 * Builds the frame @spec describes into @buf. Returns its length; aborts with
 * a message if it does not fit in @cap or an address does not parse, so a
 * broken fixture fails the test rather than testing something else.
 * @layout may be NULL.
 */
size_t frame_build(void *buf, size_t cap, const struct frame_spec *spec,
		   struct frame_layout *layout);

/* The UDP ports frame_build() writes for @spec (its defaults filled in). */
__u16 frame_sport(const struct frame_spec *spec);
__u16 frame_dport(const struct frame_spec *spec);

/*
 * tunnel_wrap(): one call that puts a built Ethernet frame into a tunnel, for
 * the fuzz seeds (tests/fuzz/seed_corpus.c) and the differential test, which
 * wrap every fixture in every kind. It fills a frame_spec (inner_raw) and
 * calls frame_build(), so there is one builder for tunnel headers.
 */
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

/* Each kind's name, as Linux names the device (seed file names, test output). */
extern const char *const tunnel_names[TUNNEL_KIND_MAX];

/* Variant bits: which optional fields tunnel_wrap() writes. */
#define TUNNEL_VAR_VLAN	    0x01 /* an 802.1Q tag on the outer frame */
#define TUNNEL_VAR_CSUM	    0x02 /* GRE C bit; ERSPAN III O bit; PPTP: no PPP address/control */
#define TUNNEL_VAR_KEY	    0x04 /* GRE K bit; GTP-U E bit and one extension; PPTP: A bit */
#define TUNNEL_VAR_SEQ	    0x08 /* GRE S bit; GTP-U S bit; PPTP: compressed PPP protocol */
#define TUNNEL_VAR_IPV4_OPT 0x10 /* outer IPv4 with one option word */

/* No wrapper adds more than this in front of the inner part (ERSPAN III: 82 bytes). */
#define TUNNEL_MAX_OVERHEAD 128

/*
 * Wraps @inner (an Ethernet frame of @len bytes, any bytes at all) into
 * @kind with the optional fields @var names. Returns the new length, or 0 if
 * @cap may not hold it (less than @len + TUNNEL_MAX_OVERHEAD).
 */
size_t tunnel_wrap(enum tunnel_kind kind, unsigned int var, const __u8 *inner, size_t len,
		   __u8 *out, size_t cap);

/* @text as the 16 bytes of a peer key: IPv4 is mapped (::ffff:a.b.c.d). Returns 4, 6 or 0. */
int frame_addr16(const char *text, __u8 out[16]);

/* "aa:bb:cc:dd:ee:ff" into @out. Returns 0, or -1 for anything else. */
int frame_parse_mac(const char *text, __u8 out[6]);

#endif /* SIP6XX_TESTS_FRAMES_H */
