#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A flood above --context-rate (issue 18): "kernel counts exact, drops
# counted, exporter CPU bounded". reject_gen sends 6xx responses and BYEs
# (every one a sampled kind, each its own call) as fast as the veth takes
# them into the exporter's XDP, started with --context-rate 1000, three
# floods of FLOOD frames each. After each, from a scrape:
#   - the kernel's exact counts equal what was sent (6xx in responses_total
#     and global_failures_total, BYEs as sip_request);
#   - some samples were refused for the rate, and decoded + unparsed +
#     dropped (rate, buffer_full) = frames sent: every frame accounted for;
#   - the samples stay within what the rate allows over the flood's time
#     (a token bucket per CPU: rate x (seconds + its 50 ms burst + 100 ms
#     for the frames still in the veth ring), + 10%);
# and the exporter still answers, its RSS not grown from the first flood
# to the last by more than RSS_GROWTH_KIB (the CPU it takes is make bench's:
# no test asserts a time). About 10 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

GEN=$BUILD/tests/tools/reject_gen
NS_TX=sip6xx-flood-tx-$$
NS_RX=sip6xx-flood-rx-$$
IF_TX=ft$$
IF_RX=fr$$
LISTEN=127.0.0.1:19242
URL=http://$LISTEN/metrics
RATE=1000	      # --context-rate, far below the flood
FLOOD=${FLOOD:-200000} # frames per flood, half 6xx, half BYE
FLOODS=3
RSS_GROWTH_KIB=4096
RSS_MAX_MIB=64 # bench's bound for the exporter with 100k sources
IFL="interface=\"$IF_RX\""

e2e_require_root "it loads BPF programs and makes network namespaces"
e2e_require_exporter "$EXPORTER"
[ -x "$GEN" ] || e2e_die "$GEN is missing: build it first (make test-build)"
e2e_require_xdp_veth
trap e2e_cleanup EXIT
e2e_tmpdir
e2e_netns_pair "$NS_TX" "$NS_RX" "$IF_TX" "$IF_RX"

# settle OUT: scrape until two scrapes 300 ms apart agree (the ring is read
# every 100 ms); at most 5 s. Leaves the last in OUT.
settle() {
	local i
	e2e_scrape "$NS_RX" "$URL" "$1.prev" || return 1
	for ((i = 0; i < 17; i++)); do
		sleep 0.3
		e2e_scrape "$NS_RX" "$URL" "$1" || return 1
		cmp -s "$1" "$1.prev" && return 0
		cp "$1" "$1.prev"
	done
}

# What each flood changes, as e2e_metric_sum selectors.
COUNTERS=(
	"sip6xx_responses_total{code=~\"6..\"}"
	"sip6xx_global_failures_total{$IFL}"
	"sip6xx_packets_total{result=\"sip_request\"}"
	"sip6xx_context_samples_total{$IFL}"
	"sip6xx_context_dropped_total{reason=\"unparsed\"}"
	"sip6xx_context_dropped_total{reason=\"rate\"}"
	"sip6xx_context_dropped_total{reason=\"buffer_full\"}"
)
# counters FILE [BASELINE]: the COUNTERS' values, in order, on one line. A
# series not there yet reads 0 in the BASELINE scrape (nothing counted so
# far); after a flood it means a wrong selector or a lost series: it prints
# that selector alone and fails.
counters() {
	local c v
	for c in "${COUNTERS[@]}"; do
		v=$(e2e_metric_sum "$1" "$c")
		if [ "$v" = missing ]; then
			[ -n "${2:-}" ] || { echo "$c"; return 1; }
			v=0
		fi
		printf '%s ' "$v"
	done
}

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$E2E_EXP_PID/status"; }

e2e_start_exporter flood "$NS_RX" "$URL" "$EXPORTER" -i "$IF_RX" --mode native \
	--listen "$LISTEN" --context-rate "$RATE" || e2e_die "the exporter did not start"
CPUS=$(nproc)
settle "$E2E_TMP/0.prom" || e2e_die "no scrape"
read -r -a before <<<"$(counters "$E2E_TMP/0.prom" baseline)"
rss_first=""
for ((n = 1; n <= FLOODS; n++)); do
	rx0=$(ip netns exec "$NS_RX" cat "/sys/class/net/$IF_RX/statistics/rx_packets")
	line=$(timeout 60 ip netns exec "$NS_TX" "$GEN" --ifname "$IF_TX" --rate 0 \
		--count "$FLOOD" 2>"$E2E_TMP/gen.err")
	ok $? "flood $n: reject_gen sent its frames ($line$(tail -1 "$E2E_TMP/gen.err"))"
	sent=0 sent_6xx=0 sent_bye=0 secs=0
	for kv in $line; do
		case ${kv%%=*} in
		sent | sent_6xx | sent_bye | secs) printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
		esac
	done
	rx1=$(ip netns exec "$NS_RX" cat "/sys/class/net/$IF_RX/statistics/rx_packets")
	[ "$((rx1 - rx0))" -ge "$sent" ] && [ "$sent" -eq "$FLOOD" ]
	ok $? "flood $n: $IF_RX took in every frame sent ($((rx1 - rx0)) received, $sent sent of $FLOOD)"
	settle "$E2E_TMP/$n.prom"
	line=$(counters "$E2E_TMP/$n.prom") || e2e_die "flood $n: the scrape has no series $line"
	read -r -a after <<<"$line"
	for ((i = 0; i < ${#after[@]}; i++)); do
		d[i]=$((after[i] - before[i]))
	done
	check_eq "$sent_6xx" "${d[0]}" "flood $n: responses_total{code=6xx} grew by the 6xx sent"
	check_eq "$sent_6xx" "${d[1]}" "flood $n: global_failures_total grew by the 6xx sent"
	check_eq "$sent_bye" "${d[2]}" "flood $n: packets_total{result=sip_request} grew by the BYEs sent"
	[ "${d[5]}" -gt 0 ]
	ok $? "flood $n: context_dropped_total{reason=rate} grew (${d[5]})"
	check_eq "$sent" "$((d[3] + d[5] + d[6]))" \
		"flood $n: samples (${d[3]}) + dropped for the rate (${d[5]}) + ring full (${d[6]}) = frames sent"
	check_eq 0 "${d[4]}" "flood $n: no sample unparsed"
	# Each CPU's bucket: rate/CPUS a second, and 50 ms ahead at most.
	allowed=$(awk -v r="$RATE" -v s="$secs" -v c="$CPUS" 'BEGIN { printf "%d", r * (s + 0.15) * 1.1 + c }')
	[ "${d[3]}" -gt 0 ] && [ "${d[3]}" -le "$allowed" ]
	ok $? "flood $n: samples within the rate: ${d[3]} in $secs s, at most $allowed"
	kill -0 "$E2E_EXP_PID" 2>/dev/null
	ok $? "flood $n: the exporter is still running"
	rss=$(rss_kib)
	rss_first=${rss_first:-$rss}
	before=("${after[@]}")
	# Between floods the buckets fill again: each flood starts alike.
	sleep 0.2
done
[ "$((rss - rss_first))" -le "$RSS_GROWTH_KIB" ]
ok $? "RSS after flood $FLOODS (${rss} KiB) at most $RSS_GROWTH_KIB KiB above after flood 1 (${rss_first} KiB)"
[ "$rss" -le $((RSS_MAX_MIB * 1024)) ]
ok $? "RSS after the floods (${rss} KiB) below $RSS_MAX_MIB MiB"
e2e_check_exporter_stops flood

tap_done
