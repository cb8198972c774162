#!/usr/bin/env bash
# Install the Debian packages the harness needs (idempotent; root).
set -euo pipefail

pkgs=(build-essential linux-headers-amd64 linux-image-amd64 linux-source-6.1
	qemu-system-x86 busybox-static nvme-cli blktrace fio cpio kmod flex bison
	libelf-dev libssl-dev bc xz-utils dwarves sparse)

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
