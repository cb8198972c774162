# shellcheck shell=bash
# Shared settings for the zns_slab harness scripts; sourced, not run.

ZSLAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Built kernels and images live outside the repo so that fresh clones reuse them.
ZSLAB_CACHE=${ZSLAB_CACHE:-/var/cache/zns_slab}
ZSLAB_OUT=${ZSLAB_OUT:-$ZSLAB_ROOT/out}

# The stock Debian kernel the module targets first.
stock_kver() {
	local v
	v=$(find /boot -maxdepth 1 -name 'vmlinuz-6.1.*-amd64' -printf '%f\n' 2>/dev/null |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	[ -n "$v" ] || { echo "no Debian 6.1 kernel in /boot (run scripts/setup.sh)" >&2; return 1; }
	echo "$v"
}

# Bump when build-debug-kernel.sh changes how the kernel is made.
DEBUG_KERNEL_RECIPE=1

# Cache key of the debug kernel: the config fragment, the recipe and the source version.
debug_kernel_dir() {
	local srcver key
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)
	key=$({ cat "$ZSLAB_ROOT/scripts/debug-kernel.config"
		echo "recipe=$DEBUG_KERNEL_RECIPE source=$srcver"; } | sha256sum | cut -c1-16)
	echo "$ZSLAB_CACHE/debug-kernel-$key"
}

log() { printf '[zns_slab] %s\n' "$*" >&2; }
die() { printf '[zns_slab] error: %s\n' "$*" >&2; exit 1; }
