# shellcheck shell=bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# TAP helpers for the shell suites: source it, call ok/check_eq, end with tap_done.
# A suite that cannot run here says so and why, before its first test, with
# tap_skip_all (or the tap_require_* checks): the plan "1..0 # SKIP why",
# which tests/run.sh counts as skipped, neither passed nor failed.
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

# tap_skip WHY: one test that cannot run here, "ok N - # SKIP WHY".
tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - # SKIP $*"
}

# tap_skip_all WHY: the whole suite cannot run here; ends the script. Before
# any test, the plan "1..0 # SKIP WHY" and status 0. After some (a need found
# late), one skip line for the rest and the usual end, so what ran still counts.
tap_skip_all() {
	if [ "$TAP_N" -eq 0 ]; then
		echo "1..0 # SKIP $*"
		exit 0
	fi
	tap_skip "$*"
	tap_done
	exit
}

# tap_require_root WHY: skip the suite unless it runs as root.
tap_require_root() {
	[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root: $*"
}

# tap_require_cmd CMD [HOW]: skip the suite unless CMD is on PATH; HOW says
# where it comes from (default: scripts/deps.sh installs it).
tap_require_cmd() {
	command -v "$1" >/dev/null ||
		tap_skip_all "$1 is missing (${2:-scripts/deps.sh installs it})"
}
