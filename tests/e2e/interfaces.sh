#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: interfaces and directions. Two -i interfaces count apart; TC
# egress counts the responses the exporter's own namespace sends (direction
# "tx", source = its own address) beside the received ones ("rx"); an
# interface deleted at runtime is logged, reported as detached and re-attached
# when one of the same name comes back, its counters continuing; and
# --log-format json / --log-level shape stderr.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh
source tests/e2e/stream_lib.sh

NS_A=sip6xx-ifc-a-$$
NS_B=sip6xx-ifc-b-$$
IF_A=vethA
IF_B=vethB
IF_A2=vethA2
IF_B2=vethB2
LISTEN=127.0.0.1:19062
URL=http://$LISTEN

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_bpffs
e2e_require_scapy
e2e_require_exporter "$EXPORTER"
# A private bpffs for the --direction change runs (lib.sh's e2e_mount_pin:
# one at /sys/fs/bpf would not outlive `ip netns exec`); removed on exit.
PIN=/run/sip6xx-ifc-test.$$
trap e2e_cleanup_pin EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
e2e_tmpdir

# start_exporter NAME ARGS...: run the exporter in NS_A; 0 once HTTP answers.
start_exporter() {
	local name=$1
	shift
	e2e_start_exporter "$name" "$NS_A" "$URL/metrics" "$EXPORTER" "$@" --listen "$LISTEN"
}

# second_pair: make IF_A2 (in NS_A) <-> IF_B2 (in NS_B), up; no addresses:
# frames are sent on it at L2.
second_pair() {
	e2e_veth_pair "$NS_A" "$NS_B" "$IF_A2" "$IF_B2"
}

# series_of SCRAPE METRIC IFACE: the samples of METRIC on IFACE, sorted, as "SERIES VALUE".
series_of() {
	grep "^$2{interface=\"$3\"," "$1" | sort
}

# send_from_a COUNTS: SIP responses from a UDP socket in NS_A to NS_B's
# addresses (607 x3 and a 200 over IPv4, 608 x2 over IPv6); they leave
# through IF_A. Writes send_stream.py's counts format: A is the responder.
send_from_a() {
	timeout 20 ip netns exec "$NS_A" "$E2E_PYTHON" -c '
import socket, sys
plan = [(socket.AF_INET, "198.18.0.2", "198.18.0.1", 607, "Unwanted", 3),
        (socket.AF_INET6, "2001:db8::2", "2001:db8::1", 608, "Rejected", 2),
        (socket.AF_INET, "198.18.0.2", "198.18.0.1", 200, "OK", 1)]
resp, peer, total, seq = {}, {}, 0, 0
for fam, dst, src, code, reason, n in plan:
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for _ in range(n):
        seq += 1
        msg = ("SIP/2.0 %d %s\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK-tx%d\r\n"
               "Call-ID: tx-%d@example.invalid\r\nCSeq: 1 INVITE\r\n"
               "Content-Length: 0\r\n\r\n" % (code, reason, dst, seq, seq)).encode()
        if s.sendto(msg, (dst, 5060)) == len(msg):
            total += 1
            resp[code] = resp.get(code, 0) + 1
            if code >= 600:
                peer[(src, code)] = peer.get((src, code), 0) + 1
    s.close()
with open(sys.argv[1], "w") as fh:
    for code in sorted(resp):
        fh.write("resp %d %d\n" % (code, resp[code]))
    for (src, code), n in sorted(peer.items()):
        fh.write("peer %s %d %d\n" % (src, code, n))
    fh.write("total %d\n" % total)
' "$1"
}

# check_json_log FILE WHAT: every line of FILE is a JSON object with string
# ts (RFC 3339, UTC), level (error|warning|info|debug) and msg; prints the
# levels seen, one per line, to stdout.
check_json_log() {
	local bad
	bad=$("$E2E_PYTHON" -c '
import json, re, sys
ts_re = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
bad = []
levels = []
for n, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="replace"), 1):
    try:
        o = json.loads(line)
    except ValueError as e:
        bad.append("line %d is not JSON (%s): %r" % (n, e, line[:120]))
        continue
    if not isinstance(o, dict):
        bad.append("line %d is not an object" % n)
        continue
    if not all(isinstance(o.get(k), str) for k in ("ts", "level", "msg")):
        bad.append("line %d lacks a string ts, level or msg: %r" % (n, line[:120]))
        continue
    if not ts_re.match(o["ts"]):
        bad.append("line %d: ts %r is not RFC 3339 UTC" % (n, o["ts"]))
    if o["level"] not in ("error", "warning", "info", "debug"):
        bad.append("line %d: level %r" % (n, o["level"]))
    levels.append(o["level"])
with open(sys.argv[2], "w") as fh:
    fh.write("\n".join(sorted(set(levels))) + "\n")
print("; ".join(bad[:3]))
' "$1" "$1.levels")
	check_eq "" "$bad" "$2: every stderr line is a JSON object with ts, level and msg"
}

e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
second_pair || e2e_die "cannot make the second veth pair $IF_A2/$IF_B2"
# Neighbours resolved now, so no datagram from NS_A waits on ARP or ND later.
ip netns exec "$NS_A" ping -c1 -W2 198.18.0.2 >/dev/null 2>&1
ip netns exec "$NS_A" ping -6 -c1 -W2 2001:db8::2 >/dev/null 2>&1

# ---- (a) two interfaces count apart -------------------------------------------------
test_two_interfaces() {
	local c1=$E2E_TMP/two-1.counts c2=$E2E_TMP/two-2.counts scrape=$E2E_TMP/two.prom
	local e1=$E2E_TMP/two-1.expect e2=$E2E_TMP/two-2.expect code

	start_exporter two -i "$IF_A" -i "$IF_A2" --alert-codes none
	ok $? "two: exporter on $IF_A and $IF_A2 serves metrics"

	stream_send "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$c1" 5 0.02
	ok $? "two: $(stream_total "$c1") frames sent into $IF_A"
	stream_expect "$IF_A" rx "$c1" >"$e1"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$e1"
	stream_check "$e1" "$scrape" "two, $IF_A"
	for code in 600 603 607 608; do
		check_eq 0 "$(e2e_metric "$scrape" "sip6xx_responses_total{interface=\"$IF_A2\",direction=\"rx\",code=\"$code\"}")" \
			"two: $IF_A2 counts no $code of $IF_A's"
	done
	check_eq "" "$(series_of "$scrape" sip6xx_global_failures_total "$IF_A2")" \
		"two: no per-source series on $IF_A2"
	check_eq 0 "$(e2e_metric "$scrape" "sip6xx_packets_total{interface=\"$IF_A2\",direction=\"rx\",result=\"sip_response\"}")" \
		"two: no sip_response on $IF_A2"

	stream_send "$NS_B" "$IF_B2" "$NS_A" "$IF_A2" "$c2" 3 0.02 --src4 198.18.0.22 --src6 2001:db8::22
	ok $? "two: $(stream_total "$c2") frames sent into $IF_A2 (other responders)"
	stream_expect "$IF_A2" rx "$c2" >"$e2"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$e2"
	stream_check "$e2" "$scrape" "two, $IF_A2"
	stream_check "$e1" "$scrape" "two, $IF_A unchanged"
	check_eq "$(grep '^sip6xx_global_failures_total' "$e1")" \
		"$(series_of "$scrape" sip6xx_global_failures_total "$IF_A")" \
		"two: $IF_A's per-source series are exactly its own"
	check_eq "$(grep '^sip6xx_global_failures_total' "$e2")" \
		"$(series_of "$scrape" sip6xx_global_failures_total "$IF_A2")" \
		"two: $IF_A2's per-source series are exactly its own"
	check_eq 1 "$(e2e_metric "$scrape" "sip6xx_interface_attached{interface=\"$IF_A\"}")" "two: $IF_A attached"
	check_eq 1 "$(e2e_metric "$scrape" "sip6xx_interface_attached{interface=\"$IF_A2\"}")" "two: $IF_A2 attached"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "two: SIGTERM stops it with exit status 0"
	e2e_xdp_attached "$NS_A" "$IF_A" || e2e_xdp_attached "$NS_A" "$IF_A2"
	ok $((!$?)) "two: no XDP left on $IF_A or $IF_A2"
}

# ---- (b) --direction egress and both --------------------------------------------------
test_egress() {
	local tx=$E2E_TMP/egress-tx.counts rx=$E2E_TMP/egress-rx.counts scrape=$E2E_TMP/egress.prom
	local etx=$E2E_TMP/egress-tx.expect

	start_exporter egress -i "$IF_A" --direction egress --alert-codes none
	ok $? "egress: exporter with --direction egress serves metrics"
	check_eq 1 "$(e2e_tc_filters "$NS_A" "$IF_A")" "egress: one sip6xx_tc filter on $IF_A egress (tc filter show)"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $((!$?)) "egress: no XDP on $IF_A with --direction egress"

	send_from_a "$tx"
	ok $? "egress: $(stream_total "$tx") responses sent from a UDP socket in $NS_A"
	stream_send "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$rx" 2 0.02
	ok $? "egress: $(stream_total "$rx") frames received on $IF_A (not to be counted)"
	stream_expect "$IF_A" tx "$tx" >"$etx"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$etx"
	sleep 0.3
	e2e_scrape "$NS_A" "$URL/metrics" "$scrape"
	stream_check "$etx" "$scrape" "egress"
	check_eq "$(grep '^sip6xx_global_failures_total' "$etx")" \
		"$(series_of "$scrape" sip6xx_global_failures_total "$IF_A")" \
		"egress: the per-source series are exactly $NS_A's own addresses, direction tx"
	check_eq 0 "$(grep -c 'direction="rx"' "$scrape")" "egress: no direction=\"rx\" series with --direction egress"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "egress: SIGTERM stops it with exit status 0"
	check_eq 0 "$(e2e_tc_filters "$NS_A" "$IF_A")" "egress: the TC filter is gone after SIGTERM"
}

test_both() {
	local tx=$E2E_TMP/both-tx.counts rx=$E2E_TMP/both-rx.counts scrape=$E2E_TMP/both.prom
	local etx=$E2E_TMP/both-tx.expect erx=$E2E_TMP/both-rx.expect

	start_exporter both -i "$IF_A" --direction both --alert-codes none
	ok $? "both: exporter with --direction both serves metrics"
	check_eq 1 "$(e2e_tc_filters "$NS_A" "$IF_A")" "both: one sip6xx_tc filter on $IF_A egress"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $? "both: XDP on $IF_A too"

	send_from_a "$tx"
	ok $? "both: $(stream_total "$tx") responses sent from $NS_A"
	stream_send "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$rx" 4 0.02
	ok $? "both: $(stream_total "$rx") frames received on $IF_A"
	stream_expect "$IF_A" tx "$tx" >"$etx"
	stream_expect "$IF_A" rx "$rx" >"$erx"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$etx"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$erx"
	stream_check "$etx" "$scrape" "both, tx"
	stream_check "$erx" "$scrape" "both, rx"
	check_eq "$(grep -h '^sip6xx_global_failures_total' "$etx" "$erx" | sort)" \
		"$(series_of "$scrape" sip6xx_global_failures_total "$IF_A")" \
		"both: per-source series: $NS_A's addresses under tx, $NS_B's under rx, nothing else"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "both: SIGTERM stops it with exit status 0"
	check_eq 0 "$(e2e_tc_filters "$NS_A" "$IF_A")" "both: the TC filter is gone after SIGTERM"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $((!$?)) "both: no XDP left on $IF_A"
}

# ---- (c) an interface goes away and comes back ------------------------------------------
test_follow() {
	local c2a=$E2E_TMP/follow-2a.counts c1=$E2E_TMP/follow-1.counts c2b=$E2E_TMP/follow-2b.counts
	local scrape=$E2E_TMP/follow.prom e2a=$E2E_TMP/follow-2a.expect e1=$E2E_TMP/follow-1.expect
	local e2=$E2E_TMP/follow-2.expect t0 t1

	start_exporter follow -i "$IF_A" -i "$IF_A2" --alert-codes none
	ok $? "follow: exporter on $IF_A and $IF_A2 serves metrics"
	stream_send "$NS_B" "$IF_B2" "$NS_A" "$IF_A2" "$c2a" 3 0.02
	ok $? "follow: $(stream_total "$c2a") frames sent into $IF_A2"
	stream_expect "$IF_A2" rx "$c2a" >"$e2a"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$e2a"
	stream_check "$e2a" "$scrape" "follow, $IF_A2 before"

	ip -n "$NS_A" link del "$IF_A2"
	ok $? "follow: $IF_A2 deleted (ip link del)"
	e2e_wait_grep "$E2E_EXP_ERR" "$IF_A2: the interface went away" 5
	ok $? "follow: stderr logs that $IF_A2 went away"
	grep -E "$IF_A2: the interface went away" "$E2E_EXP_ERR" | sed 's/^/# /'
	e2e_scrape "$NS_A" "$URL/metrics" "$scrape"
	ok $? "follow: scrapes still work with $IF_A2 gone"
	check_eq 0 "$(e2e_metric "$scrape" "sip6xx_interface_attached{interface=\"$IF_A2\"}")" \
		"follow: sip6xx_interface_attached{interface=\"$IF_A2\"} is 0"
	check_eq 1 "$(e2e_metric "$scrape" "sip6xx_interface_attached{interface=\"$IF_A\"}")" \
		"follow: sip6xx_interface_attached{interface=\"$IF_A\"} stays 1"
	stream_check "$e2a" "$scrape" "follow, $IF_A2 gone, counts kept"

	stream_send "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$c1" 4 0.02
	ok $? "follow: $(stream_total "$c1") frames sent into $IF_A while $IF_A2 is gone"
	stream_expect "$IF_A" rx "$c1" >"$e1"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$e1"
	stream_check "$e1" "$scrape" "follow, $IF_A keeps counting"

	t0=$(date +%s%N)
	second_pair
	ok $? "follow: $IF_A2/$IF_B2 made again"
	e2e_wait_grep "$E2E_EXP_ERR" "$IF_A2: the interface is back" 5
	ok $? "follow: stderr logs that $IF_A2 is back and re-attached"
	grep -E "$IF_A2: the interface is back" "$E2E_EXP_ERR" | sed 's/^/# /'
	e2e_wait_metric "$NS_A" "$URL/metrics" "$scrape" "sip6xx_interface_attached{interface=\"$IF_A2\"}" 1 5
	ok $? "follow: sip6xx_interface_attached{interface=\"$IF_A2\"} is 1 again"
	t1=$(date +%s%N)
	echo "# re-attached $(((t1 - t0) / 1000000)) ms after the interface was made again"
	e2e_xdp_attached "$NS_A" "$IF_A2"
	ok $? "follow: XDP is on the new $IF_A2"

	stream_send "$NS_B" "$IF_B2" "$NS_A" "$IF_A2" "$c2b" 2 0.02
	ok $? "follow: $(stream_total "$c2b") more frames sent into the new $IF_A2"
	stream_expect "$IF_A2" rx "$c2a" "$c2b" >"$e2"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$e2"
	stream_check "$e2" "$scrape" "follow, $IF_A2 continues from where it was"
	check_eq "" "$(stream_dups "$scrape" | tr '\n' ' ')" "follow: no series appears twice in the scrape"
	promtool check metrics <"$scrape" >"$E2E_TMP/promtool.out" 2>&1
	ok $? "follow: promtool check metrics accepts the scrape"
	e2e_show_log "$E2E_TMP/promtool.out"
	stream_check "$e1" "$scrape" "follow, $IF_A unchanged"
	! grep -q ': error: ' "$E2E_EXP_ERR"
	ok $? "follow: no error logged"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "follow: SIGTERM stops it with exit status 0"
	e2e_xdp_attached "$NS_A" "$IF_A" || e2e_xdp_attached "$NS_A" "$IF_A2"
	ok $((!$?)) "follow: no XDP left on $IF_A or $IF_A2"
}

# ---- (d) --log-format json, --log-level ---------------------------------------------
# bounce IFACE: delete IF_A2 and make it again, waiting for the exporter to see both.
bounce() {
	ip -n "$NS_A" link del "$IF_A2" && sleep 1.5 && second_pair &&
		e2e_wait_metric "$NS_A" "$URL/metrics" "$E2E_TMP/bounce.prom" \
			"sip6xx_interface_attached{interface=\"$IF_A2\"}" 1 5
}

test_json_logs() {
	local levels

	start_exporter json -i "$IF_A" -i "$IF_A2" --log-format json
	ok $? "json: exporter with --log-format json serves metrics"
	bounce
	ok $? "json: $IF_A2 went away and came back"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "json: SIGTERM stops it with exit status 0"
	check_json_log "$E2E_EXP_ERR" "json"
	levels=$(tr '\n' ' ' <"$E2E_EXP_ERR.levels")
	grep -qx info "$E2E_EXP_ERR.levels" && grep -qx warning "$E2E_EXP_ERR.levels"
	ok $? "json: info and warning lines both there (levels: $levels)"
	grep -q '"msg":"[^"]*went away' "$E2E_EXP_ERR" && grep -q '"msg":"[^"]*is back' "$E2E_EXP_ERR"
	ok $? "json: the went-away and is-back messages are in msg"
	[ "$(wc -l <"$E2E_EXP_ERR")" -ge 4 ]
	ok $? "json: at least 4 log lines ($(wc -l <"$E2E_EXP_ERR"))"
	[ ! -s "$E2E_EXP_OUT" ]
	ok $? "json: stdout stays empty"
	e2e_show_log "$E2E_EXP_OUT"

	start_exporter json-warn -i "$IF_A" -i "$IF_A2" --log-format json --log-level warn
	ok $? "json: exporter with --log-level warn serves metrics"
	bounce
	ok $? "json, warn: $IF_A2 went away and came back"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "json, warn: SIGTERM stops it with exit status 0"
	check_json_log "$E2E_EXP_ERR" "json, warn"
	levels=$(tr '\n' ' ' <"$E2E_EXP_ERR.levels")
	grep -qx warning "$E2E_EXP_ERR.levels"
	ok $? "json, warn: the warning is logged (levels: $levels)"
	! grep -qxE 'info|debug' "$E2E_EXP_ERR.levels"
	ok $? "json, warn: no info or debug line"
	[ ! -s "$E2E_EXP_OUT" ]
	ok $? "json, warn: stdout stays empty"

	start_exporter json-debug -i "$IF_A" --log-format json --log-level debug
	ok $? "json: exporter with --log-level debug serves metrics"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "json, debug: SIGTERM stops it with exit status 0"
	check_json_log "$E2E_EXP_ERR" "json, debug (libbpf's messages included)"
	[ ! -s "$E2E_EXP_OUT" ]
	ok $? "json, debug: stdout stays empty"
}

# ---- (e) TC egress does not outlive the exporter ----------------------------------
# On this kernel (6.6+) egress is a TCX link, which the kernel removes with the
# process, even after SIGKILL; SIP6XX_TC_NETLINK=1 forces the netlink filter
# older kernels get: a start removes what a killed run left, and a clean stop
# removes the clsact qdisc it added (not one that was there before).
# kill_exporter: SIGKILL, and the exporter reaped (bounded: 5 s).
kill_exporter() {
	kill -KILL "$E2E_EXP_PID" 2>/dev/null
	e2e_reap "$E2E_EXP_PID" 5
}

test_tc_lifetime() {
	local nl=(env "$TC_NETLINK_ENV=1" "$EXPORTER")

	start_exporter tcx -i "$IF_A" --direction egress --alert-codes none
	ok $? "tc: exporter with --direction egress serves metrics"
	grep -q "info: TC egress: TCX links" "$E2E_EXP_ERR"
	ok $? "tc: one line says TC egress goes through TCX links"
	check_eq 1 "$(e2e_tc_filters "$NS_A" "$IF_A")" "tc: one sip6xx_tc program on $IF_A egress"
	kill_exporter
	check_eq 0 "$(e2e_tc_filters "$NS_A" "$IF_A")" "tc: after SIGKILL no sip6xx_tc program is left on $IF_A egress"
	e2e_clsact "$NS_A" "$IF_A"
	ok $((!$?)) "tc: ... and no clsact qdisc"

	e2e_start_exporter tc-netlink "$NS_A" "$URL/metrics" "${nl[@]}" -i "$IF_A" --direction egress \
		--alert-codes none --listen "$LISTEN"
	ok $? "tc: with $TC_NETLINK_ENV=1 the exporter serves metrics"
	grep -q "info: TC egress: netlink clsact filters ($TC_NETLINK_ENV=1)" "$E2E_EXP_ERR"
	ok $? "tc: one line says TC egress goes through a netlink filter, and why"
	check_eq 1 "$(e2e_tc_netlink "$NS_A" "$IF_A")" "tc: one netlink sip6xx_tc filter on $IF_A egress"
	e2e_check_exporter_stops tc-netlink
	check_eq 0 "$(e2e_tc_filters "$NS_A" "$IF_A")" "tc: after SIGTERM the filter is gone"
	e2e_clsact "$NS_A" "$IF_A"
	ok $((!$?)) "tc: ... and so is the clsact qdisc it added"

	e2e_start_exporter tc-killed "$NS_A" "$URL/metrics" "${nl[@]}" -i "$IF_A" --direction egress \
		--alert-codes none --listen "$LISTEN"
	ok $? "tc: netlink again"
	kill_exporter
	check_eq 1 "$(e2e_tc_netlink "$NS_A" "$IF_A")" "tc: a netlink filter outlives SIGKILL"
	start_exporter tc-after-kill -i "$IF_A" --alert-codes none
	ok $? "tc: the next start (--direction ingress) serves metrics"
	check_eq 0 "$(e2e_tc_filters "$NS_A" "$IF_A")" "tc: ... and removed the killed run's filter"
	grep -q "info: $IF_A: attached XDP in native mode; removed the TC egress program an earlier run left" \
		"$E2E_EXP_ERR"
	ok $? "tc: ... saying so in its attach line"
	e2e_check_exporter_stops tc-after-kill
	# The killed run's qdisc has no owner left; another tool's clsact must stay.
	tc -n "$NS_A" qdisc del dev "$IF_A" clsact 2>/dev/null
	tc -n "$NS_A" qdisc add dev "$IF_A" clsact
	e2e_start_exporter tc-theirs "$NS_A" "$URL/metrics" "${nl[@]}" -i "$IF_A" --direction egress \
		--alert-codes none --listen "$LISTEN"
	ok $? "tc: netlink on an interface that already has a clsact qdisc"
	e2e_check_exporter_stops tc-theirs
	check_eq 0 "$(e2e_tc_filters "$NS_A" "$IF_A")" "tc: after SIGTERM our filter is gone"
	e2e_clsact "$NS_A" "$IF_A"
	ok $? "tc: ... and the clsact qdisc that was there before stays"
	tc -n "$NS_A" qdisc del dev "$IF_A" clsact 2>/dev/null
}

# ---- (f) --direction changes on the same pins --------------------------------------
# Each start leaves exactly the directions it asks for attached, and exports
# only those, whatever an earlier run pinned.
test_direction_change() {
	local tx=$E2E_TMP/dir-tx.counts scrape=$E2E_TMP/dir.prom etx=$E2E_TMP/dir-tx.expect

	e2e_mount_pin "$PIN"
	ok $? "dir: a bpffs on $PIN"
	start_exporter dir-both -i "$IF_A" --direction both --pin-path "$PIN" --alert-codes none
	ok $? "dir: --direction both --pin-path serves metrics"
	send_from_a "$tx"
	stream_expect "$IF_A" tx "$tx" >"$etx"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$etx"
	grep -q '^sip6xx_global_failures_total{.*direction="tx"' "$scrape"
	ok $? "dir: tx per-source series counted while both directions run"
	e2e_check_exporter_stops dir-both

	start_exporter dir-ingress -i "$IF_A" --direction ingress --pin-path "$PIN" --alert-codes none
	ok $? "dir: then --direction ingress on the same pins serves metrics"
	check_eq 0 "$(e2e_tc_filters "$NS_A" "$IF_A")" "dir: no sip6xx_tc program left on $IF_A egress"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $? "dir: XDP stays on $IF_A"
	check_eq 1 "$(grep -c "info: $IF_A: attached" "$E2E_EXP_ERR")" "dir: one attach line"
	grep -q "info: $IF_A: attached XDP in native mode; removed the TC egress program an earlier run left" \
		"$E2E_EXP_ERR"
	ok $? "dir: ... saying the egress program was removed"
	e2e_scrape "$NS_A" "$URL/metrics" "$scrape"
	check_eq 0 "$(grep -c 'direction="tx"' "$scrape")" "dir: no direction=\"tx\" series with --direction ingress"
	e2e_check_exporter_stops dir-ingress

	start_exporter dir-egress -i "$IF_A" --direction egress --pin-path "$PIN" --alert-codes none
	ok $? "dir: then --direction egress on the same pins serves metrics"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $((!$?)) "dir: no XDP left on $IF_A"
	check_eq 1 "$(e2e_tc_filters "$NS_A" "$IF_A")" "dir: one sip6xx_tc program on $IF_A egress"
	grep -q "info: $IF_A: attached TC egress; removed the XDP program an earlier run left" \
		"$E2E_EXP_ERR"
	ok $? "dir: one line says TC egress is attached and the XDP program removed"
	e2e_check_exporter_stops dir-egress
	e2e_run_exporter dir-detach "$NS_A" 10 "$EXPORTER" --detach -i "$IF_A" --pin-path "$PIN"
	check_eq 0 "$E2E_STATUS" "dir: --detach exits 0"
	check_eq 0 "$(e2e_tc_filters "$NS_A" "$IF_A")" "dir: ... and removes the pinned egress program"
}

TC_NETLINK_ENV=SIP6XX_TC_NETLINK

test_two_interfaces
test_egress
test_both
test_follow
test_json_logs
test_tc_lifetime
test_direction_change

e2e_cleanup_pin
tap_done
