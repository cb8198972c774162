# Integration: more slabs than one zone holds. A cache of one-object slabs
# is filled past a zone's capacity and synced: the module must close the
# full zone (finishing it on the device if space is left), open the next one,
# keep nvme-cli's view equal to its own, and reset every zone once the
# objects are freed.
. /test/lib.sh

[ "$(load_zns_slab device=$ZNS writeback_ms=0)" = "load: ok" ] || { fail "zns_slab loads" "refused"; exit 1; }
[ "$(ztool load /test/zslab_testclient.ko)" = "load: ok" ] || { fail "test client loads" "refused"; exit 1; }
cap=$(sed -n 's/^zone_capacity_bytes: //p' $DBG/device)

expect_tc "create a cache of 4 KiB objects (one per slab)" 0 create 0 4096
img=$(cstat tc0 slab_size)
n=$((cap / img + cap / img / 4))
expect_tc "fill $n objects: 1.25 zones of slabs" 0 fill 0 $n
expect_tc "sync returns 0" 0 sync 0
[ "$(cstat tc0 slabs_written)" = "$n" ] && pass "each slab's data written once ($n)" ||
	fail "each slab's data written once" "$(cstat tc0 slabs_written) of $n"
ratio=$(cstat tc0 device_bytes_per_slab_byte)
awk -v r=$ratio 'BEGIN { exit !(r > 1 && r <= 1.04) }' && pass "device bytes per slab byte $ratio (at most 1.04)" ||
	fail "device bytes per slab byte at most 1.04" "$ratio"
zones_used=$(grep -v '^#' $DBG/zones | awk '$5 != $2' | wc -l)
[ "$zones_used" -ge 2 ] && pass "writing went on in a second zone ($zones_used zones written)" ||
	fail "writing went on in a second zone" "$zones_used zones written"
full=$(grep -v '^#' $DBG/zones | awk '$6 == "full"' | wc -l)
[ "$full" -ge 1 ] && pass "the first zone is full (finished if space was left)" || fail "the first zone is full" "no full zone"
[ "$(iostat zones_open)" -le "$(iostat zone_budget)" ] && pass "zone tokens within the budget ($(iostat zones_open)/$(iostat zone_budget))" ||
	fail "zone tokens within the budget" "$(iostat zones_open) > $(iostat zone_budget)"
zones_match_nvme "zones equal nvme zns report-zones with a zone full"
expect_tc "every object kept its pattern" 0 verify 0

expect_tc "free every object" 0 freeall 0
expect_tc "sync after freeing everything returns 0" 0 sync 0
sleep 0.5
used=$(grep -v '^#' $DBG/zones | awk '$8 != "reserved" && $5 != $2' | wc -l)
[ "$(cstat tc0 tombstones_written)" -gt 0 ] && pass "emptied slabs were buried by tombstones ($(cstat tc0 tombstones_written))" ||
	fail "emptied slabs were buried by tombstones" "none written"
[ "$used" = 0 ] && pass "zones whose data all died were reset" || fail "zones whose images all died were reset" "$used still written"
zones_match_nvme "zones equal nvme zns report-zones after the resets"
[ "$(iostat zones_open)" = 0 ] && pass "every zone token returned" || fail "every zone token returned" "$(iostat zones_open) in use"
expect_tc "destroy the cache" 0 destroy 0
expect "test client unloads" rmmod zslab_testclient
expect "zns_slab unloads" unload_zns_slab
dmesg_clean "no WARN, BUG or Oops in dmesg"
exit $T_FAILED
