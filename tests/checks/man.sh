#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The man pages: make install puts sip6xx_exporter(8) and sip6xx-top(8) under
# DESTDIR, groff renders them without a warning, and every long option that
# --help lists is in the page (help2man makes them from --help, so a page
# that misses one is stale or broken).
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
BUILD=${BUILD:-build}

for tool in help2man groff; do
	tap_require_cmd "$tool"
done
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

make -s OUTPUT="$BUILD" DESTDIR="$T" prefix=/usr install >"$T/install.log" 2>&1
ok $? "make install DESTDIR=... installs (log: $(tail -n 1 "$T/install.log"))"
for prog in sip6xx_exporter sip6xx-top; do
	page=$T/usr/share/man/man8/$prog.8
	[ -s "$page" ]
	ok $? "$prog: its man page is installed as share/man/man8/$prog.8"
	[ -x "$T/usr/bin/$prog" ]
	ok $? "$prog: the program is installed beside it in bin/"
	groff -man -Tutf8 -ww -z "$page" >"$T/groff.out" 2>&1 && [ ! -s "$T/groff.out" ]
	ok $? "$prog: groff renders the page with no warning$(head -n 1 "$T/groff.out" | sed 's/^/: /')"
	MANWIDTH=200 man -l "$page" 2>/dev/null | col -b >"$T/$prog.txt"
	grep -q '^NAME' "$T/$prog.txt" && grep -q '^SYNOPSIS' "$T/$prog.txt" &&
		grep -q '^OPTIONS' "$T/$prog.txt" && grep -q '^SEE ALSO' "$T/$prog.txt"
	ok $? "$prog: the page has NAME, SYNOPSIS, OPTIONS and SEE ALSO"
	missing=()
	for opt in $("$BUILD/$prog" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		grep -qF -- "$opt" "$T/$prog.txt" || missing+=("$opt")
	done
	check_eq "" "${missing[*]}" "$prog: every long option of --help is in the man page"
	grep -qF "$("$BUILD/$prog" --version | head -n 1 | awk '{ print $2 }')" "$T/$prog.txt"
	ok $? "$prog: the page names the version --version prints"
done
tap_done
