#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs inside a kernel-matrix guest (tests/kernels/guest_init.sh hands over to
# it), in the host's root file system under a tmpfs overlay. Each step writes
# its TAP output to /run/sip6xx-out/STEP.tap; matrix.sh on the host reads them.
# Ends by powering the guest off.
OUT=/run/sip6xx-out
# shellcheck source=/dev/null
. "$OUT/guest.env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root BUILD=$SIP6XX_BUILD
cd "$SIP6XX_REPO" || exit 1

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}
trap poweroff_now EXIT

mount -t tmpfs tmpfs /run/netns 2>/dev/null || { mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns; }
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up
ulimit -l unlimited
uname -r >"$OUT/uname"

step() { # step NAME CMD...: run CMD, TAP to NAME.tap, its status to NAME.rc
	local name=$1 t0=$SECONDS
	shift
	echo "guest: $name" >/dev/console
	timeout "$SIP6XX_STEP_TIMEOUT" "$@" >"$OUT/$name.tap" 2>"$OUT/$name.err"
	echo $? >"$OUT/$name.rc"
	echo "$((SECONDS - t0))" >"$OUT/$name.secs"
}

want() { case " ${SIP6XX_GUEST_STEPS:-load test_xdp test_diff test_context replay live} " in *" $1 "*) return 0 ;; esac; return 1; }
want load && step load "$BUILD/tests/tools/load_progs" "$BUILD/sip6xx.bpf.o"
want test_xdp && SIP6XX_CUT_STRIDE=$SIP6XX_CUT_STRIDE CMOCKA_MESSAGE_OUTPUT=TAP step test_xdp "$BUILD/tests/bpf/test_xdp"
want test_diff && SIP6XX_DIFF_FRAMES=$SIP6XX_DIFF_FRAMES step test_diff "$BUILD/tests/bpf/test_diff"
want test_context && CMOCKA_MESSAGE_OUTPUT=TAP step test_context "$BUILD/tests/bpf/test_context"
want replay && step replay tests/kernels/guest_replay.sh "$OUT"
want live && step live tests/kernels/guest_live.sh
echo done >"$OUT/done"
