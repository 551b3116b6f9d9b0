# shellcheck shell=bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Helpers around tests/e2e/send_stream.py for the suites that count traffic
# across restarts and interface changes (persistence.sh, interfaces.sh).
# Source it after tests/lib/tap.sh and tests/e2e/lib.sh.

# stream_send NS_TX IF_TX NS_RX IF_RX COUNTS ROUNDS INTERVAL [send_stream.py args...]
# Send ROUNDS rounds from IF_TX (in NS_TX) to IF_RX's MAC; what really went
# out lands in COUNTS. Bounded by timeout.
stream_send() {
	local ns=$1 ifc=$2 nsr=$3 ifr=$4 counts=$5 rounds=$6 interval=$7
	shift 7
	timeout 120 ip netns exec "$ns" "$E2E_PYTHON" tests/e2e/send_stream.py --iface "$ifc" \
		--src-mac "$(e2e_mac "$ns" "$ifc")" --dst-mac "$(e2e_mac "$nsr" "$ifr")" \
		--counts "$counts" --rounds "$rounds" --interval "$interval" "$@"
}

# stream_send_bg: stream_send in the background; its PID (timeout's, which
# passes a SIGTERM on to the sender) in STREAM_PID, tracked for e2e_cleanup.
stream_send_bg() {
	local ns=$1 ifc=$2 nsr=$3 ifr=$4 counts=$5 rounds=$6 interval=$7 smac dmac
	shift 7
	smac=$(e2e_mac "$ns" "$ifc")
	dmac=$(e2e_mac "$nsr" "$ifr")
	timeout 120 ip netns exec "$ns" "$E2E_PYTHON" tests/e2e/send_stream.py --iface "$ifc" \
		--src-mac "$smac" --dst-mac "$dmac" \
		--counts "$counts" --rounds "$rounds" --interval "$interval" "$@" &
	STREAM_PID=$!
	e2e_track_pid "$STREAM_PID"
}

# stream_expect IFACE DIR COUNTS...: the series the exporter must show for
# everything in the counts files together, as "SERIES VALUE" lines.
stream_expect() {
	local ifc=$1 dir=$2
	shift 2
	awk -v ifc="$ifc" -v dir="$dir" '
	$1 == "resp" { resp[$2] += $3 }
	$1 == "peer" { peer[$2 " " $3] += $4 }
	$1 == "total" { total += $2 }
	END {
		lbl = "interface=\"" ifc "\",direction=\"" dir "\""
		for (c in resp)
			printf "sip6xx_responses_total{%s,code=\"%s\"} %d\n", lbl, c, resp[c]
		for (k in peer) {
			split(k, p, " ")
			printf "sip6xx_global_failures_total{%s,source=\"%s\",code=\"%s\"} %d\n", lbl, p[1], p[2], peer[k]
		}
		printf "sip6xx_packets_total{%s,result=\"sip_response\"} %d\n", lbl, total
		# The frame behind an extension header took the full walk (a tail call).
		printf "sip6xx_packets_total{%s,result=\"unparsed\"} 0\n", lbl
	}' "$@" | sort
}

# stream_total COUNTS...: frames sent, over every counts file.
stream_total() {
	awk '$1 == "total" { t += $2 } END { printf "%d\n", t }' "$@"
}

# stream_check EXPECT SCRAPE WHAT: one TAP line per expected series.
stream_check() {
	local series want
	while read -r series want; do
		check_eq "$want" "$(e2e_metric "$2" "$series")" "$3: $series"
	done <"$1"
}

# stream_wait NS URL SCRAPE EXPECT [SECONDS]: scrape until the sip_response
# count in EXPECT is reached (frames land a moment after they are sent).
stream_wait() {
	local series want
	read -r series want < <(grep 'result="sip_response"' "$4")
	e2e_wait_metric "$1" "$2" "$3" "$series" "$want" "${5:-5}" || e2e_scrape "$1" "$2" "$3"
}

# stream_dups SCRAPE: series that appear more than once in SCRAPE (one per
# line; empty when every sample is unique, as the text format requires).
stream_dups() {
	grep -v '^#' "$1" | awk '{ print $1 }' | sort | uniq -d
}
