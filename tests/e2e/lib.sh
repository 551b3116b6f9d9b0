# shellcheck shell=bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Shared helpers for the end-to-end suites: two network namespaces joined by a
# veth pair, process and namespace cleanup, bounded HTTP waits, scrapes and a
# metric extractor; the exporter's start, stop and logs; spikes of 6xx from
# send_spike.py, an Alertmanager, and sipp's counts. One copy each, so a fix
# to a wait or a stop reaches every suite. Source it after tests/lib/tap.sh.
#
# Traffic never leaves the namespaces made here, and only uses the documentation
# and benchmarking ranges 198.18.0.0/15 and 2001:db8::/32. Namespace names carry
# the PID, so parallel runs do not clash. The root namespace is never touched.

E2E_NETNS=()	# namespaces this script made; removed by e2e_cleanup
E2E_PIDS=()	# processes this script started; killed by e2e_cleanup
E2E_TMP=""	# scratch directory; removed by e2e_cleanup
# shellcheck disable=SC2034 # read by the scripts that source this file
E2E_STATUS=""	# exit status found by e2e_wait_exit
# The exporter a suite runs at the moment (e2e_start_exporter and friends).
# One set of names for every suite, so the stop, the log on failure and the
# checks on stderr all read the same run.
E2E_EXP_PID=""	# its PID: ip netns exec execs it, so this is the exporter itself
E2E_EXP_ERR=""	# its stderr: E2E_TMP/N-NAME.stderr
E2E_EXP_OUT=""	# its stdout: E2E_TMP/N-NAME.stdout
E2E_RUN=0	# N: numbers the runs, so a restart does not overwrite the logs before it
# shellcheck disable=SC2034 # read by the scripts that source this file
E2E_AM_PID=""	# the Alertmanager e2e_start_alertmanager started last
# shellcheck disable=SC2034 # read by the scripts that source this file
E2E_BG_PID=""	# the sender e2e_send_spike --bg started last

# The build under test (make test passes BUILD) and the exporter in it.
BUILD=${BUILD:-build}
EXPORTER=$BUILD/sip6xx_exporter

# /usr/bin/python3 has Debian's python3-scapy; a python3 earlier on PATH may not.
E2E_PYTHON=${E2E_PYTHON:-/usr/bin/python3}

e2e_die() { # e2e_die MESSAGE: a fatal setup problem, reported as one failed test
	if declare -F ok >/dev/null; then
		ok 1 "$*"
		echo "1..$TAP_N"
	else
		echo "not ok 1 - $*"
		echo "1..1"
	fi
	exit 1
}

# ---- what a suite needs: each check skips the whole suite, with the reason ------
# Call them before the first test (tap.sh's tap_skip_all prints "1..0 # SKIP
# why"). A build that is missing (exporter, probe) is a failure, not a skip.

e2e_require_root() { # e2e_require_root [WHY]
	tap_require_root "${1:-it makes network namespaces and loads BPF}"
}

e2e_require_tool() { # e2e_require_tool CMD [HOW]: CMD on PATH, else skip
	tap_require_cmd "$@"
}

e2e_require_scapy() { # $E2E_PYTHON imports scapy, else skip
	"$E2E_PYTHON" -c 'import scapy' 2>/dev/null ||
		tap_skip_all "$E2E_PYTHON lacks scapy (Debian: python3-scapy)"
}

# e2e_require_bpf [maps|prog|test_run]: this process can create maps, load an
# XDP program (the default), or also run it with BPF_PROG_TEST_RUN (--replay).
# The probe says why on status 1; any other failure (a usage error, a crash)
# is the test tool's fault, so a failure, not a skip.
e2e_require_bpf() {
	local probe=$BUILD/tests/tools/bpf_probe why rc
	[ -x "$probe" ] || e2e_die "$probe is missing: build it first (make test-build)"
	why=$("$probe" "${1:-prog}") && rc=0 || rc=$?
	[ "$rc" -eq 0 ] && return
	[ "$rc" -eq 1 ] || e2e_die "$probe ${1:-prog} failed with status $rc: $why"
	tap_skip_all "${why:-BPF is unavailable}"
}

# e2e_require_bpffs: the kernel can mount a BPF filesystem (pinning).
e2e_require_bpffs() {
	grep -qw bpf /proc/filesystems 2>/dev/null ||
		tap_skip_all "the kernel has no BPF filesystem (bpffs): pinning needs one"
}

# e2e_require_xdp_veth: XDP attaches natively to a veth interface (5.x
# kernels do; checked on a pair in a namespace made and removed here).
e2e_require_xdp_veth() {
	local probe=$BUILD/tests/tools/bpf_probe ns=sip6xx-probe-$$ why="" rc
	[ -x "$probe" ] || e2e_die "$probe is missing: build it first (make test-build)"
	ip netns add "$ns" 2>/dev/null || tap_skip_all "cannot make a network namespace"
	if ip -n "$ns" link add probe0 type veth peer name probe1 &&
		ip -n "$ns" link set probe0 up && ip -n "$ns" link set probe1 up; then
		why=$(ip netns exec "$ns" "$probe" xdp probe0) && rc=0 || rc=$?
		[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || {
			ip netns del "$ns" 2>/dev/null
			e2e_die "$probe xdp failed with status $rc: $why"
		}
		[ "$rc" -eq 0 ] || why=${why:-native XDP on veth failed}
	else
		why="cannot make a veth pair"
	fi
	ip netns del "$ns" 2>/dev/null
	[ -z "$why" ] || tap_skip_all "XDP on veth: $why"
}

e2e_require_exporter() { # e2e_require_exporter PATH
	[ -x "$1" ] || e2e_die "$1 is missing: build it first (make all)"
}

e2e_tmpdir() {
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sip6xx-e2e.$$.XXXXXX") || e2e_die "mktemp failed"
}

# Kill what we started, delete what we made. Safe to call twice (trap EXIT + explicit).
e2e_cleanup() {
	local ns
	e2e_stop_tracked
	for ns in "${E2E_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	E2E_NETNS=()
	[ -n "$E2E_TMP" ] && rm -rf "$E2E_TMP"
	E2E_TMP=""
}

# Stop every tracked process: SIGTERM, 3 s each to exit (and detach), then SIGKILL.
e2e_stop_tracked() {
	local pid
	for pid in "${E2E_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${E2E_PIDS[@]}"; do
		timeout 3 tail --pid="$pid" -f /dev/null 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
	done
	E2E_PIDS=()
}

e2e_track_pid() { # e2e_track_pid PID: killed by e2e_cleanup unless already gone
	E2E_PIDS+=("$1")
}

e2e_untrack_pid() { # e2e_untrack_pid PID: the caller reaped it
	local p keep=()
	kill -0 "$1" 2>/dev/null && return	# still running: e2e_cleanup must kill it
	for p in "${E2E_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	E2E_PIDS=("${keep[@]}")
}

# e2e_netns_pair NS_A NS_B IF_A IF_B
# Two namespaces, a veth pair IF_A (in A) <-> IF_B (in B), addresses
# 198.18.0.1/24 + 2001:db8::1/64 on A and .2 / ::2 on B, loopback up in both.
e2e_netns_pair() {
	local a=$1 b=$2 ia=$3 ib=$4 ns
	for ns in "$a" "$b"; do
		ip netns add "$ns" || e2e_die "ip netns add $ns failed"
		E2E_NETNS+=("$ns")
		# No DAD: v6 addresses are usable at once. No router solicitations:
		# fewer frames the kernel sends on its own.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.default.router_solicitations=0 >/dev/null
		ip -n "$ns" link set lo up
	done
	e2e_veth_pair "$a" "$b" "$ia" "$ib" addr ||
		e2e_die "cannot make veth pair $ia/$ib in $a/$b with its addresses, up"
}

# e2e_veth_pair NS_A NS_B IF_A IF_B [addr]: a veth pair IF_A (in NS_A) <->
# IF_B (in NS_B), both up and ready; with "addr", e2e_netns_pair's addresses.
# Also for a second pair, or one deleted and made again under a running
# exporter (suites that send at L2 need no addresses). Stops at the first
# failure; 0 when the pair is up.
e2e_veth_pair() {
	local a=$1 b=$2 ia=$3 ib=$4
	# Made inside A with its peer inside B: nothing is created in the root namespace.
	ip -n "$a" link add "$ia" type veth peer name "$ib" netns "$b" || return 1
	if [ "${5:-}" = addr ]; then
		ip -n "$a" addr add 198.18.0.1/24 dev "$ia" &&
			ip -n "$b" addr add 198.18.0.2/24 dev "$ib" &&
			ip -n "$a" addr add 2001:db8::1/64 dev "$ia" nodad &&
			ip -n "$b" addr add 2001:db8::2/64 dev "$ib" nodad || return 1
	fi
	ip -n "$a" link set "$ia" up && ip -n "$b" link set "$ib" up &&
		e2e_link_ready "$a" "$ia" && e2e_link_ready "$b" "$ib"
}

# e2e_link_ready NS IFACE: wait (at most 5 s) until IFACE is up and IPv6 runs
# on it. Carrier changes reach addrconf through linkwatch, up to a second
# late; until then the namespace ignores neighbour solicitations, and its own
# start-up frames (MLD, router solicitations) would land in a test's counts.
e2e_link_ready() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip -n "$1" -o link show dev "$2" | grep -q 'state UP' &&
			ip -n "$1" -6 -o addr show dev "$2" scope link | grep -v tentative |
			grep -q fe80 && return 0
		sleep 0.1
	done
	return 1
}

e2e_mac() { # e2e_mac NS IFACE: print the interface's MAC address
	ip -n "$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# e2e_wait_http NS URL [SECONDS [PID [CURL_ARGS...]]]: poll until URL answers
# (any HTTP status; CURL_ARGS -f: a 2xx only), at most SECONDS (default 10).
# With PID, give up as soon as PID is gone: a server that died answers nothing.
# Returns 1 on timeout.
e2e_wait_http() {
	local ns=$1 url=$2 secs=${3:-10} pid=${4:-} i
	shift $(($# < 4 ? $# : 4))
	for ((i = 0; i < secs * 10; i++)); do
		if ip netns exec "$ns" curl -s -o /dev/null --max-time 1 "$@" "$url"; then
			return 0
		fi
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# e2e_wait_ready NS URL PID LOG SECONDS [LINES]: e2e_wait_http for a 200 (a
# /-/ready) from the server PID; on failure LOG (its last LINES) is quoted.
e2e_wait_ready() {
	e2e_wait_http "$1" "$2" "$5" "$3" -f && return 0
	e2e_show_log "$4" "${6:-}"
	return 1
}

# e2e_scrape NS URL OUTFILE: GET URL from inside NS into OUTFILE; curl's status.
e2e_scrape() {
	ip netns exec "$1" curl -sf --max-time 5 -o "$3" "$2"
}

# e2e_metric FILE 'name{k="v",...}': print the sample's value, or "missing".
# Label order does not matter, but the label set must match exactly, so
# {interface="x",code="607"} does not also match a sample with a source label.
# Integral values print without a fraction (5, not 5.0 or 5e+00).
e2e_metric() {
	awk -v want="$2" '
	function norm(s,    name, body, n, parts, i, out) {
		name = s; body = ""
		if (index(s, "{")) {
			name = substr(s, 1, index(s, "{") - 1)
			body = substr(s, index(s, "{") + 1)
			sub(/}$/, "", body)
		}
		# Split on the commas between label pairs (after a closing quote).
		gsub(/",/, "\"\001", body)
		n = split(body, parts, "\001")
		for (i = 1; i <= n; i++)
			gsub(/^[ \t]+|[ \t]+$/, "", parts[i])
		# Insertion sort: awk has no portable sort.
		for (i = 2; i <= n; i++) {
			v = parts[i]; j = i - 1
			while (j > 0 && parts[j] > v) { parts[j + 1] = parts[j]; j-- }
			parts[j + 1] = v
		}
		out = name "{"
		for (i = 1; i <= n; i++)
			if (parts[i] != "")
				out = out (i > 1 ? "," : "") parts[i]
		return out "}"
	}
	BEGIN { key = norm(want); found = 0 }
	/^#/ || NF < 2 { next }
	{
		# series is name{...} (labels never contain "}" here) or a bare name.
		if (match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*\{[^}]*\}/)) {
			series = substr($0, 1, RLENGTH)
			rest = substr($0, RLENGTH + 1)
		} else {
			series = $1
			rest = substr($0, length($1) + 1)
		}
		# The value is the first field after the series; a timestamp may follow.
		sub(/^[ \t]+/, "", rest)
		split(rest, f, /[ \t]+/)
		val = f[1]
		if (norm(series) == key) {
			found = 1
			if (val ~ /^[-+0-9.eE]+$/ && val + 0 == int(val + 0))
				printf "%d\n", val + 0
			else
				print val
			exit
		}
	}
	END { if (!found) print "missing" }
	' "$1"
}

# e2e_metric0 FILE SERIES: like e2e_metric, but an absent sample reads as 0
# (for counters the exporter may omit until they move).
e2e_metric0() {
	local v
	v=$(e2e_metric "$1" "$2")
	[ "$v" = missing ] && v=0
	echo "$v"
}

# e2e_wait_metric NS URL OUTFILE SERIES VALUE [SECONDS]: scrape until SERIES
# reads VALUE (XDP on veth runs from NAPI, so counts land a moment after the
# send returns). Leaves the last scrape in OUTFILE. Bounded by SECONDS (5).
e2e_wait_metric() {
	local ns=$1 url=$2 out=$3 series=$4 want=$5 secs=${6:-5} i
	for ((i = 0; i < secs * 10; i++)); do
		if e2e_scrape "$ns" "$url" "$out" && [ "$(e2e_metric "$out" "$series")" = "$want" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# e2e_check_expect EXPECT_FILE SCRAPE WHAT: one TAP line per line of a send_mix.py
# expectation file (tap.sh must be sourced).
e2e_check_expect() {
	local expect=$1 scrape=$2 what=$3 kind series want got
	while read -r kind series want; do
		case $kind in
		eq)
			got=$(e2e_metric "$scrape" "$series")
			check_eq "$want" "$got" "$what: $series"
			;;
		ge)
			# The kernels in NS_A and NS_B add frames of their own (ARP and
			# neighbour discovery, MLD, ICMP errors answering our frames),
			# so non-SIP outcomes can only be bounded from below.
			got=$(e2e_metric0 "$scrape" "$series")
			[ "$got" != missing ] && [ "$got" -ge "$want" ]
			ok $? "$what: $series >= $want (got $got)"
			;;
		zero)
			got=$(e2e_metric0 "$scrape" "$series")
			check_eq 0 "$got" "$what: $series is 0 or absent"
			;;
		sum)
			got=$(e2e_metric_sum "$scrape" "$series")
			check_eq "$want" "$got" "$what: $series (summed over labels)"
			;;
		esac
	done <"$expect"
}

# e2e_wait_for_counts NS URL EXPECT_FILE SCRAPE [SECS]: XDP on veth runs from
# NAPI, so the last frames may land a moment after sendp() returns; wait
# (bounded, 5 s by default) until the sip_response count is what was sent,
# and leave that scrape in SCRAPE.
e2e_wait_for_counts() {
	local ns=$1 url=$2 expect=$3 scrape=$4 secs=${5:-5} series want
	series=$(awk '$2 ~ /result="sip_response"/ { print $2 }' "$expect" | head -1)
	want=$(awk '$2 ~ /result="sip_response"/ { print $3 }' "$expect" | head -1)
	e2e_wait_metric "$ns" "$url" "$scrape" "$series" "$want" "$secs" ||
		e2e_scrape "$ns" "$url" "$scrape"
}

# e2e_check_values FILE WHAT "SERIES VALUE"...: one TAP line per series, its value in FILE.
e2e_check_values() {
	local file=$1 what=$2 line
	shift 2
	for line in "$@"; do
		check_eq "${line##* }" "$(e2e_metric "$file" "${line% *}")" "$what: ${line% *}"
	done
}

# e2e_check_sums FILE WHAT "NAME SUM"...: one TAP line per metric, the sum of its samples.
e2e_check_sums() {
	local file=$1 what=$2 line
	shift 2
	for line in "$@"; do
		check_eq "${line##* }" "$(e2e_metric_sum "$file" "${line% *}")" \
			"$what: sum of ${line% *}"
	done
}

# A private bpffs at $PIN for the suites that pin (one at /sys/fs/bpf would not
# outlive `ip netns exec`): e2e_mount_pin mounts it, e2e_cleanup_pin (their
# EXIT trap) runs e2e_cleanup, then unmounts and removes it.
E2E_PIN_MOUNTED=0
e2e_mount_pin() { # e2e_mount_pin DIR
	mkdir -p "$1" || return 1
	mount -t bpf bpf "$1" || { rmdir "$1" 2>/dev/null; return 1; }
	E2E_PIN_MOUNTED=1
}
e2e_cleanup_pin() {
	e2e_cleanup
	if [ "$E2E_PIN_MOUNTED" = 1 ]; then
		umount "$PIN" 2>/dev/null || umount -l "$PIN" 2>/dev/null
		rmdir "$PIN" 2>/dev/null
		E2E_PIN_MOUNTED=0
	fi
}

# e2e_xdp_attached NS IFACE: true while any XDP program sits on IFACE.
e2e_xdp_attached() {
	ip -n "$1" -d link show dev "$2" 2>/dev/null | grep -qE '(^| )(xdp|xdpgeneric|xdpdrv|xdpoffload|xdpmulti)( |/|$)|prog/xdp'
}

# e2e_metric_sum FILE NAME[{MATCHER,...}]: the sum of every sample of NAME
# (0 when there is none), for gauges such as sip6xx_peers_tracked, which the
# exporter may label per interface or not at all. With matchers, only the
# series whose labels satisfy each one: k="v" (equal) or k=~"re" (the whole
# value matches the regular expression re, as in PromQL); then "missing" when
# none does, so a mistyped label fails a check instead of summing nothing.
e2e_metric_sum() {
	awk -v sel="$2" '
	BEGIN {
		name = sel
		sub(/\{.*/, "", name)
		nwant = 0
		if (index(sel, "{")) {
			body = substr(sel, index(sel, "{") + 1)
			sub(/\}$/, "", body)
			nwant = split(body, want, /,/)
		}
	}
	# value(LABELS, KEY): the value of KEY in ",k=\"v\",...,", or a NUL when absent
	function value(labels, key,    i, v) {
		i = index(labels, "," key "=\"")
		if (i == 0) return "\001"
		v = substr(labels, i + length(key) + 3)
		return substr(v, 1, index(v, "\"") - 1)
	}
	/^#/ { next }
	{
		series = $1
		sub(/\{.*/, "", series)
		if (series != name) next
		labels = ""
		if (match($0, /\{[^}]*\}/))
			labels = "," substr($0, RSTART + 1, RLENGTH - 2) ","
		for (i = 1; i <= nwant; i++) {
			if (index(want[i], "=~")) {
				k = substr(want[i], 1, index(want[i], "=~") - 1)
				re = substr(want[i], index(want[i], "=~") + 3)
				sub(/"$/, "", re)
				if (value(labels, k) !~ ("^(" re ")$")) next
			} else if (index(labels, "," want[i] ",") == 0) {
				next
			}
		}
		rest = $0
		sub(/^[^{ \t]*(\{[^}]*\})?[ \t]+/, "", rest)
		split(rest, f, /[ \t]+/)
		sum += f[1]
		matched = 1
	}
	END {
		if (nwant && !matched) print "missing"
		else printf "%d\n", sum
	}
	' "$1"
}

# e2e_wait_exit PID SECONDS: wait up to SECONDS for a child of this shell to
# exit; its status lands in E2E_STATUS ("timeout" if it is still running).
# Not meant for $(...): a subshell cannot wait for its parent's children.
e2e_wait_exit() {
	local pid=$1 secs=$2 i
	E2E_STATUS=timeout
	for ((i = 0; i < secs * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			# shellcheck disable=SC2034 # read by the scripts that source this file
			E2E_STATUS=$?
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# e2e_show_log FILE [LINES]: quote FILE (its last LINES lines) into the TAP
# stream as comments, for the reader of a failure. False when FILE is empty.
e2e_show_log() {
	[ -s "$1" ] || return 1
	if [ -n "${2:-}" ]; then
		tail -n "$2" "$1" | sed 's/^/# | /'
	else
		sed 's/^/# | /' "$1"
	fi
}

# e2e_poll SECONDS CMD...: run CMD every 0.1 s until it succeeds, at most
# SECONDS * 10 times; for what lands a moment later (log lines, files).
e2e_poll() {
	local tries=$(($1 * 10)) i
	shift
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# e2e_wait_grep FILE REGEX [SECONDS]: until a line of FILE matches REGEX
# (grep -E), at most SECONDS (default 5). FILE may not exist yet.
e2e_wait_grep() {
	e2e_poll "${3:-5}" grep -qE -- "$2" "$1" 2>/dev/null
}

# ---- the exporter under test ------------------------------------------------------
# Every suite runs the exporter in a namespace with its stdout and stderr in
# files, waits for HTTP, and stops it with a signal and a bounded wait; the
# suites differ only in the command line, which they pass whole (CMD...:
# "$EXPORTER" and its arguments, behind a prefix such as setpriv if need be).

# e2e_exporter_logs NAME: name the next run's E2E_EXP_ERR and E2E_EXP_OUT.
e2e_exporter_logs() {
	E2E_RUN=$((E2E_RUN + 1))
	E2E_EXP_ERR=$E2E_TMP/$E2E_RUN-$1.stderr
	E2E_EXP_OUT=$E2E_TMP/$E2E_RUN-$1.stdout
}

# e2e_spawn_exporter NAME NS CMD...: CMD in NS, in the background, logs to
# E2E_EXP_OUT and E2E_EXP_ERR; its PID in E2E_EXP_PID, tracked. No wait: for
# a suite whose readiness probe is its own (TLS, another namespace).
e2e_spawn_exporter() {
	local ns=$2
	e2e_exporter_logs "$1"
	shift 2
	ip netns exec "$ns" "$@" >"$E2E_EXP_OUT" 2>"$E2E_EXP_ERR" &
	E2E_EXP_PID=$!
	e2e_track_pid "$E2E_EXP_PID"
}

# e2e_start_exporter NAME NS URL CMD...: e2e_spawn_exporter, then 0 once URL
# answers from inside NS (bounded: 10 s); else its stderr is quoted, and 1.
e2e_start_exporter() {
	local name=$1 ns=$2 url=$3
	shift 3
	e2e_spawn_exporter "$name" "$ns" "$@"
	e2e_wait_http "$ns" "$url" 10 && return 0
	e2e_show_log "$E2E_EXP_ERR"
	return 1
}

# e2e_run_exporter NAME NS SECONDS CMD...: CMD in NS in the foreground, to its
# end (bounded by timeout SECONDS): start-up errors, --detach. Its status in
# E2E_STATUS, its logs in E2E_EXP_ERR and E2E_EXP_OUT.
e2e_run_exporter() {
	local ns=$2 secs=$3
	e2e_exporter_logs "$1"
	shift 3
	timeout "$secs" ip netns exec "$ns" "$@" >"$E2E_EXP_OUT" 2>"$E2E_EXP_ERR"
	# shellcheck disable=SC2034 # read by the scripts that source this file
	E2E_STATUS=$?
}

# e2e_reap PID SECONDS: e2e_wait_exit (the status in E2E_STATUS), and PID
# is no longer tracked unless it still runs (then e2e_cleanup kills it).
e2e_reap() {
	local rc
	e2e_wait_exit "$1" "$2"
	rc=$?
	e2e_untrack_pid "$1"
	return "$rc"
}

# e2e_stop_pid PID [SECONDS]: SIGTERM, then e2e_reap (bounded: SECONDS,
# default 5).
e2e_stop_pid() {
	kill -TERM "$1" 2>/dev/null
	e2e_reap "$1" "${2:-5}"
}

# e2e_stop_exporter [SIG [WAIT_PID]]: SIGTERM (or SIG) to E2E_EXP_PID, then
# (bounded: 5 s) the exit status of WAIT_PID (default the exporter; a tracer
# such as strace passes its tracee's on) in E2E_STATUS; stderr is quoted
# unless the status is 0.
e2e_stop_exporter() {
	local wait_pid=${2:-$E2E_EXP_PID}
	kill -"${1:-TERM}" "$E2E_EXP_PID" 2>/dev/null
	e2e_reap "$wait_pid" 5
	e2e_untrack_pid "$E2E_EXP_PID"
	[ "$E2E_STATUS" = 0 ] || e2e_show_log "$E2E_EXP_ERR"
}

# e2e_check_exporter_stops WHAT [SIG [WAIT_PID]]: e2e_stop_exporter, and one
# TAP line: the signal stops the exporter with exit status 0.
e2e_check_exporter_stops() {
	local what=$1 sig=${2:-TERM}
	e2e_stop_exporter "$sig" "${3:-}"
	check_eq 0 "$E2E_STATUS" "$what: SIG$sig stops the exporter with exit status 0"
}

# e2e_xdp_mode NS IFACE: "xdp" (native), "xdpgeneric", "xdpoffload" or "none",
# from ip -d link.
e2e_xdp_mode() {
	local flags
	flags=$(ip -n "$1" -d link show dev "$2" 2>/dev/null | head -1)
	case " $flags " in
	*" xdpgeneric "*) echo xdpgeneric ;;
	*" xdpoffload "*) echo xdpoffload ;;
	*" xdp "* | *" xdpdrv "*) echo xdp ;;
	*) echo none ;;
	esac
}

# e2e_tc_filters NS IFACE: how many of our egress BPF programs sit on IFACE (0
# when none), netlink filters (tc filter show) and TCX links (which tc(8) does
# not list) together: a restart must replace the program, not add one.
e2e_tc_filters() {
	local nl tcx
	nl=$(tc -n "$1" filter show dev "$2" egress 2>/dev/null | grep -c 'bpf.*sip6xx_tc')
	tcx=$(ip netns exec "$1" "$BUILD/tests/tools/tcx_progs" "$2" 2>/dev/null) || tcx=0
	echo $((nl + tcx))
}

# e2e_tc_netlink NS IFACE: how many of our netlink egress filters sit on IFACE.
e2e_tc_netlink() {
	tc -n "$1" filter show dev "$2" egress 2>/dev/null | grep -c 'bpf.*sip6xx_tc'
}

# e2e_clsact NS IFACE: true while IFACE has a clsact qdisc.
e2e_clsact() {
	tc -n "$1" qdisc show dev "$2" 2>/dev/null | grep -q '^qdisc clsact'
}

# ---- traffic and peers ----------------------------------------------------------

# e2e_send_spike [--bg] NS_TX IF_TX NS_RX IF_RX [send_spike.py args...]: 607s
# (or --code) from IF_TX in NS_TX to IF_RX's MAC (bounded: 60 s); the JSON
# summary on stdout. With --bg, in the background: the PID of timeout (which
# passes a SIGTERM on to the sender) in E2E_BG_PID, tracked.
e2e_send_spike() {
	local bg=0 ns ifc nsr ifr
	[ "$1" = --bg ] && bg=1 && shift
	ns=$1 ifc=$2 nsr=$3 ifr=$4
	shift 4
	set -- timeout 60 ip netns exec "$ns" "$E2E_PYTHON" tests/e2e/send_spike.py --iface "$ifc" \
		--src-mac "$(e2e_mac "$ns" "$ifc")" --dst-mac "$(e2e_mac "$nsr" "$ifr")" "$@"
	if [ "$bg" = 1 ]; then
		"$@" &
		E2E_BG_PID=$!
		e2e_track_pid "$E2E_BG_PID"
	else
		"$@"
	fi
}

# e2e_start_alertmanager BIN NS DIR PORT: a real Alertmanager (BIN) on NS's
# 127.0.0.1:PORT, its config, data and log in DIR, routing everything to a
# receiver that notifies nobody, no clustering; its PID in E2E_AM_PID. 0 once
# /-/ready says 200 (bounded: 10 s); else its log is quoted, and 1.
e2e_start_alertmanager() {
	local bin=$1 ns=$2 dir=$3 port=$4
	mkdir -p "$dir/data"
	cat >"$dir/alertmanager.yml" <<-'YML'
		route:
		  receiver: devnull
		receivers:
		  - name: devnull
	YML
	ip netns exec "$ns" "$bin" --config.file="$dir/alertmanager.yml" \
		--storage.path="$dir/data" --cluster.listen-address= \
		--web.listen-address="127.0.0.1:$port" >"$dir/log" 2>&1 &
	E2E_AM_PID=$!
	e2e_track_pid "$E2E_AM_PID"
	e2e_wait_ready "$ns" "http://127.0.0.1:$port/-/ready" "$E2E_AM_PID" "$dir/log" 10
}

# e2e_wait_listen NS u|t ADDR PORT: until something listens on UDP (u) or TCP
# (t) ADDR:PORT in NS (a sipp UAS before its UAC starts, a fake Alertmanager);
# bounded: 5 s. e2e_wait_udp_listen and e2e_wait_tcp_listen name the protocol.
e2e_wait_listen() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$1" ss -Hn"$2"l "sport = :$4" | grep -qF "$3" && return 0
		sleep 0.1
	done
	return 1
}
e2e_wait_udp_listen() { e2e_wait_listen "$1" u "$2" "$3"; }
e2e_wait_tcp_listen() { e2e_wait_listen "$1" t "$2" "$3"; }

# e2e_json_sink NS PORT OUT LIMIT [stamped]: in NS, an HTTP receiver on
# 127.0.0.1:PORT (a fake Alertmanager, a webhook) that answers 200 to every
# POST and appends its JSON body, parsed, as one line to OUT (emptied first);
# stamped: {"t": receive time, "n": body}. It runs under timeout LIMIT, logs
# to OUT.log; its PID in E2E_SINK_PID, tracked. Returns once it listens, 1 if
# it does not within 5 s.
e2e_json_sink() {
	local ns=$1 port=$2 out=$3 limit=$4 stamped=${5:-}
	: >"$out"
	ip netns exec "$ns" timeout "$limit" "$E2E_PYTHON" -c '
import http.server, json, sys, time
out, port, stamped = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "stamped"
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        with open(out, "a") as fh:
            fh.write(json.dumps({"t": time.time(), "n": body} if stamped else body) + "\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()
' "$out" "$port" "$stamped" >"$out.log" 2>&1 &
	E2E_SINK_PID=$!
	e2e_track_pid "$E2E_SINK_PID"
	e2e_wait_tcp_listen "$ns" 127.0.0.1 "$port"
}

e2e_first_file() { # e2e_first_file GLOB...: the first match that exists, or nothing
	[ -e "$1" ] && echo "$1"
}

# e2e_sipp_counts FILE [Sent|Recv]: from a sipp -trace_counts CSV, one line
# "CODE N RETRANS" per response code, summed over the scenario's messages of
# that code. The header names each message "INDEX_CODE_Sent" (or _Recv),
# followed by "INDEX_CODE_Retrans"; the last row holds the final counts.
e2e_sipp_counts() {
	awk -F';' -v dir="${2:-Sent}" '
	NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next }
	{ last = $0 }
	END {
		n = split(last, v, ";")
		for (i = 1; i < n; i++) {
			if (h[i] !~ ("^[0-9]+_[1-6][0-9][0-9]_" dir "$")) continue
			split(h[i], p, "_")
			if (h[i + 1] != p[1] "_" p[2] "_Retrans") continue
			sent[p[2]] += v[i]
			retr[p[2]] += v[i + 1]
		}
		for (c in sent) print c, sent[c], retr[c]
	}' "$1" | sort -n
}
