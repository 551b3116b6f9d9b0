// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "log.h"
#include "pin.h"
#include "tc_egress.h"

/* Our netlink filter's identity, so a restart replaces it instead of stacking. */
#define TC_HANDLE	0x6c6
#define TC_PRIO		0xc6
/* The kernel's ENOTSUPP (524), which never reaches UAPI headers. */
#define ENOTSUPP_KERNEL 524

/* Decided at the first attach and logged once: 1 TCX, 0 netlink, -1 not yet. */
static int use_tcx = -1;

static bool netlink_forced(void)
{
	const char *v = getenv(TC_NETLINK_ENV);

	return v && !strcmp(v, "1");
}

/* Whether program @id is a sip6xx TC program, by the name the kernel keeps. */
static bool prog_is_ours(__u32 id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);
	bool ours;

	/*
	 * Reading a program by id takes CAP_SYS_ADMIN, which CAP_BPF +
	 * CAP_NET_ADMIN deployments lack: then our own handle and priority are
	 * the proof, as they are for netlink_attach()'s BPF_TC_F_REPLACE.
	 */
	if (fd < 0)
		return errno == EPERM;
	ours = !bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, TC_PROG_NAME);
	close(fd);
	return ours;
}

/*
 * Removes our netlink filter when one is there; 1 removed, 0 none, or -errno.
 * @ours: this process attached it, so its name needs no check (which takes
 * CAP_SYS_ADMIN, gone after the privilege drop).
 */
static int netlink_clear(const char *ifname, unsigned int ifindex, bool ours)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, query, .handle = TC_HANDLE, .priority = TC_PRIO);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIO);
	int err;

	/* ENOENT: no such filter; EINVAL: no clsact qdisc at all. */
	if (bpf_tc_query(&hook, &query) || (!ours && !prog_is_ours(query.prog_id)))
		return 0;
	err = bpf_tc_detach(&hook, &opts);
	if (err && err != -ENOENT) {
		pr_warn("%s: removing the sip6xx TC egress filter failed: %s\n", ifname,
			strerror(-err));
		return err;
	}
	return 1;
}

/* Detaches and unpins the TCX link pinned in @pin_dir; 1 removed, 0 none. */
static int tcx_pin_clear(const char *ifname, const char *pin_dir)
{
	if (!pin_dir || !pin_dir[0])
		return 0;
	return pin_drop_link(ifname, pin_dir, TC_LINK_NAME, "TCX");
}

int tc_egress_clear(const char *ifname, unsigned int ifindex, const char *pin_dir)
{
	int removed = tcx_pin_clear(ifname, pin_dir), err = 0;

	if (ifindex)
		err = netlink_clear(ifname, ifindex, false);
	return err < 0 ? err : removed + err;
}

/* A TCX link: reused from the pin when there is one, else made (and pinned). */
static int tcx_attach(struct iface *ifc, int prog_fd)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd = -ENOENT, err;

	if (ifc->pin_dir[0])
		fd = pin_open(ifc->pin_dir, TC_LINK_NAME);
	if (fd >= 0 && !bpf_link_update(fd, prog_fd, NULL)) {
		ifc->tc_link_fd = fd;
		return 0;
	}
	if (fd >= 0)
		close(fd); /* its interface went away meanwhile: a new link replaces it */
	fd = bpf_link_create(prog_fd, ifc->ifindex, SIP6XX_TCX_EGRESS, &opts);
	if (fd < 0)
		return -errno;
	ifc->tc_link_fd = fd;
	if (!ifc->pin_dir[0])
		return 0;
	err = pin_object(fd, ifc->pin_dir, TC_LINK_NAME);
	if (!err)
		return 0;
	/* As for XDP: after the privilege drop the pin directory is out of reach. */
	if (ifc->gone) {
		pr_warn("%s: re-attached, but the new TCX link cannot be pinned in %s (%s); it "
			"counts until the exporter stops\n",
			ifc->name, ifc->pin_dir, strerror(-err));
		return 0;
	}
	pr_err("%s: pinning the TCX link in %s failed: %s\n", ifc->name, ifc->pin_dir,
	       strerror(-err));
	close(fd);
	ifc->tc_link_fd = -1;
	return err;
}

static int netlink_attach(struct iface *ifc, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifc->ifindex, .attach_point = BPF_TC_EGRESS);
	/* REPLACE: a filter with our handle and priority is ours, left by an earlier run. */
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIO, .prog_fd = prog_fd,
		    .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_err("%s: adding the clsact qdisc for TC egress failed: %s%s\n", ifc->name,
		       strerror(-err), load_hint(err));
		return err;
	}
	/* Made here, removed at the stop; one that was there stays. */
	ifc->tc_qdisc_ours = !err;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		pr_err("%s: attaching the TC egress filter failed: %s%s\n", ifc->name,
		       strerror(-err), load_hint(err));
		return err;
	}
	return 0;
}

/* The first attach says which way TC egress goes, once. */
static void log_choice(int err)
{
	if (use_tcx)
		pr_info("TC egress: TCX links (Linux 6.6+), which the kernel removes with the "
			"process\n");
	else if (netlink_forced())
		pr_info("TC egress: netlink clsact filters (%s=1)\n", TC_NETLINK_ENV);
	else
		pr_info("TC egress: netlink clsact filters (no TCX links in this kernel: %s); a "
			"filter left by a killed exporter is removed at the next start\n",
			strerror(-err));
}

int tc_egress_attach(struct iface *ifc, int prog_fd)
{
	int err = 0;

	ifc->tc_link_fd = -1;
	ifc->tc_qdisc_ours = false;
	if (use_tcx < 0 && netlink_forced()) {
		use_tcx = 0;
		log_choice(0);
	}
	if (use_tcx) {
		err = tcx_attach(ifc, prog_fd);
		if (!err) {
			if (use_tcx < 0) {
				use_tcx = 1;
				log_choice(0);
			}
			/* A netlink filter from an earlier run would count every frame twice. */
			netlink_clear(ifc->name, ifc->ifindex, false);
			return 0;
		}
		if (use_tcx > 0 ||
		    (err != -EINVAL && err != -EOPNOTSUPP && err != -ENOTSUPP_KERNEL)) {
			pr_err("%s: attaching the TC egress TCX link failed: %s%s\n", ifc->name,
			       strerror(-err), load_hint(err));
			return err;
		}
		use_tcx = 0;
		log_choice(err);
	}
	/* Likewise a TCX link pinned by a run on a kernel that had them. */
	tcx_pin_clear(ifc->name, ifc->pin_dir);
	return netlink_attach(ifc, prog_fd);
}

void tc_egress_detach(struct iface *ifc, bool keep)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifc->ifindex, .attach_point = BPF_TC_EGRESS);
	int err;

	if (ifc->tc_link_fd >= 0) {
		/* The last reference unless pinned: the kernel detaches. */
		close(ifc->tc_link_fd);
		ifc->tc_link_fd = -1;
	} else if (!keep) {
		err = netlink_clear(ifc->name, ifc->ifindex, true);
		if (err >= 0 && ifc->tc_qdisc_ours) {
			/* Both attach points: the qdisc itself goes, not just its filters. */
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			err = bpf_tc_hook_destroy(&hook);
			if (err && err != -ENOENT && err != -EINVAL)
				pr_warn("%s: removing the clsact qdisc sip6xx added failed: %s\n",
					ifc->name, strerror(-err));
		}
	}
	ifc->tc_qdisc_ours = false;
	ifc->tc_attached = false;
}
