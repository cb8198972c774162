#!/usr/bin/env bash
# Build (or reuse) the User-Mode Linux kernel of DESIGN.md §7 and print its
# directory: ARCH=um defconfig + scripts/uml-kernel.config, from the newest
# installed linux-source-X.Y, cached under $ZSLAB_CACHE keyed by the
# fragment, this recipe and the source package version. The tree is also
# the build directory modules are compiled against (make ARCH=um).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$(uml_kernel_dir)
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$ZSLAB_CACHE"
exec 9>"$ZSLAB_CACHE/.uml-build.lock"
flock 9
[ -f "$dir/.complete" ] && { echo "$dir"; exit 0; }

pkg=$(uml_source_pkg)
log "building the UML kernel from $pkg in $dir (a few minutes on 2 cores)"
rm -rf "$dir" "$dir.tmp"
mkdir -p "$dir.tmp"
tar -xJf "/usr/src/$pkg.tar.xz" -C "$dir.tmp" --strip-components=1
cd "$dir.tmp"

# UML saves and restores its processes' FPU state with PTRACE_GETREGSET
# NT_X86_XSTATE when the host offers it; on a CPU with a large XSAVE area
# (AMX) that fails at the first process ("ptrace set fp regs failed, errno
# = 14"). Never using it keeps UML on FXSAVE state, which is enough while
# user space stays off AVX (GLIBC_TUNABLES, scripts/uml.sh).
regs=arch/x86/um/os-Linux/registers.c
[ "$(grep -c 'have_xstate_support = 1;' "$regs")" = 1 ] ||
	die "$regs: the line setting have_xstate_support is not there once: recipe needs updating"
sed -i 's/have_xstate_support = 1;/; \/* zns_slab: FXSAVE state only (DESIGN.md §7) *\//' "$regs"

make -s ARCH=um defconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$ZSLAB_ROOT/scripts/uml-kernel.config" >/dev/null
make -s ARCH=um olddefconfig >/dev/null

bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}; grep -q "^$opt=" .config && { log "config: $opt is set"; bad=1; } ;;
	CONFIG_*) grep -qx "$line" .config || { log "config: '$line' did not survive"; bad=1; } ;;
	esac
done < "$ZSLAB_ROOT/scripts/uml-kernel.config"
[ $bad -eq 0 ] || die "UML kernel config incomplete"

make ARCH=um -j"$(nproc)" linux modules >build.log 2>&1 || { tail -40 build.log >&2; die "UML kernel build failed"; }
make -s ARCH=um modules_prepare >/dev/null
cd /
mv "$dir.tmp" "$dir"
touch "$dir/.complete"
log "UML kernel ready: $dir"
echo "$dir"
