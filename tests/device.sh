# Integration: zns_slab takes the emulated ZNS namespace, shows exactly what
# the device reports, refuses every bad device or parameter with the right
# errno and one pr_err line naming the problem, writes nothing when it
# refuses, and loads/unloads cleanly.
. /test/lib.sh

lbs=$(cat /sys/block/${ZNS#/dev/}/queue/logical_block_size)

# --- loading on the ZNS namespace ---
mark_dmesg
ans=$(load_zns_slab device=$ZNS)
if [ "$ans" = "load: ok" ]; then pass "loads on the ZNS namespace"; else fail "loads on the ZNS namespace" "$ans"; fi
[ -d $DBG ] && pass "debugfs directory exists" || fail "debugfs directory exists" "no $DBG"

field() { sed -n "s/^$1: //p" $DBG/device; }
q=/sys/block/${ZNS#/dev/}/queue
check_field() {
	got=$(field "$1")
	if [ "$got" = "$2" ]; then pass "device: $1 matches the block layer ($2)"
	else fail "device: $1 matches the block layer" "debugfs '$got', expected '$2'"; fi
}
check_field zone_size_bytes $(($(cat $q/chunk_sectors) * 512))
check_field nr_zones "$(cat $q/nr_zones)"
check_field logical_block_size "$lbs"
check_field max_open_zones "$(cat $q/max_open_zones)"
check_field max_active_zones "$(cat $q/max_active_zones)"
check_field zone_append_max_bytes "$(cat $q/zone_append_max_bytes)"
check_field capacity_bytes $(($(cat /sys/block/${ZNS#/dev/}/size) * 512))

nvme zns report-zones $ZNS >/tmp/report.txt 2>&1
nvme_zones $ZNS >/tmp/nvme-zones.txt
dbg_zones >/tmp/dbg-zones.txt
n_nvme=$(wc -l </tmp/nvme-zones.txt)
if [ "$n_nvme" -gt 0 ] && cmp -s /tmp/nvme-zones.txt /tmp/dbg-zones.txt; then
	pass "zones: start, write pointer, capacity and condition equal nvme zns report-zones ($n_nvme zones)"
else
	fail "zones: equal nvme zns report-zones" "$(diff /tmp/nvme-zones.txt /tmp/dbg-zones.txt | head -n 4 | tr '\n' ' ')"
fi
[ "$(field nr_zones)" = "$n_nvme" ] && pass "device: nr_zones equals the zone report" ||
	fail "device: nr_zones equals the zone report" "$(field nr_zones) vs $n_nvme"
mincap=$(awk 'NR == 1 || $3 < m { m = $3 } END { print m * 512 }' /tmp/nvme-zones.txt)
check_field zone_capacity_bytes "$mincap"

new_dmesg | grep -q "zns_slab: $ZNS: .* zones of" && pass "load prints one summary line" ||
	fail "load prints one summary line" "$(new_dmesg | tail -n 2)"

# A second load while loaded is refused by the module loader, not by us.
[ "$(load_zns_slab device=$ZNS)" = "load: errno 17 EEXIST" ] &&
	pass "a second load is refused with EEXIST" || fail "a second load is refused with EEXIST" "loaded twice?"

# While we own it, nobody else can claim the device exclusively.
if ztool hold $ZNS 0 >/dev/null 2>&1; then fail "device is held exclusively while loaded" "O_EXCL open succeeded"
else pass "device is held exclusively while loaded"; fi

expect "rmmod succeeds" unload_zns_slab
[ ! -d $DBG ] && pass "rmmod removes the debugfs directory" || fail "rmmod removes the debugfs directory" "still there"
if ztool hold $ZNS 0 >/dev/null 2>&1; then pass "rmmod releases the device"
else fail "rmmod releases the device" "O_EXCL open failed after rmmod"; fi

# --- load/unload three times ---
ok=1
for i in 1 2 3; do
	[ "$(load_zns_slab device=$ZNS)" = "load: ok" ] || ok=0
	grep -q seq_req $DBG/zones || ok=0
	unload_zns_slab || ok=0
done
[ $ok = 1 ] && pass "load/unload three times" || fail "load/unload three times" "a cycle failed"

# --- bad input: errno and exactly one pr_err line naming the problem ---
# (every load above wrote a superblock; a refused load writes nothing)
nvme zns report-zones $ZNS >/tmp/report.txt 2>&1
# refuse NAME EXPECTED_ERRNO LOG_PATTERN PARAMS...
refuse() {
	name=$1 want=$2 pattern=$3; shift 3
	mark_dmesg
	ans=$(load_zns_slab "$@")
	lines=$(new_dmesg | grep -c 'zns_slab')
	if [ "$ans" != "load: errno $want" ]; then
		fail "refuses $name" "got '$ans', want errno $want"
	elif [ "$lines" != 1 ] || ! new_dmesg | grep 'zns_slab' | grep -q "$pattern"; then
		fail "refuses $name" "log: $(new_dmesg | grep zns_slab | tr '\n' '|')"
	else
		pass "refuses $name with errno $want and one log line"
	fi
	[ -d $DBG ] && { fail "refuses $name leaves nothing behind" "debugfs exists"; unload_zns_slab; }
}
refuse "no device= parameter" "22 EINVAL" "no device= parameter"
refuse "an empty device= parameter" "22 EINVAL" "no device= parameter" device=
refuse "a path that does not exist" "2 ENOENT" "/dev/nvme9n9: no such file" device=/dev/nvme9n9
refuse "a path that is not a block device" "15 ENOTBLK" "/dev/null: not a block device" device=/dev/null
refuse "a conventional namespace" "22 EINVAL" "$CONV: not a host-managed zoned block device" device=$CONV
long=/dev/$(printf '%0200d' 0)
refuse "a path longer than 127 bytes" "36 ENAMETOOLONG" "longer than" device=$long

ztool hold $ZNS 30 >/tmp/hold.out &
holder=$!
i=0; while [ ! -s /tmp/hold.out ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
refuse "a device someone else holds" "16 EBUSY" "$ZNS: device is busy" device=$ZNS
kill $holder; wait $holder 2>/dev/null

blockdev --setro $ZNS
refuse "a read-only device" "30 EROFS" "$ZNS: device is read-only" device=$ZNS
blockdev --setrw $ZNS

# --- nothing was written: every zone is as it was before the refused loads ---
nvme zns report-zones $ZNS >/tmp/report2.txt 2>&1
if grep -q 'SLBA:' /tmp/report2.txt && cmp -s /tmp/report.txt /tmp/report2.txt; then
	pass "no zone changed: a refused load writes nothing to the device"
else fail "no zone changed: a refused load writes nothing to the device" "zone report differs"; fi

dmesg_clean "no WARN, BUG or Oops in dmesg"
exit $T_FAILED
