# Integration: a full device (../shared/DESIGN.md §3, issue 12). A cache
# holds more live data than the data zones can: its sync returns -ENOSPC
# (-28) once reclaim cannot free a zone, allocation goes on from DRAM while
# memory allows, and under a resident cap with nothing evictable (every
# object pinned) allocation returns NULL. Once the cache is gone, the
# zones come back.
. /test/lib.sh

[ "$(load_zns_slab device=$ZNS writeback_ms=0)" = "load: ok" ] || { fail "zns_slab loads" "refused"; exit 1; }
[ "$(ztool load /test/zslab_testclient.ko)" = "load: ok" ] || { fail "test client loads" "refused"; exit 1; }
P=/sys/module/zns_slab/parameters/resident_max_mb
zcap=$(sed -n 's/^zone_capacity_bytes: //p' $DBG/device)
first=$(iostat first_data_zone)
data_zones=$(grep -v '^#' $DBG/zones | awk -v f=$first '$1 >= f && $7 == "seq_req" && $8 != "unusable"' | wc -l)
D=$((data_zones * zcap))

mark_dmesg
expect_tc "full device: create a cache of 4 KiB objects (one per slab)" 0 create 0 4096
n=$((D / 4096 * 6 / 5))
expect_tc "full device: $n objects (1.2 x the $data_zones data zones) allocated from DRAM" 0 fill 0 $n
r=$(tc sync 0)
[ "$r" = -28 ] && pass "full device: sync returns -ENOSPC: no zone takes the rest, reclaim frees none" ||
	fail "full device: sync returns -ENOSPC" "returned $r"
w=$(cstat tc0 slabs_written)
[ "$w" -gt $((n / 2)) ] && [ "$w" -lt "$n" ] && pass "full device: what fit was written ($w of $n slabs)" ||
	fail "full device: what fit was written" "$w of $n slabs"
[ "$(iostat errors)" = 0 ] && [ "$(iostat misplaced)" = 0 ] && pass "full device: no I/O error, no misplaced append" ||
	fail "full device: no I/O error, no misplaced append" "errors $(iostat errors) misplaced $(iostat misplaced)"
expect_tc "full device: allocation goes on from DRAM (100 more objects)" 0 fill 0 $((n + 100))
r=$(tc sync 0)
[ "$r" = -28 ] && pass "full device: the next sync is -ENOSPC too" || fail "full device: the next sync is -ENOSPC too" "returned $r"

# Objects left free in slabs already in DRAM (a refill grows the cache by
# up to 16 slabs at once) are still handed out; a new slab is not.
echo 1 >$P
s0=$(cstat tc0 slabs) a0=$(cstat tc0 alloc_failed)
f=$(tc fill 0 $((n + 200)))
s1=$(cstat tc0 slabs)
[ "$f" -ge 84 ] && [ "$s1" = "$s0" ] &&
	pass "full device: resident_max_mb=1, every object pinned: $f of 100 allocations return NULL, the rest from slabs in DRAM ($s0 slabs before and after)" ||
	fail "full device: at the resident cap with nothing evictable, allocation returns NULL" "$f of 100 failed, slabs $s0 -> $s1"
[ "$(cstat tc0 alloc_failed)" = $((a0 + f)) ] && pass "full device: alloc_failed counts them ($a0 -> $(cstat tc0 alloc_failed))" ||
	fail "full device: alloc_failed counts them" "$a0 -> $(cstat tc0 alloc_failed), $f NULL"
echo 0 >$P
expect_tc "full device: every object kept its pattern" 0 verify 0

# Data zones not free, and whether every one is (waits up to 5 s for resets).
busy_zones() {
	grep -v '^#' $DBG/zones | awk -v f=$first '$1 >= f && $8 != "free"' | wc -l
}
all_zones_free() {
	local i=0
	while [ "$(busy_zones)" != 0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(busy_zones)" = 0 ]
}

# The client frees everything: there is no room for tombstones, and none
# is needed (a volatile cache's stale images are read by nobody), so the
# images are dropped, the sync succeeds and every zone comes free.
t0=$(cstat tc0 tombstones_not_needed)
expect_tc "full device: the client frees everything" 0 freeall 0
expect_tc "full device: then sync returns 0" 0 sync 0
t1=$(cstat tc0 tombstones_not_needed)
[ "$t1" -gt "$t0" ] && pass "full device: the emptied slabs' images were dropped, no tombstone written (tombstones_not_needed $t0 -> $t1)" ||
	fail "full device: the emptied slabs' images were dropped" "tombstones_not_needed $t0 -> $t1"
all_zones_free && pass "full device: every data zone reset and free again" ||
	fail "full device: every data zone reset and free again" "$(busy_zones) zones in use"
expect_tc "full device: the cache writes again: 1000 objects" 0 fill 0 1000
expect_tc "full device: and syncs them" 0 sync 0
expect_tc "full device: every object kept its pattern" 0 verify 0
expect_tc "full device: destroy the cache" 0 destroy 0
all_zones_free && pass "full device: every data zone reset and free again once the cache is gone" ||
	fail "full device: every data zone reset and free again once the cache is gone" "$(busy_zones) zones in use"
zones_match_nvme "full device: zones equal nvme zns report-zones"
expect "full device: test client unloads" rmmod zslab_testclient
expect "full device: zns_slab unloads" unload_zns_slab
dmesg_clean "full device: no WARN, BUG, Oops, KASAN or lockdep report in dmesg"
exit $T_FAILED
