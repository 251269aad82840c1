#!/usr/bin/env bash
# prog cfg / prog dump xlated visual: the DOT against bpftool's (nodes, edges, labels, parsed
# by graphviz's own gvpr), PNG/SVG/PDF rendered in-process, one function, split, source
# lines, hostile source text, callbacks, stored snapshots (also as nobody), --against.
# bpftool 7.1 quirks the comparison undoes are listed in docs/cfg.md "Compared to bpftool".
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_cfg_$$
DB=$TEST_TMP/h.db
IDS=()		# programs whose graph bpftool draws the same way
MF_ID=
CB_ID=
SETUP_ERR=

# each test body is a subshell ("t_x() ( ... )"): bail's exit ends just that test
bail() { echo "$*" >&2; exit 1; }
need_setup() { [ -z "$SETUP_ERR" ] || { echo "$SETUP_ERR"; return 77; }; }
# most checks read the snapshot setup took (a live command snapshots the whole kernel)
sq() { BPFSCOPE_DB=$DB "$BPFSCOPE" -s cfgbase "$@"; }
pin_id() { bpftool -j prog show pinned "$1" 2>/dev/null | sed -n 's/^{"id":\([0-9]*\),.*/\1/p'; }

# Our own object: two subprograms (static, global), a loop, two exits, a bpf_loop
# callback (a function only func_info knows), and source text that DOT must escape.
write_obj() {
	cat >"$TEST_TMP/cfgt.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, int); __type(value, long); } h SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, long); } pc SEC(".maps");
static __attribute__((noinline)) long twice(long x) { long *v = bpf_map_lookup_elem(&h, &x); return v ? *v * 2 : x; }
__attribute__((noinline)) int loop8(int s) { int i; for (i = 0; i < 8; i++) { if (s & 1) s = (s >> 1) ^ 0x1234; else s >>= 1; } return s; }
SEC("socket")
int cfg_main(struct __sk_buff *skb)
{
	int k = skb->len & 1; long *v = bpf_map_lookup_elem(&pc, &k);
	if (!v) return 0; /* hostile: "}|<>\ {x} \l \N" */
	if (skb->protocol == 7) return 1;
	*v += twice(skb->mark) + loop8(skb->len);
	bpf_printk("q\"}|<>\\ {%d}", k);
	return 2;
}
static int cb(__u32 idx, void *ctx) { *(long *)ctx += idx; return 0; }
SEC("socket")
int cfg_cb(struct __sk_buff *skb)
{
	long acc = skb->len;
	bpf_loop(4, cb, &acc, 0);
	return acc & 1;
}
EOF
	clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu \
		-c "$TEST_TMP/cfgt.bpf.c" -o "$TEST_TMP/cfgt.bpf.o"
}

# DOT -> "N name label" / "E tail head style" lines, parsed by graphviz itself
write_tools() {
	cat >"$TEST_TMP/dump.g" <<'EOF'
N { printf("N\t%s\t%s\n", $.name, $.label); }
E { printf("E\t%s\t%s\t%s\n", $.tail.name, $.head.name, $.style); }
EOF
	cat >"$TEST_TMP/cmp.py" <<'EOF'
import re, sys
from collections import Counter
# cmp.py BPFTOOL OURS: both from gvpr dump.g; exit 1 with the differences
def load(path):
    nodes, edges = {}, []
    for line in open(path).read().splitlines():
        f = line.split('\t')
        if f[0] == 'N': nodes[f[1]] = f[2]
        elif f[0] == 'E': edges.append((f[1], f[2], f[3]))
    return nodes, edges
def insns(label):
    out = []
    # (4) the "; ..." lines (prototype, source) upstream 7.8 adds, escape pairs kept whole
    label = re.sub(r'(?:^|(?<=\\l)|(?<=[{|]));(?:\\.|[^\\])*?\\l', '', label)
    for l in label.replace('\\l', '\n').split('\n'):
        l = re.sub(r'[\\{}|]', '', l)
        # (2) kernel 6.x disasm spells BPF_MOV64_PERCPU_REG; bpftool 7.1 predates it
        l = re.sub(r'&\(void __percpu \*\)\((r\d+)\)', r'\1', l)
        # (4) upstream 7.8 names the callee (call pc+22#bpf_prog_<tag>_<name>) and shows
        # the function's prototype and source lines ("; ..."); bpftool 7.1 does neither
        l = re.sub(r'(call pc[+-]\d+)#bpf_prog_[0-9a-f]{16}_\w*', r'\1', l)
        l = ' '.join(l.split())
        if l and not l.startswith(';'): out.append(l)
    return out
def last_op(label):
    ops = re.findall(r'\(([0-9a-f]{2})\)', label)
    return ops[-1] if ops else None
bn, be = load(sys.argv[1]); un, ue = load(sys.argv[2])
bad = []
if set(bn) != set(un): bad.append('nodes: bpftool-only %s, ours-only %s' % (sorted(set(bn) - set(un)), sorted(set(un) - set(bn))))
for n in sorted(set(bn) & set(un)):
    if insns(bn[n]) != insns(un[n]): bad.append('%s: bpftool %s / ours %s' % (n, insns(bn[n]), insns(un[n])))
exp, seen, dups = Counter(), set(), 0
for t, h, s in be:
    op = last_op(bn.get(t, ''))
    # (3) as bpftool's: a block ending in exit falls through to the next block
    if s != 'invis' and op == '85':
        if (t, h) in seen: dups += 1; continue    # (1) a block ending in a call gets a 2nd edge
        seen.add((t, h))
    exp[(t, h)] += 1
got = Counter((t, h) for t, h, s in ue)
if exp != got: bad.append('edges: bpftool-only %s, ours-only %s' % (dict(exp - got), dict(got - exp)))
if len(ue) != len(be) - dups: bad.append('%d edges, bpftool %d - %d duplicates' % (len(ue), len(be), dups))
print('\n'.join(bad[:6]))
print('%d nodes, %d edges (bpftool %d, %d duplicate call edges)' % (len(un), len(ue), len(be), dups), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
	cat >"$TEST_TMP/png.py" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read(32)
assert d[:8] == b'\x89PNG\r\n\x1a\n', 'no PNG signature'
ln, typ, w, h = struct.unpack('>I4sII', d[8:24])
assert typ == b'IHDR' and w > 0 and h > 0, 'bad IHDR %r %d %d' % (typ, w, h)
print(w, h)
EOF
}

setup() {
	[ "$(id -u)" = 0 ] || { SETUP_ERR="needs root"; return; }
	ensure_bpffs
	[ -x "$BPFSCOPE" ] || { SETUP_ERR="no bpfscope binary at $BPFSCOPE"; return; }
	command -v gvpr >/dev/null || { SETUP_ERR="no gvpr (graphviz)"; return; }
	write_tools
	mkdir -p "$PIN"
	cleanup_add "rm -rf $PIN"
	local f p
	for f in multi_func getpid_count xdp_drop_8080 tc_counter; do
		[ -s "$SAMPLES/$f.bpf.o" ] && bpftool prog loadall "$SAMPLES/$f.bpf.o" "$PIN/$f" 2>/dev/null
	done
	write_obj && bpftool prog loadall "$TEST_TMP/cfgt.bpf.o" "$PIN/cfgt" 2>/dev/null ||
		{ SETUP_ERR="can't load the test object"; return; }
	for p in $(find "$PIN" -type f | sort); do
		case $p in
		*/cfg_cb) CB_ID=$(pin_id "$p") ;;
		*) IDS+=($(pin_id "$p")) ;;
		esac
	done
	MF_ID=$(pin_id "$PIN/multi_func/count_getppid")
	[ -n "$MF_ID" ] || MF_ID=$(pin_id "$PIN/cfgt/cfg_main")
	[ ${#IDS[@]} -ge 2 ] && [ -n "$CB_ID" ] || SETUP_ERR="test programs did not load"
	BPFSCOPE_DB=$DB "$BPFSCOPE" snapshot take label cfgbase >/dev/null ||
		SETUP_ERR="snapshot take failed"
}

t_visual_matches_bpftool() (
	need_setup || return 77
	local id d=$TEST_TMP/vis
	mkdir -p "$d"
	for id in "${IDS[@]}"; do
		bpftool prog dump xlated id "$id" visual >"$d/$id.bt" || bail "bpftool visual $id failed"
		if [ "$id" = "${IDS[0]}" ]; then
			"$BPFSCOPE" prog dump xlated id "$id" visual
		else
			sq prog dump xlated id "$id" visual
		fi >"$d/$id.us" 2>"$d/err" ||
			{ cat "$d/err" >&2; bail "prog dump xlated id $id visual failed"; }
		gvpr -f "$TEST_TMP/dump.g" "$d/$id.bt" >"$d/$id.bt.g" || bail "gvpr can't read bpftool's graph"
		gvpr -f "$TEST_TMP/dump.g" "$d/$id.us" >"$d/$id.us.g" 2>"$d/err" ||
			{ cat "$d/err" >&2; bail "gvpr can't read our graph of $id"; }
		python3 "$TEST_TMP/cmp.py" "$d/$id.bt.g" "$d/$id.us.g" >&2 || bail "id $id differs from bpftool"
	done
)

# what upstream 7.8 adds to the labels (written from its xlated_dumper.c and cfg.c): the
# function's prototype, its source lines (with linum "[file line:N col:M]"), callee names
t_visual_upstream_labels() (
	need_setup || return 77
	local d=$TEST_TMP/up
	mkdir -p "$d"
	"$BPFSCOPE" prog dump xlated id "$MF_ID" visual >"$d/v" &&
	"$BPFSCOPE" prog dump xlated id "$MF_ID" visual linum >"$d/vl" || bail "visual failed"
	gvpr -f "$TEST_TMP/dump.g" "$d/v" >"$d/v.g" && gvpr -f "$TEST_TMP/dump.g" "$d/vl" >"$d/vl.g" ||
		bail "gvpr can't read our graphs"
	# the label text with graphviz's escapes undone
	sed 's/\\ / /g' "$d/v.g" | grep -F $'fn_0_bb_2\t' |
		grep -qF '{; int count_getppid(void * ctx):\l; ' ||
		bail "no prototype and source line at the top of func_0"
	grep -q 'call pc+[0-9]*#bpf_prog_[0-9a-f]\{16\}_bump_pid' "$d/v.g" || bail "callee not named"
	sed 's/\\ / /g' "$d/vl.g" | grep -q '; \[[^]]*multi_func.bpf.c line:[0-9]* col:[0-9]*\]' ||
		bail "linum: no [file line col]"
	! sed 's/\\ / /g' "$d/v.g" | grep -q ' line:[0-9]* col:' || bail "file shown without linum"
)

# the same graph from a stored snapshot, and as nobody from a copy (no root, no bpffs)
t_visual_stored() (
	need_setup || return 77
	local id=$MF_ID d=$TEST_TMP/st
	mkdir -p "$d"
	"$BPFSCOPE" prog dump xlated id "$id" visual >"$d/live" || bail "live failed"
	BPFSCOPE_DB=$DB "$BPFSCOPE" -s cfgbase prog dump xlated id "$id" visual >"$d/stored" ||
		bail "stored failed"
	cmp -s "$d/live" "$d/stored" || bail "stored graph differs from live"
	# a WAL database needs its directory writable for the -shm file: nobody's own copy
	mkdir -p "$d/own" && cp "$DB" "$d/own/h.db" && chmod 711 "$TEST_TMP" "$d" &&
		chown -R 65534:65534 "$d/own" || bail "can't copy the database"
	unshare -m sh -c 'umount -l /sys/fs/bpf 2>/dev/null; exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' \
		sh "$BPFSCOPE" --db "$d/own/h.db" -s cfgbase prog cfg id "$id" format svg >"$d/nobody.svg" 2>"$d/err" ||
		{ cat "$d/err" >&2; bail "prog cfg as nobody failed"; }
	grep -q '</svg>' "$d/nobody.svg" || bail "no SVG as nobody"
)

# blocks and functions of a program from -j (the CFG as data)
json_nodes() { sq -j prog cfg id "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["functions"]))
for f in d["functions"]:
    for b in f["blocks"]: print(b["node"])'; }

t_png() (
	need_setup || return 77
	local f=$TEST_TMP/mf.png wh out
	sq prog cfg id "$MF_ID" format png file "$f" || bail "png failed"
	wh=$(python3 "$TEST_TMP/png.py" "$f") || bail "not a valid PNG"
	echo "png $wh" >&2
	# several PNGs from one process: one cairo context draws them all (a second context read
	# a font name pango freed with the first: make check-sanitize failed here)
	out=$(sq prog cfg id "$MF_ID" format png file "$TEST_TMP/sp.png" split) || bail "png split failed"
	[ "$(echo "$out" | wc -l)" -ge 2 ] || bail "split wrote $(echo "$out" | wc -l) file"
	for f in $out; do
		python3 "$TEST_TMP/png.py" "$f" >/dev/null || bail "$f: not a valid PNG"
	done
)

t_svg_every_block() (
	need_setup || return 77
	local f=$TEST_TMP/mf.svg nf n
	sq prog cfg id "$MF_ID" format svg file "$f" || bail "svg failed"
	python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$f" || bail "invalid XML"
	json_nodes "$MF_ID" >"$TEST_TMP/nodes" || bail "-j prog cfg failed"
	nf=$(head -1 "$TEST_TMP/nodes")
	[ "$nf" -ge 2 ] || bail "expected >= 2 functions, got $nf"
	n=$(grep -c 'class="cluster"' "$f")
	expect_eq "clusters" "$n" "$nf" || return 1
	for n in $(tail -n +2 "$TEST_TMP/nodes"); do
		grep -q "<title>$n</title>" "$f" || bail "block $n missing from the SVG"
	done
	sq prog cfg id "$MF_ID" format pdf file "$TEST_TMP/mf.pdf" || bail "pdf failed"
	head -c 5 "$TEST_TMP/mf.pdf" | grep -q '%PDF-' || bail "not a PDF"
)

t_split_function_linum() (
	need_setup || return 77
	local nf f names out
	json_nodes "$MF_ID" >"$TEST_TMP/nodes" || bail "-j prog cfg failed"
	nf=$(head -1 "$TEST_TMP/nodes")
	out=$(sq prog cfg id "$MF_ID" format svg file "$TEST_TMP/sp.svg" split) || bail "split failed"
	expect_eq "files written" "$(echo "$out" | wc -l)" "$nf" || return 1
	for f in $out; do
		[ -s "$f" ] && [ "$(grep -c 'class="cluster"' "$f")" = 1 ] || bail "$f: not one function"
	done
	names=$(sq -j prog cfg id "$MF_ID" | python3 -c '
import json, sys; print(json.load(sys.stdin)["functions"][1]["name"])')
	sq prog cfg id "$MF_ID" function "$names" linum >"$TEST_TMP/one.dot" || bail "function failed"
	gvpr -f "$TEST_TMP/dump.g" "$TEST_TMP/one.dot" | grep '^N' | cut -f2 | grep -qv '^fn_1_' &&
		bail "function $names: nodes of other functions drawn"
	grep -q '\[[a-z_]*\.bpf\.c:[0-9]*\]' "$TEST_TMP/one.dot" || bail "no source lines with linum"
	sq prog cfg id "$MF_ID" function no_such_func >/dev/null 2>&1 && bail "unknown function accepted"
	return 0
)

# source text with DOT's special characters: the graph must still parse and render
t_hostile_source() (
	need_setup || return 77
	local id
	id=$(pin_id "$PIN/cfgt/cfg_main")
	sq prog cfg id "$id" linum >"$TEST_TMP/h.dot" || bail "linum dot failed"
	grep -q 'hostile' "$TEST_TMP/h.dot" || bail "the hostile source line is not in the graph"
	gvpr -f "$TEST_TMP/dump.g" "$TEST_TMP/h.dot" >"$TEST_TMP/h.g" 2>"$TEST_TMP/err" ||
		{ cat "$TEST_TMP/err" >&2; bail "our DOT does not parse"; }
	# as the DOT parser hands it back: record metacharacters and backslashes escaped
	grep -qF 'hostile:\ "\}\|\<\>\\\ \{x\}\ \\l\ \\N"' "$TEST_TMP/h.g" ||
		bail "source text not escaped as expected"
	sq prog cfg id "$id" linum format png file "$TEST_TMP/h.png" 2>"$TEST_TMP/err" ||
		{ cat "$TEST_TMP/err" >&2; bail "png with hostile source failed"; }
	python3 "$TEST_TMP/png.py" "$TEST_TMP/h.png" >/dev/null || bail "bad PNG"
)

# a bpf_loop callback is a function of its own (bpftool leaves it inside the caller)
t_callback_function() (
	need_setup || return 77
	local nf bt
	nf=$(json_nodes "$CB_ID" | head -1)
	expect_eq "functions" "$nf" 2 || return 1
	bt=$(bpftool prog dump xlated id "$CB_ID" visual | grep -c '^subgraph')
	echo "bpftool draws $bt cluster(s), we draw $nf" >&2
)

t_against() (
	need_setup || return 77
	local src=$SAMPLES/multi_func.bpf.c id st
	[ -f "$src" ] || src=$TOP/samples/multi_func.bpf.c
	[ -f "$src" ] || { echo "no multi_func source"; return 77; }
	# a bound of our own, so no program in the base snapshot has this code (same tag)
	sed -e 's/0xedb88320/0x82f63b78/' -e "s/if (v)\$/if (v \\&\\& *v < $((1000000 + $$))UL)/" "$src" \
		>"$TEST_TMP/mf2.bpf.c"
	clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -c "$TEST_TMP/mf2.bpf.c" \
		-o "$TEST_TMP/mf2.bpf.o" || bail "can't build the changed program"
	bpftool prog loadall "$TEST_TMP/mf2.bpf.o" "$PIN/mf2" || bail "can't load the changed program"
	id=$(pin_id "$PIN/mf2/count_getppid")
	BPFSCOPE_DB=$DB "$BPFSCOPE" snapshot take label cfgnew >/dev/null || bail "snapshot failed"
	st=$(BPFSCOPE_DB=$DB "$BPFSCOPE" -j -s cfgnew prog cfg id "$id" --against cfgbase |
		python3 -c 'import json, sys; a = json.load(sys.stdin)["against"]; print(a["same"], a["changed"], a["new"])') ||
		bail "-j --against failed"
	echo "same changed new: $st" >&2
	set -- $st
	[ "$1" -ge 5 ] && [ "$2" -ge 1 ] && [ "$3" -ge 1 ] || bail "expected unchanged, changed and new blocks"
	BPFSCOPE_DB=$DB "$BPFSCOPE" -s cfgnew prog cfg id "$id" --against cfgbase format png \
		file "$TEST_TMP/diff.png" || bail "png --against failed"
	python3 "$TEST_TMP/png.py" "$TEST_TMP/diff.png" >/dev/null || bail "bad PNG"
	BPFSCOPE_DB=$DB "$BPFSCOPE" -s cfgnew prog cfg id "$id" --against cfgbase >"$TEST_TMP/diff.dot" &&
		grep -q 'changed since' "$TEST_TMP/diff.dot" && grep -q '#ffd966' "$TEST_TMP/diff.dot" ||
		bail "no legend or colour in the DOT"
	# the unchanged sample against the base: nothing differs
	st=$(BPFSCOPE_DB=$DB "$BPFSCOPE" -j -s cfgnew prog cfg id "$MF_ID" --against cfgbase |
		python3 -c 'import json, sys; a = json.load(sys.stdin)["against"]; print(a["changed"] + a["new"] + a["removed"])')
	expect_eq "differences of an unchanged program" "$st" 0
)

t_bad_args() (
	need_setup || return 77
	sq prog cfg id "$MF_ID" format gif >/dev/null 2>&1 && bail "format gif accepted"
	sq prog cfg id "$MF_ID" split >/dev/null 2>&1 && bail "split without file accepted"
	sq prog cfg id "$MF_ID" f x >/dev/null 2>&1 && bail "ambiguous 'f' accepted"
	sq prog cfg id "$MF_ID" format png file /nonexistent/dir/x.png >/dev/null 2>&1 &&
		bail "unwritable file accepted"
	return 0
)

setup
run_test cfg_visual_matches_bpftool t_visual_matches_bpftool
run_test cfg_visual_upstream_labels t_visual_upstream_labels
run_test cfg_visual_stored_and_nobody t_visual_stored
run_test cfg_png t_png
run_test cfg_svg_pdf_every_block t_svg_every_block
run_test cfg_split_function_linum t_split_function_linum
run_test cfg_hostile_source t_hostile_source
run_test cfg_callback_function t_callback_function
run_test cfg_against t_against
run_test cfg_bad_args t_bad_args
