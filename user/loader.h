/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Open, configure, load and attach the BPF object; one object per interface. */
#ifndef SIP6XX_LOADER_H
#define SIP6XX_LOADER_H

#include <stdbool.h>
#include <net/if.h>
#include "maps.h"

struct sip6xx;

struct loader_opts {
	__u16 ports[SIP6XX_MAX_PORTS]; /* --port filter, host order */
	int nr_ports;
	__u32 max_peers; /* capacity of the peers map */
};

enum attach_mode {
	ATTACH_AUTO = 0, /* native through a bpf_link, generic as fallback */
	ATTACH_NATIVE,
	ATTACH_GENERIC,
};

struct iface {
	char name[IF_NAMESIZE];
	unsigned int ifindex;
	struct sip6xx *skel;
	int link_fd;	 /* ATTACH_AUTO: closing it detaches; else -1 */
	__u32 xdp_flags; /* forced modes: the flags bpf_xdp_attach used */
	bool attached;
	__u32 prog_id;	       /* our program's id, to tell it from another's */
	bool warned_gone;      /* logged that someone else detached it */
	const char *mode_name; /* "native" or "generic" once attached */
};

/* Opens and loads one object with @opts; NULL after logging one line that starts with @ctx. */
struct sip6xx *loader_load(const struct loader_opts *opts, const char *ctx);
void loader_destroy(struct sip6xx *skel);
/* The map descriptors and capacity of a loaded object. */
void loader_maps(struct sip6xx *skel, struct sip6xx_maps *maps);
int loader_prog_fd(struct sip6xx *skel);

/* Resolves ifc->name, loads ifc->skel and attaches it; 0 or -errno, logged. */
int loader_attach(struct iface *ifc, const struct loader_opts *opts, enum attach_mode mode);
/* Whether our program still sits on the interface (someone may have detached it). */
bool loader_still_attached(struct iface *ifc);
/* Detaches (only our own program) and destroys the object. Safe to call twice. */
void loader_detach(struct iface *ifc);

#endif
