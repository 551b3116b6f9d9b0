// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "maps.h"

#define PEERS_BATCH 4096
#ifndef ENOTSUPP
#define ENOTSUPP 524 /* kernel-internal, yet bpf() returns it for missing batch ops */
#endif

static const char *const result_names[PKT_RESULT_MAX] = {
	[PKT_NON_IP] = "non_ip",
	[PKT_NON_UDP] = "non_udp",
	[PKT_FRAGMENT] = "fragment",
	[PKT_TRUNCATED] = "truncated",
	[PKT_NOT_SIP] = "not_sip",
	[PKT_SIP_REQUEST] = "sip_request",
	[PKT_SIP_RESPONSE] = "sip_response",
	[PKT_MALFORMED] = "malformed",
	[PKT_FILTERED_PORT] = "filtered_port",
	[PKT_DECAP_IPIP] = "decap_ipip",
	[PKT_DECAP_IP6IP] = "decap_ip6ip",
	[PKT_DECAP_GRE] = "decap_gre",
	[PKT_DECAP_GRE_TEB] = "decap_gre_teb",
	[PKT_DECAP_GRE_PPP] = "decap_gre_ppp",
	[PKT_DECAP_ERSPAN2] = "decap_erspan2",
	[PKT_DECAP_ERSPAN3] = "decap_erspan3",
	[PKT_DECAP_VXLAN] = "decap_vxlan",
	[PKT_DECAP_GTPU] = "decap_gtpu",
};

const char *pkt_result_name(unsigned int result)
{
	return result < PKT_RESULT_MAX ? result_names[result] : "unknown";
}

static int nr_cpus(void)
{
	static int n;

	if (!n) {
		n = libbpf_num_possible_cpus();
		if (n < 1) {
			/* Only when /sys/devices/system/cpu/possible is unreadable. */
			pr_err("cannot count possible CPUs (is /sys mounted?): %s\n", strerror(-n));
			exit(1);
		}
	}
	return n;
}

int percpu_array_sum(int fd, __u32 key, __u64 *sum)
{
	__u64 vals[nr_cpus()]; /* __u64 values need no rounding to 8 bytes */
	int cpu;

	if (bpf_map_lookup_elem(fd, &key, vals))
		return -errno;
	*sum = 0;
	for (cpu = 0; cpu < nr_cpus(); cpu++)
		*sum += vals[cpu];
	return 0;
}

/* Sum a PERCPU_ARRAY of __u64 into @out[0..n). */
static int sum_percpu_array(int fd, const char *name, __u64 *out, __u32 n)
{
	__u32 key;
	int err;

	for (key = 0; key < n; key++) {
		err = percpu_array_sum(fd, key, &out[key]);
		if (err) {
			pr_err("map %s: reading index %u failed: %s\n", name, key, strerror(-err));
			return err;
		}
	}
	return 0;
}

static int peer_append(struct map_snapshot *snap, size_t *cap, const struct peer_key *key,
		       const __u64 *percpu)
{
	struct peer_count *pc;
	int cpu;

	if (snap->nr_peers == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;

		pc = realloc(snap->peers, ncap * sizeof(*pc));
		if (!pc)
			return -ENOMEM;
		snap->peers = pc;
		*cap = ncap;
	}
	pc = &snap->peers[snap->nr_peers++];
	pc->key = *key;
	pc->count = 0;
	for (cpu = 0; cpu < nr_cpus(); cpu++)
		pc->count += percpu[cpu];
	return 0;
}

/* Fallback for kernels without batch ops on this map type. */
static int read_peers_by_key(int fd, struct map_snapshot *snap, size_t *cap, __u64 *vals)
{
	struct peer_key key, next;
	struct peer_key *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue; /* evicted between the two calls */
		err = peer_append(snap, cap, &key, vals);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int read_peers(int fd, struct map_snapshot *snap)
{
	struct peer_key *keys = calloc(PEERS_BATCH, sizeof(*keys));
	__u64 *vals = calloc((size_t)PEERS_BATCH * nr_cpus(), sizeof(*vals));
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct peer_key token;
	size_t cap = 0;
	bool first = true;
	__u32 i, count;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = PEERS_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals, &count,
					   &opts);
		if (err && errno != ENOENT) {
			err = -errno;
			if (first && (err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUPP))
				err = read_peers_by_key(fd, snap, &cap, vals);
			goto out;
		}
		for (i = 0; i < count; i++) {
			int e = peer_append(snap, &cap, &keys[i], &vals[(size_t)i * nr_cpus()]);

			if (e) {
				err = e;
				goto out;
			}
		}
		if (err) { /* ENOENT: that was the last batch */
			err = 0;
			break;
		}
		first = false;
	}
out:
	free(keys);
	free(vals);
	return err;
}

int peer_count_cmp(const void *a, const void *b)
{
	const struct peer_count *pa = a, *pb = b;

	return memcmp(&pa->key, &pb->key, sizeof(pa->key));
}

/* A hash walk may meet a key twice while the kernel inserts: keep one, the larger. */
static void peers_sort_unique(struct map_snapshot *snap)
{
	size_t i, out = 0;

	qsort(snap->peers, snap->nr_peers, sizeof(*snap->peers), peer_count_cmp);
	for (i = 0; i < snap->nr_peers; i++) {
		if (out && !peer_count_cmp(&snap->peers[out - 1], &snap->peers[i])) {
			if (snap->peers[i].count > snap->peers[out - 1].count)
				snap->peers[out - 1].count = snap->peers[i].count;
			continue;
		}
		snap->peers[out++] = snap->peers[i];
	}
	snap->nr_peers = out;
}

int peers_read(int fd, struct peer_count **peers, size_t *nr)
{
	struct map_snapshot snap = {};
	int err = read_peers(fd, &snap);

	if (err) {
		snapshot_free(&snap);
		pr_err("map peers: reading failed: %s\n", strerror(-err));
		return err;
	}
	peers_sort_unique(&snap);
	*peers = snap.peers;
	*nr = snap.nr_peers;
	return 0;
}

int snapshot_read(const struct sip6xx_maps *maps, struct map_snapshot *snap)
{
	int err;

	memset(snap, 0, sizeof(*snap));
	snap->peers_capacity = maps->peers_capacity;
	err = sum_percpu_array(maps->resp_codes, "resp_codes", &snap->resp_codes[0][0],
			       RESP_CODES_ENTRIES);
	if (!err)
		err = sum_percpu_array(maps->pkt_stats, "pkt_stats", &snap->pkt_stats[0][0],
				       PKT_STATS_ENTRIES);
	if (!err)
		err = sum_percpu_array(maps->peer_stats, "peer_stats", snap->peer_stats,
				       PEER_STATS_MAX);
	if (!err)
		err = peers_read(maps->peers, &snap->peers, &snap->nr_peers);
	return err;
}

void snapshot_free(struct map_snapshot *snap)
{
	free(snap->peers);
	snap->peers = NULL;
	snap->nr_peers = 0;
}

void peer_addr_str(const struct peer_key *key, char *buf, size_t len)
{
	/* inet_ntop writes RFC 5952 text for IPv6. */
	if (key->family == SIP6XX_FAMILY_IPV4)
		inet_ntop(AF_INET, &key->addr[12], buf, len);
	else
		inet_ntop(AF_INET6, key->addr, buf, len);
}
