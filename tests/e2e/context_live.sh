#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The call context live (issue 18): SIPp as UAC in one namespace, SIPp as UAS
# in another (198.18.0.0/15), the exporter on the UAC's veth with XDP
# (responses arrive: rx) and TC egress (the UAC's BYE and CANCEL leave: tx),
# the kernel sampling into its ring buffer and the exporter decoding. One
# exporter per case, so each scrape holds that case alone:
#   noack   a UAS answering 607 that never gets its ACK: rejections = calls,
#           retransmissions = the UAS's own _Retrans count of its 607s
#   bye     a call answered 200, ended by a BYE with Reason: SIP;cause=607
#   608     608 with Call-Info purpose=jwscard, then 608 without
#   cancel  a CANCEL with Reason: SIP;cause=608
# noack and bye run with --callers, 608 with --intermediaries (their gauges,
# and no caller without the option).
# Every case also wants no sample lost or unparsed, and each scrape passes
# promtool check metrics. Then --context-rate 0: no context metric at all,
# the exact counts still there. Every sipp runs under timeout; every wait is
# bounded. About 30 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

SCEN=$PWD/scripts/sipp
NS_UAC=sip6xx-ctx-uac-$$
NS_UAS=sip6xx-ctx-uas-$$
IF_UAC=cuac0
IF_UAS=cuas0
UAC4=198.18.0.1
UAS4=198.18.0.2
LISTEN=127.0.0.1:19062
URL=http://$LISTEN/metrics
CALLS=5
SIPP_LIMIT=30
IFL="interface=\"$IF_UAC\""

e2e_require_root
e2e_require_exporter "$EXPORTER"
command -v sipp >/dev/null || e2e_die "sipp is missing: install sip-tester (scripts/deps.sh)"
command -v promtool >/dev/null || e2e_die "promtool is missing (scripts/deps.sh)"
trap e2e_cleanup EXIT
e2e_tmpdir
e2e_netns_pair "$NS_UAC" "$NS_UAS" "$IF_UAC" "$IF_UAS"

# run_case TAG UAS_XML UAS_CODE UAC_XML [UAS_ARGS...]: CALLS calls from the UAC
# to a UAS that answers with UAS_CODE (uas_code.xml's -inf field; ignored by
# the others). Leaves the UAS's directory in CASE_DIR; 0 when the UAC ended 0.
run_case() {
	local tag=$1 uas=$2 code=$3 uac=$4 uas_pid uac_pid
	shift 4
	CASE_DIR=$E2E_TMP/$tag
	mkdir -p "$CASE_DIR/uas" "$CASE_DIR/uac"
	printf 'SEQUENTIAL\n%s;\n' "$code" >"$CASE_DIR/uas/codes.csv"
	(cd "$CASE_DIR/uas" && exec ip netns exec "$NS_UAS" timeout "$SIPP_LIMIT" sipp \
		-sf "$SCEN/$uas" -inf codes.csv -i "$UAS4" -p 5060 -m "$CALLS" -nostdin \
		-trace_counts -trace_stat -stf stat.csv "$@" >sipp.log 2>&1) &
	uas_pid=$!
	e2e_track_pid "$uas_pid"
	e2e_wait_udp_listen "$NS_UAS" "$UAS4" 5060 || echo "# $tag: the UAS does not listen"
	(cd "$CASE_DIR/uac" && exec ip netns exec "$NS_UAC" timeout "$SIPP_LIMIT" sipp \
		-sf "$SCEN/$uac" "$UAS4:5060" -i "$UAC4" -p 5070 -m "$CALLS" -r 10 -nostdin \
		-timeout "$((SIPP_LIMIT - 5))s" -trace_counts >sipp.log 2>&1) &
	uac_pid=$!
	e2e_track_pid "$uac_pid"
	e2e_reap "$uac_pid" $((SIPP_LIMIT + 5))
	UAC_STATUS=$E2E_STATUS
	e2e_reap "$uas_pid" $((SIPP_LIMIT + 5))
	UAS_STATUS=$E2E_STATUS
	[ "$UAC_STATUS" = 0 ] || e2e_show_log "$CASE_DIR/uac/sipp.log" 12
}

start() { # start NAME ARGS...: the exporter on the UAC's veth, both directions
	local name=$1
	shift
	e2e_start_exporter "$name" "$NS_UAC" "$URL" \
		"$EXPORTER" -i "$IF_UAC" --mode native -d both --listen "$LISTEN" "$@" ||
		e2e_die "$name: the exporter did not start"
}

# settle OUT: scrape until two scrapes 300 ms apart agree (the ring is read
# every 100 ms); at most 5 s. Leaves the last in OUT.
settle() {
	local i
	e2e_scrape "$NS_UAC" "$URL" "$1.prev"
	for ((i = 0; i < 17; i++)); do
		sleep 0.3
		e2e_scrape "$NS_UAC" "$URL" "$1"
		cmp -s "$1" "$1.prev" && return 0
		cp "$1" "$1.prev"
	done
}

check_common() { # check_common OUT TAG: nothing lost, and promtool's verdict
	local r
	for r in rate buffer_full truncated unparsed; do
		check_eq 0 "$(e2e_metric_sum "$1" "sip6xx_context_dropped_total{reason=\"$r\"}")" \
			"$2: context_dropped_total{reason=$r} summed is 0"
	done
	promtool check metrics <"$1" >"$1.promtool" 2>&1
	ok $? "$2: promtool check metrics passes"
}

# 1. A 607 never ACKed: one rejection per call, the rest retransmissions;
# with --callers 3, each call's caller (From: +12025550101) once.
start noack --callers 3
run_case noack uas_code.xml 607 uac_noack.xml -max_invite_retrans 3 -max_retrans 3
check_eq 0 "$UAC_STATUS" "noack: the UAC ended 0"
f=$(e2e_first_file "$CASE_DIR"/uas/*_counts.csv)
read -r _ sent retr < <(e2e_sipp_counts "$f" Sent | awk '$1 == 607')
[ "${retr:-0}" -gt 0 ]
ok $? "noack: the UAS retransmitted its 607s (sent ${sent:-?}, retransmitted ${retr:-?})"
OUT=$E2E_TMP/noack.prom
settle "$OUT"
e2e_check_values "$OUT" noack \
	"sip6xx_rejections_total{$IFL,direction=\"rx\",code=\"607\",method=\"INVITE\"} $CALLS" \
	"sip6xx_retransmissions_total{$IFL,direction=\"rx\",code=\"607\"} ${retr:-0}" \
	"sip6xx_calls_rejected_total{$IFL,direction=\"rx\",code=\"607\",phase=\"setup\"} $CALLS" \
	"sip6xx_responses_total{$IFL,direction=\"rx\",code=\"607\"} $((${sent:-0} + ${retr:-0}))" \
	"sip6xx_context_samples_total{$IFL,direction=\"rx\"} $((${sent:-0} + ${retr:-0}))" \
	"sip6xx_caller_rejections{$IFL,caller=\"+12025550101\"} $CALLS" \
	"sip6xx_caller_rejections{$IFL,caller=\"other\"} 0"
check_common "$OUT" noack
e2e_check_exporter_stops noack

# 2. Answered, then ended by a BYE with Reason: SIP;cause=607 (sent: tx);
# each BYE rejects the party in its To once (--callers 3).
start bye --callers 3
run_case bye uas_code.xml 200 uac_bye_reason.xml
check_eq 0 "$UAC_STATUS" "bye: the UAC ended 0"
OUT=$E2E_TMP/bye.prom
settle "$OUT"
e2e_check_values "$OUT" bye \
	"sip6xx_reason_total{$IFL,direction=\"tx\",method=\"BYE\",protocol=\"SIP\",cause=\"607\"} $CALLS" \
	"sip6xx_calls_rejected_total{$IFL,direction=\"tx\",code=\"607\",phase=\"midcall\"} $CALLS" \
	"sip6xx_calls_rejected_total{$IFL,direction=\"rx\",code=\"607\",phase=\"setup\"} 0" \
	"sip6xx_context_samples_total{$IFL,direction=\"tx\"} $CALLS" \
	"sip6xx_context_samples_total{$IFL,direction=\"rx\"} 0"
check_eq "$CALLS" "$(e2e_metric_sum "$OUT" sip6xx_caller_rejections)" \
	"bye: sip6xx_caller_rejections sums to one per BYE"
check_common "$OUT" bye
e2e_check_exporter_stops bye

# 3. 608 with Call-Info purpose=jwscard, then 608 without: only the second is
# flagged; the first names https://example.invalid/jws (--intermediaries 2).
start 608 --intermediaries 2
run_case 608-jws uas_code.xml 608 uac_ack.xml
check_eq 0 "$UAC_STATUS" "608 with jwscard: the UAC ended 0"
run_case 608-bare uas_608_bare.xml 608 uac_ack.xml
check_eq 0 "$UAC_STATUS" "608 without Call-Info: the UAC ended 0"
OUT=$E2E_TMP/608.prom
settle "$OUT"
e2e_check_values "$OUT" 608 \
	"sip6xx_rejections_total{$IFL,direction=\"rx\",code=\"608\",method=\"INVITE\"} $((2 * CALLS))" \
	"sip6xx_608_missing_call_info_total{$IFL,direction=\"rx\"} $CALLS" \
	"sip6xx_calls_rejected_total{$IFL,direction=\"rx\",code=\"608\",phase=\"setup\"} $((2 * CALLS))" \
	"sip6xx_intermediary_rejections{$IFL,intermediary=\"example.invalid\"} $CALLS" \
	"sip6xx_intermediary_rejections{$IFL,intermediary=\"other\"} 0"
! grep -q '^sip6xx_caller_rejections' "$OUT"
ok $? "608: no caller exported without --callers"
check_common "$OUT" 608
e2e_check_exporter_stops 608

# 4. A CANCEL with Reason: SIP;cause=608 (sent: tx).
start cancel
run_case cancel uas_ring.xml 0 uac_cancel_reason.xml
check_eq 0 "$UAC_STATUS" "cancel: the UAC ended 0"
OUT=$E2E_TMP/cancel.prom
settle "$OUT"
e2e_check_values "$OUT" cancel \
	"sip6xx_reason_total{$IFL,direction=\"tx\",method=\"CANCEL\",protocol=\"SIP\",cause=\"608\"} $CALLS" \
	"sip6xx_calls_rejected_total{$IFL,direction=\"tx\",code=\"608\",phase=\"cancel\"} $CALLS" \
	"sip6xx_context_samples_total{$IFL,direction=\"tx\"} $CALLS"
check_common "$OUT" cancel
e2e_check_exporter_stops cancel

# 5. --context-rate 0: the exact counts, no context.
start off --context-rate 0
run_case off uas_code.xml 607 uac_noack.xml -max_invite_retrans 1 -max_retrans 1
OUT=$E2E_TMP/off.prom
f=$(e2e_first_file "$CASE_DIR"/uas/*_counts.csv)
read -r _ sent retr < <(e2e_sipp_counts "$f" Sent | awk '$1 == 607')
e2e_wait_metric "$NS_UAC" "$URL" "$OUT" "sip6xx_responses_total{$IFL,direction=\"rx\",code=\"607\"}" \
	"$((${sent:-0} + ${retr:-0}))"
ok $? "off: responses_total{607} = what the UAS sent ($((${sent:-0} + ${retr:-0})))"
! grep -q '^sip6xx_context_\|^sip6xx_rejections_total' "$OUT"
ok $? "off: no context metric is exported"
grep -q 'call context' "$E2E_EXP_ERR"
check_eq 1 "$?" "off: no call context line in the log"
e2e_check_exporter_stops off
grep -q 'call context: up to 20000 samples per second per interface' "$E2E_TMP"/1-noack.stderr
ok $? "the log names the rate and the copy path in one line at start"

tap_done
