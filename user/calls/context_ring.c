// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The kernel's samples to the call context, live. Each interface has its own
 * BPF object, so its own ring and its own struct calls; one libbpf
 * ring_buffer manager holds every ring behind one epoll descriptor.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "context_config.h"
#include "context_ring.h"
#include "log.h"
#include "sip6xx.skel.h"

#define CONTEXT_MAX_RINGS 64 /* MAX_IFACES */

struct context_source {
	struct calls *calls;
	int drops_fd; /* ctx_drops */
};

struct context_ring {
	const struct calls_opts *opts;
	struct ring_buffer *rb;
	int timer_fd;
	int nr;
	struct context_source src[CONTEXT_MAX_RINGS];
};

int context_ring_decode(struct calls *c, const void *data, size_t size)
{
	const struct sip6xx_sample_hdr *h = data;
	struct calls_frame f = {};

	if (size < sizeof(*h) || h->cap_len > SIP6XX_SAMPLE_MAX || h->cap_len > size - sizeof(*h) ||
	    h->direction >= SIP6XX_NR_DIRS)
		return -EINVAL;
	if (h->family != SIP6XX_FAMILY_IPV4 && h->family != SIP6XX_FAMILY_IPV6)
		return -EINVAL;
	f.time_ms = h->time_ns / 1000000;
	f.dir = h->direction;
	f.family = h->family;
	f.sport = h->sport;
	f.dport = h->dport;
	memcpy(f.saddr, h->saddr, sizeof(f.saddr));
	memcpy(f.daddr, h->daddr, sizeof(f.daddr));
	calls_observe(c, &f, (const __u8 *)data + sizeof(*h), h->cap_len);
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct context_source *src = ctx;

	/* A record this build cannot read is skipped: the ring goes on. */
	if (context_ring_decode(src->calls, data, size))
		pr_debug("call context: a sample of %zu bytes is malformed: skipped\n", size);
	return 0;
}

struct context_ring *context_ring_new(const struct calls_opts *o)
{
	struct itimerspec its = { .it_interval = { .tv_nsec = CONTEXT_POLL_MS * 1000000L },
				  .it_value = { .tv_nsec = CONTEXT_POLL_MS * 1000000L } };
	struct context_ring *cr = calloc(1, sizeof(*cr));
	const struct context_choice *chosen;

	if (!cr) {
		pr_err("call context: out of memory\n");
		return NULL;
	}
	cr->opts = o;
	cr->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (cr->timer_fd < 0 || timerfd_settime(cr->timer_fd, 0, &its, NULL)) {
		pr_err("call context: timerfd: %s\n", strerror(errno));
		context_ring_free(cr);
		return NULL;
	}
	chosen = context_chosen();
	pr_info("call context: up to %u samples per second per interface (%u per CPU on %d "
		"CPUs); XDP copies with %s, TC with bpf_skb_load_bytes\n",
		chosen->rate, (chosen->rate + chosen->cpus - 1) / chosen->cpus, chosen->cpus,
		chosen->xdp_load_bytes
			? "bpf_xdp_load_bytes"
			: "a bounded loop (this kernel has no bpf_xdp_load_bytes, 5.18+)");
	return cr;
}

void context_ring_free(struct context_ring *cr)
{
	int i;

	if (!cr)
		return;
	ring_buffer__free(cr->rb);
	if (cr->timer_fd >= 0)
		close(cr->timer_fd);
	for (i = 0; i < cr->nr; i++)
		calls_free(cr->src[i].calls);
	free(cr);
}

const struct calls *context_ring_add(struct context_ring *cr, struct sip6xx *skel,
				     const char *ifname)
{
	struct context_source *src;
	int fd = bpf_map__fd(skel->maps.ctx_ring), err;

	if (cr->nr >= CONTEXT_MAX_RINGS)
		return NULL;
	src = &cr->src[cr->nr];
	src->calls = calls_new_opts(cr->opts);
	if (!src->calls) {
		pr_err("%s: call context: out of memory for the transaction table\n", ifname);
		return NULL;
	}
	src->calls->live = true;
	src->drops_fd = bpf_map__fd(skel->maps.ctx_drops);
	if (!cr->rb) {
		cr->rb = ring_buffer__new(fd, on_sample, src, NULL);
		err = cr->rb ? 0 : -errno;
	} else {
		err = ring_buffer__add(cr->rb, fd, on_sample, src);
	}
	if (err) {
		pr_err("%s: call context: reading the ring buffer ctx_ring failed: %s\n", ifname,
		       strerror(-err));
		calls_free(src->calls);
		src->calls = NULL;
		return NULL;
	}
	return cr->src[cr->nr++].calls;
}

int context_ring_epoll_fd(const struct context_ring *cr)
{
	return cr && cr->rb ? ring_buffer__epoll_fd(cr->rb) : -1;
}

int context_ring_timer_fd(const struct context_ring *cr)
{
	return cr ? cr->timer_fd : -1;
}

static __u64 monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void context_ring_on_ready(struct context_ring *cr)
{
	__u64 expirations, now;
	int i;

	if (read(cr->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		pr_debug("call context: timerfd read: %s\n", strerror(errno));
	if (cr->rb && ring_buffer__consume(cr->rb) < 0)
		pr_debug("call context: ring read failed: %s\n", strerror(errno));
	now = monotonic_ms();
	for (i = 0; i < cr->nr; i++)
		calls_expire(cr->src[i].calls, now);
}

/* Sums a per-CPU __u64 slot; 0 when unreadable. */
static __u64 read_percpu(int fd, __u32 key, __u64 *vals, int nr_cpus)
{
	__u64 sum = 0;
	int cpu;

	if (bpf_map_lookup_elem(fd, &key, vals))
		return 0;
	for (cpu = 0; cpu < nr_cpus; cpu++)
		sum += vals[cpu];
	return sum;
}

void context_ring_refresh(struct context_ring *cr)
{
	int nr_cpus = libbpf_num_possible_cpus(), i;
	__u32 dir, reason;
	__u64 *vals;

	if (!cr || nr_cpus <= 0)
		return;
	vals = calloc(nr_cpus, sizeof(*vals));
	if (!vals)
		return;
	for (i = 0; i < cr->nr; i++)
		for (dir = 0; dir < SIP6XX_NR_DIRS; dir++)
			for (reason = 0; reason < SIP6XX_CTX_NR_DROPS; reason++)
				cr->src[i].calls->st.kernel_dropped[dir][reason] = read_percpu(
					cr->src[i].drops_fd, dir * SIP6XX_CTX_NR_DROPS + reason,
					vals, nr_cpus);
	free(vals);
}
