#!/usr/bin/env bash
# prog load OBJ PATH map {name NAME | idx IDX} MAP: the loaded program uses the existing
# map instead of a new one (bpftool's map reuse), and a name the object lacks is an error.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_prog_load_map_$$

# map_ids PIN: the map ids of the pinned program, comma-separated
map_ids() {
	"$BPFSCOPE" -j prog show pinned "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(",".join(str(i) for i in d.get("map_ids", [])))'
}

setup() {
	need_root || return 77
	ensure_bpffs
	[ -f "$SAMPLES/getpid_count.bpf.o" ] || { echo "samples not built (make samples)"; return 77; }
	cleanup_add "rm -rf $PIN"
	"$BPFSCOPE" prog loadall "$SAMPLES/getpid_count.bpf.o" "$PIN/first" || return 1
	m=$(map_ids "$PIN/first/count_getpid")
	[ -n "$m" ] || { echo "no map on the first load"; return 1; }
	"$BPFSCOPE" map pin id "$m" "$PIN/count" || return 1
}

t_by_name() {
	local want got
	want=$(map_ids "$PIN/first/count_getpid")
	"$BPFSCOPE" prog load "$SAMPLES/getpid_count.bpf.o" "$PIN/by_name" map name count \
		pinned "$PIN/count" || return 1
	got=$(map_ids "$PIN/by_name")
	expect_eq "map of the second load" "$got" "$want"
}

t_by_idx() {
	local want got
	want=$(map_ids "$PIN/first/count_getpid")
	"$BPFSCOPE" prog load "$SAMPLES/getpid_count.bpf.o" "$PIN/by_idx" map idx 0 \
		pinned "$PIN/count" || return 1
	got=$(map_ids "$PIN/by_idx")
	expect_eq "map of the second load" "$got" "$want"
}

t_no_such_map() {
	if "$BPFSCOPE" prog load "$SAMPLES/getpid_count.bpf.o" "$PIN/none" map name nosuchmap \
		pinned "$PIN/count" 2> "$TEST_TMP/err"; then
		echo "loaded with a map name the object lacks" >&2; return 1
	fi
	grep -q "no map named 'nosuchmap'" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; return 1; }
	[ ! -e "$PIN/none" ] || { echo "$PIN/none was left behind" >&2; return 1; }
}

setup > "$TEST_TMP/setup.log" 2>&1
rc=$?
if [ $rc != 0 ]; then
	out=$(tail -n 3 "$TEST_TMP/setup.log" | tr '\n' ' ')
	for t in by_name by_idx no_such_map; do
		if [ $rc = 77 ]; then skip "prog_load_map/$t" "$out"; else fail "prog_load_map/$t" "setup: $out"; fi
	done
	exit 0
fi
run_test prog_load_map/by_name t_by_name
run_test prog_load_map/by_idx t_by_idx
run_test prog_load_map/no_such_map t_no_such_map
