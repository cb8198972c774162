#!/usr/bin/env bash
# Build the base initramfs of the test VM: busybox, nvme-cli, blktrace,
# blkparse, fio, kmod (with their shared libraries), ztool and /init.
#   mkinitramfs.sh stock|stock-6.12|debug OUT.cpio.gz [slim]
# For a stock kernel it also carries the Debian modules the guest needs
# (NVMe, crc32c, null_blk) and the order to load them in. "slim" leaves out
# blktrace, blkparse, fio and kmod (a fifth of the size: a guest reset many
# times over boots faster).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=$1 out=$2 slim=${3:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,test,etc}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$ZSLAB_ROOT/scripts/guest/init" "$root/init"
gcc -static -O2 -Wall -o "$root/bin/ztool" "$ZSLAB_ROOT/scripts/guest/ztool.c"

copy_with_libs() {
	local bin=$1 lib
	cp -L "$bin" "$root$bin"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
bins="/usr/sbin/nvme /usr/sbin/blktrace /usr/bin/blkparse /usr/bin/fio /usr/bin/kmod"
[ "$slim" = slim ] && bins=/usr/sbin/nvme
for b in $bins; do
	copy_with_libs "$b"
done
# kmod's own modprobe and depmod (/etc/modprobe.d, modules.dep), for the
# install test; busybox's stay first in PATH for everything else.
if [ "$slim" != slim ]; then
	for t in modprobe depmod modinfo; do
		ln -s /usr/bin/kmod "$root/sbin/$t"
	done
fi
# fio and friends look up users and groups.
echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"

case $flavor in stock*)
	kver=$(flavor_kver "$flavor")
	mdir=$root/lib/modules/$kver
	mkdir -p "$mdir"
	for m in nvme libcrc32c null_blk; do
		modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		rel=${ko#/lib/modules/$kver/}
		mkdir -p "$mdir/$(dirname "$rel")"
		# 6.12 ships modules xz-compressed; busybox insmod takes them plain.
		case $rel in
		*.ko.xz) rel=${rel%.xz}; xz -dc "$ko" >"$mdir/$rel" ;;
		*) cp "$ko" "$mdir/$rel" ;;
		esac
		echo "$rel" >>"$mdir/load.list"
	done
	;;
esac

# Written aside and renamed: a vm.sh running meanwhile never takes half of it.
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
