# shellcheck shell=sh
# UML smoke test (make check): the module built for ARCH=um loads on the
# zoned null_blk of scripts/uml.sh, sees its geometry, serves a cache whose
# slabs reach the device, and unloads cleanly.
# UML's one block device is the zoned null_blk; there is no conventional one.
ZNS=/dev/nullb0 CONV=none
. /test/lib.sh

dev() { sed -n "s/^$1: //p" $DBG/device; }
zstat() { sed -n "s/^$1: //p" $DBG/cache/tc0; }

ans=$(load_zns_slab device=$ZNS)
if [ "$ans" != "load: ok" ]; then
	fail "zns_slab loads on the zoned null_blk $ZNS" "$ans"
	exit 1
fi
pass "zns_slab loads on the zoned null_blk $ZNS"
got="$(dev zone_size_bytes) $(dev zone_capacity_bytes) $(dev logical_block_size) $(dev max_open_zones) $(dev max_active_zones)"
want="67108864 65011712 4096 8 12"
[ "$got" = "$want" ] && pass "debugfs device: 64 MiB zones, 62 MiB capacity, 4 KiB blocks, max open 8, active 12" ||
	fail "debugfs device: 64 MiB zones, 62 MiB capacity, 4 KiB blocks, max open 8, active 12" "got $got"

expect "the example client loads and unloads" sh -c 'ztool load /test/zslab_example.ko | grep -qx "load: ok" && rmmod zslab_example'
expect "the test client loads" sh -c 'ztool load /test/zslab_testclient.ko | grep -qx "load: ok"'
expect_tc "create a cache of 64 B objects" 0 create 0 64
expect_tc "churn 64 B objects (3000 live, 20000 operations)" 0 churn 0 3000 20000
expect_tc "sync returns 0" 0 sync 0
w=$(zstat slabs_written)
[ "${w:-0}" -gt 0 ] && [ "$(zstat write_errors)" = 0 ] && pass "the sync wrote slab images ($w), no write error" ||
	fail "the sync wrote slab images, no write error" "slabs_written ${w:-?} write_errors $(zstat write_errors)"
expect_tc "every object kept its pattern" 0 verify 0
expect_tc "destroy the cache" 0 destroy 0
expect "the test client unloads" rmmod zslab_testclient
expect "zns_slab unloads" unload_zns_slab
dmesg_clean "kernel log clean (no WARN, BUG, Oops)"
[ $T_FAILED -eq 0 ]
