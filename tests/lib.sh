# shellcheck shell=sh
# Guest-side test helpers (busybox sh). Each check prints one line the host
# counts:  "ZSLAB-TEST: ok NAME"  or  "ZSLAB-TEST: not ok NAME: REASON".

T_LABEL=${T_LABEL:-}
T_FAILED=0
ZNS=${ZNS:-/dev/nvme0n1}
CONV=${CONV:-/dev/nvme0n2}
DBG=/sys/kernel/debug/zns_slab

pass() { echo "ZSLAB-TEST: ok ${T_LABEL}$1"; }
fail() { echo "ZSLAB-TEST: not ok ${T_LABEL}$1: $2"; T_FAILED=$((T_FAILED + 1)); }

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
