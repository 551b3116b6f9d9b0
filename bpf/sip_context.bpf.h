/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The call context's kernel half (DESIGN.md "Packets, transactions, calls"):
 * after a frame is counted, a 6xx response, a BYE or a CANCEL is sent to
 * user space as a sample in the ring buffer ctx_ring: struct
 * sip6xx_sample_hdr (sip6xx.h), then the SIP message's first bytes. The
 * counts are made before and never depend on it.
 *
 * Order, cheapest refusal first: context off (rodata: the verifier removes
 * the whole hook), not a 6xx/BYE/CANCEL (a request is compared only once it
 * is known to be one), the per-CPU token bucket (inline: a frame over the
 * rate costs a jiffies load and two array slots), then one global function
 * per hook fills a sample in a per-CPU scratch slot, copies the bytes and
 * writes it into the ring at its own size, without a wake-up: the exporter
 * reads the ring on its timer, or when the kernel asks as the ring passes
 * SIP6XX_CTX_WATERMARK full. What is not sampled, or sampled cut, is
 * counted in ctx_drops.
 *
 * Copies: bpf_skb_load_bytes() on TC (every kernel); on XDP
 * bpf_xdp_load_bytes() where the kernel has it (5.18+), else a bounded loop
 * from the bounds-checked packet; the loader probes and sets
 * sip6xx_ctx_cfg.xdp_load_bytes, so the verifier keeps one of the two.
 *
 * Verifier: the global functions are BPF-to-BPF calls from programs that
 * also tail call (sip6xx_xdp, sip6xx_tc). Kernels allow that mix when the
 * JIT supports it: x86-64 since 5.10, arm64 since 6.0. Context off (rodata
 * interval_ns 0) leaves no call in the verified program.
 */
#ifndef SIP_CONTEXT_BPF_H
#define SIP_CONTEXT_BPF_H

#include "sip6xx.h"
#include "sip_fast.h"

/* Set by the loader before load (user/calls/context_ring.c). */
const volatile struct sip6xx_ctx_config sip6xx_ctx_cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SIP6XX_CTX_RING_BYTES);
} ctx_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CTX_DROPS_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} ctx_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ctx_bucket SEC(".maps");

/*
 * Where a sample is built before it goes into the ring at its own size. Per
 * CPU, and no two samples share it: XDP runs in softirq, TC egress with
 * bottom halves off, so neither hook interrupts the other's sample.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sip6xx_sample);
} ctx_scratch SEC(".maps");

#define SIP_CTX_CHUNK	    64 /* the copy loop's step: eight 8-byte loads */
/* Unread bytes past the watermark that still wake the reader: four records. */
#define SIP_CTX_WAKE_WINDOW (4 * (sizeof(struct sip6xx_sample) + 8))
#define SIP_CTX_ALIGN	    8 /* a record's size: the header, then the bytes to a multiple of 8 */

static __always_inline void sip_context_drop(__u32 dir, __u32 reason)
{
	__u32 idx = dir * SIP6XX_CTX_NR_DROPS + reason;
	__u64 *val = bpf_map_lookup_elem(&ctx_drops, &idx);

	if (val)
		*val += 1; /* per-CPU slot: no atomic needed */
}

/*
 * GCRA: 1 when this CPU's bucket has a token; a refusal is counted. The
 * clock is jiffies scaled to ns (sip6xx_ctx_config): bpf_jiffies64() is a
 * load the verifier inlines on 64-bit JITs (5.5+), where bpf_ktime_get_ns()
 * is a call and a clock read, some 20 ns a frame with kvm-clock, paid by
 * every frame over the rate. A tick's granularity is fine for a rate limit.
 * The loader probes for it (sip6xx_ctx_config.jiffies).
 */
static __always_inline int sip_context_token(__u32 dir)
{
	__u32 zero = 0;
	__u64 now, tat, *next = bpf_map_lookup_elem(&ctx_bucket, &zero);

	if (!next)
		return 0; /* never: one slot */
	/* Verifier: rodata, so it keeps only the helper the loader probed. */
	now = sip6xx_ctx_cfg.jiffies ? bpf_jiffies64() * sip6xx_ctx_cfg.jiffy_ns
				     : bpf_ktime_get_ns();
	tat = *next > now ? *next : now;
	if (tat - now > sip6xx_ctx_cfg.burst_ns) {
		sip_context_drop(dir, CTX_DROP_RATE);
		return 0;
	}
	*next = tat + sip6xx_ctx_cfg.interval_ns;
	return 1;
}

/*
 * The message at @msg_off of the frame (before @data_end) to @dst, @cap
 * bytes at most (cap <= SIP6XX_SAMPLE_MAX): 64 at a time, then one at a time.
 * Verifier: for kernels without bpf_xdp_load_bytes(); every step checks
 * its own packet bound and both loops are bounded by constants, so the
 * offset is a known constant on each path the verifier walks.
 */
static __always_inline __u32 sip_context_copy_loop(__u8 *dst, void *data, void *data_end,
						   __u64 msg_off, __u32 cap)
{
	const __u8 *src;
	__u32 off = 0, i;

	/* Verifier: bounded on the register the pointer is built from. */
	barrier_var(msg_off);
	if (msg_off > SIP_MAX_OFFSET)
		return 0;
	src = data + msg_off;

	for (i = 0; i < SIP6XX_SAMPLE_MAX / SIP_CTX_CHUNK; i++) {
		if (off + SIP_CTX_CHUNK > cap || (void *)(src + off + SIP_CTX_CHUNK) > data_end)
			break;
		__builtin_memcpy(dst + off, src + off, SIP_CTX_CHUNK);
		off += SIP_CTX_CHUNK;
	}
	for (i = 0; i < SIP_CTX_CHUNK; i++) {
		if (off >= cap || off >= SIP6XX_SAMPLE_MAX || (void *)(src + off + 1) > data_end)
			break;
		dst[off] = src[off];
		off++;
	}
	return off;
}

/*
 * @len bytes at @off of the frame to @dst with the hook's helper. Verifier:
 * the helpers take a length known to be 1..SIP6XX_SAMPLE_MAX; each test on
 * its own, or clang folds them into one on a copy of the register; 64-bit,
 * or each test is made on a zero-extended copy and the call gets the original.
 */
static __always_inline long sip_context_load(void *ctx, __u32 dir, __u64 off, __u8 *dst, __u64 len)
{
	barrier_var(len);
	if (len > SIP6XX_SAMPLE_MAX)
		return -1;
	barrier_var(len);
	/*
	 * Verifier: a signed test; 5.10 learns nothing from "len != 0" and
	 * refuses a length that may be zero, but from "len > 0" signed it
	 * takes a minimum of 1.
	 */
	if ((__s64)len <= 0)
		return 0;
	if (dir == SIP6XX_DIR_TX)
		return bpf_skb_load_bytes(ctx, off, dst, len);
	return bpf_xdp_load_bytes(ctx, off, dst, len);
}

/*
 * The addresses of the IP header at @ip and the ports of the UDP header at
 * @udp into @h; -1 when they are not in the frame.
 * Verifier: one bound per family branch, on the family in a register.
 */
static __always_inline int sip_context_addrs(struct sip6xx_sample_hdr *h, __u8 family,
					     const __u8 *ip, const __u8 *udp, void *data_end)
{
	if (family == SIP6XX_FAMILY_IPV4) {
		if ((void *)(ip + 20) > data_end)
			return -1;
		__builtin_memset(h->saddr, 0, 10);
		__builtin_memset(h->daddr, 0, 10);
		h->saddr[10] = h->saddr[11] = h->daddr[10] = h->daddr[11] = 0xff;
		__builtin_memcpy(&h->saddr[12], ip + 12, 4);
		__builtin_memcpy(&h->daddr[12], ip + 16, 4);
	} else {
		if ((void *)(ip + 40) > data_end)
			return -1;
		__builtin_memcpy(h->saddr, ip + 8, 16);
		__builtin_memcpy(h->daddr, ip + 24, 16);
	}
	if ((void *)(udp + 8) > data_end)
		return -1;
	h->family = family;
	h->sport = bpf_ntohs(sip_load16(udp));
	h->dport = bpf_ntohs(sip_load16(udp + 2));
	return 0;
}

/*
 * One sample of the message at @msg_off (@msg_len bytes as UDP says), its
 * IP header at @l3_off. @what: the code (600..699) or SIP6XX_SAMPLE_BYE or
 * _CANCEL in the low 16 bits, the family above. Offsets come in as scalars:
 * every pointer is rebuilt here and checked again.
 */
static __always_inline int sip_context_sample(void *ctx, __u32 dir, __u32 what, __u64 l3_off,
					      __u64 msg_off, __u32 msg_len)
{
	void *data_end, *data;
	struct sip6xx_sample *s;
	const __u8 *ip, *udp;
	__u64 flags, udp_off, cap, size;
	__u32 frame_len, zero = 0;
	long err = 0;

	if (dir == SIP6XX_DIR_RX) {
		data = (void *)(long)((struct xdp_md *)ctx)->data;
		data_end = (void *)(long)((struct xdp_md *)ctx)->data_end;
		frame_len = data_end - data;
	} else {
		data = (void *)(long)((struct __sk_buff *)ctx)->data;
		data_end = (void *)(long)((struct __sk_buff *)ctx)->data_end;
		frame_len = ((struct __sk_buff *)ctx)->len;
	}
	/*
	 * Verifier: scalars from the caller, each bounded on its own register
	 * before a pointer is built from it (else clang folds the tests into
	 * one of (a | b), or builds the pointer from an unchecked copy).
	 */
	if (msg_len > 0xffff)
		return 0;
	barrier_var(msg_off);
	if (msg_off > SIP_MAX_OFFSET)
		return 0;
	barrier_var(l3_off);
	if (l3_off > SIP_MAX_OFFSET)
		return 0;
	udp_off = msg_off - 8; /* wraps when msg_off < 8: refused below */
	barrier_var(udp_off);
	if (udp_off > SIP_MAX_OFFSET)
		return 0;
	ip = data + l3_off;
	udp = data + udp_off;
	/*
	 * Verifier: the pointers made here, from the tested registers. Else
	 * clang spills an offset before its test and rebuilds the pointer
	 * after the calls below from that copy, which 5.10 and 6.1 (no ID for
	 * a spilled scalar, so the test does not reach it) take as unbounded.
	 */
	barrier_var(ip);
	barrier_var(udp);
	cap = msg_off < frame_len ? frame_len - msg_off : 0;
	if (cap > msg_len)
		cap = msg_len;
	if (cap > SIP6XX_SAMPLE_MAX)
		cap = SIP6XX_SAMPLE_MAX;

	s = bpf_map_lookup_elem(&ctx_scratch, &zero);
	if (!s)
		return 0; /* never: one slot */
	s->hdr.time_ns = bpf_ktime_get_ns();
	s->hdr.ifindex = dir == SIP6XX_DIR_RX ? ((struct xdp_md *)ctx)->ingress_ifindex
					      : ((struct __sk_buff *)ctx)->ifindex;
	s->hdr.frame_len = frame_len;
	s->hdr.code = (what & 0xffff) >= 600 ? what & 0xffff : 0;
	s->hdr.method = (what & 0xffff) >= 600 ? SIP6XX_SAMPLE_RESPONSE : what & 0xffff;
	s->hdr.direction = dir;
	s->hdr.pad = 0;
	s->hdr.msg_off = msg_off;
	s->hdr.msg_len = msg_len;
	if (sip_context_addrs(&s->hdr, what >> 16, ip, udp, data_end))
		return 0;

	if (dir == SIP6XX_DIR_RX && !sip6xx_ctx_cfg.xdp_load_bytes)
		cap = sip_context_copy_loop(s->msg, data, data_end, msg_off, cap);
	else
		err = sip_context_load(ctx, dir, msg_off, s->msg, cap);
	if (err)
		cap = 0;
	s->hdr.cap_len = cap;
	if (cap < msg_len)
		sip_context_drop(dir, CTX_DROP_TRUNCATED);
	/*
	 * The record is the header and the bytes taken, not the largest
	 * sample: a 550-byte 607 took 1,576 bytes of ring and cost twice as
	 * much to write (tests/bench/README.md). bpf_ringbuf_output() copies
	 * it from this CPU's scratch slot, still in cache, at its size.
	 * Verifier: the size bounded on its own register, within the slot.
	 */
	size = sizeof(s->hdr) + ((cap + SIP_CTX_ALIGN - 1) & ~(__u64)(SIP_CTX_ALIGN - 1));
	barrier_var(size);
	if (size > sizeof(*s))
		return 0;
	/*
	 * Wake the reader as the unread data crosses the watermark, not on
	 * every sample above it: a wake-up is an irq_work, a self-IPI (here a
	 * VM exit), some 4 us a sample until the reader caught up. Within a
	 * few records of it, as other CPUs' records may land between this
	 * query and the write; one missed still leaves the reader's timer.
	 */
	flags = bpf_ringbuf_query(&ctx_ring, BPF_RB_AVAIL_DATA) + size - SIP6XX_CTX_WATERMARK <
				SIP_CTX_WAKE_WINDOW
			? BPF_RB_FORCE_WAKEUP
			: BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&ctx_ring, s, size, flags)) {
		sip_context_drop(dir, CTX_DROP_BUFFER_FULL);
		return 0;
	}
	return 1;
}

/* The entry functions: verified once each, whatever path led to them. */
__noinline int sip_context_xdp(struct xdp_md *ctx, __u32 what, __u32 l3_off, __u32 msg_off,
			       __u32 msg_len)
{
	return sip_context_sample(ctx, SIP6XX_DIR_RX, what, l3_off, msg_off, msg_len);
}

__noinline int sip_context_tc(struct __sk_buff *skb, __u32 what, __u32 l3_off, __u32 msg_off,
			      __u32 msg_len)
{
	return sip_context_sample(skb, SIP6XX_DIR_TX, what, l3_off, msg_off, msg_len);
}

/* SIP6XX_SAMPLE_BYE or _CANCEL for a request starting at @p, else 0. */
static __always_inline __u32 sip_context_method(const __u8 *p, void *data_end)
{
	__u64 w;

	if ((void *)(p + 8) > data_end)
		return 0;
	w = sip_load64(p);
	if (sip_first_half(w) == SIP_WORD('B', 'Y', 'E', ' '))
		return SIP6XX_SAMPLE_BYE;
	if ((w & sip_pair(0xffffffff, SIP_WORD(0xff, 0xff, 0xff, 0))) ==
	    sip_pair(SIP_WORD('C', 'A', 'N', 'C'), SIP_WORD('E', 'L', ' ', 0)))
		return SIP6XX_SAMPLE_CANCEL;
	return 0;
}

/*
 * The hook, after a frame's counts: @outcome and @r as the fast checks left
 * them (r->payload and r->dgram_len set for responses and requests).
 */
static __always_inline void sip_context_hook(void *ctx, __u32 dir, int outcome,
					     const struct sip_fast_result *r)
{
	__u64 src_off, msg_off;
	void *data_end, *data;
	__u32 what, l3_off;

	if (!sip6xx_ctx_cfg.interval_ns)
		return; /* context off: rodata, so the verifier drops all of this */
	if (dir == SIP6XX_DIR_RX) {
		data = (void *)(long)((struct xdp_md *)ctx)->data;
		data_end = (void *)(long)((struct xdp_md *)ctx)->data_end;
	} else {
		data = (void *)(long)((struct __sk_buff *)ctx)->data;
		data_end = (void *)(long)((struct __sk_buff *)ctx)->data_end;
	}
	if (outcome == PKT_SIP_RESPONSE && r->code >= 600)
		what = r->code;
	else if (outcome == PKT_SIP_REQUEST)
		what = sip_context_method(r->payload, data_end);
	else
		return;
	if (!what || !sip_context_token(dir))
		return;
	what |= (__u32)r->family << 16;
	/*
	 * Offsets, not pointers, cross into the global function. Verifier: the
	 * pointer difference first, as a scalar, or clang folds the constant
	 * into pointer math the verifier refuses.
	 */
	src_off = r->saddr - (const __u8 *)data;
	msg_off = r->payload - (const __u8 *)data;
	barrier_var(src_off);
	/* The IP header is 12 (IPv4) or 8 (IPv6) bytes before the source address. */
	l3_off = src_off - (r->family == SIP6XX_FAMILY_IPV4 ? 12 : 8);
	if (dir == SIP6XX_DIR_RX)
		sip_context_xdp(ctx, what, l3_off, msg_off, r->dgram_len);
	else
		sip_context_tc(ctx, what, l3_off, msg_off, r->dgram_len);
}

#endif /* SIP_CONTEXT_BPF_H */
