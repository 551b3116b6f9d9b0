// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The call context's rodata, set before load (context_config.h). */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "context_config.h"
#include "sip6xx.h"
#include "sip6xx.skel.h"

#define CONTEXT_BURST_NS (50ULL * 1000 * 1000) /* how far a bucket may run ahead */

static struct context_choice chosen;

/*
 * The kernel's tick in ns, the step of jiffies and of the coarse clocks
 * (TICK_NSEC); 4 ms (HZ=250, Debian's) if the kernel will not say.
 */
static __u32 tick_ns(void)
{
	struct timespec res;

	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec || res.tv_nsec <= 0)
		return 4000000;
	return (__u32)res.tv_nsec;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

void context_configure(struct sip6xx *skel, __u32 rate)
{
	struct sip6xx_ctx_config *cfg = &skel->rodata->sip6xx_ctx_cfg;
	int cpus = online_cpus();
	__u64 interval;

	memset(cfg, 0, sizeof(*cfg));
	if (!rate) {
		/* Nothing is ever written to it: the smallest ring the kernel takes. */
		bpf_map__set_max_entries(skel->maps.ctx_ring, sysconf(_SC_PAGESIZE));
		return;
	}
	/* Each CPU's bucket gets its share, so the interface's total stays within @rate. */
	interval = 1000000000ULL * cpus / rate;
	cfg->interval_ns = interval ? interval : 1;
	cfg->burst_ns = CONTEXT_BURST_NS;
	cfg->jiffy_ns = tick_ns();
	/* Both hooks' program types: the bucket runs in each. */
	cfg->jiffies =
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_jiffies64, NULL) == 1 &&
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_jiffies64, NULL) == 1;
	cfg->xdp_load_bytes =
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_load_bytes, NULL) == 1;
	chosen.rate = rate;
	chosen.cpus = cpus;
	chosen.xdp_load_bytes = cfg->xdp_load_bytes;
}

const struct context_choice *context_chosen(void)
{
	return &chosen;
}
