#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The Prometheus side in scripts/prometheus/: the rules and the example config
# must pass promtool's checks, and the rules their unit tests. Every alert and
# recording rule must be exercised by the unit tests. Needs neither root nor a
# build. A missing promtool is a failure, not a skip.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib/tap.sh
source tests/lib/tap.sh

dir=scripts/prometheus
rules=$dir/sip6xx.rules.yml
tests=$dir/sip6xx.rules.test.yml
config=$dir/prometheus.yml
out=$(mktemp)
trap 'rm -f "$out"' EXIT

show() { # show FILE: promtool's output as TAP comments
	sed 's/^/# /' "$1"
}

if ! command -v promtool >/dev/null; then
	ok 1 "promtool is missing (Debian: apt-get install prometheus)"
	tap_done
	exit 1
fi
echo "# $(promtool --version 2>&1 | head -n1)"

promtool check rules --lint=all --lint-fatal "$rules" >"$out" 2>&1
ok $? "promtool check rules $rules"
show "$out"

promtool test rules "$tests" >"$out" 2>&1
ok $? "promtool test rules $tests"
show "$out"

promtool check config --lint=all --lint-fatal "$config" >"$out" 2>&1
ok $? "promtool check config $config (loads $rules)"
show "$out"

# Coverage: each alert has an alert_rule_test, each recorded series a query.
while read -r name; do
	grep -qE "^ *alertname: *$name *$" "$tests"
	ok $? "alert $name is unit-tested"
done < <(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$rules")
while read -r name; do
	grep -qE "^ *- expr: *$name *$" "$tests"
	ok $? "recording rule $name is unit-tested"
done < <(sed -n 's/^ *- record: *\([A-Za-z0-9_:]*\).*/\1/p' "$rules")

tap_done
