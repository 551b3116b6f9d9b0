// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Rejected calls as a trunk carries them, for the call context's load
 * (make bench's "context" section) and its flood test (tests/e2e/context_flood.sh):
 * SIP 6xx responses to INVITEs and BYEs with a Reason, each message of its
 * own call (Call-ID, tags, branch, caller), sent from the current network
 * namespace out of IF through an AF_PACKET socket, paced.
 *
 * Not xdp_gen's live frames: those repeat one frame, and every message here
 * differs. A packet socket on a veth (noqueue) hands each frame straight to
 * the peer's ring; when that ring is full the send fails with ENOBUFS and
 * the frame is sent again, so "sent" is exactly what reached the peer's XDP.
 *
 * The mix, per 6xx: 603, 607, 607, 608 (three of four with Call-Info
 * purpose=jwscard), 604, 600, cycling; half name the caller in
 * P-Asserted-Identity (From anonymous), half in From only; --retrans percent
 * of the 6xx are a copy of the response of a call some 500 calls back (a UAS
 * retransmitting). BYEs come from the callee, the caller in To; three of
 * four carry Reason: SIP;cause=607 (or 608, 603), one Q.850;cause=16.
 * Callers are drawn from --callers numbers, jwscard hosts from --hosts.
 *
 *   reject_gen --ifname IF [--dst-mac MAC] [--rate PPS] [--bye PCT] [--retrans PCT]
 *              [--callers N] [--hosts N] (--secs S | --count N)
 *
 * --rate 0 sends as fast as the peer takes frames. --dst-mac defaults to a
 * MAC nobody has: the peer's stack drops the frames after XDP, as a mirror
 * port's. Prints one line of key=value: sent, sent_6xx, sent_bye, retrans,
 * secs, pps, enobufs (sends the full ring refused, then resent).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "frames.h"

#define BATCH		64	  /* frames per sendmmsg */
#define RETRANS_LAG	500	  /* a retransmission repeats the call this many calls back */
#define MAX_SECS	120.0	  /* keep it bounded */
#define MAX_COUNT	50000000L /* likewise */
#define SLIP_S		0.05	  /* further behind than this: skip ahead, do not burst */
#define ENOBUFS_WAIT_NS 20000L	  /* the peer's ring is full: let its NAPI run */
#define STALL_S		5.0	  /* the peer took nothing for this long: give up */
#define RX_ADDR		"198.18.0.2"
#define MSG_SIZE	1024

struct gen {
	int fd;
	struct sockaddr_ll to;
	unsigned char dst[6], src[6];
	double rate, secs;
	long count;
	int bye_pct, retrans_pct;
	unsigned long callers, hosts;
	/* progress */
	long built, built_6xx; /* frames made, of them 6xx: they set the mix */
	long sent, sent_6xx, sent_bye, retrans, enobufs;
	unsigned long calls_6xx, calls_bye; /* new calls so far, per kind */
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (time_t)t) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* A fixed mixing of the call number: callers and hosts spread, yet reproducible. */
static unsigned long mix(unsigned long x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdUL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53UL;
	x ^= x >> 33;
	return x;
}

/* An E.164 number for caller @k: +1 NPA (200..999) and seven digits. */
static void caller_number(char *out, size_t size, unsigned long k)
{
	snprintf(out, size, "+1%03lu%07lu", 200 + (k / 10000000UL) % 800, k % 10000000UL);
}

/* The 6xx response of call @c (the same bytes each time: a retransmission is a copy). */
static int msg_6xx(const struct gen *g, unsigned long c, char *buf, char *src)
{
	static const int codes[] = { 603, 607, 607, 608, 604, 600 };
	static const char *const reasons[] = {
		"Decline",	  "Unwanted", "Unwanted", "Rejected", "Does Not Exist Anywhere",
		"Busy Everywhere"
	};
	unsigned long h = mix(c), k = h % g->callers;
	int i = c % 6, n = 0;
	char caller[24], callee[24];
	bool pai = (h >> 40) & 1;

	caller_number(caller, sizeof(caller), k);
	caller_number(callee, sizeof(callee), mix(h) % 10000000UL);
	snprintf(src, 16, "198.18.1.%lu", 1 + c % 64);
	n = snprintf(
		buf, MSG_SIZE,
		"SIP/2.0 %d %s\r\n"
		"Via: SIP/2.0/UDP " RX_ADDR ":5060;branch=z9hG4bK-%lx-%lu;received=" RX_ADDR "\r\n"
		"From: %s%s%s;tag=f%08lx\r\n"
		"To: <sip:%s@198.18.1.%lu;user=phone>;tag=t%08lx\r\n"
		"Call-ID: %016lx-%lu@" RX_ADDR "\r\n"
		"CSeq: 1 INVITE\r\n",
		codes[i], reasons[i], h, c,
		pai ? "\"Anonymous\" <sip:anonymous@anonymous.invalid" : "<sip:", pai ? "" : caller,
		pai ? ">" : "@carrier.example;user=phone>", h & 0xffffffff, callee, 1 + c % 64,
		(h >> 32) & 0xffffffff, h, c);
	if (pai)
		n += snprintf(buf + n, MSG_SIZE - n,
			      "P-Asserted-Identity: <sip:%s@carrier.example;user=phone>\r\n",
			      caller);
	if (codes[i] == 608 && (h >> 41) % 4)
		n += snprintf(buf + n, MSG_SIZE - n,
			      "Call-Info: <https://jws%lu.analytics.example/jws/%08lx>"
			      ";purpose=jwscard\r\n",
			      (h >> 8) % g->hosts, h & 0xffffffff);
	n += snprintf(buf + n, MSG_SIZE - n,
		      "Server: screening-as/2.4\r\n"
		      "Content-Length: 0\r\n\r\n");
	return n;
}

/* The BYE of call @c, from the callee: the rejected caller is in To. */
static int msg_bye(const struct gen *g, unsigned long c, char *buf, char *src)
{
	static const char *const reasons[] = { "SIP;cause=607;text=\"Unwanted\"",
					       "SIP;cause=608;text=\"Rejected\"",
					       "SIP;cause=603;text=\"Decline\"",
					       "Q.850;cause=16;text=\"Normal call clearing\"" };
	unsigned long h = mix(c ^ 0x5a5a5a5a5a5aUL), k = h % g->callers;
	char caller[24], callee[24];

	caller_number(caller, sizeof(caller), k);
	caller_number(callee, sizeof(callee), mix(h) % 10000000UL);
	snprintf(src, 16, "198.18.2.%lu", 1 + c % 64);
	return snprintf(buf, MSG_SIZE,
			"BYE sip:%s@" RX_ADDR ":5060 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-b%lx-%lu\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:%s@%s;user=phone>;tag=t%08lx\r\n"
			"To: <sip:%s@carrier.example;user=phone>;tag=f%08lx\r\n"
			"Call-ID: b%016lx-%lu@%s\r\n"
			"CSeq: 2 BYE\r\n"
			"Reason: %s\r\n"
			"User-Agent: screening-as/2.4\r\n"
			"Content-Length: 0\r\n\r\n",
			caller, src, h, c, callee, src, (h >> 32) & 0xffffffff, caller,
			h & 0xffffffff, h, c, src, reasons[c % 4]);
}

struct slot {
	unsigned char frame[FRAME_MAX_LEN];
	size_t len;
	char kind; /* '6' a new 6xx, 'r' a retransmitted 6xx, 'b' a BYE */
};

/* The next frame of the stream into @s. */
static void build(struct gen *g, struct slot *s)
{
	struct frame_spec spec = { .ip_version = 4, .daddr = RX_ADDR };
	long i = g->built++, m;
	char msg[MSG_SIZE], src[16];
	int n;

	/* Bresenham: a BYE where the running share of BYEs steps up. */
	if ((i + 1) * g->bye_pct / 100 > i * g->bye_pct / 100) {
		n = msg_bye(g, g->calls_bye++, msg, src);
		s->kind = 'b';
	} else {
		m = g->built_6xx++;
		if (g->calls_6xx > RETRANS_LAG + 64 &&
		    (m + 1) * g->retrans_pct / 100 > m * g->retrans_pct / 100) {
			/* A lag that varies, so every code gets its retransmissions. */
			n = msg_6xx(g, g->calls_6xx - RETRANS_LAG - mix(m) % 64, msg, src);
			s->kind = 'r';
		} else {
			n = msg_6xx(g, g->calls_6xx++, msg, src);
			s->kind = '6';
		}
	}
	spec.saddr = src;
	spec.payload = msg;
	spec.payload_len = n;
	s->len = frame_build(s->frame, sizeof(s->frame), &spec, NULL);
	memcpy(s->frame, g->dst, 6);
	memcpy(s->frame + 6, g->src, 6);
}

static void count_sent(struct gen *g, const struct slot *s)
{
	g->sent++;
	if (s->kind == 'b')
		g->sent_bye++;
	else
		g->sent_6xx++;
	if (s->kind == 'r')
		g->retrans++;
}

/*
 * Sends @n built frames, again and again while the peer's ring is full;
 * -1 on another error or when the peer takes nothing for STALL_S.
 */
static int send_all(struct gen *g, struct slot *slots, int n)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct timespec wait = { 0, ENOBUFS_WAIT_NS };
	double stalled = 0;
	int done = 0, k, r;

	for (k = 0; k < n; k++) {
		iov[k] = (struct iovec){ .iov_base = slots[k].frame, .iov_len = slots[k].len };
		mm[k] = (struct mmsghdr){ .msg_hdr = { .msg_name = &g->to,
						       .msg_namelen = sizeof(g->to),
						       .msg_iov = &iov[k],
						       .msg_iovlen = 1 } };
	}
	while (done < n) {
		r = sendmmsg(g->fd, mm + done, n - done, 0);
		if (r > 0) {
			for (k = done; k < done + r; k++)
				count_sent(g, &slots[k]);
			done += r;
			stalled = 0;
			continue;
		}
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "reject_gen: sendmmsg: %s\n", strerror(errno));
			return -1;
		}
		if (r < 0 && errno != EINTR)
			g->enobufs++;
		if (!stalled)
			stalled = mono_s();
		else if (mono_s() - stalled > STALL_S) {
			fprintf(stderr, "reject_gen: the peer took no frame for %.0f s\n", STALL_S);
			return -1;
		}
		nanosleep(&wait, NULL);
	}
	return 0;
}

static int run(struct gen *g, double *elapsed)
{
	static struct slot slots[BATCH];
	double start = mono_s(), now, sched = start, due;
	long want;
	int n, k;

	for (;;) {
		now = mono_s();
		if (g->secs > 0 && now - start >= g->secs)
			break;
		if (g->count && g->sent >= g->count)
			break;
		n = BATCH;
		if (g->rate > 0) {
			/* About one send a millisecond; further behind than SLIP_S, skip ahead. */
			due = (now - sched) * g->rate;
			if (due - g->sent > SLIP_S * g->rate)
				sched = now - (g->sent + 1) / g->rate;
			want = (long)((now - sched) * g->rate) - g->sent;
			if (want < 1) {
				k = g->rate / 1000 < 1	     ? 1
				    : g->rate / 1000 > BATCH ? BATCH
							     : g->rate / 1000;
				sleep_until(sched + (g->sent + k) / g->rate);
				continue;
			}
			n = want < BATCH ? want : BATCH;
		}
		if (g->count && n > g->count - g->sent)
			n = g->count - g->sent;
		for (k = 0; k < n; k++)
			build(g, &slots[k]);
		if (send_all(g, slots, n))
			return -1;
	}
	*elapsed = mono_s() - start;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: reject_gen --ifname IF [--dst-mac MAC] [--rate PPS] [--bye PCT]\n"
			"                  [--retrans PCT] [--callers N] [--hosts N] (--secs S | "
			"--count N)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "dst-mac", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "bye", required_argument, NULL, 'b' },
		{ "retrans", required_argument, NULL, 'R' },
		{ "callers", required_argument, NULL, 'c' },
		{ "hosts", required_argument, NULL, 'H' },
		{ "secs", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	/* Locally administered, nobody's: the peer's stack drops the frames as another host's. */
	struct gen g = { .dst = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x99 },
			 .bye_pct = 50,
			 .retrans_pct = 10,
			 .callers = 1000000,
			 .hosts = 1000 };
	const char *ifname = NULL;
	double elapsed = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'd':
			if (frame_parse_mac(optarg, g.dst))
				usage();
			break;
		case 'r':
			g.rate = atof(optarg);
			break;
		case 'b':
			g.bye_pct = atoi(optarg);
			break;
		case 'R':
			g.retrans_pct = atoi(optarg);
			break;
		case 'c':
			g.callers = strtoul(optarg, NULL, 10);
			break;
		case 'H':
			g.hosts = strtoul(optarg, NULL, 10);
			break;
		case 's':
			g.secs = atof(optarg);
			break;
		case 'n':
			g.count = atol(optarg);
			break;
		default:
			usage();
		}
	}
	if (!ifname || g.rate < 0 || g.bye_pct < 0 || g.bye_pct > 100 || g.retrans_pct < 0 ||
	    g.retrans_pct > 50 || !g.callers || !g.hosts || g.secs < 0 || g.secs > MAX_SECS ||
	    g.count < 0 || g.count > MAX_COUNT || (!g.secs && !g.count))
		usage();
	g.to.sll_family = AF_PACKET;
	g.to.sll_protocol = htons(ETH_P_IP);
	g.to.sll_ifindex = if_nametoindex(ifname);
	g.to.sll_halen = 6;
	memcpy(g.to.sll_addr, g.dst, 6);
	g.fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: sends only */
	if (!g.to.sll_ifindex || g.fd < 0) {
		fprintf(stderr,
			"reject_gen: no interface %s here, or no packet socket (root?): %s\n",
			ifname, strerror(errno));
		return 1;
	}
	/* The source MAC: the interface's own, as a real sender's. */
	{
		char path[128];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%127s", path) != 1 || frame_parse_mac(path, g.src))
			memcpy(g.src, (unsigned char[6]){ 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 }, 6);
		if (f)
			fclose(f);
	}
	if (run(&g, &elapsed))
		return 1;
	printf("sent=%ld sent_6xx=%ld sent_bye=%ld retrans=%ld secs=%.3f pps=%.0f enobufs=%ld\n",
	       g.sent, g.sent_6xx, g.sent_bye, g.retrans, elapsed,
	       elapsed > 0 ? g.sent / elapsed : 0, g.enobufs);
	return 0;
}
