// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The call context's kernel half (bpf/sip_context.bpf.h) through the real
 * object and BPF_PROG_TEST_RUN: a 6xx, a BYE and a CANCEL each put exactly
 * one sample in ctx_ring, its header and bytes those of the frame; every
 * other frame puts none; over --context-rate a frame is counted in
 * ctx_drops[rate] instead, after a burst of burst/interval + 1, and the
 * bucket refills as its clock (jiffies) moves; the reader is woken as the
 * ring crosses its watermark, not before; a message longer than a
 * sample is cut and counted truncated (a record is the header and the
 * bytes taken, to a multiple of 8); with the context off nothing is
 * written; and the exact counts are the same with the context on and off. XDP runs with both copy
 * paths (bpf_xdp_load_bytes where the kernel has it, and the bounded loop
 * older kernels use), TC with bpf_skb_load_bytes.
 *
 * Needs root. Without it, or if an object fails to load, every test fails.
 */
#include <netinet/in.h> /* before any UAPI header: see bpf/sip_parse.h */
#include <errno.h>
#include <sched.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "frames.h"
#include "loader.h"
#include "calls/context_ring.h"
#include "context_config.h"
#include "sip6xx.skel.h"

#define MAX_SAMPLES 8
#define RATE_HIGH   1000000 /* never the limit in a test */

enum copy_path { COPY_HELPER = 0, COPY_LOOP, NR_PATHS };

static const char *const path_names[NR_PATHS] = { "bpf_xdp_load_bytes", "bounded loop" };

struct capture {
	int n;
	size_t size[MAX_SAMPLES];
	struct sip6xx_sample s[MAX_SAMPLES];
};

struct object {
	struct sip6xx *skel;
	struct ring_buffer *rb;
	struct capture cap;
	int err;
};

static int nr_cpus;
static bool has_xdp_load_bytes;

static const char msg_607[] = "SIP/2.0 607 Unwanted\r\n"
			      "Via: SIP/2.0/UDP 198.19.0.2:5060;branch=z9hG4bK-607\r\n"
			      "From: <sip:+12025550101@198.19.0.2>;tag=a\r\n"
			      "To: <sip:+12025550102@198.18.0.1>;tag=b\r\n"
			      "Call-ID: c607@198.19.0.2\r\n"
			      "CSeq: 1 INVITE\r\n"
			      "Content-Length: 0\r\n\r\n";
static const char msg_bye[] = "BYE sip:+12025550102@198.18.0.1 SIP/2.0\r\n"
			      "Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK-bye\r\n"
			      "From: <sip:+12025550101@[2001:db8::1]>;tag=a\r\n"
			      "To: <sip:+12025550102@[2001:db8:ffff::2]>;tag=b\r\n"
			      "Call-ID: cbye@2001:db8::1\r\n"
			      "CSeq: 2 BYE\r\n"
			      "Reason: SIP;cause=607;text=\"Unwanted\"\r\n"
			      "Content-Length: 0\r\n\r\n";
static const char msg_cancel[] = "CANCEL sip:+12025550102@198.18.0.1 SIP/2.0\r\n"
				 "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK-c\r\n"
				 "Call-ID: ccancel@198.18.0.1\r\n"
				 "CSeq: 1 CANCEL\r\n"
				 "Reason: SIP;cause=608;text=\"Rejected\"\r\n"
				 "Content-Length: 0\r\n\r\n";

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Keeps this thread on the CPU it runs on now. */
static int pin_this_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct capture *c = ctx;

	if (c->n < MAX_SAMPLES) {
		c->size[c->n] = size;
		memcpy(&c->s[c->n], data, size < sizeof(c->s[0]) ? size : sizeof(c->s[0]));
	}
	c->n++;
	return 0;
}

/*
 * One object, XDP and TC, context at @rate (0: off), XDP copying by @path;
 * with @interval_ns, its buckets set to that and @burst_ns instead.
 */
static void load_bucket(struct object *o, __u32 rate, enum copy_path path, __u64 interval_ns,
			__u64 burst_ns)
{
	memset(o, 0, sizeof(*o));
	o->skel = sip6xx__open();
	if (!o->skel) {
		o->err = -errno;
		return;
	}
	context_configure(o->skel, rate);
	if (path == COPY_LOOP)
		o->skel->rodata->sip6xx_ctx_cfg.xdp_load_bytes = 0;
	if (interval_ns) {
		o->skel->rodata->sip6xx_ctx_cfg.interval_ns = interval_ns;
		o->skel->rodata->sip6xx_ctx_cfg.burst_ns = burst_ns;
	}
	o->err = sip6xx__load(o->skel);
	if (!o->err)
		o->err = loader_link_stages(o->skel);
	if (!o->err) {
		o->rb = ring_buffer__new(bpf_map__fd(o->skel->maps.ctx_ring), on_sample, &o->cap,
					 NULL);
		if (!o->rb)
			o->err = -errno;
	}
	if (o->err) {
		sip6xx__destroy(o->skel);
		o->skel = NULL;
	}
}

static void load(struct object *o, __u32 rate, enum copy_path path)
{
	load_bucket(o, rate, path, 0, 0);
}

static void unload(struct object *o)
{
	ring_buffer__free(o->rb);
	sip6xx__destroy(o->skel);
	memset(o, 0, sizeof(*o));
}

static void need(struct object *o, const char *what)
{
	if (!o->skel)
		fail_msg("sip6xx.bpf.o (%s) did not load: %s; run as root", what,
			 strerror(-o->err));
}

static size_t build(__u8 *buf, int version, const char *payload, size_t payload_len)
{
	struct frame_spec spec = { .ip_version = version,
				   .sport = 5062,
				   .dport = 5064,
				   .payload = payload,
				   .payload_len = payload_len };

	return frame_build(buf, FRAME_MAX_LEN, &spec, NULL);
}

/* One test run of XDP (@tc false) or TC over @frame; the verdict must be pass. */
static void run(struct object *o, bool tc, const __u8 *frame, size_t len)
{
	__u8 out[FRAME_MAX_LEN + 256];
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	struct bpf_program *prog = tc ? o->skel->progs.sip6xx_tc : o->skel->progs.sip6xx_xdp;

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &topts), 0);
	if (tc)
		assert_int_equal(topts.retval, (__u32)TC_ACT_UNSPEC);
	else
		assert_int_equal(topts.retval, XDP_PASS);
	assert_int_equal(topts.data_size_out, len);
	assert_memory_equal(out, frame, len);
}

/* @n test runs of XDP over @frame in one call, each a pass. */
static void run_n(struct object *o, const __u8 *frame, size_t len, int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = len, .repeat = n);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(o->skel->progs.sip6xx_xdp), &topts),
			 0);
	assert_int_equal(topts.retval, XDP_PASS);
}

/* Reads what the ring holds into o->cap, from empty. */
static int drain(struct object *o)
{
	o->cap.n = 0;
	assert_true(ring_buffer__consume(o->rb) >= 0);
	return o->cap.n;
}

static __u64 percpu_sum(struct bpf_map *map, __u32 key)
{
	__u64 *vals = calloc(nr_cpus, sizeof(*vals)), sum = 0;
	int cpu;

	assert_non_null(vals);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(map), &key, vals), 0);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		sum += vals[cpu];
	free(vals);
	return sum;
}

static __u64 dropped(struct object *o, int dir, int reason)
{
	return percpu_sum(o->skel->maps.ctx_drops, dir * SIP6XX_CTX_NR_DROPS + reason);
}

static void expect_no_drops(struct object *o)
{
	int i;

	for (i = 0; i < CTX_DROPS_ENTRIES; i++)
		if (percpu_sum(o->skel->maps.ctx_drops, i))
			fail_msg("ctx_drops[%d] is %llu, want 0", i,
				 (unsigned long long)percpu_sum(o->skel->maps.ctx_drops, i));
}

/* The one sample of @msg sent in a @version frame from the frame builder's addresses. */
static void expect_sample(const struct object *o, bool tc, int version, const char *msg, __u16 code,
			  __u8 method, size_t frame_len)
{
	const struct sip6xx_sample_hdr *h = &o->cap.s[0].hdr;
	size_t len = strlen(msg), hdrs = frame_len - len;
	__u8 saddr[16], daddr[16];

	assert_int_equal(o->cap.n, 1);
	/* The record is the header and the message, to a multiple of 8. */
	assert_int_equal(o->cap.size[0], sizeof(*h) + ((len + 7) & ~(size_t)7));
	assert_int_equal(h->code, code);
	assert_int_equal(h->method, method);
	assert_int_equal(h->direction, tc ? SIP6XX_DIR_TX : SIP6XX_DIR_RX);
	assert_int_equal(h->family, version);
	assert_int_equal(h->frame_len, frame_len);
	assert_int_equal(h->msg_off, hdrs);
	assert_int_equal(h->msg_len, len);
	assert_int_equal(h->cap_len, len);
	assert_int_equal(h->sport, 5062);
	assert_int_equal(h->dport, 5064);
	assert_int_not_equal(h->ifindex, 0);
	assert_int_not_equal(h->time_ns, 0);
	assert_int_equal(h->pad, 0);
	frame_addr16(version == 4 ? FRAME_V4_SRC : FRAME_V6_SRC, saddr);
	frame_addr16(version == 4 ? FRAME_V4_DST : FRAME_V6_DST, daddr);
	assert_memory_equal(h->saddr, saddr, 16);
	assert_memory_equal(h->daddr, daddr, 16);
	assert_memory_equal(o->cap.s[0].msg, msg, len);
}

/* A 6xx, a BYE and a CANCEL: one sample each, with both copy paths and on TC. */
static void one_sample_each(enum copy_path path, bool tc)
{
	static const struct {
		int version;
		const char *msg;
		__u16 code;
		__u8 method;
	} cases[] = {
		{ 4, msg_607, 607, SIP6XX_SAMPLE_RESPONSE },
		{ 6, msg_607, 607, SIP6XX_SAMPLE_RESPONSE },
		{ 6, msg_bye, 0, SIP6XX_SAMPLE_BYE },
		{ 4, msg_bye, 0, SIP6XX_SAMPLE_BYE },
		{ 4, msg_cancel, 0, SIP6XX_SAMPLE_CANCEL },
		{ 6, msg_cancel, 0, SIP6XX_SAMPLE_CANCEL },
	};
	__u8 frame[FRAME_MAX_LEN];
	struct object o;
	size_t i, len;

	load(&o, RATE_HIGH, path);
	need(&o, path_names[path]);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = build(frame, cases[i].version, cases[i].msg, 0);
		run(&o, tc, frame, len);
		assert_int_equal(drain(&o), 1);
		expect_sample(&o, tc, cases[i].version, cases[i].msg, cases[i].code,
			      cases[i].method, len);
	}
	expect_no_drops(&o);
	unload(&o);
}

static void test_xdp_helper(void **state)
{
	one_sample_each(COPY_HELPER, false);
}

static void test_xdp_loop(void **state)
{
	one_sample_each(COPY_LOOP, false);
}

static void test_tc(void **state)
{
	one_sample_each(COPY_HELPER, true);
}

/* Frames that are no 6xx, BYE or CANCEL put nothing in the ring. */
static void test_other_frames_none(void **state)
{
	static const char *const payloads[] = {
		"SIP/2.0 200 OK\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
		"SIP/2.0 486 Busy Here\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
		"INVITE sip:a@198.18.0.1 SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
		"ACK sip:a@198.18.0.1 SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 ACK\r\n\r\n",
		"OPTIONS sip:a@198.18.0.1 SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n",
		"BYEX sip:a@198.18.0.1 SIP/2.0\r\nCall-ID: x\r\n\r\n",
		"CANCELS sip:a@198.18.0.1 SIP/2.0\r\nCall-ID: x\r\n\r\n",
		"bye sip:a@198.18.0.1 SIP/2.0\r\nCall-ID: x\r\n\r\n", /* methods are case-sensitive
								       */
		"\x80\x00\x12\x34 RTP-like bytes, not SIP at all",
		"SIP/2.0 6xx not a code\r\n\r\n",
	};
	__u8 frame[FRAME_MAX_LEN];
	struct object o;
	size_t i, len;
	int v;

	load(&o, RATE_HIGH, has_xdp_load_bytes ? COPY_HELPER : COPY_LOOP);
	need(&o, "context on");
	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++)
		for (v = 4; v <= 6; v += 2) {
			len = build(frame, v, payloads[i], 0);
			run(&o, false, frame, len);
			run(&o, true, frame, len);
			if (drain(&o))
				fail_msg("payload %zu over IPv%d: %d samples, want none", i, v,
					 o.cap.n);
		}
	expect_no_drops(&o);
	unload(&o);
}

/* Over the rate: no sample, a rate drop; the 6xx still counts exactly. */
static void test_over_rate(void **state)
{
	__u8 frame[FRAME_MAX_LEN];
	struct object o;
	__u32 key = SIP6XX_DIR_RX * RESP_CODES_PER_DIR + 607;
	size_t len;
	int i;

	/* One sample a second per interface: one CPU's share is one every CPUs seconds. */
	load(&o, 1, has_xdp_load_bytes ? COPY_HELPER : COPY_LOOP);
	need(&o, "rate 1");
	len = build(frame, 4, msg_607, 0);
	for (i = 0; i < 5; i++)
		run(&o, false, frame, len);
	assert_int_equal(drain(&o), 1);
	assert_int_equal(dropped(&o, SIP6XX_DIR_RX, CTX_DROP_RATE), 4);
	assert_int_equal(dropped(&o, SIP6XX_DIR_TX, CTX_DROP_RATE), 0);
	assert_int_equal(percpu_sum(o.skel->maps.resp_codes, key), 5);
	unload(&o);
}

/*
 * The bucket's burst: burst_ns / interval_ns + 1 samples back to back, then
 * drops. The bucket's clock is jiffies (a tick, 4 ms at HZ=250) and test
 * runs come within a tick or a few, so a token refills only after a second:
 * these counts are exact.
 */
static void test_burst_then_drops(void **state)
{
	__u8 frame[FRAME_MAX_LEN];
	struct object o;
	__u32 key = SIP6XX_DIR_RX * RESP_CODES_PER_DIR + 607;
	size_t len;
	int i;

	load_bucket(&o, 1, has_xdp_load_bytes ? COPY_HELPER : COPY_LOOP, 1000000000ULL,
		    5000000000ULL);
	need(&o, "burst of 6");
	len = build(frame, 4, msg_607, 0);
	for (i = 0; i < 20; i++)
		run(&o, false, frame, len);
	assert_int_equal(drain(&o), 6);
	assert_int_equal(dropped(&o, SIP6XX_DIR_RX, CTX_DROP_RATE), 14);
	assert_int_equal(percpu_sum(o.skel->maps.resp_codes, key), 20);
	unload(&o);
}

/* The clock moves: a token spent, a drop, and after its interval a token again. */
static void test_rate_refills(void **state)
{
	const struct timespec wait = { .tv_nsec = 600 * 1000 * 1000 };
	__u8 frame[FRAME_MAX_LEN];
	struct object o;
	size_t len;
	int round;

	/* 500 ms a token, no burst: the sleep is past it by more than a tick. */
	load_bucket(&o, 1, has_xdp_load_bytes ? COPY_HELPER : COPY_LOOP, 500000000ULL, 0);
	need(&o, "a token per 500 ms");
	len = build(frame, 4, msg_607, 0);
	for (round = 0; round < 2; round++) {
		if (round)
			nanosleep(&wait, NULL);
		run(&o, false, frame, len);
		run(&o, false, frame, len);
		assert_int_equal(drain(&o), 1);
		assert_int_equal(dropped(&o, SIP6XX_DIR_RX, CTX_DROP_RATE), round + 1);
	}
	unload(&o);
}

/*
 * The reader is woken as the unread data crosses SIP6XX_CTX_WATERMARK:
 * through its epoll, nothing just below it, every record once past it.
 */
static void test_wakeup_at_watermark(void **state)
{
	/* A record: the ring's 8-byte header, the sample header, the message to 8. */
	const size_t rec = 8 + sizeof(struct sip6xx_sample_hdr) + ((strlen(msg_607) + 7) & ~7UL);
	const int below = SIP6XX_CTX_WATERMARK / rec - 1;
	__u8 frame[FRAME_MAX_LEN];
	struct object o;
	size_t len;

	load(&o, RATE_HIGH, has_xdp_load_bytes ? COPY_HELPER : COPY_LOOP);
	need(&o, "context on");
	len = build(frame, 4, msg_607, 0);
	run_n(&o, frame, len, below);
	assert_int_equal(ring_buffer__poll(o.rb, 100), 0);
	assert_int_equal(o.cap.n, 0);
	run_n(&o, frame, len, 4);
	assert_true(ring_buffer__poll(o.rb, 2000) > 0);
	assert_int_equal(o.cap.n, below + 4);
	expect_no_drops(&o);
	unload(&o);
}

/* A message longer than a sample: its first SIP6XX_SAMPLE_MAX bytes, counted truncated. */
static void test_long_message_truncated(void **state)
{
	char msg[1900];
	__u8 frame[FRAME_MAX_LEN];
	struct object o;
	enum copy_path path;
	size_t len;
	int tc;

	memset(msg, 'x', sizeof(msg));
	memcpy(msg, msg_607, strlen(msg_607));
	for (path = 0; path < NR_PATHS; path++)
		for (tc = 0; tc <= 1; tc++) {
			if (path == COPY_HELPER && !tc && !has_xdp_load_bytes)
				continue;
			if (path == COPY_LOOP && tc)
				continue; /* TC always uses bpf_skb_load_bytes */
			load(&o, RATE_HIGH, path);
			need(&o, path_names[path]);
			len = build(frame, 4, msg, sizeof(msg));
			run(&o, tc, frame, len);
			assert_int_equal(drain(&o), 1);
			assert_int_equal(o.cap.s[0].hdr.msg_len, sizeof(msg));
			assert_int_equal(o.cap.s[0].hdr.cap_len, SIP6XX_SAMPLE_MAX);
			assert_int_equal(o.cap.size[0], sizeof(struct sip6xx_sample));
			assert_memory_equal(o.cap.s[0].msg, msg, SIP6XX_SAMPLE_MAX);
			assert_int_equal(dropped(&o, tc, CTX_DROP_TRUNCATED), 1);
			unload(&o);
		}
}

/* The frame ends before the UDP length says: what is there, counted truncated. */
static void test_cut_frame_truncated(void **state)
{
	__u8 frame[FRAME_MAX_LEN];
	struct object o;
	size_t len, cut = 40;

	load(&o, RATE_HIGH, COPY_LOOP);
	need(&o, "bounded loop");
	len = build(frame, 4, msg_607, 0);
	run(&o, false, frame, len - cut);
	assert_int_equal(drain(&o), 1);
	assert_int_equal(o.cap.s[0].hdr.msg_len, strlen(msg_607));
	assert_int_equal(o.cap.s[0].hdr.cap_len, strlen(msg_607) - cut);
	assert_int_equal(o.cap.size[0], sizeof(struct sip6xx_sample_hdr) +
						((strlen(msg_607) - cut + 7) & ~(size_t)7));
	assert_memory_equal(o.cap.s[0].msg, msg_607, strlen(msg_607) - cut);
	assert_int_equal(dropped(&o, SIP6XX_DIR_RX, CTX_DROP_TRUNCATED), 1);
	unload(&o);
}

/* Context off: no sample, no drop, and the counts are those of context on. */
static void test_off_same_counts(void **state)
{
	const char *const msgs[] = { msg_607, msg_bye, msg_cancel, "SIP/2.0 200 OK\r\n\r\n" };
	__u8 frame[FRAME_MAX_LEN];
	struct object on, off;
	size_t i, len;
	__u32 k;

	load(&on, RATE_HIGH, has_xdp_load_bytes ? COPY_HELPER : COPY_LOOP);
	load(&off, 0, COPY_HELPER);
	need(&on, "context on");
	need(&off, "context off");
	assert_int_equal(bpf_map__max_entries(off.skel->maps.ctx_ring), 4096);
	for (i = 0; i < 4; i++) {
		len = build(frame, i % 2 ? 6 : 4, msgs[i], 0);
		run(&on, false, frame, len);
		run(&off, false, frame, len);
		run(&on, true, frame, len);
		run(&off, true, frame, len);
	}
	assert_int_equal(drain(&on), 6);
	assert_int_equal(drain(&off), 0);
	expect_no_drops(&off);
	for (k = 0; k < PKT_STATS_ENTRIES; k++)
		assert_int_equal(percpu_sum(on.skel->maps.pkt_stats, k),
				 percpu_sum(off.skel->maps.pkt_stats, k));
	for (k = 0; k < RESP_CODES_ENTRIES; k++)
		assert_int_equal(percpu_sum(on.skel->maps.resp_codes, k),
				 percpu_sum(off.skel->maps.resp_codes, k));
	assert_int_equal(percpu_sum(on.skel->maps.resp_codes, 607), 1);
	assert_int_equal(percpu_sum(on.skel->maps.resp_codes, RESP_CODES_PER_DIR + 607), 1);
	unload(&on);
	unload(&off);
}

/* The exporter's decoder takes the kernel's sample as it is, and refuses a bad one. */
static void test_decode_sample(void **state)
{
	__u8 frame[FRAME_MAX_LEN];
	struct calls *c = calls_new(16);
	struct object o;
	size_t len;

	assert_non_null(c);
	load(&o, RATE_HIGH, has_xdp_load_bytes ? COPY_HELPER : COPY_LOOP);
	need(&o, "context on");
	len = build(frame, 4, msg_607, 0);
	run(&o, false, frame, len);
	run(&o, false, frame, len); /* its retransmission */
	assert_int_equal(drain(&o), 2);
	assert_int_equal(context_ring_decode(c, &o.cap.s[0], o.cap.size[0]), 0);
	assert_int_equal(context_ring_decode(c, &o.cap.s[1], o.cap.size[1]), 0);
	assert_int_equal(c->st.samples[SIP6XX_DIR_RX], 2);
	assert_int_equal(c->st.rejections[SIP6XX_DIR_RX][7][CALLS_METHOD_INVITE], 1);
	assert_int_equal(c->st.retransmissions[SIP6XX_DIR_RX][7], 1);
	o.cap.s[0].hdr.cap_len = SIP6XX_SAMPLE_MAX + 1;
	assert_int_equal(context_ring_decode(c, &o.cap.s[0], o.cap.size[0]), -EINVAL);
	assert_int_equal(context_ring_decode(c, &o.cap.s[1], 10), -EINVAL);
	assert_int_equal(c->st.samples[SIP6XX_DIR_RX], 2);
	calls_free(c);
	unload(&o);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_helper),
		cmocka_unit_test(test_xdp_loop),
		cmocka_unit_test(test_tc),
		cmocka_unit_test(test_other_frames_none),
		cmocka_unit_test(test_over_rate),
		cmocka_unit_test(test_burst_then_drops),
		cmocka_unit_test(test_rate_refills),
		cmocka_unit_test(test_wakeup_at_watermark),
		cmocka_unit_test(test_long_message_truncated),
		cmocka_unit_test(test_cut_frame_truncated),
		cmocka_unit_test(test_off_same_counts),
		cmocka_unit_test(test_decode_sample),
	};

	libbpf_set_print(print_warnings);
	nr_cpus = libbpf_num_possible_cpus();
	/* The buckets are per CPU: the rate tests count on one. */
	if (pin_this_cpu())
		fprintf(stderr, "test_context: cannot pin to one CPU: %s\n", strerror(errno));
	has_xdp_load_bytes =
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_load_bytes, NULL) == 1;
	printf("# the bucket's clock on this kernel: %s\n",
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_jiffies64, NULL) == 1 &&
			       libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_jiffies64,
						       NULL) == 1
		       ? "bpf_jiffies64"
		       : "bpf_ktime_get_ns (no bpf_jiffies64 for XDP and TC)");
	printf("# XDP copy path of this kernel: %s\n",
	       has_xdp_load_bytes ? "bpf_xdp_load_bytes"
				  : "bounded loop (no bpf_xdp_load_bytes: its test is left out)");
	/* Without the helper (before 5.18) the loop is what runs, and what is tested. */
	if (!has_xdp_load_bytes)
		return _cmocka_run_group_tests("test_context", tests + 1,
					       sizeof(tests) / sizeof(tests[0]) - 1, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
