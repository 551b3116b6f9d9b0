// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sip6xx: count SIP responses, and 6xx global failures per responder, at XDP
 * (receive) and TC egress (transmit). An observer: the packet is never
 * written, and every path lets it go on as it came.
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PEER_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct peer_cache_slot);
} peer_cache SEC(".maps");

/*
 * This CPU's peers value of @key, raised to at least @count and returned;
 * @val is the key's value from a lookup already made, or NULL. A missing key
 * is inserted at @count: a new one, or a hot one the LRU evicted while its
 * slot held it. One insert, and one retry if another CPU raced us, as bcc's
 * maps.bpf.h does it. Returns 0 when the key could not be added.
 */
static __always_inline __u64 peer_store(const struct peer_key *key, __u64 *val, __u64 count)
{
	if (!val) {
		if (!bpf_map_update_elem(&peers, key, &count, BPF_NOEXIST)) {
			count_index(&peer_stats, PEER_INSERTS);
			return count;
		}
		/* Another CPU inserted the key first; this CPU's value starts at 0. */
		val = bpf_map_lookup_elem(&peers, key);
		if (!val) {
			count_index(&peer_stats, PEER_INSERT_FAILED);
			return 0;
		}
	}
	/* Only this CPU's slot writes this CPU's value, and never below it. */
	if (count > *val)
		*val = count;
	return *val;
}

/*
 * A slot changes key: the old key's count goes back to peers first, then the
 * slot takes the new key at its peers value plus this 6xx. The seq bumps are
 * atomic adds, which x86 makes full barriers ("lock add"), so a reader never
 * sees the new key before the old count reached peers. On arm64 an add
 * without fetch orders nothing (fetch needs -mcpu=v3): there a reader may,
 * rarely, see a slot change out of order. Inline: a call from an entry
 * program would mix BPF-to-BPF calls with its tail call, which the verifier
 * refuses unless the JIT supports it (x86-64 since 5.10, other
 * architectures later); inline, the verifier walks no more.
 */
static __always_inline void peer_cache_fill(struct peer_cache_slot *slot,
					    const struct peer_key *key)
{
	struct peer_key old = slot->key;
	__u64 count, *val;

	/*
	 * Write back, but never re-insert: a key the LRU evicted while cached
	 * stays evicted, its counts gone as any eviction's are, and a flood of
	 * new sources costs one insert each, not two.
	 */
	val = slot->count ? bpf_map_lookup_elem(&peers, &old) : NULL;
	if (val && slot->count > *val)
		*val = slot->count;
	/* The new key's count on this CPU: what peers holds, plus this 6xx. */
	val = bpf_map_lookup_elem(&peers, key);
	count = peer_store(key, val, (val ? *val : 0) + 1);
	if (!count)
		return; /* not stored (counted as such): the old key keeps the slot */
	(void)__sync_fetch_and_add(&slot->seq, 1);
	slot->key = *key;
	slot->count = count;
	(void)__sync_fetch_and_add(&slot->seq, 1);
}

/* One 6xx from the key in @k: a hit in this CPU's cache slot, or a refill. */
static __always_inline void count_peer(const struct sip_peer_words *k)
{
	__u32 idx = peer_cache_hash(k->w[0], k->w[1], k->w[2]);
	struct peer_cache_slot *slot;
	const __u64 *sw;

	slot = bpf_map_lookup_elem(&peer_cache, &idx);
	if (!slot)
		return; /* never: idx < PEER_CACHE_SLOTS */
	sw = (const __u64 *)&slot->key;
	if (sw[0] != k->w[0] || sw[1] != k->w[1] || sw[2] != k->w[2]) {
		peer_cache_fill(slot, (const struct peer_key *)k);
		return;
	}
	slot->count += 1;
	/* Keep the peers entry young in the LRU and close to the slot. */
	if (!(slot->count % PEER_CACHE_SYNC))
		peer_store((const struct peer_key *)k,
			   bpf_map_lookup_elem(&peers, (const struct peer_key *)k), slot->count);
}

/* The accounting of a frame the fast path, or sip_fast_l4(), decided. */
static __always_inline void count_fast(void *ctx, __u32 ifindex, __u32 dir, int outcome,
				       const struct sip_fast_result *r)
{
	struct sip_peer_words k;

	count_outcome(dir, outcome);
	if (outcome != PKT_SIP_RESPONSE) {
		sip_context_hook(ctx, dir, outcome, r); /* context: a BYE or CANCEL's sample */
		return;
	}
	count_index(&resp_codes, dir * RESP_CODES_PER_DIR + r->code);
	if (r->code < 600)
		return;
	/* The fast path checked the whole IP header in bounds. */
	sip_peer_words(&k, r->saddr, r->family, ifindex, r->code, dir);
	count_peer(&k);
	sip_context_hook(ctx, dir, outcome, r); /* context: the 6xx's sample, after its counts */
}

/*
 * Stage 2 of a payload the fast checks left, shorter than a status line, so
 * never a response: shared by XDP and TC.
 */
static __always_inline int count_short_payload(void *data, void *data_end, __u32 payload_off,
					       __u32 dgram_len, __u32 dir)
{
	struct sip_parse_result res;
	int outcome;

	outcome = sip_parse_payload(data, data_end, payload_off, dgram_len, &res);
	count_outcome(dir, outcome);
	return outcome;
}

/* Stage 1 of a tunnel's inner frame; SIP_PARSE_CONTINUE leaves the payload in @l4. */
static __always_inline int walk_inner(void *data, void *data_end, __u32 inner_off, __u32 at_dir,
				      struct sip_l4_info *l4)
{
	struct sip_parse_result res = {};
	int outcome;

	outcome = sip_parse_headers(data, data_end, inner_off, at_dir & 0xff, SIP_WALK_INNER,
				    &sip6xx_cfg, &res, l4);
	if (outcome != SIP_PARSE_CONTINUE)
		count_outcome(at_dir >> 8 ? SIP6XX_DIR_TX : SIP6XX_DIR_RX, outcome);
	return outcome;
}

/* Stage 1 of the outer frame: counts what it decides, and a decapsulation. */
static __always_inline int walk_outer(void *data, void *data_end, __u32 dir, struct sip_l4_info *l4)
{
	struct sip_parse_result res = {};
	int outcome;

	outcome = sip_parse_headers(data, data_end, 0, SIP_AT_ETH, SIP_WALK_OUTER, &sip6xx_cfg,
				    &res, l4);
	if (outcome == SIP_PARSE_TUNNEL)
		count_outcome(dir, l4->decap);
	else if (outcome != SIP_PARSE_CONTINUE)
		count_outcome(dir, outcome);
	return outcome;
}

/*
 * The interface of @ctx, an XDP context on receive, an skb on transmit: read
 * only where a 6xx needs it (on XDP that is three dependent loads).
 */
static __always_inline __u32 ctx_ifindex(void *ctx, __u32 dir)
{
	if (dir == SIP6XX_DIR_RX)
		return ((struct xdp_md *)ctx)->ingress_ifindex;
	return ((struct __sk_buff *)ctx)->ifindex;
}

/*
 * The UDP payload a walk left in @l4, decided by the fast checks and
 * counted; SIP_PARSE_CONTINUE when it is shorter than a status line and the
 * caller's global function must take it.
 */
static __always_inline int decide_payload(void *ctx, void *data, void *data_end, __u32 dir,
					  const struct sip_l4_info *l4)
{
	struct sip_fast_result fr;
	int outcome;

	outcome = sip_fast_after_walk(data, data_end, SIP_PARSE_CONTINUE, l4, &sip6xx_cfg, &fr);
	if (outcome == SIP_PARSE_SLOW)
		return SIP_PARSE_CONTINUE;
	count_fast(ctx, ctx_ifindex(ctx, dir), dir, outcome, &fr);
	return outcome;
}

/*
 * The slow stage's work, shared by XDP and TC: the outer walk, then the fast
 * checks on what it found, counted. Returns SIP_PARSE_TUNNEL when the inner
 * frame needs the inner walk, SIP_PARSE_CONTINUE when the payload needs the
 * generic stage (both left in @l4 for the caller's global function), else
 * the outcome, already counted.
 */
static __always_inline int walk_and_decide(void *ctx, void *data, void *data_end, __u32 dir,
					   struct sip_l4_info *l4)
{
	struct sip_fast_result fr;
	int walked, outcome;

	walked = walk_outer(data, data_end, dir, l4);
	/* Verifier: one branch per walk result; a shared tail verified ~100k more. */
	if (walked == SIP_PARSE_TUNNEL) {
		outcome = sip_fast_after_walk(data, data_end, walked, l4, &sip6xx_cfg, &fr);
		if (outcome == SIP_PARSE_SLOW)
			return SIP_PARSE_TUNNEL;
		count_fast(ctx, ctx_ifindex(ctx, dir), dir, outcome, &fr);
		return outcome;
	}
	if (walked == SIP_PARSE_CONTINUE)
		return decide_payload(ctx, data, data_end, dir, l4);
	return walked;
}

/*
 * The full walk: the entry programs tail call it (a jump, where a BPF-to-BPF
 * call and its return cost ~10 ns on CPUs that route every return through a
 * mitigation thunk). What the walk leaves is decided inline by the fast
 * checks when it can; the rest goes to global functions, which the verifier
 * checks once each instead of once per path through the walk in front of
 * them (inlined, that product took ~500k instructions).
 */
__noinline int sip6xx_xdp_payload(struct xdp_md *ctx, __u32 payload_off, __u32 dgram_len)
{
	return count_short_payload((void *)(long)ctx->data, (void *)(long)ctx->data_end,
				   payload_off, dgram_len, SIP6XX_DIR_RX);
}

__noinline int sip6xx_xdp_inner(struct xdp_md *ctx, __u32 inner_off, __u32 at_dir)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct sip_l4_info l4 = {};
	int outcome;

	outcome = walk_inner(data, data_end, inner_off, at_dir, &l4);
	if (outcome == SIP_PARSE_CONTINUE)
		outcome = decide_payload(ctx, data, data_end, SIP6XX_DIR_RX, &l4);
	if (outcome == SIP_PARSE_CONTINUE)
		outcome = sip6xx_xdp_payload(ctx, l4.payload_off, l4.dgram_len);
	return outcome;
}

/* IPv6 extension headers, tunnels, IPv4 options and the rest: the full walk. */
SEC("xdp")
int sip6xx_xdp_slow(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct sip_l4_info l4 = {};
	int next;

	next = walk_and_decide(ctx, data, data_end, SIP6XX_DIR_RX, &l4);
	if (next == SIP_PARSE_TUNNEL)
		sip6xx_xdp_inner(ctx, l4.inner_off, l4.inner_at | SIP6XX_DIR_RX << 8);
	else if (next == SIP_PARSE_CONTINUE)
		sip6xx_xdp_payload(ctx, l4.payload_off, l4.dgram_len);
	return XDP_PASS;
}

SEC("xdp")
int sip6xx_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	/*
	 * Verifier: zeroed, though count_fast() reads it only for a response.
	 * clang keeps the fields in registers, spills them, and may reload the
	 * spill slots before it tests the outcome; kernels before 6.3 (and 6.1
	 * before its backport) refuse any read of a stack slot no path wrote,
	 * "invalid read from stack R10 off=-112". Zeroing writes them on every path.
	 */
	struct sip_fast_result fr = {};
	int outcome;

	outcome = sip_fast_frame(data, data_end, &sip6xx_cfg, &fr);
	if (outcome != SIP_PARSE_SLOW) {
		count_fast(ctx, ctx->ingress_ifindex, SIP6XX_DIR_RX, outcome, &fr);
		return XDP_PASS;
	}
	bpf_tail_call(ctx, &xdp_stages, SIP6XX_STAGE_SLOW);
	/* Only when the slot is empty or the tail call limit was reached. */
	count_outcome(SIP6XX_DIR_RX, PKT_UNPARSED);
	return XDP_PASS;
}

__noinline int sip6xx_tc_payload(struct __sk_buff *skb, __u32 payload_off, __u32 dgram_len)
{
	return count_short_payload((void *)(long)skb->data, (void *)(long)skb->data_end,
				   payload_off, dgram_len, SIP6XX_DIR_TX);
}

__noinline int sip6xx_tc_inner(struct __sk_buff *skb, __u32 inner_off, __u32 at_dir)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct sip_l4_info l4 = {};
	int outcome;

	outcome = walk_inner(data, data_end, inner_off, at_dir, &l4);
	if (outcome == SIP_PARSE_CONTINUE)
		outcome = decide_payload(skb, data, data_end, SIP6XX_DIR_TX, &l4);
	if (outcome == SIP_PARSE_CONTINUE)
		outcome = sip6xx_tc_payload(skb, l4.payload_off, l4.dgram_len);
	return outcome;
}

/* IPv6 extension headers, tunnels, IPv4 options and the rest: the full walk. */
SEC("tc")
int sip6xx_tc_slow(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct sip_l4_info l4 = {};
	int next;

	next = walk_and_decide(skb, data, data_end, SIP6XX_DIR_TX, &l4);
	if (next == SIP_PARSE_TUNNEL)
		sip6xx_tc_inner(skb, l4.inner_off, l4.inner_at | SIP6XX_DIR_TX << 8);
	else if (next == SIP_PARSE_CONTINUE)
		sip6xx_tc_payload(skb, l4.payload_off, l4.dgram_len);
	return TC_ACT_UNSPEC;
}

/*
 * TC egress: what a local SBC sends. Returns TC_ACT_UNSPEC, not TC_ACT_OK:
 * both let the packet go out unchanged, but OK would also skip any filter
 * after ours on the same hook, which an observer must not do.
 */
SEC("tc")
int sip6xx_tc(struct __sk_buff *skb)
{
	struct sip_fast_result fr = {}; /* Verifier: zeroed, as in sip6xx_xdp() */
	__u32 len = skb->len;
	void *data_end, *data;
	int outcome;

	/* Paged skbs (GSO, some drivers) keep little in the head: pull the start in.
	 * This moves bytes into the linear area; the packet's contents stay as they are. */
	if (skb->data_end - skb->data < len)
		bpf_skb_pull_data(skb, len < SIP6XX_TC_PULL_LEN ? len : SIP6XX_TC_PULL_LEN);

	data_end = (void *)(long)skb->data_end;
	data = (void *)(long)skb->data;
	outcome = sip_fast_frame(data, data_end, &sip6xx_cfg, &fr);
	if (outcome != SIP_PARSE_SLOW) {
		count_fast(skb, skb->ifindex, SIP6XX_DIR_TX, outcome, &fr);
		return TC_ACT_UNSPEC;
	}
	bpf_tail_call(skb, &tc_stages, SIP6XX_STAGE_SLOW);
	/* Only when the slot is empty or the tail call limit was reached. */
	count_outcome(SIP6XX_DIR_TX, PKT_UNPARSED);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
