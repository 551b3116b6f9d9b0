// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Skeleton flow: open -> set rodata -> load -> attach; one object per interface. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "log.h"
#include "sip6xx.skel.h"

static const char *load_hint(int err)
{
	if (err == -EPERM)
		return " (run as root, or with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)";
	if (err == -EACCES)
		return " (the verifier rejected it; --log-level debug shows its log)";
	return " (--log-level debug shows libbpf's and the verifier's messages)";
}

struct sip6xx *loader_load(const struct loader_opts *opts, const char *ctx)
{
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

	err = bpf_map__set_max_entries(skel->maps.peers, opts->max_peers);
	if (!err)
		err = sip6xx__load(skel);
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
	maps->peers_capacity = bpf_map__max_entries(skel->maps.peers);
}

int loader_prog_fd(struct sip6xx *skel)
{
	return bpf_program__fd(skel->progs.sip6xx_xdp);
}

static __u32 prog_id(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? 0 : info.id;
}

/* A bpf_link goes away with the process, so a crash never leaves us attached. */
static int attach_link(struct iface *ifc, int prog_fd, __u32 mode_flag)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = mode_flag);
	int fd = bpf_link_create(prog_fd, ifc->ifindex, BPF_XDP, &opts);

	if (fd < 0)
		return -errno;
	ifc->link_fd = fd;
	return 0;
}

static int attach_auto(struct iface *ifc, int prog_fd)
{
	int err = attach_link(ifc, prog_fd, XDP_FLAGS_DRV_MODE);

	ifc->mode_name = "native";
	if (!err || err == -EBUSY || err == -EEXIST)
		return err;
	pr_warn("%s: native XDP is not available (%s); falling back to generic XDP, which "
		"costs more per packet\n",
		ifc->name, strerror(-err));
	ifc->mode_name = "generic";
	return attach_link(ifc, prog_fd, XDP_FLAGS_SKB_MODE);
}

static int attach_forced(struct iface *ifc, int prog_fd, enum attach_mode mode)
{
	__u32 flags = XDP_FLAGS_UPDATE_IF_NOEXIST;

	flags |= mode == ATTACH_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
	ifc->mode_name = mode == ATTACH_NATIVE ? "native" : "generic";
	if (bpf_xdp_attach(ifc->ifindex, prog_fd, flags, NULL))
		return -errno;
	ifc->xdp_flags = flags;
	return 0;
}

/* The id of the bpf_link that holds XDP on @ifindex, or 0 when none does. */
static __u32 xdp_link_on(unsigned int ifindex)
{
	struct bpf_link_info info;
	__u32 id = 0, len;
	int fd;

	while (!bpf_link_get_next_id(id, &id)) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP &&
		    info.xdp.ifindex == ifindex) {
			close(fd);
			return id;
		}
		close(fd);
	}
	return 0;
}

/* Names the holder of the interface's XDP hook and the command that frees it. */
static void explain_busy(const struct iface *ifc)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	const char *ip_mode = "xdp";
	__u32 link_id;

	bpf_xdp_query(ifc->ifindex, 0, &q);
	link_id = xdp_link_on(ifc->ifindex);
	if (link_id) {
		pr_err("%s: another XDP program (id %u) is already attached through bpf_link %u, "
		       "as a running sip6xx_exporter does; stop that process or run 'bpftool "
		       "link detach id %u'\n",
		       ifc->name, q.prog_id ? q.prog_id : q.drv_prog_id | q.skb_prog_id, link_id,
		       link_id);
		return;
	}
	/* ip(8) removes only the mode it is told: "xdp off" leaves a generic program. */
	if (q.skb_prog_id && !q.drv_prog_id)
		ip_mode = "xdpgeneric";
	else if (q.drv_prog_id && !q.skb_prog_id)
		ip_mode = "xdpdrv";
	pr_err("%s: another XDP program (id %u) is already attached; remove it with "
	       "'ip link set dev %s %s off' or choose another interface\n",
	       ifc->name, q.prog_id ? q.prog_id : q.drv_prog_id | q.skb_prog_id, ifc->name,
	       ip_mode);
}

static void explain_attach_error(const struct iface *ifc, int err)
{
	if (err == -EBUSY || err == -EEXIST) {
		explain_busy(ifc);
	} else if (err == -EOPNOTSUPP) {
		pr_err("%s: the driver does not support %s XDP; try --mode generic or --mode "
		       "auto\n",
		       ifc->name, ifc->mode_name);
	} else {
		pr_err("%s: attaching XDP in %s mode failed: %s%s\n", ifc->name, ifc->mode_name,
		       strerror(-err), load_hint(err));
	}
}

int loader_attach(struct iface *ifc, const struct loader_opts *opts, enum attach_mode mode)
{
	__u32 id = 0;
	int err;

	ifc->link_fd = -1;
	ifc->attached = false;
	ifc->ifindex = if_nametoindex(ifc->name);
	if (!ifc->ifindex) {
		pr_err("%s: no such interface ('ip link' lists them)\n", ifc->name);
		return -ENODEV;
	}
	/* Check first: a link attach would only say EBUSY, without the culprit's id. */
	if (!bpf_xdp_query_id(ifc->ifindex, 0, &id) && id) {
		explain_attach_error(ifc, -EBUSY);
		return -EBUSY;
	}
	ifc->skel = loader_load(opts, ifc->name);
	if (!ifc->skel)
		return -EINVAL;

	if (mode == ATTACH_AUTO)
		err = attach_auto(ifc, loader_prog_fd(ifc->skel));
	else
		err = attach_forced(ifc, loader_prog_fd(ifc->skel), mode);
	if (err) {
		explain_attach_error(ifc, err);
		loader_destroy(ifc->skel);
		ifc->skel = NULL;
		return err;
	}
	ifc->attached = true;
	ifc->warned_gone = false;
	ifc->prog_id = prog_id(loader_prog_fd(ifc->skel));
	pr_info("%s: attached in %s mode\n", ifc->name, ifc->mode_name);
	return 0;
}

bool loader_still_attached(struct iface *ifc)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	bool ours;

	if (!ifc->attached)
		return false;
	ours = !bpf_xdp_query(ifc->ifindex, 0, &q) &&
	       (q.drv_prog_id == ifc->prog_id || q.skb_prog_id == ifc->prog_id);
	if (!ours && !ifc->warned_gone) {
		pr_warn("%s: our XDP program is no longer attached (detached from outside, or the "
			"interface went away); its counters stay frozen until the exporter "
			"restarts\n",
			ifc->name);
		ifc->warned_gone = true;
	}
	return ours;
}

void loader_detach(struct iface *ifc)
{
	if (ifc->attached) {
		if (ifc->link_fd >= 0) {
			close(ifc->link_fd);
			ifc->link_fd = -1;
		} else {
			LIBBPF_OPTS(bpf_xdp_attach_opts, opts,
				    .old_prog_fd = loader_prog_fd(ifc->skel));

			/* old_prog_fd: remove our program only, never someone else's. */
			if (bpf_xdp_detach(ifc->ifindex,
					   ifc->xdp_flags & ~XDP_FLAGS_UPDATE_IF_NOEXIST, &opts))
				pr_warn("%s: detaching XDP failed: %s\n", ifc->name,
					strerror(errno));
		}
		ifc->attached = false;
		pr_info("%s: detached\n", ifc->name);
	}
	if (ifc->skel) {
		loader_destroy(ifc->skel);
		ifc->skel = NULL;
	}
}
