// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * How the exporter reads its maps (user/lib/maps.c), on maps made here with the
 * contract's types and sizes and filled with known per-CPU values:
 * - a scrape (snapshot_read) reads each array in batches, not with one
 *   bpf() call per index, and gets every sum right;
 * - where the kernel has no batch ops (EINVAL, ENOTSUPP: simulated here), the
 *   index-by-index fallback gives the same sums;
 * - when the possible CPUs cannot be counted, the readers return an error
 *   instead of ending the process.
 * The libbpf calls are counted by wrappers that the test binary defines in
 * front of libbpf's own (dlsym(RTLD_NEXT)).
 *
 * Needs root (CAP_BPF) to create the maps.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_skip.h"
#include "maps.h"

#define PEERS_CAP 1024

static int lookup_elem_calls, lookup_batch_calls;
static int batch_errno; /* non-zero: bpf_map_lookup_batch fails with it */
static int cpus_errno;	/* non-zero: libbpf_num_possible_cpus fails with it */

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	static int (*real)(int, const void *, void *);

	if (!real)
		real = dlsym(RTLD_NEXT, "bpf_map_lookup_elem");
	lookup_elem_calls++;
	return real(fd, key, value);
}

int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
			 __u32 *count, const struct bpf_map_batch_opts *opts)
{
	static int (*real)(int, void *, void *, void *, void *, __u32 *,
			   const struct bpf_map_batch_opts *);

	if (!real)
		real = dlsym(RTLD_NEXT, "bpf_map_lookup_batch");
	lookup_batch_calls++;
	if (batch_errno) {
		errno = batch_errno;
		return -batch_errno;
	}
	return real(fd, in_batch, out_batch, keys, values, count, opts);
}

int libbpf_num_possible_cpus(void)
{
	static int (*real)(void);

	if (cpus_errno)
		return -cpus_errno;
	if (!real)
		real = dlsym(RTLD_NEXT, "libbpf_num_possible_cpus");
	return real();
}

static struct sip6xx_maps maps;
static int ncpus;

static int percpu_array(const char *name, __u32 value_size, __u32 n)
{
	int fd =
		bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, name, sizeof(__u32), value_size, n, NULL);

	if (fd < 0)
		fail_msg("creating %s: %s (needs root)", name, strerror(errno));
	return fd;
}

/* Index i, CPU c holds i * 1000 + c + 1: every sum is known and none is zero. */
static void fill(int fd, __u32 n)
{
	__u64 vals[ncpus];
	__u32 i;
	int c;

	for (i = 0; i < n; i++) {
		for (c = 0; c < ncpus; c++)
			vals[c] = (__u64)i * 1000 + c + 1;
		assert_int_equal(0, bpf_map_update_elem(fd, &i, vals, BPF_ANY));
	}
}

static __u64 expected(__u32 i)
{
	return (__u64)i * 1000 * ncpus + (__u64)ncpus * (ncpus + 1) / 2;
}

static int setup(void **state)
{
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 1)
		return -1;
	maps.resp_codes = percpu_array("resp_codes", sizeof(__u64), RESP_CODES_ENTRIES);
	maps.pkt_stats = percpu_array("pkt_stats", sizeof(__u64), PKT_STATS_ENTRIES);
	maps.peer_stats = percpu_array("peer_stats", sizeof(__u64), PEER_STATS_MAX);
	maps.peers = bpf_map_create(BPF_MAP_TYPE_LRU_PERCPU_HASH, "peers", sizeof(struct peer_key),
				    sizeof(__u64), PEERS_CAP, NULL);
	maps.peers_capacity = PEERS_CAP;
	if (maps.resp_codes < 0 || maps.pkt_stats < 0 || maps.peer_stats < 0 || maps.peers < 0)
		return -1;
	fill(maps.resp_codes, RESP_CODES_ENTRIES);
	fill(maps.pkt_stats, PKT_STATS_ENTRIES);
	fill(maps.peer_stats, PEER_STATS_MAX);
	return 0;
}

static void check_sums(const struct map_snapshot *snap)
{
	const __u64 *resp = &snap->resp_codes[0][0], *pkt = &snap->pkt_stats[0][0];
	__u32 i;

	for (i = 0; i < RESP_CODES_ENTRIES; i++)
		if (resp[i] != expected(i))
			fail_msg("resp_codes[%u] = %llu, expected %llu", i,
				 (unsigned long long)resp[i], (unsigned long long)expected(i));
	for (i = 0; i < PKT_STATS_ENTRIES; i++)
		assert_int_equal(expected(i), pkt[i]);
	for (i = 0; i < PEER_STATS_MAX; i++)
		assert_int_equal(expected(i), snap->peer_stats[i]);
}

/* Runs first: libbpf caches the CPU count once it has read it. */
static void test_no_cpu_count_is_an_error(void **state)
{
	struct map_snapshot snap;
	__u64 sum = 1;

	cpus_errno = ENOENT;
	assert_int_equal(-ENOENT, percpu_array_sum(maps.resp_codes, 0, &sum));
	assert_int_equal(-ENOENT, snapshot_read(&maps, &snap));
	cpus_errno = 0;
	assert_int_equal(0, percpu_array_sum(maps.resp_codes, 1, &sum));
	assert_int_equal(expected(1), sum);
}

static void test_scrape_reads_arrays_in_batches(void **state)
{
	struct map_snapshot snap;

	lookup_elem_calls = lookup_batch_calls = 0;
	assert_int_equal(0, snapshot_read(&maps, &snap));
	check_sums(&snap);
	snapshot_free(&snap);
	print_message("# %d bpf_map_lookup_batch calls, %d bpf_map_lookup_elem calls\n",
		      lookup_batch_calls, lookup_elem_calls);
	/* resp_codes, pkt_stats, peer_stats, peers: a few calls each. */
	assert_int_equal(0, lookup_elem_calls);
	assert_in_range(lookup_batch_calls, 4, 16);
}

static void test_fallback_without_batch_ops(void **state)
{
	static const int errs[] = { EINVAL, 524 /* ENOTSUPP */, EOPNOTSUPP };
	struct map_snapshot snap;
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		batch_errno = errs[i];
		lookup_elem_calls = 0;
		assert_int_equal(0, snapshot_read(&maps, &snap));
		check_sums(&snap);
		snapshot_free(&snap);
		assert_int_equal(RESP_CODES_ENTRIES + PKT_STATS_ENTRIES + PEER_STATS_MAX,
				 lookup_elem_calls);
	}
	batch_errno = 0;
}

static void test_other_batch_errors_are_reported(void **state)
{
	struct map_snapshot snap;

	batch_errno = EPERM;
	assert_int_equal(-EPERM, snapshot_read(&maps, &snap));
	batch_errno = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_cpu_count_is_an_error),
		cmocka_unit_test(test_scrape_reads_arrays_in_batches),
		cmocka_unit_test(test_fallback_without_batch_ops),
		cmocka_unit_test(test_other_batch_errors_are_reported),
	};

	if (bpf_skip_unless(BPF_NEED_MAPS))
		return 0;
	return cmocka_run_group_tests(tests, setup, NULL);
}
