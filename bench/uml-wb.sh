# shellcheck shell=sh
# Guest side of the UML writeback benchmark (scripts/bench-uml.sh):
#   uml-wb.sh MIB OBJSIZE ORDER ROUNDS
# Each round: load zns_slab (writeback_ms=0) on the zoned null_blk, fill a
# cache with MIB MiB of objects (every slab dirty), time one
# zslab_cache_sync(), destroy the cache, unload. Then the CPU cost of
# encoding as many slabs into segments, no I/O.
mib=$1 objsize=$2 order=$3 rounds=$4
ZNS=/dev/nullb0
DBG=/sys/kernel/debug/zns_slab
WB=/sys/kernel/debug/zslab_wbbench

fail() {
	echo "writeback: FAILED: $*"
	dmesg | grep -E 'zns_slab|zslab' | tail -n 5
	[ -d $WB ] && rmmod zslab_wbbench
	[ -d $DBG ] && rmmod zns_slab
	exit 1
}
# wbc CMD...: run a zslab_wbbench command; prints "RET VALUE...".
wbc() {
	if echo "$*" >$WB/cmd; then sed 's/^[a-z]*: //' $WB/result; else echo "cmd-refused"; fi
}
cstat() { sed -n "s/^$1: //p" $DBG/cache/zslab_wb; }
iostat() { sed -n "s/^$1: //p" $DBG/io; }
load() {
	ans=$(ztool load /test/zns_slab.ko device=$ZNS writeback_ms=0)
	[ "$ans" = "load: ok" ] || fail "zns_slab.ko did not load: $ans"
	ans=$(ztool load /test/zslab_wbbench.ko)
	[ "$ans" = "load: ok" ] || fail "zslab_wbbench.ko did not load: $ans"
}
unload() { rmmod zslab_wbbench && rmmod zns_slab || fail "unload"; }

: >/tmp/wb
for r in $(seq 1 "$rounds"); do
	load
	set -- $(wbc fill "$mib" "$objsize" "$order")
	[ "$1" = 0 ] || fail "fill: $1"
	dirty=$(cstat dirty_slabs)
	set -- $(wbc sync)
	[ "$1" = 0 ] || fail "zslab_cache_sync() returned $1"
	w=$(cstat slabs_written)
	[ "$w" = "$dirty" ] || fail "sync wrote $w images for $dirty dirty slabs"
	[ "$(cstat write_errors)" = 0 ] && [ "$(iostat errors)" = 0 ] || fail "write errors"
	echo "$2 $w $(cstat slab_size) $(cstat device_bytes) $(cstat stride) $(cstat objs_per_slab)" >>/tmp/wb
	set -- $(wbc destroy)
	[ "$1" = 0 ] || fail "destroy: $1"
	unload
done
set -- $(head -n 1 /tmp/wb)
images=$2 slab=$3 dev_bytes=$4 stride=$5 nr=$6
lbs=$(cat /sys/block/${ZNS#/dev/}/queue/logical_block_size)

load
set -- $(wbc encode "$images" "$slab" "$objsize" "$stride" "$nr" "$lbs")
[ "$1" = 0 ] || fail "encode: $1"
enc_ns=$2 crc_ns=$3
unload

echo "# writeback: $ZNS (null_blk, memory-backed), zones 64 MiB (capacity 62 MiB), $lbs B blocks;" \
	"cache of $objsize B objects in $slab B slabs, $mib MiB of objects = $images dirty slabs," \
	"$dev_bytes B of segments per sync; $rounds rounds, writeback_ms=0, timed around zslab_cache_sync()"
awk -v enc="$enc_ns" -v crc="$crc_ns" -v n="$images" -v slab="$slab" 'BEGIN { kib = n * slab / 1024
	printf "writeback: encode: %.1f ns per KiB of slab data (crc32c() alone over the data: %.1f ns per KiB)\n",
		enc / kib, crc / kib }'
awk '{ print $2 * $3 / $1 * 1000 }' /tmp/wb | sort -n | awk '{ v[NR] = $1 }
	END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "writeback: sync: %.1f MB/s of slab data to null_blk, best of %d (median %.1f)\n", v[NR], NR, m }'
echo "writeback: done"
