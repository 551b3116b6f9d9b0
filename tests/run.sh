#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs every test suite. Each suite prints TAP lines ("ok N - what" or
# "not ok N - what"); this sums them and ends with "N passed, N failed".
# A suite that exits non-zero, or reports no test at all, counts as a failure;
# a skipped suite (SKIP, with its reason) counts as neither.
set -u
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
# BUILD lets a second build tree (make OUTPUT=dir) run its own copy.
BUILD=${BUILD:-build}
export BUILD
logdir=$BUILD/tests/logs
mkdir -p "$logdir"

# Without root, the suites that need none still run (unit tests of the
# user-space code, format, man pages, fuzzing); each other suite says SKIP
# and why. As root, as CI runs it, nothing is skipped.
skipped=0
needs_root() {
	case $1 in
	"$BUILD"/tests/unit/* | tests/checks/*) return 1 ;;
	*) return 0 ;;
	esac
}

suites=()
# The kernel matrix last: it boots a guest per kernel and takes minutes.
for f in tests/checks/*.sh "$BUILD"/tests/unit/* "$BUILD"/tests/bpf/* tests/e2e/*.sh tests/kernels/matrix.sh; do
	[ -f "$f" ] && [ -x "$f" ] && suites+=("$f")
done

for s in "${suites[@]}"; do
	name=${s//\//_}
	if [ "$(id -u)" -ne 0 ] && needs_root "$s"; then
		echo "ok - # SKIP $s: needs root (it loads BPF or makes network namespaces): sudo make test"
		skipped=$((skipped + 1))
		continue
	fi
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

if [ "$skipped" -gt 0 ]; then
	echo "${passed} passed, ${failed} failed, ${skipped} skipped"
else
	echo "${passed} passed, ${failed} failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
