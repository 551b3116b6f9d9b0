#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# In a kernel-matrix guest: the exporter attached for real on a veth pair in
# two namespaces, send_mix.py's full mix sent, and the scrape's counts equal
# to what was sent: first XDP on the receiving end (rx), then the TC egress
# path on the sending end (tx). The same checks as tests/e2e/exporter.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

NS_A=sip6xx-k-a-$$
NS_B=sip6xx-k-b-$$
IF_A=vethA
IF_B=vethB
LISTEN=127.0.0.1:19060
URL=http://$LISTEN/metrics

e2e_require_root
e2e_require_exporter "$EXPORTER"
trap e2e_cleanup EXIT
e2e_tmpdir
e2e_netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"

# run_dir WHAT NS IFACE DIR_LABEL ARGS...: start the exporter in NS on IFACE,
# send the full mix from NS_B, check the counts under IFACE/DIR_LABEL, stop.
run_dir() {
	local what=$1 ns=$2 ifc=$3 dir=$4 exp=$E2E_TMP/$1.expect scrape=$E2E_TMP/$1.prom
	shift 4
	# Startup under TCG is slow: the verifier alone takes seconds.
	e2e_spawn_exporter "$what" "$ns" "$EXPORTER" -i "$ifc" --listen "$LISTEN" "$@"
	e2e_wait_http "$ns" "$URL" 120
	ok $? "$what: the exporter attached to $ifc and serves $URL" || {
		e2e_show_log "$E2E_EXP_ERR"
		return 1
	}
	timeout 120 ip netns exec "$NS_B" "$E2E_PYTHON" tests/e2e/send_mix.py --iface "$IF_B" \
		--src-mac "$(e2e_mac "$NS_B" "$IF_B")" --dst-mac "$(e2e_mac "$NS_A" "$IF_A")" \
		--rx-iface "$IF_A" --profile full --expect "$exp.rx"
	ok $? "$what: the full mix was sent from $NS_B"
	# send_mix.py writes what the receiving end's XDP must count; the
	# sender's TC egress sees the very same frames under its own labels.
	sed "s/interface=\"$IF_A\",direction=\"rx\"/interface=\"$ifc\",direction=\"$dir\"/" \
		"$exp.rx" >"$exp"
	e2e_wait_for_counts "$ns" "$URL" "$exp" "$scrape" 30
	e2e_check_expect "$exp" "$scrape" "$what"
	e2e_check_exporter_stops "$what"
}

run_dir xdp "$NS_A" "$IF_A" rx --mode native
run_dir tc "$NS_B" "$IF_B" tx --direction egress
check_eq 0 "$(e2e_tc_filters "$NS_B" "$IF_B")" "tc: no sip6xx filter left on $IF_B after the stop"
tap_done
