/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The call context's load-time settings (bpf/sip_context.bpf.h): the token
 * bucket's rate and the XDP copy path, written into an object's rodata by
 * the loader before load. The reader in user/calls/context_ring.c logs what
 * was chosen.
 */
#ifndef SIP6XX_CONTEXT_CONFIG_H
#define SIP6XX_CONTEXT_CONFIG_H

#include <stdbool.h>
#include <linux/types.h>

struct sip6xx;

struct context_choice {
	__u32 rate;	     /* samples per second per interface; 0: off */
	int cpus;	     /* the buckets the rate is shared over */
	bool xdp_load_bytes; /* XDP copies with the helper (5.18+), else a bounded loop */
};

/*
 * Sets the context's rodata in @skel, before its load: @rate samples per
 * second per interface (0: off, and the ring shrinks to one page). The copy
 * path is probed here.
 */
void context_configure(struct sip6xx *skel, __u32 rate);
/* What the last context_configure() with a rate chose. */
const struct context_choice *context_chosen(void);

#endif
