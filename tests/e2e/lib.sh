# shellcheck shell=bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Shared helpers for the end-to-end suites: two network namespaces joined by a
# veth pair, process and namespace cleanup, bounded HTTP waits, scrapes and a
# metric extractor. Source it after tests/lib/tap.sh.
#
# Traffic never leaves the namespaces made here, and only uses the documentation
# and benchmarking ranges 198.18.0.0/15 and 2001:db8::/32. Namespace names carry
# the PID, so parallel runs do not clash. The root namespace is never touched.

E2E_NETNS=()	# namespaces this script made; removed by e2e_cleanup
E2E_PIDS=()	# processes this script started; killed by e2e_cleanup
E2E_TMP=""	# scratch directory; removed by e2e_cleanup
# shellcheck disable=SC2034 # read by the scripts that source this file
E2E_STATUS=""	# exit status found by e2e_wait_exit

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

e2e_require_root() {
	[ "$(id -u)" -eq 0 ] || e2e_die "$0 needs root: it makes network namespaces and loads BPF"
}

e2e_require_exporter() { # e2e_require_exporter PATH
	[ -x "$1" ] || e2e_die "$1 is missing: build it first (make all)"
}

e2e_tmpdir() {
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sip6xx-e2e.$$.XXXXXX") || e2e_die "mktemp failed"
}

# Kill what we started, delete what we made. Safe to call twice (trap EXIT + explicit).
e2e_cleanup() {
	local pid ns
	for pid in "${E2E_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${E2E_PIDS[@]}"; do
		# Bounded: give each process 3 s to detach, then SIGKILL.
		timeout 3 tail --pid="$pid" -f /dev/null 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
	done
	E2E_PIDS=()
	for ns in "${E2E_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	E2E_NETNS=()
	[ -n "$E2E_TMP" ] && rm -rf "$E2E_TMP"
	E2E_TMP=""
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
	# Made inside A with its peer inside B: nothing is created in the root namespace.
	ip -n "$a" link add "$ia" type veth peer name "$ib" netns "$b" ||
		e2e_die "cannot make veth pair $ia/$ib in $a/$b"
	ip -n "$a" addr add 198.18.0.1/24 dev "$ia"
	ip -n "$b" addr add 198.18.0.2/24 dev "$ib"
	ip -n "$a" addr add 2001:db8::1/64 dev "$ia" nodad
	ip -n "$b" addr add 2001:db8::2/64 dev "$ib" nodad
	ip -n "$a" link set "$ia" up
	ip -n "$b" link set "$ib" up
	e2e_link_ready "$a" "$ia" || e2e_die "$ia in $a did not come up"
	e2e_link_ready "$b" "$ib" || e2e_die "$ib in $b did not come up"
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

# e2e_wait_http NS URL [SECONDS]: poll until URL answers (any HTTP status),
# at most SECONDS (default 10). Returns 1 on timeout.
e2e_wait_http() {
	local ns=$1 url=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 10; i++)); do
		if ip netns exec "$ns" curl -s -o /dev/null --max-time 1 "$url"; then
			return 0
		fi
		sleep 0.1
	done
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

# e2e_xdp_attached NS IFACE: true while any XDP program sits on IFACE.
e2e_xdp_attached() {
	ip -n "$1" -d link show dev "$2" 2>/dev/null | grep -qE '(^| )(xdp|xdpgeneric|xdpdrv|xdpoffload|xdpmulti)( |/|$)|prog/xdp'
}

# e2e_metric_sum FILE NAME: the sum of every sample of NAME, whatever its
# labels (0 when there is none). For gauges such as sip6xx_peers_tracked,
# which the exporter may label per interface or not at all.
e2e_metric_sum() {
	awk -v name="$2" '
	/^#/ { next }
	{
		series = $1
		sub(/\{.*/, "", series)
		if (series != name) next
		rest = $0
		sub(/^[^{ \t]*(\{[^}]*\})?[ \t]+/, "", rest)
		split(rest, f, /[ \t]+/)
		sum += f[1]
	}
	END { printf "%d\n", sum }
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
