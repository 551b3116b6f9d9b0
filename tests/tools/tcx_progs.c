// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tcx_progs IFACE: prints how many sip6xx TC programs sit in IFACE's TCX
 * egress chain (0 on a kernel without TCX). Run it in the interface's
 * namespace (ip netns exec). bpftool 7.1 lists netlink filters, not TCX.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "tc_egress.h"

#define MAX_PROGS 64

int main(int argc, char **argv)
{
	__u32 ids[MAX_PROGS], cnt = MAX_PROGS, i, len;
	unsigned int ifindex;
	int n = 0, fd;

	if (argc != 2) {
		fprintf(stderr, "usage: tcx_progs IFACE\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "tcx_progs: %s: no such interface\n", argv[1]);
		return 1;
	}
	/* For TCX the query's target is the ifindex, in the target_fd field. */
	if (bpf_prog_query(ifindex, SIP6XX_TCX_EGRESS, 0, NULL, ids, &cnt)) {
		if (errno == EINVAL) { /* no TCX in this kernel */
			printf("0\n");
			return 0;
		}
		fprintf(stderr, "tcx_progs: %s: BPF_PROG_QUERY: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < cnt; i++) {
		struct bpf_prog_info info = {};

		len = sizeof(info);
		fd = bpf_prog_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, TC_PROG_NAME))
			n++;
		close(fd);
	}
	printf("%d\n", n);
	return 0;
}
