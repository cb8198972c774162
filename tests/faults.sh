# Fault injection (debug kernel): fail_make_request fails every bio to the
# ZNS namespace during writeback. Sync must answer -EIO, allocation must go
# on, and once the faults stop the next sync must succeed with every object
# intact and the zones consistent with the device. KASAN and lockdep stay
# silent (checked by dmesg_clean).
. /test/lib.sh

F=/sys/kernel/debug/fail_make_request
[ -d $F ] || { fail "fail_make_request available" "no $F"; exit 1; }
[ "$(load_zns_slab device=$ZNS writeback_ms=0)" = "load: ok" ] || { fail "zns_slab loads" "refused"; exit 1; }
[ "$(ztool load /test/zslab_testclient.ko)" = "load: ok" ] || { fail "test client loads" "refused"; exit 1; }

expect_tc "create a cache" 0 create 0 128
expect_tc "churn before the faults" 0 churn 0 2000 6000
expect_tc "sync before the faults returns 0" 0 sync 0

faults_on() {
	echo 0 >$F/verbose
	echo 100 >$F/probability
	echo -1 >$F/times
	echo 1 >/sys/block/${ZNS#/dev/}/make-it-fail
}
faults_off() { echo 0 >/sys/block/${ZNS#/dev/}/make-it-fail; }

errors_before=$(iostat errors)
faults_on
expect_tc "allocation goes on while every write fails" 0 churn 0 2000 6000
expect_tc "sync while writes fail returns -EIO" -5 sync 0
expect_tc "churn between failed syncs" 0 churn 0 2000 2000
expect_tc "the next sync still returns -EIO" -5 sync 0
[ "$(iostat errors)" -gt "$errors_before" ] && pass "io: errors counted ($(iostat errors))" ||
	fail "io: errors counted" "$(iostat errors)"
[ "$(cstat tc0 write_errors)" -gt 0 ] && pass "cache: failed images counted ($(cstat tc0 write_errors))" ||
	fail "cache: failed images counted" "0"
grep -q ' error ' $DBG/zones && pass "the zone that failed is marked error" || fail "the zone that failed is marked error" "none"
faults_off

expect_tc "sync after the faults stop returns 0" 0 sync 0
expect_tc "every object kept its pattern through the faults" 0 verify 0
expect_tc "references still resolve" 0 refs 0
[ "$(cstat tc0 dirty_slabs)" = 0 ] && pass "no dirty slab left" || fail "no dirty slab left" "$(cstat tc0 dirty_slabs)"
zones_match_nvme "zones equal nvme zns report-zones after recovery"
expect_tc "churn and sync once more" 0 churn 0 2000 4000
expect_tc "sync returns 0 again" 0 sync 0

# Slab growth failing through the kernel's fault-injection framework
# (debugfs zns_slab/fail_slab_alloc, the fault_attr knobs failslab has).
FS=$DBG/fail_slab_alloc
if [ -d $FS ]; then
	echo 0 >$FS/verbose
	echo 100 >$FS/probability
	echo 5 >$FS/times
	expect_tc "create a cache of 2 KiB objects" 0 create 1 2048
	got=$(tc fill 1 1)
	echo 0 >$FS/probability
	[ "$got" = 1 ] && pass "fail_slab_alloc: a cache's growth fails as injected (the allocation returns NULL)" ||
		fail "fail_slab_alloc: growth fails as injected" "fill answered $got failures"
	[ "$(cstat tc1 alloc_failed)" = 1 ] && pass "fail_slab_alloc: the failed allocation is counted" ||
		fail "fail_slab_alloc: the failed allocation is counted" "$(cstat tc1 alloc_failed)"
	expect_tc "fail_slab_alloc off: the cache grows again" 0 fill 1 100
	expect_tc "destroy the 2 KiB cache" 0 destroy 1
else
	fail "fail_slab_alloc in debugfs" "no $FS"
fi

expect_tc "destroy the cache" 0 destroy 0
used=$(grep -v '^#' $DBG/zones | awk '$8 != "reserved" && $5 != $2' | wc -l)
[ "$used" = 0 ] && pass "every zone reset after destroy, error zones included" ||
	fail "every zone reset after destroy" "$used zones written: $(grep -v '^#' $DBG/zones | awk '$5 != $2' | head -n 2 | tr '\n' ' ')"
expect "test client unloads" rmmod zslab_testclient
expect "zns_slab unloads" unload_zns_slab
dmesg_clean "no WARN, BUG, Oops, KASAN or lockdep report in dmesg"
exit $T_FAILED
