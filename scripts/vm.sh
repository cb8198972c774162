#!/usr/bin/env bash
# Boot the test VM once and bring back what the guest script printed.
#
#   vm.sh [options] -- PAYLOAD_DIR
#
# PAYLOAD_DIR becomes /test in the guest and must hold run.sh. The guest's
# console goes to --log; lines the guest prints between ZSLAB-BEGIN and
# ZSLAB-EXIT go to stdout, and vm.sh exits with the guest's exit status
# (124 on timeout, 125 if the guest never reported one).
#
# Options (defaults in brackets):
#   --kernel stock|stock-6.12|debug
#                             which kernel to boot: Debian 6.1, Debian 6.12,
#                             the debug 6.1 kernel [stock]
#   --zone-size 64M --zone-cap 62M --zones 16 --max-open 8 --max-active 12
#   --zasl 5 --lbs 4096       geometry of the emulated ZNS namespace (nsid 1)
#   --image-dir DIR           keep the backing images in DIR across boots
#                             (created on first use) [a fresh temp dir]
#   --timeout SECONDS         hard limit for the whole boot [600]
#   --log FILE                full console log [out/vm-console.log]
#   --cpus N --mem SIZE       [2, 2G]
#   --append "ARGS"           more kernel command-line arguments
#   --slim                    a base initramfs without blktrace, blkparse,
#                             fio and kmod (faster boots: crash tests)
#   --prealloc                back all guest RAM with host memory before boot
#                             (benchmarks: no host page fault on the guest's
#                             first touch of a page, which would land on
#                             whichever side touched it first)
#   --reset-on-marker MIN:MAX crash tests: each time the guest prints a line
#                             ZSLAB-RESET-ARM, reset it (monitor system_reset,
#                             a hard reset inside the same QEMU process, so
#                             zone state survives: DESIGN §7) after a random
#                             MIN..MAX ms; /init runs again. QEMU runs without
#                             -no-reboot and is quit once the guest is done.
#                             Any number of markers in one boot: each is one
#                             reset. Before the reset that follows them, each
#                             line ZSLAB-CORRUPT OFFSET LEN the guest printed
#                             has the host invert LEN bytes at byte OFFSET of
#                             the zoned namespace's backing file (zone i at
#                             i * zone size): what the guest reads after the
#                             reset is the damaged data. A guest `reboot -f`
#                             restarts the guest too (a clean reboot).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=stock zone_size=64M zone_cap=62M zones=16 max_open=8 max_active=12
zasl=5 lbs=4096 image_dir= timeout_s=600 log=$ZSLAB_OUT/vm-console.log
cpus=2 mem=2G prealloc=() extra_append= reset_ms= slim=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--zone-size) zone_size=$2; shift 2 ;;
	--zone-cap) zone_cap=$2; shift 2 ;;
	--zones) zones=$2; shift 2 ;;
	--max-open) max_open=$2; shift 2 ;;
	--max-active) max_active=$2; shift 2 ;;
	--zasl) zasl=$2; shift 2 ;;
	--lbs) lbs=$2; shift 2 ;;
	--image-dir) image_dir=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--prealloc) prealloc=(-mem-prealloc); shift ;;
	--append) extra_append=$2; shift 2 ;;
	--reset-on-marker) reset_ms=$2; shift 2 ;;
	--slim) slim=slim; shift ;;
	--) shift; break ;;
	*) die "vm.sh: unknown option $1" ;;
	esac
done
payload=${1:?payload directory}
[ -f "$payload/run.sh" ] || die "vm.sh: $payload/run.sh missing"

mkdir -p "$ZSLAB_OUT" "$(dirname "$log")"
case $kernel in
stock*) kver=$(flavor_kver "$kernel") || exit 1; kimage=/boot/vmlinuz-$kver ;;
debug) kimage=$(debug_kernel_dir)/arch/x86/boot/bzImage ;;
*) die "vm.sh: --kernel stock|stock-6.12|debug" ;;
esac
[ -r "$kimage" ] || die "vm.sh: no kernel image $kimage"

base=$ZSLAB_OUT/initramfs-$kernel${slim:+-slim}.cpio.gz
[ -s "$base" ] || bash "$ZSLAB_ROOT/scripts/mkinitramfs.sh" "$kernel" "$base" $slim

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Concatenated cpio archives: the kernel unpacks the payload over the base.
(mkdir -p "$work/root/test" && cp -a "$payload/." "$work/root/test/" &&
	cd "$work/root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$work/payload.cpio.gz"
cat "$base" "$work/payload.cpio.gz" >"$work/initrd"

to_bytes() { numfmt --from=iec "$1"; }
if [ -z "$image_dir" ]; then
	image_dir=$work/images
fi
mkdir -p "$image_dir"
zns_img=$image_dir/zns.img conv_img=$image_dir/conv.img
[ -f "$zns_img" ] || truncate -s $(($(to_bytes "$zone_size") * zones)) "$zns_img"
[ -f "$conv_img" ] || truncate -s 256M "$conv_img"

# loglevel=4: errors reach the console as they happen (a hung task, an RCU
# stall, a lockup), so a guest that stops responding leaves its reason in
# the console log.
append="console=ttyS0 loglevel=4 panic=-1 oops=panic rdinit=/init"
# The debug kernel also runs with Debian's init_on_alloc/free hardening.
[ "$kernel" = debug ] && append="$append kasan.fault=report init_on_alloc=1 init_on_free=1"
[ -n "$extra_append" ] && append="$append $extra_append"

# Crash tests: the monitor on a pipe pair the host writes commands into,
# the guest reboots instead of powering off, and /init waits at its end for
# the host to quit QEMU (its reboot would start the tests again).
reboot_opts=(-no-reboot -monitor none)
if [ -n "$reset_ms" ]; then
	mon=$work/monitor
	mkfifo "$mon.in" "$mon.out"
	reboot_opts=(-chardev "pipe,id=mon,path=$mon" -mon chardev=mon,mode=readline -monitor none)
	append="$append zslab.hold_at_exit"
fi

# reset_watch MIN MAX: reset the guest MIN..MAX ms after each ZSLAB-RESET-ARM
# it prints, after flipping the bytes its ZSLAB-CORRUPT lines name; quit QEMU
# once it printed ZSLAB-DMESG-END.
reset_watch() {
	local min=$1 max=$2 armed=0 corrupted=0 n c d end=$((SECONDS + timeout_s)) drain
	local reset_at= begun=0 retries=0
	cat "$mon.out" >/dev/null &
	drain=$!
	trap 'kill $drain 2>/dev/null; exit 0' TERM
	while [ $SECONDS -lt $end ]; do
		n=$(grep -c '^ZSLAB-RESET-ARM' "$log" 2>/dev/null)
		if [ "${n:-0}" -gt $armed ]; then
			armed=$n
			c=$(grep -c '^ZSLAB-CORRUPT [0-9]* [0-9]*' "$log" 2>/dev/null)
			if [ "${c:-0}" -gt $corrupted ]; then
				tr -d '\r' <"$log" | sed -n 's/^ZSLAB-CORRUPT \([0-9]*\) \([0-9]*\).*/\1 \2/p' |
					tail -n +$((corrupted + 1)) | head -n $((c - corrupted)) | while read -r off len; do
					flip_bytes "$zns_img" "$off" "$len"
				done
				corrupted=$c
			fi
			d=$((min + RANDOM % (max - min + 1)))
			sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
			echo system_reset >"$mon.in"
			log "vm: system_reset $d ms after reset marker $n (${SECONDS}s)"
			reset_at=$SECONDS begun=$(grep -c '^ZSLAB-BEGIN' "$log" 2>/dev/null)
		fi
		# A guest that is not back at ZSLAB-BEGIN (printed before anything
		# of ours loads) long after a reset hung in firmware or boot: once
		# seen under TCG on a loaded host. Reset it again, at most twice.
		if [ -n "$reset_at" ] && [ $((SECONDS - reset_at)) -ge 240 ]; then
			if [ "$(grep -c '^ZSLAB-BEGIN' "$log" 2>/dev/null)" -gt "$begun" ]; then
				reset_at=
			elif [ $retries -lt 2 ]; then
				retries=$((retries + 1)) reset_at=$SECONDS
				echo system_reset >"$mon.in"
				log "vm: the guest did not boot again within 240 s of a reset; system_reset again (${SECONDS}s)"
			fi
		fi
		if grep -q '^ZSLAB-DMESG-END' "$log" 2>/dev/null; then
			echo quit >"$mon.in"
			break
		fi
		sleep 0.1
	done
	kill $drain 2>/dev/null
}

# flip_bytes FILE OFFSET LEN: invert LEN bytes of FILE at OFFSET, in place
# (QEMU reads the raw image through the host page cache: it sees them).
flip_bytes() {
	perl -e 'my ($f, $o, $l) = @ARGV; open(my $h, "+<", $f) or die "$f: $!";
		binmode $h; seek($h, $o, 0); read($h, my $b, $l) == $l or die "short read";
		seek($h, $o, 0); print $h ($b ^ ("\xff" x $l)); close($h) or die "$f: $!"' "$1" "$2" "$3" &&
		log "vm: inverted $3 bytes at offset $2 of $(basename "$1")" ||
		log "vm: could not invert $3 bytes at offset $2 of $1"
}

# -cpu max without ERMS/FSRM: TCG emulates "rep movsb" a byte at a time,
# which those flags make the kernel's memcpy() and memset() use; without
# them they use "rep movsq", several times faster under emulation.
set +e
watcher=
if [ -n "$reset_ms" ]; then
	rm -f "$log"
	reset_watch "${reset_ms%%:*}" "${reset_ms##*:}" &
	watcher=$!
fi
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
	-machine q35 -accel tcg,thread=multi -cpu max,-erms,-fsrm -smp "$cpus" -m "$mem" "${prealloc[@]}" \
	-kernel "$kimage" -initrd "$work/initrd" -append "$append" \
	-display none -serial "file:$log" "${reboot_opts[@]}" \
	-drive "file=$zns_img,id=zns,format=raw,if=none" \
	-drive "file=$conv_img,id=conv,format=raw,if=none" \
	-device "nvme,id=nvme0,serial=zslab0,zoned.zasl=$zasl" \
	-device "nvme-ns,drive=zns,bus=nvme0,nsid=1,logical_block_size=$lbs,physical_block_size=$lbs,zoned=true,zoned.zone_size=$zone_size,zoned.zone_capacity=$zone_cap,zoned.max_open=$max_open,zoned.max_active=$max_active" \
	-device "nvme-ns,drive=conv,bus=nvme0,nsid=2,logical_block_size=$lbs,physical_block_size=$lbs"
qrc=$?
[ -n "$watcher" ] && kill "$watcher" 2>/dev/null && wait "$watcher" 2>/dev/null
set -e

sed -n '/^ZSLAB-BEGIN/,/^ZSLAB-EXIT/p' "$log" | tr -d '\r'
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	log "VM timed out after ${timeout_s}s (console: $log)"
	exit 124
fi
rc=$(tr -d '\r' <"$log" | sed -n 's/^ZSLAB-EXIT: \([0-9]*\)$/\1/p' | tail -n 1)
if [ -z "$rc" ]; then
	log "guest did not report an exit status (qemu rc $qrc, console: $log)"
	tail -n 30 "$log" >&2
	exit 125
fi
exit "$rc"
