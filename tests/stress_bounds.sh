#!/usr/bin/env bash
# Resource bounds (run by tests/stress.sh, not by make test): time and peak memory of
# - a BOUNDS_ENTRIES (10,000,000) entry u32 -> u64 hash map captured with maps-data (in
#   chunks: peak RSS under BOUNDS_TAKE_MIB), and its contents read back (map dump of the snapshot);
# - a BOUNDS_INSNS (500,000) instruction program: snapshot, prog dump xlated and jited,
#   prog cfg (dot; and svg, which graphviz lays out), diff code against a reloaded variant.
# Each is one PASS/FAIL line; the figures go to $FIGURES.
. "$(dirname "$0")/faults_lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-bounds-$$
DB=$TEST_TMP/bounds.db
ENTRIES=${BOUNDS_ENTRIES:-10000000}
INSNS=${BOUNDS_INSNS:-500000}
LIMIT=${BOUNDS_SECONDS:-900}
BOUNDS_TAKE_MIB=${BOUNDS_TAKE_MIB:-128}	# the bound on maps-data's peak RSS (measured: 30 MiB)

# measure WHAT CMD...: runs CMD (stdout to $TEST_TMP/out) bounded by LIMIT seconds; the
# figure "WHAT: S s (C s of CPU), peak RSS M MiB" (the CPU time says more on a loaded machine)
measure() {
	local what=$1 rc
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$TEST_TMP/time" timeout "$LIMIT" "$@" > "$TEST_TMP/out" 2>"$TEST_TMP/err"
	rc=$?
	[ "$rc" -le "${OK_RC:-0}" ] || { echo "$what: exit $rc: $(grep -v '^Command' "$TEST_TMP/err" | tail -n 2)" >&2; return 1; }
	read -r secs user sys kib < <(tail -n 1 "$TEST_TMP/time")
	echo "$what: $secs s ($(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') s of CPU), peak RSS $((kib / 1024)) MiB" |
		tee -a "${FIGURES:-/dev/null}" >&2
}

test_big_map() {
	local id n raw kib
	"$FL" fill "$PIN/h" "$ENTRIES" 1 || return 1
	bs snapshot take no-code >/dev/null || return 1
	measure "snapshot take maps-data, $ENTRIES-entry hash map" "$BPFSCOPE" --db "$DB" snapshot take maps-data || return 1
	raw=$(bs query "SELECT count(*) || ' chunks, the largest ' || max(b.raw_size) || ' bytes raw, ' || max(length(b.zdata)) || ' stored' FROM map_chunks c JOIN blobs b ON b.hash = c.chunk WHERE c.list = (SELECT d.contents FROM map_data d WHERE d.snapshot_id = (SELECT max(id) FROM snapshots) AND d.nr_entries = $ENTRIES)" csv | tail -n 1 | tr -d '"')
	echo "  its contents: $raw (SQLite's limit for one blob: 1,000,000,000 bytes)" | tee -a "${FIGURES:-/dev/null}" >&2
	# streamed: the probe holds about one chunk (lib/map_chunks.h), whatever the map's size
	kib=$(tail -n 1 "$TEST_TMP/time" | cut -d' ' -f4)
	[ "$kib" -lt $((BOUNDS_TAKE_MIB * 1024)) ] || { echo "snapshot take's peak RSS $((kib / 1024)) MiB, over $BOUNDS_TAKE_MIB MiB" >&2; return 1; }
	measure "map dump of it from the snapshot" "$BPFSCOPE" --db "$DB" -s latest map dump pinned "$PIN/h" || return 1
	n=$(grep -c '^key' "$TEST_TMP/out")
	expect_eq "entries read back" "$n" "$ENTRIES" || return 1
	# read a chunk at a time too: the dump's memory does not grow with the map
	kib=$(tail -n 1 "$TEST_TMP/time" | cut -d' ' -f4)
	[ "$kib" -lt $((BOUNDS_TAKE_MIB * 1024)) ] || { echo "map dump's peak RSS $((kib / 1024)) MiB, over $BOUNDS_TAKE_MIB MiB" >&2; return 1; }
	rm -f "$PIN/h"
}

test_big_prog() {
	local id id2
	"$FL" bigprog "$PIN/big" "$INSNS" 0 || return 1
	measure "snapshot take with a $INSNS-insn program" "$BPFSCOPE" --db "$DB" snapshot take || return 1
	id=$(bs -s latest -j prog show pinned "$PIN/big" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || return 1
	measure "  prog dump xlated" "$BPFSCOPE" --db "$DB" -s latest prog dump xlated id "$id" || return 1
	[ "$(wc -l < "$TEST_TMP/out")" -ge "$INSNS" ] || { echo "xlated dump short: $(wc -l < "$TEST_TMP/out") lines" >&2; return 1; }
	measure "  prog dump jited" "$BPFSCOPE" --db "$DB" -s latest prog dump jited id "$id" || return 1
	measure "  prog cfg format dot" "$BPFSCOPE" --db "$DB" -s latest prog cfg id "$id" format dot file "$TEST_TMP/cfg.dot" || return 1
	measure "  prog cfg format svg" "$BPFSCOPE" --db "$DB" -s latest prog cfg id "$id" format svg file "$TEST_TMP/cfg.svg" || return 1
	# the same program reloaded with other immediates (one in 1,000): a code diff
	rm -f "$PIN/big"
	"$FL" bigprog "$PIN/big" "$INSNS" 7 || return 1
	bs snapshot take >/dev/null || return 1
	OK_RC=1 measure "  diff latest~1 latest code" "$BPFSCOPE" --db "$DB" diff latest~1 latest progs code || return 1
	grep -qE '^ *[-+]\(' "$TEST_TMP/out" || { echo "the diff shows no change" >&2; return 1; }
}

faults_setup
run_test bounds/big_map test_big_map
run_test bounds/big_prog test_big_prog
