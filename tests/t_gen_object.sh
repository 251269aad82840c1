#!/usr/bin/env bash
# gen object: BPF objects linked into one by libbpf's linker, byte for byte what bpftool's
# gen object writes from the same inputs; the linked object holds both objects' programs.
# (gen min_core_btf and gen subskeleton, once refused here, are tested in t_gen_core.sh.)
source "$(dirname "$0")/lib.sh"

pre() {
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	[ -f "$SAMPLES/getpid_count.bpf.o" ] || { echo "no samples (make samples)"; return 77; }
}

t_object() {
	pre || return $?
	local a=$SAMPLES/getpid_count.bpf.o b=$SAMPLES/tc_counter.bpf.o
	"$BPFSCOPE" gen object "$TEST_TMP/ours.o" "$a" "$b" || return 1
	bpftool gen object "$TEST_TMP/theirs.o" "$a" "$b" || return 1
	cmp "$TEST_TMP/ours.o" "$TEST_TMP/theirs.o" || return 1
	# both objects' programs are in the linked one
	local f n=0
	bpftool btf dump file "$TEST_TMP/ours.o" > "$TEST_TMP/linked.btf" || return 1
	for f in $(cat <(bpftool btf dump file "$a") <(bpftool btf dump file "$b") |
		   grep -oE "FUNC '[a-z_0-9]+'" | cut -d"'" -f2); do
		grep -qF "FUNC '$f'" "$TEST_TMP/linked.btf" || { echo "$f missing"; return 1; }
		n=$((n + 1))
	done
	[ $n -ge 2 ] || { echo "only $n functions found"; return 1; }
	expect_eq json "$("$BPFSCOPE" -j gen object "$TEST_TMP/j.o" "$a")" "null"
}

t_errors() {
	pre || return $?
	local out
	out=$("$BPFSCOPE" gen object "$TEST_TMP/x.o" "$TEST_TMP/nosuch.o" 2>&1) && return 1
	echo "$out" | grep -qx "Error: failed to link '$TEST_TMP/nosuch.o': No such file or directory (2)" ||
		{ echo "$out"; return 1; }
}

run_test gen/object t_object
run_test gen/object_errors t_errors
