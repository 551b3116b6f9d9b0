/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Test tools that drive a running exporter find its maps through the XDP
 * program on the interface, so they never touch another exporter's maps.
 * Header only: the tests/lib sources are also linked where libbpf is not.
 */
#ifndef SIP6XX_TESTS_XDP_MAP_H
#define SIP6XX_TESTS_XDP_MAP_H

#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define XDP_MAP_MAX_IDS 64

/*
 * A new descriptor for the map named @name of the XDP program on @ifindex
 * (in this network namespace), its info in @info; -1 when there is none.
 */
static inline int xdp_prog_map(unsigned int ifindex, const char *name, struct bpf_map_info *info)
{
	__u32 prog_id = 0, map_ids[XDP_MAP_MAX_IDS], i, len;
	struct bpf_prog_info pinfo = {};
	int prog_fd, fd, err;

	if (bpf_xdp_query_id(ifindex, 0, &prog_id) || !prog_id)
		return -1;
	prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (prog_fd < 0)
		return -1;
	pinfo.nr_map_ids = XDP_MAP_MAX_IDS;
	pinfo.map_ids = (__u64)(unsigned long)map_ids;
	len = sizeof(pinfo);
	err = bpf_obj_get_info_by_fd(prog_fd, &pinfo, &len);
	close(prog_fd);
	if (err)
		return -1;
	for (i = 0; i < pinfo.nr_map_ids && i < XDP_MAP_MAX_IDS; i++) {
		fd = bpf_map_get_fd_by_id(map_ids[i]);
		if (fd < 0)
			continue;
		memset(info, 0, sizeof(*info));
		len = sizeof(*info);
		if (!bpf_obj_get_info_by_fd(fd, info, &len) && !strcmp(info->name, name))
			return fd;
		close(fd);
	}
	return -1;
}

#endif
