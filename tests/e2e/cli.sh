#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The exporter's command line: exit codes (0 clean, 1 runtime failure, 2 bad
# usage) and error messages. Every error must be exactly one line on stderr,
# start "sip6xx_exporter: error: ", name the value, interface, address or file
# at fault, and leave stdout empty (stdout is reserved for alerts).
# Runtime failures run inside a test namespace, so nothing touches the root
# namespace's interfaces.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

BPF_OBJ=${BUILD:-build}/sip6xx.bpf.o
NS_A=sip6xx-cli-a-$$
NS_B=sip6xx-cli-b-$$
IF_A=vethA
IF_B=vethB

e2e_require_root
e2e_require_bpf test_run
e2e_require_xdp_veth
e2e_require_exporter "$EXPORTER"
trap e2e_cleanup EXIT
e2e_tmpdir
OUT=$E2E_TMP/stdout
ERR=$E2E_TMP/stderr
RC=0

# run CMD...: run bounded (10 s), stdout/stderr to $OUT/$ERR, status to $RC.
run() {
	timeout 10 "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# expect_error WHAT RC NEEDLE: the last run() failed with status RC and one
# stderr line "sip6xx_exporter: error: ..." that contains NEEDLE (fixed string).
expect_error() {
	local what=$1 want_rc=$2 needle=$3 why="" lines
	lines=$(wc -l <"$ERR")
	[ "$RC" = "$want_rc" ] || why="$why exit status $RC, not $want_rc;"
	[ "$lines" = 1 ] || why="$why $lines stderr lines, not 1;"
	grep -q '^sip6xx_exporter: error: ' "$ERR" || why="$why no 'sip6xx_exporter: error: ' prefix;"
	grep -qF -- "$needle" "$ERR" || why="$why does not mention '$needle';"
	[ -s "$OUT" ] && why="$why wrote to stdout;"
	if [ -z "$why" ]; then
		ok 0 "$what: exit $want_rc, one line naming '$needle'"
	else
		ok 1 "$what:$why stderr: $(head -c 300 "$ERR" | tr '\n' '|')"
	fi
}

# ---- help and version: exit 0 -------------------------------------------------
test_help_version() {
	local opt missing=""

	run "$EXPORTER" --help
	check_eq 0 "$RC" "--help exits 0"
	for opt in --interface --mode --listen --port --max-peers --replay --format --help --version; do
		grep -qe "$opt" "$OUT" || missing="$missing $opt"
	done
	check_eq "" "$missing" "--help lists every option"
	# Each default the contract names, where the help can say it.
	missing=""
	for opt in auto :10060 65536 prometheus; do
		grep -qF -- "$opt" "$OUT" || missing="$missing $opt"
	done
	check_eq "" "$missing" "--help states the defaults (mode auto, listen :10060, 65536 peers, prometheus)"
	[ ! -s "$ERR" ]
	ok $? "--help writes nothing to stderr"
	run "$EXPORTER" -h
	check_eq 0 "$RC" "-h exits 0"

	run "$EXPORTER" --version
	check_eq 0 "$RC" "--version exits 0"
	[ "$(wc -l <"$OUT")" = 1 ] && grep -q '^sip6xx_exporter [^ ]' "$OUT"
	ok $? "--version prints one line 'sip6xx_exporter VERSION' (got '$(head -c 100 "$OUT")')"
}

# ---- bad usage: exit 2 ------------------------------------------------------------
test_usage() {
	run "$EXPORTER"
	expect_error "no arguments" 2 "-i"
	run "$EXPORTER" --bogus-option
	expect_error "unknown option" 2 "--bogus-option"
	run "$EXPORTER" -i lo --port 70000
	expect_error "--port 70000" 2 "70000"
	run "$EXPORTER" -i lo --port abc
	expect_error "--port abc" 2 "abc"
	run "$EXPORTER" -i lo --port 0
	expect_error "--port 0" 2 "--port '0'"
	run "$EXPORTER" -i lo --port 5060x
	expect_error "--port 5060x" 2 "5060x"
	run "$EXPORTER" -i lo --max-peers 0
	expect_error "--max-peers 0" 2 "--max-peers '0'"
	run "$EXPORTER" -i lo --max-peers -5
	expect_error "--max-peers -5" 2 "-5"
	run "$EXPORTER" -i lo --listen garbage
	expect_error "--listen garbage" 2 "garbage"
	run "$EXPORTER" -i lo --listen 127.0.0.1:99999
	expect_error "--listen port out of range" 2 "127.0.0.1:99999"
	run "$EXPORTER" -i lo --mode bogus
	expect_error "--mode bogus" 2 "bogus"
	run "$EXPORTER" --replay /nonexistent.pcap --format xml
	expect_error "--format xml" 2 "xml"
	run "$EXPORTER" -i lo --port
	expect_error "--port without a value" 2 "--port"
	# Usage is checked before privileges: an unprivileged user gets 2, not 1.
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$EXPORTER" -i lo --mode bogus
	expect_error "bad usage as an unprivileged user" 2 "bogus"
}

# ---- runtime failures: exit 1 -----------------------------------------------------
test_no_such_things() {
	run ip netns exec "$NS_A" "$EXPORTER" -i nosuchif0 --listen 127.0.0.1:19070
	expect_error "unknown interface" 1 "nosuchif0"
	# One good interface, one bad: fail, and leave nothing on the good one.
	run ip netns exec "$NS_A" "$EXPORTER" -i "$IF_A" -i nosuchif1 --listen 127.0.0.1:19070
	expect_error "second interface unknown" 1 "nosuchif1"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $((!$?)) "second interface unknown: no XDP left on $IF_A"
	run "$EXPORTER" --replay "$E2E_TMP/no-such.pcap"
	expect_error "--replay of a missing file" 1 "$E2E_TMP/no-such.pcap"
}

test_not_root() {
	run ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$EXPORTER" -i "$IF_A" --listen 127.0.0.1:19071
	expect_error "not root" 1 "$IF_A"
	grep -qiE 'root|CAP_BPF|permission|privilege' "$ERR"
	ok $? "not root: the message says privileges are missing"
}

test_port_in_use() {
	local port=19072 pid
	# Hold the port with a bounded listener inside NS_A.
	ip netns exec "$NS_A" timeout 30 "$E2E_PYTHON" -m http.server --bind 127.0.0.1 "$port" \
		>/dev/null 2>&1 &
	pid=$!
	e2e_track_pid "$pid"
	e2e_wait_http "$NS_A" "http://127.0.0.1:$port/" 10
	ok $? "port in use: 127.0.0.1:$port held by another listener"
	run ip netns exec "$NS_A" "$EXPORTER" -i "$IF_A" --listen "127.0.0.1:$port"
	expect_error "port in use" 1 "127.0.0.1:$port"
	e2e_xdp_attached "$NS_A" "$IF_A"
	ok $((!$?)) "port in use: the exporter detached from $IF_A before exiting"
	kill "$pid" 2>/dev/null
	e2e_wait_exit "$pid" 3
	e2e_untrack_pid "$pid"
}

prog_id() { # prog_id NS IFACE: id of the XDP program on IFACE, or none
	ip -n "$1" -d link show dev "$2" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -1
}

# follow_hint NS WHAT: run the command the last error suggests in quotes
# ('ip link set ...' or 'bpftool ...') inside NS, and check that it removes the
# program; with no command in the message, it must at least say what to do.
follow_hint() {
	local ns=$1 what=$2 hint
	hint=$(sed -n "s/.*'\(\(ip link set\|bpftool\) [^']*\)'.*/\1/p" "$ERR")
	if [ -z "$hint" ]; then
		grep -qiE 'detach|remove|off|stop' "$ERR"
		ok $? "$what: the message says how to detach"
		return
	fi
	# shellcheck disable=SC2086 # the hint is a command line, split on purpose
	ip netns exec "$ns" ${hint} >"$E2E_TMP/hint.out" 2>&1
	e2e_xdp_attached "$ns" "$IF_A"
	ok $((!$?)) "$what: the suggested '$hint' detaches it $(head -c 200 "$E2E_TMP/hint.out")"
}

# another_xdp MODE: a program attached with ip(8) in MODE (xdpdrv/xdpgeneric).
test_another_xdp() {
	local mode=$1 m before
	ip -n "$NS_A" link set dev "$IF_A" "$mode" obj "$BPF_OBJ" sec xdp
	ok $? "another XDP ($mode): a program attached to $IF_A with ip link"
	before=$(prog_id "$NS_A" "$IF_A")
	for m in auto native generic; do
		run ip netns exec "$NS_A" "$EXPORTER" -i "$IF_A" --mode "$m" --listen 127.0.0.1:19073
		expect_error "another XDP ($mode), --mode $m" 1 "$IF_A"
		check_eq "$before" "$(prog_id "$NS_A" "$IF_A")" \
			"another XDP ($mode), --mode $m: the other program is left in place"
	done
	follow_hint "$NS_A" "another XDP ($mode)"
	# Whatever the hint did, leave the interface clean for the next case.
	ip -n "$NS_A" link set dev "$IF_A" "$mode" off 2>/dev/null
}

# A second exporter on an interface the first one holds through a bpf_link.
test_second_exporter() {
	local pid
	ip netns exec "$NS_A" "$EXPORTER" -i "$IF_A" --listen 127.0.0.1:19074 \
		>/dev/null 2>"$E2E_TMP/first.stderr" &
	pid=$!
	e2e_track_pid "$pid"
	e2e_wait_http "$NS_A" "http://127.0.0.1:19074/metrics" 10
	ok $? "second exporter: the first one runs on $IF_A"
	run ip netns exec "$NS_A" "$EXPORTER" -i "$IF_A" --listen 127.0.0.1:19075
	expect_error "second exporter on the same interface" 1 "$IF_A"
	# ip(8) refuses to replace a program held by a bpf_link ("Can't replace
	# active BPF XDP link"): only 'bpftool link detach' or stopping the
	# holder works, and the hint must say one of those.
	follow_hint "$NS_A" "second exporter"
	kill -TERM "$pid" 2>/dev/null
	e2e_wait_exit "$pid" 5
	e2e_untrack_pid "$pid"
	check_eq 0 "$E2E_STATUS" "second exporter: the first one still stops cleanly"
}

e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"

test_help_version
test_usage
test_no_such_things
test_not_root
test_port_in_use
test_another_xdp xdpdrv
test_another_xdp xdpgeneric
test_second_exporter

e2e_cleanup
tap_done
