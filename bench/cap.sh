# shellcheck shell=sh
# Guest side of make bench's capacity case (scripts/bench.sh; busybox sh,
# awk for arithmetic), one boot on a ZNS namespace of its own geometry:
#   cap.sh OBJSIZE FILL_PCT WARM PASSES SYNC_SLABS GETS RESIDENT_MB READBACKS WA_RESIDENT_MB FIFO_FILL_PCT
#
#   fifo      objects die in allocation order: a ring of FIFO_FILL_PCT % of the
#             data zones' capacity, each round allocates SYNC_SLABS slabs'
#             worth of objects, syncs, frees the oldest; WARM passes over
#             the device's capacity first, then PASSES measured.
#   random    FILL_PCT % filled, then uniform random updates (get, modify,
#             mark_dirty, put; a sync every SYNC_SLABS updates): WARM
#             passes' worth of slab writes, then PASSES measured
#             (resident_max_mb=WA_RESIDENT_MB while they run).
#   get       GETS timed gets of random objects, all resident; then
#             resident_max_mb=RESIDENT_MB, and GETS more, each classified
#             by a GFP_NOWAIT get first (resident or evicted).
#   readback  READBACKS gets of objects of different slabs, timed as a
#             whole (read-back MB/s); after unload fio reads as many 4 KiB
#             blocks at random (psync, one at a time) from zones it wrote.
# Prints "capacity: ..." lines, and "capacity-data: KEY=VALUE ..." lines the
# host turns into the table (with the greedy simulation beside them).
objsize=$1 fill=$2 warm=$3 passes=$4 sync_slabs=$5 gets=$6 res_mb=$7 readbacks=$8 wa_res_mb=$9
fifo_fill=${10:-$2}
ZNS=${ZNS:?}
DBG=/sys/kernel/debug/zns_slab
CB=/sys/kernel/debug/zslab_capbench
PARM=/sys/module/zns_slab/parameters
Q=/sys/block/${ZNS#/dev/}/queue
R=/tmp/cap
mkdir -p $R

cleanup() {
	if [ -d $CB ]; then echo destroy >$CB/cmd; rmmod zslab_capbench; fi
	if [ -d $DBG ]; then rmmod zns_slab; fi
}
diag() {
	if [ -d $DBG ]; then
		echo "# zns_slab's zones and io counters at the failure:"
		cat $DBG/zones
		grep -E '^(free_zones|reloc_zone|zones_open|zone_budget|client_bytes|device_bytes|write_amplification|reclaimed_zones|relocated_bytes|resets|errors|resident_pages):' $DBG/io | tr '\n' ' '
		echo
	fi
}
fail() {
	echo "capacity: FAILED: $*"
	diag
	dmesg | grep -E 'zns_slab|zslab' | tail -n 8
	cleanup
	exit 1
}
# capc CMD...: run a zslab_capbench command; prints "RET NS".
capc() {
	if echo "$*" >$CB/cmd; then sed 's/^[a-z]*: //' $CB/result; else echo "cmd-refused"; fi
}
cb() { cat $CB/$1; }
# Fields read from zns_slab's debugfs (require() checks up front that each is
# there: a missing one is reported, never guessed).
field() { sed -n "s/^$2: //p" $1; }
require() {	# require FILE FIELD...
	f=$1
	shift
	for n in "$@"; do
		grep -q "^$n: " $f || fail "no field $n in ${f#/sys/kernel/debug/} (has: $(sed 's/:.*//' $f | tr '\n' ' '))"
	done
}
cstat() { field $DBG/cache/zslab_cap $1; }
iostat() { field $DBG/io $1; }
devstat() { field $DBG/device $1; }
calc() { awk "BEGIN { $* }"; }
busy_zones() {
	nvme zns report-zones $ZNS | awk -v from=${1:-0} '/SLBA:/ {
		z++; if (z <= from) next
		for (i = 1; i < NF; i++) if ($i == "State:" && $(i + 1) != "0x10") n++ }
		END { print n + 0 }'
}
reset_zones() {
	nvme zns reset-zone $ZNS -a >/dev/null || fail "nvme zns reset-zone -a failed"
	[ "$(busy_zones)" = 0 ] || fail "zones not empty after nvme zns reset-zone -a"
}
load() {
	ans=$(ztool load /test/zns_slab.ko device=$ZNS writeback_ms=0 "$@")
	[ "$ans" = "load: ok" ] || fail "zns_slab.ko $* did not load: $ans"
	ans=$(ztool load /test/zslab_capbench.ko)
	[ "$ans" = "load: ok" ] || fail "zslab_capbench.ko did not load: $ans"
}
unload() {
	set -- $(capc destroy)
	[ "$1" = 0 ] || fail "destroy: $1"
	fdz=$(iostat first_data_zone)
	rmmod zslab_capbench || fail "rmmod zslab_capbench"
	rmmod zns_slab || fail "rmmod zns_slab"
	n=$(busy_zones $fdz)
	[ "$n" = 0 ] || fail "$n data zones not empty after zns_slab unloaded (nvme zns report-zones)"
}
# io counters the capacity tier adds (issue 12); each must be there.
IOF="client_bytes device_bytes reclaimed_zones relocated_bytes reads read_bytes resets"
snap() {	# snap NAME: io counters into $R/NAME
	: >$R/$1
	for f in $IOF; do echo "$f=$(iostat $f)" >>$R/$1; done
}
delta() {	# delta A B FIELD
	a=$(sed -n "s/^$3=//p" $R/$1) b=$(sed -n "s/^$3=//p" $R/$2)
	echo $((b - a))
}
check_errors() {
	[ "$(cb mismatches)" = 0 ] || fail "$1: $(cb mismatches) objects read back with the wrong index or version"
	[ "$(cb get_nulls)" = 0 ] || fail "$1: zslab_get(GFP_KERNEL) returned NULL $(cb get_nulls) times"
	[ "$(iostat errors)" = 0 ] || fail "$1: io errors $(iostat errors)"
}

[ "$(busy_zones)" = 0 ] || reset_zones

# --- geometry (what the simulation gets too) ---
load
require $DBG/io first_data_zone
require $DBG/device nr_zones zone_size_bytes zone_capacity_bytes logical_block_size
slab=4096
ops=$((slab / objsize))
nr_zones=$(devstat nr_zones) zone_size=$(devstat zone_size_bytes) zone_cap=$(devstat zone_capacity_bytes)
lbs=$(devstat logical_block_size) fdz=$(iostat first_data_zone)
data_zones=$((nr_zones - fdz))
cap_bytes=$((data_zones * zone_cap))
live_slabs=$((cap_bytes / slab * fill / 100))
live=$((live_slabs * ops))
flive=$((cap_bytes / slab * fifo_fill / 100 * ops))
pass_slabs=$((cap_bytes / slab))	# slab writes per pass over the data zones' capacity
batch=$((sync_slabs * ops))
set -- $(capc size $objsize)
[ "$1" = 0 ] || fail "size $objsize: $1"
set -- $(capc fifo $flive $batch 0)
[ "$1" = 0 ] || fail "fifo $flive $batch 0: $1"
[ "$(cstat objs_per_slab)" = $ops ] && [ "$(cstat slab_size)" = $slab ] ||
	fail "cache geometry: $(cstat objs_per_slab) objects per $(cstat slab_size) B slab, expected $ops per $slab"
require $DBG/io first_data_zone errors write_amplification read_latency_mean_ns read_latency_max_ns $IOF
require $DBG/device nr_zones zone_size_bytes zone_capacity_bytes logical_block_size
require $DBG/cache/zslab_cap objs_per_slab slab_size segment_summary_bytes resident_slabs evicted_slabs \
	pinned_objs evictions readbacks readback_bytes readback_errors get_nowait_misses evicted_desc_bytes
[ -w $PARM/resident_max_mb ] || fail "no writable module parameter resident_max_mb"
summary=$(cstat segment_summary_bytes)
# zns_slab's full append bio (writeback.c): the largest power of two up to
# 256 KiB and the zone-append limit, one summary, as many slabs as fit.
per_seg=$(calc "a = $(cat $Q/zone_append_max_bytes); if (a > 262144) a = 262144;
	b = 1; while (b * 2 <= a) b *= 2; print int((b - $summary) / $slab)")
echo "capacity-data: geo nr_zones=$nr_zones first_data_zone=$fdz data_zones=$data_zones zone_size=$zone_size" \
	"zone_cap=$zone_cap lbs=$lbs slab=$slab summary=$summary per_seg=$per_seg objsize=$objsize ops=$ops" \
	"fill=$fill fifo_fill=$fifo_fill live_slabs=$live_slabs pass_slabs=$pass_slabs sync_slabs=$sync_slabs warm=$warm passes=$passes"
echo "# capacity: $ZNS: $nr_zones zones of $((zone_size >> 20)) MiB (capacity $((zone_cap >> 20)) MiB)," \
	"zones 0-$((fdz - 1)) reserved: $data_zones data zones, $((cap_bytes >> 20)) MiB; $objsize B objects" \
	"in $slab B slabs; fill $fill % = $live_slabs slabs ($live objects); a pass = $pass_slabs slab writes"

# --- FIFO: objects die in allocation order ---
fill_rounds=$(((flive + batch - 1) / batch))
pass_rounds=$(((pass_slabs + sync_slabs - 1) / sync_slabs))
t0=$(date +%s)
# A case that fails (a sync's error) is reported with what it measured up
# to then, and the next case runs; the exit status says it failed.
rc=0
err=
set -- $(capc fifo $flive $batch $((fill_rounds + warm * pass_rounds)))
[ "$1" = 0 ] || err="warm-up: $1"
snap f0
done_p=0
for p in $(seq 1 $passes); do
	[ -z "$err" ] || break
	set -- $(capc fifo $flive $batch $pass_rounds)
	[ "$1" = 0 ] && done_p=$p || err="pass $p: $1"
done
snap f1
if [ -n "$err" ]; then
	echo "capacity: FAILED: fifo $err ($(cb sync_errors) of $(cb syncs) syncs failed; $done_p of $passes passes done)"
	diag
	rc=1
fi
c=$(delta f0 f1 client_bytes) d=$(delta f0 f1 device_bytes)
echo "capacity-data: fifo client=$c device=$d reclaimed=$(delta f0 f1 reclaimed_zones)" \
	"relocated=$(delta f0 f1 relocated_bytes) resets=$(delta f0 f1 resets) reads=$(delta f0 f1 reads)" \
	"wa_debugfs=$(iostat write_amplification) secs=$(($(date +%s) - t0)) failed=${err:+1}"
check_errors fifo
unload

# --- random updates at FILL_PCT % ---
load resident_max_mb=$wa_res_mb
t0=$(date +%s)
set -- $(capc fill $live $objsize $batch)
[ "$1" = 0 ] || fail "fill $live $objsize: $1 ($(cb sync_errors) of $(cb syncs) syncs failed)"
echo "# capacity: random: filled $live objects in $(calc "printf \"%.1f\", $2 / 1e9") s"
# Warm-up in chunks of a quarter pass (each command runs under one write()).
chunk=$((pass_slabs / 4))
err=
for i in $(seq 1 $((warm * 4))); do
	[ -z "$err" ] || break
	set -- $(capc update $chunk $sync_slabs)
	[ "$1" = 0 ] || err="warm-up: $1"
done
snap r0
free=
done_q=0
for i in $(seq 1 $((passes * 4))); do
	[ -z "$err" ] || break
	set -- $(capc update $chunk $sync_slabs)
	[ "$1" = 0 ] && done_q=$i || err="quarter pass $i: $1"
	free="$free $(field $DBG/io free_zones)"
done
snap r1
if [ -n "$err" ]; then
	echo "capacity: FAILED: random updates $err ($(cb sync_errors) of $(cb syncs) syncs failed;" \
		"$done_q of $((passes * 4)) quarter passes done)"
	diag
	rc=1
fi
echo "# capacity: random: free data zones after each quarter pass:$free; at the end the cache's" \
	"open_zone $(cstat open_zone), io reloc_zone $(field $DBG/io reloc_zone), zones_open $(field $DBG/io zones_open)"
# The data zones at the end: zone:use:live % of capacity:owner (cache id; relocation's is its own).
echo "# capacity: random: data zones at the end: $(awk -v from=$fdz '!/^#/ && $1 >= from {
	printf "%s:%s:%.0f%%:%s ", $1, $8, $9 / ($4 * 512) * 100, $12 }' $DBG/zones)"
check_errors random
c=$(delta r0 r1 client_bytes) d=$(delta r0 r1 device_bytes)
echo "capacity-data: random updates=$((done_q * chunk)) failed=${err:+1} client=$c device=$d" \
	"reclaimed=$(delta r0 r1 reclaimed_zones) relocated=$(delta r0 r1 relocated_bytes)" \
	"resets=$(delta r0 r1 resets) reads=$(delta r0 r1 reads) read_bytes=$(delta r0 r1 read_bytes)" \
	"wa_debugfs=$(iostat write_amplification) secs=$(($(date +%s) - t0))"

# --- zslab_get: resident, then evicted ---
echo 0 >$PARM/resident_max_mb || fail "resident_max_mb not writable"
# Evicted slabs stay evicted until read: bring every slab back first.
if [ "$(cstat evicted_slabs)" != 0 ]; then
	set -- $(capc readback $live_slabs $ops)
	[ "$1" = 0 ] || fail "readback of every slab: $1"
	check_errors "readback of every slab"
fi
rb0=$(cstat readbacks)
set -- $(capc gets $gets 0)
[ "$1" = 0 ] || fail "gets: $1"
check_errors "resident gets"
echo "capacity-data: get_resident n=$(cb hit) ns=$(cb hit_ns) max=$(cb hit_max_ns) ktime=$(cb ktime_ns)" \
	"readbacks=$(($(cstat readbacks) - rb0)) resident_slabs=$(cstat resident_slabs)"
echo $res_mb >$PARM/resident_max_mb || fail "resident_max_mb=$res_mb refused"
# Eviction may run in the background: wait (up to 60 s) for the cap.
want=$((res_mb * 1048576 / slab))
for i in $(seq 1 120); do
	[ "$(cstat resident_slabs)" -le $((want + want / 10 + 64)) ] && break
	sleep 0.5
done
res_after=$(cstat resident_slabs) ev_after=$(cstat evicted_slabs)
rb0=$(cstat readbacks) nw0=$(cstat get_nowait_misses)
set -- $(capc gets $gets 1)
[ "$1" = 0 ] || fail "gets under resident_max_mb=$res_mb: $1"
check_errors "gets under the cap"
echo "capacity-data: get_capped res_mb=$res_mb resident_slabs=$res_after evicted_slabs=$ev_after" \
	"hit=$(cb hit) hit_ns=$(cb hit_ns) hit_max=$(cb hit_max_ns) miss=$(cb miss) miss_ns=$(cb miss_ns)" \
	"miss_max=$(cb miss_max_ns) readbacks=$(($(cstat readbacks) - rb0))" \
	"nowait_misses=$(($(cstat get_nowait_misses) - nw0)) evicted_desc_bytes=$(cstat evicted_desc_bytes)"

# --- read-back throughput ---
rb0=$(cstat readbacks) rbb0=$(cstat readback_bytes)
snap b0
set -- $(capc readback $readbacks $ops)
[ "$1" = 0 ] || fail "readback $readbacks $ops: $1"
ns=$2
snap b1
check_errors readback
echo "capacity-data: readback gets=$readbacks ns=$ns readbacks=$(($(cstat readbacks) - rb0))" \
	"readback_bytes=$(($(cstat readback_bytes) - rbb0)) reads=$(delta b0 b1 reads)" \
	"read_bytes=$(delta b0 b1 read_bytes) read_lat_mean=$(iostat read_latency_mean_ns)" \
	"read_lat_max=$(iostat read_latency_max_ns) errors=$(cstat readback_errors)"
echo 0 >$PARM/resident_max_mb
unload

# --- fio: 4 KiB random reads, one at a time, from zones it wrote ---
fz=$(((readbacks * slab + zone_cap - 1) / zone_cap + 1))
[ $fz -le $data_zones ] || fz=$data_zones
off=$((fdz * zone_size)) size=$((fz * zone_size))
fio --name=cap_fill --filename=$ZNS --direct=1 --zonemode=zbd --rw=write --bs=131072 \
	--ioengine=libaio --iodepth=16 --offset=$off --size=$size --end_fsync=1 \
	--output-format=terse --terse-version=3 >$R/fio-w.out 2>$R/fio.err ||
	fail "fio write: $(tail -n 3 $R/fio.err | tr '\n' ' ')"
fio --name=cap_read --filename=$ZNS --direct=1 --zonemode=zbd --rw=randread --bs=$slab \
	--ioengine=psync --iodepth=1 --offset=$off --size=$size --io_size=$((readbacks * slab)) \
	--output-format=terse --terse-version=3 >$R/fio.out 2>$R/fio.err ||
	fail "fio randread: $(tail -n 3 $R/fio.err | tr '\n' ' ')"
# terse v3: 5 error, 6 read KiB, 9 read runtime ms, 40 read lat mean us
set -- $(awk -F';' '$3 == "cap_read" && $5 == 0 { print $6 * 1024, $9, $40 }' $R/fio.out)
[ -n "$1" ] || fail "fio output: $(head -c 300 $R/fio.out)"
echo "capacity-data: fio bytes=$1 ms=$2 lat_us=$3 zones=$fz version=$(fio --version)"
reset_zones
echo "capacity: done"
exit $rc
