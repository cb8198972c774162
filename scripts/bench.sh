#!/usr/bin/env bash
# make bench: set up, build zns_slab.ko and bench/zslab_bench.ko for the stock
# Debian kernel, boot it in QEMU (2 CPUs) with the emulated ZNS namespace, run
# the zslab-vs-SLUB benchmark there and print its table. Exits non-zero if the
# build, the VM or the benchmark fails.
#
#   BENCH_REPS=N            timed repetitions per allocator and case [5]
#   BENCH_ZERO=1            zslab allocates with __GFP_ZERO when the kernel
#                           zeroes SLUB objects (init_on_alloc, on in Debian),
#                           so that both sides do the same work [0]
#   BENCH_TIMEOUT=SECONDS   limit for the VM boot [480]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ZSLAB_ROOT"

reps=${BENCH_REPS:-5}
params="reps=$reps"
[ "${BENCH_ZERO:-0}" = 1 ] && params="$params match_init_on_alloc=1"
vm_timeout=${BENCH_TIMEOUT:-480}
start=$(date +%s)

bash scripts/setup.sh
build=$(bash scripts/build.sh stock)
kdir=/usr/src/linux-headers-$(stock_kver)

# build.sh copies only the module's own sources: build bench/ next to them,
# against the Module.symvers that exports the zslab_cache_* symbols.
rm -rf "$build/bench"
cp -r bench "$build/bench"
make -C "$kdir" M="$build/bench" KBUILD_EXTRA_SYMBOLS="$build/Module.symvers" \
	W=1 modules >"$build/bench/build.log" 2>&1 ||
	{ tail -n 30 "$build/bench/build.log" >&2; die "zslab_bench.ko build failed"; }
if grep -E 'warning:|error:' "$build/bench/build.log" >&2; then
	log "zslab_bench.ko: compiler warnings above (W=1)"
fi

pl=$(mktemp -d)
trap 'rm -rf "$pl"' EXIT
cp "$build/zns_slab.ko" "$build/bench/zslab_bench.ko" "$pl/"
cat >"$pl/run.sh" <<EOF
# Guest side of make bench (busybox sh).
ans=\$(ztool load /test/zns_slab.ko device=/dev/nvme0n1)
if [ "\$ans" != "load: ok" ]; then
	echo "bench: zns_slab.ko did not load: \$ans"
	dmesg | tail -n 5
	exit 1
fi
echo "bench: zslab_bench.ko $params"
ans=\$(ztool load /test/zslab_bench.ko $params)
if [ "\$ans" != "load: ok" ]; then
	echo "bench: zslab_bench.ko failed: \$ans"
	dmesg | grep -E 'zslab_bench|zns_slab' | grep -vE 'zslab_bench: +[0-9]+ ' | tail -n 10
	rmmod zns_slab
	exit 1
fi
rc=0
cat /sys/kernel/debug/zslab_bench/results || rc=1
rmmod zslab_bench || rc=1
rmmod zns_slab || rc=1
bad=\$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|soft lockup|hung_task|blocked for more' | head -n 5)
if [ -n "\$bad" ]; then
	echo "bench: kernel log reports a problem:"
	echo "\$bad"
	rc=1
fi
exit \$rc
EOF

# Rebuild the initramfs so that it matches the current guest scripts.
rm -f "$ZSLAB_OUT/initramfs-stock.cpio.gz"
log "booting the stock kernel with 2 CPUs to run the benchmark (under a minute on an idle host)"
set +e
out=$(bash scripts/vm.sh --kernel stock --cpus 2 --timeout "$vm_timeout" \
	--log "$ZSLAB_OUT/console-bench.log" -- "$pl")
rc=$?
set -e
printf '%s\n' "$out" | sed -e '/^ZSLAB-BEGIN/d' -e '/^ZSLAB-EXIT/d'
log "bench took $(($(date +%s) - start)) s (console: $ZSLAB_OUT/console-bench.log)"
if [ $rc -ne 0 ]; then
	log "benchmark failed (exit status $rc)"
	exit "$rc"
fi
if ! printf '%s\n' "$out" | grep -q '^bench: done$'; then
	log "benchmark did not finish"
	exit 1
fi
