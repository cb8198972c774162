# Integration: slabs reach the zones. A client churns two caches and syncs;
# blktrace must show every append landing contiguously at its zone's write
# pointer, only in zones the module opened; nvme-cli must see the write
# pointers debugfs shows; the zones must hold v2 segments; and
# destroying the caches must reset their zones.
. /test/lib.sh

[ "$(load_zns_slab device=$ZNS writeback_ms=0)" = "load: ok" ] || { fail "zns_slab loads" "refused"; exit 1; }
[ "$(ztool load /test/zslab_testclient.ko)" = "load: ok" ] || { fail "test client loads" "refused"; exit 1; }
zone_sectors=$(($(sed -n 's/^zone_size_bytes: //p' $DBG/device) / 512))

T=/sys/kernel/tracing
echo 1 >$T/events/zns_slab/enable && echo >$T/trace
(cd /tmp && blktrace -d $ZNS -o bt -w 120 >/tmp/bt.log 2>&1 &)
sleep 1

expect_tc "create a cache of 64 B objects" 0 create 0 64
expect_tc "create a cache of 700 B objects" 0 create 1 700
expect_tc "churn 64 B objects (3000 live, 20000 operations)" 0 churn 0 3000 20000
expect_tc "churn 700 B objects (500 live, 4000 operations)" 0 churn 1 500 4000
sleep 1
[ "$(cstat tc0 slabs_written)" = 0 ] && [ "$(cstat tc0 dirty_slabs)" -gt 0 ] &&
	pass "writeback_ms=0: dirty slabs wait for a sync" ||
	fail "writeback_ms=0: dirty slabs wait for a sync" "written $(cstat tc0 slabs_written), dirty $(cstat tc0 dirty_slabs)"
echo 200 >/sys/module/zns_slab/parameters/writeback_ms
i=0; while [ "$(cstat tc0 slabs_written)" = 0 ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cstat tc0 slabs_written)" -gt 0 ] && pass "writeback_ms=200 at run time starts background writeback" ||
	fail "writeback_ms=200 at run time starts background writeback" "nothing written in 3 s"
expect_tc "churn again while background writeback runs" 0 churn 0 3000 5000
expect_tc "sync of the 64 B cache returns 0" 0 sync 0
expect_tc "sync of the 700 B cache returns 0" 0 sync 1
expect_tc "every object kept its pattern" 0 verify 0
expect_tc "every 700 B object kept its pattern" 0 verify 1
expect_tc "ref -> get -> put gives each object back" 0 refs 0

killall -INT blktrace
i=0; while pidof blktrace >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# --- what the module says it wrote ---
for c in tc0 tc1; do
	w=$(cstat $c slabs_written) b=$(cstat $c bytes_written) slab=$(cstat $c slab_size)
	[ "$w" -gt 0 ] && [ "$b" = $((w * slab)) ] && pass "$c: $w slabs of $slab B written, no padding" ||
		fail "$c: slabs written" "written $w, bytes $b, slab $slab"
	d=$(cstat $c device_bytes)
	[ "$d" -gt "$b" ] && pass "$c: device bytes ($d) are the slab data and its summaries" ||
		fail "$c: device bytes" "$d for $b B of slab data"
	[ "$(cstat $c dirty_slabs)" = 0 ] && pass "$c: no dirty slab left after sync" ||
		fail "$c: no dirty slab left after sync" "$(cstat $c dirty_slabs)"
	[ "$(cstat $c write_errors)" = 0 ] || fail "$c: no write error" "$(cstat $c write_errors)"
done
[ "$(iostat errors)" = 0 ] && [ "$(iostat misplaced)" = 0 ] && pass "io: no error, no misplaced append" ||
	fail "io: no error, no misplaced append" "errors $(iostat errors) misplaced $(iostat misplaced)"
[ "$(iostat appends)" = "$(iostat bios)" ] && pass "io: one segment per append bio" ||
	fail "io: one segment per append bio" "$(iostat appends) segments, $(iostat bios) bios"
[ "$(iostat slab_data_bytes)" = $(($(cstat tc0 bytes_written) + $(cstat tc1 bytes_written))) ] &&
	pass "io: slab data bytes = what the caches wrote" || fail "io: slab data bytes" "$(iostat slab_data_bytes)"
[ "$(iostat flushes)" -ge 2 ] && pass "io: each sync ended with a flush" || fail "io: flushes" "$(iostat flushes)"
z0=$(cstat tc0 open_zone) z1=$(cstat tc1 open_zone)
budget=$(iostat zone_budget)
if [ "$budget" -ge 2 ]; then
	[ "$z0" != "$z1" ] && pass "each cache appends to its own zone ($z0, $z1)" || fail "each cache has its own zone" "both $z0"
else
	pass "one zone open for data (budget $budget): caches share it"
fi

# --- what the device says ---
zones_match_nvme "zones: write pointers and conditions equal nvme zns report-zones"

# --- blktrace: every completed write, in sectors ---
blkparse -i /tmp/bt -f '%a %d %S %n\n' 2>/dev/null | awk '$1 == "C" && $2 ~ /W/ && $4 > 0 { print $3, $4 }' |
	sort -n >/tmp/writes.txt
nw=$(wc -l </tmp/writes.txt)
[ "$nw" -gt 0 ] && pass "blktrace saw $nw completed writes" || fail "blktrace saw writes" "none"
[ "$nw" = "$(iostat bios)" ] && pass "blktrace: one write per append bio" || fail "blktrace: one write per bio" "$nw writes, $(iostat bios) bios"
grep -v '^#' $DBG/zones >/tmp/zones.txt
awk -v zs=$zone_sectors '
	FNR == NR { use[$1] = $8; wp[$1] = $5; start[$1] = $2; next }
	{
		z = int($1 / zs)
		if (use[z] != "open" && use[z] != "full") { printf "write to %s zone %d at %d\n", use[z], z, $1; bad = 1 }
		if (!(z in end)) end[z] = start[z]
		if ($1 != end[z]) { printf "zone %d: write at %d, write pointer was %d\n", z, $1, end[z]; bad = 1 }
		end[z] = $1 + $2
	}
	END {
		for (z in end) if (end[z] != wp[z]) { printf "zone %d: writes end at %d, wp %d\n", z, end[z], wp[z]; bad = 1 }
		exit bad
	}' /tmp/zones.txt /tmp/writes.txt >/tmp/bt-check.txt
[ $? = 0 ] && pass "blktrace: every write landed at its zone's write pointer, in open zones only" ||
	fail "blktrace: every write landed at its zone's write pointer" "$(head -n 3 /tmp/bt-check.txt | tr '\n' ' ')"

# --- the device holds segments, and what the caches hold ---
zone=$(awk '$8 == "open" || $8 == "full" { print $1; exit }' /tmp/zones.txt)
start=$(awk -v z=$zone '$1 == z { print $2 }' /tmp/zones.txt)
magic=$(dd if=$ZNS bs=512 skip=$start count=1 iflag=direct 2>/dev/null | head -c 4)
[ "$magic" = ZSSG ] && pass "zone $zone starts with a segment (magic ZSSG)" || fail "zone starts with a segment" "read '$magic'"
for i in 0 1; do
	tc dump $i >/dev/null
	cat /sys/kernel/debug/zslab_testclient/objects >/tmp/objects.txt
	ztool witness $ZNS $(cstat tc$i id) /tmp/objects.txt >/tmp/witness.txt &&
		pass "witness: the device's newest entries equal what tc$i holds ($(cut -d' ' -f2- /tmp/witness.txt))" ||
		fail "witness: the device equals tc$i" "$(head -n 4 /tmp/witness.txt | tr '\n' ' ')"
done

# --- tracepoints ---
for ev in zslab_wb_submit zslab_wb_complete; do
	grep -q "$ev:" $T/trace && pass "tracepoint $ev fired" || fail "tracepoint $ev fired" "not in trace"
done

# --- volatile caches leave nothing behind ---
expect_tc "destroy the 64 B cache" 0 destroy 0
expect_tc "destroy the 700 B cache" 0 destroy 1
sleep 0.5
grep -q "zslab_zone_mgmt:.*op=reset ret=0" $T/trace && pass "tracepoint zslab_zone_mgmt fired for resets" ||
	fail "tracepoint zslab_zone_mgmt fired for resets" "not in trace"
echo 0 >$T/events/zns_slab/enable
used=$(awk '$8 != "reserved" && $5 != $2' $DBG/zones | grep -vc '^#')
[ "$used" = 0 ] && pass "every zone the caches used was reset" || fail "every zone the caches used was reset" "$used zones still written"
[ "$(iostat resets)" -gt 0 ] && pass "io: resets counted ($(iostat resets))" || fail "io: resets counted" "0"
zones_match_nvme "zones after reset equal nvme zns report-zones"
# The reserved zones hold the superblock: every data zone is empty.
first=$(iostat first_data_zone)
left=$(nvme_zones $ZNS | tail -n +$((first + 1)) | awk '$4 != "empty"')
[ -z "$left" ] && pass "device: every data zone empty again" ||
	fail "device: every data zone empty again" "$(echo "$left" | head -n 2 | tr '\n' ' ')"

expect "test client unloads" rmmod zslab_testclient
expect "zns_slab unloads" unload_zns_slab
dmesg_clean "no WARN, BUG or Oops in dmesg"
exit $T_FAILED
