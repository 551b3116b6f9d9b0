#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The documentation holds together: every relative link in every Markdown
# file of the repository ([text](path), ![alt](path), with or without
# #anchor) points at a file or folder that exists, an anchor names a heading
# of its target (GitHub's slugs), and README.md stays short (at most
# README_MAX_LINES, 320): the details live in the folders' README.md files.
# One TAP line per Markdown file; a planted broken link must be caught first,
# so the check itself is known to work. Needs no root and no build.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh

README_MAX_LINES=${README_MAX_LINES:-320}

# md_links FILE: the link targets of FILE, one a line, outside code fences
# and code spans.
md_links() {
	awk '
	/^[ \t]*```/ { fence = !fence; next }
	fence { next }
	{
		line = $0
		gsub(/`[^`]*`/, "", line)
		while (match(line, /\]\([^) \t]+\)/)) {
			print substr(line, RSTART + 2, RLENGTH - 3)
			line = substr(line, RSTART + RLENGTH)
		}
	}' "$1"
}

# md_anchors FILE: the anchors GitHub gives FILE's headings, one a line
# (lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2).
md_anchors() {
	awk '
	/^[ \t]*```/ { fence = !fence; next }
	fence || !/^#+ / { next }
	{
		h = $0
		sub(/^#+ /, "", h)
		h = tolower(h)
		gsub(/[^a-z0-9 _-]/, "", h)
		gsub(/ /, "-", h)
		if (h in seen) { seen[h]++; print h "-" seen[h] } else { seen[h] = 0; print h }
	}' "$1"
}

# check_links FILE: prints "FILE: TARGET: why" for each broken link; status 1 if any.
check_links() {
	local file=$1 dir target path anchor bad=0
	dir=$(dirname "$file")
	while read -r target; do
		case $target in
		http://* | https://* | mailto:*) continue ;;
		esac
		path=${target%%#*}
		anchor=""
		[[ $target == *#* ]] && anchor=${target#*#}
		if [ -z "$path" ]; then
			path=$file
		else
			path=$dir/$path
		fi
		if [ ! -e "$path" ]; then
			echo "$file: $target: no such file"
			bad=1
		elif [ -n "$anchor" ] && [[ $path == *.md ]] &&
			! md_anchors "$path" | grep -qxF -- "$anchor"; then
			echo "$file: $target: no heading with that anchor in $path"
			bad=1
		fi
	done < <(md_links "$file")
	return "$bad"
}

# The check must catch what it is for: a planted file with a broken link,
# a broken anchor and a good link.
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
# shellcheck disable=SC2016 # the backquotes are Markdown, not a command
printf '# Title\n\n## A part\n\n[ok](#a-part) [gone](missing.md) [bad anchor](#nowhere) `[code](x.md)`\n' \
	>"$T/planted.md"
out=$(check_links "$T/planted.md")
check_eq 2 "$(grep -c . <<<"$out")" "a planted missing file and a bad anchor are caught, code spans skipped"

mapfile -t docs < <(find . -path ./build -prune -o -path ./.git -prune -o -name '*.md' -print |
	sed 's|^\./||' | LC_ALL=C sort)
[ "${#docs[@]}" -gt 0 ] || { ok 1 "no Markdown file found"; tap_done; exit 1; }
for f in "${docs[@]}"; do
	out=$(check_links "$f")
	ok $? "$f: every relative link resolves ($(md_links "$f" | grep -vcE '^(https?|mailto):') links)"
	[ -z "$out" ] || sed 's/^/# /' <<<"$out"
done

n=$(wc -l <README.md)
[ "$n" -le "$README_MAX_LINES" ]
ok $? "README.md is $n lines, at most $README_MAX_LINES (details belong in the folders' README.md files)"
tap_done
