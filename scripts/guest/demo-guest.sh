# Guest side of `make demo` (busybox sh): one client's cache, from its first
# object to the device's zones. Each step prints one line saying what it
# shows, then the module's (or the device's) own words.
. /test/lib.sh
SESSIONS=${SESSIONS:-50000}

step() {
	echo
	echo "== $1"
	echo "   $2"
}
# io_lines: the io counters a write shows (the rest are settings).
io_lines() { grep -E '^(bios|appends|append_bytes|slab_data_bytes|device_bytes_per_slab_byte|flushes|resets|finishes|errors|misplaced|append_latency_mean_ns|zones_open):' $DBG/io; }
# load MODULE PARAMS...: insmod, quiet unless it is refused.
load() {
	ans=$(ztool load "$@")
	[ "$ans" = "load: ok" ] || { echo "$1: $ans"; exit 1; }
}
# busy_zones: the zones table's header and every zone holding something.
busy_zones() { awk 'NR == 1 || $8 != "free"' $DBG/zones; }

step "zns_slab takes the zoned namespace" \
	"$ZNS is the host-managed namespace (found by queue/zoned; $CONV is the conventional one)."
load /test/zns_slab.ko device=$ZNS writeback_ms=0
dmesg | grep 'zns_slab: /dev' | tail -n 1 | sed 's/^\[[ 0-9.]*\] //'
echo "   (writeback_ms=0: nothing but the superblock is written until a client calls zslab_cache_sync())"

step "a client creates a cache and fills it" \
	"zslab_example creates cache example_session, allocates $SESSIONS sessions, writes each one, frees every 4th."
load /test/zslab_example.ko sessions=$SESSIONS free_every=4
dmesg | grep 'zslab_example:' | tail -n 1 | sed 's/^\[[ 0-9.]*\] //'

step "the caches table" \
	"Objects in use, slabs in DRAM and what they cost, as /proc/slabinfo shows a kmem_cache."
cat $DBG/caches
echo "dirty_slabs: $(cstat example_session dirty_slabs)   (slabs not yet on the device)"

step "the device before the sync" \
	"No slab written yet: every data zone is free and no append bio has been sent."
io_lines | grep -E '^(bios|append_bytes):'

step "zslab_cache_sync()" \
	"The client makes its sessions durable: dirty slabs go out in zone-append bios (one segment each: a summary, then the slabs' data), then a cache flush."
t0=$(date +%s)
echo 1 >/sys/module/zslab_example/parameters/sync || exit 1
dmesg | grep 'zslab_example: zslab_cache_sync' | tail -n 1 | sed 's/^\[[ 0-9.]*\] //'
echo "slabs_written: $(cstat example_session slabs_written)  bytes_written: $(cstat example_session bytes_written)  dirty_slabs: $(cstat example_session dirty_slabs)"

step "zones with live bytes" \
	"The cache's slabs sit in a zone of its own: live_bytes is their data, stale_bytes the segments' summaries (zones 0-2 are reserved; zone 0 holds the superblock, one block)."
busy_zones

step "the io counters" \
	"What the sync cost the device: append bios, device bytes against slab data bytes, one flush."
io_lines

step "nvme-cli's zone report agrees" \
	"The drive's own report (nvme zns report-zones) of the zones the module wrote, beside the module's view."
nvme zns report-zones $ZNS | grep 'SLBA:' | grep -v 'State: 0x10' | sed 's/  */ /g'
nvme_zones $ZNS >/tmp/nz.txt
dbg_zones >/tmp/dz.txt
# Both in 512 B sectors: "start wp capacity cond" per zone.
paste -d ' ' /tmp/nz.txt /tmp/dz.txt | awk '$4 != "empty" || $8 != "empty" {
	printf "zone at sector %s: nvme-cli wp %s %s, zns_slab wp %s %s\n", $1, $2, $4, $6, $8 }'
if cmp -s /tmp/nz.txt /tmp/dz.txt; then
	echo "write pointer, capacity and state agree for all $(wc -l </tmp/nz.txt) zones"
else
	echo "MISMATCH between nvme-cli and debugfs zones:"
	diff /tmp/nz.txt /tmp/dz.txt
	rc=1
fi

# --- Later steps go here as their issues land: eviction and read-back
# --- under a small resident_max_mb; a ZSLAB_PERSISTENT cache surviving a
# --- reset of the VM (demo.sh would then boot with --image-dir).

step "the client unloads" \
	"It frees its sessions and destroys the cache: its data becomes stale, and a zone holding nothing live is reset."
rmmod zslab_example && dmesg | grep 'zslab_example: done' | tail -n 1 | sed 's/^\[[ 0-9.]*\] //'
i=0
while [ "$(iostat resets)" = 0 ] && [ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
busy_zones
io_lines | grep -E '^(resets|zones_open):'

step "zns_slab unloads" "The device is free again for anyone else."
rmmod zns_slab && echo "zns_slab unloaded"
exit ${rc:-0}
