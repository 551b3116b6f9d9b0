#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The kernel matrix: the kernels the README promises, each booted under qemu
# (KVM when /dev/kvm works, TCG otherwise) with the host's root file system
# shared read-only over virtio-9p and a tmpfs overlay, so the guest runs this
# build tree as it is. In each guest (tests/kernels/guest_run.sh):
#   load      every program of build/sip6xx.bpf.o, one at a time; a rejected
#             one prints the verifier log's last lines
#   test_xdp, test_diff, test_context
#             the BPF_PROG_TEST_RUN suites (test_diff with fewer random frames;
#             test_context: the call context's samples, with the copy path
#             that kernel has)
#   replay    shared captures replayed, byte for byte the host's output
#   live      the exporter attached to veth (XDP rx, TC egress tx), frames sent,
#             the scrape's counts equal to the frames sent
# Prints TAP lines per kernel and step, then one line per kernel. A kernel
# whose package cannot be had is skipped with the reason; the others run.
#
#   SIP6XX_KERNELS="5.10 6.1 6.12"    series to run (Debian 11, 12, 13)
#   SIP6XX_KERNEL_CACHE=/var/cache/sip6xx/kernels   unpacked packages, reused
#   SIP6XX_GUEST_TIMEOUT=600          seconds a guest may take in all
#   SIP6XX_DIFF_FRAMES=20000          test_diff's random frames in a guest
#   SIP6XX_CUT_STRIDE=4               test_xdp runs every 4th truncation case
#   SIP6XX_GUEST_JOBS=$(nproc)        guests booted at once
#   SIP6XX_GUEST_STEPS="load ..."     the steps to run (all by default)
#   SIP6XX_KEEP=1                     keep the guests' output directory
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/tap.sh
source tests/kernels/fetch.sh
source tests/kernels/boot.sh

BUILD=$(realpath "${BUILD:-build}")
KERNELS=${SIP6XX_KERNELS:-5.10 6.1 6.12}
GUEST_SECS=${SIP6XX_GUEST_TIMEOUT:-600}
DIFF_FRAMES=${SIP6XX_DIFF_FRAMES:-20000}
CUT_STRIDE=${SIP6XX_CUT_STRIDE:-4}
GUEST_JOBS=${SIP6XX_GUEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
PCAPS=../shared/pcaps
# A few shared captures: plain IPv4, IPv6 fragments, ERSPAN and GTP-U tunnels, pcapng.
REPLAYS=(sipnab/sip-proxy.pcap sngrep/ipv6frag.pcap heplify/history-d524943f/erspan_sip_ipv4_udp.pcapng
	arkime/gtp-iphone.pcap MichalCab-ISA/aaa.pcap sipnab/b2bua-asterisk.pcapng)
STEPS=${SIP6XX_GUEST_STEPS:-load test_xdp test_diff test_context replay live}
SUMMARY=()

skip_all() {
	local s
	for s in $KERNELS; do
		echo "ok $((++TAP_N)) # SKIP kernel $s: $1"
		SUMMARY+=("kernel $s: skipped: $1")
	done
	printf '# %s\n' "${SUMMARY[@]}"
	tap_done
	exit $?
}

[ "$(id -u)" -eq 0 ] || skip_all "needs root (the guest loads BPF; the host shares / over 9p)"
for tool in qemu-system-x86_64 busybox cpio depmod modprobe apt-get dpkg; do
	command -v "$tool" >/dev/null || skip_all "$tool is missing (scripts/deps.sh installs it)"
done
busybox 2>&1 | head -n 1 | grep -q . || skip_all "busybox does not run"
ldd "$(command -v busybox)" >/dev/null 2>&1 && skip_all "busybox is not static (Debian: busybox-static)"
for f in sip6xx.bpf.o sip6xx_exporter tests/tools/load_progs tests/bpf/test_xdp tests/bpf/test_diff \
	tests/bpf/test_context; do
	[ -x "$BUILD/$f" ] || [ -r "$BUILD/$f" ] || { ok 1 "$BUILD/$f is missing: make test-build first"; tap_done; exit 1; }
done

T=$(mktemp -d /tmp/sip6xx-kernels.XXXXXX) || exit 1
# SIP6XX_KEEP=1 keeps the guests' output for a look afterwards.
[ -n "${SIP6XX_KEEP:-}" ] && echo "# guest output kept in $T" || trap 'rm -rf "$T"' EXIT

# The host's replay outputs, the reference for every guest.
mkdir -p "$T/replay"
i=0
for r in "${REPLAYS[@]}"; do
	f=$(realpath "$PCAPS/$r" 2>/dev/null) && [ -r "$f" ] || { echo "# $PCAPS/$r is missing: not replayed"; continue; }
	i=$((i + 1))
	echo "$f" >"$T/replay/$i.path"
	"$BUILD/sip6xx_exporter" --replay "$f" >"$T/replay/$i.prom" 2>/dev/null ||
		{ ok 1 "host replay of $r failed"; rm -f "$T/replay/$i.path"; }
done

mkdir -p "$KCACHE" || skip_all "cannot create the cache $KCACHE"
kapt_update || echo "# apt update of the private lists failed (see $KAPT/update.log); using what is cached"

# counts STEP_DIR STEP: "passed failed rc secs" of one guest step
counts() {
	local d=$1 s=$2
	printf '%s %s %s %s\n' "$(grep -cE '^ok ' "$d/$s.tap" 2>/dev/null)" \
		"$(grep -cE '^not ok ' "$d/$s.tap" 2>/dev/null)" "$(cat "$d/$s.rc" 2>/dev/null || echo none)" \
		"$(cat "$d/$s.secs" 2>/dev/null || echo 0)"
}

step_ok() { # step_ok DIR STEP: the step ran, passed something, failed nothing
	local p f rc
	read -r p f rc _ < <(counts "$1" "$2")
	[ "$rc" = 0 ] && [ "$f" -eq 0 ] && [ "$p" -gt 0 ]
}

show_failures() { # show_failures DIR STEP: its failed lines, comments and errors
	grep -E '^(not ok|#)' "$1/$2.tap" 2>/dev/null | head -n 60 | sed 's/^/#   /'
	tail -n 10 "$1/$2.err" 2>/dev/null | sed 's/^/#   stderr: /'
}

# Fetch and pack every kernel first, then boot them, GUEST_JOBS at a time:
# under TCG each guest keeps one host CPU busy.
READY=()
for series in $KERNELS; do
	if ! kfetch "$series"; then
		echo "ok $((++TAP_N)) # SKIP kernel $series: $KF_WHY"
		SUMMARY+=("kernel $series: skipped: $KF_WHY")
		continue
	fi
	d=$T/$series
	mkdir -p "$d"
	cp -r "$T/replay" "$d/replay"
	cat >"$d/guest.env" <<-ENV
		SIP6XX_REPO=$(pwd)
		SIP6XX_BUILD=$BUILD
		SIP6XX_DIFF_FRAMES=$DIFF_FRAMES
		SIP6XX_STEP_TIMEOUT=$((GUEST_SECS / 2))
		SIP6XX_CUT_STRIDE=$CUT_STRIDE
		SIP6XX_GUEST_STEPS="$STEPS"
	ENV
	echo "$KF_VER ($KF_PKGVER)" >"$d/name"
	if ! kinitrd "$KF_DIR" "$KF_VER" "$d/initrd.gz"; then
		ok 1 "kernel $(cat "$d/name"): cannot pack its initramfs"
		SUMMARY+=("kernel $(cat "$d/name"): FAILED: no initramfs")
		continue
	fi
	echo "$KF_VER" >"$d/want_uname"
	echo "$KF_VMLINUZ" >"$d/vmlinuz"
	READY+=("$series")
done

# boot_one SERIES: one guest, its exit status and wall time into its directory.
boot_one() {
	local d=$T/$1 t0=$SECONDS
	kboot "$(cat "$d/vmlinuz")" "$d/initrd.gz" "$d" "$GUEST_SECS"
	echo $? >"$d/qemu.rc"
	echo $((SECONDS - t0)) >"$d/wall.secs"
}
for series in "${READY[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$GUEST_JOBS" ]; do
		wait -n
	done
	echo "# booting kernel $(cat "$T/$series/name")"
	boot_one "$series" &
done
wait

for series in "${READY[@]}"; do
	d=$T/$series
	rc=$(cat "$d/qemu.rc")
	secs=$(cat "$d/wall.secs")
	name=$(cat "$d/name")
	if [ ! -e "$d/done" ]; then
		why="did not finish"
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && why="killed at its ${GUEST_SECS} s timeout"
		ok 1 "kernel $name: the guest $why (qemu exit $rc); its console's last lines:"
		tail -n 30 "$d/console.log" 2>/dev/null | sed 's/^/#   /'
	fi
	[ "$(cat "$d/uname" 2>/dev/null)" = "$(cat "$d/want_uname")" ]
	ok $? "kernel $name: the guest ran that kernel (uname -r: $(cat "$d/uname" 2>/dev/null || echo none))"
	line="kernel $name:"
	for s in $STEPS; do
		read -r p f src ssecs < <(counts "$d" "$s")
		step_ok "$d" "$s"
		sok=$?
		case $s in
		load) what="programs load: $p of $((p + f))" ;;
		test_xdp | test_diff | test_context) what="$s: $p of $((p + f)) tests pass" ;;
		replay) what="replays identical to the host's: $p of $((p + f))" ;;
		live) what="live attach (XDP rx, TC tx): $p of $((p + f)) counts equal" ;;
		esac
		ok $sok "kernel $name: $what (exit $src, ${ssecs} s)"
		[ $sok -eq 0 ] || show_failures "$d" "$s"
		line="$line $what;"
	done
	SUMMARY+=("$line wall time ${secs} s")
done
echo "# --- the kernel matrix, one line per kernel ---"
printf '# %s\n' "${SUMMARY[@]}"
tap_done
