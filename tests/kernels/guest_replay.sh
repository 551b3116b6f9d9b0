#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# In a kernel-matrix guest: replay each capture that matrix.sh replayed on the
# host (OUT/replay/N.path names it, N.prom is the host's output) and compare
# the guest kernel's output byte for byte.
set -u
OUT=$1
source tests/lib/tap.sh
for p in "$OUT"/replay/*.path; do
	[ -e "$p" ] || break
	n=${p%.path}
	f=$(cat "$p")
	"$BUILD/sip6xx_exporter" --replay "$f" >"$n.guest" 2>"$n.guest.err"
	rc=$?
	if [ $rc -eq 0 ] && cmp -s "$n.prom" "$n.guest"; then
		ok 0 "replay $f: identical to the host's output"
	else
		ok 1 "replay $f: exit $rc, differs from the host's output"
		diff "$n.prom" "$n.guest" | head -n 20 | sed 's/^/# /'
		head -n 20 "$n.guest.err" | sed 's/^/# /'
	fi
done
tap_done
