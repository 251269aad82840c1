#!/usr/bin/env bash
# prog attach | detach (sockmap and flow_dissector), prog run, prog tracelog, prog profile,
# with Debian's bpftool as the oracle where it can say. Programs pinned under this test's
# own bpffs dir; flow_dissector only inside a network namespace the test made; the
# bpf_printk program prints only for a pid this test writes into its map.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_prog_ops_$$
NS=bspo$$
NSX="nsenter --net=/var/run/netns/$NS"
B=$BPFSCOPE

cmp_out() {	# WHAT GOT WANT
	[ "$2" = "$3" ] || { echo "$1 differs:" >&2; diff <(echo "$2") <(echo "$3") >&2; return 1; }
}

setup() {
	need_root || return 77
	local t
	for t in bpftool clang python3 timeout ip nsenter; do
		command -v $t >/dev/null || { echo "$t not installed"; return 77; }
	done
	ensure_bpffs
	cleanup_add "rm -rf $PIN"
	cleanup_add "ip netns del $NS"
	mkdir -p "$PIN" && ip netns add "$NS" || return 1
	cat > "$TEST_TMP/po.bpf.c" <<'C'
#include <linux/bpf.h>
#define SEC(n) __attribute__((section(n), used))
static void *(*bpf_map_lookup_elem)(void *, const void *) = (void *)1;
static long (*bpf_trace_printk)(const char *, __u32, ...) = (void *)6;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
char _license[] SEC("license") = "GPL";
struct { int (*type)[BPF_MAP_TYPE_ARRAY]; int (*max_entries)[1]; __u32 *key; __u32 *value; } po_target SEC(".maps");
SEC("sk_skb/stream_verdict") int po_verdict(struct __sk_buff *skb) { return SK_PASS; }
SEC("sk_skb/stream_parser") int po_parser(struct __sk_buff *skb) { return skb->len; }
SEC("sk_msg") int po_msg(struct sk_msg_md *msg) { return SK_PASS; }
SEC("flow_dissector") int po_flow(struct __sk_buff *skb) { return BPF_OK; }
SEC("xdp") int po_xdp(struct xdp_md *x)
{
	/* XDP_PASS for packets of 16 bytes or more, XDP_DROP below (the test run takes 14 at least) */
	return x->data_end - x->data >= 16 ? XDP_PASS : XDP_DROP;
}
SEC("tracepoint/syscalls/sys_enter_getpid")
int po_printk(void *ctx)
{
	__u32 k = 0, *want = bpf_map_lookup_elem(&po_target, &k);
	char fmt[] = "bpfscope_po %u\n";

	/* only the pid the test wrote prints: every other getpid on the machine passes by */
	if (!want || !*want || *want != bpf_get_current_pid_tgid() >> 32)
		return 0;
	bpf_trace_printk(fmt, sizeof(fmt), *want);
	return 0;
}
C
	clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/po.bpf.c" \
		-o "$TEST_TMP/po.bpf.o" || return 1
	$B prog loadall "$TEST_TMP/po.bpf.o" "$PIN/p" pinmaps "$PIN/m" || return 1
	$B map create "$PIN/sockmap" type sockmap key 4 value 4 entries 2 name po_sockmap || return 1
}

t_attach_sockmap() {
	local tool t a b
	for tool in "$B" bpftool; do
		for t in sk_skb_stream_verdict:po_verdict stream_parser:po_parser msg_verdict:po_msg; do
			$tool prog attach pinned "$PIN/p/${t#*:}" "${t%:*}" pinned "$PIN/sockmap" ||
				die "$tool attach $t"
		done
		# attached: a second program at the same place is refused, so is a detach of one
		# that is not there; each tool says so in bpftool's words
		for t in sk_skb_stream_verdict:po_verdict stream_parser:po_parser msg_verdict:po_msg; do
			$tool prog detach pinned "$PIN/p/${t#*:}" "${t%:*}" pinned "$PIN/sockmap" ||
				die "$tool detach $t"
		done
	done
	a=$(bpftool prog detach pinned "$PIN/p/po_msg" msg_verdict pinned "$PIN/sockmap" 2>&1)
	b=$($B prog detach pinned "$PIN/p/po_msg" msg_verdict pinned "$PIN/sockmap" 2>&1) &&
		die "detached twice"
	cmp_out "detach of a detached program" "$b" "$a" || return 1
	a=$(bpftool prog attach pinned "$PIN/p/po_msg" bogus pinned "$PIN/sockmap" 2>&1)
	b=$($B prog attach pinned "$PIN/p/po_msg" bogus pinned "$PIN/sockmap" 2>&1) && die "bogus taken"
	cmp_out "bogus attach type" "$b" "$a" || return 1
	# a verdict program on the parser's place: the kernel refuses
	a=$(bpftool prog attach pinned "$PIN/p/po_xdp" stream_verdict pinned "$PIN/sockmap" 2>&1)
	b=$($B prog attach pinned "$PIN/p/po_xdp" stream_verdict pinned "$PIN/sockmap" 2>&1) &&
		die "xdp program attached to a sockmap"
	cmp_out "wrong program type" "$b" "$a" || return 1
	[ "$($B -j prog attach pinned "$PIN/p/po_msg" msg_verdict pinned "$PIN/sockmap")" = null ] &&
		$B prog detach pinned "$PIN/p/po_msg" msg_verdict pinned "$PIN/sockmap"
}

# flow_dissector goes to the network namespace of the caller: ours only
t_attach_flow_dissector() {
	local id
	id=$($B -j prog show pinned "$PIN/p/po_flow" | python3 -c 'import json,sys; d=json.load(sys.stdin); print((d[0] if isinstance(d, list) else d)["id"])')
	$NSX $B prog attach pinned "$PIN/p/po_flow" flow_dissector || return 1
	$NSX bpftool net show | grep -A1 "^flow_dissector:" | grep -q "id $id" ||
		{ $NSX bpftool net show >&2; die "not attached in the namespace"; }
	bpftool net show | grep -A1 "^flow_dissector:" | grep -q "id $id" && die "attached outside"
	$NSX $B prog detach pinned "$PIN/p/po_flow" flow_dissector || return 1
	$NSX bpftool net show | grep -A1 "^flow_dissector:" | grep -q "id $id" && die "still attached"
	return 0
}

t_run() {
	local tool a b
	printf '0123456789abcdefghij' > "$TEST_TMP/in20"
	printf '0123456789abcd' > "$TEST_TMP/in14"
	for args in "data_in $TEST_TMP/in20 data_out -" "data_in $TEST_TMP/in14 repeat 10" \
		"data_in $TEST_TMP/in20 data_out $TEST_TMP/OUT" "data_in $TEST_TMP/nonexistent" \
		"data_in $TEST_TMP/in20 d 1" "data_in $TEST_TMP/in20 frob 1" \
		"data_in $TEST_TMP/in20 repeat x" "data_in - ctx_in -"; do
		a=$(bpftool prog run pinned "$PIN/p/po_xdp" ${args//OUT/out_a} 2>&1 | sed 's/: [0-9]*ns$/: Nns/')
		b=$($B prog run pinned "$PIN/p/po_xdp" ${args//OUT/out_b} 2>&1 | sed 's/: [0-9]*ns$/: Nns/')
		cmp_out "prog run $args" "$b" "$a" || return 1
		a=$(bpftool -j prog run pinned "$PIN/p/po_xdp" ${args//OUT/out_a} 2>&1 | sed 's/"duration":[0-9]*/"duration":N/')
		b=$($B -j prog run pinned "$PIN/p/po_xdp" ${args//OUT/out_b} 2>&1 | sed 's/"duration":[0-9]*/"duration":N/')
		cmp_out "-j prog run $args" "$b" "$a" || return 1
	done
	cmp "$TEST_TMP/out_a" "$TEST_TMP/out_b" || return 1
	$B prog run pinned "$PIN/p/po_xdp" data_in "$TEST_TMP/in14" | grep -q "^Return value: 1, duration: [0-9]*ns$" ||
		die "XDP_DROP (1) for 14 bytes wanted"
	$B prog run pinned "$PIN/p/po_xdp" data_in "$TEST_TMP/in20" repeat 5 |
		grep -q "^Return value: 2, duration (average): [0-9]*ns$" || die "XDP_PASS (2) wanted"
}

t_tracelog() {
	local tool out pid tpid
	$B prog loadall "$TEST_TMP/po.bpf.o" "$PIN/tl" pinmaps "$PIN/tlm" autoattach >/dev/null 2>&1 ||
		$B prog show pinned "$PIN/tl/po_printk" >/dev/null || return 1
	for tool in "$B" "$B -j" bpftool; do
		out=$TEST_TMP/tl.out
		timeout -s INT 30 $tool prog tracelog > "$out" 2>"$out.err" &
		tpid=$!
		python3 - "$B" "$PIN/tlm/po_target" <<'PY' || { kill -INT $tpid; return 1; }
import os, struct, subprocess, sys, time
pid = os.getpid()
print(pid, file=open(os.environ["PIDF"], "w"))
upd = [sys.argv[1], "map", "update", "pinned", sys.argv[2], "key", "0", "0", "0", "0", "value"]
subprocess.run(upd + [str(b) for b in struct.pack("<I", pid)], check=True)
for _ in range(6):	# 3 s of getpid calls: the reader may start late under load
    os.getpid()
    time.sleep(0.5)
subprocess.run(upd + ["0", "0", "0", "0"], check=True)
PY
		sleep 0.5
		kill -INT $tpid
		wait $tpid
		[ $? = 0 ] || [ "$tool" = bpftool ] || die "$tool prog tracelog: exit status $?"
		pid=$(cat "$PIDF")
		case $tool in
		*-j)	python3 - "$out" "$pid" <<'PY' || { cat "$out" >&2; return 1; }
import json, sys
d = json.load(open(sys.argv[1]))
mine = [l for l in d if l.endswith("bpfscope_po %s\n" % sys.argv[2])]
assert mine and all(isinstance(l, str) for l in d), d
PY
			;;
		*)	grep -q "bpf_trace_printk: bpfscope_po $pid\$" "$out" ||
				{ cat "$out" "$out.err" >&2; die "$tool: no line of pid $pid"; } ;;
		esac
	done
	$B prog tracelog extra 2>&1 | grep -q "unexpected argument 'extra'" || die "extra word taken"
}

# tracelog { stdout | stderr } PROG: BPF streams (kernel 6.17+); po_xdp writes none, so
# both are empty and the read ends at once
t_tracelog_stream() {
	local out s
	for s in stdout stderr; do
		out=$(timeout 10 $B prog tracelog $s pinned "$PIN/p/po_xdp" 2>&1) || die "$s: $out"
		[ -z "$out" ] || die "$s: '$out'"
	done
	out=$($B prog tracelog stdout 2>&1) && die "no PROG taken"
	grep -q "needs at least 2 arguments" <<<"$out" || die "no PROG: $out"
	out=$($B prog tracelog stdout pinned "$PIN/p/po_xdp" x 2>&1) && die "x taken"
	grep -q "unexpected argument 'x'" <<<"$out" || die "x: $out"
}

t_profile() {
	local out
	out=$($B prog profile pinned "$PIN/p/po_xdp" cycles instructions 2>&1) && die "profile ran"
	[ "$(echo "$out" | wc -l)" = 1 ] || die "more than one line: $out"
	# fentry refused here (t_walkthrough's fentry_refused): say so
	grep -qx "Error: prog profile needs fentry, which this kernel refuses (.*: Operation not permitted)" <<<"$out" ||
		die "refusal: $out"
	out=$($B prog profile pinned "$PIN/p/po_xdp" bogus 2>&1) && die "bogus metric taken"
	grep -q "unknown metric bogus" <<<"$out" || die "bogus metric: $out"
}
export PIDF=$TEST_TMP/pid

TESTS_HERE="attach_sockmap attach_flow_dissector run tracelog tracelog_stream profile"
setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
out=$(cat "$TEST_TMP/setup.log")
for t in $TESTS_HERE; do
	if [ $rc != 0 ]; then
		if [ $rc = 77 ]; then skip "prog_ops/$t" "$out"; else fail "prog_ops/$t" "setup: $out"; fi
		continue
	fi
	run_test "prog_ops/$t" "t_$t"
done
