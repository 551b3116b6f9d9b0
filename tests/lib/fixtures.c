// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The fixture table. Every expectation comes from DESIGN.md ("What the parser
 * accepts") and RFC 3261, never from running the parser:
 *  - L2: Ethernet II with up to two VLAN tags (0x8100, 0x88a8); else non_ip.
 *  - L3: IPv4 with IHL 5..15, first fragments parsed, later ones fragment;
 *        IPv6 with up to 6 of hop-by-hop/routing/dest-opts/fragment(offset 0).
 *  - L4: UDP on any port unless a --port filter names neither port.
 *  - Status-Line "SIP-Version SP Status-Code SP", version case-insensitive,
 *    code 100..699; anything else that starts "SIP/" is malformed.
 *  - truncated: the frame ends inside a header or inside that status line.
 * Tunnels (sip6xx.h, bpf/sip_tunnel.h; DESIGN.md does not cover them yet):
 *  - One level of IPIP (4, 41), GRE carrying IP, Ethernet (TEB) or PPTP's
 *    PPP, ERSPAN I/II/III and VXLAN (UDP to 4789, I flag set) is taken off;
 *    the inner frame is then judged exactly as a bare one, its source is the
 *    responder, and the --port filter applies to its UDP, not the tunnel's.
 *    A tunnel inside the inner frame is not followed (non_udp, or plain UDP).
 *  - Besides its one outcome, such a frame counts once in the tunnel's
 *    PKT_DECAP_* entry (fixture.decap). Decap counts once the tunnel's own
 *    headers are complete (GRE and its optional C/K/S/A words; ERSPAN II's 8
 *    or III's 12 bytes plus III's 8-byte subheader when O is set; the PPP
 *    address/control and protocol in PPTP's GRE; VXLAN's 8 bytes) and so the
 *    inner frame's start is known, even if not one inner byte follows; an
 *    inner frame that then turns out not to be IP, not UDP, cut or not SIP
 *    still counts the decap. A tunnel the parser does not take (GRE version
 *    2+, GRE routing, an unknown GRE protocol, ERSPAN II version != 1, ERSPAN
 *    III version != 2 or frame type != 0) counts non_udp and no decap; VXLAN
 *    without the I flag is plain UDP to 4789.
 *  - PPPoE sessions (0x8864) are L2, like VLAN tags: no decap entry; a PPP
 *    protocol other than IPv4/IPv6 (LCP, IPCP) is non_ip.
 *  - GTP-U (3GPP TS 29.281 5.1, 5.2): UDP to destination port 2152 (the
 *    source port is the sender's own) whose UDP length holds the 8-byte
 *    mandatory header, version 1, PT 1 and message type 0xff (G-PDU), is
 *    taken off. The 4-byte optional word follows when any of E, S, PN is
 *    set; extension headers (length in 4-octet units, next type in their
 *    last octet) only when E is, and the parser follows two: a third is
 *    non_ip and, its T-PDU not found, no decap; a length of 0 (5.2.1 sizes
 *    them n * 4 octets, n positive) is malformed, no decap. Decap counts once
 *    the mandatory header, the optional word and the extension headers are
 *    whole; the T-PDU is IPv4 or IPv6 by its first nibble, anything else (an
 *    Ethernet PDU session) is non_ip, decapsulated. Other messages (echo,
 *    error indication, end marker), versions or PT 0 (GTP'), and datagrams
 *    shorter than 8 + 8, are plain UDP to 2152.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

/* "SIP/2.0 NNN ": what must be present before a response can be counted. */
#define STATUS_PREFIX_LEN (sizeof("SIP/2.0 NNN ") - 1)

#define SIP_HEADERS                                                                                \
	"Via: SIP/2.0/UDP 198.19.0.2:5060;branch=z9hG4bKnashds8\r\n"                               \
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"                           \
	"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"                                     \
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"                                     \
	"CSeq: 314159 INVITE\r\n"                                                                  \
	"Content-Length: 0\r\n"                                                                    \
	"\r\n"
#define SIP_MSG(first_line) first_line "\r\n" SIP_HEADERS

/* RFC 8688 3.6: a 608 carries the intermediary's jCard in Call-Info. */
#define SIP_608                                                                                    \
	"SIP/2.0 608 Rejected\r\n"                                                                 \
	"Call-Info: <https://jwscard.example.com/608/jcard.json>;purpose=jwscard\r\n" SIP_HEADERS

#define V4 .ip_version = 4
#define V6 .ip_version = 6
#define HBH(n)                                                                                     \
	{                                                                                          \
		.type = IPPROTO_HOPOPTS, .hdrlen = (n)                                             \
	}
#define RTH(n)                                                                                     \
	{                                                                                          \
		.type = IPPROTO_ROUTING, .hdrlen = (n)                                             \
	}
#define DST(n)                                                                                     \
	{                                                                                          \
		.type = IPPROTO_DSTOPTS, .hdrlen = (n)                                             \
	}
#define FRAG(off, m)                                                                               \
	{                                                                                          \
		.type = IPPROTO_FRAGMENT, .frag_off = (off), .more = (m)                           \
	}
#define BIN(a) .payload = (const char *)(a), .payload_len = sizeof(a)
/* One level of encapsulation around the inner frame spelled out in IN(). */
#define TUN(t) .tunnel = FRAME_TUN_##t
#define IN(...)                                                                                    \
	.inner = &(const struct frame_spec)                                                        \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
#define GRE_CKS (FRAME_GRE_C | FRAME_GRE_K | FRAME_GRE_S)
/* GTP-U extension headers (frames.h): 4, 4 and 8 bytes. */
#define GTP_PSC                                                                                    \
	{                                                                                          \
		.type = FRAME_GTP_EXT_PSC                                                          \
	}
#define GTP_PDCP                                                                                   \
	{                                                                                          \
		.type = FRAME_GTP_EXT_PDCP                                                         \
	}
#define GTP_LPDCP                                                                                  \
	{                                                                                          \
		.type = FRAME_GTP_EXT_LPDCP                                                        \
	}

#define WANT(r)		   .want = (r)
#define WANT_RESPONSE(c)   .want = PKT_SIP_RESPONSE, .code = (c)
#define WANT_6XX(c, addr)  WANT_RESPONSE(c), .src = (addr)
/* Starts like SIP but is not a valid status line: the UDP header was fine. */
#define WANT_MALFORMED_SIP .want = PKT_MALFORMED, .udp_ok = true
/* Also counted in pkt_stats[k], a PKT_DECAP_*: the tunnel the frame came out of. */
#define WANT_DECAP(k)	   .decap = (k)

struct fixture_def {
	const char *desc;
	struct frame_spec frame;
	enum fixture_cfg cfg;
	int want;
	__u16 code;
	const char *src; /* 6xx: the responder's address */
	bool udp_ok;	 /* not one of the UDP outcomes, but UDP was parsed */
	bool cut;	 /* keep only the first cut_len bytes of the frame */
	size_t cut_len;
	int decap; /* PKT_DECAP_*, or 0 */
};

/* RTP (RFC 3550), V=2, PT 0 (PCMU): 12-byte header, then mu-law silence. */
static const __u8 rtp_pcmu[] = { 0x80, 0x00, 0x1c, 0x2d, 0x00, 0x01, 0x5f, 0x90, 0x5a, 0x17,
				 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* DNS query for example.com A; the ID spells "SI" to tease a "SIP/" matcher. */
static const __u8 dns_query[] = { 0x53, 0x49, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
				  0x00, 0x00, 7,    'e',  'x',	'a',  'm',  'p',  'l',	'e',
				  3,	'c',  'o',  'm',  0,	0x00, 0x01, 0x00, 0x01 };

/* STUN Binding Request (RFC 5389), as RFC 5626 keep-alives send to the SIP port. */
static const __u8 stun_binding[] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 0x5a, 0x17,
				     0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

/* ARP request: who has 198.19.0.2, tell 198.18.0.1. */
static const __u8 arp_request[] = { 0x00, 0x01, 0x08, 0x00, 6,	 4,  0x00, 0x01, 0x02, 0x00,
				    0x5e, 0x10, 0x00, 0x01, 198, 18, 0,	   1,	 0x00, 0x00,
				    0x00, 0x00, 0x00, 0x00, 198, 19, 0,	   2 };

/* One MPLS label stack entry (bottom of stack), then an IPv4 header start. */
static const __u8 mpls_ipv4[] = { 0x00, 0x06, 0x41, 0x40, 0x45, 0x00, 0x00, 0x54 };

/* LCP Configure-Request (RFC 1661 5.1): MRU 1492, magic number 0x5a170001. */
static const __u8 lcp_conf_req[] = { 0x01, 0x01, 0x00, 0x0e, 0x01, 0x04, 0x05,
				     0xd4, 0x05, 0x06, 0x5a, 0x17, 0x00, 0x01 };

/* IPCP Configure-Request (RFC 1332): IP-Address 0.0.0.0, asking for one. */
static const __u8 ipcp_conf_req[] = { 0x01, 0x01, 0x00, 0x0a, 0x03, 0x06, 0x00, 0x00, 0x00, 0x00 };

/* PPPoE Active Discovery Initiation (RFC 2516 5.1): any Service-Name. */
static const __u8 pppoe_padi[] = { 0x11, 0x09, 0x00, 0x00, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00 };

/* That ARP request in an Ethernet frame: the T-PDU of a 5G Ethernet PDU session. */
static const __u8 eth_arp[] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02, 0x02, 0x00, 0x5e, 0x10, 0x00,
				0x01, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6,	4,    0x00, 0x01,
				0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, 198,  18,	0,    1,    0x00,
				0x00, 0x00, 0x00, 0x00, 0x00, 198,  19,	  0,	2 };

/* GTP-U Recovery IE (TS 29.281 8.2): type 14, restart counter 0, as echo responses carry. */
static const __u8 gtp_recovery_ie[] = { 14, 0 };

/* Error Indication IEs (TS 29.281 7.3.1): TEID Data I (16), GTP-U Peer Address (133) 198.19.0.2. */
static const __u8 gtp_error_ind_ies[] = {
	16, 0x5a, 0x17, 0x00, 0x01, 133, 0x00, 0x04, 198, 19, 0, 2
};

/* The first 7 bytes of a GTPv1-U G-PDU header: one short of the mandatory 8. */
static const __u8 gtp_hdr_7[] = { 0x30, 0xff, 0x00, 0x00, 0x5a, 0x17, 0x00 };

static const struct fixture_def fixture_defs[] = {
	/* L2: Ethernet II and VLAN tags. */
	{ "untagged Ethernet, IPv4/UDP 5060, 200 OK",
	  { V4, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT_RESPONSE(200) },
	{ "802.1Q tag, IPv4/UDP, 603 Decline",
	  { .nr_vlans = 1, V4, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT_6XX(603, "198.18.0.1") },
	{ "QinQ (802.1ad outer, 802.1Q inner), IPv4/UDP, 604 Does Not Exist Anywhere",
	  { .nr_vlans = 2,
	    V4,
	    .saddr = "198.18.4.4",
	    .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere") },
	  WANT_6XX(604, "198.18.4.4") },
	{ "two 802.1Q tags (0x8100 twice), IPv4/UDP, 180 Ringing",
	  { .nr_vlans = 2,
	    .tpid = { 0x8100, 0x8100 },
	    V4,
	    .payload = SIP_MSG("SIP/2.0 180 Ringing") },
	  WANT_RESPONSE(180) },
	{ "802.1Q tag, IPv6/UDP, 606 Not Acceptable",
	  { .nr_vlans = 1, V6, .payload = SIP_MSG("SIP/2.0 606 Not Acceptable") },
	  WANT_6XX(606, "2001:db8::1") },
	{ "QinQ, IPv6/UDP, 600 Busy Everywhere",
	  { .nr_vlans = 2,
	    V6,
	    .saddr = "2001:db8:600::6",
	    .payload = SIP_MSG("SIP/2.0 600 Busy Everywhere") },
	  WANT_6XX(600, "2001:db8:600::6") },
	{ "three VLAN tags, IPv4/UDP 603 inside: deeper than two, non_ip",
	  { .nr_vlans = 3, V4, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_NON_IP) },
	{ "three 802.1Q tags, IPv6/UDP 200 inside: non_ip",
	  { .nr_vlans = 3,
	    .tpid = { 0x8100, 0x8100, 0x8100 },
	    V6,
	    .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_NON_IP) },
	{ "ARP request", { .ethertype = 0x0806, BIN(arp_request) }, WANT(PKT_NON_IP) },
	{ "802.1Q tag, then ARP",
	  { .nr_vlans = 1, .ethertype = 0x0806, BIN(arp_request) },
	  WANT(PKT_NON_IP) },
	{ "QinQ, then ARP",
	  { .nr_vlans = 2, .ethertype = 0x0806, BIN(arp_request) },
	  WANT(PKT_NON_IP) },
	{ "IEEE 802.3 length field 0x001c instead of an EtherType",
	  { .ethertype = 0x001c, BIN(arp_request) },
	  WANT(PKT_NON_IP) },
	{ "MPLS unicast (0x8847) carrying IPv4: not followed",
	  { .ethertype = 0x8847, BIN(mpls_ipv4) },
	  WANT(PKT_NON_IP) },

	/* IPv4 header checks and fragments. */
	{ "IPv4 IHL 4 (below the minimum 5)",
	  { V4, .ihl_set = true, .ihl_field = 4, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_MALFORMED) },
	{ "IPv4 IHL 0",
	  { V4, .ihl_set = true, .ihl_field = 0, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_MALFORMED) },
	{ "IPv4 IHL 1",
	  { V4, .ihl_set = true, .ihl_field = 1, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_MALFORMED) },
	{ "version 6 in an IPv4 (0x0800) frame",
	  { V4, .version_field = 6, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_MALFORMED) },
	{ "version 5 in an IPv4 (0x0800) frame",
	  { V4, .version_field = 5, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_MALFORMED) },
	{ "IPv4 first fragment (MF, offset 0), UDP length of the whole datagram, 603",
	  { V4, .mf = true, .udp_len_set = true, .udp_len = 2960,
	    .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT_6XX(603, "198.18.0.1") },
	{ "IPv4 DF set, offset 0, 607 Unwanted",
	  { V4, .df = true, .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT_6XX(607, "198.18.0.1") },
	{ "IPv4 last fragment (offset 185, MF clear) that reads like a 603",
	  { V4, .frag_off = 185, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_FRAGMENT) },
	{ "IPv4 middle fragment (offset 185, MF set)",
	  { V4, .frag_off = 185, .mf = true, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_FRAGMENT) },
	{ "IPv4 fragment at offset 1 (8 bytes in)",
	  { V4, .frag_off = 1, .mf = true, .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT(PKT_FRAGMENT) },
	{ "IPv4 fragment at offset 0x1000 (top offset bit), DF set",
	  { V4, .frag_off = 0x1000, .df = true, .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT(PKT_FRAGMENT) },
	{ "IPv4 TCP with IHL 6, cut inside the options (36 bytes)",
	  { V4, .ip_opt_words = 1, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 22 },
	{ "IPv4 later fragment with IHL 8, cut inside the options (44 bytes)",
	  { V4, .ip_opt_words = 3, .frag_off = 185, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 30 },
	{ "IPv4 TCP to 5060 carrying SIP/2.0 603",
	  { V4, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_NON_UDP) },
	{ "IPv4 ICMP", { V4, .l4_proto = IPPROTO_ICMP, BIN(rtp_pcmu) }, WANT(PKT_NON_UDP) },
	{ "IPv4 SCTP (132)",
	  { V4, .l4_proto = 132, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_NON_UDP) },

	/* IPv6 and its extension headers. */
	{ "IPv6/UDP, no extension header, 607 Unwanted",
	  { V6, .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT_6XX(607, "2001:db8::1") },
	{ "IPv6 1 ext: hop-by-hop (8 bytes), 603",
	  { V6, .nr_ext = 1, .ext = { HBH(0) }, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT_6XX(603, "2001:db8::1") },
	{ "IPv6 1 ext: hop-by-hop of 24 bytes (Hdr Ext Len 2), 603",
	  { V6, .nr_ext = 1, .ext = { HBH(2) }, .saddr = "2001:db8:1:2::3",
	    .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT_6XX(603, "2001:db8:1:2::3") },
	{ "IPv6 1 ext: routing (SRH, 1 segment), 604",
	  { V6, .nr_ext = 1, .ext = { RTH(2) },
	    .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere") },
	  WANT_6XX(604, "2001:db8::1") },
	{ "IPv6 1 ext: routing (SRH, 3 segments, 56 bytes), 200",
	  { V6, .nr_ext = 1, .ext = { RTH(6) }, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT_RESPONSE(200) },
	{ "IPv6 1 ext: destination options, 600",
	  { V6, .nr_ext = 1, .ext = { DST(1) }, .payload = SIP_MSG("SIP/2.0 600 Busy Everywhere") },
	  WANT_6XX(600, "2001:db8::1") },
	{ "IPv6 1 ext: fragment offset 0 with M set (first fragment), 608",
	  { V6, .nr_ext = 1, .ext = { FRAG(0, true) }, .udp_len_set = true, .udp_len = 2800,
	    .payload = SIP_608 },
	  WANT_6XX(608, "2001:db8::1") },
	{ "IPv6 1 ext: atomic fragment (offset 0, M clear, RFC 6946), 606",
	  { V6, .nr_ext = 1, .ext = { FRAG(0, false) },
	    .payload = SIP_MSG("SIP/2.0 606 Not Acceptable") },
	  WANT_6XX(606, "2001:db8::1") },
	{ "IPv6 2 ext: hop-by-hop, destination options, 607",
	  { V6, .nr_ext = 2, .ext = { HBH(0), DST(0) },
	    .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT_6XX(607, "2001:db8::1") },
	{ "IPv6 3 ext: hop-by-hop, routing, fragment(0), 607",
	  { V6, .nr_ext = 3, .ext = { HBH(0), RTH(2), FRAG(0, true) },
	    .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT_6XX(607, "2001:db8::1") },
	{ "IPv6 4 ext: hop-by-hop, dest-opts, routing, fragment(0), 486",
	  { V6, .nr_ext = 4, .ext = { HBH(0), DST(1), RTH(4), FRAG(0, true) },
	    .payload = SIP_MSG("SIP/2.0 486 Busy Here") },
	  WANT_RESPONSE(486) },
	{ "IPv6 5 ext: hop-by-hop, dest-opts, routing, fragment(0), dest-opts, 603",
	  { V6, .nr_ext = 5, .ext = { HBH(0), DST(0), RTH(2), FRAG(0, true), DST(0) },
	    .saddr = "2001:db8:5::5", .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT_6XX(603, "2001:db8:5::5") },
	{ "IPv6 6 ext: hop-by-hop, dest-opts, routing, dest-opts, fragment(0), dest-opts, 699",
	  { V6, .nr_ext = 6, .ext = { HBH(0), DST(0), RTH(2), DST(0), FRAG(0, true), DST(0) },
	    .saddr = "2001:db8:6::6", .payload = SIP_MSG("SIP/2.0 699 Unassigned Global Failure") },
	  WANT_6XX(699, "2001:db8:6::6") },
	{ "IPv6 6 ext: six dest-opts headers, 200",
	  { V6, .nr_ext = 6, .ext = { DST(0), DST(1), DST(0), DST(2), DST(0), DST(0) },
	    .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT_RESPONSE(200) },
	{ "IPv6 7 ext: one more than followed, non_udp",
	  { V6, .nr_ext = 7,
	    .ext = { HBH(0), DST(0), RTH(2), DST(0), FRAG(0, true), DST(0), DST(0) },
	    .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_NON_UDP) },
	{ "IPv6 1 ext: fragment offset 181 (later fragment) that reads like a 607",
	  { V6, .nr_ext = 1, .ext = { FRAG(181, false) },
	    .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT(PKT_FRAGMENT) },
	{ "IPv6 1 ext: fragment offset 1 with M set",
	  { V6, .nr_ext = 1, .ext = { FRAG(1, true) }, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_FRAGMENT) },
	{ "IPv6 1 ext: fragment offset 0x1000 (top offset bit)",
	  { V6, .nr_ext = 1, .ext = { FRAG(0x1000, false) }, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_FRAGMENT) },
	{ "IPv6 3 ext: hop-by-hop, routing, fragment offset 181",
	  { V6, .nr_ext = 3, .ext = { HBH(0), RTH(2), FRAG(181, true) },
	    .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_FRAGMENT) },
	{ "IPv6 6 ext, the sixth a fragment at offset 0x1fff",
	  { V6, .nr_ext = 6, .ext = { HBH(0), DST(0), RTH(2), DST(0), DST(0), FRAG(0x1fff, false) },
	    .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_FRAGMENT) },
	{ "IPv6 TCP carrying SIP/2.0 607",
	  { V6, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT(PKT_NON_UDP) },
	{ "IPv6 ICMPv6", { V6, .l4_proto = IPPROTO_ICMPV6, BIN(rtp_pcmu) }, WANT(PKT_NON_UDP) },
	{ "IPv6 No Next Header (59)", { V6, .l4_proto = IPPROTO_NONE }, WANT(PKT_NON_UDP) },
	{ "IPv6 hop-by-hop then No Next Header",
	  { V6, .nr_ext = 1, .ext = { HBH(0) }, .l4_proto = IPPROTO_NONE },
	  WANT(PKT_NON_UDP) },
	{ "IPv6 AH (51) before UDP: not a header the parser skips",
	  { V6, .nr_ext = 1, .ext = { { .type = IPPROTO_AH, .hdrlen = 2 } },
	    .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_NON_UDP) },
	{ "version 4 in an IPv6 (0x86dd) frame",
	  { V6, .version_field = 4, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_MALFORMED) },

	/* UDP. */
	{ "UDP 5080 -> 5080, 603",
	  { V4, .sport = 5080, .dport = 5080, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT_6XX(603, "198.18.0.1") },
	{ "UDP high ports 49170 -> 38012, 486 Busy Here",
	  { V4, .sport = 49170, .dport = 38012, .payload = SIP_MSG("SIP/2.0 486 Busy Here") },
	  WANT_RESPONSE(486) },
	{ "IPv6 UDP high ports 61000 -> 5062, 607",
	  { V6, .sport = 61000, .dport = 5062, .saddr = "2001:db8:ff::607",
	    .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT_6XX(607, "2001:db8:ff::607") },
	{ "UDP length 7 (shorter than its header)",
	  { V4, .udp_len_set = true, .udp_len = 7, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_MALFORMED) },
	{ "UDP length 0",
	  { V6, .udp_len_set = true, .udp_len = 0, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT(PKT_MALFORMED) },
	{ "UDP length 8 (empty datagram), SIP bytes after it in the frame",
	  { V4, .udp_len_set = true, .udp_len = 8, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT(PKT_NOT_SIP) },
	{ "UDP length 8 + 11: datagram \"SIP/2.0 603\", the rest is past it",
	  { V4, .udp_len_set = true, .udp_len = 8 + 11, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT_MALFORMED_SIP },
	{ "UDP length 8 + 4: datagram \"SIP/\"",
	  { V6, .udp_len_set = true, .udp_len = 8 + 4, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  WANT_MALFORMED_SIP },
	{ "UDP length past the frame end, status line complete, 607",
	  { V4, .udp_len_set = true, .udp_len = 1400,
	    .payload = "SIP/2.0 607 Unwanted\r\nVia: SIP" },
	  WANT_6XX(607, "198.18.0.1") },
	{ "empty UDP payload", { V4 }, WANT(PKT_NOT_SIP) },

	/* Payloads that are not SIP. */
	{ "RTP PCMU on high ports",
	  { V4, .sport = 16384, .dport = 16386, BIN(rtp_pcmu) },
	  WANT(PKT_NOT_SIP) },
	{ "RTP on 5060", { V6, BIN(rtp_pcmu) }, WANT(PKT_NOT_SIP) },
	{ "DNS query on port 53",
	  { V4, .sport = 40001, .dport = 53, BIN(dns_query) },
	  WANT(PKT_NOT_SIP) },
	{ "STUN binding request to 5060 (RFC 5626 keep-alive)",
	  { V4, BIN(stun_binding) },
	  WANT(PKT_NOT_SIP) },
	{ "double-CRLF keep-alive (RFC 5626)", { V4, .payload = "\r\n\r\n" }, WANT(PKT_NOT_SIP) },
	{ "single-CRLF keep-alive pong", { V6, .payload = "\r\n" }, WANT(PKT_NOT_SIP) },
	{ "GET http:// request line",
	  { V4, .payload = "GET http://198.19.0.2/ HTTP/1.1\r\n\r\n" },
	  WANT(PKT_NOT_SIP) },
	{ "HTTP/1.1 200 OK status line",
	  { V4, .payload = "HTTP/1.1 200 OK\r\n\r\n" },
	  WANT(PKT_NOT_SIP) },
	{ "request line without a method: SP sip:",
	  { V4, .payload = SIP_MSG(" sip:bob@biloxi.example.com SIP/2.0") },
	  WANT(PKT_NOT_SIP) },
	{ "INVITE with a mailto: URI",
	  { V4, .payload = SIP_MSG("INVITE mailto:bob@example.com SIP/2.0") },
	  WANT(PKT_NOT_SIP) },

	/* SIP requests (RFC 3261 7.1). */
	{ "INVITE sip:",
	  { V4, .payload = SIP_MSG("INVITE sip:bob@biloxi.example.com SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },
	{ "REGISTER sips:",
	  { V6, .payload = SIP_MSG("REGISTER sips:ss2.biloxi.example.com SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },
	{ "MESSAGE tel:",
	  { V4, .payload = SIP_MSG("MESSAGE tel:+1-201-555-0123 SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },
	{ "INVITE urn:service:sos (RFC 5031)",
	  { V4, .payload = SIP_MSG("INVITE urn:service:sos SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },
	{ "lower-case method: invite sip:",
	  { V4, .payload = SIP_MSG("invite sip:bob@biloxi.example.com SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },
	{ "upper-case scheme: OPTIONS SIP:",
	  { V6, .payload = SIP_MSG("OPTIONS SIP:carol@chicago.example.com SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },
	{ "ACK sip:",
	  { V4, .payload = SIP_MSG("ACK sip:bob@198.19.0.2 SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },
	{ "BYE sip: on high ports",
	  { V4, .sport = 40123, .dport = 5070,
	    .payload = SIP_MSG("BYE sip:bob@198.19.0.2 SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },
	{ "extension method token FOO-BAR.1 sip:",
	  { V4, .payload = SIP_MSG("FOO-BAR.1 sip:bob@biloxi.example.com SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },
	{ "SUBSCRIBE sip: with VLAN",
	  { .nr_vlans = 1, V4, .payload = SIP_MSG("SUBSCRIBE sip:presence@example.com SIP/2.0") },
	  WANT(PKT_SIP_REQUEST) },

	/* SIP responses (RFC 3261 7.2); SIP-Version is case-insensitive. */
	{ "100 Trying", { V4, .payload = SIP_MSG("SIP/2.0 100 Trying") }, WANT_RESPONSE(100) },
	{ "180 Ringing", { V6, .payload = SIP_MSG("SIP/2.0 180 Ringing") }, WANT_RESPONSE(180) },
	{ "302 Moved Temporarily",
	  { V4, .payload = SIP_MSG("SIP/2.0 302 Moved Temporarily") },
	  WANT_RESPONSE(302) },
	{ "486 Busy Here",
	  { V4, .payload = SIP_MSG("SIP/2.0 486 Busy Here") },
	  WANT_RESPONSE(486) },
	{ "503 Service Unavailable",
	  { V6, .payload = SIP_MSG("SIP/2.0 503 Service Unavailable") },
	  WANT_RESPONSE(503) },
	{ "599, highest non-6xx",
	  { V4, .payload = SIP_MSG("SIP/2.0 599 Whatever") },
	  WANT_RESPONSE(599) },
	{ "600 Busy Everywhere",
	  { V4, .saddr = "198.18.6.0", .payload = SIP_MSG("SIP/2.0 600 Busy Everywhere") },
	  WANT_6XX(600, "198.18.6.0") },
	{ "603 Decline",
	  { V4, .saddr = "198.18.6.3", .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  WANT_6XX(603, "198.18.6.3") },
	{ "604 Does Not Exist Anywhere",
	  { V4, .saddr = "198.18.6.4", .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere") },
	  WANT_6XX(604, "198.18.6.4") },
	{ "606 Not Acceptable",
	  { V4, .saddr = "198.18.6.6", .payload = SIP_MSG("SIP/2.0 606 Not Acceptable") },
	  WANT_6XX(606, "198.18.6.6") },
	{ "607 Unwanted (RFC 8197)",
	  { V4, .saddr = "198.18.6.7", .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  WANT_6XX(607, "198.18.6.7") },
	{ "608 Rejected with Call-Info purpose=jwscard (RFC 8688)",
	  { V4, .saddr = "198.18.6.8", .payload = SIP_608 },
	  WANT_6XX(608, "198.18.6.8") },
	{ "IPv6 608 Rejected with Call-Info purpose=jwscard",
	  { V6, .saddr = "2001:db8::608", .payload = SIP_608 },
	  WANT_6XX(608, "2001:db8::608") },
	{ "699, an unnamed 6xx",
	  { V4, .saddr = "198.19.255.254", .payload = SIP_MSG("SIP/2.0 699 Something Global") },
	  WANT_6XX(699, "198.19.255.254") },
	{ "lower-case version: sip/2.0 607 Unwanted",
	  { V4, .payload = SIP_MSG("sip/2.0 607 Unwanted") },
	  WANT_6XX(607, "198.18.0.1") },
	{ "mixed-case version: Sip/2.0 200 OK",
	  { V6, .payload = SIP_MSG("Sip/2.0 200 OK") },
	  WANT_RESPONSE(200) },
	{ "mixed-case version: sIP/2.0 603 Decline",
	  { V6, .payload = SIP_MSG("sIP/2.0 603 Decline") },
	  WANT_6XX(603, "2001:db8::1") },
	{ "empty Reason-Phrase: \"SIP/2.0 100 \" CRLF",
	  { V4, .payload = SIP_MSG("SIP/2.0 100 ") },
	  WANT_RESPONSE(100) },
	{ "datagram exactly \"SIP/2.0 606 \"",
	  { V4, .payload = "SIP/2.0 606 " },
	  WANT_6XX(606, "198.18.0.1") },

	/* Starts like SIP, but not a valid Status-Line. */
	{ "SIP/3.0 200", { V4, .payload = SIP_MSG("SIP/3.0 200 OK") }, WANT_MALFORMED_SIP },
	{ "SIP/1.0 200", { V4, .payload = SIP_MSG("SIP/1.0 200 OK") }, WANT_MALFORMED_SIP },
	{ "SIP/2.1 603", { V4, .payload = SIP_MSG("SIP/2.1 603 Decline") }, WANT_MALFORMED_SIP },
	{ "code 700", { V4, .payload = SIP_MSG("SIP/2.0 700 Out Of Range") }, WANT_MALFORMED_SIP },
	{ "code 099", { V4, .payload = SIP_MSG("SIP/2.0 099 Too Low") }, WANT_MALFORMED_SIP },
	{ "code 000", { V6, .payload = SIP_MSG("SIP/2.0 000 Zero") }, WANT_MALFORMED_SIP },
	{ "code 20x", { V4, .payload = SIP_MSG("SIP/2.0 20x OK") }, WANT_MALFORMED_SIP },
	{ "code 6x7", { V4, .payload = SIP_MSG("SIP/2.0 6x7 Unwanted") }, WANT_MALFORMED_SIP },
	{ "two spaces before the code",
	  { V4, .payload = SIP_MSG("SIP/2.0  200 OK") },
	  WANT_MALFORMED_SIP },
	{ "no SP after the code: \"SIP/2.0 200\" CRLF",
	  { V4, .payload = SIP_MSG("SIP/2.0 200") },
	  WANT_MALFORMED_SIP },
	{ "four-digit code 6070",
	  { V4, .payload = SIP_MSG("SIP/2.0 6070 Unwanted") },
	  WANT_MALFORMED_SIP },
	{ "TAB instead of SP after the version",
	  { V4, .payload = SIP_MSG("SIP/2.0\t603 Decline") },
	  WANT_MALFORMED_SIP },
	{ "datagram \"SIP/2.0 200\" (11 bytes)",
	  { V4, .payload = "SIP/2.0 200" },
	  WANT_MALFORMED_SIP },
	{ "datagram \"SIP/\" (4 bytes)", { V6, .payload = "SIP/" }, WANT_MALFORMED_SIP },
	{ "datagram \"sip/2.0\" (7 bytes)", { V4, .payload = "sip/2.0" }, WANT_MALFORMED_SIP },

	/* --port 5060 */
	{ "port filter 5060: 603 on 5080 -> 5080",
	  { V4, .sport = 5080, .dport = 5080, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT) },
	{ "port filter 5060: 607 from source port 5060 to 40000",
	  { V4, .sport = 5060, .dport = 40000, .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  FIXTURE_CFG_5060,
	  WANT_6XX(607, "198.18.0.1") },
	{ "port filter 5060: 200 from 40000 to destination port 5060",
	  { V6, .sport = 40000, .dport = 5060, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  FIXTURE_CFG_5060,
	  WANT_RESPONSE(200) },
	{ "port filter 5060: INVITE on 5080 -> 5080",
	  { V4, .sport = 5080, .dport = 5080,
	    .payload = SIP_MSG("INVITE sip:bob@example.com SIP/2.0") },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT) },
	{ "port filter 5060: RTP on high ports",
	  { V6, .sport = 16384, .dport = 16386, BIN(rtp_pcmu) },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT) },
	{ "port filter 5060: TCP 5080 is non_udp, not filtered",
	  { V4, .l4_proto = IPPROTO_TCP, .sport = 5080, .dport = 5080,
	    .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  FIXTURE_CFG_5060,
	  WANT(PKT_NON_UDP) },
	{ "port filter 5060: IPv4 later fragment on 5080 is a fragment",
	  { V4, .frag_off = 100, .sport = 5080, .dport = 5080,
	    .payload = SIP_MSG("SIP/2.0 200 OK") },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FRAGMENT) },

	/* Eight --port options: 5060 5061 5062 5070 5080 5160 6060 15060. */
	{ "8 ports: 607 from 15060 (the eighth port)",
	  { V4, .sport = 15060, .dport = 33000, .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  FIXTURE_CFG_8PORTS,
	  WANT_6XX(607, "198.18.0.1") },
	{ "8 ports: 603 to 5060 (the first port)",
	  { V6, .sport = 33000, .dport = 5060, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  FIXTURE_CFG_8PORTS,
	  WANT_6XX(603, "2001:db8::1") },
	{ "8 ports: 200 to 5080 (the fifth port)",
	  { V4, .sport = 33000, .dport = 5080, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  FIXTURE_CFG_8PORTS,
	  WANT_RESPONSE(200) },
	{ "8 ports: 603 on 5090 -> 5090",
	  { V4, .sport = 5090, .dport = 5090, .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  FIXTURE_CFG_8PORTS,
	  WANT(PKT_FILTERED_PORT) },
	{ "8 ports: 200 on 15061 -> 5063 (neighbours of listed ports)",
	  { V4, .sport = 15061, .dport = 5063, .payload = SIP_MSG("SIP/2.0 200 OK") },
	  FIXTURE_CFG_8PORTS,
	  WANT(PKT_FILTERED_PORT) },

	/*
	 * One tunnel level (see the rules at the top). Inner sources differ from
	 * the outer ones (198.18.0.1, 2001:db8::1): a 6xx names the inner one.
	 */
	/* IP in IP (protocol 4 and 41). */
	{ "IPIP: IPv4 in IPv4 (protocol 4), 603 from the inner source",
	  { V4, TUN(IPIP),
	    IN(V4, .saddr = "198.18.40.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.40.3"),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPIP: IPv6 in IPv4 (protocol 41, 6in4), 607",
	  { V4, TUN(IPIP),
	    IN(V6, .saddr = "2001:db8:40::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "2001:db8:40::7"),
	  WANT_DECAP(PKT_DECAP_IP6IP) },
	{ "IPIP: IPv4 in IPv6 (protocol 4), 608",
	  { V6, TUN(IPIP), IN(V4, .saddr = "198.18.40.8", .payload = SIP_608) },
	  WANT_6XX(608, "198.18.40.8"),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPIP: IPv6 in IPv6 (protocol 41), 606",
	  { V6, TUN(IPIP),
	    IN(V6, .saddr = "2001:db8:40::6", .payload = SIP_MSG("SIP/2.0 606 Not Acceptable")) },
	  WANT_6XX(606, "2001:db8:40::6"),
	  WANT_DECAP(PKT_DECAP_IP6IP) },
	{ "IPIP: 802.1Q, IPv4 in IPv4, inner 200 on 40000 -> 5062",
	  { .nr_vlans = 1,
	    V4,
	    TUN(IPIP),
	    IN(V4, .sport = 40000, .dport = 5062, .payload = SIP_MSG("SIP/2.0 200 OK")) },
	  WANT_RESPONSE(200),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPIP: IPv6 outer with hop-by-hop and dest-opts, IPv4 inside, 603",
	  { V6, .nr_ext = 2, .ext = { HBH(0), DST(1) }, TUN(IPIP),
	    IN(V4, .saddr = "198.18.40.13", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.40.13"),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPIP: outer IPv4 IHL 7, inner IPv4 IHL 6, 604",
	  { V4, .ip_opt_words = 2, TUN(IPIP),
	    IN(V4, .ip_opt_words = 1, .saddr = "198.18.40.4",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  WANT_6XX(604, "198.18.40.4"),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPIP: inner INVITE",
	  { V4, TUN(IPIP),
	    IN(V4, .payload = SIP_MSG("INVITE sip:bob@biloxi.example.com SIP/2.0")) },
	  WANT(PKT_SIP_REQUEST),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPIP: inner IPv4 later fragment",
	  { V4, TUN(IPIP), IN(V4, .frag_off = 185, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_FRAGMENT),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPIP: inner TCP carrying SIP/2.0 603",
	  { V4, TUN(IPIP),
	    IN(V4, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPIP: inner IPv4 IHL 4",
	  { V4, TUN(IPIP),
	    IN(V4, .ihl_set = true, .ihl_field = 4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_MALFORMED),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPIP: protocol 41 but version 4 inside",
	  { V4, TUN(IPIP), .l4_proto = 41, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_MALFORMED),
	  WANT_DECAP(PKT_DECAP_IP6IP) },
	{ "IPIP inside IPIP: one level only, the inner protocol 4 is non_udp",
	  { V4, TUN(IPIP), IN(V4, TUN(IPIP), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "GRE inside IPIP (IPv6 outer): one level only, non_udp",
	  { V6, TUN(IPIP), IN(V4, TUN(GRE), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "IPv4 later fragment of protocol 4: fragment, not decapsulated",
	  { V4, .frag_off = 185, TUN(IPIP), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_FRAGMENT) },

	/* GRE (RFC 2784, 2890) carrying IP. */
	{ "GRE: IPv4 in IPv4, 603 from the inner source",
	  { V4, TUN(GRE),
	    IN(V4, .saddr = "198.18.41.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.41.3"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE: IPv6 in IPv6, 604",
	  { V6, TUN(GRE),
	    IN(V6, .saddr = "2001:db8:41::4",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  WANT_6XX(604, "2001:db8:41::4"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE: IPv6 in IPv4, 600",
	  { V4, TUN(GRE),
	    IN(V6, .saddr = "2001:db8:41::600",
	       .payload = SIP_MSG("SIP/2.0 600 Busy Everywhere")) },
	  WANT_6XX(600, "2001:db8:41::600"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE: IPv4 in IPv6, 200",
	  { V6, TUN(GRE), IN(V4, .payload = SIP_MSG("SIP/2.0 200 OK")) },
	  WANT_RESPONSE(200),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE with key (K), IPv4 inside, 607",
	  { V4, TUN(GRE), .gre_flags = FRAME_GRE_K,
	    IN(V4, .saddr = "198.18.41.7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "198.18.41.7"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE with sequence number (S), IPv4 inside, 603",
	  { V4, TUN(GRE), .gre_flags = FRAME_GRE_S,
	    IN(V4, .saddr = "198.18.41.13", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.41.13"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE with checksum (C), IPv6 inside, 608",
	  { V4, TUN(GRE), .gre_flags = FRAME_GRE_C,
	    IN(V6, .saddr = "2001:db8:41::608", .payload = SIP_608) },
	  WANT_6XX(608, "2001:db8:41::608"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE with C and K, IPv4 inside, 486",
	  { V4, TUN(GRE), .gre_flags = FRAME_GRE_C | FRAME_GRE_K,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 486 Busy Here")) },
	  WANT_RESPONSE(486),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE with C and S, IPv6 inside, 180",
	  { V6, TUN(GRE), .gre_flags = FRAME_GRE_C | FRAME_GRE_S,
	    IN(V6, .payload = SIP_MSG("SIP/2.0 180 Ringing")) },
	  WANT_RESPONSE(180),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE with C, K and S, IPv4 inside, 606",
	  { V4, TUN(GRE), .gre_flags = GRE_CKS,
	    IN(V4, .saddr = "198.18.41.6", .payload = SIP_MSG("SIP/2.0 606 Not Acceptable")) },
	  WANT_6XX(606, "198.18.41.6"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE with K and S over IPv6, IPv6 inside, 603",
	  { V6, TUN(GRE), .gre_flags = FRAME_GRE_K | FRAME_GRE_S,
	    IN(V6, .saddr = "2001:db8:41::603", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "2001:db8:41::603"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE over IPv6 with hop-by-hop, routing, dest-opts, fragment(0): IPv4 inside, 607",
	  { V6, .nr_ext = 4, .ext = { HBH(0), RTH(2), DST(1), FRAG(0, true) }, TUN(GRE),
	    IN(V4, .saddr = "198.18.41.17", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "198.18.41.17"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE with K over IPv6 with 6 extension headers (atomic fragment): IPv6 inside, 603",
	  { V6, .nr_ext = 6, .ext = { HBH(0), DST(0), RTH(2), DST(0), FRAG(0, false), DST(0) },
	    TUN(GRE), .gre_flags = FRAME_GRE_K,
	    IN(V6, .saddr = "2001:db8:41::66", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "2001:db8:41::66"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE over IPv6 with 7 extension headers: GRE not reached, non_udp",
	  { V6, .nr_ext = 7,
	    .ext = { HBH(0), DST(0), RTH(2), DST(0), FRAG(0, true), DST(0), DST(0) }, TUN(GRE),
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "GRE over IPv6 with a later-fragment header: fragment, not decapsulated",
	  { V6, .nr_ext = 1, .ext = { FRAG(181, false) }, TUN(GRE),
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_FRAGMENT) },
	{ "GRE in an IPv4 first fragment (MF, offset 0), IPv4 inside, 603",
	  { V4, .mf = true, TUN(GRE),
	    IN(V4, .saddr = "198.18.41.23", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.41.23"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE in an IPv4 later fragment: fragment, not decapsulated",
	  { V4, .frag_off = 185, TUN(GRE), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_FRAGMENT) },
	{ "GRE: inner RTP on high ports",
	  { V4, TUN(GRE), IN(V4, .sport = 16384, .dport = 16386, BIN(rtp_pcmu)) },
	  WANT(PKT_NOT_SIP),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE: inner TCP carrying SIP/2.0 607",
	  { V4, TUN(GRE),
	    IN(V4, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE: inner IPv6 later fragment",
	  { V4, TUN(GRE),
	    IN(V6, .nr_ext = 1, .ext = { FRAG(181, false) },
	       .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_FRAGMENT),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE: inner IPv4 IHL 4",
	  { V4, TUN(GRE),
	    IN(V4, .ihl_set = true, .ihl_field = 4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_MALFORMED),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE: inner code 700",
	  { V4, TUN(GRE), IN(V4, .payload = SIP_MSG("SIP/2.0 700 Out Of Range")) },
	  WANT_MALFORMED_SIP,
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE type 0x86dd, version 4 inside",
	  { V4, TUN(GRE), .gre_proto = 0x86dd, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_MALFORMED),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "VXLAN inside GRE: one level only, UDP 4789 is plain UDP, not_sip",
	  { V4, TUN(GRE), IN(V4, TUN(VXLAN), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT(PKT_NOT_SIP),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "GRE inside GRE: one level only, non_udp",
	  { V4, TUN(GRE), IN(V4, TUN(GRE), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_GRE) },
	/* GRE the parser does not take. */
	{ "GRE version 1 with type 0x0800 (not PPP): non_udp, not decapsulated",
	  { V4, TUN(GRE), .gre_flags = FRAME_GRE_K | 1,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "GRE version 2: non_udp, not decapsulated",
	  { V4, TUN(GRE), .gre_flags = 2, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "GRE version 7 over IPv6: non_udp, not decapsulated",
	  { V6, TUN(GRE), .gre_flags = 7, IN(V6, .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT(PKT_NON_UDP) },
	{ "GRE version 3 with PPP's key and type 0x880b: non_udp, not decapsulated",
	  { V4, TUN(GRE_PPP), .gre_flags = 2, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "GRE with the routing bit (RFC 1701 R): non_udp, not decapsulated",
	  { V4, TUN(GRE), .gre_flags = FRAME_GRE_R,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "GRE-TEB with the routing bit: non_udp, not decapsulated",
	  { V6, TUN(GRE_TEB), .gre_flags = FRAME_GRE_R | FRAME_GRE_K,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "GRE type 0x0806 (ARP): non_udp, not decapsulated",
	  { V4, TUN(GRE), .gre_proto = 0x0806, IN(BIN(arp_request)) },
	  WANT(PKT_NON_UDP) },
	{ "GRE type 0x8847 (MPLS): non_udp, not decapsulated",
	  { V4, TUN(GRE), .gre_proto = 0x8847, IN(BIN(mpls_ipv4)) },
	  WANT(PKT_NON_UDP) },
	{ "GRE type 0x880b (PPP) in version 0: non_udp, not decapsulated",
	  { V4, TUN(GRE), .gre_proto = 0x880b, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },

	/* GRE carrying Ethernet (transparent Ethernet bridging, 0x6558). */
	{ "GRE-TEB: Ethernet, IPv4 603 from the inner source",
	  { V4, TUN(GRE_TEB),
	    IN(V4, .saddr = "198.18.42.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.42.3"),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },
	{ "GRE-TEB over IPv6: Ethernet, IPv6 607",
	  { V6, TUN(GRE_TEB),
	    IN(V6, .saddr = "2001:db8:42::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "2001:db8:42::7"),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },
	{ "GRE-TEB: inner 802.1Q tag, IPv4 600",
	  { V4, TUN(GRE_TEB),
	    IN(.nr_vlans = 1, V4, .saddr = "198.18.42.60",
	       .payload = SIP_MSG("SIP/2.0 600 Busy Everywhere")) },
	  WANT_6XX(600, "198.18.42.60"),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },
	{ "GRE-TEB: inner QinQ, IPv6 604",
	  { V4, TUN(GRE_TEB),
	    IN(.nr_vlans = 2, V6, .saddr = "2001:db8:42::604",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  WANT_6XX(604, "2001:db8:42::604"),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },
	{ "GRE-TEB with key (NVGRE style): IPv4 608",
	  { V4, TUN(GRE_TEB), .gre_flags = FRAME_GRE_K,
	    IN(V4, .saddr = "198.18.42.8", .payload = SIP_608) },
	  WANT_6XX(608, "198.18.42.8"),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },
	{ "GRE-TEB with C, K and S: inner 802.1Q, IPv6 603",
	  { V6, TUN(GRE_TEB), .gre_flags = GRE_CKS,
	    IN(.nr_vlans = 1, V6, .saddr = "2001:db8:42::603",
	       .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "2001:db8:42::603"),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },
	{ "GRE-TEB carrying ARP: non_ip, decapsulated",
	  { V4, TUN(GRE_TEB), IN(.ethertype = 0x0806, BIN(arp_request)) },
	  WANT(PKT_NON_IP),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },
	{ "GRE-TEB: inner three VLAN tags: non_ip, decapsulated",
	  { V4, TUN(GRE_TEB), IN(.nr_vlans = 3, V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_IP),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },
	{ "GRE-TEB: inner PPPoE session, IPv4 603",
	  { V4, TUN(GRE_TEB),
	    IN(TUN(PPPOE),
	       IN(V4, .saddr = "198.18.42.33", .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT_6XX(603, "198.18.42.33"),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },
	{ "GRE-TEB: inner REGISTER",
	  { V4, TUN(GRE_TEB), IN(V6, .payload = SIP_MSG("REGISTER sips:ss2.example.com SIP/2.0")) },
	  WANT(PKT_SIP_REQUEST),
	  WANT_DECAP(PKT_DECAP_GRE_TEB) },

	/* Enhanced GRE (PPTP, RFC 2637) carrying PPP (RFC 1661, ACFC and PFC from 1661 6.5/6.6). */
	{ "GRE-PPP: K, FF 03, protocol 0x0021, IPv4 603",
	  { V4, TUN(GRE_PPP),
	    IN(V4, .saddr = "198.18.43.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.43.3"),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP: K+S, FF 03, protocol 0x0057, IPv6 607",
	  { V4, TUN(GRE_PPP), .gre_flags = FRAME_GRE_S,
	    IN(V6, .saddr = "2001:db8:43::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "2001:db8:43::7"),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP: K+S+A, no address/control (ACFC), 0x0021, IPv4 608",
	  { V4, TUN(GRE_PPP), .gre_flags = FRAME_GRE_S | FRAME_GRE_A, .ppp_acfc = true,
	    IN(V4, .saddr = "198.18.43.8", .payload = SIP_608) },
	  WANT_6XX(608, "198.18.43.8"),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP: K+A, FF 03, compressed protocol 0x21 (PFC), IPv4 606",
	  { V4, TUN(GRE_PPP), .gre_flags = FRAME_GRE_A, .ppp_pfc = true,
	    IN(V4, .saddr = "198.18.43.6", .payload = SIP_MSG("SIP/2.0 606 Not Acceptable")) },
	  WANT_6XX(606, "198.18.43.6"),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP: K+S, ACFC and PFC 0x57, IPv6 603",
	  { V4, TUN(GRE_PPP), .gre_flags = FRAME_GRE_S, .ppp_acfc = true, .ppp_pfc = true,
	    IN(V6, .saddr = "2001:db8:43::603", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "2001:db8:43::603"),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP: K only, ACFC and PFC 0x21, IPv4 604",
	  { V4, TUN(GRE_PPP), .ppp_acfc = true, .ppp_pfc = true,
	    IN(V4, .saddr = "198.18.43.4",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  WANT_6XX(604, "198.18.43.4"),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP over IPv6: K+S, IPv4 200",
	  { V6, TUN(GRE_PPP), .gre_flags = FRAME_GRE_S,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 200 OK")) },
	  WANT_RESPONSE(200),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP: inner DNS query",
	  { V4, TUN(GRE_PPP), .gre_flags = FRAME_GRE_S,
	    IN(V4, .sport = 40001, .dport = 53, BIN(dns_query)) },
	  WANT(PKT_NOT_SIP),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP: inner TCP carrying SIP/2.0 603",
	  { V4, TUN(GRE_PPP),
	    IN(V4, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	/*
	 * The PPP header is complete and names a protocol that is not IP: as
	 * GRE-TEB carrying ARP, and PPPoE carrying LCP, this is non_ip, and the
	 * tunnel was taken off.
	 */
	{ "GRE-PPP: LCP Configure-Request (0xc021): non_ip, decapsulated",
	  { V4, TUN(GRE_PPP), .gre_flags = FRAME_GRE_S, .ppp_proto = 0xc021,
	    IN(BIN(lcp_conf_req)) },
	  WANT(PKT_NON_IP),
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP version 1 with the routing bit: non_udp, not decapsulated",
	  { V4, TUN(GRE_PPP), .gre_flags = FRAME_GRE_R,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },

	/* ERSPAN (draft-foschiano-erspan-03) mirroring Ethernet frames. */
	{ "ERSPAN I (0x88be, no S bit, no header): IPv4 603",
	  { V4, TUN(ERSPAN1),
	    IN(V4, .saddr = "198.18.44.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.44.3"),
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "ERSPAN I: inner 802.1Q, IPv6 607",
	  { V4, TUN(ERSPAN1),
	    IN(.nr_vlans = 1, V6, .saddr = "2001:db8:44::7",
	       .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "2001:db8:44::7"),
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "ERSPAN II: IPv4 603",
	  { V4, TUN(ERSPAN2),
	    IN(V4, .saddr = "198.18.44.23", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.44.23"),
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "ERSPAN II: inner 802.1Q (En 3), IPv6 608",
	  { V4, TUN(ERSPAN2),
	    IN(.nr_vlans = 1, V6, .saddr = "2001:db8:44::608", .payload = SIP_608) },
	  WANT_6XX(608, "2001:db8:44::608"),
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "ERSPAN II over IPv6: IPv4 600",
	  { V6, TUN(ERSPAN2),
	    IN(V4, .saddr = "198.18.44.60", .payload = SIP_MSG("SIP/2.0 600 Busy Everywhere")) },
	  WANT_6XX(600, "198.18.44.60"),
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "ERSPAN II with GRE key: inner QinQ, IPv4 486",
	  { V4, TUN(ERSPAN2), .gre_flags = FRAME_GRE_K,
	    IN(.nr_vlans = 2, V4, .payload = SIP_MSG("SIP/2.0 486 Busy Here")) },
	  WANT_RESPONSE(486),
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "ERSPAN II: inner IPv6 TCP",
	  { V4, TUN(ERSPAN2),
	    IN(V6, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "ERSPAN II: inner ARP",
	  { V4, TUN(ERSPAN2), IN(.ethertype = 0x0806, BIN(arp_request)) },
	  WANT(PKT_NON_IP),
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "ERSPAN II version 2 under 0x88be: non_udp, not decapsulated",
	  { V4, TUN(ERSPAN2), .erspan_ver = 2, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "ERSPAN II version 15: non_udp, not decapsulated",
	  { V6, TUN(ERSPAN2), .erspan_ver = 0xf,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "ERSPAN III: IPv4 603",
	  { V4, TUN(ERSPAN3),
	    IN(V4, .saddr = "198.18.45.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.45.3"),
	  WANT_DECAP(PKT_DECAP_ERSPAN3) },
	{ "ERSPAN III: IPv6 607",
	  { V4, TUN(ERSPAN3),
	    IN(V6, .saddr = "2001:db8:45::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "2001:db8:45::7"),
	  WANT_DECAP(PKT_DECAP_ERSPAN3) },
	{ "ERSPAN III with the O subheader: IPv4 608",
	  { V4, TUN(ERSPAN3), .erspan_o = true,
	    IN(V4, .saddr = "198.18.45.8", .payload = SIP_608) },
	  WANT_6XX(608, "198.18.45.8"),
	  WANT_DECAP(PKT_DECAP_ERSPAN3) },
	{ "ERSPAN III with the O subheader over IPv6: IPv6 606",
	  { V6, TUN(ERSPAN3), .erspan_o = true,
	    IN(V6, .saddr = "2001:db8:45::606", .payload = SIP_MSG("SIP/2.0 606 Not Acceptable")) },
	  WANT_6XX(606, "2001:db8:45::606"),
	  WANT_DECAP(PKT_DECAP_ERSPAN3) },
	{ "ERSPAN III without subheader: inner QinQ, IPv4 604",
	  { V4, TUN(ERSPAN3),
	    IN(.nr_vlans = 2, V4, .saddr = "198.18.45.4",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  WANT_6XX(604, "198.18.45.4"),
	  WANT_DECAP(PKT_DECAP_ERSPAN3) },
	{ "ERSPAN III with GRE C, K and S and the O subheader: IPv4 603",
	  { V4, TUN(ERSPAN3), .gre_flags = GRE_CKS, .erspan_o = true,
	    IN(V4, .saddr = "198.18.45.13", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.45.13"),
	  WANT_DECAP(PKT_DECAP_ERSPAN3) },
	{ "ERSPAN III: inner RTP",
	  { V4, TUN(ERSPAN3), .erspan_o = true,
	    IN(V4, .sport = 16384, .dport = 16386, BIN(rtp_pcmu)) },
	  WANT(PKT_NOT_SIP),
	  WANT_DECAP(PKT_DECAP_ERSPAN3) },
	{ "ERSPAN III frame type 2 (IP): non_udp, not decapsulated",
	  { V4, TUN(ERSPAN3), .erspan_ft = 2, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "ERSPAN III frame type 31 with the O subheader: non_udp, not decapsulated",
	  { V4, TUN(ERSPAN3), .erspan_ft = 31, .erspan_o = true,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "ERSPAN III version 1 under 0x22eb: non_udp, not decapsulated",
	  { V4, TUN(ERSPAN3), .erspan_ver = 1, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },

	/* VXLAN (RFC 7348): UDP to 4789, I flag, inner Ethernet. */
	{ "VXLAN: IPv4 in IPv4, 603 from the inner source",
	  { V4, TUN(VXLAN),
	    IN(V4, .saddr = "198.18.47.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.47.3"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN over IPv6: IPv6 607",
	  { V6, TUN(VXLAN),
	    IN(V6, .saddr = "2001:db8:47::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "2001:db8:47::7"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN over IPv4: IPv6 608",
	  { V4, TUN(VXLAN), IN(V6, .saddr = "2001:db8:47::608", .payload = SIP_608) },
	  WANT_6XX(608, "2001:db8:47::608"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN: inner 802.1Q, IPv4 604",
	  { V4, TUN(VXLAN),
	    IN(.nr_vlans = 1, V4, .saddr = "198.18.47.4",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  WANT_6XX(604, "198.18.47.4"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN: inner QinQ, IPv6 600",
	  { V4, TUN(VXLAN),
	    IN(.nr_vlans = 2, V6, .saddr = "2001:db8:47::600",
	       .payload = SIP_MSG("SIP/2.0 600 Busy Everywhere")) },
	  WANT_6XX(600, "2001:db8:47::600"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN behind outer QinQ, from port 5060: inner 802.1Q, IPv4 606",
	  { .nr_vlans = 2,
	    V4,
	    TUN(VXLAN),
	    .sport = 5060,
	    IN(.nr_vlans = 1, V4, .saddr = "198.18.47.6",
	       .payload = SIP_MSG("SIP/2.0 606 Not Acceptable")) },
	  WANT_6XX(606, "198.18.47.6"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN over IPv6 with hop-by-hop and routing: IPv4 603",
	  { V6, .nr_ext = 2, .ext = { HBH(0), RTH(2) }, TUN(VXLAN),
	    IN(V4, .saddr = "198.18.47.13", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.47.13"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN: inner DNS query",
	  { V4, TUN(VXLAN), IN(V4, .sport = 40001, .dport = 53, BIN(dns_query)) },
	  WANT(PKT_NOT_SIP),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN: inner TCP carrying SIP/2.0 603",
	  { V4, TUN(VXLAN),
	    IN(V4, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN: inner ARP",
	  { V4, TUN(VXLAN), IN(.ethertype = 0x0806, BIN(arp_request)) },
	  WANT(PKT_NON_IP),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN: inner UDP length 7",
	  { V4, TUN(VXLAN),
	    IN(V4, .udp_len_set = true, .udp_len = 7, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_MALFORMED),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN: inner PPPoE session, IPv6 603",
	  { V4, TUN(VXLAN),
	    IN(TUN(PPPOE),
	       IN(V6, .saddr = "2001:db8:47::603", .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT_6XX(603, "2001:db8:47::603"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN: inner IPv4 carrying GRE: one level only, non_udp",
	  { V4, TUN(VXLAN), IN(V4, TUN(GRE), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN inside VXLAN: one level only, inner UDP 4789 is plain UDP, not_sip",
	  { V4, TUN(VXLAN), IN(V4, TUN(VXLAN), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT(PKT_NOT_SIP),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "VXLAN flags 0x00 (I clear): plain UDP to 4789, not_sip",
	  { V4, TUN(VXLAN), .vxlan_no_i = true, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NOT_SIP) },
	{ "VXLAN header to UDP 4790 (not 4789): plain UDP, not_sip",
	  { V6, TUN(VXLAN), .dport = 4790, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NOT_SIP) },

	/*
	 * GTP-U (3GPP TS 29.281): UDP to 2152, a GTPv1 G-PDU header, an IP
	 * T-PDU. The optional word comes with any of E, S, PN; extension
	 * headers only with E.
	 */
	{ "GTP-U: IPv4 in IPv4, 603 from the inner source",
	  { V4, TUN(GTPU),
	    IN(V4, .saddr = "198.18.49.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.49.3"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U over IPv6: IPv6 607",
	  { V6, TUN(GTPU),
	    IN(V6, .saddr = "2001:db8:49::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "2001:db8:49::7"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U over IPv4: IPv6 608",
	  { V4, TUN(GTPU), IN(V6, .saddr = "2001:db8:49::608", .payload = SIP_608) },
	  WANT_6XX(608, "2001:db8:49::608"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U over IPv6: IPv4 604",
	  { V6, TUN(GTPU),
	    IN(V4, .saddr = "198.18.49.4",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  WANT_6XX(604, "198.18.49.4"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U with the optional word (S, sequence number): IPv4 606",
	  { V4, TUN(GTPU), .gtp_flags = FRAME_GTP_S,
	    IN(V4, .saddr = "198.18.49.6", .payload = SIP_MSG("SIP/2.0 606 Not Acceptable")) },
	  WANT_6XX(606, "198.18.49.6"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U over IPv6 with the optional word (PN, N-PDU number): IPv6 600",
	  { V6, TUN(GTPU), .gtp_flags = FRAME_GTP_PN,
	    IN(V6, .saddr = "2001:db8:49::600",
	       .payload = SIP_MSG("SIP/2.0 600 Busy Everywhere")) },
	  WANT_6XX(600, "2001:db8:49::600"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U with E set and next type 0 (no extension header): IPv4 603",
	  { V4, TUN(GTPU), .gtp_flags = FRAME_GTP_E,
	    IN(V4, .saddr = "198.18.49.13", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.49.13"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U, one extension header (PDU Session Container, 4 bytes): IPv4 603",
	  { V4, TUN(GTPU), .gtp_nr_ext = 1, .gtp_ext = { GTP_PSC },
	    IN(V4, .saddr = "198.18.49.23", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.49.23"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U over IPv6, S and one 8-byte extension header (Long PDCP PDU Number): IPv6 607",
	  { V6, TUN(GTPU), .gtp_flags = FRAME_GTP_S, .gtp_nr_ext = 1, .gtp_ext = { GTP_LPDCP },
	    IN(V6, .saddr = "2001:db8:49::17", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "2001:db8:49::17"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U, two extension headers (PDCP PDU Number, PDU Session Container): IPv4 608",
	  { V4, TUN(GTPU), .gtp_flags = FRAME_GTP_S, .gtp_nr_ext = 2,
	    .gtp_ext = { GTP_PDCP, GTP_PSC }, IN(V4, .saddr = "198.18.49.8", .payload = SIP_608) },
	  WANT_6XX(608, "198.18.49.8"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U over IPv6 with hop-by-hop, two extension headers (8 + 4 bytes): IPv6 604",
	  { V6, .nr_ext = 1, .ext = { HBH(0) }, TUN(GTPU), .gtp_nr_ext = 2,
	    .gtp_ext = { GTP_LPDCP, GTP_PSC },
	    IN(V6, .saddr = "2001:db8:49::604",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  WANT_6XX(604, "2001:db8:49::604"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U from a locally allocated source port 40000 to 2152: IPv4 603",
	  { V4, TUN(GTPU), .sport = 40000,
	    IN(V4, .saddr = "198.18.49.33", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.49.33"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U behind 802.1Q: inner 200 on 40000 -> 5062",
	  { .nr_vlans = 1,
	    V4,
	    TUN(GTPU),
	    IN(V4, .sport = 40000, .dport = 5062, .payload = SIP_MSG("SIP/2.0 200 OK")) },
	  WANT_RESPONSE(200),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U: inner REGISTER",
	  { V4, TUN(GTPU), IN(V6, .payload = SIP_MSG("REGISTER sips:ss2.example.com SIP/2.0")) },
	  WANT(PKT_SIP_REQUEST),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U: inner RTP",
	  { V4, TUN(GTPU), .gtp_nr_ext = 1, .gtp_ext = { GTP_PSC },
	    IN(V4, .sport = 16384, .dport = 16386, BIN(rtp_pcmu)) },
	  WANT(PKT_NOT_SIP),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U: inner TCP carrying SIP/2.0 603",
	  { V4, TUN(GTPU),
	    IN(V4, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U: inner IPv6 later fragment",
	  { V4, TUN(GTPU),
	    IN(V6, .nr_ext = 1, .ext = { FRAG(181, false) },
	       .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_FRAGMENT),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U: inner UDP length 7",
	  { V6, TUN(GTPU),
	    IN(V4, .udp_len_set = true, .udp_len = 7, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_MALFORMED),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U: inner code 700",
	  { V4, TUN(GTPU), IN(V4, .payload = SIP_MSG("SIP/2.0 700 Out Of Range")) },
	  WANT_MALFORMED_SIP,
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U: T-PDU version nibble 5: non_ip, decapsulated",
	  { V4, TUN(GTPU), IN(V4, .version_field = 5, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_IP),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U: Ethernet PDU session (T-PDU first nibble 0): non_ip, decapsulated",
	  { V4, TUN(GTPU), .gtp_nr_ext = 1, .gtp_ext = { GTP_PSC }, IN(BIN(eth_arp)) },
	  WANT(PKT_NON_IP),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	/* E clear: the next type octet is not read, and what follows the optional word is the
	   T-PDU. */
	{ "GTP-U, S set, E clear, a PDU Session Container after the optional word: "
	  "T-PDU first nibble 0, non_ip, decapsulated",
	  { V4, TUN(GTPU), .gtp_flags = FRAME_GTP_S, .gtp_nr_ext = 1, .gtp_ext = { GTP_PSC },
	    .gtp_no_e = true, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_IP),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U inside GTP-U: one level only, inner UDP 2152 is plain UDP, not_sip",
	  { V4, TUN(GTPU), IN(V4, TUN(GTPU), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT(PKT_NOT_SIP),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GRE inside GTP-U: one level only, non_udp",
	  { V6, TUN(GTPU), IN(V4, TUN(GRE), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT(PKT_NON_UDP),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U inside VXLAN: one level only, inner UDP 2152 is plain UDP, not_sip",
	  { V4, TUN(VXLAN), IN(V4, TUN(GTPU), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT(PKT_NOT_SIP),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "GTP-U in an IPv4 later fragment: fragment, not decapsulated",
	  { V4, .frag_off = 185, TUN(GTPU), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_FRAGMENT) },
	/*
	 * GTP-U the parser does not take. More than two extension headers: it
	 * does not know where the T-PDU starts. Length 0: invalid, TS 29.281
	 * 5.2.1 sizes an extension header as n * 4 octets, n positive.
	 */
	{ "GTP-U, three extension headers (one more than followed): non_ip, not decapsulated",
	  { V4, TUN(GTPU), .gtp_nr_ext = 3, .gtp_ext = { GTP_PDCP, GTP_LPDCP, GTP_PSC },
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_IP) },
	{ "GTP-U over IPv6, three PDU Session Containers: non_ip, not decapsulated",
	  { V6, TUN(GTPU), .gtp_flags = FRAME_GTP_S, .gtp_nr_ext = 3,
	    .gtp_ext = { GTP_PSC, GTP_PSC, GTP_PSC },
	    IN(V6, .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT(PKT_NON_IP) },
	{ "GTP-U extension header length 0: malformed, not decapsulated",
	  { V4, TUN(GTPU), .gtp_nr_ext = 1, .gtp_ext = { { .len_zero = true } },
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_MALFORMED) },
	{ "GTP-U second extension header length 0: malformed, not decapsulated",
	  { V6, TUN(GTPU), .gtp_nr_ext = 2,
	    .gtp_ext = { GTP_PDCP, { .type = FRAME_GTP_EXT_PSC, .len_zero = true } },
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_MALFORMED) },
	/* Path management and tunnel management messages are plain UDP to 2152. */
	{ "GTP-U echo request (type 1, S, no IE): not_sip, not decapsulated",
	  { V4, TUN(GTPU), .gtp_msg_type = 1, .gtp_flags = FRAME_GTP_S, IN(.ip_version = 0) },
	  WANT(PKT_NOT_SIP) },
	{ "GTP-U echo response (type 2, S, Recovery IE) over IPv6: not_sip, not decapsulated",
	  { V6, TUN(GTPU), .gtp_msg_type = 2, .gtp_flags = FRAME_GTP_S, IN(BIN(gtp_recovery_ie)) },
	  WANT(PKT_NOT_SIP) },
	{ "GTP-U type 1 (echo request) header around an IPv4 603: not_sip, not decapsulated",
	  { V4, TUN(GTPU), .gtp_msg_type = 1, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NOT_SIP) },
	{ "GTP-U error indication (type 26, S, TEID Data I, peer address): not_sip",
	  { V4, TUN(GTPU), .gtp_msg_type = 26, .gtp_flags = FRAME_GTP_S,
	    IN(BIN(gtp_error_ind_ies)) },
	  WANT(PKT_NOT_SIP) },
	{ "GTP-U end marker (type 254) around an IPv6 607: not_sip, not decapsulated",
	  { V6, TUN(GTPU), .gtp_msg_type = 254,
	    IN(V6, .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT(PKT_NOT_SIP) },
	{ "GTPv2 (version 2) G-PDU-like header on 2152 around an IPv4 603: not_sip",
	  { V4, TUN(GTPU), .gtp_ver_set = true, .gtp_ver = 2,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NOT_SIP) },
	{ "GTP version 0 on 2152 around an IPv4 603: not_sip",
	  { V4, TUN(GTPU), .gtp_ver_set = true, .gtp_ver = 0,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NOT_SIP) },
	{ "GTP' (version 1, PT 0) on 2152 around an IPv6 603: not_sip",
	  { V6, TUN(GTPU), .gtp_prime = true, IN(V6, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NOT_SIP) },
	{ "GTP-U G-PDU to UDP 2123 (GTP-C): plain UDP, not_sip",
	  { V4, TUN(GTPU), .dport = 2123, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NOT_SIP) },
	{ "GTP-U G-PDU from 2152 to 40000 (the tunnel port as source only): plain UDP, not_sip",
	  { V6, TUN(GTPU), .dport = 40000, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NOT_SIP) },
	{ "UDP to 2152, a 7-byte datagram (shorter than the GTP header): not_sip",
	  { V4, .sport = 2152, .dport = 2152, BIN(gtp_hdr_7) },
	  WANT(PKT_NOT_SIP) },
	{ "UDP to 2152, length 8 + 7 around a whole G-PDU with IPv4 603: not_sip, not decapsulated",
	  { V4, TUN(GTPU), .udp_len_set = true, .udp_len = 8 + 7,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NOT_SIP) },

	/* The --port filter names SIP ports: it applies to the inner UDP, never the tunnel's. */
	{ "port filter 5060: VXLAN to 4789 carrying 603 from 5060 to 40000",
	  { V4, TUN(VXLAN),
	    IN(V4, .sport = 5060, .dport = 40000, .saddr = "198.18.48.3",
	       .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  FIXTURE_CFG_5060,
	  WANT_6XX(603, "198.18.48.3"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "port filter 5060: VXLAN to 4789 carrying 603 on 5080 -> 5080",
	  { V4, TUN(VXLAN),
	    IN(V4, .sport = 5080, .dport = 5080, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "port filter 5060: VXLAN from 5060 to 4789 carrying 603 on 5080 -> 5080",
	  { V6, TUN(VXLAN), .sport = 5060,
	    IN(V4, .sport = 5080, .dport = 5080, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "port filter 5060: UDP to 4789 without the I flag is filtered_port",
	  { V4, TUN(VXLAN), .vxlan_no_i = true, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT) },
	{ "port filter 5060: GRE carrying 603 on 5080 -> 5080",
	  { V4, TUN(GRE),
	    IN(V4, .sport = 5080, .dport = 5080, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "port filter 5060: ERSPAN II carrying 607 from 5060",
	  { V4, TUN(ERSPAN2),
	    IN(V6, .sport = 5060, .dport = 33000, .saddr = "2001:db8:48::7",
	       .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  FIXTURE_CFG_5060,
	  WANT_6XX(607, "2001:db8:48::7"),
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "port filter 5060: PPPoE carrying 603 on 5080 -> 5080",
	  { TUN(PPPOE),
	    IN(V4, .sport = 5080, .dport = 5080, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT) },
	{ "8 ports: VXLAN carrying 608 from 15060",
	  { V4, TUN(VXLAN),
	    IN(V4, .sport = 15060, .dport = 33000, .saddr = "198.18.48.8", .payload = SIP_608) },
	  FIXTURE_CFG_8PORTS,
	  WANT_6XX(608, "198.18.48.8"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },
	{ "port filter 5060: GTP-U on 2152 carrying 603 from 5060 to 40000",
	  { V4, TUN(GTPU), .gtp_nr_ext = 1, .gtp_ext = { GTP_PSC },
	    IN(V4, .sport = 5060, .dport = 40000, .saddr = "198.18.49.53",
	       .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  FIXTURE_CFG_5060,
	  WANT_6XX(603, "198.18.49.53"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "port filter 5060: GTP-U over IPv6 carrying 607 from 40000 to 5060",
	  { V6, TUN(GTPU),
	    IN(V6, .sport = 40000, .dport = 5060, .saddr = "2001:db8:49::5060",
	       .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  FIXTURE_CFG_5060,
	  WANT_6XX(607, "2001:db8:49::5060"),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "port filter 5060: GTP-U carrying 603 on 5080 -> 5080",
	  { V4, TUN(GTPU),
	    IN(V4, .sport = 5080, .dport = 5080, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT),
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "port filter 5060: GTP-U echo request on 2152 is filtered_port",
	  { V4, TUN(GTPU), .gtp_msg_type = 1, .gtp_flags = FRAME_GTP_S, IN(.ip_version = 0) },
	  FIXTURE_CFG_5060,
	  WANT(PKT_FILTERED_PORT) },
	{ "8 ports: GTP-U carrying 604 from 6060",
	  { V6, TUN(GTPU), .gtp_flags = FRAME_GTP_S,
	    IN(V4, .sport = 6060, .dport = 33000, .saddr = "198.18.49.64",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  FIXTURE_CFG_8PORTS,
	  WANT_6XX(604, "198.18.49.64"),
	  WANT_DECAP(PKT_DECAP_GTPU) },

	/* PPPoE sessions (RFC 2516) are L2, as VLAN tags are: no decap entry. */
	{ "PPPoE session: IPv4 603 from the inner source",
	  { TUN(PPPOE), IN(V4, .saddr = "198.18.46.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT_6XX(603, "198.18.46.3") },
	{ "PPPoE session: IPv6 607",
	  { TUN(PPPOE),
	    IN(V6, .saddr = "2001:db8:46::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT_6XX(607, "2001:db8:46::7") },
	{ "802.1Q tag, then PPPoE: IPv4 608",
	  { .nr_vlans = 1, TUN(PPPOE), IN(V4, .saddr = "198.18.46.8", .payload = SIP_608) },
	  WANT_6XX(608, "198.18.46.8") },
	{ "QinQ, then PPPoE: IPv6 200",
	  { .nr_vlans = 2, TUN(PPPOE), IN(V6, .payload = SIP_MSG("SIP/2.0 200 OK")) },
	  WANT_RESPONSE(200) },
	{ "three VLAN tags, then PPPoE: non_ip",
	  { .nr_vlans = 3, TUN(PPPOE), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_IP) },
	{ "PPPoE session: LCP Configure-Request (0xc021): non_ip",
	  { TUN(PPPOE), .ppp_proto = 0xc021, IN(BIN(lcp_conf_req)) },
	  WANT(PKT_NON_IP) },
	{ "PPPoE session: IPCP (0x8021): non_ip",
	  { .nr_vlans = 1, TUN(PPPOE), .ppp_proto = 0x8021, IN(BIN(ipcp_conf_req)) },
	  WANT(PKT_NON_IP) },
	{ "PPPoE discovery PADI (0x8863): non_ip",
	  { .ethertype = 0x8863, BIN(pppoe_padi) },
	  WANT(PKT_NON_IP) },
	{ "PPPoE session: IPv4 TCP carrying SIP/2.0 603",
	  { TUN(PPPOE),
	    IN(V4, .l4_proto = IPPROTO_TCP, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_NON_UDP) },
	{ "PPPoE session: IPv6 later fragment",
	  { TUN(PPPOE), IN(V6, .nr_ext = 1, .ext = { FRAG(181, false) },
			   .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_FRAGMENT) },
	{ "PPPoE session: protocol 0x0057 but version 4 inside",
	  { TUN(PPPOE), .ppp_proto = 0x0057, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_MALFORMED) },
	{ "PPPoE session: IPv4 carrying GRE, IPv4 603 (PPPoE is no tunnel level)",
	  { TUN(PPPOE),
	    IN(V4, TUN(GRE),
	       IN(V4, .saddr = "198.18.46.13", .payload = SIP_MSG("SIP/2.0 603 Decline"))) },
	  WANT_6XX(603, "198.18.46.13"),
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "PPPoE session: IPv6 carrying VXLAN, IPv4 604",
	  { .nr_vlans = 1,
	    TUN(PPPOE),
	    IN(V6, TUN(VXLAN),
	       IN(V4, .saddr = "198.18.46.4",
		  .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere"))) },
	  WANT_6XX(604, "198.18.46.4"),
	  WANT_DECAP(PKT_DECAP_VXLAN) },

	/*
	 * Cuts the sweeps below do not reach. GRE-PPP with ACFC and PFC: the
	 * PPP header is the single protocol byte, so a frame that ends right
	 * after it has a complete tunnel header: truncated and decapsulated.
	 * 14 Ethernet + 20 IPv4 + 4 GRE + 4 key + 1 PPP protocol.
	 */
	{ "GRE-PPP ACFC and PFC, cut right after the protocol byte: truncated, decapsulated",
	  { V4, TUN(GRE_PPP), .ppp_acfc = true, .ppp_pfc = true,
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 20 + 4 + 4 + 1,
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "GRE-PPP FF 03 and PFC, cut right after the protocol byte: truncated, decapsulated",
	  { V4, TUN(GRE_PPP), .ppp_pfc = true, IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 20 + 4 + 4 + 3,
	  WANT_DECAP(PKT_DECAP_GRE_PPP) },
	{ "IPIP, cut right after the outer IPv4 header: truncated, decapsulated",
	  { V4, TUN(IPIP), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 20,
	  WANT_DECAP(PKT_DECAP_IPIP) },
	{ "GRE, cut right after the 4-byte GRE header: truncated, decapsulated",
	  { V6, TUN(GRE), IN(V6, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 40 + 4,
	  WANT_DECAP(PKT_DECAP_GRE) },
	{ "ERSPAN I, cut right after the GRE header: truncated, decapsulated",
	  { V4, TUN(ERSPAN1), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 20 + 4,
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "ERSPAN II, cut inside its header: truncated, not decapsulated",
	  { V4, TUN(ERSPAN2), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 20 + 8 + 7 },
	{ "ERSPAN II, cut right after its header: truncated, decapsulated",
	  { V4, TUN(ERSPAN2), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 20 + 8 + 8,
	  WANT_DECAP(PKT_DECAP_ERSPAN2) },
	{ "GTP-U, cut right after the 8-byte header: truncated, decapsulated",
	  { V4, TUN(GTPU), IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 20 + 8 + 8,
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U over IPv6, cut right after the optional word (E, next type 0): "
	  "truncated, decapsulated",
	  { V6, TUN(GTPU), .gtp_flags = FRAME_GTP_E,
	    IN(V6, .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 40 + 8 + 8 + 4,
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U, two extension headers, cut inside the second: truncated, not decapsulated",
	  { V4, TUN(GTPU), .gtp_nr_ext = 2, .gtp_ext = { GTP_PDCP, GTP_LPDCP },
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 20 + 8 + 8 + 4 + 4 + 7 },
	{ "GTP-U, two extension headers, cut right after the second: truncated, decapsulated",
	  { V4, TUN(GTPU), .gtp_nr_ext = 2, .gtp_ext = { GTP_PDCP, GTP_LPDCP },
	    IN(V4, .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  WANT(PKT_TRUNCATED),
	  .cut = true,
	  .cut_len = 14 + 20 + 8 + 8 + 4 + 4 + 8,
	  WANT_DECAP(PKT_DECAP_GTPU) },
	{ "GTP-U echo request, cut inside its optional word: message type 1 decides, not_sip",
	  { V4, TUN(GTPU), .gtp_msg_type = 1, .gtp_flags = FRAME_GTP_S, IN(.ip_version = 0) },
	  WANT(PKT_NOT_SIP),
	  .cut = true,
	  .cut_len = 14 + 20 + 8 + 8 + 2 },
};

static const struct sip6xx_config fixture_cfgs[FIXTURE_CFG_MAX] = {
	[FIXTURE_CFG_ANY] = { .nr_ports = 0 },
	[FIXTURE_CFG_5060] = { .ports = { 5060 }, .nr_ports = 1 },
	[FIXTURE_CFG_8PORTS] = { .ports = { 5060, 5061, 5062, 5070, 5080, 5160, 6060, 15060 },
				 .nr_ports = 8 },
};

/* Frames cut at every length up to the end of their (inner) status line. */
struct cut_base {
	const char *name;
	struct frame_spec frame;
	__u16 code;
	const char *src;
	int decap; /* PKT_DECAP_* once the cut leaves the tunnel's headers whole */
};

static const struct cut_base cut_bases[] = {
	{ "IPv4 603",
	  { V4, .saddr = "198.18.100.3", .payload = SIP_MSG("SIP/2.0 603 Decline") },
	  603,
	  "198.18.100.3",
	  0 },
	{ "IPv6 hbh+rt+dst+frag 607",
	  { V6, .nr_ext = 4, .ext = { HBH(0), RTH(2), DST(1), FRAG(0, true) },
	    .saddr = "2001:db8:100::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted") },
	  607,
	  "2001:db8:100::7",
	  0 },
	{ "QinQ IPv4 IHL 7 608",
	  { .nr_vlans = 2, V4, .ip_opt_words = 2, .saddr = "198.18.100.8", .payload = SIP_608 },
	  608,
	  "198.18.100.8",
	  0 },
	{ "VXLAN, inner 802.1Q IPv4 603",
	  { V4, TUN(VXLAN),
	    IN(.nr_vlans = 1, V4, .saddr = "198.18.110.3",
	       .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  603,
	  "198.18.110.3",
	  PKT_DECAP_VXLAN },
	{ "ERSPAN III with subheader, IPv6 607",
	  { V4, TUN(ERSPAN3), .erspan_o = true,
	    IN(V6, .saddr = "2001:db8:110::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  607,
	  "2001:db8:110::7",
	  PKT_DECAP_ERSPAN3 },
	{ "GRE-PPP K+S+A FF03 0x0021 IPv4 608",
	  { V4, TUN(GRE_PPP), .gre_flags = FRAME_GRE_S | FRAME_GRE_A,
	    IN(V4, .saddr = "198.18.110.8", .payload = SIP_608) },
	  608,
	  "198.18.110.8",
	  PKT_DECAP_GRE_PPP },
	{ "IPv6 GRE C+K+S IPv4 606",
	  { V6, TUN(GRE), .gre_flags = GRE_CKS,
	    IN(V4, .saddr = "198.18.110.6", .payload = SIP_MSG("SIP/2.0 606 Not Acceptable")) },
	  606,
	  "198.18.110.6",
	  PKT_DECAP_GRE },
	{ "802.1Q PPPoE IPv6 604",
	  { .nr_vlans = 1,
	    TUN(PPPOE),
	    IN(V6, .saddr = "2001:db8:110::4",
	       .payload = SIP_MSG("SIP/2.0 604 Does Not Exist Anywhere")) },
	  604,
	  "2001:db8:110::4",
	  0 },
	{ "GTP-U S+E, PDU Session Container, IPv4 603",
	  { V4, TUN(GTPU), .gtp_flags = FRAME_GTP_S, .gtp_nr_ext = 1, .gtp_ext = { GTP_PSC },
	    IN(V4, .saddr = "198.18.111.3", .payload = SIP_MSG("SIP/2.0 603 Decline")) },
	  603,
	  "198.18.111.3",
	  PKT_DECAP_GTPU },
	{ "IPv6 GTP-U, no optional word, IPv6 607",
	  { V6, TUN(GTPU),
	    IN(V6, .saddr = "2001:db8:111::7", .payload = SIP_MSG("SIP/2.0 607 Unwanted")) },
	  607,
	  "2001:db8:111::7",
	  PKT_DECAP_GTPU },
};

struct fixture_list {
	struct fixture *v;
	size_t nr, cap;
};

static void __attribute__((noreturn)) fixture_fail(const char *desc, const char *why)
{
	fprintf(stderr, "fixture \"%s\": %s\n", desc, why);
	abort();
}

static struct fixture *fixture_add(struct fixture_list *fl)
{
	struct fixture *f;

	if (fl->nr == fl->cap) {
		fl->cap = fl->cap ? 2 * fl->cap : 256;
		fl->v = realloc(fl->v, fl->cap * sizeof(*fl->v));
		if (!fl->v)
			abort();
	}
	f = &fl->v[fl->nr++];
	memset(f, 0, sizeof(*f));
	return f;
}

/* Outcomes that by their definition in sip6xx.h come after a valid UDP header. */
static bool outcome_after_udp(int want)
{
	return want == PKT_NOT_SIP || want == PKT_SIP_REQUEST || want == PKT_SIP_RESPONSE ||
	       want == PKT_FILTERED_PORT;
}

/* PPPoE is L2: the frame the parser walks is the IP packet inside it. */
static const struct frame_spec *past_pppoe(const struct frame_spec *s)
{
	return s->tunnel == FRAME_TUN_PPPOE ? s->inner : s;
}

/* The PKT_DECAP_* of taking off @s's tunnel (after any PPPoE), or 0. */
static int tunnel_decap(const struct frame_spec *s)
{
	s = past_pppoe(s);
	switch (s->tunnel) {
	case FRAME_TUN_IPIP:
		if (s->l4_proto)
			return s->l4_proto == 41 ? PKT_DECAP_IP6IP : PKT_DECAP_IPIP;
		return s->inner->ip_version == 6 ? PKT_DECAP_IP6IP : PKT_DECAP_IPIP;
	case FRAME_TUN_GRE:
		return PKT_DECAP_GRE;
	case FRAME_TUN_GRE_TEB:
		return PKT_DECAP_GRE_TEB;
	case FRAME_TUN_GRE_PPP:
		return PKT_DECAP_GRE_PPP;
	case FRAME_TUN_ERSPAN1:
	case FRAME_TUN_ERSPAN2:
		return PKT_DECAP_ERSPAN2;
	case FRAME_TUN_ERSPAN3:
		return PKT_DECAP_ERSPAN3;
	case FRAME_TUN_VXLAN:
		return PKT_DECAP_VXLAN;
	case FRAME_TUN_GTPU:
		return PKT_DECAP_GTPU;
	default:
		return 0;
	}
}

/* The spec whose IP header and UDP the parser ends in: the inner one after a decap. */
static const struct frame_spec *parsed_spec(const struct frame_spec *s, int decap)
{
	s = past_pppoe(s);
	return decap ? past_pppoe(s->inner) : s;
}

static void fixture_expect(struct fixture *f, int want, __u16 code, const char *src, bool udp_ok,
			   int decap)
{
	const struct frame_spec *ps;

	if (want < 0 || want >= PKT_OUTCOME_MAX)
		fixture_fail(f->desc, "the outcome must be below PKT_OUTCOME_MAX");
	if (decap && decap != tunnel_decap(&f->frame))
		fixture_fail(f->desc, "decap is not the PKT_DECAP_* of the frame's tunnel");
	ps = parsed_spec(&f->frame, decap);
	f->want = want;
	f->code = code;
	f->decap = decap;
	if ((want == PKT_SIP_RESPONSE) != (code != 0))
		fixture_fail(f->desc, "a status code goes with sip_response, and only there");
	if (code && (code < 100 || code > 699))
		fixture_fail(f->desc, "status code out of 100..699");
	if (code >= 600) {
		if (!src)
			fixture_fail(f->desc, "a 6xx needs the expected responder address");
		f->family = frame_addr16(src, f->saddr);
		if (f->family != ps->ip_version)
			fixture_fail(f->desc, "responder address family differs from the frame's");
	}
	f->want_ports = udp_ok || outcome_after_udp(want);
	f->sport = frame_sport(ps);
	f->dport = frame_dport(ps);
}

static void add_def(struct fixture_list *fl, const struct fixture_def *d)
{
	struct fixture *f = fixture_add(fl);

	snprintf(f->desc, sizeof(f->desc), "%s", d->desc);
	f->frame = d->frame;
	f->cut = d->cut;
	f->cut_len = d->cut_len;
	f->cfg = d->cfg;
	fixture_expect(f, d->want, d->code, d->src, d->udp_ok, d->decap);
}

/* IHL 5..15: options are legal and the parser must step over all of them. */
static void add_ihl_range(struct fixture_list *fl)
{
	struct fixture *f;
	__u8 words;

	for (words = 0; words <= 10; words++) {
		f = fixture_add(fl);
		snprintf(f->desc, sizeof(f->desc), "IPv4 IHL %d (%d option bytes), 607 Unwanted",
			 5 + words, 4 * words);
		f->frame = (struct frame_spec){ V4, .ip_opt_words = words, .saddr = "198.18.15.1",
						.payload = SIP_MSG("SIP/2.0 607 Unwanted") };
		fixture_expect(f, PKT_SIP_RESPONSE, 607, "198.18.15.1", false, 0);
	}
}

/* The layers of the outer or the inner frame, as placed in the built frame. */
struct layer_view {
	const struct frame_spec *s;
	const char *pfx; /* "" or "inner " */
	bool eth;	 /* starts with Ethernet, else at its L3 header */
	size_t start;
	const size_t *vlan;
	size_t l3;
	const size_t *ext;
	size_t l4;
	size_t payload;
};

/* Names the header of @v that holds byte @cut; false if @cut is past them. */
static bool name_layer(const struct layer_view *v, size_t cut, char *buf, size_t n)
{
	static const char *const ext_names[] = { [IPPROTO_HOPOPTS] = "hop-by-hop",
						 [IPPROTO_ROUTING] = "routing",
						 [IPPROTO_FRAGMENT] = "fragment",
						 [IPPROTO_DSTOPTS] = "dest-opts" };
	const struct frame_spec *s = v->s;
	int i;

	if (v->eth) {
		if (cut < v->start + 12) {
			snprintf(buf, n, "%sEthernet addresses", v->pfx);
			return true;
		}
		for (i = 0; i < s->nr_vlans; i++) {
			if (cut < v->vlan[i] + 4) {
				snprintf(buf, n, "%sVLAN tag %d", v->pfx, i + 1);
				return true;
			}
		}
		if (cut < v->l3) {
			snprintf(buf, n, "%sEtherType", v->pfx);
			return true;
		}
	}
	if (s->ip_version == 4 && cut < v->l4) {
		snprintf(buf, n, "%s%s", v->pfx, cut < v->l3 + 20 ? "IPv4 header" : "IPv4 options");
		return true;
	}
	if (s->ip_version == 6 && cut < v->l3 + 40) {
		snprintf(buf, n, "%sIPv6 header", v->pfx);
		return true;
	}
	for (i = s->nr_ext - 1; i >= 0; i--) {
		if (cut >= v->ext[i] && cut < v->l4) {
			snprintf(buf, n, "%sIPv6 ext header %d, %s", v->pfx, i + 1,
				 ext_names[s->ext[i].type]);
			return true;
		}
	}
	if (cut < v->payload) {
		snprintf(buf, n, "%sUDP header", v->pfx);
		return true;
	}
	return false;
}

/* Names the header that holds the first byte the cut removed. */
static void cut_region(const struct frame_spec *s, const struct frame_layout *l, size_t cut,
		       char *buf, size_t n)
{
	struct layer_view v = { s, "", true, 0, l->vlan, l->l3, l->ext, l->l4, l->payload };
	size_t payload = l->payload, i;

	if (name_layer(&v, cut, buf, n))
		return;
	if (s->tunnel) {
		if (cut < l->inner) {
			for (i = l->nr_tun_hdrs; i-- > 0;) {
				if (cut >= l->tun_hdr[i].off) {
					snprintf(buf, n, "%s", l->tun_hdr[i].name);
					return;
				}
			}
		}
		v = (struct layer_view){ s->inner,     "inner ",      l->inner_eth,
					 l->inner,     l->inner_vlan, l->inner_l3,
					 l->inner_ext, l->inner_l4,   l->inner_payload };
		if (name_layer(&v, cut, buf, n))
			return;
		payload = l->inner_payload;
	}
	if (cut < payload + STATUS_PREFIX_LEN)
		snprintf(buf, n, "\"SIP/2.0 NNN \"");
	else
		snprintf(buf, n, "Reason-Phrase CRLF, counted");
}

/*
 * Every cut of @b's frame up to the end of its status line. A tunnel's decap
 * counts from the cut that leaves its headers whole, l.inner (see the rules
 * at the top): bpf/sip_tunnel.h checks VXLAN's 8 bytes, ERSPAN III's 12,
 * the PPP header, and GTP-U's header, optional word and extension headers
 * against data_end before it names the inner frame.
 */
static void add_cuts(struct fixture_list *fl, const struct cut_base *b)
{
	const struct frame_spec *spec = &b->frame;
	const struct frame_spec *sip = b->frame.tunnel ? b->frame.inner : spec;
	__u8 buf[FRAME_MAX_LEN];
	struct frame_layout l;
	const char *crlf = strstr(sip->payload, "\r\n");
	size_t len = frame_build(buf, sizeof(buf), spec, &l);
	size_t payload = b->frame.tunnel ? l.inner_payload : l.payload;
	size_t line_end = payload + (crlf - sip->payload) + 2;
	struct fixture *f;
	char region[64];
	size_t cut;
	int decap;

	if (sip->tunnel)
		fixture_fail(b->name, "a cut base has at most one tunnel");
	for (cut = 0; cut <= line_end; cut++) {
		f = fixture_add(fl);
		cut_region(spec, &l, cut, region, sizeof(region));
		snprintf(f->desc, sizeof(f->desc), "%s cut to %zu of %zu bytes, in %s", b->name,
			 cut, len, region);
		f->frame = *spec;
		f->cut = true;
		f->cut_len = cut;
		decap = b->decap && cut >= l.inner ? b->decap : 0;
		if (cut < payload + STATUS_PREFIX_LEN)
			fixture_expect(f, PKT_TRUNCATED, 0, NULL, cut >= payload, decap);
		else
			fixture_expect(f, PKT_SIP_RESPONSE, b->code, b->src, false, decap);
	}
}

static void check_unique(const struct fixture_list *fl)
{
	size_t i, j;

	for (i = 0; i < fl->nr; i++)
		for (j = i + 1; j < fl->nr; j++)
			if (!strcmp(fl->v[i].desc, fl->v[j].desc))
				fixture_fail(fl->v[i].desc, "description used twice");
}

const struct fixture *fixtures_get(size_t *nr)
{
	static struct fixture_list fl;
	size_t i;

	if (!fl.nr) {
		for (i = 0; i < sizeof(fixture_defs) / sizeof(fixture_defs[0]); i++)
			add_def(&fl, &fixture_defs[i]);
		add_ihl_range(&fl);
		for (i = 0; i < sizeof(cut_bases) / sizeof(cut_bases[0]); i++)
			add_cuts(&fl, &cut_bases[i]);
		check_unique(&fl);
	}
	*nr = fl.nr;
	return fl.v;
}

const struct sip6xx_config *fixture_config(enum fixture_cfg cfg)
{
	return &fixture_cfgs[cfg];
}

__u8 *fixture_frame(const struct fixture *f, size_t *len)
{
	__u8 full[FRAME_MAX_LEN];
	size_t n = frame_build(full, sizeof(full), &f->frame, NULL);
	__u8 *out;

	if (f->cut) {
		if (f->cut_len > n)
			fixture_fail(f->desc, "cut past the end of the frame");
		n = f->cut_len;
	}
	out = malloc(n);
	/* malloc(0) may return NULL; any 1-byte block still has no byte before data_end. */
	if (!out && !n)
		out = malloc(1);
	if (!out)
		abort();
	memcpy(out, full, n);
	*len = n;
	return out;
}
