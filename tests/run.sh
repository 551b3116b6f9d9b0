#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs every test suite. Each suite prints TAP lines ("ok N - what" or
# "not ok N - what"); this sums them and ends with "N passed, N failed, N skipped".
# A suite that exits non-zero, or reports no test at all, counts as a failure.
#
# Each suite checks its own needs first (root, a bpffs, a kernel feature such
# as XDP on veth or BPF test_run, a tool such as tshark, sipp or promtool) and
# when one is missing says why: the plan "1..0 # SKIP why" for the whole suite
# (one skip), or "ok N - # SKIP why" for one test. Skips count as neither
# passed nor failed. As root on a machine with scripts/deps.sh's packages
# nothing skips; SIP6XX_NO_SKIP=1 makes every skip a failure, for a CI that
# must prove it ran everything.
set -u
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
# BUILD lets a second build tree (make OUTPUT=dir) run its own copy.
BUILD=${BUILD:-build}
export BUILD
logdir=$BUILD/tests/logs
mkdir -p "$logdir"

skipped=0
NO_SKIP=${SIP6XX_NO_SKIP:-0}

suites=()
# The kernel matrix last: it boots a guest per kernel and takes minutes.
for f in tests/checks/*.sh "$BUILD"/tests/unit/* "$BUILD"/tests/bpf/* tests/e2e/*.sh tests/kernels/matrix.sh; do
	[ -f "$f" ] && [ -x "$f" ] && suites+=("$f")
done

for s in "${suites[@]}"; do
	name=${s//\//_}
	log="$logdir/$name.log"
	echo "# suite $s"
	# cmocka prints TAP when asked; the shell suites always do.
	# The matrix bounds each guest itself (SIP6XX_GUEST_TIMEOUT); three in a row need more.
	limit=900
	[ "$s" = tests/kernels/matrix.sh ] && limit=2400
	CMOCKA_MESSAGE_OUTPUT=TAP timeout "$limit" "$s" >"$log" 2>&1
	rc=$?
	sed 's/^/    /' "$log"
	# Skipped tests are "ok" lines with a "# SKIP" directive; a skipped
	# suite is the plan "1..0 # SKIP why".
	k=$(grep -ciE '^ok [^#]*# *skip' "$log")
	k=$((k + $(grep -ciE '^1\.\.0 *# *skip' "$log")))
	p=$(($(grep -cE '^ok ' "$log") - $(grep -ciE '^ok [^#]*# *skip' "$log")))
	f=$(grep -cE '^not ok ' "$log")
	if [ "$k" -gt 0 ] && [ "$NO_SKIP" = 1 ]; then
		echo "not ok - $s skipped $k test(s) under SIP6XX_NO_SKIP=1 (log: $log)"
		f=$((f + k))
		k=0
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $s exited with status $rc (log: $log)"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$k" -eq 0 ]; then
		echo "not ok - $s ran no test (log: $log)"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + k))
done

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
