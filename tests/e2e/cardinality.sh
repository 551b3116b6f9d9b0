#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Bounded cardinality, end to end: the exporter on a veth end in namespace A,
# 6xx responses sent from namespace B.
#   - --top N and --peers FILE with real frames (scapy): the busiest sources
#     by name, the rest in source="other", longest-prefix names over IPv4 and
#     IPv6, unmatched sources kept (peer="") or folded (--peers-unmatched
#     other), and sums equal to what was sent;
#   - SIGHUP re-reads --peers; a bad file then keeps the old names; a bad file
#     at start-up is exit status 1 and one line naming file:line;
#   - a flood of 1,000,000 frames, each from a new spoofed IPv6 source, into a
#     65,536-entry map (tests/tools/spoof_flood, paced by the receiver, so no
#     frame is lost): the totals equal what was sent, the map holds at most its
#     capacity and the evictions account for the rest, the exporter's memory and
#     the kernel map's stay bounded, and with --top 100 the scrape is a few
#     hundred series.
# No assertion depends on timing; every wait is bounded.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

FLOOD=$BUILD/tests/tools/spoof_flood
NS_A=sip6xx-card-a-$$
NS_B=sip6xx-card-b-$$
IF_A=vethA
IF_B=vethB
HOLD=holdB # in NS_B, kept down: holds the flood generator in the XDP dispatcher
LISTEN=127.0.0.1:19066 # loopback of NS_A: nothing outside sees it
URL=http://$LISTEN

FLOOD_FRAMES=1000000
FLOOD_CAPACITY=65536
FLOOD_TOP=100
# The exporter's peak RSS after the flood and full-map scrapes. Measured at
# about 16 MiB: some 10 MiB of libraries and the loaded object, plus one scrape
# of a full 65,536-entry map (a 2 MiB snapshot, twice that to fold it, and the
# text). Anything that kept per-source state for the 1,000,000 sources sent
# would need at least 32 bytes each, 32 MiB more: 40 MiB tells the two apart.
RSS_LIMIT_KB=$((40 * 1024))
# With --top 100 one code gives 101 series; the fixed families add some 40.
SCRAPE_MAX_SERIES=300
SCRAPE_MAX_BYTES=$((64 * 1024))

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_scapy
e2e_require_exporter "$EXPORTER"
[ -x "$FLOOD" ] || e2e_die "$FLOOD is missing: build it first (make test-build)"
e2e_require_tool promtool
trap e2e_cleanup EXIT
e2e_tmpdir
# After start-up the exporter runs as nobody, and SIGHUP re-reads --peers as nobody.
chmod 755 "$E2E_TMP"

# start_exporter NAME ARGS...: the exporter in NS_A; 0 once HTTP answers.
start_exporter() {
	local name=$1
	shift
	e2e_start_exporter "$name" "$NS_A" "$URL/metrics" \
		"$EXPORTER" -i "$IF_A" --listen "$LISTEN" --alert-codes none "$@"
}

# run_exporter_fails NAME ARGS...: run it to its end (bounded: 10 s); the
# status lands in E2E_STATUS, stderr in $E2E_EXP_ERR.
run_exporter_fails() {
	local name=$1
	shift
	e2e_run_exporter "$name" "$NS_A" 10 "$EXPORTER" -i "$IF_A" --listen "$LISTEN" "$@"
}

# send_weighted CODE ADDR:N ...: N frames of CODE from each ADDR (send_spike.py,
# real frames over the veth pair); waits until the exporter counted them all.
send_weighted() {
	local code=$1 spec list="" total=0 i want scrape=$E2E_TMP/wait.prom
	shift
	for spec in "$@"; do
		for ((i = 0; i < ${spec##*:}; i++)); do
			list+="${spec%:*},"
		done
		total=$((total + ${spec##*:}))
	done
	want=$(($(e2e_metric0 "$SCRAPE" \
		"sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"$code\"}") + total))
	e2e_send_spike "$NS_B" "$IF_B" "$NS_A" "$IF_A" \
		--code "$code" --spike "$total" --spike-sources "${list%,}" >/dev/null ||
		return 1
	e2e_wait_metric "$NS_A" "$URL/metrics" "$scrape" \
		"sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"$code\"}" "$want" 5
}

scrape() { # scrape: the current metrics into $SCRAPE
	e2e_scrape "$NS_A" "$URL/metrics" "$SCRAPE" || : >"$SCRAPE"
}

gf() { # gf SOURCE CODE [PEER]: one sip6xx_global_failures_total sample
	local peer=""
	[ $# -ge 3 ] && peer=",peer=\"$3\""
	e2e_metric "$SCRAPE" \
		"sip6xx_global_failures_total{interface=\"$IF_A\",direction=\"rx\",source=\"$1\"$peer,code=\"$2\"}"
}

gf_series() { # gf_series CODE: how many sip6xx_global_failures_total series CODE has
	grep -c "^sip6xx_global_failures_total{.*code=\"$1\"}" "$SCRAPE"
}

gf_sum() { # gf_sum CODE: their sum
	awk -v c="code=\"$1\"}" '/^sip6xx_global_failures_total\{/ && index($1, c) { s += $2 }
		END { printf "%d\n", s }' "$SCRAPE"
}

promtool_ok() { # promtool_ok WHAT
	promtool check metrics <"$SCRAPE" >"$E2E_TMP/promtool.out" 2>&1
	ok $? "$1: promtool check metrics accepts the scrape"
	e2e_show_log "$E2E_TMP/promtool.out"
}

SCRAPE=$E2E_TMP/scrape.prom
: >"$SCRAPE"
PEERS=$E2E_TMP/peers.txt

e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"

# ---- usage and start-up errors ------------------------------------------------
test_usage() {
	local lines
	run_exporter_fails bad-top --top many
	check_eq 2 "$E2E_STATUS" "--top many is bad usage (exit 2)"
	run_exporter_fails neg-top --top -1
	check_eq 2 "$E2E_STATUS" "--top -1 is bad usage (exit 2)"
	run_exporter_fails unmatched-alone --peers-unmatched other
	check_eq 2 "$E2E_STATUS" "--peers-unmatched without --peers is bad usage (exit 2)"
	run_exporter_fails unmatched-bad --peers "$PEERS" --peers-unmatched sometimes
	check_eq 2 "$E2E_STATUS" "--peers-unmatched sometimes is bad usage (exit 2)"

	printf '# carriers\n198.18.1.0/24 carrier-a\n198.18.1.0/33 broken\n' >"$PEERS"
	run_exporter_fails bad-file --peers "$PEERS"
	check_eq 1 "$E2E_STATUS" "a bad --peers file at start-up: exit status 1"
	lines=$(wc -l <"$E2E_EXP_ERR")
	grep -q "$PEERS:3: '198.18.1.0/33' needs a prefix length 0..32" "$E2E_EXP_ERR"
	ok $? "a bad --peers file at start-up: the error names $PEERS:3 and what is wrong"
	check_eq 1 "$lines" "a bad --peers file at start-up: one line on stderr"
	[ "$lines" = 1 ] || e2e_show_log "$E2E_EXP_ERR"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $((!$?)) "a bad --peers file at start-up: nothing attached to $IF_A"

	run_exporter_fails missing-file --peers "$E2E_TMP/nonexistent.txt"
	check_eq 1 "$E2E_STATUS" "a missing --peers file: exit status 1"
	grep -q "$E2E_TMP/nonexistent.txt: cannot open" "$E2E_EXP_ERR"
	ok $? "a missing --peers file: the error names it"
}

# The traffic of the --top/--peers runs: 607 from five sources, 608 from three.
SENT_607=98
SENT_608=7
send_mix() {
	send_weighted 607 198.18.1.1:40 198.18.1.130:30 2001:db8:1::5:20 198.18.1.200:5 \
		198.18.2.1:3 &&
		send_weighted 608 198.18.1.200:4 198.18.2.1:2 2001:db8:1::7:1
}

write_peers() { # write_peers NAME_OF_198.18.1.0/24
	cat >"$PEERS" <<-EOF
		# sip6xx test peers: longest match wins
		198.18.1.0/24     $1
		198.18.1.128/25   carrier-a-west
		198.18.1.200/32   single   # one host inside both
		2001:db8:1::/48   carrier-v6
		2001:db8:1::7/128 v6-host
	EOF
}

# start_with_mix WHAT NAME ARGS...: the peers file with 198.18.1.0/24 as
# carrier-a, the exporter with ARGS, the mix sent and counted, and a fresh
# scrape; one TAP line for the mix. When the exporter does not start, a failed
# TAP line for that instead, and 1.
start_with_mix() {
	local w=$1 name=$2
	shift 2
	write_peers carrier-a
	start_exporter "$name" "$@" || {
		ok 1 "$w: the exporter starts"
		return 1
	}
	scrape
	send_mix
	ok $? "$w: $SENT_607 607s and $SENT_608 608s sent and counted"
	scrape
}

# ---- --top 3 --peers FILE, SIGHUP reload ----------------------------------------
test_top_and_peers() {
	local w=top+peers
	start_with_mix "$w" top-peers --top 3 --peers "$PEERS" || return
	check_eq "$SENT_607" "$(e2e_metric "$SCRAPE" \
		"sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"607\"}")" \
		"$w: sip6xx_responses_total 607 is what was sent"
	# 607: the three busiest by name, the other two (5 + 3) folded.
	check_eq 40 "$(gf 198.18.1.1 607 carrier-a)" "$w: 198.18.1.1 is carrier-a (/24)"
	check_eq 30 "$(gf 198.18.1.130 607 carrier-a-west)" \
		"$w: 198.18.1.130 is carrier-a-west (/25 inside the /24)"
	check_eq 20 "$(gf 2001:db8:1::5 607 carrier-v6)" "$w: 2001:db8:1::5 is carrier-v6 (/48)"
	check_eq 8 "$(gf other 607 other)" "$w: the two quietest 607 sources fold into other"
	check_eq 4 "$(gf_series 607)" "$w: 607 has --top 3 series plus other"
	check_eq "$SENT_607" "$(gf_sum 607)" "$w: the 607 series add up to what was sent"
	check_eq missing "$(gf 198.18.1.200 607 single)" "$w: a folded source has no series"
	# 608: three sources, none folded; the /32 and /128 win, the unmatched keep peer="".
	check_eq 4 "$(gf 198.18.1.200 608 single)" "$w: 198.18.1.200 is single (/32 wins)"
	check_eq 1 "$(gf 2001:db8:1::7 608 v6-host)" "$w: 2001:db8:1::7 is v6-host (/128 wins)"
	check_eq 2 "$(gf 198.18.2.1 608 "")" "$w: an unmatched source is kept with peer=\"\""
	check_eq 3 "$(gf_series 608)" "$w: 608 has no other series (3 sources, --top 3)"
	check_eq "$SENT_608" "$(gf_sum 608)" "$w: the 608 series add up to what was sent"
	promtool_ok "$w"

	# SIGHUP: a new name for the /24.
	write_peers carrier-b
	kill -HUP "$E2E_EXP_PID"
	e2e_wait_metric "$NS_A" "$URL/metrics" "$SCRAPE" \
		"sip6xx_global_failures_total{interface=\"$IF_A\",direction=\"rx\",source=\"198.18.1.1\",peer=\"carrier-b\",code=\"607\"}" \
		40 5
	ok $? "$w: after SIGHUP 198.18.1.1 is carrier-b, with its count"
	check_eq missing "$(gf 198.18.1.1 607 carrier-a)" "$w: after SIGHUP the old name is gone"
	kill -0 "$E2E_EXP_PID" 2>/dev/null
	ok $? "$w: SIGHUP does not stop the exporter"
	grep -q "SIGHUP: reloaded --peers $PEERS: 5 prefixes" "$E2E_EXP_ERR"
	ok $? "$w: the reload is logged"

	# SIGHUP with a bad file: logged with file:line, the names in force stay.
	printf '198.18.1.0/24 carrier-c\n\n2001:db8:1::/48 two words\n' >"$PEERS"
	kill -HUP "$E2E_EXP_PID"
	e2e_wait_grep "$E2E_EXP_ERR" "SIGHUP: reloading --peers $PEERS:3:" 5
	grep -q "SIGHUP: reloading --peers $PEERS:3: 'words' after the name.*keeping the 5 prefixes" \
		"$E2E_EXP_ERR"
	ok $? "$w: a bad file on SIGHUP is logged with file:line, and the old table kept"
	scrape
	check_eq 40 "$(gf 198.18.1.1 607 carrier-b)" "$w: after a failed reload the names stay"
	kill -0 "$E2E_EXP_PID" 2>/dev/null
	ok $? "$w: a failed reload does not stop the exporter"
	e2e_check_exporter_stops "$w"
}

# ---- --peers FILE --peers-unmatched other -----------------------------------------
test_unmatched_other() {
	local w=unmatched-other
	start_with_mix "$w" unmatched --peers "$PEERS" --peers-unmatched other || return
	check_eq 40 "$(gf 198.18.1.1 607 carrier-a)" "$w: 198.18.1.1 is carrier-a"
	check_eq 5 "$(gf 198.18.1.200 607 single)" "$w: no --top: a quiet named source stays"
	check_eq 3 "$(gf other 607 other)" "$w: the unmatched 198.18.2.1 folds into other"
	check_eq missing "$(gf 198.18.2.1 607 "")" "$w: no series with peer=\"\""
	check_eq 5 "$(gf_series 607)" "$w: 607 has four named series plus other"
	check_eq "$SENT_607" "$(gf_sum 607)" "$w: the 607 series add up to what was sent"
	check_eq 2 "$(gf other 608 other)" "$w: 608 folds its unmatched source too"
	check_eq "$SENT_608" "$(gf_sum 608)" "$w: the 608 series add up to what was sent"
	promtool_ok "$w"
	e2e_check_exporter_stops "$w"
}

# memlock of the exporter's peers map (LRU_PERCPU_HASH, type 10) from fdinfo.
peers_memlock() { # peers_memlock PID
	local f
	for f in /proc/"$1"/fdinfo/*; do
		if grep -q "^map_type:[[:space:]]*10$" "$f" 2>/dev/null &&
			grep -q "^max_entries:[[:space:]]*$FLOOD_CAPACITY$" "$f"; then
			awk '/^memlock:/ { print $2 }' "$f"
			return
		fi
	done
	echo missing
}

vm_kb() { # vm_kb PID FIELD: VmHWM or VmRSS in kB
	awk -v f="$2:" '$1 == f { print $2 }' /proc/"$1"/status
}

# ---- 1,000,000 spoofed sources against a 65,536-entry map ----------------------------
test_flood() {
	local w=flood out mem0 mem1 hwm tracked evicted failed named series bytes i sum cached
	ip -n "$NS_B" link add "$HOLD" type veth peer name "${HOLD}1" ||
		e2e_die "cannot make $HOLD in $NS_B"
	start_exporter flood --mode native --max-peers "$FLOOD_CAPACITY" --top "$FLOOD_TOP" || {
		ok 1 "$w: the exporter starts"
		return
	}
	mem0=$(peers_memlock "$E2E_EXP_PID")
	out=$(timeout 60 ip netns exec "$NS_B" "$FLOOD" --tx-if "$IF_B" --hold-if "$HOLD" \
		--rx-netns "$NS_A" --rx-if "$IF_A" --count "$FLOOD_FRAMES" --code 607 \
		--src-base 2001:db8:f:: 2>"$E2E_TMP/flood.err")
	ok $? "$w: spoof_flood sent $FLOOD_FRAMES frames, each counted before the next chunk"
	echo "# $out"
	e2e_show_log "$E2E_TMP/flood.err"
	check_eq "sent=$FLOOD_FRAMES first_source=2001:db8:f:: last_source=2001:db8:f::f:423f" \
		"${out% secs=*}" "$w: $FLOOD_FRAMES distinct sources, 2001:db8:f::/96 + 0..999999"
	# Several scrapes of the full map: their memory is reused, not piled up.
	for ((i = 0; i < 3; i++)); do
		scrape
	done
	check_eq "$FLOOD_FRAMES" "$(e2e_metric "$SCRAPE" \
		"sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"607\"}")" \
		"$w: sip6xx_responses_total 607 equals what was sent"
	check_eq "$FLOOD_FRAMES" "$(e2e_metric "$SCRAPE" \
		"sip6xx_packets_total{interface=\"$IF_A\",direction=\"rx\",result=\"sip_response\"}")" \
		"$w: sip6xx_packets_total sip_response equals what was sent"
	check_eq "$FLOOD_CAPACITY" "$(e2e_metric "$SCRAPE" \
		"sip6xx_peers_capacity{interface=\"$IF_A\"}")" "$w: sip6xx_peers_capacity"
	tracked=$(e2e_metric "$SCRAPE" "sip6xx_peers_tracked{interface=\"$IF_A\"}")
	evicted=$(e2e_metric "$SCRAPE" "sip6xx_peers_evicted_total{interface=\"$IF_A\"}")
	failed=$(e2e_metric "$SCRAPE" "sip6xx_peers_insert_failures_total{interface=\"$IF_A\"}")
	[ "$tracked" != missing ] && [ "$tracked" -gt "$FLOOD_TOP" ] &&
		[ "$tracked" -le "$FLOOD_CAPACITY" ]
	ok $? "$w: $FLOOD_TOP < sip6xx_peers_tracked <= capacity (got $tracked)"
	[ "$evicted" != missing ] && [ "$evicted" -ge $((FLOOD_FRAMES - FLOOD_CAPACITY)) ]
	ok $? "$w: sip6xx_peers_evicted_total >= sent - capacity (got $evicted)"
	check_eq "$FLOOD_FRAMES" "$((tracked + evicted + failed))" \
		"$w: tracked + evicted + insert failures = the distinct sources sent"
	# --top 100: the 100 kept sources (one frame each) and other, summing to the map.
	series=$(gf_series 607)
	check_eq $((FLOOD_TOP + 1)) "$series" "$w: 607 has --top $FLOOD_TOP series plus other"
	named=$(grep -c '^sip6xx_global_failures_total{.*source="2001:db8:f::[0-9a-f:]*",code="607"} 1$' \
		"$SCRAPE")
	check_eq "$FLOOD_TOP" "$named" "$w: each kept source counted its one frame"
	# The sources are the map's entries, one frame each.
	sum=$(gf_sum 607)
	check_eq $((sum - FLOOD_TOP)) "$(gf other 607)" "$w: other holds the rest of the sources"
	check_eq "$tracked" "$sum" "$w: the 607 series add up to the map's entries"
	series=$(grep -vc '^#' "$SCRAPE")
	bytes=$(wc -c <"$SCRAPE")
	[ "$series" -le "$SCRAPE_MAX_SERIES" ] && [ "$bytes" -le "$SCRAPE_MAX_BYTES" ]
	ok $? "$w: the scrape is bounded: $series series (<= $SCRAPE_MAX_SERIES), $bytes bytes (<= $SCRAPE_MAX_BYTES)"
	promtool_ok "$w"
	hwm=$(vm_kb "$E2E_EXP_PID" VmHWM)
	[ -n "$hwm" ] && [ "$hwm" -lt "$RSS_LIMIT_KB" ]
	ok $? "$w: exporter peak RSS ${hwm:-?} kB < $RSS_LIMIT_KB kB"
	mem1=$(peers_memlock "$E2E_EXP_PID")
	[ "$mem0" != missing ] && [ "$mem0" = "$mem1" ]
	ok $? "$w: the kernel's peers map kept its size ($mem0 -> $mem1 bytes memlock)"
	# SIGHUP without --peers: nothing to reload, and no stop.
	kill -HUP "$E2E_EXP_PID"
	e2e_wait_grep "$E2E_EXP_ERR" "SIGHUP: nothing to reload" 5
	grep -q "SIGHUP: nothing to reload" "$E2E_EXP_ERR" && kill -0 "$E2E_EXP_PID" 2>/dev/null
	ok $? "$w: SIGHUP without --peers is logged and does not stop the exporter"
	e2e_check_exporter_stops "$w"
}

test_usage
test_top_and_peers
test_unmatched_other
test_flood

e2e_cleanup
tap_done
