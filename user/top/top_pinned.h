/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The exporter's pinned maps (--pin-path DIR: DIR/IFACE/{resp_codes,peers,...}),
 * read directly: bpffs descriptors work from any network namespace, and reading
 * never disturbs the exporter that owns them.
 */
#ifndef SIP6XX_TOP_PINNED_H
#define SIP6XX_TOP_PINNED_H

#include <linux/types.h>
#include "maps.h"
#include "top_counts.h"

#define TOP_MAX_IFACES 64
#define TOP_IFNAME_LEN 64

struct top_pinned {
	int nr;
	char ifnames[TOP_MAX_IFACES][TOP_IFNAME_LEN];
	struct sip6xx_maps maps[TOP_MAX_IFACES];
};

/*
 * Opens the maps under @pin_path: of the interfaces in @ifnames (@nr_ifnames of
 * them), or of every subdirectory holding a resp_codes map when @nr_ifnames is 0.
 * Returns the number of interfaces opened (0: none pinned there), or -errno
 * after writing what failed, naming the path, to @err.
 */
int top_pinned_open(struct top_pinned *p, const char *pin_path, const char *const *ifnames,
		    int nr_ifnames, char *err, size_t err_len);
void top_pinned_close(struct top_pinned *p);
/* Everything, summed over interfaces and directions, into @c (finished). 0 or -errno. */
int top_pinned_read(const struct top_pinned *p, struct top_counts *c);
/* One code's response counter, summed over interfaces and directions: cheap enough for 10 Hz. */
int top_pinned_code(const struct top_pinned *p, unsigned int code, __u64 *sum);

#endif
