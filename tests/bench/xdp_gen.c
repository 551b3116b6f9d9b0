// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Traffic for the veth benchmarks, with no pktgen: BPF_PROG_TEST_RUN in
 * live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES) runs a one-instruction
 * XDP_TX program on frames "received" on the sending veth end, and the kernel
 * turns XDP_TX into a transmit to the peer, which runs its own XDP program.
 *
 * Every test run with more than one repetition moves the program into the XDP
 * dispatcher and out again, and that waits for an RCU grace period: some 30 ms
 * a call. Attached (through a bpf_link) to a spare interface that never sees a
 * frame, --hold-if, the program stays in the dispatcher, and a call of 1024
 * frames takes some 150 us.
 *
 *   xdp_gen send --ifname IF --dst-mac MAC --stream NAME [--rate PPS] [--count N] [--secs S]
 *                [--hold-if IF]
 *     From the current network namespace, out of IF. --rate 0 (the default)
 *     sends as fast as the kernel takes frames. Prints one line of key=value:
 *     sent, sent_6xx, first and last (CLOCK_REALTIME, s), secs, mpps.
 *
 *   xdp_gen rate --tx-netns NS --tx-if IF --rx-if IF --stream NAME [--secs S | --count N]
 *                [--rounds R] [--tsv FILE] [--hold-if IF] [--mirror] [--exporter PATH]
 *     Run inside the receiving namespace (ip netns exec). For R rounds each,
 *     alternately (ABBA) attach a bare XDP_PASS program and sip6xx natively
 *     to rx-if and send as fast as possible, S seconds or N frames, from
 *     tx-if in NS; print the packets per second rx-if took in (its
 *     rx_packets, which veth counts as its NAPI poll hands frames to the XDP
 *     program), and their ratio paired round by round. With --exporter,
 *     sip6xx's rounds run that exporter binary on rx-if instead, started
 *     for the round and stopped after it, as it is deployed. The receiving
 *     NAPI runs threaded at SCHED_FIFO, pinned to the last CPU, and the
 *     sender on CPU 0 at SCHED_FIFO too, so the receiver's capacity is
 *     measured, not the sender's or the rest of the machine's. The tool
 *     also divides the packets by the CPU time the NAPI thread got
 *     (/proc/PID/schedstat): packets per second of one receiving CPU, for
 *     reference. --mirror addresses the frames to another MAC, as a mirror
 *     port carries them. Prints one markdown row (see rate_report) and
 *     appends it to --tsv as tab-separated numbers.
 *
 * Streams: "6xx" (607 responses from 16 known sources), "mix" (per 100
 * frames: 80 RTP, 8 SIP requests, 6 1xx/2xx responses, 6 6xx from 5
 * sources), "607" (607s from 4 sources, for the alert latency). Addresses:
 * 198.18.0.0/15 only; the responders are 198.18.1.x, the receiver 198.18.0.2.
 */
#include <netinet/in.h> /* before any UAPI header: see bpf/sip_parse.h */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "frames.h"
#include "loader.h"
#include "log.h"

#define MAX_ENTRIES    32
#define MAX_ROUNDS     25
#define RX_ADDR	       "198.18.0.2"
/*
 * Blast: an entry of n frames goes out as n * BLAST_SCALE in one call. Each
 * call takes one of 65534 XDP memory model ids until its pages come back:
 * 10M-frame rounds at 1024 a call ran out (ENOSPC) on a shared machine.
 */
#define BLAST_SCALE    16384
#define PACED_PIECE    64    /* paced: at most this many frames per test run */
#define MAX_LAG_FRAMES 128.0 /* paced: this far behind, slip: a catch-up burst would overflow */
#define LIVE_BATCH     64
#define SETTLE_NS      50000000L /* after sending, before reading counters */
#define RTP_PAYLOAD    160	 /* G.711, 20 ms */
#define SIP_BODY_SIZE  512

struct stream_entry {
	unsigned char frame[FRAME_MAX_LEN];
	size_t len;
	int per_cycle; /* frames of this entry in one cycle of the stream */
	bool is_6xx;
};

struct stream {
	const char *name;
	struct stream_entry e[MAX_ENTRIES];
	int nr;
};

struct gen {
	int tx_fd;   /* the XDP_TX program */
	int hold_fd; /* its bpf_link on --hold-if, or -1 */
	unsigned int ifindex;
	struct stream st;
	double rate; /* frames per second, 0: as fast as possible */
	long count;  /* stop after this many frames, 0: no limit */
	double secs; /* stop after this long, 0: no limit */
	/* results */
	long sent, sent_6xx;
	double first, last; /* CLOCK_REALTIME */
	double elapsed;	    /* CLOCK_MONOTONIC, first call to last return */
};

/* A SIP response as a UAS or proxy sends it, about 330 bytes. */
static void sip_response(char *buf, size_t cap, int code, const char *reason, int seq,
			 const char *src)
{
	snprintf(buf, cap,
		 "SIP/2.0 %d %s\r\n"
		 "Via: SIP/2.0/UDP " RX_ADDR ":5060;branch=z9hG4bK-bench%d\r\n"
		 "From: <sip:alice@example.invalid>;tag=a%d\r\n"
		 "To: <sip:bob@example.invalid>;tag=b%d\r\n"
		 "Call-ID: bench-%d@%s\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "Server: bench-uas\r\n"
		 "Content-Length: 0\r\n\r\n",
		 code, reason, seq, seq, seq, seq, src);
}

static void sip_request(char *buf, size_t cap, const char *method, int seq)
{
	snprintf(buf, cap,
		 "%s sip:bob@" RX_ADDR " SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 198.18.1.100:5060;branch=z9hG4bK-req%d\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:alice@example.invalid>;tag=a%d\r\n"
		 "To: <sip:bob@example.invalid>\r\n"
		 "Call-ID: bench-req-%d@198.18.1.100\r\n"
		 "CSeq: 1 %s\r\n"
		 "Contact: <sip:alice@198.18.1.100:5060>\r\n"
		 "User-Agent: bench-uac\r\n"
		 "Content-Length: 0\r\n\r\n",
		 method, seq, seq, seq, method);
}

static void add_entry(struct stream *st, const char *src, const char *payload, size_t plen,
		      __u16 sport, __u16 dport, int per_cycle, bool is_6xx)
{
	struct frame_spec spec = { .ip_version = 4,
				   .saddr = src,
				   .daddr = RX_ADDR,
				   .sport = sport,
				   .dport = dport,
				   .payload = payload,
				   .payload_len = plen };
	struct stream_entry *e = &st->e[st->nr++];

	e->len = frame_build(e->frame, sizeof(e->frame), &spec, NULL);
	e->per_cycle = per_cycle;
	e->is_6xx = is_6xx;
}

static void add_response(struct stream *st, const char *src, int code, const char *reason,
			 int per_cycle)
{
	char body[SIP_BODY_SIZE];

	sip_response(body, sizeof(body), code, reason, st->nr, src);
	add_entry(st, src, body, strlen(body), 5060, 5060, per_cycle, code >= 600);
}

static int stream_build(struct stream *st, const char *name)
{
	static const char *const sources[16] = {
		"198.18.1.1",  "198.18.1.2",  "198.18.1.3",  "198.18.1.4",
		"198.18.1.5",  "198.18.1.6",  "198.18.1.7",  "198.18.1.8",
		"198.18.1.9",  "198.18.1.10", "198.18.1.11", "198.18.1.12",
		"198.18.1.13", "198.18.1.14", "198.18.1.15", "198.18.1.16",
	};
	unsigned char rtp[12 + RTP_PAYLOAD];
	char body[SIP_BODY_SIZE];
	int i;

	memset(st, 0, sizeof(*st));
	st->name = name;
	if (!strcmp(name, "6xx")) {
		for (i = 0; i < 16; i++)
			add_response(st, sources[i], 607, "Unwanted", 1);
		return 0;
	}
	if (!strcmp(name, "607")) {
		for (i = 0; i < 4; i++)
			add_response(st, sources[i], 607, "Unwanted", 1);
		return 0;
	}
	if (strcmp(name, "mix"))
		return -1;
	/* RTP, payload type 0 (PCMU), as most of a trunk's packets are. */
	memset(rtp, 0xd5, sizeof(rtp));
	memcpy(rtp, "\x80\x00\x12\x34\x00\x01\xe2\x40\x5a\x17\x00\x01", 12);
	add_entry(st, "198.18.1.100", (const char *)rtp, sizeof(rtp), 16384, 16386, 80, false);
	sip_request(body, sizeof(body), "INVITE", 1);
	add_entry(st, "198.18.1.100", body, strlen(body), 5060, 5060, 4, false);
	sip_request(body, sizeof(body), "ACK", 2);
	add_entry(st, "198.18.1.100", body, strlen(body), 5060, 5060, 2, false);
	sip_request(body, sizeof(body), "BYE", 3);
	add_entry(st, "198.18.1.100", body, strlen(body), 5060, 5060, 2, false);
	add_response(st, sources[0], 100, "Trying", 2);
	add_response(st, sources[1], 180, "Ringing", 2);
	add_response(st, sources[2], 200, "OK", 2);
	add_response(st, sources[3], 607, "Unwanted", 2);
	add_response(st, sources[4], 607, "Unwanted", 1);
	add_response(st, sources[5], 603, "Decline", 1);
	add_response(st, sources[6], 608, "Rejected", 1);
	add_response(st, sources[7], 604, "Does Not Exist Anywhere", 1);
	return 0;
}

static bool stream_all_6xx(const struct stream *st)
{
	int i;

	for (i = 0; i < st->nr; i++)
		if (!st->e[i].is_6xx)
			return false;
	return true;
}

static void set_macs(struct stream *st, const unsigned char dst[6], const unsigned char *src)
{
	int i;

	for (i = 0; i < st->nr; i++) {
		memcpy(st->e[i].frame, dst, 6);
		if (src)
			memcpy(st->e[i].frame + 6, src, 6);
	}
}

/* @n copies of one frame out of gen->ifindex, as XDP_TX from the live-frames test run. */
static int push(struct gen *g, const struct stream_entry *e, int n)
{
	struct xdp_md ctx = { .data_end = e->len, .ingress_ifindex = g->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = e->frame, .data_size_in = e->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = n,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = LIVE_BATCH);

	if (bpf_prog_test_run_opts(g->tx_fd, &opts)) {
		fprintf(stderr, "xdp_gen: live-frames test run on ifindex %u failed: %s\n",
			g->ifindex, strerror(errno));
		return -1;
	}
	return 0;
}

static void sleep_until(double mono_s)
{
	struct timespec ts = { .tv_sec = (time_t)mono_s,
			       .tv_nsec = (long)((mono_s - (time_t)mono_s) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Frames per test run when paced: about one call a millisecond, at most
 * PACED_PIECE. Each call registers a new XDP memory model, whose id (one of
 * 65534) comes back only once its pages do: a call per frame at 200k frames/s
 * runs out of ids (ENOSPC).
 */
static int paced_piece(double rate)
{
	int piece = rate / 1000;

	return piece < 1 ? 1 : piece > PACED_PIECE ? PACED_PIECE : piece;
}

/*
 * Sends the stream, cycle after cycle, until --count or --secs; fills the
 * results. An entry of the stream goes out as per_cycle * scale frames, in
 * calls of at most one piece when paced.
 */
static int gen_run(struct gen *g)
{
	int piece = paced_piece(g->rate), i, n, left;
	int scale = g->rate > 0 ? piece : BLAST_SCALE;
	double start, sched, now, due;

	g->sent = g->sent_6xx = 0;
	start = sched = bench_mono_s();
	g->first = bench_real_s();
	for (;;) {
		for (i = 0; i < g->st.nr; i++) {
			for (left = g->st.e[i].per_cycle * scale; left > 0; left -= n) {
				n = left;
				if (g->rate > 0 && n > piece)
					n = piece;
				if (g->count && n > g->count - g->sent)
					n = g->count - g->sent;
				if (n <= 0)
					goto done;
				if (g->rate > 0) {
					/*
					 * Behind (descheduled)? Slip: catching up would
					 * burst into the 256-frame veth ring.
					 */
					due = sched + g->sent / g->rate;
					now = bench_mono_s();
					if (now - due > MAX_LAG_FRAMES / g->rate)
						sched += now - due;
					else
						sleep_until(due);
				}
				if (push(g, &g->st.e[i], n))
					return -1;
				g->sent += n;
				if (g->st.e[i].is_6xx)
					g->sent_6xx += n;
				now = bench_mono_s();
				if (g->secs > 0 && now - start >= g->secs)
					goto done;
			}
		}
	}
done:
	g->elapsed = bench_mono_s() - start;
	g->last = bench_real_s();
	return 0;
}

static int load_tx(struct gen *g)
{
	g->tx_fd = bench_load_verdict(XDP_TX, "bench_xdp_tx");
	if (g->tx_fd < 0) {
		fprintf(stderr, "xdp_gen: loading the XDP_TX program failed (root?): %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Keeps the XDP_TX program in the dispatcher: attached to @hold_if, in this namespace. */
static int hold_tx(struct gen *g, const char *hold_if)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_DRV_MODE);
	unsigned int ifindex;

	g->hold_fd = -1;
	if (!hold_if)
		return 0;
	ifindex = if_nametoindex(hold_if);
	if (ifindex)
		g->hold_fd = bpf_link_create(g->tx_fd, ifindex, BPF_XDP, &opts);
	if (g->hold_fd < 0) {
		fprintf(stderr, "xdp_gen: attaching the XDP_TX program to %s failed: %s\n", hold_if,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- rate: the receiver's capacity, XDP_PASS against sip6xx ---- */

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	err = fputs(s, f) < 0 ? -EIO : 0;
	if (fclose(f))
		err = -errno;
	return err;
}

static long rx_packets(const char *ifname)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_packets", ifname);
	return read_long(path);
}

static int pin_to_cpu(pid_t pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(pid, sizeof(set), &set) ? -errno : 0;
}

/*
 * Threaded NAPI for @ifname (it exists once an XDP program is attached), its
 * kthread pinned to @cpu at SCHED_FIFO 50. Returns its pid, or 0 if that failed.
 */
static pid_t napi_thread(const char *ifname, int cpu)
{
	char path[300], comm[64], want[32];
	struct dirent *de;
	pid_t pid = 0;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/threaded", ifname);
	if (write_str(path, "1"))
		return 0;
	snprintf(want, sizeof(want), "napi/%s-", ifname);
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, want, strlen(want)))
			pid = atoi(de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	if (pid && pin_to_cpu(pid, cpu))
		pid = 0;
	/* Real-time, so other work on a shared machine does not starve the receiver. */
	if (pid &&
	    sched_setscheduler(pid, SCHED_FIFO, &(struct sched_param){ .sched_priority = 50 }))
		pid = 0;
	return pid;
}

static int if_mac(const char *ifname, unsigned char mac[6])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
	return err;
}

/* Locally administered, never an interface's: frames a mirror port carries for others. */
static const unsigned char mirror_dst[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x99 };

struct rate_opts {
	const char *tx_netns, *tx_if, *rx_if, *hold_if, *tsv;
	const char *exporter; /* the sip6xx side is this exporter binary, started each round */
	bool mirror;
	int rounds;
	int napi_cpu; /* the receiving NAPI's CPU; -1: leave it in softirq */
};

struct side {
	const char *name;
	int prog_fd;		     /* -1: the exporter attaches its own */
	pid_t pid;		     /* the exporter, while it runs */
	int peers_fd;		     /* sip6xx: its peers map, to count the 6xx it took in */
	double mpps[MAX_ROUNDS];     /* received per wall-clock second */
	double cpu_mpps[MAX_ROUNDS]; /* received per second of the NAPI thread's CPU time */
	double offered[MAX_ROUNDS], busy[MAX_ROUNDS];
	long rx, counted_6xx; /* over all rounds */
};

/* CPU time @pid has had, in ns (the first field of /proc/PID/schedstat); -1 if unknown. */
static double runtime_ns(pid_t pid)
{
	char path[64];
	double v = -1;
	FILE *f;

	if (!pid)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lf", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* ---- the exporter as the sip6xx side ---- */

#define EXPORTER_LISTEN	 "127.0.0.1:19161"
#define EXPORTER_WAIT_MS 15000

/* The map of the program @prog_id uses that is named @name, opened; -1 if none. */
static int prog_map_fd(__u32 prog_id, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 ids[64], len = sizeof(info), i;
	int prog_fd = bpf_prog_get_fd_by_id(prog_id), fd = -1;

	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		goto out;
	for (i = 0; i < info.nr_map_ids && i < 64 && fd < 0; i++) {
		struct bpf_map_info mi = {};
		__u32 ml = sizeof(mi);
		int m = bpf_map_get_fd_by_id(ids[i]);

		if (m >= 0 && !bpf_obj_get_info_by_fd(m, &mi, &ml) && !strcmp(mi.name, name))
			fd = m;
		else if (m >= 0)
			close(m);
	}
out:
	if (prog_fd >= 0)
		close(prog_fd);
	return fd;
}

/*
 * Starts the exporter on @o->rx_if, natively, and waits (bounded) until its
 * program is attached; its peers map into @s. 0 or -1.
 */
static int exporter_start(const struct rate_opts *o, unsigned int ifindex, struct side *s)
{
	struct timespec step = { 0, 50000000L };
	__u32 id = 0;
	int i;

	s->pid = fork();
	if (s->pid == 0) {
		cpu_set_t all;

		/* Not the sender's CPU and priority: a process of its own, as deployed. */
		CPU_ZERO(&all);
		for (i = 0; i < CPU_SETSIZE; i++)
			CPU_SET(i, &all);
		sched_setaffinity(0, sizeof(all), &all);
		sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){ 0 });
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlives the bench */
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(o->exporter, o->exporter, "-i", o->rx_if, "--mode", "native", "--listen",
		      EXPORTER_LISTEN, (char *)NULL);
		_exit(127);
	}
	if (s->pid < 0)
		return -1;
	for (i = 0; i < EXPORTER_WAIT_MS / 50 && !id; i++) {
		nanosleep(&step, NULL);
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
			s->pid = 0;
			break;
		}
		bpf_xdp_query_id(ifindex, XDP_FLAGS_DRV_MODE, &id);
	}
	if (!id) {
		fprintf(stderr, "xdp_gen: the exporter did not attach to %s\n", o->rx_if);
		return -1;
	}
	s->peers_fd = prog_map_fd(id, "peers");
	return 0;
}

/* SIGTERM, and waits (bounded) for it to detach and exit. */
static void exporter_stop(struct side *s)
{
	struct timespec step = { 0, 20000000L };
	int i;

	if (s->peers_fd >= 0)
		close(s->peers_fd);
	s->peers_fd = -1;
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	for (i = 0; i < 500; i++) {
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
			break;
		nanosleep(&step, NULL);
	}
	if (i == 500) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
}

/* One blast with @s attached to rx: its rate, what was offered, and the share lost. */
/* The 6xx the peers map holds, summed over sources and CPUs; -1 if unreadable. */
static long peers_total(int fd)
{
	struct peer_count *pc;
	long sum = 0;
	size_t n, i;

	if (fd < 0 || peers_read(fd, &pc, &n))
		return -1;
	for (i = 0; i < n; i++)
		sum += pc[i].count;
	free(pc);
	return sum;
}

/* One blast with @s attached to rx: what rx took in, per wall second and per CPU second. */
static int rate_once(struct gen *g, const struct rate_opts *o, int rx_ns, int tx_ns,
		     unsigned int rx_ifindex, struct side *s, int r)
{
	struct timespec settle = { 0, SETTLE_NS };
	long before, after, c0, c1;
	double cpu0, cpu1;
	pid_t napi = 0;
	int err;

	if (s->prog_fd < 0) {
		/* The exporter attaches through a bpf_link: nothing else may be on. */
		bpf_xdp_detach(rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
		err = exporter_start(o, rx_ifindex, s);
		if (err)
			exporter_stop(s);
	} else {
		err = bpf_xdp_attach(rx_ifindex, s->prog_fd, XDP_FLAGS_DRV_MODE, NULL);
		if (err)
			fprintf(stderr, "xdp_gen: attaching %s to %s natively failed: %s\n",
				s->name, o->rx_if, strerror(errno));
	}
	if (err)
		return -1;
	/* A new attach after a detach makes a new NAPI thread: set it up each time. */
	if (o->napi_cpu >= 0)
		napi = napi_thread(o->rx_if, o->napi_cpu);
	nanosleep(&settle, NULL);
	before = rx_packets(o->rx_if);
	cpu0 = runtime_ns(napi);
	c0 = peers_total(s->peers_fd);
	err = bench_setns(tx_ns) || gen_run(g) || bench_setns(rx_ns);
	nanosleep(&settle, NULL);
	after = rx_packets(o->rx_if);
	cpu1 = runtime_ns(napi);
	c1 = peers_total(s->peers_fd);
	if (s->prog_fd < 0)
		exporter_stop(s);
	if (err)
		return -1;
	if (before < 0 || after < 0) {
		fprintf(stderr, "xdp_gen: cannot read rx_packets of %s\n", o->rx_if);
		return -1;
	}
	s->mpps[r] = (after - before) / g->elapsed / 1e6;
	s->offered[r] = g->sent / g->elapsed / 1e6;
	s->cpu_mpps[r] = cpu0 >= 0 && cpu1 > cpu0 ? (after - before) / (cpu1 - cpu0) * 1e3 : 0;
	s->busy[r] = cpu0 >= 0 ? (cpu1 - cpu0) / 1e9 / g->elapsed : 0;
	s->rx += after - before;
	if (c0 >= 0 && c1 >= 0)
		s->counted_6xx += c1 - c0;
	return 0;
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(double));
	qsort(s, n, sizeof(double), bench_cmp_double);
	return s[n / 2];
}

/*
 * One markdown row: offered Mpps; each side's Mpps per wall-clock second and
 * per second of the receiving CPU; the ratio of one of them (@per_cpu: the
 * latter), paired round by round (median, then the lowest and highest
 * round); for an all-6xx stream,
 * the share of the frames rx took in that sip6xx counted in its peers map.
 */
static int rate_report(const struct gen *g, const struct rate_opts *o, const struct side *sides,
		       int n, bool per_cpu)
{
	double ratio[MAX_ROUNDS], lo = 1e9, hi = 0, med, counted = -1;
	const char *where = o->mirror ? "mirror port" : "to this host";
	char counted_txt[32] = "n/a (ring drops hit every type)";
	FILE *tsv;
	int r;

	for (r = 0; r < n; r++) {
		ratio[r] = per_cpu ? sides[1].cpu_mpps[r] / sides[0].cpu_mpps[r]
				   : sides[1].mpps[r] / sides[0].mpps[r];
		lo = ratio[r] < lo ? ratio[r] : lo;
		hi = ratio[r] > hi ? ratio[r] : hi;
	}
	med = median(ratio, n);
	if (stream_all_6xx(&g->st) && sides[1].rx > 0) {
		counted = 100.0 * sides[1].counted_6xx / sides[1].rx;
		snprintf(counted_txt, sizeof(counted_txt), "%.4f%%", counted);
	}
	printf("| %s, %s | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f (%.3f-%.3f) | %s |\n",
	       g->st.name, where, median(sides[0].offered, n), median(sides[0].mpps, n),
	       median(sides[1].mpps, n), median(sides[0].cpu_mpps, n), median(sides[1].cpu_mpps, n),
	       med, lo, hi, counted_txt);
	if (o->tsv && (tsv = fopen(o->tsv, "a"))) {
		fprintf(tsv, "%s, %s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n",
			g->st.name, where, median(sides[0].offered, n), median(sides[0].mpps, n),
			median(sides[1].mpps, n), median(sides[0].cpu_mpps, n),
			median(sides[1].cpu_mpps, n), med, lo, hi, counted);
		fclose(tsv);
	}
	return 0;
}

static int cmd_rate(struct gen *g, const struct rate_opts *opts)
{
	struct loader_opts lopts = { .max_peers = PEERS_DEFAULT_MAX };
	struct side sides[2] = { { .name = "XDP_PASS", .peers_fd = -1 },
				 { .name = "sip6xx", .peers_fd = -1 } };
	struct rate_opts ro = *opts, *o = &ro;
	struct sip6xx_maps maps;
	unsigned char dst[6], src[6];
	unsigned int rx_ifindex;
	struct sip6xx *skel = NULL;
	int rx_ns, tx_ns, r, k, ncpu = libbpf_num_possible_cpus();

	rx_ns = bench_netns_open(NULL);
	tx_ns = bench_netns_open(o->tx_netns);
	rx_ifindex = if_nametoindex(o->rx_if);
	if (rx_ns < 0 || tx_ns < 0 || !rx_ifindex || if_mac(o->rx_if, dst)) {
		fprintf(stderr, "xdp_gen: rate: netns %s or interface %s not found\n", o->tx_netns,
			o->rx_if);
		return 1;
	}
	sides[0].prog_fd = bench_load_verdict(XDP_PASS, "bench_xdp_pass");
	if (sides[0].prog_fd < 0)
		return 1;
	if (o->exporter) {
		sides[1].name = "exporter";
		sides[1].prog_fd = -1; /* it attaches its own, each round */
	} else {
		skel = loader_load(&lopts, "xdp_gen");
		if (!skel)
			return 1;
		sides[1].prog_fd = loader_prog_fd(skel);
		loader_maps(skel, &maps);
		sides[1].peers_fd = maps.peers;
	}
	if (bench_setns(tx_ns) || !(g->ifindex = if_nametoindex(o->tx_if)) ||
	    if_mac(o->tx_if, src) || hold_tx(g, o->hold_if) || bench_setns(rx_ns)) {
		fprintf(stderr, "xdp_gen: rate: %s or %s in netns %s not usable\n", o->tx_if,
			o->hold_if ? o->hold_if : "-", o->tx_netns);
		return 1;
	}
	if (o->mirror) /* a probe on a mirror port: the frames are for another host */
		memcpy(dst, mirror_dst, 6);
	set_macs(&g->st, dst, src);
	o->napi_cpu = ncpu > 1 ? ncpu - 1 : -1;
	if (ncpu > 1) {
		/*
		 * The sender real-time too, below the receiver: descheduled for a
		 * few ms, it would leave the ring empty and the receiver idle, so
		 * that how busy the rest of the machine is would set the figures.
		 * Reset on fork: the exporter runs as deployed.
		 */
		pin_to_cpu(0, 0);
		sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK,
				   &(struct sched_param){ .sched_priority = 40 });
	}
	fprintf(stderr, "xdp_gen: rate: %s NAPI %s; the sip6xx side: %s\n", o->rx_if,
		o->napi_cpu >= 0 ? "threaded, SCHED_FIFO, pinned to the last CPU; sender on CPU 0, "
				   "SCHED_FIFO"
				 : "in softirq on the sender's CPU",
		o->exporter ? "the exporter, started each round" : "the object, attached");
	/* Warm-up, not counted: page pools, caches, the NAPI thread's first wakeups. */
	g->secs /= 4;
	g->count /= 4;
	if (rate_once(g, o, rx_ns, tx_ns, rx_ifindex, &sides[1], 0))
		return 1;
	g->secs *= 4;
	g->count *= 4;
	sides[1].rx = sides[1].counted_6xx = 0;
	for (r = 0; r < o->rounds; r++) {
		for (k = 0; k < 2; k++) {
			struct side *s = &sides[(r & 1) ? 1 - k : k]; /* ABBA */

			if (rate_once(g, o, rx_ns, tx_ns, rx_ifindex, s, r))
				goto detach;
		}
	}
detach:
	bpf_xdp_detach(rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (skel)
		loader_destroy(skel);
	if (r < o->rounds)
		return 1;
	/* What rx takes in per second (issue 17, item 4), paired round by round. */
	return rate_report(g, o, sides, r, false);
}

/* ---- send ---- */

static int cmd_send(struct gen *g, const char *ifname, const char *dst_mac, const char *hold_if)
{
	unsigned char dst[6], src[6];

	if (hold_tx(g, hold_if))
		return 1;
	g->ifindex = if_nametoindex(ifname);
	if (!g->ifindex || frame_parse_mac(dst_mac, dst)) {
		fprintf(stderr, "xdp_gen: send: no interface %s here, or bad MAC %s\n", ifname,
			dst_mac);
		return 2;
	}
	set_macs(&g->st, dst, if_mac(ifname, src) ? NULL : src);
	if (gen_run(g))
		return 1;
	printf("sent=%ld sent_6xx=%ld first=%.6f last=%.6f secs=%.6f mpps=%.4f\n", g->sent,
	       g->sent_6xx, g->first, g->last, g->elapsed,
	       g->elapsed > 0 ? g->sent / g->elapsed / 1e6 : 0);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xdp_gen send --ifname IF --dst-mac MAC --stream 6xx|mix|607 [--rate PPS]\n"
		"                    [--count N] [--secs S] [--hold-if IF]\n"
		"       xdp_gen rate --tx-netns NS --tx-if IF --rx-if IF --stream 6xx|mix\n"
		"                    [--secs S | --count N] [--rounds R] [--tsv FILE] [--hold-if "
		"IF]\n"
		"                    [--mirror] [--exporter PATH]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "dst-mac", required_argument, NULL, 'd' },
		{ "stream", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "secs", required_argument, NULL, 'S' },
		{ "tx-netns", required_argument, NULL, 'n' },
		{ "tx-if", required_argument, NULL, 't' },
		{ "rx-if", required_argument, NULL, 'x' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "tsv", required_argument, NULL, 'T' },
		{ "hold-if", required_argument, NULL, 'H' },
		{ "mirror", no_argument, NULL, 'M' },
		{ "exporter", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	struct rate_opts ro = { .rounds = 3 };
	struct gen g = { .secs = 0 };
	const char *ifname = NULL, *dst_mac = NULL, *stream = "6xx", *cmd;
	int c;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'd':
			dst_mac = optarg;
			break;
		case 's':
			stream = optarg;
			break;
		case 'r':
			g.rate = atof(optarg);
			break;
		case 'c':
			g.count = atol(optarg);
			break;
		case 'S':
			g.secs = atof(optarg);
			break;
		case 'n':
			ro.tx_netns = optarg;
			break;
		case 't':
			ro.tx_if = optarg;
			break;
		case 'x':
			ro.rx_if = optarg;
			break;
		case 'R':
			ro.rounds = atoi(optarg);
			break;
		case 'T':
			ro.tsv = optarg;
			break;
		case 'H':
			ro.hold_if = optarg;
			break;
		case 'M':
			ro.mirror = true;
			break;
		case 'E':
			ro.exporter = optarg;
			break;
		default:
			usage();
		}
	}
	if (stream_build(&g.st, stream) || g.rate < 0 || g.count < 0 || g.secs < 0 || g.secs > 60)
		usage();
	log_setup_libbpf();
	if (load_tx(&g))
		return 1;
	if (!strcmp(cmd, "send")) {
		if (!ifname || !dst_mac || (!g.count && !g.secs))
			usage();
		return cmd_send(&g, ifname, dst_mac, ro.hold_if);
	}
	if (!strcmp(cmd, "rate")) {
		if (!ro.tx_netns || !ro.tx_if || !ro.rx_if || ro.rounds < 1 ||
		    ro.rounds > MAX_ROUNDS)
			usage();
		if (!g.secs && !g.count)
			g.secs = 1.5;
		return cmd_rate(&g, &ro);
	}
	usage();
	return 2;
}
