#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The Grafana dashboard scripts/grafana/sip6xx.json:
#   1. valid JSON in the shape Grafana imports: a ${DS_PROMETHEUS} datasource
#      variable that every panel, target, annotation and variable uses, an
#      instance and an interface variable, unique panel ids;
#   2. every PromQL expression in it (panel targets, annotations, variable
#      queries; Grafana's variables replaced) parses: promtool check rules;
#   3. every sip6xx_* metric it names is one the exporter serves;
#   4. against a real Prometheus (scraping every second, the project's rules
#      loaded) fed by a real exporter (--callers, --intermediaries) while SIPp
#      calls are answered with 200, 486, 603, 607 and 608 between two
#      namespaces, every expression returns data, with the variables at "All"
#      (.*) and at the real instance and interface. The one exception is the
#      annotation on Prometheus's own SIP607Spike/SIP608Spike: those need
#      minutes of spike over an hour's baseline, so it must only run.
#      Beside the mix, four small SIPp cases of the call context (as
#      context_live.sh runs them), each arriving at the exporter: 607 never
#      ACKed (retransmissions), 608 without Call-Info jwscard, a BYE with
#      Reason SIP;cause=607 and a CANCEL with Reason SIP;cause=608; the call
#      panels' series then hold real, non-zero values, which is checked too.
# Everything listens on namespace A's loopback. About 30 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

DASH=scripts/grafana/sip6xx.json
RULES=scripts/prometheus/sip6xx.rules.yml
SCEN=scripts/sipp
SIDE_CALLS=5 # calls of each call-context case
PROMETHEUS=${PROMETHEUS:-prometheus}
NS_A=sip6xx-dash-a-$$
NS_B=sip6xx-dash-b-$$
IF_A=vethA
IF_B=vethB
EXP_LISTEN=127.0.0.1:19064
PROM=http://127.0.0.1:19095
UAS=198.18.0.2
CPS=30
# The callee answers call n with CODES[n % 10]: 607 at 9/s and 608 at 6/s
# make the exporter's spike alerts fire (at least 5/s over a quiet baseline).
CODES=(200 607 608 603 607 200 486 607 608 200)

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_tool promtool "Debian: prometheus"
e2e_require_exporter "$EXPORTER"
e2e_require_tool "$PROMETHEUS" "Debian: prometheus"
e2e_require_tool sipp "Debian: sip-tester"
trap e2e_cleanup EXIT
e2e_tmpdir

show_log() { # show_log FILE: quoted into the TAP stream as comments
	[ -s "$1" ] && sed 's/^/# | /' "$1"
}

# dash MODE [INSTANCE INTERFACE]: facts about the dashboard, from Python.
#   MODE checks: "PASS|FAIL<TAB>what" lines for the structure.
#   MODE exprs: "where<TAB>expr" lines, every PromQL expression with Grafana's
#     variables replaced: $__rate_interval 1m, $__interval 15s, $__range 5m,
#     $instance and $interface by INSTANCE and INTERFACE (".*" when not given);
#     label_values(SELECTOR, LABEL) becomes count by (LABEL) (SELECTOR).
#   MODE metrics: every sip6xx_* metric name the expressions use.
dash() {
	python3 - "$DASH" "$@" <<-'EOF'
		import json, re, sys
		path, mode = sys.argv[1], sys.argv[2]
		inst = sys.argv[3] if len(sys.argv) > 3 else ".*"
		iface = sys.argv[4] if len(sys.argv) > 4 else ".*"
		DS = "${DS_PROMETHEUS}"
		try:
		    d = json.load(open(path))
		except (OSError, ValueError) as e:
		    print("FAIL\t%s is valid JSON: %s" % (path, e))
		    sys.exit(0)
		def panels(ps):
		    for p in ps:
		        yield p
		        yield from panels(p.get("panels", []))
		def uid(o):
		    ds = o.get("datasource")
		    return ds.get("uid") if isinstance(ds, dict) else ds
		exprs = []
		for p in panels(d.get("panels", [])):
		    for t in p.get("targets", []):
		        exprs.append(("panel %s %r %s" % (p.get("id"), p.get("title"), t.get("refId")), t.get("expr", "")))
		annos = [a for a in d.get("annotations", {}).get("list", []) if not a.get("builtIn")]
		for a in annos:
		    exprs.append(("annotation %r" % a.get("name"), a.get("expr", "")))
		variables = d.get("templating", {}).get("list", [])
		for v in variables:
		    if v.get("type") != "query":
		        continue
		    q = v.get("query")
		    q = q.get("query", "") if isinstance(q, dict) else q or ""
		    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\)\s*", q)
		    exprs.append(("variable %r" % v.get("name"), "count by (%s) (%s)" % (m.group(2), m.group(1)) if m else q))
		subs = {"__rate_interval": "1m", "__interval": "15s", "__range": "5m",
		        "instance": inst, "interface": iface}
		def sub(e):
		    def one(m):
		        name = m.group(1) or m.group(2) or m.group(3)
		        return subs.get(name, "UNKNOWN_VARIABLE_" + name)
		    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]", one, e).replace("\n", " ")
		if mode == "exprs":
		    for where, e in exprs:
		        print("%s\t%s" % (where, sub(e)))
		elif mode == "metrics":
		    # Recorded series (instance:sip6xx_...:rate1m) are not the exporter's.
		    print("\n".join(sorted({n for _, e in exprs for n in re.findall(r"(?<![:\w])sip6xx_\w+\b(?!:)", e)})))
		else:
		    def check(cond, what):
		        print("%s\t%s" % ("PASS" if cond else "FAIL", what))
		    check(True, "%s is valid JSON" % path)
		    names = {v.get("name"): v for v in variables}
		    ds = names.get("DS_PROMETHEUS", {})
		    check(ds.get("type") == "datasource" and ds.get("query") == "prometheus",
		          "a DS_PROMETHEUS variable of type datasource (prometheus)")
		    for n in ("instance", "interface"):
		        v = names.get(n, {})
		        check(v.get("type") == "query" and uid(v) == DS and v.get("includeAll"),
		              "the %s variable is queried on ${DS_PROMETHEUS}, with All" % n)
		    real = [p for p in panels(d.get("panels", [])) if p.get("type") != "row"]
		    ids = [p.get("id") for p in panels(d.get("panels", []))]
		    check(len(ids) == len(set(ids)) and None not in ids, "panel ids are unique")
		    bad = [p.get("title") for p in real if uid(p) != DS or not p.get("targets")
		           or any(uid(t) != DS or not t.get("expr") for t in p["targets"])]
		    check(not bad, "every panel and target queries ${DS_PROMETHEUS}" +
		          (" (not: %s)" % ", ".join(map(str, bad)) if bad else ""))
		    check(annos and all(uid(a) == DS and a.get("expr") for a in annos),
		          "every annotation queries ${DS_PROMETHEUS}")
		    check(all("gridPos" in p for p in panels(d.get("panels", []))), "every panel has a gridPos")
		    text = " ".join(e for _, e in exprs)
		    for what, pattern in (
		            ("6xx rate by code", r"sum by \(code\) \(rate\(sip6xx_responses_total\{[^}]*code=~\"6\.\.\""),
		            ("607/608 rates", r"code=~\"607\|608\""),
		            ("exporter alert annotation", r"sip6xx_alert_firing"),
		            ("Prometheus alert annotation", r"ALERTS\{alertname=~\"SIP60\[78\]Spike\""),
		            ("top sources", r"topk\(\d+, sum by \(source[^)]*\) \(rate\(sip6xx_global_failures_total"),
		            ("6xx ratio over final responses", r"code=~\"6\.\.\"\}\[[^]]*\]\)\) / sum[^/]*code!~\"1\.\.\""),
		            ("parser outcomes", r"sum by \(result\) \(rate\(sip6xx_packets_total"),
		            ("map fill", r"sip6xx_peers_tracked\{[^}]*\}\) / sum by \([^)]*\) \(sip6xx_peers_capacity"),
		            ("evictions", r"rate\(sip6xx_peers_evicted_total"),
		            ("rejections by code", r"sum by \(code\) \(rate\(sip6xx_rejections_total"),
		            ("retransmission ratio", r"sip6xx_retransmissions_total\{[^}]*\}\[[^]]*\]\)\) / \(sum by \(code\) \(rate\(sip6xx_rejections_total"),
		            ("calls rejected by phase", r"sum by \(phase, code\) \(rate\(sip6xx_calls_rejected_total"),
		            ("Reason causes", r"sum by \(method, protocol, cause\) \(rate\(sip6xx_reason_total"),
		            ("608 without jwscard", r"rate\(sip6xx_608_missing_call_info_total"),
		            ("context samples", r"rate\(sip6xx_context_samples_total"),
		            ("context drops by reason", r"sum by \(reason\) \(rate\(sip6xx_context_dropped_total"),
		            ("transactions tracked", r"sip6xx_transactions_tracked\{"),
		            ("transaction evictions", r"rate\(sip6xx_transactions_evicted_total"),
		            ("top callers", r"topk\(\d+, sum by \(caller\) \(sip6xx_caller_rejections"),
		            ("top intermediaries", r"topk\(\d+, sum by \(intermediary\) \(sip6xx_intermediary_rejections")):
		        check(re.search(pattern, text), "a panel or annotation for %s" % what)
		    for metric, option in (("sip6xx_caller_rejections", "--callers"),
		                           ("sip6xx_intermediary_rejections", "--intermediaries")):
		        ps = [p for p in real if any(metric in t.get("expr", "") for t in p.get("targets", []))]
		        check(ps and all(option + " N" in p.get("description", "") for p in ps),
		              "the panels of %s say they need %s N" % (metric, option))
	EOF
}

# promql_ok EXPR: promtool parses EXPR (as a recording rule); its complaint on stdout.
promql_ok() {
	python3 -c 'import json, sys
print("groups:\n  - name: dashboard\n    rules:\n      - record: dashboard:expr\n        expr: %s"
      % json.dumps(sys.argv[1]))' "$1" >"$E2E_TMP/expr.rules.yml"
	promtool check rules --lint=none "$E2E_TMP/expr.rules.yml" >"$E2E_TMP/promtool.out" 2>&1 ||
		{ grep -v '^Checking' "$E2E_TMP/promtool.out"; return 1; }
}

# queries: "where<TAB>expr" lines on stdin; for each, Prometheus's answer
# (GET /api/v1/query, from inside NS_A) as
# "status<TAB>series<TAB>where<TAB>expr", status "error: ..." when there was no
# answer.
queries() {
	ip netns exec "$NS_A" python3 -c 'import json, sys, urllib.parse, urllib.request
for line in sys.stdin:
    where, expr = line.rstrip("\n").split("\t", 1)
    url = sys.argv[1] + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            body = r.read().decode()
        d = json.loads(body)
        res = d.get("data", {}).get("result")
        status, n = d.get("status"), len(res) if isinstance(res, list) else int(res is not None)
    except Exception as e:
        status, n = "error: %s" % e, 0
    print("%s\t%d\t%s\t%s" % (status, n, where, expr), flush=True)' "$PROM"
}

# has_data EXPR: Prometheus answers EXPR with at least one series.
has_data() {
	local n
	n=$(printf 'probe\t%s\n' "$1" | queries | awk -F'\t' '$1 == "success" { print $2 }')
	[ "${n:-0}" -gt 0 ]
}

# --- 1. structure
while IFS=$'\t' read -r verdict what; do
	[ "$verdict" = PASS ]
	ok $? "$what"
done < <(dash checks)

# --- 2. every expression parses
n=0
while IFS=$'\t' read -r where expr; do
	n=$((n + 1))
	msg=$(promql_ok "$expr")
	ok $? "promtool parses $where"
	[ -n "$msg" ] && { echo "# $expr"; echo "$msg" | sed 's/^/# | /'; }
done < <(dash exprs)
[ "$n" -ge 15 ]
ok $? "the dashboard holds $n expressions (at least 15)"

# --- the live setup: exporter, Prometheus, then SIPp
e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
ip netns exec "$NS_A" "$EXPORTER" -i "$IF_A" --listen "$EXP_LISTEN" --callers 10 \
	--intermediaries 10 >"$E2E_TMP/exporter.stdout" 2>"$E2E_TMP/exporter.stderr" &
e2e_track_pid $!
exporter_started=$SECONDS
e2e_wait_http "$NS_A" "http://$EXP_LISTEN/metrics" 10 || {
	show_log "$E2E_TMP/exporter.stderr"
	e2e_die "the exporter did not come up on $EXP_LISTEN"
}

cat >"$E2E_TMP/prometheus.yml" <<-YML
	global:
	  scrape_interval: 1s
	  evaluation_interval: 1s
	rule_files:
	  - $PWD/$RULES
	scrape_configs:
	  - job_name: sip6xx
	    static_configs:
	      - targets: ['$EXP_LISTEN']
YML
ip netns exec "$NS_A" "$PROMETHEUS" --config.file="$E2E_TMP/prometheus.yml" \
	--storage.tsdb.path="$E2E_TMP/tsdb" --web.listen-address="${PROM#http://}" \
	--log.level=warn >"$E2E_TMP/prometheus.log" 2>&1 &
e2e_track_pid $!
# Until Prometheus has scraped the exporter (bounded: about 20 s). This also
# gives the exporter's detector its first second of quiet: a rate already
# there in its first window becomes its baseline, and would never fire.
for ((i = 0; i < 100; i++)); do
	has_data 'up{job="sip6xx"} == 1' && [ $((SECONDS - exporter_started)) -ge 2 ] && break
	sleep 0.2
done
has_data 'up{job="sip6xx"} == 1' || {
	show_log "$E2E_TMP/prometheus.log"
	e2e_die "Prometheus on ${PROM#http://} did not scrape the exporter"
}
ok 0 "Prometheus scrapes the exporter every second, with $RULES loaded"

printf 'SEQUENTIAL\n' >"$E2E_TMP/codes.csv"
printf '%s;\n' "${CODES[@]}" >>"$E2E_TMP/codes.csv"
(cd "$E2E_TMP" && exec timeout 90 ip netns exec "$NS_B" sipp -sf "$OLDPWD/$SCEN/uas_mix.xml" \
	-inf "$E2E_TMP/codes.csv" -i "$UAS" -p 5060 -nostdin >"$E2E_TMP/uas.log" 2>&1) &
e2e_track_pid $!
for ((i = 0; i < 50; i++)); do
	ip netns exec "$NS_B" ss -Hnul "sport = :5060" | grep -qF "$UAS" && break
	sleep 0.1
done
(cd "$E2E_TMP" && exec timeout 90 ip netns exec "$NS_A" sipp -sf "$OLDPWD/$SCEN/uac_any.xml" \
	"$UAS:5060" -i 198.18.0.1 -p 5060 -r "$CPS" -m $((CPS * 80)) -timeout 85s -nostdin \
	>"$E2E_TMP/uac.log" 2>&1) &
e2e_track_pid $!

# side TAG UAS_NS UAS_IP:PORT UAS_XML CODE UAC_NS UAC_IP:PORT UAC_XML [UAS_ARGS...]:
# SIDE_CALLS calls of one call-context case beside the mix, in the background,
# the UAS answering CODE (uas_code.xml's field; the others ignore it). The UAS
# is in the namespace whose messages the case is about, so they reach the
# exporter on IF_A's ingress: the 6xx come from B, the BYE and CANCEL too.
side() {
	local tag=$1 uas_ns=$2 uas=$3 uas_xml=$4 code=$5 uac_ns=$6 uac=$7 uac_xml=$8
	shift 8
	mkdir -p "$E2E_TMP/$tag"
	printf 'SEQUENTIAL\n%s;\n' "$code" >"$E2E_TMP/$tag/codes.csv"
	(cd "$E2E_TMP/$tag" && exec timeout 60 ip netns exec "$uas_ns" sipp -sf "$SCEN_DIR/$uas_xml" \
		-inf codes.csv -i "${uas%:*}" -p "${uas##*:}" -m "$SIDE_CALLS" -nostdin "$@" \
		>uas.log 2>&1) &
	e2e_track_pid $!
	e2e_wait_udp_listen "$uas_ns" "${uas%:*}" "${uas##*:}" || echo "# $tag: the UAS does not listen"
	(cd "$E2E_TMP/$tag" && exec timeout 60 ip netns exec "$uac_ns" sipp -sf "$SCEN_DIR/$uac_xml" \
		"$uas" -i "${uac%:*}" -p "${uac##*:}" -m "$SIDE_CALLS" -r 2 -timeout 55s -nostdin \
		>uac.log 2>&1) &
	e2e_track_pid $!
}
SCEN_DIR=$PWD/$SCEN
side noack "$NS_B" "$UAS:5062" uas_code.xml 607 "$NS_A" 198.18.0.1:5070 uac_noack.xml \
	-max_invite_retrans 3 -max_retrans 3
side bare608 "$NS_B" "$UAS:5064" uas_608_bare.xml 608 "$NS_A" 198.18.0.1:5072 uac_ack.xml
side bye "$NS_A" 198.18.0.1:5062 uas_code.xml 200 "$NS_B" "$UAS:5070" uac_bye_reason.xml
side cancel "$NS_A" 198.18.0.1:5064 uas_ring.xml 0 "$NS_B" "$UAS:5072" uac_cancel_reason.xml

# Until Prometheus has 6xx rates by source and sees both exporter alerts (bounded: 30 s).
waited=$SECONDS
while [ $((SECONDS - waited)) -lt 30 ]; do
	has_data 'sum(rate(sip6xx_global_failures_total{code="607"}[1m])) > 0' &&
		has_data 'sip6xx_alert_firing{code="607"} == 1' &&
		has_data 'sip6xx_alert_firing{code="608"} == 1' && break
	sleep 0.5
done
echo "# waited $((SECONDS - waited)) s for the calls' data"
has_data 'sip6xx_alert_firing{code="607"} == 1' && has_data 'sip6xx_alert_firing{code="608"} == 1'
firing=$?
ok $firing "the calls make the exporter's 607 and 608 alerts fire, as Prometheus sees"
if [ "$firing" -ne 0 ]; then
	show_log "$E2E_TMP/exporter.stdout"
	tail -n 20 "$E2E_TMP/uac.log" | sed 's/^/# | /'
fi

# The call-context cases' own series, non-zero (bounded: 20 s more): a panel
# of zeros would pass "returns data" without showing it works.
call_data=(
	'sum(increase(sip6xx_retransmissions_total{code="607"}[5m])) > 0'
	'sum(increase(sip6xx_608_missing_call_info_total[5m])) > 0'
	'sum(increase(sip6xx_reason_total{method="BYE",protocol="SIP",cause="607"}[5m])) > 0'
	'sum(increase(sip6xx_reason_total{method="CANCEL",protocol="SIP",cause="608"}[5m])) > 0'
	'sum by (phase) (increase(sip6xx_calls_rejected_total[5m])) > 0'
	'sum(sip6xx_caller_rejections{caller!="other"}) > 0'
	'sum(sip6xx_intermediary_rejections{intermediary="example.invalid"}) > 0'
)
waited=$SECONDS
while [ $((SECONDS - waited)) -lt 20 ]; do
	missing=0
	for q in "${call_data[@]}"; do
		has_data "$q" || { missing=1; break; }
	done
	[ "$missing" = 0 ] && break
	sleep 0.5
done
echo "# waited $((SECONDS - waited)) s for the call-context cases' data"
missing=0
for q in "${call_data[@]}"; do
	has_data "$q"
	rc=$?
	[ "$rc" = 0 ] || missing=1
	ok "$rc" "the call-context cases show in Prometheus: $q"
done
n=$(printf 'phases\t%s\n' "${call_data[4]}" | queries | cut -f2)
check_eq 3 "${n:-0}" "calls rejected in all three phases (setup, midcall, cancel)"
if [ "$missing" != 0 ]; then
	for tag in noack bare608 bye cancel; do
		e2e_show_log "$E2E_TMP/$tag/uac.log" 6
		e2e_show_log "$E2E_TMP/$tag/uas.log" 6
	done
fi

# --- 3. the metrics it names are the exporter's
e2e_scrape "$NS_A" "http://$EXP_LISTEN/metrics" "$E2E_TMP/scrape.prom"
while read -r metric; do
	grep -q "^# TYPE $metric " "$E2E_TMP/scrape.prom"
	ok $? "the exporter serves $metric"
done < <(dash metrics)

# --- 4. every expression returns data, at All and at the real values
echo "# instance $EXP_LISTEN, interface $IF_A"
for vars in all real; do
	if [ "$vars" = all ]; then set --; else set -- "$EXP_LISTEN" "$IF_A"; fi
	while IFS=$'\t' read -r status n where expr; do
		case $expr in
		*ALERTS*) # needs minutes of spike over an hour's baseline: it only has to run
			check_eq success "$status" "$vars: $where runs ($n series)" ;;
		*)
			[ "$status" = success ] && [ "$n" -gt 0 ]
			ok $? "$vars: $where returns data ($n series)" ;;
		esac
		[ "$status" = success ] || echo "# $status: $expr"
	done < <(dash exprs "$@" | queries)
done

# The ratio panel, with every interface, is the recording rule's ratio: the
# panel's expression evaluated at the timestamp of the rule's latest sample.
# The first seconds of traffic differ (a code's first sample has no rate yet,
# and the rule may run before the scrape lands), so poll (bounded: 15 s).
ratio_expr=$(dash exprs | awk -F'\t' '$1 ~ /share of final responses/ && $2 ~ /by \(instance\)/ { print $2 }')
ratios=$(ip netns exec "$NS_A" python3 -c 'import json, sys, time, urllib.parse, urllib.request
def query(expr, at=None):
    args = {"query": expr}
    if at is not None:
        args["time"] = at
    url = sys.argv[1] + "/api/v1/query?" + urllib.parse.urlencode(args)
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)["data"]["result"][0]["value"]
rule, panel, end = None, None, time.time() + 15
while time.time() < end:
    try:
        at, rule = query("instance:sip6xx_global_failures_per_final_response:ratio_rate1m")
        panel = query(sys.argv[2], at)[1]
        if abs(float(rule) - float(panel)) < 0.01:
            break
    except (OSError, ValueError, LookupError):
        pass
    time.sleep(0.5)
print(rule, panel)' "$PROM" "$ratio_expr" 2>&1)
# A scrape that lands between the rule's run and this query still moves the
# panel's value a little: 0.03 apart at most (1xx in the denominator would halve it).
awk -v r="$ratios" 'BEGIN { n = split(r, v, " "); d = v[1] - v[2]; exit !(n == 2 && d < 0.03 && d > -0.03) }'
ok $? "the ratio panel matches the recording rule's ratio at the rule's timestamp (rule, panel: $ratios)"

tap_done
