#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Alerts on calls, not packets (issue 18): --alert-on rejections with the
# call context live. SIPp as UAC in one namespace calls SIPp as UAS in
# another (198.18.0.0/15), which answers 607 and never gets an ACK, so it
# retransmits its 607s; the exporter watches the UAC's veth (XDP: the 607s
# arrive there) and posts to a fake Alertmanager on its loopback that writes
# down every body it is sent. Three runs:
#   callers    --callers 3 --alert-callers: the firing JSON line names the
#              caller, carries a retransmission ratio > 0 that is its own
#              window's counts and lies between two scrapes of
#              sip6xx_rejections_total and sip6xx_retransmissions_total taken
#              around it; the Alertmanager body carries the same ratio and
#              callers.
#   no-alert-callers  the same traffic with --callers 3 but no
#              --alert-callers: the gauge names the caller, and still no
#              caller anywhere on stdout or in Alertmanager; the ratio is there.
#   hashed     608s with a jwscard Call-Info, --callers-hash, --alert-callers
#              and --intermediaries: the alert names the caller by the gauge's
#              hashed label (the number nowhere) and the intermediary.
# And --alert-on rejections and --alert-callers are refused where they cannot
# work. Every sipp and
# server runs under timeout; every wait and loop is bounded. About 60 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

SCEN=$PWD/scripts/sipp
NS_UAC=sip6xx-acall-uac-$$
NS_UAS=sip6xx-acall-uas-$$
IF_UAC=acuac0
IF_UAS=acuas0
UAS4=198.18.0.2
UAC4=198.18.0.1
LISTEN=127.0.0.1:19200
URL=http://$LISTEN/metrics
AM_PORT=19201
# 60 calls at 20 a second: 3 s of 607s, each repeated 0.5, 1.5 and 3.5 s on.
CALLS=60
CPS=20
SIPP_LIMIT=30
CALLER=+12025550101
# A 3 s window needs 24 rejections in it to reach 8/s: about 1.2 s into the
# calls, when those of the first 0.7 s have had their first retransmission.
ALERT_ARGS=(--alert-on rejections --alert-codes 607 --alert-window 3s --alert-min-rate 8
	--alert-resolve 60s --alertmanager-url "http://127.0.0.1:$AM_PORT")

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_exporter "$EXPORTER"
e2e_require_tool sipp "Debian: sip-tester (scripts/deps.sh)"
trap e2e_cleanup EXIT
e2e_tmpdir
e2e_netns_pair "$NS_UAC" "$NS_UAS" "$IF_UAC" "$IF_UAS"

# fake_am OUT: a receiver on NS_UAC's 127.0.0.1:AM_PORT that answers 200 to
# every POST and appends its body, parsed, as one JSON line to OUT.
fake_am() {
	e2e_json_sink "$NS_UAC" "$AM_PORT" "$1" 120
	local rc=$?
	AM_PID=$E2E_SINK_PID
	return $rc
}

# scrape_loop DIR STOPFILE: scrapes every 0.1 s into DIR/N.prom, each line of
# DIR/times "N START END" (wall clock around curl), until STOPFILE exists;
# bounded: 150 scrapes.
scrape_loop() {
	local dir=$1 stop=$2 i t0 t1
	mkdir -p "$dir"
	for ((i = 0; i < 150; i++)); do
		[ -e "$stop" ] && break
		t0=$(date +%s.%N)
		ip netns exec "$NS_UAC" curl -sf --max-time 2 -o "$dir/$i.prom" "$URL" || continue
		t1=$(date +%s.%N)
		echo "$i $t0 $t1" >>"$dir/times"
		sleep 0.1
	done
}

# calls TAG: CALLS calls from the UAC to a UAS answering ALERT_CODE without
# an ACK coming; the UAS's -trace_counts in CASE_DIR/uas. UAC_STATUS: the
# UAC's exit.
calls() {
	local tag=$1 uas_pid uac_pid uac=$SCEN/uac_noack.xml
	CASE_DIR=$E2E_TMP/$tag
	mkdir -p "$CASE_DIR/uas" "$CASE_DIR/uac"
	printf 'SEQUENTIAL\n%s;\n' "$ALERT_CODE" >"$CASE_DIR/uas/codes.csv"
	# uac_noack.xml waits for a 607; the same caller for another code.
	if [ "$ALERT_CODE" != 607 ]; then
		uac=$CASE_DIR/uac_noack.xml
		sed "s/response=\"607\"/response=\"$ALERT_CODE\"/" "$SCEN/uac_noack.xml" >"$uac"
	fi
	(cd "$CASE_DIR/uas" && exec ip netns exec "$NS_UAS" timeout "$SIPP_LIMIT" sipp \
		-sf "$SCEN/uas_code.xml" -inf codes.csv -i "$UAS4" -p 5060 -m "$CALLS" -nostdin \
		-trace_counts -max_invite_retrans 3 -max_retrans 3 >sipp.log 2>&1) &
	uas_pid=$!
	e2e_track_pid "$uas_pid"
	e2e_wait_udp_listen "$NS_UAS" "$UAS4" 5060 || echo "# $tag: the UAS does not listen"
	(cd "$CASE_DIR/uac" && exec ip netns exec "$NS_UAC" timeout "$SIPP_LIMIT" sipp \
		-sf "$uac" "$UAS4:5060" -i "$UAC4" -p 5070 -m "$CALLS" -r "$CPS" \
		-nostdin -timeout "$((SIPP_LIMIT - 5))s" >sipp.log 2>&1) &
	uac_pid=$!
	e2e_track_pid "$uac_pid"
	e2e_reap "$uac_pid" $((SIPP_LIMIT + 5))
	UAC_STATUS=$E2E_STATUS
	e2e_reap "$uas_pid" $((SIPP_LIMIT + 5))
	[ "$UAC_STATUS" = 0 ] || e2e_show_log "$CASE_DIR/uac/sipp.log" 12
}

# py EXPR: a Python expression over the run's files: L the exporter's stdout
# lines parsed (None where not JSON), F the one firing line of ALERT_CODE (or
# None), B the fake Alertmanager's bodies, A the first firing SIPnnnSpike
# posted (endsAt ahead), S the background scrapes [(start, end, rejections,
# retransmissions, {caller: sip6xx_caller_rejections})] of that code, and
# ts(RFC3339) in seconds since the epoch.
py() {
	"$E2E_PYTHON" - "$E2E_EXP_OUT" "$AM_LOG" "$SCRAPES" "$ALERT_CODE" "$1" <<-'EOF'
		import datetime, json, os, re, sys
		out, amlog, sdir, code, expr = sys.argv[1:6]
		code = int(code)
		def ts(s):
		    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
		def lines(path):
		    res = []
		    try:
		        with open(path) as fh:
		            for line in fh.read().splitlines():
		                try:
		                    res.append(json.loads(line))
		                except ValueError:
		                    res.append(None)
		    except OSError:
		        pass
		    return res
		def total(path, name):
		    n = 0
		    pat = re.compile(r'^%s\{[^}]*code="%d"[^}]*\} (\S+)$' % (name, code))
		    with open(path) as fh:
		        for line in fh:
		            m = pat.match(line.strip())
		            if m:
		                n += float(m.group(1))
		    return int(n)
		def callers(path):
		    res = {}
		    pat = re.compile(r'^sip6xx_caller_rejections\{[^}]*caller="([^"]*)"[^}]*\} (\S+)$')
		    with open(path) as fh:
		        for line in fh:
		            m = pat.match(line.strip())
		            if m:
		                res[m.group(1)] = res.get(m.group(1), 0) + int(float(m.group(2)))
		    return res
		L = lines(out)
		firing = [a for a in L if a and a.get("state") == "firing" and a.get("code") == code]
		F = firing[0] if len(firing) == 1 else None
		B = [b for b in lines(amlog) if b]
		posted = [a for b in B for a in b if a.get("labels", {}).get("alertname") == "SIP%dSpike" % code
		          and ts(a["endsAt"]) - ts(a["startsAt"]) > 60]
		A = posted[0] if posted else None
		S = []
		try:
		    with open(os.path.join(sdir, "times")) as fh:
		        for row in fh:
		            i, t0, t1 = row.split()
		            p = os.path.join(sdir, i + ".prom")
		            S.append((float(t0), float(t1), total(p, "sip6xx_rejections_total"),
		                      total(p, "sip6xx_retransmissions_total"), callers(p)))
		except OSError:
		    pass
		try:
		    print(eval(expr))
		except Exception as e:
		    print("error: %r" % e)
	EOF
}

ALERT_CODE=607

# run TAG EXPORTER_ARGS...: the exporter (after one quiet window, so the
# baseline is 0), the background scrapes, the calls; waits for the firing line.
run() {
	local tag=$1
	shift
	AM_LOG=$E2E_TMP/$tag.am.jsonl
	SCRAPES=$E2E_TMP/$tag.scrapes
	fake_am "$AM_LOG"
	ok $? "$tag: a fake Alertmanager listens on 127.0.0.1:$AM_PORT"
	e2e_start_exporter "$tag" "$NS_UAC" "$URL" "$EXPORTER" -i "$IF_UAC" --mode native \
		--listen "$LISTEN" "${ALERT_ARGS[@]}" "$@"
	ok $? "$tag: the exporter serves $URL with --alert-on rejections $*"
	sleep 3.5
	scrape_loop "$SCRAPES" "$E2E_TMP/$tag.stop" &
	SCRAPER=$!
	e2e_track_pid "$SCRAPER"
	sleep 0.3
	calls "$tag"
	check_eq 0 "$UAC_STATUS" "$tag: the UAC made its $CALLS calls and ended 0"
	e2e_wait_grep "$E2E_EXP_OUT" '"state":"firing"' 5
	ok $? "$tag: a firing JSON line on stdout"
	touch "$E2E_TMP/$tag.stop"
	e2e_reap "$SCRAPER" 20
	e2e_poll 5 test -s "$AM_LOG"
}

# ---- 1. with --callers ---------------------------------------------------------------
run callers --callers 3 --alert-callers
check_eq True "$(py "F is not None and F['alert_on'] == 'rejections'")" \
	"callers: exactly one firing line for 607, alert_on rejections"
v=$(py "(F['callers_window_s'], F['top_callers'])")
# The caller's count is its gauge's, over its own window (5 m) and every 6xx:
# at least the alert window's rejections.
check_eq True "$(py "F['callers_window_s'] == 300 and F['top_callers'][0]['caller'] == '$CALLER' and F['top_callers'][0]['callers_window_rejections'] >= F['window_rejections']")" \
	"callers: it names the caller $CALLER over 300 s, with at least the window's rejections ($v)"
check_eq True "$(py "len(F['top_callers']) <= 5")" "callers: at most 5 callers"
v=$(py "(F['retransmission_ratio'], F['window_rejections'], F['window_retransmissions'])")
check_eq True "$(py "F['retransmission_ratio'] > 0")" \
	"callers: a retransmission ratio > 0 (ratio, rejections, retransmissions: $v)"
check_eq True "$(py "abs(F['retransmission_ratio'] - F['window_retransmissions'] / (F['window_rejections'] + F['window_retransmissions'])) < 0.0005")" \
	"callers: the ratio is retransmissions / (rejections + retransmissions) of its window"
check_eq True "$(py "F['window_rejections'] >= 24")" \
	"callers: the window held the 24 rejections that reach --alert-min-rate 8 over 3 s"
# Everything the exporter counted so far fits in the 3 s window: the line's
# counts are its totals at the tick, so they lie between the scrapes that
# ended before it and those that began after it (50 ms of margin each side).
fire=$(py "ts(F['started_at'])")
before=$(py "[s for s in S if s[1] < $fire - 0.05][-1]")
after=$(py "[s for s in S if s[0] > $fire + 0.05][0]")
echo "# scrape before the tick (start, end, rejections, retransmissions): $before"
echo "# scrape after the tick: $after"
check_eq True "$(py "[s for s in S if s[1] < $fire - 0.05][-1][2] <= F['window_rejections'] <= [s for s in S if s[0] > $fire + 0.05][0][2]")" \
	"callers: its rejections lie between the scrapes' sip6xx_rejections_total around it"
check_eq True "$(py "[s for s in S if s[1] < $fire - 0.05][-1][3] <= F['window_retransmissions'] <= [s for s in S if s[0] > $fire + 0.05][0][3]")" \
	"callers: its retransmissions lie between the scrapes' sip6xx_retransmissions_total around it"
check_eq True "$(py "[s for s in S if s[1] < $fire - 0.05][-1][4].get('$CALLER', 0) <= F['top_callers'][0]['callers_window_rejections'] <= [s for s in S if s[0] > $fire + 0.05][0][4]['$CALLER']")" \
	"callers: its caller's count lies between the scrapes' sip6xx_caller_rejections around it"
check_eq True "$(py "F['window_context_dropped'] == 0")" \
	"callers: the context lost nothing in the window (window_context_dropped 0)"
check_eq True "$(py "S[0][2] == 0 and S[-1][2] > 0")" \
	"callers: the scrapes began before the first rejection and saw them come"
# The Alertmanager body: the same ratio, to the digit, and the same callers.
check_eq True "$(py "A is not None and A['annotations']['alert_on'] == 'rejections'")" \
	"callers: Alertmanager was posted the firing SIP607Spike, alert_on rejections"
v=$(py "A['annotations'].get('retransmission_ratio')")
check_eq True "$(py "A['annotations']['retransmission_ratio'] == '%.3f' % F['retransmission_ratio']")" \
	"callers: its retransmission_ratio annotation is the line's ($v)"
check_eq True "$(py "json.loads(A['annotations']['top_callers']) == F['top_callers']")" \
	"callers: its top_callers annotation holds the line's callers"
check_eq True "$(py "'Retransmission ratio %.3f' % F['retransmission_ratio'] in A['annotations']['description']")" \
	"callers: its description gives the ratio"
check_eq True "$(py "'rejections' in A['annotations']['summary'] and sorted(A['labels']) == ['alertname', 'code', 'instance', 'severity']")" \
	"callers: the summary says rejections; no label added"
check_eq True "$(py "'top_intermediaries' not in F")" "callers: no intermediaries without --intermediaries"
# The final counts, and the gauge naming the same caller.
f=$(e2e_first_file "$CASE_DIR"/uas/*_counts.csv)
read -r _ sent retr < <(e2e_sipp_counts "$f" Sent | awk '$1 == 607')
OUT=$E2E_TMP/callers.prom
e2e_wait_metric "$NS_UAC" "$URL" "$OUT" \
	"sip6xx_retransmissions_total{interface=\"$IF_UAC\",direction=\"rx\",code=\"607\"}" "${retr:-x}" 5
ok $? "callers: sip6xx_retransmissions_total{607} ends at the UAS's ${retr:-?} retransmissions"
check_eq "$CALLS" "$(e2e_metric "$OUT" "sip6xx_rejections_total{interface=\"$IF_UAC\",direction=\"rx\",code=\"607\",method=\"INVITE\"}")" \
	"callers: sip6xx_rejections_total{607} ends at one per call"
check_eq "$((${sent:-0} + ${retr:-0}))" "$(e2e_metric "$OUT" "sip6xx_responses_total{interface=\"$IF_UAC\",direction=\"rx\",code=\"607\"}")" \
	"callers: the kernel's packets are the rejections plus retransmissions (${sent:-?} + ${retr:-?})"
check_eq "$CALLS" "$(e2e_metric "$OUT" "sip6xx_caller_rejections{interface=\"$IF_UAC\",caller=\"$CALLER\"}")" \
	"callers: the gauge names the same caller label"
check_eq 1 "$(e2e_metric "$OUT" 'sip6xx_alert_firing{code="607"}')" 'callers: sip6xx_alert_firing{code="607"} is 1'
e2e_check_exporter_stops callers
# No traffic since that scrape: the resolved line's count is the gauge's, exactly.
check_eq True "$(py "[a for a in L if a and a['state'] == 'resolved'][0]['top_callers'] == [{'caller': '$CALLER', 'callers_window_rejections': $(e2e_metric "$OUT" "sip6xx_caller_rejections{interface=\"$IF_UAC\",caller=\"$CALLER\"}")}]")" \
	"callers: the resolved line at the stop names the caller with the count of the scrape before it"
e2e_stop_pid "$AM_PID"

# ---- 2. --callers without --alert-callers: the gauge only ---------------------------------
run no-alert-callers --callers 3
check_eq True "$(py "F is not None and 'top_callers' not in F and F['retransmission_ratio'] > 0")" \
	"no-alert-callers: the firing line has a ratio > 0 and no top_callers ($(py "F and F.get('retransmission_ratio')"))"
OUT=$E2E_TMP/no-alert-callers.prom
e2e_wait_metric "$NS_UAC" "$URL" "$OUT" "sip6xx_caller_rejections{interface=\"$IF_UAC\",caller=\"$CALLER\"}" "$CALLS" 5
ok $? "no-alert-callers: the gauge names the caller $CALLER"
e2e_check_exporter_stops no-alert-callers
! grep -q "${CALLER#+}" "$E2E_EXP_OUT"
ok $? "no-alert-callers: the caller's number is nowhere on stdout"
check_eq True "$(py "len(B) >= 2 and not any('${CALLER#+}' in json.dumps(b) for b in B)")" \
	"no-alert-callers: nor in any of the $(py "len(B)") Alertmanager bodies"
check_eq True "$(py "A is not None and 'top_callers' not in A['annotations'] and 'callers_window_s' not in A['annotations']")" \
	"no-alert-callers: no top_callers annotation"
e2e_stop_pid "$AM_PID"

# ---- 3. 608s, callers hashed, intermediaries ------------------------------------------
ALERT_CODE=608
KEY=$E2E_TMP/callers.key
head -c 32 /dev/urandom >"$KEY" && chmod 600 "$KEY"
run hashed --alert-codes 608 --callers 2 --callers-hash "$KEY" --alert-callers --intermediaries 2
OUT=$E2E_TMP/hashed.prom
e2e_scrape "$NS_UAC" "$URL" "$OUT"
label=$(sed -n "s/^sip6xx_caller_rejections{interface=\"$IF_UAC\",caller=\"\([0-9a-f]\{16\}\)\"}.*/\1/p" "$OUT")
check_eq True "$(py "F is not None and len(F['top_callers']) == 1 and F['top_callers'][0]['caller'] == '$label'")" \
	"hashed: the 608 line names the caller by the gauge's hashed label (${label:-none})"
check_eq True "$(py "F['intermediaries_window_s'] == 300 and len(F['top_intermediaries']) == 1 and F['top_intermediaries'][0]['intermediary'] == 'example.invalid' and F['top_intermediaries'][0]['intermediaries_window_rejections'] >= F['window_rejections']")" \
	"hashed: it names the intermediary example.invalid with at least the window's 608s ($(py "F['top_intermediaries']"))"
check_eq True "$(py "F['retransmission_ratio'] > 0")" "hashed: a retransmission ratio > 0"
check_eq True "$(py "A is not None and json.loads(A['annotations']['top_intermediaries']) == F['top_intermediaries'] and json.loads(A['annotations']['top_callers']) == F['top_callers']")" \
	"hashed: Alertmanager's annotations hold the same caller and intermediary"
e2e_check_exporter_stops hashed
check_eq True "$(py "not any('${CALLER#+}' in json.dumps(b) for b in B) and '${CALLER#+}' not in open('$E2E_EXP_OUT').read()")" \
	"hashed: the caller's number is nowhere on stdout or in Alertmanager"
e2e_stop_pid "$AM_PID"

# ---- 4. refused where it cannot work --------------------------------------------------
e2e_run_exporter refuse-off "$NS_UAC" 10 "$EXPORTER" -i "$IF_UAC" --alert-on rejections --context-rate 0
check_eq 2 "$E2E_STATUS" "--alert-on rejections --context-rate 0 exits 2"
grep -q 'alert-on rejections counts what the call context decodes: it needs --context-rate above 0' "$E2E_EXP_ERR"
ok $? "... saying it needs the call context"
e2e_run_exporter refuse-code "$NS_UAC" 10 "$EXPORTER" -i "$IF_UAC" --alert-on rejections --alert-codes 607,486
check_eq 2 "$E2E_STATUS" "--alert-on rejections --alert-codes 607,486 exits 2"
grep -q 'alert-codes 486 is no 6xx code' "$E2E_EXP_ERR"
ok $? "... naming the code that is no 6xx"
e2e_run_exporter refuse-callers "$NS_UAC" 10 "$EXPORTER" -i "$IF_UAC" --alert-callers
check_eq 2 "$E2E_STATUS" "--alert-callers without --callers exits 2"
grep -q 'alert-callers names the top --callers in alerts: it needs --callers N' "$E2E_EXP_ERR"
ok $? "... saying it needs --callers"

e2e_cleanup
tap_done
