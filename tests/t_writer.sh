#!/usr/bin/env bash
# The capture side through the store writer: the snapshot row counts what vanished per kind
# (the four columns, their sum as the one printed total), and the environment switches cli
# passes in the snapshot options keep doing what they did (BPFSCOPE_TRACE, BPFSCOPE_NO_ITER).
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

run_test writer/vanished_per_kind test_vanished_per_kind
run_test writer/trace_and_no_iter test_trace_and_no_iter
