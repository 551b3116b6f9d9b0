#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end with real SIP peers: SIPp as UAC in one namespace, SIPp as UAS in
# another, over IPv4 and IPv6 at once, the exporter attached (native XDP) to
# the UAC's veth, where the UAS's responses arrive.
#
# One run per code: 200, 486, 600, 603, 604, 606, 607, 608 (with Call-Info
# purpose=jwscard, which the UAC checks). The expected counts are not ours:
# they come from each UAS's own -trace_counts CSV, the "N_CODE_Sent" and
# "N_CODE_Retrans" columns of every response it sent. For each (source, code)
# the exporter must count exactly sent + retransmitted, and each UAS's
# -trace_stat (Retransmissions(C), SuccessfulCall(C)) must agree with it.
#
# Retransmissions are made on purpose: in the "retrans" runs the UAC waits
# 1.2 s (-d 1200, the <pause/> of uac_code.xml) before it ACKs, while the UAS
# retransmits its final response from T1 = 500 ms (at 0.5 s, then 1.5 s), so
# every call draws one retransmission; the test demands that there were some.
#
# Then a run off 5060 (UAS on 5080, UAC on 15070), and an exporter with
# --port 5060: traffic on 5080 is counted only as filtered_port, traffic on
# 5060 in the same run is counted exactly.
#
# Everything stays inside the two namespaces (198.18.0.0/15, 2001:db8::/32);
# every sipp runs under timeout. About 20 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

SCEN=$PWD/scripts/sipp
NS_UAC=sip6xx-sipp-uac-$$
NS_UAS=sip6xx-sipp-uas-$$
IF_UAC=uac0
IF_UAS=uas0
UAC4=198.18.0.1
UAS4=198.18.0.2
UAC6=2001:db8::1
UAS6=2001:db8::2
LISTEN=127.0.0.1:19061
URL=http://$LISTEN/metrics
CALLS=20	# calls per run and family
RATE=20		# calls per second
SIPP_LIMIT=30	# seconds: timeout(1) on every sipp
RETRANS_DELAY=1200	# ms the UAC waits before its ACK in the retransmission runs
CODES=(200 486 600 603 604 606 607 608)

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_exporter "$EXPORTER"
e2e_require_tool sipp "Debian: sip-tester"
for f in uas_code.xml uac_code.xml; do
	[ -r "$SCEN/$f" ] || e2e_die "$SCEN/$f is missing"
done
trap e2e_cleanup EXIT
e2e_tmpdir

NRUN=0

# What the exporter must have counted since it started, from the UAS's
# statistics: EXP_SRC["SOURCE CODE"] (6xx only), EXP_CODE[CODE], EXP_TOTAL.
declare -A EXP_SRC EXP_CODE
EXP_TOTAL=0
# The last run, per family (4 or 6): RUN_SENT["4 603"], RUN_RETR["4 603"]
# (what the UAS sent), RUN_RECV["4 603"] (what the UAC received, retransmissions
# included), RUN_OK[4] (both sipp ended well), RUN_CODES (codes sent).
declare -A RUN_SENT RUN_RETR RUN_RECV RUN_OK
RUN_CODES=""

# val FILE NAME 'k="v",...' [count]: the sum of every NAME sample whose labels
# include all those pairs, or "missing" when none does. The exporter may add
# labels (DESIGN.md), so other labels are summed over, except direction: where
# the exporter has it, only direction="rx" counts, the responses arriving on
# the UAC's veth. With "count": how many such samples are not 0.
val() {
	awk -v name="$2" -v sel="$3" -v mode="${4:-sum}" '
	BEGIN { nw = split(sel, want, ",") }
	/^#/ || NF < 2 { next }
	{
		if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) next
		if (substr($0, 1, RLENGTH) != name) next
		rest = substr($0, RLENGTH + 1)
		body = ""
		if (substr(rest, 1, 1) == "{") {
			body = substr(rest, 2, index(rest, "}") - 2)
			rest = substr(rest, index(rest, "}") + 1)
		}
		sub(/^[ \t]+/, "", rest)
		split(rest, f, /[ \t]+/)
		# Labels never hold "," or "}" here: split between pairs.
		delete have
		nl = split(body, lab, ",")
		for (i = 1; i <= nl; i++)
			have[lab[i]] = 1
		for (i = 1; i <= nw; i++)
			if (!(want[i] in have)) next
		if (sel !~ /(^|,)direction=/ && index(body, "direction=") && !("direction=\"rx\"" in have))
			next
		found = 1
		sum += f[1]
		if (f[1] + 0 != 0) nonzero++
	}
	END {
		if (mode == "count") printf "%d\n", nonzero
		else if (!found) print "missing"
		else printf "%d\n", sum
	}' "$1"
}

val0() { # val0 FILE NAME SEL: like val, but an absent sample reads as 0
	local v
	v=$(val "$@")
	[ "$v" = missing ] && v=0
	echo "$v"
}

# wait_val OUTFILE NAME SEL VALUE: scrape until val reads VALUE (XDP on veth runs
# from NAPI, so counts land a moment after the send); at most 5 s. Leaves the
# last scrape in OUTFILE.
wait_val() {
	local i
	for ((i = 0; i < 50; i++)); do
		e2e_scrape "$NS_UAC" "$URL" "$1" && [ "$(val "$1" "$2" "$3")" = "$4" ] && return 0
		sleep 0.1
	done
	return 1
}

src_of() { # src_of FAMILY: the UAS address, as the exporter writes it
	if [ "$1" = 4 ]; then echo "$UAS4"; else echo "$UAS6"; fi
}

# start_exporter NAME ARGS...: the exporter in NS_UAC on IF_UAC, native XDP;
# what it must count starts over.
start_exporter() {
	local name=$1
	shift
	EXP_SRC=()
	EXP_CODE=()
	EXP_TOTAL=0
	e2e_start_exporter "$name" "$NS_UAC" "$URL" \
		"$EXPORTER" -i "$IF_UAC" --mode native --listen "$LISTEN" "$@"
}

# sipp_stat FILE COLUMN: a column of the last row of a -trace_stat CSV.
sipp_stat() {
	awk -F';' -v col="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) k = i; next }
	{ last = $0 }
	END { if (!k) { print "missing"; exit } split(last, v, ";"); print v[k] + 0 }' "$1"
}

# run_calls TAG CODE DELAY UAS_PORT UAC_PORT: for IPv4 and IPv6 at once, a UAS
# on UAS_PORT answering every INVITE with CODE and a UAC on UAC_PORT placing
# CALLS calls, waiting DELAY ms before each ACK. Fills the RUN_* arrays and
# prints one TAP line per family for the sipp outcome.
run_calls() {
	local tag=$1 code=$2 delay=$3 sport=$4 cport=$5 fam dir f c n r st calls want
	local -A uas_pid uac_pid
	NRUN=$((NRUN + 1))
	RUN_SENT=()
	RUN_RETR=()
	RUN_RECV=()
	RUN_OK=()
	RUN_CODES=""
	for fam in 4 6; do
		dir=$E2E_TMP/$NRUN-$tag-v$fam
		mkdir -p "$dir/uas" "$dir/uac"
		printf 'SEQUENTIAL\n%s;\n' "$code" >"$dir/uas/codes.csv"
		(cd "$dir/uas" && exec ip netns exec "$NS_UAS" timeout "$SIPP_LIMIT" sipp \
			-sf "$SCEN/uas_code.xml" -inf codes.csv -i "$(src_of "$fam")" -p "$sport" \
			-m "$CALLS" -nostdin -trace_counts -trace_stat -stf stat.csv \
			-trace_err -error_file errors.log >sipp.log 2>&1) &
		uas_pid[$fam]=$!
		e2e_track_pid "${uas_pid[$fam]}"
	done
	for fam in 4 6; do
		e2e_wait_udp_listen "$NS_UAS" "$(src_of "$fam")" "$sport" ||
			echo "# $tag: the IPv$fam UAS does not listen on port $sport"
	done
	for fam in 4 6; do
		dir=$E2E_TMP/$NRUN-$tag-v$fam
		if [ "$fam" = 4 ]; then
			set -- "$UAS4:$sport" -i "$UAC4"
		else
			set -- "[$UAS6]:$sport" -i "$UAC6"
		fi
		(cd "$dir/uac" && exec ip netns exec "$NS_UAC" timeout "$SIPP_LIMIT" sipp \
			-sf "$SCEN/uac_code.xml" "$@" -p "$cport" -m "$CALLS" -r "$RATE" -d "$delay" \
			-timeout "$((SIPP_LIMIT - 5))s" -nostdin -trace_counts -trace_stat -stf stat.csv \
			-trace_err -error_file errors.log >sipp.log 2>&1) &
		uac_pid[$fam]=$!
		e2e_track_pid "${uac_pid[$fam]}"
	done
	for fam in 4 6; do
		dir=$E2E_TMP/$NRUN-$tag-v$fam
		RUN_OK[$fam]=0
		for f in uac uas; do
			if [ "$f" = uac ]; then n=${uac_pid[$fam]}; else n=${uas_pid[$fam]}; fi
			e2e_reap "$n" $((SIPP_LIMIT + 5))
			st=$E2E_STATUS
			if [ "$st" != 0 ]; then
				RUN_OK[$fam]=1
				echo "# $tag IPv$fam: sipp $f ended with status $st; its log ends:"
				e2e_show_log "$dir/$f/sipp.log" 12
				e2e_show_log "$dir/$f/errors.log"
			fi
		done
		f=$(e2e_first_file "$dir"/uas/*_counts.csv)
		if [ -n "$f" ]; then
			while read -r c n r; do
				RUN_SENT["$fam $c"]=$n
				RUN_RETR["$fam $c"]=$r
				[ $((n + r)) -gt 0 ] || continue
				case " $RUN_CODES " in *" $c "*) ;; *) RUN_CODES="$RUN_CODES $c" ;; esac
			done < <(e2e_sipp_counts "$f" Sent)
		else
			RUN_OK[$fam]=1
			echo "# $tag IPv$fam: the UAS wrote no -trace_counts file"
		fi
		f=$(e2e_first_file "$dir"/uac/*_counts.csv)
		if [ -n "$f" ]; then
			while read -r c n r; do
				RUN_RECV["$fam $c"]=$((n + r))
			done < <(e2e_sipp_counts "$f" Recv)
		fi
		calls=$(sipp_stat "$dir/uas/stat.csv" 'SuccessfulCall(C)')
		[ "${RUN_OK[$fam]}" = 0 ] && [ "$calls" = "$CALLS" ]
		# A 608 without Call-Info purpose=jwscard fails the UAC's call.
		ok $? "$tag IPv$fam: UAS and UAC sipp ended 0, UAS answered $CALLS calls with $code (got $calls)$(
			[ "$code" = 608 ] && echo ', UAC found Call-Info purpose=jwscard')"
		# SIPp's two statistics agree: Retransmissions(C) of -trace_stat is
		# the sum of the _Retrans columns of the responses in -trace_counts.
		want=0
		for c in "${!RUN_RETR[@]}"; do
			[ "${c%% *}" = "$fam" ] && want=$((want + ${RUN_RETR[$c]}))
		done
		check_eq "$want" "$(sipp_stat "$dir/uas/stat.csv" 'Retransmissions(C)')" \
			"$tag IPv$fam: UAS -trace_stat Retransmissions(C) = sum of -trace_counts _Retrans"
	done
	RUN_CODES=$(echo "$RUN_CODES" | tr ' ' '\n' | sed '/^$/d' | sort -n | tr '\n' ' ')
}

# expect_counted: add the last run's UAS responses to what the exporter must count.
expect_counted() {
	local fam c n
	for fam in 4 6; do
		for c in $RUN_CODES; do
			n=$((${RUN_SENT["$fam $c"]:-0} + ${RUN_RETR["$fam $c"]:-0}))
			EXP_CODE[$c]=$((${EXP_CODE[$c]:-0} + n))
			EXP_TOTAL=$((EXP_TOTAL + n))
			[ "${c:0:1}" = 6 ] && EXP_SRC["$(src_of "$fam") $c"]=$((${EXP_SRC["$(src_of "$fam") $c"]:-0} + n))
		done
	done
}

# run_total: every response the last run's UASes sent, retransmissions included.
run_total() {
	local fam c t=0
	for fam in 4 6; do
		for c in $RUN_CODES; do
			t=$((t + ${RUN_SENT["$fam $c"]:-0} + ${RUN_RETR["$fam $c"]:-0}))
		done
	done
	echo "$t"
}

# settle SCRAPE: XDP on veth runs from NAPI, so wait (bounded) until the
# exporter's sip_response count is what the UASes sent; scrape into SCRAPE.
settle() {
	wait_val "$1" sip6xx_packets_total "interface=\"$IF_UAC\",result=\"sip_response\"" "$EXP_TOTAL" ||
		e2e_scrape "$NS_UAC" "$URL" "$1"
}

# check_run TAG CODE SCRAPE: the exporter against the last run's UASes.
check_run() {
	local tag=$1 code=$2 scrape=$3 fam src c n got
	for fam in 4 6; do
		src=$(src_of "$fam")
		n=$((${RUN_SENT["$fam $code"]:-0} + ${RUN_RETR["$fam $code"]:-0}))
		if [ "${code:0:1}" = 6 ]; then
			got=$(val "$scrape" \
				sip6xx_global_failures_total "interface=\"$IF_UAC\",source=\"$src\",code=\"$code\"")
			check_eq "${EXP_SRC["$src $code"]:-0}" "$got" \
				"$tag: global_failures{source=\"$src\",code=\"$code\"} = UAS sent ${RUN_SENT["$fam $code"]:-0} + retransmitted ${RUN_RETR["$fam $code"]:-0}"
		else
			got=$(val "$scrape" \
				sip6xx_global_failures_total "interface=\"$IF_UAC\",source=\"$src\",code=\"$code\"")
			check_eq missing "$got" "$tag: no global_failures series for $src code $code (not a 6xx)"
		fi
		# What reached the UAC's socket is what crossed the veth.
		check_eq "$n" "${RUN_RECV["$fam $code"]:-0}" \
			"$tag IPv$fam: the UAC received every $code the UAS sent (received + retransmissions)"
	done
	for c in $RUN_CODES; do
		check_eq "${EXP_CODE[$c]}" "$(val0 "$scrape" \
			sip6xx_responses_total "interface=\"$IF_UAC\",code=\"$c\"")" \
			"$tag: responses_total{code=\"$c\"} = every $c the UASes sent since the exporter started"
	done
}

e2e_netns_pair "$NS_UAC" "$NS_UAS" "$IF_UAC" "$IF_UAS"

# ---- every code, IPv4 and IPv6, on 5060 ---------------------------------------
start_exporter main
ok $? "main: exporter on $IF_UAC (native) serves $URL"
ip -n "$NS_UAC" -d link show dev "$IF_UAC" | head -1 | grep -qw xdp
ok $? "main: XDP attached to $IF_UAC in native mode"

for code in "${CODES[@]}"; do
	run_calls "code $code" "$code" 0 5060 5060
	expect_counted
	settle "$E2E_TMP/code-$code.prom"
	check_run "code $code" "$code" "$E2E_TMP/code-$code.prom"
done

# ---- retransmissions: the UAC ACKs late, the UAS retransmits its final ---------
for code in 608 200; do
	run_calls "retrans $code" "$code" "$RETRANS_DELAY" 5060 5060
	for fam in 4 6; do
		[ "${RUN_RETR["$fam $code"]:-0}" -gt 0 ]
		ok $? "retrans $code IPv$fam: the UAS retransmitted its $code (${RUN_RETR["$fam $code"]:-0} times, $CALLS calls)"
	done
	expect_counted
	settle "$E2E_TMP/retrans-$code.prom"
	check_run "retrans $code" "$code" "$E2E_TMP/retrans-$code.prom"
done

# ---- off 5060: UAS on 5080, UAC on 15070 --------------------------------------
run_calls "port 5080" 607 0 5080 15070
expect_counted
settle "$E2E_TMP/port5080.prom"
check_run "port 5080" 607 "$E2E_TMP/port5080.prom"

# ---- everything the exporter saw in this run ----------------------------------
scrape=$E2E_TMP/main.prom
e2e_scrape "$NS_UAC" "$URL" "$scrape"
for code in $(printf '%s\n' "${!EXP_CODE[@]}" | sort -n); do
	check_eq "${EXP_CODE[$code]}" \
		"$(val0 "$scrape" sip6xx_responses_total "interface=\"$IF_UAC\",code=\"$code\"")" \
		"main: responses_total{code=\"$code\"} = all the UASes sent"
done
for key in $(printf '%s\n' "${!EXP_SRC[@]}" | tr ' ' '/' | sort); do
	check_eq "${EXP_SRC[${key/\// }]}" "$(val "$scrape" \
		sip6xx_global_failures_total "interface=\"$IF_UAC\",source=\"${key%/*}\",code=\"${key#*/}\"")" \
		"main: global_failures{source=\"${key%/*}\",code=\"${key#*/}\"} = what that UAS sent"
done
check_eq "$(printf '%s\n' "${!EXP_SRC[@]}" | wc -l)" "$(val "$scrape" sip6xx_global_failures_total "interface=\"$IF_UAC\"" count)" \
	"main: global_failures is not 0 for any other (source, code) than those the UASes sent"
check_eq "$EXP_TOTAL" "$(val0 "$scrape" sip6xx_packets_total "interface=\"$IF_UAC\",result=\"sip_response\"")" \
	"main: packets_total{result=\"sip_response\"} = every response the UASes sent"
for res in sip_request malformed truncated filtered_port; do
	check_eq 0 "$(val0 "$scrape" sip6xx_packets_total "interface=\"$IF_UAC\",result=\"$res\"")" \
		"main: packets_total{result=\"$res\"} is 0"
done
e2e_check_exporter_stops main

# ---- --port 5060: 5080 is filtered, 5060 counted, in one exporter run ----------
start_exporter portfilter --port 5060
ok $? "port filter: exporter with --port 5060 serves $URL"

run_calls "filter 5080" 603 0 5080 15070
filtered=$(run_total)
scrape=$E2E_TMP/filter5080.prom
wait_val "$scrape" sip6xx_packets_total "interface=\"$IF_UAC\",result=\"filtered_port\"" "$filtered" ||
	e2e_scrape "$NS_UAC" "$URL" "$scrape"
check_eq "$filtered" "$(val0 "$scrape" sip6xx_packets_total "interface=\"$IF_UAC\",result=\"filtered_port\"")" \
	"filter 5080: packets_total{result=\"filtered_port\"} = every response the UASes sent on 5080"
for code in $RUN_CODES; do
	check_eq 0 "$(val0 "$scrape" sip6xx_responses_total "interface=\"$IF_UAC\",code=\"$code\"")" \
		"filter 5080: responses_total{code=\"$code\"} stays 0"
done
for src in "$UAS4" "$UAS6"; do
	check_eq 0 "$(val0 "$scrape" \
		sip6xx_global_failures_total "interface=\"$IF_UAC\",source=\"$src\",code=\"603\"")" \
		"filter 5080: global_failures{source=\"$src\",code=\"603\"} stays 0"
done
check_eq 0 "$(val0 "$scrape" sip6xx_packets_total "interface=\"$IF_UAC\",result=\"sip_response\"")" \
	"filter 5080: packets_total{result=\"sip_response\"} stays 0"

# UAS on 5060, UAC on 15070: the source port matches.
run_calls "filter 5060" 604 0 5060 15070
expect_counted
settle "$E2E_TMP/filter5060.prom"
check_run "filter 5060" 604 "$E2E_TMP/filter5060.prom"
check_eq "$filtered" "$(val0 "$E2E_TMP/filter5060.prom" \
	sip6xx_packets_total "interface=\"$IF_UAC\",result=\"filtered_port\"")" \
	"filter 5060: filtered_port did not move"
e2e_check_exporter_stops "port filter"

e2e_cleanup
tap_done
