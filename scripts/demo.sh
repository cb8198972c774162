#!/usr/bin/env bash
# make demo: set up, build, boot the stock Debian kernel in QEMU with an
# emulated ZNS SSD, load zns_slab on it and show what it sees.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ZSLAB_ROOT"

bash scripts/setup.sh
build=$(bash scripts/build.sh stock)
pl=$(mktemp -d)
trap 'rm -rf "$pl"' EXIT
cp "$build/zns_slab.ko" scripts/guest/demo-guest.sh "$pl/"
mv "$pl/demo-guest.sh" "$pl/run.sh"
rm -f "$ZSLAB_OUT/initramfs-stock.cpio.gz"
log "booting the stock kernel with an emulated ZNS namespace (16 x 64 MiB zones)"
bash scripts/vm.sh --kernel stock --log "$ZSLAB_OUT/console-demo.log" -- "$pl" |
	sed -e '/^ZSLAB-BEGIN/d' -e '/^ZSLAB-EXIT/d'
