#!/usr/bin/env bash
# btf dump ... format c as bpftool 7.8: the __ksym/__weak/__bpf_fastcall prelude, kfunc
# prototypes (a program calling bpf_task_from_pid compiles against the header alone), types
# sorted by default and in id order with "unsorted" (then as Debian's bpftool 7.1 prints
# them, less what 7.8 adds), root_id and its errors.
source "$(dirname "$0")/lib.sh"

VML=/sys/kernel/btf/vmlinux

pre() {
	[ -r $VML ] || { echo "no $VML"; return 77; }
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
}

t_kfunc_compiles() {
	pre || return $?
	command -v clang >/dev/null || { echo "clang not installed"; return 77; }
	"$BPFSCOPE" btf dump file $VML format c > "$TEST_TMP/vmlinux.h" || return 1
	grep -qx 'extern struct task_struct \*bpf_task_from_pid(s32 pid) __weak __ksym;' "$TEST_TMP/vmlinux.h" || return 1
	clang -g -O2 -target bpf -I"$TEST_TMP" -Wall -Werror -c "$TOP/tests/data/kfunc_call.bpf.c" \
		-o "$TEST_TMP/k.o" || return 1
	# without the prototypes (BPF_NO_KFUNC_PROTOTYPES) the same program does not compile
	! clang -g -O2 -target bpf -I"$TEST_TMP" -DBPF_NO_KFUNC_PROTOTYPES -Wall -Werror \
		-c "$TOP/tests/data/kfunc_call.bpf.c" -o "$TEST_TMP/k2.o" 2>/dev/null
}

# what 7.8 adds to 7.1's header: the prelude's three macros and the kfunc block
strip_78() {
	python3 -c '
import sys, re
t = open(sys.argv[1]).read()
t = re.sub(r"#ifndef __ksym\n.*?#endif\n\n#ifndef __weak\n.*?#endif\n\n#ifndef __bpf_fastcall\n.*?#endif\n#endif\n\n", "", t, flags=re.S)
t = re.sub(r"\n/\* BPF kfuncs \*/\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n.*?#endif\n\n", "", t, flags=re.S)
t = t.replace("} __attribute__((mode(byte)));", "};")
sys.stdout.write(t)' "$1"
}

t_unsorted() {
	pre || return $?
	"$BPFSCOPE" btf dump file $VML format c unsorted > "$TEST_TMP/u.h" || return 1
	bpftool btf dump file $VML format c > "$TEST_TMP/b.h" || return 1
	strip_78 "$TEST_TMP/u.h" | diff "$TEST_TMP/b.h" - > "$TEST_TMP/d" || { head -5 "$TEST_TMP/d"; return 1; }
}

t_sorted() {
	pre || return $?
	"$BPFSCOPE" btf dump file $VML format c > "$TEST_TMP/s.h" || return 1
	"$BPFSCOPE" btf dump file $VML format c unsorted > "$TEST_TMP/u.h" || return 1
	# the same definitions, another order (forward declarations follow the order)
	cmp -s "$TEST_TMP/s.h" "$TEST_TMP/u.h" && { echo "not sorted"; return 1; }
	expect_eq defs "$(grep -E '^(struct|union|enum) .*\{$' "$TEST_TMP/s.h" | sort | md5sum)" \
		"$(grep -E '^(struct|union|enum) .*\{$' "$TEST_TMP/u.h" | sort | md5sum)" || return 1
	# anonymous enums first, by their first enumerator (rank 0, then the name)
	local first; first=$(grep -m1 -E '^(enum|struct|union|typedef)' "$TEST_TMP/s.h")
	expect_eq first "$first" "enum {" || return 1
	awk '/^enum \{$/ { getline; print $1 }' "$TEST_TMP/s.h" | head -n 200 > "$TEST_TMP/names"
	LC_ALL=C sort -c "$TEST_TMP/names" || { echo "anonymous enums out of order"; return 1; }
	# the same twice: stable
	"$BPFSCOPE" btf dump file $VML format c | cmp - "$TEST_TMP/s.h"
}

t_root_id() {
	pre || return $?
	local id out
	id=$(bpftool btf dump file $VML | grep -m1 "STRUCT 'task_struct'" | sed -E 's/^\[([0-9]+)\].*/\1/')
	[ -n "$id" ] || return 1
	"$BPFSCOPE" btf dump file $VML root_id "$id" format c > "$TEST_TMP/r.h" || return 1
	grep -q '^struct task_struct {' "$TEST_TMP/r.h" || return 1
	grep -q 'BPF kfuncs' "$TEST_TMP/r.h" && { echo "kfuncs with root_id"; return 1; }
	out=$("$BPFSCOPE" btf dump file $VML root_id "$id" root_id "$id" format c 2>&1) && return 1
	expect_eq dup "$out" "Error: duplicate root_id $id supplied" || return 1
	out=$("$BPFSCOPE" btf dump file $VML root_id x1 2>&1) && return 1
	expect_eq parse "$out" "Error: can't parse x1 as root ID"
}

run_test btf_c/kfunc_compiles t_kfunc_compiles
run_test btf_c/unsorted t_unsorted
run_test btf_c/sorted t_sorted
run_test btf_c/root_id t_root_id
