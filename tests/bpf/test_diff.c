// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Differential test: the host build of bpf/sip_parse.h against the real BPF
 * object, frame by frame. Hundreds of thousands of random and mutated frames
 * (fixtures with bit flips, inserted and deleted bytes, cuts; frames built
 * with random header fields, bad lengths and checksums, odd status lines;
 * tunnelled frames; plain noise; runts and oversize frames) go through
 * sip_parse_frame() on the host and through BPF_PROG_TEST_RUN in the kernel,
 * under three port filters. For each one the counters must move exactly as
 * the host's answer says:
 *  - pkt_stats: the whole vector is read after every frame (one batch
 *    lookup) and its change must be one in the outcome, plus one in the
 *    PKT_DECAP_* entry res.decap names, in the hook's direction block;
 *  - resp_codes: the expected code gains one (read after every response);
 *    every entry is compared with the expected totals at checkpoints;
 *  - peers: the expected {responder, ifindex, code, family, direction} key
 *    gains one for a 6xx (read after each); at checkpoints the whole map
 *    must equal the expected keys and counts;
 *  - the verdict lets the frame pass, and the frame comes back unchanged.
 * The XDP program always runs; the TC egress program too when the object
 * has one.
 *
 * Frames test_run refuses (under 14 bytes, or above what it accepts) must
 * leave every counter alone; a frame above the linear area is compared as
 * the prefix the program can read, as user/exporter/replay.c clips.
 *
 * Deterministic: SIP6XX_DIFF_SEED picks the seed (printed), SIP6XX_DIFF_FRAMES
 * the number of random frames (default 200000). Every difference is printed
 * with the frame in hex and both answers, and saved under $BUILD/fuzz/
 * new-regressions/ (a test never writes into the source tree); copied into
 * tests/fuzz/regressions/ (SIP6XX_REGRESSIONS overrides it), this test and
 * the fuzzer replay it on every run. TAP output; needs root.
 */
#include <netinet/in.h> /* before any UAPI header: see bpf/sip_parse.h */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_skip.h"
#include "fixtures.h"
#include "loader.h"
#include "maps.h"
#include "sip_parse.h"
#include "sip6xx.skel.h"

#define DEFAULT_SEED	     0x5160600dULL
#define DEFAULT_FRAMES	     200000
#define CHECKPOINT_EVERY     8192 /* runs per object between full map comparisons */
#define PEERS_CLEAR_AT	     8192 /* expected keys before the peers map is emptied */
#define MAX_REPORTED	     10	  /* differences printed in full */
#define MAX_SAVED	     20	  /* differences saved as regression files */
#define BUF_LEN		     16384
#define PROBE_MAX	     16384 /* largest frame size the test_run probe tries */
#define REGRESSION_DIR	     "tests/fuzz/regressions"
#define REGRESSION_MAX_FILES 4096
#define PEER_TABLE_BITS	     15

/*
 * A frame counts once in an outcome below PKT_OUTCOME_MAX and, if it was
 * taken out of a tunnel, once more in the PKT_DECAP_* entry res.decap names.
 */
#ifdef PKT_OUTCOME_MAX
#define HOST_DECAP(res) ((res)->decap)
#else
#define HOST_DECAP(res) 0
#endif

/* Index blocks per direction: pkt_stats by outcome, resp_codes by status code. */
#define STATS_BLOCK PKT_RESULT_MAX
#define CODES_BLOCK (SIP_CODE_MAX + 1)

enum hook { HOOK_XDP = 0, HOOK_TC, HOOK_MAX };
static const char *const hook_names[HOOK_MAX] = { "xdp", "tc" };

/* splitmix64: tiny, and every seed gives a full-period stream. */
struct rng {
	__u64 s;
};

static __u64 rnd(struct rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static __u32 below(struct rng *r, __u32 n)
{
	return (__u32)(((rnd(r) >> 32) * n) >> 32);
}

static bool chance(struct rng *r, __u32 percent)
{
	return below(r, 100) < percent;
}

/* Expected peers counts: open addressing, cleared with the map. */
struct peer_slot {
	struct peer_key key;
	__u64 count;
	bool used;
};

struct peer_table {
	struct peer_slot *slots;
	size_t nr;
	__u64 total;
};

/* One loaded object (one port filter) and what its maps should hold. */
struct target {
	const char *name;
	const struct sip6xx_config *cfg;
	struct sip6xx *skel;
	int prog_fd[HOOK_MAX]; /* -1: the object has no such program */
	int stats_fd, codes_fd, peers_fd;
	__u32 nr_stats, nr_codes;
	__u64 *stats; /* last read, summed over CPUs */
	__u64 *codes; /* expected totals */
	struct peer_table peers;
	size_t runs, checkpoints;
};

/* What a frame was, for the report. */
struct category {
	const char *name;
	const char *what;
	unsigned int weight; /* share of the random frames */
	size_t (*gen)(struct rng *r, __u8 *buf, size_t cap);
	size_t frames, runs, refused, diffs;
	size_t outcomes[PKT_RESULT_MAX]; /* host answers, decapsulations included */
	size_t six_xx;
};

struct host_answer {
	int ret;
	struct sip_parse_result res;
};

static struct target targets[FIXTURE_CFG_MAX];
static const char *const target_names[FIXTURE_CFG_MAX] = { "no port filter", "--port 5060",
							   "8 --port" };
static int nr_cpus;
static unsigned int lo_ifindex;
static __u32 max_accept[HOOK_MAX]; /* largest frame test_run takes */
static __u32 max_linear[HOOK_MAX]; /* largest frame the program sees whole */
static bool batch_ok = true;
static size_t total_diffs, reported, saved, checkpoint_diffs;
static const char *regression_dir = REGRESSION_DIR;
static char new_regression_dir[2048];

/*
 * Self-test: a fault planted in the host's answer must come out as a
 * difference, or the comparison proves nothing. While one is planted,
 * differences are counted here instead of reported.
 */
enum fault { FAULT_NONE = 0, FAULT_OUTCOME, FAULT_CODE, FAULT_RESPONDER, FAULT_DECAP };
static enum fault planted;
static size_t faults_caught;

/* The base frames mutations start from: fixtures, tunnelled fixtures, regressions. */
struct base_frame {
	__u8 *data;
	size_t len;
};
static struct base_frame *bases;
static size_t nr_bases, cap_bases;

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void add_base(const __u8 *data, size_t len)
{
	if (nr_bases == cap_bases) {
		cap_bases = cap_bases ? 2 * cap_bases : 256;
		bases = realloc(bases, cap_bases * sizeof(*bases));
		if (!bases)
			abort();
	}
	bases[nr_bases].data = malloc(len ? len : 1);
	if (!bases[nr_bases].data)
		abort();
	memcpy(bases[nr_bases].data, data, len);
	bases[nr_bases++].len = len;
}

/* ---- reading the maps ---- */

/* Sums of every entry of a PERCPU_ARRAY of __u64: one batch lookup, or one lookup per key. */
static int percpu_read_all(int fd, __u32 n, __u64 *out)
{
	static __u32 *keys;
	static __u64 *vals;
	static __u32 cap;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = n, batch, i;
	int cpu, err;

	if (n > cap) {
		keys = realloc(keys, n * sizeof(*keys));
		vals = realloc(vals, (size_t)n * nr_cpus * sizeof(*vals));
		if (!keys || !vals)
			abort();
		cap = n;
	}
	if (batch_ok) {
		err = bpf_map_lookup_batch(fd, NULL, &batch, keys, vals, &count, &opts);
		if ((!err || errno == ENOENT) && count == n) {
			for (i = 0; i < n; i++) {
				out[keys[i]] = 0;
				for (cpu = 0; cpu < nr_cpus; cpu++)
					out[keys[i]] += vals[(size_t)i * nr_cpus + cpu];
			}
			return 0;
		}
		batch_ok = false; /* an older kernel: fall back for good */
	}
	for (i = 0; i < n; i++)
		if (percpu_array_sum(fd, i, &out[i]))
			return -errno;
	return 0;
}

static __u64 percpu_one(int fd, __u32 key)
{
	__u64 sum = 0;

	if (percpu_array_sum(fd, key, &sum))
		fprintf(stderr, "lookup of key %u failed: %s\n", key, strerror(errno));
	return sum;
}

/* One key's count as the exporter reads it; 0 when absent. */
static __u64 peer_one(const struct target *t, const struct peer_key *key)
{
	__u64 count = 0;
	int err = peer_read_one(t->peers_fd, key, &count);

	if (err)
		fprintf(stderr, "peers lookup failed: %s\n", strerror(-err));
	return count;
}

/* ---- the expected peers ---- */

static size_t peer_hash(const struct peer_key *key)
{
	const __u8 *p = (const __u8 *)key;
	__u64 h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < sizeof(*key); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h & ((1u << PEER_TABLE_BITS) - 1);
}

static struct peer_slot *peer_slot(struct peer_table *t, const struct peer_key *key, bool add)
{
	size_t i = peer_hash(key);

	for (;; i = (i + 1) & ((1u << PEER_TABLE_BITS) - 1)) {
		if (!t->slots[i].used)
			break;
		if (!memcmp(&t->slots[i].key, key, sizeof(*key)))
			return &t->slots[i];
	}
	if (!add)
		return NULL;
	t->slots[i].used = true;
	t->slots[i].key = *key;
	t->slots[i].count = 0;
	t->nr++;
	return &t->slots[i];
}

static void peer_table_clear(struct peer_table *t)
{
	memset(t->slots, 0, sizeof(*t->slots) << PEER_TABLE_BITS);
	t->nr = 0;
	t->total = 0;
}

/* ---- loading ---- */

static int load_target(struct target *t, enum fixture_cfg cfg)
{
	struct bpf_program *tc;
	int err;

	t->name = target_names[cfg];
	t->cfg = fixture_config(cfg);
	t->skel = sip6xx__open();
	if (!t->skel)
		return -errno;
	t->skel->rodata->sip6xx_cfg = *t->cfg;
	err = sip6xx__load(t->skel);
	if (!err)
		err = loader_link_stages(t->skel);
	if (err)
		return err;
	t->prog_fd[HOOK_XDP] = bpf_program__fd(t->skel->progs.sip6xx_xdp);
	/* Looked up by name: the test builds whether or not the object has a TC program. */
	tc = bpf_object__find_program_by_name(t->skel->obj, "sip6xx_tc");
	t->prog_fd[HOOK_TC] = tc ? bpf_program__fd(tc) : -1;
	t->stats_fd = bpf_map__fd(t->skel->maps.pkt_stats);
	t->codes_fd = bpf_map__fd(t->skel->maps.resp_codes);
	t->peers_fd = bpf_map__fd(t->skel->maps.peers);
	t->nr_stats = bpf_map__max_entries(t->skel->maps.pkt_stats);
	t->nr_codes = bpf_map__max_entries(t->skel->maps.resp_codes);
	/* The TC hook counts in the second direction block, if the maps have one. */
	if (t->nr_stats < 2 * STATS_BLOCK || t->nr_codes < 2 * CODES_BLOCK)
		t->prog_fd[HOOK_TC] = -1;
	t->stats = calloc(t->nr_stats, sizeof(__u64));
	t->codes = calloc(t->nr_codes, sizeof(__u64));
	t->peers.slots = calloc(1u << PEER_TABLE_BITS, sizeof(*t->peers.slots));
	if (!t->stats || !t->codes || !t->peers.slots)
		return -ENOMEM;
	if (percpu_read_all(t->stats_fd, t->nr_stats, t->stats) ||
	    percpu_read_all(t->codes_fd, t->nr_codes, t->codes))
		return -errno;
	return 0;
}

/*
 * A throwaway program returning data_end - data: how much of a frame the
 * real one gets to read. The verifier allows pkt_end - pkt with CAP_PERFMON.
 */
static int probe_prog_load(enum hook hook)
{
	int off_data =
		hook == HOOK_XDP ? offsetof(struct xdp_md, data) : offsetof(struct __sk_buff, data);
	int off_end = hook == HOOK_XDP ? offsetof(struct xdp_md, data_end)
				       : offsetof(struct __sk_buff, data_end);
	const struct bpf_insn insns[] = {
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, off_data, 0 },
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_1, off_end, 0 },
		{ BPF_ALU64 | BPF_SUB | BPF_X, BPF_REG_0, BPF_REG_2, 0, 0 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};

	return bpf_prog_load(hook == HOOK_XDP ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS,
			     "sip6xx_probe", "Dual BSD/GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), NULL);
}

static int probe_run(int fd, const __u8 *buf, __u32 size, __u32 *seen)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = size, .repeat = 1);
	int err = bpf_prog_test_run_opts(fd, &opts);

	*seen = opts.retval;
	return err;
}

/* The largest size test_run accepts (bisected), and how much of it the program sees. */
static int probe_sizes(enum hook hook)
{
	static __u8 buf[PROBE_MAX];
	__u32 lo = FRAME_ETH_HLEN, hi = PROBE_MAX, mid, seen;
	int fd = probe_prog_load(hook);

	if (fd < 0)
		return -errno;
	memset(buf, 0, sizeof(buf));
	buf[12] = 0x88; /* an ethertype no stack cares about: IEEE 802 local experimental */
	buf[13] = 0xb5;
	if (probe_run(fd, buf, lo, &seen)) {
		close(fd);
		return -errno;
	}
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (!probe_run(fd, buf, mid, &seen))
			lo = mid;
		else
			hi = mid - 1;
	}
	max_accept[hook] = lo;
	probe_run(fd, buf, lo, &seen);
	max_linear[hook] = seen < lo ? seen : lo;
	close(fd);
	return 0;
}

/* ---- reporting ---- */

static const char *outcome_name(__u32 idx)
{
	return pkt_result_name(idx % STATS_BLOCK);
}

static void print_hex(const __u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 32 == 0)
			printf("%s#   %04zx ", i ? "\n" : "", i);
		printf("%02x", p[i]);
	}
	printf("\n");
}

static void print_host(const struct host_answer *h)
{
	char addr[INET6_ADDRSTRLEN] = "-";

	if (h->res.family == SIP6XX_FAMILY_IPV4)
		inet_ntop(AF_INET, &h->res.saddr[12], addr, sizeof(addr));
	else if (h->res.family == SIP6XX_FAMILY_IPV6)
		inet_ntop(AF_INET6, h->res.saddr, addr, sizeof(addr));
	printf("#   host:   %s, code %u, responder %s, decap %s\n", pkt_result_name(h->ret),
	       h->res.code, addr, HOST_DECAP(&h->res) ? pkt_result_name(HOST_DECAP(&h->res)) : "-");
}

/* The frame as the program saw it, named by content, so each difference is kept once. */
static void save_regression(const __u8 *frame, size_t len)
{
	__u64 h = 0xcbf29ce484222325ULL;
	char path[4096];
	size_t i;
	FILE *f;

	if (saved >= MAX_SAVED)
		return;
	for (i = 0; i < len; i++)
		h = (h ^ frame[i]) * 0x100000001b3ULL;
	if (!new_regression_dir[0]) {
		snprintf(new_regression_dir, sizeof(new_regression_dir), "%s/fuzz/new-regressions",
			 getenv("BUILD") ? getenv("BUILD") : "build");
		snprintf(path, sizeof(path), "mkdir -p '%s'", new_regression_dir);
		if (system(path))
			fprintf(stderr, "# cannot make %s\n", new_regression_dir);
	}
	snprintf(path, sizeof(path), "%s/diff-%016llx.bin", new_regression_dir,
		 (unsigned long long)h);
	f = fopen(path, "wb");
	if (!f || fwrite(frame, 1, len, f) != len || fclose(f)) {
		printf("#   could not save %s: %s\n", path, strerror(errno));
		return;
	}
	saved++;
	printf("#   saved as %s: copy it into %s once understood\n", path, regression_dir);
}

/* Starts a difference report; returns false once enough were printed in full. */
static bool begin_diff(struct category *c, const struct target *t, enum hook hook, size_t frame_no,
		       const __u8 *frame, size_t len, const char *what)
{
	if (planted) {
		faults_caught++;
		return false;
	}
	c->diffs++;
	total_diffs++;
	if (reported >= MAX_REPORTED)
		return false;
	reported++;
	printf("# DIFFERENCE in frame %zu (%s, %s, %s, %zu bytes): %s\n", frame_no, c->name,
	       t->name, hook_names[hook], len, what);
	print_hex(frame, len);
	save_regression(frame, len);
	return true;
}

/* ---- one frame through one hook of one object ---- */

/* Re-reads every map into the expectations: after a difference, so one fault reports once. */
static void resync(struct target *t)
{
	struct peer_count *pc = NULL;
	struct peer_slot *s;
	size_t nr = 0, i;

	percpu_read_all(t->stats_fd, t->nr_stats, t->stats);
	percpu_read_all(t->codes_fd, t->nr_codes, t->codes);
	peer_table_clear(&t->peers);
	if (peers_read(t->peers_fd, &pc, &nr))
		return;
	for (i = 0; i < nr; i++) {
		s = peer_slot(&t->peers, &pc[i].key, true);
		s->count = pc[i].count;
		t->peers.total += pc[i].count;
	}
	free(pc);
}

static struct peer_key expected_key(const struct host_answer *h, enum hook hook)
{
	struct peer_key key;

	memset(&key, 0, sizeof(key));
	memcpy(key.addr, h->res.saddr, sizeof(key.addr));
	key.ifindex = lo_ifindex; /* test_run's device is the namespace's loopback */
	key.code = h->res.code;
	key.family = h->res.family;
	key.direction = hook == HOOK_XDP ? SIP6XX_DIR_RX : SIP6XX_DIR_TX;
	return key;
}

static void host_parse(const __u8 *frame, size_t len, const struct sip6xx_config *cfg,
		       struct host_answer *h)
{
	/* 2 bytes in, as NET_IP_ALIGN would place it; see tests/fuzz/fuzz_parse.c. */
	static __u8 block[BUF_LEN + 2];

	memcpy(block + 2, frame, len);
	h->ret = sip_parse_frame(block + 2, block + 2 + len, cfg, &h->res);
}

static void plant_fault(struct host_answer *h)
{
	switch (planted) {
	case FAULT_OUTCOME:
		h->ret = h->ret == PKT_NOT_SIP ? PKT_NON_IP : PKT_NOT_SIP;
		break;
	case FAULT_CODE:
		h->res.code = h->res.code == 699 ? 698 : h->res.code + 1;
		break;
	case FAULT_RESPONDER:
		h->res.saddr[15] ^= 1;
		break;
	case FAULT_DECAP:
#ifdef PKT_OUTCOME_MAX
		h->res.decap = 0;
#endif
		break;
	default:
		break;
	}
}

static bool verdict_passes(enum hook hook, __u32 retval)
{
	if (hook == HOOK_XDP)
		return retval == XDP_PASS;
	/* Both leave the packet to the stack; UNSPEC also runs later filters. */
	return retval == (__u32)TC_ACT_UNSPEC || retval == TC_ACT_OK;
}

/* Every counter the frame moved in the kernel against what the host expects. */
static void compare_counters(struct category *c, struct target *t, enum hook hook, size_t frame_no,
			     const __u8 *frame, size_t len, const struct host_answer *h,
			     bool refused)
{
	__u64 now[t->nr_stats];
	__u32 base = hook * STATS_BLOCK, i, decap = refused ? 0 : HOST_DECAP(&h->res);
	__u32 code_idx = hook * CODES_BLOCK + h->res.code;
	bool bad = false, resp = !refused && h->ret == PKT_SIP_RESPONSE;
	struct peer_key key;
	struct peer_slot *slot;
	__u64 got;

	if (percpu_read_all(t->stats_fd, t->nr_stats, now)) {
		printf("# pkt_stats of %s: read failed: %s\n", t->name, strerror(errno));
		exit(1);
	}
	for (i = 0; i < t->nr_stats; i++) {
		__u64 want =
			!refused && (i == base + (__u32)h->ret || (decap && i == base + decap));

		if (now[i] - t->stats[i] != want)
			bad = true;
	}
	if (bad && begin_diff(c, t, hook, frame_no, frame, len, "pkt_stats moved otherwise")) {
		if (refused)
			printf("#   host:   (test_run refused the frame: nothing may count)\n");
		else
			print_host(h);
		printf("#   kernel:");
		for (i = 0; i < t->nr_stats; i++)
			if (now[i] != t->stats[i])
				printf(" %s%s%+lld", i >= STATS_BLOCK ? "tx:" : "", outcome_name(i),
				       (long long)(now[i] - t->stats[i]));
		printf("\n");
	}
	memcpy(t->stats, now, sizeof(now));
	if (bad) {
		resync(t);
		return;
	}
	if (!resp)
		return;

	got = percpu_one(t->codes_fd, code_idx);
	if (got != t->codes[code_idx] + 1) {
		if (begin_diff(c, t, hook, frame_no, frame, len,
			       "resp_codes did not count the code")) {
			print_host(h);
			printf("#   kernel: resp_codes[%u] moved by %lld\n", h->res.code,
			       (long long)(got - t->codes[code_idx]));
		}
		resync(t);
		return;
	}
	t->codes[code_idx] = got;
	if (h->res.code < 600)
		return;

	key = expected_key(h, hook);
	slot = peer_slot(&t->peers, &key, true);
	got = peer_one(t, &key);
	if (got != slot->count + 1) {
		if (begin_diff(c, t, hook, frame_no, frame, len,
			       "peers did not count the responder")) {
			print_host(h);
			printf("#   kernel: that peers key moved by %lld\n",
			       (long long)(got - slot->count));
		}
		resync(t);
		return;
	}
	slot->count = got;
	t->peers.total++;
}

/*
 * Whether test_run may refuse @frame before the program runs (EINVAL): under
 * an Ethernet header or above the size it takes; for TC also, on newer
 * kernels, an IPv4 or IPv6 ethertype with less than that header behind it.
 */
static bool may_refuse(enum hook hook, const __u8 *frame, size_t len)
{
	__u16 ethertype = len >= FRAME_ETH_HLEN ? frame[12] << 8 | frame[13] : 0;

	if (len < FRAME_ETH_HLEN || len > max_accept[hook])
		return true;
	if (hook != HOOK_TC)
		return false;
	return (ethertype == 0x0800 && len < FRAME_ETH_HLEN + 20) ||
	       (ethertype == 0x86dd && len < FRAME_ETH_HLEN + 40);
}

static void run_frame(struct category *c, struct target *t, enum hook hook, size_t frame_no,
		      const __u8 *frame, size_t len)
{
	static __u8 out[BUF_LEN + 256];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	struct host_answer h = { 0 };
	size_t visible = len < max_linear[hook] ? len : max_linear[hook];
	bool refused = false;
	int err;

	memset(&h.res, 0, sizeof(h.res));
	host_parse(frame, visible, t->cfg, &h);
	plant_fault(&h);
	err = bpf_prog_test_run_opts(t->prog_fd[hook], &opts);
	c->runs++;
	t->runs++;
	c->outcomes[h.ret]++;
	if (HOST_DECAP(&h.res))
		c->outcomes[HOST_DECAP(&h.res)]++;
	if (h.ret == PKT_SIP_RESPONSE && h.res.code >= 600)
		c->six_xx++;
	/* 5.10 answers EMSGSIZE, not EINVAL, for an XDP frame over its limit. */
	if ((err == -EINVAL || (err == -EMSGSIZE && len > max_accept[hook])) &&
	    may_refuse(hook, frame, len)) {
		refused = true;
		c->refused++;
	} else if (len < FRAME_ETH_HLEN && hook != HOOK_XDP) {
		/*
		 * bpf_test_init() refuses these for an skb. For XDP newer kernels
		 * refuse them too, but 5.10 runs the program on them: checked below
		 * like any frame.
		 */
		if (begin_diff(c, t, hook, frame_no, frame, len, "test_run took a runt"))
			printf("#   test_run: %d\n", err);
	} else if (err || !verdict_passes(hook, opts.retval) || opts.data_size_out != len ||
		   memcmp(out, frame, len)) {
		if (begin_diff(c, t, hook, frame_no, frame, len, "verdict or frame changed"))
			printf("#   test_run: err %d, retval %d, %u bytes out of %zu\n", err,
			       (int)opts.retval, opts.data_size_out, len);
	}
	compare_counters(c, t, hook, frame_no, frame, visible, &h, refused || err);
	/* As user/exporter/replay.c does: run the part of such a frame the program could read. */
	if (len > max_accept[hook])
		run_frame(c, t, hook, frame_no, frame, max_linear[hook]);
}

/* Whole-map comparisons: resp_codes entry by entry, peers key by key, and their sums. */
static void checkpoint(struct target *t)
{
	__u64 codes[t->nr_codes], want_sum = 0, got_sum = 0;
	struct peer_count *pc = NULL;
	struct peer_slot *s;
	size_t nr = 0, i, matched = 0;
	bool bad = false;
	__u64 peers_sum = 0;

	t->checkpoints++;
	if (percpu_read_all(t->codes_fd, t->nr_codes, codes)) {
		printf("# resp_codes of %s: read failed: %s\n", t->name, strerror(errno));
		exit(1);
	}
	for (i = 0; i < t->nr_codes; i++) {
		want_sum += t->codes[i];
		got_sum += codes[i];
		if (codes[i] != t->codes[i]) {
			printf("# checkpoint %zu, %s: resp_codes[%s%zu] is %llu, expected %llu\n",
			       t->checkpoints, t->name, i >= CODES_BLOCK ? "tx:" : "",
			       i % CODES_BLOCK, (unsigned long long)codes[i],
			       (unsigned long long)t->codes[i]);
			bad = true;
		}
	}
	if (got_sum != want_sum)
		printf("# checkpoint %zu, %s: resp_codes sum %llu, expected %llu\n", t->checkpoints,
		       t->name, (unsigned long long)got_sum, (unsigned long long)want_sum);

	if (peers_read(t->peers_fd, &pc, &nr)) {
		printf("# peers of %s: read failed\n", t->name);
		exit(1);
	}
	for (i = 0; i < nr; i++) {
		peers_sum += pc[i].count;
		s = peer_slot(&t->peers, &pc[i].key, false);
		if (s && s->count == pc[i].count) {
			matched++;
			continue;
		}
		bad = true;
		if (i < MAX_REPORTED)
			printf("# checkpoint %zu, %s: peers key (code %u) holds %llu, expected "
			       "%llu\n",
			       t->checkpoints, t->name, pc[i].key.code,
			       (unsigned long long)pc[i].count,
			       (unsigned long long)(s ? s->count : 0));
	}
	if (peers_sum != t->peers.total || matched != t->peers.nr) {
		printf("# checkpoint %zu, %s: peers hold %zu keys summing to %llu, expected %zu "
		       "summing to %llu\n",
		       t->checkpoints, t->name, nr, (unsigned long long)peers_sum, t->peers.nr,
		       (unsigned long long)t->peers.total);
		bad = true;
	}
	free(pc);
	if (bad) {
		checkpoint_diffs++;
		total_diffs++;
		resync(t);
	}
	/* Keep the LRU map far from its capacity: an eviction is not a difference. */
	if (t->peers.nr >= PEERS_CLEAR_AT) {
		int err = peers_clear(t->peers_fd);

		if (err) {
			printf("# peers of %s: clearing failed: %s\n", t->name, strerror(-err));
			exit(1);
		}
		peer_table_clear(&t->peers);
	}
}

/* One frame through every hook of the object @t (both hooks when there is a TC program). */
static void run_everywhere(struct category *c, struct target *t, size_t frame_no, const __u8 *frame,
			   size_t len)
{
	int hook;

	for (hook = 0; hook < HOOK_MAX; hook++) {
		if (t->prog_fd[hook] < 0)
			continue;
		run_frame(c, t, hook, frame_no, frame, len);
		if (t->runs % CHECKPOINT_EVERY == 0)
			checkpoint(t);
	}
}

/* ---- frame generators ---- */

static const __u8 *pick_base(struct rng *r, size_t *len)
{
	const struct base_frame *b = &bases[below(r, nr_bases)];

	*len = b->len;
	return b->data;
}

/* A position, mostly in the first 128 bytes where the headers are. */
static size_t pick_pos(struct rng *r, size_t len)
{
	if (!len)
		return 0;
	if (len > 128 && chance(r, 75))
		return below(r, 128);
	return below(r, len);
}

static size_t gen_bitflip(struct rng *r, __u8 *buf, size_t cap)
{
	size_t len, n = 1 + below(r, 8);
	const __u8 *b = pick_base(r, &len);

	memcpy(buf, b, len);
	while (len && n--)
		buf[pick_pos(r, len)] ^= 1 << below(r, 8);
	return len;
}

static size_t gen_insdel(struct rng *r, __u8 *buf, size_t cap)
{
	size_t len, pos, k, j, ops = 1 + below(r, 3);
	const __u8 *b = pick_base(r, &len);
	bool dup;

	memcpy(buf, b, len);
	while (ops--) {
		pos = pick_pos(r, len);
		k = 1 + below(r, 8);
		if (chance(r, 50) && len + k <= cap) {
			/* Random bytes, or a copy of those that follow (a repeated header field).
			 */
			dup = chance(r, 50) && pos + k <= len;
			memmove(buf + pos + k, buf + pos, len - pos);
			for (j = 0; j < k; j++)
				buf[pos + j] = dup ? buf[pos + k + j] : (__u8)rnd(r);
			len += k;
		} else if (pos < len) {
			k = k < len - pos ? k : len - pos;
			memmove(buf + pos, buf + pos + k, len - pos - k);
			len -= k;
		}
	}
	return len;
}

static size_t gen_truncate(struct rng *r, __u8 *buf, size_t cap)
{
	size_t len;
	const __u8 *b = pick_base(r, &len);

	memcpy(buf, b, len);
	/* Mostly past the Ethernet header: below it test_run refuses the frame. */
	if (len > FRAME_ETH_HLEN && chance(r, 95))
		return FRAME_ETH_HLEN + below(r, len - FRAME_ETH_HLEN + 1);
	return below(r, len + 1);
}

static const char *const reasons[] = { "OK",
				       "Decline",
				       "Busy Everywhere",
				       "Unwanted",
				       "Rejected",
				       "Does Not Exist Anywhere",
				       "Not Acceptable",
				       "",
				       "Trying" };
static const __u16 named_codes[] = { 100, 180, 183, 200, 202, 301, 401, 403, 404, 407, 486,
				     487, 488, 500, 503, 600, 603, 604, 606, 607, 608 };
static const char *const methods[] = { "INVITE",  "ACK",       "BYE",
				       "CANCEL",  "OPTIONS",   "REGISTER",
				       "PRACK",	  "SUBSCRIBE", "NOTIFY",
				       "PUBLISH", "INFO",      "REFER",
				       "MESSAGE", "UPDATE",    "X-VERY-LONG-METHOD",
				       "" };
static const char *const schemes[] = { "sip:",	"sips:", "tel:",  "urn:", "SIP:", "SiPs:", "TEL:",
				       "http:", "sip",	 "sipx:", "si",	  "",	  ":" };
static const char status_alphabet[] = "0123456789 \t/.SsIiPp2\r\n\x00\xd3\x80\xff";

static char random_case(struct rng *r, char c)
{
	if (c >= 'a' && c <= 'z' && chance(r, 30))
		return c - 32;
	if (c >= 'A' && c <= 'Z' && chance(r, 30))
		return c + 32;
	return c;
}

static __u16 random_code(struct rng *r)
{
	__u32 k = below(r, 10);

	if (k < 5)
		return named_codes[below(r, sizeof(named_codes) / sizeof(named_codes[0]))];
	if (k < 8)
		return 100 + below(r, 600);
	return below(r, 1000);
}

/* A UDP payload: a response, a request, a mangled status line, a short or binary one. */
static size_t gen_payload(struct rng *r, char *p, size_t cap, bool status_heavy)
{
	size_t n = 0, i;
	__u32 kind = below(r, status_heavy ? 4 : 10);

	switch (kind) {
	case 0:
	case 1:
	case 4:
	case 5:
		n = snprintf(p, cap,
			     "SIP/2.0 %03u %s\r\nVia: SIP/2.0/UDP 198.19.0.2:5060\r\n"
			     "Content-Length: 0\r\n\r\n",
			     random_code(r),
			     reasons[below(r, sizeof(reasons) / sizeof(reasons[0]))]);
		if (chance(r, 20))
			for (i = 0; i < 3; i++)
				p[i] = random_case(r, p[i]);
		if (kind == 1 || chance(r, 20))
			for (i = below(r, 3) + 1; i; i--)
				p[below(r, 13)] =
					status_alphabet[below(r, sizeof(status_alphabet) - 1)];
		break;
	case 2:
		/* Cut inside the status line: the UDP length says so too. */
		n = snprintf(p, cap, "SIP/2.0 %03u Reason\r\n", random_code(r));
		n = below(r, 15);
		break;
	case 3:
		n = snprintf(p, cap, "sip/2.0 %03u x", random_code(r));
		for (i = 0; i < 3; i++)
			p[i] = random_case(r, p[i]);
		break;
	case 6:
	case 7: {
		const char *m = methods[below(r, sizeof(methods) / sizeof(methods[0]))];
		const char *s = schemes[below(r, sizeof(schemes) / sizeof(schemes[0]))];

		n = snprintf(p, cap,
			     "%s %sbob@biloxi.example.com SIP/2.0\r\nMax-Forwards: 70\r\n\r\n", m,
			     s);
		if (chance(r, 20))
			for (i = 0; i < n && i < 24; i++)
				p[i] = random_case(r, p[i]);
		if (chance(r, 20))
			p[below(r, 24)] = status_alphabet[below(r, sizeof(status_alphabet) - 1)];
		break;
	}
	case 8:
		n = below(r, 24);
		for (i = 0; i < n; i++)
			p[i] = status_alphabet[below(r, sizeof(status_alphabet) - 1)];
		break;
	default:
		n = below(r, 64);
		for (i = 0; i < n; i++)
			p[i] = (char)rnd(r);
		break;
	}
	return n < cap ? n : cap;
}

static void random_addr(struct rng *r, int version, char *text, size_t len)
{
	__u8 a[16];
	size_t i;

	for (i = 0; i < sizeof(a); i++)
		a[i] = (__u8)rnd(r);
	/* Mostly a handful of responders, so keys repeat and counts grow. */
	if (chance(r, 70)) {
		memset(a, 0, sizeof(a));
		a[0] = version == 4 ? 198 : 0x20;
		a[1] = version == 4 ? 18 : 0x01;
		a[2] = version == 4 ? 0 : 0x0d;
		a[3] = version == 4 ? (__u8)below(r, 8) : 0xb8;
		a[15] = (__u8)below(r, 8);
	}
	inet_ntop(version == 4 ? AF_INET : AF_INET6, a, text, len);
}

static const __u8 ext_types[] = { IPPROTO_HOPOPTS,  IPPROTO_ROUTING, IPPROTO_DSTOPTS,
				  IPPROTO_FRAGMENT, IPPROTO_AH,	     IPPROTO_NONE,
				  IPPROTO_UDP,	    IPPROTO_TCP };
static const __u16 ports[] = { 5060,  5061, 5062, 5070, 5080, 5160, 6060,
			       15060, 5059, 0,	  4789, 2152, 53,   65535 };

/* A frame from random header fields: VLAN tags, IHL, options, fragments, extension headers. */
static size_t build_random(struct rng *r, __u8 *buf, size_t cap, bool status_heavy,
			   struct frame_layout *l)
{
	static char payload[512], saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];
	struct frame_spec s;
	__u32 k;
	int i;

	memset(&s, 0, sizeof(s));
	k = below(r, 100);
	s.nr_vlans = k < 60 ? 0 : k < 80 ? 1 : k < 95 ? 2 : 3;
	for (i = 0; i < s.nr_vlans; i++)
		if (chance(r, 20))
			s.tpid[i] = chance(r, 50) ? 0x9100 : (__u16)rnd(r);
	k = below(r, 100);
	s.ip_version = k < 50 ? 4 : k < 95 ? 6 : 0;
	if (!s.ip_version || chance(r, 5))
		s.ethertype = chance(r, 50) ? 0x0806 : (__u16)rnd(r);
	if (chance(r, 5))
		s.version_field = below(r, 16);
	if (s.ip_version) {
		random_addr(r, s.ip_version, saddr, sizeof(saddr));
		random_addr(r, s.ip_version, daddr, sizeof(daddr));
		s.saddr = saddr;
		s.daddr = daddr;
	}
	if (s.ip_version == 4) {
		s.ip_opt_words = chance(r, 30) ? below(r, 11) : 0;
		if (chance(r, 10)) {
			s.ihl_set = true;
			s.ihl_field = below(r, 16);
		}
		if (chance(r, 15)) {
			s.frag_off = chance(r, 50) ? 0 : below(r, 0x2000);
			s.mf = chance(r, 50);
		}
		s.df = chance(r, 50);
	} else if (s.ip_version == 6 && chance(r, 35)) {
		s.nr_ext = 1 + below(r, FRAME_MAX_IP6_EXT);
		for (i = 0; i < s.nr_ext; i++) {
			s.ext[i].type = chance(r, 80) ? ext_types[below(r, 4)]
						      : ext_types[below(r, sizeof(ext_types))];
			s.ext[i].hdrlen = chance(r, 90) ? below(r, 4) : below(r, 32);
			s.ext[i].frag_off = chance(r, 70) ? 0 : below(r, 0x2000);
			s.ext[i].more = chance(r, 50);
		}
	}
	k = below(r, 100);
	s.l4_proto = k < 88 ? 0 : k < 94 ? IPPROTO_TCP : (__u8)rnd(r);
	s.sport = chance(r, 50) ? 0 : ports[below(r, sizeof(ports) / sizeof(ports[0]))];
	s.dport = chance(r, 50) ? 0 : ports[below(r, sizeof(ports) / sizeof(ports[0]))];
	if (chance(r, 5))
		s.sport = (__u16)rnd(r);
	s.payload = payload;
	s.payload_len = gen_payload(r, payload, sizeof(payload), status_heavy);
	if (!s.payload_len) /* 0 means strlen() to the builder */
		s.payload = NULL;
	return frame_build(buf, cap, &s, l);
}

static size_t gen_fields(struct rng *r, __u8 *buf, size_t cap)
{
	struct frame_layout l;
	size_t len = build_random(r, buf, cap, false, &l);

	if (chance(r, 10))
		len = l.l3 + below(r, len - l.l3 + 1);
	return len;
}

static size_t gen_status(struct rng *r, __u8 *buf, size_t cap)
{
	struct frame_layout l;

	return build_random(r, buf, cap, true, &l);
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static __u16 wrong_len(struct rng *r, __u16 right)
{
	switch (below(r, 5)) {
	case 0:
		return below(r, 8); /* shorter than the UDP header itself */
	case 1:
		return right - 1 - below(r, 12);
	case 2:
		return right + 1 + below(r, 64);
	case 3:
		return 0xffff;
	default:
		return (__u16)rnd(r);
	}
}

/* UDP, IPv4 total or IPv6 payload length fields that disagree with the frame. */
static size_t gen_badlen(struct rng *r, __u8 *buf, size_t cap)
{
	struct frame_layout l;
	size_t len = build_random(r, buf, cap, true, &l);
	__u8 *ip = buf + l.l3;
	bool udp = l.payload - l.l4 == 8;

	if (udp && chance(r, 70))
		put16(buf + l.l4 + 4, wrong_len(r, (buf[l.l4 + 4] << 8) | buf[l.l4 + 5]));
	if (l.l4 > l.l3 && chance(r, 50)) {
		if ((ip[0] >> 4) == 4)
			put16(ip + 2, wrong_len(r, (ip[2] << 8) | ip[3]));
		else if (l.l4 - l.l3 >= 40)
			put16(ip + 4, wrong_len(r, (ip[4] << 8) | ip[5]));
	}
	return len;
}

/* Checksums the parser must never look at: IPv4 header and UDP. */
static size_t gen_badcsum(struct rng *r, __u8 *buf, size_t cap)
{
	struct frame_layout l;
	size_t len = build_random(r, buf, cap, false, &l);

	if (l.l4 > l.l3 && (buf[l.l3] >> 4) == 4 && l.l4 - l.l3 >= 20)
		put16(buf + l.l3 + 10, chance(r, 50) ? 0 : (__u16)rnd(r));
	if (l.payload - l.l4 == 8)
		put16(buf + l.l4 + 6, chance(r, 30) ? 0 : (__u16)rnd(r));
	return len;
}

static size_t gen_tunnel(struct rng *r, __u8 *buf, size_t cap)
{
	static __u8 inner[BUF_LEN];
	struct frame_layout l;
	size_t ilen, len;

	if (chance(r, 50)) {
		const __u8 *b = pick_base(r, &ilen);

		memcpy(inner, b, ilen);
	} else {
		ilen = build_random(r, inner, sizeof(inner), false, &l);
	}
	len = tunnel_wrap(below(r, TUNNEL_KIND_MAX), below(r, 32), inner, ilen, buf, cap);
	if (!len) {
		memcpy(buf, inner, ilen);
		return ilen;
	}
	if (chance(r, 25))
		for (ilen = 1 + below(r, 3); ilen; ilen--)
			buf[pick_pos(r, len)] ^= 1 << below(r, 8);
	if (chance(r, 15))
		len = FRAME_ETH_HLEN + below(r, len - FRAME_ETH_HLEN + 1);
	return len;
}

static const __u16 ethertypes[] = { 0x0800, 0x86dd, 0x8100, 0x88a8, 0x8864, 0x0806, 0x9100 };

/* Noise: random length and bytes, half of it with a plausible start. */
static size_t gen_random(struct rng *r, __u8 *buf, size_t cap)
{
	size_t len = chance(r, 90) ? below(r, 1600) : below(r, max_linear[HOOK_XDP] + 600), i;

	for (i = 0; i < len; i++)
		buf[i] = (__u8)rnd(r);
	if (len >= 20 && chance(r, 50)) {
		put16(buf + 12, ethertypes[below(r, sizeof(ethertypes) / sizeof(ethertypes[0]))]);
		buf[14] = chance(r, 50) ? 0x45 : 0x60;
		if (len > 23)
			buf[23] = chance(r, 50) ? IPPROTO_UDP : buf[23];
	}
	return len;
}

/* Frames test_run refuses or clips: from the linear limit up to 1500 bytes beyond. */
static size_t gen_oversize(struct rng *r, __u8 *buf, size_t cap)
{
	static char payload[BUF_LEN];
	struct frame_spec s;
	size_t hdr, want, n;

	memset(&s, 0, sizeof(s));
	s.ip_version = chance(r, 50) ? 4 : 6;
	hdr = FRAME_ETH_HLEN + (s.ip_version == 4 ? 20 : 40) + 8;
	want = max_linear[HOOK_XDP] - 64 + below(r, 1600);
	n = snprintf(payload, sizeof(payload), "SIP/2.0 %03u Reason\r\n", random_code(r));
	if (want > hdr + n) {
		memset(payload + n, 'x', want - hdr - n);
		n = want - hdr;
	}
	s.payload = payload;
	s.payload_len = n;
	return frame_build(buf, cap, &s, NULL);
}

static size_t gen_runt(struct rng *r, __u8 *buf, size_t cap)
{
	size_t len, i;
	const __u8 *b = pick_base(r, &len);

	memcpy(buf, b, len < FRAME_ETH_HLEN ? len : FRAME_ETH_HLEN);
	len = below(r, FRAME_ETH_HLEN);
	if (chance(r, 30))
		for (i = 0; i < len; i++)
			buf[i] = (__u8)rnd(r);
	return len;
}

#define CATEGORY(n, w, g, desc)                                                                    \
	{                                                                                          \
		.name = (n), .weight = (w), .gen = (g), .what = (desc)                             \
	}
static struct category categories[] = {
	CATEGORY("bitflip", 30, gen_bitflip, "fixture frames with 1-8 flipped bits"),
	CATEGORY("insdel", 20, gen_insdel, "fixture frames with bytes inserted and deleted"),
	CATEGORY("truncate", 15, gen_truncate, "fixture frames cut anywhere"),
	CATEGORY("fields", 35, gen_fields,
		 "random header fields: VLANs, IHL, options, fragments, ext headers, ports"),
	CATEGORY("status", 25, gen_status,
		 "random status and request lines: digits, separators, case of SIP"),
	CATEGORY("badlen", 15, gen_badlen,
		 "UDP, IPv4 and IPv6 length fields that disagree with the frame"),
	CATEGORY("badcsum", 10, gen_badcsum, "wrong IPv4 and UDP checksums"),
	CATEGORY("tunnel", 30, gen_tunnel,
		 "IPIP, GRE, gretap, ERSPAN, PPTP, VXLAN, PPPoE, GTP-U, some mutated"),
	CATEGORY("random", 15, gen_random, "random bytes, half with a plausible Ethernet/IP start"),
	CATEGORY("oversize", 3, gen_oversize, "frames around and above the test_run size limit"),
	CATEGORY("runt", 2, gen_runt, "frames shorter than an Ethernet header"),
};
#define NR_CATEGORIES (sizeof(categories) / sizeof(categories[0]))

static struct category fixture_cat =
	CATEGORY("fixtures", 0, NULL, "every fixture frame, under every port filter");
static struct category regression_cat =
	CATEGORY("regressions", 0, NULL, "tests/fuzz/regressions, under every port filter");

/* ---- setup: base frames ---- */

static void add_fixture_bases(void)
{
	static __u8 wrapped[FRAME_MAX_LEN + TUNNEL_MAX_OVERHEAD];
	const struct fixture *fx;
	size_t nr, i, len, wlen;
	__u8 *frame;
	int k;

	fx = fixtures_get(&nr);
	for (i = 0; i < nr; i++) {
		frame = fixture_frame(&fx[i], &len);
		add_base(frame, len);
		for (k = 0; !fx[i].cut && k < TUNNEL_KIND_MAX && fx[i].want >= PKT_NOT_SIP; k++) {
			wlen = tunnel_wrap(k, i & 31, frame, len, wrapped, sizeof(wrapped));
			if (wlen)
				add_base(wrapped, wlen);
		}
		free(frame);
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every *.bin of the regression directory, in name order; returns how many. */
static long load_regressions(__u8 ***frames, size_t **lens)
{
	char *names[REGRESSION_MAX_FILES], path[4096];
	struct dirent *de;
	size_t n = 0, i, len;
	DIR *d = opendir(regression_dir);
	FILE *f;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < REGRESSION_MAX_FILES) {
		len = strlen(de->d_name);
		if (len > 4 && !strcmp(de->d_name + len - 4, ".bin"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	*frames = calloc(n + 1, sizeof(**frames));
	*lens = calloc(n + 1, sizeof(**lens));
	for (i = 0; i < n; i++) {
		(*frames)[i] = malloc(BUF_LEN);
		snprintf(path, sizeof(path), "%s/%s", regression_dir, names[i]);
		f = fopen(path, "rb");
		if (!f)
			return -errno;
		(*lens)[i] = fread((*frames)[i], 1, BUF_LEN, f);
		fclose(f);
		free(names[i]);
	}
	return n;
}

/* ---- TAP ---- */

static int tap_n, tap_failed;

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		tap_failed++;
	fflush(stdout);
}

static void tap_category(const struct category *c)
{
	int i;

	tap(c->diffs == 0,
	    "%s: %zu frames (%zu runs, %zu refused by test_run), %zu differences - %s", c->name,
	    c->frames, c->runs, c->refused, c->diffs, c->what);
	/* What the host made of them, so a generator that never reaches SIP shows. */
	printf("#   host:");
	for (i = 0; i < PKT_RESULT_MAX; i++)
		if (c->outcomes[i])
			printf(" %s %zu", pkt_result_name(i), c->outcomes[i]);
	printf(", 6xx %zu\n", c->six_xx);
}

/* A fixture frame with each fault planted in turn: every one must show as a difference. */
static void self_test(void)
{
	static __u8 wrapped[FRAME_MAX_LEN + TUNNEL_MAX_OVERHEAD];
	static struct category cat = CATEGORY("self-test", 0, NULL, "planted faults");
	static const char *const names[] = { "", "outcome", "code", "responder", "decapsulation" };
	struct target *t = &targets[FIXTURE_CFG_ANY];
	const struct fixture *fx, *f = NULL;
	size_t nr, i, len, wlen, before;
	int fault, caught = 0, tried = 0;
	char missed[128] = "";
	__u8 *frame;

	fx = fixtures_get(&nr);
	for (i = 0; i < nr && !f; i++)
		if (!fx[i].cut && fx[i].cfg == FIXTURE_CFG_ANY && fx[i].want == PKT_SIP_RESPONSE &&
		    fx[i].code >= 600 && !fx[i].frame.nr_vlans)
			f = &fx[i];
	if (!f) {
		tap(false, "planted faults are caught: no plain 6xx fixture to plant them in");
		return;
	}
	frame = fixture_frame(f, &len);
	wlen = tunnel_wrap(TUNNEL_VXLAN4, 0, frame, len, wrapped, sizeof(wrapped));
	for (fault = FAULT_OUTCOME; fault <= FAULT_DECAP; fault++) {
#ifndef PKT_OUTCOME_MAX
		if (fault == FAULT_DECAP)
			break; /* no decapsulation to leave out */
#endif
		before = faults_caught;
		planted = fault;
		if (fault == FAULT_DECAP)
			run_frame(&cat, t, HOOK_XDP, 0, wrapped, wlen);
		else
			run_frame(&cat, t, HOOK_XDP, 0, frame, len);
		planted = FAULT_NONE;
		tried++;
		if (faults_caught > before)
			caught++;
		else
			snprintf(missed + strlen(missed), sizeof(missed) - strlen(missed), " %s",
				 names[fault]);
	}
	free(frame);
	tap(caught == tried, "faults planted in the host's answer are caught (%d of %d%s%s)",
	    caught, tried, *missed ? "; missed:" : "", missed);
}

static __u64 env_u64(const char *name, __u64 def)
{
	const char *v = getenv(name);
	char *end;
	__u64 x;

	if (!v || !*v)
		return def;
	errno = 0;
	x = strtoull(v, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "%s=%s: not a number\n", name, v);
		exit(2);
	}
	return x;
}

int main(void)
{
	static __u8 buf[BUF_LEN];
	__u64 seed = env_u64("SIP6XX_DIFF_SEED", DEFAULT_SEED);
	__u64 nr_frames = env_u64("SIP6XX_DIFF_FRAMES", DEFAULT_FRAMES);
	unsigned int weights = 0, pick;
	struct rng r = { seed };
	size_t frame_no = 0, last, len, i, nr_regs;
	__u8 **regs = NULL;
	size_t *reg_lens = NULL;
	struct timespec t0, t1;
	long nreg;
	int cfg, err;
	bool loaded = true;

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_warnings);
	if (getenv("SIP6XX_REGRESSIONS"))
		regression_dir = getenv("SIP6XX_REGRESSIONS");
	nr_cpus = libbpf_num_possible_cpus();
	lo_ifindex = if_nametoindex("lo");
	printf("# seed 0x%llx (SIP6XX_DIFF_SEED), %llu random frames (SIP6XX_DIFF_FRAMES)\n",
	       (unsigned long long)seed, (unsigned long long)nr_frames);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	if (bpf_skip_unless(BPF_NEED_TEST_RUN))
		return 0;
	for (cfg = 0; cfg < FIXTURE_CFG_MAX; cfg++) {
		err = load_target(&targets[cfg], cfg);
		if (err) {
			printf("# sip6xx.bpf.o (%s) did not load: %s\n", target_names[cfg],
			       strerror(-err));
			loaded = false;
		}
	}
	for (i = 0; i < HOOK_MAX && loaded; i++) {
		if (i == HOOK_TC && targets[0].prog_fd[HOOK_TC] < 0)
			continue;
		err = probe_sizes(i);
		if (err) {
			printf("# probing test_run sizes for %s failed: %s\n", hook_names[i],
			       strerror(-err));
			loaded = false;
		}
	}
	tap(loaded,
	    "the object loads under %d port filters; test_run takes XDP frames of 14..%u "
	    "bytes, %u of them readable%s",
	    FIXTURE_CFG_MAX, max_accept[HOOK_XDP], max_linear[HOOK_XDP],
	    targets[0].prog_fd[HOOK_TC] >= 0 ? "; TC egress runs every frame too" : "");
	if (!loaded) {
		printf("1..%d\n", tap_n);
		return 1;
	}
	if (targets[0].prog_fd[HOOK_TC] >= 0)
		printf("# tc: test_run takes 14..%u bytes, %u readable\n", max_accept[HOOK_TC],
		       max_linear[HOOK_TC]);

	add_fixture_bases();
	nreg = load_regressions(&regs, &reg_lens);
	tap(nreg >= 0, "regression directory %s readable (%ld files)", regression_dir, nreg);
	nr_regs = nreg > 0 ? nreg : 0;
	for (i = 0; i < nr_regs; i++)
		add_base(regs[i], reg_lens[i]);

	/* Fixed replays first: every fixture and every regression under every filter. */
	{
		const struct fixture *fx;
		size_t nr;
		__u8 *frame;

		fx = fixtures_get(&nr);
		for (i = 0; i < nr; i++) {
			frame = fixture_frame(&fx[i], &len);
			fixture_cat.frames++;
			frame_no++;
			for (cfg = 0; cfg < FIXTURE_CFG_MAX; cfg++)
				run_everywhere(&fixture_cat, &targets[cfg], frame_no, frame, len);
			free(frame);
		}
		for (i = 0; i < nr_regs; i++) {
			regression_cat.frames++;
			frame_no++;
			for (cfg = 0; cfg < FIXTURE_CFG_MAX; cfg++)
				run_everywhere(&regression_cat, &targets[cfg], frame_no, regs[i],
					       reg_lens[i]);
		}
	}

	for (i = 0; i < NR_CATEGORIES; i++)
		weights += categories[i].weight;
	last = frame_no + nr_frames;
	while (frame_no < last) {
		struct category *c;

		pick = below(&r, weights);
		for (i = 0; pick >= categories[i].weight; i++)
			pick -= categories[i].weight;
		c = &categories[i];
		len = c->gen(&r, buf, sizeof(buf));
		c->frames++;
		/* Half without a filter; the rest split between the two filters. */
		pick = below(&r, 4);
		cfg = pick < 2	  ? FIXTURE_CFG_ANY
		      : pick == 2 ? FIXTURE_CFG_5060
				  : FIXTURE_CFG_8PORTS;
		run_everywhere(c, &targets[cfg], ++frame_no, buf, len);
	}
	for (cfg = 0; cfg < FIXTURE_CFG_MAX; cfg++)
		checkpoint(&targets[cfg]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	self_test();

	tap_category(&fixture_cat);
	tap_category(&regression_cat);
	for (i = 0; i < NR_CATEGORIES; i++)
		tap_category(&categories[i]);
	{
		size_t cps = 0, runs = 0;

		for (cfg = 0; cfg < FIXTURE_CFG_MAX; cfg++) {
			cps += targets[cfg].checkpoints;
			runs += targets[cfg].runs;
		}
		tap(checkpoint_diffs == 0,
		    "%zu checkpoints: every resp_codes entry and peers key, and their sums, as "
		    "expected (%zu differences)",
		    cps, checkpoint_diffs);
		tap(total_diffs == 0 && frame_no >= nr_frames,
		    "%zu frames, %zu differences (%zu runs in %.1f s, seed 0x%llx)", frame_no,
		    total_diffs, runs, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		    (unsigned long long)seed);
	}
	printf("1..%d\n", tap_n);

	for (cfg = 0; cfg < FIXTURE_CFG_MAX; cfg++)
		sip6xx__destroy(targets[cfg].skel);
	return tap_failed ? 1 : 0;
}
