#!/usr/bin/env bash
# perf show against bpftool perf show: the getpid_count sample holds a tracepoint perf
# event with its program attached; live and from a stored snapshot, for that pid only.
source "$(dirname "$0")/lib.sh"

LOADER=$SAMPLES/getpid_count
DB=$TEST_TMP/perf.db
PID=

setup() {
	need_root || return 77
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	[ -x "$LOADER" ] || { echo "no $LOADER (make samples)"; return 77; }
	"$BPFSCOPE" perf help >/dev/null 2>&1 || { echo "perf is not a command of this build"; return 77; }
	ensure_bpffs
	"$LOADER" 60 > "$TEST_TMP/loader.out" 2>&1 &
	PID=$!
	cleanup_add "kill $PID"
	for _ in $(seq 50); do
		bpftool -j perf show | jq -e --argjson p "$PID" 'any(.[]; .pid == $p)' >/dev/null &&
			return 0
		sleep 0.1
	done
	echo "the loader's perf event did not show up: $(cat "$TEST_TMP/loader.out")"
	return 1
}

ours() { jq -S --argjson p "$PID" '[.[] | select(.pid == $p)]'; }

t_live() {
	local want got
	want=$(bpftool perf show | grep "^pid $PID ")
	got=$("$BPFSCOPE" perf show | grep "^pid $PID ")
	expect_eq "plain" "$got" "$want" || return 1
	[ -n "$got" ] || { echo "no entry for pid $PID" >&2; return 1; }
	want=$(bpftool -j perf show | ours)
	got=$("$BPFSCOPE" -j perf list | ours)
	expect_eq "json" "$got" "$want"
}

t_stored() {
	local want got
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null || return 1
	want=$(bpftool -j perf show | ours)
	got=$("$BPFSCOPE" --db "$DB" -s latest -j perf show | ours)
	expect_eq "json" "$got" "$want"
}

# not in $(...): its cleanups must reach this shell
setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
out=$(cat "$TEST_TMP/setup.log")
if [ $rc != 0 ]; then
	for t in perf_show perf_show_stored; do
		if [ $rc = 77 ]; then skip $t "$out"; else fail $t "setup: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
	done
	exit 0
fi
run_test perf_show t_live
run_test perf_show_stored t_stored
