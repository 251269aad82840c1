#!/usr/bin/env bash
# The seed bpftool walkthrough (/work/shared/seed-bpftool-walkthrough.txt) end to end with
# bpfscope: vmlinux.h, the skeleton loader, loadall autoattach, map update/pin/dump, XDP and
# tcx on a veth pair in a namespace, and a refused fentry attach that leaves nothing behind.
source "$(dirname "$0")/lib.sh"

T=/sys/fs/bpf/bpfscope_t_walk_$$
NS=bswk$$
VA=bswk$$a	# root side: programs attach here
VB=bswk$$b	# the namespace side: the client
NET=198.18.$(( $$ % 250 + 1 ))	# a benchmark-range /24 of our own, on our own veth only
export BPFSCOPE_DB=$TEST_TMP/history.db
B=$BPFSCOPE
NSX="nsenter --net=/var/run/netns/$NS"	# bpffs stays visible, unlike ip netns exec

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
count_value() { # MAP_ID: the count through bpfscope map dump (BTF-formatted JSON)
	$B -j map dump id "$1" | json 'd[0]["formatted"]["value"]'
}
# connect PORT: 0 when a TCP connect from the namespace to the root side succeeds
connect() {
	$NSX python3 -c "
import socket, sys
s = socket.socket(); s.settimeout(1.5)
try:
    s.connect(('$NET.1', $1)); sys.exit(0)
except Exception:
    sys.exit(1)"
}

setup() {
	need_root || return 77
	ensure_bpffs
	[ -x "$SAMPLES/getpid_count" ] && [ -x "$SAMPLES/getpid_loop" ] ||
		{ echo "samples not built (make samples)"; return 77; }
	cleanup_add "rm -rf $T"
	cleanup_add "ip netns del $NS"
	cleanup_add "ip link del $VA"
	cleanup_add "$B net detach xdp dev $VA"
	cleanup_add "$B net detach tcx_ingress dev $VA"
	ip netns add "$NS" && ip link add "$VA" type veth peer name "$VB" &&
		ip link set "$VB" netns "$NS" && ip addr add "$NET.1/24" dev "$VA" &&
		ip link set "$VA" up && $NSX ip addr add "$NET.2/24" dev "$VB" &&
		$NSX ip link set "$VB" up && $NSX ip link set lo up || return 1
	# listeners on 8080 and 8081 (root side), stopped by the trap
	python3 - "$NET.1" > "$TEST_TMP/listen.log" 2>&1 <<'EOF' &
import socket, sys, threading, time
socks = []
for port in (8080, 8081):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], port)); s.listen(16); socks.append(s)
def serve(s):
    while True:
        try:
            c, _ = s.accept(); c.close()
        except OSError:
            return
for s in socks:
    threading.Thread(target=serve, args=(s,), daemon=True).start()
print("listening", flush=True)
time.sleep(300)
EOF
	cleanup_add "kill $!"
	for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q listening "$TEST_TMP/listen.log" && break; sleep 0.2; done
	connect 8080 && connect 8081 || { echo "no connectivity through the veth pair"; return 1; }
}

t_vmlinux_h() {
	$B btf dump file /sys/kernel/btf/vmlinux format c > "$TEST_TMP/vmlinux.h" || return 1
	grep -q "^struct task_struct {" "$TEST_TMP/vmlinux.h" || { echo "no struct task_struct" >&2; return 1; }
	grep -q "#ifndef __VMLINUX_H__" "$TEST_TMP/vmlinux.h"
}

# The skeleton loader counts, its map is pinned while it runs and dumps after it exits.
t_loader_and_map_pin() {
	local pid prog map i last
	# the loader's map: a "count" map newer than any before it started
	last=$(bpftool map show -j | json 'max([m["id"] for m in d] + [0])')
	"$SAMPLES/getpid_count" 5 > "$TEST_TMP/loader.out" 2>&1 &
	pid=$!
	for i in $(seq 40); do
		prog=$(bpftool prog show -j | python3 -c "
import json, sys
for p in json.load(sys.stdin):
    if p.get('name') == 'count_getpid' and p.get('map_ids', [0])[0] > $last:
        print(p['id'], p['map_ids'][0])" | head -n 1)
		[ -n "$prog" ] && break
		sleep 0.1
	done
	[ -n "$prog" ] || { echo "the loader's program never showed up" >&2; kill $pid 2>/dev/null; return 1; }
	map=${prog#* }
	$B prog show id "${prog% *}" | grep -q "tracepoint  name count_getpid" || { kill $pid; return 1; }
	"$SAMPLES/getpid_loop" 50
	$B map pin id "$map" "$T/getpid_map" || { kill $pid; return 1; }
	wait $pid
	grep -q "getpid call count: [0-9]" "$TEST_TMP/loader.out" || { cat "$TEST_TMP/loader.out" >&2; return 1; }
	# the loader is gone; the pinned map stays and dumps
	$B map dump pinned "$T/getpid_map" | grep -q '"value": [0-9]' || return 1
	[ "$($B -j map dump pinned "$T/getpid_map" | json 'd[0]["formatted"]["value"]')" -ge 50 ] || return 1
	rm "$T/getpid_map"
}

t_loadall_update() {
	local prog map v0 v1 v2
	$B prog loadall "$SAMPLES/getpid_count.bpf.o" "$T/test" autoattach || return 1
	[ -e "$T/test/count_getpid" ] || return 1
	prog=$(bpftool link show pinned "$T/test/count_getpid" -j | json 'd["prog_id"]')
	$B prog show id "$prog" | grep -q "name count_getpid" || return 1
	map=$($B -j prog show id "$prog" | json 'd["map_ids"][0]')
	v0=$(count_value "$map")
	"$SAMPLES/getpid_loop" 100
	v1=$(count_value "$map")
	[ $((v1 - v0)) -ge 100 ] || { echo "count went from $v0 to $v1 after 100 getpid calls" >&2; return 1; }
	$B map update id "$map" key 00 00 00 00 value 90 00 00 00 || return 1
	"$SAMPLES/getpid_loop" 8
	v2=$(count_value "$map")
	# 90 + our 8, plus whatever else called getpid meanwhile (not the millions of before)
	[ "$v2" -ge 98 ] && [ "$v2" -lt "$v1" -o "$v1" -lt 98 ] ||
		{ echo "after update to 90 and 8 calls: $v2" >&2; return 1; }
	# the map has BTF: plain lookup prints its entry formatted, as bpftool's (issue 15)
	$B map lookup id "$map" key 0 0 0 0 | grep -q '^    "key": 0,$' || return 1
	rm -r "$T/test"
	# the kernel frees a released link and its program a moment later
	for v0 in $(seq 30); do
		bpftool prog show id "$prog" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	echo "rm -r did not unload" >&2; return 1
}

t_xdp() {
	local id
	$B prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$T/xdp" type xdp || return 1
	id=$($B -j prog show pinned "$T/xdp" | json 'd[0]["id"] if isinstance(d, list) else d["id"]')
	$B prog show pinned "$T/xdp" | grep -q "xdp  name drop_ingress_po" || return 1
	$B net attach xdp id "$id" dev "$VA" || return 1
	ip link show "$VA" | grep -q "xdp" || { echo "ip link shows no xdp" >&2; return 1; }
	$B net show | grep -A3 "^xdp:" | grep -q "$VA(.*id $id" || { $B net show >&2; return 1; }
	connect 8080 && { echo "8080 connected through the XDP drop" >&2; return 1; }
	connect 8081 || { echo "8081 failed" >&2; return 1; }
	$B net detach xdp dev "$VA" || return 1
	connect 8080 || { echo "8080 still dropped after detach" >&2; return 1; }
	rm "$T/xdp"
}

t_tcx() {
	local id map n
	$B prog load "$SAMPLES/tc_counter.bpf.o" "$T/tc" || return 1
	id=$(bpftool prog show pinned "$T/tc" -j | json 'd["id"]')
	$B net attach tcx_ingress pinned "$T/tc" dev "$VA" 2>/dev/null || return 1
	# as bpftool: BPF_PROG_ATTACH, no link, so nothing is pinned (issue 15)
	[ ! -e "/sys/fs/bpf/bpfscope/tcx/${VA}_ingress_$id" ] || { echo "a tcx link pin" >&2; return 1; }
	$B net show | grep -q "$VA.*$id" || { $B net show >&2; return 1; }
	connect 8081 || return 1
	map=$(bpftool prog show id "$id" -j | json 'd["map_ids"][0]')
	n=$($B -j map lookup id "$map" key 6 0 0 0 | json 'd["formatted"]["value"]')
	[ "$n" -ge 1 ] || { echo "tcx counted $n TCP packets" >&2; return 1; }
	$B net detach tcx_ingress dev "$VA" || return 1
	[ ! -e "/sys/fs/bpf/bpfscope/tcx/${VA}_ingress_$id" ] || { echo "tcx pin left" >&2; return 1; }
	$B net detach tcx_ingress dev "$VA" 2>/dev/null && return 1
	rm "$T/tc"
}

# fentry is refused here (EPERM): a clear error naming the program and attach type, and
# nothing of the object stays loaded (bpftool is the witness).
t_fentry_refused() {
	cat > "$TEST_TMP/fe.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
SEC("tracepoint/syscalls/sys_enter_getpid")
int bswk_tp(void *ctx) { return 0; }
SEC("fentry/do_sys_openat2")
int bswk_fentry(void *ctx) { return 0; }
EOF
	clang -g -O2 -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/fe.bpf.c" \
		-o "$TEST_TMP/fe.bpf.o" || return 1
	local before after
	before=$(bpftool prog show | grep -c "name bswk_")
	if $B prog loadall "$TEST_TMP/fe.bpf.o" "$T/fe" autoattach 2> "$TEST_TMP/err"; then
		rm -rf "$T/fe"; echo "fentry is allowed on this kernel"; return 77
	fi
	grep -q "Operation not permitted" "$TEST_TMP/err" && grep -q "bswk_fentry" "$TEST_TMP/err" &&
		grep -q "fentry" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; return 1; }
	after=$(bpftool prog show | grep -c "name bswk_")
	expect_eq "programs named bswk_*" "$after" "$before" && [ ! -e "$T/fe" ]
}

setup > "$TEST_TMP/setup.log" 2>&1
rc=$?
if [ $rc != 0 ]; then
	out=$(tail -n 3 "$TEST_TMP/setup.log" | tr '\n' ' ')
	for t in vmlinux_h loader_and_map_pin loadall_update xdp tcx fentry_refused; do
		if [ $rc = 77 ]; then skip "walkthrough/$t" "$out"; else fail "walkthrough/$t" "setup: $out"; fi
	done
	exit 0
fi
run_test walkthrough/vmlinux_h t_vmlinux_h
run_test walkthrough/loader_and_map_pin t_loader_and_map_pin
run_test walkthrough/loadall_update t_loadall_update
run_test walkthrough/xdp t_xdp
run_test walkthrough/tcx t_tcx
run_test walkthrough/fentry_refused t_fentry_refused
