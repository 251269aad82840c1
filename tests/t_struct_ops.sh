#!/usr/bin/env bash
# struct_ops show/list/dump/register/unregister against bpftool 7.1 (the same words and
# output in both, but where upstream 7.8 differs, as said at each): a TCP congestion
# control, tests/data/struct_ops_ca.bpf.c, registered under the name "bpfscope_pobj",
# which no socket uses unless selected by that name; unregistered in a trap.
source "$(dirname "$0")/lib.sh"

DB=$TEST_TMP/sops.db
OBJ=$TEST_TMP/ca.o

unregister_ours() {
	local id
	for id in $(bpftool -j struct_ops show 2>/dev/null | jq -r '.[] | select(.name == "pobj_ca") | .id'); do
		bpftool struct_ops unregister id "$id" >/dev/null 2>&1
	done
}

setup() {
	need_root || return 77
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	command -v clang >/dev/null || { echo "clang not installed"; return 77; }
	"$BPFSCOPE" struct_ops help >/dev/null 2>&1 || { echo "struct_ops is not a command of this build"; return 77; }
	clang -g -O2 -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -Wall -Werror \
		-c "$TOP/tests/data/struct_ops_ca.bpf.c" -o "$OBJ" || return 1
	unregister_ours
}

ours() { jq -c '[.[] | select(.name == "pobj_ca")]'; }

t_register() {
	local out id
	out=$("$BPFSCOPE" struct_ops register "$OBJ" 2>&1) || { echo "$out"; return 1; }
	id=$(bpftool -j struct_ops show | jq -r '.[] | select(.name == "pobj_ca") | .id')
	[ -n "$id" ] || { echo "not registered"; return 1; }
	expect_eq message "$out" "Registered tcp_congestion_ops pobj_ca id $id" || return 1
	grep -qw bpfscope_pobj /proc/sys/net/ipv4/tcp_available_congestion_control || {
		echo "bpfscope_pobj not among the congestion controls"; return 1; }
	# the same name twice: the kernel refuses it, and says so
	out=$("$BPFSCOPE" struct_ops register "$OBJ" 2>&1) && { echo "registered twice"; return 1; }
	echo "$out" | grep -q "^Error: can't register struct_ops pobj_ca: File exists" || { echo "$out"; return 1; }
}

t_show() {
	local b o
	b=$(bpftool -j struct_ops show | ours)
	o=$("$BPFSCOPE" -j struct_ops show | ours)
	[ "$b" != "[]" ] || { echo "nothing registered"; return 1; }
	expect_eq json "$o" "$b" || return 1
	expect_eq plain "$("$BPFSCOPE" struct_ops list | grep ' pobj_ca ')" \
		"$(bpftool struct_ops list | grep ' pobj_ca ')" || return 1
	expect_eq "by name" "$("$BPFSCOPE" struct_ops show name pobj_ca)" \
		"$(bpftool struct_ops show name pobj_ca)" || return 1
	local id; id=$(echo "$b" | jq -r '.[0].id')
	# 7.8 wraps the one map in an array (do_one_id), 7.1 did not
	expect_eq "by id" "$("$BPFSCOPE" -j struct_ops show id "$id")" \
		"[$(bpftool -j struct_ops show id "$id")]" || return 1
	# from a snapshot: the stored map and the stored vmlinux BTF name it
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null || return 1
	expect_eq stored "$("$BPFSCOPE" --db "$DB" -s latest -j struct_ops show | ours)" "$b"
}

# bpftool 7.1's btf_dumper prints a NULL pointer bare, (nil); upstream (7.8) quotes it,
# "(nil)", so that plain output stays JSON: 7.1's output with upstream's quotes
upstream_nil() { sed -e 's/: (nil)/: "(nil)"/' -e 's/: \(0x[0-9a-f]*\)\(,\{0,1\}\)$/: "\1"\2/'; }

t_dump() {
	local id o b
	id=$(bpftool -j struct_ops show | jq -r '.[] | select(.name == "pobj_ca") | .id')
	[ -n "$id" ] || { echo "not registered"; return 1; }
	# bpftool 7.1 as the oracle: the same btf_dumper output of bpf_map_info and the value
	o=$("$BPFSCOPE" struct_ops dump name pobj_ca) || { echo "$o"; return 1; }
	b=$(bpftool struct_ops dump name pobj_ca | upstream_nil)
	expect_eq plain "$o" "$b" || return 1
	expect_eq json "$("$BPFSCOPE" -j struct_ops dump name pobj_ca)" \
		"$(bpftool -j struct_ops dump name pobj_ca)" || return 1
	expect_eq pretty "$("$BPFSCOPE" -p struct_ops dump name pobj_ca)" \
		"$(bpftool -p struct_ops dump name pobj_ca)" || return 1
	# by id: 7.8 wraps the map in an array (do_one_id), 7.1 did not
	expect_eq "by id" "$("$BPFSCOPE" -j struct_ops dump id "$id")" \
		"[$(bpftool -j struct_ops dump id "$id")]" || return 1
	# what upstream's source says the slots hold, checked apart from any bpftool: the
	# prototype from vmlinux BTF, then the program's BTF name and id, or 0 for an empty slot
	local pid j
	pid=$(bpftool -j prog show name pobj_ssthresh | jq -r '.id')
	j=$("$BPFSCOPE" -j struct_ops dump id "$id")
	expect_eq ssthresh "$(echo "$j" | jq -r '.[1].bpf_struct_ops_tcp_congestion_ops.data.ssthresh')" \
		"u32 (struct sock *) pobj_ssthresh/prog_id:$pid" || return 1
	expect_eq set_state "$(echo "$j" | jq -r '.[1].bpf_struct_ops_tcp_congestion_ops.data.set_state')" \
		"void (struct sock *, u8) 0" || return 1
	expect_eq name "$(echo "$j" | jq -r '.[1].bpf_struct_ops_tcp_congestion_ops.data.name')" \
		bpfscope_pobj || return 1
	expect_eq state "$(echo "$j" | jq -r '.[1].bpf_struct_ops_tcp_congestion_ops.common.state')" \
		BPF_STRUCT_OPS_STATE_INUSE || return 1
	expect_eq info "$(echo "$j" | jq -c '.[0].bpf_map_info | [.type, .id, .key_size, .max_entries, .name, .btf_vmlinux_id]')" \
		"[26,$id,4,1,\"pobj_ca\",$(bpftool -j btf show | jq '[.[] | select(.name == "vmlinux")][0].id')]" || return 1
	echo "$o" | grep -q '^                "owner": "(nil)",$' || { echo "no quoted (nil) in plain"; return 1; }
	# map dump formats the value with the kernel's type too (bpftool's get_map_kv_btf), the
	# function slots as the pointers they are
	expect_eq "map dump" "$("$BPFSCOPE" map dump name pobj_ca)" \
		"$(bpftool map dump name pobj_ca | upstream_nil)" || return 1
	expect_eq "map dump json" "$("$BPFSCOPE" -j map dump name pobj_ca)" \
		"$(bpftool -j map dump name pobj_ca)"
}

t_dump_stored() {
	local db=$TEST_TMP/dump.db o
	# a snapshot without maps-data still holds every struct_ops map's value
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null || return 1
	for o in "" -j -p; do
		expect_eq "stored $o" "$("$BPFSCOPE" --db "$db" -s latest $o struct_ops dump name pobj_ca)" \
			"$("$BPFSCOPE" $o struct_ops dump name pobj_ca)" || return 1
	done
	expect_eq "stored show" "$("$BPFSCOPE" --db "$db" -s latest struct_ops show name pobj_ca)" \
		"$("$BPFSCOPE" struct_ops show name pobj_ca)" || return 1
	expect_eq "stored map dump" "$("$BPFSCOPE" --db "$db" -s latest map dump name pobj_ca)" \
		"$("$BPFSCOPE" map dump name pobj_ca)" || return 1
	# the value is a map_data row of its own, in the snapshot's maps view
	expect_eq "one value stored" "$("$BPFSCOPE" --db "$db" query "SELECT count(*) FROM maps WHERE
		snapshot_id = (SELECT max(id) FROM snapshots) AND name = 'pobj_ca' AND contents IS NOT NULL" csv | tail -n 1)" 1
}

t_dump_errors() {
	local out rc mid
	out=$("$BPFSCOPE" struct_ops dump name pobj_nosuch 2>&1); rc=$?
	[ $rc != 0 ] || { echo "no error for a name nothing has"; return 1; }
	# bpftool: an empty list and no message (its writer was open)
	expect_eq "no name" "$out" "$(bpftool struct_ops dump name pobj_nosuch 2>&1)" || return 1
	mid=$(bpftool -j map show | jq -r '[.[] | select(.type == "hash")][0].id')
	if [ -n "$mid" ] && [ "$mid" != null ]; then
		out=$("$BPFSCOPE" -j struct_ops dump id "$mid" 2>&1) && return 1
		echo "$out" | jq -e '.error | test("is not a struct_ops map")' >/dev/null || { echo "$out"; return 1; }
	fi
	return 0
}

t_errors() {
	local out mid
	out=$("$BPFSCOPE" struct_ops show name pobj_nosuch 2>&1) && return 1
	expect_eq name "$out" "$(bpftool struct_ops show name pobj_nosuch 2>&1)" || return 1
	# a map that is not struct_ops: any hash map the machine has
	mid=$(bpftool -j map show | jq -r '[.[] | select(.type == "hash")][0].id')
	if [ -n "$mid" ] && [ "$mid" != null ]; then
		out=$("$BPFSCOPE" struct_ops show id "$mid" 2>&1)
		echo "$out" | grep -q "id $mid is not a struct_ops map" || { echo "$out"; return 1; }
	fi
	out=$("$BPFSCOPE" struct_ops show id 0 2>&1) && return 1
	expect_eq "id 0" "$out" "Error: invalid id 0"
}

t_unregister() {
	local out id
	id=$(bpftool -j struct_ops show | jq -r '.[] | select(.name == "pobj_ca") | .id')
	[ -n "$id" ] || { echo "not registered"; return 1; }
	out=$("$BPFSCOPE" struct_ops unregister name pobj_ca 2>&1) || { echo "$out"; return 1; }
	expect_eq message "$out" "Unregistered tcp_congestion_ops pobj_ca id $id" || return 1
	# unregistered: the map stays until its last reference goes, its state no longer in use
	for _ in $(seq 50); do
		grep -qw bpfscope_pobj /proc/sys/net/ipv4/tcp_available_congestion_control || return 0
		sleep 0.1
	done
	echo "bpfscope_pobj still registered"; return 1
}

setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
out=$(cat "$TEST_TMP/setup.log")
if [ $rc != 0 ]; then
	for t in register show errors dump dump_stored dump_errors unregister; do
		if [ $rc = 77 ]; then skip struct_ops/$t "$out"; else fail struct_ops/$t "setup: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
	done
	exit 0
fi
cleanup_add unregister_ours
run_test struct_ops/register t_register
run_test struct_ops/show t_show
run_test struct_ops/errors t_errors
run_test struct_ops/dump t_dump
run_test struct_ops/dump_stored t_dump_stored
run_test struct_ops/dump_errors t_dump_errors
run_test struct_ops/unregister t_unregister
unregister_ours
