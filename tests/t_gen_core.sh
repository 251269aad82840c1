#!/usr/bin/env bash
# gen subskeleton: a library's subskeleton compiles (C, C++), finds the library's maps and
# variables in the object it was linked into and counts through them in the kernel; same
# structure as bpftool's. gen min_core_btf: the minimized BTF resolves every relocation
# as the kernel's BTF does, is byte-identical to bpftool's, a fraction of vmlinux' size.
source "$(dirname "$0")/lib.sh"

DATA=$TOP/tests/data/gen
CLANG_BPF="clang -g -O2 -target bpf -I/usr/include/$(uname -m)-linux-gnu"
VMLINUX=/sys/kernel/btf/vmlinux

build_lib() {
	$CLANG_BPF -c "$DATA/lib.bpf.c" -o "$TEST_TMP/lib.bpf.o" || die "clang lib"
	$CLANG_BPF -c "$DATA/app.bpf.c" -o "$TEST_TMP/app.bpf.o" || die "clang app"
	"$BPFSCOPE" gen object "$TEST_TMP/linked.o" "$TEST_TMP/app.bpf.o" "$TEST_TMP/lib.bpf.o" ||
		die "gen object"
	"$BPFSCOPE" gen skeleton "$TEST_TMP/linked.o" name app >"$TEST_TMP/app.skel.h" ||
		die "gen skeleton"
	"$BPFSCOPE" gen subskeleton "$TEST_TMP/lib.bpf.o" name lib >"$TEST_TMP/lib.subskel.h" ||
		die "gen subskeleton"
}

# Compiled with the app's skeleton; run, the subskeleton's pointers are the skeleton's and
# the library's counter and map count this process's getpid() calls.
t_subskel_runs() {
	need_root || return 77
	build_lib
	gcc -std=gnu11 -Wall -Wextra -Werror -I"$TEST_TMP" "$DATA/use_subskel.c" \
		-o "$TEST_TMP/use" -lbpf -lelf -lz || die "the subskeleton does not compile"
	if command -v g++ >/dev/null; then
		g++ -x c++ -fsyntax-only -Wall -Werror -I"$TEST_TMP" "$DATA/use_subskel.c" ||
			die "the subskeleton does not compile as C++"
	fi
	gcc -std=c11 -fsyntax-only -Wall -Werror -I"$TEST_TMP" -include "$TEST_TMP/lib.subskel.h" \
		-x c /dev/null || die "the subskeleton needs GNU C"
	ensure_bpffs
	"$TEST_TMP/use" 300 || die "use_subskel failed"
}

# bpftool 7.1 is the oracle for the structure: members, the names libbpf finds things
# by, the variable table. Two known differences are taken out: __typeof__ for typeof,
# and bpftool lists no program for the library's lone global function either.
surface() {
	sed -e 's/__typeof__(/typeof(/' -e 's/(void \*\*) &/(void **)\&/' "$1" |
		grep -E '^\s+struct bpf_(map|program) \*|^\s+(int|long|typeof).* \*[a-z_]+;|^\s+struct [a-z_]+__[a-z]+ \{|^\s+\} [a-z]+;|s->(maps|progs|vars)\[[0-9]+\]\.(name|map|prog|addr) =|_cnt = '
}
t_subskel_like_bpftool() {
	command -v bpftool >/dev/null || { echo "no bpftool"; return 77; }
	build_lib
	bpftool gen subskeleton "$TEST_TMP/lib.bpf.o" name lib >"$TEST_TMP/theirs.h" 2>/dev/null ||
		die "bpftool gen subskeleton"
	diff <(surface "$TEST_TMP/lib.subskel.h") <(surface "$TEST_TMP/theirs.h") >&2 ||
		die "structure differs from bpftool's subskeleton"
	[ "$(surface "$TEST_TMP/lib.subskel.h" | grep -c 's->vars\[')" -eq 12 ] ||
		die "not the 4 variables"
	# the header guard and the default name as bpftool's
	"$BPFSCOPE" gen subskeleton "$TEST_TMP/lib.bpf.o" >"$TEST_TMP/d.h" || die "default name"
	grep -q '^#ifndef __LIB_BPF_SUBSKEL_H__' "$TEST_TMP/d.h" || die "no header guard"
	grep -q '^lib_bpf__open(const struct bpf_object \*src)' "$TEST_TMP/d.h" || die "no __open"
}

t_subskel_errors() {
	local out
	echo "not an ELF file" >"$TEST_TMP/text.o"
	out=$("$BPFSCOPE" gen subskeleton "$TEST_TMP/text.o" 2>"$TEST_TMP/err") && die "accepted text"
	[ -z "$out" ] || die "partial output on stdout"
	grep -q "^Error: " "$TEST_TMP/err" || die "no error"
	# no BTF at all (-g0, no BTF-defined maps): as bpftool, nothing to find variables by
	printf '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("xdp") int p(void *c) { return 2; }\n' \
		>"$TEST_TMP/nobtf.bpf.c"
	clang -g0 -O2 -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/nobtf.bpf.c" \
		-o "$TEST_TMP/nobtf.o" || die clang
	out=$("$BPFSCOPE" gen subskeleton "$TEST_TMP/nobtf.o" name x 2>&1) && die "accepted no BTF"
	expect_eq nobtf "$out" "Error: need btf type information for x (build the library with clang -g)" ||
		exit 1
	return 0
}

# The relocations resolved against our minimized BTF, against bpftool's and against the
# kernel's own give the same 16 values; a BTF without the types makes the load fail
# (libbpf really used the file). The file is bpftool's byte for byte and < 1% of vmlinux.
t_min_core_btf() {
	need_root || return 77
	[ -r "$VMLINUX" ] || { echo "no kernel BTF"; return 77; }
	$CLANG_BPF -c "$DATA/core.bpf.c" -o "$TEST_TMP/core.bpf.o" || die "clang core"
	gcc -Wall -Werror "$DATA/run_core.c" -o "$TEST_TMP/run_core" -lbpf -lelf -lz ||
		die "run_core does not build"
	"$BPFSCOPE" gen min_core_btf "$VMLINUX" "$TEST_TMP/min.btf" "$TEST_TMP/core.bpf.o" ||
		die "gen min_core_btf failed"
	"$TEST_TMP/run_core" "$TEST_TMP/core.bpf.o" >"$TEST_TMP/kernel.out" 2>&1 ||
		{ cat "$TEST_TMP/kernel.out" >&2; die "loading against the kernel's BTF failed"; }
	"$TEST_TMP/run_core" "$TEST_TMP/core.bpf.o" "$TEST_TMP/min.btf" >"$TEST_TMP/min.out" 2>&1 ||
		{ tail -n 5 "$TEST_TMP/min.out" >&2; die "loading against min.btf failed"; }
	[ "$(wc -l <"$TEST_TMP/kernel.out")" -eq 16 ] || die "not 16 values"
	diff "$TEST_TMP/kernel.out" "$TEST_TMP/min.out" >&2 ||
		die "relocations against min.btf differ from the kernel's"
	# a BTF that lacks task_struct: the load fails, so the custom path was used
	"$BPFSCOPE" gen min_core_btf "$VMLINUX" "$TEST_TMP/empty.btf" "$SAMPLES/getpid_count.bpf.o" ||
		die "gen min_core_btf of an object without relocations failed"
	"$TEST_TMP/run_core" "$TEST_TMP/core.bpf.o" "$TEST_TMP/empty.btf" >/dev/null 2>&1 &&
		die "a BTF without the types loaded"
	local min vml
	min=$(wc -c <"$TEST_TMP/min.btf")
	vml=$(wc -c <"$VMLINUX")
	echo "min.btf $min bytes, vmlinux $vml bytes"
	[ "$min" -gt 24 ] && [ $((min * 100)) -lt "$vml" ] || die "min.btf is $min bytes"
	if command -v bpftool >/dev/null; then
		bpftool gen min_core_btf "$VMLINUX" "$TEST_TMP/theirs.btf" "$TEST_TMP/core.bpf.o" ||
			die "bpftool gen min_core_btf"
		"$TEST_TMP/run_core" "$TEST_TMP/core.bpf.o" "$TEST_TMP/theirs.btf" >"$TEST_TMP/th.out" 2>&1 ||
			die "loading against bpftool's BTF failed"
		diff "$TEST_TMP/kernel.out" "$TEST_TMP/th.out" >&2 || die "bpftool's BTF differs"
		cmp "$TEST_TMP/min.btf" "$TEST_TMP/theirs.btf" >&2 || {
			diff <(bpftool btf dump file "$TEST_TMP/min.btf") \
			     <(bpftool btf dump file "$TEST_TMP/theirs.btf") | head -n 20 >&2
			die "min.btf differs from bpftool's"
		}
	fi
}

# Several objects: the union of what each uses, whatever their order.
t_min_core_btf_many() {
	[ -r "$VMLINUX" ] || { echo "no kernel BTF"; return 77; }
	$CLANG_BPF -c "$DATA/core.bpf.c" -o "$TEST_TMP/core.bpf.o" || die "clang core"
	"$BPFSCOPE" gen min_core_btf "$VMLINUX" "$TEST_TMP/a.btf" "$TEST_TMP/core.bpf.o" \
		"$SAMPLES/getpid_count.bpf.o" || die "a"
	"$BPFSCOPE" gen min_core_btf "$VMLINUX" "$TEST_TMP/b.btf" "$SAMPLES/getpid_count.bpf.o" \
		"$TEST_TMP/core.bpf.o" || die "b"
	cmp "$TEST_TMP/a.btf" "$TEST_TMP/b.btf" >&2 || die "order matters"
	"$BPFSCOPE" btf dump file "$TEST_TMP/a.btf" >"$TEST_TMP/a.txt" || die "our btf dump of it"
	grep -q "STRUCT 'task_struct' size=[0-9]* vlen=3" "$TEST_TMP/a.txt" ||
		die "task_struct does not hold exactly the 3 members used"
	grep -q "'pkt_type' type_id=[0-9]* bits_offset=[0-9]* bitfield_size=3" "$TEST_TMP/a.txt" ||
		die "sk_buff's bitfield (under anonymous members) missing"
	expect_eq json "$("$BPFSCOPE" -j gen min_core_btf "$VMLINUX" "$TEST_TMP/j.btf" \
		"$TEST_TMP/core.bpf.o")" "null"
}

# Errors worded as bpftool's (its two lines as one), nothing written.
t_min_core_btf_errors() {
	local out
	out=$("$BPFSCOPE" gen min_core_btf "$VMLINUX" "$TEST_TMP/x.btf" "$TEST_TMP/nosuch.o" 2>&1) &&
		die "accepted a missing object"
	expect_eq missing "$out" "Error: error recording relocations for $TEST_TMP/nosuch.o: failed to parse BPF object '$TEST_TMP/nosuch.o': No such file or directory" || exit 1
	out=$("$BPFSCOPE" gen min_core_btf /nonexistent "$TEST_TMP/x.btf" "$SAMPLES/getpid_count.bpf.o" 2>&1) &&
		die "accepted a missing INPUT"
	expect_eq input "$out" "Error: failed parsing '/nonexistent' BTF file: No such file or directory" || exit 1
	[ ! -e "$TEST_TMP/x.btf" ] || die "wrote an output anyway"
	# an object's BTF with a dangling type reference: refused before libbpf follows it
	printf 'garbage' >"$TEST_TMP/g.o"
	"$BPFSCOPE" gen min_core_btf "$VMLINUX" "$TEST_TMP/x.btf" "$TEST_TMP/g.o" 2>/dev/null &&
		die "accepted garbage"
	out=$("$BPFSCOPE" gen min_core_btf "$VMLINUX" "$TEST_TMP/x.btf" 2>&1) && die "accepted 2 args"
	grep -q "Usage: bpfscope gen" <<<"$out" || die "no usage: $out"
	[ ! -e "$TEST_TMP/x.btf" ] || die "wrote an output anyway"
}

run_test gen_core/subskel_runs t_subskel_runs
run_test gen_core/subskel_like_bpftool t_subskel_like_bpftool
run_test gen_core/subskel_errors t_subskel_errors
run_test gen_core/min_core_btf t_min_core_btf
run_test gen_core/min_core_btf_many t_min_core_btf_many
run_test gen_core/min_core_btf_errors t_min_core_btf_errors
