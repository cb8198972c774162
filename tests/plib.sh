# shellcheck shell=sh
# Helpers of the persistent-cache tests (persist.sh, pcrash.sh, corrupt.sh),
# sourced after lib.sh. The test client's persistent-cache commands and its
# model are described at the top of tests/client/zslab_testclient.c.
#
# State that must survive a hard reset of the guest lives on the
# conventional namespace ($CONV), written crash-safely: block 0 holds one
# line of text (the test's state, ending in the model slot that is valid
# and its length); the model itself goes to one of two slots (A at 1 MiB,
# B at 9 MiB, 8 MiB each), always the one block 0 does not name, and block
# 0 is written last, with O_DIRECT, in one 512 B write.

TCD=/sys/kernel/debug/zslab_testclient
REC=$DBG/recovery

# val FILE KEY: the value, or "missing".
val() { v=$(sed -n "s/^$2: //p" "$1" 2>/dev/null | head -n 1); echo "${v:-missing}"; }
rec() { val $REC "$1"; }
cs() { val $DBG/cache/$1 "$2"; }
isnum() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
# check NAME COND-ARGS...: pass if [ COND ] holds, else fail with the values.
check() { name=$1; shift; if [ "$@" ] 2>/dev/null; then pass "$name"; else fail "$name" "$*"; fi; }
# check_eq NAME GOT WANT
check_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }

# zlog: the module's log lines since mark_dmesg, less the kernel's taint notes.
zlog() { new_dmesg | grep 'zns_slab' | grep -v 'taints kernel\|module verification'; }

load_client() { [ "$(ztool load /test/zslab_testclient.ko)" = "load: ok" ]; }

# The recovery fields debugfs recovery must have.
REC_FIELDS="checkpoint_seq bytes_read time_us segments_scanned zones_scanned caches_recovered
slabs_recovered objects_recovered rejected_crc rejected_identity rejected_bounds torn_segments
zones_reclaimed"
rec_missing() {
	for f in $REC_FIELDS; do
		isnum "$(rec $f)" || echo "$f"
	done | tr '\n' ' '
}
rec_line() { tr '\n' ' ' <$REC 2>/dev/null; }

# --- the state block and the model slots on $CONV ---
st_get() { dd if=$CONV bs=512 count=1 iflag=direct 2>/dev/null | tr -d '\000' | head -n 1; }
st_put() { printf '%s\n' "$1" | dd of=$CONV bs=512 count=1 conv=sync oflag=direct 2>/dev/null; }
st_clear() { dd if=/dev/zero of=$CONV bs=512 count=1 oflag=direct 2>/dev/null; }
slot_blk() { [ "$1" = A ] && echo 256 || echo 2304; }	# in 4 KiB blocks

# model_store SLOT: the client's models into SLOT (A or B) of $CONV; prints
# the byte count. Block 0 is the caller's to write after it.
model_store() {
	cat $TCD/model >/tmp/model.bin || return 1
	n=$(wc -c </tmp/model.bin)
	[ "$n" -gt 16 ] && [ "$n" -le 8388608 ] || return 1
	dd if=/tmp/model.bin of=$CONV bs=4096 seek=$(slot_blk $1) conv=sync,notrunc oflag=direct 2>/dev/null || return 1
	echo "$n"
}
# model_fetch SLOT BYTES: the models from $CONV into the client (pload).
model_fetch() {
	dd if=$CONV of=/tmp/model.bin bs=4096 skip=$(slot_blk $1) count=$((($2 + 4095) / 4096)) iflag=direct 2>/dev/null &&
		cat /tmp/model.bin >$TCD/model && tc pload 0
}
other_slot() { [ "$1" = A ] && echo B || echo A; }

# verify_model NAME I [EXPECT_OBJS]: pscan, pcheck and pgets of cache I
# against its model: every object checks out on its own, none twice, the
# model's all there at the versions it allows (see the client), nothing
# freed before it comes back. With EXPECT_OBJS, for_each visits that many;
# an empty model fails unless EXPECT_OBJS is 0.
verify_model() {
	vname=$1 vi=$2 vwant=${3:-}
	scan=$(tc pscan $vi) chk=$(tc pcheck $vi) gets=$(tc pgets $vi)
	set -- $scan
	vobjs=$1 vbad=$2 vdups=$3 vret=$4 vtorn=${5:-0}
	# A change of the round planned after the model's sync, caught midway
	# by the crash (the client writes while a pass copies the slab; the
	# change queues the slab again but the reset came first): allowed in
	# the slots that round works on, stale in any other (pcheck).
	[ "$vtorn" = 0 ] || echo "verify_model: $vname: $vtorn object(s) torn by the crash mid-change (pcheck '$chk')"
	set -- $chk
	vlost=$1 vstale=$2 vextra=$3
	set -- $gets
	if [ "$vbad" = 0 ] && [ "$vdups" = 0 ] && [ "$vret" = 0 ] && [ "$vlost" = 0 ] &&
		[ "$vstale" = 0 ] && [ "$vextra" = 0 ] && [ "$1" = 0 ] && [ "$2" = 0 ] && [ "$3" = 0 ] &&
		{ [ -z "$vwant" ] || [ "$vobjs" = "$vwant" ]; } && { [ "$4" != 0 ] || [ "$vwant" = 0 ]; }; then
		pass "$vname"
	else
		fail "$vname" "pscan (objs bad dups ret torn) '$scan'${vwant:+ want $vwant objs}, pcheck (lost stale extra maybe) '$chk', pgets (nulls bad freed_live gets) '$gets'"
	fi
}

# erase_and_unload: the end of a test: both persistent caches destroyed
# (detached) and erased, then the client and zns_slab unloaded.
erase_and_unload() {
	expect_tc "destroy tc0" 0 pdestroy 0
	expect_tc "destroy tc1" 0 pdestroy 1
	expect_tc "erase tc0" 0 erase 0
	expect_tc "erase tc1" 0 erase 1
	expect "test client unloads" rmmod zslab_testclient
	expect "zns_slab unloads" unload_zns_slab
}
