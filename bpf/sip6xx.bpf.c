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
#include "sip_parse.h"

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

/* Lookup-or-init, as bcc's maps.bpf.h does it: one insert, and a retry on a race. */
static __always_inline void count_peer(const struct peer_key *key)
{
	static const __u64 one = 1;
	__u64 *val;
	int err;

	val = bpf_map_lookup_elem(&peers, key);
	if (val) {
		*val += 1;
		return;
	}
	err = bpf_map_update_elem(&peers, key, &one, BPF_NOEXIST);
	if (!err) {
		count_index(&peer_stats, PEER_INSERTS);
		return;
	}
	/* Another CPU inserted the key first; its value for this CPU starts at 0. */
	val = bpf_map_lookup_elem(&peers, key);
	if (val)
		*val += 1;
	else
		count_index(&peer_stats, PEER_INSERT_FAILED);
}

/* Stage 2 and the accounting of a response: shared by XDP and TC. */
static __always_inline int count_payload(void *data, void *data_end, __u32 ifindex,
					 __u32 payload_off, __u32 dgram_len, __u32 l3_off,
					 __u32 family_dir)
{
	struct sip_parse_result res = {};
	__u32 dir = family_dir >> 8 ? SIP6XX_DIR_TX : SIP6XX_DIR_RX;
	struct peer_key key;
	int outcome;

	outcome = sip_parse_payload(data, data_end, payload_off, dgram_len, &res);
	count_outcome(dir, outcome);
	if (outcome != PKT_SIP_RESPONSE)
		return outcome;
	count_index(&resp_codes, dir * RESP_CODES_PER_DIR + res.code);
	if (res.code < 600)
		return outcome;

	sip_copy_source(data, data_end, l3_off, family_dir & 0xff, &res);
	__builtin_memset(&key, 0, sizeof(key));
	__builtin_memcpy(key.addr, res.saddr, sizeof(key.addr));
	key.ifindex = ifindex;
	key.code = res.code;
	key.family = res.family;
	key.direction = dir;
	count_peer(&key);
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

/*
 * Stage 1 of the outer frame: counts what it decides, and a decapsulation.
 * SIP_WALK_FAST decides the common shapes and leaves the rest (SIP_PARSE_SLOW)
 * to a full SIP_WALK_OUTER in a global function, uncounted.
 */
static __always_inline int walk_outer(void *data, void *data_end, __u32 dir, enum sip_walk walk,
				      struct sip_l4_info *l4)
{
	struct sip_parse_result res = {};
	int outcome;

	outcome = sip_parse_headers(data, data_end, 0, SIP_AT_ETH, walk, &sip6xx_cfg, &res, l4);
	if (outcome == SIP_PARSE_TUNNEL)
		count_outcome(dir, l4->decap);
	else if (outcome != SIP_PARSE_CONTINUE && outcome != SIP_PARSE_SLOW)
		count_outcome(dir, outcome);
	return outcome;
}

/*
 * Global functions, one set per context type: the verifier checks each once,
 * on its own, instead of once per path through the header walk in front of
 * it (inlined, that product took ~500k instructions). The common frame
 * (Ethernet, up to two VLANs or PPPoE, IPv4 or IPv6 without extension
 * headers, UDP) never calls one: each call costs a few ns of prologue.
 */
__noinline int sip6xx_xdp_payload(struct xdp_md *ctx, __u32 payload_off, __u32 dgram_len,
				  __u32 l3_off, __u32 family_dir)
{
	return count_payload((void *)(long)ctx->data, (void *)(long)ctx->data_end,
			     ctx->ingress_ifindex, payload_off, dgram_len, l3_off, family_dir);
}

__noinline int sip6xx_xdp_inner(struct xdp_md *ctx, __u32 inner_off, __u32 at_dir)
{
	struct sip_l4_info l4 = {};
	int outcome;

	outcome = walk_inner((void *)(long)ctx->data, (void *)(long)ctx->data_end, inner_off,
			     at_dir, &l4);
	if (outcome != SIP_PARSE_CONTINUE)
		return outcome;
	return sip6xx_xdp_payload(ctx, l4.payload_off, l4.dgram_len, l4.l3_off,
				  l4.family | (at_dir & 0xff00));
}

/* IPv6 extension headers and tunnels: the full walk. */
__noinline int sip6xx_xdp_slow(struct xdp_md *ctx)
{
	struct sip_l4_info l4 = {};
	int outcome;

	outcome = walk_outer((void *)(long)ctx->data, (void *)(long)ctx->data_end, SIP6XX_DIR_RX,
			     SIP_WALK_OUTER, &l4);
	if (outcome == SIP_PARSE_TUNNEL)
		return sip6xx_xdp_inner(ctx, l4.inner_off, l4.inner_at | SIP6XX_DIR_RX << 8);
	if (outcome == SIP_PARSE_CONTINUE)
		return sip6xx_xdp_payload(ctx, l4.payload_off, l4.dgram_len, l4.l3_off,
					  l4.family | SIP6XX_DIR_RX << 8);
	return outcome;
}

SEC("xdp")
int sip6xx_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct sip_l4_info l4 = {};
	int outcome;

	outcome = walk_outer(data, data_end, SIP6XX_DIR_RX, SIP_WALK_FAST, &l4);
	if (outcome == SIP_PARSE_SLOW)
		sip6xx_xdp_slow(ctx);
	else if (outcome == SIP_PARSE_CONTINUE)
		count_payload(data, data_end, ctx->ingress_ifindex, l4.payload_off, l4.dgram_len,
			      l4.l3_off, l4.family | SIP6XX_DIR_RX << 8);
	return XDP_PASS;
}

__noinline int sip6xx_tc_payload(struct __sk_buff *skb, __u32 payload_off, __u32 dgram_len,
				 __u32 l3_off, __u32 family_dir)
{
	return count_payload((void *)(long)skb->data, (void *)(long)skb->data_end, skb->ifindex,
			     payload_off, dgram_len, l3_off, family_dir);
}

__noinline int sip6xx_tc_inner(struct __sk_buff *skb, __u32 inner_off, __u32 at_dir)
{
	struct sip_l4_info l4 = {};
	int outcome;

	outcome = walk_inner((void *)(long)skb->data, (void *)(long)skb->data_end, inner_off,
			     at_dir, &l4);
	if (outcome != SIP_PARSE_CONTINUE)
		return outcome;
	return sip6xx_tc_payload(skb, l4.payload_off, l4.dgram_len, l4.l3_off,
				 l4.family | (at_dir & 0xff00));
}

__noinline int sip6xx_tc_slow(struct __sk_buff *skb)
{
	struct sip_l4_info l4 = {};
	int outcome;

	outcome = walk_outer((void *)(long)skb->data, (void *)(long)skb->data_end, SIP6XX_DIR_TX,
			     SIP_WALK_OUTER, &l4);
	if (outcome == SIP_PARSE_TUNNEL)
		return sip6xx_tc_inner(skb, l4.inner_off, l4.inner_at | SIP6XX_DIR_TX << 8);
	if (outcome == SIP_PARSE_CONTINUE)
		return sip6xx_tc_payload(skb, l4.payload_off, l4.dgram_len, l4.l3_off,
					 l4.family | SIP6XX_DIR_TX << 8);
	return outcome;
}

/*
 * TC egress: what a local SBC sends. Returns TC_ACT_UNSPEC, not TC_ACT_OK:
 * both let the packet go out unchanged, but OK would also skip any filter
 * after ours on the same hook, which an observer must not do.
 */
SEC("tc")
int sip6xx_tc(struct __sk_buff *skb)
{
	struct sip_l4_info l4 = {};
	__u32 len = skb->len;
	void *data_end, *data;
	int outcome;

	/* Paged skbs (GSO, some drivers) keep little in the head: pull the start in.
	 * This moves bytes into the linear area; the packet's contents stay as they are. */
	if (skb->data_end - skb->data < len)
		bpf_skb_pull_data(skb, len < SIP6XX_TC_PULL_LEN ? len : SIP6XX_TC_PULL_LEN);

	data_end = (void *)(long)skb->data_end;
	data = (void *)(long)skb->data;
	outcome = walk_outer(data, data_end, SIP6XX_DIR_TX, SIP_WALK_FAST, &l4);
	if (outcome == SIP_PARSE_SLOW)
		sip6xx_tc_slow(skb);
	else if (outcome == SIP_PARSE_CONTINUE)
		count_payload(data, data_end, skb->ifindex, l4.payload_off, l4.dgram_len, l4.l3_off,
			      l4.family | SIP6XX_DIR_TX << 8);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
