# Integration: the capacity tier (issue 12). zns_slab runs under a small
# resident cap (resident_max_mb, CAP_RESIDENT_MB, default 2) while the test
# client holds a working set of 4x the cap by reference only, so most of its
# slabs are evicted and zslab_get() reads them back:
#   - random get / modify / mark_dirty / put / free / free_ref / new
#     allocations verify every object's pattern on every get (0 mismatches);
#   - resident slab memory stays within the cap once nothing is pinned;
#   - GFP_NOWAIT gets return NULL exactly for the objects of evicted slabs;
#   - resident_max_mb changed at run time: resident memory follows;
#   - a read fault (fail_make_request, where the kernel has it) gives NULL
#     gets and readback_errors, and once it stops every object is intact;
#   - two CPUs run the mix on shared slabs of the working set while
#     eviction runs;
#   - two CPUs run the mix on a cache of 4 KiB objects with a syncer until
#     the device has been written CAP_FILL_TIMES (3) times over, with about
#     55 % of it live: reclaim resets zones and relocates live slabs, every
#     object intact afterwards;
#   - blktrace over the whole run: every write at its zone's write pointer,
#     every read inside a data zone, below what was written there.
# Sized for a small device (scripts/check.sh boots it on 2 and 4 MiB zones);
# CAP_* variables below scale it (the debug kernel runs it smaller).
. /test/lib.sh

RES_MB=${CAP_RESIDENT_MB:-2}
OPS=${CAP_OPS:-20000}
FILL_TIMES=${CAP_FILL_TIMES:-3}
FILL_SECONDS=${CAP_FILL_SECONDS:-100}
RACE_SECONDS=${CAP_RACE_SECONDS:-15}
FAULT_GETS=${CAP_FAULT_GETS:-500}
FILL_OBJ=${CAP_FILL_OBJ:-4096}
T0=$(date +%s)
phase() { echo "capacity: [$(($(date +%s) - T0)) s] $*"; }
NCPU=$(nproc)
P=/sys/module/zns_slab/parameters/resident_max_mb
TCD=/sys/kernel/debug/zslab_testclient

[ "$(load_zns_slab device=$ZNS writeback_ms=100 resident_max_mb=$RES_MB)" = "load: ok" ] ||
	{ fail "zns_slab loads with resident_max_mb=$RES_MB" "refused: $(dmesg | tail -n 2 | tr '\n' ' ')"; exit 1; }
pass "zns_slab loads with resident_max_mb=$RES_MB"
[ "$(cat $P 2>/dev/null)" = "$RES_MB" ] && pass "resident_max_mb reads back $RES_MB in $P" ||
	fail "resident_max_mb in $P" "'$(cat $P 2>&1)'"
[ "$(ztool load /test/zslab_testclient.ko)" = "load: ok" ] || { fail "test client loads" "refused"; exit 1; }

zone_sectors=$(($(sed -n 's/^zone_size_bytes: //p' $DBG/device) / 512))
zcap=$(sed -n 's/^zone_capacity_bytes: //p' $DBG/device)
first=$(iostat first_data_zone)
nz=$(sed -n 's/^nr_zones: //p' $DBG/device)
meta=$(sed -n 's/^meta_zones: //p' $DBG/superblock)
data_zones=$(grep -v '^#' $DBG/zones | awk -v f=$first '$1 >= f && $7 == "seq_req" && $8 != "unusable"' | wc -l)
D=$((data_zones * zcap))
echo "capacity: $nz zones, $data_zones data zones of $zcap B (D = $D B), metadata zones $meta, first data zone $first"

# --- helpers ---
# val FILE KEY: the value, or "missing".
val() { v=$(sed -n "s/^$2: //p" $1 | head -n 1); echo "${v:-missing}"; }
cs() { val $DBG/cache/$1 $2; }
io() { val $DBG/io $1; }
capstat() { val $TCD/capstats $1; }
isnum() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
# check NAME COND-ARGS...: pass if [ COND ] holds, else fail with the values.
check() { name=$1; shift; if [ "$@" ] 2>/dev/null; then pass "$name"; else fail "$name" "$*"; fi; }
# Resident slab memory of the caches named, and the slack that cannot be
# evicted when nothing is pinned: slabs holding free objects in the per-CPU
# magazines (one each at most), the slab each CPU refills from, and the two
# empty slabs a cache keeps as reserve (README: the allocator).
# Slab memory of all caches (io resident_pages: what the cap is compared
# with), else the sum of the caches' resident slabs.
resident_bytes() {
	r=$(io resident_pages)
	if isnum "$r"; then echo $((r * 4096)); return; fi
	r=0
	for c; do r=$((r + $(cs $c resident_slabs) * $(cs $c slab_size))); done
	echo $r
}
slack_bytes() {
	s=0
	for c; do s=$((s + ($(cs $c magazine_objs) + NCPU + 2) * $(cs $c slab_size))); done
	echo $s
}
# wait_resident MB SECONDS CACHES...: resident memory within MB MiB + slack.
wait_resident() {
	lim_mb=$1 secs=$2; shift 2
	i=0
	while [ $i -lt $((secs * 5)) ]; do
		r=$(resident_bytes "$@") s=$(slack_bytes "$@")
		[ "$r" -le $((lim_mb * 1048576 + s)) ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
# wait_idle: no I/O counter moves for half a second (reclaim, writeback and
# eviction have nothing left to do), at most 15 s.
wait_idle() {
	i=0 a=$(cat $DBG/io)
	while [ $i -lt 30 ]; do
		sleep 0.5
		b=$(cat $DBG/io)
		[ "$a" = "$b" ] && return 0
		a=$b i=$((i + 1))
	done
	echo "capacity: I/O still going on after 15 s"
	return 1
}
cap_line() { echo "capacity: $1: $(tr '\n' ' ' <$TCD/capstats)"; }
# nowait_exact LABEL: GFP_NOWAIT NULLs fall exactly on the evicted slabs.
nowait_exact() {
	e=$(cs tc0 evicted_slabs) m0=$(cs tc0 get_nowait_misses) r0=$(io reads)
	set -- $(tc nowait 0)
	m1=$(cs tc0 get_nowait_misses) r1=$(io reads)
	echo "capacity: nowait $LABEL: $* (NULLS SLABS SPLIT LIVE MISMATCHES), evicted_slabs $e"
	[ $# = 5 ] && [ "$2" = "$e" ] && [ "$3" = 0 ] && [ "$5" = 0 ] && [ "$e" -gt 0 ] &&
		pass "GFP_NOWAIT $LABEL: NULL for every object of the $e evicted slabs and no other ($1 NULLs of $4 live objects)" ||
		fail "GFP_NOWAIT $LABEL: NULL exactly when evicted" "NULLs on $2 slabs ($1 objects, $3 slabs split, $5 mismatches), evicted_slabs $e"
	[ "$((m1 - m0))" = "$1" ] && pass "GFP_NOWAIT $LABEL: get_nowait_misses counts each NULL (+$1)" ||
		fail "GFP_NOWAIT $LABEL: get_nowait_misses counts each NULL" "+$((m1 - m0)) for $1 NULLs"
	[ "$r1" = "$r0" ] && pass "GFP_NOWAIT $LABEL: no read issued" || fail "GFP_NOWAIT $LABEL: no read issued" "reads $r0 -> $r1"
}

# --- blktrace over the whole run: completions only ---
# The module's zone management tracepoint in the main buffer for the whole
# run (few events); every zns_slab event in an instance of its own.
T=/sys/kernel/tracing
echo 0 >$T/events/enable 2>/dev/null
echo >$T/trace
echo 1 >$T/events/zns_slab/zslab_zone_mgmt/enable
TI=$T/instances/capacity
mkdir -p $TI
echo 1 >$TI/events/zns_slab/enable
grep -v '^#' $DBG/zones >/tmp/cap-zones0.txt
blktrace -d $ZNS -a complete -b 1024 -n 16 -D /tmp -o cbt >/tmp/cbt.log 2>&1 &
btpid=$!
sleep 1

mark_dmesg
# ========== a working set 4x the cap, held by reference ==========
phase "working set"
expect_tc "create a cache of 128 B objects" 0 create 0 128
for k in resident_slabs evicted_slabs pinned_objs evictions readbacks readback_bytes \
	readback_errors get_nowait_misses evicted_desc_bytes; do
	isnum "$(cs tc0 $k)" && pass "debugfs cache/tc0 has $k" || fail "debugfs cache/tc0 has $k" "$(cs tc0 $k)"
done
for k in reads read_bytes reclaimed_zones relocated_bytes client_bytes device_bytes; do
	isnum "$(io $k)" && pass "debugfs io has $k" || fail "debugfs io has $k" "$(io $k)"
done
lat=$(grep -E '^read_latency[a-z_]*: ' $DBG/io | cut -d: -f1 | tr '\n' ' ')
case $lat in
*mean*max* | *max*mean*) pass "debugfs io has read latency mean and max ($lat)" ;;
*) fail "debugfs io has read latency mean and max" "read_latency fields: '$lat'" ;;
esac
case $(io write_amplification) in
[0-9]*.[0-9][0-9]) pass "debugfs io has write_amplification ($(io write_amplification))" ;;
*) fail "debugfs io has write_amplification (two decimals)" "$(io write_amplification)" ;;
esac

slab=$(cs tc0 slab_size) per=$(cs tc0 objs_per_slab)
cap=$((RES_MB * 1048576))
n=$((4 * cap / slab * per))
[ $n -gt 100000 ] && n=100000
expect_tc "capacity: $n objects of 128 B ($((n / per * slab / 1048576)) MiB of slabs, 4x resident_max_mb) by ref, $OPS random get/modify/put/free/free_ref/alloc, every get verified" \
	0 capacity 0 $n $OPS 1
cap_line "after $OPS operations"
echo "capacity: tc0: $(grep -E '^(slabs|resident_slabs|evicted_slabs|pinned_objs|evictions|readbacks|readback_bytes|readback_errors|get_nowait_misses|evicted_desc_bytes|magazine_objs|dirty_slabs): ' $DBG/cache/tc0 | tr '\n' ' ')"
echo "capacity: io: $(grep -E '^(reads|read_bytes|read_latency[a-z_]*|reclaimed_zones|relocated_bytes|client_bytes|device_bytes|write_amplification|errors): ' $DBG/io | tr '\n' ' ')"
check "capacity: no allocation failed" "$(capstat alloc_failed)" = 0
check "capacity: slabs were evicted ($(cs tc0 evictions) evictions, $(cs tc0 evicted_slabs) evicted now)" \
	"$(cs tc0 evictions)" -gt 0 -a "$(cs tc0 evicted_slabs)" -gt 0
check "capacity: evicted slabs were read back ($(cs tc0 readbacks) readbacks, $(cs tc0 readback_bytes) B)" \
	"$(cs tc0 readbacks)" -gt 0 -a "$(cs tc0 readback_bytes)" -ge $(($(cs tc0 readbacks) * slab))
check "capacity: read-backs issued reads (io reads $(io reads), $(io read_bytes) B)" "$(io reads)" -gt 0 -a "$(io read_bytes)" -gt 0
check "capacity: no read-back error" "$(cs tc0 readback_errors)" = 0
check "capacity: GFP_NOWAIT NULLs in the mix ($(capstat nowait_nulls)) = get_nowait_misses" \
	"$(capstat nowait_nulls)" = "$(cs tc0 get_nowait_misses)"
check "capacity: nothing pinned after the run" "$(cs tc0 pinned_objs)" = 0
d=$(cs tc0 evicted_desc_bytes)
check "capacity: DRAM kept per evicted slab of 128 B objects at most 1 % of the slab ($d B)" "$d" -le $((slab / 100))
# tracepoint_fired WHAT PATTERN: an event named like PATTERN exists and fired.
tracepoint_fired() {
	evs=$(ls $T/events/zns_slab | grep -E "$2" | tr '\n' ' ')
	hit=
	for ev in $evs; do grep -q " $ev:" $TI/trace && hit="$hit $ev"; done
	[ -n "$hit" ] && pass "tracepoint for $1 fired:$hit" || fail "tracepoint for $1 fired" "events matching '$2': '$evs', none in the trace"
}
tracepoint_fired eviction 'evict'
tracepoint_fired read-back 'read'
echo >$TI/trace
expect_tc "sync returns 0" 0 sync 0

# ========== resident memory within the cap ==========
phase "resident"
if wait_resident $RES_MB 10 tc0; then
	pass "resident slabs within resident_max_mb=$RES_MB + slack ($(resident_bytes tc0) B <= $cap + $(slack_bytes tc0) B)"
else
	fail "resident slabs within resident_max_mb=$RES_MB + slack" "$(resident_bytes tc0) B > $cap + $(slack_bytes tc0) B after 10 s"
fi

# ========== GFP_NOWAIT: NULL exactly when evicted ==========
wait_idle
LABEL="after the mix"; nowait_exact
expect_tc "getall: every object read back (GFP_KERNEL) and intact" 0 getall 0
wait_resident $RES_MB 10 tc0 && pass "reading everything back kept resident slabs within the cap ($(resident_bytes tc0) B)" ||
	fail "reading everything back kept resident slabs within the cap" "$(resident_bytes tc0) B"

# ========== resident_max_mb at run time ==========
phase "resident_max_mb at run time"
# Lower it (with a cap of 1 MiB, the step from no cap below covers it).
if [ $RES_MB -ge 2 ]; then
	half=$((RES_MB / 2))
	before=$(resident_bytes tc0)
	echo $half >$P
	if wait_resident $half 5 tc0; then
		pass "resident_max_mb $RES_MB -> $half at run time: resident slabs shrink ($before -> $(resident_bytes tc0) B) with no client activity"
	else
		r=$(resident_bytes tc0)
		tc gets 0 100 11 >/dev/null
		wait_resident $half 5 tc0 && how="only after the next gets: $(resident_bytes tc0) B" || how="not even after more gets: $(resident_bytes tc0) B"
		fail "resident_max_mb $RES_MB -> $half at run time: resident slabs shrink" "$before -> $r B in 5 s ($how)"
	fi
fi
echo 0 >$P
expect_tc "resident_max_mb=0 (no cap): getall reads every slab back, all intact" 0 getall 0
check "resident_max_mb=0: nothing evicted after getall" "$(cs tc0 evicted_slabs)" = 0
check "resident_max_mb=0: the whole working set is resident ($(resident_bytes tc0) B)" "$(resident_bytes tc0)" -ge $((3 * cap))
echo $RES_MB >$P
wait_resident $RES_MB 5 tc0 && pass "resident_max_mb 0 -> $RES_MB: resident slabs evicted down to the cap ($(resident_bytes tc0) B)" ||
	fail "resident_max_mb 0 -> $RES_MB: resident slabs evicted down to the cap" "$(resident_bytes tc0) B after 5 s"
wait_idle
LABEL="after resident_max_mb changes"; nowait_exact

# ========== a read fault ==========
phase "read fault"
F=/sys/kernel/debug/fail_make_request
if [ -d $F ] && [ -f /sys/block/${ZNS#/dev/}/make-it-fail ]; then
	expect_tc "sync before the faults returns 0" 0 sync 0
	e0=$(cs tc0 readback_errors) io_err0=$(io errors)
	mark_dmesg
	echo 0 >$F/verbose
	echo 100 >$F/probability
	echo 1 >$F/interval
	echo -1 >$F/times
	echo 1 >/sys/block/${ZNS#/dev/}/make-it-fail
	set -- $(tc gets 0 $FAULT_GETS 7)
	echo 0 >/sys/block/${ZNS#/dev/}/make-it-fail
	echo 0 >$F/probability
	logged=$(new_dmesg | grep -ci 'zns_slab')
	echo "capacity: reads failing: gets answered $* (NULLS MISMATCHES); readback_errors $e0 -> $(cs tc0 readback_errors); io errors $io_err0 -> $(io errors); $logged zns_slab log lines"
	[ $# = 2 ] && [ "$1" -gt 0 ] && [ "$2" = 0 ] &&
		pass "read fault: gets of evicted slabs return NULL ($1 of $FAULT_GETS), never wrong data" ||
		fail "read fault: gets of evicted slabs return NULL, never wrong data" "gets answered '$*'"
	check "read fault: counted in readback_errors ($e0 -> $(cs tc0 readback_errors))" "$(cs tc0 readback_errors)" -gt "$e0"
	check "read fault: logged, at most once per failed read ($logged lines)" "$logged" -ge 1 -a "$logged" -le "$1"
	wait_idle
	LABEL="after the read fault (failed slabs stay evicted)"; nowait_exact
	expect_tc "after the fault: every object read back intact" 0 getall 0
	expect_tc "after the fault: service continues (capacity mix, $((OPS / 4)) operations)" 0 capacity 0 $n $((OPS / 4)) 3
	expect_tc "after the fault: sync returns 0" 0 sync 0
else
	echo "capacity: no fail_make_request in this kernel: read fault not tested"
fi

# ========== 2 CPUs racing on slabs they share ==========
phase "2 CPUs on the 128 B objects"
ev0=$(cs tc0 evictions) rb0=$(cs tc0 readbacks)
expect_tc "capstress: 2 workers (CPU 0, 1) run the mix on the $n 128 B objects (even and odd slots: shared slabs)" 0 capstress 0 $n 0
sleep $RACE_SECONDS
expect_tc "capstress: every get verified, no NULL GFP_KERNEL get, for $RACE_SECONDS s of eviction racing 2 CPUs" 0 capstop 0
cap_line "after $RACE_SECONDS s on 2 CPUs"
check "capstress: no allocation failed" "$(capstat alloc_failed)" = 0
check "capstress: eviction and read-back ran meanwhile (evictions +$(($(cs tc0 evictions) - ev0)), readbacks +$(($(cs tc0 readbacks) - rb0)))" \
	"$(cs tc0 evictions)" -gt "$ev0" -a "$(cs tc0 readbacks)" -gt "$rb0"
check "capstress: nothing pinned after the workers stop" "$(cs tc0 pinned_objs)" = 0
expect_tc "capstress: sync returns 0" 0 sync 0
wait_idle
LABEL="after 2 CPUs raced"; nowait_exact
expect_tc "capstress: every object read back intact" 0 getall 0

# CAP_FILL=0 leaves this phase out (a shorter run).
if [ "${CAP_FILL:-1}" = 1 ]; then
# ========== the device written several times over, 2 CPUs racing ==========
phase "fill"
expect_tc "create a cache of $FILL_OBJ B objects" 0 create 1 $FILL_OBJ
slab1=$(cs tc1 slab_size)
tc0_bytes=$((($(cs tc0 resident_slabs) + $(cs tc0 evicted_slabs)) * slab))
# About 55 % of the data zones live: tc0, and tc1 at ~87 % slot occupancy
# (the mix frees 15 % of the slots it visits, refills every empty one).
n1=$(((D * 55 / 100 - tc0_bytes) / slab1 * $(cs tc1 objs_per_slab) * 100 / 87))
[ $n1 -lt 1000 ] && n1=1000
[ $n1 -gt 100000 ] && n1=100000
dev0=$(io device_bytes)
isnum "$dev0" || dev0=$(io append_bytes)
w0=$dev0 reclaimed0=$(io reclaimed_zones) rbe0=$(cs tc0 readback_errors)
expect_tc "capstress: 2 workers (CPU 0, 1) run the mix on $n1 $FILL_OBJ B objects by ref, a syncer syncs" 0 capstress 1 $n1 1
t0=$(date +%s) maxocc=0 maxzones=0 maxres=0 samples=0 toggle=0 still=0
while :; do
	sleep 1
	samples=$((samples + 1))
	w=$(io device_bytes); isnum "$w" || w=$(io append_bytes)
	set -- $(grep -v '^#' $DBG/zones | awk -v f=$first '$1 >= f && $7 == "seq_req" {
		w = $5 - $2; u += w > $4 ? $4 : w; if (w > 0) z++ } END { print u * 512, z + 0 }')
	occ=$(($1 * 100 / D))
	[ $occ -gt $maxocc ] && maxocc=$occ
	[ $2 -gt $maxzones ] && maxzones=$2
	r=$(resident_bytes tc0 tc1)
	[ "$r" -gt $maxres ] && maxres=$r
	# The cap moves while the workers run: eviction races allocation.
	toggle=$((1 - toggle))
	[ $toggle = 1 ] && echo $((RES_MB * 2)) >$P || echo $RES_MB >$P
	# Nothing written for 10 s: show the zones once (why the fill stalls).
	[ "$w" = "${wlast:-}" ] && still=$((still + 1)) || still=0
	wlast=$w
	[ $still = 10 ] && { echo "capacity: fill: nothing written for 10 s; zones:"; grep -v '^#' $DBG/zones | awk -v f=$first '$1 >= f'; }
	[ $((samples % 5)) = 0 ] && echo "capacity: fill: $(($(date +%s) - t0)) s, written $(((w - w0) / 1048576)) MiB, zones $occ % used, resident $((r / 1024)) KiB, reclaimed_zones $(io reclaimed_zones), relocated $(io relocated_bytes) B"
	[ $((w - w0)) -ge $((FILL_TIMES * D)) ] && break
	[ $(($(date +%s) - t0)) -ge $FILL_SECONDS ] && break
done
echo $RES_MB >$P
written=$((w - w0))
expect_tc "capstress: every get verified, no NULL GFP_KERNEL get, while eviction and reclaim ran" 0 capstop 1
cap_line "after the fill"
echo "capacity: io: $(grep -E '^(reads|read_bytes|read_latency[a-z_]*|reclaimed_zones|relocated_bytes|client_bytes|device_bytes|write_amplification|resets|finishes|errors|misplaced): ' $DBG/io | tr '\n' ' ')"
check "fill: no allocation failed" "$(capstat alloc_failed)" = 0
ns=$(capstat syncer_syncs) ne=$(capstat syncer_errors)
[ "$ne" = 0 ] && pass "fill: the syncer's $ns syncs all returned 0" ||
	fail "fill: the syncer's $ns syncs all returned 0" "$ne did not, the last with $(capstat syncer_last_error)"
check "fill: the device written $FILL_TIMES times over ($written B of $D B in $(($(date +%s) - t0)) s)" \
	"$written" -ge $((FILL_TIMES * D))
# How full the device got is the reclaimer's choice (it keeps a reserve of
# free zones): reported, not judged.
echo "capacity: fill: the data zones were at most $maxocc % written (write pointers), $maxzones of $data_zones in use"
check "fill: reclaim reset zones (reclaimed_zones $(io reclaimed_zones))" "$(io reclaimed_zones)" -gt "$reclaimed0"
check "fill: reclaim relocated live slabs (relocated_bytes $(io relocated_bytes))" "$(io relocated_bytes)" -gt 0
wa=$(io write_amplification) cb=$(io client_bytes) db=$(io device_bytes)
awk -v a="$wa" -v c="$cb" -v d="$db" 'BEGIN { a += 0; c += 0; d += 0; if (c <= 0 || a < 1 || d < c) exit 1; r = d / c - a; exit !(r < 0.01 && r > -0.01) }' &&
	pass "fill: write_amplification $wa = device_bytes $db / client_bytes $cb" ||
	fail "fill: write_amplification = device_bytes / client_bytes" "$wa, $db / $cb"
check "fill: tc1 slabs evicted and read back (evictions $(cs tc1 evictions), readbacks $(cs tc1 readbacks))" \
	"$(cs tc1 evictions)" -gt 0 -a "$(cs tc1 readbacks)" -gt 0
echo "capacity: fill: resident memory peaked at $maxres B (sampled every second, cap $cap-$((2 * cap)) B)"
tracepoint_fired reclaim 'reclaim|reloc'
echo 0 >$TI/events/zns_slab/enable
expect_tc "fill: sync of the $FILL_OBJ B cache returns 0" 0 sync 1
expect_tc "fill: sync of the 128 B cache returns 0" 0 sync 0
expect_tc "fill: every $FILL_OBJ B object intact after reclaim" 0 getall 1
expect_tc "fill: every 128 B object intact after reclaim (idle, evicted, relocated)" 0 getall 0
check "fill: no read-back error (tc0 $rbe0 -> $(cs tc0 readback_errors), the read fault's; tc1 $(cs tc1 readback_errors))" \
	"$(cs tc0 readback_errors) $(cs tc1 readback_errors)" = "$rbe0 0"
wait_resident $RES_MB 10 tc0 tc1 && pass "fill: resident slabs of both caches within the cap ($(resident_bytes tc0 tc1) B)" ||
	fail "fill: resident slabs of both caches within the cap" "$(resident_bytes tc0 tc1) B > $cap + $(slack_bytes tc0 tc1) B"
wait_idle
LABEL="after the fill"; nowait_exact
fi

# ========== blktrace ==========
phase "blktrace"
kill -INT $btpid
i=0; while kill -0 $btpid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -v '^#' $DBG/zones >/tmp/cap-zones1.txt
dropped=$(sed -n 's/.*(\([0-9]*\) dropped).*/\1/p; s/.*dropped \([0-9]*\).*/\1/p' /tmp/cbt.log | awk '{ s += $1 } END { print s + 0 }')
blkparse -i cbt -D /tmp -f '%a %d %S %n\n' 2>/dev/null | awk '$1 == "C" && NF == 4' >/tmp/cbt.txt
# The module's zone resets and finishes, in order (its tracepoint): blktrace
# shows both as empty writes at the zone's start.
sed -n 's/.*zslab_zone_mgmt: zone=[0-9]* start=\([0-9]*\) op=\([a-z]*\) ret=0.*/\1 \2/p' $T/trace >/tmp/cap-mgmt.txt
echo 0 >$T/events/zns_slab/zslab_zone_mgmt/enable
# Pass 1, in completion order: reads inside data zones, below what was
# written there; writes numbered by the reset epoch of their zone; no write
# after a finish.
awk -v zs=$zone_sectors -v meta="$meta" '
	BEGIN { split(meta, m, " "); ismeta[m[1]] = 1; ismeta[m[2]] = 1 }
	FILENAME == ARGV[1] { start[$1] = $2; zc[$1] = $4; hw[$1] = $5; ep[$1] = 0
		printf "B %d 0 %d 0\n", $1, $5; next }
	FILENAME == ARGV[2] { z = int($1 / zs); ops[z, ++nops[z]] = $2; next }
	{
		z = int($3 / zs); s = $3; n = $4
		if (!(z in start)) { printf "E event at sector %d outside every zone\n", s; next }
		if ($2 ~ /R/ && n > 0) {
			if (ismeta[z]) printf "E read in metadata zone %d at %d\n", z, s
			else if (s + n > hw[z]) printf "E read of zone %d at %d+%d beyond what was written (%d)\n", z, s, n, hw[z]
			reads++
		} else if ($2 ~ /W/ && n > 0) {
			if (fin[z]) printf "E write to finished zone %d at %d\n", z, s
			if (s + n > start[z] + zc[z]) printf "E write to zone %d at %d+%d beyond its capacity\n", z, s, n
			printf "W %d %d %d %d\n", z, ep[z], s, n
			if (s + n > hw[z]) hw[z] = s + n
			writes++
		} else if ($2 ~ /W/ && $2 !~ /F/ && n == 0) {
			# blkdev_issue_flush(): an empty write at sector 0 once
			# the flush machinery has taken its PREFLUSH flag off.
			if (s == 0 && seen[z] + 0 >= nops[z] + 0) { flushes++; next }
			if (s != start[z]) printf "E zone management of zone %d at %d, not its start\n", z, s
			op = ops[z, ++seen[z]]
			if (op == "finish") { fin[z] = 1; finishes++; next }
			if (op != "reset") unknown++
			ep[z]++; hw[z] = start[z]; fin[z] = 0; resets++
			printf "B %d %d %d 0\n", z, ep[z], start[z]
		}
	}
	END { printf "S %d reads %d writes %d resets %d finishes %d flushes %d zone ops the module did not trace\n",
		reads, writes, resets, finishes, flushes, unknown }
' /tmp/cap-zones0.txt /tmp/cap-mgmt.txt /tmp/cbt.txt >/tmp/cbt-pass1.txt
grep '^S ' /tmp/cbt-pass1.txt | sed 's/^S /capacity: blktrace: /'
# Pass 2, per zone and epoch in sector order: the writes are contiguous
# from the write pointer the epoch began at; the last epoch ends at the
# zone's write pointer now (unless the zone is full).
grep -E '^[BW] ' /tmp/cbt-pass1.txt | awk '{ print $2, $3, $4, ($1 == "B" ? 0 : 1), $5 }' |
	sort -k1,1n -k2,2n -k3,3n -k4,4n >/tmp/cbt-epochs.txt
awk '
	FNR == NR { wp[$1] = $5; cond[$1] = $6; next }
	$4 == 0 { cur[$1] = $3; next }
	{ if ($3 != cur[$1]) printf "E zone %d epoch %d: write at %d, write pointer was %d\n", $1, $2, $3, cur[$1]
	  cur[$1] = $3 + $5 }
	END { for (z in cur) if (cond[z] != "full" && cur[z] != wp[z])
		printf "E zone %d: writes end at %d, write pointer now %d\n", z, cur[z], wp[z] }
' /tmp/cap-zones1.txt /tmp/cbt-epochs.txt >/tmp/cbt-pass2.txt
grep '^E ' /tmp/cbt-pass1.txt /tmp/cbt-pass2.txt | cut -d: -f2- >/tmp/cbt-bad.txt
nr=$(sed -n 's/^S \([0-9]*\) reads.*/\1/p' /tmp/cbt-pass1.txt)
nw=$(sed -n 's/^S [0-9]* reads \([0-9]*\) writes.*/\1/p' /tmp/cbt-pass1.txt)
check "blktrace: no event dropped" "$dropped" = 0
if [ "${nw:-0}" -gt 0 ] && [ "${nr:-0}" -gt 0 ] && [ ! -s /tmp/cbt-bad.txt ]; then
	pass "blktrace: $nw writes all at their zone's write pointer, $nr reads all inside data zones below what was written"
else
	fail "blktrace: writes at write pointers, reads inside data zones" \
		"$nw writes, $nr reads, $(wc -l </tmp/cbt-bad.txt) violations: $(head -n 3 /tmp/cbt-bad.txt | tr '\n' ' ')"
fi
zones_match_nvme "zones equal nvme zns report-zones after the run"

# ========== teardown ==========
phase "teardown"
rmdir $TI 2>/dev/null
[ "${CAP_FILL:-1}" = 1 ] && expect_tc "destroy the $FILL_OBJ B cache" 0 destroy 1
expect_tc "destroy the 128 B cache" 0 destroy 0
sleep 0.5
# Every zone but the two metadata zones: the relocation zone too.
grep -v '^#' $DBG/zones | awk -v meta="$meta" 'BEGIN { split(meta, m, " ") }
	$1 != m[1] && $1 != m[2] && $5 != $2 { print "zone " $1 " (" $8 ") wp " $5 - $2 " sectors in" }' >/tmp/cap-left.txt
[ ! -s /tmp/cap-left.txt ] && pass "every data zone and the relocation zone reset once the caches are gone" ||
	fail "every data zone and the relocation zone reset once the caches are gone" "$(head -n 3 /tmp/cap-left.txt | tr '\n' ' ')"
expect "test client unloads" rmmod zslab_testclient
expect "zns_slab unloads" unload_zns_slab
dmesg_clean "no WARN, BUG, Oops, KASAN or lockdep report in dmesg"
exit $T_FAILED
