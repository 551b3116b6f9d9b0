// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sip6xx: count SIP responses, and 6xx global failures per responder, at XDP.
 * An observer: every path returns XDP_PASS and the packet is never written.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sip6xx.h"
#include "sip_parse.h"

/* Set by the loader before load; rodata is frozen, so the verifier prunes on it. */
const volatile struct sip6xx_config sip6xx_cfg = {};
const volatile __u32 sip6xx_contract_version = SIP6XX_CONTRACT_VERSION;

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
	__uint(max_entries, PKT_RESULT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} pkt_stats SEC(".maps");

static __always_inline void count_index(void *map, __u32 idx)
{
	__u64 *val = bpf_map_lookup_elem(map, &idx);

	/* Per-CPU slot: no other CPU writes it, so no atomic is needed. */
	if (val)
		*val += 1;
}

/* Lookup-or-init, as bcc's maps.bpf.h does it: one insert, and a retry on a race. */
static __always_inline void count_peer(const struct peer_key *key)
{
	static const __u64 one = 1;
	__u64 *val;

	val = bpf_map_lookup_elem(&peers, key);
	if (val) {
		*val += 1;
		return;
	}
	if (!bpf_map_update_elem(&peers, key, &one, BPF_NOEXIST))
		return;
	/* Another CPU inserted the key first; its value for this CPU starts at 0. */
	val = bpf_map_lookup_elem(&peers, key);
	if (val)
		*val += 1;
}

/*
 * Stage 2 and the 6xx accounting, as a global function: the verifier checks it
 * once, on its own, instead of once per path through the VLAN, IPv4 and IPv6
 * extension-header walk in front of it (that product took ~500k instructions).
 */
__noinline int sip6xx_count_payload(struct xdp_md *ctx, __u32 payload_off, __u32 dgram_len,
				    __u32 l3_off, __u32 family_dir)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct sip_parse_result res = {};
	struct peer_key key;
	int outcome;

	outcome = sip_parse_payload(data, data_end, payload_off, dgram_len, &res);
	count_index(&pkt_stats, (__u32)outcome);
	if (outcome != PKT_SIP_RESPONSE)
		return outcome;
	count_index(&resp_codes, res.code);
	if (res.code < 600)
		return outcome;

	sip_copy_source(data, data_end, l3_off, family_dir & 0xff, &res);
	__builtin_memset(&key, 0, sizeof(key));
	__builtin_memcpy(key.addr, res.saddr, sizeof(key.addr));
	key.ifindex = ctx->ingress_ifindex;
	key.code = res.code;
	key.family = res.family;
	key.direction = family_dir >> 8;
	count_peer(&key);
	return outcome;
}

/*
 * The inner frame of a tunnel: headers, then the payload stage. A global
 * function for the same reason as above: the outer walk's paths times the
 * inner walk's would be verified as a product otherwise.
 */
__noinline int sip6xx_parse_inner(struct xdp_md *ctx, __u32 inner_off, __u32 at_dir)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct sip_parse_result res = {};
	struct sip_l4_info l4 = {};
	int outcome;

	outcome = sip_parse_headers(data, data_end, inner_off, at_dir & 0xff, 0, &sip6xx_cfg, &res,
				    &l4);
	if (outcome != SIP_PARSE_CONTINUE) {
		count_index(&pkt_stats, (__u32)outcome);
		return outcome;
	}
	return sip6xx_count_payload(ctx, l4.payload_off, l4.dgram_len, l4.l3_off,
				    l4.family | (at_dir & 0xff00));
}

SEC("xdp")
int sip6xx_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct sip_parse_result res = {};
	struct sip_l4_info l4 = {};
	int outcome;

	outcome = sip_parse_headers(data, data_end, 0, SIP_AT_ETH, 1, &sip6xx_cfg, &res, &l4);
	if (outcome == SIP_PARSE_TUNNEL) {
		count_index(&pkt_stats, l4.decap);
		sip6xx_parse_inner(ctx, l4.inner_off, l4.inner_at | SIP6XX_DIR_RX << 8);
	} else if (outcome != SIP_PARSE_CONTINUE) {
		count_index(&pkt_stats, (__u32)outcome);
	} else {
		sip6xx_count_payload(ctx, l4.payload_off, l4.dgram_len, l4.l3_off,
				     l4.family | SIP6XX_DIR_RX << 8);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
