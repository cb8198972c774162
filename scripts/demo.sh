#!/usr/bin/env bash
# make demo: set up, build, boot a stock Debian kernel in QEMU with an
# emulated ZNS SSD, and show zns_slab doing its job for the example client:
# a cache filled, synced to zones, and the device's own zone report agreeing;
# its slabs evicted under resident_max_mb=1 and read back; a persistent cache
# detached, recovered after zns_slab is reloaded, checked and erased.
#   DEMO_KERNEL=stock|stock-6.12 (Debian 6.1, the default, or 6.12)
#   DEMO_SESSIONS=N              objects the example client allocates [50000]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ZSLAB_ROOT"

kernel=${DEMO_KERNEL:-stock}
bash scripts/setup.sh
build=$(bash scripts/build.sh "$kernel")
pl=$(mktemp -d)
trap 'rm -rf "$pl"' EXIT
cp "$build/zns_slab.ko" "$build/examples/zslab_example.ko" tests/lib.sh "$pl/"
{
	echo "SESSIONS=${DEMO_SESSIONS:-50000}"
	cat scripts/guest/demo-guest.sh
} >"$pl/run.sh"
rm -f "$ZSLAB_OUT/initramfs-$kernel.cpio.gz"
log "booting Debian $(flavor_kver "$kernel") with an emulated ZNS namespace (16 x 64 MiB zones)"
bash scripts/vm.sh --kernel "$kernel" --log "$ZSLAB_OUT/console-demo.log" -- "$pl" |
	sed -e '/^ZSLAB-BEGIN/d' -e '/^ZSLAB-EXIT/d'
