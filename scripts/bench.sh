#!/usr/bin/env bash
# make bench: set up and run the benchmarks twice over: first in User-Mode
# Linux (scripts/bench-uml.sh: native instructions, 1 CPU, a zoned null_blk),
# then in QEMU: build zns_slab.ko, bench/zslab_bench.ko and
# bench/zslab_wbbench.ko for the stock Debian kernel, boot it in QEMU under
# TCG (2 CPUs) with the emulated ZNS namespace and run, in that one boot:
#
#   alloc      the zslab-vs-SLUB allocation benchmark; prints its table.
#              zns_slab is loaded with writeback_ms=0, so no background
#              pass competes with the timed loops for the 2 CPUs.
#   writeback  MB/s of slab data (and of device bytes) zslab_cache_sync()
#              writes against fio writing the same zones of the same device
#              sequentially with the same request size, plain and with
#              --verify=crc32c (CPU work like ours); prints them, the ratios
#              and device bytes per slab data byte.
#              Rounds alternate which side goes first; each round: load
#              zns_slab (writeback_ms=0), fill a cache with BENCH_WB_MIB MiB
#              of objects (every slab dirty), time one sync ("fresh": slabs
#              to empty zones, the figure compared with fio), mark every
#              object dirty and time another ("rewrite": every slab's data
#              superseded, zones reset as they go stale), destroy the cache
#              and unload (its zones are reset: nvme-cli must see them empty);
#              then fio --zonemode=zbd writes as many bytes (the first
#              fresh sync's device bytes, rounded up to whole requests) from the same
#              first data zone, in requests the size of zns_slab's full
#              append bios, ending with an fsync as the sync ends with a
#              flush; the zones are reset again. Last, the CPU cost of
#              encoding as many slabs (no I/O) is timed, for comparison.
#   capacity   zns_slab as a capacity tier, in a boot of its own on a ZNS
#              namespace of BENCH_CAP_ZONES zones (bench/cap.sh drives
#              bench/zslab_capbench.ko): write amplification (debugfs io
#              device_bytes / client_bytes over the measured passes) when
#              objects die in allocation order (FIFO) and under uniform
#              random updates at BENCH_CAP_FILL % of the data zones'
#              capacity, the latter beside bench/greedy_sim.c (greedy
#              cleaning simulated on the same zones, fill, slab and segment
#              sizes: built with the host's cc and run here); zslab_get()
#              time for resident objects and, under a small
#              resident_max_mb, for evicted ones; read-back MB/s against fio
#              reading 4 KiB blocks at random one at a time (psync) from
#              zones it wrote after zns_slab unloaded. Then a table with the
#              issue's targets beside the figures.
#   recovery   persistent caches recovered at load (issue 13), in a boot of
#              its own on a ZNS namespace of BENCH_REC_ZONES zones (bench/rec.sh
#              drives bench/zslab_recbench.ko): BENCH_REC_CACHES persistent
#              caches of BENCH_REC_OBJSIZE B objects filled until the data
#              zones hold BENCH_REC_FILL % of their capacity in live objects,
#              synced, detached, zns_slab unloaded cleanly (a checkpoint);
#              then BENCH_REC_ROUNDS reloads, each giving debugfs recovery's
#              bytes_read and time_us, each followed by dd iflag=direct
#              reading the whole zoned namespace sequentially (timed with
#              ktime_get_ns() in the guest); the first reload re-attaches the
#              caches and checks every object. With BENCH_REC_CRASH_MIB > 0
#              a crash-like reload comes first: the last that many MiB of
#              the fill are written with checkpoint_mb=BENCH_REC_CRASH_CHECKPOINT_MB,
#              synced, and the guest is hard reset (vm.sh --reset-on-marker,
#              one QEMU process: the zones survive) instead of detaching and
#              unloading; the boot after it measures that reload the same
#              way (recovery, check, dd), unloads cleanly and goes on with
#              the rounds. A table: recovery bytes read /
#              live data (issue 13's target < 2 %), recovery time / dd time.
#
# The VM's RAM is backed by host memory before it boots (vm.sh --prealloc):
# otherwise the first touch of each guest page is a host page fault, paid by
# whichever allocator happens to touch that page first.
#
# Exits non-zero if the build, the VM or a benchmark fails.
#
#   BENCH_ON="uml tcg"      where to run them: UML, QEMU TCG [both]
#   BENCH_CASES="alloc writeback capacity recovery"  which benchmarks to run [all]
#   BENCH_REPS=N            timed repetitions per allocator and case [15; UML 40]
#                           (interleaved; best of them: each run is a few ms,
#                           and host noise under TCG is ten percent)
#   BENCH_WB_ROUNDS=N       writeback rounds (zslab and fio once each) [9]
#   BENCH_WB_MIB=N          MiB of objects per fill [64]
#   BENCH_WB_OBJSIZE=BYTES  object size [512]
#   BENCH_WB_ORDER=N        slabs of 4 KiB << N [0]
#   BENCH_WB_IODEPTH=N      fio iodepth (libaio) [16]
#   BENCH_CAP_ZONES=N BENCH_CAP_ZONE_MIB=N BENCH_CAP_ZONE_CAP_MIB=N
#                           the capacity boot's namespace [16 zones of 16 MiB,
#                           15 MiB writable: a device written several times
#                           over in minutes under TCG]
#   BENCH_CAP_FILL=PCT      live data / data zones' capacity [70]
#   BENCH_CAP_FIFO_FILL=PCT the same for the FIFO case [BENCH_CAP_FILL]
#   BENCH_CAP_WARM=N BENCH_CAP_PASSES=N
#                           passes over the data zones' capacity written
#                           before measuring, and measured [1, 3]
#   BENCH_CAP_SYNC_SLABS=N  slab writes per sync [256]
#   BENCH_CAP_OBJSIZE=BYTES object size (4 KiB slabs) [128]
#   BENCH_CAP_WA_RESIDENT_MB=N  resident_max_mb during the WA cases [0: no cap]
#   BENCH_CAP_GETS=N        timed gets, resident and under the cap [20000]
#   BENCH_CAP_RESIDENT_MB=N resident_max_mb for the evicted gets [4]
#   BENCH_CAP_READBACKS=N   slabs read back for MB/s (and fio's reads) [8192]
#   BENCH_REC_ZONES=N BENCH_REC_ZONE_MIB=N BENCH_REC_ZONE_CAP_MIB=N
#                           the recovery boot's namespace [16 zones of 32 MiB,
#                           30 MiB writable: 13 data zones, 312 MiB of live
#                           objects at 80 %, filled, checked and read in a few
#                           minutes under TCG]
#   BENCH_REC_FILL=PCT      live data / data zones' capacity [80]
#   BENCH_REC_OBJSIZE=BYTES object size (4 KiB slabs) [128]
#   BENCH_REC_CACHES=N      persistent caches, objects round robin [4]
#   BENCH_REC_SYNC_SLABS=N  slabs' worth of objects between syncs [256]
#   BENCH_REC_ROUNDS=N      reloads, each recovered and followed by a dd [5]
#   BENCH_REC_CHECKPOINT_MB=N  zns_slab's checkpoint_mb during the fill [64]
#   BENCH_REC_DD_BS_KIB=N   dd's block size; divides the zone size [4096]
#   BENCH_REC_CRASH_MIB=N   the fill's last MiB, written before the hard
#                           reset; 0: no crash case [6: with checkpoint_mb
#                           4, about 2 MiB after the last checkpoint]
#   BENCH_REC_CRASH_CHECKPOINT_MB=N  checkpoint_mb while they are written [4]
#   BENCH_REC_CRASH_WRITEBACK_MS=N   writeback_ms while they are written [100]
#                           (the periodic checkpoint is the background
#                           worker's: 0 means none, recovery reads it all)
#   BENCH_TIMEOUT=SECONDS   limit for each VM boot [480; capacity boot 1500;
#                           recovery boot 1200]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ZSLAB_ROOT"

cases=${BENCH_CASES:-alloc writeback capacity recovery}
run_alloc=0 run_wb=0 run_cap=0 run_rec=0
for c in $cases; do
	case $c in
	alloc) run_alloc=1 ;;
	writeback) run_wb=1 ;;
	capacity) run_cap=1 ;;
	recovery) run_rec=1 ;;
	*) die "BENCH_CASES: unknown case $c (alloc, writeback, capacity, recovery)" ;;
	esac
done
[ $run_alloc = 1 ] || [ $run_wb = 1 ] || [ $run_cap = 1 ] || [ $run_rec = 1 ] || die "BENCH_CASES: nothing to run"
on_uml=0 on_tcg=0
for e in ${BENCH_ON:-uml tcg}; do
	case $e in
	uml) on_uml=1 ;;
	tcg) on_tcg=1 ;;
	*) die "BENCH_ON: unknown place $e (uml, tcg)" ;;
	esac
done
[ $on_uml = 1 ] || [ $on_tcg = 1 ] || die "BENCH_ON: nowhere to run"
reps=${BENCH_REPS:-15}
params="reps=$reps"
wb_rounds=${BENCH_WB_ROUNDS:-9}
wb_mib=${BENCH_WB_MIB:-64}
wb_objsize=${BENCH_WB_OBJSIZE:-512}
wb_order=${BENCH_WB_ORDER:-0}
wb_iodepth=${BENCH_WB_IODEPTH:-16}
for v in "$wb_rounds" "$wb_mib" "$wb_objsize" "$wb_order" "$wb_iodepth"; do
	[[ $v =~ ^[0-9]+$ ]] || die "BENCH_WB_*: not a number: $v"
done
if [ "$wb_rounds" -lt 1 ] || [ "$wb_rounds" -gt 50 ]; then
	die "BENCH_WB_ROUNDS: 1 to 50"
fi
if [ "$wb_iodepth" -lt 1 ] || [ "$wb_iodepth" -gt 1024 ]; then
	die "BENCH_WB_IODEPTH: 1 to 1024"
fi
cap_zones=${BENCH_CAP_ZONES:-16}
cap_zone_mib=${BENCH_CAP_ZONE_MIB:-16}
cap_zone_cap_mib=${BENCH_CAP_ZONE_CAP_MIB:-15}
cap_fill=${BENCH_CAP_FILL:-70}
cap_fifo_fill=${BENCH_CAP_FIFO_FILL:-$cap_fill}
cap_warm=${BENCH_CAP_WARM:-1}
cap_passes=${BENCH_CAP_PASSES:-3}
cap_sync=${BENCH_CAP_SYNC_SLABS:-256}
cap_objsize=${BENCH_CAP_OBJSIZE:-128}
cap_wa_res=${BENCH_CAP_WA_RESIDENT_MB:-0}
cap_gets=${BENCH_CAP_GETS:-20000}
cap_res=${BENCH_CAP_RESIDENT_MB:-4}
cap_readbacks=${BENCH_CAP_READBACKS:-8192}
for v in "$cap_zones" "$cap_zone_mib" "$cap_zone_cap_mib" "$cap_fill" "$cap_fifo_fill" "$cap_warm" "$cap_passes" \
	"$cap_sync" "$cap_objsize" "$cap_wa_res" "$cap_gets" "$cap_res" "$cap_readbacks"; do
	[[ $v =~ ^[0-9]+$ ]] || die "BENCH_CAP_*: not a number: $v"
done
[ "$cap_fill" -ge 1 ] && [ "$cap_fill" -le 95 ] && [ "$cap_fifo_fill" -ge 1 ] && [ "$cap_fifo_fill" -le 95 ] ||
	die "BENCH_CAP_FILL, BENCH_CAP_FIFO_FILL: 1 to 95"
[ "$cap_zone_cap_mib" -ge 1 ] && [ "$cap_zone_cap_mib" -le "$cap_zone_mib" ] ||
	die "BENCH_CAP_ZONE_CAP_MIB: 1 to BENCH_CAP_ZONE_MIB"
[ "$cap_objsize" -ge 16 ] && [ "$cap_objsize" -le 4096 ] || die "BENCH_CAP_OBJSIZE: 16 to 4096"
[ "$cap_passes" -ge 1 ] && [ "$cap_sync" -ge 1 ] && [ "$cap_gets" -ge 1 ] && [ "$cap_readbacks" -ge 1 ] ||
	die "BENCH_CAP_PASSES, _SYNC_SLABS, _GETS, _READBACKS: at least 1"
rec_zones=${BENCH_REC_ZONES:-16}
rec_zone_mib=${BENCH_REC_ZONE_MIB:-32}
rec_zone_cap_mib=${BENCH_REC_ZONE_CAP_MIB:-30}
rec_fill=${BENCH_REC_FILL:-80}
rec_objsize=${BENCH_REC_OBJSIZE:-128}
rec_caches=${BENCH_REC_CACHES:-4}
rec_sync=${BENCH_REC_SYNC_SLABS:-256}
rec_rounds=${BENCH_REC_ROUNDS:-5}
rec_ckpt_mb=${BENCH_REC_CHECKPOINT_MB:-64}
rec_dd_kib=${BENCH_REC_DD_BS_KIB:-4096}
rec_crash_mib=${BENCH_REC_CRASH_MIB:-6}
rec_crash_ckpt_mb=${BENCH_REC_CRASH_CHECKPOINT_MB:-4}
rec_crash_wb_ms=${BENCH_REC_CRASH_WRITEBACK_MS:-100}
for v in "$rec_zones" "$rec_zone_mib" "$rec_zone_cap_mib" "$rec_fill" "$rec_objsize" "$rec_caches" \
	"$rec_sync" "$rec_rounds" "$rec_ckpt_mb" "$rec_dd_kib" "$rec_crash_mib" "$rec_crash_ckpt_mb" "$rec_crash_wb_ms"; do
	[[ $v =~ ^[0-9]+$ ]] || die "BENCH_REC_*: not a number: $v"
done
[ "$rec_zones" -ge 6 ] && [ "$rec_zones" -le 1024 ] || die "BENCH_REC_ZONES: 6 to 1024"
[ "$rec_zone_mib" -ge 1 ] || die "BENCH_REC_ZONE_MIB: at least 1"
[ "$rec_zone_cap_mib" -ge 1 ] && [ "$rec_zone_cap_mib" -le "$rec_zone_mib" ] ||
	die "BENCH_REC_ZONE_CAP_MIB: 1 to BENCH_REC_ZONE_MIB"
[ "$rec_fill" -ge 1 ] && [ "$rec_fill" -le 90 ] || die "BENCH_REC_FILL: 1 to 90"
[ "$rec_objsize" -ge 16 ] && [ "$rec_objsize" -le 4096 ] || die "BENCH_REC_OBJSIZE: 16 to 4096"
[ "$rec_caches" -ge 1 ] && [ "$rec_caches" -le 16 ] || die "BENCH_REC_CACHES: 1 to 16"
[ "$rec_sync" -ge 1 ] && [ "$rec_rounds" -ge 1 ] && [ "$rec_rounds" -le 20 ] ||
	die "BENCH_REC_SYNC_SLABS: at least 1; BENCH_REC_ROUNDS: 1 to 20"
[ "$rec_dd_kib" -ge 4 ] && [ $((rec_zone_mib * 1024 % rec_dd_kib)) = 0 ] ||
	die "BENCH_REC_DD_BS_KIB: at least 4 and dividing BENCH_REC_ZONE_MIB * 1024"
vm_timeout=${BENCH_TIMEOUT:-480}
start=$(date +%s)

bash scripts/setup.sh
uml_rc=0
if [ $on_uml = 1 ]; then
	log "UML: building (the kernel is cached after its first build) and running the benchmarks"
	# A UML table takes seconds, not minutes: 40 repetitions unless told.
	BENCH_CASES=$cases BENCH_REPS=${BENCH_REPS:-40} BENCH_WB_ROUNDS=$wb_rounds BENCH_WB_MIB=$wb_mib \
		BENCH_WB_OBJSIZE=$wb_objsize BENCH_WB_ORDER=$wb_order bash scripts/bench-uml.sh || uml_rc=$?
	log "UML part took $(($(date +%s) - start)) s"
fi
if [ $on_tcg = 0 ]; then
	exit $uml_rc
fi
tcg_desc="TCG (QEMU $(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p'), every instruction emulated; Debian $(stock_kver), 2 CPUs)"
if [ $run_alloc = 1 ] || [ $run_wb = 1 ]; then
	echo "== $tcg_desc: allocation and writeback"
fi
build=$(bash scripts/build.sh stock)
kdir=/usr/src/linux-headers-$(stock_kver)

# build.sh copies only the module's own sources: build bench/ next to them,
# against the Module.symvers that exports the zslab_cache_* symbols.
rm -rf "$build/bench"
cp -r bench "$build/bench"
make -C "$kdir" M="$build/bench" KBUILD_EXTRA_SYMBOLS="$build/Module.symvers" \
	W=1 modules >"$build/bench/build.log" 2>&1 ||
	{ tail -n 30 "$build/bench/build.log" >&2; die "bench modules build failed"; }
if grep -E 'warning:|error:' "$build/bench/build.log" >&2; then
	log "bench modules: compiler warnings above (W=1)"
fi

pl=$(mktemp -d)
# The ZNS backing file lives in RAM and is allocated in full before the VM
# starts: otherwise whichever side writes a zone first also pays for the
# host filesystem allocating its blocks, and the rounds measure that.
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
images=$(mktemp -d "$shm/zslab-bench.XXXXXX")
trap 'rm -rf "$pl" "$images"' EXIT
fallocate -l $((64 * 16))M "$images/zns.img"	# vm.sh's default geometry
cp "$build/zns_slab.ko" "$build/bench/zslab_bench.ko" "$build/bench/zslab_wbbench.ko" \
	"$build/bench/zslab_capbench.ko" "$build/bench/zslab_recbench.ko" bench/cap.sh bench/rec.sh "$pl/"
cat >"$pl/run.sh" <<EOF
# Guest side of make bench (busybox sh).
rc=0
run_wb=$run_wb
# The boot that measures zeroing's cost runs the allocation case only.
case "\$(cat /proc/cmdline)" in *zslab_bench_alloc_only*) run_wb=0 ;; esac
# The capacity case has a boot (and a namespace) of its own.
case "\$(cat /proc/cmdline)" in *zslab_bench_capacity*)
	sh /test/cap.sh $cap_objsize $cap_fill $cap_warm $cap_passes $cap_sync $cap_gets $cap_res \
		$cap_readbacks $cap_wa_res $cap_fifo_fill || rc=1
	bad=\$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|soft lockup|hung_task|blocked for more' | head -n 5)
	if [ -n "\$bad" ]; then
		echo "bench: kernel log reports a problem:"
		echo "\$bad"
		rc=1
	fi
	exit \$rc ;;
esac
# So has the recovery case.
case "\$(cat /proc/cmdline)" in *zslab_bench_recovery*)
	sh /test/rec.sh $rec_objsize $rec_fill $rec_caches $rec_sync $rec_rounds $rec_ckpt_mb $rec_dd_kib \
		$rec_crash_mib $rec_crash_ckpt_mb $rec_crash_wb_ms || rc=1
	bad=\$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|soft lockup|hung_task|blocked for more' | head -n 5)
	if [ -n "\$bad" ]; then
		echo "bench: kernel log reports a problem:"
		echo "\$bad"
		rc=1
	fi
	exit \$rc ;;
esac
echo "# kernel command line: \$(cat /proc/cmdline | tr ' ' '\n' | grep -E '^init_on_(alloc|free)=' | tr '\n' ' ')" \
	"(Debian's default: init_on_alloc=1 init_on_free=0)"
if [ $run_alloc = 1 ]; then
	# writeback_ms=0: no background pass shares the two CPUs with the
	# timed loops (what writeback costs, the writeback benchmark measures).
	echo "# alloc: zns_slab loaded with writeback_ms=0 (no background writeback during the timed loops)"
	ans=\$(ztool load /test/zns_slab.ko device=\$ZNS writeback_ms=0)
	if [ "\$ans" != "load: ok" ]; then
		echo "bench: zns_slab.ko did not load: \$ans"
		dmesg | tail -n 5
		exit 1
	fi
	echo "bench: zslab_bench.ko $params"
	ans=\$(ztool load /test/zslab_bench.ko $params)
	if [ "\$ans" != "load: ok" ]; then
		echo "bench: zslab_bench.ko failed: \$ans"
		dmesg | grep -E 'zslab_bench|zns_slab' | grep -vE 'zslab_bench: +[0-9]+ ' | tail -n 10
		rmmod zns_slab
		exit 1
	fi
	cat /sys/kernel/debug/zslab_bench/results || rc=1
	rmmod zslab_bench || rc=1
	rmmod zns_slab || rc=1
fi
if [ \$run_wb = 1 ]; then
	sh /test/wb.sh $wb_mib $wb_objsize $wb_order $wb_rounds $wb_iodepth || rc=1
fi
bad=\$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|soft lockup|hung_task|blocked for more' | head -n 5)
if [ -n "\$bad" ]; then
	echo "bench: kernel log reports a problem:"
	echo "\$bad"
	rc=1
fi
exit \$rc
EOF

# Guest side of the writeback benchmark (busybox sh, awk for arithmetic).
#   wb.sh MIB OBJSIZE ORDER ROUNDS IODEPTH
cat >"$pl/wb.sh" <<'EOF'
mib=$1 objsize=$2 order=$3 rounds=$4 iodepth=$5
# ZNS: the zoned namespace, as the guest's /init found it.
ZNS=${ZNS:?}
DBG=/sys/kernel/debug/zns_slab
WB=/sys/kernel/debug/zslab_wbbench
Q=/sys/block/${ZNS#/dev/}/queue
R=/tmp/wb
mkdir -p $R

cleanup() {
	if [ -d $WB ]; then rmmod zslab_wbbench; fi
	if [ -d $DBG ]; then rmmod zns_slab; fi
}
fail() {
	echo "writeback: FAILED: $*"
	dmesg | grep -E 'zns_slab|zslab' | tail -n 5
	cleanup
	exit 1
}
# wbc CMD...: run a zslab_wbbench command; prints "RET VALUE...".
wbc() {
	if echo "$*" >$WB/cmd; then
		sed 's/^[a-z]*: //' $WB/result
	else
		echo "cmd-refused"
	fi
}
cstat() { sed -n "s/^$1: //p" $DBG/cache/zslab_wb; }
iostat() { sed -n "s/^$1: //p" $DBG/io; }
devstat() { sed -n "s/^$1: //p" $DBG/device; }
# Zones nvme-cli does not report empty (state 0x10), from zone ${1:-0} on
# (zns_slab's superblock stays in a metadata zone after it unloads).
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
calc() { awk "BEGIN { $* }"; }

# Whatever the allocation benchmark left must be gone: zns_slab only uses empty zones.
left=$(busy_zones)
if [ "$left" != 0 ]; then
	echo "# writeback: $left zones not empty at start (nvme zns report-zones): reset"
	reset_zones
fi

# One zslab round: fresh sync, then rewrite sync; appends a line to $R/zslab.
zslab_round() {
	ans=$(ztool load /test/zns_slab.ko device=$ZNS writeback_ms=0)
	[ "$ans" = "load: ok" ] || fail "zns_slab.ko did not load: $ans"
	ans=$(ztool load /test/zslab_wbbench.ko)
	[ "$ans" = "load: ok" ] || fail "zslab_wbbench.ko did not load: $ans"
	set -- $(wbc fill $mib $objsize $order)
	[ "$1" = 0 ] || fail "fill $mib $objsize $order: $1"
	objs=$2
	if [ ! -s $R/geo ]; then
		echo "zone_size=$(devstat zone_size_bytes) zone_cap=$(devstat zone_capacity_bytes)" \
			"lbs=$(devstat logical_block_size) nr_zones=$(devstat nr_zones)" \
			"first_zone=$(iostat first_data_zone) stride=$(cstat stride)" \
			"objs_per_slab=$(cstat objs_per_slab) slab=$(cstat slab_size)" \
			"summary=$(cstat segment_summary_bytes)" >$R/geo
	fi
	line=
	for kind in fresh rewrite; do
		if [ $kind = rewrite ]; then
			set -- $(wbc dirty)
			[ "$1" = 0 ] || fail "dirty: $1"
		fi
		dirty=$(cstat dirty_slabs)
		w0=$(cstat slabs_written) b0=$(cstat bytes_written) d0=$(cstat device_bytes)
		bios0=$(iostat bios) lat0=$(iostat append_latency_total_ns)
		resets0=$(iostat resets)
		set -- $(wbc sync)
		[ "$1" = 0 ] || fail "zslab_cache_sync() returned $1"
		ns=$2
		w=$(($(cstat slabs_written) - w0)) b=$(($(cstat bytes_written) - b0))
		d=$(($(cstat device_bytes) - d0))
		bios=$(($(iostat bios) - bios0))
		lat=$(($(iostat append_latency_total_ns) - lat0))
		resets=$(($(iostat resets) - resets0))
		[ "$w" = "$dirty" ] || fail "$kind sync wrote $w slabs for $dirty dirty slabs"
		[ "$(cstat write_errors)" = 0 ] && [ "$(iostat errors)" = 0 ] &&
			[ "$(iostat misplaced)" = 0 ] || fail "write errors or misplaced appends"
		line="$line $kind $ns $w $b $d $bios $lat $resets"
	done
	echo "$objs $line" >>$R/zslab
	set -- $(wbc destroy)
	[ "$1" = 0 ] || fail "destroy: $1"
	fdz=$(iostat first_data_zone)
	rmmod zslab_wbbench || fail "rmmod zslab_wbbench"
	rmmod zns_slab || fail "rmmod zns_slab"
	n=$(busy_zones $fdz)
	[ "$n" = 0 ] || fail "$n data zones not empty after zns_slab unloaded (nvme zns report-zones)"
}

# One fio round over as many bytes as the first zslab sync wrote to the
# device; appends "bytes runtime_ms lat_us" to $R/fio-$1 (plain or verify).
fio_round() {
	extra=
	[ $1 = verify ] && extra="--verify=crc32c --do_verify=0"
	fio --name=zslab_wb --filename=$ZNS --direct=1 --zonemode=zbd --rw=write \
		--bs=$bs --ioengine=libaio --iodepth=$iodepth --end_fsync=1 $extra \
		--offset=$fio_offset --size=$fio_size --io_size=$fio_bytes \
		--output-format=terse --terse-version=3 >$R/fio.out 2>$R/fio.err ||
		fail "fio: $(tail -n 3 $R/fio.err | tr '\n' ' ')"
	# terse v3: 5 error, 47 write KiB, 50 write runtime ms, 81 write lat mean us
	awk -F';' -v want=$fio_bytes '$3 == "zslab_wb" {
		if ($5 != 0 || $47 * 1024 != want || $50 <= 0) exit 1
		print $47 * 1024, $50, $81; found = 1 }
		END { exit !found }' $R/fio.out >>$R/fio-$1 ||
		fail "fio output: $(head -c 300 $R/fio.out) $(tail -n 3 $R/fio.err | tr '\n' ' ')"
	reset_zones
}

for r in $(seq 1 $rounds); do
	if [ $((r % 2)) = 1 ] || [ ! -s $R/zslab ]; then
		zslab_round
		first=zslab
	else
		first=fio
	fi
	if [ -z "$bs" ]; then
		eval "$(cat $R/geo)"
		# The size of zns_slab's full append bios (writeback.c): a buffer
		# of the largest power of two up to 256 KiB and the zone-append
		# limit, holding one summary and as many whole slabs as fit.
		bs=$(calc "a = $(cat $Q/zone_append_max_bytes); if (a > 262144) a = 262144;
			b = 1; while (b * 2 <= a) b *= 2;
			print $summary + int((b - $summary) / $slab) * $slab")
		fio_offset=$((first_zone * zone_size))
		fio_size=$(((nr_zones - first_zone) * zone_size))
		fresh_dev=$(awk 'NR == 1 { print $6 }' $R/zslab)
		fio_bytes=$(((fresh_dev + bs - 1) / bs * bs))
	fi
	fio_round plain
	fio_round verify
	[ $first = fio ] && zslab_round
	awk -v r=$r 'END { printf "writeback round %d: zslab %.1f MB/s of slab data (rewrite %.1f), ", r,
			$5 / $3 * 1000, $13 / $11 * 1000 }' $R/zslab
	awk 'END { printf "fio %.1f MB/s, ", $1 / $2 / 1000 }' $R/fio-plain
	awk -v first=$first 'END { printf "fio --verify=crc32c %.1f MB/s (%s first)\n", $1 / $2 / 1000, first }' $R/fio-verify
done

# Each $R/zslab line: objs, then for fresh and rewrite: kind ns slabs
# data_bytes device_bytes bios latency_ns resets.
set -- $(awk 'NR == 1' $R/zslab)
objs=$1 slabs=$4 data=$5 dev=$6 bios=$7
sched=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $Q/scheduler)
echo "# writeback: $ZNS: zones $((zone_size >> 20)) MiB (capacity $((zone_cap >> 20)) MiB), $lbs B blocks," \
	"zone_append_max_bytes $(cat $Q/zone_append_max_bytes), scheduler ${sched:-?}, $(nproc) CPUs, $rounds rounds"
echo "# zslab: writeback_ms=0, cache of $objsize B objects in $slab B slabs, $mib MiB of objects" \
	"($objs) = $slabs dirty slabs; a sync writes $data B of slab data as $dev device bytes" \
	"in $bios segments (append bios) of up to $bs B ($summary B summary each), all submitted" \
	"before it waits, then one flush; timed around zslab_cache_sync()"
echo "# fio: $(fio --version) --zonemode=zbd --rw=write --bs=$bs --ioengine=libaio --iodepth=$iodepth" \
	"--direct=1 --end_fsync=1 --offset=$fio_offset (zone $first_zone) --io_size=$fio_bytes" \
	"(as many device bytes as zslab's fresh sync), plain and with --verify=crc32c --do_verify=0" \
	"(a CRC32C of every block written, no read-back); MB/s = bytes / fio's write runtime"
echo "# MB = 10^6 B; zslab is measured in slab data (what clients' slabs hold), fio in bytes written"

stats() {	# stats FILE AWK-EXPR: "best median" of the expression per line
	awk "{ print $2 }" $1 | sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f\n", v[NR], m }'
}
set -- $(stats $R/zslab '$5 / $3 * 1000')
z_best=$1 z_med=$2
set -- $(stats $R/zslab '$6 / $3 * 1000')
d_best=$1 d_med=$2
set -- $(stats $R/zslab '$13 / $11 * 1000')
r_best=$1 r_med=$2
set -- $(stats $R/fio-plain '$1 / $2 / 1000')
f_best=$1 f_med=$2
set -- $(stats $R/fio-verify '$1 / $2 / 1000')
v_best=$1 v_med=$2
set -- $(stats $R/zslab '$3 / 1e6')
z_ms=$2
resets=$(awk '{ n += $17 } END { print n / NR }' $R/zslab)
ratio=$(awk '{ d += $6; b += $5 } END { printf "%.3f", d / b }' $R/zslab)

calc "printf \"writeback: slab data: zslab %.1f MB/s best, %.1f median (%.0f ms per sync)\n\", $z_best, $z_med, $z_ms"
calc "printf \"writeback: device bytes: zslab %.1f MB/s best, %.1f median; device bytes / slab data bytes %s\n\"," \
	"$d_best, $d_med, \"$ratio\""
calc "printf \"writeback: fio %.1f MB/s best, %.1f median; fio --verify=crc32c %.1f best, %.1f median\n\"," \
	"$f_best, $f_med, $v_best, $v_med"
calc "printf \"writeback: ratio slab data MB/s / fio: %.2f best, %.2f median; / fio --verify=crc32c: %.2f best, %.2f median\n\"," \
	"$z_best / $f_best, $z_med / $f_med, $z_best / $v_best, $z_med / $v_med"
calc "printf \"writeback: rewrite (every slab superseded, %.1f zone resets per sync): %.1f MB/s of slab data best, %.1f median, ratio to fio %.2f (best)\n\"," \
	"$resets, $r_best, $r_med, $r_best / $f_best"

# What the encoder costs the CPU alone, for as many slabs of the same geometry.
encode_cost() {
	if [ "$(ztool load /test/zns_slab.ko device=$ZNS writeback_ms=0)" = "load: ok" ] &&
		[ "$(ztool load /test/zslab_wbbench.ko)" = "load: ok" ]; then
		wbc encode $slabs $slab $objsize $stride $objs_per_slab $lbs
	fi
	cleanup
}
set -- $(encode_cost)
[ "$1" = 0 ] || fail "encode: ${1:-module load failed}"
calc "printf \"writeback: CPU: encoding %.0f ns per KiB of slab data (%.0f MB/s), %.0f%% of the median fresh sync on one CPU;" \
	"crc32c() over a slab's data, for scale: %.0f ns per KiB\n\"," \
	"$2 / ($slabs * $slab / 1024), $slabs * $slab / $2 * 1000, $2 / ($z_ms * 1e4), $3 / ($slabs * $slab / 1024)"
echo "writeback: done"
EOF

# Rebuild the initramfs so that it matches the current guest scripts.
rm -f "$ZSLAB_OUT/initramfs-stock.cpio.gz"
if [ $run_alloc = 1 ] || [ $run_wb = 1 ]; then
	log "booting the stock kernel with 2 CPUs to run the benchmarks (about a minute on an idle host)"
	set +e
	out=$(bash scripts/vm.sh --kernel stock --cpus 2 --prealloc --timeout "$vm_timeout" --image-dir "$images" \
		--log "$ZSLAB_OUT/console-bench.log" -- "$pl")
	rc=$?
	set -e
	printf '%s\n' "$out" | sed -e '/^ZSLAB-BEGIN/d' -e '/^ZSLAB-EXIT/d'
	log "bench took $(($(date +%s) - start)) s (console: $ZSLAB_OUT/console-bench.log)"
	if [ $rc -ne 0 ]; then
		log "benchmark failed (exit status $rc)"
		exit "$rc"
	fi
	[ $uml_rc -eq 0 ] || { log "UML benchmark failed (exit status $uml_rc)"; exit "$uml_rc"; }
	if [ $run_alloc = 1 ] && ! printf '%s\n' "$out" | grep -q '^bench: done$'; then
		log "benchmark did not finish"
		exit 1
	fi
	if [ $run_wb = 1 ] && ! printf '%s\n' "$out" | grep -q '^writeback: done$'; then
		log "writeback benchmark did not finish"
		exit 1
	fi
fi

# The allocation case without init_on_alloc: the boot above has both SLUB
# and zns_slab zero every object (Debian's default); here neither does
# (zns_slab keeps unmarked objects off the device with a bitmap instead).
if [ $run_alloc = 1 ] && [ "${BENCH_ZEROING:-1}" = 1 ]; then
	log "booting again with init_on_alloc=0: the allocation case, neither zeroing"
	echo "# without zeroing: the allocation case again, booted with init_on_alloc=0 (neither SLUB nor zns_slab zeroes at allocation)"
	set +e
	out=$(bash scripts/vm.sh --kernel stock --cpus 2 --prealloc --timeout "$vm_timeout" --image-dir "$images" \
		--append "init_on_alloc=0 zslab_bench_alloc_only" --log "$ZSLAB_OUT/console-bench-zeroing.log" -- "$pl")
	rc=$?
	set -e
	printf '%s\n' "$out" | sed -e '/^ZSLAB-BEGIN/d' -e '/^ZSLAB-EXIT/d'
	[ $rc -eq 0 ] || { log "zeroing-cost benchmark failed (exit status $rc)"; exit "$rc"; }
fi

# The capacity tier: a boot of its own, on a namespace of its own geometry.
if [ $run_cap = 1 ]; then
	cc -O2 -Wall -o "$build/greedy_sim" bench/greedy_sim.c || die "bench/greedy_sim.c did not build"
	capimg=$(mktemp -d "$shm/zslab-bench-cap.XXXXXX")
	trap 'rm -rf "$pl" "$images" "$capimg"' EXIT
	fallocate -l $((cap_zone_mib * cap_zones))M "$capimg/zns.img"
	echo "== $tcg_desc: capacity tier ($cap_zones zones of $cap_zone_mib MiB, $cap_zone_cap_mib MiB writable)"
	log "booting the stock kernel for the capacity case (several passes over the device: minutes under TCG)"
	set +e
	out=$(bash scripts/vm.sh --kernel stock --cpus 2 --prealloc --timeout "${BENCH_TIMEOUT:-1500}" \
		--zones "$cap_zones" --zone-size "${cap_zone_mib}M" --zone-cap "${cap_zone_cap_mib}M" \
		--image-dir "$capimg" --append zslab_bench_capacity \
		--log "$ZSLAB_OUT/console-bench-capacity.log" -- "$pl")
	rc=$?
	set -e
	printf '%s\n' "$out" | sed -e '/^ZSLAB-BEGIN/d' -e '/^ZSLAB-EXIT/d' -e '/^capacity-data:/d' -e '/^capacity: done$/d'
	printf '%s\n' "$out" | sed -n 's/^capacity-data: //p' >"$capimg/data"
	cp "$capimg/data" "$ZSLAB_OUT/bench-capacity.data"
	# A case that failed (the guest says so above) still gets its row.
	if ! printf '%s\n' "$out" | grep -q '^capacity: done$'; then
		log "capacity benchmark did not finish (exit status $rc, console: $ZSLAB_OUT/console-bench-capacity.log)"
		exit $((rc ? rc : 1))
	fi
	cap_rc=$rc

	# kv SECTION KEY: a value from the guest's "capacity-data: SECTION K=V ..." lines.
	kv() { awk -v s="$1" -v k="$2" '$1 == s { for (i = 2; i <= NF; i++) {
		split($i, a, "="); if (a[1] == k) { print substr($i, length(k) + 2); exit } } }' "$capimg/data"; }
	g() { kv geo "$1"; }
	blocks() { echo $(($1 / $(g lbs))); }
	# Greedy cleaning on the same zones: the zones zns_slab writes data and
	# relocation to (every zone after the reserved ones), the same capacity,
	# slab, summary and segment sizes, fill and sync interval; warmed up by
	# the fill and as many passes as the device, measured over as many.
	pass=$(g pass_slabs) live_slabs=$(g live_slabs)
	# greedy RESERVE HEADS: RESERVE zones kept empty for relocation (1:
	# cleaning on demand; 2 shows what an earlier watermark costs); HEADS 2:
	# relocation to a zone of its own (DESIGN §3), 1: one log head for both.
	greedy() {
		"$build/greedy_sim" "$(g data_zones)" "$(blocks "$(g zone_cap)")" "$(blocks "$(g slab)")" \
			"$(blocks "$(g summary)")" "$(g per_seg)" "$live_slabs" "$(g sync_slabs)" \
			$((live_slabs + $(g warm) * pass)) $(($(g passes) * pass)) "$1" "$2" 43 2>&1
	}
	sim=$(greedy 1 2)
	sim1=$(greedy 1 1)
	for v in "$sim" "$sim1"; do
		case $v in greedy:*) ;; *) die "greedy_sim failed: $v" ;; esac
	done
	echo "# greedy simulation (bench/greedy_sim.c, same geometry, 1 zone kept empty)," \
		"relocation to its own zone: $sim"
	echo "# the same with one head (client and relocation writes to one open zone): $sim1"
	echo "# greedy WA keeping 2 zones empty instead (cleaning earlier): 2 heads" \
		"$(greedy 2 2 | awk '/^greedy:/ { print $3; next } { print "- (no zone to clean into)" }')," \
		"1 head $(greedy 2 1 | awk '/^greedy:/ { print $3; next } { print "- (no zone to clean into)" }')"
	set -- $sim
	sim_wa=$3
	set -- $sim1
	sim1_wa=$3
	# The floor of FIFO: every segment carries one summary with its slabs.
	seg_floor=$(awk -v s="$(g summary)" -v p="$(g per_seg)" -v b="$(g slab)" 'BEGIN { printf "%.3f", (s + p * b) / (p * b) }')
	f_wa=$(awk -v d="$(kv fifo device)" -v c="$(kv fifo client)" 'BEGIN { printf "%.3f", c ? d / c : 0 }')
	r_wa=$(awk -v d="$(kv random device)" -v c="$(kv random client)" 'BEGIN { printf "%.3f", c ? d / c : 0 }')
	echo "# capacity: WA = device_bytes / client_bytes (debugfs io) over $(g passes) passes after $(g warm) of warm-up;" \
		"fifo: reclaimed zones $(kv fifo reclaimed), relocated $(kv fifo relocated) B, resets $(kv fifo resets);" \
		"random: $(kv random updates) updates, reclaimed zones $(kv random reclaimed), relocated $(kv random relocated) B," \
		"reads $(kv random reads); debugfs write_amplification at the end of each: $(kv fifo wa_debugfs), $(kv random wa_debugfs)"
	echo "# capacity: gets under resident_max_mb=$(kv get_capped res_mb): $(kv get_capped resident_slabs) slabs resident," \
		"$(kv get_capped evicted_slabs) evicted before; $(kv get_capped hit) resident gets, $(kv get_capped miss) evicted" \
		"(read back: $(kv get_capped readbacks)); evicted_desc_bytes $(kv get_capped evicted_desc_bytes);" \
		"ktime_get_ns() pair $(kv get_resident ktime) ns (included in each timed get)"
	echo "# capacity: read-back: $(kv readback gets) gets of different slabs, $(kv readback readbacks) read back" \
		"($(kv readback readback_bytes) B), io reads $(kv readback reads) ($(kv readback read_bytes) B)," \
		"read latency mean $(kv readback read_lat_mean) ns max $(kv readback read_lat_max) ns;" \
		"fio: $(kv fio version) --rw=randread --bs=$(g slab) --ioengine=psync --direct=1 --zonemode=zbd" \
		"over $(kv fio zones) zones it wrote, after zns_slab unloaded; MB = 10^6 B"
	awk -v f_wa="$f_wa" -v r_wa="$r_wa" -v sim="$sim_wa" -v sim1="$sim1_wa" -v floor="$seg_floor" -v fill="$(g fill)" -v ffill="$(g fifo_fill)" \
		-v rn="$(kv get_resident n)" -v rns="$(kv get_resident ns)" -v rmax="$(kv get_resident max)" \
		-v hn="$(kv get_capped hit)" -v hns="$(kv get_capped hit_ns)" \
		-v mn="$(kv get_capped miss)" -v mns="$(kv get_capped miss_ns)" -v mmax="$(kv get_capped miss_max)" \
		-v rbb="$(kv readback readback_bytes)" -v rbns="$(kv readback ns)" \
		-v fb="$(kv fio bytes)" -v fms="$(kv fio ms)" -v flat="$(kv fio lat_us)" \
		-v ffail="$(kv fifo failed)" -v rfail="$(kv random failed)" 'BEGIN {
		# A case whose sync failed: its figure is what it measured until then.
		fv = ffail ? "(a sync failed: WA up to it)" : ""
		rv = rfail ? "(a sync failed: WA up to it)" : ""
		printf "%-34s %10s %24s %7s  %s\n", "# case", "zslab", "yardstick", "ratio", "target (issue 12)"
		printf "%-34s %10.3f %24s %7s  %s %s\n", sprintf("WA, FIFO at %d%% (die in order)", ffill), f_wa,
			sprintf("%.3f seg. floor", floor), "-", "<= 1.05", f_wa <= 1.05 && !ffail ? "met" : (fv ? "NOT MET " fv : "NOT MET")
		printf "%-34s %10.3f %24s %7.3f  %s %s\n", sprintf("WA, random updates at %d%% fill", fill), r_wa,
			sprintf("%.3f greedy, 2 heads", sim), r_wa / sim, "<= greedy (ratio <= 1.00)", r_wa <= sim && !rfail ? "met" : (rv ? "NOT MET " rv : "NOT MET")
		printf "%-34s %10.3f %24s %7.3f  %s %s\n", "  the same against one head", r_wa,
			sprintf("%.3f greedy, 1 head", sim1), r_wa / sim1, "<= greedy (ratio <= 1.00)", r_wa <= sim1 && !rfail ? "met" : (rv ? "NOT MET " rv : "NOT MET")
		printf "%-34s %10.0f %24s %7s  %s\n", "zslab_get, resident, ns (mean)", rns / rn, "-", "-", "-"
		if (hn)
			printf "%-34s %10.0f %24s %7s  %s\n", "zslab_get, resident under cap, ns", hns / hn, "-", "-", "-"
		if (mn)
			printf "%-34s %10.0f %24s %7.2f  %s\n", "zslab_get, evicted, ns (mean)", mns / mn,
				sprintf("%.0f fio 4K read lat", flat * 1000), mns / mn / (flat * 1000), "-"
		else
			printf "%-34s %10s\n", "zslab_get, evicted", "none evicted"
		zr = rbb / rbns * 1000; fr = fb / fms / 1000
		printf "%-34s %10.1f %24s %7.2f  %s\n", "read-back, MB/s of slab data", zr,
			sprintf("%.1f fio randread 4K", fr), zr / fr, "-"
	}'
	if [ "$cap_rc" -ne 0 ]; then
		log "capacity benchmark: a case failed (exit status $cap_rc, console: $ZSLAB_OUT/console-bench-capacity.log)"
		exit "$cap_rc"
	fi
	echo "capacity: done"
fi

# Recovery of persistent caches: a boot of its own, on a namespace of its own.
if [ $run_rec = 1 ]; then
	recimg=$(mktemp -d "$shm/zslab-bench-rec.XXXXXX")
	trap 'rm -rf "$pl" "$images" "${capimg:-}" "$recimg"' EXIT
	fallocate -l $((rec_zone_mib * rec_zones))M "$recimg/zns.img"
	echo "== $tcg_desc: recovery ($rec_zones zones of $rec_zone_mib MiB, $rec_zone_cap_mib MiB writable)"
	log "booting the stock kernel for the recovery case (fill, reloads, dd: minutes under TCG)"
	# The crash case: the guest asks for a hard reset once it has written.
	reset=()
	[ "$rec_crash_mib" = 0 ] || reset=(--reset-on-marker 0:0)
	set +e
	out=$(bash scripts/vm.sh --kernel stock --cpus 2 --prealloc --timeout "${BENCH_TIMEOUT:-1200}" "${reset[@]}" \
		--zones "$rec_zones" --zone-size "${rec_zone_mib}M" --zone-cap "${rec_zone_cap_mib}M" \
		--image-dir "$recimg" --append zslab_bench_recovery \
		--log "$ZSLAB_OUT/console-bench-recovery.log" -- "$pl")
	rc=$?
	set -e
	printf '%s\n' "$out" | sed -e '/^ZSLAB-BEGIN/d' -e '/^ZSLAB-EXIT/d' -e '/^ZSLAB-RESET-ARM/d' \
		-e '/^recovery-data:/d' -e '/^recovery: done$/d'
	printf '%s\n' "$out" | sed -n 's/^recovery-data: //p' >"$recimg/data"
	cp "$recimg/data" "$ZSLAB_OUT/bench-recovery.data"
	if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q '^recovery: done$'; then
		log "recovery benchmark failed (exit status $rc, console: $ZSLAB_OUT/console-bench-recovery.log)"
		exit $((rc ? rc : 1))
	fi
	# Each "round" line of the data: its KEY=VALUE pairs, one round a line,
	# as awk variables; geo and fill as one more line each.
	awk '
		function kv(line,   i, a) { delete v; for (i = 2; i <= NF; i++) { split($i, a, "="); v[a[1]] = substr($i, length(a[1]) + 2) } }
		function med(arr, n,   i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
			return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2 }
		$1 == "geo" { kv(); live = v["live"]; objs = v["objs"]; caches = v["caches"]; objsize = v["objsize"]; fill = v["fill"] }
		$1 == "fill" { kv(); written = v["written"] }
		$1 == "crash_writes" { kv(); cobjs = v["objs"]; cdev = v["device"]; cck = v["checkpoints"]; cmb = v["checkpoint_mb"]; cwb = v["writeback_ms"] }
		$1 == "crash" { kv(); crash = 1; xbr = v["bytes_read"]; xtu = v["time_us"]; xdn = v["dd_ns"]; xld = v["load_dev_read"]
			xcb = v["checkpoint_bytes"]; xseg = v["segments_scanned"]; xobj = v["objects_recovered"]
			xrej = v["rejected_crc"] "/" v["rejected_identity"] "/" v["rejected_bounds"]; xtorn = v["torn_segments"] }
		$1 == "round" { kv(); n++
			br[n] = v["bytes_read"]; tu[n] = v["time_us"]; dn[n] = v["dd_ns"]; ld[n] = v["load_dev_read"]
			cb[n] = v["checkpoint_bytes"]; seg[n] = v["segments_scanned"]; ddb = v["dd_bytes"]
			ok = ok && v["objects_recovered"] == objs
			rounds = rounds sprintf(" %d: %s B read (checkpoint %s B, %s segments), %.1f ms, dd %.1f ms, %s objects, rejected %s/%s/%s, torn %s, load read %s B;",
				n, br[n], cb[n], seg[n], tu[n] / 1000, dn[n] / 1e6, v["objects_recovered"],
				v["rejected_crc"], v["rejected_identity"], v["rejected_bounds"], v["torn_segments"], ld[n]) }
		BEGIN { ok = 1 }
		END {
			if (!n) { print "recovery: no rounds in the data"; exit 1 }
			b = med(br, n); t = med(tu, n) / 1000; d = med(dn, n) / 1e6; l = med(ld, n); c = med(cb, n)
			printf "# recovery: per reload:%s\n", rounds
			printf "# recovery: live data = %d objects x %d B in %d persistent caches (%d %% of the data zones'"'"' capacity);" \
				" the zones held %d B written; dd read the whole namespace, %d B, at %.1f MB/s (median);" \
				" \"load read\": the block device'"'"'s read counter across insmod (superblock scan included)\n",
				objs, objsize, caches, fill, written, ddb, ddb / d / 1000, l
			printf "# recovery: bytes_read %d B = checkpoint %d B (%.3f %% of live data) + %d B else;" \
				" times are medians of %d reloads; MB = 10^6 B\n", b, c, c / live * 100, b - c, n
			printf "%-34s %12s %12s %9s  %-19s %11s %9s %7s\n", "# case", "live data B", "bytes_read B",
				"fraction", "target (issue 13)", "recovery ms", "dd ms", "ratio"
			printf "%-34s %12d %12d %8.3f%%  %-19s %11.1f %9.1f %7.4f\n", "recovery after clean unload",
				live, b, b / live * 100, b / live < 0.02 ? "< 2 % met" : "< 2 % NOT MET", t, d, t / d
			printf "%-34s %12d %12d %8.3f%%  %-19s %11s %9s %7s\n", "  all device reads during insmod",
				live, l, l / live * 100, "-", "-", "-", "-"
			if (crash) {
				xlive = live
				printf "%-34s %12d %12d %8.3f%%  %-19s %11.1f %9.1f %7.4f\n",
					sprintf("recovery after a crash (ckpt %d MB)", cmb), xlive, xbr, xbr / xlive * 100,
					xbr / xlive < 0.02 ? "< 2 % met" : "< 2 % NOT MET", xtu / 1000, xdn / 1e6, xtu / 1000 / (xdn / 1e6)
				printf "%-34s %12d %12d %8.3f%%  %-19s %11s %9s %7s\n", "  all device reads during insmod",
					xlive, xld, xld / xlive * 100, "-", "-", "-", "-"
				printf "# recovery: crash case: the last %d objects of the fill written with checkpoint_mb=%d writeback_ms=%d (%d device bytes, %d checkpoints)," \
					" then a hard reset; the reload read checkpoint %d B + %d B (%d segments scanned), recovered %d objects," \
					" rejected crc/identity/bounds %s, torn %d; one reload, one dd\n",
					cobjs, cmb, cwb, cdev, cck, xcb, xbr - xcb, xseg, xobj, xrej, xtorn
				ok = ok && xobj == objs
			}
			if (!ok) { print "recovery: a reload did not recover every object"; exit 1 }
		}' "$recimg/data" || die "recovery: the guest's data did not make a table"
	echo "recovery: done"
fi
