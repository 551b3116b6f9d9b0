#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# --replay: small captures of every supported link type, written at test time
# by tests/e2e/replay/make_pcaps.py, run through the real XDP program. Each
# must give exactly the counts written below (worked out by hand from the
# record list in make_pcaps.py), in Prometheus text that promtool accepts and
# in JSON with the same numbers. Unsupported link types, missing files and
# ERF files must fail with exit 1 and a message naming the problem.
# shellcheck disable=SC2034 # the expectation arrays are passed to replay_ok by name
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

HERE=tests/e2e/replay

e2e_require_root "--replay loads the XDP program"
e2e_require_bpf test_run
e2e_require_exporter "$EXPORTER"
e2e_require_scapy
e2e_require_tool promtool "Debian: prometheus"
e2e_tmpdir
trap e2e_cleanup EXIT
T=$E2E_TMP

"$E2E_PYTHON" "$HERE/make_pcaps.py" "$T" || e2e_die "make_pcaps.py failed"

R='interface="replay",direction="rx"'

# The 22 records of the full mix, as make_pcaps.py lists them:
#   603 x3 from 198.18.0.1, 607 x2 from 198.18.0.2, 604 from 198.18.0.1 (cut by
#   the snap length), 608 x2 from 2001:db8::1, 600 and 608 from 2001:db8::2,
#   "sip/2.0 603" from 2001:db8::1, a 6000-byte 606 from 198.18.0.3, 200, 486,
#   an INVITE, DNS, TCP SYN, "SIP/2.0 603" over TCP/IPv6, "SIP/2.0 099",
#   a non-first IPv4 fragment, one non-IP record, one record shorter than its
#   link header.
MIX=(
	"sip6xx_responses_total{$R,code=\"600\"} 1"
	"sip6xx_responses_total{$R,code=\"603\"} 4"
	"sip6xx_responses_total{$R,code=\"604\"} 1"
	"sip6xx_responses_total{$R,code=\"606\"} 1"
	"sip6xx_responses_total{$R,code=\"607\"} 2"
	"sip6xx_responses_total{$R,code=\"608\"} 3"
	"sip6xx_responses_total{$R,code=\"200\"} 1"
	"sip6xx_responses_total{$R,code=\"486\"} 1"
	"sip6xx_global_failures_total{$R,source=\"198.18.0.1\",code=\"603\"} 3"
	"sip6xx_global_failures_total{$R,source=\"198.18.0.1\",code=\"604\"} 1"
	"sip6xx_global_failures_total{$R,source=\"198.18.0.2\",code=\"607\"} 2"
	"sip6xx_global_failures_total{$R,source=\"198.18.0.3\",code=\"606\"} 1"
	"sip6xx_global_failures_total{$R,source=\"2001:db8::1\",code=\"608\"} 2"
	"sip6xx_global_failures_total{$R,source=\"2001:db8::1\",code=\"603\"} 1"
	"sip6xx_global_failures_total{$R,source=\"2001:db8::2\",code=\"600\"} 1"
	"sip6xx_global_failures_total{$R,source=\"2001:db8::2\",code=\"608\"} 1"
	"sip6xx_packets_total{$R,result=\"non_ip\"} 1"
	"sip6xx_packets_total{$R,result=\"non_udp\"} 2"
	"sip6xx_packets_total{$R,result=\"fragment\"} 1"
	"sip6xx_packets_total{$R,result=\"truncated\"} 1"
	"sip6xx_packets_total{$R,result=\"not_sip\"} 1"
	"sip6xx_packets_total{$R,result=\"sip_request\"} 1"
	"sip6xx_packets_total{$R,result=\"sip_response\"} 14"
	"sip6xx_packets_total{$R,result=\"malformed\"} 1"
	"sip6xx_packets_total{$R,result=\"filtered_port\"} 0"
	"sip6xx_packets_total{$R,result=\"unparsed\"} 0"
)
# Sums over every sample of each counter: nothing counted beyond the above.
MIX_SUMS=(
	"sip6xx_responses_total 14"
	"sip6xx_global_failures_total 12"
	"sip6xx_packets_total 22"
)

# DLT_IPV4: 603 and 200 from 198.18.0.1. The unseen named 6xx codes read 0.
IPV4_ONLY=(
	"sip6xx_responses_total{$R,code=\"600\"} 0"
	"sip6xx_responses_total{$R,code=\"603\"} 1"
	"sip6xx_responses_total{$R,code=\"604\"} 0"
	"sip6xx_responses_total{$R,code=\"606\"} 0"
	"sip6xx_responses_total{$R,code=\"607\"} 0"
	"sip6xx_responses_total{$R,code=\"608\"} 0"
	"sip6xx_responses_total{$R,code=\"200\"} 1"
	"sip6xx_global_failures_total{$R,source=\"198.18.0.1\",code=\"603\"} 1"
	"sip6xx_packets_total{$R,result=\"sip_response\"} 2"
)
IPV4_SUMS=(
	"sip6xx_responses_total 2"
	"sip6xx_global_failures_total 1"
	"sip6xx_packets_total 2"
)

# DLT_IPV6: 608 from 2001:db8::2 and an INVITE.
IPV6_ONLY=(
	"sip6xx_responses_total{$R,code=\"600\"} 0"
	"sip6xx_responses_total{$R,code=\"603\"} 0"
	"sip6xx_responses_total{$R,code=\"604\"} 0"
	"sip6xx_responses_total{$R,code=\"606\"} 0"
	"sip6xx_responses_total{$R,code=\"607\"} 0"
	"sip6xx_responses_total{$R,code=\"608\"} 1"
	"sip6xx_global_failures_total{$R,source=\"2001:db8::2\",code=\"608\"} 1"
	"sip6xx_packets_total{$R,result=\"sip_response\"} 1"
	"sip6xx_packets_total{$R,result=\"sip_request\"} 1"
)
IPV6_SUMS=(
	"sip6xx_responses_total 1"
	"sip6xx_global_failures_total 1"
	"sip6xx_packets_total 2"
)

# same_samples PROM JSONPROM: every counter sample of the JSON output reads the
# same in the Prometheus output, and both have as many. Prints what differs.
same_samples() {
	local prom=$1 jprom=$2 line got bad=0 np nj
	while read -r line; do
		got=$(e2e_metric "$prom" "${line% *}")
		if [ "$got" != "${line##* }" ]; then
			echo "# json ${line% *} = ${line##* }, prometheus = $got"
			bad=1
		fi
	done <"$jprom"
	np=$(grep -cE '^sip6xx_(responses|global_failures|packets)_total\{' "$prom")
	nj=$(grep -c . "$jprom")
	if [ "$np" != "$nj" ]; then
		echo "# prometheus has $np counter samples, json $nj"
		bad=1
	fi
	return $bad
}

# replay_ok FILE WHAT EXPECT_ARRAY SUMS_ARRAY [exporter options...]
replay_ok() {
	local file=$1 what=$2 out=$T/$2
	local -n expect=$3 sums=$4
	local rc
	shift 4
	"$EXPORTER" --replay "$file" "$@" >"$out.prom" 2>"$out.err"
	rc=$?
	check_eq 0 "$rc" "$what: --replay exits 0"
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$out.err"
	[ -s "$out.prom" ] && promtool check metrics <"$out.prom" >"$out.promtool" 2>&1
	ok $? "$what: promtool check metrics accepts the output"
	e2e_check_values "$out.prom" "$what" "${expect[@]}"
	e2e_check_sums "$out.prom" "$what" "${sums[@]}"

	"$EXPORTER" --replay "$file" --format json "$@" >"$out.json" 2>>"$out.err"
	check_eq 0 "$?" "$what: --replay --format json exits 0"
	"$E2E_PYTHON" -c 'import json, sys; json.load(sys.stdin)' <"$out.json"
	ok $? "$what: --format json output parses"
	"$E2E_PYTHON" "$HERE/json2prom.py" <"$out.json" >"$out.jprom" 2>>"$out.err"
	same_samples "$out.prom" "$out.jprom"
	ok $? "$what: --format json has the same counts as the Prometheus text"
}

# replay_fails FILE WHAT PATTERN...: exit 1, nothing on stdout, stderr matches each PATTERN
replay_fails() {
	local file=$1 what=$2 out=$T/$2 rc p
	shift 2
	"$EXPORTER" --replay "$file" >"$out.out" 2>"$out.err"
	rc=$?
	check_eq 1 "$rc" "$what: --replay exits 1"
	check_eq 0 "$(wc -c <"$out.out")" "$what: prints no metrics"
	for p in "$@"; do
		grep -qF -- "$p" "$out.err"
		ok $? "$what: the error names '$p'"
	done
	[ -s "$out.err" ] && sed 's/^/# stderr: /' "$out.err"
}

for f in en10mb.pcap en10mb.pcapng sll.pcap sll2.pcap raw.pcap null_le.pcap null_be.pcap \
	loop.pcap; do
	replay_ok "$T/$f" "$f" MIX MIX_SUMS
done
replay_ok "$T/ipv4.pcap" ipv4.pcap IPV4_ONLY IPV4_SUMS
replay_ok "$T/ipv6.pcap" ipv6.pcap IPV6_ONLY IPV6_SUMS

# --port 5060: the DNS record (port 53) is filtered instead of "not SIP"; the
# rest, including every response, is on 5060 and counts as before.
PORT_MIX=()
for line in "${MIX[@]}"; do
	case $line in
	*'result="not_sip"'*) line="${line% *} 0" ;;
	*'result="filtered_port"'*) line="${line% *} 1" ;;
	esac
	PORT_MIX+=("$line")
done
replay_ok "$T/en10mb.pcap" en10mb-port5060 PORT_MIX MIX_SUMS --port 5060

replay_fails "$T/wlan.pcap" wlan.pcap "$T/wlan.pcap" "IEEE802_11" "(105)" "not supported"
replay_fails "$T/no-such-file.pcap" missing-file "$T/no-such-file.pcap" \
	"No such file or directory"
replay_fails "$T/capture.erf" capture.erf "$T/capture.erf" "unknown file format" "pcapng"
# A real ERF capture beside the project, read in place, when it is there.
shared_erf=../shared/pcaps/trex-core/sip_short1-0-ex.erf
if [ -f "$shared_erf" ]; then
	replay_fails "$shared_erf" shared-erf "$shared_erf" "unknown file format"
fi
# A file cut in the middle of a record counts what is complete: tests/e2e/replay_input.sh.

tap_done
