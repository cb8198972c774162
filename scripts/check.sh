#!/usr/bin/env bash
# make check: set up, build, run the static checks, KUnit (debug kernel VM),
# the packaging checks (make install, a client built against the installed
# files, dkms build for every installed kernel header package), the
# integration tests (Debian 6.1, Debian 6.12 and debug kernel VMs) and a
# smoke test of the module built for User-Mode Linux on a zoned null_blk.
# Ends with "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ZSLAB_ROOT"

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $*"; }
# A VM that did not report leaves the end of its console here, printed last
# with the summary: a CI log's tail then says where the guest stopped.
tails=
finish() {
	[ -n "$tails" ] && [ -s "$tails" ] && cat "$tails"
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
stock612=$(bash scripts/build.sh stock-6.12) && ok "build: zns_slab.ko for Debian $(flavor_kver stock-6.12)" ||
	not_ok "build: zns_slab.ko for Debian $(flavor_kver stock-6.12)"
log "debug kernel: $(debug_kernel_dir) (cached after the first build)"
kdir=$(bash scripts/build-debug-kernel.sh) && ok "build: debug kernel" || { not_ok "build: debug kernel"; finish; }
debug=$(bash scripts/build.sh debug C=2) && ok "build: modules and KUnit suites for the debug kernel" ||
	not_ok "build: modules and KUnit suites for the debug kernel"
log "UML kernel: $(uml_kernel_dir) (cached after the first build)"
umlk=$(bash scripts/build-uml-kernel.sh) && ok "build: UML kernel ($(uml_source_pkg), ARCH=um)" ||
	not_ok "build: UML kernel ($(uml_source_pkg), ARCH=um)"
uml=
if [ -n "$umlk" ]; then
	uml=$(bash scripts/build.sh uml) && ok "build: modules for the UML kernel" ||
		not_ok "build: modules for the UML kernel"
fi

for b in "$stock" "$stock612" "$debug" "$uml"; do
	[ -n "$b" ] && [ -f "$b/build.log" ] || continue
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
# for a constant there. scripts/ and fuzz/ hold userspace code, not kernel code.
cp_out=$(perl "$kdir/scripts/checkpatch.pl" --no-tree --terse --show-types \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
	-f $(git ls-files '*.c' '*.h' ':!scripts' ':!fuzz' 2>/dev/null || ls ./*.[ch] kunit/*.c) 2>&1 |
	grep -E ': (WARNING|ERROR|CHECK):' | head -n 10)
[ -z "$cp_out" ] && ok "checkpatch.pl: clean" || not_ok "checkpatch.pl: $cp_out"

# --- packaging ---
# install_check FLAVOR: `make install` into a staging root (out/stage-FLAVOR,
# which the VM run carries in for tests/install.sh), then a client module
# built outside the tree with the Kbuild lines the README gives.
install_check() {
	local flavor=$1 kver src stage client
	kver=$(flavor_kver "$flavor") || { not_ok "make install: no kernel for $flavor"; return; }
	src=$ZSLAB_OUT/install-$flavor stage=$ZSLAB_OUT/stage-$flavor client=$ZSLAB_OUT/client-$flavor
	rm -rf "$src" "$stage" "$client"
	mkdir -p "$src/tests" "$client"
	cp -r Kbuild Makefile dkms.conf ./*.c ./*.h kunit examples "$src/"
	cp -r tests/client "$src/tests/"
	if ! make -C "$src" KVER="$kver" DESTDIR="$stage" install >"$src/install.log" 2>&1; then
		not_ok "make install KVER=$kver: $(tail -n 3 "$src/install.log" | tr '\n' ' ')"
		return
	fi
	local ko inc=$stage/usr/include/zns_slab
	ko=$(cd "$stage/lib/modules/$kver" && find . -name 'zns_slab.ko*' | head -n 1)
	if [ -n "$ko" ] && grep -q "zns_slab.ko" "$stage/lib/modules/$kver/modules.dep" &&
		cmp -s zns_slab.h "$inc/zns_slab.h" && grep -q 'zslab_cache_create' "$inc/$kver/Module.symvers" &&
		[ -z "$(find "$stage" -name 'zslab_*.ko*')" ]; then
		ok "make install KVER=$kver: ${ko#./}, depmod, zns_slab.h and Module.symvers under /usr/include/zns_slab"
	else
		not_ok "make install KVER=$kver: staged tree incomplete or carries more than zns_slab.ko ($stage)"
	fi
	cp examples/zslab_example.c "$client/"
	cat >"$client/Kbuild" <<-EOF
	obj-m += zslab_example.o
	ccflags-y += -I$inc
	KBUILD_EXTRA_SYMBOLS := $inc/\$(KERNELRELEASE)/Module.symvers
	EOF
	if make -C "/lib/modules/$kver/build" M="$client" W=1 modules >"$client/build.log" 2>&1 &&
		! grep -qE 'warning:|error:|undefined!' "$client/build.log"; then
		cp "$client/zslab_example.ko" "$stage/"
		ok "client module builds against the installed zns_slab.h and Module.symvers ($kver)"
	else
		not_ok "client module builds against the installed files ($kver): $(grep -E 'warning:|error:|undefined!' "$client/build.log" | head -n 2 | tr '\n' ' ')"
	fi
}
for f in $STOCK_FLAVORS; do
	install_check "$f"
done

# dkms add/build from a copy of the tree, in scratch source and dkms trees
# (the system's /usr/src and /var/lib/dkms stay as they are), for every
# installed kernel header package.
dkms_check() {
	local ver scratch hdr kver
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
	scratch=$(mktemp -d)
	mkdir -p "$scratch/tree" "$scratch/src" "$scratch/dkms"
	cp -r Kbuild Makefile dkms.conf ./*.c ./*.h kunit examples "$scratch/tree/"
	mkdir -p "$scratch/tree/tests" && cp -r tests/client "$scratch/tree/tests/"
	local d="dkms --sourcetree $scratch/src --dkmstree $scratch/dkms"
	if ! $d add "$scratch/tree" >"$ZSLAB_OUT/dkms.log" 2>&1; then
		not_ok "dkms add: $(tail -n 2 "$ZSLAB_OUT/dkms.log" | tr '\n' ' ')"
		rm -rf "$scratch"
		return
	fi
	for hdr in /usr/src/linux-headers-*; do
		kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$hdr/include/generated/utsrelease.h" 2>/dev/null)
		[ -n "$kver" ] || continue
		if $d build "zns_slab/$ver" -k "$kver" --kernelsourcedir "$hdr" >>"$ZSLAB_OUT/dkms.log" 2>&1 &&
			[ -n "$(find "$scratch/dkms/zns_slab/$ver/$kver" -name 'zns_slab.ko*')" ]; then
			ok "dkms build: zns_slab/$ver for $kver"
		else
			not_ok "dkms build: zns_slab/$ver for $kver (log: $ZSLAB_OUT/dkms.log)"
		fi
	done
	rm -rf "$scratch"
}
dkms_check
# --- decoders under libFuzzer, ASan and UBSan (userspace) ---
while IFS= read -r line; do
	case $line in
	"PASS "*) ok "${line#PASS }" ;;
	"FAIL "*) not_ok "${line#FAIL }" ;;
	esac
done < <(bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}")

# --- VM runs ---
# vm_run LABEL VM_OPTIONS... -- [NAME=VALUE...] SCRIPT...: one boot running
# the guest scripts; NAME=VALUE words go into the environment of the script
# after them.
# console_tail LABEL LOG: keep the last lines of a console for finish().
console_tail() {
	[ -n "$tails" ] || tails=$(mktemp)
	{
		echo "--- [$1] the last 40 lines of its console ---"
		tr -d '\r' <"$2" 2>/dev/null | tail -n 40
	} >>"$tails"
}

vm_run() {
	local label=$1; shift
	local opts=() flavor=stock
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	for ((i = 0; i < ${#opts[@]}; i++)); do
		[ "${opts[$i]}" = --kernel ] && flavor=${opts[$((i + 1))]}
	done
	local build
	case $flavor in
	stock) build=$stock ;;
	stock-6.12) build=$stock612 ;;
	debug) build=$debug ;;
	esac
	local pl
	pl=$(mktemp -d)
	cp "$build/zns_slab.ko" "$build/examples/zslab_example.ko" \
		"$build/tests/client/zslab_testclient.ko" tests/*.sh "$pl/"
	# make install's staging root, for tests/install.sh.
	[ -d "$ZSLAB_OUT/stage-$flavor" ] && cp -r "$ZSLAB_OUT/stage-$flavor" "$pl/install"
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
	local out rc t0=$(date +%s) attempt
	# A boot that hangs (timed out) before any test failed is booted once
	# more from fresh images: under TCG a guest has twice stopped with a
	# CPU that no longer took interrupts (RCU stalls, a soft lockup in
	# text_poke's IPI wait), which 22 local runs of the same boots did not
	# show again. Only the second boot's results count; the first one's
	# console tail is printed with the summary all the same.
	for attempt in 1 2; do
		out=$(bash scripts/vm.sh --log "$ZSLAB_OUT/console-$label.log" "${opts[@]}" -- "$pl")
		rc=$?
		[ $attempt = 1 ] && [ $rc -eq 124 ] && ! grep -q '^ZSLAB-TEST: not ok ' <<<"$out" || break
		echo "NOTE [$label] the VM timed out before any test failed; booting it once more"
		console_tail "$label (first boot, timed out; booted again)" "$ZSLAB_OUT/console-$label.log"
		t0=$(date +%s)
	done
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
		console_tail "$label" "$ZSLAB_OUT/console-$label.log"
	else
		ok "[$label] VM boots, runs its tests and reports ($(($(date +%s) - t0)) s)"
	fi
}

if [ -n "$debug" ] && [ -f "$debug/zns_slab.ko" ]; then
	rm -f "$ZSLAB_OUT/initramfs-debug.cpio.gz" "$ZSLAB_OUT/initramfs-debug-slim.cpio.gz"
	vm_run debug-64M --kernel debug --timeout 1200 -- kunit.sh device.sh superblock.sh caches.sh writeback.sh zonefill.sh \
		STRESS_SECONDS=60 stress.sh faults.sh persist.sh
	# The capacity tier on a small device (11 data zones of 2 MiB) and a
	# 1 MiB resident cap, so that writing the device over once more with
	# 2 CPUs and a syncer, which reclaim must keep up with, fits in a
	# minute under KASAN and TCG (about 0.5 MiB/s there):
	# eviction, read-back and reclaim racing allocation on 2 CPUs under
	# KASAN and lockdep, a read fault (fail_make_request).
	vm_run debug-capacity-2M --kernel debug --zone-size 2M --zone-cap 2M --zones 14 \
		--lbs 4096 --max-open 8 --max-active 12 --timeout 900 -- \
		CAP_RESIDENT_MB=1 CAP_OPS=4000 CAP_FAULT_GETS=300 CAP_RACE_SECONDS=10 CAP_FILL_TIMES=1 CAP_FILL_SECONDS=90 capacity.sh
	# A boot of its own: the guest is reset mid-writeback and runs it again.
	vm_run debug-crash --kernel debug --timeout 900 --reset-on-marker 1500:4000 -- crash.sh
	# Persistent caches across hard resets under KASAN and lockdep: two
	# resets of tests/pcrash.sh (the stock boot below runs 20 and a clean
	# reboot; a debug boot costs a minute or more).
	vm_run debug-pcrash-2M --kernel debug --slim --zone-size 2M --zone-cap 2M --zones 8 --timeout 900 \
		--reset-on-marker 1000:3000 -- PCRASH_CYCLES=2 PCRASH_REBOOT_AT=0 PCRASH_WANT_RECLAIM=0 PCRASH_OBJS0=600 PCRASH_OBJS1=600 \
		PCRASH_OPS0=200 PCRASH_OPS1=150 pcrash.sh
fi
if [ -n "$stock" ] && [ -f "$stock/zns_slab.ko" ]; then
	rm -f "$ZSLAB_OUT/initramfs-stock.cpio.gz" "$ZSLAB_OUT/initramfs-stock-slim.cpio.gz"
	# install.sh runs last: its modprobe -r also unloads what zns_slab used.
	vm_run stock-64M-4k --kernel stock --zone-size 64M --zone-cap 62M --zones 16 \
		--lbs 4096 --max-open 8 --max-active 12 --timeout 600 -- device.sh superblock.sh caches.sh writeback.sh zonefill.sh \
		STRESS_SECONDS=30 stress.sh persist.sh install.sh
	vm_run stock-32M-512 --kernel stock --zone-size 32M --zone-cap 30M --zones 24 \
		--lbs 512 --max-open 2 --max-active 3 --zasl 4 --timeout 600 -- device.sh superblock.sh caches.sh writeback.sh zonefill.sh \
		STRESS_SECONDS=30 stress.sh
	# The capacity tier (tests/capacity.sh) at its defaults: 13 data zones
	# of 3 MiB, a 2 MiB resident cap, the device written three times over
	# with 2 CPUs and a syncer while reclaim keeps up; then the same device
	# filled past its capacity (tests/fulldev.sh).
	vm_run stock-capacity-4M --kernel stock --zone-size 4M --zone-cap 3M --zones 16 \
		--lbs 4096 --max-open 8 --max-active 12 --timeout 600 -- capacity.sh fulldev.sh
	vm_run stock-crash-32M-512 --kernel stock --zone-size 32M --zone-cap 30M --zones 24 \
		--lbs 512 --max-open 2 --max-active 3 --zasl 4 --timeout 600 --reset-on-marker 1500:4000 -- crash.sh
	# Persistent caches (issue 13): 20 hard resets and a clean reboot in
	# one QEMU process (tests/pcrash.sh) on 5 data zones of 2 MiB, so that
	# reclaim runs (it must); then damaged device contents between boots
	# (tests/corrupt.sh).
	vm_run stock-pcrash-2M --kernel stock --slim --zone-size 2M --zone-cap 2M --zones 8 \
		--lbs 4096 --max-open 8 --max-active 12 --timeout 1800 --reset-on-marker 1000:3000 -- \
		PCRASH_CYCLES=21 pcrash.sh
	vm_run stock-corrupt-4M --kernel stock --slim --zone-size 4M --zone-cap 3M --zones 16 \
		--lbs 4096 --max-open 8 --max-active 12 --timeout 900 --reset-on-marker 200:500 -- corrupt.sh
	# Zones of 64 KiB: a few dozen loads fill a metadata zone.
	vm_run stock-sblog-1M --kernel stock --zone-size 1M --zone-cap 64K --zones 8 \
		--lbs 4096 --zasl 4 --timeout 600 -- sblog.sh
fi
# Debian 6.12 on one geometry (each boot adds a few minutes to a cold run),
# booted without init_on_alloc: its caches do not zero at allocation and keep
# unmarked objects off the device with their marked bitmaps, which the
# stress test's witness checks against the device.
if [ -n "$stock612" ] && [ -f "$stock612/zns_slab.ko" ]; then
	rm -f "$ZSLAB_OUT/initramfs-stock-6.12.cpio.gz"
	vm_run stock-6.12-64M-4k --kernel stock-6.12 --append init_on_alloc=0 --zone-size 64M --zone-cap 62M --zones 16 \
		--lbs 4096 --max-open 8 --max-active 12 --timeout 600 -- device.sh superblock.sh caches.sh writeback.sh zonefill.sh \
		STRESS_SECONDS=30 stress.sh persist.sh install.sh
fi

# The UML smoke test: one boot of a second or two, native speed.
if [ -n "$uml" ] && [ -f "$uml/zns_slab.ko" ]; then
	pl=$(mktemp -d)
	cp "$uml/zns_slab.ko" "$uml/examples/zslab_example.ko" \
		"$uml/tests/client/zslab_testclient.ko" tests/lib.sh tests/uml-smoke.sh "$pl/"
	echo "T_LABEL='[uml] ' sh /test/uml-smoke.sh" >"$pl/run.sh"
	t0=$(date +%s)
	out=$(bash scripts/uml.sh --timeout 300 --log "$ZSLAB_OUT/console-uml.log" -- "$pl")
	rc=$? n=0
	rm -rf "$pl"
	while IFS= read -r line; do
		case $line in
		"ZSLAB-TEST: ok "*) ok "${line#ZSLAB-TEST: ok }"; n=$((n + 1)) ;;
		"ZSLAB-TEST: not ok "*) not_ok "${line#ZSLAB-TEST: not ok }"; n=$((n + 1)) ;;
		esac
	done <<<"$out"
	if [ $rc -eq 124 ] || [ $rc -eq 125 ] || [ $n -eq 0 ]; then
		not_ok "[uml] UML boots, runs its tests and reports (rc $rc, console in $ZSLAB_OUT/console-uml.log)"
		console_tail uml "$ZSLAB_OUT/console-uml.log"
	else
		ok "[uml] UML boots, runs its tests and reports ($(($(date +%s) - t0)) s)"
	fi
fi

log "check took $(($(date +%s) - start)) s"
finish
