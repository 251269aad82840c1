#!/usr/bin/env bash
# The HTML report of a large system against the snapshot it is written from (issue 13,
# acceptance 4): N programs loaded, one snapshot taken into a new database, then
# `report file` (one page) and `report dir` (an index and a page per program), each timed
# once; prints the ratios report / snapshot and the sizes. A ratio is the result (shared,
# noisy machines); the snapshot holds every program on the machine, not only ours.
# usage: bench/report_bench.sh [NPROGS=5000]   (root; needs bpffs)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BPFSCOPE=${BPFSCOPE:-$TOP/build/bpfscope}
N=${1:-5000}
TMP=$(mktemp -d /tmp/bpfscope-bench-report.XXXXXX)
PIN=/sys/fs/bpf/bpfscope_bench_report_$$
trap 'rm -rf "$PIN" "$TMP"' EXIT

[ "$(id -u)" = 0 ] || { echo "report_bench: needs root" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
[ -x "$BPFSCOPE" ] || { echo "report_bench: no bpfscope at $BPFSCOPE" >&2; exit 1; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

for f in "${SHARED:-$TOP/../shared/bench}/loadgen.c" "$TOP/../../shared/bench/loadgen.c"; do
	[ -f "$f" ] && gcc -O2 -o "$TMP/loadgen" "$f" -lbpf && break
done
[ -x "$TMP/loadgen" ] || { echo "report_bench: can't build loadgen" >&2; exit 1; }
"$TMP/loadgen" "$PIN" "$N" >/dev/null || exit 1

DB=$TMP/h.db
t0=$(date +%s%N); "$BPFSCOPE" --db "$DB" snapshot take >/dev/null || exit 1; t1=$(date +%s%N)
snap=$(ms "$t0" "$t1")
total=$("$BPFSCOPE" --db "$DB" -s latest -j prog show | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
t0=$(date +%s%N); "$BPFSCOPE" --db "$DB" report latest file "$TMP/page.html" || exit 1; t1=$(date +%s%N)
page=$(ms "$t0" "$t1")
t0=$(date +%s%N); "$BPFSCOPE" --db "$DB" report latest dir "$TMP/dir" || exit 1; t1=$(date +%s%N)
dir=$(ms "$t0" "$t1")
psize=$(stat -c %s "$TMP/page.html")
isize=$(stat -c %s "$TMP/dir/index.html")
dsize=$(du -sb "$TMP/dir" | cut -f1)
printf 'programs in the snapshot: %d (%d loaded here)\n' "$total" "$N"
printf '%-40s %8s ms\n' "snapshot take, first in a new db" "$snap"
printf '%-40s %8s ms  ratio to the snapshot %sx  size %.1f MB\n' "report file (one page)" "$page" \
	"$(ratio "$page" "$snap")" "$(awk -v s="$psize" 'BEGIN { print s / 1e6 }')"
printf '%-40s %8s ms  ratio to the snapshot %sx  index %.1f MB, all %.1f MB\n' \
	"report dir (index + a page per program)" "$dir" "$(ratio "$dir" "$snap")" \
	"$(awk -v s="$isize" 'BEGIN { print s / 1e6 }')" "$(awk -v s="$dsize" 'BEGIN { print s / 1e6 }')"
