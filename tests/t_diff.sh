#!/usr/bin/env bash
# diff: what changed between two snapshots, by identity (docs/diff.md): the issue's scenario
# (a rebuilt XDP program, an unloaded tc program, a new program, two map entries), a
# snapshot against itself and against the live kernel right after it, and a full reload.
. "$(dirname "$0")/lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-diff-$$
DB=$TEST_TMP/diff.db
bs() { "$BPFSCOPE" --db "$DB" "$@"; }

setup() {
	need_root || exit 77
	ensure_bpffs
	mkdir -p "$PIN"
	cleanup_add "rm -rf '$PIN'"
	# the same XDP program built for another port: another tag, the same identity (its pin)
	# (xdp_drop_9090: libbpf names the .rodata map by the object's first 8 bytes, kept)
	sed 's/== 8080/== 9090/' "$TOP/samples/xdp_drop_8080.bpf.c" > "$TEST_TMP/xdp_drop_9090.bpf.c"
	clang -g -O2 -target bpf -I"/usr/include/$(uname -m)-linux-gnu" \
		-c "$TEST_TMP/xdp_drop_9090.bpf.c" -o "$TEST_TMP/xdp_drop_9090.bpf.o" || die "clang failed"
}

load_base() {
	bs prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$PIN/xdp" type xdp >/dev/null || die "load xdp"
	mkdir -p "$PIN/tc_maps"
	bs prog loadall "$SAMPLES/tc_counter.bpf.o" "$PIN/tc" pinmaps "$PIN/tc_maps" >/dev/null ||
		die "load tc"
}

# the lines of a diff about this test's objects (others may load programs meanwhile)
ours() { grep -F "$PIN" | sort; }

test_scenario() {
	local out rc want
	load_base
	bs snapshot take label before maps-data >/dev/null || die "snapshot before"
	rm -f "$PIN/xdp"
	bs prog load "$TEST_TMP/xdp_drop_9090.bpf.o" "$PIN/xdp" type xdp >/dev/null || die "reload xdp"
	rm -rf "$PIN/tc"
	mkdir -p "$PIN/multi"
	bs prog loadall "$SAMPLES/multi_func.bpf.o" "$PIN/multi" >/dev/null || die "load multi"
	bs map update pinned "$PIN/tc_maps/proto_count" key 6 0 0 0 value 1 0 0 0 0 0 0 0 ||
		die "update 1"
	bs map update pinned "$PIN/tc_maps/proto_count" key 17 0 0 0 value 2 0 0 0 0 0 0 0 ||
		die "update 2"
	bs snapshot take label after maps-data >/dev/null || die "snapshot after"

	out=$(bs diff before after progs maps contents); rc=$?
	expect_eq "exit status" "$rc" 1 || return 1
	out=$(printf '%s\n' "$out" | ours)
	echo "$out"
	# the XDP program: same pin, another tag and size
	grep -qE "^~ prog xdp drop_ingress_port_8080  $PIN/xdp  tag [0-9a-f]{16} -> [0-9a-f]{16}" <<<"$out" ||
		die "no changed XDP program"
	grep -qE "^- prog sched_cls tc_count_proto  $PIN/tc/tc_count_proto  tag " <<<"$out" ||
		die "no removed tc program"
	grep -qE "^\+ prog tracepoint count_getppid  $PIN/multi/count_getppid  tag " <<<"$out" ||
		die "no new program"
	grep -qE "^~ map hash proto_count  $PIN/tc_maps/proto_count  contents [0-9a-f]+ -> [0-9a-f]+  nr_entries 0 -> 2$" <<<"$out" ||
		die "no map contents change"
	want=$(printf '%s\n' "$out" | grep -vE "count_getppid|tc_count_proto|drop_ingress_port_8080|proto_count")
	[ -z "$want" ] || die "unexpected lines: $want"

	# code: the unified diff of the XDP program (the port constant); contents: the two keys
	out=$(bs diff before after progs maps contents code)
	grep -qxF "    -(55) if r1 != 0x901f goto pc+5" <<<"$out" || die "no code diff: $out"
	grep -qxF "    +(55) if r1 != 0x8223 goto pc+5" <<<"$out" || die "no code diff (new)"
	out=$(printf '%s\n' "$out" | sed -n "\|^~ map hash proto_count  $PIN|,/^[^ ]/p" | grep '^    ')
	# (BTF-formatted: the map has BTF, both snapshots hold it)
	expect_eq "the keys that changed" "$out" "    + key 6  value 1
    + key 17  value 2" || return 1

	# -j: the documented shape, and the same changes
	bs -j diff before after progs maps contents > "$TEST_TMP/d.json"; rc=$?
	expect_eq "exit status -j" "$rc" 1 || return 1
	python3 - "$TEST_TMP/d.json" "$PIN" <<'PY' || die "json shape"
import json, sys
d = json.load(open(sys.argv[1])); pin = sys.argv[2]
assert d["a"]["label"] == "before" and d["b"]["label"] == "after", d["a"]
for k in ("added", "removed", "changed"):
    for o in d[k]:
        for f in ("kind", "type", "name", "identity"):
            assert f in o, (k, o)
ours = lambda k: [o for o in d[k] if pin in o["identity"]]
ch = {o["name"]: o for o in ours("changed")}
assert set(ch) == {"drop_ingress_port_8080", "proto_count"}, ch
assert "tag" in [f["field"] for f in ch["drop_ingress_port_8080"]["fields"]]
assert [o["name"] for o in ours("removed") if o["kind"] == "prog"] == ["tc_count_proto"]
assert "count_getppid" in [o["name"] for o in ours("added") if o["kind"] == "prog"]
PY
}

# acceptance 3: the rebuilt XDP program's history: first and last seen, the tag change
test_history() {
	local out tag_a tag_b
	out=$(bs prog history pinned "$PIN/xdp") || die "prog history failed"
	echo "$out"
	grep -q "^identity prog:xdp:drop_ingress_port_8080@$PIN/xdp$" <<<"$out" || die "identity"
	grep -qE "^first seen snapshot [0-9]+ .* \(before\)$" <<<"$out" || die "first seen"
	grep -qE "^last seen  snapshot [0-9]+ .* \(after\)$" <<<"$out" || die "last seen"
	tag_a=$(bs -s before -j prog show pinned "$PIN/xdp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tag"])')
	tag_b=$(bs -s after -j prog show pinned "$PIN/xdp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tag"])')
	grep -qE "^  snapshots [0-9]+-[0-9]+  id [0-9]+  tag $tag_a " <<<"$out" || die "first span"
	grep -qE "^  snapshots [0-9]+-[0-9]+  id [0-9]+  tag $tag_b .*changed tag" <<<"$out" ||
		die "the tag change"
	# by the identity diff -j prints, and as JSON
	bs -j prog history identity "prog:xdp:drop_ingress_port_8080@$PIN/xdp" > "$TEST_TMP/h.json" ||
		die "history by identity"
	python3 - "$TEST_TMP/h.json" "$tag_a" "$tag_b" <<'PY' || die "history json"
import json, sys
h = json.load(open(sys.argv[1]))
spans = [s for s in h["spans"] if s["present"]]
assert [s["tag"] for s in spans] == [sys.argv[2], sys.argv[3]], spans
assert "tag" in spans[1]["changed"] and h["first_seen"]["label"] == "before"
PY
	bs prog history identity "prog:xdp:nothing@" 2>/dev/null && die "an unknown identity succeeded"
	return 0
}

# the query views: changes (per consecutive snapshots) and prog_timeline (runs of one tag)
test_views() {
	local after got
	after=$(bs query "SELECT id FROM snapshots WHERE label = 'after'" csv | tail -n 1)
	got=$(bs query "SELECT change || ' ' || identity || ' ' || coalesce(field, '-') FROM changes WHERE snapshot_id = $after AND identity LIKE '%$PIN%' ORDER BY 1" csv | tail -n +2)
	expect_eq "changes at 'after'" "$got" "added prog:tracepoint:count_getppid@$PIN/multi/count_getppid -
changed prog:xdp:drop_ingress_port_8080@$PIN/xdp tag
removed prog:sched_cls:tc_count_proto@$PIN/tc/tc_count_proto -" || return 1
	got=$(bs query "SELECT count(*) FROM prog_timeline WHERE identity = 'prog:xdp:drop_ingress_port_8080@$PIN/xdp'" csv | tail -n 1)
	expect_eq "xdp's runs of one tag" "$got" 2
}

test_same_is_nothing() {
	local out rc
	bs snapshot take label same >/dev/null || die "snapshot"
	out=$(bs diff same same); rc=$?
	expect_eq "self diff exit" "$rc" 0 || return 1
	expect_eq "self diff output" "$out" ""
	out=$(bs diff latest live); rc=$?
	out=$(printf '%s\n' "$out" | ours)
	expect_eq "latest vs live (ours)" "$out" ""
}

test_reload_is_no_change() {
	local out
	rm -rf "$PIN"/*
	load_base
	bs snapshot take label loaded >/dev/null || die "snapshot"
	rm -rf "$PIN"/*
	load_base
	bs snapshot take label reloaded >/dev/null || die "snapshot"
	out=$(bs diff loaded reloaded progs maps | ours)
	expect_eq "a full reload (new ids, same code)" "$out" ""
}

test_errors() {
	local rc
	bs diff nosuchlabel latest > /dev/null 2>"$TEST_TMP/err"; rc=$?
	expect_eq "unknown ref exit" "$rc" 2 || return 1
	grep -q "nosuchlabel" "$TEST_TMP/err" || die "error does not name the ref: $(cat "$TEST_TMP/err")"
	bs diff latest latest bogus > /dev/null 2>&1; rc=$?
	expect_eq "bad word exit" "$rc" 2
}

setup
run_test diff/scenario test_scenario
run_test diff/history test_history
run_test diff/views test_views
run_test diff/same_is_nothing test_same_is_nothing
run_test diff/reload_is_no_change test_reload_is_no_change
run_test diff/errors test_errors
