# KUnit in the debug VM: load zns_slab on the ZNS namespace, load every test
# module in /test/kunit, turn each leaf KTAP result into a test line, and
# check that KASAN, lockdep and kmemleak stayed silent.
. /test/lib.sh

kmemleak=/sys/kernel/debug/kmemleak
[ -e $kmemleak ] && echo clear >$kmemleak

ans=$(load_zns_slab device=$ZNS)
[ "$ans" = "load: ok" ] && pass "zns_slab loads in the debug kernel" ||
	{ fail "zns_slab loads in the debug kernel" "$ans"; exit 1; }

# ktap_leaves SUITE: one "ok|not ok NAME" line per leaf test case of SUITE,
# from the KTAP the kernel logged. (On 6.1 the debugfs results keep only the
# last case of a parameterised test: each parameter run clears the log.)
ktap_leaves() {
	dmesg | sed 's/^\[[^]]*\] //' | awk -v suite="$1" '
	function indent(s) { match(s, /^ */); return RLENGTH }
	$0 ~ "^ *# Subtest: " suite "$" { on = 1; next }
	!on { next }
	/^(not )?ok [0-9]+ / { exit }		# the suite line itself
	/^ *# Subtest: / && indent($0) == 8 { p = $0; sub(/^ *# Subtest: /, "", p); next }
	/^ *(not )?ok [0-9]+ / {
		d = indent($0); line = $0; sub(/^ */, "", line)
		res = (line ~ /^not ok/) ? "not ok" : "ok"
		sub(/^(not )?ok [0-9]+ (- )?/, "", line)
		sub(/ # SKIP.*/, "", line)
		if (d >= 8) { leaves[++n] = res " " suite ": " p ": " line; next }
		if (n == 0) print res " " suite ": " line
		else for (i = 1; i <= n; i++) print leaves[i]
		n = 0
	}'
}

for ko in /test/kunit/*.ko; do
	[ -e "$ko" ] || continue
	name=$(basename "$ko" .ko)
	ans=$(ztool load "$ko")
	[ "$ans" = "load: ok" ] || { fail "$name loads" "$ans"; continue; }
done

nsuites=0
for dir in /sys/kernel/debug/kunit/*/; do
	[ -f "$dir/results" ] || continue
	suite=$(basename "$dir")
	nsuites=$((nsuites + 1))
	ktap_leaves "$suite" >/tmp/leaves.txt
	# Cross-check with what KUnit itself counted (debugfs results).
	total=$(sed -n 's/^# Totals: .*total:\([0-9]*\).*/\1/p' "$dir/results")
	got=$(wc -l </tmp/leaves.txt)
	[ -n "$total" ] && [ "$got" = "$total" ] && pass "kunit suite $suite: $got cases, as KUnit counted" ||
		fail "kunit suite $suite: leaf cases match KUnit's total" "parsed $got, results say '$total'"
	while read -r res rest; do
		if [ "$res" = ok ]; then pass "kunit $rest"
		else
			fail "kunit ${rest#ok }" "see results below"
			sed 's/^/KTAP: /' "$dir/results" | grep -B 12 "not ok" | head -n 40
		fi
	done </tmp/leaves.txt
done
[ $nsuites -gt 0 ] && pass "kunit: $nsuites suites ran" || fail "kunit suites ran" "none found"

for ko in /test/kunit/*.ko; do
	[ -e "$ko" ] && rmmod "$(basename "$ko" .ko)"
done

# What the suites provoke on purpose must show in the log, exactly so.
if dmesg | grep -q 'zns_slab: cache kt-live destroyed with 10 live objects'; then
	pass "destroying a cache with live objects warns with their number"
else fail "destroying a cache with live objects warns with their number" "no such line"; fi
n=$(dmesg | grep -c 'WARNING: .*zslab_report_misuse')
[ "$n" = 1 ] && pass "misuse warns once (WARN_ONCE), not per misuse" ||
	fail "misuse warns once (WARN_ONCE), not per misuse" "$n WARNs"
expect "zns_slab unloads after the suites" unload_zns_slab

if [ -e $kmemleak ]; then
	echo scan >$kmemleak
	sleep 1
	echo scan >$kmemleak
	leaks=$(cat $kmemleak)
	if [ -z "$leaks" ]; then pass "kmemleak: no leak"
	else fail "kmemleak: no leak" "$(echo "$leaks" | head -n 20 | tr '\n' '|')"; fi
else
	fail "kmemleak: no leak" "no $kmemleak in the debug kernel"
fi
if dmesg | grep -q 'BUG: KASAN'; then fail "KASAN: no report" "$(dmesg | grep -A 5 'BUG: KASAN' | head -n 8 | tr '\n' '|')"
else pass "KASAN: no report"; fi
if dmesg | grep -qE 'circular locking|recursive locking|inconsistent lock state|lock held when returning|suspicious RCU|sleeping function called from invalid context'; then
	fail "lockdep and atomic-sleep checks: no report" "$(dmesg | grep -E -A 3 'circular|recursive|inconsistent|suspicious|sleeping function' | head -n 8 | tr '\n' '|')"
else pass "lockdep and atomic-sleep checks: no report"; fi
dmesg_clean "no WARN, BUG or Oops in dmesg"
exit $T_FAILED
