# shellcheck shell=sh
# Guest side of the UML allocation benchmark (scripts/bench-uml.sh):
#   uml-alloc.sh REPS
# zns_slab on the zoned null_blk with writeback_ms=0 (no background pass
# shares the CPU with the timed loops), then zslab_bench.ko prints its table.
ans=$(ztool load /test/zns_slab.ko device=/dev/nullb0 writeback_ms=0)
if [ "$ans" != "load: ok" ]; then
	echo "bench: zns_slab.ko did not load: $ans"
	dmesg | tail -n 5
	exit 1
fi
ans=$(ztool load /test/zslab_bench.ko reps="$1")
if [ "$ans" != "load: ok" ]; then
	echo "bench: zslab_bench.ko failed: $ans"
	dmesg | grep -E 'zslab_bench|zns_slab' | grep -vE 'zslab_bench: +[0-9]+ ' | tail -n 10
	rmmod zns_slab
	exit 1
fi
rc=0
cat /sys/kernel/debug/zslab_bench/results || rc=1
rmmod zslab_bench || rc=1
rmmod zns_slab || rc=1
exit $rc
