# Integration: the superblock. A blank device is formatted at load (one
# superblock block at the start of metadata zone 0, visible in debugfs and on
# the device); a reload finds it ours (same uuid, next generation) and resets
# the data zones it left; a device that is not ours (fio's data, a damaged
# superblock, a newer format version, another geometry) is refused with one
# log line and nothing written, and taken with format=1.
. /test/lib.sh

dev=${ZNS#/dev/}
lbs=$(cat /sys/block/$dev/queue/logical_block_size)
zs=$(cat /sys/block/$dev/queue/chunk_sectors)
bps=$((lbs / 512))

sb() { sed -n "s/^$1: //p" $DBG/superblock; }
# zone_wp Z: zone Z's write pointer in sectors, as the device reports it.
zone_wp() { nvme_zones $ZNS | sed -n "$(($1 + 1))p" | cut -d' ' -f2; }
zone_cond() { nvme_zones $ZNS | sed -n "$(($1 + 1))p" | cut -d' ' -f4; }
# read_block SECTOR FILE / write_block FILE SECTOR: one logical block, direct.
read_block() { dd if=$ZNS of="$2" bs=$lbs skip=$(($1 / bps)) count=1 iflag=direct 2>/dev/null; }
write_block() { dd if="$1" of=$ZNS bs=$lbs seek=$(($2 / bps)) count=1 oflag=direct conv=notrunc 2>/dev/null; }
# le FILE OFFSET BYTES: an unsigned little-endian field of a block.
le() { od -An -tu$3 -j$2 -N$3 "$1" | tr -d ' '; }
# poke FILE OFFSET OCTAL-ESCAPES: overwrite bytes of a block.
poke() { printf "$3" | dd of="$1" bs=1 seek=$2 conv=notrunc 2>/dev/null; }
nonempty_zones() { nvme_zones $ZNS | awk '$4 != "empty"' | wc -l; }

# refused NAME ERRNO PATTERN PARAMS...: insmod fails with ERRNO, one log line
# matching PATTERN, and the device's zones are exactly as before.
refused() {
	name=$1 want=$2 pattern=$3; shift 3
	nvme_zones $ZNS >/tmp/before.txt
	mark_dmesg
	ans=$(load_zns_slab device=$ZNS "$@")
	lines=$(new_dmesg | grep -c zns_slab)
	nvme_zones $ZNS >/tmp/after.txt
	if [ "$ans" != "load: errno $want" ]; then
		fail "refuses $name" "got '$ans', want errno $want"
		[ -d $DBG ] && unload_zns_slab
	elif [ "$lines" != 1 ] || ! new_dmesg | grep zns_slab | grep -q "$pattern"; then
		fail "refuses $name" "log: $(new_dmesg | grep zns_slab | tr '\n' '|')"
	elif ! cmp -s /tmp/before.txt /tmp/after.txt; then
		fail "refuses $name" "zones changed: $(diff /tmp/before.txt /tmp/after.txt | grep '^[-+][0-9]' | head -n 2 | tr '\n' ' ')"
	else
		pass "refuses $name with errno $want, one log line, nothing written"
	fi
}

# --- a blank device is formatted ---
# Tests before this one loaded the module: start from a blank device.
nvme zns reset-zone $ZNS -a >/dev/null 2>&1
[ "$(nonempty_zones)" = 0 ] && pass "precondition: nvme zns reset-zone -a leaves every zone empty" ||
	fail "precondition: nvme zns reset-zone -a leaves every zone empty" "$(nonempty_zones) written"
mark_dmesg
[ "$(load_zns_slab device=$ZNS)" = "load: ok" ] || { fail "zns_slab loads on a blank device" "refused"; exit 1; }
pass "zns_slab loads on a blank device"
[ "$(sb loaded_as)" = formatted ] && [ "$(sb generation)" = 1 ] && [ "$(sb version)" = 3 ] &&
	[ "$(sb magic)" = 0x4253535a ] && pass "debugfs superblock: formatted, generation 1, version 3" ||
	fail "debugfs superblock: formatted, generation 1, version 3" "$(tr '\n' ' ' <$DBG/superblock)"
[ "$(sb meta_zones)" = "0 1" ] && [ "$(sb zone)" = 0 ] && [ "$(sb sector)" = 0 ] &&
	pass "the superblock is the first block of metadata zone 0" ||
	fail "the superblock is the first block of metadata zone 0" "meta $(sb meta_zones) zone $(sb zone) sector $(sb sector)"
[ "$(sb nr_zones)" = "$(cat /sys/block/$dev/queue/nr_zones)" ] && [ "$(sb logical_block_size)" = $lbs ] &&
	[ "$(sb zone_size_bytes)" = $((zs * 512)) ] &&
	[ "$(sb zone_capacity_bytes)" = "$(sed -n 's/^zone_capacity_bytes: //p' $DBG/device)" ] &&
	pass "debugfs superblock: the geometry is the device's" ||
	fail "debugfs superblock: the geometry is the device's" "$(tr '\n' ' ' <$DBG/superblock)"
uuid1=$(sb uuid)
new_dmesg | grep -q "superblock generation 1 in zone 0, device $uuid1 formatted" &&
	pass "load logs the superblock it wrote" || fail "load logs the superblock it wrote" "$(new_dmesg | tail -n 2)"

read_block 0 /tmp/sb1.bin
[ "$(head -c 4 /tmp/sb1.bin)" = ZSSB ] && [ "$(le /tmp/sb1.bin 4 2)" = 3 ] && [ "$(le /tmp/sb1.bin 16 8)" = 1 ] &&
	pass "on the device: magic ZSSB, version 3, generation 1 at zone 0 sector 0" ||
	fail "on the device: magic ZSSB, version 3, generation 1" "$(od -An -tx1 -N24 /tmp/sb1.bin | tr -d '\n')"
[ "$(od -An -tx1 -j24 -N16 /tmp/sb1.bin | tr -d ' \n')" = "$(echo $uuid1 | tr -d -)" ] &&
	pass "on the device: the uuid debugfs shows" || fail "on the device: the uuid debugfs shows" "$(od -An -tx1 -j24 -N16 /tmp/sb1.bin)"
[ "$(zone_wp 0)" = $bps ] && [ "$(zone_cond 0)" = imp_open ] && [ "$(nonempty_zones)" = 1 ] &&
	pass "nvme-cli: one block written in zone 0, every other zone empty" ||
	fail "nvme-cli: one block written in zone 0" "$(nvme_zones $ZNS | head -n 2 | tr '\n' ' ')"
zones_match_nvme "zones equal nvme zns report-zones after formatting"
expect "zns_slab unloads" unload_zns_slab

# --- reload: ours; what it left in a data zone is reset ---
# Data left in zone 5 (as a crash would leave a slab image there).
head -c $lbs /dev/urandom >/tmp/junk.bin
write_block /tmp/junk.bin $((5 * zs))
[ "$(zone_wp 5)" = $((5 * zs + bps)) ] || fail "precondition: zone 5 holds a block" "wp $(zone_wp 5)"
mark_dmesg
[ "$(load_zns_slab device=$ZNS)" = "load: ok" ] && pass "reload on our device succeeds" ||
	fail "reload on our device succeeds" "refused: $(new_dmesg | tail -n 1)"
[ "$(sb uuid)" = "$uuid1" ] && [ "$(sb loaded_as)" = ours ] && [ "$(sb generation)" = 2 ] &&
	pass "reload finds it ours: same uuid, generation 2" ||
	fail "reload finds it ours: same uuid, generation 2" "$(tr '\n' ' ' <$DBG/superblock)"
[ "$(sb sector)" = $bps ] && [ "$(zone_wp 0)" = $((2 * bps)) ] &&
	pass "generation 2 is appended after generation 1 in zone 0" ||
	fail "generation 2 is appended after generation 1" "sector $(sb sector), wp $(zone_wp 0)"
read_block $bps /tmp/sb2.bin
[ "$(le /tmp/sb2.bin 16 8)" = 2 ] && pass "on the device: generation 2 in the second block" ||
	fail "on the device: generation 2 in the second block" "$(le /tmp/sb2.bin 16 8)"
[ "$(zone_cond 5)" = empty ] && [ "$(sb zones_reset_at_load)" = 1 ] &&
	pass "the data zone left written is reset at load (1 zone reset)" ||
	fail "the data zone left written is reset at load" "zone 5 $(zone_cond 5), reset $(sb zones_reset_at_load)"
grep -q foreign $DBG/zones && fail "no zone is foreign" "$(grep foreign $DBG/zones | head -n 1)" || pass "no zone is foreign"
zones_match_nvme "zones equal nvme zns report-zones after the reload"
expect "zns_slab unloads" unload_zns_slab

# --- a superblock that does not check out ---
# Each forged block is appended to zone 0, so it is the newest there.
forge() { cp /tmp/sb2.bin /tmp/forged.bin; }
append_meta() { write_block "$1" "$(zone_wp 0)"; }

forge; poke /tmp/forged.bin 16 '\377'	# generation changed, CRC not
append_meta /tmp/forged.bin
refused "a damaged superblock (CRC mismatch)" "117 EUCLEAN" "superblock in zone 0 is damaged (CRC mismatch)"
forge; poke /tmp/forged.bin 4 '\004'	# version 4
append_meta /tmp/forged.bin
refused "a newer format version" "95 EOPNOTSUPP" "newer format version than 3"
forge; poke /tmp/forged.bin 64 '\010'	# zone capacity 4 KiB more, CRC made right
ztool sbcrc /tmp/forged.bin
append_meta /tmp/forged.bin
refused "a superblock of another geometry" "22 EINVAL" "geometry it was formatted with (zone capacity differs)"

# A valid generation 7: the newest generation is the one taken.
forge; poke /tmp/forged.bin 16 '\007'
ztool sbcrc /tmp/forged.bin
append_meta /tmp/forged.bin
[ "$(load_zns_slab device=$ZNS)" = "load: ok" ] && [ "$(sb generation)" = 8 ] && [ "$(sb uuid)" = "$uuid1" ] &&
	pass "the newest superblock (generation 7) is taken: this load wrote generation 8" ||
	fail "the newest superblock is taken" "$(sb generation)"
expect "zns_slab unloads" unload_zns_slab

# --- data that is not ours ---
nvme zns reset-zone $ZNS -a >/dev/null 2>&1
[ "$(nonempty_zones)" = 0 ] || fail "precondition: nvme zns reset-zone -a empties the device" "$(nonempty_zones) written"
# foreign ZONE BYTES: someone else writes BYTES at the start of ZONE: fio
# (zonemode=zbd), or dd where fio cannot run (the debug kernel has no SysV
# shared memory, which fio needs).
foreign() {
	if ! fio --name=foreign --filename=$ZNS --direct=1 --zonemode=zbd --rw=write --bs=64k \
		--offset=$(($1 * zs * 512)) --size=$((zs * 512)) --io_size=$2 >/tmp/fio.log 2>&1; then
		grep -q shmget /tmp/fio.log || { fail "fio writes zone $1" "$(tail -n 2 /tmp/fio.log)"; return; }
		head -c $2 /dev/urandom >/tmp/foreign.bin
		dd if=/tmp/foreign.bin of=$ZNS bs=64k seek=$(($1 * zs * 512 / 65536)) oflag=direct conv=notrunc 2>/dev/null
		writer=dd
	else
		writer=fio
	fi
}
foreign 4 4194304
refused "a device $writer wrote (metadata zones empty)" "124 EMEDIUMTYPE" "holds data that is not zns_slab's (zone 4 is"
foreign 0 1048576
refused "a device $writer wrote (zone 0 too)" "124 EMEDIUMTYPE" "zone 0: no zns_slab superblock magic"
written=$(nonempty_zones)
mark_dmesg
[ "$(load_zns_slab device=$ZNS format=1)" = "load: ok" ] && pass "format=1 takes the device $writer wrote" ||
	fail "format=1 takes the device $writer wrote" "$(new_dmesg | tail -n 1)"
[ "$(sb loaded_as)" = wiped ] && [ "$(sb generation)" = 1 ] && [ "$(sb uuid)" != "$uuid1" ] &&
	[ "$(sb zones_reset_at_load)" = "$written" ] &&
	pass "format=1: wiped ($written zones reset), generation 1, a new uuid" ||
	fail "format=1: wiped, generation 1, a new uuid" "$(tr '\n' ' ' <$DBG/superblock)"
[ "$(nonempty_zones)" = 1 ] && [ "$(zone_wp 0)" = $bps ] &&
	pass "format=1: only the new superblock is left on the device" ||
	fail "format=1: only the new superblock is left" "$(nvme_zones $ZNS | awk '$4 != "empty"' | head -n 3 | tr '\n' ' ')"
zones_match_nvme "zones equal nvme zns report-zones after format=1"
expect "zns_slab unloads" unload_zns_slab
dmesg_clean "no WARN, BUG or Oops in dmesg"
exit $T_FAILED
