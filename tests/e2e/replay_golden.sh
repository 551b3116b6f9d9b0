#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Replay outputs stay byte-identical: every public capture under
# ../shared/pcaps (SOURCES.md aside) goes through `sip6xx_exporter --replay`,
# and the SHA-256 of its stdout and its exit status must equal the line that
# tests/e2e/replay/golden.sha256 holds for that capture. The list was written
# by an earlier build; a refactoring that changes a single byte of any
# output, or an exit status, fails here and names the capture.
#
# The one line that differs between builds by design, the version label of
# sip6xx_exporter_build_info, is set to "VERSION" before hashing.
#
#   tests/e2e/replay_golden.sh            check (one TAP line per capture)
#   tests/e2e/replay_golden.sh --update   rewrite the list from this build
#
# SIP6XX_GOLDEN_EXPORTER=PATH replays with another build's exporter (the list
# was written with the main branch's, before a refactoring).
#
# A capture that is new, or a list line whose capture is gone, also fails:
# the list and the captures must name the same files. On a mismatch this
# build's output is kept under $BUILD/tests/replay_golden/ and the message
# says how to diff it against the build that wrote the list.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/e2e/lib.sh

PCAPS=${SIP6XX_PCAPS:-../shared/pcaps}
GOLDEN=tests/e2e/replay/golden.sha256
KEEP=$BUILD/tests/replay_golden
EXPORTER=${SIP6XX_GOLDEN_EXPORTER:-$EXPORTER}
UPDATE=0
case ${1:-} in
--update) UPDATE=1 ;;
'') ;;
*)
	echo "usage: $0 [--update]" >&2
	exit 2
	;;
esac

e2e_require_root "--replay loads the XDP program"
e2e_require_bpf test_run
e2e_require_exporter "$EXPORTER"
[ -d "$PCAPS" ] || e2e_die "$PCAPS is missing: the public captures live beside the repository"
e2e_tmpdir
trap e2e_cleanup EXIT
T=$E2E_TMP

# golden_of CAPTURE: "SHA256 STATUS" for this build's replay of CAPTURE
# (a path relative to $PCAPS); its normalised stdout stays in $T/out.
golden_of() {
	local rc
	timeout 120 "$EXPORTER" --replay "$PCAPS/$1" >"$T/raw" 2>"$T/err"
	rc=$?
	sed 's/^\(sip6xx_exporter_build_info{version="\)[^"]*"/\1VERSION"/' "$T/raw" >"$T/out"
	echo "$(sha256sum <"$T/out" | cut -d' ' -f1) $rc"
}

# Every capture, in a stable order, relative to $PCAPS.
mapfile -t CAPTURES < <(cd "$PCAPS" && find . -type f ! -name '*.md' | sed 's|^\./||' | LC_ALL=C sort)
[ "${#CAPTURES[@]}" -gt 0 ] || e2e_die "no capture under $PCAPS"

if [ "$UPDATE" = 1 ]; then
	{
		echo "# sha256 of the normalised stdout, exit status, capture under ../shared/pcaps"
		echo "# written by tests/e2e/replay_golden.sh --update with $EXPORTER $("$EXPORTER" --version 2>/dev/null | head -n 1)"
		for f in "${CAPTURES[@]}"; do
			echo "$(golden_of "$f") $f"
		done
	} >"$T/golden.new" || e2e_die "cannot write the new list"
	mv "$T/golden.new" "$GOLDEN" || e2e_die "cannot replace $GOLDEN"
	ok 0 "$GOLDEN rewritten: ${#CAPTURES[@]} captures"
	tap_done
	exit
fi

[ -r "$GOLDEN" ] || e2e_die "$GOLDEN is missing: write it with $0 --update"
declare -A WANT=()
while read -r sum rc f extra; do
	case $sum in '#'* | '') continue ;; esac
	if [ -n "$extra" ] || ! [[ $sum =~ ^[0-9a-f]{64}$ ]] || ! [[ $rc =~ ^[0-9]+$ ]]; then
		ok 1 "$GOLDEN: '$sum $rc $f $extra' is not 'SHA256 STATUS CAPTURE'"
		continue
	fi
	WANT[$f]="$sum $rc"
done <"$GOLDEN"

# The build that wrote the list: the version its header names (git describe
# of that build), if this repository knows it; else the commit of the list.
base=$(sed -n 's/^# written by .* sip6xx_exporter \([^ ]*\) (BPF contract.*/\1/p' "$GOLDEN" | head -n 1)
base=${base%-dirty}
base=${base##*-g}
git rev-parse -q --verify "${base:-none}^{commit}" >/dev/null 2>&1 ||
	base=$(git log -1 --format=%h -- "$GOLDEN" 2>/dev/null)
mkdir -p "$KEEP"
for f in "${CAPTURES[@]}"; do
	want=${WANT[$f]:-}
	unset "WANT[$f]"
	if [ -z "$want" ]; then
		ok 1 "$f: not in $GOLDEN (a new capture? add it with $0 --update)"
		continue
	fi
	got=$(golden_of "$f")
	if [ "$got" = "$want" ]; then
		ok 0 "$f: replay output and exit status unchanged (${want#* })"
		continue
	fi
	kept=$KEEP/$(printf %s "$f" | sed 's|/|%|g').out
	cp "$T/out" "$kept"
	ok 1 "$f: replay output changed (sha256 and status: want '$want', got '$got')"
	echo "# this build's output: $kept (stderr: $(head -c 300 "$T/err" | tr '\n' ' '))"
	echo "# to see the difference, replay it with the build that wrote the list:"
	echo "#   git worktree add /tmp/golden-base ${base:-<commit>} && make -C /tmp/golden-base all"
	echo "#   /tmp/golden-base/build/sip6xx_exporter --replay $PCAPS/$f | diff - $kept"
	echo "#   (the build_info version label reads VERSION in $kept)"
done
for f in "${!WANT[@]}"; do
	ok 1 "$f: listed in $GOLDEN but not under $PCAPS"
done

tap_done
