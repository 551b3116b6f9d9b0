# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Sourced by tests/kernels/matrix.sh: pack an initramfs for a kernel that
# kfetch unpacked, and boot it under qemu with the host's root shared.

# Modules the guest needs and Debian builds as modules: the 9p root and its
# virtio transport, the overlay, veth for the live attach, clsact and cls_bpf
# for the TC path. modprobe --show-depends gives each one's dependencies in order.
KMODS="virtio_pci 9pnet_virtio 9p overlay veth sch_ingress cls_bpf"

kinitrd() { # kinitrd DIR VER OUT: write OUT, a gzipped newc cpio
	local dir=$1 ver=$2 out=$3 work m path name
	work=$(mktemp -d) || return 1
	mkdir -p "$work/bin" "$work/modules"
	cp "$(command -v busybox)" "$work/bin/busybox" || { rm -rf "$work"; return 1; }
	cp tests/kernels/guest_init.sh "$work/init" && chmod 0755 "$work/init"
	: >"$work/modules.order"
	for m in $KMODS; do
		modprobe -d "$dir" -S "$ver" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r path; do
		name=$(basename "$path")
		case $name in
		*.xz) xz -dc "$path" >"$work/modules/${name%.xz}" && name=${name%.xz} ;;
		*.zst) zstd -qdc "$path" >"$work/modules/${name%.zst}" && name=${name%.zst} ;;
		*) cp "$path" "$work/modules/$name" ;;
		esac
		echo "$name" >>"$work/modules.order"
	done
	(cd "$work" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
	local rc=$?
	rm -rf "$work"
	return $rc
}

# kboot VMLINUZ INITRD OUTDIR SECS: boot, wait at most SECS; 0 when the guest
# powered itself off, 124 on timeout. The console goes to OUTDIR/console.log.
kboot() {
	local vmlinuz=$1 initrd=$2 out=$3 secs=$4 accel=tcg cpu=max
	if [ -w /dev/kvm ] && [ -r /dev/kvm ]; then
		accel=kvm
		cpu=host
	fi
	timeout --kill-after=10 "$secs" qemu-system-x86_64 \
		-accel "$accel" -cpu "$cpu" -smp 1 -m 3072 \
		-display none -no-reboot -nodefaults -serial "file:$out/console.log" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 rdinit=/init panic=-1 oops=panic loglevel=4 net.ifnames=0" \
		-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
		-fsdev local,id=out,path="$out",security_model=none \
		-device virtio-9p-pci,fsdev=out,mount_tag=out
}
