/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Can this process load BPF, and run it with BPF_PROG_TEST_RUN? The C suites
 * that drive the real object ask first and, when it cannot, print a TAP plan
 * "1..0 # SKIP why" instead of failing (the kernel selftests' test__skip());
 * tests/tools/bpf_probe asks the same for the shell suites.
 *
 * The probes: a two-instruction XDP program (return XDP_PASS), loaded and run
 * on a zeroed frame; a one-entry array map. Each failure is told apart: not
 * root (EPERM without CAP_BPF), no BPF at all (ENOSYS), no test_run for XDP.
 * Header-only, so the fuzz seeder, which links every tests/lib C file without
 * libbpf, does not pull it in.
 */
#ifndef SIP6XX_TESTS_BPF_SKIP_H
#define SIP6XX_TESTS_BPF_SKIP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

enum bpf_need {
	BPF_NEED_MAPS,	   /* create a map (BPF_MAP_CREATE) */
	BPF_NEED_PROG,	   /* load an XDP program (BPF_PROG_LOAD) */
	BPF_NEED_TEST_RUN, /* load it and run it with BPF_PROG_TEST_RUN */
};

static inline void bpf_skip_say_why(char *why, size_t len, const char *what, int err)
{
	if ((err == EPERM || err == EACCES) && geteuid() != 0)
		snprintf(why, len, "needs root (CAP_BPF, CAP_NET_ADMIN): %s: %s", what,
			 strerror(err));
	else if (err == ENOSYS)
		snprintf(why, len, "the kernel has no bpf() system call: %s: %s", what,
			 strerror(err));
	else
		snprintf(why, len, "%s failed: %s", what, strerror(err));
}

/* 0 when NEED is met; else -1 with the reason, one line, in WHY. */
static inline int bpf_probe_need(enum bpf_need need, char *why, size_t len)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	unsigned char frame[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = 1);
	int fd, err;

	if (need == BPF_NEED_MAPS) {
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sip6xx_probe", 4, 8, 1, NULL);
		if (fd < 0) {
			bpf_skip_say_why(why, len, "creating a BPF map", errno);
			return -1;
		}
		close(fd);
		return 0;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "sip6xx_probe", "GPL", insns, 2, NULL);
	if (fd < 0) {
		bpf_skip_say_why(why, len, "loading an XDP program", errno);
		return -1;
	}
	err = 0;
	if (need == BPF_NEED_TEST_RUN) {
		if (bpf_prog_test_run_opts(fd, &run) < 0) {
			snprintf(why, len, "the kernel has no BPF test_run for XDP: %s",
				 strerror(errno));
			err = -1;
		} else if (run.retval != XDP_PASS) {
			snprintf(why, len, "BPF test_run returned %u, not XDP_PASS", run.retval);
			err = -1;
		}
	}
	close(fd);
	return err;
}

/*
 * true when NEED is not met: "1..0 # SKIP <why>" is printed on stdout and the
 * suite should end with status 0. false when the suite can run.
 */
static inline bool bpf_skip_unless(enum bpf_need need)
{
	char why[256];

	if (!bpf_probe_need(need, why, sizeof(why)))
		return false;
	printf("1..0 # SKIP %s\n", why);
	fflush(stdout);
	return true;
}

#endif
