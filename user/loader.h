/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Open, configure, load and attach the BPF object: one object per interface,
 * its XDP program on receive and its TC program on egress.
 */
#ifndef SIP6XX_LOADER_H
#define SIP6XX_LOADER_H

#include <limits.h>
#include <stdbool.h>
#include <net/if.h>
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
	int tc_link_fd;		/* TC egress as a TCX link, or -1 (none, or netlink) */
	bool tc_qdisc_ours;	/* netlink: this process added the clsact qdisc */
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

/* Resolves ifc->name, loads ifc->skel and attaches it; 0 or -errno, logged. */
int loader_attach(struct iface *ifc, const struct loader_opts *opts, enum attach_mode mode);
/* Whether our program still sits on the interface (someone may have detached it). */
bool loader_still_attached(struct iface *ifc);
/*
 * Notices an interface that went away (logged once) and re-attaches the same
 * object when one of that name is back. Returns true while it is attached.
 */
bool loader_follow(struct iface *ifc, const struct loader_opts *opts, enum attach_mode mode);
/*
 * Detaches our programs and destroys the object; with --pin-path they stay
 * attached and pinned on purpose. Safe to call twice.
 */
void loader_detach(struct iface *ifc);
/* --detach: removes what --pin-path left on @ifname. */
int loader_unpin(const char *ifname, const char *pin_path);

#endif
