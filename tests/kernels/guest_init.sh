#!/bin/busybox sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# /init of the kernel matrix's initramfs (tests/kernels/boot.sh packs it with
# a static busybox and the modules listed in modules.order). It loads those
# modules, mounts the host's root file system read-only over virtio-9p with a
# tmpfs overlay on top (as virtme-ng does), so the guest runs the host's own
# binaries without building anything for it, then hands over to
# tests/kernels/guest_run.sh in that root. Results go to the "out" 9p share.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /lower /upper /newroot
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do
	insmod "/modules/$m" || echo "init: insmod $m failed"
done </modules.order

fail() {
	echo "init: $*"
	echo "SIP6XX_GUEST_FAILED: $*"
	echo o >/proc/sysrq-trigger
	sleep 10
}

p9='trans=virtio,version=9p2000.L,msize=512000'
mount -t 9p -o "$p9,ro" hostroot /lower || fail "cannot mount the host root over 9p"
mount -t tmpfs -o size=1536m tmpfs /upper || fail "cannot mount a tmpfs for the overlay"
mkdir -p /upper/u /upper/w
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w /newroot ||
	fail "cannot mount the overlay root"
mkdir -p /newroot/run/sip6xx-out
mount -t 9p -o "$p9" out /newroot/run/sip6xx-out || fail "cannot mount the out share"
for d in proc sys dev; do
	mount --move "/$d" "/newroot/$d"
done
# guest.env names the repository, the build tree and the test sizes.
. /newroot/run/sip6xx-out/guest.env || fail "no guest.env in the out share"
exec switch_root /newroot /bin/bash "$SIP6XX_REPO/tests/kernels/guest_run.sh"
