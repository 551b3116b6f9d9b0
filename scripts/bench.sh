#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# make bench: ratios measured side by side in one run (the machine is noisy, so
# absolute numbers drift; the ratio to a baseline run interleaved with ours holds).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
out=$BUILD/bench
mkdir -p "$out"

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: loading BPF needs root (sudo make bench)" >&2
	exit 1
fi

{
	echo "# sip6xx bench, $(date -u +%Y-%m-%dT%H:%M:%SZ), kernel $(uname -r), $(nproc) CPUs"
	echo
	echo "## In-kernel cost: BPF_PROG_TEST_RUN, repeat 1000000, median of 5 interleaved rounds"
	echo
	"$BUILD"/tests/bench/xdp_cost 1000000 5
} | tee "$out/report.md"
echo "bench: report written to $out/report.md"
