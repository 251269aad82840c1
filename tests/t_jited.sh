#!/usr/bin/env bash
# prog dump jited: bpfscope's capstone listing against objdump over the jited bytes the
# kernel returns, call targets named, the same dump from a stored snapshot and, as nobody,
# from a copy of that snapshot without bpffs. Normalisations: docs/disassembly.md "JIT code".
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_jited_$$
DB=$TEST_TMP/h.db
IDS=()
FEW=()
SETUP_ERR=
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3	# a pyenv shim costs 0.3 s a call

# Independent oracle for the raw bytes: bpftool 7.1 without libbfd refuses
# "dump jited ... file F", so fetch them with two get-info calls ourselves.
# Writes the image to argv[2], prints "START LEN" per function.
write_getjit() {
	cat >"$TEST_TMP/getjit.c" <<'EOF'
#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	struct bpf_prog_info info = {0}, i2 = {0};
	__u32 len = sizeof(info), n;
	int fd = argc > 2 ? bpf_prog_get_fd_by_id(atoi(argv[1])) : -1;
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) { perror("get info"); return 1; }
	n = info.nr_jited_ksyms < info.nr_jited_func_lens ? info.nr_jited_ksyms : info.nr_jited_func_lens;
	unsigned char *img = malloc(info.jited_prog_len + 1);
	__u64 *ks = calloc(n + 1, 8);
	__u32 *fl = calloc(n + 1, 4);
	i2.jited_prog_len = info.jited_prog_len;
	i2.jited_prog_insns = (unsigned long)img;
	i2.nr_jited_ksyms = n;
	i2.jited_ksyms = (unsigned long)ks;
	i2.nr_jited_func_lens = n;
	i2.jited_func_lens = (unsigned long)fl;
	len = sizeof(i2);
	if (bpf_obj_get_info_by_fd(fd, &i2, &len)) { perror("get info"); return 1; }
	FILE *f = fopen(argv[2], "w");
	if (!f || fwrite(img, 1, i2.jited_prog_len, f) != i2.jited_prog_len) return 1;
	fclose(f);
	if (!n) { n = 1; fl[0] = i2.jited_prog_len; }
	for (__u32 i = 0; i < n; i++) printf("%llx %u\n", (unsigned long long)ks[i], fl[i]);
	return 0;
}
EOF
	gcc -O2 -o "$TEST_TMP/getjit" "$TEST_TMP/getjit.c" -lbpf
}

# Our own object beside the samples: division, atomics, bswap, sign extension, a subprogram,
# bpf_loop's callback and a tail call, each a different JIT code path.
write_rich() {
	cat >"$TEST_TMP/rich.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, int); } jt SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, int); __type(value, long); } arr SEC(".maps");
static __attribute__((noinline)) long sub1(unsigned long a, unsigned long b) { return a / (b | 1) + a % (b | 3); }
static int cb(__u32 idx, void *ctx) { *(long *)ctx += idx; return 0; }
SEC("socket")
int rich(struct __sk_buff *skb)
{
	int k = 0;
	long *v = bpf_map_lookup_elem(&arr, &k), acc = skb->len;
	if (!v) return 0;
	__sync_fetch_and_add(v, 2);
	long old = __sync_lock_test_and_set(v, acc);
	__sync_val_compare_and_swap(v, old, acc + 1);
	acc = __builtin_bswap64(acc) ^ (acc >> 3) ^ ((signed char)acc) ^ (acc << 7);
	acc += sub1(acc, skb->protocol);
	acc += (short)skb->mark * 3 - (unsigned)acc / 7u;
	bpf_loop(4, cb, &acc, 0);
	bpf_tail_call(skb, &jt, 0);
	acc += bpf_ktime_get_ns();
	return acc & 0xff;
}
EOF
	clang -O2 -g -target bpf -mcpu=v3 -I/usr/include/"$(uname -m)"-linux-gnu \
		-c "$TEST_TMP/rich.bpf.c" -o "$TEST_TMP/rich.bpf.o"
}

# objdump's and capstone's spelling brought together; each numbered rule is in the docs.
write_norm() {
	cat >"$TEST_TMP/jcmp.py" <<'EOF'
import re, sys
# jcmp.py BPFSCOPE_LISTING OBJDUMP_LISTING: exit 1 and say where the instruction streams
# differ; else print the number of instructions compared
NUM = re.compile(r'(?<![%\w])(\$?)(-?)(0x[0-9a-fA-F]+|\d+)(?![\w])')
def canon(m):
    v = int(m.group(3), 0)
    if m.group(2): v = -v
    v &= (1 << 64) - 1
    if m.group(1) and v >= 0xffffffff80000000:
        v &= 0xffffffff          # (4) a sign-extended imm32: objdump unsigned, capstone signed
    return m.group(1) + hex(v)
def norm_ops(ops):
    ops = re.sub(r'\s*<[^>]*>', '', ops)        # (1) symbol annotations
    ops = re.sub(r'\s+', '', ops)               # (2) ", " vs ","
    ops = ops.replace(',1)', ')')               # (5) scale 1
    ops = NUM.sub(canon, ops)                   # (3) hex vs decimal
    ops = re.sub(r'(^|[,:])0x0\(', r'\1(', ops) # (6) explicit zero displacement
    return ops
def ours(path):
    lock = ''
    for line in open(path):
        m = re.match(r'^\s*[0-9a-f]+:\t([^\t]*)\t?(.*)$', line.rstrip('\n'))
        if not m: continue
        if m.group(1) == 'lock' and not m.group(2):
            lock = 'lock_'; continue             # (9) LLVM's lock prefix on a line of its own
        yield lock + '_'.join(m.group(1).split()), norm_ops(m.group(2))
        lock = ''
def objdump(path):
    for line in open(path):
        m = re.match(r'^\s*[0-9a-f]+:\t[0-9a-f ]+\t(.*)$', line.rstrip('\n'))
        if not m: continue
        toks = re.sub(r'\s*<[^>]*>', '', m.group(1)).split()
        ops = toks.pop() if len(toks) > 1 and re.match(r'[%$(\-0-9*]', toks[-1]) else ''
        yield '_'.join(toks), norm_ops(ops)
a, b = list(ours(sys.argv[1])), list(objdump(sys.argv[2]))
bad = 0
if not a:
    print("no instructions in the bpfscope listing"); sys.exit(1)
if len(a) != len(b):
    print("%d instructions, objdump has %d" % (len(a), len(b))); bad = 1
for i, ((mx, ox), (my, oy)) in enumerate(zip(a, b)):
    mn_ok = mx == my or (mx[:-1] == my and mx[-1] in 'bwlq')                      # (7)
    op_ok = ox == oy or (re.match(r'(.*_)?(sh|sa|ro|rc)[lr][bwlq]?$', mx) and ox == '$0x1,' + oy)  # (8)
    if not (mn_ok and op_ok):
        print("insn %d: bpfscope '%s %s', objdump '%s %s'" % (i, mx, ox, my, oy)); bad += 1
        if bad > 5: break
print(len(a))
sys.exit(1 if bad else 0)
EOF
}

pin_ids() { # DIR...: ids of the programs pinned under them
	local p
	for p in $(find "$@" -type f 2>/dev/null | sort); do
		bpftool -j prog show pinned "$p" 2>/dev/null | sed -n 's/^{"id":\([0-9]*\),.*/\1/p'
	done
}

setup() {
	[ "$(id -u)" = 0 ] || { SETUP_ERR="needs root"; return; }
	ensure_bpffs
	[ -x "$BPFSCOPE" ] || { SETUP_ERR="no bpfscope binary at $BPFSCOPE"; return; }
	command -v objdump >/dev/null || { SETUP_ERR="no objdump"; return; }
	[ "$(uname -m)" = x86_64 ] || { SETUP_ERR="objdump oracle is set up for x86-64 only"; return; }
	[ "$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null)" != 0 ] || { SETUP_ERR="JIT disabled"; return; }
	write_getjit || { SETUP_ERR="can't build the get-info helper"; return; }
	write_norm
	mkdir -p "$PIN"
	cleanup_add "rm -rf $PIN"
	local f
	for f in multi_func getpid_count xdp_drop_8080 tc_counter; do
		[ -s "$SAMPLES/$f.bpf.o" ] && bpftool prog loadall "$SAMPLES/$f.bpf.o" "$PIN/$f" 2>/dev/null
	done
	write_rich && bpftool prog loadall "$TEST_TMP/rich.bpf.o" "$PIN/rich" 2>/dev/null ||
		{ SETUP_ERR="can't load the test object"; return; }
	for f in "$TOP/bench/loadgen.c" "$TOP/../shared/bench/loadgen.c"; do
		[ -f "$f" ] && gcc -O2 -o "$TEST_TMP/loadgen" "$f" -lbpf 2>/dev/null && break
	done
	if [ -x "$TEST_TMP/loadgen" ]; then
		"$TEST_TMP/loadgen" "$PIN/lg" 10 3 >/dev/null || SETUP_ERR="loadgen failed"
	fi
	IDS=($(pin_ids "$PIN"))
	[ ${#IDS[@]} -ge 2 ] || { SETUP_ERR="no test programs loaded"; return; }
	# live and as-nobody checks on the samples, rich and one loadgen program: a live dump
	# snapshots the whole kernel, which costs with thousands of programs around
	FEW=($(pin_ids $(ls -d "$PIN"/* | grep -v '/lg$')) $(pin_ids "$PIN/lg" | head -n 1))
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null 2>"$TEST_TMP/snap.err" ||
		SETUP_ERR="snapshot take failed: $(head -c 200 "$TEST_TMP/snap.err")"
}

sdump() { "$BPFSCOPE" --db "$DB" -s latest prog dump jited id "$@"; }	# ID [opcodes] [linum]

# Each test body is a subshell, so bail can end the test at once ("cmd || die" only returns
# 1 from die and would go on); tests register no cleanups, setup does.
bail() { echo "$*" >&2; exit 1; }

need_setup() { [ -z "$SETUP_ERR" ] || { echo "$SETUP_ERR"; return 77; }; }

# objdump over one function at a time, at its real address, so jump and call targets agree
objdump_prog() { # ID OUT: objdump listing of every function; prints "START LEN" lines to OUT.funcs
	local id=$1 out=$2 start len off=0
	"$TEST_TMP/getjit" "$id" "$out.bin" >"$out.funcs" || return 1
	: >"$out"
	while read -r start len; do
		dd if="$out.bin" of="$out.f" bs=1 skip=$off count="$len" 2>/dev/null
		objdump -D -b binary -mi386:x86-64 --adjust-vma=0x"$start" "$out.f" >>"$out"
		off=$((off + len))
	done <"$out.funcs"
}

t_matches_objdump() (
	need_setup || exit 77
	local id d=$TEST_TMP/cmp n=0 out
	mkdir -p "$d"
	for id in "${IDS[@]}"; do
		sdump "$id" >"$d/$id.cap" 2>"$d/err" ||
			{ cat "$d/err" >&2; bail "prog dump jited id $id failed"; }
		objdump_prog "$id" "$d/$id.obj" || bail "can't fetch jited bytes of $id"
		out=$($PY "$TEST_TMP/jcmp.py" "$d/$id.cap" "$d/$id.obj") ||
			{ echo "$out" >&2; bail "id $id differs from objdump"; }
		n=$((n + ${out##*$'\n'}))
	done
	echo "${#IDS[@]} programs, $n instructions" >&2
)

# LLVM's spelling (upstream bpftool's disassembler), not capstone's: immediates and
# displacements in hex however small, no space inside a memory operand, the lock prefix on
# a line of its own (the rich object's atomics have one)
t_llvm_spelling() (
	need_setup || exit 77
	local id all=$TEST_TMP/spell
	for id in "${IDS[@]}"; do sdump "$id"; done >"$all" 2>/dev/null || bail "prog dump jited failed"
	! grep -P '^\s*[0-9a-f]+:\t.*(\$-?[0-9]+(?![0-9x])|(^|[\s,])-?[1-9][0-9]*\()' "$all" ||
		bail "a decimal immediate or displacement"
	! grep -P '^\s*[0-9a-f]+:\t.*\([^)]*, [^)]*\)' "$all" || bail "a space inside a memory operand"
	grep -qP '^\s*[0-9a-f]+:\tlock$' "$all" || bail "no lock line"
	! grep -qP '\tlock ' "$all" || bail "lock joined to its instruction"
	grep -qP '\$0x[0-9a-f]\b' "$all" || bail "no small hex immediate"
)

# One address line per function, named as /proc/kallsyms names it; opcodes cover the image.
t_functions_and_bytes() (
	need_setup || exit 77
	local id d=$TEST_TMP/fb start len want
	mkdir -p "$d"
	grep -F '[bpf]' /proc/kallsyms >"$d/bpfsyms"
	for id in "${IDS[@]}"; do
		objdump_prog "$id" "$d/$id.obj" || bail "can't fetch jited bytes of $id"
		sdump "$id" opcodes >"$d/$id.op" || bail "opcodes dump failed"
		# bytes lines are "\t0f 1f 44 00 00 " after each instruction
		grep -P '^\t[0-9a-f]{2}( |$)' "$d/$id.op" | tr -d ' \t\n' >"$d/$id.hex"
		xxd -p "$d/$id.obj.bin" | tr -d '\n' >"$d/$id.want"
		cmp -s "$d/$id.hex" "$d/$id.want" || bail "id $id: opcode bytes do not cover the image"
		while read -r start len; do
			want=$(awk -v a="$start" '$1 == a && $3 ~ /^bpf_prog_/ { print $3; exit }' "$d/bpfsyms")
			[ -n "$want" ] || continue	# bpf_jit_kallsyms=0
			grep -qx "$want:" "$d/$id.op" || bail "id $id: no '$want:' line for the function at $start"
		done <"$d/$id.obj.funcs"
	done
)

# Calls carry names: helpers and kernel functions from kallsyms, subprograms by their
# bpf_prog_<tag>_<name>; no direct call is left as a bare address.
t_call_names() (
	need_setup || exit 77
	local id d=$TEST_TMP/cn rich
	mkdir -p "$d"
	for id in "${IDS[@]}"; do
		sdump "$id" >"$d/$id" || bail "dump of $id failed"
		if grep -P '\tcallq?\t0x[0-9a-f]+$' "$d/$id" >&2; then bail "id $id: unnamed call"; fi
		# jumps into kernel text (the return thunk) are named too
		if grep -P '\tjmpq?\t0xffffffff8[0-9a-f]{7}$' "$d/$id" >&2; then bail "id $id: unnamed jump"; fi
	done
	rich=$(pin_ids "$PIN/rich" | head -n 1)
	sdump "$rich" >"$d/rich"
	grep -qP '\tcallq\t0x[0-9a-f]+ <bpf_prog_[0-9a-f]{16}_sub1>$' "$d/rich" || bail "call to sub1 not named"
	grep -qP '\tcallq\t0x[0-9a-f]+ <bpf_prog_[0-9a-f]{16}_cb>$' "$d/rich" || bail "bpf_loop callback not named"
	grep -qP '\tcallq\t0x[0-9a-f]+ <bpf_ktime_get_ns>$' "$d/rich" || bail "helper call not named"
	grep -q '__bpf_call_base' "$d"/* && bail "raw __bpf_call_base in a jited dump"
	exit 0
)

# Source lines: prototypes, "; line" before instructions, linum's [file:... line_num:...]
t_source_lines() (
	need_setup || exit 77
	local id out=$TEST_TMP/src
	id=$(pin_ids "$PIN/rich" | head -n 1)
	sdump "$id" linum >"$out" || bail "linum dump failed"
	grep -qx 'int rich(struct __sk_buff \* skb):' "$out" || bail "no prototype line"
	grep -qx 'long sub1(unsigned long a, unsigned long b):' "$out" || bail "no sub1 prototype"
	grep -q '^; __sync_fetch_and_add(v, 2); \[file:.*rich.bpf.c line_num:[0-9]* line_col:[0-9]*\]$' "$out" ||
		bail "no source line with file:line:col"
	# every source line is followed by an instruction or another source line
	awk '/^; / { s = 1; next } s && !/^ *[0-9a-f]+:\t/ { bad = 1 } { s = 0 } END { exit bad }' "$out" ||
		bail "a source line does not precede an instruction"
)

# A stored snapshot gives the same listing as the live kernel.
t_stored_snapshot() (
	need_setup || exit 77
	local id d=$TEST_TMP/ss
	mkdir -p "$d"
	for id in "${FEW[@]}"; do
		"$BPFSCOPE" prog dump jited id "$id" opcodes linum >"$d/$id.live" 2>"$d/err" ||
			{ cat "$d/err" >&2; bail "live dump $id failed"; }
		sdump "$id" opcodes linum >"$d/$id.stored" 2>"$d/err" ||
			{ cat "$d/err" >&2; bail "stored dump $id failed"; }
		diff "$d/$id.live" "$d/$id.stored" >&2 || bail "id $id: stored dump differs from live"
	done
)

# Nobody, on copies of the database, with no bpffs in sight: same listing, names included
# (kernel symbols travel in the snapshot). One copy is nobody's own; the other is root's,
# read-only in a directory nobody cannot write (no -shm file can be made there).
t_unprivileged_copy() (
	need_setup || exit 77
	local id d=$TEST_TMP/up db
	mkdir -p "$d/own" "$d/shared"
	cp "$DB" "$d/own/copy.db" && cp "$DB" "$d/shared/copy.db" && chmod 711 "$TEST_TMP" &&
		chmod 755 "$d" "$d/shared" && chmod 644 "$d/shared/copy.db" &&
		chown -R 65534:65534 "$d/own" || bail "can't copy the database"
	for id in "${FEW[@]}"; do
		sdump "$id" >"$d/$id.root" || bail "dump $id failed"
		for db in "$d/own/copy.db" "$d/shared/copy.db"; do
			unshare -m sh -c 'umount -l /sys/fs/bpf 2>/dev/null; exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' \
				sh "$BPFSCOPE" --db "$db" -s latest prog dump jited id "$id" >"$d/$id.nobody" 2>"$d/err" ||
				{ cat "$d/err" >&2; bail "dump $id as nobody from $db failed"; }
			diff "$d/$id.root" "$d/$id.nobody" >&2 || bail "id $id: nobody's dump from $db differs"
		done
	done
	grep -q '<bpf_prog_' "$d"/*.nobody || bail "no subprogram names in nobody's dumps"
	grep -qP '<(?!bpf_prog_)[a-z_]+>' "$d"/*.nobody || bail "no kernel symbol names in nobody's dumps"
)

# A snapshot keeps the kernel symbols its programs' code calls (the view kernel_calls), not
# /proc/kallsyms' 5 MB: a snapshot whose programs call nothing new adds no row, one with a
# program calling a new helper adds its line, an earlier snapshot's programs keep their
# names, and a boot whose earlier code has no view gets the whole text again.
t_kernel_calls() (
	need_setup || exit 77
	local db=$TEST_TMP/kc.db d=$TEST_TMP/kc rich fresh n id
	mkdir -p "$d"
	kc_rows() { sqlite3 "$1" "SELECT count(*) FROM view_rows WHERE view = 'kernel_calls'"; }
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM boots WHERE kallsyms IS NOT NULL")" = 0 ] ||
		bail "the whole kernel text kept"
	n=$(sqlite3 "$DB" "SELECT b.raw_size FROM view_rows v JOIN blobs b ON b.hash = v.list
		WHERE v.view = 'kernel_calls'")
	[ -n "$n" ] && [ "$n" -lt 65536 ] || bail "kernel_calls of '$n' bytes"
	rich=$(pin_ids "$PIN/rich" | head -n 1)
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null && "$BPFSCOPE" --db "$db" snapshot take >/dev/null ||
		bail "snapshot failed"
	[ "$(kc_rows "$db")" = 1 ] || bail "a snapshot calling nothing new added a row: $(kc_rows "$db")"
	# a new helper, and a tail call by a computed index: the JIT's jump through a retpoline
	# thunk is in no xlated call
	printf '%s\n' '#include <linux/bpf.h>' '#include <bpf/bpf_helpers.h>' \
		'char LICENSE[] SEC("license") = "GPL";' \
		'struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, int); } fj SEC(".maps");' \
		'SEC("socket")' \
		'int fresh(struct __sk_buff *skb) { bpf_tail_call(skb, &fj, skb->len & 1); return (bpf_get_prandom_u32() ^ bpf_get_numa_node_id()) & 1; }' \
		>"$d/fresh.bpf.c"
	clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -c "$d/fresh.bpf.c" \
		-o "$d/fresh.bpf.o" && bpftool prog loadall "$d/fresh.bpf.o" "$PIN/fresh" || bail "load fresh"
	fresh=$(pin_ids "$PIN/fresh" | head -n 1)
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null || bail "snapshot failed"
	[ "$(kc_rows "$db")" = 2 ] || bail "a new helper's call added no row: $(kc_rows "$db")"
	for id in "$rich" "$fresh"; do
		"$BPFSCOPE" prog dump jited id "$id" >"$d/$id.live" || bail "live dump $id"
		"$BPFSCOPE" --db "$db" -s latest prog dump jited id "$id" >"$d/$id.3" || bail "dump $id"
		diff "$d/$id.live" "$d/$id.3" >&2 || bail "id $id: stored dump differs from live"
	done
	grep -qP '\tcallq\t0x[0-9a-f]+ <bpf_user_rnd_u32>$' "$d/$fresh.3" || bail "new helper not named"
	if grep -q Retpolines /sys/devices/system/cpu/vulnerabilities/spectre_v2 2>/dev/null; then
		grep -qP '\tjmpq?\t0x[0-9a-f]+ <__x86_indirect_thunk_[a-z0-9]+>$' "$d/$fresh.3" ||
			bail "the jump through a retpoline thunk is not named"
	fi
	"$BPFSCOPE" --db "$db" -s 1 prog dump jited id "$rich" >"$d/$rich.1" || bail "dump of snapshot 1"
	diff "$d/$rich.live" "$d/$rich.1" >&2 || bail "snapshot 1's dump differs from live"
	"$BPFSCOPE" --db "$db" -s 1 prog dump xlated id "$rich" | grep -q 'call bpf_ktime_get_ns' ||
		bail "snapshot 1's xlated call not named"
	# no view for this boot's code stored before: the whole text, as before the views
	sqlite3 "$db" "DELETE FROM view_rows WHERE view = 'kernel_calls'" &&
		"$BPFSCOPE" --db "$db" snapshot take >/dev/null || bail "snapshot failed"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM boots WHERE kallsyms IS NOT NULL")" = 1 ] &&
		[ "$(kc_rows "$db")" = 0 ] || bail "no whole text for a boot without the view"
	"$BPFSCOPE" --db "$db" -s latest prog dump jited id "$fresh" >"$d/$fresh.4" &&
		diff "$d/$fresh.live" "$d/$fresh.4" >&2 || bail "whole text's dump differs from live"
)

# A first snapshot into a new file reads /proc/kallsyms only when the code it stores calls
# something (run before setup, whose programs call helpers): with programs that call
# nothing, no read and no lines; a later snapshot whose new program calls a helper reads
# them then, and its dumps name the call as the live ones do.
t_kernel_calls_none() (
	[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
	ensure_bpffs
	local db=$TEST_TMP/kn.db d=$TEST_TMP/kn pin=/sys/fs/bpf/bpfscope_t_jited_kn_$$ nr opened id
	mkdir -p "$d" "$pin"
	trap 'rm -rf "$pin"' EXIT
	kc_src() { # NAME BODY
		printf '%s\n' '#include <linux/bpf.h>' '#include <bpf/bpf_helpers.h>' \
			'char LICENSE[] SEC("license") = "GPL";' 'SEC("socket")' \
			"int $1(struct __sk_buff *skb) { $2 }" >"$d/$1.bpf.c"
		clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -c "$d/$1.bpf.c" \
			-o "$d/$1.bpf.o" && bpftool prog load "$d/$1.bpf.o" "$pin/$1" || bail "load $1"
	}
	kc_src quiet 'return skb->len & 1;'
	strace -f -qq -e trace=openat -o "$d/trace" "$BPFSCOPE" --db "$db" snapshot take >/dev/null ||
		bail "first snapshot failed"
	nr=$(sqlite3 "$db" "SELECT nr FROM view_rows WHERE view = 'kernel_calls'")
	opened=$(grep -c '"/proc/kallsyms"' "$d/trace")
	# (another program on the machine may call something: then the read is right)
	if [ "$nr" = 0 ]; then
		[ "$opened" = 0 ] || bail "kallsyms read for programs that call nothing"
		[ "$(sqlite3 "$db" "SELECT count(*) FROM view_rows WHERE view = 'kernel_calls'
			AND list IS NULL")" = 1 ] || bail "no empty view of kernel calls"
	else
		[ "$opened" -gt 0 ] || bail "$nr addresses called, no kallsyms read"
	fi
	kc_src loud 'return bpf_get_prandom_u32() & 1;'
	id=$(bpftool -j prog show pinned "$pin/loud" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null || bail "second snapshot failed"
	[ "$(sqlite3 "$db" "SELECT nr > 0 FROM view_rows WHERE view = 'kernel_calls'
		ORDER BY row DESC LIMIT 1")" = 1 ] || bail "the helper's call kept no line"
	"$BPFSCOPE" --db "$db" -s latest prog dump xlated id "$id" | grep -q 'call bpf_user_rnd_u32' ||
		bail "stored xlated call not named"
	"$BPFSCOPE" prog dump jited id "$id" >"$d/live" &&
		"$BPFSCOPE" --db "$db" -s latest prog dump jited id "$id" >"$d/stored" || bail "jited dumps"
	diff "$d/live" "$d/stored" >&2 || bail "stored jited dump differs from live"
	grep -q '<bpf_user_rnd_u32>' "$d/stored" || bail "stored jited call not named"
)

# Without a disassembler (capstone hidden by a bind mount in a mount namespace of its own),
# a snapshot's JIT code cannot be scanned for calls: the boot's whole text is kept, and the
# stored xlated dump still names its calls.
t_no_disassembler() (
	need_setup || exit 77
	local db=$TEST_TMP/nd.db lib id
	lib=$(ldconfig -p | awk '/libcapstone\.so\.[0-9]+ .*x86-64/ { print $NF; exit }')
	[ -n "$lib" ] || bail "no libcapstone in ldconfig's cache"
	id=$(pin_ids "$PIN/rich" | head -n 1)
	unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$lib" \
		"$BPFSCOPE" --db "$db" snapshot take >/dev/null || bail "snapshot without capstone failed"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM boots WHERE kallsyms IS NOT NULL")" = 1 ] &&
		[ "$(sqlite3 "$db" "SELECT count(*) FROM view_rows WHERE view = 'kernel_calls'")" = 0 ] ||
		bail "no whole text kept without a disassembler"
	"$BPFSCOPE" --db "$db" prog dump xlated id "$id" | grep -q 'call bpf_ktime_get_ns' ||
		bail "stored xlated call not named"
)

run_test jited_kernel_calls_none t_kernel_calls_none
setup
run_test jited_matches_objdump t_matches_objdump
run_test jited_llvm_spelling t_llvm_spelling
run_test jited_functions_and_bytes t_functions_and_bytes
run_test jited_call_names t_call_names
run_test jited_source_lines t_source_lines
run_test jited_stored_snapshot t_stored_snapshot
run_test jited_unprivileged_copy t_unprivileged_copy
run_test jited_kernel_calls t_kernel_calls
run_test jited_no_disassembler t_no_disassembler
