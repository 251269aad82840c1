#!/usr/bin/env bash
# Live commands on one program (prog show / dump xlated / dump jited by id or pinned) read a
# view of that program alone: their output must be what the whole view prints (the live
# path with BPFSCOPE_NO_ONE=1) and what a stored snapshot prints, for programs with maps,
# BTF, subprograms and helper calls; and the one-program view must list nothing else.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_one_$$
DB=$TEST_TMP/h.db
IDS=()
SETUP_ERR=

setup() {
	local p
	need_root || return 77
	ensure_bpffs
	mkdir -p "$PIN"
	cleanup_add "rm -rf $PIN"
	for o in multi_func getpid_count; do
		bpftool prog loadall "$SAMPLES/$o.bpf.o" "$PIN/$o" >/dev/null 2>&1 || { echo "can't load $o"; return 1; }
	done
	gcc -O2 -o "$TEST_TMP/loadgen" /work/shared/bench/loadgen.c -lbpf 2>/dev/null ||
		gcc -O2 -o "$TEST_TMP/loadgen" "$TOP/../shared/bench/loadgen.c" -lbpf || return 1
	"$TEST_TMP/loadgen" "$PIN/lg" 3 2 || return 1
	for p in $(find "$PIN" -type f | sort); do
		IDS+=("$(bpftool -j prog show pinned "$p" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')")
	done
	[ "${#IDS[@]}" -ge 5 ] || { echo "only ${#IDS[@]} programs pinned"; return 1; }
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null || return 1
}

# same output of the one-program view and the stored snapshot (same2), and the whole live
# view (same3: it walks every program on the machine, so it is asked less often)
same2() {
	local one stored
	one=$("$BPFSCOPE" "$@" 2>&1) || { echo "bpfscope $*: $one" >&2; return 1; }
	stored=$("$BPFSCOPE" --db "$DB" -s latest "$@" 2>&1)
	[ "$one" = "$stored" ] || { echo "bpfscope $*: live differs from the stored snapshot"; diff <(echo "$one") <(echo "$stored") | head -5; return 1; } >&2
}
same3() {
	local one whole
	same2 "$@" || return 1
	one=$("$BPFSCOPE" "$@" 2>&1)
	whole=$(BPFSCOPE_NO_ONE=1 "$BPFSCOPE" "$@" 2>&1)
	[ "$one" = "$whole" ] || { echo "bpfscope $*: one-program view differs from the whole view"; diff <(echo "$one") <(echo "$whole") | head -5; return 1; } >&2
}

test_show_equal() {
	[ -z "$SETUP_ERR" ] || die "$SETUP_ERR"
	for id in "${IDS[@]}"; do
		same3 prog show id "$id" || return 1
		same2 -j prog show id "$id" || return 1
	done
	local p=$(find "$PIN/multi_func" -type f | sort | head -1)
	same3 prog show pinned "$p" || return 1
	same3 -f -j prog show pinned "$p" || return 1
	same3 -f prog show id "${IDS[0]}"
}

test_dump_equal() {
	[ -z "$SETUP_ERR" ] || die "$SETUP_ERR"
	local n=0 calls=0
	for id in "${IDS[@]}"; do
		for kind in xlated jited; do
			same3 prog dump $kind id "$id" || return 1
			same2 prog dump $kind id "$id" opcodes || return 1
			same2 -j prog dump $kind id "$id" linum || return 1
		done
		# helper calls name kernel symbols: those dumps read them (lazily)
		"$BPFSCOPE" prog dump xlated id "$id" | grep -q ' call ' && calls=$((calls + 1))
		n=$((n + 1))
	done
	local p=$(find "$PIN/getpid_count" -type f | head -1)
	same3 prog dump jited pinned "$p" || return 1
	[ "$calls" -gt 0 ] || die "no dumped program calls a helper: the kernel symbols went untested"
	echo "$n programs, $calls with calls"
}

# the one-program view reads that program and nothing else: no walker, no map
test_view_is_one() {
	[ -z "$SETUP_ERR" ] || die "$SETUP_ERR"
	local t
	t=$(BPFSCOPE_TRACE=1 "$BPFSCOPE" prog dump xlated id "${IDS[0]}" 2>&1 >/dev/null)
	echo "$t" | grep -q '^phase prog' || die "no one-program phase in the trace: $t"
	! echo "$t" | grep -q 'walker' || die "the one-program view walked: $t"
	t=$(BPFSCOPE_TRACE=1 BPFSCOPE_NO_ONE=1 "$BPFSCOPE" prog show id "${IDS[0]}" 2>&1 >/dev/null)
	echo "$t" | grep -q 'walker' || die "BPFSCOPE_NO_ONE=1 did not walk: $t"
	# a missing id is the same error as before
	expect_eq "missing id" "$("$BPFSCOPE" prog show id 4294967295 2>&1)" \
		"$(BPFSCOPE_NO_ONE=1 "$BPFSCOPE" prog show id 4294967295 2>&1)"
}

setup || SETUP_ERR="setup failed"
run_test one/show_equal test_show_equal
run_test one/dump_equal test_dump_equal
run_test one/view_is_one test_view_is_one
