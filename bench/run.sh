#!/usr/bin/env bash
# Benchmarks, as ratios measured in one run (the machines are shared and noisy):
#   snapshot of 1,000 and 5,000 programs vs the syscall floor (shared/bench/floor.c) and vs
#   `bpftool prog show -j`; map contents of a 1,000,000-entry hash vs BPF_MAP_LOOKUP_BATCH
#   (shared/bench/batchfloor.c) and vs `bpftool map dump -j`; the file growth of 100 snapshots
#   of an unchanged system.
# Each figure is the median of RUNS runs (default 5); the repeated ones are run in turns with
# their reference. Needs root and bpffs.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BS=$TOP/build/bpfscope
SHARED=${SHARED:-$TOP/../shared/bench}
OUT=$TOP/bench/build
RUNS=${RUNS:-5}
PIN=/sys/fs/bpf/bpfscope-bench
COUNTS=${COUNTS:-"1000 5000"}
HASH_ENTRIES=${HASH_ENTRIES:-1000000}
mkdir -p "$OUT"
[ "$(id -u)" = 0 ] || { echo "bench: needs root"; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
for t in loadgen floor batchfloor; do
	[ "$OUT/$t" -nt "$SHARED/$t.c" ] || gcc -O2 -o "$OUT/$t" "$SHARED/$t.c" -lbpf || exit 1
done
[ "$OUT/timeit" -nt "$TOP/bench/timeit.c" ] || gcc -O2 -o "$OUT/timeit" "$TOP/bench/timeit.c" || exit 1
cleanup() { rm -rf "$PIN"; }
trap cleanup EXIT
cleanup
mkdir -p "$PIN"

# median wall time in ms of a command, over RUNS runs (bench/timeit.c: posix_spawn and the
# monotonic clock, so the harness adds what starting a process costs and no shell's forks)
median_ms() { "$OUT/timeit" "$RUNS" "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# medians in ms of two commands run in turns, RUNS times each ("A ms B ms"): the machine is
# shared, and a ratio of runs minutes apart measures the neighbours too. Options before the
# first command go to timeit (-u PATH: removed before every run, outside the clock)
paired_ms() { "$OUT/timeit" "$RUNS" "$@"; }

printf '%-44s %10s %10s %8s\n' "benchmark" "bpfscope" "reference" "ratio"
row() { printf '%-44s %8sms %8sms %7sx\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }

# the id of the program pinned at a path
pin_id() { bpftool -j prog show pinned "$1" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p'; }

# live commands on one program by id: ms at 10 programs (ONE_SMALL) against ms at n, and
# the dumps against bpftool's (a bpftool without libbfd refuses jited: no ratio then)
ONE_SMALL=${ONE_SMALL:-10}
one_small() {
	"$OUT/loadgen" "$PIN/small" "$ONE_SMALL" >/dev/null || exit 1
	local id; id=$(pin_id "$PIN/small/p0")
	# what this harness costs a process that does nothing, in turns with each: a
	# single-object command's own time is what it takes over that
	read -r TRUE_MS SMALL_SHOW <<< "$(paired_ms /bin/true -- "$BS" prog show id "$id")"
	read -r TRUE_MS2 VERSION_MS <<< "$(paired_ms /bin/true -- "$BS" version)"
	SMALL_XL=$(median_ms "$BS" prog dump xlated id "$id")
	SMALL_JT=$(median_ms "$BS" prog dump jited id "$id")
	rm -rf "$PIN/small"
}
one_rows() {
	local n=$1 id bx x bj j show
	id=$(pin_id "$2")
	ONE_OUT=()
	show=$(median_ms "$BS" prog show id "$id")
	read -r bx x <<< "$(paired_ms bpftool prog dump xlated id "$id" -- "$BS" prog dump xlated id "$id")"
	ONE_OUT+=("$(row "prog show id N, $n vs $ONE_SMALL programs" "$show" "$SMALL_SHOW")")
	ONE_OUT+=("$(row "prog show id N, $ONE_SMALL programs vs /bin/true" "$SMALL_SHOW" "$TRUE_MS")")
	ONE_OUT+=("$(row "bpfscope version vs /bin/true" "$VERSION_MS" "$TRUE_MS2")")
	ONE_OUT+=("$(row "prog dump xlated id N vs bpftool" "$x" "$bx")")
	ONE_OUT+=("$(row "prog dump xlated id N, $n vs $ONE_SMALL programs" "$x" "$SMALL_XL")")
	if bpftool prog dump jited id "$id" >/dev/null 2>&1; then
		read -r bj j <<< "$(paired_ms bpftool prog dump jited id "$id" -- "$BS" prog dump jited id "$id")"
		ONE_OUT+=("$(row "prog dump jited id N vs bpftool" "$j" "$bj")")
	else
		j=$(median_ms "$BS" prog dump jited id "$id")
		ONE_OUT+=("$(printf '%-44s %8sms %10s' "prog dump jited id N (bpftool: no libbfd)" "$j" "-")")
	fi
	ONE_OUT+=("$(row "prog dump jited id N, $n vs $ONE_SMALL programs" "$j" "$SMALL_JT")")
}

[ "${ONE:-1}" != 0 ] && one_small
for n in $COUNTS; do
	"$OUT/loadgen" "$PIN/p$n" "$n" || exit 1
	db=$OUT/bench-$n.db
	rm -f "$db" "$db-wal" "$db-shm"
	floor=$(median_ms "$OUT/floor")
	# a first snapshot is one into a new database (each run's own), paired with the floor
	read -r ff first <<< "$(paired_ms -u "$db" -u "$db-wal" -u "$db-shm" "$OUT/floor" -- \
		"$BS" --db "$db" snapshot take)"
	floor=$ff
	# one program by id (issue 17): the same cost at 10 programs as at $n
	[ "${ONE:-1}" != 0 ] && one_rows "$n" "$PIN/p$n/p0"
	# peak memory of a first snapshot with code (docs/capture.md)
	rm -f "$db.peak" "$db.peak-wal" "$db.peak-shm"
	peak=$(/usr/bin/time -f %M "$BS" --db "$db.peak" snapshot take 2>&1 >/dev/null | tail -1)
	rm -f "$db.peak" "$db.peak-wal" "$db.peak-shm"
	read -r f1 again <<< "$(paired_ms "$OUT/floor" -- "$BS" --db "$db" snapshot take)"
	read -r f2 nocode <<< "$(paired_ms "$OUT/floor" -- "$BS" --db "$db" snapshot take no-code)"
	read -r bt live <<< "$(paired_ms bpftool -j prog show -- "$BS" -j prog show)"
	read -r f3 live2 <<< "$(paired_ms "$OUT/floor" -- "$BS" -j prog show)"
	# diff of two snapshots of one system with every program reloaded (new ids, same code)
	rm -rf "$PIN/p$n"
	"$OUT/loadgen" "$PIN/p$n" "$n" || exit 1
	"$BS" --db "$db" snapshot take >/dev/null
	difft=$(median_ms "$BS" --db "$db" diff latest~1 latest)
	ndiff=$("$BS" --db "$db" diff latest~1 latest progs maps | wc -l)
	# watch at interval 1 on this idle system: CPU seconds over the seconds it ran
	if [ "${WATCH:-1}" != 0 ] && [ "$n" -le 1000 ]; then
		/usr/bin/time -f "%U %S %e" -o "$OUT/watch.time" "$BS" --db "$db" snapshot watch \
			interval 1 count "${WATCH_COUNT:-20}" >/dev/null
		watchcpu=$(awk '{ printf "%.2f", 100 * ($1 + $2) / $3 }' "$OUT/watch.time")
	fi
	echo "== $n programs (+ $n maps, $n pins)"
	row "snapshot take, first in a new db" "$first" "$floor"
	printf '%-44s %8sMB\n' "peak memory (max RSS), first snapshot" "$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')"
	[ "${ONE:-1}" != 0 ] && printf '%s\n' "${ONE_OUT[@]}"
	row "diff of two snapshots, all reloaded ($ndiff lines)" "$difft" "$first"
	[ -n "${watchcpu:-}" ] && printf '%-44s %9s%% of one core\n' "snapshot watch interval 1, idle" "$watchcpu"
	watchcpu=
	row "snapshot take, again (same boot)" "$again" "$f1"
	row "snapshot take no-code" "$nocode" "$f2"
	row "prog show -j live vs bpftool prog show -j" "$live" "$bt"
	row "prog show -j live vs floor" "$live2" "$f3"
	rm -rf "$PIN/p$n"
done

if [ "$HASH_ENTRIES" -gt 0 ]; then
	mkdir -p "$PIN"
	"$OUT/loadgen" "$PIN/h" 0 0 "$HASH_ENTRIES" || exit 1
	db=$OUT/bench-hash.db
	rm -f "$db" "$db-wal" "$db-shm"
	"$BS" --db "$db" snapshot take >/dev/null
	bf=$(median_ms "$OUT/batchfloor" "$PIN/h/hash")
	with=$(median_ms "$BS" --db "$db" snapshot take maps-data)
	without=$(median_ms "$BS" --db "$db" snapshot take)
	contents=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.2f", a - b }')
	echo "== hash map of $HASH_ENTRIES entries"
	row "map contents (maps-data minus plain snapshot)" "$contents" "$bf"
	row "snapshot take maps-data, whole" "$with" "$bf"
	# one run each: a JSON dump of a million entries takes seconds
	bd=$("$OUT/timeit" 1 bpftool -j map dump pinned "$PIN/h/hash")
	bsd=$("$OUT/timeit" 1 "$BS" -j map dump pinned "$PIN/h/hash")
	row "map dump -j live vs bpftool map dump -j" "$bsd" "$bd"
	read -r bf2 bsd2 <<< "$(paired_ms "$OUT/batchfloor" "$PIN/h/hash" -- "$BS" -j map dump pinned "$PIN/h/hash")"
	row "map dump -j live vs batch floor" "$bsd2" "$bf2"
fi

# GROWTH=0 leaves it out: how much 100 snapshots of an unchanged system add to the file
# (schema 4 keeps unchanged objects as spans: only the snapshot's own row is new)
if [ "${GROWTH:-1}" != 0 ] && [ -f "$TOP/samples/build/multi_func.bpf.o" ]; then
	db=$OUT/bench-growth.db
	rm -f "$db" "$db-wal" "$db-shm"
	for ((i = 0; i < ${GROWTH_LOADS:-16}; i++)); do
		BPFSCOPE_DB=$OUT/bench-loads.db "$BS" prog loadall "$TOP/samples/build/multi_func.bpf.o" \
			"$PIN/g/$i" autoattach >/dev/null || exit 1
	done
	"$BS" --db "$db" snapshot take >/dev/null
	p1=$(sqlite3 "$db" "PRAGMA page_count")
	for ((i = 0; i < 100; i++)); do "$BS" --db "$db" snapshot take >/dev/null; done
	p2=$(sqlite3 "$db" "PRAGMA page_count")
	echo "== ${GROWTH_LOADS:-16} multi_func loads (links, pins, BTF): 100 more snapshots"
	printf '%-44s %10s\n' "file growth (page_count $p1 -> $p2)" \
		"$(awk -v a="$p1" -v b="$p2" 'BEGIN { printf "%.2f%%", (b - a) * 100 / a }')"
	rm -rf "$PIN/g"
fi

# DUMP=0 / CFG=0 / REPORT=0 leave those parts out
if [ "${DUMP:-1}" != 0 ]; then
	echo "== disassembly of every program of one snapshot (bench/dump_all.sh)"
	bash "$TOP/bench/dump_all.sh" "${DUMP_PROGS:-5000}" "${DUMP_SAMPLE:-50}" 2>&1 | sed 's/^/  /'
fi
if [ "${CFG:-1}" != 0 ]; then
	echo "== control-flow graph of a 10,000-instruction program (bench/cfg_bench.sh)"
	bash "$TOP/bench/cfg_bench.sh" 2>&1 | sed 's/^/  /'
fi
# FLEET=1: the fleet server (PostgreSQL of its own): 100 hosts x 50 snapshots (bench/fleet.sh)
if [ "${FLEET:-0}" = 1 ]; then
	echo "== fleet: ${HOSTS:-100} hosts x ${SNAPS:-50} snapshots in PostgreSQL (bench/fleet.sh)"
	bash "$TOP/bench/fleet.sh" 2>&1 | sed 's/^/  /'
fi
if [ "${REPORT:-1}" != 0 ]; then
	echo "== HTML report of ${REPORT_PROGS:-5000} programs vs its snapshot (bench/report_bench.sh)"
	bash "$TOP/bench/report_bench.sh" "${REPORT_PROGS:-5000}" 2>&1 | sed 's/^/  /'
fi
