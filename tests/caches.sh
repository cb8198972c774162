# Integration: a real client module (examples/zslab_example.ko) allocates
# through zns_slab; the caches table and the cache's stats file show it, and
# everything is gone again when the client unloads.
. /test/lib.sh

[ "$(load_zns_slab device=$ZNS)" = "load: ok" ] || { fail "zns_slab loads" "refused"; exit 1; }
mark_dmesg
ans=$(ztool load /test/zslab_example.ko sessions=1000 free_every=4)
[ "$ans" = "load: ok" ] && pass "example client loads and allocates" || fail "example client loads and allocates" "$ans"

row=$(grep '^example_session ' $DBG/caches)
set -- $row
# name id objsize stride slabsize objperslab active_objs total_objs slabs partial empty magazine_objs bytes loss full_overhead_pct
[ "$3" = 64 ] && pass "caches: object size 64" || fail "caches: object size 64" "row '$row'"
[ "$5" = 4096 ] && [ "$6" = 64 ] && pass "caches: 4 KiB slabs of 64 objects" || fail "caches: 4 KiB slabs of 64 objects" "row '$row'"
[ "$7" = 750 ] && pass "caches: 750 active objects (1000 allocated, 250 freed)" ||
	fail "caches: 750 active objects" "active_objs $7"
[ "$8" = $(($9 * 64)) ] && pass "caches: total objects = slabs x objects per slab" || fail "caches: total = slabs x per slab" "row '$row'"
[ "$9" -ge 16 ] && [ "$9" -le 18 ] && pass "caches: 1000 objects need 16 slabs (+ reserve)" || fail "caches: slab count" "$9 slabs"
[ "${13}" = $(($9 * (4096 + $(sed -n 's/^slab_desc_bytes: //p' $DBG/cache/example_session)))) ] &&
	pass "caches: bytes = slabs x (slab + descriptor)" || fail "caches: bytes" "row '$row'"
[ "${14}" = $((${13} - 750 * 64)) ] && pass "caches: loss = bytes - active x object size" || fail "caches: loss" "row '$row'"

stat() { sed -n "s/^$1: //p" $DBG/cache/example_session; }
[ $(($(stat alloc_fast) + $(stat alloc_slow))) = 1000 ] && pass "stats: alloc_fast + alloc_slow = 1000" ||
	fail "stats: alloc_fast + alloc_slow = 1000" "$(stat alloc_fast) + $(stat alloc_slow)"
[ $(($(stat free_fast) + $(stat free_slow))) = 250 ] && pass "stats: free_fast + free_slow = 250" ||
	fail "stats: free_fast + free_slow = 250" "$(stat free_fast) + $(stat free_slow)"
for m in double_free foreign_free other_cache_free misaligned_free alloc_failed; do
	[ "$(stat $m)" = 0 ] || fail "stats: no $m" "$(stat $m)"
done
pass "stats: no misuse and no failed allocation counted"

expect "example client unloads" rmmod zslab_example
new_dmesg | grep -q 'zslab_example: done, 0 sessions found changed' && pass "every object kept its contents until unload" ||
	fail "every object kept its contents until unload" "$(new_dmesg | tail -n 2)"
grep -q '^example_session ' $DBG/caches && fail "cache gone from caches after destroy" "still listed" ||
	pass "cache gone from caches after destroy"
[ -e $DBG/cache/example_session ] && fail "stats file removed after destroy" "still there" || pass "stats file removed after destroy"
expect "zns_slab unloads" unload_zns_slab
dmesg_clean "no WARN, BUG or Oops in dmesg"
exit $T_FAILED
