# Guest side of `make demo` (busybox sh): one client's cache, from its first
# object to the device's zones; its slabs leaving DRAM under a resident cap
# and read back; then a persistent cache surviving the unload of both
# modules. Each step prints one line saying what it shows, then the
# module's (or the device's) own words.
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
# io_lines_of KEY...: those io counters, on one line.
io_lines_of() {
	out=
	for k; do out="$out  $k: $(iostat $k)"; done
	echo "${out#  }"
}
# cap_line: the capacity tier's counters of the example's cache, on one line.
cap_line() {
	out=
	for k in resident_slabs evicted_slabs pinned_objs evictions readbacks readback_errors; do
		out="$out  $k: $(cstat example_session $k)"
	done
	echo "${out#  }"
}
# klog PATTERN: the kernel's lines matching PATTERN since mark_dmesg.
klog() { new_dmesg | grep "$1" | sed 's/^\[[ 0-9.]*\] //'; }
# expect_log TEXT: the kernel said TEXT since mark_dmesg, else the demo fails.
expect_log() { new_dmesg | grep -qF "$1" || { echo "MISMATCH: no \"$1\" in the log"; rc=1; }; }
# wait_for COND: up to 10 s for the shell condition COND to hold.
wait_for() {
	i=0
	until eval "$1" || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

step "zns_slab takes the zoned namespace" \
	"$ZNS is the host-managed namespace (found by queue/zoned; $CONV is the conventional one)."
load /test/zns_slab.ko device=$ZNS writeback_ms=0
dmesg | grep 'zns_slab: /dev' | tail -n 1 | sed 's/^\[[ 0-9.]*\] //'
echo "   (writeback_ms=0: nothing but the superblock is written until a client calls zslab_cache_sync())"

step "a client creates a cache and fills it" \
	"zslab_example creates cache example_session, allocates $SESSIONS sessions, writes each one, frees every 4th, and holds the rest by reference (zslab_ref(), zslab_put())."
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

step "a small resident cap: slabs leave DRAM" \
	"The client holds its sessions by reference, unpinned; with resident_max_mb=1 zns_slab evicts clean slabs (their data is in the zone since the sync) until slab memory is under 1 MiB; an evicted slab keeps $(cstat example_session evicted_desc_bytes) B in DRAM."
echo 1 >/sys/module/zns_slab/parameters/resident_max_mb || exit 1
wait_for '[ "$(iostat resident_pages)" -le 256 ]'
cap_line
io_lines_of resident_pages resident_max_mb

step "zslab_get() reads evicted slabs back" \
	"The client gets every session by its ref, checks it and puts it (echo 1 >/sys/module/zslab_example/parameters/check): each evicted slab is read from its zone and CRC-checked, while eviction keeps DRAM under the cap."
mark_dmesg
echo 1 >/sys/module/zslab_example/parameters/check || rc=1
klog zslab_example:
cap_line
io_lines_of reads read_bytes read_latency_mean_ns resident_pages

step "the client unloads" \
	"The cap is lifted; the client gets each session by its ref (evicted ones come back), checks and frees it, and destroys the cache: its data becomes stale, and a zone holding nothing live is reset."
echo 0 >/sys/module/zns_slab/parameters/resident_max_mb || exit 1
mark_dmesg
rmmod zslab_example && klog 'zslab_example: done'
expect_log 'zslab_example: done, 0 sessions found changed'
wait_for '[ "$(iostat resets)" != 0 ]'
busy_zones
io_lines_of resets zones_open

step "a persistent cache" \
	"zslab_example persistent=1 keep=1 creates example_session with ZSLAB_PERSISTENT (a checkpoint records it), allocates $SESSIONS sessions, frees every 4th, and syncs."
mark_dmesg
load /test/zslab_example.ko sessions=$SESSIONS free_every=4 persistent=1 keep=1
echo 1 >/sys/module/zslab_example/parameters/sync || exit 1
klog zslab_example:
echo "persistent: $(cstat example_session persistent)  slabs_written: $(cstat example_session slabs_written)  dirty_slabs: $(cstat example_session dirty_slabs)"

step "the client unloads with keep=1" \
	"zslab_cache_destroy() of a persistent cache writes it back and detaches it: its DRAM is freed, its sessions stay in their zone, and debugfs detached lists it."
mark_dmesg
rmmod zslab_example || exit 1
klog zslab_example:
expect_log 'zslab_example: done, 0 sessions found changed'
cat $DBG/detached

step "zns_slab unloads and loads again" \
	"On the same device: recovery reads the superblock, the newest checkpoint and the segments written after it (debugfs recovery); the cache waits, detached, for its client."
rmmod zns_slab || exit 1
mark_dmesg
load /test/zns_slab.ko device=$ZNS writeback_ms=0
klog 'zns_slab: /dev' | grep -E 'recovered|superblock generation'
cat $DBG/recovery
cat $DBG/detached

step "the client loads again and finds its sessions" \
	"zslab_example persistent=1: zslab_cache_create() re-attaches example_session, and zslab_cache_for_each() walks the recovered sessions (their slabs read back from the zone), checking each one's id and user name."
mark_dmesg
load /test/zslab_example.ko sessions=$SESSIONS free_every=4 persistent=1
klog zslab_example:
expect_log "zslab_example: $((SESSIONS - (SESSIONS + 3) / 4)) sessions recovered, 0 changed"
cap_line

step "the client unloads and erases its data" \
	"Without keep=1 it checks its sessions, detaches the cache and calls zslab_cache_erase(): a checkpoint without it is committed, then its zone is reset: only the reserved zones hold anything, and detached is empty."
r0=$(iostat resets)
mark_dmesg
rmmod zslab_example || exit 1
klog zslab_example:
expect_log 'zslab_example: done, 0 sessions found changed'
wait_for '[ "$(iostat resets)" != "$r0" ]'
busy_zones
cat $DBG/detached
io_lines_of resets zones_open

step "zns_slab unloads" "The device is free again for anyone else."
rmmod zns_slab && echo "zns_slab unloaded"
exit ${rc:-0}
