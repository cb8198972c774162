#!/usr/bin/env bash
# make check: set up, build, run the static checks, KUnit (debug kernel VM)
# and the integration tests (stock and debug kernel VMs). Ends with
# "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ZSLAB_ROOT"

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $*"; }
finish() {
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

start=$(date +%s)
bash scripts/setup.sh || { not_ok "setup: install Debian packages"; finish; }
mkdir -p "$ZSLAB_OUT"

# --- builds and static checks ---
stock=$(bash scripts/build.sh stock) && ok "build: zns_slab.ko for Debian $(stock_kver)" ||
	not_ok "build: zns_slab.ko for Debian $(stock_kver)"
log "debug kernel: $(debug_kernel_dir) (cached after the first build)"
kdir=$(bash scripts/build-debug-kernel.sh) && ok "build: debug kernel" || { not_ok "build: debug kernel"; finish; }
debug=$(bash scripts/build.sh debug C=2) && ok "build: modules and KUnit suites for the debug kernel" ||
	not_ok "build: modules and KUnit suites for the debug kernel"

for b in "$stock" "$debug"; do
	[ -f "$b/build.log" ] || continue
	w=$(grep -E 'warning:|error:' "$b/build.log" | grep -v 'sparse: ' | head -n 5)
	[ -z "$w" ] && ok "W=1: no compiler warning ($(basename "$b"))" ||
		not_ok "W=1: no compiler warning ($(basename "$b")): $w"
done
if [ -f "$debug/build.log" ]; then
	s=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$debug/build.log" | grep -v '^/var/cache' | head -n 5)
	n=$(grep -c '^  CHECK ' "$debug/build.log")
	[ -z "$s" ] && [ "$n" -gt 0 ] && ok "sparse (make C=2): $n files checked, clean" ||
		not_ok "sparse (make C=2): ${s:-sparse did not run}"
fi
# Version checks live in compat.h only; checkpatch mistakes LINUX_VERSION_CODE
# for a constant there. scripts/ holds userspace helpers, not kernel code.
cp_out=$(perl "$kdir/scripts/checkpatch.pl" --no-tree --terse --show-types \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
	-f $(git ls-files '*.c' '*.h' ':!scripts' 2>/dev/null || ls ./*.[ch] kunit/*.c) 2>&1 |
	grep -E ': (WARNING|ERROR|CHECK):' | head -n 10)
[ -z "$cp_out" ] && ok "checkpatch.pl: clean" || not_ok "checkpatch.pl: $cp_out"

# --- VM runs ---
# vm_run LABEL VM_OPTIONS... -- [NAME=VALUE...] SCRIPT...: one boot running
# the guest scripts; NAME=VALUE words go into the environment of the script
# after them.
vm_run() {
	local label=$1; shift
	local opts=() flavor=stock
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	for ((i = 0; i < ${#opts[@]}; i++)); do
		[ "${opts[$i]}" = --kernel ] && flavor=${opts[$((i + 1))]}
	done
	local build=$stock
	[ "$flavor" = debug ] && build=$debug
	local pl
	pl=$(mktemp -d)
	cp "$build/zns_slab.ko" "$build/examples/zslab_example.ko" \
		"$build/tests/client/zslab_testclient.ko" tests/*.sh "$pl/"
	mkdir -p "$pl/kunit"
	cp "$build"/kunit/*.ko "$pl/kunit/" 2>/dev/null
	{
		echo 'rc=0'
		env=
		for s in "$@"; do
			case $s in
			*=*) env="$env $s" ;;	# NAME=VALUE words set the next script's environment
			*) echo "${env# } T_LABEL='[$label] ' sh /test/$s || rc=1"; env= ;;
			esac
		done
		echo 'exit $rc'
	} >"$pl/run.sh"
	local out rc t0=$(date +%s)
	out=$(bash scripts/vm.sh --log "$ZSLAB_OUT/console-$label.log" "${opts[@]}" -- "$pl")
	rc=$?
	rm -rf "$pl"
	local n=0
	while IFS= read -r line; do
		case $line in
		"ZSLAB-TEST: ok "*) ok "${line#ZSLAB-TEST: ok }"; n=$((n + 1)) ;;
		"ZSLAB-TEST: not ok "*) not_ok "${line#ZSLAB-TEST: not ok }"; n=$((n + 1)) ;;
		"KTAP: "*) echo "  $line" ;;
		esac
	done <<<"$out"
	if [ $rc -eq 124 ] || [ $rc -eq 125 ] || [ $n -eq 0 ]; then
		not_ok "[$label] VM boots, runs its tests and reports (rc $rc, console in $ZSLAB_OUT/console-$label.log)"
	else
		ok "[$label] VM boots, runs its tests and reports ($(($(date +%s) - t0)) s)"
	fi
}

if [ -n "$debug" ] && [ -f "$debug/zns_slab.ko" ]; then
	rm -f "$ZSLAB_OUT/initramfs-debug.cpio.gz"
	vm_run debug-64M --kernel debug --timeout 1200 -- kunit.sh device.sh caches.sh writeback.sh zonefill.sh \
		STRESS_SECONDS=60 stress.sh faults.sh
fi
if [ -n "$stock" ] && [ -f "$stock/zns_slab.ko" ]; then
	rm -f "$ZSLAB_OUT/initramfs-stock.cpio.gz"
	vm_run stock-64M-4k --kernel stock --zone-size 64M --zone-cap 62M --zones 16 \
		--lbs 4096 --max-open 8 --max-active 12 --timeout 600 -- device.sh caches.sh writeback.sh zonefill.sh \
		STRESS_SECONDS=30 stress.sh
	vm_run stock-32M-512 --kernel stock --zone-size 32M --zone-cap 30M --zones 24 \
		--lbs 512 --max-open 2 --max-active 3 --zasl 4 --timeout 600 -- device.sh caches.sh writeback.sh zonefill.sh \
		STRESS_SECONDS=30 stress.sh
fi

log "check took $(($(date +%s) - start)) s"
finish
