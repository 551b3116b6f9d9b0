/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Read the kernel maps into per-CPU sums: one snapshot per interface. */
#ifndef SIP6XX_MAPS_H
#define SIP6XX_MAPS_H

#include <stddef.h>
#include "sip6xx.h"

/* The map descriptors of one loaded object. */
struct sip6xx_maps {
	int resp_codes;
	int peers;
	int pkt_stats;
	int peer_stats;
	__u32 peers_capacity;
};

struct peer_count {
	struct peer_key key;
	__u64 count; /* summed over CPUs */
};

struct map_snapshot {
	/* Summed over CPUs; [direction][status code] and [direction][enum pkt_result]. */
	__u64 resp_codes[SIP6XX_NR_DIRS][RESP_CODES_PER_DIR];
	__u64 pkt_stats[SIP6XX_NR_DIRS][PKT_RESULT_MAX];
	__u64 peer_stats[PEER_STATS_MAX];
	struct peer_count *peers; /* malloc'd, nr_peers entries */
	size_t nr_peers;	  /* the peers map's entries */
	__u32 peers_capacity;
};

/* Fills @snap; returns 0, or -errno after logging which map failed. */
int snapshot_read(const struct sip6xx_maps *maps, struct map_snapshot *snap);
void snapshot_free(struct map_snapshot *snap);
/*
 * All sources of a peers map, each summed over CPUs and sorted by key; 0 or
 * -errno (logged).
 */
int peers_read(int peers_fd, struct peer_count **peers, size_t *nr);
/* One key's count, summed over CPUs; a key not in the map reads as 0. 0 or -errno. */
int peer_read_one(int peers_fd, const struct peer_key *key, __u64 *count);
/*
 * Deletes every peers key. Meant for a quiet program (tests): a 6xx counted
 * meanwhile may keep an old count.
 */
int peers_clear(int peers_fd);
/* Orders struct peer_count (or a bare struct peer_key) by key, as snapshots are sorted. */
int peer_count_cmp(const void *a, const void *b);
/* One index of a PERCPU_ARRAY of __u64, summed over CPUs; 0 or -errno. */
int percpu_array_sum(int fd, __u32 key, __u64 *sum);

/* "1.2.3.4" or RFC 5952 IPv6 text for a peer key's address. */
void peer_addr_str(const struct peer_key *key, char *buf, size_t len);

/* Name of a parse outcome as exported in the result label ("non_ip", ...). */
const char *pkt_result_name(unsigned int result);

#endif
