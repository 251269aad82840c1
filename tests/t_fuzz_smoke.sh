#!/usr/bin/env bash
# Every fuzz target (tests/fuzz/fuzz_*.c) built with libFuzzer, ASan and UBSan and run for a
# few thousand inputs: a crash, a sanitizer report or a build failure fails its line.
# `make fuzz` runs the same targets for longer (tests/fuzz/run.sh SECONDS).
source "$(dirname "$0")/lib.sh"

OUT=$TEST_TMP/fuzz.out
bash "$TOP/tests/fuzz/run.sh" smoke >"$OUT" 2>&1
RC=$?

t_target() { # NAME (from $T)
	[ $RC = 77 ] && { tail -n 1 "$OUT"; return 77; }
	grep -q "^ok   $T " "$OUT" && return 0
	grep -A5 "^FAIL $T" "$OUT" || tail -n 5 "$OUT"
	return 1
}

for f in "$TOP"/tests/fuzz/fuzz_*.c; do
	T=$(basename "$f" .c)
	run_test "fuzz_smoke_${T#fuzz_}" t_target
done
