#!/usr/bin/env bash
# A 10,000-instruction program drawn to PNG: bpfscope (in-process libgvc) against
# `bpftool prog dump xlated id N visual | dot -Tpng`. Prints medians of RUNS runs and the
# ratios bpfscope / (bpftool | dot); a ratio, not a time, is the result (shared, noisy
# machines). `dot` is used here only, as the reference; the product never runs it.
# usage: bench/cfg_bench.sh [INSNS=10000]   (root; needs bpffs, graphviz's dot, bc)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BPFSCOPE=${BPFSCOPE:-$TOP/build/bpfscope}
INSNS=${1:-10000}
RUNS=${RUNS:-5}
TMP=$(mktemp -d /tmp/bpfscope-bench.XXXXXX)
PIN=/sys/fs/bpf/bpfscope_bench_cfg_$$
trap 'rm -rf "$PIN" "$TMP"' EXIT

[ "$(id -u)" = 0 ] || { echo "cfg_bench: needs root" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
[ -x "$BPFSCOPE" ] || { echo "cfg_bench: no bpfscope at $BPFSCOPE" >&2; exit 1; }
command -v dot >/dev/null || { echo "cfg_bench: no dot (graphviz)" >&2; exit 1; }
now() { date +%s.%N; }

for f in "$TOP/bench/loadgen.c" "$TOP/../shared/bench/loadgen.c"; do
	[ -f "$f" ] && gcc -O2 -o "$TMP/loadgen" "$f" -lbpf && break
done
[ -x "$TMP/loadgen" ] || { echo "cfg_bench: can't build loadgen" >&2; exit 1; }
"$TMP/loadgen" "$PIN" 1 "$INSNS" >/dev/null || exit 1
ID=$(bpftool -j prog show pinned "$PIN/p0" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$ID" ] || { echo "cfg_bench: can't find the loaded program" >&2; exit 1; }
DB=$TMP/h.db
"$BPFSCOPE" --db "$DB" snapshot take label cfgbench >/dev/null || exit 1
NINSNS=$("$BPFSCOPE" -j --db "$DB" -s cfgbench prog cfg id "$ID" | sed -n 's/.*"insns":\([0-9]*\).*/\1/p')

# median of RUNS timings of a command (its output goes to $TMP/out.png)
median() {
	local i t0 ts=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now)
		"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
		ts+=("$(echo "$(now) - $t0" | bc -l)")
	done
	printf '%s\n' "${ts[@]}" | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p"
}
bt_png() { bpftool prog dump xlated id "$ID" visual | dot -Tpng -o "$TMP/out.png"; }
us_live() { "$BPFSCOPE" prog cfg id "$ID" format png file "$TMP/out.png" "$@"; }
us_stored() { "$BPFSCOPE" --db "$DB" -s cfgbench prog cfg id "$ID" format png file "$TMP/out.png" "$@"; }
size() { file -b "$TMP/out.png" | sed -n 's/.*, \([0-9]* x [0-9]*\),.*/\1/p'; }

BT=$(median bt_png); BT_SIZE=$(size)
UL=$(median us_live); UL_SIZE=$(size)
US=$(median us_stored)
UL0=$(median us_live maxlines 0); UL0_SIZE=$(size)
US0=$(median us_stored maxlines 0)
NPROGS=$(bpftool prog show | grep -c '^[0-9]')

printf 'program: %s xlated insns in one block (%s programs loaded); medians of %d runs\n' \
	"$NINSNS" "$NPROGS" "$RUNS"
printf '  bpftool visual | dot -Tpng          %6.3f s  (%s px)\n' "$BT" "$BT_SIZE"
printf '  bpfscope prog cfg png, live         %6.3f s  (%s px; blocks cut to %s lines)\n' \
	"$UL" "$UL_SIZE" 48
printf '  bpfscope prog cfg png, stored       %6.3f s\n' "$US"
printf '  bpfscope ... maxlines 0, live       %6.3f s  (%s px; every insn drawn, as bpftool)\n' \
	"$UL0" "$UL0_SIZE"
printf '  bpfscope ... maxlines 0, stored     %6.3f s\n' "$US0"
printf 'ratio bpfscope / (bpftool | dot): live %.2f, stored %.2f; every insn: live %.2f, stored %.2f\n' \
	"$(echo "$UL / $BT" | bc -l)" "$(echo "$US / $BT" | bc -l)" \
	"$(echo "$UL0 / $BT" | bc -l)" "$(echo "$US0 / $BT" | bc -l)"
