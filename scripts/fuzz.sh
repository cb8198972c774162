#!/usr/bin/env bash
# Fuzz the module's decoders in userspace (fuzz/, libFuzzer + ASan + UBSan).
#
#   fuzz.sh [TOTAL_SECONDS]    default 60 (make check); make fuzz runs longer
#
# For every target that fuzz/Makefile lists: write the seeds its encoder
# makes, replay every input in fuzz/regressions/NAME/ (each once crashed a
# decoder), then fuzz for an equal share of TOTAL_SECONDS. Prints one
# "PASS ..." or "FAIL ..." line per step and exits non-zero on any FAIL. An
# input that crashes a target, or trips a sanitizer, is copied to
# fuzz/regressions/NAME/: commit it with the fix, and make check replays it
# from then on.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ZSLAB_ROOT"

total=${1:-60}
out=$ZSLAB_OUT/fuzz
mkdir -p "$out"
failed=0
pass() { echo "PASS fuzz: $*"; }
fail() { echo "FAIL fuzz: $*"; failed=1; }

if ! make -s -C fuzz OUT="$out" >"$out/build.log" 2>&1; then
	fail "build the decoders with clang, libFuzzer, ASan and UBSan: $(grep -m 3 -E 'error' "$out/build.log" | tr '\n' ' ')"
	exit 1
fi
targets=$(make -s -C fuzz list)
n=$(echo $targets | wc -w)
pass "build $n targets ($targets) with clang, libFuzzer, ASan and UBSan"
per=$((total / n))
[ "$per" -ge 1 ] || per=1

for t in $targets; do
	bin=$out/$t corpus=$out/corpus/$t art=$out/artifacts/$t/ regr=fuzz/regressions/$t
	mkdir -p "$corpus" "$art" "$regr"
	rm -f "$art"*
	if ! ZFUZZ_SEED_DIR=$corpus "$bin" >"$out/$t-seeds.log" 2>&1; then
		fail "$t: the encoder makes its seeds: $(grep -m 1 -E 'runtime error|ERROR|broken' "$out/$t-seeds.log")"
		continue
	fi
	inputs=$(find "$regr" -type f ! -name '.*' | sort)
	if [ -n "$inputs" ]; then
		if "$bin" $inputs >"$out/$t-regressions.log" 2>&1; then
			pass "$t: $(echo "$inputs" | wc -l) regression inputs replay cleanly"
		else
			fail "$t: regression inputs: $(grep -m 1 -E 'SUMMARY|runtime error|broken' "$out/$t-regressions.log")"
		fi
	fi
	"$bin" -max_total_time="$per" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$art" "$corpus" >"$out/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
	crashes=$(find "$art" -type f | wc -l)
	if [ $rc -eq 0 ] && [ "$crashes" -eq 0 ]; then
		pass "$t: ${execs:-?} inputs in ${per} s, no crash, no sanitizer report"
	else
		cp "$art"* "$regr/" 2>/dev/null
		fail "$t: $(grep -m 1 -E 'SUMMARY|runtime error|broken' "$out/$t.log") (rc $rc; input kept in $regr/)"
	fi
done
exit $failed
