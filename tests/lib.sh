# shellcheck shell=sh
# Guest-side test helpers (busybox sh). Each check prints one line the host
# counts:  "ZSLAB-TEST: ok NAME"  or  "ZSLAB-TEST: not ok NAME: REASON".

T_LABEL=${T_LABEL:-}
T_FAILED=0
# The zoned and the conventional namespace as the guest's /init found them,
# by queue/zoned (on 6.12 either may be /dev/nvme0n1).
ZNS=${ZNS:-}
CONV=${CONV:-}
DBG=/sys/kernel/debug/zns_slab

pass() { echo "ZSLAB-TEST: ok ${T_LABEL}$1"; }
fail() { echo "ZSLAB-TEST: not ok ${T_LABEL}$1: $2"; T_FAILED=$((T_FAILED + 1)); }

if [ -z "$ZNS" ] || [ -z "$CONV" ]; then
	fail "the guest finds a zoned and a conventional namespace" "ZNS='$ZNS' CONV='$CONV'"
	exit 1
fi

# expect NAME CMD...: the command succeeds.
expect() {
	name=$1; shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"; fi
}

# Kernel log lines printed since the last mark_dmesg.
mark_dmesg() { T_DMESG_MARK=$(dmesg | wc -l); }
new_dmesg() { dmesg | tail -n +$((T_DMESG_MARK + 1)); }

# dmesg_without_intended_warns: the kernel log less the splats of
# WARN_ONCE(zslab_report_misuse), which tests provoke on purpose.
dmesg_without_intended_warns() {
	dmesg | awk '/WARNING: .*zslab_report_misuse/ { skip = 1 }
		!skip { print }
		/---\[ end trace/ { skip = 0 }'
}

# dmesg_clean NAME: no WARN, BUG, Oops, KASAN or lockdep report in the log.
dmesg_clean() {
	bad=$(dmesg_without_intended_warns | grep -E 'WARNING:|BUG:|Oops|KASAN|circular locking|possible recursive locking|inconsistent lock state|Call Trace' | head -n 3)
	if [ -z "$bad" ]; then pass "$1"; else fail "$1" "$bad"; fi
}

# load_zns_slab PARAMS...: load the module under test; prints ztool's answer.
load_zns_slab() { ztool load /test/zns_slab.ko "$@"; }
unload_zns_slab() { rmmod zns_slab; }

# nvme_zones DEV: nvme-cli's zone report as "start wp capacity cond" per zone,
# in 512 B sectors. Its states are ZNS nibbles, its addresses in blocks.
nvme_zones() {
	_lbs=$(cat /sys/block/${1#/dev/}/queue/logical_block_size)
	_zs=$(cat /sys/block/${1#/dev/}/queue/chunk_sectors)
	nvme zns report-zones "$1" | grep 'SLBA:' | while read -r _ slba _ wp _ cap _ st _; do
		case $st in
		0x10) c=empty ;; 0x20) c=imp_open ;; 0x30) c=exp_open ;; 0x40) c=closed ;;
		0xd0) c=read_only ;; 0xe0) c=full ;; 0xf0) c=offline ;; *) c=unknown ;;
		esac
		s=$(($(printf '%d' $slba) * _lbs / 512))
		# A full zone has no valid write pointer (all ones); the kernel uses its end.
		if [ $c = full ]; then w=$((s + _zs)); else w=$(($(printf '%d' $wp) * _lbs / 512)); fi
		echo "$s $w $(($(printf '%d' $cap) * _lbs / 512)) $c"
	done
}

# dbg_zones: the module's view in the same form.
dbg_zones() { grep -v '^#' $DBG/zones | awk '{ print $2, $5, $4, $6 }'; }

# zones_match_nvme NAME: debugfs zones equal nvme-cli's report.
zones_match_nvme() {
	nvme_zones $ZNS >/tmp/nz.txt
	dbg_zones >/tmp/dz.txt
	if [ -s /tmp/nz.txt ] && cmp -s /tmp/nz.txt /tmp/dz.txt; then pass "$1"
	else fail "$1" "$(diff /tmp/nz.txt /tmp/dz.txt | grep '^[-+][0-9]' | head -n 4 | tr '\n' ' ')"; fi
}

# tc CMD...: run a zslab_testclient command, print its answer's value.
tc() {
	echo "$*" >/sys/kernel/debug/zslab_testclient/cmd
	sed 's/^[a-z]*: //' /sys/kernel/debug/zslab_testclient/result
}

# expect_tc NAME WANT CMD...: the test client's answer to CMD is WANT.
expect_tc() {
	name=$1 want=$2; shift 2
	got=$(tc "$@")
	[ "$got" = "$want" ] && pass "$name" || fail "$name" "'$*' answered $got, want $want"
}

# cstat CACHE KEY: a value from debugfs cache/CACHE.
cstat() { sed -n "s/^$2: //p" $DBG/cache/$1; }
iostat() { sed -n "s/^$1: //p" $DBG/io; }
