#!/usr/bin/env bash
# Build (or reuse) the debug 6.1 kernel of DESIGN.md §7 and print its directory.
# tinyconfig + scripts/debug-kernel.config, cached under $ZSLAB_CACHE keyed by
# the fragment, this script and the linux-source-6.1 version.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$(debug_kernel_dir)
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$ZSLAB_CACHE"
exec 9>"$ZSLAB_CACHE/.build.lock"
flock 9
[ -f "$dir/.complete" ] && { echo "$dir"; exit 0; }

log "building debug kernel in $dir (about 10-20 minutes on 2 cores)"
rm -rf "$dir" "$dir.tmp"
mkdir -p "$dir.tmp"
tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$dir.tmp" --strip-components=1
cd "$dir.tmp"
make -s tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$ZSLAB_ROOT/scripts/debug-kernel.config" >/dev/null
make -s olddefconfig >/dev/null

# Every option of the fragment must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}; grep -q "^$opt=" .config && { log "config: $opt is set"; bad=1; } ;;
	CONFIG_*) grep -qx "$line" .config || { log "config: '$line' did not survive"; bad=1; } ;;
	esac
done < "$ZSLAB_ROOT/scripts/debug-kernel.config"
[ $bad -eq 0 ] || die "debug kernel config incomplete"

make -j"$(nproc)" bzImage modules >build.log 2>&1 || { tail -40 build.log >&2; die "debug kernel build failed"; }
make -s modules_prepare >/dev/null
cd /
mv "$dir.tmp" "$dir"
touch "$dir/.complete"
log "debug kernel ready: $dir"
echo "$dir"
