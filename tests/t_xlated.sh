#!/usr/bin/env bash
# prog dump xlated: bpfscope against bpftool 7.1 line for line (plain, linum, opcodes, -j)
# for the samples, loadgen's programs and our own objects; v4 instructions against their
# RFC 9669 meaning (bpftool 7.1 predates them); the same dumps from a stored snapshot and,
# as nobody without bpffs, from a copy of it. Notation differences: docs/disassembly.md.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_xlated_$$
DB=$TEST_TMP/h.db
IDS=()
FEW=()
SETUP_ERR=

pin_ids() { # DIR...: ids of the programs pinned under them
	local p
	for p in $(find "$@" -type f 2>/dev/null | sort); do
		bpftool -j prog show pinned "$p" 2>/dev/null | sed -n 's/^{"id":\([0-9]*\),.*/\1/p'
	done
}

# v3 object: every atomic, bpf_loop (inlined, callback as a subprogram), for_each callback
# (a subprog[] immediate), map values, a kfunc, the inlined per-CPU id, ringbuf, tail call.
write_rich() {
	cat >"$TEST_TMP/rich.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } jt SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u64 counter;
__u32 small;
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
static long cb(__u32 i, void *ctx) { __sync_fetch_and_add((__u64 *)ctx, i); return 0; }
static long each(void *map, __u32 *key, __u64 *val, void *ctx) { *(__u64 *)ctx += *val; return 0; }
SEC("tc")
int rich(struct __sk_buff *skb)
{
	__u64 acc = 0, old;
	__u32 k = 1, w = skb->len;
	__u64 *v;
	struct bpf_dynptr p;
	char buf[4], *h;

	old = __sync_fetch_and_add(&counter, 2);
	__sync_fetch_and_or(&counter, 4);
	old += __sync_fetch_and_xor(&counter, 8);
	__sync_fetch_and_and(&counter, ~1ULL);
	old += __sync_lock_test_and_set(&counter, 5);
	old += __sync_val_compare_and_swap(&counter, 5, 6);
	__sync_fetch_and_add(&small, 1);
	old += __sync_fetch_and_add(&small, 3);
	bpf_loop(4, cb, &acc, 0);
	bpf_for_each_map_elem(&arr, each, &acc, 0);
	v = bpf_map_lookup_elem(&arr, &k);
	if (v) acc += *v;
	if (w > 100 && w != 1000) acc ^= w;
	if ((__s32)w < -5) acc = -acc;
	acc += bpf_get_smp_processor_id();
	acc = acc * 3 / 7 % 5;
	acc >>= (w & 7);
	acc = (__s64)acc >> 3;
	if (bpf_dynptr_from_skb(skb, 0, &p) == 0) {
		h = bpf_dynptr_slice(&p, 0, buf, sizeof(buf));
		if (h) acc += h[0];
	}
	bpf_ringbuf_output(&rb, &acc, sizeof(acc), 0);
	bpf_tail_call(skb, &jt, 0);
	return acc + old;
}
SEC("socket")
int xlt_ldabs(struct __sk_buff *skb)
{
	return load_byte(skb, 12) + load_half(skb, 14) == 0x800;
}
EOF
	clang -O2 -g -target bpf -mcpu=v3 -I/usr/include/"$(uname -m)"-linux-gnu \
		-c "$TEST_TMP/rich.bpf.c" -o "$TEST_TMP/rich.bpf.o"
}

# v4 object (clang-19 -mcpu=v4): sign-extending moves and loads, signed division, bswap,
# may_goto (which the verifier expands into a counter and a timed call).
write_v4() {
	cat >"$TEST_TMP/v4.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
SEC("socket")
int v4prog(struct __sk_buff *skb)
{
	volatile signed char sc = -3;
	volatile short ss = -300;
	volatile int si = -70000;
	volatile long va = -1000, vb = 7;
	volatile int vi = -77;
	long a = va + skb->len, b = vb - skb->protocol, r;
	int ia = vi - (int)skb->len, ib = (int)skb->mark - 9;
	r = a / b;
	r += a % b;
	r += ia / ib;
	r += ia % ib;
	r += (long)(signed char)a + (long)(short)a + (long)(int)a;
	r += sc + ss + si;
	r += __builtin_bswap64(r) + __builtin_bswap32((unsigned)r) + __builtin_bswap16((unsigned short)r);
	for (int i = 0; i < 100; i++) {
		asm volatile goto("may_goto %l[out]" :::: out);
		r += i;
	}
out:
	return r;
}
EOF
	clang-19 -O2 -g -target bpf -mcpu=v4 -I/usr/include/"$(uname -m)"-linux-gnu \
		-c "$TEST_TMP/v4.bpf.c" -o "$TEST_TMP/v4.bpf.o"
}

# Hand-encoded v4 and newer forms no compiler emits at will: smod with an immediate,
# gotol, load-acquire/store-release. Prints the program id; the fd stays open while the
# pin holds it.
write_raw() {
	cat >"$TEST_TMP/raw.c" <<'EOF'
#include <bpf/bpf.h>
#include <stdio.h>
#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
int main(int argc, char **argv)
{
	struct bpf_insn p[] = {
		I(0xb7, 0, 0, 0, 0),		/* r0 = 0 */
		I(0x7a, 10, 0, -8, 0),		/* *(u64 *)(r10 -8) = 0 */
		I(0x61, 1, 1, 0, 0),		/* r1 = *(u32 *)(r1 +0): skb->len */
		I(0x94, 1, 0, 1, 3),		/* w1 s%= 3 */
		I(0x37, 1, 0, 1, -2),		/* r1 s/= -2 */
		I(0x25, 1, 0, 1, 5),		/* if r1 > 0x5 goto pc+1 */
		I(0x06, 0, 0, 0, 1),		/* gotol pc+1 */
		I(0xb7, 0, 0, 0, 1),		/* r0 = 1 */
		I(0xdc, 1, 0, 0, 16),		/* r1 = be16 r1 */
		I(0xd4, 1, 0, 0, 32),		/* r1 = le32 r1 */
		I(0xbc, 2, 1, 8, 0),		/* w2 = (s8)w1 */
		I(0xdb, 1, 10, -8, 0x100),	/* r1 = load_acquire((u64 *)(r10 -8)) */
		I(0xdb, 10, 2, -8, 0x110),	/* store_release((u64 *)(r10 -8), r2) */
		I(0x95, 0, 0, 0, 0),		/* exit */
	};
	char log[65536];
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "xl_raw", "GPL", p, sizeof(p) / sizeof(p[0]), &o);
	if (fd < 0) { fprintf(stderr, "load: %s\n", log); return 1; }
	if (bpf_obj_pin(fd, argv[1])) { perror("pin"); return 1; }
	return argc < 2;
}
EOF
	gcc -O2 -o "$TEST_TMP/raw" "$TEST_TMP/raw.c" -lbpf
}

# bpftool 7.1's printer predates v4 and the kernel's internal movs: turn our notation into
# what it prints for those, and undo its JSON writer's "\" -> "\n" bug. Rules: docs.
write_norm() {
	cat >"$TEST_TMP/norm.py" <<'EOF'
import json, re, sys
RULES = [
    (re.compile(r'^\((d[7f])\) r\d+ = bswap\d+ r\d+$'), lambda m: 'BUG_alu64_' + m.group(1)),
    (re.compile(r'^\((\w\w)\) r\d+ = \*\(s\d+ \*\)\(r\d+ [-+]\d+\)$'), lambda m: 'BUG_ldx_' + m.group(1)),
    (re.compile(r'^\((\w\w)\) (r\d+ = load_acquire|store_release)\(.*$'), lambda m: 'BUG_' + m.group(1)),
    (re.compile(r'^\(06\) gotol pc([-+]\d+)$'),
     lambda m: '(06) if w0 jmp 0x%x goto pc+0' % (int(m.group(1)) & 0xffffffff)),
    (re.compile(r'^\(e5\) may_goto pc([-+]\d+)$'), lambda m: '(e5) if r0 (null) 0x0 goto pc' + m.group(1)),
    (re.compile(r'^(\(\w\w\) r\d+ = )&\(void __percpu \*\)\((r\d+)\)$'), lambda m: m.group(1) + m.group(2)),
    (re.compile(r'^(\(\w\w\) r\d+ = )addr_space_cast\((r\d+), \d+, \d+\)$'), lambda m: m.group(1) + m.group(2)),
    (re.compile(r'^(.*) = \(s(?:8|16|32)\)(.*)$'), lambda m: m.group(1) + ' = ' + m.group(2)),
    (re.compile(r'^(.*) s([/%])= (.*)$'), lambda m: m.group(1) + ' ' + m.group(2) + '= ' + m.group(3)),
]
def old(text):
    for rx, fn in RULES:
        m = rx.match(text)
        if m:
            return fn(m)
    return text
def plain(ours):			# our plain dump -> bpftool 7.1's
    out = []
    for line in ours.splitlines():
        m = re.match(r'^( *\d+: )(.*)$', line)
        out.append(m.group(1) + old(m.group(2)) if m else line)
    return out
def fix(o):			# our JSON object in 7.1's notation, backslashes as 7.1 writes them
    for k, v in list(o.items()):
        if k == 'disasm':
            o[k] = old(v)
        elif isinstance(v, str):
            o[k] = v.replace('\\', '\n')
    return o
def check(kind, ours, theirs, label):
    if kind == 'plain':
        a, b = plain(open(ours).read()), open(theirs).read().splitlines()
        if a == b:
            return True
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                print('%s: line %d: bpfscope %r, bpftool %r' % (label, i + 1, x, y))
                return False
        print('%s: %d lines, bpftool has %d' % (label, len(a), len(b)))
        return False
    a, b = [fix(o) for o in json.load(open(ours))], json.load(open(theirs))
    if a == b:
        return True
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            print('%s: object %d: bpfscope %s, bpftool %s' % (label, i, x, y))
            return False
    print('%s: %d objects, bpftool has %d' % (label, len(a), len(b)))
    return False
# norm.py plain|json OURS THEIRS, or norm.py batch LIST (lines "KIND OURS THEIRS LABEL...")
if sys.argv[1] == 'batch':
    ok = True
    for line in open(sys.argv[2]):
        kind, ours, theirs, label = line.rstrip('\n').split(' ', 3)
        ok = check(kind, ours, theirs, label) and ok
    sys.exit(0 if ok else 1)
sys.exit(0 if check(sys.argv[1], sys.argv[2], sys.argv[3], 'dump') else 1)
EOF
}

setup() {
	[ "$(id -u)" = 0 ] || { SETUP_ERR="needs root"; return; }
	ensure_bpffs
	[ -x "$BPFSCOPE" ] || { SETUP_ERR="no bpfscope binary at $BPFSCOPE"; return; }
	command -v bpftool >/dev/null || { SETUP_ERR="no bpftool"; return; }
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
		"$TEST_TMP/loadgen" "$PIN/lg" 20 5 >/dev/null || { SETUP_ERR="loadgen failed"; return; }
	fi
	IDS=($(pin_ids "$PIN"))
	[ ${#IDS[@]} -ge 2 ] || { SETUP_ERR="no test programs loaded"; return; }
	# live dumps snapshot the whole kernel: the full matrix runs on the stored snapshot,
	# the live one on our objects, the samples and one loadgen program
	FEW=($(pin_ids $(ls -d "$PIN"/* | grep -v '/lg$')) $(pin_ids "$PIN/lg" | head -n 2))
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null 2>"$TEST_TMP/snap.err" ||
		SETUP_ERR="snapshot take failed: $(head -c 200 "$TEST_TMP/snap.err")"
}

need_setup() { [ -z "$SETUP_ERR" ] || { echo "$SETUP_ERR"; return 77; }; }
sdump() { "$BPFSCOPE" --db "$DB" -s latest prog dump xlated id "$@"; }

cmp_plain() { # WHAT OURS THEIRS
	python3 "$TEST_TMP/norm.py" plain "$2" "$3" || { echo "($1)"; return 1; }
}

# the stored snapshot: every flag, plain and JSON, for our objects, the samples and two
# loadgen programs; the other loadgen programs (same shape) plain only
t_stored_matches_bpftool() {
	need_setup || return 77
	local id f d=$TEST_TMP/st n=0 flags list=$TEST_TMP/st/list
	mkdir -p "$d"
	: >"$list"
	for id in "${IDS[@]}"; do
		flags=("")
		[[ " ${FEW[*]} " == *" $id "* ]] && flags=("" linum opcodes)
		for f in "${flags[@]}"; do
			bpftool prog dump xlated id "$id" $f >"$d/$id$f.t" 2>/dev/null || continue
			sdump "$id" $f >"$d/$id$f.o" 2>"$d/e" || { echo "id $id $f: $(cat "$d/e")"; return 1; }
			echo "plain $d/$id$f.o $d/$id$f.t id $id $f" >>"$list"
			n=$((n + 1))
			[ -n "$f" ] || continue
			bpftool -j prog dump xlated id "$id" $f >"$d/$id$f.tj" 2>/dev/null || continue
			"$BPFSCOPE" -j --db "$DB" -s latest prog dump xlated id "$id" $f >"$d/$id$f.oj" || return 1
			echo "json $d/$id$f.oj $d/$id$f.tj id $id -j $f" >>"$list"
		done
	done
	[ $n -ge ${#IDS[@]} ] || { echo "only $n dumps compared for ${#IDS[@]} programs"; return 1; }
	python3 "$TEST_TMP/norm.py" batch "$list"
}

# live: one snapshot of the whole kernel per command, so once per program, with linum;
# the same text as bpftool's and as the stored snapshot's
t_live_matches_bpftool() {
	need_setup || return 77
	local id d=$TEST_TMP/live
	mkdir -p "$d"
	for id in "${FEW[@]}"; do
		bpftool prog dump xlated id "$id" linum >"$d/t" || return 1
		"$BPFSCOPE" prog dump xlated id "$id" linum >"$d/o" || return 1
		cmp_plain "live id $id" "$d/o" "$d/t" || return 1
		sdump "$id" linum >"$d/s" || return 1
		diff "$d/o" "$d/s" >/dev/null || { echo "id $id: stored differs from live"; return 1; }
	done
}

# several flags at once (bpftool 7.1 takes one): each part as with that flag alone
t_flags_combined() {
	need_setup || return 77
	local id=${FEW[0]} d=$TEST_TMP/comb
	mkdir -p "$d"
	sdump "$id" linum opcodes >"$d/both" || return 1
	sdump "$id" opcodes >"$d/op" || return 1
	sdump "$id" linum >"$d/ln" || return 1
	diff <(grep -v '^;' "$d/both") <(grep -v '^;' "$d/op") >/dev/null || { echo "opcodes part differs"; return 1; }
	diff <(grep -v '^       [0-9a-f][0-9a-f] ' "$d/both") "$d/ln" >/dev/null || { echo "linum part differs"; return 1; }
}

# PROG by pinned path, name and tag, as bpftool resolves them (several matches: headers);
# name and tag live on both sides, so programs loaded meanwhile by others match on both
t_prog_selectors() {
	need_setup || return 77
	local d=$TEST_TMP/sel tag
	mkdir -p "$d"
	bpftool prog dump xlated pinned "$PIN/rich/rich" >"$d/t" || return 1
	"$BPFSCOPE" prog dump xlated pinned "$PIN/rich/rich" >"$d/o" || return 1
	cmp_plain "pinned" "$d/o" "$d/t" || return 1
	"$BPFSCOPE" prog dump xlated name xlt_ldabs >"$d/o" || return 1
	bpftool prog dump xlated name xlt_ldabs >"$d/t" || return 1
	cmp_plain "name" "$d/o" "$d/t" || return 1
	[ -e "$PIN/lg/p0" ] || return 0
	tag=$(bpftool -j prog show pinned "$PIN/lg/p0" | sed -n 's/.*"tag":"\([0-9a-f]*\)".*/\1/p')
	"$BPFSCOPE" prog dump xlated tag "$tag" >"$d/o" || return 1
	bpftool prog dump xlated tag "$tag" >"$d/t" || return 1
	cmp_plain "tag $tag" "$d/o" "$d/t"
}

# file FILE: the raw xlated bytes, as bpftool writes them
t_file_bytes() {
	need_setup || return 77
	local id=${FEW[0]}
	bpftool prog dump xlated id "$id" file "$TEST_TMP/t.bin" >/dev/null || return 1
	sdump "$id" file "$TEST_TMP/o.bin" || return 1
	cmp "$TEST_TMP/t.bin" "$TEST_TMP/o.bin" || return 1
	[ "$("$BPFSCOPE" -j --db "$DB" -s latest prog dump xlated id "$id" file "$TEST_TMP/o.bin")" = null ] ||
		{ echo "-j file: expected null"; return 1; }
}

# the v4 forms, by their RFC 9669 meaning in the kernel's notation
t_v4() {
	need_setup || return 77
	command -v clang-19 >/dev/null || { echo "no clang-19"; return 77; }
	write_v4 && bpftool prog loadall "$TEST_TMP/v4.bpf.o" "$PIN/v4" 2>/dev/null ||
		{ echo "can't load the v4 object"; return 1; }
	write_raw && "$TEST_TMP/raw" "$PIN/raw" || { echo "can't load the raw program"; return 1; }
	local out=$TEST_TMP/v4.txt want l
	"$BPFSCOPE" prog dump xlated pinned "$PIN/v4/v4prog" >"$out" || return 1
	"$BPFSCOPE" prog dump xlated pinned "$PIN/raw" >>"$out" || return 1
	while IFS= read -r want; do
		[ -z "$want" ] && continue
		grep -qxE " *[0-9]+: $want" "$out" || { echo "missing '$want'"; cat "$out" | grep -v '^;' | head -n 80; return 1; }
	done <<'EOF'
\(bf\) r[0-9] = \(s8\)r[0-9]
\(bf\) r[0-9] = \(s16\)r[0-9]
\(bf\) r[0-9] = \(s32\)r[0-9]
\(3f\) r[0-9] s/= r[0-9]
\(3c\) w[0-9] s/= w[0-9]
\(91\) r[0-9] = \*\(s8 \*\)\(r10 -1\)
\(89\) r[0-9] = \*\(s16 \*\)\(r10 -4\)
\(d7\) r0 = bswap64 r0
\(d7\) r1 = bswap32 r1
\(d7\) r2 = bswap16 r2
\(85\) call arch_bpf_timed_may_goto#-?[0-9]+
\(94\) w1 s%= 3
\(37\) r1 s/= -2
\(06\) gotol pc\+1
\(dc\) r1 = be16 r1
\(d4\) r1 = le32 r1
\(bc\) w2 = \(s8\)w1
\(db\) r1 = load_acquire\(\(u64 \*\)\(r10 -8\)\)
\(db\) store_release\(\(u64 \*\)\(r10 -8\), r2\)
EOF
}

# nobody, on a copy of the snapshot, without bpffs: the same text
t_unprivileged_copy() {
	need_setup || return 77
	command -v setpriv >/dev/null || { echo "no setpriv"; return 77; }
	local d=$TEST_TMP/nobody id
	mkdir -p "$d/own"
	# a WAL database needs its directory writable for the -shm file: nobody's own copy
	cp "$DB" "$d/own/h.db" && chmod 711 "$TEST_TMP" "$d" && chown -R 65534:65534 "$d/own" ||
		{ echo "can't copy the database"; return 1; }
	for id in "${FEW[@]}"; do
		sdump "$id" opcodes linum >"$d/$id.root" || return 1
		unshare -m sh -c 'umount -l /sys/fs/bpf 2>/dev/null; exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' \
			sh "$BPFSCOPE" --db "$d/own/h.db" -s latest prog dump xlated id "$id" opcodes linum \
			>"$d/$id.nobody" 2>"$d/err" || { echo "as nobody: $(head -c 300 "$d/err")"; return 1; }
		cmp -s "$d/$id.root" "$d/$id.nobody" || { echo "id $id differs as nobody"; return 1; }
	done
	# names travel in the snapshot: helpers, kfuncs and subprograms stay named
	grep -q 'call pc[-+][0-9]*#bpf_prog_[0-9a-f]*_cb$' "$d"/*.nobody &&
		grep -q 'call bpf_dynptr_from_skb#' "$d"/*.nobody &&
		grep -q 'call bpf_tail_call#12$' "$d"/*.nobody || { echo "names missing as nobody"; return 1; }
}

# errors as bpftool words them, and a JSON document in -j mode
t_errors() {
	need_setup || return 77
	local id=${FEW[0]} out
	out=$(sdump "$id" opcodes file "$TEST_TMP/x" 2>&1) && { echo "file+opcodes accepted"; return 1; }
	echo "$out" | grep -q "'file' is not compatible" || { echo "got: $out"; return 1; }
	out=$("$BPFSCOPE" -j --db "$DB" -s latest prog dump xlated id "$id" visual 2>/dev/null)
	echo "$out" | python3 -c 'import json,sys; assert "error" in json.load(sys.stdin)' ||
		{ echo "-j visual: $out"; return 1; }
	out=$(sdump 4000000000 2>&1) && { echo "missing id accepted"; return 1; }
	return 0
}

setup
run_test xlated_stored_matches_bpftool t_stored_matches_bpftool
run_test xlated_live_matches_bpftool t_live_matches_bpftool
run_test xlated_flags_combined t_flags_combined
run_test xlated_prog_selectors t_prog_selectors
run_test xlated_file_bytes t_file_bytes
run_test xlated_v4_rfc9669 t_v4
run_test xlated_unprivileged_copy t_unprivileged_copy
run_test xlated_errors t_errors
