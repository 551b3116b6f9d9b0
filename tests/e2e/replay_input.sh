#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# --replay's input, beyond tests/e2e/replay.sh's one file per link type
# (captures written at test time by tests/e2e/replay/make_input_pcaps.py):
# - a file cut mid-record counts its complete records: the same metrics as a
#   file of only those records, exit status 3, and a warning naming the byte
#   where the last complete record ends (from the generator's layout);
# - a pcapng whose interfaces have different link types is decoded per
#   interface: the 22-record mix spread over six link types in two sections
#   (one big-endian) counts exactly as en10mb.pcap, and the records of an
#   unsupported interface are counted by link type in a warning; a pcapng of
#   only unsupported records is refused by name, as a pcap is;
# - "--replay -" reads stdin, a pipe included;
# - options with no meaning for --replay are refused (exit 2), not ignored.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

HERE=tests/e2e/replay

e2e_require_root "--replay loads the XDP program"
e2e_require_bpf test_run
e2e_require_exporter "$EXPORTER"
e2e_require_scapy
e2e_tmpdir
trap e2e_cleanup EXIT
T=$E2E_TMP

"$E2E_PYTHON" "$HERE/make_pcaps.py" "$T" || e2e_die "make_pcaps.py failed"
"$E2E_PYTHON" "$HERE/make_input_pcaps.py" "$T" || e2e_die "make_input_pcaps.py failed"

# replay WHAT ARGS...: run --replay (bounded), stdout to $T/WHAT.out, stderr
# to $T/WHAT.err, status in RC. The build_info line holds the version only.
replay() {
	local what=$1
	shift
	timeout 60 "$EXPORTER" --replay "$@" >"$T/$what.out" 2>"$T/$what.err"
	RC=$?
}

same_output() { # same_output WHAT REFERENCE: stdout of both runs identical
	cmp -s "$T/$1.out" "$T/$2.out"
	ok $? "$1: the same metrics as $2 $(diff "$T/$1.out" "$T/$2.out" | head -4 | tr '\n' '|')"
}

packets_sum() { # packets_sum FILE: every sip6xx_packets_total sample added
	awk '$1 ~ /^sip6xx_packets_total\{/ { s += $NF } END { printf "%d\n", s }' "$1"
}

# ---- a capture cut mid-record ---------------------------------------------------
# cut_case NAME EXT RECORDS: cut_NAME.EXT holds RECORDS complete records, then part of one.
cut_case() {
	local name=$1 ext=$2 records=$3 offset
	offset=$(cat "$T/cut_$name.offset")
	replay "full_$name" "$T/full_$name.$ext"
	check_eq 0 "$RC" "full_$name.$ext (the complete records alone): exit 0"
	replay "cut_$name" "$T/cut_$name.$ext"
	check_eq 3 "$RC" "cut_$name.$ext: exit status 3, the one for a capture cut short"
	same_output "cut_$name" "full_$name"
	check_eq "$records" "$(packets_sum "$T/cut_$name.out")" \
		"cut_$name.$ext: the $records complete records are counted"
	grep -q "warning: .*cut_$name.$ext.*byte $offset\b" "$T/cut_$name.err"
	ok $? "cut_$name.$ext: the warning names byte $offset, where record $records ends"
	[ -s "$T/cut_$name.err" ] && sed 's/^/# /' "$T/cut_$name.err"
	# The same through a pipe: stdin cannot seek, the offset is the same.
	timeout 60 "$EXPORTER" --replay - <"$T/cut_$name.$ext" 2>"$T/pipe_$name.err" |
		cat >"$T/pipe_$name.out"
	check_eq 3 "${PIPESTATUS[0]}" "cut_$name.$ext through a pipe: exit status 3"
	same_output "pipe_$name" "full_$name"
	grep -q "stdin.*byte $offset\b" "$T/pipe_$name.err"
	ok $? "cut_$name.$ext through a pipe: the warning names stdin and byte $offset"
}
cut_case header pcap 21
cut_case data pcap 11
cut_case block pcapng 11

# ---- stdin ---------------------------------------------------------------------
replay en10mb "$T/en10mb.pcap"
check_eq 0 "$RC" "en10mb.pcap: exit 0"
for f in en10mb.pcap en10mb.pcapng sll.pcap; do
	timeout 60 "$EXPORTER" --replay - <"$T/$f" >"$T/stdin_$f.out" 2>"$T/stdin_$f.err"
	check_eq 0 "$?" "--replay - <$f: exit 0"
	same_output "stdin_$f" en10mb
done
cat "$T/en10mb.pcapng" | timeout 60 "$EXPORTER" --replay - --format json >"$T/pipe.json" \
	2>"$T/pipe.json.err"
check_eq 0 "$?" "en10mb.pcapng piped to --replay - --format json: exit 0"
"$E2E_PYTHON" "$HERE/json2prom.py" <"$T/pipe.json" | grep -c . >"$T/pipe.json.n"
check_eq "$(grep -cE '^sip6xx_(responses|global_failures|packets)_total\{' "$T/en10mb.out")" \
	"$(cat "$T/pipe.json.n")" "piped pcapng, --format json: as many counter samples as en10mb.pcap"

# ---- pcapng with interfaces of several link types ----------------------------------
replay mixed "$T/mixed.pcapng"
check_eq 0 "$RC" "mixed.pcapng: exit 0 (libpcap alone refuses it)"
same_output mixed en10mb
grep -q "warning: .*mixed.pcapng: 6 frames .*link type IEEE802_11 (105) not counted" "$T/mixed.err"
ok $? "mixed.pcapng: a warning counts the 6 frames of the IEEE802_11 interface, by name"
[ -s "$T/mixed.err" ] && sed 's/^/# /' "$T/mixed.err"
replay wlan_ng "$T/wlan.pcapng"
check_eq 1 "$RC" "wlan.pcapng (802.11 only): exit 1"
check_eq 0 "$(wc -c <"$T/wlan_ng.out")" "wlan.pcapng: prints no metrics"
grep -q "error: .*wlan.pcapng: link type IEEE802_11 (105) is not supported" "$T/wlan_ng.err"
ok $? "wlan.pcapng: the error names the link type, as for a pcap"

# ---- options --replay has no use for ------------------------------------------------
for opt in "--listen 127.0.0.1:19080" "--pin-path /sys/fs/bpf/sip6xx" "--direction both" \
	"--mode native" "--alert-codes 607" "--alert-window 2s" \
	"--alertmanager-url http://127.0.0.1:9093" "--alert-instance x"; do
	# shellcheck disable=SC2086 # "OPTION VALUE", split on purpose
	replay refused "$T/en10mb.pcap" $opt
	check_eq 2 "$RC" "--replay with $opt: exit 2"
	grep -q "^sip6xx_exporter: error: ${opt%% *} has no meaning with --replay" "$T/refused.err"
	ok $? "--replay with $opt: one line naming ${opt%% *} $(head -c 200 "$T/refused.err")"
	check_eq 0 "$(wc -c <"$T/refused.out")" "--replay with $opt: nothing on stdout"
done

tap_done
