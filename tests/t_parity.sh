#!/usr/bin/env bash
# bpftool parity, with bpftool as the oracle where it can say: options anywhere on the line,
# batch files, link show [LINK] / -f / pin / detach, cgroup attach / detach. Everything runs
# on objects this test makes: programs pinned under its own bpffs dir, cgroups of its own
# under the cgroup2 mount, a cgroup link on one of them.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_parity_$$
DB=$TEST_TMP/parity.db
PROG_FIELDS=id,type,name,tag,gpl_compatible,loaded_at,uid,bytes_xlated,jited,bytes_jited,bytes_memlock,map_ids,btf_id
MAP_FIELDS=id,type,name,flags,bytes_key,bytes_value,max_entries,bytes_memlock,frozen,btf_id
TOPCG=		# the test's cgroups, beside each other (none inherits another's programs):
CG=		# shown (bpftool attached two programs), never changed
ATT=		# cgroup attach / detach happen here
LCG=		# the cgroup link's
PROG_ID=
MAP_ID=
GP_BTF=		# the BTF of getpid_count.bpf.o as loaded: one program, one map, nobody's fd

cgroup2_root() { awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts; }

setup() {
	need_root || return 77
	local t root
	for t in bpftool jq clang gcc python3; do
		command -v $t >/dev/null || { echo "$t not installed"; return 77; }
	done
	ensure_bpffs
	root=$(cgroup2_root)
	[ -n "$root" ] || { echo "cgroup v2 is not mounted"; return 77; }
	cat > "$TEST_TMP/cg.bpf.c" <<'EOF'
#include <linux/bpf.h>
#define SEC(n) __attribute__((section(n), used))
char _license[] SEC("license") = "GPL";
SEC("cgroup_skb/egress") int par_egress(struct __sk_buff *skb) { return 1; }
SEC("cgroup_skb/ingress") int par_ingress(struct __sk_buff *skb) { return 1; }
SEC("cgroup/sock_create") int par_sock(struct bpf_sock *sk) { return 1; }
EOF
	clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/cg.bpf.c" \
		-o "$TEST_TMP/cg.bpf.o" || return 1
	gcc -o "$TEST_TMP/cg_link" "$TOP/tests/helpers/cg_link.c" || return 1
	TOPCG=$root/bpfscope_t_parity_$$
	CG=$TOPCG/show
	ATT=$TOPCG/att
	LCG=$TOPCG/link
	# cleanups run last-added first: detach, unpin, then remove the cgroups
	cleanup_add "rmdir $TOPCG"
	cleanup_add "rmdir $ATT/child; rmdir $ATT; rmdir $LCG; rmdir $CG"
	cleanup_add "rm -rf $PIN"
	cleanup_add "for t in cgroup_inet_egress cgroup_inet_ingress cgroup_inet_sock_create; do for p in egress ingress sock; do bpftool cgroup detach $ATT \$t pinned $PIN/cg/par_\$p; bpftool cgroup detach $ATT/child \$t pinned $PIN/cg/par_\$p; bpftool cgroup detach $CG \$t pinned $PIN/cg/par_\$p; done; done"
	mkdir -p "$PIN" && mkdir "$TOPCG" "$CG" "$ATT" "$ATT/child" "$LCG" || return 1
	bpftool prog loadall "$TEST_TMP/cg.bpf.o" "$PIN/cg" || return 1
	bpftool cgroup attach "$CG" cgroup_inet_egress pinned "$PIN/cg/par_egress" multi &&
	bpftool cgroup attach "$CG" cgroup_inet_ingress pinned "$PIN/cg/par_ingress" || return 1
	# loaded, never attached: nothing runs it, so its show output holds still
	bpftool prog loadall "$SAMPLES/getpid_count.bpf.o" "$PIN/gp" >/dev/null 2>&1 || return 1
	PROG_ID=$(bpftool -j prog show pinned "$PIN/gp/count_getpid" | jq .id) &&
	MAP_ID=$(bpftool -j prog show id "$PROG_ID" | jq '.map_ids[0]') &&
	GP_BTF=$(bpftool -j prog show id "$PROG_ID" | jq '.btf_id') || return 1
	[ -n "$PROG_ID" ] && [ "$MAP_ID" != null ] && [ "$GP_BTF" != null ] ||
		{ echo "can't find the test's program, map or BTF"; return 1; }
	"$TEST_TMP/cg_link" "$LCG" "$PIN/link" || return 1
}

cmp_out() {	# WHAT WANT GOT
	[ "$2" = "$3" ] || { echo "$1 differs:" >&2; diff <(echo "$2") <(echo "$3") >&2; return 1; }
}

# 1. options anywhere: after the object, after the command, between the words
t_options_anywhere() {
	local want got
	want=$("$BPFSCOPE" -p prog show id "$PROG_ID") || return 1
	python3 -c 'import json,sys; json.loads(sys.argv[1])' "$want" || die "-p prog show: not JSON"
	cmp_out "prog --pretty show" "$want" "$("$BPFSCOPE" prog --pretty show id "$PROG_ID")" &&
	cmp_out "prog show id N -p" "$want" "$("$BPFSCOPE" prog show id "$PROG_ID" -p)" &&
	cmp_out "prog show -j" "$("$BPFSCOPE" -j prog show id "$PROG_ID")" \
		"$("$BPFSCOPE" prog show -j id "$PROG_ID")" &&
	cmp_out "map -j show id" "$("$BPFSCOPE" -j map show id "$MAP_ID")" \
		"$("$BPFSCOPE" map -j show id "$MAP_ID")" || return 1
	# a short option's value and a long one's, after the command
	cmp_out "--db PATH after the command" "$("$BPFSCOPE" --db "$DB" -j snapshot list)" \
		"$("$BPFSCOPE" snapshot list -j --db "$DB")" || return 1
	# the same fields as bpftool's, each given its options after the command
	bpftool prog show id "$PROG_ID" -j > "$TEST_TMP/bt.json" &&
	"$BPFSCOPE" prog show id "$PROG_ID" -j > "$TEST_TMP/bs.json" &&
	python3 "$TOP/tests/jsoncmp.py" "$TEST_TMP/bt.json" "$TEST_TMP/bs.json" "$PROG_FIELDS" \
		--tolerance loaded_at=1 --strict || return 1
	bpftool map -j show id "$MAP_ID" > "$TEST_TMP/bt.json" &&
	"$BPFSCOPE" map -j show id "$MAP_ID" > "$TEST_TMP/bs.json" &&
	python3 "$TOP/tests/jsoncmp.py" "$TEST_TMP/bt.json" "$TEST_TMP/bs.json" "$MAP_FIELDS" --strict
}

# "--" ends the options (what follows is the command's), and a word that looks like an
# option but is none is refused in bpftool's words, plain and JSON
t_options_end() {
	local want got
	bpftool prog -- show -j >/dev/null 2>&1 && die "bpftool took '-j' after '--'"
	got=$("$BPFSCOPE" prog -- show -j 2>&1) && die "'prog -- show -j' succeeded"
	grep -q -- "-j" <<<"$got" || die "'prog -- show -j' does not name '-j': $got"
	want=$(bpftool prog show --nope 2>&1 | head -n 1)
	got=$("$BPFSCOPE" prog show --nope 2>&1) && die "--nope succeeded"
	cmp_out "unknown long option" "$want" "$got" || return 1
	# options are read in order: -j before the bad one makes the error JSON, after it not
	want=$(bpftool prog show -j --nope 2>/dev/null | head -n 1)
	got=$("$BPFSCOPE" prog show -j --nope 2>/dev/null)
	cmp_out "unknown option, JSON" "$want" "$got" || return 1
	want=$(bpftool prog show --nope -j 2>&1 | head -n 1)
	got=$("$BPFSCOPE" prog show --nope -j 2>&1)
	cmp_out "unknown option, then -j" "$want" "$got" || return 1
	got=$("$BPFSCOPE" prog show -Q 2>&1) && die "-Q succeeded"
	cmp_out "unknown short option" "Error: unrecognized option '-Q'" "$got" || return 1
	# a negative number is an option to getopt, as in bpftool; after "--" it is a value
	got=$("$BPFSCOPE" prog cfg id "$PROG_ID" maxlines -1 2>&1) && die "maxlines -1 succeeded"
	cmp_out "maxlines -1" "Error: unrecognized option '-1'" "$got" || return 1
	got=$("$BPFSCOPE" prog cfg id "$PROG_ID" -- maxlines -1 2>&1) && die "-- maxlines -1 succeeded"
	cmp_out "-- maxlines -1" "Error: can't parse maxlines -1" "$got" || return 1
	# --against is prog cfg's: anywhere on the line, and named by any other command
	"$BPFSCOPE" --db "$DB" snapshot take label parity >/dev/null || return 1
	BPFSCOPE_DB=$DB "$BPFSCOPE" --against parity -j -s parity prog cfg id "$PROG_ID" |
		jq -e '.against.changed == 0 and .against.new == 0' >/dev/null ||
		die "--against before the object"
	got=$("$BPFSCOPE" prog show --against parity 2>&1) && die "prog show --against succeeded"
	grep -q "'--against'" <<<"$got" || die "prog show --against: $got"
	got=$("$BPFSCOPE" link show id "$PROG_ID" --against parity 2>&1) && die "link show --against succeeded"
	cmp_out "link show --against" "Error: unexpected argument '--against'" "$got"
}

# the batch file both tools read: comments, blank lines, quotes, a continuation. Its
# commands print what bpftool 7.1 prints alike, of objects no other process holds. It ends
# with btf show: bpftool reads a stale errno after the last command ("reading batch file
# failed: Invalid argument" when cgroup show's queries left EINVAL), and btf show's id walk
# leaves ENOENT, which it takes for a clean end.
write_batch() {
	cat > "$1" <<EOF
# the test's cgroup, as bpftool and bpfscope show it alike

cgroup show $CG   # a comment after a command
  link   show 'pinned' "$PIN/link"
cgroup \\
	show "$CG" effective
link show pinned $PIN/link#no blank before the comment
btf show id "$GP_BTF"
EOF
}

t_batch() {
	local f=$TEST_TMP/parity.batch
	write_batch "$f"
	cmp_out "plain" "$(bpftool batch file "$f")" "$("$BPFSCOPE" batch file "$f")" &&
	cmp_out "json" "$(bpftool -j batch file "$f" | jq -S .)" \
		"$("$BPFSCOPE" -j batch file "$f" | jq -S .)" &&
	cmp_out "stdin" "$(bpftool -j batch file "$f" | jq -S .)" \
		"$("$BPFSCOPE" -j batch file - < "$f" | jq -S .)" || return 1
	# options after the words apply too
	cmp_out "batch file F -p" "$(bpftool -p batch file "$f" | jq -S .)" \
		"$("$BPFSCOPE" batch file "$f" -p | jq -S .)" || return 1
	[ "$("$BPFSCOPE" -j batch file "$f" | jq length)" = 5 ] || die "five commands expected"
}

# errors name the command as bpftool does (how many ran before it); the first failing
# command ends the batch; JSON stays one valid document
t_batch_errors() {
	local f=$TEST_TMP/bad.batch want got
	printf 'cgroup show %s\ncgroup show "%s\ncgroup show %s\n' "$CG" "$CG" "$CG" > "$f"
	want=$(bpftool batch file "$f" 2>&1 >/dev/null)
	got=$("$BPFSCOPE" batch file "$f" 2>&1 >/dev/null) && die "unterminated quote passed"
	cmp_out "unterminated quote" "$want" "$got" &&
	cmp_out "unterminated quote, JSON" "$(bpftool -j batch file "$f" | jq -S .)" \
		"$("$BPFSCOPE" -j batch file "$f" | jq -S .)" || return 1
	printf 'cgroup show %s\ncgroup show \\\n' "$CG" > "$f"
	cmp_out "missing continuation" "$(bpftool batch file "$f" 2>&1 >/dev/null)" \
		"$("$BPFSCOPE" batch file "$f" 2>&1 >/dev/null)" || return 1
	# a command that fails: both stop there, its output is the error
	printf 'cgroup show %s\nprog show id 4294967295\ncgroup show %s\n' "$CG" "$CG" > "$f"
	"$BPFSCOPE" batch file "$f" >/dev/null 2>&1 && die "a failing command passed"
	got=$("$BPFSCOPE" -j batch file "$f" | jq -c '[length, (.[1].output | keys)]') || return 1
	want=$(bpftool -j batch file "$f" | jq -c '[length, (.[1].output | keys)]')
	cmp_out "failing command, JSON" "$want" "$got" || return 1
	# a command with nothing to print in JSON is null (bpftool writes "output":} here)
	printf 'cgroup show %s\n' "$LCG/none" > "$f"
	mkdir -p "$LCG/none" && cleanup_add "rmdir $LCG/none"
	"$BPFSCOPE" -j batch file "$f" | jq -e '.[0].output == null' >/dev/null ||
		die "empty output is not null"
	# the words of batch itself
	for args in "" "file" "file a b" "nofile x"; do
		cmp_out "batch $args" "$(bpftool batch $args 2>&1 | head -n 1)" \
			"$("$BPFSCOPE" batch $args 2>&1 | head -n 1)" || return 1
	done
	cmp_out "batch file (missing)" "$(bpftool batch file "$TEST_TMP/nope" 2>&1 | head -n 1)" \
		"$("$BPFSCOPE" batch file "$TEST_TMP/nope" 2>&1 | head -n 1)"
}

# link show [LINK] and -f against bpftool, live and stored; link pin by id and by pin
t_link_show_pin() {
	local id
	id=$(bpftool -j link show pinned "$PIN/link" | jq .id) || return 1
	cmp_out "show pinned" "$(bpftool link show pinned "$PIN/link")" \
		"$("$BPFSCOPE" link show pinned "$PIN/link")" &&
	cmp_out "show pinned -j" "$(bpftool -j link show pinned "$PIN/link" | jq -S .)" \
		"$("$BPFSCOPE" -j link show pinned "$PIN/link" | jq -S .)" &&
	cmp_out "-f show id" "$(bpftool -f link show id "$id")" \
		"$("$BPFSCOPE" link show id "$id" -f)" &&
	cmp_out "-f -j show pinned" "$(bpftool -f -j link show pinned "$PIN/link" | jq -S .)" \
		"$("$BPFSCOPE" -f -j link show pinned "$PIN/link" | jq -S .)" || return 1
	"$BPFSCOPE" -f -j link show | jq -e --argjson id "$id" --arg p "$PIN/link" \
		'.[] | select(.id == $id) | .pinned == [$p]' >/dev/null || die "-f link show (all)"
	# pin it twice more, by id and by its pin; bpftool sees the three
	"$BPFSCOPE" link pin id "$id" "$PIN/link2" &&
	[ "$("$BPFSCOPE" -j link pin pinned "$PIN/link2" "$PIN/link3")" = null ] || return 1
	cmp_out "pins" "$(printf '%s\n' "$PIN/link" "$PIN/link2" "$PIN/link3")" \
		"$(bpftool -f -j link show id "$id" | jq -r '.pinned[]' | sort)" || return 1
	# bpftool lists the pins in its hash table's order, bpfscope by path
	cmp_out "-f show, three pins" "$(bpftool -f link show id "$id" | sort)" \
		"$("$BPFSCOPE" -f link show id "$id" | sort)" || return 1
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null &&
	cmp_out "stored" "$("$BPFSCOPE" -f link show pinned "$PIN/link2")" \
		"$("$BPFSCOPE" --db "$DB" -s latest -f link show pinned "$PIN/link2")" || return 1
	# a pin of another kind is not a link; a path already pinned is refused
	"$BPFSCOPE" link show pinned "$PIN/cg/par_egress" 2>/dev/null && die "a prog pin shown as a link"
	"$BPFSCOPE" link pin pinned "$PIN/cg/par_egress" "$PIN/x" 2>/dev/null && die "a prog pinned as a link"
	"$BPFSCOPE" link pin id "$id" "$PIN/link2" 2>/dev/null && die "pinned over an existing pin"
	rm -f "$PIN/link2" "$PIN/link3"
}

# link detach: the program leaves the cgroup (bpftool cgroup show says so), the link stays
t_link_detach() {
	local id
	id=$(bpftool -j link show pinned "$PIN/link" | jq .id) || return 1
	[ -n "$(bpftool cgroup show "$LCG")" ] || die "the link's program is not on $LCG"
	[ "$("$BPFSCOPE" -j link detach pinned "$PIN/link")" = null ] || return 1
	[ -z "$(bpftool cgroup show "$LCG")" ] || die "still attached after link detach"
	cmp_out "after detach" "$(bpftool link show id "$id")" "$("$BPFSCOPE" link show id "$id")" &&
	[ "$(bpftool -j link show id "$id" | jq .cgroup_id)" = 0 ] || return 1
	"$BPFSCOPE" link detach id 4294967295 2>/dev/null && die "detached a link that is not"
	"$BPFSCOPE" link detach pinned "$PIN/cg/par_egress" 2>/dev/null && die "detached a prog pin"
	"$BPFSCOPE" link detach 2>&1 | grep -q "link specifier is invalid or missing"
}

cg_same() {	# WHAT CGROUP: cgroup show against bpftool, plain and JSON
	cmp_out "$1 plain" "$(bpftool cgroup show "$2")" "$("$BPFSCOPE" cgroup show "$2")" &&
	cmp_out "$1 json" "$(bpftool -j cgroup show "$2" | jq -S .)" \
		"$("$BPFSCOPE" -j cgroup show "$2" | jq -S .)"
}

# cgroup attach with libbpf names, short names and a prefix; flags; detach; bpftool reads
# back what bpfscope did and the other way round
t_cgroup_attach() {
	local p=$PIN/cg
	"$BPFSCOPE" cgroup attach "$ATT" egress pinned "$p/par_egress" multi &&
	[ "$("$BPFSCOPE" -j cgroup attach "$ATT" cgroup_inet_ingress pinned "$p/par_ingress" override)" = null ] &&
	"$BPFSCOPE" cgroup attach "$ATT" sock_cr pinned "$p/par_sock" || return 1
	cg_same "three attached" "$ATT" || return 1
	bpftool -j cgroup show "$ATT" | jq -e '[.[] | [.attach_type, .attach_flags, .name]] | sort ==
		[["cgroup_inet_egress", "multi", "par_egress"],
		 ["cgroup_inet_ingress", "override", "par_ingress"],
		 ["cgroup_inet_sock_create", "", "par_sock"]]' >/dev/null ||
		die "bpftool does not see what bpfscope attached"
	# override lets the child have its own; the effective sets as bpftool computes them
	"$BPFSCOPE" cgroup attach "$ATT/child" ingress pinned "$p/par_ingress" || return 1
	cg_same "child" "$ATT/child" &&
	cmp_out "child effective" "$(bpftool cgroup show "$ATT/child" effective)" \
		"$("$BPFSCOPE" cgroup show "$ATT/child" effective)" &&
	cmp_out "tree" "$(bpftool cgroup tree "$TOPCG")" "$("$BPFSCOPE" cgroup tree "$TOPCG")" || return 1
	# detach each, with both tools' names for the types
	"$BPFSCOPE" cgroup detach "$ATT/child" cgroup_inet_ingress pinned "$p/par_ingress" &&
	[ "$("$BPFSCOPE" -j cgroup detach "$ATT" ingress pinned "$p/par_ingress")" = null ] &&
	"$BPFSCOPE" cgroup detach "$ATT" sock_create pinned "$p/par_sock" || return 1
	cg_same "one left" "$ATT" || return 1
	"$BPFSCOPE" cgroup detach "$ATT" egress pinned "$p/par_egress" || return 1
	[ -z "$(bpftool cgroup show "$ATT")" ] || die "bpftool still sees programs on $ATT"
	cg_same "none left" "$ATT" || return 1
	# bpftool attaches, bpfscope detaches
	bpftool cgroup attach "$ATT" sock_create pinned "$p/par_sock" || return 1
	"$BPFSCOPE" cgroup detach "$ATT" cgroup_inet_sock_create pinned "$p/par_sock" &&
	[ -z "$(bpftool cgroup show "$ATT")" ] || die "bpftool's attachment not detached"
}

t_cgroup_attach_errors() {
	local p=$PIN/cg out
	out=$("$BPFSCOPE" cgroup attach "$ATT" sock pinned "$p/par_sock" 2>&1) && die "'sock' taken"
	grep -q "ambiguous attach type 'sock'" <<<"$out" || die "'sock': $out"
	out=$("$BPFSCOPE" cgroup attach "$ATT" bogus pinned "$p/par_sock" 2>&1) && die "'bogus' taken"
	grep -q "invalid attach type" <<<"$out" || die "'bogus': $out"
	# the kernel refuses a program of the wrong type; bpftool is refused alike
	bpftool cgroup attach "$ATT" ingress pinned "$p/par_sock" 2>/dev/null &&
		die "bpftool attached a sock program at ingress"
	out=$("$BPFSCOPE" cgroup attach "$ATT" ingress pinned "$p/par_sock" 2>&1) && die "wrong type attached"
	grep -q "failed to attach program: Invalid argument" <<<"$out" || die "wrong type: $out"
	out=$("$BPFSCOPE" cgroup attach "$ATT" egress pinned "$p/par_egress" multi extra 2>&1) &&
		die "'extra' taken"
	grep -q "'extra'" <<<"$out" || die "extra: $out"
	out=$("$BPFSCOPE" cgroup detach "$ATT" egress pinned "$p/par_egress" 2>&1) &&
		die "detached what is not attached"
	grep -q "failed to detach program: No such file or directory" <<<"$out" || die "detach: $out"
	cmp_out "too few" "$(bpftool cgroup attach "$ATT" egress 2>&1 | head -n 1)" \
		"$("$BPFSCOPE" cgroup attach "$ATT" egress 2>&1)" || return 1
	[ -z "$(bpftool cgroup show "$ATT")" ] || die "an error left something attached"
}

# the OBJECT list of the README is the help's
t_readme_objects() {
	local help readme
	help=$("$BPFSCOPE" help | sed -n '/OBJECT := {/,/}/p' | tr -d '{}|\n' | sed 's/.*OBJECT :=//' | tr -s ' ')
	readme=$(grep -m1 '^OBJECT := {' "$TOP/README.md" | tr -d '{}|' | sed 's/OBJECT :=//' | tr -s ' ')
	cmp_out "OBJECT lists" "$help" "$readme"
}

TESTS_HERE="${ONLY:-options_anywhere options_end batch batch_errors link_show_pin link_detach cgroup_attach cgroup_attach_errors}"
# not in $(...): its cleanups must reach this shell
setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
out=$(cat "$TEST_TMP/setup.log")
run_test parity/readme_objects t_readme_objects
if [ $rc != 0 ]; then
	for t in $TESTS_HERE; do
		if [ $rc = 77 ]; then skip "parity/$t" "$out"; else fail "parity/$t" "setup: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
	done
	exit 0
fi
for t in $TESTS_HERE; do
	run_test "parity/$t" "t_$t"
done
