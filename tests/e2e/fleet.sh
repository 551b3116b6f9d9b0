#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: a fleet of probes. Three test hosts, each its own namespace
# hN with its own exporter, one real Prometheus and two clustered
# Alertmanager replicas in a "monitor" namespace:
#
#   pN (carrier: sipp UAS 198.18.0.2, scapy)  --sip0/carrier0--  hN (sipp UAC
#   198.18.0.1, exporter on sip0, HTTP on 198.19.N.1:10060)  --mgmt0/mgmtN--
#   mon (198.19.N.2: Prometheus on 127.0.0.1:19090, Alertmanager replicas on
#   :19093 and :19094 clustered over 127.0.0.1:19193/19194, a webhook sink)
#
# Every host's carrier link uses the same addresses (separate links, like
# the same carrier SBC seen from three sites), so 198.18.0.2 is one source
# seen by every probe. Prometheus finds the exporters through file_sd (a
# targets file written here), loads scripts/prometheus/'s rules (per-instance
# and fleet), scrapes and evaluates every second, and sends its alerts to
# both replicas. Each exporter posts its own spike alerts to both replicas
# (--alertmanager-url twice) with --alert-instance set to its scrape address.
#
#   1. sipp sends a different 6xx mix into each host; from the UAS's
#      -trace_counts: sum by (code) and sum by (instance, code) of
#      sip6xx_global_failures_total in Prometheus equal what was sent, exactly;
#      the fleet rules record, and SIPSourceRejectingFleetWide fires for
#      198.18.0.2 (607/608 on all three probes).
#   2. a 608 burst on h1 and h2 at once (scapy): both exporters fire; each
#      replica lists one SIP608Spike group holding both instances' alerts,
#      once each, and the replicas agree. Alertmanager gossips silences and
#      its notification log, not alerts: each replica has them because each
#      exporter posted to both. The gossip shows in the cluster status (two
#      peers) and in the webhook, notified once per set of alerts, not once
#      per replica. The burst's sources, on two probes only, do not fire
#      SIPSourceRejectingFleetWide.
#   3. h3's exporter stops: Sip6xxExporterDown fires for h3 only (Prometheus
#      and both replicas); more sipp traffic to h1 and h2 grows the sums by
#      exactly what was sent.
#   4. replica 1 stops, and a 607 burst hits h1: replica 0 has the alert at
#      once while h1 retries replica 1 with backoff; replica 1, restarted,
#      gets it from a retry.
#
# Test-only rule timing: Prometheus loads a copy of the rules where
# Sip6xxExporterDown's for: 1m and SIPSourceRejectingFleetWide's for: 2m are
# sed'ed to 5s, so the run stays around a minute and a half. Expressions,
# thresholds and labels are the shipped ones.
#
# Cardinality (series per probe and fleet-wide) is printed as TAP comments.
# Everything stays inside the namespaces made here (198.18.0.0/15,
# 2001:db8::/32); every wait is bounded; all processes, namespaces and
# temporary files go on exit, however it ends.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

PROMETHEUS=${PROMETHEUS:-prometheus}
ALERTMANAGER=${ALERTMANAGER:-prometheus-alertmanager}
SCEN=$PWD/scripts/sipp
RULES_DIR=$PWD/scripts/prometheus
HOSTS=(1 2 3)
NS_MON=sip6xx-fleet-mon-$$
IF_SIP=sip0	# host side of the carrier link; the exporter attaches here
IF_CARRIER=carrier0
IF_MGMT=mgmt0	# host side of the monitoring link; mgmtN on the monitor side
EXP_PORT=10060
PROM=http://127.0.0.1:19090
AM_PORTS=(19093 19094)
AM_CLUSTER_PORTS=(19193 19194)
HOOK_PORT=19095
SIPP_LIMIT=30	# seconds: timeout(1) on every sipp
SIPP_RATE=5	# calls per second: several scrapes see every mix grow
SPIKE_FRAMES=400
SPIKE_SOURCES=198.18.0.7,2001:db8::7
# Each host's mix, "CODExCOUNT ...": round 1 and, with h3 down, round 2.
MIX1=([1]="607x20 603x10" [2]="608x15 600x5" [3]="607x10 604x5")
MIX2=([1]="607x4 603x6" [2]="608x5 604x5")

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_scapy
e2e_require_exporter "$EXPORTER"
for c in "$PROMETHEUS" "$ALERTMANAGER" sipp; do
	e2e_require_tool "$c" "Debian: prometheus, prometheus-alertmanager, sip-tester"
done
trap e2e_cleanup EXIT
e2e_tmpdir

declare -A EXP_PID SENT	# SENT["N CODE"]: 6xx the exporter on hN must have counted
PROM_PID=""
AM_PID=()

ns_h() { echo "sip6xx-fleet-h$1-$$"; }
ns_p() { echo "sip6xx-fleet-p$1-$$"; }
host_addr() { echo "198.19.$1.1"; }	# the exporter's address on the monitoring link
mon_addr() { echo "198.19.$1.2"; }	# the monitor's address on host N's link
instance() { echo "$(host_addr "$1"):$EXP_PORT"; }

# pyj FILE EXPR: a Python expression over FILE parsed as JSON (J), with
#   vec(): a Prometheus instant vector as {label tuple: value} over the
#     labels of each sample other than __name__, sorted by name;
#   byl(*names): the same, keyed by those labels' values only;
#   groups(name): Alertmanager's alert groups whose alertname is name;
#   lines(): FILE as JSON lines instead (a list).
# A failure prints "error: ...".
pyj() {
	"$E2E_PYTHON" - "$@" <<-'EOF'
		import json, sys
		path, expr = sys.argv[1:3]
		try:
		    raw = open(path).read()
		except OSError as e:
		    print("error: %s" % e)
		    sys.exit(0)
		def lines():
		    return [json.loads(l) for l in raw.splitlines() if l.strip()]
		try:
		    J = json.loads(raw)
		except ValueError:
		    J = None
		def result():
		    return J["data"]["result"]
		def num(v):
		    f = float(v)
		    return int(f) if f == int(f) else f
		def vec():
		    return {tuple(sorted((k, v) for k, v in s["metric"].items() if k != "__name__")):
		            num(s["value"][1]) for s in result()}
		def byl(*names):
		    return {tuple(s["metric"].get(n, "") for n in names) if len(names) > 1
		            else s["metric"].get(names[0], ""): num(s["value"][1]) for s in result()}
		def groups(name):
		    return [g for g in (J or []) if g.get("labels", {}).get("alertname") == name]
		try:
		    print(eval(expr))
		except Exception as e:
		    print("error: %r" % e)
	EOF
}

# prom_get OUT PATH [CURL ARGS...]: GET Prometheus's PATH from the monitor.
prom_get() {
	local out=$1 path=$2
	shift 2
	ip netns exec "$NS_MON" curl -sf --max-time 5 -G -o "$out" "$@" "$PROM$path"
}

# query OUT PROMQL: an instant query into OUT.
query() {
	prom_get "$1" /api/v1/query --data-urlencode "query=$2"
}

# wait_query OUT PROMQL EXPR SECONDS: query until the pyj EXPR over the answer
# prints True; the last answer stays in OUT.
wait_query() {
	local out=$1 q=$2 expr=$3 secs=$4 i
	for ((i = 0; i < secs * 2; i++)); do
		query "$out" "$q" && [ "$(pyj "$out" "$expr")" = True ] && return 0
		sleep 0.5
	done
	return 1
}

# am_get REPLICA OUT PATH: GET PATH from Alertmanager replica 0 or 1.
am_get() {
	ip netns exec "$NS_MON" curl -sf --max-time 5 -o "$2" "http://127.0.0.1:${AM_PORTS[$1]}$3"
}

# wait_am REPLICA OUT PATH EXPR SECONDS: like wait_query, for Alertmanager.
wait_am() {
	local r=$1 out=$2 path=$3 expr=$4 secs=$5 i
	for ((i = 0; i < secs * 2; i++)); do
		am_get "$r" "$out" "$path" && [ "$(pyj "$out" "$expr")" = True ] && return 0
		sleep 0.5
	done
	return 1
}

# mix_file MIX OUT: a SEQUENTIAL -inf file for uas_code.xml, the codes of MIX
# ("607x20 603x10") interleaved; prints the number of calls.
mix_file() {
	local mix=$1 out=$2
	echo SEQUENTIAL >"$out"
	awk -v mix="$mix" '
	BEGIN {
		n = split(mix, m, " ")
		for (i = 1; i <= n; i++) { split(m[i], p, "x"); code[i] = p[1]; left[i] = p[2] + 0 }
		do {
			more = 0
			for (i = 1; i <= n; i++)
				if (left[i] > 0) { print code[i] ";"; left[i]--; more = 1 }
		} while (more)
	}' >>"$out"
	echo $(($(wc -l <"$out") - 1))
}

# run_mixes TAG HOST=MIX...: for each host at once, a sipp UAS in pN answering
# with its MIX and a sipp UAC in hN placing the calls; adds what each UAS sent
# (sent + retransmitted, from -trace_counts) to SENT; one TAP line per host.
run_mixes() {
	local tag=$1 arg n mix dir calls st code sent retr f
	local -A uas uac ncalls
	shift
	for arg in "$@"; do
		n=${arg%%=*} mix=${arg#*=}
		dir=$E2E_TMP/sipp-$tag-h$n
		mkdir -p "$dir/uas" "$dir/uac"
		ncalls[$n]=$(mix_file "$mix" "$dir/uas/codes.csv")
		(cd "$dir/uas" && exec ip netns exec "$(ns_p "$n")" timeout "$SIPP_LIMIT" sipp \
			-sf "$SCEN/uas_code.xml" -inf codes.csv -i 198.18.0.2 -p 5060 -m "${ncalls[$n]}" \
			-nostdin -trace_counts -trace_err -error_file errors.log >sipp.log 2>&1) &
		uas[$n]=$!
		e2e_track_pid "${uas[$n]}"
	done
	for arg in "$@"; do
		n=${arg%%=*}
		e2e_wait_udp_listen "$(ns_p "$n")" 198.18.0.2 5060 ||
			echo "# $tag: the UAS in $(ns_p "$n") does not listen"
		dir=$E2E_TMP/sipp-$tag-h$n
		(cd "$dir/uac" && exec ip netns exec "$(ns_h "$n")" timeout "$SIPP_LIMIT" sipp \
			-sf "$SCEN/uac_code.xml" 198.18.0.2:5060 -i 198.18.0.1 -p 5060 -m "${ncalls[$n]}" \
			-r "$SIPP_RATE" -timeout "$((SIPP_LIMIT - 5))s" -nostdin \
			-trace_err -error_file errors.log >sipp.log 2>&1) &
		uac[$n]=$!
		e2e_track_pid "${uac[$n]}"
	done
	for arg in "$@"; do
		n=${arg%%=*} mix=${arg#*=}
		dir=$E2E_TMP/sipp-$tag-h$n
		st=0
		for f in uac uas; do
			if [ "$f" = uac ]; then calls=${uac[$n]}; else calls=${uas[$n]}; fi
			e2e_reap "$calls" $((SIPP_LIMIT + 5))
			if [ "$E2E_STATUS" != 0 ]; then
				st=1
				echo "# $tag h$n: sipp $f ended with status $E2E_STATUS"
				e2e_show_log "$dir/$f/sipp.log" 20
				e2e_show_log "$dir/$f/errors.log" 20
			fi
		done
		f=$(e2e_first_file "$dir"/uas/*_counts.csv)
		calls=0
		if [ -n "$f" ]; then
			# Every response code the UAS sent (1xx too); only the 6xx count here.
			while read -r code sent retr; do
				if [ "${code:0:1}" != 6 ] || [ $((sent + retr)) = 0 ]; then
					continue
				fi
				SENT["$n $code"]=$((${SENT["$n $code"]:-0} + sent + retr))
				calls=$((calls + sent))
				[ "$retr" -gt 0 ] && echo "# $tag h$n: $retr retransmitted $code"
			done < <(e2e_sipp_counts "$f" Sent)
		else
			st=1
		fi
		[ "$st" = 0 ] && [ "$calls" = "${ncalls[$n]}" ]
		ok $? "$tag: sipp into h$n ($mix): UAC and UAS ended 0, the UAS answered $calls of ${ncalls[$n]} calls with a 6xx"
	done
}

# expected_sums [HOST...]: "{'607': N, ...}", the sums over those hosts of SENT.
expected_sums() {
	local k n c out="" h
	local -A sum
	for k in "${!SENT[@]}"; do
		n=${k% *} c=${k#* }
		for h in "$@"; do
			[ "$h" = "$n" ] && sum[$c]=$((${sum[$c]:-0} + ${SENT[$k]}))
		done
	done
	for c in $(printf '%s\n' "${!sum[@]}" | sort -n); do
		out="$out'$c': ${sum[$c]}, "
	done
	echo "{${out%, }}"
}

# expected_by_instance HOST...: "{('INSTANCE', 'CODE'): N, ...}" from SENT.
expected_by_instance() {
	local k n out="" h
	for k in $(printf '%s\n' "${!SENT[@]}" | tr ' ' '/' | sort); do
		n=${k%/*}
		for h in "$@"; do
			[ "$h" = "$n" ] && out="$out('$(instance "$n")', '${k#*/}'): ${SENT[${k/\// }]}, "
		done
	done
	echo "{${out%, }}"
}

# check_sums TAG HOST...: Prometheus's sums by code, and by instance and code,
# equal what sipp and scapy sent to those hosts (bounded wait: 30 s).
check_sums() {
	local tag=$1 out=$E2E_TMP/sums.json want
	shift
	want=$(expected_sums "$@")
	wait_query "$out" 'sum by (code) (sip6xx_global_failures_total)' "byl('code') == $want" 30
	ok $? "$tag: sum by (code) (sip6xx_global_failures_total) = what was sent, by code: $want (got $(pyj "$out" "byl('code')"))"
	want=$(expected_by_instance "$@")
	wait_query "$out" 'sum by (instance, code) (sip6xx_global_failures_total)' \
		"byl('instance', 'code') == $want" 10
	ok $? "$tag: sum by (instance, code) keeps the probes apart: each = what its host was sent"
	[ "$(pyj "$out" "byl('instance', 'code') == $want")" = True ] ||
		echo "# want $want, got $(pyj "$out" "byl('instance', 'code')")"
}

# send_spike HOST CODE FRAMES OUT: a burst of FRAMES CODE responses from pN
# into hN, cycling through SPIKE_SOURCES (send_spike.py, bounded: 60 s); its
# JSON summary lands in OUT.
send_spike() {
	e2e_send_spike "$(ns_p "$1")" "$IF_CARRIER" "$(ns_h "$1")" "$IF_SIP" --code "$2" \
		--spike "$3" --spike-sources "$SPIKE_SOURCES" >"$4"
}

# ---- the network ----------------------------------------------------------------
ip netns add "$NS_MON" || e2e_die "ip netns add $NS_MON failed"
E2E_NETNS+=("$NS_MON")
ip -n "$NS_MON" link set lo up
for n in "${HOSTS[@]}"; do
	# Carrier link: 198.18.0.1 (hN) <-> 198.18.0.2 (pN), 2001:db8::1/::2.
	e2e_netns_pair "$(ns_h "$n")" "$(ns_p "$n")" "$IF_SIP" "$IF_CARRIER"
	# Monitoring link: 198.19.N.1 (hN) <-> 198.19.N.2 (monitor).
	ip -n "$NS_MON" link add "mgmt$n" type veth peer name "$IF_MGMT" netns "$(ns_h "$n")" ||
		e2e_die "cannot make veth pair mgmt$n/$IF_MGMT"
	ip -n "$NS_MON" addr add "$(mon_addr "$n")/24" dev "mgmt$n"
	ip -n "$(ns_h "$n")" addr add "$(host_addr "$n")/24" dev "$IF_MGMT"
	ip -n "$NS_MON" link set "mgmt$n" up
	ip -n "$(ns_h "$n")" link set "$IF_MGMT" up
done

# ---- the monitor: webhook sink, two Alertmanager replicas, Prometheus -------------
mkdir -p "$E2E_TMP/rules" "$E2E_TMP/targets" "$E2E_TMP/prom"
HOOK_LOG=$E2E_TMP/webhook.jsonl
# A receiver that notifies nobody but writes down each notification, stamped.
e2e_json_sink "$NS_MON" "$HOOK_PORT" "$HOOK_LOG" 600 stamped ||
	e2e_die "the webhook sink does not listen on 127.0.0.1:$HOOK_PORT ($(tail -n 3 "$HOOK_LOG.log"))"

cat >"$E2E_TMP/alertmanager.yml" <<EOF
route:
  receiver: hook
  group_by: [alertname, code]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$HOOK_PORT/
        send_resolved: false
EOF
# start_am REPLICA: Alertmanager replica 0 or 1 in the monitor namespace; its
# web API on every address there (its loopback and the three monitoring
# links), its gossip on the loopback, with the other replica as its peer.
start_am() {
	local r=$1
	mkdir -p "$E2E_TMP/am$r"
	ip netns exec "$NS_MON" "$ALERTMANAGER" --config.file="$E2E_TMP/alertmanager.yml" \
		--storage.path="$E2E_TMP/am$r" --web.listen-address=":${AM_PORTS[$r]}" \
		--cluster.listen-address="127.0.0.1:${AM_CLUSTER_PORTS[$r]}" \
		--cluster.peer="127.0.0.1:${AM_CLUSTER_PORTS[$((1 - r))]}" \
		--cluster.gossip-interval=100ms --cluster.pushpull-interval=1s \
		--cluster.peer-timeout=2s >>"$E2E_TMP/am$r/log" 2>&1 &
	AM_PID[r]=$!
	e2e_track_pid "${AM_PID[$r]}"
}

# stop_pid PID: SIGTERM, then (bounded: 15 s; Alertmanager leaves its cluster
# first, longer than e2e_cleanup waits) the exit status in E2E_STATUS.
stop_pid() {
	e2e_stop_pid "$1" 15
}

start_am 0
start_am 1
for r in 0 1; do
	e2e_wait_ready "$NS_MON" "http://127.0.0.1:${AM_PORTS[$r]}/-/ready" "${AM_PID[$r]}" \
		"$E2E_TMP/am$r/log" 20 20
	ok $? "Alertmanager replica $r ready on :${AM_PORTS[$r]}, gossiping on 127.0.0.1:${AM_CLUSTER_PORTS[$r]}"
done

# The shipped rules, with shorter for: on the two alerts this test waits for.
cp "$RULES_DIR/sip6xx.rules.yml" "$RULES_DIR/sip6xx-fleet.rules.yml" "$E2E_TMP/rules/"
sed -i '/- alert: Sip6xxExporterDown/,/for:/ s/for: 1m/for: 5s/' "$E2E_TMP/rules/sip6xx.rules.yml"
sed -i '/- alert: SIPSourceRejectingFleetWide/,/for:/ s/for: 2m/for: 5s/' \
	"$E2E_TMP/rules/sip6xx-fleet.rules.yml"
[ "$(grep -c 'for: 5s' "$E2E_TMP"/rules/*.yml | awk -F: '{ s += $2 } END { print s }')" = 2 ]
ok $? "test-only rules: Sip6xxExporterDown and SIPSourceRejectingFleetWide for: 5s"

# Service discovery: one target group per host, as a provisioning tool would write.
targets=""
for n in "${HOSTS[@]}"; do
	targets="$targets{\"targets\": [\"$(instance "$n")\"], \"labels\": {\"probe\": \"h$n\"}},"
done
echo "[${targets%,}]" >"$E2E_TMP/targets/sip6xx.json"
cat >"$E2E_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - rules/sip6xx.rules.yml
  - rules/sip6xx-fleet.rules.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${AM_PORTS[0]}', '127.0.0.1:${AM_PORTS[1]}']
scrape_configs:
  - job_name: sip6xx
    file_sd_configs:
      - files: ['targets/*.json']
        refresh_interval: 5s
EOF
promtool check config "$E2E_TMP/prometheus.yml" >"$E2E_TMP/promtool.log" 2>&1
ok $? "the test's prometheus.yml (file_sd, both rule files, both replicas) passes promtool"
ip netns exec "$NS_MON" "$PROMETHEUS" --config.file="$E2E_TMP/prometheus.yml" \
	--storage.tsdb.path="$E2E_TMP/prom" --web.listen-address=127.0.0.1:19090 \
	>"$E2E_TMP/prometheus.log" 2>&1 &
PROM_PID=$!
e2e_track_pid "$PROM_PID"
e2e_wait_ready "$NS_MON" "$PROM/-/ready" "$PROM_PID" "$E2E_TMP/prometheus.log" 30 20
ok $? "Prometheus ready on $PROM in $NS_MON"

# ---- the exporters ------------------------------------------------------------
for n in "${HOSTS[@]}"; do
	set -- --alertmanager-url "http://$(mon_addr "$n"):${AM_PORTS[0]}" \
		--alertmanager-url "http://$(mon_addr "$n"):${AM_PORTS[1]}"
	# --alert-min-rate 50: the sipp mixes (5 calls/s) stay below it, the burst does not.
	ip netns exec "$(ns_h "$n")" "$EXPORTER" -i "$IF_SIP" --mode native \
		--listen "$(instance "$n")" --alert-instance "$(instance "$n")" "$@" \
		--alert-min-rate 50 --alert-resolve 60s \
		>"$E2E_TMP/exporter-h$n.stdout" 2>"$E2E_TMP/exporter-h$n.stderr" &
	EXP_PID[$n]=$!
	e2e_track_pid "${EXP_PID[$n]}"
done
for n in "${HOSTS[@]}"; do
	e2e_wait_http "$(ns_h "$n")" "http://$(instance "$n")/metrics" 10
	st=$?
	[ "$st" -eq 0 ] || e2e_show_log "$E2E_TMP/exporter-h$n.stderr" 20
	ok "$st" "h$n: exporter on $IF_SIP serves http://$(instance "$n")/metrics, posting to both replicas"
done
out=$E2E_TMP/up.json
wait_query "$out" 'up{job="sip6xx"}' "sorted(byl('instance').items()) == [$(
	for n in "${HOSTS[@]}"; do printf "('%s', 1), " "$(instance "$n")"; done)]" 30
ok $? "Prometheus found the three exporters through file_sd and scrapes them (up: $(pyj "$out" "byl('instance')"))"

# ---- 1. a different 6xx mix into each host ---------------------------------------
run_mixes round1 "1=${MIX1[1]}" "2=${MIX1[2]}" "3=${MIX1[3]}"
check_sums round1 1 2 3

out=$E2E_TMP/fleet.json
wait_query "$out" 'code:sip6xx_global_failures:rate1m' \
	"set(byl('code')) >= {'600', '603', '604', '607', '608'} and byl('code')['607'] > 0" 20
ok $? "fleet rules: code:sip6xx_global_failures:rate1m records every code ($(pyj "$out" "byl('code')"))"
wait_query "$out" 'ALERTS{alertname="SIPSourceRejectingFleetWide",alertstate="firing"}' \
	"byl('source') == {'198.18.0.2': 1}" 40
ok $? "fleet rules: SIPSourceRejectingFleetWide fires for 198.18.0.2, rejecting (607/608) on all three probes"
query "$out" 'instance_source:sip6xx_rejections:rate1m'
echo "# instance_source:sip6xx_rejections:rate1m: $(pyj "$out" "byl('instance', 'source')")"

# ---- 2. a 608 burst on h1 and h2 at once ------------------------------------------
# First a trickle (2 frames from each burst source, far below the exporters'
# --alert-min-rate) until Prometheus has the sources' series: a series born
# with the whole burst in its first sample would have no rate at all, and the
# fleet rules would not see the burst.
for n in 1 2; do
	send_spike "$n" 608 4 "$E2E_TMP/prime-h$n.json"
	sent=$(pyj "$E2E_TMP/prime-h$n.json" "J['spike_sent']")
	SENT["$n 608"]=$((${SENT["$n 608"]:-0} + ${sent//[^0-9]/}))
done
wait_query "$E2E_TMP/prime.json" \
	'count(sip6xx_global_failures_total{source=~"198.18.0.7|2001:db8::7",code="608"})' \
	"J['data']['result'][0]['value'][1] == '4'" 15
ok $? "spike: Prometheus has the burst sources' series on h1 and h2 (4 frames each before the burst)"
spike_pid=()
for n in 1 2; do
	send_spike "$n" 608 "$SPIKE_FRAMES" "$E2E_TMP/spike-h$n.json" &
	spike_pid[n]=$!
	e2e_track_pid "${spike_pid[$n]}"
done
for n in 1 2; do
	e2e_reap "${spike_pid[$n]}" 60
	sent=$(pyj "$E2E_TMP/spike-h$n.json" "J['spike_sent']")
	[ "$E2E_STATUS" = 0 ] && [ "$sent" = "$SPIKE_FRAMES" ]
	ok $? "spike: $sent frames of 608 sent into h$n from $SPIKE_SOURCES"
	# The burst's 608s count like any other.
	SENT["$n 608"]=$((${SENT["$n 608"]:-0} + ${sent//[^0-9]/}))
done
for n in "${HOSTS[@]}"; do
	want=0
	[ "$n" != 3 ] && want=1
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c '"state":"firing","code":608' "$E2E_TMP/exporter-h$n.stdout")" = "$want" ] && break
		sleep 0.1
	done
	check_eq "$want" "$(grep -c '"state":"firing","code":608' "$E2E_TMP/exporter-h$n.stdout")" \
		"spike: h$n's exporter wrote $want firing 608 line(s)"
done

want_instances="['$(instance 1)', '$(instance 2)']"
group_ok="len(groups('SIP608Spike')) == 1 and sorted(a['labels']['instance'] for a in groups('SIP608Spike')[0]['alerts']) == $want_instances"
for r in 0 1; do
	wait_am "$r" "$E2E_TMP/groups$r.json" /api/v2/alerts/groups "$group_ok" 20
	ok $? "spike: replica $r lists one SIP608Spike group, with one alert per instance: $(pyj "$E2E_TMP/groups$r.json" \
		"[sorted(a['labels']['instance'] for a in g['alerts']) for g in groups('SIP608Spike')]")"
	check_eq "{'alertname': 'SIP608Spike', 'code': '608'}" \
		"$(pyj "$E2E_TMP/groups$r.json" "groups('SIP608Spike')[0]['labels']")" \
		"spike: replica $r groups it by alertname and code"
	check_eq 0 "$(pyj "$E2E_TMP/groups$r.json" "len(groups('SIP607Spike'))")" \
		"spike: replica $r has no SIP607Spike group"
	check_eq True "$(pyj "$E2E_TMP/groups$r.json" "all(a['labels']['severity'] == 'critical' and a['labels']['code'] == '608' and a['status']['state'] == 'active' for a in groups('SIP608Spike')[0]['alerts'])")" \
		"spike: replica $r: both alerts active, severity critical, code 608"
done
fp="sorted(a['fingerprint'] + a['startsAt'] for a in groups('SIP608Spike')[0]['alerts'])"
check_eq "$(pyj "$E2E_TMP/groups0.json" "$fp")" "$(pyj "$E2E_TMP/groups1.json" "$fp")" \
	"spike: both replicas hold the same two alerts (fingerprints, startsAt)"
for r in 0 1; do
	am_get "$r" "$E2E_TMP/status$r.json" /api/v2/status
	check_eq "ready 2" "$(pyj "$E2E_TMP/status$r.json" \
		"'%s %d' % (J['cluster']['status'], len(J['cluster']['peers']))")" \
		"spike: replica $r's cluster is ready with 2 peers"
done

# Notifications: the replica first in the cluster notifies; the other waits
# --cluster.peer-timeout (2 s) per position, finds the gossiped notification
# log entry, and stays quiet. So each set of firing alerts is notified once.
notified="[tuple(sorted(a['labels']['instance'] for a in l['n']['alerts'])) for l in lines() if l['n']['groupLabels'].get('alertname') == 'SIP608Spike']"
for ((i = 0; i < 40; i++)); do
	[ "$(pyj "$HOOK_LOG" "tuple($want_instances) in $notified")" = True ] && break
	sleep 0.5
done
sleep 5	# past the second replica's turn (position 1 x peer-timeout 2 s) and a group_interval
check_eq 1 "$(pyj "$HOOK_LOG" "$notified.count(tuple($want_instances))")" \
	"spike: the webhook heard about both instances' SIP608Spike once, not once per replica"
check_eq True "$(pyj "$HOOK_LOG" "len($notified) == len(set($notified))")" \
	"spike: no set of SIP608Spike alerts was notified twice ($(pyj "$HOOK_LOG" "$notified"), from $(pyj "$HOOK_LOG" \
		"sorted(set(l['n']['externalURL'] for l in lines() if l['n']['groupLabels'].get('alertname') == 'SIP608Spike'))"))"

check_sums "spike" 1 2 3

# Cardinality, from Prometheus's view of the scrapes: h1 and h2 now see three
# sources each (198.18.0.2, and the burst's two), h3 one.
query "$out" 'count by (instance) ({job="sip6xx",__name__=~"sip6xx_.*"})'
echo "# series per probe (sip6xx_*): $(pyj "$out" "byl('instance')")"
query "$out" 'count by (__name__) ({job="sip6xx",__name__=~"sip6xx_.*",instance="'"$(instance 1)"'"})'
echo "# h1 by metric: $(pyj "$out" "byl('__name__')")"
query "$out" 'count({job="sip6xx",__name__=~"sip6xx_.*"})'
echo "# series fleet-wide (3 probes): $(pyj "$out" "J['data']['result'][0]['value'][1]")"
query "$out" 'scrape_samples_scraped{job="sip6xx"}'
echo "# scrape_samples_scraped: $(pyj "$out" "byl('instance')")"
query "$out" 'count({__name__=~"(code|source|source_code|instance_source):sip6xx_.*"})'
echo "# fleet recording rules: $(pyj "$out" "J['data']['result'][0]['value'][1]") series"

query "$out" 'count by (source) (instance_source:sip6xx_rejections:rate1m{source=~"198.18.0.7|2001:db8::7"} > 0)'
check_eq "{'198.18.0.7': 2, '2001:db8::7': 2}" "$(pyj "$out" "byl('source')")" \
	"fleet rules: the burst's two sources reject on two probes each"
query "$out" 'ALERTS{alertname="SIPSourceRejectingFleetWide"}'
check_eq "[]" "$(pyj "$out" "sorted(s for s in byl('source') if s != '198.18.0.2')")" \
	"fleet rules: SIPSourceRejectingFleetWide stays quiet for them (two probes, not three)"

# ---- 3. h3's exporter stops ---------------------------------------------------------
e2e_stop_pid "${EXP_PID[3]}" 5
check_eq 0 "$E2E_STATUS" "down: SIGTERM stops h3's exporter with exit status 0"
out=$E2E_TMP/alerts.json
down="sorted((a['labels'].get('instance'), a['state']) for a in J['data']['alerts'] if a['labels']['alertname'] == 'Sip6xxExporterDown')"
for ((i = 0; i < 60; i++)); do
	prom_get "$out" /api/v1/alerts &&
		[ "$(pyj "$out" "$down")" = "[('$(instance 3)', 'firing')]" ] && break
	sleep 0.5
done
check_eq "[('$(instance 3)', 'firing')]" "$(pyj "$out" "$down")" \
	"down: Prometheus fires Sip6xxExporterDown for h3's instance, and only for it"
check_eq "['h3']" "$(pyj "$out" "[a['labels'].get('probe') for a in J['data']['alerts'] if a['labels']['alertname'] == 'Sip6xxExporterDown']")" \
	"down: the alert carries h3's file_sd target label probe=\"h3\""
for r in 0 1; do
	wait_am "$r" "$E2E_TMP/down$r.json" /api/v2/alerts/groups \
		"[a['labels']['instance'] for g in groups('Sip6xxExporterDown') for a in g['alerts']] == ['$(instance 3)']" 15
	ok $? "down: replica $r lists Sip6xxExporterDown for $(instance 3) only"
done
query "$out" 'up{job="sip6xx"}'
check_eq "{'$(instance 1)': 1, '$(instance 2)': 1, '$(instance 3)': 0}" "$(pyj "$out" "byl('instance')")" \
	"down: up is 0 for h3 only"

run_mixes round2 "1=${MIX2[1]}" "2=${MIX2[2]}"
check_sums "round2, h3 down" 1 2
for n in 1 2; do
	check_eq 0 "$(grep -c 'alertmanager: POST' "$E2E_TMP/exporter-h$n.stderr")" \
		"h$n: no failed POST to either replica"
	grep 'alertmanager: POST' "$E2E_TMP/exporter-h$n.stderr" | head -n 5 | sed 's/^/# | /'
done

# ---- 4. one replica down: each URL has its own retries ---------------------------
stop_pid "${AM_PID[1]}"
check_eq 0 "$E2E_STATUS" "replica down: SIGTERM stops replica 1 with exit status 0"
send_spike 1 607 "$SPIKE_FRAMES" "$E2E_TMP/spike607.json"
ok $? "replica down: $(pyj "$E2E_TMP/spike607.json" "J['spike_sent']") frames of 607 sent into h1"
wait_am 0 "$E2E_TMP/r0.json" /api/v2/alerts/groups \
	"[a['labels']['instance'] for g in groups('SIP607Spike') for a in g['alerts']] == ['$(instance 1)']" 10
ok $? "replica down: replica 0 lists h1's SIP607Spike at once, whatever replica 1's state"
failed_re="alertmanager: POST http://$(mon_addr 1):${AM_PORTS[1]}/api/v2/alerts failed: .*; retrying in"
e2e_wait_grep "$E2E_TMP/exporter-h1.stderr" "$failed_re 2000 ms" 10
grep -q -- "$failed_re 1000 ms" "$E2E_TMP/exporter-h1.stderr" &&
	grep -q -- "$failed_re 2000 ms" "$E2E_TMP/exporter-h1.stderr"
ok $? "replica down: h1 retries replica 1 with backoff (1000, 2000 ms)"
grep -m2 -- "$failed_re" "$E2E_TMP/exporter-h1.stderr" | sed 's/^/# | /'
check_eq 0 "$(grep -c "alertmanager: POST http://$(mon_addr 1):${AM_PORTS[0]}/" "$E2E_TMP/exporter-h1.stderr")" \
	"replica down: nothing failed towards replica 0"
start_am 1
e2e_wait_ready "$NS_MON" "http://127.0.0.1:${AM_PORTS[1]}/-/ready" "${AM_PID[1]}" "$E2E_TMP/am1/log" 20 20
ok $? "replica down: replica 1 back on :${AM_PORTS[1]}"
wait_am 1 "$E2E_TMP/r1.json" /api/v2/alerts/groups \
	"[a['labels']['instance'] for g in groups('SIP607Spike') for a in g['alerts']] == ['$(instance 1)']" 20
ok $? "replica down: h1's retry delivers SIP607Spike to replica 1 once it is back"
grep -q "alertmanager: http://$(mon_addr 1):${AM_PORTS[1]}/api/v2/alerts reachable again" \
	"$E2E_TMP/exporter-h1.stderr"
ok $? "replica down: h1 logs replica 1 reachable again"

for pid in "${AM_PID[@]}" "$PROM_PID"; do
	kill -TERM "$pid" 2>/dev/null
done
for pid in "${AM_PID[@]}" "$PROM_PID"; do
	stop_pid "$pid"
done
e2e_cleanup
tap_done
