# shellcheck shell=bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# make bench, section "context" (sourced by scripts/bench.sh, which owns the
# namespaces, the exporter's start and stop, and the report): what the call
# context costs the exporter in user space (issue 18).
#   1. 10,000 6xx/s plus 10,000 BYE/s with a Reason, every message its own
#      call, over the veth into the exporter's XDP: its CPU (utime + stime,
#      in % of one core) over the run, plain and with --callers 1000
#      --intermediaries 100 --callers-hash (every caller new: the worst case);
#      a row counts only when a scrape shows the samples decoded.
#   2. A flood far above --context-rate (the default) against a stream at
#      that rate: the exporter's CPU follows the rate, not the flood; the
#      kernel's exact counts still match what was sent.
# Rows go to $OUT/context.tsv; context_targets prints the targets' rows.

CTX_SECS=${CTX_SECS:-20}            # each run of part 1
CTX_RATE=${CTX_RATE:-20000}         # frames/s offered in part 1: half 6xx, half BYE
CTX_KERNEL_RATE=${CTX_KERNEL_RATE:-40000} # --context-rate in part 1, see below
CTX_FLOOD_SECS=${CTX_FLOOD_SECS:-10} # each run of part 2
CTX_CPU_TARGET=30                   # % of one core (issue 18)
CTX_FLOOD_TARGET=1.5                # flood CPU over at-the-rate CPU
REJECT_GEN=$BUILD/tests/tools/reject_gen

# ctx_gen RATE SECS: reject_gen in NS_A; its key=value line becomes R_* variables.
R_sent=0 R_sent_6xx=0 R_sent_bye=0 R_retrans=0 R_secs=0 R_pps=0
ctx_gen() {
	local line kv
	line=$(bounded $((${2%.*} + 30)) ip netns exec "$NS_A" "$REJECT_GEN" --ifname "$IF_A" \
		--rate "$1" --secs "$2") || return 1
	for kv in $line; do
		printf -v "R_${kv%%=*}" '%s' "${kv#*=}"
	done
}

# ctx_run NAME RATE SECS EXPORTER-ARGS...: one run with a fresh exporter.
# Appends to context.tsv: name, frames sent, 6xx, BYE, retransmitted copies,
# seconds, frames/s achieved, samples decoded, unparsed, dropped for the rate,
# dropped with the ring full, exporter CPU %, exporter CPU s, RSS MiB,
# 6xx the kernel counted, sip_request frames it counted, load average.
ctx_run() {
	local name=$1 rate=$2 secs=$3 f t0 t1 w0 w1 s0 s1 u0 u1 r0 r1 f0 f1 q0 q1 c0 c1 rss cpu
	shift 3
	if ! start_exporter "context-$name" "$@"; then
		section_failed "context ($name)" "the exporter did not start with $*"
		return 1
	fi
	if ! e2e_scrape "$NS_B" "$URL" "$TMP/ctx0.prom"; then
		section_failed "context ($name)" "no scrape before the run"
		stop_exporter
		return 1
	fi
	t0=$(proc_ticks "$EXP_PID")
	w0=$EPOCHREALTIME
	if ! ctx_gen "$rate" "$secs"; then
		section_failed "context ($name)" "reject_gen failed"
		stop_exporter
		return 1
	fi
	sleep 0.5 # the reader's next 100 ms tick and some
	t1=$(proc_ticks "$EXP_PID")
	w1=$EPOCHREALTIME
	rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$EXP_PID/status")
	if ! e2e_scrape "$NS_B" "$URL" "$TMP/ctx1.prom"; then
		section_failed "context ($name)" "no scrape after the run"
		stop_exporter
		return 1
	fi
	stop_exporter
	for f in 0 1; do
		read -r "s$f" "u$f" "r$f" "f$f" "q$f" "c$f" <<<"$(
			p=$TMP/ctx$f.prom
			echo "$(e2e_metric_sum "$p" sip6xx_context_samples_total)" \
				"$(e2e_metric_sum "$p" 'sip6xx_context_dropped_total{reason="unparsed"}')" \
				"$(e2e_metric_sum "$p" 'sip6xx_context_dropped_total{reason="rate"}')" \
				"$(e2e_metric_sum "$p" 'sip6xx_context_dropped_total{reason="buffer_full"}')" \
				"$(e2e_metric_sum "$p" 'sip6xx_responses_total{code=~"6.."}')" \
				"$(e2e_metric_sum "$p" 'sip6xx_packets_total{result="sip_request"}')"
		)"
	done
	cpu=$(awk -v a="$t0" -v b="$t1" -v s="$w0" -v e="$w1" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.1f\t%.2f", (b - a) / hz / (e - s) * 100, (b - a) / hz }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$R_sent" \
		"$R_sent_6xx" "$R_sent_bye" "$R_retrans" "$R_secs" "$R_pps" \
		"$((s1 - s0 - (u1 - u0)))" "$((u1 - u0))" "$((r1 - r0))" "$((f1 - f0))" "$cpu" "$rss" \
		"$((q1 - q0))" "$((c1 - c0))" "$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/context.tsv"
}

context_section() {
	step "6/6 call context: 10k 6xx/s + 10k BYE/s decoded, then a flood (about 90 s)"
	{
		echo
		echo "## 6. The call context's cost in the exporter"
		echo
		echo "\`reject_gen\` (tests/tools) sends, from one namespace through a packet socket"
		echo "on the veth, half SIP 6xx responses to INVITEs (603, 607, 607, 608, 604, 600;"
		echo "three 608s in four with Call-Info purpose=jwscard; half with the caller in"
		echo "P-Asserted-Identity; 10% of them retransmitted copies) and half BYEs with a"
		echo "Reason (SIP cause 607, 608, 603; one in four Q.850 cause 16), every message"
		echo "its own Call-ID, callers drawn from a million numbers: nearly every one new."
		echo "A frame the peer's full ring refuses is sent again, so \"sent\" is what reached"
		echo "XDP. The exporter on the other end, started for each run; CPU is its"
		echo "utime + stime (/proc/PID/stat, every thread) over the run, in % of one core."
		echo "Decoded: samples in sip6xx_context_samples_total, less unparsed, from scrapes"
		echo "before and after: the figure counts only work done."
		echo
		echo "Part 1 runs with --context-rate $CTX_KERNEL_RATE: the default (20000 per interface)"
		echo "is shared out per CPU ($(nproc) here), and a veth hands every frame to XDP on one"
		echo "CPU, which would sample only its share. Part 2 runs with the default rate:"
		echo "at it (10000/s offered, what one CPU's bucket takes) and in a flood as fast as"
		echo "the sender goes."
		echo
		echo "| run | exporter options | frames sent (6xx / BYE / copies) | frames/s achieved | decoded | unparsed | dropped: rate / ring full | exporter CPU (% of a core) | CPU us per decoded | RSS MiB | kernel counted 6xx / BYE | load |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	} >>"$TMP/report.body"
	[ -x "$REJECT_GEN" ] || {
		section_failed "context" "$REJECT_GEN is missing: build it first (make test-build)"
		return
	}
	head -c 32 /dev/urandom >"$TMP/callers.key" && chmod 600 "$TMP/callers.key"
	ctx_run plain "$CTX_RATE" "$CTX_SECS" --context-rate "$CTX_KERNEL_RATE"
	ctx_run worst "$CTX_RATE" "$CTX_SECS" --context-rate "$CTX_KERNEL_RATE" \
		--callers 1000 --intermediaries 100 --callers-hash "$TMP/callers.key"
	ctx_run at-rate 10000 "$CTX_FLOOD_SECS"
	ctx_run flood 0 "$CTX_FLOOD_SECS"
	[ -s "$OUT/context.tsv" ] || return
	awk -F'\t' '
	BEGIN { opt["plain"] = "--context-rate '"$CTX_KERNEL_RATE"'"
		opt["worst"] = "--context-rate '"$CTX_KERNEL_RATE"' --callers 1000 --intermediaries 100 --callers-hash"
		opt["at-rate"] = "(default rate)"; opt["flood"] = "(default rate)" }
	{ printf "| %s | %s | %d (%d / %d / %d) | %.0f | %d (%.2f%%) | %d | %d / %d | **%.1f%%** | %.1f | %s | %d / %d | %s |\n",
		$1, opt[$1], $2, $3, $4, $5, $7, $8, ($2 ? 100 * ($8 + $9) / $2 : 0), $9, $10, $11, $12,
		($8 ? $13 * 1e6 / $8 : 0), $14, $15, $16, $17 }' "$OUT/context.tsv" >>"$TMP/report.body"
	{
		echo
		echo "Every frame sent is a 6xx or a BYE, so the kernel's counts must equal what was"
		echo "sent, and decoded + unparsed + dropped must too."
	} >>"$TMP/report.body"
}

# The targets' rows from context.tsv.
context_targets() {
	[ -s "$OUT/context.tsv" ] || {
		case " $BENCH_SECTIONS " in
		*" context "*) echo "| call context | not measured | - |" ;;
		esac
		return 0
	}
	awk -F'\t' -v cpu_t="$CTX_CPU_TARGET" -v flood_t="$CTX_FLOOD_TARGET" -v want="$CTX_RATE" '
	{ cpu[$1] = $12; pps[$1] = $7; dec[$1] = $8; sent[$1] = $2; exact[$1] = ($15 == $3 && $16 == $4 && $8 + $9 + $10 + $11 == $2) }
	function ctx_row(k, label,    done) {
		if (!(k in cpu)) return
		done = exact[k] && pps[k] >= 0.95 * want && dec[k] >= 0.99 * sent[k]
		printf "| exporter at 10k 6xx/s + 10k BYE/s decoded <= %d%% of one core (%s) | %.1f%% (%.0f frames/s, %d of %d decoded) | %s |\n",
			cpu_t, label, cpu[k], pps[k], dec[k], sent[k],
			!done ? "no verdict (not all offered or decoded)" : (cpu[k] <= cpu_t ? "PASS" : "MISS")
	}
	END {
		ctx_row("plain", "plain")
		ctx_row("worst", "--callers 1000 --intermediaries 100 --callers-hash, every caller new")
		if (("flood" in cpu) && ("at-rate" in cpu) && cpu["at-rate"] > 0) {
			r = cpu["flood"] / cpu["at-rate"]
			printf "| a flood above --context-rate: exporter CPU <= %.1fx its CPU at the rate | %.2fx (%.1f%% at %.0f frames/s against %.1f%% at %.0f/s) | %s |\n",
				flood_t, r, cpu["flood"], pps["flood"], cpu["at-rate"], pps["at-rate"], r <= flood_t ? "PASS" : "MISS"
			printf "| a flood above --context-rate: kernel counts exact, decoded + dropped = sent | %s |\n",
				exact["flood"] ? "6xx and BYE counted = sent; decoded + dropped = sent | PASS" : "counts differ from what was sent | MISS"
		}
	}' "$OUT/context.tsv"
}
