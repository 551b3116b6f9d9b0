/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * --pin-path: maps and the XDP link live in bpffs under DIR/IFACE, so counting
 * goes on while the exporter is down and a restart continues the counters.
 */
#ifndef SIP6XX_PIN_H
#define SIP6XX_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "maps.h"

struct sip6xx;

/* Mounts bpffs on /sys/fs/bpf when @pin_path lies below it and none is there; mkdir -p. */
int pin_prepare(const char *pin_path);
/* @pin_path/@ifname into @dir. */
int pin_dir(const char *pin_path, const char *ifname, char *dir, size_t len);
/*
 * Checks maps pinned at @dir against this build's contract; 0 when none are
 * pinned or they match (*max_peers then holds the pinned capacity), or
 * -EPROTO after logging the fix.
 */
int pin_check(const char *ifname, const char *pin_path, const char *dir, __u32 *max_peers);
/* Before load: each map is reused from, or pinned to, @dir/<map name>. */
int pin_set_paths(struct sip6xx *skel, const char *dir);
/* After load: stamps a newly made contract map with this build's version. */
int pin_stamp_contract(struct sip6xx *skel);
/*
 * Takes an exclusive flock on @dir, held while the returned fd stays open:
 * one exporter (or --detach, with @detach) per pin directory. -EBUSY after
 * logging the holder's PID; -ENOENT, silently, for --detach of no directory.
 */
int pin_lock(const char *ifname, const char *dir, bool detach);
/*
 * For a reader such as sip6xx-top: opens the maps pinned in @dir once their
 * contract matches this build's. 0, or -errno after writing what failed,
 * naming the path, to @err (-EPROTO: maps of another layout version).
 */
int pin_open_maps(const char *dir, struct sip6xx_maps *m, char *err, size_t err_len);
void pin_close_maps(struct sip6xx_maps *m);
/* The fd of the object pinned as @dir/@name, or -errno (-ENOENT: none). */
int pin_open(const char *dir, const char *name);
/* The pinned XDP link's fd, or -ENOENT. */
int pin_open_link(const char *dir);
int pin_link(int link_fd, const char *dir);
/* Pins @fd as @dir/@name, replacing what was there; 0 or -errno. */
int pin_object(int fd, const char *dir, const char *name);
/* Removes @dir/@name if it is there. */
void pin_unlink(const char *dir, const char *name);
/* The XDP link's pin in DIR/IFACE. */
#define XDP_LINK_NAME "xdp_link"

/* Detaches and unpins the link pinned as @dir/@name (@what: "XDP", "TCX"); 1 when there was one. */
int pin_drop_link(const char *ifname, const char *dir, const char *name, const char *what);
/* --detach: detaches the pinned link, removes every pin and @dir. */
int pin_remove(const char *ifname, const char *dir);

#endif
