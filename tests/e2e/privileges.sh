#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: least privilege. The exporter, started as root in namespace A,
# must become nobody with only the capabilities it still needs, and go on
# counting, alerting and re-attaching; checked from /proc/PID/status.
#   1. default: uid/gid nobody, no groups, no_new_privs, every capability set
#      exactly {CAP_BPF} (while kernel.unprivileged_bpf_disabled is set); a
#      607 background and spike: exact scrapes, the alert line, the gauge,
#      Alertmanager; the interface deleted and made again: re-attached with
#      CAP_BPF alone; SIGTERM: exit 0, nothing left on the interface.
#   2. the systemd unit's confinement (its CapabilityBoundingSet and
#      NoNewPrivileges, through setpriv) under strace, --mode generic and
#      --direction both: {CAP_BPF, CAP_NET_ADMIN} kept, TC back after a
#      re-attach and gone after SIGTERM, and no system call outside the
#      unit's SystemCallFilter.
#   3. --user with an unknown name: exit 1 naming it, nothing attached.
#   4. --user root: uid 0 with a warning, capabilities still dropped.
#   5. started as nobody with ambient capabilities (DynamicUser style): the uid
#      stays, the load-time capabilities go.
#   6. --pin-path: left pinned at stop, reused at restart; a re-attach after
#      the drop counts unpinned and goes with the process; --detach cleans.
#   7. scripts/systemd/sip6xx-exporter.service: systemd-analyze verify, and
#      systemd-analyze security's exposure at most 3.0.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

ALERTMANAGER=${ALERTMANAGER:-prometheus-alertmanager}
UNIT=scripts/systemd/sip6xx-exporter.service
NS_A=sip6xx-priv-a-$$
NS_B=sip6xx-priv-b-$$
IF_A=vethA
IF_B=vethB
LISTEN=127.0.0.1:19060
URL=http://$LISTEN
AM_PORT=19093
AM_URL=http://127.0.0.1:$AM_PORT
SPIKE_SOURCES=(198.18.0.3 198.18.0.4 2001:db8::2 198.18.0.2)
SPIKE_FRAMES=320

CAP_NET_ADMIN=12
CAP_BPF=39

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_bpffs
e2e_require_scapy
e2e_require_exporter "$EXPORTER"
e2e_require_tool "$ALERTMANAGER" "Debian: prometheus-alertmanager"
getent passwd nobody >/dev/null || tap_skip_all "no user nobody on this machine"

BPFFS=""	# a bpffs mounted for run 6; unmounted before e2e_cleanup
cleanup() {
	[ -n "$BPFFS" ] && umount -l "$BPFFS" 2>/dev/null
	BPFFS=""
	e2e_cleanup
}
trap cleanup EXIT
e2e_tmpdir

TRACER_PID=""	# strace, when the exporter runs under it
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
ZERO=0000000000000000

# What the exporter must keep: CAP_BPF while the sysctl refuses bpf() to
# tasks without it (unreadable counts as set), CAP_NET_ADMIN with TC egress.
UNPRIV=$(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null || echo unreadable)
KEEP_BPF=$((1 << CAP_BPF))
[ "$UNPRIV" = 0 ] && KEEP_BPF=0
KEEP_EGRESS=$((KEEP_BPF | (1 << CAP_NET_ADMIN)))
echo "# kernel.unprivileged_bpf_disabled = $UNPRIV"

hex() { printf '%016x' "$1"; }

# decode HEX: the capability names in a /proc mask (capsh when it is there).
decode() {
	local names
	[ "$1" = "$ZERO" ] && { echo none; return; }
	if command -v capsh >/dev/null; then
		names=$(capsh --decode="$1" | sed 's/^0x[0-9a-f]*=//')
		echo "${names:-none}"
	else
		echo "0x$1"
	fi
}

# start_exporter NAME [PREFIX... --] ARGS...: the exporter in NS_A, behind an
# optional command prefix (setpriv, strace); E2E_EXP_PID is the exporter itself.
# 0 once HTTP answers.
start_exporter() {
	local name=$1 prefix=() i
	shift
	if [[ " $* " == *" -- "* ]]; then
		while [ "$1" != -- ]; do
			prefix+=("$1")
			shift
		done
		shift
	fi
	e2e_start_exporter "$name" "$NS_A" "$URL/metrics" \
		"${prefix[@]}" "$EXPORTER" --listen "$LISTEN" "$@" || return 1
	# Behind strace, the exporter is the tracer's child.
	if [[ " ${prefix[*]} " == *" strace "* ]]; then
		TRACER_PID=$E2E_EXP_PID
		E2E_EXP_PID=""
		for ((i = 0; i < 20; i++)); do
			E2E_EXP_PID=$(pgrep -P "$TRACER_PID" | head -1)
			[ -n "$E2E_EXP_PID" ] && break
			sleep 0.1
		done
		[ -n "$E2E_EXP_PID" ] || return 1
		e2e_track_pid "$E2E_EXP_PID"
	fi
	return 0
}

# status_field FILE NAME: a /proc/PID/status field, tabs folded to spaces.
status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ +/, ""); print; exit }' "$1"
}

# check_ids WHAT STATUS UID GID: every uid and gid, and no supplementary groups.
check_ids() {
	local what=$1 st=$2 uid=$3 gid=$4
	check_eq "$uid $uid $uid $uid" "$(status_field "$st" Uid)" \
		"$what: Uid real, effective, saved and fs are all $uid"
	check_eq "$gid $gid $gid $gid" "$(status_field "$st" Gid)" \
		"$what: Gid real, effective, saved and fs are all $gid"
	check_eq "" "$(status_field "$st" Groups)" "$what: no supplementary groups"
}

# check_caps WHAT STATUS KEEP [BOUNDING]: permitted = effective = KEEP,
# inheritable and ambient empty, bounding = BOUNDING (default KEEP), no_new_privs.
check_caps() {
	local what=$1 st=$2 keep bnd bnd_what
	keep=$(hex "$3")
	bnd=${4:-$keep}
	bnd_what="is $(decode "$bnd")"
	[ -n "${4:-}" ] && bnd_what="stays as given"
	check_eq "$keep" "$(status_field "$st" CapPrm)" "$what: CapPrm is $(decode "$keep")"
	check_eq "$keep" "$(status_field "$st" CapEff)" "$what: CapEff is $(decode "$keep")"
	check_eq "$ZERO" "$(status_field "$st" CapInh)" "$what: CapInh is empty"
	check_eq "$ZERO" "$(status_field "$st" CapAmb)" "$what: CapAmb is empty"
	check_eq "$bnd" "$(status_field "$st" CapBnd)" "$what: CapBnd $bnd_what"
	check_eq 1 "$(status_field "$st" NoNewPrivs)" "$what: NoNewPrivs is 1"
}

snapshot_status() { # snapshot_status NAME: /proc/E2E_EXP_PID/status into a file; its path
	local st=$E2E_TMP/$E2E_RUN-$1.status
	cp "/proc/$E2E_EXP_PID/status" "$st" 2>/dev/null || : >"$st"
	echo "$st"
}

# am_lists_alert INSTANCE: Alertmanager lists an active SIP607Spike whose
# instance label is INSTANCE.
am_lists_alert() {
	local out=$E2E_TMP/am.json
	ip netns exec "$NS_A" curl -sf --max-time 2 -o "$out" "$AM_URL/api/v2/alerts" &&
		"$E2E_PYTHON" - "$out" "$1" <<-'EOF'
			import json, sys
			alerts = json.load(open(sys.argv[1]))
			sys.exit(0 if any(a["labels"].get("alertname") == "SIP607Spike"
			                  and a["labels"].get("instance") == sys.argv[2]
			                  and a["status"]["state"] == "active" for a in alerts) else 1)
		EOF
}

# am_has_alert INSTANCE SECONDS: until am_lists_alert INSTANCE.
am_has_alert() {
	e2e_poll "$2" am_lists_alert "$1"
}

# firing_lines FILE: how many firing JSON lines for 607 FILE holds.
firing_lines() {
	"$E2E_PYTHON" - "$1" <<-'EOF'
		import json, sys
		n = 0
		for line in open(sys.argv[1]):
		    try:
		        a = json.loads(line)
		    except ValueError:
		        continue
		    if a.get("event") == "alert" and a.get("state") == "firing" and a.get("code") == 607:
		        n += 1
		print(n)
	EOF
}

has_firing() { # has_firing: E2E_EXP_OUT holds a firing line for 607
	[ "$(firing_lines "$E2E_EXP_OUT")" -ge 1 ] 2>/dev/null
}

wait_firing() { # wait_firing SECONDS: until has_firing
	e2e_poll "$1" has_firing
}

# send_spike OUT ARGS...: send_spike.py from NS_B (bounded: 60 s), JSON in OUT.
send_spike() {
	local out=$1
	shift
	e2e_send_spike "$NS_B" "$IF_B" "$NS_A" "$IF_A" "$@" >"$out"
}

json_field() { # json_field FILE EXPR: a Python expression over J, the file's JSON
	"$E2E_PYTHON" -c 'import json, sys; J = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$1" "$2" 2>/dev/null || echo error
}

tc_egress_ours() { # tc_egress_ours IFACE: true while our TC program (TCX or netlink) is on IFACE's egress
	[ "$(e2e_tc_filters "$NS_A" "$1")" -ge 1 ]
}

# bounce_iface WHAT: delete the veth pair under the running exporter, make it
# again with the same names and addresses, and wait for the re-attach.
bounce_iface() {
	local what=$1
	ip -n "$NS_A" link del "$IF_A"
	e2e_wait_grep "$E2E_EXP_ERR" "$IF_A: the interface went away" 5
	ok $? "$what: the exporter notices $IF_A went away"
	e2e_veth_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B" addr
	ok $? "$what: $IF_A/$IF_B made again"
	e2e_wait_grep "$E2E_EXP_ERR" "$IF_A: the interface is back .*re-attached" 5
	ok $? "$what: re-attached after the privilege drop"
	grep -E "error:" "$E2E_EXP_ERR" | sed 's/^/# | /'
}

# no_errors WHAT: stderr holds no error line.
no_errors() {
	! grep -q "error:" "$E2E_EXP_ERR"
	ok $? "$1: no error on stderr"
	grep "error:" "$E2E_EXP_ERR" | sed 's/^/# | /'
}

# expand_filter GROUP|NAME...: the system calls systemd's filter names mean.
expand_filter() {
	local t
	for t in "$@"; do
		case $t in
		@*)
			systemd-analyze syscall-filter "$t" 2>/dev/null |
				awk -v g="$t" '$1 == g { f = 1; next } f && /^$/ { exit } f && $1 !~ /^#/ { print $1 }' |
				while read -r s; do expand_filter "$s"; done
			;;
		*) echo "$t" ;;
		esac
	done
}

e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
sources_csv=$(IFS=,; echo "${SPIKE_SOURCES[*]}")

# ---- 1. the default drop, counting, alerting, re-attaching --------------------------
test_default() {
	local st sent=$E2E_TMP/default.sent more=$E2E_TMP/default.more scrape=$E2E_TMP/default.prom
	local total src want series

	e2e_start_alertmanager "$ALERTMANAGER" "$NS_A" "$E2E_TMP/am" "$AM_PORT"
	ok $? "default: Alertmanager ready on 127.0.0.1:$AM_PORT in $NS_A"
	start_exporter default -i "$IF_A" --alertmanager-url "$AM_URL" --alert-instance priv-default
	ok $? "default: exporter started as root serves $URL/metrics"
	st=$(snapshot_status default)
	check_ids default "$st" "$NOBODY_UID" "$NOBODY_GID"
	check_caps default "$st" "$KEEP_BPF"
	grep -q "privileges: running as nobody (uid $NOBODY_UID, gid $NOBODY_GID" "$E2E_EXP_ERR"
	ok $? "default: stderr says it runs as nobody"
	if [ "$KEEP_BPF" != 0 ]; then
		grep -q "keeping CAP_BPF: kernel.unprivileged_bpf_disabled is set" "$E2E_EXP_ERR"
		ok $? "default: stderr says why CAP_BPF stays"
	fi
	grep -q "CAP_NET_ADMIN dropped" "$E2E_EXP_ERR"
	ok $? "default: stderr says CAP_NET_ADMIN is dropped"

	# 2/s from 198.18.0.2 for 4 s (under --alert-min-rate 5), then the burst.
	send_spike "$sent" --steady-rate 2 --steady-secs 4 --steady-source 198.18.0.2 \
		--spike "$SPIKE_FRAMES" --spike-sources "$sources_csv"
	ok $? "default: 8 background and $SPIKE_FRAMES burst frames of 607 sent from $NS_B"
	total=$(json_field "$sent" "J['steady_sent'] + J['spike_sent']")
	wait_firing 5
	ok $? "default: the firing JSON line for 607 comes after the drop"
	check_eq 1 "$(firing_lines "$E2E_EXP_OUT")" "default: exactly one firing line"
	e2e_wait_metric "$NS_A" "$URL/metrics" "$scrape" \
		"sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"607\"}" "$total" 5
	ok $? "default: responses_total{code=607} is exactly the $total frames sent"
	# The burst cycles through the sources: each sent SPIKE_FRAMES/4, .2 the background too.
	for src in "${SPIKE_SOURCES[@]}"; do
		want=$((SPIKE_FRAMES / ${#SPIKE_SOURCES[@]}))
		[ "$src" = 198.18.0.2 ] && want=$((want + $(json_field "$sent" "J['steady_sent']")))
		series="sip6xx_global_failures_total{interface=\"$IF_A\",direction=\"rx\",source=\"$src\",code=\"607\"}"
		check_eq "$want" "$(e2e_metric "$scrape" "$series")" \
			"default: global_failures_total from $src is exactly $want"
	done
	check_eq 1 "$(e2e_metric "$scrape" 'sip6xx_alert_firing{code="607"}')" \
		'default: sip6xx_alert_firing{code="607"} is 1'
	check_eq 1 "$(e2e_metric "$scrape" "sip6xx_interface_attached{interface=\"$IF_A\"}")" \
		"default: sip6xx_interface_attached is 1 (bpf_xdp_query without privileges)"
	am_has_alert priv-default 5
	ok $? "default: Alertmanager lists the active SIP607Spike"

	# CAP_BPF alone re-attaches through a new bpf_link.
	bounce_iface default
	check_eq xdp "$(e2e_xdp_mode "$NS_A" "$IF_A")" "default: native XDP is back on $IF_A"
	send_spike "$more" --spike 40 --spike-sources 198.18.0.3
	e2e_wait_metric "$NS_A" "$URL/metrics" "$scrape" \
		"sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"607\"}" \
		"$((total + 40))" 5
	ok $? "default: the re-attached program counts on: $((total + 40)) responses in all"
	check_eq 1 "$(e2e_metric "$scrape" "sip6xx_interface_attached{interface=\"$IF_A\"}")" \
		"default: sip6xx_interface_attached is 1 again"

	st=$(snapshot_status default-after)
	check_eq "$(hex "$KEEP_BPF")" "$(status_field "$st" CapEff)" \
		"default: still $(decode "$(hex "$KEEP_BPF")") after scrapes, alerts and a re-attach"
	e2e_check_exporter_stops default
	check_eq none "$(e2e_xdp_mode "$NS_A" "$IF_A")" "default: no XDP program left on $IF_A"
	no_errors default
}

# ---- 2. the unit's confinement, egress, forced generic mode, system calls --------------
test_unit_confinement() {
	local st bounding caps trace=$E2E_TMP/strace.log sent=$E2E_TMP/unit.sent
	local scrape=$E2E_TMP/unit.prom allowed=$E2E_TMP/allowed used=$E2E_TMP/used denied outside
	local have

	# CapabilityBoundingSet=CAP_A CAP_B ... -> setpriv's -all,+a,+b,...
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
	bounding="-all$(for c in $caps; do c=${c#CAP_}; printf ',+%s' "${c,,}"; done)"
	grep -qx "NoNewPrivileges=yes" "$UNIT"
	ok $? "unit: NoNewPrivileges=yes"
	command -v strace >/dev/null
	have=$?
	ok $have "unit: strace is installed (scripts/deps.sh installs it)"
	[ "$have" = 0 ] || return

	start_exporter unit setpriv --bounding-set "$bounding" --inh-caps=-all --no-new-privs \
		strace -f -qq -o "$trace" -- -i "$IF_A" --mode generic --direction both \
		--alertmanager-url "$AM_URL" --alert-instance priv-unit
	ok $? "unit: started within the unit's bounding set ($caps) and no_new_privs, under strace"
	st=$(snapshot_status unit)
	check_ids unit "$st" "$NOBODY_UID" "$NOBODY_GID"
	check_caps unit "$st" "$KEEP_EGRESS"
	grep -q "keeping CAP_NET_ADMIN: the TC egress filter" "$E2E_EXP_ERR"
	ok $? "unit: stderr says why CAP_NET_ADMIN stays"
	check_eq xdpgeneric "$(e2e_xdp_mode "$NS_A" "$IF_A")" "unit: generic XDP on $IF_A (a bpf_link too)"
	tc_egress_ours "$IF_A"
	ok $? "unit: our TC egress filter is on $IF_A"

	# A quiet first window seeds a zero baseline; then a burst fires and posts.
	sleep 1.5
	send_spike "$sent" --spike "$SPIKE_FRAMES" --spike-sources "$sources_csv"
	ok $? "unit: a burst of $SPIKE_FRAMES sent"
	wait_firing 5
	ok $? "unit: the firing JSON line for 607 comes"
	am_has_alert priv-unit 10
	ok $? "unit: the alert reaches Alertmanager"
	e2e_wait_metric "$NS_A" "$URL/metrics" "$scrape" \
		"sip6xx_responses_total{interface=\"$IF_A\",direction=\"rx\",code=\"607\"}" \
		"$SPIKE_FRAMES" 5
	ok $? "unit: responses_total{code=607} is exactly $SPIKE_FRAMES"

	bounce_iface unit
	check_eq xdpgeneric "$(e2e_xdp_mode "$NS_A" "$IF_A")" "unit: generic XDP is back on $IF_A"
	tc_egress_ours "$IF_A"
	ok $? "unit: the TC egress filter is back on $IF_A (CAP_NET_ADMIN kept)"
	e2e_scrape "$NS_A" "$URL/metrics" "$scrape"
	ok $? "unit: a scrape after the re-attach answers"

	e2e_check_exporter_stops unit TERM "$TRACER_PID"
	check_eq none "$(e2e_xdp_mode "$NS_A" "$IF_A")" "unit: no XDP program left on $IF_A"
	! tc_egress_ours "$IF_A"
	ok $? "unit: no TC egress filter left on $IF_A"
	no_errors unit

	# Every call the whole run made must pass the unit's SystemCallFilter.
	command -v systemd-analyze >/dev/null
	have=$?
	ok $have "unit: systemd-analyze is installed (Debian: systemd; scripts/deps.sh installs it)"
	[ "$have" = 0 ] || return
	# shellcheck disable=SC2046 # one filter token per word, on purpose
	expand_filter $(sed -n 's/^SystemCallFilter=\([^~]\)/\1/p' "$UNIT") | sort -u >"$allowed"
	# shellcheck disable=SC2046
	denied=$(expand_filter $(sed -n 's/^SystemCallFilter=~//p' "$UNIT") | sort -u)
	sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p' "$trace" | sort -u >"$used"
	[ -s "$used" ] && [ -s "$allowed" ]
	ok $? "unit: strace saw $(wc -l <"$used") distinct system calls; the filter allows $(wc -l <"$allowed")"
	outside=$(comm -23 "$used" "$allowed" | tr '\n' ' ')
	check_eq "" "$outside" "unit: every system call is in the unit's SystemCallFilter allow list"
	outside=$(comm -12 "$used" <(echo "$denied") | tr '\n' ' ')
	check_eq "" "$outside" "unit: no system call is in its deny list"
}

# ---- 3. an unknown --user ------------------------------------------------------------
test_unknown_user() {
	local name=sip6xx-no-such-user-$$ err status
	getent passwd "$name" >/dev/null && { ok 1 "unknown user: $name exists"; return; }
	e2e_run_exporter unknown-user "$NS_A" 20 "$EXPORTER" -i "$IF_A" --listen "$LISTEN" --user "$name"
	status=$E2E_STATUS
	err=$E2E_EXP_ERR
	check_eq 1 "$status" "unknown user: --user $name exits 1"
	grep -q -- "--user $name: no such user" "$err"
	ok $? "unknown user: the error names $name"
	e2e_show_log "$err"
	check_eq none "$(e2e_xdp_mode "$NS_A" "$IF_A")" "unknown user: nothing was attached to $IF_A"
}

# ---- 4. --user root --------------------------------------------------------------------
test_user_root() {
	local st
	start_exporter root -i "$IF_A" --user root --alert-codes none
	ok $? "user root: exporter serves metrics"
	st=$(snapshot_status root)
	check_ids "user root" "$st" 0 0
	check_caps "user root" "$st" "$KEEP_BPF"
	grep -q "warning: --user root: staying uid 0" "$E2E_EXP_ERR"
	ok $? "user root: a warning says it stays uid 0"
	e2e_check_exporter_stops "user root"
	check_eq none "$(e2e_xdp_mode "$NS_A" "$IF_A")" "user root: no XDP program left on $IF_A"
}

# ---- 5. started unprivileged, with ambient capabilities ----------------------------
test_ambient() {
	local st bnd scrape=$E2E_TMP/ambient.prom
	bnd=$(status_field /proc/self/status CapBnd)
	start_exporter ambient setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups \
		--inh-caps=+bpf,+perfmon,+net_admin --ambient-caps=+bpf,+perfmon,+net_admin -- \
		-i "$IF_A" --alert-codes none
	ok $? "ambient: started as nobody with CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN ambient"
	st=$(snapshot_status ambient)
	check_ids ambient "$st" "$NOBODY_UID" "$NOBODY_GID"
	# No CAP_SETPCAP: the bounding set stays as given; no_new_privs makes it moot.
	check_caps ambient "$st" "$KEEP_BPF" "$bnd"
	grep -q "started as uid $NOBODY_UID, which stays" "$E2E_EXP_ERR"
	ok $? "ambient: stderr says the uid stays"
	e2e_scrape "$NS_A" "$URL/metrics" "$scrape" &&
		[ "$(e2e_metric "$scrape" "sip6xx_interface_attached{interface=\"$IF_A\"}")" = 1 ]
	ok $? "ambient: scrapes answer, attached"
	e2e_check_exporter_stops ambient
	check_eq none "$(e2e_xdp_mode "$NS_A" "$IF_A")" "ambient: no XDP program left on $IF_A"
}

# ---- 6. --pin-path ---------------------------------------------------------------------
test_pinned() {
	local pins st have
	BPFFS=$E2E_TMP/bpffs
	mkdir -p "$BPFFS" && mount -t bpf bpf "$BPFFS"
	have=$?
	ok $have "pinned: a bpffs mounted on $BPFFS"
	[ "$have" = 0 ] || { BPFFS=""; return; }
	pins=$BPFFS/sip6xx

	start_exporter pin-1 -i "$IF_A" --pin-path "$pins" --alert-codes none
	ok $? "pinned: first run serves metrics"
	check_eq "$NOBODY_UID" "$(status_field "$(snapshot_status pin-1)" Uid | cut -d' ' -f1)" \
		"pinned: runs as nobody after pinning"
	e2e_check_exporter_stops "pinned, first run"
	check_eq xdp "$(e2e_xdp_mode "$NS_A" "$IF_A")" "pinned: XDP stays attached through the pinned link"
	[ -e "$pins/$IF_A/xdp_link" ]
	ok $? "pinned: $pins/$IF_A/xdp_link is there"

	start_exporter pin-2 -i "$IF_A" --pin-path "$pins" --alert-codes none
	ok $? "pinned: a restart over the pins serves metrics"
	st=$(snapshot_status pin-2)
	check_caps "pinned" "$st" "$KEEP_BPF"
	bounce_iface pinned
	grep -q "cannot be pinned in $pins/$IF_A" "$E2E_EXP_ERR"
	ok $? "pinned: the re-attach after the drop warns that it counts unpinned"
	e2e_check_exporter_stops "pinned, second run"
	check_eq none "$(e2e_xdp_mode "$NS_A" "$IF_A")" "pinned: the unpinned link went with the process"

	e2e_run_exporter detach "$NS_A" 20 "$EXPORTER" -i "$IF_A" --pin-path "$pins" --detach
	check_eq 0 "$E2E_STATUS" "pinned: --detach exits 0"
	[ ! -e "$pins/$IF_A" ]
	ok $? "pinned: --detach removed $pins/$IF_A"
	umount "$BPFFS" && BPFFS=""
}

# ---- 7. the systemd unit ---------------------------------------------------------------
test_unit_file() {
	local dir=$E2E_TMP/unit out level
	if ! command -v systemd-analyze >/dev/null; then
		ok 1 "unit: systemd-analyze is missing (Debian: systemd; scripts/deps.sh installs it)"
		return
	fi
	mkdir -p "$dir"
	# verify insists that ExecStart's binary exists: point it at this build.
	sed "s|^ExecStart=/usr/local/bin/sip6xx_exporter|ExecStart=$(realpath "$EXPORTER")|" \
		"$UNIT" >"$dir/sip6xx-exporter.service"
	out=$(systemd-analyze verify "$dir/sip6xx-exporter.service" 2>&1)
	ok $? "unit: systemd-analyze verify $UNIT"
	[ -n "$out" ] && echo "# | ${out//$'\n'/$'\n'# | }"
	out=$(systemd-analyze security --offline=yes --threshold=30 "$dir/sip6xx-exporter.service" 2>&1)
	ok $? "unit: systemd-analyze security exposure at most 3.0"
	level=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: //p')
	echo "# systemd-analyze security: $level"
}

test_default
test_unit_confinement
test_unknown_user
test_user_root
test_ambient
test_pinned
test_unit_file

[ -z "$E2E_AM_PID" ] || e2e_stop_pid "$E2E_AM_PID"
cleanup
tap_done
