// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * An LRU_PERCPU_HASH is preallocated whole when the program loads, so a big
 * --max-peers costs its memory at once, full or not. The sizes follow the
 * kernel's htab_map_mem_usage() (kernel/bpf/hashtab.c), which 6.6 and later
 * report as the map's memlock.
 */
#include "peers_memory.h"
#include "sip6xx.h"

#define HTAB_ELEM_HDR 48 /* struct htab_elem before its key: hash node, LRU node, hash */
#define HTAB_BUCKET   16 /* struct bucket: list head and lock */

static __u64 round_up8(__u64 n)
{
	return (n + 7) & ~7ULL;
}

static __u64 roundup_pow2(__u64 n)
{
	__u64 p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

__u64 peers_map_bytes(__u32 entries, int cpus)
{
	/* Each element: header, key, and a pointer to its per-CPU __u64 values. */
	__u64 elem = HTAB_ELEM_HDR + round_up8(sizeof(struct peer_key)) + sizeof(void *);
	__u64 percpu = round_up8(sizeof(__u64)) * (cpus > 0 ? cpus : 1);

	return (__u64)entries * (elem + percpu) + roundup_pow2(entries) * HTAB_BUCKET;
}
