# Integration: damaged device contents under persistent caches. One QEMU
# process (vm.sh --reset-on-marker); between two boots of the guest the
# host inverts bytes of the zoned namespace's backing file where the guest
# names them (ZSLAB-CORRUPT OFFSET LEN), and the guest checks that the
# next load sees the damaged bytes, detects and counts the damage, and
# still recovers everything else intact:
#   1. slab data (a slab of the 700 B cache, in a segment before the
#      checkpoint): its objects are not delivered (readback_errors), no
#      object is ever wrong, every other object is there;
#   2. a segment summary written after the checkpoint (the guest is reset,
#      no clean unload): rejected (recovery rejected_* or torn_segments),
#      at most that segment's slabs are older or gone, no object wrong;
#   3. the checkpoint (a byte in the middle of the copy the superblock
#      names): rejected (rejected_crc), recovery goes on without it (from
#      another copy, an older checkpoint or the segment summaries), every
#      object recovered exactly;
#   4. the newest superblock: insmod refused with EUCLEAN and one log line.
# State across the boots lives on $CONV (tests/plib.sh).
. /test/lib.sh
. /test/plib.sh

N0=${CORRUPT_OBJS0:-2000}
N1=${CORRUPT_OBJS1:-1000}
PARAMS="writeback_ms=0"	# writeback on sync only: each slab is written once

# le_at OFFSET BYTES: an unsigned little-endian field at byte OFFSET of $ZNS.
le_at() {
	dd if=$ZNS bs=4096 skip=$(($1 / 4096)) count=1 iflag=direct 2>/dev/null |
		od -An -tu$2 -j$(($1 % 4096)) -N$2 | tr -d ' '
}
# segments: "OFFSET SUMMARY_BYTES DATA_BYTES NR_ENTRIES SEQ CACHE SLAB FLAGS NR_LIVE"
# for every segment of every written data zone (its first entry's fields),
# walked from each zone's start to its write pointer.
segments() {
	nvme_zones $ZNS | tail -n +$((FIRST + 1)) | while read -r start wp cap cond; do
		off=$((start * 512)) end=$((wp * 512))
		while [ $off -lt $end ]; do
			[ "$(le_at $off 4)" = 1196643162 ] || break	# "ZSSG"
			sb=$(le_at $((off + 8)) 4) db=$(le_at $((off + 20)) 4)
			[ "$sb" -gt 0 ] || break
			echo "$off $sb $db $(le_at $((off + 16)) 4) $(le_at $((off + 24)) 8)" \
				"$(le_at $((off + 64)) 4) $(le_at $((off + 68)) 4) $(le_at $((off + 99)) 1) $(le_at $((off + 84)) 4)"
			off=$((off + sb + db))
		done
	done
}
# newest_sb: "OFFSET GENERATION" of the newest superblock block.
newest_sb() {
	lbs=$(cat /sys/block/${ZNS#/dev/}/queue/logical_block_size)
	for z in 1 2; do
		nvme_zones $ZNS | sed -n "${z}p"
	done | while read -r start wp cap cond; do
		[ "$cond" = empty ] && continue
		[ "$cond" = full ] && wp=$((start + cap))
		o=$((wp * 512 - lbs))
		echo "$o $(le_at $((o + 16)) 8)"
	done | sort -k2 -n | tail -n 1
}
# corrupt_at PHASE OFFSET EXTRA...: store the state naming PHASE, the model
# slot, the byte's value now and EXTRA, have the host invert the byte, and
# reset the guest.
corrupt_at() {
	ph=$1 off=$2; shift 2
	orig=$(le_at $off 1)
	st_put "corrupt $ph $cur_slot $bytes $off $orig $*"
	echo "corrupt: phase $ph: inverting the byte at $off (now $orig), $*"
	echo "ZSLAB-CORRUPT $off 1"
	echo ZSLAB-RESET-ARM
	sleep 120
	fail "the host resets the guest" "no reset came"
	exit 1
}
save_model() {
	cur_slot=$(other_slot "${cur_slot:-B}")
	bytes=$(model_store $cur_slot) || { fail "the model is stored on $CONV" "model_store"; exit 1; }
}
loaded() {
	mark_dmesg
	a=$(load_zns_slab device=$ZNS $PARAMS)
	[ "$a" = "load: ok" ] && pass "$1: zns_slab loads" ||
		{ fail "$1: zns_slab loads" "$a: $(zlog | tail -n 2 | tr '\n' ' ')"; exit 1; }
	echo "corrupt: $1: recovery: $(rec_line)"
	zlog | sed 's/^/corrupt: /'
}
attach() {
	load_client || { fail "test client loads" "refused"; exit 1; }
	a=$(tc pcreate 0 64) b=$(tc pcreate 1 700)
	[ "$a $b" = "0 0" ] || { fail "$1: the caches re-attach" "$a $b"; exit 1; }
	l=$(model_fetch $cur_slot $bytes)
	[ "$l" = 2 ] || { fail "$1: the model is read back" "pload $l"; exit 1; }
}
flipped() {
	now=$(le_at $off 1)
	check_eq "$1: the load reads the inverted byte at $off" "$now" $((255 - orig))
}
rejected() { echo $(($(rec rejected_crc) + $(rec rejected_identity) + $(rec rejected_bounds) + $(rec torn_segments))); }

state=$(st_get)
set -- $state
[ "${1:-}" = corrupt ] || set -- corrupt 0
ph=$2
[ $ph != 0 ] && { cur_slot=$3 bytes=$4 off=$5 orig=$6; }
FIRST=$(cat /tmp/first_data_zone 2>/dev/null || echo 3)

case $ph in
0)
	nvme zns reset-zone $ZNS -a >/dev/null 2>&1
	loaded "phase 0"
	FIRST=$(sed -n 's/^first_data_zone: //p' $DBG/superblock)
	load_client || { fail "test client loads" "refused"; exit 1; }
	expect_tc "create a persistent cache of 64 B objects" 0 pcreate 0 64
	expect_tc "create a persistent cache of 700 B objects" 0 pcreate 1 700
	expect_tc "fill $N0 objects of 64 B" 0 pfill 0 $N0
	expect_tc "fill $N1 objects of 700 B" 0 pfill 1 $N1
	expect_tc "sync tc0" 0 sync 0
	expect_tc "sync tc1" 0 sync 1
	id1=$(cs tc1 id)
	save_model
	# The first data segment of the 700 B cache: its first slab's data.
	segments >/tmp/segs.txt
	echo "corrupt: phase 0: $(wc -l </tmp/segs.txt) segments, the first: $(head -n 2 /tmp/segs.txt | tr '\n' '|')"
	set -- $(awk -v id=$id1 '$6 == id && $8 % 2 == 0 && $3 > 0' /tmp/segs.txt | head -n 1)
	expect "test client unloads" rmmod zslab_testclient
	expect "zns_slab unloads (a checkpoint)" unload_zns_slab
	[ $# -ge 9 ] || { fail "phase 0: a segment of tc1 (cache id $id1) on the device" "none: $(head -n 3 /tmp/segs.txt | tr '\n' '|')"; exit 1; }
	corrupt_at 1 $(($1 + $2 + 100)) $9 $FIRST
	;;
1)
	FIRST=$8
	flipped "phase 1 (slab data)"
	lost=$7
	loaded "phase 1 (slab data)"
	attach "phase 1"
	set -- $(tc pscan 1)
	check_eq "phase 1: for_each delivers no wrong object, none twice" "$2 $3" "0 0"
	set -- $(tc pcheck 1)
	check_eq "phase 1: the damaged slab's $lost objects are missing, every other object is there (lost stale extra)" \
		"$1 $2 $3" "$lost 0 0"
	set -- $(tc pgets 1)
	check_eq "phase 1: zslab_get of the damaged slab's objects NULL, every other intact (nulls bad freed_live)" \
		"$1 $2 $3" "$lost 0 0"
	d=$(($(cs tc1 readback_errors) + $(rec rejected_crc)))
	check "phase 1: the damage is counted (readback_errors + rejected_crc = $d)" "$d" -gt 0
	verify_model "phase 1: tc0 is intact" 0 $N0
	dmesg_clean "phase 1: no WARN, BUG, Oops or KASAN report"
	# Segments after the checkpoint: a round on tc0, synced, then a reset.
	tc padopt 0 >/dev/null
	tc padopt 1 >/dev/null
	expect_tc "phase 1: a round on tc0" 0 pplan 0 600 77
	expect_tc "phase 1: the round's gets find every object" 0 pround 0
	tc pplan 0 0 0 >/dev/null
	expect_tc "phase 1: sync tc0" 0 sync 0
	id0=$(cs tc0 id)
	save_model
	set -- $(segments | awk -v id=$id0 '$6 == id' | sort -k5 -n | tail -n 1)
	[ $# -ge 9 ] || { fail "phase 1: tc0's newest segment" "none"; exit 1; }
	# The first entry's slab id: covered by the summary's CRC.
	corrupt_at 2 $(($1 + 68)) $4 $FIRST
	;;
2)
	FIRST=$8
	flipped "phase 2 (segment summary)"
	entries=$7
	loaded "phase 2 (segment summary)"
	r=$(rejected)
	check "phase 2: the damaged summary is rejected (rejected_* + torn_segments = $r)" "$r" -gt 0
	attach "phase 2"
	set -- $(tc pscan 0)
	check_eq "phase 2: for_each delivers no wrong object, none twice" "$2 $3" "0 0"
	set -- $(tc pcheck 0)
	bound=$((entries * 64))
	check "phase 2: only the damaged segment's $entries slabs may be older (lost stale extra: $1 $2 $3)" \
		$(($1 + $2 + $3)) -le $bound
	verify_model "phase 2: tc1 is intact" 1
	dmesg_clean "phase 2: no WARN, BUG, Oops or KASAN report"
	tc pscan 0 >/dev/null
	tc padopt 0 >/dev/null
	expect_tc "phase 2: sync tc0" 0 sync 0
	expect_tc "phase 2: sync tc1" 0 sync 1
	save_model
	expect "test client unloads" rmmod zslab_testclient
	expect "zns_slab unloads (a checkpoint)" unload_zns_slab
	set -- $(newest_sb)
	sbo=$1
	ck=$(le_at $((sbo + 104)) 8) cs=$(le_at $((sbo + 112)) 8) cb=$(le_at $((sbo + 120)) 4)
	isnum "$ck" && [ "$ck" -gt 0 ] && [ "$cb" -gt 0 ] 2>/dev/null ||
		{ fail "phase 2: the newest superblock names a checkpoint" "seq '$ck' sector '$cs' bytes '$cb'"; exit 1; }
	corrupt_at 3 $((cs * 512 + cb / 2)) $ck $FIRST
	;;
3)
	FIRST=$8
	ck=$7
	flipped "phase 3 (checkpoint)"
	mark_dmesg
	a=$(load_zns_slab device=$ZNS $PARAMS)
	if [ "$a" = "load: ok" ]; then
		pass "phase 3 (checkpoint): zns_slab loads"
		echo "corrupt: phase 3 (checkpoint): recovery: $(rec_line)"
		check "phase 3: the damaged checkpoint is rejected (rejected_crc $(rec rejected_crc))" "$(rec rejected_crc)" -gt 0
		attach "phase 3"
		verify_model "phase 3: tc0 recovered exactly without the checkpoint" 0
		verify_model "phase 3: tc1 recovered exactly without the checkpoint" 1
		expect "test client unloads" rmmod zslab_testclient
	else
		fail "phase 3 (checkpoint): zns_slab loads, rejects the damaged checkpoint and recovers the rest" \
			"$a: $(zlog | tail -n 2 | tr '\n' ' ')"
		# Phase 4 needs a superblock of ours: from a wiped device.
		[ "$(load_zns_slab device=$ZNS $PARAMS format=1)" = "load: ok" ] ||
			{ fail "phase 3: format=1 takes the device" "refused"; exit 1; }
	fi
	dmesg_clean "phase 3: no WARN, BUG, Oops or KASAN report"
	expect "zns_slab unloads" unload_zns_slab
	set -- $(newest_sb)
	corrupt_at 4 $(($1 + 16)) "$2" $FIRST	# the generation: the CRC no longer matches
	;;
4)
	flipped "phase 4 (superblock)"
	mark_dmesg
	a=$(load_zns_slab device=$ZNS $PARAMS)
	lines=$(zlog)
	n=$(echo "$lines" | grep -c .)
	if [ "$a" = "load: errno 117 EUCLEAN" ] && [ "$n" = 1 ] && echo "$lines" | grep -q damaged; then
		pass "phase 4: a damaged superblock: insmod refused with EUCLEAN, one log line"
	else
		fail "phase 4: a damaged superblock: insmod refused with EUCLEAN, one log line" "$a; log: $(echo "$lines" | tr '\n' '|')"
		[ -d $DBG ] && unload_zns_slab
	fi
	dmesg_clean "phase 4: no WARN, BUG, Oops or KASAN report"
	st_put "corrupt done"
	;;
*)
	fail "corrupt.sh finds its state on $CONV" "block 0 holds '$state'"
	;;
esac
exit $T_FAILED
