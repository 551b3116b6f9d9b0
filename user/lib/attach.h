/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One interface's hooks: the loaded object's XDP program on receive and its
 * TC program on egress, followed while the exporter runs.
 */
#ifndef SIP6XX_ATTACH_H
#define SIP6XX_ATTACH_H

#include <limits.h>
#include <stdbool.h>
#include <net/if.h>
#include "loader.h"

enum attach_mode {
	ATTACH_AUTO = 0, /* native, generic as fallback */
	ATTACH_NATIVE,
	ATTACH_GENERIC,
};

struct iface {
	char name[IF_NAMESIZE];
	unsigned int ifindex;
	struct sip6xx *skel;
	int link_fd;		/* XDP bpf_link, in every mode; else -1 */
	bool link_unpinned;	/* --pin-path, but re-attached after the privilege drop */
	bool attached;		/* XDP is on */
	bool tc_attached;	/* TC egress is on */
	bool gone;		/* the interface disappeared; re-attached when it is back */
	__u32 prog_id;		/* our XDP program's id, to tell it from another's */
	bool warned_gone;	/* logged that someone else detached it */
	const char *mode_name;	/* "native" or "generic" once attached */
	char pin_dir[PATH_MAX]; /* --pin-path/IFACE, or "" */
	int lock_fd;		/* flock on pin_dir while this exporter uses it, or -1 */
	int claim_fd;		/* iface_lock(): this exporter's claim on the interface, or -1 */
	int tc_link_fd;		/* TC egress as a TCX link, or -1 (none, or netlink) */
	bool tc_qdisc_ours;	/* netlink: this process added the clsact qdisc */
};

/* Resolves ifc->name, loads ifc->skel and attaches it; 0 or -errno, logged. */
int attach_iface(struct iface *ifc, const struct loader_opts *opts, enum attach_mode mode);
/* Whether our program still sits on the interface (someone may have detached it). */
bool attach_still_there(struct iface *ifc);
/*
 * Notices an interface that went away (logged once) and re-attaches the same
 * object when one of that name is back. Returns true while it is attached.
 */
bool attach_follow(struct iface *ifc, const struct loader_opts *opts, enum attach_mode mode);
/*
 * Detaches our programs and destroys the object; with --pin-path they stay
 * attached and pinned on purpose. Safe to call twice.
 */
void attach_detach(struct iface *ifc);
/* --detach: removes what --pin-path left on @ifname. */
int attach_remove_pinned(const char *ifname, const char *pin_path);

#endif
