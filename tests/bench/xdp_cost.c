// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * In-kernel cost per frame: the real sip6xx object against a bare XDP_PASS
 * program, interleaved A/B in one run with BPF_PROG_TEST_RUN, so the ratio
 * holds on a noisy machine even when the absolute numbers drift.
 *
 * Usage: xdp_cost [REPEAT [ROUNDS]]   (defaults: 1000000, 5)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "frames.h"
#include "loader.h"
#include "log.h"

#define MAX_ROUNDS 15

struct bench_case {
	const char *name;
	struct frame_spec spec;
};

static const struct bench_case cases[] = {
	{ "6xx response, known source",
	  { .ip_version = 4,
	    .payload = "SIP/2.0 607 Unwanted\r\nVia: SIP/2.0/UDP 198.18.0.1\r\n\r\n" } },
	{ "200 response", { .ip_version = 4, .payload = "SIP/2.0 200 OK\r\n\r\n" } },
	{ "SIP request",
	  { .ip_version = 4, .payload = "INVITE sip:bob@198.19.0.2 SIP/2.0\r\n\r\n" } },
	{ "non-SIP UDP (RTP)",
	  { .ip_version = 4,
	    .sport = 16384,
	    .dport = 16386,
	    .payload = "\x80\x08\x00\x01\x00\x00\x00\xa0\x12\x34\x56\x78rtp-payload",
	    .payload_len = 23 } },
	{ "TCP", { .ip_version = 4, .l4_proto = 6, .payload = "SIP/2.0 607 Unwanted\r\n" } },
	{ "IPv6 + 2 ext headers, 6xx",
	  { .ip_version = 6,
	    .nr_ext = 2,
	    .ext = { { .type = 0, .hdrlen = 0 }, { .type = 60, .hdrlen = 1 } },
	    .payload = "SIP/2.0 608 Rejected\r\n\r\n" } },
	{ "QinQ, 6xx",
	  { .nr_vlans = 2, .ip_version = 4, .payload = "SIP/2.0 603 Decline\r\n\r\n" } },
};

static int load_xdp_pass(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "xdp_pass", "GPL", insns, 2, NULL);
}

/* Average ns per run of @prog_fd on @frame, as the kernel measured it. */
static long run_ns(int prog_fd, const void *frame, size_t len, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &opts) || opts.retval != XDP_PASS)
		return -1;
	return opts.duration;
}

/* What the verifier walked and what it kept, from bpf_prog_info. */
static void print_prog_size(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return;
	printf("sip6xx_xdp: %u instructions verified, %u instructions after load (%u bytes "
	       "JITed)\n\n",
	       info.verified_insns, info.xlated_prog_len / 8, info.jited_prog_len);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct loader_opts lopts = { .max_peers = PEERS_DEFAULT_MAX };
	int repeat = argc > 1 ? atoi(argv[1]) : 1000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	long base[MAX_ROUNDS], ours[MAX_ROUNDS];
	unsigned char frame[FRAME_MAX_LEN];
	struct sip6xx *skel;
	int pass_fd, prog_fd, r;
	size_t c, len;

	if (repeat < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: xdp_cost [REPEAT>0 [ROUNDS 1..%d]]\n", MAX_ROUNDS);
		return 2;
	}
	log_setup_libbpf();
	skel = loader_load(&lopts, "xdp_cost");
	pass_fd = load_xdp_pass();
	if (!skel || pass_fd < 0) {
		fprintf(stderr, "xdp_cost: loading the programs failed (root?): %s\n",
			strerror(errno));
		return 1;
	}
	prog_fd = loader_prog_fd(skel);
	print_prog_size(prog_fd);
	printf("| frame | XDP_PASS ns/pkt | sip6xx ns/pkt | ratio |\n|---|---|---|---|\n");
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		len = frame_build(frame, sizeof(frame), &cases[c].spec, NULL);
		for (r = 0; r < rounds; r++) {
			base[r] = run_ns(pass_fd, frame, len, repeat);
			ours[r] = run_ns(prog_fd, frame, len, repeat);
			if (base[r] < 0 || ours[r] < 0) {
				fprintf(stderr, "xdp_cost: %s: test run failed\n", cases[c].name);
				return 1;
			}
		}
		qsort(base, rounds, sizeof(long), cmp_long);
		qsort(ours, rounds, sizeof(long), cmp_long);
		printf("| %s | %ld | %ld | %.2f |\n", cases[c].name, base[rounds / 2],
		       ours[rounds / 2],
		       base[rounds / 2] ? (double)ours[rounds / 2] / base[rounds / 2] : 0);
	}
	loader_destroy(skel);
	return 0;
}
