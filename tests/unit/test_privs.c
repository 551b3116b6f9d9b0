// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Which capabilities the exporter keeps after its privilege drop, for each
 * kernel.unprivileged_bpf_disabled value and direction (privs_needed() is
 * pure; the drop itself runs in tests/e2e/privileges.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/capability.h>

#include "privs.h"

#define BIT(cap) (1ULL << (cap))

static const struct privs_needs ingress = { .tc_egress = false };
static const struct privs_needs egress = { .tc_egress = true };

/* 1 and 2 refuse bpf() to tasks without CAP_BPF: map reads need it. */
static void test_disabled_keeps_cap_bpf(void **state)
{
	struct privs_keep k;
	int v;

	for (v = 1; v <= 2; v++) {
		k = privs_needed(v, true, &ingress);
		assert_int_equal(k.caps, BIT(CAP_BPF));
		assert_non_null(k.why_bpf);
		assert_null(k.why_net_admin);
	}
}

/* 0: a held map fd is readable, and an XDP link made, without any capability. */
static void test_enabled_keeps_nothing(void **state)
{
	struct privs_keep k = privs_needed(0, true, &ingress);

	assert_int_equal(k.caps, 0);
	assert_null(k.why_bpf);
	assert_null(k.why_net_admin);
}

/* An unreadable sysctl is taken as set: losing the scrapes is worse than one capability. */
static void test_unknown_keeps_cap_bpf(void **state)
{
	struct privs_keep k = privs_needed(-1, true, &ingress);

	assert_int_equal(k.caps, BIT(CAP_BPF));
	assert_non_null(k.why_bpf);
}

/* Before Linux 5.8 bpf() answers to CAP_SYS_ADMIN only. */
static void test_old_kernel_keeps_sys_admin(void **state)
{
	struct privs_keep k = privs_needed(2, false, &ingress);

	assert_int_equal(k.caps, BIT(CAP_SYS_ADMIN));
	assert_non_null(k.why_bpf);
}

/* TC egress goes on and off through rtnetlink: CAP_NET_ADMIN, whatever the sysctl. */
static void test_egress_keeps_net_admin(void **state)
{
	struct privs_keep k = privs_needed(2, true, &egress);

	assert_int_equal(k.caps, BIT(CAP_BPF) | BIT(CAP_NET_ADMIN));
	assert_non_null(k.why_net_admin);
	k = privs_needed(0, true, &egress);
	assert_int_equal(k.caps, BIT(CAP_NET_ADMIN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disabled_keeps_cap_bpf),
		cmocka_unit_test(test_enabled_keeps_nothing),
		cmocka_unit_test(test_unknown_keeps_cap_bpf),
		cmocka_unit_test(test_old_kernel_keeps_sys_admin),
		cmocka_unit_test(test_egress_keeps_net_admin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
