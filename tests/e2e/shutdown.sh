#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: the exporter's stop while Alertmanager has not yet heard an
# alert resolved. The exporter runs in namespace A with an Alertmanager URL
# whose listener (on A's loopback) accepts connections and never answers;
# namespace B sends a burst of 607 so the alert fires. Two runs:
#   1. one SIGTERM: the drain waits for the POST its full time (DRAIN_MS, 2 s)
#      and says so: this setup really keeps the drain busy.
#   2. SIGTERM, then a second SIGTERM during the drain: the exporter stops at
#      once, with one line saying the drain was cut, and still detaches.
# The 5 s bounds are the test's safety timeouts, not speed assertions.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

NS_A=sip6xx-stop-a-$$
NS_B=sip6xx-stop-b-$$
IF_A=vethA
IF_B=vethB
LISTEN=127.0.0.1:19280
URL=http://$LISTEN
SILENT_PORT=19281
SPIKE_FRAMES=200
SPIKE_SOURCES=198.18.0.3,198.18.0.4

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_scapy
e2e_require_exporter "$EXPORTER"
trap e2e_cleanup EXIT
e2e_tmpdir

# start_silent: a listener on NS_A's 127.0.0.1:SILENT_PORT that accepts
# every connection, reads nothing, answers nothing; gone after 60 s at most.
start_silent() {
	ip netns exec "$NS_A" "$E2E_PYTHON" -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
s.settimeout(1)
held, end = [], time.monotonic() + 60
while time.monotonic() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
' "$SILENT_PORT" &
	e2e_track_pid $!
	e2e_poll 5 silent_listens
}

silent_listens() {
	ip netns exec "$NS_A" ss -Hntl "sport = :$SILENT_PORT" | grep -q .
}

# fire NAME: the exporter in NS_A posting to the silent listener, a burst
# from NS_B, and 0 once its firing line for 607 is on stdout.
fire() {
	e2e_start_exporter "$1" "$NS_A" "$URL/metrics" "$EXPORTER" -i "$IF_A" --mode native \
		--listen "$LISTEN" --alert-codes 607 --alert-resolve 60s \
		--alertmanager-url "http://127.0.0.1:$SILENT_PORT" || return 1
	# The first full window seeds the baseline (tests/e2e/alerting.sh, run 3).
	sleep 1.5
	e2e_send_spike "$NS_B" "$IF_B" "$NS_A" "$IF_A" --spike "$SPIKE_FRAMES" \
		--spike-sources "$SPIKE_SOURCES" >/dev/null &&
		e2e_wait_grep "$E2E_EXP_OUT" '"state": *"firing"' 5
}

# stopping: the exporter logged that the first signal is stopping it.
stopping() {
	e2e_wait_grep "$E2E_EXP_ERR" 'received: stopping' 5
}

e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
start_silent
ok $? "a listener on 127.0.0.1:$SILENT_PORT in $NS_A that never answers"

# ---- 1. one SIGTERM: the drain waits for Alertmanager ------------------------------
fire one
ok $? "one: the 607 alert fires, its POST held by the silent listener"
kill -TERM "$E2E_EXP_PID"
e2e_reap "$E2E_EXP_PID" 5
check_eq 0 "$E2E_STATUS" "one: SIGTERM stops the exporter with exit status 0"
grep -q 'stopping after [0-9]* ms .* an Alertmanager POST unsent' "$E2E_EXP_ERR"
rc=$?
ok $rc "one: the drain waited its full time for the POST, and says so"
[ $rc -eq 0 ] || e2e_show_log "$E2E_EXP_ERR" 10

# ---- 2. a second SIGTERM cuts the drain ------------------------------------------
fire two
ok $? "two: the 607 alert fires again"
kill -TERM "$E2E_EXP_PID"
stopping
ok $? "two: the first SIGTERM starts the stop"
kill -TERM "$E2E_EXP_PID"
e2e_reap "$E2E_EXP_PID" 5
check_eq 0 "$E2E_STATUS" "two: a second SIGTERM during the drain: exit status 0 within 5 s"
n=$(grep -c 'received again: stopping now' "$E2E_EXP_ERR")
check_eq 1 "$n" "two: one line says the second signal cut the drain"
! grep -q 'stopping after [0-9]* ms' "$E2E_EXP_ERR"
ok $? "two: the drain did not run to its end"
[ "$n" = 1 ] || e2e_show_log "$E2E_EXP_ERR" 10
grep 'received again' "$E2E_EXP_ERR" | sed 's/^/# /'
check_eq none "$(e2e_xdp_mode "$NS_A" "$IF_A")" "two: the XDP program is detached all the same"

e2e_cleanup
tap_done
