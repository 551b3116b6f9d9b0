/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One exporter per interface, with or without --pin-path: a second one
 * would add a second TC egress program (TCX: every frame counted twice) or
 * replace the first one's netlink filter and remove it at its own stop.
 */
#ifndef SIP6XX_IFACE_LOCK_H
#define SIP6XX_IFACE_LOCK_H

/*
 * Claims @ifname for this process until the returned descriptor is closed
 * (or the process ends, however). -EBUSY when another process holds it,
 * -errno otherwise; both logged.
 */
int iface_lock(const char *ifname);

#endif
