#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The libFuzzer harness (tests/fuzz) in make test: build it with clang's
# fuzzer, address and undefined sanitizers, replay every regression file,
# then fuzz for FUZZ_TIME seconds (default 60) from the fixture-seeded corpus.
# Without clang or libFuzzer it skips and says which is missing.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
FUZZ_TIME=${FUZZ_TIME:-60}
CLANG=${CLANG:-clang}
fuzz_dir=$BUILD/fuzz
fuzzer=$fuzz_dir/fuzz_parse
log=$fuzz_dir/fuzz.log
fmake() { make -s -C tests/fuzz OUTPUT="$BUILD" CLANG="$CLANG" "$@"; }

tap_require_cmd "$CLANG" "scripts/deps.sh installs clang and libclang-rt-dev"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' >"$probe/p.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
	sed 's/^/# /' "$probe/err"
	tap_skip_all "$CLANG cannot link -fsanitize=fuzzer,address,undefined (libFuzzer: libclang-rt-dev)"
fi

fmake all >"$probe/build" 2>&1
ok $? "the harness and the seed tool build (tests/fuzz/Makefile)"
if [ "$TAP_FAILED" -ne 0 ]; then
	sed 's/^/# /' "$probe/build"
	tap_done
	exit 1
fi

fmake corpus >"$probe/seed" 2>&1
rc=$?
[ $rc -ne 0 ] && sed 's/^/# /' "$probe/seed"
seeds=$(sed -n 's/^seed_corpus: \([0-9]*\) seeds.*/\1/p' "$probe/seed")
ok $rc "seed corpus written from the fixture table (${seeds:-no} seeds in $fuzz_dir/corpus)"

regs=(tests/fuzz/regressions/*.bin)
if [ -e "${regs[0]}" ]; then
	"$fuzzer" "${regs[@]}" >"$probe/regress" 2>&1
	rc=$?
	[ $rc -ne 0 ] && sed 's/^/# /' "$probe/regress" | tail -n 30
	ok $rc "every regression file replays clean (${#regs[@]} in tests/fuzz/regressions)"
else
	ok 0 "no regression file to replay yet"
fi

mkdir -p "$fuzz_dir/artifacts"
# Crash inputs go to artifacts/ with a name libFuzzer picks; list what is new.
before=$(ls "$fuzz_dir/artifacts" | sort)
"$fuzzer" -max_total_time="$FUZZ_TIME" -max_len=4096 -dict=tests/fuzz/sip.dict \
	-artifact_prefix="$fuzz_dir/artifacts/" -print_final_stats=1 \
	"$fuzz_dir/corpus" tests/fuzz/regressions >"$log" 2>&1
rc=$?
stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 edges, \2 features/p' <<<"$stats")
echo "# ${stats:-no final stats}"
if [ $rc -ne 0 ]; then
	grep -E 'ERROR|runtime error|invariant broken|SUMMARY|Test unit written' "$log" |
		head -n 20 | sed 's/^/# /'
	new=$(comm -13 <(echo "$before") <(ls "$fuzz_dir/artifacts" | sort))
	for a in $new; do
		echo "# keep it: cp $fuzz_dir/artifacts/$a tests/fuzz/regressions/$a.bin"
	done
fi
ok $rc "${FUZZ_TIME} s of fuzzing: no crash, no broken invariant (${execs:-?} inputs at ${rate:-?}/s, ${cov:-coverage unknown}; log $log)"

# The call context: libosip2 decoding, the transaction table, the metrics
# walk (tests/fuzz/fuzz_calls.c), from the crafted seeds in calls_seeds/.
FUZZ_CALLS_TIME=${FUZZ_CALLS_TIME:-20}
calls_fuzzer=$fuzz_dir/fuzz_calls
calls_corpus=$fuzz_dir/calls_corpus
calls_log=$fuzz_dir/fuzz_calls.log
mkdir -p "$calls_corpus"
cp tests/fuzz/calls_seeds/* "$calls_corpus"/
"$calls_fuzzer" -max_total_time="$FUZZ_CALLS_TIME" -max_len=4096 -dict=tests/fuzz/sip.dict \
	-artifact_prefix="$fuzz_dir/artifacts/" -print_final_stats=1 "$calls_corpus" \
	>"$calls_log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$calls_log")
rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$calls_log")
if [ $rc -ne 0 ]; then
	grep -E 'ERROR|runtime error|invariant broken|SUMMARY|Test unit written|leak' "$calls_log" |
		head -n 20 | sed 's/^/# /'
fi
ok $rc "${FUZZ_CALLS_TIME} s of fuzzing the call context: no crash, leak or broken invariant (${execs:-?} inputs, peak RSS ${rss:-?} MB; log $calls_log)"
tap_done
