#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Install every Debian package sip6xx needs to build, test, bench and demo.
# Idempotent: installs nothing (and runs no apt-get update) when all are present.
set -euo pipefail

pkgs=(
	# build
	make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev bpftool
	libmicrohttpd-dev libpcap-dev libcurl4-openssl-dev libcap-dev
	# call context: SIP decoding (libosip2), HMAC for the table and caller hashes (nettle)
	libosip2-dev nettle-dev
	# sip6xx-top (ncurses), and its test in a detached terminal
	libncurses-dev tmux
	# man pages from --help, and groff to check them
	help2man groff-base man-db
	# --web-config: YAML, bcrypt, TLS (libmicrohttpd's GnuTLS)
	libyaml-dev libcrypt-dev libgnutls28-dev
	# tests and demo
	libcmocka-dev iproute2 curl sip-tester tshark tcpdump prometheus
	prometheus-alertmanager python3 python3-scapy clang-format
	# web config test: certificates, and bcrypt hashes from an independent implementation
	openssl apache2-utils
	# fuzzing: libFuzzer and the sanitizer runtimes; sysctl for the netns tests
	libclang-rt-dev procps
	# privilege test: capsh (capability names), setpriv, strace (the system calls
	# a run makes), systemd-analyze (verify the unit; no systemd needs to run)
	libcap2-bin util-linux strace systemd
	# leak check of a failed start (tests/e2e/cli_faults.sh)
	valgrind
	# bench
	gnuplot-nox hyperfine
	# kernel matrix: Debian kernels booted under qemu with the host's root
	# over 9p; a static busybox and the kernels' modules in an initramfs
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages: ${missing[*]}; run as root (sudo scripts/deps.sh)" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
