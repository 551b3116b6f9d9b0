/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The live call context: the kernel's samples (bpf/sip_context.bpf.h) read
 * from each interface's ring buffer inside the exporter's poll() loop, on a
 * timer (the kernel submits without wake-ups) or when the kernel asks at its
 * watermark, and decoded into that interface's struct calls.
 */
#ifndef SIP6XX_CONTEXT_RING_H
#define SIP6XX_CONTEXT_RING_H

#include <linux/types.h>

#include "calls.h"

struct sip6xx;
struct context_ring;

#define CONTEXT_POLL_MS 100 /* a sample waits at most this long in the ring */

/*
 * An empty reader with its timer, after the objects' load, whose contexts are
 * made as @o asks (kept by reference); NULL (logged) on failure.
 */
struct context_ring *context_ring_new(const struct calls_opts *o);
void context_ring_free(struct context_ring *cr);
/* Reads @skel's ring from now on into a new struct calls, returned; NULL (logged) on failure. */
const struct calls *context_ring_add(struct context_ring *cr, struct sip6xx *skel,
				     const char *ifname);
/* The descriptors poll() waits on: the rings' epoll fd and the timer. */
int context_ring_epoll_fd(const struct context_ring *cr);
int context_ring_timer_fd(const struct context_ring *cr);
/* Either is readable: decode what the rings hold, expire old transactions. */
void context_ring_on_ready(struct context_ring *cr);
/* Before a scrape: the kernel's drop counts into each struct calls. */
void context_ring_refresh(struct context_ring *cr);
/* Decodes one sample of @size bytes as @c's interface saw it; for the ring and the tests. */
int context_ring_decode(struct calls *c, const void *data, size_t size);

#endif
