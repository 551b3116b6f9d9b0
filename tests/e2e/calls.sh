#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Calls, not packets, in --replay: captures written at test time by
# tests/e2e/replay/make_calls_pcaps.py (its docstring lists every call) must
# give exactly the rejections, retransmissions, Reason causes, calls rejected
# and 608s without jwscard written below (worked out by hand from that list),
# in Prometheus text promtool accepts and in JSON with the same numbers.
#
# Retransmissions are then held to tshark's sip.resend, computed now: on the
# generated captures and on every public capture in ../shared/pcaps that
# libpcap reads (read in place, never copied). Per 6xx code, our
# retransmissions must equal tshark's resends and our rejections tshark's
# first copies, and per method our Reason counts tshark's BYE and CANCEL
# with a Reason that are no resend; tests/e2e/pcaps/calls-differences.tsv
# names each RFC-backed exception (file, what, ours, tshark, reason) and the
# test asserts both numbers.
# shellcheck disable=SC2034 # the expectation arrays are passed by name
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

HERE=tests/e2e/replay
PCAPS=../shared/pcaps
TABLE=tests/e2e/pcaps/calls-differences.tsv

e2e_require_root "--replay loads the XDP program"
e2e_require_bpf test_run
e2e_require_exporter "$EXPORTER"
e2e_require_scapy
for tool in promtool tshark; do
	e2e_require_tool "$tool"
done
e2e_tmpdir
trap e2e_cleanup EXIT
T=$E2E_TMP
export WIRESHARK_CONFIG_DIR=$T/wireshark
mkdir -p "$WIRESHARK_CONFIG_DIR"

"$E2E_PYTHON" "$HERE/make_calls_pcaps.py" "$T" || e2e_die "make_calls_pcaps.py failed"

R='interface="replay",direction="rx"'
CALLS=(
	# A: 607 three times = 1 rejection + 2 retransmissions; F: 603 twice.
	"sip6xx_rejections_total{$R,code=\"607\",method=\"INVITE\"} 1"
	"sip6xx_retransmissions_total{$R,code=\"607\"} 2"
	"sip6xx_rejections_total{$R,code=\"603\",method=\"INVITE\"} 1"
	"sip6xx_retransmissions_total{$R,code=\"603\"} 1"
	# C and D: two 608 transactions, D's sent twice and without jwscard.
	"sip6xx_rejections_total{$R,code=\"608\",method=\"INVITE\"} 2"
	"sip6xx_retransmissions_total{$R,code=\"608\"} 1"
	"sip6xx_608_missing_call_info_total{$R} 1"
	# B: the BYE's Reason once, though the BYE was sent twice; E: the CANCEL's.
	"sip6xx_reason_total{$R,method=\"BYE\",protocol=\"SIP\",cause=\"607\"} 1"
	"sip6xx_reason_total{$R,method=\"CANCEL\",protocol=\"SIP\",cause=\"608\"} 1"
	"sip6xx_calls_rejected_total{$R,code=\"607\",phase=\"setup\"} 1"
	"sip6xx_calls_rejected_total{$R,code=\"607\",phase=\"midcall\"} 1"
	"sip6xx_calls_rejected_total{$R,code=\"607\",phase=\"cancel\"} 0"
	"sip6xx_calls_rejected_total{$R,code=\"608\",phase=\"setup\"} 2"
	"sip6xx_calls_rejected_total{$R,code=\"608\",phase=\"cancel\"} 1"
	"sip6xx_calls_rejected_total{$R,code=\"603\",phase=\"setup\"} 1"
	# Every 6xx, BYE and CANCEL: 3 + 2 + 1 + 2 + 1 + 2 + 1 (G, no Call-ID: unparsed).
	"sip6xx_context_samples_total{$R} 12"
	"sip6xx_context_dropped_total{$R,reason=\"unparsed\"} 1"
	# A, B's BYE, C, D, E's CANCEL and F, all within 32 s of the last frame.
	"sip6xx_transactions_tracked{interface=\"replay\"} 6"
	"sip6xx_transactions_evicted_total{interface=\"replay\"} 0"
	# The exact packet counts stay what they were: every copy on the wire.
	"sip6xx_responses_total{$R,code=\"607\"} 3"
	"sip6xx_responses_total{$R,code=\"608\"} 3"
)
CALLS_SUMS=(
	"sip6xx_rejections_total 4"
	"sip6xx_retransmissions_total 4"
	"sip6xx_reason_total 2"
	"sip6xx_calls_rejected_total 6"
)
# late.pcap: the same 607 40 s apart, past 64*T1: two rejections.
LATE=(
	"sip6xx_rejections_total{$R,code=\"607\",method=\"INVITE\"} 2"
	"sip6xx_retransmissions_total{$R,code=\"607\"} 0"
	"sip6xx_calls_rejected_total{$R,code=\"607\",phase=\"setup\"} 1"
	"sip6xx_transactions_tracked{interface=\"replay\"} 1"
)
LATE_SUMS=("sip6xx_rejections_total 2")

CALL_METRICS='sip6xx_(context_samples|context_dropped|rejections|retransmissions|reason|calls_rejected|608_missing_call_info)_total|sip6xx_transactions_(tracked|evicted_total)|sip6xx_(caller|intermediary)_rejections'

# replay_ok FILE WHAT EXPECT_ARRAY SUMS_ARRAY [OPTION...]
replay_ok() {
	local file=$1 what=$2 out=$T/$2 rc
	local -n expect=$3 sums=$4
	shift 4
	"$EXPORTER" --replay "$file" "$@" >"$out.prom" 2>"$out.err"
	rc=$?
	check_eq 0 "$rc" "$what: --replay exits 0"
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$out.err"
	promtool check metrics <"$out.prom" >"$out.promtool" 2>&1
	ok $? "$what: promtool check metrics accepts the output"
	e2e_check_values "$out.prom" "$what" "${expect[@]}"
	e2e_check_sums "$out.prom" "$what" "${sums[@]}"
	"$EXPORTER" --replay "$file" "$@" --format json >"$out.json" 2>>"$out.err"
	check_eq 0 "$?" "$what: --replay --format json exits 0"
	"$E2E_PYTHON" "$HERE/calls_json2prom.py" <"$out.json" | sort >"$out.jprom"
	grep -E "^($CALL_METRICS)\{" "$out.prom" | sort >"$out.tprom"
	if [ -s "$out.tprom" ] && cmp -s "$out.tprom" "$out.jprom"; then
		ok 0 "$what: the JSON's calls samples equal the text's ($(grep -c . "$out.tprom") samples)"
	else
		ok 1 "$what: the JSON's calls samples equal the text's"
		diff "$out.tprom" "$out.jprom" | head -n 20 | sed 's/^/# /'
	fi
}

# no_callers WHAT [NEEDLE_RE]: nothing caller-related in WHAT's text and JSON,
# but what the options asked for.
no_callers() {
	local out=$T/$1
	! grep -qE "${2:-12025550101|12025550199|example\.(com|net|org)|call-[a-z]|_caller_|_intermediary_}" \
		"$out.prom" "$out.json"
	ok $? "$1: no ${3:-caller, callee, Call-ID or intermediary} in the output"
}

replay_ok "$T/calls.pcap" calls.pcap CALLS CALLS_SUMS
no_callers calls.pcap
replay_ok "$T/late.pcap" late.pcap LATE LATE_SUMS
no_callers late.pcap

# ---- --callers, --intermediaries, --callers-hash (issue 18): opt-in ------------------
# Every call of calls.pcap is from <sip:+12025550101@example.com> (From; no
# P-Asserted-Identity) to <sip:+12025550199@example.net>. A's 607, C's 608,
# D's 608 (once though sent twice), E's CANCEL (cause 608) and F's 603 are 5
# rejections of +12025550101. B's BYE (cause 607, once though sent twice) is
# the callee's (sent callee to caller): it rejects the caller in its To,
# here +12025550199 (the generator gives every message the same From and
# To). G has no Call-ID. With --callers 1 that one is "other". Only C's 608
# names an intermediary, https://analytics.example.org/jcard.json. The window
# is the whole capture.
CALLERS=(
	"sip6xx_caller_rejections{interface=\"replay\",caller=\"+12025550101\"} 5"
	"sip6xx_caller_rejections{interface=\"replay\",caller=\"other\"} 1"
	"sip6xx_intermediary_rejections{interface=\"replay\",intermediary=\"analytics.example.org\"} 1"
	"sip6xx_intermediary_rejections{interface=\"replay\",intermediary=\"other\"} 0"
	"sip6xx_rejections_total{$R,code=\"607\",method=\"INVITE\"} 1"
)
CALLERS_SUMS=("sip6xx_caller_rejections 6" "sip6xx_intermediary_rejections 1")
replay_ok "$T/calls.pcap" calls.pcap-callers CALLERS CALLERS_SUMS --callers 1 --intermediaries 3
TOP3=(
	"sip6xx_caller_rejections{interface=\"replay\",caller=\"+12025550101\"} 5"
	"sip6xx_caller_rejections{interface=\"replay\",caller=\"+12025550199\"} 1"
	"sip6xx_caller_rejections{interface=\"replay\",caller=\"other\"} 0"
)
TOP3_SUMS=("sip6xx_caller_rejections 6")
replay_ok "$T/calls.pcap" calls.pcap-callers3 TOP3 TOP3_SUMS --callers 3
# late.pcap: two rejections 40 s apart, both in the window; no jwscard.
LATE_CALLERS=(
	"sip6xx_caller_rejections{interface=\"replay\",caller=\"+12025550101\"} 2"
	"sip6xx_intermediary_rejections{interface=\"replay\",intermediary=\"other\"} 0"
)
LATE_CALLERS_SUMS=("sip6xx_caller_rejections 2" "sip6xx_intermediary_rejections 0")
replay_ok "$T/late.pcap" late.pcap-callers LATE_CALLERS LATE_CALLERS_SUMS --callers 1 --intermediaries 1

# --transactions 2: the six transactions of calls.pcap pass through a table of
# two; each one's copies follow it closely, so the counts hold, and four are
# evicted.
SMALL=(
	"sip6xx_transactions_tracked{interface=\"replay\"} 2"
	"sip6xx_transactions_evicted_total{interface=\"replay\"} 4"
	"sip6xx_retransmissions_total{$R,code=\"607\"} 2"
)
SMALL_SUMS=("sip6xx_rejections_total 4" "sip6xx_retransmissions_total 4")
replay_ok "$T/calls.pcap" calls.pcap-small SMALL SMALL_SUMS --transactions 2

# --callers-hash: HMAC-SHA-256 of the canonical identity under the file's
# bytes, its first 16 hex digits, worked out here with Python's hmac.
printf '%s' 'sip6xx-calls-test-key-0123456789' >"$T/callers.key"
chmod 600 "$T/callers.key"
hash16() { # hash16 ID: the label --callers-hash gives ID
	"$E2E_PYTHON" -c 'import hmac, hashlib, sys
print(hmac.new(open(sys.argv[1], "rb").read(), sys.argv[2].encode(), hashlib.sha256).hexdigest()[:16])' \
		"$T/callers.key" "$1"
}
HASHED=(
	"sip6xx_caller_rejections{interface=\"replay\",caller=\"$(hash16 +12025550101)\"} 5"
	"sip6xx_caller_rejections{interface=\"replay\",caller=\"$(hash16 +12025550199)\"} 1"
	"sip6xx_caller_rejections{interface=\"replay\",caller=\"other\"} 0"
)
HASHED_SUMS=("sip6xx_caller_rejections 6")
replay_ok "$T/calls.pcap" calls.pcap-hashed HASHED HASHED_SUMS --callers 3 --callers-hash "$T/callers.key"
no_callers calls.pcap-hashed '1202555|example\.(com|net|org)|call-[a-z]|_intermediary_' \
	"number, Call-ID or intermediary"

# The tshark fields each comparison reads: a frame's 6xx code, method,
# resend flag and Reason. UDP only, no SIP quoted in ICMP errors.
TS_FILTER='(sip.Status-Code >= 600 || sip.Method == "BYE" || sip.Method == "CANCEL") && udp && !icmp && !icmpv6'
tshark_fields() { # tshark_fields FILE: one tab-separated line per frame
	tshark -n -r "$1" -Y "$TS_FILTER" -T fields -E occurrence=f \
		-e sip.Status-Code -e sip.Method -e sip.resend -e sip.Reason
}

# tshark_view FIELDS OUT: "what count" lines: "rej CODE" 6xx first copies,
# "re CODE" 6xx resends, "reason METHOD" BYE and CANCEL with a Reason that
# are no resend.
tshark_view() {
	awk -F'\t' '
		$1 >= 600 { k = ($3 == 1 ? "re " : "rej ") $1; n[k]++ }
		$2 != "" && $4 != "" && $3 != 1 { n["reason " $2]++ }
		END { for (k in n) print k, n[k] }' "$1" | sort >"$2"
}

# ours_view PROM OUT: the same keys from our output (zeros left out).
ours_view() {
	awk '
	function lbl(name,    r) { if (match($0, name "=\"[^\"]*\"")) return substr($0, RSTART + length(name) + 2, RLENGTH - length(name) - 3); return "" }
	/^sip6xx_rejections_total\{/ { n["rej " lbl("code")] += $NF }
	/^sip6xx_retransmissions_total\{/ { n["re " lbl("code")] += $NF }
	/^sip6xx_reason_total\{/ { n["reason " lbl("method")] += $NF }
	END { for (k in n) if (n[k] > 0) print k, n[k] }' "$1" | sort >"$2"
}

oneline() { awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $1 " " $2, $3 }' "$1" | sed 's/^$/none/'; }

# The exception table: TAB-separated file, what ("re 607"), ours, tshark, reason.
declare -A EXC_OURS=() EXC_TS=() EXC_WHY=()
table_ok=0
if [ -r "$TABLE" ]; then
	while IFS=$'\t' read -r f what o t why extra; do
		case $f in '#'* | '') continue ;; esac
		if [ -n "${extra:-}" ] || [ -z "${why:-}" ] || [ "$o" = "$t" ]; then
			echo "# $TABLE: bad row for $f"
			table_ok=1
		fi
		EXC_OURS[$f $what]=$o
		EXC_TS[$f $what]=$t
		EXC_WHY[$f $what]=$why
	done <"$TABLE"
else
	table_ok=1
fi
ok $table_ok "$TABLE is there and well-formed"

# compare_views NAME OURS TSHARK: 0 when equal, or differing only as the table says.
compare_views() {
	local f=$1 key o t bad=0
	while read -r key; do
		o=$(awk -v k="$key" '$1 " " $2 == k { print $3 }' "$2")
		t=$(awk -v k="$key" '$1 " " $2 == k { print $3 }' "$3")
		o=${o:-0} t=${t:-0}
		if [ -n "${EXC_OURS[$f $key]:-}" ]; then
			if [ "$o" = "${EXC_OURS[$f $key]}" ] && [ "$t" = "${EXC_TS[$f $key]}" ]; then
				echo "# $key: ours $o, tshark $t, as $TABLE says: ${EXC_WHY[$f $key]}"
			else
				echo "# $key: ours $o, tshark $t; $TABLE expects ours ${EXC_OURS[$f $key]}, tshark ${EXC_TS[$f $key]}"
				bad=1
			fi
		elif [ "$o" != "$t" ]; then
			echo "# $key: ours $o, tshark $t (not in $TABLE)"
			bad=1
		fi
	done < <(
		{
			cut -d' ' -f1,2 "$2" "$3"
			for key in "${!EXC_OURS[@]}"; do
				[ "${key%% *}" = "$f" ] && echo "${key#* }"
			done
		} | sort -u
	)
	return $bad
}

# check_against_tshark NAME TSHARK_FIELDS PROM
check_against_tshark() {
	local name=$1 fields=$2 prom=$3 diffs
	tshark_view "$fields" "$T/ts.txt"
	ours_view "$prom" "$T/ours.txt"
	if diffs=$(compare_views "$name" "$T/ours.txt" "$T/ts.txt"); then
		ok 0 "$name: rejections, retransmissions and Reasons agree with tshark's sip.resend ($(oneline "$T/ours.txt"))"
	else
		ok 1 "$name: rejections, retransmissions and Reasons agree with tshark's sip.resend (ours $(oneline "$T/ours.txt"); tshark $(oneline "$T/ts.txt"))"
	fi
	[ -n "$diffs" ] && printf '%s\n' "$diffs"
}

for f in calls.pcap late.pcap; do
	tshark_fields "$T/$f" >"$T/$f.ts" 2>"$T/$f.ts.err"
	check_against_tshark "$f" "$T/$f.ts" "$T/$f.prom"
done

# The public captures, as many at once as there are CPUs (tshark is the slow
# part, so it only reads captures whose bytes hold a 6xx, BYE or CANCEL).
if [ -d "$PCAPS" ]; then
	mapfile -t FILES < <(cd "$PCAPS" && find . -type f ! -name SOURCES.md | sed 's|^\./||' | LC_ALL=C sort)
	mkdir -p "$T/shared"
	# shellcheck disable=SC2016 # the inner sh expands these, from its environment
	printf '%s\n' "${FILES[@]}" | RUN_DIR=$T/shared RUN_PCAPS=$PCAPS RUN_EXPORTER=$EXPORTER \
		RUN_FILTER=$TS_FILTER xargs -d '\n' -n 1 -P "$(nproc 2>/dev/null || echo 2)" sh -c '
		out=$RUN_DIR/$(printf %s "$1" | sed "s|/|%|g")
		timeout 300 "$RUN_EXPORTER" --replay "$RUN_PCAPS/$1" >"$out.prom" 2>"$out.err"
		echo $? >"$out.rc"
		# No 6xx status line, BYE or CANCEL anywhere in the bytes: nothing for
		# tshark to find either (the SIP text is in the capture as it is).
		if ! LC_ALL=C grep -a -q -i -E "sip/2\.0 6[0-9][0-9]|(bye|cancel) " "$RUN_PCAPS/$1"; then
			: >"$out.ts"
			exit 0
		fi
		timeout 300 tshark -n -r "$RUN_PCAPS/$1" -Y "$RUN_FILTER" -T fields -E occurrence=f \
			-e sip.Status-Code -e sip.Method -e sip.resend -e sip.Reason \
			>"$out.ts" 2>"$out.ts.err"' sh
	checked=0
	for f in "${FILES[@]}"; do
		c=$T/shared/$(printf %s "$f" | sed 's|/|%|g')
		# Formats libpcap does not read (ERF, NetMon) are pcaps.sh's to check.
		[ "$(cat "$c.rc")" = 0 ] || continue
		checked=$((checked + 1))
		check_against_tshark "$f" "$c.ts" "$c.prom"
	done
	echo "# $checked of ${#FILES[@]} shared captures read by libpcap and compared"
else
	ok 1 "$PCAPS is missing: the public captures live beside the repository"
fi

tap_done
