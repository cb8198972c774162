#!/usr/bin/env bash
# Boot the User-Mode Linux kernel (scripts/build-uml-kernel.sh) once and
# bring back what the guest script printed, as vm.sh does for QEMU.
#
#   uml.sh [options] -- PAYLOAD_DIR
#
# PAYLOAD_DIR becomes /test in the guest and must hold run.sh. The root file
# system is a fresh host directory (hostfs) with busybox and ztool; the
# block device is a zoned, memory-backed null_blk, /dev/nullb0: 64 MiB
# zones of 62 MiB capacity, 4 KiB blocks, max open 8, max active 12 (the
# geometry of vm.sh's ZNS namespace). Lines the guest prints between
# ZSLAB-BEGIN and ZSLAB-EXIT go to stdout; exits with the guest's exit
# status (124 on timeout, 125 if the guest never reported one).
#
# Options (defaults in brackets):
#   --timeout SECONDS   hard limit for the whole boot [300]
#   --log FILE          full console log [out/uml-console.log]
#   --mem SIZE          guest RAM [1536M]
#   --append ARGS       more kernel command line (e.g. init_on_alloc=0)
#
# UML has one CPU. On a CPU with a large XSAVE area the kernel is built to
# keep processes' FPU state in FXSAVE form (build-uml-kernel.sh), so user
# space must stay off AVX: GLIBC_TUNABLES on the command line reaches init's
# environment, and with it every process.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

timeout_s=300 log=$ZSLAB_OUT/uml-console.log mem=1536M extra=
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout_s=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) extra=$2; shift 2 ;;
	--) shift; break ;;
	*) die "uml.sh: unknown option $1" ;;
	esac
done
payload=${1:?payload directory}
[ -f "$payload/run.sh" ] || die "uml.sh: $payload/run.sh missing"

kdir=$(uml_kernel_dir)
[ -x "$kdir/linux" ] || die "uml.sh: no UML kernel in $kdir (run scripts/build-uml-kernel.sh)"
mkdir -p "$ZSLAB_OUT" "$(dirname "$log")"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,proc,sys,dev,tmp,test}
cp /bin/busybox "$root/bin/busybox"
gcc -static -O2 -Wall -o "$root/bin/ztool" "$ZSLAB_ROOT/scripts/guest/ztool.c"
install -m 0755 "$ZSLAB_ROOT/scripts/guest/uml-init" "$root/init"
cp -a "$payload/." "$root/test/"

nullb="null_blk.zoned=1 null_blk.zone_size=64 null_blk.zone_capacity=62"
nullb="$nullb null_blk.zone_max_open=8 null_blk.zone_max_active=12"
nullb="$nullb null_blk.memory_backed=1 null_blk.bs=4096"
hwcaps=-AVX,-AVX2,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD,-XSAVE,-XSAVEC

# UML keeps guest RAM in a file under TMPDIR: put it in RAM too.
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
TMPDIR=$shm timeout -k 10 "$timeout_s" "$kdir/linux" mem="$mem" \
	root=/dev/root rootfstype=hostfs rootflags="$root" rw init=/init \
	con=null con0=null,fd:1 ssl=null loglevel=4 panic=-1 \
	$nullb $extra GLIBC_TUNABLES=glibc.cpu.hwcaps=$hwcaps \
	</dev/null >"$log" 2>&1 &
upid=$!
# If we are stopped, so is UML: it must not outlive the root it runs from.
trap 'kill "$upid" 2>/dev/null || true; wait "$upid" 2>/dev/null || true; rm -rf "$root"' EXIT
trap 'exit 143' INT TERM HUP PIPE
set +e
wait "$upid"
urc=$?
set -e

sed -n '/^ZSLAB-BEGIN/,/^ZSLAB-EXIT/p' "$log" | tr -d '\r'
if [ $urc -eq 124 ] || [ $urc -eq 137 ]; then
	log "UML timed out after ${timeout_s}s (console: $log)"
	exit 124
fi
rc=$(tr -d '\r' <"$log" | sed -n 's/^ZSLAB-EXIT: \([0-9]*\)$/\1/p' | tail -n 1)
if [ -z "$rc" ]; then
	log "UML guest did not report an exit status (rc $urc, console: $log)"
	tail -n 30 "$log" >&2
	exit 125
fi
exit "$rc"
