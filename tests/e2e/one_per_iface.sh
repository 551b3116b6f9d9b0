#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: one exporter per interface, with or without --pin-path. A
# second exporter on an interface a first one watches exits 1 at once,
# naming the interface and the first one's PID, and leaves the first one's
# programs alone: without that, a second TC egress program would count every
# frame twice (TCX), or replace the first one's netlink filter and take it
# away at its own stop. The claim belongs to the network namespace, as the
# interface name does, and goes with the process, even on SIGKILL.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

NS_A=sip6xx-one-a-$$
NS_B=sip6xx-one-b-$$
NS_C=sip6xx-one-c-$$
IF_A=vethA
IF_B=vethB
FIRST=127.0.0.1:19285
SECOND=127.0.0.1:19286

e2e_require_root
e2e_require_bpf prog
e2e_require_xdp_veth
e2e_require_exporter "$EXPORTER"
[ -x "$BUILD/tests/tools/tcx_progs" ] || e2e_die "$BUILD/tests/tools/tcx_progs is missing (make test-build)"
trap e2e_cleanup EXIT
e2e_tmpdir

# NETLINK=1: TC egress through netlink filters, as on kernels before TCX.
NETLINK=0

# first NAME ARGS...: the first exporter on IF_A in NS_A; 0 once it serves.
first() {
	local name=$1 rc
	shift
	e2e_start_exporter "$name" "$NS_A" "http://$FIRST/metrics" \
		env SIP6XX_TC_NETLINK=$NETLINK "$EXPORTER" -i "$IF_A" --listen "$FIRST" "$@"
	rc=$?
	FIRST_PID=$E2E_EXP_PID
	return $rc
}

# second NAME ARGS...: a second one on IF_A in NS_A, to its end (bounded: 10 s).
second() {
	local name=$1
	shift
	e2e_run_exporter "$name" "$NS_A" 10 \
		env SIP6XX_TC_NETLINK=$NETLINK "$EXPORTER" -i "$IF_A" --listen "$SECOND" "$@"
}

# refused WHAT: the second one exited 1 with one error line naming IF_A and
# the first one's PID (its ip netns exec child: env execs the exporter).
refused() {
	check_eq 1 "$E2E_STATUS" "$1: the second exporter exits 1"
	grep -q "error: $IF_A: .*sip6xx_exporter (PID $FIRST_PID)" "$E2E_EXP_ERR"
	ok $? "$1: its error names $IF_A and the first one's PID $FIRST_PID"
	grep -q "error: $IF_A: .*sip6xx_exporter (PID $FIRST_PID)" "$E2E_EXP_ERR" ||
		e2e_show_log "$E2E_EXP_ERR"
	grep -m1 'error:' "$E2E_EXP_ERR" | sed 's/^/# /'
}

xdp_gone() {
	[ "$(e2e_xdp_mode "$NS_A" "$IF_A")" = none ]
}

e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"

# ---- TC egress through TCX: a second program would count twice ---------------------
first tcx --direction egress
ok $? "tcx: the first exporter counts TC egress on $IF_A"
second tcx --direction egress
refused tcx
check_eq 1 "$(e2e_tc_filters "$NS_A" "$IF_A")" "tcx: one sip6xx egress program on $IF_A, the first one's"
e2e_check_exporter_stops tcx

# ---- netlink filters: the second would replace the first's, then remove it -----------
NETLINK=1
first netlink --direction egress
ok $? "netlink: the first exporter counts TC egress on $IF_A through a netlink filter"
filter=$(tc -n "$NS_A" filter show dev "$IF_A" egress | grep -o 'sip6xx_tc:\[[0-9]*\]')
second netlink-egress --direction egress
refused netlink-egress
second netlink-ingress --direction ingress
refused netlink-ingress
check_eq "$filter" "$(tc -n "$NS_A" filter show dev "$IF_A" egress | grep -o 'sip6xx_tc:\[[0-9]*\]')" \
	"netlink: the first one's filter is still there, the same program"
e2e_check_exporter_stops netlink
NETLINK=0

# ---- XDP: the second says who holds it -----------------------------------------------
first xdp --mode native
ok $? "xdp: the first exporter counts in XDP on $IF_A"
second xdp --mode native
refused xdp
check_eq xdp "$(e2e_xdp_mode "$NS_A" "$IF_A")" "xdp: the first one's program is still attached"

# ---- the claim is the namespace's and the process's --------------------------------
ip netns add "$NS_C" && E2E_NETNS+=("$NS_C") && ip -n "$NS_C" link set lo up &&
	e2e_veth_pair "$NS_C" "$NS_B" "$IF_A" vethC
ok $? "another namespace, $NS_C, with its own $IF_A"
e2e_start_exporter other "$NS_C" "http://$SECOND/metrics" \
	"$EXPORTER" -i "$IF_A" --listen "$SECOND" --mode native
ok $? "an exporter on $NS_C's $IF_A runs beside the first one on $NS_A's"
e2e_check_exporter_stops other

kill -KILL "$FIRST_PID"
e2e_reap "$FIRST_PID" 5
check_eq 137 "$E2E_STATUS" "SIGKILL ends the first exporter"
# The XDP link goes with the process; the next one needs nothing cleaned up.
e2e_poll 5 xdp_gone
first after-kill --mode native
ok $? "after the SIGKILL, a new exporter starts on $IF_A at once"
e2e_check_exporter_stops after-kill

e2e_cleanup
tap_done
