#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The Prometheus side in scripts/prometheus/: the rules (the per-instance
# sip6xx.rules.yml and the fleet-wide sip6xx-fleet.rules.yml) and the example
# config must pass promtool's checks, and the rules their unit tests (each
# NAME.rules.yml has NAME.rules.test.yml beside it). Every alert and recording
# rule must be exercised by the unit tests. Needs neither root nor a build;
# without promtool it skips and says so.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib/tap.sh
source tests/lib/tap.sh

dir=scripts/prometheus
rule_sets=(sip6xx sip6xx-fleet)
config=$dir/prometheus.yml
out=$(mktemp)
trap 'rm -f "$out"' EXIT

show() { # show FILE: promtool's output as TAP comments
	sed 's/^/# /' "$1"
}

tap_require_cmd promtool "Debian: prometheus"
echo "# $(promtool --version 2>&1 | head -n1)"

for set in "${rule_sets[@]}"; do
	rules=$dir/$set.rules.yml
	tests=$dir/$set.rules.test.yml

	promtool check rules --lint=all --lint-fatal "$rules" >"$out" 2>&1
	ok $? "promtool check rules $rules"
	show "$out"

	promtool test rules "$tests" >"$out" 2>&1
	ok $? "promtool test rules $tests"
	show "$out"

	# Coverage: each alert has an alert_rule_test, each recorded series a query.
	while read -r name; do
		grep -qE "^ *alertname: *$name *$" "$tests"
		ok $? "alert $name is unit-tested ($tests)"
	done < <(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$rules")
	while read -r name; do
		grep -qE "^ *- expr: *$name *$" "$tests"
		ok $? "recording rule $name is unit-tested ($tests)"
	done < <(sed -n 's/^ *- record: *\([A-Za-z0-9_:]*\).*/\1/p' "$rules")
done

loaded=("${rule_sets[@]/%/.rules.yml}")
promtool check config --lint=all --lint-fatal "$config" >"$out" 2>&1
ok $? "promtool check config $config (loads ${loaded[*]})"
show "$out"

tap_done
