// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Skeleton flow: open -> set rodata -> load -> attach; one object per interface. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "context_config.h"
#include "loader.h"
#include "log.h"
#include "pin.h"
#include "sip6xx.skel.h"

const char *load_hint(int err)
{
	if (err == -EPERM)
		return " (run as root, or with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)";
	if (err == -EACCES)
		return " (the verifier rejected it; --log-level debug shows its log)";
	return " (--log-level debug shows libbpf's and the verifier's messages)";
}

int loader_link_stages(struct sip6xx *skel)
{
	const struct {
		struct bpf_map *map;
		struct bpf_program *prog;
	} stages[] = {
		{ skel->maps.xdp_stages, skel->progs.sip6xx_xdp_slow },
		{ skel->maps.tc_stages, skel->progs.sip6xx_tc_slow },
	};
	__u32 key = SIP6XX_STAGE_SLOW;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		fd = bpf_program__fd(stages[i].prog);
		if (fd < 0)
			continue; /* not loaded: that hook is not used */
		if (bpf_map_update_elem(bpf_map__fd(stages[i].map), &key, &fd, BPF_ANY))
			return -errno;
	}
	return 0;
}

struct sip6xx *loader_load(const struct loader_opts *opts, const char *ctx)
{
	return loader_load_pinned(opts, ctx, NULL);
}

struct sip6xx *loader_load_pinned(const struct loader_opts *opts, const char *ctx,
				  const char *pin_dir)
{
	/* No direction asked for: the XDP program, as --replay and the tests use it. */
	unsigned int dirs = opts->dirs ? opts->dirs : DIR_BIT(SIP6XX_DIR_RX);
	struct sip6xx *skel;
	int err, i;

	skel = sip6xx__open();
	if (!skel) {
		err = -errno;
		pr_err("%s: opening the BPF object failed: %s%s\n", ctx, strerror(-err),
		       load_hint(err));
		return NULL;
	}
	for (i = 0; i < opts->nr_ports && i < SIP6XX_MAX_PORTS; i++)
		skel->rodata->sip6xx_cfg.ports[i] = opts->ports[i];
	skel->rodata->sip6xx_cfg.nr_ports = i;
	context_configure(skel, opts->context_rate); /* context: samples, or off */

	/* Verify only the hooks we attach: TC egress is optional. */
	bpf_program__set_autoload(skel->progs.sip6xx_xdp, dirs & DIR_BIT(SIP6XX_DIR_RX));
	bpf_program__set_autoload(skel->progs.sip6xx_xdp_slow, dirs & DIR_BIT(SIP6XX_DIR_RX));
	bpf_program__set_autoload(skel->progs.sip6xx_tc, dirs & DIR_BIT(SIP6XX_DIR_TX));
	bpf_program__set_autoload(skel->progs.sip6xx_tc_slow, dirs & DIR_BIT(SIP6XX_DIR_TX));
	err = bpf_map__set_max_entries(skel->maps.peers, opts->max_peers);
	if (!err && pin_dir)
		err = pin_set_paths(skel, pin_dir);
	if (!err)
		err = sip6xx__load(skel);
	if (!err)
		err = loader_link_stages(skel);
	if (!err && pin_dir)
		err = pin_stamp_contract(skel);
	if (err) {
		pr_err("%s: loading the BPF object failed: %s%s\n", ctx, strerror(-err),
		       load_hint(err));
		sip6xx__destroy(skel);
		return NULL;
	}
	return skel;
}

void loader_destroy(struct sip6xx *skel)
{
	sip6xx__destroy(skel);
}

void loader_maps(struct sip6xx *skel, struct sip6xx_maps *maps)
{
	maps->resp_codes = bpf_map__fd(skel->maps.resp_codes);
	maps->peers = bpf_map__fd(skel->maps.peers);
	maps->pkt_stats = bpf_map__fd(skel->maps.pkt_stats);
	maps->peer_stats = bpf_map__fd(skel->maps.peer_stats);
	maps->peers_capacity = bpf_map__max_entries(skel->maps.peers);
}

int loader_prog_fd(struct sip6xx *skel)
{
	return bpf_program__fd(skel->progs.sip6xx_xdp);
}

int loader_tc_prog_fd(struct sip6xx *skel)
{
	return bpf_program__fd(skel->progs.sip6xx_tc);
}
