# Integration: a hard reset mid-writeback (vm.sh --reset-on-marker: QEMU's
# system_reset at a random moment, the same QEMU process, so the zones keep
# what was written). The next load must find the device its own, reset every
# data zone the crashed load left written, and lose no zone to "foreign".
#
# The test runs across two boots of the guest; which one this is, and what
# the first saw, is kept in the first block of the conventional namespace,
# which survives the reset.
. /test/lib.sh

sb() { sed -n "s/^$1: //p" $DBG/superblock; }
state_get() { dd if=$CONV bs=512 count=1 iflag=direct 2>/dev/null | tr -d '\000' | head -n 1; }
state_set() { printf '%s\n' "$1" | dd of=$CONV bs=512 count=1 conv=sync oflag=direct 2>/dev/null; }

state=$(state_get)
case $state in
"")
	# --- boot 1: format, then churn with writeback every 10 ms until reset ---
	[ "$(load_zns_slab device=$ZNS writeback_ms=10)" = "load: ok" ] || { fail "zns_slab loads" "refused"; exit 1; }
	[ "$(ztool load /test/zslab_testclient.ko)" = "load: ok" ] || { fail "test client loads" "refused"; exit 1; }
	expect_tc "create a cache of 64 B objects" 0 create 0 64
	expect_tc "create a cache of 700 B objects" 0 create 1 700
	expect_tc "churn before the reset" 0 churn 0 2000 3000
	expect_tc "sync before the reset returns 0" 0 sync 0
	state_set "reset $(sb uuid) $(sb generation)"
	pass "boot 1: zns_slab loaded (superblock generation $(sb generation)), caches written; resetting the guest"
	echo ZSLAB-RESET-ARM
	# Churn until the reset comes (1.5-4 s from the marker: --reset-on-marker
	# in scripts/check.sh). Bounded by time, not by rounds: a round takes
	# what the host gives the guest, and an idle host made 300 rounds end
	# before a reset 3.7 s away.
	end=$(($(cut -d. -f1 /proc/uptime) + 120))
	while [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
		tc churn 0 3000 2000 >/dev/null
		tc churn 1 400 500 >/dev/null
	done
	fail "the host resets the guest mid-writeback" "no reset came in 120 s"
	;;
reset*)
	# --- boot 2: what the crashed load left, and what the next load does ---
	set -- $state
	uuid=$2 gen=$3
	state_set "done"
	pass "boot 2: the guest came back after the reset"
	nvme_zones $ZNS >/tmp/crashed.txt
	# Zones 0-2 are reserved (metadata, relocation); the rest hold data.
	written=$(tail -n +4 /tmp/crashed.txt | awk '$4 != "empty"' | wc -l)
	held=$(tail -n +4 /tmp/crashed.txt | awk '$4 == "imp_open" || $4 == "exp_open" || $4 == "closed"' | wc -l)
	[ "$written" -gt 0 ] && pass "the reset left $written data zones written ($held open or closed)" ||
		fail "the reset left data zones written" "none: the reset came before any writeback"
	mark_dmesg
	[ "$(load_zns_slab device=$ZNS writeback_ms=10)" = "load: ok" ] && pass "zns_slab loads after the crash, no format=1" ||
		{ fail "zns_slab loads after the crash, no format=1" "$(new_dmesg | grep zns_slab | tail -n 1)"; exit 1; }
	[ "$(sb loaded_as)" = ours ] && [ "$(sb uuid)" = "$uuid" ] && [ "$(sb generation)" = $((gen + 1)) ] &&
		pass "the device is ours: same uuid, generation $((gen + 1))" ||
		fail "the device is ours: same uuid, next generation" "$(tr '\n' ' ' <$DBG/superblock) (was $uuid $gen)"
	[ "$(sb zones_reset_at_load)" = "$written" ] && pass "every data zone left written was reset at load ($written)" ||
		fail "every data zone left written was reset at load" "$(sb zones_reset_at_load) of $written"
	grep -q foreign $DBG/zones && fail "no zone lost to foreign" "$(grep -c foreign $DBG/zones) foreign zones" ||
		pass "no zone lost to foreign"
	left=$(nvme_zones $ZNS | tail -n +4 | awk '$4 != "empty"' | wc -l)
	[ "$left" = 0 ] && pass "nvme-cli: every data zone empty after the load" ||
		fail "nvme-cli: every data zone empty after the load" "$left written"
	q=/sys/block/${ZNS#/dev/}/queue
	mo=$(cat $q/max_open_zones) ma=$(cat $q/max_active_zones)
	want=$((mo < ma ? mo - 1 : ma - 1))
	[ "$(iostat zone_budget)" = "$want" ] && pass "the zone budget is whole again ($want)" ||
		fail "the zone budget is whole again" "$(iostat zone_budget), want $want"
	zones_match_nvme "zones equal nvme zns report-zones after the load"
	[ "$(ztool load /test/zslab_testclient.ko)" = "load: ok" ] || fail "test client loads" "refused"
	expect_tc "a cache works after the crash" 0 create 0 64
	expect_tc "churn after the crash" 0 churn 0 2000 4000
	expect_tc "sync after the crash returns 0" 0 sync 0
	expect_tc "every object kept its pattern" 0 verify 0
	expect_tc "destroy the cache" 0 destroy 0
	expect "test client unloads" rmmod zslab_testclient
	expect "zns_slab unloads" unload_zns_slab
	dmesg_clean "no WARN, BUG or Oops in dmesg"
	;;
*)
	fail "crash.sh runs in two boots" "a third boot (state '$state')"
	;;
esac
exit $T_FAILED
