# Integration: the installed module. `make install DESTDIR=stage` on the host
# staged zns_slab.ko in stage/lib/modules/KVER (carried here as
# /test/install) and built the example client against the installed
# zns_slab.h and Module.symvers. Merged into this kernel's module tree and
# depmod'ed, as make install does on a real system, `modprobe zns_slab
# device=...` loads it with the options /etc/modprobe.d gives it, the
# client's symbol versions match, and `modprobe -r` unloads it.
. /test/lib.sh

kv=$(uname -r)
stage=/test/install/lib/modules/$kv
mods=/lib/modules/$kv
ko=$(cd $stage 2>/dev/null && find . -name 'zns_slab.ko*' | head -n 1)
if [ -z "$ko" ]; then
	fail "install: make install staged zns_slab for $kv" "nothing under $stage"
	exit 1
fi
pass "install: make install staged zns_slab for $kv (${ko#./})"
mkdir -p "$mods/$(dirname $ko)"
cp $stage/$ko $mods/$ko

expect "install: depmod -a indexes the module tree" /sbin/depmod -a
got=$(/sbin/modinfo -F name zns_slab 2>&1)
[ "$got" = zns_slab ] && pass "install: modinfo finds zns_slab by name" ||
	fail "install: modinfo finds zns_slab by name" "$got"

mkdir -p /etc/modprobe.d
echo "options zns_slab writeback_ms=250" >/etc/modprobe.d/zns_slab.conf
mark_dmesg
expect "install: modprobe zns_slab device=(the zoned namespace) loads it" /sbin/modprobe zns_slab device=$ZNS
[ "$(sed -n 's/^path: //p' $DBG/device 2>/dev/null)" = "$ZNS" ] &&
	pass "install: the modprobe'd module owns the zoned namespace" ||
	fail "install: the modprobe'd module owns the zoned namespace" "debugfs device path '$(sed -n 's/^path: //p' $DBG/device 2>/dev/null)'"
got=$(cat /sys/module/zns_slab/parameters/writeback_ms 2>&1)
[ "$got" = 250 ] && pass "install: /etc/modprobe.d options apply (writeback_ms=250)" ||
	fail "install: /etc/modprobe.d options apply (writeback_ms=250)" "writeback_ms is $got"

# A client built outside the tree: its symbol CRCs come from the installed
# Module.symvers, and a mismatch would refuse the load ("disagrees about
# version of symbol").
ans=$(ztool load /test/install/zslab_example.ko sessions=100)
[ "$ans" = "load: ok" ] && grep -q '^example_session ' $DBG/caches &&
	pass "install: a client built against the installed header and Module.symvers loads" ||
	fail "install: a client built against the installed header and Module.symvers loads" \
		"$ans; $(new_dmesg | grep -E 'zslab_example|disagrees' | tail -n 2 | tr '\n' ' ')"
rmmod zslab_example 2>/dev/null

expect "install: modprobe -r zns_slab unloads it" /sbin/modprobe -r zns_slab
[ ! -d /sys/module/zns_slab ] && pass "install: nothing of zns_slab stays loaded" ||
	fail "install: nothing of zns_slab stays loaded" "/sys/module/zns_slab still there"
rm -f /etc/modprobe.d/zns_slab.conf $mods/$ko
dmesg_clean "install: no WARN, BUG or Oops in dmesg"
exit $T_FAILED
