#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Small faults of the exporter's command line and start, each once silent or
# confusing (issue 15, item 13 and 15):
# - a repeated --port, and "-i --top 5" (getopt takes --top as the name),
#   are usage errors that say what is wrong;
# - --help's usage lines show --detach, and --help names every long option;
# - --max-peers states the kernel memory the map takes (checked against the
#   kernel's own memlock of such a map), and above 1 GiB needs --force-max-peers;
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
e2e_require_exporter "$EXPORTER"
for tool in bpftool; do
	command -v "$tool" >/dev/null || e2e_die "$tool is missing (scripts/deps.sh installs it)"
done
"$E2E_PYTHON" -c 'import scapy' 2>/dev/null || e2e_die "$E2E_PYTHON lacks scapy (python3-scapy)"
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
for opt in $(sed -n 's/^\t{ "\([a-z-]*\)", .*/\1/p' user/cli.c); do
	grep -qe "--$opt\b" "$OUT" || missing="$missing --$opt"
done
check_eq "" "$missing" "--help names every long option of user/cli.c"

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

e2e_cleanup
tap_done
