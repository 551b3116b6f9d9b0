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

/* The result label of each enum pkt_result, from the contract's one list. */
static const char *const result_names[PKT_RESULT_MAX] = {
#define RESULT_NAME(e, name) [e] = #name,
	SIP6XX_PKT_RESULTS(RESULT_NAME)
#undef RESULT_NAME
};

const char *pkt_result_name(unsigned int result)
{
	return result < PKT_RESULT_MAX ? result_names[result] : "unknown";
}

/*
 * Possible CPUs, or -errno (logged once) when /sys/devices/system/cpu/possible
 * cannot be read. Every public reader checks it first; the helpers below then
 * see the cached count.
 */
static int nr_cpus(void)
{
	static int n;

	if (n < 1) {
		n = libbpf_num_possible_cpus();
		if (n < 1) {
			pr_err("cannot count possible CPUs (is /sys mounted?): %s\n", strerror(-n));
			return n < 0 ? n : -EINVAL;
		}
	}
	return n;
}

/* The @n per-CPU values of one __u64 entry, added up. */
static __u64 percpu_total(const __u64 *vals, int n)
{
	__u64 sum = 0;
	int cpu;

	for (cpu = 0; cpu < n; cpu++)
		sum += vals[cpu];
	return sum;
}

/* One index of a PERCPU_ARRAY of __u64 over @n CPUs (__u64 needs no rounding to 8 bytes). */
static int percpu_sum(int fd, __u32 key, int n, __u64 *sum)
{
	__u64 vals[n];

	if (bpf_map_lookup_elem(fd, &key, vals))
		return -errno;
	*sum = percpu_total(vals, n);
	return 0;
}

int percpu_array_sum(int fd, __u32 key, __u64 *sum)
{
	int n = nr_cpus();

	return n < 0 ? n : percpu_sum(fd, key, n, sum);
}

static int peer_push(struct map_snapshot *snap, size_t *cap, const struct peer_key *key,
		     __u64 count)
{
	struct peer_count *pc;

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
	pc->count = count;
	return 0;
}

/* One key's per-CPU values, summed. */
static int peer_append(struct map_snapshot *snap, size_t *cap, const struct peer_key *key,
		       const __u64 *percpu)
{
	return peer_push(snap, cap, key, percpu_total(percpu, nr_cpus()));
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

static int read_peers(int fd, struct map_snapshot *snap, size_t *cap)
{
	struct peer_key *keys = calloc(PEERS_BATCH, sizeof(*keys));
	__u64 *vals = calloc((size_t)PEERS_BATCH * nr_cpus(), sizeof(*vals));
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct peer_key token;
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
				err = read_peers_by_key(fd, snap, cap, vals);
			goto out;
		}
		for (i = 0; i < count; i++) {
			int e = peer_append(snap, cap, &keys[i], &vals[(size_t)i * nr_cpus()]);

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

/*
 * Sorts @n entries by key and keeps one per key, the larger: a hash walk may
 * meet a key twice while the kernel inserts. Returns how many are left.
 */
static size_t peers_sort_merge(struct peer_count *p, size_t n)
{
	size_t i, out = 0;

	qsort(p, n, sizeof(*p), peer_count_cmp);
	for (i = 0; i < n; i++) {
		if (out && !peer_count_cmp(&p[out - 1], &p[i])) {
			if (p[i].count > p[out - 1].count)
				p[out - 1].count = p[i].count;
			continue;
		}
		p[out++] = p[i];
	}
	return out;
}

/* Fallback for kernels without batch ops on arrays: one index at a time. */
static int read_array_by_index(int fd, __u32 n, void *vals, size_t per_index)
{
	__u32 idx;

	for (idx = 0; idx < n; idx++)
		if (bpf_map_lookup_elem(fd, &idx, (char *)vals + (size_t)idx * per_index))
			return -errno;
	return 0;
}

/*
 * Every index of the array @fd, @n of them, into @vals: per_index bytes each
 * (nr_cpus values for a per-CPU array). One bpf() call per batch instead of
 * one per index: arrays have batch ops since 5.6, and where they are missing
 * (EINVAL, ENOTSUPP) or walk in an order other than 0..n-1, index by index.
 */
static int read_array(int fd, __u32 n, void *vals, size_t per_index)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 token, count, done = 0, i;
	__u32 *keys = calloc(n, sizeof(*keys));
	int err = 0;

	if (!keys)
		return -ENOMEM;
	while (done < n) {
		count = n - done;
		err = bpf_map_lookup_batch(fd, done ? &token : NULL, &token, &keys[done],
					   (char *)vals + (size_t)done * per_index, &count, &opts);
		if (err && errno != ENOENT) {
			err = -errno;
			if (!done && (err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUPP))
				goto by_index;
			goto out;
		}
		done += count;
		if (err || !count) /* ENOENT: that was the last batch */
			break;
	}
	for (i = 0; i < n; i++)
		if (i >= done || keys[i] != i)
			goto by_index;
	err = 0;
	goto out;
by_index:
	err = read_array_by_index(fd, n, vals, per_index);
out:
	free(keys);
	return err;
}

/* Sum a PERCPU_ARRAY of __u64 into @out[0..n). */
static int sum_percpu_array(int fd, const char *name, __u64 *out, __u32 n)
{
	size_t cpus = nr_cpus(), key, cpu;
	__u64 *vals = calloc((size_t)n * cpus, sizeof(*vals));
	int err;

	if (!vals)
		return -ENOMEM;
	err = read_array(fd, n, vals, cpus * sizeof(*vals));
	if (err) {
		pr_err("map %s: reading failed: %s\n", name, strerror(-err));
	} else {
		for (key = 0; key < n; key++) {
			out[key] = 0;
			for (cpu = 0; cpu < cpus; cpu++)
				out[key] += vals[key * cpus + cpu];
		}
	}
	free(vals);
	return err;
}

/* Every key of peers with its count summed over CPUs, sorted by key. */
static int snapshot_read_peers(int peers_fd, struct map_snapshot *snap)
{
	size_t cap = 0;
	int err;

	err = read_peers(peers_fd, snap, &cap);
	if (!err)
		snap->nr_peers = peers_sort_merge(snap->peers, snap->nr_peers);
	if (err) {
		snapshot_free(snap);
		pr_err("map peers: reading failed: %s\n", strerror(-err));
	}
	return err;
}

int peers_read(int peers_fd, struct peer_count **peers, size_t *nr)
{
	struct map_snapshot snap = {};
	int err = nr_cpus();

	if (err < 0)
		return err;
	err = snapshot_read_peers(peers_fd, &snap);
	if (err)
		return err;
	*peers = snap.peers;
	*nr = snap.nr_peers;
	return 0;
}

/* peer_read_one() for @n CPUs. */
static int read_one(int peers_fd, const struct peer_key *key, int n, __u64 *count)
{
	__u64 vals[n];

	if (bpf_map_lookup_elem(peers_fd, key, vals)) {
		if (errno != ENOENT)
			return -errno;
		memset(vals, 0, sizeof(vals));
	}
	*count = percpu_total(vals, n);
	return 0;
}

int peer_read_one(int peers_fd, const struct peer_key *key, __u64 *count)
{
	int n = nr_cpus();

	return n < 0 ? n : read_one(peers_fd, key, n, count);
}

int peers_clear(int peers_fd)
{
	struct peer_key key;
	int err = nr_cpus();

	if (err < 0)
		return err;
	while (!bpf_map_get_next_key(peers_fd, NULL, &key))
		if (bpf_map_delete_elem(peers_fd, &key) && errno != ENOENT)
			return -errno;
	return errno == ENOENT ? 0 : -errno;
}

int snapshot_read(const struct sip6xx_maps *maps, struct map_snapshot *snap)
{
	int err;

	memset(snap, 0, sizeof(*snap));
	snap->peers_capacity = maps->peers_capacity;
	err = nr_cpus();
	if (err < 0)
		return err;
	err = sum_percpu_array(maps->resp_codes, "resp_codes", &snap->resp_codes[0][0],
			       RESP_CODES_ENTRIES);
	if (!err)
		err = sum_percpu_array(maps->pkt_stats, "pkt_stats", &snap->pkt_stats[0][0],
				       PKT_STATS_ENTRIES);
	if (!err)
		err = sum_percpu_array(maps->peer_stats, "peer_stats", snap->peer_stats,
				       PEER_STATS_MAX);
	if (!err)
		err = snapshot_read_peers(maps->peers, snap);
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
