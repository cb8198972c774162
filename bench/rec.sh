# shellcheck shell=sh
# Guest side of make bench's recovery case (scripts/bench.sh; busybox sh,
# awk for arithmetic), one boot on a ZNS namespace of its own geometry:
#   rec.sh OBJSIZE FILL_PCT CACHES SYNC_SLABS ROUNDS CHECKPOINT_MB DD_BS_KIB CRASH_MIB CRASH_CKPT_MB CRASH_WB_MS
#
#   fill      zns_slab loaded with writeback_ms=0 checkpoint_mb=CHECKPOINT_MB;
#             bench/zslab_recbench.ko creates CACHES persistent caches of
#             OBJSIZE-byte objects (4 KiB slabs) and allocates objects, round
#             robin over them, until they hold FILL_PCT % of the data zones'
#             capacity (live data: objects x OBJSIZE), a sync of every cache
#             every SYNC_SLABS slabs' worth; then detaches them
#             (zslab_cache_destroy(): synced, detached, a checkpoint) and
#             both modules unload (a clean unload: another checkpoint).
#   rounds    ROUNDS times: load zns_slab (recovery runs at load; debugfs
#             recovery and the block device's read counter before and after
#             the load give what it read), then, in the first round only,
#             re-attach the caches and check every object (present once,
#             intact); then read the whole zoned namespace sequentially with
#             dd iflag=direct bs=DD_BS_KIB KiB (every zone from its start to
#             its zone size, written or not), timed with ktime_get_ns()
#             (bench/zslab_recbench.ko's clock, read by the shell builtin
#             "read" before and after: dd's fork and exec are in the time);
#             unload. zns_slab stays loaded (idle: no cache attached,
#             writeback_ms=0) while dd runs.
#   crash     (CRASH_MIB > 0; the host runs vm.sh --reset-on-marker) the
#             last CRASH_MIB MiB of the fill are written with checkpoint_mb
#             set to CRASH_CKPT_MB and writeback_ms to CRASH_WB_MS (the
#             periodic checkpoint is taken by the background writeback
#             worker only: with writeback_ms=0 there is none), a sync of
#             every cache every SYNC_SLABS slabs' worth as before, with a
#             pause of three writeback intervals between syncs (the worker
#             needs the writeback mutex: back-to-back syncs starve it);
#             then, right after the last sync, the guest
#             prints the reset marker and waits: the host resets it, with
#             no detach, no unload, no checkpoint after those writes. The
#             guest boots again and this script runs again: it finds the
#             zones written and measures that reload as a round (recovery,
#             the check, dd), unloads cleanly and goes on with the rounds.
#   erase     the caches erased, every zone reset.
# Prints "recovery: ..." lines, and "recovery-data: KEY=VALUE ..." lines the
# host turns into the table.
objsize=$1 fill=$2 caches=$3 sync_slabs=$4 rounds=$5 ckpt_mb=$6 dd_kib=$7 crash_mib=${8:-0} crash_ckpt_mb=${9:-4}
crash_wb_ms=${10:-100}
ZNS=${ZNS:?}
DBG=/sys/kernel/debug/zns_slab
RB=/sys/kernel/debug/zslab_recbench
PARM=/sys/module/zns_slab/parameters
BLK=/sys/block/${ZNS#/dev/}
R=/tmp/rec
mkdir -p $R

cleanup() {
	if [ -d $RB ]; then echo detach >$RB/cmd; rmmod zslab_recbench; fi
	if [ -d $DBG ]; then rmmod zns_slab; fi
}
fail() {
	echo "recovery: FAILED: $*"
	[ -f $DBG/recovery ] && echo "# debugfs recovery: $(tr '\n' ' ' <$DBG/recovery)"
	dmesg | grep -E 'zns_slab|zslab' | tail -n 8
	cleanup
	exit 1
}
# recc CMD...: run a zslab_recbench command; prints "RET NS".
recc() {
	if echo "$*" >$RB/cmd; then sed 's/^[a-z]*: //' $RB/result; else echo "cmd-refused"; fi
}
rb() { cat $RB/$1; }
field() { sed -n "s/^$2: //p" $1; }
require() {	# require FILE FIELD...
	f=$1
	shift
	for n in "$@"; do
		grep -q "^$n: " $f || fail "no field $n in ${f#/sys/kernel/debug/} (has: $(sed 's/:.*//' $f | tr '\n' ' '))"
	done
}
devstat() { field $DBG/device $1; }
iostat() { field $DBG/io $1; }
calc() { awk "BEGIN { $* }"; }
# Sectors (512 B) the block device has read so far (field 3 of its stat).
sectors_read() { awk '{ print $3 }' $BLK/stat; }
busy_zones() {
	nvme zns report-zones $ZNS | awk '/SLBA:/ {
		for (i = 1; i < NF; i++) if ($i == "State:" && $(i + 1) != "0x10") n++ }
		END { print n + 0 }'
}
# Bytes written in the zones (full: capacity; else write pointer - start).
written_bytes() {
	_lbs=$1 n=0
	for z in $(nvme zns report-zones $ZNS | awk '/SLBA:/ { print $2 ":" $4 ":" $6 ":" $8 }'); do
		set -- $(echo $z | tr ':' ' ')
		case $4 in
		0x10) ;;
		0xe0) n=$((n + $(printf '%d' $3))) ;;
		*) n=$((n + $(printf '%d' $2) - $(printf '%d' $1))) ;;
		esac
	done
	echo $((n * _lbs))
}
reset_zones() {
	nvme zns reset-zone $ZNS -a >/dev/null || fail "nvme zns reset-zone -a failed"
	[ "$(busy_zones)" = 0 ] || fail "zones not empty after nvme zns reset-zone -a"
}
load() {
	ans=$(ztool load /test/zns_slab.ko device=$ZNS writeback_ms=0 checkpoint_mb=$ckpt_mb)
	[ "$ans" = "load: ok" ] || fail "zns_slab.ko did not load: $ans"
	ans=$(ztool load /test/zslab_recbench.ko)
	[ "$ans" = "load: ok" ] || fail "zslab_recbench.ko did not load: $ans"
}
unload() {
	rmmod zslab_recbench || fail "rmmod zslab_recbench"
	rmmod zns_slab || fail "rmmod zns_slab"
}

# geometry: what the fill makes, from the loaded module's debugfs.
geometry() {
	require $DBG/io first_data_zone device_bytes client_bytes errors
	require $DBG/device nr_zones zone_size_bytes zone_capacity_bytes logical_block_size
	require $DBG/recovery checkpoint_seq checkpoint_zone checkpoint_bytes bytes_read time_us \
		segments_scanned zones_scanned caches_recovered slabs_recovered objects_recovered \
		rejected_crc rejected_identity rejected_bounds torn_segments zones_reclaimed
	slab=4096
	ops=$((slab / objsize))
	nr_zones=$(devstat nr_zones) zone_size=$(devstat zone_size_bytes) zone_cap=$(devstat zone_capacity_bytes)
	lbs=$(devstat logical_block_size) fdz=$(iostat first_data_zone)
	data_zones=$((nr_zones - fdz))
	cap_bytes=$((data_zones * zone_cap))
	live_slabs=$((cap_bytes / slab * fill / 100))
	objs=$((live_slabs * ops))
	live=$((objs * objsize))
	batch=$((sync_slabs * ops))
	dd_bs=$((dd_kib * 1024))
	[ $((zone_size % dd_bs)) = 0 ] || fail "dd block size $dd_bs does not divide the zone size $zone_size"
	dd_count=$((nr_zones * zone_size / dd_bs))
	crash_objs=$((crash_mib * 1048576 / objsize))
}
# recovery_fields: debugfs recovery as KEY=VALUE pairs.
recovery_fields() {
	_l=
	for f in checkpoint_seq checkpoint_zone checkpoint_bytes bytes_read time_us segments_scanned zones_scanned \
		caches_recovered slabs_recovered objects_recovered rejected_crc rejected_identity rejected_bounds \
		torn_segments zones_reclaimed; do
		_l="$_l $f=$(field $DBG/recovery $f)"
	done
	echo $_l
}
# reload CKPT_MB: load zns_slab (recovery runs), then zslab_recbench; sets
# $line to what recovery reports and the block device read meanwhile.
reload() {
	s0=$(sectors_read)
	ans=$(ztool load /test/zns_slab.ko device=$ZNS writeback_ms=0 checkpoint_mb=$1)
	[ "$ans" = "load: ok" ] || fail "zns_slab.ko did not reload: $ans"
	s1=$(sectors_read)
	line="load_dev_read=$(((s1 - s0) * 512)) $(recovery_fields)"
	ans=$(ztool load /test/zslab_recbench.ko)
	[ "$ans" = "load: ok" ] || fail "zslab_recbench.ko did not load: $ans"
}
# check N: re-attach the caches and find objects 0..N-1, once each, intact.
check() {
	set -- $(recc attach $caches $objsize 0) $1
	[ "$1" = 0 ] || fail "re-attach $caches caches: $1"
	n=$3
	set -- $(recc check $n)
	[ "$1" = 0 ] || fail "check after recovery: $1: seen $(rb seen) of $n, duplicates $(rb dups)," \
		"bad head $(rb bad_head), bad pattern $(rb bad_pattern), out of range $(rb out_of_range)"
	echo "# recovery: after the reload every one of the $n objects was found once, intact" \
		"(zslab_cache_for_each over the re-attached caches, $(calc "printf \"%.1f\", $2 / 1e9") s: read back)"
	set -- $(recc detach)
	[ "$1" = 0 ] || fail "detach: $1"
}
# timed_dd: the whole namespace, sequentially; sets $dd_ns.
timed_dd() {
	read t0 <$RB/clock
	dd if=$ZNS of=/dev/null bs=$dd_bs count=$dd_count iflag=direct 2>$R/dd.err
	ddrc=$?
	read t1 <$RB/clock
	[ $ddrc = 0 ] && grep -q "^$dd_count+0 records in" $R/dd.err ||
		fail "dd: $ddrc $(tr '\n' ' ' <$R/dd.err)"
	dd_ns=$((t1 - t0))
}
finish() {
	load
	set -- $(recc erase $caches)
	[ "$1" = 0 ] || fail "erase: $1"
	unload
	reset_zones
	echo "recovery: done"
	exit 0
}

# rounds: ROUNDS reloads after a clean unload, the first with the check.
rounds() {
	for r in $(seq 1 $rounds); do
		reload $ckpt_mb
		[ $r = 1 ] && check $objs
		timed_dd
		echo "recovery-data: round r=$r $line dd_bytes=$((dd_count * dd_bs)) dd_ns=$dd_ns"
		[ "$(iostat errors)" = 0 ] || fail "io errors $(iostat errors)"
		unload
	done
}

# --- the second boot of the crash case: the reload after the reset ---
if [ "$crash_mib" -gt 0 ] && [ "$(busy_zones)" != 0 ]; then
	reload $ckpt_mb
	geometry
	check $objs
	timed_dd
	echo "recovery-data: crash $line dd_bytes=$((dd_count * dd_bs)) dd_ns=$dd_ns"
	[ "$(iostat errors)" = 0 ] || fail "io errors $(iostat errors)"
	unload
	rounds
	finish
fi

[ "$(busy_zones)" = 0 ] || reset_zones
load
geometry
[ $crash_objs -lt $objs ] || fail "BENCH_REC_CRASH_MIB: more than the fill"
echo "recovery-data: geo nr_zones=$nr_zones first_data_zone=$fdz data_zones=$data_zones zone_size=$zone_size" \
	"zone_cap=$zone_cap lbs=$lbs slab=$slab objsize=$objsize ops=$ops fill=$fill caches=$caches" \
	"objs=$objs live=$live sync_slabs=$sync_slabs checkpoint_mb=$ckpt_mb dd_bs=$dd_bs dd_count=$dd_count" \
	"crash_objs=$crash_objs"
echo "# recovery: $ZNS: $nr_zones zones of $((zone_size >> 20)) MiB (capacity $((zone_cap >> 20)) MiB)," \
	"zones 0-$((fdz - 1)) reserved: $data_zones data zones, $((cap_bytes >> 20)) MiB; $caches persistent caches" \
	"of $objsize B objects in $slab B slabs; fill $fill % = $live_slabs slabs, $objs objects, $live B live"

# --- fill ---
set -- $(recc fill $caches $((objs - crash_objs)) $objsize $batch)
[ "$1" = 0 ] || fail "fill $caches $objs $objsize $batch: $1 ($(rb sync_errors) of $(rb syncs) syncs failed, $(rb allocated) allocated)"
fill_ns=$2
if [ "$crash_mib" -gt 0 ]; then
	# The last CRASH_MIB of the fill with checkpoint_mb=CRASH_CKPT_MB, then
	# a hard reset: no detach, no unload, no checkpoint after them.
	echo $crash_ckpt_mb >$PARM/checkpoint_mb || fail "checkpoint_mb=$crash_ckpt_mb refused"
	echo $crash_wb_ms >$PARM/writeback_ms || fail "writeback_ms=$crash_wb_ms refused"
	ck0=$(field $DBG/superblock checkpoint_seq) d0=$(iostat device_bytes)
	# A sync at a time, with three writeback intervals between them: the
	# worker, which takes the periodic checkpoint, needs the writeback
	# mutex that back-to-back syncs would keep from it.
	pause=$(calc "print 3 * $crash_wb_ms / 1000")
	left=$crash_objs
	while [ $left -gt 0 ]; do
		n=$batch
		[ $n -le $left ] || n=$left
		set -- $(recc update $n $batch)
		[ "$1" = 0 ] || fail "update $n $batch: $1 ($(rb sync_errors) of $(rb syncs) syncs failed)"
		fill_ns=$((fill_ns + $2))
		left=$((left - n))
		[ $left = 0 ] || sleep $pause
	done
	ck1=$(field $DBG/superblock checkpoint_seq) d1=$(iostat device_bytes)
	[ "$(iostat errors)" = 0 ] || fail "io errors $(iostat errors)"
	echo "recovery-data: fill ns=$fill_ns client=$(iostat client_bytes) device=$(iostat device_bytes)" \
		"written=$(written_bytes $lbs) busy_zones=$(busy_zones)"
	echo "recovery-data: crash_writes objs=$crash_objs device=$((d1 - d0)) checkpoints=$((ck1 - ck0))" \
		"checkpoint_mb=$crash_ckpt_mb writeback_ms=$crash_wb_ms"
	echo "# recovery: filled $objs objects in $(calc "printf \"%.1f\", $fill_ns / 1e9") s, the last" \
		"$crash_objs ($crash_mib MiB) with checkpoint_mb=$crash_ckpt_mb writeback_ms=$crash_wb_ms: $((d1 - d0)) device bytes," \
		"$((ck1 - ck0)) checkpoints; now a hard reset (no detach, no unload)"
	echo ZSLAB-RESET-ARM
	sleep 600
	fail "no reset came"
fi
set -- $(recc detach)
[ "$1" = 0 ] || fail "detach: $1"
[ "$(iostat errors)" = 0 ] || fail "io errors $(iostat errors)"
client=$(iostat client_bytes) device=$(iostat device_bytes)
unload
written=$(written_bytes $lbs)
echo "recovery-data: fill ns=$fill_ns client=$client device=$device written=$written busy_zones=$(busy_zones)"
echo "# recovery: filled $objs objects in $(calc "printf \"%.1f\", $fill_ns / 1e9") s; device bytes $device" \
	"(client $client); zones hold $written B after the clean unload"
rounds
finish
