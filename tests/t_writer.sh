#!/usr/bin/env bash
# The capture side through the store writer: the snapshot row counts what vanished per kind
# (the four columns, their sum as the one printed total), and the environment switches cli
# passes in the snapshot options keep doing what they did (BPFSCOPE_TRACE, BPFSCOPE_NO_ITER).
# A new database's first snapshot is made in memory and written whole (store/db_new.c); the
# heap is advised for huge pages unless BPFSCOPE_NO_HUGEPAGES=1 (lib/heap.c).
source "$(dirname "$0")/lib.sh"
DB=$TEST_TMP/w.db
PIN=/sys/fs/bpf/bpfscope-t-writer-$$

test_vanished_per_kind() {
	need_root || return $?
	local out row
	out=$(BPFSCOPE_DB=$DB "$BPFSCOPE" -j snapshot take) || return 1
	row=$(sqlite3 "$DB" "SELECT vanished_progs IS NOT NULL AND vanished_maps IS NOT NULL AND
		vanished_btf IS NOT NULL AND vanished_links IS NOT NULL,
		vanished_progs + vanished_maps + vanished_btf + vanished_links
		FROM snapshots ORDER BY id DESC LIMIT 1") || return 1
	expect_eq "four counts set" "${row%%|*}" 1 || return 1
	expect_eq "printed total is their sum" \
		"$(python3 -c 'import json,sys; print(json.load(sys.stdin)["vanished"])' <<<"$out")" \
		"${row#*|}"
}

test_trace_and_no_iter() {
	need_root || return $?
	local with without
	# a map of ours, so the iterator has something to read on a machine with no BPF of its own
	ensure_bpffs
	cleanup_add "rm -rf '$PIN'"
	"$BPFSCOPE" prog loadall "$SAMPLES/getpid_count.bpf.o" "$PIN" >/dev/null || return 1
	BPFSCOPE_DB=$DB "$BPFSCOPE" snapshot take >/dev/null || return 1
	with=$(BPFSCOPE_TRACE=1 BPFSCOPE_DB=$DB "$BPFSCOPE" snapshot take 2>&1 >/dev/null) || return 1
	without=$(BPFSCOPE_NO_ITER=1 BPFSCOPE_TRACE=1 BPFSCOPE_DB=$DB "$BPFSCOPE" snapshot take \
		2>&1 >/dev/null) || return 1
	grep -q '^phase row ' <<<"$with" || { echo "no phase lines: $with" >&2; return 1; }
	grep -q '^walked ' <<<"$with" || { echo "no walk line: $with" >&2; return 1; }
	grep -q '^iterator: ' <<<"$with" || { echo "no iterator line: $with" >&2; return 1; }
	! grep -q '^iterator: ' <<<"$without" || { echo "BPFSCOPE_NO_ITER used the iterator" >&2; return 1; }
	[ -z "$(BPFSCOPE_DB=$DB "$BPFSCOPE" snapshot take 2>&1 >/dev/null)" ] ||
		{ echo "stderr without BPFSCOPE_TRACE" >&2; return 1; }
}

# made in memory, the first snapshot's file is written once and linked: SQLite never opened it,
# so it has no -wal or -shm beside it; it reads back whole, in WAL mode, and takes the next
# snapshot as any file. With map contents (any size) the file is SQLite's from the start.
test_new_file_whole() {
	need_root || return $?
	local db=$TEST_TMP/new/first.db md=$TEST_TMP/new/data.db
	BPFSCOPE_DB=$db "$BPFSCOPE" snapshot take no-code >/dev/null || return 1
	[ -f "$db" ] && [ ! -e "$db-wal" ] && [ ! -e "$db-shm" ] ||
		{ echo "a first snapshot not written whole: $(ls "$TEST_TMP/new")" >&2; return 1; }
	expect_eq "integrity" "$(sqlite3 "$db" "PRAGMA integrity_check")" ok || return 1
	expect_eq "journal mode" "$(sqlite3 "$db" "PRAGMA journal_mode")" wal || return 1
	BPFSCOPE_DB=$db "$BPFSCOPE" snapshot take no-code >/dev/null || return 1
	expect_eq "snapshots" "$(BPFSCOPE_DB=$db "$BPFSCOPE" snapshot list | grep -c '^[0-9]*: ')" 2 || return 1
	BPFSCOPE_DB=$md "$BPFSCOPE" snapshot take maps-data >/dev/null || return 1
	[ -e "$md-wal" ] || { echo "maps-data's first snapshot was made in memory" >&2; return 1; }
}

# the heap's advice shows in the process's mappings (VmFlags "hg"), whether or not the kernel
# had huge pages to give; BPFSCOPE_NO_HUGEPAGES=1 leaves none. A watch holds the process.
hugepage_flags() {
	local pid out=$TEST_TMP/hg.$1 n
	shift
	env "$@" BPFSCOPE_DB="$DB" "$BPFSCOPE" snapshot watch interval 1 count 3 >/dev/null 2>&1 &
	pid=$!
	sleep 1.2
	n=$(grep -c '^VmFlags:.* hg' "/proc/$pid/smaps" 2>/dev/null)
	wait "$pid" || { echo "snapshot watch failed" >&2; return 1; }
	echo "${n:-0}" > "$out"
}

test_huge_pages() {
	need_root || return $?
	[ -d /sys/kernel/mm/transparent_hugepage ] || { echo "a kernel without huge pages"; return 77; }
	hugepage_flags on || return 1
	hugepage_flags off BPFSCOPE_NO_HUGEPAGES=1 || return 1
	[ "$(cat "$TEST_TMP/hg.on")" -ge 1 ] || { echo "no mapping advised for huge pages" >&2; return 1; }
	expect_eq "mappings advised with BPFSCOPE_NO_HUGEPAGES=1" "$(cat "$TEST_TMP/hg.off")" 0
}

run_test writer/vanished_per_kind test_vanished_per_kind
run_test writer/trace_and_no_iter test_trace_and_no_iter
run_test writer/new_file_whole test_new_file_whole
run_test writer/huge_pages test_huge_pages
