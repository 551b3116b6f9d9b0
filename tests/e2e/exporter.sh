#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: the exporter attached to a veth end in namespace A, a known mix
# of frames sent from namespace B, and the scrape checked line by line.
# Runs native, generic and auto modes, a --port filter, and two interfaces;
# checks the HTTP surface, promtool, a clean SIGTERM stop and the detach.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

NS_A=sip6xx-e2e-a-$$
NS_B=sip6xx-e2e-b-$$
IF_A=vethA
IF_B=vethB
# A second pair, for the two-interface run.
IF_A2=vethA2
IF_B2=vethB2
# Loopback inside NS_A: no clash with anything outside the namespace.
LISTEN=127.0.0.1:19060
URL=http://$LISTEN

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_scapy
e2e_require_exporter "$EXPORTER"
trap e2e_cleanup EXIT
e2e_tmpdir

# start_exporter NAME ARGS...: run the exporter in NS_A; 0 once HTTP answers.
start_exporter() {
	local name=$1
	shift
	e2e_start_exporter "$name" "$NS_A" "$URL/metrics" "$EXPORTER" "$@" --listen "$LISTEN"
}

# send_mix PROFILE EXPECT_FILE [IF_B IF_A] [--filter-port N ...]: send from NS_B.
send_mix() {
	local profile=$1 expect=$2 ib=$IF_B ia=$IF_A
	shift 2
	if [ $# -ge 2 ] && [ "${1#--}" = "$1" ]; then
		ib=$1
		ia=$2
		shift 2
	fi
	timeout 60 ip netns exec "$NS_B" "$E2E_PYTHON" tests/e2e/send_mix.py --iface "$ib" \
		--src-mac "$(e2e_mac "$NS_B" "$ib")" --dst-mac "$(e2e_mac "$NS_A" "$ia")" \
		--rx-iface "$ia" --profile "$profile" --expect "$expect" "$@"
}

# check_stopped WHAT [SIG] IFACE...: exit 0 on SIGTERM (or SIG), no XDP left behind.
check_stopped() {
	local what=$1 sig=TERM ifc
	shift
	case $1 in INT | TERM) sig=$1 && shift ;; esac
	e2e_check_exporter_stops "$what" "$sig"
	for ifc in "$@"; do
		check_eq none "$(e2e_xdp_mode "$NS_A" "$ifc")" "$what: no XDP program left on $ifc"
	done
	# The 607 burst in the mix may fire the spike detector: its JSON lines are
	# all stdout may hold.
	! grep -qv '^{"event":"alert",' "$E2E_EXP_OUT"
	ok $? "$what: nothing on stdout but alert lines"
}

e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"

# ---- native mode, the full mix ------------------------------------------------
test_native_full() {
	local exp=$E2E_TMP/native.expect scrape=$E2E_TMP/native.prom empty=$E2E_TMP/empty.prom
	local code version code_http body

	start_exporter native -i "$IF_A" --mode native
	ok $? "native: exporter serves $URL/metrics"
	check_eq xdp "$(e2e_xdp_mode "$NS_A" "$IF_A")" "native: XDP attached to $IF_A in native mode"

	# Before any traffic: the six named 6xx codes are there, at 0.
	e2e_scrape "$NS_A" "$URL/metrics" "$empty"
	for code in 600 603 604 606 607 608; do
		check_eq 0 "$(e2e_metric "$empty" "sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"$code\"}")" \
			"native: responses_total code $code present at 0 before traffic"
	done
	check_eq 0 "$(e2e_metric_sum "$empty" sip6xx_peers_tracked)" "native: no peer tracked before traffic"

	send_mix full "$exp"
	ok $? "native: the full mix was sent from $NS_B"
	e2e_wait_for_counts "$NS_A" "$URL/metrics" "$exp" "$scrape"
	e2e_check_expect "$exp" "$scrape" native

	check_eq 65536 "$(e2e_metric_sum "$scrape" sip6xx_peers_capacity)" \
		"native: peers_capacity is the default 65536"
	version=$("$EXPORTER" --version | awk '{ print $2 }')
	check_eq 1 "$(e2e_metric "$scrape" "sip6xx_exporter_build_info{version=\"$version\"}")" \
		"native: build_info{version=\"$version\"} is 1"
	grep -qx '# TYPE sip6xx_global_failures_total counter' "$scrape" &&
		grep -qx '# TYPE sip6xx_responses_total counter' "$scrape" &&
		grep -qx '# TYPE sip6xx_packets_total counter' "$scrape" &&
		grep -qx '# TYPE sip6xx_peers_tracked gauge' "$scrape" &&
		grep -qx '# TYPE sip6xx_peers_capacity gauge' "$scrape"
	ok $? "native: TYPE lines say counter/gauge as the contract does"
	promtool check metrics <"$scrape" >"$E2E_TMP/promtool.out" 2>&1
	ok $? "native: promtool check metrics accepts the scrape"
	e2e_show_log "$E2E_TMP/promtool.out"

	# The HTTP surface: /metrics is the text format, / a small HTML page linking it.
	code_http=$(ip netns exec "$NS_A" curl -s --max-time 5 -o /dev/null \
		-w '%{http_code} %{content_type}' "$URL/metrics")
	case $code_http in
	"200 text/plain"*) ok 0 "native: GET /metrics is 200 text/plain ($code_http)" ;;
	*) ok 1 "native: GET /metrics is 200 text/plain (got '$code_http')" ;;
	esac
	body=$E2E_TMP/index.html
	code_http=$(ip netns exec "$NS_A" curl -s --max-time 5 -o "$body" \
		-w '%{http_code} %{content_type}' "$URL/")
	case $code_http in
	"200 text/html"*) ok 0 "native: GET / is 200 text/html" ;;
	*) ok 1 "native: GET / is 200 text/html (got '$code_http')" ;;
	esac
	grep -q 'href="/metrics"' "$body"
	ok $? "native: GET / links /metrics"
	code_http=$(ip netns exec "$NS_A" curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
		-X POST --data x "$URL/metrics")
	[ "$code_http" -ge 400 ] 2>/dev/null
	ok $? "native: POST /metrics is refused (got HTTP $code_http)"
	code_http=$(ip netns exec "$NS_A" curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
		"$URL/no/such/page")
	check_eq 404 "$code_http" "native: an unknown path is 404"

	check_stopped native "$IF_A"
}

# ---- --port filter: 5080<->5080 and high ports are filtered, not responses ---------
test_port_filter() {
	local exp=$E2E_TMP/port.expect scrape=$E2E_TMP/port.prom

	start_exporter port -i "$IF_A" --mode native --port 5060
	ok $? "port: exporter with --port 5060 serves metrics"
	send_mix full "$exp" --filter-port 5060
	ok $? "port: the full mix was sent"
	e2e_wait_for_counts "$NS_A" "$URL/metrics" "$exp" "$scrape"
	e2e_check_expect "$exp" "$scrape" "port 5060"
	check_stopped port "$IF_A"
}

# ---- generic mode, with a --max-peers capacity -------------------------------------
test_generic() {
	local exp=$E2E_TMP/generic.expect scrape=$E2E_TMP/generic.prom

	start_exporter generic -i "$IF_A" --mode generic --max-peers 1024
	ok $? "generic: exporter serves metrics"
	check_eq xdpgeneric "$(e2e_xdp_mode "$NS_A" "$IF_A")" "generic: XDP attached to $IF_A in generic mode"
	send_mix short "$exp"
	ok $? "generic: the short mix was sent"
	e2e_wait_for_counts "$NS_A" "$URL/metrics" "$exp" "$scrape"
	e2e_check_expect "$exp" "$scrape" generic
	check_eq 1024 "$(e2e_metric_sum "$scrape" sip6xx_peers_capacity)" \
		"generic: peers_capacity follows --max-peers 1024"
	check_stopped generic INT "$IF_A"
}

# ---- a full per-source map: bounded, and the per-code totals stay exact ---------------
test_max_peers() {
	local exp=$E2E_TMP/many.expect scrape=$E2E_TMP/many.prom tracked series

	start_exporter maxpeers -i "$IF_A" --mode native --max-peers 8
	ok $? "max-peers: exporter with --max-peers 8 serves metrics"
	send_mix many "$exp"
	ok $? "max-peers: 607 from 20 responders sent"
	e2e_wait_for_counts "$NS_A" "$URL/metrics" "$exp" "$scrape"
	# responses_total and packets_total do not depend on the map: exact.
	grep -v -e '^sum ' -e 'sip6xx_global_failures_total' "$exp" >"$exp.bounded"
	e2e_check_expect "$exp.bounded" "$scrape" max-peers
	tracked=$(e2e_metric_sum "$scrape" sip6xx_peers_tracked)
	[ "$tracked" -ge 1 ] && [ "$tracked" -le 8 ]
	ok $? "max-peers: 1 <= peers_tracked <= 8 after 20 responders (got $tracked)"
	check_eq 8 "$(e2e_metric_sum "$scrape" sip6xx_peers_capacity)" "max-peers: peers_capacity is 8"
	series=$(grep -c '^sip6xx_global_failures_total{' "$scrape")
	# Each map entry has a series, and nothing else has: an evicted source is gone.
	check_eq "$tracked" "$series" "max-peers: a global_failures series per tracked peer"
	check_stopped max-peers "$IF_A"
}

# ---- auto mode on two interfaces: each counts its own frames ------------------------
test_auto_two_interfaces() {
	local exp1=$E2E_TMP/auto1.expect exp2=$E2E_TMP/auto2.expect scrape=$E2E_TMP/auto.prom

	# A second veth pair in the same two namespaces; frames are sent at L2,
	# so it needs no addresses.
	e2e_veth_pair "$NS_A" "$NS_B" "$IF_A2" "$IF_B2"
	ok $? "auto: second veth pair $IF_A2/$IF_B2 made and up"

	start_exporter auto -i "$IF_A" -i "$IF_A2" --mode auto
	ok $? "auto: exporter on $IF_A and $IF_A2 serves metrics"
	check_eq xdp "$(e2e_xdp_mode "$NS_A" "$IF_A")" "auto: veth supports native XDP, so $IF_A is native"
	check_eq xdp "$(e2e_xdp_mode "$NS_A" "$IF_A2")" "auto: $IF_A2 is native too"
	! grep -qi warn "$E2E_EXP_ERR"
	ok $? "auto: no fallback warning where native works"

	send_mix short "$exp1"
	ok $? "auto: short mix sent on $IF_B"
	send_mix full "$exp2" "$IF_B2" "$IF_A2"
	ok $? "auto: full mix sent on $IF_B2"
	e2e_wait_for_counts "$NS_A" "$URL/metrics" "$exp1" "$scrape"
	e2e_wait_for_counts "$NS_A" "$URL/metrics" "$exp2" "$scrape"
	# Each expectation file names its own interface; the peers gauge is
	# checked as the sum of both below, so drop the per-file sums.
	grep -v '^sum ' "$exp1" >"$exp1.ifc"
	grep -v '^sum ' "$exp2" >"$exp2.ifc"
	e2e_check_expect "$exp1.ifc" "$scrape" "auto $IF_A"
	e2e_check_expect "$exp2.ifc" "$scrape" "auto $IF_A2"
	check_eq $(($(awk '$1 == "sum" { print $3 }' "$exp1") + $(awk '$1 == "sum" { print $3 }' "$exp2"))) \
		"$(e2e_metric_sum "$scrape" sip6xx_peers_tracked)" \
		"auto: peers_tracked sums both interfaces' (source, code) pairs"
	check_stopped auto "$IF_A" "$IF_A2"
}

# ---- SIGTERM with a scrape in flight --------------------------------------------
# partial_scrape READY GO OUT: from NS_A, connect and send a request's first
# header line only; touch READY; once GO exists (bounded: 5 s) finish the
# request and read the answer to its end. OUT gets "STATUS complete" when a
# whole response (Content-Length bytes) came, else "STATUS short" or "none".
partial_scrape() {
	timeout 15 ip netns exec "$NS_A" "$E2E_PYTHON" - "$LISTEN" "$@" <<-'PY'
		import os, socket, sys, time
		listen, ready, go, out = sys.argv[1:5]
		host, port = listen.rsplit(":", 1)
		s = socket.create_connection((host, int(port)), timeout=5)
		s.sendall(b"GET /metrics HTTP/1.1\r\nHost: sip6xx\r\n")
		open(ready, "w").close()
		for _ in range(50):
		    if os.path.exists(go):
		        break
		    time.sleep(0.1)
		data = b""
		try:
		    s.sendall(b"Connection: close\r\n\r\n")
		    while True:
		        chunk = s.recv(65536)
		        if not chunk:
		            break
		        data += chunk
		except OSError:
		    pass
		head, _, body = data.partition(b"\r\n\r\n")
		lines = head.decode("latin-1").split("\r\n")
		status = lines[0].split(" ")[1] if lines[0].startswith("HTTP/") else "none"
		length = [int(l.split(":")[1]) for l in lines if l.lower().startswith("content-length:")]
		whole = length and len(body) == length[0] and b"sip6xx_exporter_build_info" in body
		with open(out, "w") as fh:
		    fh.write("%s %s\n" % (status, "complete" if whole else "short"))
	PY
}

test_stop_drain() {
	local t=$E2E_TMP/drain pid t0 t1

	start_exporter drain -i "$IF_A" --alert-codes none
	ok $? "drain: exporter serves metrics"
	partial_scrape "$t.ready" "$t.go" "$t.out" &
	pid=$!
	e2e_track_pid "$pid"
	e2e_poll 5 test -e "$t.ready"
	ok $? "drain: a scrape has sent half its request"
	kill -TERM "$E2E_EXP_PID"
	sleep 0.5
	kill -0 "$E2E_EXP_PID" 2>/dev/null
	ok $? "drain: 0.5 s after SIGTERM the exporter still runs, for the scrape in flight"
	ip netns exec "$NS_A" curl -s -o /dev/null --max-time 1 "$URL/metrics"
	ok $((!$?)) "drain: ... while a new connection is refused"
	touch "$t.go"
	e2e_reap "$pid" 10
	check_eq "200 complete" "$(cat "$t.out" 2>/dev/null)" \
		"drain: the scrape in flight gets its whole response after SIGTERM"
	e2e_reap "$E2E_EXP_PID" 5
	check_eq 0 "$E2E_STATUS" "drain: then the exporter exits with status 0"

	# A client that never finishes holds the stop up 2 s, no longer.
	start_exporter drain-bounded -i "$IF_A" --alert-codes none
	ok $? "drain: exporter serves metrics again"
	rm -f "$t.ready" "$t.go"
	partial_scrape "$t.ready" "$t.go" "$t.out" &
	pid=$!
	e2e_track_pid "$pid"
	e2e_poll 5 test -e "$t.ready"
	t0=$(date +%s%N)
	kill -TERM "$E2E_EXP_PID"
	e2e_reap "$E2E_EXP_PID" 5
	t1=$(date +%s%N)
	check_eq 0 "$E2E_STATUS" "drain: with a scrape that never finishes it still exits with status 0"
	[ $(((t1 - t0) / 1000000)) -ge 1900 ] && [ $(((t1 - t0) / 1000000)) -lt 6000 ]
	ok $? "drain: ... about 2 s after SIGTERM ($(((t1 - t0) / 1000000)) ms)"
	grep -q "warning: stopping after 2000 ms with 1 HTTP connections still open" "$E2E_EXP_ERR"
	ok $? "drain: ... and says it cut one connection short"
	e2e_reap "$pid" 10

	# A connection kept alive between scrapes, as Prometheus keeps one, has
	# nothing in flight: it does not hold the stop up, nor earn a warning.
	start_exporter drain-idle -i "$IF_A" --alert-codes none
	ok $? "drain: exporter serves metrics a third time"
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$NS_A" bash -c 'exec 3<>/dev/tcp/${1%:*}/${1#*:} &&
		printf "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n" >&3 && sleep 8' _ "$LISTEN" &
	pid=$!
	e2e_track_pid "$pid"
	sleep 1 # the response is sent whole: the connection now waits, kept alive
	t0=$(date +%s%N)
	kill -TERM "$E2E_EXP_PID"
	e2e_reap "$E2E_EXP_PID" 5
	t1=$(date +%s%N)
	check_eq 0 "$E2E_STATUS" "drain: with a kept-alive idle connection it exits with status 0"
	[ $(((t1 - t0) / 1000000)) -lt 1500 ]
	ok $? "drain: ... without waiting out the 2 s bound ($(((t1 - t0) / 1000000)) ms)"
	! grep -q "still open" "$E2E_EXP_ERR"
	ok $? "drain: ... and without a warning about open connections"
	kill "$pid" 2>/dev/null
	e2e_reap "$pid" 5
}

test_native_full
test_port_filter
test_generic
test_max_peers
test_auto_two_interfaces
test_stop_drain

e2e_cleanup
tap_done
