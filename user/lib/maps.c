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

/* One index of a PERCPU_ARRAY of __u64 over @n CPUs (__u64 needs no rounding to 8 bytes). */
static int percpu_sum(int fd, __u32 key, int n, __u64 *sum)
{
	__u64 vals[n];
	int cpu;

	if (bpf_map_lookup_elem(fd, &key, vals))
		return -errno;
	*sum = 0;
	for (cpu = 0; cpu < n; cpu++)
		*sum += vals[cpu];
	return 0;
}

int percpu_array_sum(int fd, __u32 key, __u64 *sum)
{
	int n = nr_cpus();

	return n < 0 ? n : percpu_sum(fd, key, n, sum);
}

/*
 * What a reader keeps of peer_cache: the second copy, [index * nr_cpus + cpu],
 * with every slot that was not stable zeroed, so a non-zero key can be used.
 * NULL slots: no cache, the peers values alone.
 */
struct cache_view {
	struct peer_cache_slot *slots;
};

/* The nr_cpus slots @key can sit in, or NULL. */
static const struct peer_cache_slot *cache_row(const struct cache_view *cv,
					       const struct peer_key *key)
{
	return cv->slots ? &cv->slots[(size_t)peer_cache_index(key) * nr_cpus()] : NULL;
}

/* Per CPU, the larger of the peers value and the count of a stable slot holding @key. */
static __u64 peer_sum(const struct peer_cache_slot *row, const struct peer_key *key,
		      const __u64 *percpu)
{
	__u64 sum = 0, v;
	int cpu;

	for (cpu = 0; cpu < nr_cpus(); cpu++) {
		v = percpu[cpu];
		if (row && row[cpu].count > v && !memcmp(&row[cpu].key, key, sizeof(*key)))
			v = row[cpu].count;
		sum += v;
	}
	return sum;
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

static int peer_append(struct map_snapshot *snap, size_t *cap, const struct cache_view *cv,
		       const struct peer_key *key, const __u64 *percpu)
{
	return peer_push(snap, cap, key, peer_sum(cache_row(cv, key), key, percpu));
}

/* Fallback for kernels without batch ops on this map type. */
static int read_peers_by_key(int fd, struct map_snapshot *snap, size_t *cap,
			     const struct cache_view *cv, __u64 *vals)
{
	struct peer_key key, next;
	struct peer_key *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue; /* evicted between the two calls */
		err = peer_append(snap, cap, cv, &key, vals);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int read_peers(int fd, struct map_snapshot *snap, size_t *cap, const struct cache_view *cv)
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
				err = read_peers_by_key(fd, snap, cap, cv, vals);
			goto out;
		}
		for (i = 0; i < count; i++) {
			int e = peer_append(snap, cap, cv, &keys[i], &vals[(size_t)i * nr_cpus()]);

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
 * Sorts @n entries by key and keeps one per key: with @sum the counts added,
 * else the larger. Returns how many are left.
 */
static size_t peers_sort_merge(struct peer_count *p, size_t n, bool sum)
{
	size_t i, out = 0;

	qsort(p, n, sizeof(*p), peer_count_cmp);
	for (i = 0; i < n; i++) {
		if (out && !peer_count_cmp(&p[out - 1], &p[i])) {
			if (sum)
				p[out - 1].count += p[i].count;
			else if (p[i].count > p[out - 1].count)
				p[out - 1].count = p[i].count;
			continue;
		}
		p[out++] = p[i];
	}
	return out;
}

static bool peer_key_zero(const struct peer_key *key)
{
	static const struct peer_key zero;

	return !memcmp(key, &zero, sizeof(zero));
}

/*
 * Zeroes each slot of @second that @first does not match: same key, same seq,
 * and that seq even (no key change under way, none in between).
 */
static void keep_stable(const struct peer_cache_slot *first, struct peer_cache_slot *second,
			size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (first[i].seq != second[i].seq || (second[i].seq & 1) ||
		    memcmp(&first[i].key, &second[i].key, sizeof(first[i].key)) ||
		    peer_key_zero(&second[i].key))
			memset(&second[i], 0, sizeof(second[i]));
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

/* Every slot of peer_cache on every CPU into @slots, [index * nr_cpus + cpu]. */
static int read_cache(int fd, struct peer_cache_slot *slots)
{
	/* Per-CPU values are strided by 8: the slot's own size must be that stride. */
	_Static_assert(sizeof(struct peer_cache_slot) % 8 == 0, "peer_cache_slot stride");
	return read_array(fd, PEER_CACHE_SLOTS, slots, sizeof(*slots) * nr_cpus());
}

/* Two copies of peer_cache, reduced to the stable slots of the second; fd < 0: none. */
static int cache_view_read(int fd, struct cache_view *cv)
{
	size_t n = (size_t)PEER_CACHE_SLOTS * nr_cpus();
	struct peer_cache_slot *first = NULL;
	int err;

	cv->slots = NULL;
	if (fd < 0)
		return 0;
	first = calloc(n, sizeof(*first));
	cv->slots = calloc(n, sizeof(*cv->slots));
	if (!first || !cv->slots)
		err = -ENOMEM;
	else
		err = read_cache(fd, first);
	if (!err)
		err = read_cache(fd, cv->slots);
	if (!err)
		keep_stable(first, cv->slots, n);
	free(first);
	if (err) {
		free(cv->slots);
		cv->slots = NULL;
	}
	return err;
}

/*
 * Keys a stable slot holds that the peers read did not find (the LRU evicted
 * them while they were cached): each with its slots' counts summed over CPUs.
 * @snap holds the peers keys, sorted and unique; it is left so.
 */
static int append_cache_only(struct map_snapshot *snap, size_t *cap, const struct cache_view *cv)
{
	size_t n = (size_t)PEER_CACHE_SLOTS * nr_cpus(), nr_hash = snap->nr_peers, i;
	const struct peer_cache_slot *slot;
	int err;

	for (i = 0; cv->slots && i < n; i++) {
		slot = &cv->slots[i];
		/* Zero key: empty or unstable. Zero count: a key whose insert failed. */
		if (peer_key_zero(&slot->key) || !slot->count)
			continue;
		if (bsearch(&slot->key, snap->peers, nr_hash, sizeof(*snap->peers), peer_count_cmp))
			continue;
		err = peer_push(snap, cap, &slot->key, slot->count);
		if (err)
			return err;
	}
	if (snap->nr_peers == nr_hash)
		return 0;
	/* One key may sit in its slot on several CPUs: one entry, the CPUs summed. */
	snap->nr_peers =
		nr_hash + peers_sort_merge(snap->peers + nr_hash, snap->nr_peers - nr_hash, true);
	qsort(snap->peers, snap->nr_peers, sizeof(*snap->peers), peer_count_cmp);
	return 0;
}

/*
 * The order is peer_cache, peer_cache again, then peers; it keeps each key's
 * count monotonic from one read to the next, and never above the truth. A
 * slot both copies see with the same key and the same even seq held that key
 * throughout, so its count is the key's absolute count at some moment. A slot
 * that changed key wrote the old count back to peers before its seq went odd,
 * so the peers read, which comes after, has it: an unstable slot can be
 * ignored. Reading peers first would let a count move into peers after that
 * read and out of sight of the cache reads: the key would seem to go back.
 */
static int snapshot_read_peers(int peers_fd, int cache_fd, struct map_snapshot *snap)
{
	struct cache_view cv;
	size_t cap = 0;
	int err;

	err = cache_view_read(cache_fd, &cv);
	if (err) {
		pr_err("map peer_cache: reading failed: %s\n", strerror(-err));
		return err;
	}
	err = read_peers(peers_fd, snap, &cap, &cv);
	if (!err) {
		/* A hash walk may meet a key twice while the kernel inserts: keep the larger. */
		snap->nr_peers = peers_sort_merge(snap->peers, snap->nr_peers, false);
		snap->peers_in_map = snap->nr_peers;
		err = append_cache_only(snap, &cap, &cv);
	}
	free(cv.slots);
	if (err) {
		snapshot_free(snap);
		pr_err("map peers: reading failed: %s\n", strerror(-err));
	}
	return err;
}

int peers_read(int peers_fd, int cache_fd, struct peer_count **peers, size_t *nr)
{
	struct map_snapshot snap = {};
	int err = nr_cpus();

	if (err < 0)
		return err;
	err = snapshot_read_peers(peers_fd, cache_fd, &snap);
	if (err)
		return err;
	*peers = snap.peers;
	*nr = snap.nr_peers;
	return 0;
}

/* peer_read_one() for @n CPUs. */
static int read_one(int peers_fd, int cache_fd, const struct peer_key *key, int n, __u64 *count)
{
	struct peer_cache_slot *first = NULL, *row = NULL;
	__u32 idx = peer_cache_index(key);
	__u64 vals[n];
	int err = 0;

	/* The same order as peers_read(), for the one slot @key can sit in. */
	if (cache_fd >= 0) {
		first = calloc(n, sizeof(*first));
		row = calloc(n, sizeof(*row));
		if (!first || !row)
			err = -ENOMEM;
		else if (bpf_map_lookup_elem(cache_fd, &idx, first) ||
			 bpf_map_lookup_elem(cache_fd, &idx, row))
			err = -errno;
		else
			keep_stable(first, row, n);
	}
	if (!err && bpf_map_lookup_elem(peers_fd, key, vals)) {
		if (errno == ENOENT)
			memset(vals, 0, sizeof(vals));
		else
			err = -errno;
	}
	if (!err)
		*count = peer_sum(row, key, vals);
	free(first);
	free(row);
	return err;
}

int peer_read_one(int peers_fd, int cache_fd, const struct peer_key *key, __u64 *count)
{
	int n = nr_cpus();

	return n < 0 ? n : read_one(peers_fd, cache_fd, key, n, count);
}

int peers_clear(int peers_fd, int cache_fd)
{
	struct peer_cache_slot *empty;
	struct peer_key key;
	__u32 idx;
	int err = nr_cpus();

	if (err < 0)
		return err;
	err = 0;
	if (cache_fd >= 0) {
		empty = calloc(nr_cpus(), sizeof(*empty));
		if (!empty)
			return -ENOMEM;
		for (idx = 0; !err && idx < PEER_CACHE_SLOTS; idx++)
			if (bpf_map_update_elem(cache_fd, &idx, empty, BPF_ANY))
				err = -errno;
		free(empty);
		if (err)
			return err;
	}
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
		err = snapshot_read_peers(maps->peers, maps->peer_cache, snap);
	return err;
}

void snapshot_free(struct map_snapshot *snap)
{
	free(snap->peers);
	snap->peers = NULL;
	snap->nr_peers = 0;
	snap->peers_in_map = 0;
}

void peer_addr_str(const struct peer_key *key, char *buf, size_t len)
{
	/* inet_ntop writes RFC 5952 text for IPv6. */
	if (key->family == SIP6XX_FAMILY_IPV4)
		inet_ntop(AF_INET, &key->addr[12], buf, len);
	else
		inet_ntop(AF_INET6, key->addr, buf, len);
}
