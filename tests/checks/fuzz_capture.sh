#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# libFuzzer over --replay's capture reader (tests/fuzz/fuzz_capture.c), in
# make test: built with the address and undefined sanitizers, seeded with the
# captures the replay tests write (every link type, mixed pcapng, cut files),
# then fuzzed for FUZZ_CAPTURE_TIME seconds (default 30). Without clang or
# scapy it skips and says which is missing.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
FUZZ_CAPTURE_TIME=${FUZZ_CAPTURE_TIME:-30}
CLANG=${CLANG:-clang}
PYTHON=${E2E_PYTHON:-/usr/bin/python3}
fuzz_dir=$BUILD/fuzz
fuzzer=$fuzz_dir/fuzz_capture
corpus=$fuzz_dir/capture_corpus
log=$fuzz_dir/fuzz_capture.log

tap_require_cmd "$CLANG" "scripts/deps.sh installs clang and libclang-rt-dev"
"$PYTHON" -c 'import scapy' 2>/dev/null || tap_skip_all "$PYTHON lacks scapy (Debian: python3-scapy)"

make -s -C tests/fuzz capture OUTPUT="$BUILD" CLANG="$CLANG" >"$BUILD/fuzz_capture.build" 2>&1
rc=$?
[ $rc -ne 0 ] && sed 's/^/# /' "$BUILD/fuzz_capture.build"
ok $rc "the capture reader's fuzzer builds with $CLANG -fsanitize=fuzzer,address,undefined"
[ $rc -ne 0 ] && { tap_done; exit 1; }

mkdir -p "$corpus" "$fuzz_dir/artifacts"
"$PYTHON" tests/e2e/replay/make_pcaps.py "$corpus" &&
	"$PYTHON" tests/e2e/replay/make_input_pcaps.py "$corpus"
ok $? "seed captures written by the replay tests' generators (needs python3-scapy)"

"$fuzzer" -max_total_time="$FUZZ_CAPTURE_TIME" -max_len=16384 \
	-artifact_prefix="$fuzz_dir/artifacts/capture-" -print_final_stats=1 "$corpus" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ $rc -ne 0 ]; then
	grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -n 20 | sed 's/^/# /'
fi
ok $rc "${FUZZ_CAPTURE_TIME} s of fuzzing the capture reader: no crash (${execs:-?} inputs; log $log)"
tap_done
