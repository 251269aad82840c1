#!/usr/bin/env bash
# link show as upstream bpftool prints each link type this kernel lets a test make: perf_event
# tracepoint (cookie), uprobe and uretprobe (retprobe, cookie, ref_ctr_offset), raw
# tracepoint, task iterator (target_name on the first line), netfilter (pf, hook, prio), tcx
# (its device, then "(detached)"). bpftool 7.1 does not decode these: the expected lines are
# written from upstream's link.c (show_link_close_plain / _json). Live and stored alike.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_links_$$
NS=bpfscope_t_links_$$
NSX="nsenter --net=/var/run/netns/$NS"
DB=$TEST_TMP/links.db
EXE=
REF=

setup() {
	need_root || return 77
	local t
	for t in bpftool jq clang gcc; do
		command -v $t >/dev/null || { echo "$t not installed"; return 77; }
	done
	ensure_bpffs
	cat > "$TEST_TMP/lk.bpf.c" <<'EOF'
#include <linux/bpf.h>
#define SEC(n) __attribute__((section(n), used))
char _license[] SEC("license") = "GPL";
SEC("tracepoint/syscalls/sys_enter_getppid") int lk_tp(void *ctx) { return 0; }
SEC("uprobe") int lk_up(void *ctx) { return 0; }
SEC("uretprobe") int lk_uret(void *ctx) { return 0; }
SEC("raw_tp/task_rename") int lk_raw(void *ctx) { return 0; }
SEC("iter/task") int lk_iter(void *ctx) { return 0; }
SEC("tc") int lk_tcx(struct __sk_buff *skb) { return 0; }
EOF
	clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/lk.bpf.c" \
		-o "$TEST_TMP/lk.bpf.o" &&
	gcc -o "$TEST_TMP/link_kinds" "$TOP/tests/helpers/link_kinds.c" -lbpf &&
	gcc -o "$TEST_TMP/nf_link" "$TOP/tests/helpers/nf_link.c" || return 1
	cleanup_add "rm -rf $PIN"
	cleanup_add "ip netns del $NS"
	mkdir -p "$PIN" && ip netns add "$NS" || return 1
	$NSX ip link add va type veth peer name vb && $NSX ip link set va up || return 1
	read -r EXE REF < <("$TEST_TMP/link_kinds" "$TEST_TMP/lk.bpf.o" "$PIN") || return 1
	[ -n "$REF" ] && [ "$REF" -gt 0 ] || { echo "link_kinds: no reference counter offset"; return 1; }
	echo "$EXE $REF" > "$TEST_TMP/exe"
	bpftool prog loadall "$TEST_TMP/lk.bpf.o" "$PIN/all" >/dev/null || return 1
	$NSX "$TEST_TMP/link_kinds" tcx "$PIN/all/lk_tcx" "$(ifx)" "$PIN/tcx" &&
	$NSX "$TEST_TMP/nf_link" "$PIN/nf" || return 1
}

ifx() { $NSX ip -o link show va | cut -d: -f1; }
lid() { bpftool -j link show pinned "$PIN/$1" | jq .id; }
lprog() { bpftool -j link show pinned "$PIN/$1" | jq .prog_id; }

cmp_out() {	# WHAT WANT GOT
	[ "$2" = "$3" ] || { echo "$1 differs:" >&2; diff <(echo "$2") <(echo "$3") >&2; return 1; }
}

# LINK: what upstream prints, plain then JSON (EXE, REF from the helper)
want() {
	local id=$(lid $1) p=$(lprog $1) off
	off=$(bpftool -j link show pinned "$PIN/up" 2>/dev/null | jq -r '.offset // empty')
	case $1 in
	tp) printf '%s: perf_event  prog %s  \n\ttracepoint sys_enter_getppid  cookie 42  \n' $id $p
	    printf '{"id":%s,"type":"perf_event","prog_id":%s,"tracepoint":"sys_enter_getppid","cookie":42}\n' $id $p ;;
	up) printf '%s: perf_event  prog %s  \n\tuprobe %s+%#x  cookie 7  ref_ctr_offset 0x%x  \n' $id $p "$EXE" "$UOFF" "$REF"
	    printf '{"id":%s,"type":"perf_event","prog_id":%s,"retprobe":false,"file":"%s","offset":%s,"cookie":7,"ref_ctr_offset":%s}\n' $id $p "$EXE" "$UOFF" "$REF" ;;
	uret) printf '%s: perf_event  prog %s  \n\turetprobe %s+%#x  ref_ctr_offset 0x%x  \n' $id $p "$EXE" "$UOFF" "$REF"
	    printf '{"id":%s,"type":"perf_event","prog_id":%s,"retprobe":true,"file":"%s","offset":%s,"cookie":0,"ref_ctr_offset":%s}\n' $id $p "$EXE" "$UOFF" "$REF" ;;
	raw) printf "%s: raw_tracepoint  prog %s  \n\ttp 'task_rename'  \n" $id $p
	    printf '{"id":%s,"type":"raw_tracepoint","prog_id":%s,"tp_name":"task_rename","cookie":0}\n' $id $p ;;
	iter) printf '%s: iter  prog %s  target_name task  pid %s \n' $id $p "$IPID"
	    printf '{"id":%s,"type":"iter","prog_id":%s,"target_name":"task","pid":%s}\n' $id $p "$IPID" ;;
	nf) printf '%s: netfilter  prog %s  \n\tip input prio -128\n' $id $p
	    printf '{"id":%s,"type":"netfilter","prog_id":%s,"pf":2,"hook":1,"prio":-128,"flags":0}\n' $id $p ;;
	tcx) printf '%s: tcx  prog %s  \n\tifindex va(%s)  attach_type tcx_ingress  \n' $id $p "$IFX"
	    printf '{"id":%s,"type":"tcx","prog_id":%s,"devname":"va","ifindex":%s,"attach_type":"tcx_ingress"}\n' $id $p "$IFX" ;;
	tcxd) id=$(lid tcx); p=$(lprog tcx)
	    printf '%s: tcx  prog %s  \n\tifindex (detached)  attach_type tcx_ingress  \n' $id $p
	    printf '{"id":%s,"type":"tcx","prog_id":%s,"devname":"(detached)","ifindex":0,"attach_type":"tcx_ingress"}\n' $id $p ;;
	esac
}

got() {	# LINK [snapshot label]
	local l=$1
	[ $l = tcxd ] && l=tcx
	if [ -n "${2:-}" ]; then
		"$BPFSCOPE" --db "$DB" -s "$2" link show id "$(lid $l)" &&
		"$BPFSCOPE" --db "$DB" -s "$2" -j link show id "$(lid $l)"
	else
		$NSX "$BPFSCOPE" link show pinned "$PIN/$l" && $NSX "$BPFSCOPE" -j link show pinned "$PIN/$l"
	fi
}

facts() {
	read -r EXE REF < "$TEST_TMP/exe"
	UOFF=$(bpftool -j link show pinned "$PIN/up" | jq -r .offset)
	[ "$UOFF" != null ] || UOFF=$("$BPFSCOPE" -j link show pinned "$PIN/up" | jq -r .offset)
	IPID=$("$BPFSCOPE" -j link show pinned "$PIN/iter" | jq -r .pid)
	IFX=$(ifx)
}

t_live() {
	local l bad=0
	facts
	for l in tp up uret raw iter nf tcx; do
		cmp_out "link show $l" "$(want $l)" "$(got $l)" || bad=1
	done
	return $bad
}

# stored: the same lines (a device name only where the link's device is known: live)
t_stored() {
	local l bad=0
	facts
	"$BPFSCOPE" --db "$DB" snapshot take label links >/dev/null || return 1
	for l in tp up uret raw iter nf; do
		cmp_out "-s link show $l" "$(want $l)" "$(got $l links)" || bad=1
	done
	return $bad
}

# the device gone, the link stays: "(detached)"
t_detached() {
	facts
	$NSX ip link del va || return 1
	cmp_out "link show detached tcx" "$(want tcxd)" "$(got tcxd)"
}

if setup > "$TEST_TMP/setup.log" 2>&1; then
	run_test links/live t_live
	run_test links/stored t_stored
	run_test links/detached t_detached
else
	rc=$?
	for t in live stored detached; do
		if [ $rc = 77 ]; then skip links/$t "$(tail -n 1 "$TEST_TMP/setup.log")"
		else fail links/$t "setup: $(tail -n 3 "$TEST_TMP/setup.log" | tr '\n' ' ')"; fi
	done
fi
