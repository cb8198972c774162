#!/usr/bin/env bash
# Install the Debian packages the harness needs (idempotent; root).
set -euo pipefail

# linux-image-6.12-amd64 and linux-headers-6.12-amd64 are bookworm's
# meta-packages for Debian's 6.12 kernel: they pull the newest
# 6.12.N+deb12-amd64 image and headers in the archive, so no point release
# is named here (scripts/lib.sh picks the newest installed).
pkgs=(build-essential linux-headers-amd64 linux-image-amd64 linux-source-6.1
	linux-image-6.12-amd64 linux-headers-6.12-amd64 dkms
	qemu-system-x86 busybox-static nvme-cli blktrace fio cpio kmod flex bison
	libelf-dev libssl-dev bc xz-utils dwarves sparse
	clang-14 libclang-rt-14-dev)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || { echo "setup: need root to install: ${missing[*]}" >&2; exit 1; }
echo "[zns_slab] installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
