# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Sourced by tests/kernels/matrix.sh: fetch a Debian kernel package by name
# through apt, with a private apt state so the host's own apt is untouched,
# and unpack it with dpkg -x into a cache that later runs reuse.
#
#   kfetch SERIES   sets KF_PKG, KF_PKGVER, KF_DIR (the unpacked tree), KF_VER
#                   (uname -r) and KF_VMLINUZ; on failure returns 1 with KF_WHY set.

KCACHE=${SIP6XX_KERNEL_CACHE:-/var/cache/sip6xx/kernels}
KAPT=$KCACHE/apt

# The newest package of each series Debian still serves: bullseye's 5.10,
# bookworm's 6.1, trixie's 6.12 (each through its -security suite too).
kseries_pattern() {
	case $1 in
	5.10) echo '^linux-image-5\.10\.0-[0-9]+-amd64$' ;;
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+\+deb13-amd64$' ;;
	*) return 1 ;;
	esac
}

# The mirror this machine's apt already uses (deb822 or one-line sources);
# deb.debian.org when none is found.
kmirror() { # kmirror main|security
	local want=$1 uri
	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v want="$want" '
		/^URIs:/ { u = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) {
			sec = ($i ~ /-security$/)
			if ((want == "security") == sec && u ~ /debian/) { print u; exit } } }')
	[ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		sed 's/\[[^]]*\]//' | awk -v want="$want" '$2 ~ /debian/ {
			sec = ($3 ~ /-security$/); if ((want == "security") == sec) { print $2; exit } }')
	if [ -z "$uri" ]; then
		[ "$want" = security ] && uri=http://deb.debian.org/debian-security || uri=http://deb.debian.org/debian
	fi
	echo "$uri"
}

kapt() { # kapt apt-get|apt-cache ARGS...: apt with the private state
	local tool=$1
	shift
	"$tool" -q -o Dir::State="$KAPT" -o Dir::State::Lists="$KAPT/lists" \
		-o Dir::State::status="$KAPT/status" -o Dir::Cache="$KAPT" \
		-o Dir::Cache::archives="$KAPT/archives" -o Dir::Etc::SourceList="$KAPT/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root "$@"
}

# kapt_update: write the private sources and refresh their lists at most once a day.
kapt_update() {
	local main sec keyring=/usr/share/keyrings/debian-archive-keyring.gpg s
	mkdir -p "$KAPT/lists/partial" "$KAPT/archives/partial" || return 1
	: >>"$KAPT/status"
	main=$(kmirror main)
	sec=$(kmirror security)
	{
		for s in bullseye bookworm trixie; do
			echo "deb [signed-by=$keyring] $main $s main"
			echo "deb [signed-by=$keyring] $sec $s-security main"
		done
	} >"$KAPT/sources.list.new"
	if cmp -s "$KAPT/sources.list.new" "$KAPT/sources.list" &&
		[ -n "$(find "$KAPT/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
		rm -f "$KAPT/sources.list.new"
		return 0
	fi
	mv "$KAPT/sources.list.new" "$KAPT/sources.list"
	kapt apt-get update >"$KAPT/update.log" 2>&1
}

kfetch() { # kfetch SERIES
	local pat pkg deb dir
	KF_WHY=
	pat=$(kseries_pattern "$1") || { KF_WHY="no package pattern for series $1"; return 1; }
	# The newest name that apt can actually download (some names are only virtual).
	for pkg in $(kapt apt-cache pkgnames linux-image- 2>/dev/null | grep -E "$pat" | sort -rV); do
		kapt apt-cache show --no-all-versions "$pkg" >/dev/null 2>&1 && break
		pkg=
	done
	[ -n "$pkg" ] || { KF_WHY="apt knows no package matching $pat (apt update log: $KAPT/update.log)"; return 1; }
	KF_PKG=$pkg
	dir=$KCACHE/$pkg
	if [ ! -f "$dir/.unpacked" ]; then
		rm -rf "$dir"
		(cd "$KAPT/archives" && kapt apt-get download "$pkg") >"$KCACHE/$pkg.download.log" 2>&1 ||
			{ KF_WHY="apt-get download $pkg failed: $(tail -n 1 "$KCACHE/$pkg.download.log")"; return 1; }
		deb=$(ls "$KAPT/archives/${pkg}"_*.deb 2>/dev/null | head -n 1)
		mkdir -p "$dir" && dpkg -x "$deb" "$dir" 2>"$KCACHE/$pkg.unpack.log" ||
			{ KF_WHY="dpkg -x $deb failed: $(tail -n 1 "$KCACHE/$pkg.unpack.log")"; rm -rf "$dir"; return 1; }
		# trixie ships modules under /usr/lib; depmod -b looks under lib/.
		[ -d "$dir/lib/modules" ] || ln -s usr/lib "$dir/lib"
		KF_VER=$(ls "$dir/lib/modules" | head -n 1)
		depmod -b "$dir" "$KF_VER" 2>"$KCACHE/$pkg.depmod.log" ||
			{ KF_WHY="depmod for $pkg failed: $(tail -n 1 "$KCACHE/$pkg.depmod.log")"; rm -rf "$dir"; return 1; }
		dpkg-deb -f "$deb" Version >"$dir/.unpacked"
		rm -f "$deb"
	fi
	KF_DIR=$dir
	KF_PKGVER=$(cat "$dir/.unpacked")
	KF_VER=$(ls "$dir/lib/modules" | head -n 1)
	KF_VMLINUZ=$dir/boot/vmlinuz-$KF_VER
	[ -r "$KF_VMLINUZ" ] || { KF_WHY="$pkg has no $KF_VMLINUZ"; return 1; }
}
