// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Loads many tracked sources into a running exporter's peers map, to time the
 * scrape that has to read and print them all. Run it in the exporter's
 * network namespace: it finds the XDP program on IFNAME, then the map named
 * "peers" among that program's maps (so another exporter's map on this
 * machine is never touched), and fills it with bpf_map_update_batch.
 *
 * Usage: fill_peers IFNAME COUNT [FIRST]
 *   Adds entries FIRST .. FIRST+COUNT-1 (FIRST defaults to 0). Entry i is a
 *   6xx (607, 608 or 603 in turn) from 198.18.0.0 + i while that stays in
 *   198.18.0.0/15 (the first 131072), from 2001:db8::/96 + i after that.
 *   Prints one line of key=value: capacity, entries, secs.
 */
#include <netinet/in.h> /* before any UAPI header: see bpf/sip_parse.h */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "sip6xx.h"
#include "xdp_map.h"

#define BATCH	 65536
#define V4_SPACE (1U << 17) /* 198.18.0.0/15 */
#define MAX_FILL (1U << 24)

/* The exporter's peers map on @ifindex, as a new descriptor; -1 if none. */
static int find_peers(unsigned int ifindex, __u32 *max_entries)
{
	struct bpf_map_info info;
	int fd = xdp_prog_map(ifindex, "peers", &info);

	if (fd >= 0 && info.key_size != sizeof(struct peer_key)) {
		close(fd);
		return -1;
	}
	if (fd >= 0)
		*max_entries = info.max_entries;
	return fd;
}

static void make_key(struct peer_key *k, __u32 i, unsigned int ifindex)
{
	static const __u16 codes[3] = { 607, 608, 603 };
	__u32 a;

	memset(k, 0, sizeof(*k));
	if (i < V4_SPACE) {
		a = 0xc6120000 + i; /* 198.18.0.0 + i, IPv4-mapped */
		k->addr[10] = 0xff;
		k->addr[11] = 0xff;
		k->family = SIP6XX_FAMILY_IPV4;
	} else {
		a = i;
		k->addr[0] = 0x20; /* 2001:db8:: */
		k->addr[1] = 0x01;
		k->addr[2] = 0x0d;
		k->addr[3] = 0xb8;
		k->family = SIP6XX_FAMILY_IPV6;
	}
	k->addr[12] = a >> 24;
	k->addr[13] = a >> 16;
	k->addr[14] = a >> 8;
	k->addr[15] = a;
	k->ifindex = ifindex;
	k->code = codes[i % 3];
	k->direction = SIP6XX_DIR_RX;
}

int main(int argc, char **argv)
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	unsigned long count, first = 0, done = 0;
	__u32 capacity = 0, n, j;
	struct peer_key *keys;
	unsigned int ifindex;
	__u64 *vals;
	double t0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: fill_peers IFNAME COUNT [FIRST]\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	count = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		first = strtoul(argv[3], NULL, 10);
	if (!ifindex || !count || count > MAX_FILL || first > MAX_FILL || ncpu < 1) {
		fprintf(stderr, "fill_peers: no interface %s here, or COUNT/FIRST out of range\n",
			argv[1]);
		return 2;
	}
	fd = find_peers(ifindex, &capacity);
	if (fd < 0) {
		fprintf(stderr, "fill_peers: no XDP program with a peers map on %s\n", argv[1]);
		return 1;
	}
	if (first + count > capacity)
		fprintf(stderr,
			"fill_peers: %lu entries exceed the map's capacity %u: the LRU "
			"will evict\n",
			first + count, capacity);
	keys = calloc(BATCH, sizeof(*keys));
	vals = calloc((size_t)BATCH * ncpu, sizeof(*vals)); /* per CPU, 8 bytes each */
	if (!keys || !vals)
		return 1;
	t0 = bench_mono_s();
	while (done < count) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		n = count - done < BATCH ? count - done : BATCH;
		for (j = 0; j < n; j++) {
			make_key(&keys[j], first + done + j, ifindex);
			vals[(size_t)j * ncpu] = 1 + (first + done + j) % 1000; /* on CPU 0 */
		}
		if (bpf_map_update_batch(fd, keys, vals, &n, &opts)) {
			fprintf(stderr, "fill_peers: bpf_map_update_batch after %lu entries: %s\n",
				done + n, strerror(errno));
			return 1;
		}
		done += n;
	}
	printf("capacity=%u entries=%lu secs=%.3f\n", capacity, done, bench_mono_s() - t0);
	free(keys);
	free(vals);
	return 0;
}
