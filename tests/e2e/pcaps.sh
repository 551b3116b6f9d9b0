#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Field-proof counting: every public capture in ../shared/pcaps (beside the
# repository; SOURCES.md names their origins) is run through the real XDP
# program with --replay, and its SIP-over-UDP responses per status code must
# equal what tshark's dissector finds in the same file, computed now:
#
#   tshark -r F -Y 'sip.Status-Code && udp && !icmp && !icmpv6' \
#          -T fields -E occurrence=a -e sip.Status-Code
#
# (occurrence=a prints every status code of a frame, comma-separated; the
# filter already leaves out SIP quoted inside ICMP errors, which is no
# response on the wire.)
# One TAP line per capture compares the whole code -> count map. Where our
# count differs from tshark's for a reason RFC 3261 backs, tests/e2e/pcaps/
# differences.tsv names the file, the code, both exact counts, the frames and
# the reason; the test asserts both numbers and prints the reason. There is no
# blanket skip: any other difference fails.
#
# Files libpcap cannot read (ERF, Microsoft NetMon, ...; told apart by their
# magic number, not by our own output) must make --replay exit 1 with one
# line naming the file and the format problem. tshark does read them, so each
# also gets a second line: a pcapng copy made by editcap in a scratch
# directory must count what tshark counts in the original.
#
# Never copies a capture into the project. Needs root (--replay loads BPF),
# tshark, capinfos and editcap.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

PCAPS=../shared/pcaps
TABLE=tests/e2e/pcaps/differences.tsv
FILTER='sip.Status-Code && udp && !icmp && !icmpv6'

e2e_require_root "--replay loads the XDP program"
e2e_require_bpf test_run
[ -d "$PCAPS" ] || e2e_die "$PCAPS is missing: the public captures live beside the repository ($(pwd)/$PCAPS)"
e2e_require_exporter "$EXPORTER"
for tool in tshark capinfos editcap; do
	e2e_require_tool "$tool" "Debian: tshark, wireshark-common"
done
[ -r "$TABLE" ] || e2e_die "$TABLE is missing"
e2e_tmpdir
trap e2e_cleanup EXIT
T=$E2E_TMP
# An empty personal profile: nobody's Decode As or heuristics change tshark's answer.
export WIRESHARK_CONFIG_DIR=$T/wireshark
mkdir -p "$WIRESHARK_CONFIG_DIR"
echo "# $(tshark --version 2>/dev/null | head -n 1)"

# prefetch FILE...: for every capture, tshark's status codes and --replay's
# output, as many captures at once as there are CPUs (tshark is the slow
# part), into $T/run/NAME.{ts,prom}{,.err,.rc}; cached FILE names that prefix.
prefetch() {
	mkdir -p "$T/run"
	# shellcheck disable=SC2016 # the inner sh expands these, from its environment
	printf '%s\n' "$@" | RUN_DIR=$T/run RUN_PCAPS=$PCAPS RUN_FILTER=$FILTER RUN_EXPORTER=$EXPORTER \
		xargs -d '\n' -n 1 -P "$(nproc 2>/dev/null || echo 2)" sh -c '
		out=$RUN_DIR/$(printf %s "$1" | sed "s|/|%|g")
		tshark -n -r "$RUN_PCAPS/$1" -Y "$RUN_FILTER" -T fields -E occurrence=a \
			-e sip.Status-Code >"$out.ts" 2>"$out.ts.err"
		echo $? >"$out.ts.rc"
		"$RUN_EXPORTER" --replay "$RUN_PCAPS/$1" >"$out.prom" 2>"$out.prom.err"
		echo $? >"$out.prom.rc"' sh
}

cached() { # cached FILE: the prefix of FILE's prefetched results
	printf '%s/run/%s' "$T" "$(printf %s "$1" | sed 's|/|%|g')"
}

# tshark_counts FILE: "code count" lines, sorted by code; tshark's exit status
# in $?, its stderr in $T/tshark.err.
tshark_counts() {
	local c rc
	c=$(cached "$1")
	rc=$(cat "$c.ts.rc" 2>/dev/null) || rc=127
	cp "$c.ts.err" "$T/tshark.err" 2>/dev/null
	tr ',' '\n' <"$c.ts" | grep -E '^[0-9]+$' | sort | uniq -c | awk '{ print $2, $1 }' |
		sort -n
	return "$rc"
}

# ours_counts PROMFILE: "code count" lines, sip6xx_responses_total summed per
# code over any other labels. The named 6xx codes are always exported, at 0
# when unseen: zeros are left out.
ours_counts() {
	awk '/^sip6xx_responses_total\{/ && match($0, /code="[0-9]+"/) {
		n[substr($0, RSTART + 6, RLENGTH - 7)] += $NF
	}
	END { for (c in n) if (n[c] > 0) printf "%s %d\n", c, n[c] }' "$1" | sort -n
}

oneline() { # oneline "code count" lines -> "100:3 200:4", or "none"
	local s
	s=$(awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $1, $2 }')
	echo "${s:-none}"
}

# The exception table: TAB-separated file, code, ours, tshark, frames, reason.
declare -A EXC_OURS=() EXC_TSHARK=() EXC_FRAMES=() EXC_REASON=() EXC_FILES=()
table_ok=0
table_rows=0
while IFS=$'\t' read -r f code o t frames reason extra; do
	case $f in '#'* | '') continue ;; esac
	table_rows=$((table_rows + 1))
	if [ -n "${extra:-}" ] || [ -z "${reason:-}" ] || ! [[ $code =~ ^[1-6][0-9][0-9]$ ]] ||
		! [[ $o =~ ^[0-9]+$ ]] || ! [[ $t =~ ^[0-9]+$ ]] || [ "$o" = "$t" ]; then
		echo "# $TABLE: row $table_rows is not 'file code ours tshark frames reason' with ours != tshark"
		table_ok=1
		continue
	fi
	if [ ! -f "$PCAPS/$f" ]; then
		echo "# $TABLE: row $table_rows names $f, which is not under $PCAPS"
		table_ok=1
	fi
	if [ -n "${EXC_OURS[$f $code]:-}" ]; then
		echo "# $TABLE: $f code $code is listed twice"
		table_ok=1
	fi
	EXC_OURS[$f $code]=$o
	EXC_TSHARK[$f $code]=$t
	EXC_FRAMES[$f $code]=$frames
	EXC_REASON[$f $code]=$reason
	EXC_FILES[$f]+=" $code"
done <"$TABLE"
ok $table_ok "$TABLE: $table_rows well-formed rows, each naming a capture under $PCAPS"

# compare_counts FILE OURS_LIST TSHARK_LIST: 0 when every code agrees, or
# differs exactly as the table says. Prints one "#" line per difference.
compare_counts() {
	local f=$1 codes code o t key bad=0
	codes=$( (
		cut -d' ' -f1 "$2" "$3"
		for code in ${EXC_FILES[$f]:-}; do echo "$code"; done
	) | sort -nu)
	for code in $codes; do
		o=$(awk -v c="$code" '$1 == c { print $2 }' "$2")
		t=$(awk -v c="$code" '$1 == c { print $2 }' "$3")
		o=${o:-0} t=${t:-0}
		key="$f $code"
		if [ -n "${EXC_OURS[$key]:-}" ]; then
			if [ "$o" = "${EXC_OURS[$key]}" ] && [ "$t" = "${EXC_TSHARK[$key]}" ]; then
				echo "# $code: ours $o, tshark $t, as $TABLE says (frames ${EXC_FRAMES[$key]}): ${EXC_REASON[$key]}"
			else
				echo "# $code: ours $o, tshark $t, but $TABLE expects ours ${EXC_OURS[$key]}, tshark ${EXC_TSHARK[$key]} (frames ${EXC_FRAMES[$key]})"
				bad=1
			fi
		elif [ "$o" != "$t" ]; then
			echo "# $code: ours $o, tshark $t (not in $TABLE)"
			bad=1
		fi
	done
	return $bad
}

# check_pcap FILE: --replay's per-code counts against tshark's.
check_pcap() {
	local f=$1 path=$PCAPS/$1 c rc trc ours ts diffs n_exc
	c=$(cached "$f")
	cp "$c.prom" "$T/out.prom" && cp "$c.prom.err" "$T/out.err" && rc=$(cat "$c.prom.rc") || rc=127
	tshark_counts "$f" >"$T/tshark.txt"
	trc=$?
	ours_counts "$T/out.prom" >"$T/ours.txt"
	if [ "$rc" -ne 0 ]; then
		ok 1 "$f: --replay exits 0 (got $rc)"
		sed 's/^/# stderr: /' "$T/out.err"
		return
	fi
	if [ "$trc" -ne 0 ]; then
		ok 1 "$f: tshark reads it (exit $trc)"
		sed 's/^/# tshark: /' "$T/tshark.err"
		return
	fi
	ours=$(oneline <"$T/ours.txt")
	ts=$(oneline <"$T/tshark.txt")
	if diffs=$(compare_counts "$f" "$T/ours.txt" "$T/tshark.txt"); then
		if [ -z "$diffs" ]; then
			ok 0 "$f: responses per code equal tshark's ($ours)"
		else
			n_exc=$(grep -c . <<<"$diffs")
			ok 0 "$f: responses per code equal tshark's but for $n_exc RFC-backed differences in $TABLE (ours $ours; tshark $ts)"
			printf '%s\n' "$diffs"
		fi
	else
		ok 1 "$f: responses per code differ from tshark's (ours $ours; tshark $ts)"
		grep -q '^sip6xx_responses_total{' "$T/out.prom" ||
			echo "# --replay printed no sip6xx_responses_total sample at all (not even the named 6xx at 0)"
		printf '%s\n' "$diffs"
		echo "# frames: tshark -r '$path' -Y '$FILTER' -T fields -e frame.number -e frame.protocols -e sip.Status-Code"
	fi
}

# check_unreadable FILE MAGIC: a format libpcap does not read. --replay must
# refuse it cleanly; a pcapng copy made by editcap must count what tshark does.
check_unreadable() {
	local f=$1 magic=$2 path=$PCAPS/$1 c rc lines bad=0 fmt enc ts p conv diffs opts=()
	fmt=$(capinfos -t "$path" 2>/dev/null | sed -n 's/^File type: *//p')
	enc=$(capinfos -E "$path" 2>/dev/null | sed -n 's/^File encapsulation: *//p')
	c=$(cached "$f")
	cp "$c.prom" "$T/out.prom" && cp "$c.prom.err" "$T/out.err" && rc=$(cat "$c.prom.rc") || rc=127
	lines=$(grep -c . "$T/out.err")
	[ "$rc" -eq 1 ] && [ ! -s "$T/out.prom" ] && [ "$lines" -eq 1 ] || bad=1
	for p in "$path" "unknown file format" "pcap and pcapng"; do
		grep -qF -- "$p" "$T/out.err" || bad=1
	done
	case $fmt in *ERF*) grep -qF ERF "$T/out.err" || bad=1 ;; esac
	ok $bad "$f: not pcap or pcapng (${fmt:-magic $magic}): --replay exits 1 with one line naming the file and the format problem (exit $rc, $lines stderr lines)"
	sed 's/^/# stderr: /' "$T/out.err"

	if ! tshark_counts "$f" >"$T/tshark.txt"; then
		echo "# neither libpcap nor tshark reads it:"
		sed 's/^/# tshark: /' "$T/tshark.err"
		return
	fi
	ts=$(oneline <"$T/tshark.txt")
	echo "# tshark reads this ${fmt:-file} (responses $ts); libpcap does not, so --replay refuses it"
	# ERF records carry their own header: -T ether keeps the Ethernet frame inside.
	case $enc in *"Extensible Record Format"*) opts=(-T ether) ;; esac
	conv=$T/converted.pcapng
	rm -f "$conv"
	if ! editcap -F pcapng "${opts[@]}" "$path" "$conv" >"$T/editcap.err" 2>&1; then
		ok 1 "$f: editcap -F pcapng ${opts[*]} converts it"
		sed 's/^/# editcap: /' "$T/editcap.err"
		return
	fi
	"$EXPORTER" --replay "$conv" >"$T/conv.prom" 2>"$T/conv.err"
	rc=$?
	ours_counts "$T/conv.prom" >"$T/ours.txt"
	if [ "$rc" -ne 0 ]; then
		ok 1 "$f: converted by editcap -F pcapng ${opts[*]}: --replay exits 0 (got $rc)"
		sed 's/^/# stderr: /' "$T/conv.err"
		return
	fi
	diffs=$(compare_counts "$f" "$T/ours.txt" "$T/tshark.txt")
	ok $? "$f: converted by editcap -F pcapng ${opts[*]}: responses per code equal tshark's on the original (ours $(oneline <"$T/ours.txt"); tshark $ts)"
	[ -n "$diffs" ] && printf '%s\n' "$diffs"
}

mapfile -t FILES < <(cd "$PCAPS" && find . -type f ! -name SOURCES.md | sed 's|^\./||' | LC_ALL=C sort)
[ "${#FILES[@]}" -gt 0 ] || e2e_die "$PCAPS holds no captures"
echo "# ${#FILES[@]} captures under $PCAPS"
prefetch "${FILES[@]}"

for f in "${FILES[@]}"; do
	magic=$(od -An -tx1 -N4 "$PCAPS/$f" | tr -d ' \n')
	case $magic in
	# pcap (micro- and nanosecond, both byte orders, Kuznetzov's variant), pcapng
	d4c3b2a1 | a1b2c3d4 | 4d3cb2a1 | a1b23c4d | 34cdb2a1 | a1b2cd34 | 0a0d0d0a)
		check_pcap "$f"
		;;
	*)
		check_unreadable "$f" "$magic"
		;;
	esac
done

tap_done
