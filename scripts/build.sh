#!/usr/bin/env bash
# Build the modules for one kernel in a directory of their own, so builds for
# the stock and the debug kernel do not overwrite each other.
#   build.sh stock|stock-6.12|debug|uml [extra make args...]   prints the build directory
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=$1; shift
case $flavor in
stock*) kver=$(flavor_kver "$flavor") || exit 1; kdir=/usr/src/linux-headers-$kver ;;
debug) kdir=$(debug_kernel_dir) ;;
uml) kdir=$(uml_kernel_dir); set -- ARCH=um "$@" ;;
*) die "build.sh stock|stock-6.12|debug|uml" ;;
esac
[ -d "$kdir" ] || die "no kernel tree $kdir"

dir=$ZSLAB_OUT/build-$flavor
rm -rf "$dir"
mkdir -p "$dir"
(cd "$ZSLAB_ROOT" && cp -r Kbuild Makefile ./*.c ./*.h kunit "$dir/")
cp -r "$ZSLAB_ROOT/examples" "$dir/"
mkdir -p "$dir/tests" && cp -r "$ZSLAB_ROOT/tests/client" "$dir/tests/"
make -C "$dir" KDIR="$kdir" W=1 "$@" >"$dir/build.log" 2>&1 ||
	{ tail -n 30 "$dir/build.log" >&2; die "module build for $flavor kernel failed"; }
echo "$dir"
