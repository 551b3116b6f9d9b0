/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel-user contract of sip6xx: map keys, values, indexes and limits.
 * Both bpf/sip6xx.bpf.c and user/ include this file; nothing here is declared
 * twice. Fixed-width types only, explicit padding, no implicit tail padding.
 */
#ifndef SIP6XX_H
#define SIP6XX_H

#include <linux/types.h>

/* Bump when any map layout below changes: pinned maps are checked against it. */
#define SIP6XX_CONTRACT_VERSION 8

/* Which hook saw the frame: XDP on receive, TC egress on transmit. */
#define SIP6XX_DIR_RX  0
#define SIP6XX_DIR_TX  1
#define SIP6XX_NR_DIRS 2

/* resp_codes: PERCPU_ARRAY indexed by direction * RESP_CODES_PER_DIR + status code. */
#define SIP_CODE_MIN	   100
#define SIP_CODE_MAX	   699
#define RESP_CODES_PER_DIR (SIP_CODE_MAX + 1)
#define RESP_CODES_ENTRIES (SIP6XX_NR_DIRS * RESP_CODES_PER_DIR)

/* peers: LRU_PERCPU_HASH capacity unless --max-peers says otherwise. */
#define PEERS_DEFAULT_MAX 65536

/* config: how many ports --port may name. */
#define SIP6XX_MAX_PORTS 8

/*
 * pkt_stats: PERCPU_ARRAY indexed by direction * PKT_RESULT_MAX + enum pkt_result
 * (see PKT_STATS_ENTRIES). Each frame counts once in
 * exactly one outcome (up to PKT_UNPARSED); a tunnelled frame also counts
 * once in the PKT_DECAP_* entry of the tunnel it was taken out of.
 */
#define SIP6XX_PKT_RESULTS(X)                                                                      \
	X(PKT_NON_IP, non_ip)		  /* not IPv4/IPv6 after up to two VLAN tags */            \
	X(PKT_NON_UDP, non_udp)		  /* IP, but the transport is not UDP */                   \
	X(PKT_FRAGMENT, fragment)	  /* a non-first IP fragment: no status line in it */      \
	X(PKT_TRUNCATED, truncated)	  /* the frame ends inside a header or the status line */  \
	X(PKT_NOT_SIP, not_sip)		  /* UDP whose payload does not start like SIP */          \
	X(PKT_SIP_REQUEST, sip_request)	  /* Method SP sip:/sips:/tel: URI */                      \
	X(PKT_SIP_RESPONSE, sip_response) /* valid status line, code 100..699 */                   \
	/* starts like SIP, but invalid; or a bad IP, UDP or tunnel header */                      \
	X(PKT_MALFORMED, malformed)                                                                \
	X(PKT_FILTERED_PORT, filtered_port) /* UDP, but neither port is in the --port filter */    \
	/* needed the full walk, whose tail call failed: never expected */                         \
	X(PKT_UNPARSED, unparsed)                                                                  \
	X(PKT_DECAP_IPIP, decap_ipip)	    /* IPv4 in IPv4/IPv6 (protocol 4) */                   \
	X(PKT_DECAP_IP6IP, decap_ip6ip)	    /* IPv6 in IPv4/IPv6 (protocol 41) */                  \
	X(PKT_DECAP_GRE, decap_gre)	    /* IP in GRE */                                        \
	X(PKT_DECAP_GRE_TEB, decap_gre_teb) /* Ethernet in GRE (transparent Ethernet bridging) */  \
	X(PKT_DECAP_GRE_PPP, decap_gre_ppp) /* PPP in enhanced GRE (PPTP) */                       \
	X(PKT_DECAP_ERSPAN2, decap_erspan2) /* ERSPAN type I or II */                              \
	X(PKT_DECAP_ERSPAN3, decap_erspan3) /* ERSPAN type III */                                  \
	X(PKT_DECAP_VXLAN, decap_vxlan)	    /* VXLAN, UDP port 4789 */                             \
	X(PKT_DECAP_GTPU, decap_gtpu)	    /* GTP-U (GTPv1 G-PDU), UDP port 2152 */

/*
 * The enum and user space's result label names come from one list,
 * SIP6XX_PKT_RESULTS above: X(ENUM, label) in the kernel's order. (clang-format
 * would take the list's expansion for an unfinished statement.)
 */
/* clang-format off */
enum pkt_result {
#define SIP6XX_PKT_ENUM(e, name) e,
	SIP6XX_PKT_RESULTS(SIP6XX_PKT_ENUM)
#undef SIP6XX_PKT_ENUM
	PKT_RESULT_MAX,
};
/* clang-format on */

#define PKT_OUTCOME_MAX	  PKT_DECAP_IPIP /* outcomes are below this, decapsulations from it */
/* pkt_stats holds one enum pkt_result block per direction. */
#define PKT_STATS_ENTRIES (SIP6XX_NR_DIRS * PKT_RESULT_MAX)

/* peer_stats: PERCPU_ARRAY of what happened to the peers map, so evictions show. */
enum peer_stat {
	PEER_INSERTS = 0,   /* new keys added (each later evicted or still there) */
	PEER_INSERT_FAILED, /* a 6xx whose key could not be added: its count is lost */
	PEER_STATS_MAX,
};

/*
 * xdp_stages, tc_stages: PROG_ARRAYs the entry programs tail call into for
 * frames the fast path leaves to the full walk. The loader fills them.
 */
#define SIP6XX_STAGE_SLOW 0
#define SIP6XX_NR_STAGES  1

/* contract: ARRAY of one entry, written at creation, checked when pinned maps are reused. */
struct sip6xx_contract {
	__u32 version; /* SIP6XX_CONTRACT_VERSION of the build that made the maps */
	__u32 pad;
};

/* Address family of peer_key.addr: the IP version, so no libc header is needed. */
#define SIP6XX_FAMILY_IPV4 4
#define SIP6XX_FAMILY_IPV6 6

/*
 * peers key: who sent a 6xx, where, and which code. IPv4 sources are stored
 * as IPv4-mapped IPv6 (::ffff:a.b.c.d), so one key type serves both.
 * Value: __u64 count, per CPU.
 */
struct peer_key {
	__u8 addr[16];	/* network byte order */
	__u32 ifindex;	/* interface the frame arrived on */
	__u16 code;	/* 600..699 */
	__u8 family;	/* SIP6XX_FAMILY_IPV4 or _IPV6 */
	__u8 direction; /* SIP6XX_DIR_RX or _TX */
};

/* Set through the skeleton's .rodata before load. */
struct sip6xx_config {
	__u16 ports[SIP6XX_MAX_PORTS]; /* host byte order; match source or destination */
	__u8 nr_ports;		       /* 0: every UDP port */
	__u8 pad[3];
};

/*
 * Call context (DESIGN.md "Packets, transactions, calls"): for every 6xx
 * response, BYE and CANCEL the kernel sends a sample through the ring
 * buffer ctx_ring: a struct sip6xx_sample_hdr, then the first bytes of the
 * SIP message (cap_len of them; the record ends at the next multiple of
 * 8). The exact counts above never depend on it.
 */
#define SIP6XX_SAMPLE_MAX	1500	   /* SIP message bytes a sample carries at most */
#define SIP6XX_CTX_RING_BYTES	(4U << 20) /* ctx_ring's size, per interface */
#define SIP6XX_CTX_RATE_DEFAULT 20000	   /* --context-rate: samples per second */
/* The kernel wakes the reader as this much of the ring becomes unread; else its timer. */
#define SIP6XX_CTX_WATERMARK	(SIP6XX_CTX_RING_BYTES / 4)

/* A request a sample carries (sample_hdr.method); responses carry their code instead. */
#define SIP6XX_SAMPLE_RESPONSE 0
#define SIP6XX_SAMPLE_BYE      1
#define SIP6XX_SAMPLE_CANCEL   2

struct sip6xx_sample_hdr {
	__u64 time_ns;	 /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 ifindex;	 /* the interface the hook ran on */
	__u32 frame_len; /* the frame's length (XDP: its linear part; TC: skb->len) */
	__u16 code;	 /* 600..699 for a response, 0 for a request */
	__u8 method;	 /* SIP6XX_SAMPLE_* */
	__u8 direction;	 /* SIP6XX_DIR_RX or _TX */
	__u8 family;	 /* SIP6XX_FAMILY_IPV4 or _IPV6 */
	__u8 pad;
	__u16 sport; /* host byte order */
	__u16 dport;
	__u16 msg_off;	/* the SIP message's offset in the frame */
	__u16 msg_len;	/* the SIP message's length as the UDP header gives it */
	__u16 cap_len;	/* bytes of it that follow this header, <= SIP6XX_SAMPLE_MAX */
	__u8 saddr[16]; /* network byte order; IPv4 mapped (::ffff:a.b.c.d) */
	__u8 daddr[16];
};

struct sip6xx_sample {
	struct sip6xx_sample_hdr hdr;
	__u8 msg[SIP6XX_SAMPLE_MAX];
	__u8 pad[4]; /* to a multiple of 8 */
};

_Static_assert(sizeof(struct sip6xx_sample_hdr) == 64, "sample header: no implicit padding");
_Static_assert(sizeof(struct sip6xx_sample) % 8 == 0, "sample: no implicit tail padding");

/*
 * ctx_drops: PERCPU_ARRAY indexed by direction * SIP6XX_CTX_NR_DROPS + reason:
 * what the context lost, sip6xx_context_dropped_total{reason} (one list for
 * the enum and the labels).
 */
#define SIP6XX_CTX_DROPS(X)                                                                        \
	X(CTX_DROP_RATE, rate)		     /* over --context-rate: no sample */                  \
	X(CTX_DROP_BUFFER_FULL, buffer_full) /* the ring had no room: no sample */                 \
	X(CTX_DROP_TRUNCATED, truncated)     /* sent, cut at SIP6XX_SAMPLE_MAX or the frame's end */

/* clang-format off */
enum sip6xx_ctx_drop {
#define SIP6XX_CTX_DROP_ENUM(e, name) e,
	SIP6XX_CTX_DROPS(SIP6XX_CTX_DROP_ENUM)
#undef SIP6XX_CTX_DROP_ENUM
	SIP6XX_CTX_NR_DROPS,
};
/* clang-format on */
#define CTX_DROPS_ENTRIES (SIP6XX_NR_DIRS * SIP6XX_CTX_NR_DROPS)

/*
 * ctx_bucket: PERCPU_ARRAY of one __u64, the token bucket as GCRA keeps it:
 * the time (ns) the next sample is due. A sample may run up to burst_ns
 * ahead of it; each takes interval_ns. The bucket's clock is jiffies times
 * jiffy_ns (the kernel's tick, 4 ms at HZ=250): it moves a tick at a time,
 * so within a tick the bucket gives at most burst_ns / interval_ns + 1
 * samples, and over longer spans the rate, plus one burst. Where XDP or TC
 * may not call bpf_jiffies64(), bpf_ktime_get_ns() instead.
 */
struct sip6xx_ctx_config {
	__u64 interval_ns;   /* per CPU: 1e9 * CPUs / --context-rate; 0: context off */
	__u64 burst_ns;	     /* how far ahead of the clock the bucket may run */
	__u32 jiffy_ns;	     /* one tick in ns: clock_getres(CLOCK_MONOTONIC_COARSE) */
	__u8 xdp_load_bytes; /* 1: bpf_xdp_load_bytes() (5.18+); 0: a bounded loop copies */
	__u8 jiffies;	     /* 1: the bucket's clock is bpf_jiffies64(); 0: bpf_ktime_get_ns() */
	__u8 pad[2];
};

_Static_assert(sizeof(struct sip6xx_ctx_config) == 24, "context config: no implicit padding");

#endif /* SIP6XX_H */
