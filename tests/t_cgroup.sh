#!/usr/bin/env bash
# cgroup tree / cgroup show against bpftool, on fresh cgroups with cgroup_skb programs
# attached (multi on the parent, plain on a child; one name longer than the kernel keeps), live and from a stored snapshot.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_cgroup_$$
DB=$TEST_TMP/cg.db
CG=
CG_ROOT=

cgroup2_root() { awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts; }

setup() {
	need_root || return 77
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	command -v clang >/dev/null || { echo "clang not installed"; return 77; }
	ensure_bpffs
	CG_ROOT=$(cgroup2_root)
	[ -n "$CG_ROOT" ] || { echo "cgroup v2 is not mounted"; return 77; }
	cat > "$TEST_TMP/cg.bpf.c" <<'EOF'
#include <linux/bpf.h>
#define SEC(n) __attribute__((section(n), used))
char _license[] SEC("license") = "GPL";
SEC("cgroup_skb/egress") int cg_egress_allow_everything(struct __sk_buff *skb) { return 1; }
SEC("cgroup_skb/ingress") int cg_ingress_ok(struct __sk_buff *skb) { return 1; }
EOF
	clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/cg.bpf.c" \
		-o "$TEST_TMP/cg.bpf.o" || return 1
	CG=$CG_ROOT/bpfscope_t_cgroup_$$
	# cleanups run last-added first: detach, then remove the cgroups, then the pins
	cleanup_add "rm -rf $PIN"
	cleanup_add "rmdir $CG"
	cleanup_add "rmdir $CG/child"
	cleanup_add "bpftool cgroup detach $CG cgroup_inet_egress pinned $PIN/cg_egress_allow_everything"
	cleanup_add "bpftool cgroup detach $CG/child cgroup_inet_ingress pinned $PIN/cg_ingress_ok"
	cleanup_add "rmdir $CG/child/gc"
	mkdir "$CG" "$CG/child" "$CG/child/gc" || return 1
	bpftool prog loadall "$TEST_TMP/cg.bpf.o" "$PIN" || return 1
	bpftool cgroup attach "$CG" cgroup_inet_egress pinned "$PIN/cg_egress_allow_everything" multi &&
	bpftool cgroup attach "$CG/child" cgroup_inet_ingress pinned "$PIN/cg_ingress_ok" || return 1
}

cmp_out() {	# WHAT WANT GOT
	[ "$2" = "$3" ] || { echo "$1 differs:" >&2; diff <(echo "$2") <(echo "$3") >&2; return 1; }
}

t_tree() {
	cmp_out "plain" "$(bpftool cgroup tree "$CG")" "$("$BPFSCOPE" cgroup tree "$CG")" &&
	cmp_out "json" "$(bpftool -j cgroup tree "$CG" | jq -S .)" \
		"$("$BPFSCOPE" -j cgroup tree "$CG" | jq -S .)"
}

# the whole hierarchy: our cgroups' part of it must match bpftool's
t_tree_all() {
	local sel='[.[] | select(.cgroup | startswith($cg))]'
	cmp_out "json" "$(bpftool -j cgroup tree | jq -S --arg cg "$CG" "$sel")" \
		"$("$BPFSCOPE" -j cgroup tree | jq -S --arg cg "$CG" "$sel")" &&
	"$BPFSCOPE" cgroup tree | grep -qx "$CG/child"
}

t_show() {
	cmp_out "plain" "$(bpftool cgroup show "$CG")" "$("$BPFSCOPE" cgroup show "$CG/")" &&
	cmp_out "json" "$(bpftool -j cgroup show "$CG/child" | jq -S .)" \
		"$("$BPFSCOPE" -j cgroup list "$CG/child" | jq -S .)"
}

t_stored() {
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null || return 1
	cmp_out "plain" "$(bpftool cgroup tree "$CG")" \
		"$("$BPFSCOPE" --db "$DB" -s latest cgroup tree "$CG")" &&
	cmp_out "json" "$(bpftool -j cgroup show "$CG" | jq -S .)" \
		"$("$BPFSCOPE" --db "$DB" -s latest -j cgroup show "$CG" | jq -S .)"
}

# the effective set, computed from the snapshot's per-cgroup attachments as the kernel
# computes it: a grandchild with nothing of its own runs its parent's and (multi) the root's;
# 'cgroup tree ROOT effective' lists it too
t_effective() {
	local c
	"$BPFSCOPE" --db "$DB" snapshot take label eff >/dev/null || return 1
	for c in "$CG" "$CG/child" "$CG/child/gc"; do
		cmp_out "plain $c" "$(bpftool cgroup show "$c" effective)" \
			"$("$BPFSCOPE" cgroup show "$c" effective)" &&
		cmp_out "json $c" "$(bpftool -j cgroup show "$c" effective | jq -S .)" \
			"$("$BPFSCOPE" -j cgroup show "$c" effective | jq -S .)" &&
		cmp_out "stored $c" "$(bpftool cgroup show "$c" effective)" \
			"$("$BPFSCOPE" --db "$DB" -s eff cgroup show "$c" effective)" || return 1
	done
	[ "$(bpftool cgroup show "$CG/child/gc" effective | wc -l)" = 3 ] ||
		{ echo "the grandchild should inherit two programs"; return 1; }
	# the tree: every cgroup where something runs, the grandchild too (the snapshot keeps
	# every cgroup the walk visited, as spans)
	cmp_out "tree plain" "$(bpftool cgroup tree "$CG" effective)" \
		"$("$BPFSCOPE" cgroup tree "$CG" effective)" &&
	cmp_out "tree json" "$(bpftool -j cgroup tree "$CG" effective | jq -S .)" \
		"$("$BPFSCOPE" -j cgroup tree "$CG" effective | jq -S .)" &&
	cmp_out "tree stored" "$(bpftool cgroup tree "$CG" effective)" \
		"$("$BPFSCOPE" --db "$DB" -s eff cgroup tree "$CG" effective)" &&
	"$BPFSCOPE" cgroup tree "$CG" effective | grep -qx "$CG/child/gc"
}

# not in $(...): its cleanups must reach this shell
setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
out=$(cat "$TEST_TMP/setup.log")
if [ $rc != 0 ]; then
	for t in cgroup_tree cgroup_tree_all cgroup_show cgroup_stored cgroup_effective; do
		if [ $rc = 77 ]; then skip $t "$out"; else fail $t "setup: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
	done
	exit 0
fi
run_test cgroup_tree t_tree
run_test cgroup_tree_all t_tree_all
run_test cgroup_show t_show
run_test cgroup_stored t_stored
run_test cgroup_effective t_effective
