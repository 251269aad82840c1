#!/usr/bin/env bash
# The repeat snapshot (same database, nothing changed) against the syscall floor
# (shared/bench/floor.c), paired run by run: CPU time (task-clock, user+sys, from perf stat)
# and wall time, medians of RUNS pairs, with the syscall walk (BPFSCOPE_NO_ITER=1) beside.
# Usage: bench/fast.sh [N programs loaded by loadgen, default 1000]. Needs root and perf.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BS=$TOP/build/bpfscope
SHARED=${SHARED:-$TOP/../shared/bench}
[ -d "$SHARED" ] || SHARED=/work/shared/bench
OUT=$TOP/bench/build
RUNS=${RUNS:-11}
N=${1:-1000}
PIN=/sys/fs/bpf/bpfscope-fast-bench-$$
DB=$OUT/fast-bench-$$.db
mkdir -p "$OUT"
for t in loadgen floor; do
	[ "$OUT/$t" -nt "$SHARED/$t.c" ] || gcc -O2 -o "$OUT/$t" "$SHARED/$t.c" -lbpf || exit 1
done
[ "$OUT/timeit" -nt "$TOP/bench/timeit.c" ] || gcc -O2 -o "$OUT/timeit" "$TOP/bench/timeit.c" || exit 1
cleanup() { rm -rf "$PIN"; rm -f "$DB" "$DB-wal" "$DB-shm"; }
trap cleanup EXIT
"$OUT/loadgen" "$PIN" "$N" >/dev/null || exit 1
"$BS" --db "$DB" snapshot take >/dev/null || exit 1
"$BS" --db "$DB" snapshot take >/dev/null || exit 1

# "cpu_ms wall_ms" of one run
one() {
	local s
	s=$(perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}')
	# (bench/timeit.c: no shell forks in the wall time)
	echo "$s $("$OUT/timeit" 1 "$@" | awk '{printf "%d", $1 * 1000}')"
}
med() { sort -n | awk '{v[NR]=$1} END {printf "%.2f", v[int((NR+1)/2)]}'; }
: > "$OUT/fast-$$.runs"
for ((i = 0; i < RUNS; i++)); do
	f=$(one "$OUT/floor"); s=$(one "$BS" --db "$DB" snapshot take)
	w=$(BPFSCOPE_NO_ITER=1 one "$BS" --db "$DB" snapshot take)
	echo "$f $s $w" >> "$OUT/fast-$$.runs"
done
progs=$("$OUT/floor" | awk '{print $2}')
printf 'repeat snapshot, %s programs loaded (%s by loadgen), %s pairs, medians\n' "$progs" "$N" "$RUNS"
printf '  floor        cpu %8.2f ms  wall %8.2f ms\n' "$(awk '{print $1}' "$OUT/fast-$$.runs" | med)" "$(awk '{print $2/1000}' "$OUT/fast-$$.runs" | med)"
printf '  fast path    cpu %8.2f ms  wall %8.2f ms\n' "$(awk '{print $3}' "$OUT/fast-$$.runs" | med)" "$(awk '{print $4/1000}' "$OUT/fast-$$.runs" | med)"
printf '  NO_ITER walk cpu %8.2f ms  wall %8.2f ms\n' "$(awk '{print $5}' "$OUT/fast-$$.runs" | med)" "$(awk '{print $6/1000}' "$OUT/fast-$$.runs" | med)"
printf '  fast / floor, paired: cpu %.2fx  wall %.2fx\n' "$(awk '{print $3/$1}' "$OUT/fast-$$.runs" | med)" "$(awk '{print $4/$2}' "$OUT/fast-$$.runs" | med)"
printf '  walk / floor, paired: cpu %.2fx  wall %.2fx\n' "$(awk '{print $5/$1}' "$OUT/fast-$$.runs" | med)" "$(awk '{print $6/$2}' "$OUT/fast-$$.runs" | med)"
rm -f "$OUT/fast-$$.runs"
