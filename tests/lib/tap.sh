# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# TAP helpers for the shell suites: source it, call ok/check_eq, end with tap_done.
TAP_N=0
TAP_FAILED=0

ok() { # ok COND_STATUS DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

check_eq() { # check_eq EXPECTED ACTUAL DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3 (expected '$1', got '$2')"
	fi
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
