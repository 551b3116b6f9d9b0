/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * TC egress: a TCX link where the kernel has them (6.6+), which goes away
 * with the process like the XDP link; else a netlink filter on a clsact qdisc
 * (5.10, 6.1), which outlives the process, so a start removes what an earlier
 * run left and a stop removes the qdisc it made.
 */
#ifndef SIP6XX_TC_EGRESS_H
#define SIP6XX_TC_EGRESS_H

#include <stdbool.h>

struct iface;

/* BPF_TCX_EGRESS of enum bpf_attach_type: TCX came with 6.6, after Debian 12's UAPI headers. */
#define SIP6XX_TCX_EGRESS 47
/* The name the kernel gives our TC program (its function name, cut to 15). */
#define TC_PROG_NAME	  "sip6xx_tc"
/* Set to 1: use the netlink filter even where TCX exists (tests the fallback). */
#define TC_NETLINK_ENV	  "SIP6XX_TC_NETLINK"
/* The pinned TCX link under --pin-path/IFACE. */
#define TC_LINK_NAME	  "tc_link"

/* Attaches our TC program on egress (a pinned TCX link is reused); 0 or -errno, logged. */
int tc_egress_attach(struct iface *ifc, int prog_fd);
/*
 * At a stop: @keep (pinned) lets the hook stay for the next run; else it goes,
 * with the clsact qdisc this process made.
 */
void tc_egress_detach(struct iface *ifc, bool keep);
/*
 * Removes what an earlier run left on @ifindex's egress: our netlink filter
 * (found by its program's name) and the TCX link pinned in @pin_dir (may be
 * NULL). Returns how many it removed, or -errno after logging.
 */
int tc_egress_clear(const char *ifname, unsigned int ifindex, const char *pin_dir);

#endif
