#!/usr/bin/env bash
# The UML half of make bench (scripts/bench.sh runs it before the QEMU half):
# builds the User-Mode Linux kernel (cached) and zns_slab.ko,
# bench/zslab_bench.ko and bench/zslab_wbbench.ko for it, and runs them at
# native instruction speed on one CPU, on the zoned null_blk of
# scripts/uml.sh:
#
#   alloc      the zslab-vs-SLUB table, booted twice: with init_on_alloc=1
#              (the kernel's default, as in Debian's stock kernels:
#              CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y) and with init_on_alloc=0.
#   writeback  the CPU cost of encoding slabs into segments, in ns per KiB
#              of slab data; then MB/s of slab data zslab_cache_sync()
#              writes to the null_blk (memory-backed: the device costs
#              little, so the module's own work shows).
#
# Under QEMU TCG every instruction is emulated at costs that are not a
# CPU's (atomics, page crossings, the CRC32 instruction); UML runs the same
# kernel code natively, so its ratios are what the fast paths cost on
# hardware. It has one CPU: SMP behaviour is the QEMU table's business.
#
# Uses BENCH_CASES, BENCH_REPS, BENCH_WB_ROUNDS, BENCH_WB_MIB,
# BENCH_WB_OBJSIZE and BENCH_WB_ORDER as bench.sh does (validated there).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ZSLAB_ROOT"

cases=${BENCH_CASES:-alloc writeback}
reps=${BENCH_REPS:-40}
wb_rounds=${BENCH_WB_ROUNDS:-9}
wb_mib=${BENCH_WB_MIB:-64}
wb_objsize=${BENCH_WB_OBJSIZE:-512}
wb_order=${BENCH_WB_ORDER:-0}
run_alloc=0 run_wb=0
for c in $cases; do
	case $c in
	alloc) run_alloc=1 ;;
	writeback) run_wb=1 ;;
	esac
done

# The capacity and recovery cases run in QEMU only (a real NVMe path).
if [ $run_alloc = 0 ] && [ $run_wb = 0 ]; then
	echo "== UML: nothing to run (the capacity and recovery cases run under QEMU only)"
	exit 0
fi

bash scripts/build-uml-kernel.sh >/dev/null
kdir=$(uml_kernel_dir)
build=$(bash scripts/build.sh uml)
rm -rf "$build/bench"
cp -r bench "$build/bench"
make -C "$kdir" ARCH=um M="$build/bench" KBUILD_EXTRA_SYMBOLS="$build/Module.symvers" \
	W=1 modules >"$build/bench/build.log" 2>&1 ||
	{ tail -n 30 "$build/bench/build.log" >&2; die "bench modules build for UML failed"; }

pl=$(mktemp -d)
trap 'rm -rf "$pl"' EXIT
cp "$build/zns_slab.ko" "$build/bench/zslab_bench.ko" "$build/bench/zslab_wbbench.ko" \
	bench/uml-alloc.sh bench/uml-wb.sh "$pl/"

# Guest side (busybox sh): the cases named in /test/cases, one boot.
# UML's RAM is a sparse host file: the first touch of each page is a host
# page fault, paid by whichever allocator happens to get that page first.
# Writing all but 128 MiB of free RAM into a tmpfs file and deleting it
# touches every page once before anything is timed (as vm.sh --prealloc
# does for QEMU).
cat >"$pl/run.sh" <<GUEST
free=\$(awk '/^MemFree:/ { print int(\$2 / 1024) - 128 }' /proc/meminfo)
mkdir -p /tmp/prefault
mount -t tmpfs -o size=\${free}m tmpfs /tmp/prefault
dd if=/dev/zero of=/tmp/prefault/ram bs=1M count=\$free 2>/dev/null
umount /tmp/prefault
rc=0
for c in \$(cat /test/cases); do
	case \$c in
	alloc) sh /test/uml-alloc.sh $reps || rc=1 ;;
	writeback) sh /test/uml-wb.sh $wb_mib $wb_objsize $wb_order $wb_rounds || rc=1 ;;
	esac
done
bad=\$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|soft lockup|hung_task|blocked for more' | head -n 5)
if [ -n "\$bad" ]; then
	echo "bench: kernel log reports a problem:"
	echo "\$bad"
	rc=1
fi
exit \$rc
GUEST

# uml_boot LABEL APPEND CASES...: one UML boot; prints the guest's output.
uml_boot() {
	local label=$1 append=$2 out rc
	shift 2
	echo "$*" >"$pl/cases"
	set +e
	out=$(bash scripts/uml.sh --timeout 900 --append "$append" \
		--log "$ZSLAB_OUT/console-uml-$label.log" -- "$pl")
	rc=$?
	set -e
	printf '%s\n' "$out" | sed -e '/^ZSLAB-BEGIN/d' -e '/^ZSLAB-EXIT/d'
	[ $rc -eq 0 ] && return 0
	log "UML benchmark ($label) failed (exit status $rc, console: $ZSLAB_OUT/console-uml-$label.log)"
	return 1
}

kver=$(make -s -C "$kdir" ARCH=um kernelrelease 2>/dev/null || echo '?')
desc="UML (User-Mode Linux $kver, native instructions, 1 CPU; SLUB configured as in Debian's kernels)"
rc=0
if [ $run_alloc = 1 ]; then
	echo "== $desc: allocation, init_on_alloc=1 (CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y, Debian's default)"
	uml_boot alloc "" alloc || rc=1
	echo "== $desc: allocation, init_on_alloc=0 (neither SLUB nor zns_slab zeroes at allocation)"
	uml_boot alloc-noinit "init_on_alloc=0" alloc || rc=1
fi
if [ $run_wb = 1 ]; then
	echo "== $desc: writeback"
	uml_boot writeback "" writeback || rc=1
fi
exit $rc
