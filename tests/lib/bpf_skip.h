/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Can this process load BPF, and run it with BPF_PROG_TEST_RUN? The C suites
 * that drive the real object ask first and, when it cannot, print a TAP plan
 * "1..0 # SKIP why" instead of failing (the kernel selftests' test__skip());
 * tests/tools/bpf_probe asks the same for the shell suites.
 */
#ifndef SIP6XX_TESTS_BPF_SKIP_H
#define SIP6XX_TESTS_BPF_SKIP_H

#include <stdbool.h>
#include <stddef.h>

enum bpf_need {
	BPF_NEED_MAPS,	   /* create a map (BPF_MAP_CREATE) */
	BPF_NEED_PROG,	   /* load an XDP program (BPF_PROG_LOAD) */
	BPF_NEED_TEST_RUN, /* load it and run it with BPF_PROG_TEST_RUN */
};

/* 0 when NEED is met; else -1 with the reason, one line, in WHY. */
int bpf_probe_need(enum bpf_need need, char *why, size_t len);

/*
 * true when NEED is not met: "1..0 # SKIP <why>" is printed on stdout and the
 * suite should end with status 0. false when the suite can run.
 */
bool bpf_skip_unless(enum bpf_need need);

#endif
