#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Small faults of the exporter's command line and start, each once silent or
# confusing (issue 15, item 13 and 15):
# - a repeated --port, and "-i --top 5" (getopt takes --top as the name),
#   are usage errors that say what is wrong;
# - --help's usage lines show --detach, and --help names every long option;
# - --max-peers states the kernel memory the map takes (checked against the
#   kernel's own memlock of such a map), and above 1 GiB needs --force-max-peers;
# - native XDP refused at MTU 9000: the message says what to do, and doing it
#   works;
# - a --peers file the --user cannot read stops the start, not the first SIGHUP;
# - a signalfd failure at start leaks nothing (valgrind, the failure injected
#   with strace).
# Everything runs in a test namespace or on a replay; nothing touches the root
# namespace's interfaces.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

NS_A=sip6xx-clif-a-$$
NS_B=sip6xx-clif-b-$$
IF_A=vethA
IF_B=vethB

e2e_require_root
e2e_require_bpf test_run
e2e_require_xdp_veth
e2e_require_bpffs
e2e_require_exporter "$EXPORTER"
for tool in valgrind strace bpftool; do
	e2e_require_tool "$tool"
done
e2e_require_scapy
trap e2e_cleanup EXIT
e2e_tmpdir
T=$E2E_TMP
OUT=$T/stdout
ERR=$T/stderr
RC=0

run() { # run CMD...: bounded (20 s); stdout, stderr to $OUT, $ERR; status in RC
	timeout 20 "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# usage_error WHAT NEEDLE...: the last run() exited 2 with one stderr line
# "sip6xx_exporter: error: ..." holding every NEEDLE, and nothing on stdout.
usage_error() {
	local what=$1 n why=""
	shift
	[ "$RC" = 2 ] || why="$why exit $RC, not 2;"
	[ "$(wc -l <"$ERR")" = 1 ] || why="$why $(wc -l <"$ERR") stderr lines;"
	grep -q '^sip6xx_exporter: error: ' "$ERR" || why="$why no error prefix;"
	for n in "$@"; do
		grep -qF -- "$n" "$ERR" || why="$why no '$n';"
	done
	[ -s "$OUT" ] && why="$why wrote to stdout;"
	ok "$([ -z "$why" ] && echo 0 || echo 1)" "$what:${why:- exit 2, one line} $(head -c 250 "$ERR")"
}

# Usage errors run in the namespace too: a build without the check would attach.
e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
INNS=(ip netns exec "$NS_A" "$EXPORTER" --listen 127.0.0.1:19089)

# ---- usage -------------------------------------------------------------------------
run "${INNS[@]}" -i "$IF_A" --port 5060 --port 5080 --port 5060
usage_error "--port 5060 given twice" "--port 5060" "twice"
run "${INNS[@]}" -i --top 5
usage_error "-i --top 5" "-i needs an interface name" "'--top'"

run "$EXPORTER" --help
check_eq 0 "$RC" "--help exits 0"
grep -qE '^ +sip6xx_exporter --detach -i IFACE .*--pin-path DIR' "$OUT"
ok $? "--help: a usage line for --detach"
missing=""
for opt in $(sed -n 's/^\t[A-Z_]*OPT("\([a-z-]*\)".*/\1/p' user/exporter/cli.c); do
	grep -qe "--$opt\b" "$OUT" || missing="$missing --$opt"
done
check_eq "" "$missing" "--help names every long option of user/exporter/cli.c"

# ---- --max-peers: what it costs ------------------------------------------------------
"$E2E_PYTHON" tests/e2e/replay/make_pcaps.py "$T" || e2e_die "make_pcaps.py failed"
run "${INNS[@]}" -i "$IF_A" --max-peers 16777216
usage_error "--max-peers 16777216" "--max-peers 16777216" "MiB" "1024 MiB limit" "--force-max-peers"
run "${INNS[@]}" -i "$IF_A" --force-max-peers
usage_error "--force-max-peers alone" "--force-max-peers" "--max-peers N"
entries=1048576
run "$EXPORTER" --replay "$T/ipv4.pcap" --max-peers $entries
check_eq 0 "$RC" "--replay --max-peers $entries: exit 0"
stated=$(sed -n "s/.*--max-peers $entries: .*MiB (\([0-9]*\) bytes) of kernel memory.*/\1/p" "$ERR")
ok "$([ -n "$stated" ] && echo 0 || echo 1)" "--max-peers $entries: says how much kernel memory ('$stated' bytes)"
# The kernel's own figure for the same map (struct peer_key is 24 bytes): memlock
# is the exact allocation from 6.6 on (htab_map_mem_usage), a rough one before.
pin=/sys/fs/bpf/sip6xx-clif-$$
bpftool map create "$pin" type lru_percpu_hash key 24 value 8 entries $entries name clif_probe
kernel=$(bpftool map show pinned "$pin" | sed -n 's/.*memlock \([0-9]*\)B.*/\1/p')
rm -f "$pin"
read -r kmaj kmin _ < <(uname -r | tr '.-' '  ')
if [ "$kmaj" -gt 6 ] || { [ "$kmaj" -eq 6 ] && [ "$kmin" -ge 6 ]; }; then
	# Within 1%: the kernel adds a few hundred bytes of LRU bookkeeping.
	awk -v s="${stated:-0}" -v k="${kernel:-0}" 'BEGIN { exit !(k > 0 && s > k * 0.99 && s < k * 1.01) }'
	ok $? "--max-peers $entries: the stated $stated bytes match the kernel's memlock $kernel"
else
	echo "# kernel $(uname -r) reports no exact memlock (before 6.6): $kernel against $stated"
fi

# ---- --callers, --intermediaries, --transactions: bounded, and the key file checked ----
bad_value() { # bad_value OPTION VALUE RANGE: refused on --replay, naming both
	run "$EXPORTER" --replay "$T/ipv4.pcap" "$1" "$2"
	usage_error "$1 $2" "$1 '$2'" "$3"
}
bad_value --callers 1001 "0..1000"
bad_value --callers ten "0..1000"
bad_value --intermediaries -1 "0..1000"
bad_value --transactions 0 "1..16777216"
bad_value --transactions 16777217 "1..16777216"
run "$EXPORTER" --replay "$T/ipv4.pcap" --callers 5 --callers-window 5m
usage_error "--replay --callers-window" "--callers-window" "no meaning with --replay"
run "${INNS[@]}" -i "$IF_A" --callers 5 --callers-window 500ms
usage_error "--callers-window 500ms" "--callers-window '500ms'" "shorter than 1s"
run "${INNS[@]}" -i "$IF_A" --callers 5 --context-rate 0
usage_error "--callers with --context-rate 0" "--callers" "--context-rate above 0"
run "${INNS[@]}" -i "$IF_A" --alert-callers
usage_error "--alert-callers without --callers" "--alert-callers" "it needs --callers N"
run "$EXPORTER" --replay "$T/ipv4.pcap" --callers 5 --alert-callers
usage_error "--replay --alert-callers" "--alert-callers" "no meaning with --replay"
head -c 32 /dev/urandom >"$T/key"
chmod 600 "$T/key"
run "$EXPORTER" --replay "$T/ipv4.pcap" --callers-hash "$T/key"
usage_error "--callers-hash without --callers" "--callers-hash" "--callers N"
run "$EXPORTER" --replay "$T/ipv4.pcap" --callers 5 --callers-hash "$T/no-such-key"
usage_error "--callers-hash, no such file" "$T/no-such-key" "No such file"
run "$EXPORTER" --replay "$T/ipv4.pcap" --callers 5 --callers-hash "$T"
usage_error "--callers-hash, a directory" "'$T'" "not a regular file"
head -c 8 /dev/urandom >"$T/short.key"
chmod 600 "$T/short.key"
run "$EXPORTER" --replay "$T/ipv4.pcap" --callers 5 --callers-hash "$T/short.key"
usage_error "--callers-hash, 8 bytes" "$T/short.key" "holds 8 bytes" "16..1024"
cp "$T/key" "$T/open.key"
chmod 644 "$T/open.key"
run "$EXPORTER" --replay "$T/ipv4.pcap" --callers 5 --callers-hash "$T/open.key"
usage_error "--callers-hash, world-readable" "$T/open.key" "readable by everyone"
run "$EXPORTER" --replay "$T/ipv4.pcap" --callers 5 --intermediaries 5 --callers-hash "$T/key" \
	--transactions 1024
check_eq 0 "$RC" "--replay --callers 5 --intermediaries 5 --callers-hash --transactions 1024: exit 0"

# ---- starting in the namespace -----------------------------------------------------------
# MTU 9000: veth refuses native XDP above about 3.5 KiB (its peer's MTU counts).
ip -n "$NS_A" link set "$IF_A" mtu 9000 && ip -n "$NS_B" link set "$IF_B" mtu 9000
ok $? "MTU 9000 on $IF_A and $IF_B"
run ip netns exec "$NS_A" "$EXPORTER" -i "$IF_A" --mode native --listen 127.0.0.1:19090
check_eq 1 "$RC" "MTU 9000, --mode native: exit 1"
grep -qF "'ip link set dev $IF_A mtu 1500'" "$ERR" && grep -qF -- "--mode generic" "$ERR"
ok $? "MTU 9000, --mode native: the error says to lower the MTU or use --mode generic $(head -c 300 "$ERR")"
e2e_start_exporter mtu-auto "$NS_A" http://127.0.0.1:19091/metrics \
	"$EXPORTER" -i "$IF_A" --listen 127.0.0.1:19091
ok $? "MTU 9000, --mode auto: runs"
grep -q "warning: $IF_A: native XDP is not available.*falling back to generic.*'ip link set dev $IF_A mtu 1500'.*--mode generic" \
	"$E2E_EXP_ERR"
ok $? "MTU 9000, --mode auto: the fallback warning says what to do $(head -c 400 "$E2E_EXP_ERR")"
e2e_check_exporter_stops "MTU 9000, --mode auto"
# Do what it says, on both ends of the veth.
ip -n "$NS_A" link set dev "$IF_A" mtu 1500 && ip -n "$NS_B" link set dev "$IF_B" mtu 1500
e2e_start_exporter mtu-native "$NS_A" http://127.0.0.1:19092/metrics \
	"$EXPORTER" -i "$IF_A" --mode native --listen 127.0.0.1:19092
ok $? "MTU 1500 as told: --mode native attaches"
check_eq xdp "$(e2e_xdp_mode "$NS_A" "$IF_A")" "MTU 1500 as told: the program runs in native mode (ip: xdp)"
e2e_check_exporter_stops "MTU 1500, --mode native"

# --peers readable by root but not by the --user the exporter becomes (nobody).
printf '198.18.0.0/15 lab\n' >"$T/peers.txt"
chmod 0600 "$T/peers.txt"
run ip netns exec "$NS_A" "$EXPORTER" -i "$IF_A" --listen 127.0.0.1:19093 --peers "$T/peers.txt"
check_eq 1 "$RC" "--peers unreadable by --user: the start fails (exit 1), not a later SIGHUP"
grep -q "error: --peers $T/peers.txt: the exporter now runs as uid 65534 and cannot read it" "$ERR"
ok $? "--peers unreadable by --user: the error names the file and the user $(grep error "$ERR" | head -c 300)"
e2e_xdp_attached "$NS_A" "$IF_A"
ok $((!$?)) "--peers unreadable by --user: nothing left attached on $IF_A"
chmod 0644 "$T/peers.txt"
chmod 0755 "$T"
e2e_start_exporter peers-ok "$NS_A" http://127.0.0.1:19094/metrics \
	"$EXPORTER" -i "$IF_A" --listen 127.0.0.1:19094 --peers "$T/peers.txt"
ok $? "--peers readable by --user: the exporter runs"
e2e_check_exporter_stops "--peers readable"

# signalfd fails (injected): the --peers table is freed on the way out.
run ip netns exec "$NS_A" strace -f -o /dev/null -e trace=signalfd4 \
	-e inject=signalfd4:error=EMFILE valgrind -q --leak-check=full \
	--errors-for-leak-kinds=definite --error-exitcode=9 \
	"$EXPORTER" -i "$IF_A" --listen 127.0.0.1:19095 --peers "$T/peers.txt"
check_eq 1 "$RC" "signalfd fails: exit 1 (9 is valgrind's: memory lost)"
grep -q "error: signalfd: Too many open files" "$ERR"
ok $? "signalfd fails: the error says why $(grep -m1 error "$ERR")"
grep -q "definitely lost" "$ERR"
ok $((!$?)) "signalfd fails: nothing definitely lost $(grep -m1 -A3 'definitely lost' "$ERR" | tr '\n' '|')"

e2e_cleanup
tap_done
