#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# sip6xx demo: a SIPp caller and a SIPp callee in two network namespaces,
# joined by a veth pair, with the exporter attached on the caller's side.
# The callee answers each INVITE from a fixed list of codes (200, 486, 603,
# 607, 608), over IPv4 and IPv6; the demo then prints what the exporter
# counted next to what the callee sent, and exits 1 if they differ.
#
# Everything stays inside the two namespaces (198.18.0.0/15, 2001:db8::/32),
# which are removed on exit, however the demo ends. Needs root. About 15 s,
# 5 of them for the chart of the 607/608 rates (scripts/demo_plot.sh; DEMO_PLOT=0 skips it).
set -u
cd "$(dirname "$0")/.." || exit 1
# Namespaces, veth pair, process tracking and cleanup: the tests' own helpers.
source tests/e2e/lib.sh
# plot_start, plot_render: the 607/608 chart (DEMO_PLOT=0 skips it).
source scripts/demo_plot.sh

SCEN=scripts/sipp
NS_UAC=sip6xx-demo-uac-$$
NS_UAS=sip6xx-demo-uas-$$
IF_UAC=uac0
IF_UAS=uas0
UAC4=198.18.0.1
UAS4=198.18.0.2
UAC6=2001:db8::1
UAS6=2001:db8::2
LISTEN=127.0.0.1:10060
CALLS4=60	# IPv4 calls, at RATE4 per second
RATE4=20
CALLS6=30	# IPv6 calls, at RATE6 per second
RATE6=15
# The callee answers call n with CODES[n % 10]: 3 x 200, 2 x 486, 1 x 603,
# 3 x 607, 1 x 608.
CODES=(200 486 607 200 603 607 608 200 486 607)

EXP_PID=""
UAS_PID=""

die() {
	echo "demo.sh: error: $*" >&2
	exit 1
}

# The helpers report setup failures through e2e_die: as the demo's errors here.
e2e_die() {
	die "$@"
}

# wait_reap PID SECONDS: the child's exit status (124 if it outlives SECONDS);
# cleanup no longer tracks it.
wait_reap() {
	e2e_reap "$1" "$2" || E2E_STATUS=124
	return "$E2E_STATUS"
}

check_prereqs() {
	[ -x "$EXPORTER" ] || die "$EXPORTER is missing: build it with 'make all' (or run 'make demo')"
	[ "$(id -u)" -eq 0 ] || die "the demo makes network namespaces and loads BPF: run it as root"
	command -v sipp >/dev/null || die "sipp is missing: install sip-tester (scripts/deps.sh)"
	command -v curl >/dev/null || die "curl is missing (scripts/deps.sh)"
	[ -r "$SCEN/uas_mix.xml" ] || die "$SCEN/uas_mix.xml is missing"
	[ -r "$SCEN/uac_any.xml" ] || die "$SCEN/uac_any.xml is missing"
}

# Both namespaces, the veth pair and their addresses ($UAC4/$UAS4, $UAC6/$UAS6),
# up and with IPv6 running: until then the first IPv6 INVITEs sit in the
# neighbour queue and arrive in a burst with their retransmissions.
make_namespaces() {
	e2e_netns_pair "$NS_UAC" "$NS_UAS" "$IF_UAC" "$IF_UAS"
}

start_exporter() {
	local i
	ip netns exec "$NS_UAC" "$EXPORTER" -i "$IF_UAC" --listen "$LISTEN" \
		>"$E2E_TMP/exporter.stdout" 2>"$E2E_TMP/exporter.stderr" &
	EXP_PID=$!
	e2e_track_pid "$EXP_PID"
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$NS_UAC" curl -sf -o /dev/null --max-time 1 "http://$LISTEN/metrics" &&
			return 0
		kill -0 "$EXP_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$E2E_TMP/exporter.stderr" >&2
	die "the exporter did not come up on $LISTEN in $NS_UAC"
}

# start_uas NAME ADDR CALLS: a callee that stops after CALLS calls; its PID
# in UAS_PID (not printed: a $(...) subshell could not wait for it).
start_uas() {
	(cd "$E2E_TMP" && exec ip netns exec "$NS_UAS" timeout 45 sipp -sf "$OLDPWD/$SCEN/uas_mix.xml" \
		-inf "$E2E_TMP/codes.csv" -i "$2" -p 5060 -m "$3" -nostdin -trace_err \
		-error_file "$E2E_TMP/$1.errors" >"$E2E_TMP/$1.log" 2>&1) &
	UAS_PID=$!
	e2e_track_pid "$UAS_PID"
	e2e_wait_udp_listen "$NS_UAS" "$2" 5060 || die "the SIPp callee ($1) did not listen on $2:5060"
}

# run_calls: both callers at once; 0 when every call ended as the scenario says.
run_calls() {
	local uas4 uas6 uac4 uac6 p st rc=0
	printf 'SEQUENTIAL\n' >"$E2E_TMP/codes.csv"
	printf '%s;\n' "${CODES[@]}" >>"$E2E_TMP/codes.csv"

	start_uas uas4 "$UAS4" "$CALLS4"
	uas4=$UAS_PID
	start_uas uas6 "$UAS6" "$CALLS6"
	uas6=$UAS_PID
	echo "demo: $CALLS4 calls to $UAS4 and $CALLS6 calls to [$UAS6], SIPp in $NS_UAC -> $NS_UAS"
	(cd "$E2E_TMP" && exec ip netns exec "$NS_UAC" timeout 45 sipp -sf "$OLDPWD/$SCEN/uac_any.xml" \
		"$UAS4:5060" -i "$UAC4" -p 5060 -m "$CALLS4" -r "$RATE4" -timeout 40s -nostdin \
		-trace_err -error_file "$E2E_TMP/uac4.errors" >"$E2E_TMP/uac4.log" 2>&1) &
	uac4=$!
	e2e_track_pid "$uac4"
	(cd "$E2E_TMP" && exec ip netns exec "$NS_UAC" timeout 45 sipp -sf "$OLDPWD/$SCEN/uac_any.xml" \
		"[$UAS6]:5060" -i "$UAC6" -p 5060 -m "$CALLS6" -r "$RATE6" -timeout 40s -nostdin \
		-trace_err -error_file "$E2E_TMP/uac6.errors" >"$E2E_TMP/uac6.log" 2>&1) &
	uac6=$!
	e2e_track_pid "$uac6"

	for p in "$uac4:uac4" "$uac6:uac6" "$uas4:uas4" "$uas6:uas6"; do
		wait_reap "${p%%:*}" 50
		st=$?
		if [ "$st" -ne 0 ]; then
			echo "demo: SIPp ${p#*:} ended with status $st; its log ends:" >&2
			tail -n 15 "$E2E_TMP/${p#*:}.log" >&2
			[ -s "$E2E_TMP/${p#*:}.errors" ] && head -n 20 "$E2E_TMP/${p#*:}.errors" >&2
			rc=1
		fi
	done
	return "$rc"
}

# expected CODE CALLS: how many of CALLS calls the callee answers with CODE.
expected() {
	local i n=0
	for ((i = 0; i < $2; i++)); do
		[ "${CODES[i % ${#CODES[@]}]}" = "$1" ] && n=$((n + 1))
	done
	echo "$n"
}

# value FILE SERIES: the sample's value, or 0.
value() {
	awk -v s="$2" 'index($0, s " ") == 1 { print $2; found = 1; exit }
		END { if (!found) print 0 }' "$1"
}

report() {
	local scrape=$E2E_TMP/metrics.prom code want got src calls bad=0
	ip netns exec "$NS_UAC" curl -sf --max-time 5 -o "$scrape" "http://$LISTEN/metrics" ||
		die "cannot scrape http://$LISTEN/metrics"

	echo
	echo "== 6xx global failures by responder (sip6xx_global_failures_total)"
	grep '^sip6xx_global_failures_total' "$scrape"
	echo
	echo "== every SIP response seen, by code (sip6xx_responses_total)"
	grep '^sip6xx_responses_total' "$scrape"
	echo
	echo "== what the parser saw (sip6xx_packets_total), and the per-source map"
	grep -E '^sip6xx_(packets_total|peers_)' "$scrape"
	echo
	echo "== the callee sent / the exporter counted"
	for src in "$UAS4" "$UAS6"; do
		calls=$CALLS4
		[ "$src" = "$UAS6" ] && calls=$CALLS6
		for code in 603 607 608; do
			want=$(expected "$code" "$calls")
			got=$(value "$scrape" \
				"sip6xx_global_failures_total{interface=\"$IF_UAC\",direction=\"rx\",source=\"$src\",code=\"$code\"}")
			printf '   %-12s %s  sent %3d  counted %3d  %s\n' "$src" "$code" "$want" "$got" \
				"$([ "$want" = "$got" ] && echo ok || echo MISMATCH)"
			[ "$want" = "$got" ] || bad=1
		done
	done
	if [ -s "$E2E_TMP/exporter.stdout" ]; then
		echo
		echo "== exporter stdout (alerts)"
		cat "$E2E_TMP/exporter.stdout"
	fi
	return "$bad"
}

stop_exporter() {
	local st
	kill -TERM "$EXP_PID" 2>/dev/null
	wait_reap "$EXP_PID" 5
	st=$?
	echo
	echo "== exporter log (stderr); SIGTERM -> exit status $st"
	sed 's/^/   /' "$E2E_TMP/exporter.stderr"
	return "$st"
}

main() {
	local rc=0
	check_prereqs
	trap e2e_cleanup EXIT
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sip6xx-demo.XXXXXX") || die "mktemp failed"
	make_namespaces
	start_exporter
	plot_start "$NS_UAC" "$LISTEN" "$E2E_TMP"
	run_calls || rc=1
	plot_render "$BUILD/demo/rates.png"
	report || rc=1
	stop_exporter || rc=1
	echo
	if [ "$rc" -eq 0 ]; then
		echo "demo: done: every 6xx the callee sent was counted, per source"
	else
		echo "demo: FAILED (see above)"
	fi
	return "$rc"
}

main "$@"
