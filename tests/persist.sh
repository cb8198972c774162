# Integration: persistent caches (issue 13) across module reloads.
#   - persistent caches of 64 B and 700 B objects (the latter with 8 KiB
#     slabs and a constructor) and a volatile one are filled, modified,
#     partly freed and synced; the test client and zns_slab are unloaded;
#   - debugfs recovery after the next load: every field, a checkpoint (a
#     clean unload writes one), the caches, slabs and objects that were live;
#   - re-created by name, every object is found by zslab_cache_for_each() and
#     by zslab_get(ref), byte for byte at its version, none twice, the freed
#     ones absent (their refs get NULL); the constructor did not run on them;
#     the volatile cache's objects are gone;
#   - a re-create with another size is -EINVAL; erase of an attached cache
#     -EBUSY, of a detached one 0, then -ENOENT; after erase and a reload
#     the cache is gone;
#   - for_each: a non-zero return stops the walk and is returned; the
#     callback frees objects (by pointer and by ref);
#   - a second reload under resident_max_mb=1: objects read back on demand,
#     every one intact.
. /test/lib.sh
. /test/plib.sh

N0=${PERSIST_OBJS0:-3000}	# 64 B objects
N1=${PERSIST_OBJS1:-3000}	# 700 B objects (8 KiB slabs: about 2 MiB)

nvme zns reset-zone $ZNS -a >/dev/null 2>&1
[ "$(load_zns_slab device=$ZNS)" = "load: ok" ] || { fail "zns_slab loads" "refused"; exit 1; }
load_client || { fail "test client loads" "refused"; exit 1; }
expect_tc "create a persistent cache of 64 B objects" 0 pcreate 0 64
expect_tc "create a persistent cache of 700 B objects, 8 KiB slabs, a constructor" 0 pcreate 1 700 1 1
expect_tc "create a volatile cache of 128 B objects" 0 create 2 128
if [ "$(tc pcount 0)" = "-2" ] || [ ! -f $DBG/cache/tc0 ]; then
	fail "persistent caches are created" "no cache tc0: the rest needs them"
	exit 1
fi
check_eq "debugfs cache/tc0 and tc1: persistent: 1, tc2: persistent: 0" \
	"$(cs tc0 persistent) $(cs tc1 persistent) $(cs tc2 persistent)" "1 1 0"
expect_tc "fill $N0 objects of 64 B" 0 pfill 0 $N0
expect_tc "fill $N1 objects of 700 B" 0 pfill 1 $N1
expect_tc "fill 500 volatile objects" 0 fill 2 500
ctor=$(tc pctor 1)
check "the constructor ran on the new objects ($ctor calls)" "$ctor" -ge $N1
expect_tc "tc0: 2000 random frees, rewrites and new objects" 0 pplan 0 2000 11
expect_tc "tc0: the round's gets found every object at its version" 0 pround 0
expect_tc "tc1: 1500 random frees, rewrites and new objects" 0 pplan 1 1500 12
expect_tc "tc1: the round's gets found every object at its version" 0 pround 1
expect_tc "the model has no plan left (strict checks)" 0 pplan 0 0 0
expect_tc "tc1: no plan" 0 pplan 1 0 0
for i in 0 1 2; do expect_tc "sync tc$i returns 0" 0 sync $i; done
verify_model "tc0 before the unload: for_each and get give the model" 0 "$(tc pcount 0)"
verify_model "tc1 before the unload: for_each and get give the model" 1 "$(tc pcount 1)"
expect_tc "erase of an attached cache is -EBUSY" -16 erase 0
n0=$(tc pcount 0) n1=$(tc pcount 1) s0=$(tc pslabs 0) s1=$(tc pslabs 1)
cat $TCD/model >/tmp/model1.bin
echo "persist: tc0 $n0 objects in $s0 slabs, tc1 $n1 objects in $s1 slabs"
expect "test client unloads (persistent caches detach, the volatile one is destroyed)" rmmod zslab_testclient
expect "zns_slab unloads" unload_zns_slab

# --- reload 1 ---
mark_dmesg
[ "$(load_zns_slab device=$ZNS)" = "load: ok" ] && pass "zns_slab loads again" ||
	{ fail "zns_slab loads again" "$(new_dmesg | grep zns_slab | tail -n 2 | tr '\n' ' ')"; exit 1; }
echo "persist: recovery: $(rec_line)"
m=$(rec_missing)
check_eq "debugfs recovery has every field" "$m" ""
ck1=$(rec checkpoint_seq)
check "recovery used the checkpoint of the clean unload (checkpoint_seq $ck1 > 0)" "$ck1" -gt 0
check_eq "recovery found 2 caches" "$(rec caches_recovered)" 2
check_eq "recovery found the live slabs ($s0 + $s1)" "$(rec slabs_recovered)" $((s0 + s1))
check_eq "recovery found the live objects ($n0 + $n1)" "$(rec objects_recovered)" $((n0 + n1))
check_eq "recovery rejected nothing (crc identity bounds torn)" \
	"$(rec rejected_crc) $(rec rejected_identity) $(rec rejected_bounds) $(rec torn_segments)" "0 0 0 0"
load_client || { fail "test client loads" "refused"; exit 1; }
mark_dmesg
expect_tc "re-create tc1 with another size (512 B): -EINVAL" -22 pcreate 1 512 1
new_dmesg | grep zns_slab | grep -q tc1 && pass "the size mismatch is logged, naming the cache" ||
	fail "the size mismatch is logged, naming the cache" "$(new_dmesg | tail -n 2 | tr '\n' ' ')"
expect_tc "re-attach tc0 by name" 0 pcreate 0 64
expect_tc "re-attach tc1 by name (constructor given again)" 0 pcreate 1 700 1 1
expect_tc "create the volatile cache again" 0 create 2 128
check_eq "debugfs: tc0 persistent: 1 after the re-attach" "$(cs tc0 persistent)" 1
check_eq "the volatile cache's objects did not come back (for_each)" "$(tc pscan 2)" "0 0 0 0 0"
check_eq "the volatile cache's objects did not come back (active_objs)" "$(cs tc2 active_objs)" 0
cat /tmp/model1.bin >$TCD/model
expect_tc "the model is loaded back" 2 pload 0
verify_model "tc0 after the reload: every object byte for byte, freed ones absent, counts equal" 0 $n0
verify_model "tc1 after the reload: every object byte for byte, freed ones absent, counts equal" 1 $n1
check_eq "the constructor did not run on recovered objects" "$(tc pctor 1)" 0
check_eq "no read-back error" "$(cs tc0 readback_errors) $(cs tc1 readback_errors)" "0 0"
check_eq "for_each: the callback's non-zero return (7 at the 3rd object) stops it" "$(tc pscan 1 3)" "3 0 0 7 0"
set -- $(tc pforfree 0 4)
check "for_each: the callback frees every 4th object ($2 of $1), by pointer and by ref" \
	"$1 $3 $4 $2" = "$n0 0 0 $((n0 / 4))"
verify_model "tc0 after the frees in for_each: the rest intact, the freed absent" 0 $((n0 - n0 / 4))
expect_tc "tc0: a round after the re-attach" 0 pplan 0 1000 21
expect_tc "tc0: the round's gets found every object at its version" 0 pround 0
expect_tc "tc1: a round after the re-attach" 0 pplan 1 800 22
expect_tc "tc1: the round's gets found every object at its version" 0 pround 1
tc pplan 0 0 0 >/dev/null
tc pplan 1 0 0 >/dev/null
expect_tc "sync tc0" 0 sync 0
expect_tc "sync tc1" 0 sync 1
expect_tc "destroy (detach) tc0" 0 pdestroy 0
expect_tc "erase of the detached tc0: 0" 0 erase 0
expect_tc "erase of tc0 again: -ENOENT" -2 erase 0
cat $TCD/model >/tmp/model2.bin
n1=$(tc pcount 1) s1=$(tc pslabs 1)
expect "test client unloads" rmmod zslab_testclient
expect "zns_slab unloads" unload_zns_slab

# --- reload 2, under a 1 MiB resident cap: tc1 (about 2 MiB) is read back ---
mark_dmesg
[ "$(load_zns_slab device=$ZNS resident_max_mb=1)" = "load: ok" ] && pass "zns_slab loads with resident_max_mb=1" ||
	{ fail "zns_slab loads with resident_max_mb=1" "$(new_dmesg | grep zns_slab | tail -n 2 | tr '\n' ' ')"; exit 1; }
echo "persist: recovery: $(rec_line)"
ck2=$(rec checkpoint_seq)
check "a newer checkpoint ($ck2 > $ck1)" "$ck2" -gt "$ck1"
check_eq "recovery found 1 cache: the erased one is gone" "$(rec caches_recovered)" 1
check_eq "recovery found tc1's live slabs and objects" "$(rec slabs_recovered) $(rec objects_recovered)" "$s1 $n1"
load_client || { fail "test client loads" "refused"; exit 1; }
expect_tc "erase of the erased tc0 after the reload: -ENOENT" -2 erase 0
expect_tc "re-attach tc1" 0 pcreate 1 700 1
cat /tmp/model2.bin >$TCD/model
expect_tc "the model is loaded back" 1 pload 0
verify_model "tc1 under the cap: every object read back byte for byte" 1 $n1
rb=$(cs tc1 readbacks) ev=$(cs tc1 evictions)
check "slabs were read back ($rb) and evicted again ($ev) under the cap" "$rb" -gt 0 -a "$ev" -gt 0
check_eq "no read-back error" "$(cs tc1 readback_errors)" 0
expect_tc "tc0 by name after its erase is a new, empty cache" 0 pcreate 0 64
check_eq "... for_each finds nothing in it" "$(tc pscan 0)" "0 0 0 0 0"
erase_and_unload
dmesg_clean "no WARN, BUG, Oops or KASAN report in dmesg"
exit $T_FAILED
