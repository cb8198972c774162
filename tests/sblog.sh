# Integration: the superblock log goes from one metadata zone to the other.
# Run on a device of tiny zones (vm.sh --zone-cap 64K: 16 blocks of 4 KiB or
# 128 of 512 B), so a few dozen loads fill a metadata zone: every load
# appends the next generation; when zone 0 is full the log goes on in zone 1,
# and when that is full too, zone 0 is reset and takes the next one.
. /test/lib.sh

dev=${ZNS#/dev/}
lbs=$(cat /sys/block/$dev/queue/logical_block_size)
zs=$(cat /sys/block/$dev/queue/chunk_sectors)
sb() { sed -n "s/^$1: //p" $DBG/superblock; }
zone_cond() { nvme_zones $ZNS | sed -n "$(($1 + 1))p" | cut -d' ' -f4; }

nvme zns reset-zone $ZNS -a >/dev/null 2>&1
[ "$(load_zns_slab device=$ZNS)" = "load: ok" ] || { fail "zns_slab loads" "refused"; exit 1; }
cap=$(($(sed -n 's/^zone_capacity_bytes: //p' $DBG/device) / lbs))	# superblocks per zone
uuid=$(sb uuid)
unload_zns_slab
pass "a metadata zone holds $cap superblocks of $lbs B"

# load_gen N: the Nth load writes generation N; prints "zone sector reset".
bad=
for n in $(seq 2 $((2 * cap + 1))); do
	ans=$(load_zns_slab device=$ZNS)
	if [ "$ans" != "load: ok" ] || [ "$(sb generation)" != $n ] || [ "$(sb uuid)" != "$uuid" ]; then
		bad="load $n: $ans, generation $(sb generation)"
		[ -d $DBG ] && unload_zns_slab
		break
	fi
	case $n in
	$cap) [ "$(zone_cond 0)" = full ] || bad="zone 0 not full after $n superblocks: $(zone_cond 0)" ;;
	$((cap + 1)))
		[ "$(sb zone)" = 1 ] && [ "$(sb sector)" = $zs ] && [ "$(sb zones_reset_at_load)" = 0 ] ||
			bad="generation $n at zone $(sb zone) sector $(sb sector), want zone 1 sector $zs" ;;
	$((2 * cap))) [ "$(zone_cond 1)" = full ] || bad="zone 1 not full after $n superblocks" ;;
	$((2 * cap + 1)))
		[ "$(sb zone)" = 0 ] && [ "$(sb sector)" = 0 ] && [ "$(sb zones_reset_at_load)" = 1 ] &&
			[ "$(zone_cond 0)" = imp_open ] && [ "$(zone_cond 1)" = full ] ||
			bad="generation $n at zone $(sb zone) sector $(sb sector), reset $(sb zones_reset_at_load), zones $(zone_cond 0) $(zone_cond 1)" ;;
	esac
	unload_zns_slab
	[ -n "$bad" ] && break
done
[ -z "$bad" ] && pass "$((2 * cap)) reloads: zone 0 fills, the log goes on in zone 1, then zone 0 is reset and takes generation $((2 * cap + 1))" ||
	fail "the superblock log switches zones when one is full" "$bad"
dmesg_clean "no WARN, BUG or Oops in dmesg"
exit $T_FAILED
