# shellcheck shell=bash
# Shared settings for the zns_slab harness scripts; sourced, not run.

ZSLAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Built kernels and images live outside the repo so that fresh clones reuse them.
ZSLAB_CACHE=${ZSLAB_CACHE:-/var/cache/zns_slab}
ZSLAB_OUT=${ZSLAB_OUT:-$ZSLAB_ROOT/out}

# The stock Debian kernels the module is tested on, as harness "flavors":
#   stock       Debian bookworm's own 6.1 (linux-image-amd64)
#   stock-6.12  Debian trixie's 6.12 as bookworm carries it
#               (linux-image-6.12-amd64: 6.12.N+deb12-amd64)
# Each resolves to the newest point release installed in /boot: versions move.
STOCK_FLAVORS="stock stock-6.12"

# flavor_kver FLAVOR: the kernel release (uname -r) a stock flavor boots.
flavor_kver() {
	local re v
	case $1 in
	stock) re='^6\.1\.[0-9]+-[0-9]+-amd64$' ;;
	stock-6.12) re='^6\.12\.[0-9]+\+deb12-amd64$' ;;
	*) echo "no such stock kernel flavor: $1" >&2; return 1 ;;
	esac
	v=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' 2>/dev/null |
		sed 's/^vmlinuz-//' | grep -E "$re" | sort -V | tail -n 1)
	[ -n "$v" ] || { echo "no Debian kernel for flavor $1 in /boot (run scripts/setup.sh)" >&2; return 1; }
	echo "$v"
}
stock_kver() { flavor_kver stock; }

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

# Bump when build-uml-kernel.sh changes how the UML kernel is made.
UML_KERNEL_RECIPE=1

# The newest installed Debian kernel source package (linux-source-X.Y).
uml_source_pkg() {
	local p
	p=$(dpkg-query -W -f='${Package} ${Status}\n' 'linux-source-[0-9]*' 2>/dev/null |
		awk '/ install ok installed$/ { print $1 }' | sort -V | tail -n 1)
	[ -n "$p" ] || { echo "no linux-source-X.Y package installed (run scripts/setup.sh)" >&2; return 1; }
	echo "$p"
}

# Cache key of the UML kernel: the config fragment, the recipe, the source package and version.
uml_kernel_dir() {
	local pkg srcver key
	pkg=$(uml_source_pkg) || return 1
	srcver=$(dpkg-query -W -f='${Version}' "$pkg")
	key=$({ cat "$ZSLAB_ROOT/scripts/uml-kernel.config"
		echo "recipe=$UML_KERNEL_RECIPE source=$pkg $srcver"; } | sha256sum | cut -c1-16)
	echo "$ZSLAB_CACHE/uml-kernel-$key"
}

log() { printf '[zns_slab] %s\n' "$*" >&2; }
die() { printf '[zns_slab] error: %s\n' "$*" >&2; exit 1; }
