/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What --max-peers costs: the kernel memory of the preallocated peers map. */
#ifndef SIP6XX_PEERS_MEMORY_H
#define SIP6XX_PEERS_MEMORY_H

#include <linux/types.h>

/* Above this, over every interface, --max-peers needs --force-max-peers. */
#define PEERS_MEMORY_LIMIT (1ULL << 30)

/* Bytes the kernel allocates, at load, for a peers map of @entries on @cpus possible CPUs. */
__u64 peers_map_bytes(__u32 entries, int cpus);

#endif
