#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Every C source follows .clang-format (kernel style): one TAP line per file.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh

tap_require_cmd clang-format
for f in bpf/*.c bpf/*.h $(find user -name '*.[ch]' | sort) tests/*/*.c tests/*/*.h; do
	[ -f "$f" ] || continue
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1
	ok $? "$f is clang-formatted (make format fixes it)"
done
tap_done
