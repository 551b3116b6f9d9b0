// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Attaching: XDP through a bpf_link in every mode (it goes away with the
 * process, or stays pinned on purpose), and TC egress through tc_egress.c
 * (a TCX link, or a netlink clsact filter on kernels before 6.6).
 *
 * Links matter after the privilege drop too: the kernel creates an XDP link
 * for a holder of CAP_BPF and releases it when the descriptor is closed, while
 * bpf_xdp_attach/detach and the netlink TC filter go through rtnetlink, which
 * checks CAP_NET_ADMIN. So only TC egress makes the exporter keep CAP_NET_ADMIN.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "iface_lock.h"
#include "log.h"
#include "pin.h"
#include "tc_egress.h"
#include "sip6xx.skel.h"

static __u32 prog_id(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? 0 : info.id;
}

static __u32 xdp_flags_of(enum attach_mode mode)
{
	return mode == ATTACH_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

static int link_create(struct iface *ifc, int prog_fd, enum attach_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = xdp_flags_of(mode));
	int fd = bpf_link_create(prog_fd, ifc->ifindex, BPF_XDP, &opts);

	if (fd < 0)
		return -errno;
	ifc->link_fd = fd;
	ifc->mode_name = mode == ATTACH_GENERIC ? "generic" : "native";
	return 0;
}

/* The interface's MTU, or 0 when it cannot be read. */
static int iface_mtu(const char *name)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu = 0;

	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (!ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	close(fd);
	return mtu;
}

/*
 * What to do when native XDP fails at a jumbo MTU: a program without
 * multi-buffer support needs each frame in one page, so drivers refuse it
 * above about 3,500 bytes (veth with ERANGE, checking its peer's MTU; most
 * others with EINVAL). Empty when the MTU is not the likely cause.
 */
static void mtu_hint(const struct iface *ifc, int err, char *buf, size_t len)
{
	int mtu = iface_mtu(ifc->name);

	buf[0] = '\0';
	if (err != -ERANGE && !(err == -EINVAL && mtu > 1500))
		return;
	snprintf(buf, len,
		 "; the MTU (%d on %s; a veth's peer counts too) is likely above what native XDP "
		 "takes without multi-buffer: for native XDP lower it, e.g. 'ip link set dev %s "
		 "mtu 1500' (and on the peer), or pass --mode generic to run generic XDP",
		 mtu, ifc->name, ifc->name);
}

/* Native first; where the driver cannot, generic with a warning naming the interface. */
static int link_auto(struct iface *ifc, int prog_fd, enum attach_mode mode)
{
	int err = link_create(ifc, prog_fd, mode);
	char hint[320];

	if (mode != ATTACH_AUTO || !err || err == -EBUSY || err == -EEXIST)
		return err;
	mtu_hint(ifc, err, hint, sizeof(hint));
	pr_warn("%s: native XDP is not available (%s); falling back to generic XDP, which "
		"costs more per packet%s\n",
		ifc->name, strerror(-err), hint);
	return link_create(ifc, prog_fd, ATTACH_GENERIC);
}

/* A pinned link from an earlier run: point it at the program just loaded. */
static int link_reuse(struct iface *ifc, int link_fd, int prog_fd)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_link_update(link_fd, prog_fd, NULL)) {
		close(link_fd);
		return -errno; /* ENOLINK: its interface went away meanwhile */
	}
	ifc->link_fd = link_fd;
	bpf_xdp_query(ifc->ifindex, 0, &q);
	ifc->mode_name = q.attach_mode == XDP_ATTACHED_SKB ? "generic" : "native";
	return 0;
}

/*
 * Pins a link just made under --pin-path. Re-attaching an interface that came
 * back runs after the privilege drop, when the pin directory (root's, mode
 * 0700) is out of reach: the link then counts unpinned until the exporter
 * stops, and the next start pins it again.
 */
static int pin_new_link(struct iface *ifc)
{
	int err = pin_link(ifc->link_fd, ifc->pin_dir);

	ifc->link_unpinned = false;
	if (!err)
		return 0;
	if (ifc->gone) {
		pr_warn("%s: re-attached, but the new XDP link cannot be pinned in %s (%s: the "
			"exporter has dropped its privileges); it counts until the exporter stops, "
			"and the next start pins it again\n",
			ifc->name, ifc->pin_dir, strerror(-err));
		ifc->link_unpinned = true;
		return 0;
	}
	pr_err("%s: pinning the XDP link in %s failed: %s\n", ifc->name, ifc->pin_dir,
	       strerror(-err));
	close(ifc->link_fd);
	ifc->link_fd = -1;
	return err;
}

/*
 * The id of the bpf_link that holds program @prog_id on @ifindex, or 0 when
 * none does. The program id matters: ifindexes repeat across network
 * namespaces, and the link info does not say which one it is in.
 */
static __u32 xdp_link_on(unsigned int ifindex, __u32 prog_id)
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
		    info.xdp.ifindex == ifindex && info.prog_id == prog_id) {
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
	link_id = xdp_link_on(ifc->ifindex, q.prog_id ? q.prog_id : q.drv_prog_id | q.skb_prog_id);
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
	char hint[320];

	mtu_hint(ifc, err, hint, sizeof(hint));
	if (hint[0] && !strcmp(ifc->mode_name, "native")) {
		pr_err("%s: attaching XDP in native mode failed: %s%s\n", ifc->name, strerror(-err),
		       hint);
	} else if (err == -EBUSY || err == -EEXIST) {
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

static int attach_xdp(struct iface *ifc, enum attach_mode mode)
{
	int prog_fd = loader_prog_fd(ifc->skel), link_fd = -ENOENT, err;
	__u32 id = 0;

	ifc->mode_name = mode == ATTACH_GENERIC ? "generic" : "native";
	if (ifc->pin_dir[0])
		link_fd = pin_open_link(ifc->pin_dir);
	if (link_fd >= 0 && !link_reuse(ifc, link_fd, prog_fd))
		goto attached;
	/* Check first: an attach would only say EBUSY, without the culprit's id. */
	if (!bpf_xdp_query_id(ifc->ifindex, 0, &id) && id) {
		explain_attach_error(ifc, -EBUSY);
		return -EBUSY;
	}
	/* A forced mode is a link too: nothing outlives the process unless pinned. */
	err = link_auto(ifc, prog_fd, mode);
	if (err) {
		explain_attach_error(ifc, err);
		return err;
	}
	if (ifc->pin_dir[0]) {
		err = pin_new_link(ifc);
		if (err)
			return err;
	}
attached:
	ifc->attached = true;
	ifc->warned_gone = false;
	ifc->prog_id = prog_id(prog_fd);
	return 0;
}

static void detach_xdp(struct iface *ifc)
{
	if (ifc->link_fd >= 0) {
		close(ifc->link_fd); /* the last reference: the kernel detaches */
		ifc->link_fd = -1;
	}
	ifc->attached = false;
}

static int attach_tc(struct iface *ifc)
{
	int err = tc_egress_attach(ifc, loader_tc_prog_fd(ifc->skel));

	ifc->tc_attached = !err;
	return err;
}

/*
 * At a start, what an earlier run left for a direction this one does not
 * count goes (--direction both, then ingress: the egress program; then egress:
 * the pinned XDP link), so only what was asked for keeps counting. Returns
 * what went, for the attach line, or "".
 */
static const char *clear_other_directions(struct iface *ifc, unsigned int dirs)
{
	const char *pin_dir = ifc->pin_dir[0] ? ifc->pin_dir : NULL;
	bool tc = false, xdp = false;

	if (!(dirs & DIR_BIT(SIP6XX_DIR_TX)))
		tc = tc_egress_clear(ifc->name, ifc->ifindex, pin_dir) > 0;
	if (!(dirs & DIR_BIT(SIP6XX_DIR_RX)) && pin_dir)
		xdp = pin_drop_link(ifc->name, pin_dir, XDP_LINK_NAME, "XDP") > 0;
	if (tc && xdp)
		return "; removed the XDP and TC egress programs an earlier run left";
	if (tc)
		return "; removed the TC egress program an earlier run left";
	if (xdp)
		return "; removed the XDP program an earlier run left";
	return "";
}

static int attach_hooks(struct iface *ifc, const struct loader_opts *opts, enum attach_mode mode,
			const char *cleared)
{
	int err = 0;

	if (opts->dirs & DIR_BIT(SIP6XX_DIR_RX))
		err = attach_xdp(ifc, mode);
	if (!err && (opts->dirs & DIR_BIT(SIP6XX_DIR_TX)))
		err = attach_tc(ifc);
	if (err) {
		if (ifc->attached)
			detach_xdp(ifc);
		return err;
	}
	/* One line says what runs now, and what a change of --direction removed. */
	pr_info("%s: attached%s%s%s%s%s\n", ifc->name, ifc->attached ? " XDP in " : "",
		ifc->attached ? ifc->mode_name : "", ifc->attached ? " mode" : "",
		ifc->tc_attached ? (ifc->attached ? " and TC egress" : " TC egress") : "", cleared);
	return 0;
}

static void unlock_pins(struct iface *ifc)
{
	if (ifc->lock_fd >= 0)
		close(ifc->lock_fd);
	ifc->lock_fd = -1;
}

static void unclaim(struct iface *ifc)
{
	unlock_pins(ifc);
	if (ifc->claim_fd >= 0)
		close(ifc->claim_fd);
	ifc->claim_fd = -1;
}

int attach_iface(struct iface *ifc, const struct loader_opts *opts, enum attach_mode mode)
{
	struct loader_opts lo = *opts;
	int err;

	ifc->link_fd = -1;
	ifc->tc_link_fd = -1;
	ifc->tc_qdisc_ours = false;
	ifc->attached = false;
	ifc->tc_attached = false;
	ifc->gone = false;
	ifc->link_unpinned = false;
	ifc->pin_dir[0] = '\0';
	ifc->lock_fd = -1;
	ifc->claim_fd = -1;
	ifc->ifindex = if_nametoindex(ifc->name);
	if (!ifc->ifindex) {
		pr_err("%s: no such interface ('ip link' lists them)\n", ifc->name);
		return -ENODEV;
	}
	if (opts->pin_path) {
		err = pin_dir(opts->pin_path, ifc->name, ifc->pin_dir, sizeof(ifc->pin_dir));
		if (!err)
			err = pin_prepare(ifc->pin_dir);
		if (!err) {
			ifc->lock_fd = pin_lock(ifc->name, ifc->pin_dir, false);
			err = ifc->lock_fd < 0 ? ifc->lock_fd : 0;
		}
		if (!err)
			err = pin_check(ifc->name, opts->pin_path, ifc->pin_dir, &lo.max_peers);
		if (err) {
			unclaim(ifc);
			return err;
		}
	}
	/*
	 * After the pin lock, whose error names the pin directory; before
	 * anything is loaded or cleared, so another exporter's hooks stay.
	 */
	ifc->claim_fd = iface_lock(ifc->name);
	if (ifc->claim_fd < 0) {
		err = ifc->claim_fd;
		unclaim(ifc);
		return err;
	}
	ifc->skel = loader_load_pinned(&lo, ifc->name, ifc->pin_dir[0] ? ifc->pin_dir : NULL);
	if (!ifc->skel) {
		unclaim(ifc);
		return -EINVAL;
	}
	err = attach_hooks(ifc, &lo, mode, clear_other_directions(ifc, lo.dirs));
	if (err) {
		loader_destroy(ifc->skel);
		ifc->skel = NULL;
		unclaim(ifc);
	}
	return err;
}

bool attach_still_there(struct iface *ifc)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	bool ours;

	if (!ifc->attached)
		return ifc->tc_attached && !ifc->gone;
	ours = !ifc->gone && !bpf_xdp_query(ifc->ifindex, 0, &q) &&
	       (q.drv_prog_id == ifc->prog_id || q.skb_prog_id == ifc->prog_id);
	if (!ours && !ifc->warned_gone) {
		pr_warn("%s: our XDP program is no longer attached (detached from outside, or the "
			"interface went away); its counters stay frozen until it is back\n",
			ifc->name);
		ifc->warned_gone = true;
	}
	return ours;
}

bool attach_follow(struct iface *ifc, const struct loader_opts *opts, enum attach_mode mode)
{
	unsigned int now = if_nametoindex(ifc->name);

	if (!ifc->skel)
		return false;
	if (!ifc->gone && now == ifc->ifindex)
		return true;
	if (!ifc->gone) {
		/* The kernel dropped our hooks with the device; forget them. */
		pr_warn("%s: the interface went away; re-attaching when it is back\n", ifc->name);
		if (ifc->link_fd >= 0)
			close(ifc->link_fd);
		ifc->link_fd = -1;
		if (ifc->tc_link_fd >= 0)
			close(ifc->tc_link_fd);
		ifc->tc_link_fd = -1;
		ifc->attached = false;
		ifc->tc_attached = false;
		ifc->gone = true;
	}
	if (!now)
		return false;
	ifc->ifindex = now;
	if (attach_hooks(ifc, opts, mode, ""))
		return false;
	ifc->gone = false;
	pr_info("%s: the interface is back (ifindex %u): re-attached\n", ifc->name, now);
	return true;
}

void attach_detach(struct iface *ifc)
{
	bool hooked = ifc->attached || ifc->tc_attached;

	if (ifc->pin_dir[0] && hooked && !ifc->link_unpinned) {
		pr_info("%s: left attached and pinned in %s (counting goes on; --detach removes "
			"it)\n",
			ifc->name, ifc->pin_dir);
		if (ifc->link_fd >= 0)
			close(ifc->link_fd); /* the pin holds the link */
		ifc->link_fd = -1;
		ifc->attached = false;
		if (ifc->tc_attached)
			tc_egress_detach(ifc, true);
		hooked = false;
	}
	if (ifc->attached)
		detach_xdp(ifc);
	if (ifc->tc_attached)
		tc_egress_detach(ifc, false);
	if (hooked)
		pr_info("%s: detached\n", ifc->name);
	if (ifc->skel) {
		loader_destroy(ifc->skel);
		ifc->skel = NULL;
	}
	unclaim(ifc);
}

int attach_remove_pinned(const char *ifname, const char *pin_path)
{
	char dir[PATH_MAX];
	int err, lock_fd;

	err = pin_dir(pin_path, ifname, dir, sizeof(dir));
	if (err)
		return err;
	/* A running exporter's pins stay: removing them would leave it counting nowhere. */
	lock_fd = pin_lock(ifname, dir, true);
	if (lock_fd < 0 && lock_fd != -ENOENT)
		return lock_fd;
	tc_egress_clear(ifname, if_nametoindex(ifname), dir);
	err = pin_remove(ifname, dir);
	if (lock_fd >= 0)
		close(lock_fd);
	return err;
}
