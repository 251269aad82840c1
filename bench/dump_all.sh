#!/usr/bin/env bash
# Dumping every program of one snapshot (xlated and jited) against bpftool's per-id dump.
# usage: bench/dump_all.sh [NPROGS=5000] [SAMPLE=100]   (root; needs bpffs)
# Prints per-call costs, the extrapolated totals and the ratios bpftool / bpfscope; a
# ratio, not a time, is the result (shared, noisy machines).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BPFSCOPE=${BPFSCOPE:-$TOP/build/bpfscope}
N=${1:-5000}
SAMPLE=${2:-100}
BT_SAMPLE=${BT_SAMPLE:-10}	# bpftool costs ~0.5 s a call at 5,000 programs
TMP=$(mktemp -d /tmp/bpfscope-bench.XXXXXX)
PIN=/sys/fs/bpf/bpfscope_bench_dump_$$
trap 'rm -rf "$PIN" "$TMP"' EXIT

[ "$(id -u)" = 0 ] || { echo "dump_all: needs root" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
[ -x "$BPFSCOPE" ] || { echo "dump_all: no bpfscope at $BPFSCOPE" >&2; exit 1; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

for f in "$TOP/bench/loadgen.c" "$TOP/../shared/bench/loadgen.c"; do
	[ -f "$f" ] && gcc -O2 -o "$TMP/loadgen" "$f" -lbpf && break
done
[ -x "$TMP/loadgen" ] || { echo "dump_all: can't build loadgen" >&2; exit 1; }
t0=$(now)
"$TMP/loadgen" "$PIN" "$N" >/dev/null || exit 1
echo "loaded $N programs in $(printf %.1f "$(secs "$t0" "$(now)")") s"

DB=$TMP/h.db
t0=$(now)
"$BPFSCOPE" --db "$DB" snapshot take >/dev/null || exit 1
echo "snapshot take: $(printf %.2f "$(secs "$t0" "$(now)")") s"
IDS=($(sqlite3 "$DB" "SELECT id FROM progs WHERE snapshot_id = (SELECT max(id) FROM snapshots) ORDER BY id"))
TOTAL=${#IDS[@]}
[ "$TOTAL" -ge "$SAMPLE" ] || SAMPLE=$TOTAL
# an even spread over the ids, not just the first ones
pick() { local k step=$(( TOTAL / $1 )); [ $step -ge 1 ] || step=1
	for ((k = 0; k < TOTAL && k / step < $1; k += step)); do echo "${IDS[$k]}"; done; }

percall() { # KIND IDS...: seconds per `-s latest prog dump KIND id N`
	local kind=$1 t0 n=0; shift
	t0=$(now)
	for id in "$@"; do
		"$BPFSCOPE" --db "$DB" -s latest prog dump "$kind" id "$id" >/dev/null 2>&1
		n=$((n + 1))
	done
	echo "$(secs "$t0" "$(now)") / $n" | bc -l
}

sample=($(pick "$SAMPLE"))
x_call=$(percall xlated "${sample[@]}")
j_call=$(percall jited "${sample[@]}")
bt=($(pick "$BT_SAMPLE"))
t0=$(now)
for id in "${bt[@]}"; do bpftool prog dump xlated id "$id" >/dev/null 2>&1; done
b_call=$(echo "$(secs "$t0" "$(now)") / ${#bt[@]}" | bc -l)

printf 'programs in the snapshot: %d (samples: %d bpfscope, %d bpftool)\n' "$TOTAL" "${#sample[@]}" "${#bt[@]}"
printf 'per call: bpfscope xlated %.1f ms, jited %.1f ms; bpftool xlated %.1f ms\n' \
	"$(echo "$x_call * 1000" | bc -l)" "$(echo "$j_call * 1000" | bc -l)" "$(echo "$b_call * 1000" | bc -l)"
printf 'all %d, one call each (extrapolated): bpfscope xlated %.1f s, jited %.1f s; bpftool xlated %.1f s\n' \
	"$TOTAL" "$(echo "$x_call * $TOTAL" | bc -l)" "$(echo "$j_call * $TOTAL" | bc -l)" "$(echo "$b_call * $TOTAL" | bc -l)"
printf 'ratio bpftool/bpfscope per call: xlated %.1fx, jited-vs-bpftool-xlated %.1fx\n' \
	"$(echo "$b_call / $x_call" | bc -l)" "$(echo "$b_call / $j_call" | bc -l)"

# one process for everything, when the CLI has it (prog dump KIND all)
for kind in xlated jited; do
	t0=$(now)
	if "$BPFSCOPE" --db "$DB" -s latest prog dump "$kind" all >"$TMP/all.$kind" 2>"$TMP/err"; then
		t=$(secs "$t0" "$(now)")
		printf 'batch: prog dump %s all: %.2f s for %d programs (target < 2 s); ratio bpftool/bpfscope %.0fx\n' \
			"$kind" "$t" "$TOTAL" "$(echo "$b_call * $TOTAL / $t" | bc -l)"
	else
		echo "batch: prog dump $kind all: not supported ($(head -c 200 "$TMP/err"))"
	fi
done
