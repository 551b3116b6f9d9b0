#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: --pin-path. Traffic is sent before, during and after a restart
# of the exporter (and while it is stopped); the final totals are exactly what
# was sent, and every counter stays monotonic across every scrape taken in the
# background meanwhile. Also: what is left while the exporter is down (pins,
# the XDP link, the TC filter), a restart with another --max-peers, a pinned
# contract of another version, --detach, and one exporter per pin directory.
#
# Pins go to a private bpffs mounted in the root namespace outside /sys:
# `ip netns exec` remounts /sys, so a bpffs at /sys/fs/bpf would not be
# shared between two runs of it; this mount is, and it is removed on exit.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh
source tests/e2e/stream_lib.sh

NS_A=sip6xx-pin-a-$$
NS_B=sip6xx-pin-b-$$
IF_A=vethA
IF_B=vethB
LISTEN=127.0.0.1:19061
URL=http://$LISTEN
PIN=/run/sip6xx-test.$$
PIN_DIR=$PIN/$IF_A
PIN_FILES="resp_codes peers pkt_stats peer_stats contract xdp_stages tc_stages xdp_link"
# Alerting stays on, with a floor the test traffic never reaches (at most
# 25 607s a second): a restart that took the pinned counts for a spike would
# print an alert on stdout.
ALERT_ARGS=(--alert-min-rate 50)

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_bpffs
e2e_require_scapy
e2e_require_exporter "$EXPORTER"
e2e_require_tool bpftool

trap e2e_cleanup_pin EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
e2e_tmpdir

e2e_mount_pin "$PIN" || e2e_die "cannot mount a bpffs on $PIN"

# start_exporter NAME ARGS...: run the exporter in NS_A; 0 once HTTP answers.
start_exporter() {
	local name=$1
	shift
	e2e_start_exporter "$name" "$NS_A" "$URL/metrics" "$EXPORTER" "$@" --listen "$LISTEN"
}

# run_once NAME ARGS...: the exporter in the foreground (bounded: 10 s);
# status in E2E_STATUS, stderr in E2E_EXP_ERR.
run_once() {
	local name=$1
	shift
	e2e_run_exporter "$name" "$NS_A" 10 "$EXPORTER" "$@"
}

pins_present() { # pins_present: every pinned file is there
	local f
	for f in $PIN_FILES; do
		[ -e "$PIN_DIR/$f" ] || return 1
	done
}

# xdp_prog_on: the id of the XDP program on IF_A, or "none".
xdp_prog_on() {
	ip -n "$NS_A" -j -d link show dev "$IF_A" 2>/dev/null | "$E2E_PYTHON" -c 'import json, sys
try:
    print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])
except Exception:
    print("none")'
}

# pinned_link FIELD: type, id or prog_id of the pinned XDP link, or "none".
# (bpftool 7.1 does not print an XDP link's ifindex: the link is tied to IF_A
# through the program id that ip link shows there.)
pinned_link() {
	bpftool -j link show pinned "$PIN_DIR/xdp_link" 2>/dev/null |
		"$E2E_PYTHON" -c 'import json, sys
try:
    print(json.load(sys.stdin).get(sys.argv[1], "none"))
except Exception:
    print("none")' "$1"
}

# link_exists ID: bpftool still knows the bpf_link ID.
link_exists() {
	bpftool link show id "$1" >/dev/null 2>&1
}

# ---- the background scraper: every 200 ms, bounded (900 tries) ----------------
SCRAPES=""
SCRAPER_PID=""
scraper_start() {
	SCRAPES=$E2E_TMP/scrapes
	mkdir -p "$SCRAPES"
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$NS_A" bash -c '
		dir=$1 url=$2 i=0
		while [ ! -e "$dir/stop" ] && [ "$i" -lt 900 ]; do
			i=$((i + 1))
			if curl -sf --max-time 1 -o "$dir/tmp" "$url"; then
				mv "$dir/tmp" "$dir/$(printf %05d "$i").prom"
			else
				echo "$i" >>"$dir/failed"
			fi
			sleep 0.2
		done' scraper "$SCRAPES" "$URL/metrics" &
	SCRAPER_PID=$!
	e2e_track_pid "$SCRAPER_PID"
}

scraper_stop() {
	touch "$SCRAPES/stop"
	e2e_reap "$SCRAPER_PID" 5
}

scrape_count() {
	find "$SCRAPES" -name '*.prom' | wc -l
}

# monotonic FILES...: every counter sample is >= its value in the scrape
# before, and none vanishes; prints one line per violation. The exporter's
# own sip6xx_alerts_total and the call context's counters (rejections,
# retransmissions, Reason causes, calls rejected, 608s without jwscard,
# samples decoded, transactions evicted, unparsed samples) live in the
# process, not in a map, so they start over with the process (Prometheus
# reads that as a counter reset); they are not counters the pins carry. The
# kernel's context drops (rate, buffer_full, truncated) are, in ctx_drops.
monotonic() {
	awk '
	function finish(    k) {
		if (curname == "")
			return
		if (have_prev)
			for (k in prev) {
				if (!(k in cur)) {
					print curname ": " k " vanished (was " prev[k] ")"
				} else if (cur[k] + 0 < prev[k] + 0) {
					print curname ": " k " went from " prev[k] " to " cur[k]
				}
			}
		delete prev
		for (k in cur)
			prev[k] = cur[k]
		delete cur
		have_prev = 1
	}
	FNR == 1 { finish(); curname = FILENAME }
	$1 == "#" && $2 == "TYPE" && $4 == "counter" && $3 !~ local { ctr[$3] = 1 }
	/^#/ { next }
	/^sip6xx_context_dropped_total\{.*reason="unparsed"/ { next }
	{
		name = $1
		sub(/\{.*/, "", name)
		if (name in ctr)
			cur[$1] = $2
	}
	END { finish() }
	' local='^sip6xx_(alerts|rejections|retransmissions|reason|calls_rejected|608_missing_call_info|context_samples|transactions_evicted)_total$' "$@"
}

e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"

# ---- before, during and after a restart -----------------------------------------
test_restart() {
	local before=$E2E_TMP/before.counts during=$E2E_TMP/during.counts after=$E2E_TMP/after.counts
	local scrape=$E2E_TMP/restart.prom expect=$E2E_TMP/restart.expect started=$E2E_TMP/started
	local sender n_first link1 prog1 link2 prog2 f missing viol out1 err2 out2

	start_exporter first -i "$IF_A" --pin-path "$PIN" "${ALERT_ARGS[@]}"
	ok $? "restart: exporter with --pin-path $PIN serves metrics"
	out1=$E2E_EXP_OUT
	pins_present
	ok $? "restart: $PIN_FILES pinned in $PIN_DIR while running"
	check_eq xdp "$(pinned_link type)" "restart: the pinned xdp_link is an XDP link"
	link1=$(pinned_link id)
	prog1=$(pinned_link prog_id)

	scraper_start

	# Before: 30 rounds, 3 s.
	stream_send "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$before" 30 0.1
	ok $? "restart: $(stream_total "$before") frames sent before the stop"
	stream_expect "$IF_A" rx "$before" >"$expect"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$expect"
	stream_check "$expect" "$scrape" "restart, before the stop"

	# During: a sender that runs across the stop and the start (50 rounds, 4 s).
	stream_send_bg "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$during" 50 0.08 --started-file "$started"
	sender=$STREAM_PID
	e2e_poll 5 test -e "$started"
	sleep 0.5
	kill -0 "$sender" 2>/dev/null
	ok $? "restart: the sender is running when the exporter is stopped"
	n_first=$(scrape_count)
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "restart: SIGTERM with --pin-path stops the exporter with exit status 0"
	grep -q "$IF_A: left attached and pinned in $PIN_DIR" "$E2E_EXP_ERR"
	ok $? "restart: stderr says $IF_A is left attached and pinned"

	# Down: everything that keeps counting is still there.
	missing=""
	for f in $PIN_FILES; do
		[ -e "$PIN_DIR/$f" ] || missing="$missing $f"
	done
	check_eq "" "$missing" "restart: every pinned file is there while the exporter is down"
	check_eq xdp "$(pinned_link type)" "restart: bpftool link show pinned $PIN_DIR/xdp_link: an XDP link while down"
	link_exists "$link1"
	ok $? "restart: bpftool link show id $link1 finds the link while down"
	check_eq "$prog1" "$(xdp_prog_on)" "restart: ip link shows the pinned link's program (id $prog1) on $IF_A while down"
	sleep 1

	# Back, with another --max-peers: the pinned capacity stays.
	start_exporter second -i "$IF_A" --pin-path "$PIN" --max-peers 4096 "${ALERT_ARGS[@]}"
	ok $? "restart: the restarted exporter serves metrics"
	kill -0 "$sender" 2>/dev/null
	ok $? "restart: the sender is still running when the exporter is back"
	err2=$E2E_EXP_ERR
	out2=$E2E_EXP_OUT
	grep -q "warning: $IF_A: keeping the pinned peers map's capacity 65536" "$err2"
	ok $? "restart: --max-peers 4096 over pinned maps warns that the pinned capacity 65536 stays"
	link2=$(pinned_link id)
	prog2=$(pinned_link prog_id)
	check_eq "$link1" "$link2" "restart: the same pinned XDP link (id $link1) is reused"
	[ -n "$prog2" ] && [ "$prog2" != none ] && [ "$prog2" != "$prog1" ]
	ok $? "restart: the pinned link now runs the new program (prog $prog1 -> $prog2)"
	check_eq "$prog2" "$(xdp_prog_on)" "restart: ip link shows the new program on $IF_A"

	e2e_reap "$sender" 30
	check_eq 0 "$E2E_STATUS" "restart: the sender across the stop and start finished cleanly"
	ok 0 "restart: $(stream_total "$during") frames sent across the stop and the start"

	# After: 20 more rounds.
	stream_send "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$after" 20 0.1
	ok $? "restart: $(stream_total "$after") frames sent after the restart"

	stream_expect "$IF_A" rx "$before" "$during" "$after" >"$expect"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$expect"
	sleep 0.5
	scraper_stop
	e2e_scrape "$NS_A" "$URL/metrics" "$scrape"
	stream_check "$expect" "$scrape" "restart, final totals (exact)"
	check_eq "" "$(stream_dups "$scrape" | tr '\n' ' ')" "restart: no series appears twice in the final scrape"
	check_eq 65536 "$(e2e_metric "$scrape" "sip6xx_peers_capacity{interface=\"$IF_A\"}")" \
		"restart: peers_capacity is still the pinned 65536"
	check_eq 0 "$(e2e_metric0 "$scrape" "sip6xx_peers_evicted_total{interface=\"$IF_A\"}")" \
		"restart: nothing evicted"

	# Every counter in every scrape, in order.
	[ "$n_first" -ge 5 ] && [ "$(($(scrape_count) - n_first))" -ge 5 ]
	ok $? "restart: scrapes recorded before the stop ($n_first) and after the start ($(($(scrape_count) - n_first)))"
	viol=$(monotonic "$SCRAPES"/*.prom)
	check_eq "" "$viol" "restart: every counter is monotonic across all $(scrape_count) scrapes"
	[ -s "$SCRAPES/failed" ]
	ok $? "restart: the scraper saw the exporter down ($(wc -l <"$SCRAPES/failed" 2>/dev/null || echo 0) failed scrapes)"

	[ ! -s "$out1" ] && [ ! -s "$out2" ]
	ok $? "restart: no alert on stdout, before or after the restart (pinned counts are no spike)"
	e2e_show_log "$out2"

	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "restart: the second exporter stops with exit status 0"
	pins_present
	ok $? "restart: the pins stay after the second stop"
}

# ---- a pinned contract of another version is refused ------------------------------
test_contract() {
	local errors line

	# struct sip6xx_contract { __u32 version; __u32 pad; }: version 99, little-endian.
	bpftool map update pinned "$PIN_DIR/contract" key 0 0 0 0 value 99 0 0 0 0 0 0 0
	ok $? "contract: the pinned contract map rewritten to version 99 with bpftool"
	run_once contract -i "$IF_A" --pin-path "$PIN" --listen "$LISTEN"
	check_eq 1 "$E2E_STATUS" "contract: the exporter refuses maps of another contract version with exit status 1"
	errors=$(grep -c ': error: ' "$E2E_EXP_ERR")
	check_eq 1 "$errors" "contract: exactly one error line"
	line=$(grep ': error: ' "$E2E_EXP_ERR")
	case $line in
	*"$IF_A"*"$PIN_DIR"*"version 99"*"--detach -i $IF_A"*) ok 0 "contract: the error names $IF_A, $PIN_DIR, version 99 and --detach" ;;
	*) ok 1 "contract: the error names $IF_A, $PIN_DIR, version 99 and --detach (got '$line')" ;;
	esac
	pins_present
	ok $? "contract: the refused run left the pins alone"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $? "contract: the refused run left the pinned program attached"
}

# ---- one exporter per pin directory: a second one, or --detach, is refused ---------
test_lock() {
	local pid err prog

	start_exporter lock -i "$IF_A" --pin-path "$PIN" "${ALERT_ARGS[@]}"
	ok $? "lock: exporter with --pin-path serves metrics"
	pid=$E2E_EXP_PID
	err=$E2E_EXP_ERR
	prog=$(xdp_prog_on)
	run_once lock-second -i "$IF_A" --pin-path "$PIN" --listen 127.0.0.1:19062 "${ALERT_ARGS[@]}"
	check_eq 1 "$E2E_STATUS" "lock: a second exporter on the same --pin-path exits 1"
	grep -q "error: $IF_A: the pins in $PIN_DIR are in use by another sip6xx_exporter (PID $pid)" \
		"$E2E_EXP_ERR"
	ok $? "lock: ... naming $PIN_DIR and the first one's PID ($pid)"
	grep -q "PID $pid" "$E2E_EXP_ERR" || e2e_show_log "$E2E_EXP_ERR"
	check_eq "$prog" "$(xdp_prog_on)" "lock: the first exporter's program is still the one on $IF_A"

	run_once lock-detach --detach -i "$IF_A" --pin-path "$PIN"
	check_eq 1 "$E2E_STATUS" "lock: --detach while the exporter runs exits 1"
	grep -q "error: $IF_A: the pins in $PIN_DIR belong to a running sip6xx_exporter (PID $pid); stop it" \
		"$E2E_EXP_ERR"
	ok $? "lock: ... naming the running exporter's PID ($pid)"
	grep -q "PID $pid" "$E2E_EXP_ERR" || e2e_show_log "$E2E_EXP_ERR"
	pins_present
	ok $? "lock: the refused --detach left every pin"
	check_eq "$prog" "$(xdp_prog_on)" "lock: ... and the program on $IF_A"

	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "lock: SIGTERM stops the first exporter with exit status 0"
	grep -q "$IF_A: left attached and pinned in $PIN_DIR" "$err" && pins_present &&
		[ "$(xdp_prog_on)" = "$prog" ]
	ok $? "lock: it says it left $IF_A attached and pinned, and it is"
	start_exporter lock-after -i "$IF_A" --pin-path "$PIN" "${ALERT_ARGS[@]}"
	ok $? "lock: once it stopped, the next exporter takes the pins"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "lock: ... and stops with exit status 0"
	run_once lock-detach-after --detach -i "$IF_A" --pin-path "$PIN"
	check_eq 0 "$E2E_STATUS" "lock: with no exporter left, --detach exits 0"
	[ ! -e "$PIN_DIR" ]
	ok $? "lock: ... and $PIN_DIR is gone"
}

# ---- --detach: pins, the XDP link and the TC filter go ----------------------------
test_detach() {
	local link

	link=$(pinned_link id)
	run_once detach --detach -i "$IF_A" --pin-path "$PIN"
	check_eq 0 "$E2E_STATUS" "detach: --detach -i $IF_A --pin-path $PIN exits 0"
	! grep -qE ': (warning|error): ' "$E2E_EXP_ERR"
	ok $? "detach: no warning or error on stderr"
	e2e_show_log "$E2E_EXP_ERR"
	[ ! -e "$PIN_DIR" ]
	ok $? "detach: $PIN_DIR is gone"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $((!$?)) "detach: no XDP program left on $IF_A"
	! link_exists "$link"
	ok $? "detach: the XDP link ($link) is gone (bpftool link show id)"

	# --direction both: the TC egress filter stays while down, and --detach removes it.
	start_exporter both -i "$IF_A" --pin-path "$PIN" --direction both "${ALERT_ARGS[@]}"
	ok $? "detach: exporter with --direction both --pin-path serves metrics"
	check_eq 1 "$(e2e_tc_filters "$NS_A" "$IF_A")" "detach: one sip6xx_tc egress filter on $IF_A while running"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "detach: SIGTERM stops it with exit status 0"
	check_eq 1 "$(e2e_tc_filters "$NS_A" "$IF_A")" "detach: the egress filter stays while the exporter is down"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $? "detach: XDP stays on $IF_A while the exporter is down"
	start_exporter both-again -i "$IF_A" --pin-path "$PIN" --direction both "${ALERT_ARGS[@]}"
	ok $? "detach: restarted with --direction both"
	check_eq 1 "$(e2e_tc_filters "$NS_A" "$IF_A")" "detach: a restart replaces the egress filter instead of adding one"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "detach: SIGTERM stops it again with exit status 0"
	link=$(pinned_link id)

	run_once detach-both --detach -i "$IF_A" --pin-path "$PIN"
	check_eq 0 "$E2E_STATUS" "detach: --detach after --direction both exits 0"
	e2e_show_log "$E2E_EXP_ERR"
	! grep -qE ': (warning|error): ' "$E2E_EXP_ERR"
	ok $? "detach: no warning or error on stderr"
	check_eq 0 "$(e2e_tc_filters "$NS_A" "$IF_A")" "detach: the egress filter is gone"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $((!$?)) "detach: no XDP program left on $IF_A"
	! link_exists "$link"
	ok $? "detach: the XDP link ($link) is gone (bpftool link show id)"
	[ ! -e "$PIN_DIR" ]
	ok $? "detach: $PIN_DIR is gone"

	run_once detach-again --detach -i "$IF_A" --pin-path "$PIN"
	check_eq 0 "$E2E_STATUS" "detach: --detach with nothing pinned exits 0"
	run_once detach-usage --detach -i "$IF_A"
	check_eq 2 "$E2E_STATUS" "detach: --detach without --pin-path is bad usage (exit 2)"
	grep -q -- '--pin-path' "$E2E_EXP_ERR"
	ok $? "detach: ... and the message names --pin-path"
	run_once pin-relative -i "$IF_A" --pin-path relative/dir
	check_eq 2 "$E2E_STATUS" "pin-path: a relative --pin-path is bad usage (exit 2)"
}

# ---- the interface is deleted and made again while the exporter is down -------------
test_recreated_while_down() {
	local c1=$E2E_TMP/recreate-1.counts c2=$E2E_TMP/recreate-2.counts
	local scrape=$E2E_TMP/recreate.prom expect=$E2E_TMP/recreate.expect link1 link2

	start_exporter recreate -i "$IF_A" --pin-path "$PIN" --alert-codes none
	ok $? "recreate: exporter with --pin-path serves metrics"
	stream_send "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$c1" 3 0.02
	ok $? "recreate: $(stream_total "$c1") frames sent"
	stream_expect "$IF_A" rx "$c1" >"$expect"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$expect"
	stream_check "$expect" "$scrape" "recreate, first run"
	link1=$(pinned_link id)
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "recreate: SIGTERM stops it with exit status 0"

	ip -n "$NS_A" link del "$IF_A" && e2e_veth_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
	ok $? "recreate: $IF_A/$IF_B deleted and made again while the exporter is down"

	start_exporter recreate-again -i "$IF_A" --pin-path "$PIN" --alert-codes none
	ok $? "recreate: the restarted exporter serves metrics on the new $IF_A"
	! grep -qE ': error: ' "$E2E_EXP_ERR"
	ok $? "recreate: no error logged"
	e2e_show_log "$E2E_EXP_ERR"
	link2=$(pinned_link id)
	[ "$link2" != none ] && [ "$link2" != "$link1" ]
	ok $? "recreate: a new XDP link is pinned in place of the dead one ($link1 -> $link2)"
	check_eq "$(pinned_link prog_id)" "$(xdp_prog_on)" "recreate: the new $IF_A runs the pinned link's program"
	stream_send "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$c2" 2 0.02
	ok $? "recreate: $(stream_total "$c2") frames sent into the new $IF_A"
	stream_expect "$IF_A" rx "$c1" "$c2" >"$expect"
	stream_wait "$NS_A" "$URL/metrics" "$scrape" "$expect"
	stream_check "$expect" "$scrape" "recreate, counters continue from the pinned maps"
	check_eq "" "$(stream_dups "$scrape" | tr '\n' ' ')" "recreate: no series appears twice in the scrape"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "recreate: SIGTERM stops it with exit status 0"
	run_once recreate-detach --detach -i "$IF_A" --pin-path "$PIN"
	check_eq 0 "$E2E_STATUS" "recreate: --detach exits 0"
	[ ! -e "$PIN_DIR" ]
	ok $? "recreate: $PIN_DIR is gone"
}

# ---- a --pin-path outside bpffs is refused --------------------------------------
test_not_bpffs() {
	run_once not-bpffs -i "$IF_A" --pin-path "$E2E_TMP/plain" --listen "$LISTEN"
	check_eq 1 "$E2E_STATUS" "pin-path: a directory that is not on bpffs is refused with exit status 1"
	grep -q "is not on a bpffs" "$E2E_EXP_ERR"
	ok $? "pin-path: ... and the message says it is not on a bpffs"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $((!$?)) "pin-path: ... and nothing is attached"
}

# ---- no bpffs on /sys/fs/bpf: the exporter mounts one --------------------------------
# `ip netns exec` mounts a fresh sysfs on /sys in a mount namespace of its
# own, so /sys/fs/bpf there is an empty directory: the exporter mounts a
# bpffs on it, in that namespace only (it goes away with the process, and the
# host's /sys/fs/bpf is not touched).
test_mounts_bpffs() {
	local dir=/sys/fs/bpf/sip6xx-test-$$ f missing=""

	start_exporter mount -i "$IF_A" --pin-path "$dir" --alert-codes none
	ok $? "mount: exporter with --pin-path $dir serves metrics where /sys/fs/bpf is no bpffs"
	grep -q "info: mounted bpffs on /sys/fs/bpf" "$E2E_EXP_ERR"
	ok $? "mount: stderr says it mounted bpffs on /sys/fs/bpf"
	for f in $PIN_FILES; do
		[ -e "/proc/$E2E_EXP_PID/root$dir/$IF_A/$f" ] || missing="$missing $f"
	done
	check_eq "" "$missing" "mount: the pins are in $dir/$IF_A, in the exporter's mount namespace"
	[ ! -e "$dir" ]
	ok $? "mount: the host's /sys/fs/bpf is untouched"
	e2e_stop_exporter
	check_eq 0 "$E2E_STATUS" "mount: SIGTERM stops it with exit status 0"
}

test_restart
test_contract
test_detach
test_lock
test_recreated_while_down
test_not_bpffs
test_mounts_bpffs

e2e_cleanup_pin
tap_done
