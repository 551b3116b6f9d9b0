// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * --replay: read a pcap or pcapng file (capture.c) and run every record
 * through the loaded XDP program with BPF_PROG_TEST_RUN, so a capture is
 * counted by the very code that runs on the wire. The program only parses
 * Ethernet, so cooked, raw-IP and loopback records get a synthetic Ethernet
 * header first; a pcapng's interfaces each have their own link type.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <pcap/dlt.h>

#include "capture.h"
#include "log.h"
#include "replay.h"
#include "calls/calls_replay.h"

/* Link types libpcap 1.10 knows, spelled here for older headers. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define SLL_HDR_LEN	 16 /* protocol at offset 14 */
#define SLL2_HDR_LEN	 20 /* protocol at offset 0 */
#define LOOPBACK_HDR_LEN 4  /* address family, 32 bits */

/* Address families a BSD loopback header may hold: every OS numbers AF_INET6 its own way. */
#define LOOP_AF_INET	      2
#define LOOP_AF_INET6_LINUX   10
#define LOOP_AF_INET6_BSD     24 /* NetBSD, OpenBSD, BSD/OS */
#define LOOP_AF_INET6_FREEBSD 28
#define LOOP_AF_INET6_DARWIN  30

/*
 * The kernel's linear XDP test buffer: PAGE_SIZE - XDP_PACKET_HEADROOM -
 * SKB_DATA_ALIGN(sizeof(struct skb_shared_info)). Used when the probe below
 * cannot run; 320 is the shared info of 64-bit kernels with 17 frags.
 */
#define XDP_TEST_HEADROOM 256
#define XDP_TEST_SHINFO	  320
#define PROBE_STEP	  64 /* SKB_DATA_ALIGN granularity on common CPUs */
#define PROBE_MAX_STEPS	  32

struct replay_ctx {
	const char *path; /* for messages: the file, or "stdin" */
	struct capture cap;
	int linktype; /* of the record being run */
	int prog_fd;
	__u32 max_frame; /* largest frame test_run hands the program whole */
	__u8 *buf;	 /* max_frame bytes: synthetic frames are built here */
	__u64 record;	 /* 1-based, as Wireshark numbers frames */
	struct replay_summary *sum;
};

/*
 * An XDP program returning ctx->data_end - ctx->data: what a test run gets to
 * see. The verifier allows pkt_end - pkt only with CAP_PERFMON; without it the
 * load fails and probe_max_frame() falls back to the usual layout.
 */
static int probe_prog_load(void)
{
	/* r2 = ctx->data; r0 = ctx->data_end; r0 -= r2; exit */
	const struct bpf_insn insns[] = {
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, offsetof(struct xdp_md, data),
		  0 },
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_1,
		  offsetof(struct xdp_md, data_end), 0 },
		{ BPF_ALU64 | BPF_SUB | BPF_X, BPF_REG_0, BPF_REG_2, 0, 0 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "sip6xx_probe", "Dual BSD/GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), NULL);
}

/*
 * Largest frame a non-frags XDP program sees whole in a test run. Newer
 * kernels accept more and put the rest in frags the program cannot read;
 * older ones refuse it with EINVAL. The probe runs a throwaway program, so
 * the real one counts nothing extra. Falls back to the usual layout.
 */
static __u32 probe_max_frame(void)
{
	long page = sysconf(_SC_PAGESIZE);
	__u32 size, fallback;
	void *buf;
	int fd, i, err;

	if (page <= 0)
		page = 4096;
	fallback = page - XDP_TEST_HEADROOM - XDP_TEST_SHINFO;
	fd = probe_prog_load();
	buf = calloc(1, page);
	if (fd < 0 || !buf) {
		pr_debug("replay: frame size probe unavailable, assuming %u bytes\n", fallback);
		size = fallback;
		goto out;
	}
	size = page - XDP_TEST_HEADROOM;
	for (i = 0; i < PROBE_MAX_STEPS && size > ETH_HLEN; i++, size -= PROBE_STEP) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = size,
			    .repeat = 1);

		err = bpf_prog_test_run_opts(fd, &opts);
		if (!err) {
			size = opts.retval < size ? opts.retval : size;
			goto out;
		}
	}
	size = fallback;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	pr_debug("replay: test_run frames are clipped to %u bytes\n", size);
	return size;
}

static int linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return 1;
	default:
		return 0;
	}
}

static __u16 get_be16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* Ethertype for a BSD loopback address family, which may be in either byte order. */
static __u16 loopback_ethertype(const __u8 *p)
{
	__u32 af = (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 | (__u32)p[3] << 24;

	/* DLT_NULL keeps the capturing host's order, DLT_LOOP network order; families are small. */
	if (af > 0xffff)
		af = __builtin_bswap32(af);
	switch (af) {
	case LOOP_AF_INET:
		return ETH_P_IP;
	case LOOP_AF_INET6_LINUX:
	case LOOP_AF_INET6_BSD:
	case LOOP_AF_INET6_FREEBSD:
	case LOOP_AF_INET6_DARWIN:
		return ETH_P_IPV6;
	default:
		return 0; /* not IP: the program counts it as non_ip */
	}
}

static __u16 raw_ethertype(int dlt, const __u8 *p)
{
	if (dlt == DLT_IPV4)
		return ETH_P_IP;
	if (dlt == DLT_IPV6)
		return ETH_P_IPV6;
	switch (p[0] >> 4) {
	case 4:
		return ETH_P_IP;
	case 6:
		return ETH_P_IPV6;
	default:
		return 0;
	}
}

/*
 * Length of the link header of @dlt and, in *ethertype (host order), what it
 * carries. A record too short for its link header returns @caplen with
 * ETH_P_IP: a bare Ethernet header announcing IPv4 is counted as truncated,
 * as the parser counts a cut-short header.
 */
static __u32 link_header(int dlt, const __u8 *p, __u32 caplen, __u16 *ethertype)
{
	__u32 len = 0;

	*ethertype = ETH_P_IP;
	switch (dlt) {
	case DLT_LINUX_SLL:
		len = SLL_HDR_LEN;
		if (caplen >= len)
			*ethertype = get_be16(p + 14);
		break;
	case DLT_LINUX_SLL2:
		len = SLL2_HDR_LEN;
		if (caplen >= len)
			*ethertype = get_be16(p);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		len = LOOPBACK_HDR_LEN;
		if (caplen >= len)
			*ethertype = loopback_ethertype(p);
		break;
	default: /* raw IP: no link header; an empty record stays "IPv4" */
		if (caplen)
			*ethertype = raw_ethertype(dlt, p);
		break;
	}
	return caplen >= len ? len : caplen;
}

/* Builds an Ethernet frame in ctx->buf from a non-Ethernet record; returns its length. */
static __u32 build_ethernet(struct replay_ctx *ctx, const __u8 *p, __u32 caplen)
{
	struct ethhdr *eth = (struct ethhdr *)ctx->buf;
	__u32 hdr_len, payload, room = ctx->max_frame - sizeof(*eth);
	__u16 ethertype;

	hdr_len = link_header(ctx->linktype, p, caplen, &ethertype);
	payload = caplen - hdr_len;
	if (payload > room) {
		payload = room;
		ctx->sum->clipped++;
	}
	/* Zero MAC addresses: the program never looks at them. */
	memset(eth, 0, sizeof(*eth));
	eth->h_proto = htons(ethertype);
	memcpy(ctx->buf + sizeof(*eth), p + hdr_len, payload);
	ctx->sum->converted++;
	return sizeof(*eth) + payload;
}

/* Points *data at the frame to run for record @p; returns its length. */
static __u32 frame_for_record(struct replay_ctx *ctx, const __u8 *p, __u32 caplen,
			      const void **data)
{
	struct ethhdr *eth = (struct ethhdr *)ctx->buf;

	if (ctx->linktype != DLT_EN10MB) {
		*data = ctx->buf;
		return build_ethernet(ctx, p, caplen);
	}
	if (caplen < sizeof(*eth)) {
		/* test_run refuses runts: run a bare header, which counts as truncated too. */
		memset(eth, 0, sizeof(*eth));
		eth->h_proto = htons(ETH_P_IP);
		*data = eth;
		return sizeof(*eth);
	}
	*data = p;
	if (caplen > ctx->max_frame) {
		/* The status line is at the front: clipping loses nothing the program reads. */
		ctx->sum->clipped++;
		return ctx->max_frame;
	}
	return caplen;
}

static int run_frame(struct replay_ctx *ctx, const void *data, __u32 len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = len, .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(ctx->prog_fd, &opts);
	if (err) {
		err = -errno;
		pr_err("replay: %s: record %llu: test run failed: %s\n", ctx->path,
		       (unsigned long long)ctx->record, strerror(-err));
		return err;
	}
	if (opts.retval != XDP_PASS) {
		pr_err("replay: %s: record %llu: program returned %u, not XDP_PASS\n", ctx->path,
		       (unsigned long long)ctx->record, opts.retval);
		return -EPROTO;
	}
	return 0;
}

static const char *linktype_name(int dlt)
{
	const char *name = pcap_datalink_val_to_name(dlt);

	return name ? name : "unknown";
}

#define SUPPORTED_NAMES "EN10MB, LINUX_SLL, LINUX_SLL2, RAW, NULL, LOOP"

/* A pcap file has one link type: refuse it whole when replay cannot decode it. */
static int check_file_linktype(struct replay_ctx *ctx)
{
	int dlt = ctx->cap.linktype;

	if (!ctx->cap.pcap || linktype_supported(dlt))
		return 0;
	pr_err("replay: %s: link type %s (%d) is not supported; supported: " SUPPORTED_NAMES "\n",
	       ctx->path, linktype_name(dlt), dlt);
	return -EPROTONOSUPPORT;
}

/* A pcapng record of an interface replay cannot decode: counted by link type, not run. */
static void skip_unsupported(struct replay_ctx *ctx, int dlt)
{
	struct replay_summary *sum = ctx->sum;
	int i;

	sum->unsupported++;
	for (i = 0; i < sum->nr_skipped_types; i++)
		if (sum->skipped[i].linktype == dlt)
			break;
	if (i == sum->nr_skipped_types) {
		if (i == REPLAY_SKIPPED_TYPES)
			return; /* in unsupported only */
		sum->skipped[i].linktype = dlt;
		sum->nr_skipped_types++;
	}
	sum->skipped[i].frames++;
}

static void report_unsupported(const struct replay_ctx *ctx)
{
	const struct replay_summary *sum = ctx->sum;
	__u64 named = 0;
	int i;

	for (i = 0; i < sum->nr_skipped_types; i++) {
		named += sum->skipped[i].frames;
		pr_warn("replay: %s: %llu frames of interfaces with link type %s (%d) not counted: "
			"not supported; supported: " SUPPORTED_NAMES "\n",
			ctx->path, (unsigned long long)sum->skipped[i].frames,
			linktype_name(sum->skipped[i].linktype), sum->skipped[i].linktype);
	}
	if (sum->unsupported > named)
		pr_warn("replay: %s: %llu more frames of other unsupported link types not "
			"counted\n",
			ctx->path, (unsigned long long)(sum->unsupported - named));
}

static int replay_records(struct replay_ctx *ctx)
{
	struct pcap_pkthdr *hdr;
	const __u8 *pkt;
	const void *data;
	__u32 len;
	int ret;

	for (;;) {
		ret = capture_next(&ctx->cap, ctx->record + 1, &hdr, &pkt, &ctx->linktype);
		if (ret != CAPTURE_RECORD)
			return ret; /* CAPTURE_END, CAPTURE_TRUNCATED, or -errno (logged) */
		ctx->record++;
		if (!linktype_supported(ctx->linktype)) {
			skip_unsupported(ctx, ctx->linktype);
			continue;
		}
		ctx->sum->frames++;
		/* A record cut by the snap length is run with what was captured. */
		len = frame_for_record(ctx, pkt, hdr->caplen, &data);
		ret = run_frame(ctx, data, len);
		if (ret)
			return ret;
		calls_replay_frame(data, len, &hdr->ts);
	}
}

/* The end of the input: every frame of an unsupported type refuses the file, like a pcap's. */
static int replay_end(struct replay_ctx *ctx, int ret)
{
	struct replay_summary *sum = ctx->sum;

	if (ret < 0)
		return ret;
	if (sum->unsupported && !sum->frames && sum->nr_skipped_types == 1) {
		pr_err("replay: %s: link type %s (%d) is not supported; supported: " SUPPORTED_NAMES
		       "\n",
		       ctx->path, linktype_name(sum->skipped[0].linktype),
		       sum->skipped[0].linktype);
		return -EPROTONOSUPPORT;
	}
	report_unsupported(ctx);
	if (ret == CAPTURE_TRUNCATED) {
		sum->end_offset = capture_offset(&ctx->cap);
		pr_warn("replay: %s: the capture is cut short: its last complete record (%llu) "
			"ends "
			"at byte %llu, and what follows is a partial record, not counted; the "
			"metrics are those of the complete records\n",
			ctx->path, (unsigned long long)ctx->record,
			(unsigned long long)sum->end_offset);
		return REPLAY_TRUNCATED;
	}
	return 0;
}

int replay_file(const char *path, int prog_fd, struct replay_summary *sum)
{
	struct replay_ctx ctx = { .prog_fd = prog_fd, .sum = sum };
	int err;

	memset(sum, 0, sizeof(*sum));
	err = capture_open(&ctx.cap, path);
	if (err)
		return err;
	ctx.path = ctx.cap.name;
	err = check_file_linktype(&ctx);
	if (err)
		goto out;
	ctx.max_frame = probe_max_frame();
	ctx.buf = malloc(ctx.max_frame);
	if (!ctx.buf) {
		pr_err("replay: %s: out of memory\n", ctx.path);
		err = -ENOMEM;
		goto out;
	}
	err = replay_end(&ctx, replay_records(&ctx));
	if (err >= 0)
		pr_debug("replay: %s: %llu frames, %llu converted to Ethernet, %llu clipped to %u "
			 "bytes\n",
			 ctx.path, (unsigned long long)sum->frames,
			 (unsigned long long)sum->converted, (unsigned long long)sum->clipped,
			 ctx.max_frame);
out:
	free(ctx.buf);
	capture_close(&ctx.cap);
	return err;
}
