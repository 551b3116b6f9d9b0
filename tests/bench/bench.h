/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Shared by the bench tools: the baseline programs, written as raw
 * instructions so they need no object file of their own, a CPU clock, and
 * network-namespace switching. Header-only, since each C file in tests/bench is a tool.
 */
#ifndef SIP6XX_BENCH_H
#define SIP6XX_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

/* One instruction; UAPI has struct bpf_insn but not the kernel's BPF_* builders. */
#define BENCH_INSN(c, d, s, o, i)                                                                  \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* An XDP program that only returns @verdict: XDP_PASS for the baseline, XDP_TX to generate. */
static inline int bench_load_verdict(int verdict, const char *name)
{
	const struct bpf_insn insns[] = {
		BENCH_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, verdict),
		BENCH_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_XDP);

	return bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, 2, &opts);
}

/*
 * A reference, not a baseline: an XDP program that only adds one to index 0
 * of the PERCPU_ARRAY @map_fd and passes, the least any counting observer
 * does per frame. Its ratio to XDP_PASS is the floor under sip6xx's.
 */
static inline int bench_load_count_only(int map_fd)
{
	const struct bpf_insn insns[] = {
		BENCH_INSN(BPF_ST | BPF_W | BPF_MEM, BPF_REG_10, 0, -4, 0), /* key 0 */
		BENCH_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		BENCH_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
		BENCH_INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd),
		BENCH_INSN(0, 0, 0, 0, 0),
		BENCH_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		BENCH_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 3, 0),
		BENCH_INSN(BPF_LDX | BPF_DW | BPF_MEM, BPF_REG_1, BPF_REG_0, 0, 0),
		BENCH_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, 1),
		BENCH_INSN(BPF_STX | BPF_DW | BPF_MEM, BPF_REG_0, BPF_REG_1, 0, 0),
		BENCH_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS),
		BENCH_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_XDP);

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "count_only", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), &opts);
}

/*
 * The "new source every time" wrapper: it adds one to the low 17 bits of the
 * IPv4 source address at @saddr_off (staying inside 198.18.0.0/15), then tail
 * calls slot @slot of @prog_array. BPF_PROG_TEST_RUN repeats on one buffer, so
 * each repetition carries a source the map has not seen yet. The baseline runs
 * the same wrapper into XDP_PASS, so the ratio cancels the wrapper's cost.
 */
static inline int bench_load_bump_tail(int prog_array, __u32 slot, __s16 saddr_off)
{
	const struct bpf_insn insns[] = {
		BENCH_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0),
		BENCH_INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0), /* data */
		BENCH_INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 4, 0), /* data_end */
		BENCH_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0),
		BENCH_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, saddr_off + 4),
		BENCH_INSN(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 9, 0),
		BENCH_INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_2, saddr_off, 0),
		BENCH_INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_5, 0, 0, 32), /* to host order */
		BENCH_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_7, BPF_REG_5, 0, 0),
		BENCH_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_7, 0, 0, 1),
		BENCH_INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_7, 0, 0, 0x1ffff),
		BENCH_INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_5, 0, 0, (__s32)0xfffe0000),
		BENCH_INSN(BPF_ALU64 | BPF_OR | BPF_X, BPF_REG_5, BPF_REG_7, 0, 0),
		BENCH_INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_5, 0, 0, 32), /* back */
		BENCH_INSN(BPF_STX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_5, saddr_off, 0),
		BENCH_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0),
		BENCH_INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_MAP_FD, 0, prog_array),
		BENCH_INSN(0, 0, 0, 0, 0),
		BENCH_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, slot),
		BENCH_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call),
		BENCH_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS),
		BENCH_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_XDP);

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "bench_bump", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), &opts);
}

/* CPU time of this thread in ns: a timer that stops while another task runs. */
static inline double bench_thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline double bench_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double bench_real_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Enters the network namespace behind @fd (from bench_netns_open); 0 or -errno. */
static inline int bench_setns(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

/* A descriptor for the namespace `ip netns add NAME` made, or this one (NULL). */
static inline int bench_netns_open(const char *name)
{
	char path[256];

	if (!name)
		return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif /* SIP6XX_BENCH_H */
