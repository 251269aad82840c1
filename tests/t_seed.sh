#!/usr/bin/env bash
# The seed walkthrough's commands as it spells them (/work/shared/seed-bpftool-walkthrough.txt),
# with bpfscope in bpftool's place and this test's ids, pins and devices in the seed's: bare
# `prog` and `map`, `prog --pretty`, `prog list pinned`, `net list`, `map update ... key 00 00
# 00 00 value 90 00 00 00`, `net attach tcx_egress id N dev IF`, ... Compared with Debian's
# bpftool where it shows the same. Network commands run in a namespace of this test's own.
source "$(dirname "$0")/lib.sh"

T=/sys/fs/bpf/bpfscope_t_seed_$$
NS=bsseed$$
NSX="nsenter --net=/var/run/netns/$NS"
DEV=sd0		# the seed's enp1s0: a veth inside the namespace
B=$BPFSCOPE
PROG=
MAP=

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
cmp_out() {	# WHAT GOT WANT
	[ "$2" = "$3" ] || { echo "$1 differs:" >&2; diff <(echo "$2") <(echo "$3") >&2; return 1; }
}

setup() {
	need_root || return 77
	local t
	for t in bpftool python3 ip nsenter; do
		command -v $t >/dev/null || { echo "$t not installed"; return 77; }
	done
	[ -f "$SAMPLES/getpid_count.bpf.o" ] && [ -f "$SAMPLES/xdp_drop_8080.bpf.o" ] &&
		[ -f "$SAMPLES/tc_counter.bpf.o" ] || { echo "samples not built (make samples)"; return 77; }
	ensure_bpffs
	cleanup_add "rm -rf $T"
	cleanup_add "ip netns del $NS"
	mkdir -p "$T" && ip netns add "$NS" && $NSX ip link add "$DEV" type veth peer name sd1 &&
		$NSX ip link set "$DEV" up && $NSX ip link set sd1 up || return 1
	# the seed's getpid program, loaded and not attached: its map holds still
	$B prog loadall "$SAMPLES/getpid_count.bpf.o" "$T/gp" || return 1
	PROG=$(bpftool -j prog show pinned "$T/gp/count_getpid" | json 'd["id"]') &&
	MAP=$(bpftool -j prog show id "$PROG" | json 'd["map_ids"][0]') || return 1
}

# "sudo bpftool prog", "sudo bpftool prog --pretty", "sudo bpftool map", "-h", "version"
t_bare_objects() {
	$B prog | grep -q "^$PROG: tracepoint  name count_getpid " || die "prog lacks $PROG"
	$B prog --pretty | json "[p['id'] for p in d].count($PROG)" | grep -qx 1 || die "prog --pretty"
	# --pretty is pretty JSON laid out as bpftool lays it out ("[{" first, members indented)
	[ "$($B prog --pretty | head -n 1)" = "$(bpftool prog --pretty | head -n 1)" ] || die "prog --pretty layout"
	$B map | grep -q "^$MAP: array  name" || die "map lacks $MAP"
	$B -h | head -n 3 | grep -q "bpfscope batch file FILE" || die "-h"
	$B version | grep -q "^bpfscope v" || die "version"
}

# "sudo bpftool btf show id 511", "prog dump xlated id 312", "... visual &> vis.out",
# "prog dump jited id 312"
t_inspect() {
	local btf
	btf=$(bpftool -j prog show id "$PROG" | json 'd["btf_id"]')
	$B btf show id "$btf" | grep -q "^$btf: name <anon>  size [0-9]*B  prog_ids $PROG  map_ids $MAP" ||
		{ $B btf show id "$btf" >&2; die "btf show id $btf"; }
	cmp_out "prog dump xlated" "$($B prog dump xlated id "$PROG")" \
		"$(bpftool prog dump xlated id "$PROG")" || return 1
	$B prog dump xlated id "$PROG" visual &> "$TEST_TMP/vis.out" || return 1
	grep -q "^digraph" "$TEST_TMP/vis.out" || die "visual: no digraph"
	$B prog dump jited id "$PROG" | grep -q "^bpf_prog_[0-9a-f]*_count_getpid:" ||
		die "jited: no program label"
}

# "map dump id 147", "map update id 147 key 00 00 00 00 value 90 00 00 00", "map dump id 147",
# "map pin id 147 /sys/fs/bpf/getpid_map", "map dump pinned /sys/fs/bpf/getpid_map"
t_map_walk() {
	$B map dump id "$MAP" > /dev/null || return 1
	$B map update id "$MAP" key 00 00 00 00 value 90 00 00 00 || return 1
	$B map dump id "$MAP" | grep -q '"value": 90' || { $B map dump id "$MAP" >&2; die "not 90"; }
	# C notation: "90" is decimal, the byte 0x5a
	[ "$(bpftool -j map lookup id "$MAP" key 0 0 0 0 | json 'd["value"]')" = \
		"['0x5a', '0x00', '0x00', '0x00']" ] || die "bpftool: not 0x5a"
	$B map pin id "$MAP" "$T/getpid_map" || return 1
	cmp_out "map dump pinned" "$($B map dump pinned "$T/getpid_map")" \
		"$($B map dump id "$MAP")" || return 1
}

# "prog loadall getpid.o /sys/fs/bpf/test autoattach" then "prog"; "prog load xdp_drop8080.o
# /sys/fs/bpf/xdp type xdp" then "prog list pinned /sys/fs/bpf/xdp"
t_load_walk() {
	local id
	$B prog loadall "$SAMPLES/getpid_count.bpf.o" "$T/test" autoattach || return 1
	id=$(bpftool -j link show pinned "$T/test/count_getpid" | json 'd["prog_id"]')
	$B prog | grep -q "^$id: tracepoint  name count_getpid " || die "prog lacks $id"
	rm -r "$T/test"
	$B prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$T/xdp" type xdp || return 1
	cmp_out "prog list pinned" "$($B prog list pinned "$T/xdp" | grep -v "^	pids ")" \
		"$(bpftool prog list pinned "$T/xdp" | grep -v "^	pids ")"
}

# "net attach xdp id 835 dev enp1s0", "net list", "net detach xdp dev enp1s0",
# "net attach tcx_egress id 423 dev enp1s0": in our namespace, on our veth
t_net_walk() {
	local id tc
	[ -e "$T/xdp" ] || $B prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$T/xdp" type xdp || return 1
	id=$(bpftool -j prog show pinned "$T/xdp" | json 'd["id"]')
	$NSX $B net attach xdp id "$id" dev "$DEV" || return 1
	# bpftool 7.1 has no netfilter section: compared without it
	cmp_out "net list" "$($NSX $B net list | sed '/^netfilter:$/,$d' | grep -v '^$')" \
		"$($NSX bpftool net list | grep -v '^$')" || return 1
	$NSX $B net list | grep -q "^$DEV(.*) generic id $id\$\|^$DEV(.*) driver id $id\$" ||
		{ $NSX $B net list >&2; die "xdp not listed"; }
	$NSX $B net detach xdp dev "$DEV" || return 1
	$NSX $B net list | grep -q "id $id" && die "xdp still listed"
	$B prog load "$SAMPLES/tc_counter.bpf.o" "$T/tc" || return 1
	tc=$(bpftool -j prog show pinned "$T/tc" | json 'd["id"]')
	$NSX $B net attach tcx_egress id "$tc" dev "$DEV" || return 1
	$NSX $B net list | grep -q "^$DEV([0-9]*) tcx/egress tc_count_proto prog_id $tc\$" ||
		{ $NSX $B net list >&2; die "tcx not listed"; }
	ls /sys/fs/bpf/bpfscope/tcx 2>/dev/null | grep -q "^${DEV}_egress_$tc\$" && die "a link pin"
	$NSX $B net detach tcx_egress dev "$DEV" || return 1
	$NSX $B net list | grep -q "prog_id $tc" && die "tcx still listed"
	return 0
}

# "bpftool batch file FILE" (the usage line), "btf dump file ... format c > vmlinux.h",
# "gen skeleton obj_file.o > obj_file.skel.h"
t_batch_gen() {
	printf 'prog show id %s\nmap show id %s\n' "$PROG" "$MAP" > "$TEST_TMP/batch"
	cmp_out "batch file" "$($B batch file "$TEST_TMP/batch" | grep -v "^	pids ")" \
		"$(bpftool batch file "$TEST_TMP/batch" | grep -v "^	pids ")" || return 1
	$B btf dump file /sys/kernel/btf/vmlinux format c > "$TEST_TMP/vmlinux.h" || return 1
	grep -q "^struct task_struct {" "$TEST_TMP/vmlinux.h" || die "vmlinux.h"
	$B gen skeleton "$SAMPLES/getpid_count.bpf.o" > "$TEST_TMP/obj_file.skel.h" || return 1
	grep -q "getpid_count_bpf__open_and_load" "$TEST_TMP/obj_file.skel.h" || die "skeleton"
}

TESTS_HERE="bare_objects inspect map_walk load_walk net_walk batch_gen"
setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
out=$(cat "$TEST_TMP/setup.log")
for t in $TESTS_HERE; do
	if [ $rc != 0 ]; then
		if [ $rc = 77 ]; then skip "seed/$t" "$out"; else fail "seed/$t" "setup: $out"; fi
		continue
	fi
	run_test "seed/$t" "t_$t"
done
