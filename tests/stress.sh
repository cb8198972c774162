# Integration: the witness of sync. Two CPUs allocate, free, rewrite and
# mark objects while a third context syncs in a loop (and background
# writeback runs every 100 ms). Every few seconds the workers pause, a sync
# must return 0 (background writeback has nothing left to write then), and
# ztool witness reads the zones directly and compares,
# slab by slab, the newest entry on the device with what the client holds:
# every live object byte for byte, every freed slot zero, no slab the client
# emptied still shown live. STRESS_SECONDS long (default 60).
. /test/lib.sh

secs=${STRESS_SECONDS:-60}
# Data zones only: the first two hold the module's own metadata.
data_zones_busy() { nvme_zones $ZNS | tail -n +3 | awk '$4 != "empty"' | wc -l; }
busy=$(data_zones_busy)
[ "$busy" = 0 ] && pass "stress: every data zone empty before the run" ||
	fail "stress: every data zone empty before the run" "$busy zones hold data"
[ "$(load_zns_slab device=$ZNS writeback_ms=100)" = "load: ok" ] || { fail "zns_slab loads" "refused"; exit 1; }
[ "$(ztool load /test/zslab_testclient.ko)" = "load: ok" ] || { fail "test client loads" "refused"; exit 1; }

mark_dmesg
expect_tc "create a cache of 64 B objects" 0 create 0 64
expect_tc "create a cache of 700 B objects" 0 create 1 700
id0=$(cstat tc0 id) id1=$(cstat tc1 id)
# Booted without init_on_alloc (the 6.12 run), the caches do not zero at
# allocation, and the witness checks that unmarked bytes stay off the device.
if grep -q 'init_on_alloc=0' /proc/cmdline; then
	z="$(cstat tc0 zero_at_alloc) $(cstat tc1 zero_at_alloc)"
	t="stress: without init_on_alloc the caches do not zero at allocation"
	[ "$z" = "0 0" ] && pass "$t" || fail "$t" "zero_at_alloc: $z"
fi
expect_tc "stress 64 B objects: 2 workers on 6000 slots and a syncer" 0 stress 0 6000
expect_tc "stress 700 B objects: 2 workers on 1000 slots and a syncer" 0 stress 1 1000

end=$(($(date +%s) + secs))
rounds=0 bad=0 syncs_bad=0 objs=0
while [ "$(date +%s)" -lt $end ]; do
	sleep 3
	# Both caches stop, so nothing is appended while the zones are read
	# (an append in flight shows its zone's new write pointer before its
	# data is on the device).
	for i in 0 1; do
		n=$(tc pause $i)
		[ "$n" = 0 ] || syncs_bad=$n
	done
	for i in 0 1; do
		eval id=\$id$i
		r=$(tc sync $i)
		[ "$r" = 0 ] || { bad=$((bad + 1)); echo "stress: sync of tc$i returned $r"; }
		tc dump $i >/dev/null
		cat /sys/kernel/debug/zslab_testclient/objects >/tmp/objects.txt
		objs=$((objs + $(wc -l </tmp/objects.txt)))
		if ! ztool witness $ZNS $id /tmp/objects.txt >/tmp/witness.txt; then
			bad=$((bad + 1))
			cat /tmp/witness.txt
		fi
	done
	for i in 0 1; do tc resume $i >/dev/null; done
	rounds=$((rounds + 1))
done
[ "$rounds" -gt 0 ] && [ "$bad" = 0 ] &&
	pass "stress: $rounds rounds of $secs s, every sync 0 and the device equal to the client ($objs objects compared)" ||
	fail "stress: the device equals the client after every sync" "$bad mismatching rounds of $rounds"
expect_tc "stress: the syncer's syncs of tc0 all returned 0" 0 stop 0
expect_tc "stress: the syncer's syncs of tc1 all returned 0" 0 stop 1
[ "$syncs_bad" = 0 ] || fail "stress: syncs while paused" "$syncs_bad returned non-zero"
expect_tc "every 64 B object kept its pattern" 0 verify 0
expect_tc "every 700 B object kept its pattern" 0 verify 1
[ "$(iostat errors)" = 0 ] && [ "$(iostat misplaced)" = 0 ] && pass "stress: no I/O error, no misplaced append" ||
	fail "stress: no I/O error, no misplaced append" "errors $(iostat errors) misplaced $(iostat misplaced)"
# Whether a slab empties during the run is chance (a 700 B slab holds 5
# objects, each live two thirds of the time): empty the 700 B cache on
# purpose, so every slab it wrote must be buried by a tombstone.
t=$(iostat tombstones)
expect_tc "free every 700 B object" 0 freeall 1
expect_tc "sync of the emptied 700 B cache returns 0" 0 sync 1
t2=$(iostat tombstones)
[ "$t2" -gt "$t" ] && pass "stress: the emptied slabs were buried by tombstones ($t during the run, $((t2 - t)) after)" ||
	fail "stress: the emptied slabs were buried by tombstones" "$t during the run, $t2 after"
tc dump 1 >/dev/null
cat /sys/kernel/debug/zslab_testclient/objects >/tmp/objects.txt
ztool witness $ZNS $id1 /tmp/objects.txt >/tmp/witness.txt &&
	pass "stress: the device shows no live 700 B object" ||
	{ fail "stress: the device shows no live 700 B object" "witness disagrees"; cat /tmp/witness.txt; }
expect_tc "destroy the 64 B cache" 0 destroy 0
expect_tc "destroy the 700 B cache" 0 destroy 1
expect "test client unloads" rmmod zslab_testclient
expect "zns_slab unloads" unload_zns_slab
busy=$(data_zones_busy)
[ "$busy" = 0 ] && pass "stress: every zone reset once the caches are gone" ||
	fail "stress: every zone reset once the caches are gone" "$busy zones hold data"
dmesg_clean "no WARN, BUG, Oops, KASAN or lockdep report in dmesg"
exit $T_FAILED
