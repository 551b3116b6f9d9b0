// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * In-kernel cost per frame: the real sip6xx object against a bare XDP_PASS
 * program, with BPF_PROG_TEST_RUN, as ratios that hold on a noisy machine.
 *
 * The method (issue 17): the process runs on one CPU, the last one. Each
 * frame gets ROUNDS rounds of REPEAT repetitions; a round runs four programs
 * once each, XDP_PASS (A), sip6xx (P), a second XDP_PASS loaded on its own
 * (A2) and a count-only reference (C), in an order rotated round by round
 * (A P A2 C, then P A2 C A, ...), so a drift over the run hits all four
 * alike. Each round gives ratios to that round's A; a row reports their
 * median and interquartile range. A2/A is the A/A control: when its median
 * over the run is outside 0.97..1.03, the method did not resolve what the
 * targets ask, and no verdict is printed.
 *
 * Time is this thread's CPU time around each test run, less the fixed cost
 * of the call, divided by REPEAT: the kernel's own figure (opts.duration) is
 * whole ns, too coarse for a 1.15x target on a 20 ns baseline.
 *
 * "New source every time": BPF_PROG_TEST_RUN repeats one buffer, so a small
 * wrapper program (tests/bench/bench.h) bumps the source address in the
 * buffer and tail calls the program under test; all four programs run
 * behind the same wrapper, so the ratio cancels its cost.
 *
 * Usage: xdp_cost [REPEAT [ROUNDS [TSV [KEY...]]]]
 * Defaults: 100000, 61, no TSV ("-"), every frame; KEYs pick frames by key.
 * TSV: one line per frame (key, name, outcome, XDP_PASS ns, sip6xx ns,
 * ratio median, target, count-only median, A/A median, ratio Q1, ratio Q3,
 * verdict), then one "aa" line (A/A median, Q1, Q3 over every round, and
 * "ok" or "fail"). Exit status 3: the A/A check failed, no verdict.
 */
#include <netinet/in.h> /* before any UAPI header: see bpf/sip_parse.h */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "frames.h"
#include "loader.h"
#include "context_config.h"
#include "log.h"
#include "maps.h"
#include "sip6xx.skel.h"

#define MAX_ROUNDS  1001
#define ETH_HLEN    14
#define V4_SADDR    (ETH_HLEN + 12)	/* the IPv4 source address */
#define V6_SADDR    (ETH_HLEN + 8 + 12) /* the last word of the IPv6 source address */
#define SRC_SPACE   (1 << 17)		/* the wrapper bumps the low 17 bits */
#define NEW_SRC_CAP (1 << 18)		/* peers capacity for "map has room": never fills */
#define NR_HOLD	    12	 /* veth ends: A, A2, C, sip6xx, a frame's four wrappers, context x3 */
#define HOLD_WRAP   4	 /* the first end for a frame's wrappers */
#define HOLD_CTX    8	 /* the context objects' XDP programs: sampling, over the rate, alone */
#define CTX_READ_US 200	 /* the reader thread's pause between two reads of the ring */
#define CTX_WAIT_MS 2000 /* how long a sampling run waits for the ring to be read */
/* Samples a sampling run writes: three quarters of the ring, which never fills. */
#define CTX_REPEAT  (SIP6XX_CTX_RING_BYTES / 4 * 3 / (sizeof(struct sip6xx_sample) + 8))

/* The A/A gate: outside it the method moved more than the targets resolve. */
#define AA_LO	     0.97
#define AA_HI	     1.03
/* Above this, a call still rewrites the dispatcher (it is full: 48 programs). */
#define FIXED_MAX_NS 100000.0

/* Targets (issue 17), ratios to XDP_PASS; the bench reports, never fails. */
#define TARGET_PLAIN  1.15 /* not a 6xx, not tunnelled (goal 1.10) */
#define GOAL_PLAIN    1.10
#define TARGET_TUNNEL 2.0  /* tunnelled, or IPv6 extension headers */
#define TARGET_6XX    6.0  /* a 6xx response, no context sample */
#define TARGET_SAMPLE 15.0 /* a 6xx with a context sample, the reader draining */
#define TARGET_OVER   6.0  /* a 6xx over --context-rate: counted, no sample */
#define TARGET_NONE   0	   /* measured for the record */

/*
 * PLAIN: the frame as is; NEW_*: through the source-bumping wrapper;
 * CTX_*: an object with the call context on, every 6xx sampled (a thread on
 * another CPU drains the ring while it runs; CTX_ALONE: nothing reads it
 * until the run is over), or every one over the rate.
 */
enum bench_mode { PLAIN = 0, NEW_ROOM, NEW_FULL, CTX_SAMPLE, CTX_ALONE, CTX_OVER };
enum { CTX_OBJ_SAMPLE = 0, CTX_OBJ_OVER, CTX_OBJ_ALONE, NR_CTX_OBJS };

/* The programs of a round, in the order; round r starts at r % NR_PROGS. */
enum bench_prog { PROG_A = 0, PROG_P, PROG_A2, PROG_C, NR_PROGS };

struct bench_case {
	const char *key; /* short, for the TSV and the chart */
	const char *name;
	struct frame_spec spec;
	enum bench_mode mode;
	double target;
};

#define SIP_INVITE "INVITE sip:bob@198.19.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.0.1\r\n\r\n"
#define SIP_200	   "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.18.0.1\r\n\r\n"
#define SIP_607	   "SIP/2.0 607 Unwanted\r\nVia: SIP/2.0/UDP 198.18.0.1\r\n\r\n"
/* A 607 of about 550 bytes: the size of one from a real UAS. */
#define SIP_607_LONG                                                                               \
	"SIP/2.0 607 Unwanted\r\n"                                                                 \
	"Via: SIP/2.0/UDP 198.19.0.2:5060;branch=z9hG4bK-524287-1---7f3a9c2d1e0b8a61;rport\r\n"    \
	"Max-Forwards: 70\r\n"                                                                     \
	"From: \"Caller\" <sip:+12025550101@198.19.0.2:5060>;tag=9fxced76sl-2cd1e0b8\r\n"          \
	"To: <sip:+12025550102@198.18.0.1:5060>;tag=3c26700b8a61-7f3a9c2d\r\n"                     \
	"Call-ID: 4f2a0f6e3b6d47f9a1c2e5d8b7a90123@198.19.0.2\r\n"                                 \
	"CSeq: 102 INVITE\r\n"                                                                     \
	"P-Asserted-Identity: <sip:+12025550101@198.19.0.2;user=phone>\r\n"                        \
	"Reason: SIP;cause=607;text=\"Unwanted\"\r\n"                                              \
	"Server: sip6xx bench\r\n"                                                                 \
	"Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO\r\n"    \
	"Supported: replaces, timer\r\n"                                                           \
	"Content-Length: 0\r\n\r\n"
#define RTP_PKT	 "\x80\x08\x00\x01\x00\x00\x00\xa0\x12\x34\x56\x78rtp-payload"
/* A STUN binding request, the keepalive RFC 5626 sends on a SIP port. */
#define STUN_PKT "\x00\x01\x00\x00\x21\x12\xa4\x42\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
/* ARP request, who-has 198.18.0.2 tell 198.18.0.1. */
#define ARP_BODY                                                                                   \
	"\x00\x01\x08\x00\x06\x04\x00\x01\x02\x00\x5e\x10\x00\x01\xc6\x12\x00\x01\x00\x00"         \
	"\x00\x00\x00\x00\xc6\x12\x00\x02"

/* What the tunnels carry: a 607 from a responder behind them. */
static const struct frame_spec inner_607 = { .ip_version = 4,
					     .saddr = "198.18.0.7",
					     .payload = SIP_607 };

/* The frames of one IP version that are not tunnelled. */
#define IP_CASES(v, tag)                                                                           \
	{ "v" #v "_request",                                                                       \
	  tag " SIP request (INVITE)",                                                             \
	  { .ip_version = v, .payload = SIP_INVITE },                                              \
	  .target = TARGET_PLAIN },                                                                \
		{ "v" #v "_200",                                                                   \
		  tag " SIP 200 response",                                                         \
		  { .ip_version = v, .payload = SIP_200 },                                         \
		  .target = TARGET_PLAIN },                                                        \
		{ "v" #v "_rtp",                                                                   \
		  tag " RTP",                                                                      \
		  { .ip_version = v,                                                               \
		    .sport = 16384,                                                                \
		    .dport = 16386,                                                                \
		    .payload = RTP_PKT,                                                            \
		    .payload_len = 23 },                                                           \
		  .target = TARGET_PLAIN },                                                        \
		{ "v" #v "_tcp",                                                                   \
		  tag " TCP",                                                                      \
		  { .ip_version = v, .l4_proto = 6, .payload = SIP_200 },                          \
		  .target = TARGET_PLAIN },                                                        \
		{ "v" #v "_stun",                                                                  \
		  tag " non-SIP UDP on port 5060 (STUN)",                                          \
		  { .ip_version = v, .payload = STUN_PKT, .payload_len = 20 },                     \
		  .target = TARGET_PLAIN },                                                        \
		{ "v" #v "_6xx_known",                                                             \
		  tag " 6xx, known source",                                                        \
		  { .ip_version = v, .payload = SIP_607 },                                         \
		  .target = TARGET_6XX },                                                          \
	{                                                                                          \
		"v" #v "_6xx_new", tag " 6xx, new source each (map has room) *",                   \
			{ .ip_version = v, .payload = SIP_607 }, .mode = NEW_ROOM,                 \
								 .target = TARGET_6XX              \
	}

static const struct bench_case cases[] = {
	IP_CASES(4, "IPv4"),
	IP_CASES(6, "IPv6"),
	{ "vlan",
	  "802.1Q VLAN, IPv4 SIP request",
	  { .nr_vlans = 1, .tpid = { 0x8100 }, .ip_version = 4, .payload = SIP_INVITE },
	  .target = TARGET_PLAIN },
	{ "non_ip",
	  "non-IP (ARP)",
	  { .ethertype = 0x0806, .payload = ARP_BODY, .payload_len = 28 },
	  .target = TARGET_PLAIN },
	{ "qinq_6xx",
	  "QinQ, 6xx, known source",
	  { .nr_vlans = 2, .ip_version = 4, .payload = SIP_607 },
	  .target = TARGET_6XX },
	{ "v4_6xx_sample",
	  "IPv4 6xx, known source, with a context sample (reader draining)",
	  { .ip_version = 4, .payload = SIP_607_LONG },
	  .mode = CTX_SAMPLE,
	  .target = TARGET_SAMPLE },
	{ "v4_6xx_sample_alone",
	  "IPv4 6xx, known source, with a context sample (no reader while it runs)",
	  { .ip_version = 4, .payload = SIP_607_LONG },
	  .mode = CTX_ALONE,
	  .target = TARGET_NONE },
	{ "v4_6xx_over",
	  "IPv4 6xx, known source, over --context-rate (no sample)",
	  { .ip_version = 4, .payload = SIP_607_LONG },
	  .mode = CTX_OVER,
	  .target = TARGET_OVER },
	{ "v4_6xx_evict",
	  "IPv4 6xx, new source each (map full, LRU evicts) *",
	  { .ip_version = 4, .payload = SIP_607 },
	  .mode = NEW_FULL,
	  .target = TARGET_NONE },
	{ "ipv6_ext",
	  "IPv6 + 2 extension headers, 6xx",
	  { .ip_version = 6,
	    .nr_ext = 2,
	    .ext = { { .type = 0, .hdrlen = 0 }, { .type = 60, .hdrlen = 1 } },
	    .payload = "SIP/2.0 608 Rejected\r\n\r\n" },
	  .target = TARGET_TUNNEL },
	{ "vxlan",
	  "VXLAN, 6xx",
	  { .ip_version = 4, .tunnel = FRAME_TUN_VXLAN, .inner = &inner_607 },
	  .target = TARGET_TUNNEL },
	{ "gre",
	  "GRE (IPv4), 6xx",
	  { .ip_version = 4, .tunnel = FRAME_TUN_GRE, .inner = &inner_607 },
	  .target = TARGET_TUNNEL },
	{ "ipip",
	  "IP-in-IP, 6xx",
	  { .ip_version = 4, .tunnel = FRAME_TUN_IPIP, .inner = &inner_607 },
	  .target = TARGET_TUNNEL },
	{ "gtpu",
	  "GTP-U, 6xx",
	  { .ip_version = 4, .tunnel = FRAME_TUN_GTPU, .inner = &inner_607 },
	  .target = TARGET_TUNNEL },
	{ "erspan",
	  "ERSPAN II, 6xx",
	  { .ip_version = 4, .tunnel = FRAME_TUN_ERSPAN2, .inner = &inner_607 },
	  .target = TARGET_TUNNEL },
};

/* The tail-call slots of the source-bumping wrapper. */
enum bench_slot { SLOT_PASS = 0, SLOT_ROOM, SLOT_FULL, SLOT_PASS2, SLOT_COUNT, NR_SLOTS };

struct bench {
	int repeat, rounds;
	int fd[NR_PROGS];	  /* A, (P per frame), A2, C */
	int count_map;		  /* C's counter */
	struct sip6xx *skel;	  /* default capacity: known sources, and the full map */
	struct sip6xx *skel_room; /* NEW_SRC_CAP: new sources into a map with room */
	struct sip6xx *skel_ctx[NR_CTX_OBJS]; /* context on: sampling, over the rate, alone */
	struct ring_buffer *ctx_rb;	      /* CTX_OBJ_SAMPLE's ring, drained by ctx_reader */
	struct ring_buffer *ctx_rb_alone;     /* CTX_OBJ_ALONE's, read between runs */
	pthread_t ctx_reader;
	volatile int ctx_stop;
	__u64 ctx_read, ctx_read_alone; /* samples read from each ring */
	__u64 ctx_sent[NR_CTX_OBJS];	/* samples the sampling runs wrote */
	int ctx_late;			/* sampling runs that found the ring not yet read */
	int tail_fd;			/* prog array of enum bench_slot */
	__u32 next_src;			/* low 17 bits of the next new source */
	double fixed_ns;		/* per test-run call, taken off every timing */
	double *aa_all;			/* every round's A2/A, for the run's A/A line */
	int nr_aa;
	int hold[NR_HOLD]; /* bpf_link of each held program, or -1 */
};

/*
 * Every test run with more than one repetition moves its program into the
 * XDP dispatcher and out again. Here that took about 1.3 ms of CPU a call,
 * and varied, against 2 ms for 100k repetitions of XDP_PASS: it swamped the
 * difference to measure. A program attached natively somewhere stays in the
 * dispatcher, and the move is then a reference count (xdp_gen's --hold-if).
 * So the tool makes a network namespace of its own, gone with the process,
 * with veth pairs that never see a frame, and holds each timed program on
 * one end.
 */
static int run_cmd(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int hold_setup(struct bench *b)
{
	char a[IF_NAMESIZE], z[IF_NAMESIZE];
	int i;

	for (i = 0; i < NR_HOLD; i++)
		b->hold[i] = -1;
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "xdp_cost: a network namespace of its own: %s\n", strerror(errno));
		return -1;
	}
	for (i = 0; i < NR_HOLD; i += 2) {
		char *argv[] = { "ip", "link", "add", a, "type", "veth", "peer", "name", z, NULL };

		snprintf(a, sizeof(a), "xc%d", i);
		snprintf(z, sizeof(z), "xc%d", i + 1);
		if (run_cmd(argv)) {
			fprintf(stderr, "xdp_cost: ip link add %s type veth failed\n", a);
			return -1;
		}
	}
	return 0;
}

/* Holds @prog_fd in the dispatcher on veth end @i, instead of what it held. */
static int hold(struct bench *b, int i, int prog_fd)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_DRV_MODE);
	char name[IF_NAMESIZE];
	unsigned int ifindex;

	if (b->hold[i] >= 0)
		close(b->hold[i]);
	snprintf(name, sizeof(name), "xc%d", i);
	ifindex = if_nametoindex(name);
	b->hold[i] = ifindex ? bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts) : -1;
	if (b->hold[i] < 0) {
		fprintf(stderr, "xdp_cost: holding a program on %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

static void unhold(struct bench *b, int i)
{
	if (b->hold[i] >= 0)
		close(b->hold[i]);
	b->hold[i] = -1;
}

/*
 * One test run: ns per repetition from this thread's CPU time, less the fixed
 * cost of the call (with REPEAT > 1 the kernel retargets the XDP dispatcher,
 * some 200 us); -1 on failure.
 */
static double run_ns(int prog_fd, const void *frame, size_t len, int repeat, double fixed_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = repeat);
	double t0 = bench_thread_ns();

	if (bpf_prog_test_run_opts(prog_fd, &opts) || opts.retval != XDP_PASS)
		return -1;
	return (bench_thread_ns() - t0 - fixed_ns) / repeat;
}

/* The fixed cost of one test run call: the median of a few two-repetition runs. */
static double fixed_cost_ns(int prog_fd)
{
	unsigned char frame[64] = { 0 };
	double t[9];
	int i;

	frame[12] = 0x08;
	for (i = 0; i < 9; i++)
		t[i] = 2 * run_ns(prog_fd, frame, sizeof(frame), 2, 0);
	qsort(t, 9, sizeof(double), bench_cmp_double);
	return t[4];
}

/* The @p quantile of the @n sorted values at @v, interpolated between neighbours. */
static double quantile(const double *v, int n, double p)
{
	double x = (n - 1) * p;
	int i = (int)x;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (x - i) * (v[i + 1] - v[i]);
}

struct spread {
	double q1, med, q3;
};

/* Sorts @v in place and returns its median and quartiles. */
static struct spread spread_of(double *v, int n)
{
	qsort(v, n, sizeof(double), bench_cmp_double);
	return (struct spread){ quantile(v, n, 0.25), quantile(v, n, 0.5), quantile(v, n, 0.75) };
}

/* Pins this process to the last CPU it may run on; that CPU, or -1. */
static int pin_last_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
		if (CPU_ISSET(cpu, &set))
			break;
	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

/* The outcome names one run of the frame moved in pkt_stats, "+"-joined. */
static void case_outcome(struct sip6xx *skel, int prog_fd, const unsigned char *frame, size_t len,
			 char *buf, size_t cap)
{
	const struct bpf_map *map = skel->maps.pkt_stats;
	__u32 n = bpf_map__max_entries(map), i;
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(map), c;
	__u64 before[n], after[n], vals[ncpu > 0 ? ncpu : 1];

	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			run_ns(prog_fd, frame, len, 1, 0);
		for (i = 0; i < n; i++) {
			__u64 sum = 0;

			if (bpf_map_lookup_elem(fd, &i, vals))
				memset(vals, 0, sizeof(vals));
			for (c = 0; c < ncpu; c++)
				sum += vals[c];
			(pass ? after : before)[i] = sum;
		}
	}
	buf[0] = 0;
	for (i = 0; i < n; i++)
		if (after[i] != before[i])
			snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? "+" : "",
				 pkt_result_name(i % PKT_RESULT_MAX));
	if (!buf[0])
		snprintf(buf, cap, "(none)");
}

/* Where the wrapper bumps the source: the IPv4 address, or the IPv6 one's last word. */
static int saddr_off(const struct bench_case *bc)
{
	return bc->spec.ip_version == 6 ? V6_SADDR : V4_SADDR;
}

/* Writes the next new source into the frame: 198.18.0.0/15, or 2001:db8::/110. */
static void set_new_source(struct bench *b, const struct bench_case *bc, unsigned char *frame,
			   int repeat)
{
	__u32 a = b->next_src & (SRC_SPACE - 1);
	unsigned char *s = frame + saddr_off(bc);

	if (bc->spec.ip_version != 6)
		a |= 0xc6120000; /* 198.18.0.0 + n */
	s[0] = a >> 24;
	s[1] = a >> 16;
	s[2] = a >> 8;
	s[3] = a;
	b->next_src += repeat;
}

static int set_slot(struct bench *b, __u32 slot, int fd)
{
	return bpf_map_update_elem(b->tail_fd, &slot, &fd, 0);
}

/* A fresh object for "map has room" into its slot: each round starts with an empty map. */
static int room_reload(struct bench *b)
{
	struct loader_opts room = { .max_peers = NEW_SRC_CAP };

	loader_destroy(b->skel_room);
	b->skel_room = loader_load(&room, "xdp_cost (map with room)");
	if (!b->skel_room)
		return -1;
	return set_slot(b, SLOT_ROOM, loader_prog_fd(b->skel_room));
}

static int setup_tail(struct bench *b)
{
	b->tail_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "bench_tail", 4, 4, NR_SLOTS, NULL);
	if (b->tail_fd < 0)
		return -1;
	if (set_slot(b, SLOT_PASS, b->fd[PROG_A]) || set_slot(b, SLOT_ROOM, b->fd[PROG_A]) ||
	    set_slot(b, SLOT_FULL, loader_prog_fd(b->skel)) ||
	    set_slot(b, SLOT_PASS2, b->fd[PROG_A2]) || set_slot(b, SLOT_COUNT, b->fd[PROG_C]))
		return -1;
	return 0;
}

/* The wrapper, bumping the source at @off, into each of A, P (@p_slot), A2 and C. */
static int load_wrappers(struct bench *b, int off, __u32 p_slot, int fd[NR_PROGS])
{
	const __u32 slot[NR_PROGS] = { SLOT_PASS, p_slot, SLOT_PASS2, SLOT_COUNT };
	int i;

	for (i = 0; i < NR_PROGS; i++) {
		fd[i] = bench_load_bump_tail(b->tail_fd, slot[i], off);
		if (fd[i] < 0 || hold(b, HOLD_WRAP + i, fd[i])) {
			fprintf(stderr, "xdp_cost: the source-bumping wrapper (slot %u): %s\n",
				slot[i], strerror(errno));
			if (fd[i] >= 0)
				close(fd[i]);
			while (i--) {
				unhold(b, HOLD_WRAP + i);
				close(fd[i]);
			}
			return -1;
		}
	}
	return 0;
}

/* Fills the default-capacity map past full, so each later insert evicts. */
static void fill_full_map(struct bench *b, const struct bench_case *bc, int p_fd,
			  unsigned char *frame, size_t len)
{
	set_new_source(b, bc, frame, SRC_SPACE);
	run_ns(p_fd, frame, len, SRC_SPACE, 0);
}

/* "PASS", "MISS", "-" (no target) or "no verdict" (A/A outside the gate). */
static const char *verdict(double ratio, double target, int gate_ok)
{
	if (target <= 0)
		return "-";
	if (!gate_ok)
		return "no verdict";
	return ratio <= target ? "PASS" : "MISS";
}

/* One row's measurements, kept until the run's A/A gate is known. */
struct row {
	const struct bench_case *bc;
	char outcome[128];
	double base_ns, ours_ns;
	struct spread ratio, count, aa;
};

static int ctx_obj(enum bench_mode mode)
{
	return mode == CTX_OVER ? CTX_OBJ_OVER : mode == CTX_ALONE ? CTX_OBJ_ALONE : CTX_OBJ_SAMPLE;
}

static __u64 ctx_dropped(struct sip6xx *skel, int reason);

/*
 * Before a sampling run: every sample written so far read (by the reader
 * thread, or here for CTX_ALONE) or lost to a full ring, so the run starts
 * with a read ring and never fills it.
 */
static void ctx_wait_read(struct bench *b, enum bench_mode mode)
{
	int obj = ctx_obj(mode), ms;

	for (ms = 0; ms < CTX_WAIT_MS; ms++) {
		__u64 read = mode == CTX_ALONE ? b->ctx_read_alone
					       : __atomic_load_n(&b->ctx_read, __ATOMIC_ACQUIRE);

		if (mode == CTX_ALONE)
			ring_buffer__consume(b->ctx_rb_alone);
		if (read + ctx_dropped(b->skel_ctx[obj], CTX_DROP_BUFFER_FULL) >= b->ctx_sent[obj])
			return;
		usleep(1000);
	}
	b->ctx_late++;
}

static int measure(struct bench *b, const struct bench_case *bc, struct row *row)
{
	unsigned char frame[FRAME_MAX_LEN];
	double ns[NR_PROGS][MAX_ROUNDS], ratio[MAX_ROUNDS], count[MAX_ROUNDS], aa[MAX_ROUNDS];
	int fd[NR_PROGS], own[NR_PROGS] = { 0 }, repeat = b->repeat, r, i, rc = -1;
	size_t len = frame_build(frame, sizeof(frame), &bc->spec, NULL);
	struct sip6xx *skel = b->skel;

	memcpy(fd, b->fd, sizeof(fd));
	fd[PROG_P] = loader_prog_fd(b->skel);
	if (bc->mode == CTX_SAMPLE || bc->mode == CTX_ALONE || bc->mode == CTX_OVER) {
		skel = b->skel_ctx[ctx_obj(bc->mode)];
		fd[PROG_P] = loader_prog_fd(skel);
	} else if (bc->mode != PLAIN) {
		/* Room: the sources of one round are distinct, inside the bumped bits. */
		if (repeat >= SRC_SPACE)
			repeat = SRC_SPACE - 1;
		if (bc->mode == NEW_ROOM && room_reload(b))
			return -1;
		if (load_wrappers(b, saddr_off(bc), bc->mode == NEW_ROOM ? SLOT_ROOM : SLOT_FULL,
				  fd))
			return -1;
		for (i = 0; i < NR_PROGS; i++)
			own[i] = 1;
		if (bc->mode == NEW_FULL)
			fill_full_map(b, bc, fd[PROG_P], frame, len);
		else
			skel = b->skel_room;
		set_new_source(b, bc, frame, 1);
	}
	case_outcome(skel, fd[PROG_P], frame, len, row->outcome, sizeof(row->outcome));
	if (bc->mode == CTX_SAMPLE || bc->mode == CTX_ALONE)
		b->ctx_sent[ctx_obj(bc->mode)]++;
	/*
	 * Twice round the ring before timing: in a VM the host backs a guest
	 * page at its first write, some 10 us a 4 KiB page here, a cost an
	 * exporter pays once per start, not per sample.
	 */
	if (bc->mode == CTX_SAMPLE || bc->mode == CTX_ALONE)
		for (i = 0; i < 3; i++) {
			ctx_wait_read(b, bc->mode);
			run_ns(fd[PROG_P], frame, len, CTX_REPEAT, 0);
			b->ctx_sent[ctx_obj(bc->mode)] += CTX_REPEAT;
		}
	for (r = 0; r < b->rounds; r++) {
		if (bc->mode == NEW_ROOM && room_reload(b))
			goto out;
		/* Rotated: A P A2 C, then P A2 C A, ... */
		for (i = 0; i < NR_PROGS; i++) {
			int p = (r + i) % NR_PROGS;

			if (p == PROG_P && bc->mode != PLAIN)
				set_new_source(b, bc, frame, repeat);
			if (p == PROG_P && (bc->mode == CTX_SAMPLE || bc->mode == CTX_ALONE)) {
				/* Fewer, into a read ring: a sample each, never a full ring. */
				ctx_wait_read(b, bc->mode);
				ns[p][r] = run_ns(fd[p], frame, len, CTX_REPEAT, b->fixed_ns);
				b->ctx_sent[ctx_obj(bc->mode)] += CTX_REPEAT;
			} else {
				ns[p][r] = run_ns(fd[p], frame, len, repeat, b->fixed_ns);
			}
			if (ns[p][r] <= 0) {
				fprintf(stderr, "xdp_cost: %s: test run failed: %s\n", bc->name,
					ns[p][r] < 0 ? strerror(errno) : "no time measured");
				goto out;
			}
		}
		ratio[r] = ns[PROG_P][r] / ns[PROG_A][r];
		count[r] = ns[PROG_C][r] / ns[PROG_A][r];
		aa[r] = ns[PROG_A2][r] / ns[PROG_A][r];
		b->aa_all[b->nr_aa++] = aa[r];
	}
	row->bc = bc;
	row->base_ns = spread_of(ns[PROG_A], b->rounds).med;
	row->ours_ns = spread_of(ns[PROG_P], b->rounds).med;
	row->ratio = spread_of(ratio, b->rounds);
	row->count = spread_of(count, b->rounds);
	row->aa = spread_of(aa, b->rounds);
	rc = 0;
out:
	for (i = 0; i < NR_PROGS; i++)
		if (own[i]) {
			unhold(b, HOLD_WRAP + i);
			close(fd[i]);
		}
	return rc;
}

static void print_target(char *buf, size_t cap, double target)
{
	if (target == TARGET_PLAIN)
		snprintf(buf, cap, "<= %.2fx (goal %.2fx)", target, GOAL_PLAIN);
	else if (target > 0)
		snprintf(buf, cap, "<= %.1fx", target);
	else
		snprintf(buf, cap, "-");
}

static void print_row(const struct row *w, int gate_ok, FILE *tsv)
{
	const char *v = verdict(w->ratio.med, w->bc->target, gate_ok);
	char target[32];

	print_target(target, sizeof(target), w->bc->target);
	printf("| %s | %s | %.1f | %.1f | **%.2f** | %.2f-%.2f | %.2f | %.2f | %s | %s |\n",
	       w->bc->name, w->outcome, w->base_ns, w->ours_ns, w->ratio.med, w->ratio.q1,
	       w->ratio.q3, w->count.med, w->aa.med, target, v);
	if (tsv)
		fprintf(tsv, "%s\t%s\t%s\t%.2f\t%.2f\t%.3f\t%.2f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\n",
			w->bc->key, w->bc->name, w->outcome, w->base_ns, w->ours_ns, w->ratio.med,
			w->bc->target, w->count.med, w->aa.med, w->ratio.q1, w->ratio.q3, v);
}

/* What the verifier walked and what it kept, from bpf_prog_info. */
static void print_prog_size(const char *name, int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return;
	printf("%s: %u instructions verified, %u instructions after load (%u bytes JITed)\n", name,
	       info.verified_insns, info.xlated_prog_len / 8, info.jited_prog_len);
}

static bool picked_key(int n, char **keys, const char *key)
{
	while (n--)
		if (!strcmp(keys[n], key))
			return true;
	return false;
}

static int load_programs(struct bench *b)
{
	struct loader_opts lopts = { .max_peers = PEERS_DEFAULT_MAX };

	b->skel = loader_load(&lopts, "xdp_cost");
	b->fd[PROG_A] = bench_load_verdict(XDP_PASS, "xdp_pass");
	b->fd[PROG_A2] = bench_load_verdict(XDP_PASS, "xdp_pass_aa");
	b->count_map = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "bench_count", 4, 8, 1, NULL);
	b->fd[PROG_C] = b->count_map < 0 ? -1 : bench_load_count_only(b->count_map);
	if (!b->skel || b->fd[PROG_A] < 0 || b->fd[PROG_A2] < 0 || b->fd[PROG_C] < 0 ||
	    setup_tail(b)) {
		fprintf(stderr, "xdp_cost: loading the programs failed (root?): %s\n",
			strerror(errno));
		return -1;
	}
	if (hold(b, PROG_A, b->fd[PROG_A]) || hold(b, PROG_A2, b->fd[PROG_A2]) ||
	    hold(b, PROG_C, b->fd[PROG_C]) || hold(b, PROG_P, loader_prog_fd(b->skel)))
		return -1;
	return 0;
}

static int on_ctx_sample(void *ctx, void *data, size_t size)
{
	struct bench *b = ctx;

	__atomic_fetch_add(&b->ctx_read, ((const struct sip6xx_sample_hdr *)data)->cap_len != 0,
			   __ATOMIC_RELEASE);
	return 0;
}

static int on_ctx_sample_alone(void *ctx, void *data, size_t size)
{
	struct bench *b = ctx;

	b->ctx_read_alone += ((const struct sip6xx_sample_hdr *)data)->cap_len != 0;
	return 0;
}

/*
 * The exporter's part, on the other CPU: drain the ring in batches, as the
 * exporter does on its timer, but often enough that the timed runs (several
 * million samples a second, far above any --context-rate) never fill it.
 */
static void *ctx_reader(void *arg)
{
	struct bench *b = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	while (!b->ctx_stop) {
		ring_buffer__consume(b->ctx_rb);
		usleep(CTX_READ_US);
	}
	return NULL;
}

/*
 * The context objects: CTX_OBJ_SAMPLE with a bucket that never runs dry,
 * its ring drained by a reader thread; CTX_OBJ_OVER with a bucket that is
 * always dry after its first sample (one a second, no burst); CTX_OBJ_ALONE
 * as the first, its ring read by this thread between runs.
 */
static int load_context(struct bench *b)
{
	int i;

	for (i = 0; i < NR_CTX_OBJS; i++) {
		bool over = i == CTX_OBJ_OVER;

		b->skel_ctx[i] = sip6xx__open();
		if (!b->skel_ctx[i])
			return -1;
		context_configure(b->skel_ctx[i], 1);
		b->skel_ctx[i]->rodata->sip6xx_ctx_cfg.interval_ns = over ? 2000000000ULL : 1;
		b->skel_ctx[i]->rodata->sip6xx_ctx_cfg.burst_ns = over ? 0 : ~0ULL >> 2;
		if (sip6xx__load(b->skel_ctx[i]) || loader_link_stages(b->skel_ctx[i]) ||
		    hold(b, HOLD_CTX + i, loader_prog_fd(b->skel_ctx[i])))
			return -1;
	}
	b->ctx_rb = ring_buffer__new(bpf_map__fd(b->skel_ctx[CTX_OBJ_SAMPLE]->maps.ctx_ring),
				     on_ctx_sample, b, NULL);
	b->ctx_rb_alone = ring_buffer__new(bpf_map__fd(b->skel_ctx[CTX_OBJ_ALONE]->maps.ctx_ring),
					   on_ctx_sample_alone, b, NULL);
	if (!b->ctx_rb || !b->ctx_rb_alone || pthread_create(&b->ctx_reader, NULL, ctx_reader, b))
		return -1;
	return 0;
}

static __u64 ctx_dropped(struct sip6xx *skel, int reason)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	__u32 key = SIP6XX_DIR_RX * SIP6XX_CTX_NR_DROPS + reason;
	__u64 vals[ncpu > 0 ? ncpu : 1], sum = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.ctx_drops), &key, vals))
		return 0;
	for (c = 0; c < ncpu; c++)
		sum += vals[c];
	return sum;
}

int main(int argc, char **argv)
{
	enum { NR_CASES = sizeof(cases) / sizeof(cases[0]) };
	struct bench b = { .repeat = argc > 1 ? atoi(argv[1]) : 100000,
			   .rounds = argc > 2 ? atoi(argv[2]) : 61 };
	static struct row rows[NR_CASES];
	bool picked[NR_CASES];
	struct spread aa;
	FILE *tsv = NULL;
	int cpu, aa_ok, gate_ok;
	size_t c;

	if (b.repeat < 1 || b.rounds < 4 || b.rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: xdp_cost [REPEAT>0 [ROUNDS 4..%d [TSV|- [KEY...]]]]\n",
			MAX_ROUNDS);
		return 2;
	}
	for (c = 0; c < NR_CASES; c++)
		picked[c] = argc <= 4 || picked_key(argc - 4, argv + 4, cases[c].key);
	if (argc > 3 && strcmp(argv[3], "-") && !(tsv = fopen(argv[3], "w"))) {
		fprintf(stderr, "xdp_cost: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	cpu = pin_last_cpu();
	if (cpu < 0) {
		fprintf(stderr, "xdp_cost: cannot pin to one CPU: %s\n", strerror(errno));
		return 1;
	}
	b.aa_all = calloc((size_t)NR_CASES * b.rounds, sizeof(double));
	if (!b.aa_all)
		return 1;
	log_setup_libbpf();
	if (hold_setup(&b) || load_programs(&b))
		return 1;
	if (load_context(&b)) {
		fprintf(stderr, "xdp_cost: loading the context objects failed: %s\n",
			strerror(errno));
		return 1;
	}
	b.fixed_ns = fixed_cost_ns(b.fd[PROG_A]);
	print_prog_size("sip6xx_xdp", loader_prog_fd(b.skel));
	print_prog_size("sip6xx_xdp_slow (tail called)",
			bpf_program__fd(b.skel->progs.sip6xx_xdp_slow));
	for (c = 0; c < NR_CASES; c++)
		if (picked[c] && measure(&b, &cases[c], &rows[c]))
			return 1;
	aa = spread_of(b.aa_all, b.nr_aa);
	aa_ok = aa.med >= AA_LO && aa.med <= AA_HI;
	gate_ok = aa_ok && b.fixed_ns <= FIXED_MAX_NS;

	printf("\nCPU %d, %d rounds of %d repetitions per frame, the order rotated round by "
	       "round; the fixed cost of a call: %.1f us.\n\n",
	       cpu, b.rounds, b.repeat, b.fixed_ns / 1000);
	if (b.fixed_ns > FIXED_MAX_NS)
		printf("The XDP dispatcher did not keep the timed programs (full?): each call "
		       "rewrote it, which dilutes every ratio. No verdict.\n\n");
	printf("| frame | outcome | XDP_PASS ns/pkt | sip6xx ns/pkt | ratio (median) | "
	       "ratio IQR | count-only | A/A | target | result |\n"
	       "|---|---|---|---|---|---|---|---|---|---|\n");
	for (c = 0; c < NR_CASES; c++)
		if (picked[c])
			print_row(&rows[c], gate_ok, tsv);
	b.ctx_stop = 1;
	pthread_join(b.ctx_reader, NULL);
	ring_buffer__consume(b.ctx_rb);
	ring_buffer__consume(b.ctx_rb_alone);
	printf("\nContext: %llu of %llu samples read by the reader thread, %llu of %llu read "
	       "between runs; %llu and %llu lost for a full ring; %d sampling runs found the ring "
	       "unread after %d ms; %d samples a sampling run; %llu over the rate in the "
	       "over-the-rate object.\n",
	       (unsigned long long)b.ctx_read, (unsigned long long)b.ctx_sent[CTX_OBJ_SAMPLE],
	       (unsigned long long)b.ctx_read_alone, (unsigned long long)b.ctx_sent[CTX_OBJ_ALONE],
	       (unsigned long long)ctx_dropped(b.skel_ctx[CTX_OBJ_SAMPLE], CTX_DROP_BUFFER_FULL),
	       (unsigned long long)ctx_dropped(b.skel_ctx[CTX_OBJ_ALONE], CTX_DROP_BUFFER_FULL),
	       b.ctx_late, CTX_WAIT_MS, (int)CTX_REPEAT,
	       (unsigned long long)ctx_dropped(b.skel_ctx[CTX_OBJ_OVER], CTX_DROP_RATE));
	printf("\nA/A (a second XDP_PASS against XDP_PASS, %d rounds): median %.3f, IQR "
	       "%.3f-%.3f: %s\n",
	       b.nr_aa, aa.med, aa.q1, aa.q3,
	       !aa_ok	 ? "OUTSIDE 0.97-1.03: no verdict (the machine was busy; rerun)."
	       : gate_ok ? "within 0.97-1.03, the verdicts stand."
			 : "within 0.97-1.03, but no verdict (the dispatcher, above).");
	if (tsv)
		fprintf(tsv, "aa\tA/A\t-\t0\t0\t%.3f\t0\t0\t%.3f\t%.3f\t%.3f\t%s\n", aa.med, aa.med,
			aa.q1, aa.q3, gate_ok ? "ok" : "fail");
	printf("\nRatios: each round's time over the same round's XDP_PASS; median and "
	       "interquartile range over the rounds. ns/pkt: medians, less the fixed cost of a "
	       "test run call. Count-only: a program that bumps one per-CPU counter and passes, "
	       "the floor under any observer that counts every frame. A/A: a second XDP_PASS "
	       "program, loaded on its own.\n");
	printf("\n\\* through a wrapper that bumps the source address and tail calls the program "
	       "(all four alike); \"has room\": each round into a fresh map.\n");
	if (tsv)
		fclose(tsv);
	if (b.skel_room)
		loader_destroy(b.skel_room);
	for (c = 0; c < NR_HOLD; c++)
		unhold(&b, c);
	loader_destroy(b.skel);
	ring_buffer__free(b.ctx_rb);
	ring_buffer__free(b.ctx_rb_alone);
	for (c = 0; c < NR_CTX_OBJS; c++)
		loader_destroy(b.skel_ctx[c]);
	free(b.aa_all);
	return gate_ok ? 0 : 3;
}
