#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: the exporter's real-time spike alerts. The exporter runs in
# namespace A on a veth end, next to a real Alertmanager on A's loopback;
# namespace B sends 607 responses. Four runs:
#   1. a 2/s background, then a burst from four responders: exactly one firing
#      JSON line naming them, the gauges and counter, the alert in Alertmanager;
#      then quiet: the resolved line, the gauge back to 0, Alertmanager told.
#   2. Alertmanager down (a closed port): the spike still fires on stdout and in
#      the gauge, scrapes keep answering while the POST is retried with backoff,
#      and the alert reaches an Alertmanager started on that port later.
#   3. a steady 10/s already flowing when the exporter starts: the first full
#      window seeds the baseline, so it never fires.
#   4. scrapes every 0.2 s through a burst: the alert's top sources come from
#      the scrapes' reads of the maps (the timer's own read keeps off).
#   5. operator strings with quotes, backslashes, control bytes and invalid
#      UTF-8 (--alert-instance, -i): Alertmanager still takes the alert, with
#      the instance label intact, and every --log-format json line is valid
#      UTF-8 that jq parses. A SIGTERM while it fires resolves it, on stdout
#      and in Alertmanager.
# Detection latency is printed as a TAP comment, not asserted.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

ALERTMANAGER=${ALERTMANAGER:-prometheus-alertmanager}
NS_A=sip6xx-alert-a-$$
NS_B=sip6xx-alert-b-$$
IF_A=vethA
IF_B=vethB
# Everything listens on NS_A's loopback: no clash with anything outside it.
LISTEN_PORT=19060
LISTEN=127.0.0.1:$LISTEN_PORT
URL=http://$LISTEN
AM_PORT=19093
AM_URL=http://127.0.0.1:$AM_PORT
# Nothing listens here until run 2 starts an Alertmanager on it.
AM_DOWN_PORT=19094
AM_DOWN_URL=http://127.0.0.1:$AM_DOWN_PORT
# The burst cycles through these in order; the background comes from .2 only.
SPIKE_SOURCES=(198.18.0.3 198.18.0.4 2001:db8::2 198.18.0.2)
SPIKE_FRAMES=320

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_scapy
e2e_require_exporter "$EXPORTER"
e2e_require_tool "$ALERTMANAGER" "Debian: prometheus-alertmanager"
trap e2e_cleanup EXIT
e2e_tmpdir

# start_exporter NAME ARGS...: the exporter in NS_A; 0 once HTTP answers
# (the alert timer starts before the event loop serves the first request).
start_exporter() {
	local name=$1
	shift
	e2e_start_exporter "$name" "$NS_A" "$URL/metrics" \
		"$EXPORTER" -i "$IF_A" --mode native --listen "$LISTEN" "$@"
}

# start_am NAME PORT: a real Alertmanager on NS_A's loopback (E2E_AM_PID);
# 0 once /-/ready answers 200 (bounded: 10 s).
start_am() {
	e2e_start_alertmanager "$ALERTMANAGER" "$NS_A" "$E2E_TMP/am-$1" "$2"
}

# send_spike OUT ARGS...: send_spike.py from NS_B (bounded: 60 s); its JSON
# summary lands in OUT.
send_spike() {
	local out=$1
	shift
	e2e_send_spike "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$@" >"$out"
}

# py MODE FILE EXPR: print a Python expression evaluated over FILE.
#   MODE lines: L holds FILE's lines, each a parsed JSON object or None;
#     alerts(state, code) lists the alert lines that match (None: any),
#     one(state, code) is the only such line, or None; F and R are
#     one('firing', 607) and one('resolved', 607).
#   MODE json: J is FILE parsed as one JSON document; am(NAME) lists the
#     Alertmanager alerts (GET /api/v2/alerts) with that alertname, and A is
#     the first SIP607Spike, or None.
#   ts(RFC3339) is the time in seconds since the epoch.
# A failure (no such file, a missing key) prints "error: ...".
py() {
	"$E2E_PYTHON" - "$@" <<-'EOF'
		import datetime, json, sys
		mode, path, expr = sys.argv[1:4]
		def ts(s):
		    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
		L, J = [], None
		try:
		    with open(path) as fh:
		        if mode == "json":
		            J = json.load(fh)
		        else:
		            for line in fh.read().splitlines():
		                try:
		                    a = json.loads(line)
		                except ValueError:
		                    a = None
		                L.append(a if isinstance(a, dict) else None)
		except (OSError, ValueError) as e:
		    print("error: %s" % e)
		    sys.exit(0)
		def alerts(state=None, code=None):
		    return [a for a in L if a and a.get("event") == "alert"
		            and state in (None, a.get("state")) and code in (None, a.get("code"))]
		def one(state, code):
		    m = alerts(state, code)
		    return m[0] if len(m) == 1 else None
		def am(name):
		    return [a for a in (J if isinstance(J, list) else []) if isinstance(a, dict)
		            and a.get("labels", {}).get("alertname") == name]
		F, R = one("firing", 607), one("resolved", 607)
		A = (am("SIP607Spike") or [None])[0]
		try:
		    print(eval(expr))
		except Exception as e:
		    print("error: %r" % e)
	EOF
}

# has_alert_line FILE STATE CODE: FILE holds such a JSON line.
has_alert_line() {
	[ "$(py lines "$1" "len(alerts('$2', $3))")" -ge 1 ] 2>/dev/null
}

# wait_alert_line FILE STATE CODE SECONDS: until FILE holds such a JSON line.
wait_alert_line() {
	e2e_poll "$4" has_alert_line "$1" "$2" "$3"
}

# am_get PORT OUT: Alertmanager's current alerts (GET /api/v2/alerts) into OUT.
am_get() {
	ip netns exec "$NS_A" curl -sf --max-time 5 -o "$2" "http://127.0.0.1:$1/api/v2/alerts"
}

# am_holds PORT OUT EXPR: GET /api/v2/alerts into OUT; the py json EXPR over it prints True.
am_holds() {
	am_get "$1" "$2" && [ "$(py json "$2" "$3")" = True ]
}

# wait_am PORT OUT EXPR SECONDS: poll GET /api/v2/alerts until the py json EXPR
# over it prints True; the last answer stays in OUT.
wait_am() {
	e2e_poll "$4" am_holds "$1" "$2" "$3"
}

# only_alert_lines WHAT: stdout holds JSON alert lines and nothing else.
only_alert_lines() {
	local n
	n=$(py lines "$E2E_EXP_OUT" "len(L) if L and all(a and a.get('event') == 'alert' for a in L) else 'no'")
	[ "$n" != no ] && [ "$n" -ge 1 ] 2>/dev/null
	ok $? "$1: stdout holds only JSON alert lines ($n)"
	[ "$n" != no ] || e2e_show_log "$E2E_EXP_OUT"
}

e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
sources_py="[$(printf '"%s",' "${SPIKE_SOURCES[@]}")]"
sources_csv=$(IFS=,; echo "${SPIKE_SOURCES[*]}")

# ---- 1. background, burst, resolve; with Alertmanager -------------------------------
test_spike() {
	local sent=$E2E_TMP/spike.sent scrape=$E2E_TMP/spike.prom amj=$E2E_TMP/spike.am.json
	local ammetrics=$E2E_TMP/spike.am.prom total spike_first spike_last appeared v

	start_am main "$AM_PORT"
	ok $? "spike: Alertmanager ready on 127.0.0.1:$AM_PORT in $NS_A"
	start_exporter spike --alert-resolve 5s --alertmanager-url "$AM_URL"
	ok $? "spike: exporter serves $URL/metrics, posting to $AM_URL"

	# 2/s from 198.18.0.2 for 4 s (well under --alert-min-rate 5), then the burst.
	send_spike "$sent" --steady-rate 2 --steady-secs 4 --steady-source 198.18.0.2 \
		--spike "$SPIKE_FRAMES" --spike-sources "$sources_csv"
	ok $? "spike: 8 background frames then $SPIKE_FRAMES in a burst sent from $NS_B"
	total=$(py json "$sent" "J['steady_sent'] + J['spike_sent']")
	spike_first=$(py json "$sent" "J['spike_first']")
	spike_last=$(py json "$sent" "J['spike_last']")
	echo "# burst of $SPIKE_FRAMES frames took $(py json "$sent" \
		"round((J['spike_last'] - J['spike_first']) * 1000)") ms to send"

	wait_alert_line "$E2E_EXP_OUT" firing 607 5
	ok $? "spike: a firing JSON line for 607 on stdout"
	# Nothing else writes stdout before the resolve, seconds later: its mtime
	# is when the firing line was written.
	appeared=$(stat -c %.3Y "$E2E_EXP_OUT")
	# Snapshot the scrape and Alertmanager first, while the alert surely fires:
	# the checks below take seconds on a loaded machine, and it resolves 5 s on.
	e2e_wait_metric "$NS_A" "$URL/metrics" "$scrape" \
		"sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"607\"}" "$total" 5
	ok $? "spike: responses_total{code=607} counts all $total frames sent"
	# Alertmanager: the POST goes out from the same tick, without blocking it.
	wait_am "$AM_PORT" "$amj" "len(am('SIP607Spike')) == 1 and A['status']['state'] == 'active'" 5
	ok $? "spike: Alertmanager lists one active SIP607Spike"
	check_eq 1 "$(py lines "$E2E_EXP_OUT" "len(alerts('firing', 607))")" \
		"spike: exactly one firing line for 607"
	check_eq 0 "$(py lines "$E2E_EXP_OUT" "len(alerts(None, 608))")" "spike: no line for 608"
	check_eq 0 "$(py lines "$E2E_EXP_OUT" "len(alerts('resolved'))")" "spike: nothing resolved yet"
	only_alert_lines spike
	check_eq True "$(py lines "$E2E_EXP_OUT" "F['rate'] >= F['threshold']")" \
		"spike: rate >= threshold ($(py lines "$E2E_EXP_OUT" "(F['rate'], F['threshold'])"))"
	check_eq True "$(py lines "$E2E_EXP_OUT" "F['threshold'] >= 5")" \
		"spike: threshold >= --alert-min-rate 5"
	v=$(py lines "$E2E_EXP_OUT" "F['baseline']")
	check_eq True "$(py lines "$E2E_EXP_OUT" "0 <= F['baseline'] <= 3")" \
		"spike: the baseline is learnt from the 2/s background (got $v)"
	v=$(py lines "$E2E_EXP_OUT" "[(s['source'], s['rate']) for s in F['top_sources']]")
	check_eq True "$(py lines "$E2E_EXP_OUT" "set($sources_py) <= set(s['source'] for s in F['top_sources'])")" \
		"spike: top_sources names every burst source ($v)"
	check_eq True "$(py lines "$E2E_EXP_OUT" "all(s['rate'] > 0 for s in F['top_sources'])")" \
		"spike: every top source has a positive rate"
	check_eq True "$(py lines "$E2E_EXP_OUT" "ts(F['started_at']) >= $spike_first - 0.01")" \
		"spike: started_at is not before the burst (the background alone did not fire)"
	echo "# alert latency: $(py lines "$E2E_EXP_OUT" "round((ts(F['started_at']) - $spike_first) * 1000)") ms" \
		"(first burst frame -> started_at; stdout's mtime, coarse to a jiffy, says" \
		"$(py lines "$E2E_EXP_OUT" "round(($appeared - $spike_first) * 1000)") ms)"

	check_eq 1 "$(e2e_metric "$scrape" 'sip6xx_alert_firing{code="607"}')" \
		'spike: sip6xx_alert_firing{code="607"} is 1'
	check_eq 1 "$(e2e_metric "$scrape" 'sip6xx_alerts_total{code="607"}')" \
		'spike: sip6xx_alerts_total{code="607"} is 1'
	check_eq 0 "$(e2e_metric "$scrape" 'sip6xx_alert_firing{code="608"}')" \
		'spike: sip6xx_alert_firing{code="608"} is 0'
	check_eq 0 "$(e2e_metric "$scrape" 'sip6xx_alerts_total{code="608"}')" \
		'spike: sip6xx_alerts_total{code="608"} is 0'

	check_eq 607 "$(py json "$amj" "A['labels']['code']")" 'spike: its label code is "607"'
	check_eq critical "$(py json "$amj" "A['labels'].get('severity')")" \
		"spike: its label severity is critical"
	check_eq "$(hostname):$LISTEN_PORT" "$(py json "$amj" "A['labels'].get('instance')")" \
		"spike: its label instance is HOSTNAME:PORT"
	v=$(py json "$amj" "A['annotations'].get('summary')")
	check_eq True "$(py json "$amj" "'607' in A['annotations'].get('summary', '')")" \
		"spike: the summary names 607 ($v)"
	v=$(py json "$amj" "A['annotations'].get('description')")
	check_eq True "$(py json "$amj" "all(s in A['annotations'].get('description', '') for s in $sources_py)")" \
		"spike: the description names the burst sources ($v)"
	check_eq True "$(py json "$amj" "abs(ts(A['startsAt']) - $(py lines "$E2E_EXP_OUT" "ts(F['started_at'])")) < 0.001")" \
		"spike: startsAt is the JSON line's started_at"
	check_eq True "$(py json "$amj" "ts(A['endsAt']) - ts(A['startsAt']) > 60")" \
		"spike: endsAt lies ahead while firing ($(py json "$amj" "A['endsAt']"))"
	check_eq 0 "$(py json "$amj" "len(am('SIP608Spike'))")" "spike: no SIP608Spike in Alertmanager"

	# ---- quiet: the rate falls below half the threshold, resolved 3 s later ----
	wait_alert_line "$E2E_EXP_OUT" resolved 607 15
	ok $? "spike: a resolved JSON line for 607 within 15 s of the burst"
	echo "# resolved line written $(py lines "$E2E_EXP_OUT" \
		"round((ts(R['ended_at']) - $spike_last) * 1000)") ms after the last burst frame" \
		"(window 1 s + --alert-resolve 5s)"
	check_eq 1 "$(py lines "$E2E_EXP_OUT" "len(alerts('resolved', 607))")" \
		"spike: exactly one resolved line for 607"
	v=$(py lines "$E2E_EXP_OUT" "(F['started_at'], R['started_at'])")
	check_eq True "$(py lines "$E2E_EXP_OUT" "R['started_at'] == F['started_at']")" \
		"spike: the resolved line keeps the firing line's started_at ($v)"
	check_eq True "$(py lines "$E2E_EXP_OUT" "ts(R['ended_at']) - ts(R['started_at']) >= 5")" \
		"spike: ended_at is at least --alert-resolve after started_at"
	check_eq True "$(py lines "$E2E_EXP_OUT" "R['rate'] < R['threshold'] / 2")" \
		"spike: resolved with the rate below half the threshold"
	e2e_scrape "$NS_A" "$URL/metrics" "$scrape"
	check_eq 0 "$(e2e_metric "$scrape" 'sip6xx_alert_firing{code="607"}')" \
		'spike: sip6xx_alert_firing{code="607"} back to 0'
	check_eq 1 "$(e2e_metric "$scrape" 'sip6xx_alerts_total{code="607"}')" \
		'spike: sip6xx_alerts_total{code="607"} stays 1'

	# A resolved alert (endsAt now) leaves GET /api/v2/alerts at once; its
	# firing endsAt was 2 minutes ahead, so only the resolve POST explains it.
	wait_am "$AM_PORT" "$amj" "len(am('SIP607Spike')) == 0" 5
	ok $? "spike: Alertmanager no longer lists SIP607Spike as active"
	ip netns exec "$NS_A" curl -sf --max-time 5 -o "$ammetrics" "$AM_URL/metrics"
	v=$(e2e_metric0 "$ammetrics" 'alertmanager_alerts_received_total{status="resolved",version="v2"}')
	[ "$v" -ge 1 ] 2>/dev/null
	ok $? "spike: Alertmanager received a resolved alert (received_total{status=resolved} $v)"
	check_eq 0 "$(e2e_metric "$ammetrics" 'alertmanager_alerts{state="active"}')" \
		"spike: Alertmanager has no active alert left"

	e2e_check_exporter_stops spike
	check_eq 2 "$(py lines "$E2E_EXP_OUT" "len(alerts())")" "spike: two alert lines in all"
	only_alert_lines "spike, at exit"
	e2e_stop_pid "$E2E_AM_PID"
}

# ---- 2. Alertmanager down -----------------------------------------------------------
test_am_down() {
	local sent=$E2E_TMP/down.sent scrape=$E2E_TMP/down.prom amj=$E2E_TMP/down.am.json
	local i fails=0 scrapes=0 scrape_bad=0 slowest=0 t
	local failed_re="alertmanager: POST $AM_DOWN_URL/api/v2/alerts failed: .*; retrying in"

	# A long --alert-resolve: the alert is still firing when Alertmanager comes up.
	start_exporter am-down --alert-resolve 60s --alertmanager-url "$AM_DOWN_URL"
	ok $? "am-down: exporter serves metrics, posting to $AM_DOWN_URL (nothing listens)"
	# Quiet for the first full window (1 s): it seeds a zero baseline.
	sleep 1.5
	send_spike "$sent" --spike "$SPIKE_FRAMES" --spike-sources "$sources_csv"
	ok $? "am-down: a burst of $SPIKE_FRAMES sent"
	wait_alert_line "$E2E_EXP_OUT" firing 607 5
	ok $? "am-down: the firing JSON line for 607 still comes"
	check_eq 1 "$(py lines "$E2E_EXP_OUT" "len(alerts('firing', 607))")" \
		"am-down: exactly one firing line for 607"
	check_eq True "$(py lines "$E2E_EXP_OUT" "set($sources_py) <= set(s['source'] for s in F['top_sources'])")" \
		"am-down: its top_sources name the burst sources"

	# Scrape while the exporter retries: first retry 1 s after the failure,
	# the next 2 s after that. Bounded: 8 s.
	for ((i = 0; i < 40; i++)); do
		scrapes=$((scrapes + 1))
		t=$(ip netns exec "$NS_A" curl -sf --max-time 2 -o "$scrape" -w '%{time_total}' \
			"$URL/metrics") && [ "$(e2e_metric "$scrape" 'sip6xx_alert_firing{code="607"}')" = 1 ] ||
			scrape_bad=$((scrape_bad + 1))
		slowest=$(awk -v a="$slowest" -v b="${t:-9}" 'BEGIN { print (b > a ? b : a) }')
		fails=$(grep -c -- "$failed_re" "$E2E_EXP_ERR")
		[ "$fails" -ge 3 ] && [ "$scrapes" -ge 5 ] && break
		sleep 0.2
	done
	check_eq 0 "$scrape_bad" \
		"am-down: all $scrapes scrapes while retrying answered, with alert_firing{607} 1 (slowest ${slowest}s)"
	[ "$fails" -ge 3 ]
	ok $? "am-down: stderr logs each failed POST ($fails so far)"
	grep -q -- "$failed_re 1000 ms" "$E2E_EXP_ERR" && grep -q -- "$failed_re 2000 ms" "$E2E_EXP_ERR" &&
		grep -q -- "$failed_re 4000 ms" "$E2E_EXP_ERR"
	ok $? "am-down: retries back off 1000, 2000, 4000 ms"
	grep -m3 -- "$failed_re" "$E2E_EXP_ERR" | sed 's/^/# | /'
	check_eq 1 "$(e2e_metric "$scrape" 'sip6xx_alerts_total{code="607"}')" \
		'am-down: sip6xx_alerts_total{code="607"} is 1'

	# Alertmanager comes up on that port: the next retry (at most 4 s on) delivers.
	start_am late "$AM_DOWN_PORT"
	ok $? "am-down: Alertmanager started on 127.0.0.1:$AM_DOWN_PORT"
	wait_am "$AM_DOWN_PORT" "$amj" \
		"len(am('SIP607Spike')) == 1 and A['status']['state'] == 'active'" 10
	ok $? "am-down: a retry delivers the firing SIP607Spike once Alertmanager is up"
	check_eq True "$(py json "$amj" "abs(ts(A['startsAt']) - $(py lines "$E2E_EXP_OUT" "ts(F['started_at'])")) < 0.001")" \
		"am-down: with the original startsAt"
	grep -q "alertmanager: $AM_DOWN_URL/api/v2/alerts reachable again" "$E2E_EXP_ERR"
	ok $? "am-down: stderr says Alertmanager is reachable again"

	e2e_check_exporter_stops am-down
	only_alert_lines am-down
	e2e_stop_pid "$E2E_AM_PID"
}

# ---- 3. steady traffic from the start never fires --------------------------------
test_steady() {
	local sent=$E2E_TMP/steady.sent started=$E2E_TMP/steady.started scrape=$E2E_TMP/steady.prom
	local pid n

	# 10/s, twice --alert-min-rate, already flowing when the exporter starts.
	e2e_send_spike --bg "$NS_B" "$IF_B" "$NS_A" "$IF_A" \
		--steady-rate 10 --steady-secs 6 --steady-source 198.18.0.2 \
		--started-file "$started" >"$sent"
	pid=$E2E_BG_PID
	e2e_poll 10 test -e "$started"
	ok $? "steady: 10/s of 607 from 198.18.0.2 flowing"
	start_exporter steady
	ok $? "steady: exporter serves metrics"
	e2e_reap "$pid" 15
	check_eq 0 "$E2E_STATUS" "steady: the sender finished (60 frames in 6 s)"
	# One more window after the last frame: a drop in rate must not fire either.
	sleep 1.2
	e2e_scrape "$NS_A" "$URL/metrics" "$scrape"
	n=$(e2e_metric0 "$scrape" "sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"607\"}")
	[ "$n" -ge 30 ] 2>/dev/null
	ok $? "steady: the exporter counted the steady 607s ($n, >= 30 expected)"
	check_eq 0 "$(e2e_metric "$scrape" 'sip6xx_alerts_total{code="607"}')" \
		'steady: sip6xx_alerts_total{code="607"} is 0'
	check_eq 0 "$(e2e_metric "$scrape" 'sip6xx_alert_firing{code="607"}')" \
		'steady: sip6xx_alert_firing{code="607"} is 0'
	e2e_check_exporter_stops steady
	[ ! -s "$E2E_EXP_OUT" ]
	ok $? "steady: nothing on stdout"
	e2e_show_log "$E2E_EXP_OUT"
}

# ---- scrapes in a row: the alerts' peers samples come from the scrapes -------
# A scrape reads every peers map and hands that read over when a sample is
# due; the timer's own read keeps off for 1 s after a scrape, so it never
# holds up a series of scrapes. Scraped every 0.2 s, the exporter can name the
# burst's sources only from the scrapes' reads.
test_scraped() {
	local sent=$E2E_TMP/scraped.sent pid i

	start_exporter scraped
	ok $? "scraped: exporter serves metrics"
	# Bounded: 40 scrapes, 2 s each at most, 0.2 s apart.
	(
		for ((i = 0; i < 40; i++)); do
			ip netns exec "$NS_A" curl -sf --max-time 2 -o /dev/null "$URL/metrics" || exit 1
			sleep 0.2
		done
	) &
	pid=$!
	e2e_track_pid "$pid"
	sleep 1.5
	send_spike "$sent" --spike "$SPIKE_FRAMES" --spike-sources "$sources_csv"
	ok $? "scraped: a burst of $SPIKE_FRAMES sent while scrapes come every 0.2 s"
	wait_alert_line "$E2E_EXP_OUT" firing 607 5
	ok $? "scraped: the firing JSON line for 607 comes"
	check_eq True "$(py lines "$E2E_EXP_OUT" "set($sources_py) <= set(s['source'] for s in F['top_sources'])")" \
		"scraped: its top_sources name the burst sources, from the scrapes' reads"
	e2e_reap "$pid" 15
	check_eq 0 "$E2E_STATUS" "scraped: all 40 scrapes answered"
	e2e_check_exporter_stops scraped
}

# ---- 5. hostile operator strings: one JSON writer escapes them all ----------------
# HOSTILE is a quote, a backslash, a tab and a byte that is never UTF-8: as
# JSON text it must come back as exactly this, with U+FFFD for the last byte.
HOSTILE=$'sbc "1"\\x\t\xff'
HOSTILE_PY='"sbc \"1\"\\x\t\ufffd"'

# json_log_ok FILE: every line of FILE is strict UTF-8 and a JSON object with
# ts, level and msg that jq parses; prints the first bad line's number, or nothing.
json_log_ok() {
	local n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s' "$line" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 &&
			printf '%s' "$line" | jq -e 'has("ts") and has("level") and has("msg")' \
				>/dev/null 2>&1 || { echo "$n"; return; }
	done <"$1"
}

test_hostile() {
	local sent=$E2E_TMP/hostile.sent amj=$E2E_TMP/hostile.am.json bad

	e2e_run_exporter hostile-iface "$NS_A" 10 "$EXPORTER" -i "bad$HOSTILE" --log-format json
	check_eq 1 "$E2E_STATUS" "hostile: an unknown -i with quotes and invalid UTF-8 exits 1"
	bad=$(json_log_ok "$E2E_EXP_ERR")
	[ -s "$E2E_EXP_ERR" ] && [ -z "$bad" ]
	ok $? "hostile: its --log-format json error line is valid UTF-8 and parses with jq${bad:+ (line $bad does not)}"
	[ -z "$bad" ] || e2e_show_log "$E2E_EXP_ERR"

	start_am hostile "$AM_PORT"
	ok $? "hostile: Alertmanager ready on 127.0.0.1:$AM_PORT in $NS_A"
	start_exporter hostile --alert-resolve 60s --alertmanager-url "$AM_URL" \
		--alert-instance "$HOSTILE" --log-format json --log-level debug
	ok $? "hostile: exporter serves metrics with --alert-instance $(printf %q "$HOSTILE")"
	sleep 1.5
	send_spike "$sent" --spike "$SPIKE_FRAMES" --spike-sources "$sources_csv"
	ok $? "hostile: a burst of $SPIKE_FRAMES sent"
	wait_alert_line "$E2E_EXP_OUT" firing 607 5
	ok $? "hostile: the firing JSON line for 607 comes"
	wait_am "$AM_PORT" "$amj" "len(am('SIP607Spike')) == 1 and A['labels'].get('instance') == $HOSTILE_PY" 5
	ok $? "hostile: Alertmanager takes the alert, its instance label exactly the operator's string"
	check_eq True "$(py json "$amj" "sorted(A['labels']) == ['alertname', 'code', 'instance', 'severity']")" \
		"hostile: the instance adds no label"
	check_eq True "$(py json "$amj" "$HOSTILE_PY in A['annotations'].get('summary', '')")" \
		"hostile: the summary names the instance, escaped"
	bad=$(json_log_ok "$E2E_EXP_ERR")
	[ -z "$bad" ]
	ok $? "hostile: every --log-format json line (debug) is valid UTF-8 and parses with jq${bad:+ (line $bad does not)}"
	[ -z "$bad" ] || e2e_show_log "$E2E_EXP_ERR" 20

	# Stopped while the alert fires: it is resolved on the way out, on stdout
	# and in Alertmanager (whose copy would otherwise fire 2 more minutes).
	e2e_check_exporter_stops hostile
	check_eq 1 "$(py lines "$E2E_EXP_OUT" "len(alerts('resolved', 607))")" \
		"hostile: SIGTERM while 607 fires writes its resolved line"
	only_alert_lines "hostile, at exit"
	wait_am "$AM_PORT" "$amj" "len(am('SIP607Spike')) == 0" 3
	ok $? "hostile: ... and Alertmanager heard it before the exit: no SIP607Spike active"
	e2e_stop_pid "$E2E_AM_PID"
}

test_spike
test_am_down
test_steady
test_scraped
test_hostile

e2e_cleanup
tap_done
