#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: sip6xx-top, the live terminal view, in a detached tmux terminal
# of 120x40. The exporter runs in namespace A with --pin-path on a private
# bpffs mounted in the root namespace (ip netns exec remounts /sys, so
# /sys/fs/bpf would not be shared between namespaces); namespace B sends 607
# from 198.18.0.2, 608 from 2001:db8::2 and 200 OK, steadily. sip6xx-top reads
# the pinned maps from the root namespace (bpffs descriptors ignore network
# namespaces), then scrapes /metrics from inside A with --url. On the screen:
# non-zero 607/608 rates, the ratio, both responders, the sort keys reordering
# them, the alert, the sparkline (Unicode, then ASCII), and q ending it with
# status 0. Plus the command line's errors.
# Calls, not packets (issue 18): the live exporter runs with --callers 3, so
# the scrape shows rejections, retransmissions and the top callers, while the
# pinned maps show "-" and why; an exporter with --context-rate 0 shows "-"
# and why, naming the -i interface, or saying the scrape has none such. Then real `sip6xx_exporter --replay` texts, served from A's
# loopback: a generated capture with 603/607/608, retransmissions, callers and
# jwscard intermediaries, and a public capture of ../shared/pcaps; every
# rejection, retransmission, ratio and caller sip6xx-top prints equals the
# served scrape's, and the callers block shows only when --callers was on;
# with more callers than its rows, "(every other)" holds all the rest.
# About 30 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

TOP=$BUILD/sip6xx-top
NS_A=sip6xx-top-a-$$
NS_B=sip6xx-top-b-$$
IF_A=vethA
IF_B=vethB
LISTEN=127.0.0.1:19220
SERVE=127.0.0.1:19221
SHARED_CAPTURE=../shared/pcaps/sipnab/SIP_DTMF2.cap
PIN=/run/sip6xx-top.$$
SRC607=198.18.0.2
SRC608=2001:db8::2
RATE607=20
RATE608=10
RATE200=30
TRAFFIC_SECS=30
LIST_ROWS=5 # rows of the callers block before "(every other)" (top_view.c)
# Every tmux and grep below reads and writes UTF-8.
export LC_ALL=C.UTF-8

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_bpffs
e2e_require_exporter "$EXPORTER"
[ -x "$TOP" ] || e2e_die "$TOP is missing: build it first (make all)"
e2e_require_tool tmux
e2e_require_scapy

tmx() { # tmx ARGS...: tmux on this test's own server (socket in E2E_TMP), never the user's
	tmux -S "$E2E_TMP/tmux.sock" "$@"
}

cleanup() {
	[ -n "$E2E_TMP" ] && tmx kill-server 2>/dev/null
	e2e_cleanup
	if mountpoint -q "$PIN"; then
		umount "$PIN"
	fi
	[ -d "$PIN" ] && rmdir "$PIN"
}
trap cleanup EXIT
e2e_tmpdir

show_log() { # show_log FILE: quoted into the TAP stream as comments
	[ -s "$1" ] && sed 's/^/# | /' "$1"
}

# start_top NAME ARGS...: ARGS in a new detached 120x40 tmux session NAME; when
# the command ends, its exit status lands in $E2E_TMP/NAME.status.
start_top() {
	local name=$1
	shift
	rm -f "$E2E_TMP/$name.status"
	tmx -f "$E2E_TMP/tmux.conf" new-session -d -s "$name" -x 120 -y 40 \
		"$(printf '%q ' "$@") 2>$E2E_TMP/$name.stderr; echo \$? >$E2E_TMP/$name.status"
}

screen() { # screen NAME: the pane's text, also kept in $E2E_TMP/NAME.screen
	tmx capture-pane -p -t "$1" | tee "$E2E_TMP/$1.screen"
}

# wait_screen NAME AWK_CONDITION SECONDS: capture until the awk program (run
# over the screen, it must exit 0 on a match) says so; 1 on timeout.
wait_screen() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		screen "$1" | awk "$2" && return 0
		sleep 0.1
	done
	return 1
}

code_rate() { # code_rate NAME CODE: the RATE/s column of a one-word-named code's row
	awk -v c="$2" '$1 == c && $2 ~ /^[A-Z]/ { print $3; exit }' "$E2E_TMP/$1.screen"
}

# sorted_by TITLE ADDR: an awk condition for wait_screen: the sources table is
# sorted by the column TITLE (bracketed) and ADDR is on its first row.
sorted_by() {
	printf '/^SOURCE/ { hdr = index($0, "[%s]") > 0; getline; found = hdr && $1 == "%s"; exit }
		END { exit !found }' "$1" "$2"
}

first_source() { # first_source NAME: the address on the first row under SOURCE
	awk '/^SOURCE/ { getline; print $1; exit }' "$E2E_TMP/$1.screen"
}

sort_header() { # sort_header NAME: the bracketed column title of the sources table
	awk '/^SOURCE/ { for (i = 2; i <= NF; i++) if ($i ~ /^\[/) print $i; exit }' \
		"$E2E_TMP/$1.screen"
}

between() { # between VALUE LOW HIGH: LOW <= VALUE <= HIGH, as numbers
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 >= lo && v + 0 <= hi) }'
}

# cell NAME ROW TITLE: in the codes table of NAME's last screen, the value under
# the column TITLE (cells are right-aligned under their titles) in the row whose
# first word is ROW (607, 6xx).
cell() {
	awk -v row="$2" -v title="$3" '
		/^CODE +NAME/ { end = index($0, title) + length(title) - 1 }
		end && $1 == row { n = split(substr($0, 1, end), f, " "); print f[n]; exit }' \
		"$E2E_TMP/$1.screen"
}

# code_sum FILE METRIC CODE: METRIC of the scrape FILE summed over interfaces,
# directions and methods for CODE, or for every 6xx with CODE 6xx.
code_sum() {
	awk -v m="$2" -v c="$3" '
		index($0, m "{") == 1 && match($0, /code="[0-9]+"/) {
			code = substr($0, RSTART + 6, 3)
			if (code == c || (c == "6xx" && code ~ /^6/))
				sum += $NF
		}
		END { printf "%d\n", sum }' "$1"
}

# retx_ratio REJECTIONS RETRANSMISSIONS: the share of repeats among all 6xx copies, as sip6xx-top prints it.
retx_ratio() {
	awk -v r="$1" -v t="$2" 'BEGIN { if (r + t > 0) printf "%.1f%%\n", 100 * t / (r + t); else print "-" }'
}

# label_sums FILE METRIC LABEL: "value count" lines, METRIC summed by LABEL.
label_sums() {
	awk -v m="$2" -v l="$3" '
		index($0, m "{") == 1 && match($0, l "=\"[^\"]*\"") {
			sum[substr($0, RSTART + length(l) + 2, RLENGTH - length(l) - 3)] += $NF
		}
		END { for (k in sum) printf "%s %d\n", k, sum[k] }' "$1"
}

# list_row NAME LABEL COUNT: a callers or intermediaries row LABEL COUNT is on
# NAME's last screen (the rest, label "other", reads "(every other)").
list_row() {
	awk -v l="$2" -v n="$3" '
		{
			k = split($0, f, " ")
			for (i = 1; i <= k; i++)
				if ((l == "other" && f[i] == "(every" && f[i + 1] == "other)" && f[i + 2] == n) ||
				    (l != "other" && f[i] == l && f[i + 1] == n))
					found = 1
		}
		END { exit !found }' "$E2E_TMP/$1.screen"
}

# press NAME KEY EXPECT_AWK: send KEY, then wait (2 s) for the screen to match.
press() {
	tmx send-keys -t "$1" "$2"
	wait_screen "$1" "$3" 2
}

# quit NAME: q, then (bounded: 5 s) the exit status from the status file.
quit_top() {
	local i
	tmx send-keys -t "$1" q
	for ((i = 0; i < 50; i++)); do
		[ -s "$E2E_TMP/$1.status" ] && break
		sleep 0.1
	done
	cat "$E2E_TMP/$1.status" 2>/dev/null || echo timeout
}

send() { # send CODE RATE SOURCE: a steady stream from NS_B for TRAFFIC_SECS, in the background
	timeout $((TRAFFIC_SECS + 20)) ip netns exec "$NS_B" "$E2E_PYTHON" tests/e2e/send_spike.py \
		--iface "$IF_B" --src-mac "$(e2e_mac "$NS_B" "$IF_B")" \
		--dst-mac "$(e2e_mac "$NS_A" "$IF_A")" --code "$1" --steady-rate "$2" \
		--steady-secs "$TRAFFIC_SECS" --steady-source "$3" >/dev/null 2>"$E2E_TMP/send$1.log" &
	e2e_track_pid $!
}

printf 'set -g remain-on-exit on\nset -g status off\n' >"$E2E_TMP/tmux.conf"

# --- the command line, before anything is pinned
"$TOP" --help >"$E2E_TMP/help" 2>&1
ok $? "--help exits 0"
grep -q -- "--pin-path DIR" "$E2E_TMP/help" && grep -q /sys/fs/bpf/sip6xx "$E2E_TMP/help"
ok $? "--help names --pin-path and its default /sys/fs/bpf/sip6xx"
"$TOP" --bogus >/dev/null 2>"$E2E_TMP/bogus"
check_eq 2 $? "an unknown option exits 2"
mkdir "$E2E_TMP/empty"
"$TOP" --pin-path "$E2E_TMP/empty" >/dev/null 2>"$E2E_TMP/nomaps"
check_eq 1 $? "no pinned maps and no --url: exit 1"
grep -qF "$E2E_TMP/empty" "$E2E_TMP/nomaps" && grep -q -- "--url" "$E2E_TMP/nomaps"
ok $? "... naming the path and --url"
show_log "$E2E_TMP/nomaps"

# --- the exporter, pinning on a private bpffs
mkdir -p "$PIN" && mount -t bpf bpf "$PIN" || e2e_die "cannot mount a bpffs on $PIN"
e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
ip netns exec "$NS_A" "$EXPORTER" -i "$IF_A" --listen "$LISTEN" --pin-path "$PIN" --callers 3 \
	>"$E2E_TMP/exporter.stdout" 2>"$E2E_TMP/exporter.stderr" &
EXP_PID=$!
e2e_track_pid $EXP_PID
if ! e2e_wait_http "$NS_A" "http://$LISTEN/metrics" 10; then
	show_log "$E2E_TMP/exporter.stderr"
	e2e_die "the exporter did not come up on $LISTEN in $NS_A"
fi
[ -e "$PIN/$IF_A/resp_codes" ]
ok $? "the exporter pinned its maps under $PIN/$IF_A"

"$TOP" --pin-path "$PIN" -i nosuch0 >/dev/null 2>"$E2E_TMP/noiface"
check_eq 1 $? "-i an interface with no pins: exit 1"
grep -qF "$PIN/nosuch0" "$E2E_TMP/noiface"
ok $? "... naming $PIN/nosuch0"
"$TOP" --pin-path "$PIN" >"$E2E_TMP/notty" 2>&1 </dev/null
check_eq 1 $? "no terminal: exit 1"
ip netns exec "$NS_A" "$TOP" --url http://127.0.0.1:1/metrics >/dev/null 2>"$E2E_TMP/nourl"
check_eq 1 $? "--url that does not answer: exit 1"
grep -qF "127.0.0.1:1/metrics" "$E2E_TMP/nourl"
ok $? "... naming the URL"

# --- pinned maps, read from the root namespace
start_top maps env LANG=C.UTF-8 "$TOP" --pin-path "$PIN"
wait_screen maps '/^CODE +NAME/ { found = 1 } END { exit !found }' 5
ok $? "pinned maps: sip6xx-top draws its screen"
# The local detector primes on a full 1 s window of quiet before the traffic.
sleep 1.5
send 607 "$RATE607" "$SRC607"
send 608 "$RATE608" "$SRC608"
send 200 "$RATE200" "$SRC607"

both_flowing='$1 == "607" && $2 == "Unwanted" && $3 + 0 > 0 { a = 1 }
	$1 == "608" && $2 == "Rejected" && $3 + 0 > 0 { b = 1 }
	END { exit !(a && b) }'
wait_screen maps "$both_flowing" 15
ok $? "pinned maps: the 607 and 608 rows show non-zero rates"
# The senders build their frames first, each taking its own time: wait until
# all three flow, then one more refresh, so each has a whole second in the rates.
all_flowing="/^responses / { ok = \$2 + 0 >= 0.9 * $((RATE607 + RATE608 + RATE200)) } END { exit !ok }"
wait_screen maps "$all_flowing" 10
ok $? "pinned maps: the total response rate reaches the $((RATE607 + RATE608 + RATE200))/s sent"
sleep 1.1
# Each rate is one second's delta: on a busy machine a sender may lag for a
# second, so wait (bounded: 8 s) for a screen where all three are near.
near="\$1 == 607 && \$2 == \"Unwanted\" { a = \$3 >= $((RATE607 / 2)) && \$3 <= $((RATE607 * 3 / 2)) }
	\$1 == 608 && \$2 == \"Rejected\" { b = \$3 >= $((RATE608 / 2)) && \$3 <= $((RATE608 * 3 / 2)) }
	/6xx ratio [0-9.]+%/ { r = \$0; sub(/.*6xx ratio /, \"\", r); c = r + 0 >= 40 && r + 0 <= 60 }
	END { exit !(a && b && c) }"
wait_screen maps "$near" 8
r607=$(code_rate maps 607)
r608=$(code_rate maps 608)
ratio=$(sed -n 's/.*6xx ratio \([0-9.]*\)%.*/\1/p' "$E2E_TMP/maps.screen")
between "$r607" $((RATE607 / 2)) $((RATE607 * 3 / 2))
ok $? "pinned maps: 607 at $r607/s, near the $RATE607/s sent"
between "$r608" $((RATE608 / 2)) $((RATE608 * 3 / 2))
ok $? "pinned maps: 608 at $r608/s, near the $RATE608/s sent"
between "$ratio" 40 60
ok $? "pinned maps: the 6xx ratio ($ratio%) is near 50% (30/s 6xx of 60/s final)"
grep -qE '^607 .*FIRING' "$E2E_TMP/maps.screen" && grep -q 'ALERT: 607' "$E2E_TMP/maps.screen"
ok $? "pinned maps: the local detector marks the 607 spike as firing"
grep -qE "^$SRC607 " "$E2E_TMP/maps.screen" && grep -qE "^$SRC608 " "$E2E_TMP/maps.screen"
ok $? "pinned maps: both responders ($SRC607, $SRC608) are in the top sources"
check_eq "- -" "$(cell maps 607 REJECTED) $(cell maps 607 RETRANS)" \
	"pinned maps: 607 rejections and retransmissions are '-' (the maps count packets), not 0"
grep -q "^REJ, RETX: '-' = not in pinned maps" "$E2E_TMP/maps.screen"
ok $? "pinned maps: one line says why"
! grep -q "TOP CALLERS" "$E2E_TMP/maps.screen"
ok $? "pinned maps: no callers block (no call data in the maps)"
check_eq "[6xx]" "$(sort_header maps)" "pinned maps: sorted by all 6xx at start"
check_eq "$SRC607" "$(first_source maps)" "pinned maps: $SRC607 (more 6xx/s) comes first"
grep -qE '^607 +[ ▁▂▃▄▅▆▇█]*[▁▂▃▄▅▆▇█]' "$E2E_TMP/maps.screen"
ok $? "pinned maps: a Unicode sparkline for 607"

press maps 6 "$(sorted_by 608 "$SRC608")"
ok $? "key 6: sorted by 608, $SRC608 first"
press maps Left "$(sorted_by 607 "$SRC607")"
ok $? "key Left: sorted by 607, $SRC607 first"
press maps t "$(sorted_by 6xx "$SRC607")"
ok $? "key t: sorted by all 6xx again"
press maps a '/^607 [ .:=+*#@-]*[.:=+*#@-]/ && !/[A-Za-z]/ { found = 1 } END { exit !found }'
ok $? "key a: the sparkline falls back to ASCII"
sed 's/^/# /' "$E2E_TMP/maps.screen"
check_eq 0 "$(quit_top maps)" "pinned maps: q ends sip6xx-top with status 0"
check_eq 1 "$(tmx list-panes -t maps -F '#{pane_dead}' 2>/dev/null)" "pinned maps: the pane's command is gone"
show_log "$E2E_TMP/maps.stderr"

# --- the exporter's /metrics (no path given: /metrics is added)
start_top url ip netns exec "$NS_A" env LANG=C.UTF-8 "$TOP" --url "http://$LISTEN"
wait_screen url "$both_flowing" 10
ok $? "--url: the 607 and 608 rows show non-zero rates"
grep -qF "http://$LISTEN/metrics" "$E2E_TMP/url.screen" &&
	grep -q "sip6xx_alert_firing" "$E2E_TMP/url.screen"
ok $? "--url: the header names the URL and the exporter's alert gauge"
grep -qE '^607 .*FIRING' "$E2E_TMP/url.screen"
ok $? "--url: the exporter's 607 alert shows as firing"
grep -qE "^$SRC607 " "$E2E_TMP/url.screen" && grep -qE "^$SRC608 " "$E2E_TMP/url.screen"
ok $? "--url: both responders are in the top sources"
# The call context decodes what the kernel samples: rejections of the live
# 607s, and the caller of their From, with the exporter's --callers 3.
live_calls='/^CODE +NAME/ { end = index($0, "REJECTED") + 7 }
	end && $1 == "607" { n = split(substr($0, 1, end), f, " "); rej = f[n] + 0 > 0 }
	/^TOP CALLERS/ { head = 1 }
	head && $1 == "alice@example.invalid" && $2 + 0 > 0 { caller = 1 }
	END { exit !(rej && caller) }'
wait_screen url "$live_calls" 5
ok $? "--url: 607 rejections counted live ($(cell url 607 REJECTED)), and alice@example.invalid among the top callers"
! grep -q "^REJ, RETX: '-'" "$E2E_TMP/url.screen"
ok $? "--url: no '-' line while the scrape has the call context"
press url 5 "$(sorted_by 607 "$SRC607")"
ok $? "--url: key 5 sorts by 607"
check_eq 0 "$(quit_top url)" "--url: q ends sip6xx-top with status 0"
show_log "$E2E_TMP/url.stderr"

e2e_scrape "$NS_A" "http://$LISTEN/metrics" "$E2E_TMP/after.prom"
ok $? "the exporter still serves after sip6xx-top read its maps"

# --- an exporter with --context-rate 0 (on B's end of the pair: no second XDP program on A's)
CTX0=127.0.0.1:19222
ip netns exec "$NS_B" "$EXPORTER" -i "$IF_B" --listen "$CTX0" --context-rate 0 \
	>"$E2E_TMP/ctx0.stdout" 2>"$E2E_TMP/ctx0.stderr" &
e2e_track_pid $!
if e2e_wait_http "$NS_B" "http://$CTX0/metrics" 10; then
	start_top ctx0 ip netns exec "$NS_B" env LANG=C.UTF-8 "$TOP" --url "http://$CTX0/metrics"
	wait_screen ctx0 '/^6xx +all/ { found = 1 } END { exit !found }' 5
	ok $? "--context-rate 0: sip6xx-top draws its screen"
	check_eq "- - -" "$(cell ctx0 6xx REJECTED) $(cell ctx0 6xx RETRANS) $(cell ctx0 6xx RETX%)" \
		"--context-rate 0: rejections, retransmissions and their ratio are '-', not 0"
	grep -q "^REJ, RETX: '-' = no call context in this scrape (exporter with --context-rate 0)" \
		"$E2E_TMP/ctx0.screen"
	ok $? "--context-rate 0: one line says why"
	[[ "$(cell ctx0 6xx PACKETS)" =~ ^[0-9]+$ ]]
	ok $? "--context-rate 0: the packet columns are still numbers ($(cell ctx0 6xx PACKETS))"
	! grep -q "TOP CALLERS\|TOP INTERMEDIARIES" "$E2E_TMP/ctx0.screen"
	ok $? "--context-rate 0: no callers or intermediaries block"
	check_eq 0 "$(quit_top ctx0)" "--context-rate 0: q ends sip6xx-top with status 0"
	# -i: the line names the interface; one the scrape lacks is said to be missing.
	start_top ctx0i ip netns exec "$NS_B" env LANG=C.UTF-8 "$TOP" --url "http://$CTX0/metrics" -i "$IF_B"
	wait_screen ctx0i '/^REJ, RETX:/ { found = 1 } END { exit !found }' 5
	grep -qF "REJ, RETX: '-' = no call context in this scrape for interface $IF_B (exporter with --context-rate 0)" \
		"$E2E_TMP/ctx0i.screen"
	ok $? "--context-rate 0, -i $IF_B: the line names $IF_B"
	check_eq 0 "$(quit_top ctx0i)" "--context-rate 0, -i $IF_B: q ends sip6xx-top with status 0"
	start_top ctx0n ip netns exec "$NS_B" env LANG=C.UTF-8 "$TOP" --url "http://$CTX0/metrics" -i nosuch0
	wait_screen ctx0n '/^REJ, RETX:/ { found = 1 } END { exit !found }' 5
	grep -qF "REJ, RETX: '-' = no interface nosuch0 in this scrape (-i)" "$E2E_TMP/ctx0n.screen" &&
		! grep -q -- "--context-rate 0" "$E2E_TMP/ctx0n.screen"
	ok $? "-i nosuch0: the line says the scrape has no such interface, not --context-rate 0"
	check_eq 0 "$(quit_top ctx0n)" "-i nosuch0: q ends sip6xx-top with status 0"
else
	show_log "$E2E_TMP/ctx0.stderr"
	ok 1 "an exporter with --context-rate 0 came up on $CTX0 in $NS_B"
fi

# --- real --replay texts, served as they are: every figure printed must be the scrape's
mkdir "$E2E_TMP/served"
"$E2E_PYTHON" tests/e2e/replay/make_calls_pcaps.py "$E2E_TMP" >/dev/null ||
	e2e_die "make_calls_pcaps.py failed"
"$EXPORTER" --replay "$E2E_TMP/calls.pcap" --callers 3 --intermediaries 3 \
	>"$E2E_TMP/served/calls.prom" 2>"$E2E_TMP/replay.err"
ok $? "--replay of a generated capture with --callers 3 --intermediaries 3"
"$EXPORTER" --replay "$E2E_TMP/callers.pcap" --callers 8 >"$E2E_TMP/served/callers.prom" \
	2>>"$E2E_TMP/replay.err"
ok $? "--replay of ten callers with --callers 8"
if [ -r "$SHARED_CAPTURE" ]; then
	"$EXPORTER" --replay "$SHARED_CAPTURE" >"$E2E_TMP/served/shared.prom" 2>>"$E2E_TMP/replay.err"
	ok $? "--replay of $SHARED_CAPTURE, without --callers"
else
	tap_skip "$SHARED_CAPTURE is missing (the shared captures beside the repository)"
fi
ip netns exec "$NS_A" timeout 120 "$E2E_PYTHON" -m http.server "${SERVE##*:}" \
	--bind "${SERVE%:*}" --directory "$E2E_TMP/served" >/dev/null 2>"$E2E_TMP/serve.log" &
e2e_track_pid $!
e2e_wait_http "$NS_A" "http://$SERVE/calls.prom" 10 || e2e_die "no HTTP server on $SERVE in $NS_A"

# served NAME FILE: sip6xx-top on the served FILE; each code's rejections,
# retransmissions and ratio as printed against the file's own sums.
served() {
	local name=$1 prom=$E2E_TMP/served/$2 code rej retx
	start_top "$name" ip netns exec "$NS_A" env LANG=C.UTF-8 "$TOP" --url "http://$SERVE/$2"
	wait_screen "$name" '/^6xx +all/ { found = 1 } END { exit !found }' 5
	ok $? "$2: sip6xx-top draws its screen"
	for code in 600 603 604 606 607 608 6xx; do
		rej=$(code_sum "$prom" sip6xx_rejections_total "$code")
		retx=$(code_sum "$prom" sip6xx_retransmissions_total "$code")
		check_eq "$rej $retx $(retx_ratio "$rej" "$retx")" \
			"$(cell "$name" "$code" REJECTED) $(cell "$name" "$code" RETRANS) $(cell "$name" "$code" RETX%)" \
			"$2: $code rejections, retransmissions, ratio as scraped"
	done
}

served calls calls.prom
check_eq "4 4" "$(code_sum "$E2E_TMP/served/calls.prom" sip6xx_rejections_total 6xx) $(code_sum "$E2E_TMP/served/calls.prom" sip6xx_retransmissions_total 6xx)" \
	"calls.prom: the generated capture's 4 rejections and 4 retransmissions (its docstring)"
grep -q "^TOP CALLERS" "$E2E_TMP/calls.screen" && grep -q "TOP INTERMEDIARIES" "$E2E_TMP/calls.screen"
ok $? "calls.prom: the callers and intermediaries blocks show (--callers, --intermediaries)"
n=0
while read -r label count; do
	n=$((n + 1))
	list_row calls "$label" "$count"
	ok $? "calls.prom: caller $label $count on the screen, as scraped"
done < <(label_sums "$E2E_TMP/served/calls.prom" sip6xx_caller_rejections caller)
while read -r label count; do
	n=$((n + 1))
	list_row calls "$label" "$count"
	ok $? "calls.prom: intermediary $label $count on the screen, as scraped"
done < <(label_sums "$E2E_TMP/served/calls.prom" sip6xx_intermediary_rejections intermediary)
[ "$n" -ge 4 ]
ok $? "calls.prom: $n caller and intermediary rows compared (two callers, one host, two rests)"
sed 's/^/# /' "$E2E_TMP/calls.screen"
check_eq 0 "$(quit_top calls)" "calls.prom: q ends sip6xx-top with status 0"

# The same scrape with samples dropped for lack of --context-rate (what a
# live exporter adds under load): the ratios are marked approximate.
{ cat "$E2E_TMP/served/calls.prom"
  echo 'sip6xx_context_dropped_total{interface="replay",direction="rx",reason="rate"} 2'; } \
	>"$E2E_TMP/served/dropped.prom"
start_top dropped ip netns exec "$NS_A" env LANG=C.UTF-8 "$TOP" --url "http://$SERVE/dropped.prom"
wait_screen dropped '/^6xx +all/ { found = 1 } END { exit !found }' 5
prom=$E2E_TMP/served/dropped.prom
rej=$(code_sum "$prom" sip6xx_rejections_total 607)
retx=$(code_sum "$prom" sip6xx_retransmissions_total 607)
check_eq "~$(retx_ratio "$rej" "$retx")" "$(cell dropped 607 RETX%)" \
	"dropped.prom: 607's RETX% is marked approximate (~)"
grep -q '^~RETX%: approximate, 2 samples dropped (rate, buffer_full)' "$E2E_TMP/dropped.screen"
ok $? "dropped.prom: one line says why"
! grep -q '~' "$E2E_TMP/calls.screen"
ok $? "calls.prom (nothing dropped): no ratio marked approximate"
check_eq 0 "$(quit_top dropped)" "dropped.prom: q ends sip6xx-top with status 0"

# More callers in the scrape than the block has rows: the top ones as scraped,
# then "(every other)" holding all the rest, not only the scrape's caller="other".
served many callers.prom
prom=$E2E_TMP/served/callers.prom
label_sums "$prom" sip6xx_caller_rejections caller | grep -v '^other ' | sort -k2,2nr -k1,1 \
	>"$E2E_TMP/callers.ranked"
[ "$(wc -l <"$E2E_TMP/callers.ranked")" -gt "$LIST_ROWS" ] &&
	[ "$(label_sums "$prom" sip6xx_caller_rejections caller | awk '$1 == "other" { print $2 }')" -gt 0 ]
ok $? "callers.prom: more callers than the $LIST_ROWS rows shown, and a caller=\"other\" row"
shown=0
while read -r label count; do
	list_row many "$label" "$count"
	ok $? "callers.prom: caller $label $count on the screen, as scraped"
	shown=$((shown + count))
done < <(head -n "$LIST_ROWS" "$E2E_TMP/callers.ranked")
total=$(label_sums "$prom" sip6xx_caller_rejections caller | awk '{ s += $2 } END { print s + 0 }')
! grep -qF "$(sed -n "$((LIST_ROWS + 1))p" "$E2E_TMP/callers.ranked" | cut -d' ' -f1)" "$E2E_TMP/many.screen"
ok $? "callers.prom: the caller ranked $((LIST_ROWS + 1)) has no row of its own"
list_row many other $((total - shown))
ok $? "callers.prom: (every other) is $((total - shown)), the scrape's $total less the $shown shown"
sed 's/^/# /' "$E2E_TMP/many.screen"
check_eq 0 "$(quit_top many)" "callers.prom: q ends sip6xx-top with status 0"

if [ -s "$E2E_TMP/served/shared.prom" ]; then
	served shared shared.prom
	[ "$(code_sum "$E2E_TMP/served/shared.prom" sip6xx_rejections_total 6xx)" -gt 0 ]
	ok $? "shared.prom: the public capture holds a 6xx rejection to compare"
	! grep -q "TOP CALLERS\|TOP INTERMEDIARIES" "$E2E_TMP/shared.screen"
	ok $? "shared.prom: no callers or intermediaries block without --callers"
	check_eq 0 "$(quit_top shared)" "shared.prom: q ends sip6xx-top with status 0"
fi
show_log "$E2E_TMP/replay.err"
tap_done
