// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sip6xx: count SIP responses, and 6xx global failures per responder, at XDP
 * (receive) and TC egress (transmit). An observer: the packet is never
 * written, and every path lets it go on as it came.
 *
 * The pipeline, in the order a frame takes it and this file reads:
 *
 *  1. Fast path (sip6xx_xdp, sip6xx_tc; sip_fast.h): Ethernet, up to two
 *     VLAN tags, IPv4 without options or IPv6 without extension headers, UDP,
 *     and the first 12 payload bytes, at fixed steps. Most frames end here,
 *     counted. The rest (SIP_SLOW) take a tail call to stage 2.
 *  2. Slow stage (sip6xx_xdp_slow, sip6xx_tc_slow): the full header walk
 *     (sip_parse.h: PPPoE, IPv4 options, IPv6 extension headers, one tunnel
 *     level from sip_tunnel.h), then the fast checks on what it found.
 *  3. Inner walk (sip6xx_*_inner, a global function): a tunnel's inner frame,
 *     walked without tunnels, then the same fast checks.
 *  4. Short payload (sip6xx_*_payload, a global function): a payload shorter
 *     than a status line, so never a response, decided by the generic parser.
 *
 * Each stage returns a struct sip_step: an outcome, or the stage that takes
 * the frame next. Each stage has one body, written against struct pkt (the
 * frame, its hook and its direction); the SEC("xdp") and SEC("tc") programs
 * and the global functions are thin wrappers around it. Where a frame is
 * decided, it is counted: pkt_stats always, resp_codes for a response, and
 * peers for a 6xx (count_decided()). tests/lib/staged.h runs the same order
 * on the host.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "sip6xx.h"
#include "sip_fast.h"
#include "sip_context.bpf.h" /* context: samples of 6xx, BYE, CANCEL (issue 18) */

/* How much of a non-linear skb TC egress pulls into the head it can read. */
#define SIP6XX_TC_PULL_LEN 1024

/* Set by the loader before load; rodata is frozen, so the verifier prunes on it. */
const volatile struct sip6xx_config sip6xx_cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RESP_CODES_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} resp_codes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, PEERS_DEFAULT_MAX);
	__type(key, struct peer_key);
	__type(value, __u64);
} peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PKT_STATS_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} pkt_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PEER_STATS_MAX);
	__type(key, __u32);
	__type(value, __u64);
} peer_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sip6xx_contract);
} contract SEC(".maps");

/* The slow stage of each hook, which its entry program tail calls (sip6xx.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SIP6XX_NR_STAGES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xdp_stages SEC(".maps"), tc_stages SEC(".maps");

/*
 * The context abstraction: what a stage body needs of the hook that runs it.
 * ctx is the hook's own context (struct xdp_md on receive, struct __sk_buff on
 * transmit); dir, a constant in each wrapper, picks which after inlining.
 */
struct pkt {
	void *ctx;
	void *data;
	void *data_end;
	__u32 dir; /* SIP6XX_DIR_RX (XDP) or SIP6XX_DIR_TX (TC) */
};

static __always_inline struct pkt pkt_xdp(struct xdp_md *ctx)
{
	return (struct pkt){ .ctx = ctx,
			     .data = (void *)(long)ctx->data,
			     .data_end = (void *)(long)ctx->data_end,
			     .dir = SIP6XX_DIR_RX };
}

static __always_inline struct pkt pkt_tc(struct __sk_buff *skb)
{
	return (struct pkt){ .ctx = skb,
			     .data = (void *)(long)skb->data,
			     .data_end = (void *)(long)skb->data_end,
			     .dir = SIP6XX_DIR_TX };
}

/* The interface: read only where a 6xx needs it (on XDP that is three dependent loads). */
static __always_inline __u32 pkt_ifindex(const struct pkt *p)
{
	if (p->dir == SIP6XX_DIR_RX)
		return ((struct xdp_md *)p->ctx)->ingress_ifindex;
	return ((struct __sk_buff *)p->ctx)->ifindex;
}

/* ---- counting: where a decided frame goes ---- */

static __always_inline void count_index(void *map, __u32 idx)
{
	__u64 *val = bpf_map_lookup_elem(map, &idx);

	/* Per-CPU slot: no other CPU writes it, so no atomic is needed. */
	if (val)
		*val += 1;
}

static __always_inline void count_outcome(__u32 dir, __u32 outcome)
{
	count_index(&pkt_stats, dir * PKT_RESULT_MAX + outcome);
}

/*
 * One 6xx from @key: this CPU's count in peers, the key inserted when new.
 * One insert, and one retry if another CPU raced us, as bcc's maps.bpf.h
 * does it. A 6xx is rare, so the hash lookup is no cost worth a cache.
 * Verifier: inline, since a BPF-to-BPF call from an entry program that also
 * tail calls needs JIT support (x86-64 since 5.10, other architectures later).
 */
static __always_inline void count_peer(const struct peer_key *key)
{
	__u64 one = 1, *val;

	val = bpf_map_lookup_elem(&peers, key);
	if (!val) {
		if (!bpf_map_update_elem(&peers, key, &one, BPF_NOEXIST)) {
			count_index(&peer_stats, PEER_INSERTS);
			return;
		}
		/* Another CPU inserted the key first; this CPU's value starts at 0. */
		val = bpf_map_lookup_elem(&peers, key);
		if (!val) {
			count_index(&peer_stats, PEER_INSERT_FAILED);
			return;
		}
	}
	/* Per-CPU value: no other CPU writes it, so no atomic is needed. */
	*val += 1;
}

/*
 * A frame the fast checks decided (stages 1 to 3): its outcome, its code, and
 * for a 6xx its source. The one place a 6xx from a source is counted.
 */
static __always_inline void count_decided(const struct pkt *p, enum pkt_result outcome,
					  const struct sip_fast_result *r)
{
	union sip_peer_key k;

	count_outcome(p->dir, outcome);
	if (outcome != PKT_SIP_RESPONSE) {
		sip_context_hook(p->ctx, p->dir, outcome, r); /* a BYE or CANCEL's sample */
		return;
	}
	count_index(&resp_codes, p->dir * RESP_CODES_PER_DIR + r->code);
	if (r->code < 600)
		return;
	/* The fast checks had the whole IP header in bounds. */
	sip_peer_key_fill(&k, r->saddr, r->family, pkt_ifindex(p), r->code, p->dir);
	count_peer(&k.key);
	sip_context_hook(p->ctx, p->dir, outcome, r); /* the 6xx's sample, after its counts */
}

/*
 * Stages 3 and 4 are global functions, one per hook, so the verifier checks
 * each once instead of once per path through the walk in front of it
 * (inlined, that product took ~500k instructions). These pick the hook's own.
 */
__noinline int sip6xx_xdp_inner(struct xdp_md *ctx, __u32 inner_off, __u32 inner_at);
__noinline int sip6xx_tc_inner(struct __sk_buff *skb, __u32 inner_off, __u32 inner_at);
__noinline int sip6xx_xdp_payload(struct xdp_md *ctx, __u32 payload_off, __u32 dgram_len);
__noinline int sip6xx_tc_payload(struct __sk_buff *skb, __u32 payload_off, __u32 dgram_len);

/*
 * The two hooks' global functions sip6xx_xdp_NAME() and sip6xx_tc_NAME()
 * around one stage body BODY(const struct pkt *, __u32, __u32): a global
 * function's context argument must have the hook's own type.
 */
#define SIP6XX_GLOBAL_STAGE(name, body)                                                            \
	__noinline int sip6xx_xdp_##name(struct xdp_md *ctx, __u32 arg1, __u32 arg2)               \
	{                                                                                          \
		struct pkt p = pkt_xdp(ctx);                                                       \
                                                                                                   \
		body(&p, arg1, arg2);                                                              \
		return 0;                                                                          \
	}                                                                                          \
	__noinline int sip6xx_tc_##name(struct __sk_buff *skb, __u32 arg1, __u32 arg2)             \
	{                                                                                          \
		struct pkt p = pkt_tc(skb);                                                        \
                                                                                                   \
		body(&p, arg1, arg2);                                                              \
		return 0;                                                                          \
	}

static __always_inline void next_inner(const struct pkt *p, const struct sip_l4_info *l4)
{
	if (p->dir == SIP6XX_DIR_RX)
		sip6xx_xdp_inner(p->ctx, l4->inner_off, l4->inner_at);
	else
		sip6xx_tc_inner(p->ctx, l4->inner_off, l4->inner_at);
}

static __always_inline void next_payload(const struct pkt *p, const struct sip_l4_info *l4)
{
	if (p->dir == SIP6XX_DIR_RX)
		sip6xx_xdp_payload(p->ctx, l4->payload_off, l4->dgram_len);
	else
		sip6xx_tc_payload(p->ctx, l4->payload_off, l4->dgram_len);
}

/* ---- stage 1: the fast path ---- */

/* Decides and counts the frame, or returns SIP_SLOW: the caller tail calls stage 2. */
static __always_inline enum sip_next stage_fast(const struct pkt *p)
{
	/*
	 * Verifier: zeroed, though count_decided() reads it only for a response.
	 * clang keeps the fields in registers, spills them, and may reload the
	 * spill slots before it tests the outcome; kernels before 6.3 (and 6.1
	 * before its backport) refuse any read of a stack slot no path wrote,
	 * "invalid read from stack R10 off=-112". Zeroing writes them on every path.
	 */
	struct sip_fast_result fr = {};
	struct sip_step st;

	st = sip_fast_frame(p->data, p->data_end, &sip6xx_cfg, &fr);
	if (st.next == SIP_SLOW)
		return SIP_SLOW;
	count_decided(p, st.outcome, &fr);
	return SIP_DECIDED;
}

/* The jump to stage 2; it returns only when the slot is empty or the tail call limit was hit. */
static __always_inline void tail_call_slow(void *ctx, void *stages, __u32 dir)
{
	bpf_tail_call(ctx, stages, SIP6XX_STAGE_SLOW);
	count_outcome(dir, PKT_UNPARSED);
}

SEC("xdp")
int sip6xx_xdp(struct xdp_md *ctx)
{
	struct pkt p = pkt_xdp(ctx);

	if (stage_fast(&p) == SIP_SLOW)
		tail_call_slow(ctx, &xdp_stages, SIP6XX_DIR_RX);
	return XDP_PASS;
}

/*
 * TC egress: what a local SBC sends. Returns TC_ACT_UNSPEC, not TC_ACT_OK:
 * both let the packet go out unchanged, but OK would also skip any filter
 * after ours on the same hook, which an observer must not do.
 */
SEC("tc")
int sip6xx_tc(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	struct pkt p;

	/* Paged skbs (GSO, some drivers) keep little in the head: pull the start in.
	 * This moves bytes into the linear area; the packet's contents stay as they are. */
	if (skb->data_end - skb->data < len)
		bpf_skb_pull_data(skb, len < SIP6XX_TC_PULL_LEN ? len : SIP6XX_TC_PULL_LEN);

	p = pkt_tc(skb);
	if (stage_fast(&p) == SIP_SLOW)
		tail_call_slow(skb, &tc_stages, SIP6XX_DIR_TX);
	return TC_ACT_UNSPEC;
}

/* ---- stage 2: the slow stage, the full walk ---- */

/*
 * The UDP payload a walk left in @l4, decided by the fast checks and
 * counted; SIP_CONTINUE when it is shorter than a status line and stage 4
 * must take it.
 */
static __always_inline enum sip_next decide_payload(const struct pkt *p,
						    const struct sip_l4_info *l4)
{
	struct sip_fast_result fr;
	struct sip_step st;

	st = sip_fast_after_walk(p->data, p->data_end, sip_next(SIP_CONTINUE), l4, &sip6xx_cfg,
				 &fr);
	if (st.next == SIP_SLOW)
		return SIP_CONTINUE;
	count_decided(p, st.outcome, &fr);
	return SIP_DECIDED;
}

/* The outer walk: counts what it decides, and a decapsulation. */
static __always_inline struct sip_step walk_outer(const struct pkt *p, struct sip_l4_info *l4)
{
	struct sip_parse_result res = {};
	struct sip_step st;

	st = sip_parse_headers(p->data, p->data_end, 0, SIP_AT_ETH, SIP_WALK_OUTER, &sip6xx_cfg,
			       &res, l4);
	if (st.next == SIP_TUNNEL)
		count_outcome(p->dir, l4->decap);
	else if (st.next == SIP_DECIDED)
		count_outcome(p->dir, st.outcome);
	return st;
}

/*
 * The outer walk, then the fast checks on what it found, counted. Returns
 * SIP_TUNNEL when the inner frame needs stage 3, SIP_CONTINUE when the
 * payload needs stage 4 (both left in @l4), else SIP_DECIDED, counted.
 */
static __always_inline enum sip_next walk_and_decide(const struct pkt *p, struct sip_l4_info *l4)
{
	struct sip_fast_result fr;
	struct sip_step walked, st;

	walked = walk_outer(p, l4);
	/* Verifier: one branch per walk result; a shared tail verified ~100k more. */
	if (walked.next == SIP_TUNNEL) {
		st = sip_fast_after_walk(p->data, p->data_end, walked, l4, &sip6xx_cfg, &fr);
		if (st.next == SIP_SLOW)
			return SIP_TUNNEL;
		count_decided(p, st.outcome, &fr);
		return SIP_DECIDED;
	}
	if (walked.next == SIP_CONTINUE)
		return decide_payload(p, l4);
	return SIP_DECIDED;
}

/*
 * A tail call from stage 1 (a jump, where a BPF-to-BPF call and its return
 * cost ~10 ns on CPUs that route every return through a mitigation thunk).
 */
static __always_inline void stage_slow(const struct pkt *p)
{
	struct sip_l4_info l4 = {};
	enum sip_next next;

	next = walk_and_decide(p, &l4);
	if (next == SIP_TUNNEL)
		next_inner(p, &l4);
	else if (next == SIP_CONTINUE)
		next_payload(p, &l4);
}

/* IPv6 extension headers, tunnels, IPv4 options and the rest: the full walk. */
SEC("xdp")
int sip6xx_xdp_slow(struct xdp_md *ctx)
{
	struct pkt p = pkt_xdp(ctx);

	stage_slow(&p);
	return XDP_PASS;
}

SEC("tc")
int sip6xx_tc_slow(struct __sk_buff *skb)
{
	struct pkt p = pkt_tc(skb);

	stage_slow(&p);
	return TC_ACT_UNSPEC;
}

/* ---- stage 3: a tunnel's inner frame ---- */

/* The inner walk from @inner_off, an @inner_at header (enum sip_layer); no tunnels in it. */
static __always_inline void stage_inner(const struct pkt *p, __u32 inner_off, __u32 inner_at)
{
	struct sip_parse_result res = {};
	struct sip_l4_info l4 = {};
	struct sip_step st;

	st = sip_parse_headers(p->data, p->data_end, inner_off, inner_at, SIP_WALK_INNER,
			       &sip6xx_cfg, &res, &l4);
	if (st.next != SIP_CONTINUE) {
		count_outcome(p->dir, st.outcome);
		return;
	}
	if (decide_payload(p, &l4) == SIP_CONTINUE)
		next_payload(p, &l4);
}

SIP6XX_GLOBAL_STAGE(inner, stage_inner)

/* ---- stage 4: a payload shorter than a status line ---- */

/* Never a response, so only its outcome is counted. */
static __always_inline void stage_short_payload(const struct pkt *p, __u32 payload_off,
						__u32 dgram_len)
{
	struct sip_parse_result res;

	count_outcome(p->dir,
		      sip_parse_payload(p->data, p->data_end, payload_off, dgram_len, &res));
}

SIP6XX_GLOBAL_STAGE(payload, stage_short_payload)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
