#!/usr/bin/env bash
# net show against bpftool net show, in a fresh network namespace: a veth pair with XDP
# (generic on one end, driver mode on the other) and clsact filters, live and from a
# stored snapshot.
source "$(dirname "$0")/lib.sh"

NS=bpfscope-net-$$
NSX="nsenter --net=/var/run/netns/$NS"
XDP_OBJ=$SAMPLES/xdp_drop_8080.bpf.o
TC_OBJ=$SAMPLES/tc_counter.bpf.o
DB=$TEST_TMP/net.db
# tests run in subshells (run_test): their cleanups are registered here, up front
TCX_PIN=/sys/fs/bpf/bpfscope_t_net_tcx_$$
FD_PIN=/sys/fs/bpf/bpfscope_t_net_fd_$$
NF_PIN=/sys/fs/bpf/bpfscope_t_net_nf_$$

# Tiny stand-ins when the samples are not built.
build_objs() {
	[ -f "$XDP_OBJ" ] && [ -f "$TC_OBJ" ] && return 0
	command -v clang >/dev/null || return 1
	cat > "$TEST_TMP/xdp.bpf.c" <<'EOF'
#include <linux/bpf.h>
__attribute__((section("license"), used)) char _license[] = "GPL";
__attribute__((section("xdp"), used)) int xdp_pass(struct xdp_md *ctx) { return XDP_PASS; }
EOF
	cat > "$TEST_TMP/tc.bpf.c" <<'EOF'
#include <linux/bpf.h>
__attribute__((section("license"), used)) char _license[] = "GPL";
__attribute__((section("tc"), used)) int tc_ok(struct __sk_buff *skb) { return 0; }
EOF
	local inc=-I/usr/include/$(uname -m)-linux-gnu
	clang -O2 -g -target bpf $inc -c "$TEST_TMP/xdp.bpf.c" -o "$TEST_TMP/xdp.bpf.o" &&
	clang -O2 -g -target bpf $inc -c "$TEST_TMP/tc.bpf.c" -o "$TEST_TMP/tc.bpf.o" || return 1
	XDP_OBJ=$TEST_TMP/xdp.bpf.o
	TC_OBJ=$TEST_TMP/tc.bpf.o
}

setup() {
	need_root || return 77
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	ensure_bpffs
	build_objs || { echo "no BPF objects (make samples) and no clang"; return 77; }
	cleanup_add "rm -f $TCX_PIN $FD_PIN $NF_PIN"
	cleanup_add "ip netns del $NS"
	cleanup_add "$NSX bpftool prog detach pinned $FD_PIN flow_dissector"
	cleanup_add "$NSX $BPFSCOPE net detach tcx_ingress dev va"
	ip netns add "$NS" || return 1
	$NSX ip link add va type veth peer name vb &&
	$NSX ip link set va up && $NSX ip link set vb up &&
	$NSX ip link set dev va xdpgeneric obj "$XDP_OBJ" sec xdp &&
	$NSX ip link set dev vb xdpdrv obj "$XDP_OBJ" sec xdp &&
	$NSX tc qdisc add dev va clsact && $NSX tc qdisc add dev vb clsact &&
	$NSX tc filter add dev va ingress bpf da obj "$TC_OBJ" sec tc &&
	$NSX tc filter add dev vb egress bpf da obj "$TC_OBJ" sec tc || return 1
	# the objects loaded must be the ones on our devices
	$NSX bpftool -j net show | jq -e '.[0].xdp | length == 2' >/dev/null || return 1
}

# bpftool 7.1 has no netfilter section: compare what comes before ours
strip_netfilter() { sed '/^netfilter:$/,$d'; }
json_sections() { jq -S '.[0] | {xdp, tc, flow_dissector}'; }

t_plain() {
	local want got
	want=$($NSX bpftool net show 2>&1) || return 1
	got=$($NSX "$BPFSCOPE" net show) || return 1
	got=$(printf '%s\n' "$got" | strip_netfilter)
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") >&2; return 1; }
}

t_json() {
	local want got
	want=$($NSX bpftool -j net show | json_sections) || return 1
	got=$($NSX "$BPFSCOPE" -j net show | json_sections) || return 1
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") >&2; return 1; }
	# and valid JSON with a netfilter section in pretty mode too
	$NSX "$BPFSCOPE" -p net list | jq -e '.[0] | has("netfilter")' >/dev/null
}

t_dev() {
	local want got
	want=$($NSX bpftool net show dev vb 2>&1) || return 1
	got=$($NSX "$BPFSCOPE" net show dev vb | strip_netfilter) || return 1
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") >&2; return 1; }
	if $NSX "$BPFSCOPE" net show dev nosuchdev >/dev/null 2>&1; then
		echo "dev nosuchdev: expected an error" >&2
		return 1
	fi
}

t_stored() {
	local live stored live_j stored_j
	$NSX "$BPFSCOPE" --db "$DB" snapshot take >/dev/null || return 1
	live=$($NSX "$BPFSCOPE" net show) || return 1
	# read back outside the namespace: the snapshot holds the namespace it was taken in
	stored=$("$BPFSCOPE" --db "$DB" -s latest net show) || return 1
	[ "$stored" = "$live" ] || { diff <(echo "$live") <(echo "$stored") >&2; return 1; }
	live_j=$($NSX bpftool -j net show | json_sections)
	stored_j=$("$BPFSCOPE" --db "$DB" -s latest -j net show | json_sections) || return 1
	[ "$stored_j" = "$live_j" ] || { diff <(echo "$live_j") <(echo "$stored_j") >&2; return 1; }
	stored=$("$BPFSCOPE" --db "$DB" -s latest net show dev va | strip_netfilter)
	live=$($NSX bpftool net show dev va 2>&1)
	[ "$stored" = "$live" ] || { diff <(echo "$live") <(echo "$stored") >&2; return 1; }
}

# tcx (bpftool 7.1 can't show it): the chain entry must name our program and its link
t_tcx() {
	local pin=$TCX_PIN prog_id line link_id j
	local re='^va\([0-9]+\) tcx/ingress [a-z_]+ prog_id ([0-9]+) link_id ([0-9]+)$'
	bpftool prog load "$TC_OBJ" "$pin" type classifier || return 1
	prog_id=$(bpftool -j prog show pinned "$pin" | jq .id)
	# 'link': a bpf_link (bpftool's own attach makes none, see t_tcx_prog)
	$NSX "$BPFSCOPE" net attach tcx_ingress pinned "$pin" dev va link || return 1
	line=$($NSX "$BPFSCOPE" net show | grep ' tcx/ingress ')
	[[ $line =~ $re ]] && [ "${BASH_REMATCH[1]}" = "$prog_id" ] ||
		{ echo "tcx line: '$line' (prog $prog_id)" >&2; return 1; }
	link_id=${BASH_REMATCH[2]}
	expect_eq "link's prog" "$(bpftool -j link show id "$link_id" | jq .prog_id)" "$prog_id" ||
		return 1
	j=$($NSX "$BPFSCOPE" -j net show | jq -c '.[0].tc[] | select(.kind == "tcx/ingress")
		| [.devname, .prog_id, .link_id, .prog_flags, .link_flags]')
	expect_eq "tcx json" "$j" "[\"va\",$prog_id,$link_id,[],[]]" || return 1
	# the classic filter follows the tcx chain, as newer bpftool orders them
	$NSX "$BPFSCOPE" net show dev va | grep -A1 ' tcx/ingress ' | grep -q 'clsact/ingress' ||
		return 1
	$NSX "$BPFSCOPE" net detach tcx_ingress dev va || return 1
	! $NSX "$BPFSCOPE" net show | grep -q 'tcx/'
}

# tcx as bpftool attaches it (BPF_PROG_ATTACH): a chain entry with no link, nothing
# pinned under /sys/fs/bpf/bpfscope (JSON link_id 0, as upstream prints it), gone with net
# detach; 'overwrite' refused as bpftool does
t_tcx_prog() {
	local pin=${TCX_PIN}_p prog_id line out
	cleanup_add "rm -f $pin"
	local re='^va\([0-9]+\) tcx/ingress [a-z_]+ prog_id ([0-9]+)$'
	bpftool prog load "$TC_OBJ" "$pin" type classifier || return 1
	prog_id=$(bpftool -j prog show pinned "$pin" | jq .id)
	$NSX "$BPFSCOPE" net attach tcx_ingress pinned "$pin" dev va || return 1
	line=$($NSX "$BPFSCOPE" net show | grep ' tcx/ingress ')
	[[ $line =~ $re ]] && [ "${BASH_REMATCH[1]}" = "$prog_id" ] ||
		{ echo "tcx line: '$line' (prog $prog_id)" >&2; return 1; }
	ls /sys/fs/bpf/bpfscope/tcx 2>/dev/null | grep -q "^va_ingress_$prog_id\$" && die "pinned a link"
	$NSX "$BPFSCOPE" -j net show | jq -e --argjson id "$prog_id" \
		'.[0].tc | any(.kind == "tcx/ingress" and .prog_id == $id and .link_id == 0)' \
		>/dev/null || { $NSX "$BPFSCOPE" -j net show >&2; die "json"; }
	# attached once: a second attach of the same program is the kernel's EEXIST
	out=$($NSX "$BPFSCOPE" net attach tcx_ingress pinned "$pin" dev va 2>&1) && die "attached twice"
	expect_eq "twice" "$out" "Error: interface tcx_ingress attach failed: File exists" || return 1
	out=$($NSX "$BPFSCOPE" net attach tcx_ingress pinned "$pin" dev va overwrite 2>&1) &&
		die "overwrite taken"
	expect_eq "overwrite" "$out" "Error: 'overwrite' is only supported for xdp types" || return 1
	$NSX "$BPFSCOPE" net detach tcx_ingress dev va || return 1
	! $NSX "$BPFSCOPE" net show | grep -q 'tcx/' || die "still attached"
	rm -f "$pin"
}

# flow dissector: bpftool's JSON for it is not valid JSON, so plain only against bpftool
t_flow_dissector() {
	local pin=$FD_PIN want got id
	command -v clang >/dev/null || { echo "clang not installed"; return 77; }
	printf '%s\n' '#include <linux/bpf.h>' \
		'__attribute__((section("license"), used)) char _license[] = "GPL";' \
		'__attribute__((section("flow_dissector"), used))' \
		'int fd_ok(struct __sk_buff *skb) { return BPF_OK; }' > "$TEST_TMP/fd.bpf.c"
	clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/fd.bpf.c" \
		-o "$TEST_TMP/fd.bpf.o" || return 1
	bpftool prog load "$TEST_TMP/fd.bpf.o" "$pin" || return 1
	$NSX bpftool prog attach pinned "$pin" flow_dissector || return 1
	want=$($NSX bpftool net show 2>&1) || return 1
	got=$($NSX "$BPFSCOPE" net show | strip_netfilter) || return 1
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") >&2; return 1; }
	id=$(bpftool -j prog show pinned "$pin" | jq .id)
	$NSX "$BPFSCOPE" -j net show | jq -e --argjson id "$id" \
		'.[0].flow_dissector == [{"id": $id}]' >/dev/null || return 1
	$NSX bpftool prog detach pinned "$pin" flow_dissector
}

# netfilter hooks exist only as links (bpftool 7.1 does not show them): check the row
# against the link we made, ipv4 local-in at priority -128
t_netfilter() {
	local prog_id
	command -v gcc >/dev/null || { echo "gcc not installed"; return 77; }
	gcc -o "$TEST_TMP/nf_link" "$TOP/tests/helpers/nf_link.c" || return 1
	$NSX "$TEST_TMP/nf_link" "$NF_PIN" || { echo "can't make a netfilter link" >&2; return 77; }
	prog_id=$(bpftool -j link show pinned "$NF_PIN" | jq .prog_id)
	$NSX "$BPFSCOPE" net show | grep -qxF "$(printf '\tip input prio -128 prog_id %s' "$prog_id")" ||
		{ $NSX "$BPFSCOPE" net show >&2; return 1; }
	$NSX "$BPFSCOPE" -j net show | jq -e --argjson id "$prog_id" \
		'.[0].netfilter | any(. == {"pf": 2, "hook": 1, "prio": -128, "flags": 0, "id": $id})' \
		>/dev/null || return 1
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null &&
	"$BPFSCOPE" --db "$DB" -s latest -j net show | jq -e --argjson id "$prog_id" \
		'.[0].netfilter | any(.id == $id and .prio == -128)' >/dev/null || return 1
	rm -f "$NF_PIN"
}

# not in $(...): its cleanups and object paths must reach this shell
setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
out=$(cat "$TEST_TMP/setup.log")
if [ $rc != 0 ]; then
	for t in net_show_plain net_show_json net_show_dev net_show_stored net_show_tcx \
		net_show_tcx_prog net_show_flow_dissector net_show_netfilter; do
		if [ $rc = 77 ]; then skip $t "$out"; else fail $t "setup: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
	done
	exit 0
fi
run_test net_show_plain t_plain
run_test net_show_json t_json
run_test net_show_dev t_dev
run_test net_show_stored t_stored
run_test net_show_tcx t_tcx
run_test net_show_tcx_prog t_tcx_prog
run_test net_show_flow_dissector t_flow_dissector
run_test net_show_netfilter t_netfilter
