#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs every test suite. Each suite prints TAP lines ("ok N - what" or
# "not ok N - what"); this sums them and ends with "N passed, N failed".
# A suite that exits non-zero, or reports no test at all, counts as a failure.
set -u
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
# BUILD lets a second build tree (make OUTPUT=dir) run its own copy.
BUILD=${BUILD:-build}
export BUILD
logdir=$BUILD/tests/logs
mkdir -p "$logdir"

if [ "$(id -u)" -ne 0 ]; then
	echo "not ok - the tests load BPF and make network namespaces: run them as root (sudo make test)"
	echo "0 passed, 1 failed"
	exit 1
fi

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
	p=$(grep -cE '^ok ' "$log")
	f=$(grep -cE '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $s exited with status $rc (log: $log)"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $s ran no test (log: $log)"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
