// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A flood of SIP 6xx responses, each from a source address never used
 * before, sent over a veth pair into the exporter's attached XDP program:
 * count-exact, and fast enough for a million frames in a test.
 *
 * Run it in the sending namespace (ip netns exec). One frame is built (IPv6,
 * UDP 5060, "SIP/2.0 CODE ..."), then BPF_PROG_TEST_RUN in live-frames mode
 * (BPF_F_TEST_XDP_LIVE_FRAMES) runs a small generator program on it as if
 * TX-IF had received it: the program writes a running counter (an ARRAY map)
 * into the low 32 bits of the IPv6 source and returns XDP_TX, which the
 * kernel turns into a transmit to the veth peer, where the exporter's XDP
 * program counts it. The counter, not the frame, numbers the sources: live
 * mode recycles pages, so a frame's earlier contents are no guide.
 *
 * A veth pair drops frames when its 256-entry ring is full, so the flood is
 * paced by the receiver: at most CHUNK frames per test run, and before the
 * next one the tool waits until the exporter's own pkt_stats map (found
 * through the program on RX-IF in RX-NETNS) counted every frame sent so far.
 * Nothing can be dropped, and a frame that never arrives stops the tool with
 * an error rather than making the count quietly short.
 *
 * A test run of more than one repetition moves the program into the XDP
 * dispatcher and out again, an RCU grace period each time; attached through
 * a bpf_link to --hold-if (an interface of the sending namespace that never
 * receives a frame: keep it down), it stays there and a run costs microseconds.
 *
 *   spoof_flood --tx-if IF --hold-if IF --rx-netns NS --rx-if IF --count N
 *               [--code 607] [--src-base 2001:db8:f::]
 *
 * Prints one line of key=value: sent, first_source, last_source, secs.
 * Exits 0 when all N were sent and counted, 1 otherwise, 2 on bad usage.
 */
#include <netinet/in.h> /* before any UAPI header: see bpf/sip_parse.h */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "frames.h"
#include "log.h"
#include "maps.h"
#include "xdp_map.h"

#define CHUNK	   128	      /* frames per test run: half the veth ring */
#define LIVE_BATCH 64	      /* the kernel's limit for one live-frames batch */
#define MAX_COUNT  100000000L /* keep it bounded */
#define STALL_NS   5000000000LL
#define RX_DST	   "2001:db8::1"
#define SIP_PORT   5060

/* One instruction; UAPI has struct bpf_insn but not the kernel's BPF_* builders. */
#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* Locally administered, nobody's: the receiving stack drops the frame as another host's. */
static const unsigned char dst_mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x99 };
static const unsigned char src_mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

struct flood {
	const char *tx_if, *hold_if, *rx_netns, *rx_if, *src_base;
	long count;
	int code;
	unsigned char frame[FRAME_MAX_LEN];
	size_t len;
	size_t saddr_low; /* offset of the source address's low 32 bits in the frame */
	int counter_fd, gen_fd, stats_fd;
};

static __s64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The generator's counter: one __u64, the number of frames it has sent. */
static int create_counter(struct flood *fl)
{
	fl->counter_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "flood_counter", 4, 8, 1, NULL);
	if (fl->counter_fd < 0) {
		fprintf(stderr, "spoof_flood: creating the counter map (root?): %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The generator: counter = fetch_add(&counter[0], 1); source low 32 bits =
 * htonl(counter); XDP_TX. A frame too short for that is dropped, never sent.
 */
static int load_generator(struct flood *fl)
{
	__s16 low = fl->saddr_low;
	const struct bpf_insn insns[] = {
		/* r7 = data, r8 = data_end; the source's last word must be inside. */
		INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_7, BPF_REG_1, 0, 0),
		INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_8, BPF_REG_1, 4, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_7, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, low + 4),
		INSN(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_2, BPF_REG_8, 13, 0), /* -> drop */
		/* r0 = &counter[0] */
		INSN(BPF_ST | BPF_W | BPF_MEM, BPF_REG_10, 0, -4, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
		INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, fl->counter_fd),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 6, 0), /* -> drop */
		/* r1 = counter++, atomically; stored big-endian as the low word of the source */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
		INSN(BPF_STX | BPF_DW | BPF_ATOMIC, BPF_REG_0, BPF_REG_1, 0, BPF_ADD | BPF_FETCH),
		INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_1, 0, 0, 32),
		INSN(BPF_STX | BPF_W | BPF_MEM, BPF_REG_7, BPF_REG_1, low, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_TX),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		/* drop: */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_DROP),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_XDP);

	fl->gen_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "spoof_flood", "GPL", insns,
				   sizeof(insns) / sizeof(insns[0]), &opts);
	if (fl->gen_fd < 0) {
		fprintf(stderr, "spoof_flood: loading the generator: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int build_frame(struct flood *fl)
{
	static const char *const reasons[] = {
		[0] = "Busy Everywhere", [3] = "Decline",  [4] = "Does Not Exist Anywhere",
		[6] = "Not Acceptable",	 [7] = "Unwanted", [8] = "Rejected"
	};
	const char *reason = fl->code - 600 < 9 && reasons[fl->code - 600] ? reasons[fl->code - 600]
									   : "Global Failure";
	struct frame_spec spec = { .ip_version = 6, .saddr = fl->src_base, .daddr = RX_DST };
	struct frame_layout layout;
	char body[512];

	snprintf(body, sizeof(body),
		 "SIP/2.0 %d %s\r\n"
		 "Via: SIP/2.0/UDP [" RX_DST "]:5060;branch=z9hG4bK-flood\r\n"
		 "From: <sip:alice@example.invalid>;tag=a1\r\n"
		 "To: <sip:bob@example.invalid>;tag=b1\r\n"
		 "Call-ID: flood@example.invalid\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "Content-Length: 0\r\n\r\n",
		 fl->code, reason);
	spec.payload = body;
	spec.sport = spec.dport = SIP_PORT;
	fl->len = frame_build(fl->frame, sizeof(fl->frame), &spec, &layout);
	memcpy(fl->frame, dst_mac, 6);
	memcpy(fl->frame + 6, src_mac, 6);
	fl->saddr_low = layout.l3 + 8 + 12; /* IPv6 source: bytes 8..23 of the header */
	return 0;
}

/* The exporter's pkt_stats map on @ifindex (in this namespace); -1 if none. */
static int find_pkt_stats(unsigned int ifindex)
{
	struct bpf_map_info info;
	int fd = xdp_prog_map(ifindex, "pkt_stats", &info);

	if (fd >= 0 && info.max_entries != PKT_STATS_ENTRIES) {
		close(fd);
		return -1;
	}
	return fd;
}

static int open_netns(const char *name)
{
	char path[256];

	if (!name)
		return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Finds the exporter's counters from inside @rx_netns, then comes back. */
static int attach_receiver(struct flood *fl)
{
	int here = open_netns(NULL), there = open_netns(fl->rx_netns);
	unsigned int ifindex = 0;
	int err = -1;

	if (here < 0 || there < 0) {
		fprintf(stderr, "spoof_flood: netns %s not found\n", fl->rx_netns);
		goto out;
	}
	if (setns(there, CLONE_NEWNET)) {
		fprintf(stderr, "spoof_flood: entering netns %s: %s\n", fl->rx_netns,
			strerror(errno));
		goto out;
	}
	ifindex = if_nametoindex(fl->rx_if);
	if (ifindex)
		fl->stats_fd = find_pkt_stats(ifindex);
	if (setns(here, CLONE_NEWNET)) {
		fprintf(stderr, "spoof_flood: back from netns %s: %s\n", fl->rx_netns,
			strerror(errno));
		goto out;
	}
	if (!ifindex || fl->stats_fd < 0)
		fprintf(stderr, "spoof_flood: no sip6xx XDP program on %s in netns %s\n", fl->rx_if,
			fl->rx_netns);
	else
		err = 0;
out:
	if (here >= 0)
		close(here);
	if (there >= 0)
		close(there);
	return err;
}

static int sip_responses(const struct flood *fl, __u64 *n)
{
	return percpu_array_sum(fl->stats_fd, SIP6XX_DIR_RX * PKT_RESULT_MAX + PKT_SIP_RESPONSE, n);
}

static int read_counter(const struct flood *fl, __u64 *n)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(fl->counter_fd, &key, n) ? -errno : 0;
}

/* Waits until the receiver counted @want SIP responses; bounded by STALL_NS without progress. */
static int wait_counted(const struct flood *fl, __u64 want)
{
	struct timespec pause = { 0, 20000 };
	__s64 last_progress = now_ns();
	__u64 got = 0, before = 0;

	for (;;) {
		if (sip_responses(fl, &got)) {
			fprintf(stderr, "spoof_flood: reading the receiver's pkt_stats: %s\n",
				strerror(errno));
			return -1;
		}
		if (got >= want)
			return got == want ? 0 : -1;
		if (got != before) {
			before = got;
			last_progress = now_ns();
		} else if (now_ns() - last_progress > STALL_NS) {
			fprintf(stderr,
				"spoof_flood: the receiver counted %llu of %llu and stalled\n",
				(unsigned long long)got, (unsigned long long)want);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
}

static int run(struct flood *fl)
{
	__u64 base = 0, sent = 0, done = 0;
	unsigned int ifindex = if_nametoindex(fl->tx_if);
	struct xdp_md ctx = { .data_end = fl->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = XDP_FLAGS_DRV_MODE);
	unsigned int hold = if_nametoindex(fl->hold_if);
	char first[INET6_ADDRSTRLEN], last[INET6_ADDRSTRLEN];
	__s64 t0;
	__u32 n;

	if (!ifindex || !hold) {
		fprintf(stderr, "spoof_flood: no interface %s or %s here\n", fl->tx_if,
			fl->hold_if);
		return -1;
	}
	if (bpf_link_create(fl->gen_fd, hold, BPF_XDP, &lopts) < 0) {
		fprintf(stderr, "spoof_flood: attaching the generator to %s: %s\n", fl->hold_if,
			strerror(errno));
		return -1;
	}
	if (sip_responses(fl, &base))
		return -1;
	t0 = now_ns();
	while (done < (__u64)fl->count) {
		n = fl->count - done < CHUNK ? fl->count - done : CHUNK;
		{
			LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = fl->frame,
				    .data_size_in = fl->len, .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = n,
				    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = LIVE_BATCH);

			if (bpf_prog_test_run_opts(fl->gen_fd, &opts)) {
				fprintf(stderr, "spoof_flood: live-frames test run on %s: %s\n",
					fl->tx_if, strerror(errno));
				return -1;
			}
		}
		done += n;
		if (read_counter(fl, &sent) || sent != done) {
			fprintf(stderr,
				"spoof_flood: the generator ran %llu times for %llu frames\n",
				(unsigned long long)sent, (unsigned long long)done);
			return -1;
		}
		if (wait_counted(fl, base + sent))
			return -1;
	}
	/* The sources were src_base with the counter's 0 .. count-1 as their last word. */
	memcpy(fl->frame + fl->saddr_low, "\0\0\0\0", 4);
	inet_ntop(AF_INET6, fl->frame + fl->saddr_low - 12, first, sizeof(first));
	n = htonl((__u32)(sent - 1));
	memcpy(fl->frame + fl->saddr_low, &n, 4);
	inet_ntop(AF_INET6, fl->frame + fl->saddr_low - 12, last, sizeof(last));
	printf("sent=%llu first_source=%s last_source=%s secs=%.3f\n", (unsigned long long)sent,
	       first, last, (now_ns() - t0) / 1e9);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: spoof_flood --tx-if IF --hold-if IF --rx-netns NS --rx-if IF "
			"--count N [--code 6xx] [--src-base IPV6]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tx-if", required_argument, NULL, 't' },
		{ "hold-if", required_argument, NULL, 'H' },
		{ "rx-netns", required_argument, NULL, 'n' },
		{ "rx-if", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "code", required_argument, NULL, 'C' },
		{ "src-base", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct flood fl = { .code = 607, .src_base = "2001:db8:f::", .stats_fd = -1 };
	struct in6_addr probe;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			fl.tx_if = optarg;
			break;
		case 'H':
			fl.hold_if = optarg;
			break;
		case 'n':
			fl.rx_netns = optarg;
			break;
		case 'r':
			fl.rx_if = optarg;
			break;
		case 'c':
			fl.count = strtol(optarg, &end, 10);
			if (*end)
				usage();
			break;
		case 'C':
			fl.code = strtol(optarg, &end, 10);
			if (*end)
				usage();
			break;
		case 's':
			fl.src_base = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind < argc || !fl.tx_if || !fl.hold_if || !fl.rx_netns || !fl.rx_if ||
	    fl.count < 1 || fl.count > MAX_COUNT || fl.code < 600 || fl.code > 699 ||
	    inet_pton(AF_INET6, fl.src_base, &probe) != 1)
		usage();
	log_setup_libbpf();
	if (build_frame(&fl) || attach_receiver(&fl) || create_counter(&fl) ||
	    load_generator(&fl) || run(&fl))
		return 1;
	return 0;
}
