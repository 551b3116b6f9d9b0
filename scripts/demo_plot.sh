# shellcheck shell=bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The demo's picture, sourced by scripts/demo.sh: a Prometheus in the caller's
# namespace scrapes the exporter twice a second while the calls run; then a
# range query (/api/v1/query_range) of the 607 and 608 rates and of the
# exporter's alert gauge goes through gnuplot into a PNG. About 4 s more.
#
#   plot_start NS TARGET DIR  Prometheus in NS scraping TARGET (ADDR:PORT), its
#                             files in DIR; its PID is tracked (e2e_track_pid), so
#                             the demo's cleanup stops it. Returns once it has
#                             scraped, after a second of quiet before the calls.
#   plot_render OUT.png       after the calls: query, draw, print where it went.
#
# DEMO_PLOT=0 skips both. A missing tool or a failure here only warns: the
# demo's verdict is about counting, not about the picture. Prometheus listens
# on NS's loopback only.

PLOT_LISTEN=127.0.0.1:19099
PLOT_NS=""
PLOT_DIR=""
PLOT_T0=""
PLOT_PYTHON=${PLOT_PYTHON:-/usr/bin/python3}

plot_warn() {
	echo "demo: no chart: $*" >&2
	PLOT_NS=""
	return 1
}

# plot_query NAME PATH ARGS...: GET http://PLOT_LISTEN/PATH with the
# url-encoded ARGS (name=value) into PLOT_DIR/NAME.json.
plot_query() {
	local name=$1 path=$2 arg args=()
	shift 2
	for arg in "$@"; do
		args+=(--data-urlencode "$arg")
	done
	ip netns exec "$PLOT_NS" curl -sf --max-time 5 -G "${args[@]}" \
		-o "$PLOT_DIR/$name.json" "http://$PLOT_LISTEN/$path"
}

plot_start() {
	local i
	[ "${DEMO_PLOT:-1}" = 0 ] && return 0
	command -v prometheus >/dev/null || plot_warn "prometheus is missing (scripts/deps.sh)" ||
		return 1
	command -v gnuplot >/dev/null || plot_warn "gnuplot is missing (scripts/deps.sh)" || return 1
	PLOT_NS=$1
	PLOT_DIR=$3
	cat >"$PLOT_DIR/plot-prometheus.yml" <<-YML
		global:
		  scrape_interval: 500ms
		scrape_configs:
		  - job_name: sip6xx
		    static_configs:
		      - targets: ['$2']
	YML
	ip netns exec "$PLOT_NS" prometheus --config.file="$PLOT_DIR/plot-prometheus.yml" \
		--storage.tsdb.path="$PLOT_DIR/plot-tsdb" --web.listen-address="$PLOT_LISTEN" \
		--log.level=warn >"$PLOT_DIR/plot-prometheus.log" 2>&1 &
	e2e_track_pid "$!"
	# Until the first scrape is in (bounded: 10 s): the chart starts there.
	for ((i = 0; i < 100; i++)); do
		plot_query up api/v1/query 'query=up == 1' 2>/dev/null &&
			grep -q '"value"' "$PLOT_DIR/up.json" && break
		sleep 0.1
	done
	grep -qs '"value"' "$PLOT_DIR/up.json" ||
		plot_warn "Prometheus did not scrape $2 (log: $PLOT_DIR/plot-prometheus.log)" || return 1
	PLOT_T0=$(date +%s.%N)
	sleep 1
}

plot_render() {
	local out=$1 end
	[ -n "$PLOT_NS" ] || return 0
	sleep 2.5 # until the rates' 2 s window has left the last calls behind
	end=$(date +%s.%N)
	plot_query rates api/v1/query_range \
		'query=sum by (code) (rate(sip6xx_responses_total{code=~"607|608"}[2s]))' \
		"start=$PLOT_T0" "end=$end" step=0.5 &&
		plot_query alerts api/v1/query_range \
			'query=max by (code) (sip6xx_alert_firing{code=~"607|608"})' \
			"start=$PLOT_T0" "end=$end" step=0.5 ||
		plot_warn "the range queries failed" || return 1
	mkdir -p "$(dirname "$out")" || return 1
	# One data file (seconds since the start, 607/s, 608/s, alert 607, alert 608)
	# and the gnuplot script, with the y range from the data.
	"$PLOT_PYTHON" - "$PLOT_DIR" "$PLOT_T0" "$out" <<-'EOF' || plot_warn "no data to draw" || return 1
		import json, sys
		d, t0, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
		def series(name):
		    res = json.load(open("%s/%s.json" % (d, name)))["data"]["result"]
		    return {s["metric"].get("code"): {float(t): float(v) for t, v in s["values"]}
		            for s in res}
		rates, alerts = series("rates"), series("alerts")
		times = sorted(set(t for s in list(rates.values()) + list(alerts.values()) for t in s))
		if not rates or not times:
		    sys.exit(1)
		ymax = max(max(s.values()) for s in rates.values()) * 1.25 or 1
		with open("%s/plot.dat" % d, "w") as f:
		    for t in times:
		        f.write("%.2f %s\n" % (t - t0, " ".join(
		            "%g" % src.get(c, {}).get(t, 0)
		            for src in (rates, alerts) for c in ("607", "608"))))
		with open("%s/plot.gp" % d, "w") as f:
		    f.write("""set terminal pngcairo size 800,320 font "DejaVu Sans,9"
		set output "%s"
		set title "make demo: 607 Unwanted and 608 Rejected per second (Prometheus, scraping every 0.5 s)"
		set xlabel "seconds since the first scrape"
		set xrange [0:*]
		set ylabel "responses / s"
		set yrange [0:%g]
		set key top left
		set grid
		set style fill transparent solid 0.12 noborder
		set boxwidth 0.5 absolute
		plot "%s/plot.dat" using ($1+0.25):($4*%g) with boxes lc rgb "#e74c3c" title "exporter's 607 alert firing", \\
		     "" using 1:2 with lines lw 2 lc rgb "#d4a000" title "607 Unwanted", \\
		     "" using 1:3 with lines lw 2 lc rgb "#8e44ad" title "608 Rejected"
		""" % (out, ymax, d, ymax))
	EOF
	gnuplot "$PLOT_DIR/plot.gp" 2>"$PLOT_DIR/gnuplot.log" ||
		plot_warn "gnuplot failed: $(head -n 3 "$PLOT_DIR/gnuplot.log")" || return 1
	echo "demo: 607/608 rates over the run drawn to $out"
}
