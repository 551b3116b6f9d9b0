/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Open, configure and load the BPF object: one object per interface,
 * its XDP program on receive and its TC program on egress.
 */
#ifndef SIP6XX_LOADER_H
#define SIP6XX_LOADER_H

#include <stdbool.h>
#include "maps.h"

struct sip6xx;

#define DIR_BIT(dir) (1U << (dir))

struct loader_opts {
	__u16 ports[SIP6XX_MAX_PORTS]; /* --port filter, host order */
	int nr_ports;
	__u32 max_peers;      /* capacity of the peers map */
	unsigned int dirs;    /* DIR_BIT(SIP6XX_DIR_RX) for XDP, DIR_BIT(SIP6XX_DIR_TX) for TC */
	const char *pin_path; /* --pin-path; NULL: nothing outlives the process */
	__u32 context_rate;   /* --context-rate: call context samples/s; 0: off */
};

/* Opens and loads one object; NULL after logging one line that starts with @ctx. */
struct sip6xx *loader_load(const struct loader_opts *opts, const char *ctx);
/* The same, with every map reused from, or pinned to, @pin_dir (NULL: none). */
struct sip6xx *loader_load_pinned(const struct loader_opts *opts, const char *ctx,
				  const char *pin_dir);
/*
 * Fills the stage maps the entry programs tail call into (sip6xx.h), for the
 * programs loaded; the loaders above do it. 0 or -errno.
 */
int loader_link_stages(struct sip6xx *skel);
void loader_destroy(struct sip6xx *skel);
/* The map descriptors and capacity of a loaded object. */
void loader_maps(struct sip6xx *skel, struct sip6xx_maps *maps);
int loader_prog_fd(struct sip6xx *skel);
int loader_tc_prog_fd(struct sip6xx *skel);
/* " (what to try)" for a load or attach error. */
const char *load_hint(int err);

#endif
