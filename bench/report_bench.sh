#!/usr/bin/env bash
# The HTML report of a large system against the snapshot it is written from (issue 13,
# acceptance 4): N programs loaded, one snapshot taken into a new database, then
# `report file` (one page) and `report dir` (an index and a page per program), each timed
# once (wall and CPU: user + sys); prints the ratios report / snapshot and the sizes. A ratio
# is the result (shared, noisy machines); the snapshot holds every program on the machine,
# not only ours.
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
# run the command under /usr/bin/time: wall and CPU (user + sys) in ms into $TMP/t
timed() {
	/usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" >/dev/null || return 1
	read -r wall user sys < "$TMP/t"
	awk -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { printf "%d %d\n", w * 1000, (u + s) * 1000 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
mb() { awk -v s="$1" 'BEGIN { printf "%.1f", s / 1e6 }'; }

for f in "${SHARED:-$TOP/../shared/bench}/loadgen.c" "$TOP/../../shared/bench/loadgen.c"; do
	[ -f "$f" ] && gcc -O2 -o "$TMP/loadgen" "$f" -lbpf && break
done
[ -x "$TMP/loadgen" ] || { echo "report_bench: can't build loadgen" >&2; exit 1; }
"$TMP/loadgen" "$PIN" "$N" >/dev/null || exit 1

DB=$TMP/h.db
read -r snap snapcpu <<< "$(timed "$BPFSCOPE" --db "$DB" snapshot take)" || exit 1
total=$("$BPFSCOPE" --db "$DB" -s latest -j prog show | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
read -r page pagecpu <<< "$(timed "$BPFSCOPE" --db "$DB" report latest file "$TMP/page.html")" || exit 1
read -r dir dircpu <<< "$(timed "$BPFSCOPE" --db "$DB" report latest dir "$TMP/dir")" || exit 1
psize=$(stat -c %s "$TMP/page.html")
isize=$(stat -c %s "$TMP/dir/index.html")
dsize=$(du -sb "$TMP/dir" | cut -f1)
printf 'programs in the snapshot: %d (%d loaded here); wall ms, CPU (user+sys) ms\n' "$total" "$N"
printf '%-40s %8s ms  cpu %6s ms\n' "snapshot take, first in a new db" "$snap" "$snapcpu"
printf '%-40s %8s ms  cpu %6s ms  ratio report/snapshot %s (cpu %s)  size %s MB\n' \
	"report file (one page)" "$page" "$pagecpu" "$(ratio "$page" "$snap")" \
	"$(ratio "$pagecpu" "$snapcpu")" "$(mb "$psize")"
printf '%-40s %8s ms  cpu %6s ms  ratio report/snapshot %s (cpu %s)  index %s MB, all %s MB\n' \
	"report dir (index + a page per program)" "$dir" "$dircpu" "$(ratio "$dir" "$snap")" \
	"$(ratio "$dircpu" "$snapcpu")" "$(mb "$isize")" "$(mb "$dsize")"
