// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What the shell suites ask before they start (tests/e2e/lib.sh): can this
 * process use BPF, and does the kernel have what a suite needs?
 *
 *   bpf_probe maps | prog | test_run   BPF_MAP_CREATE, BPF_PROG_LOAD (XDP),
 *                                      BPF_PROG_TEST_RUN on XDP
 *   bpf_probe xdp IFACE                attach an XDP program to IFACE in
 *                                      native (driver) mode, then detach
 *
 * Exit status 0 when it can; otherwise 1 and the reason, one line, on stdout.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_skip.h"

static int probe_native_xdp(const char *ifname)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	unsigned int ifindex = if_nametoindex(ifname);
	int fd, err;

	if (!ifindex) {
		printf("no interface %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "sip6xx_probe", "GPL", insns, 2, NULL);
	if (fd < 0) {
		printf("loading an XDP program failed: %s\n", strerror(errno));
		return 1;
	}
	err = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err) {
		printf("the kernel cannot attach XDP natively to %s: %s\n", ifname, strerror(-err));
		close(fd);
		return 1;
	}
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	enum bpf_need need;
	char why[256];

	libbpf_set_print(NULL);
	if (argc == 3 && !strcmp(argv[1], "xdp"))
		return probe_native_xdp(argv[2]);
	if (argc != 2)
		goto usage;
	if (!strcmp(argv[1], "maps"))
		need = BPF_NEED_MAPS;
	else if (!strcmp(argv[1], "prog"))
		need = BPF_NEED_PROG;
	else if (!strcmp(argv[1], "test_run"))
		need = BPF_NEED_TEST_RUN;
	else
		goto usage;
	if (bpf_probe_need(need, why, sizeof(why))) {
		printf("%s\n", why);
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: %s maps|prog|test_run | xdp IFACE\n", argv[0]);
	return 2;
}
