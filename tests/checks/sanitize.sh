#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Every unit test again under AddressSanitizer, LeakSanitizer and UBSan: the
# Makefile's SANITIZE=1 build in its own tree ($BUILD/san), then one TAP line
# per unit test binary. A binary passes when it exits 0 and no sanitizer
# spoke; otherwise its report goes to the TAP output (and the whole run to
# its log in $BUILD/san/logs). Alignment is left out, as in the fuzzers
# (tests/fuzz/fuzz_parse.c says why). Skips when $CC cannot link the
# sanitizers or LeakSanitizer cannot run here. Needs no root.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh

BUILD=${BUILD:-build}
SAN=$BUILD/san
CC=${CC:-gcc}
# Each binary takes well under a second sanitized; this only bounds a hang.
SAN_TEST_TIMEOUT=${SAN_TEST_TIMEOUT:-120}
logs=$SAN/logs
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export CMOCKA_MESSAGE_OUTPUT=TAP
# What a sanitizer prints when it finds something.
report_re='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer'

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stdlib.h>\nint main(void) { free(malloc(1)); return 0; }\n' >"$probe/p.c"
if ! "$CC" -fsanitize=address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
	sed 's/^/# /' "$probe/err" | head -n 5
	tap_skip_all "$CC cannot link -fsanitize=address,undefined (Debian: libasan8 and libubsan1 come with gcc)"
fi
# LeakSanitizer stops the process's threads with ptrace; some sandboxes forbid it.
if ! "$probe/p" >"$probe/run" 2>&1; then
	sed 's/^/# /' "$probe/run" | head -n 5
	tap_skip_all "a sanitized program cannot run here (LeakSanitizer needs ptrace on its own threads)"
fi

mapfile -t names < <(ls tests/unit/*.c | sed 's|^tests/unit/||; s|\.c$||')
mkdir -p "$logs"
start=$SECONDS
make -j"${SAN_JOBS:-2}" CC="$CC" SANITIZE=1 OUTPUT="$SAN" "${names[@]/#/$SAN/tests/unit/}" \
	>"$logs/build.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -v '^  [A-Z-]* ' "$logs/build.log" | tail -n 30 | sed 's/^/# /'
ok $rc "make SANITIZE=1 OUTPUT=$SAN builds the ${#names[@]} unit tests ($((SECONDS - start)) s; log $logs/build.log)"
[ $rc -ne 0 ] && { tap_done; exit 1; }

for name in "${names[@]}"; do
	log=$logs/$name.log
	t0=$SECONDS
	timeout "$SAN_TEST_TIMEOUT" "$SAN/tests/unit/$name" >"$log" 2>&1
	rc=$?
	# cmocka's own plan line, so a binary that died early is seen as such.
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n 1)
	failed=$(grep -c '^not ok' "$log")
	if [ $rc -eq 0 ] && ! grep -qE "$report_re" "$log"; then
		ok 0 "$name under ASan+LSan+UBSan: ${plan:-?} tests, no report ($((SECONDS - t0)) s)"
		continue
	fi
	why="exit status $rc"
	[ $rc -eq 124 ] && why="timed out after $SAN_TEST_TIMEOUT s"
	grep -qE "$report_re" "$log" && why="$why, a sanitizer report"
	[ "$failed" -gt 0 ] && why="$why, $failed cmocka failure(s)"
	ok 1 "$name under ASan+LSan+UBSan: $why (log $log)"
	# The report (or, without one, the end of the run), without the passing tests.
	# ASan's shadow byte map says nothing a reader needs here.
	if grep -qE "$report_re" "$log"; then
		grep -vE '^ok ' "$log" | sed '/^Shadow bytes around/,/^==[0-9]*==ABORTING/d' |
			grep -E -A 25 "$report_re" | head -n 40
	else
		grep -vE '^ok ' "$log" | tail -n 20
	fi | sed 's/^/#   /'
done
echo "# $((SECONDS - start)) s in all"
tap_done
