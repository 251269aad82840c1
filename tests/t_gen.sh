#!/usr/bin/env bash
# gen skeleton: bpfscope's skeletons compile (C and C++), drive libbpf 1.1 (a loader
# counts), list the same maps/programs/variables as bpftool's, embed the object
# byte for byte, and turn hostile names into identifiers or clear errors.
source "$(dirname "$0")/lib.sh"

OBJS="getpid_count multi_func xdp_drop_8080 tc_counter"
CLANG_BPF="clang -g -O2 -target bpf -I/usr/include/$(uname -m)-linux-gnu"

need_samples() { [ -s "$SAMPLES/getpid_count.bpf.o" ] || die "samples not built (make samples)"; }

# Every sample: the header compiles with -Wall -Werror as C, and as C++ when g++ exists.
t_compiles() {
	need_samples || return 1
	local f
	for f in $OBJS; do
		"$BPFSCOPE" gen skeleton "$SAMPLES/$f.bpf.o" name "$f" >"$TEST_TMP/$f.skel.h" ||
			die "gen skeleton $f failed"
		printf '#include "%s.skel.h"\nint main(void)\n{\n\tstruct %s *s = %s__open();\n\n\t%s__destroy(s);\n\treturn 0;\n}\n' \
			"$f" "$f" "$f" "$f" >"$TEST_TMP/$f.c"
		gcc -std=gnu11 -Wall -Wextra -Werror -I"$TEST_TMP" "$TEST_TMP/$f.c" -o "$TEST_TMP/$f" \
			-lbpf -lelf -lz || die "$f.skel.h does not compile"
		if command -v g++ >/dev/null; then
			g++ -x c++ -fsyntax-only -Wall -I"$TEST_TMP" "$TEST_TMP/$f.c" ||
				die "$f.skel.h does not compile as C++"
		fi
	done
}

# The default name is bpftool's (file name without .o, sanitized).
t_default_name() {
	need_samples || return 1
	"$BPFSCOPE" gen skeleton "$SAMPLES/getpid_count.bpf.o" >"$TEST_TMP/d.h" || die "gen failed"
	grep -q '^struct getpid_count_bpf {' "$TEST_TMP/d.h" || die "default name is not getpid_count_bpf"
	grep -q '__GETPID_COUNT_BPF_SKEL_H__' "$TEST_TMP/d.h" || die "no header guard"
}

# The walkthrough loader built against our skeleton counts getpid() calls.
t_loader_counts() {
	need_root || return 77
	need_samples || return 1
	ensure_bpffs
	local n=3000 out=$TEST_TMP/loader.out pid i last
	"$BPFSCOPE" gen skeleton "$SAMPLES/getpid_count.bpf.o" name getpid_count \
		>"$TEST_TMP/getpid_count.skel.h" || die "gen failed"
	gcc -Wall -Werror -I"$TEST_TMP" "$TOP/samples/getpid_count.c" -o "$TEST_TMP/getpid_count" \
		-lbpf -lelf -lz || die "loader does not build"
	"$TEST_TMP/getpid_count" 1 >"$out" 2>&1 &
	pid=$!
	cleanup_add "kill $pid"
	for i in $(seq 50); do grep -q loaded "$out" && break; sleep 0.05; done
	"$SAMPLES/getpid_loop" $n
	wait $pid || { cat "$out" >&2; die "loader failed"; }
	last=$(grep -o 'getpid call count: [0-9]*' "$out" | tail -n 1 | awk '{print $4}')
	[ -n "$last" ] && [ "$last" -ge $n ] || { cat "$out" >&2; die "count '$last' < $n"; }
}

# What a skeleton exposes: map/prog/link members, the names libbpf looks up, the
# datasec variables. bpftool 7.1 is the oracle. One known difference: for a .rodata
# holding only strings (xdp_drop_8080's bpf_printk format) libbpf 1.1 does not mmap
# the map, so we emit no empty struct/mmaped pointer for it; bpftool (newer libbpf) does.
skel_surface() {
	grep -E '^\s+struct bpf_(map|program|link) \*|s->(maps|progs)\[[0-9]+\]\.(name|map|prog|link) =|_Static_assert\(sizeof' "$1"
}
t_same_as_bpftool() {
	need_samples || return 1
	command -v bpftool >/dev/null || { echo "no bpftool"; return 77; }
	local f
	for f in $OBJS; do
		"$BPFSCOPE" gen skeleton "$SAMPLES/$f.bpf.o" name "$f" >"$TEST_TMP/ours.h" || die "gen $f"
		bpftool gen skeleton "$SAMPLES/$f.bpf.o" name "$f" >"$TEST_TMP/theirs.h" 2>/dev/null ||
			die "bpftool gen $f"
		diff <(skel_surface "$TEST_TMP/ours.h") <(skel_surface "$TEST_TMP/theirs.h") >&2 ||
			die "$f: maps/progs/vars differ from bpftool's skeleton"
		# datasec struct bodies (variable declarations, padding) too
		diff <(sed -n "/^\tstruct ${f}__/,/^\t} \*/p" "$TEST_TMP/ours.h") \
		     <(sed -n "/^\tstruct ${f}__/,/^\t} \*/p" "$TEST_TMP/theirs.h" |
			if [ $f = xdp_drop_8080 ]; then grep -v "${f}__rodata {\|} \*rodata;"; else cat; fi) >&2 ||
			die "$f: datasec structs differ"
	done
}

# __elf_bytes gives back the object exactly.
t_elf_bytes() {
	need_samples || return 1
	"$BPFSCOPE" gen skeleton "$SAMPLES/multi_func.bpf.o" name mf >"$TEST_TMP/mf.skel.h" || die gen
	cat >"$TEST_TMP/eb.c" <<'C'
#include <stdio.h>
#include "mf.skel.h"
int main(void)
{
	size_t sz;
	const void *p = mf__elf_bytes(&sz);

	return fwrite(p, 1, sz, stdout) == sz ? 0 : 1;
}
C
	gcc -Wall -Werror -I"$TEST_TMP" "$TEST_TMP/eb.c" -o "$TEST_TMP/eb" -lbpf -lelf -lz || die "build"
	"$TEST_TMP/eb" >"$TEST_TMP/eb.o" || die "run"
	cmp "$TEST_TMP/eb.o" "$SAMPLES/multi_func.bpf.o" >&2 || die "embedded bytes differ"
}

# Names the compiler would never produce (asm labels): sanitized when possible
# ("my-map\"x" -> my_map_x, "prog.one?" -> prog_one_, "9lives" -> _9lives, the
# string literals escaped), refused when two collide or one is a keyword.
t_hostile_names() {
	cat >"$TEST_TMP/h1.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, int); } m1 __asm__("my-map\"x") SEC(".maps");
char _license[] SEC("license") = "GPL";
int weird_var __asm__("9lives") = 3;
SEC("tracepoint/syscalls/sys_enter_getpid") int p1(void *ctx) __asm__("prog.one?");
int p1(void *ctx) { int k = 0; int *v = bpf_map_lookup_elem(&m1, &k); if (v) *v += weird_var; return 0; }
C
	cat >"$TEST_TMP/h2.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, int); } m1 __asm__("a-b") SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, int); } m2 __asm__("a_b") SEC(".maps");
char _license[] SEC("license") = "GPL";
SEC("xdp") int p(struct xdp_md *c) { int k = 0; return bpf_map_lookup_elem(&m1, &k) && bpf_map_lookup_elem(&m2, &k) ? 1 : 2; }
C
	cat >"$TEST_TMP/h3.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
SEC("xdp") int p(struct xdp_md *c) __asm__("int");
int p(struct xdp_md *c) { return 2; }
C
	local h err
	for h in h1 h2 h3; do
		$CLANG_BPF -c "$TEST_TMP/$h.bpf.c" -o "$TEST_TMP/$h.o" || die "clang $h"
	done
	"$BPFSCOPE" gen skeleton "$TEST_TMP/h1.o" >"$TEST_TMP/h1.skel.h" || die "h1: gen failed"
	printf '#include "h1.skel.h"\nint main(void)\n{\n\tstruct h1 *s = h1__open();\n\n\tif (s) {\n\t\t(void)s->maps.my_map_x;\n\t\t(void)s->progs.prog_one_;\n\t\ts->data->_9lives = 1;\n\t}\n\th1__destroy(s);\n\treturn 0;\n}\n' >"$TEST_TMP/h1.c"
	gcc -Wall -Werror -I"$TEST_TMP" "$TEST_TMP/h1.c" -o "$TEST_TMP/h1" -lbpf -lelf -lz ||
		die "h1: skeleton with sanitized names does not compile"
	grep -qF 's->maps[0].name = "my-map\"x";' "$TEST_TMP/h1.skel.h" || die "h1: map name not escaped"
	"$TEST_TMP/h1" || die "h1: the skeleton does not open its object"

	if "$BPFSCOPE" gen skeleton "$TEST_TMP/h2.o" >"$TEST_TMP/h2.out" 2>"$TEST_TMP/h2.err"; then
		die "h2: colliding names accepted"
	fi
	[ ! -s "$TEST_TMP/h2.out" ] || die "h2: partial output on stdout"
	grep -q "a-b.*a_b\|a_b.*a-b" "$TEST_TMP/h2.err" || { cat "$TEST_TMP/h2.err" >&2; die "h2: unclear error"; }
	err=$("$BPFSCOPE" gen skeleton "$TEST_TMP/h3.o" 2>&1 >/dev/null) && die "h3: keyword accepted"
	grep -q "'int'" <<<"$err" || die "h3: unclear error: $err"
	err=$("$BPFSCOPE" gen skeleton "$SAMPLES/getpid_count.bpf.o" name bad-name 2>&1) &&
		die "bad skeleton name accepted"
	grep -q "bad-name" <<<"$err" || die "unclear error: $err"
}

# Not an object: an error naming the file, nothing on stdout.
t_bad_input() {
	local out
	echo "not an ELF file" >"$TEST_TMP/text.o"
	out=$("$BPFSCOPE" gen skeleton "$TEST_TMP/text.o" 2>"$TEST_TMP/err") && die "accepted a text file"
	[ -z "$out" ] || die "partial output on stdout"
	grep -q "Error" "$TEST_TMP/err" || die "no error message"
	"$BPFSCOPE" gen skeleton /nonexistent.o 2>"$TEST_TMP/err" && die "accepted a missing file"
	grep -q "/nonexistent.o" "$TEST_TMP/err" || die "error does not name the file"
	return 0
}

run_test gen/compiles t_compiles
run_test gen/default_name t_default_name
run_test gen/loader_counts t_loader_counts
run_test gen/same_as_bpftool t_same_as_bpftool
run_test gen/elf_bytes t_elf_bytes
run_test gen/hostile_names t_hostile_names
run_test gen/bad_input t_bad_input
