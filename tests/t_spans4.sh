#!/usr/bin/env bash
# Schema 4: BTF objects, links, attachments and owners are spans. A schema-3 file written by
# 48ce7bd's binary (tests/data/schema3.db, made by tests/data/schema3-make.sh) reads the same
# after the upgrade; 100 snapshots of an unchanged system grow the file by less than 0.5%;
# a link or BTF object that goes ends its span, a new one starts one, and gc drops spans no
# snapshot covers.
source "$(dirname "$0")/lib.sh"
DATA=$TOP/tests/data
export TZ=UTC	# prog show prints loaded_at in local time
PIN=/sys/fs/bpf/bpfscope_t_spans4_$$
NS=bpfscope-spans4-$$
NSX="nsenter --net=/var/run/netns/$NS"

# each command of schema3-cmds.txt on DB, against the saved output
same_outputs() {
	local db=$1 file snap args sql got bad=0
	while read -r file snap args; do
		case $file in ''|'#'*) continue ;; esac
		case $args in
		'"'*) sql=${args#\"}
			got=$("$BPFSCOPE" --db "$db" query "${sql%\"}" csv 2>&1) ;;
		# shellcheck disable=SC2086
		*) got=$("$BPFSCOPE" --db "$db" -s "$snap" $args 2>&1) ;;
		esac || { echo "$file: failed: $got"; bad=1; continue; }
		[ "$got" = "$(cat "$DATA/schema3/$file")" ] ||
			{ echo "$file ($args) differs:"; diff "$DATA/schema3/$file" <(echo "$got") | head -20; bad=1; }
	done < "$DATA/schema3-cmds.txt"
	return $bad
}

test_upgraded() {
	need_root || return 77
	local db=$TEST_TMP/u.db out t
	cp "$DATA/schema3.db" "$db" || return 1
	out=$("$BPFSCOPE" --db "$db" -s 1 link show 2>&1) && { echo "a read-only open read it: $out"; return 1; }
	echo "$out" | grep -q "schema version 3" || { echo "unclear: $out"; return 1; }
	"$BPFSCOPE" --db "$db" snapshot take label after >/dev/null || return 1	# a writer upgrades
	expect_eq "version" "$(sqlite3 "$db" "PRAGMA user_version")" 10 || return 1
	for t in btf links attachments owners; do
		expect_eq "$t is" "$(sqlite3 "$db" "SELECT type FROM sqlite_master WHERE name = '$t'")" view ||
			return 1
	done
	# each old row is a span of its one snapshot
	expect_eq "one-snapshot spans" "$(sqlite3 "$db" "SELECT count(*) FROM (SELECT first_snap, last_snap
		FROM btf_rows UNION ALL SELECT first_snap, last_snap FROM link_rows UNION ALL SELECT first_snap,
		last_snap FROM attach_rows UNION ALL SELECT first_snap, last_snap FROM owner_rows)
		WHERE first_snap <= 3 AND first_snap != last_snap")" 0 || return 1
	same_outputs "$db" || return 1
	"$BPFSCOPE" --db "$db" query "PRAGMA integrity_check" csv | grep -q '^ok$' || { echo "integrity check failed"; return 1; }
	"$BPFSCOPE" --db "$db" query "PRAGMA foreign_key_check" csv | tail -n +2 | grep -q . && { echo "foreign keys"; return 1; }
	# the snapshot taken on the upgraded file reads, and deleting the old ones leaves it whole
	"$BPFSCOPE" --db "$db" -s after link show >/dev/null || return 1
	for t in 1 2 3; do "$BPFSCOPE" --db "$db" snapshot delete "$t" >/dev/null || return 1; done
	expect_eq "old spans left" "$(sqlite3 "$db" "SELECT (SELECT count(*) FROM btf_rows WHERE last_snap <= 3)
		+ (SELECT count(*) FROM link_rows WHERE last_snap <= 3)
		+ (SELECT count(*) FROM attach_rows WHERE last_snap <= 3)
		+ (SELECT count(*) FROM owner_rows WHERE last_snap <= 3)")" 0
}

# a schema 3 file as a later binary of that schema left it, with a view over prog_history
# (prog_idents), which migration 4 replaces: the upgrade goes through, the views made anew
test_upgraded_foreign_view() {
	need_root || return 77
	local db=$TEST_TMP/uv.db
	cp "$DATA/schema3.db" "$db" || return 1
	sqlite3 "$db" "CREATE VIEW prog_idents AS SELECT * FROM prog_history" || return 1
	"$BPFSCOPE" --db "$db" snapshot take label after >/dev/null || return 1
	expect_eq "version" "$(sqlite3 "$db" "PRAGMA user_version")" 10 || return 1
	"$BPFSCOPE" --db "$db" query "SELECT count(*) FROM prog_idents" csv >/dev/null || return 1
	same_outputs "$db"
}

# one multi_func load, its link pinned at $PIN/NAME/count_getppid
load_mf() {
	"$BPFSCOPE" prog loadall "$SAMPLES/multi_func.bpf.o" "$PIN/$1" autoattach >/dev/null
}
link_of() { bpftool -j link show pinned "$PIN/$1/count_getppid" | jq .id; }
# wait until link $1 and BTF object $2 are gone (a program and its BTF go after an RCU
# grace period)
gone() {
	local i
	for i in $(seq 50); do
		bpftool link show id "$1" >/dev/null 2>&1 || bpftool btf show id "$2" >/dev/null 2>&1 ||
			return 0
		sleep 0.1
	done
	return 1
}

# A link (and its program's BTF object) that goes ends its span at the snapshot before; a
# new one starts a span; one that stays is one row across all.
test_changes() {
	need_root || return 77
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	ensure_bpffs
	local db=$TEST_TMP/c.db a b c btf_b got
	mkdir -p "$PIN"; cleanup_add "rm -rf $PIN"
	load_mf a && load_mf b || return 1
	a=$(link_of a); b=$(link_of b)
	btf_b=$(bpftool -j link show id "$b" | jq .prog_id | xargs -I{} bpftool -j prog show id {} | jq .btf_id)
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null &&
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null || return 1
	rm -rf "$PIN/b"; gone "$b" "$btf_b" || { echo "link $b or BTF $btf_b stays"; return 1; }
	load_mf c || return 1
	c=$(link_of c)
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null &&
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null || return 1
	got=$(sqlite3 "$db" "SELECT id, first_snap, last_snap FROM link_rows WHERE id IN ($a, $b, $c) ORDER BY id")
	expect_eq "link spans" "$got" "$(printf '%s|1|9223372036854775807\n%s|1|2\n%s|3|9223372036854775807' "$a" "$b" "$c")" ||
		return 1
	expect_eq "BTF span of the gone program" \
		"$(sqlite3 "$db" "SELECT first_snap || '-' || last_snap FROM btf_rows WHERE id = $btf_b")" "1-2" || return 1
	# per snapshot, as before: b in 1 and 2, c in 3 and 4
	for s in 1 2 3 4; do
		got=$("$BPFSCOPE" --db "$db" -s "$s" -j link show | jq -c "[.[] | .id | select(. == $a or . == $b or . == $c)]")
		case $s in 1|2) want="[$a,$b]" ;; *) want="[$a,$c]" ;; esac
		expect_eq "links of snapshot $s" "$got" "$want" || return 1
	done
	# gc: deleting snapshots 1 and 2 drops b's spans, keeps a's
	"$BPFSCOPE" --db "$db" snapshot delete 1 >/dev/null && "$BPFSCOPE" --db "$db" snapshot delete 2 >/dev/null || return 1
	expect_eq "after gc" "$(sqlite3 "$db" "SELECT group_concat(id) FROM (SELECT id FROM link_rows WHERE id IN ($a, $b, $c) ORDER BY id)")" "$a,$c" || return 1
	expect_eq "b's BTF after gc" "$(sqlite3 "$db" "SELECT count(*) FROM btf_rows WHERE id = $btf_b")" 0 || return 1
	expect_eq "b's link blob after gc" "$(sqlite3 "$db" "SELECT count(*) FROM blobs WHERE kind = 'link_info'
		AND hash NOT IN (SELECT info_raw FROM link_rows)")" 0
}

# sqlite3 on a copy of the database: its size in pages once compacted
vacuumed_pages() {
	cp "$1" "$2" && sqlite3 "$2" "VACUUM" && sqlite3 "$2" "PRAGMA page_count"
}

# 100 snapshots of an unchanged system (ours: N multi_func loads with their links, pins,
# maps and BTF; xdp and a clsact filter on a veth of our netns; getpid_count holding its
# objects, a perf_event attachment) grow the file by less than 0.5% of its size after the
# first. The machine is shared: what other processes change meanwhile is a legitimate change.
# So (a) none of our objects gets a row after the first snapshot, in any table; (b) with the
# rows other processes' changes started removed, the growth of the compacted file (VACUUM,
# page_count) is under 0.5%; (c) when nothing else changed, the raw page_count growth is too.
test_growth() {
	need_root || return 77
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	ensure_bpffs
	local db=$TEST_TMP/g.db n=${SPANS4_LOADS:-16} i f p1 p2 lp ours later others v1 v2 raw adj
	mkdir -p "$PIN"; cleanup_add "rm -rf $PIN"
	for ((i = 0; i < n; i++)); do load_mf "grow/$i" || return 1; done
	cleanup_add "ip netns del $NS"
	ip netns add "$NS" && $NSX ip link add va type veth peer name vb &&
	$NSX ip link set va up && $NSX ip link set vb up &&
	$NSX ip link set dev va xdpgeneric obj "$SAMPLES/xdp_drop_8080.bpf.o" sec xdp &&
	$NSX tc qdisc add dev va clsact &&
	$NSX tc filter add dev va ingress bpf da obj "$SAMPLES/tc_counter.bpf.o" sec tc || return 1
	"$SAMPLES/getpid_count" 600 > /dev/null 2>&1 &
	lp=$!; cleanup_add "kill $lp"
	for i in $(seq 50); do bpftool -j perf show | grep -q "\"pid\":$lp," && break; sleep 0.1; done
	$NSX "$BPFSCOPE" --db "$db" snapshot take label first >/dev/null || return 1
	f=$(sqlite3 "$db" "SELECT id FROM snapshots WHERE label = 'first'")
	p1=$(sqlite3 "$db" "PRAGMA page_count")
	cp "$db" "$TEST_TMP/first.db"
	for i in $(seq 100); do $NSX "$BPFSCOPE" --db "$db" snapshot take >/dev/null || return 1; done
	p2=$(sqlite3 "$db" "PRAGMA page_count")
	# (a) ours, as the first snapshot has them; each kind must be there to be checked
	sqlite3 "$db" "CREATE TABLE ours AS SELECT 'link' AS k, obj_id AS id FROM pins
		WHERE snapshot_id = $f AND path LIKE '$PIN/grow/%' AND obj_type = 'link'
		UNION SELECT obj_type, obj_id FROM owners WHERE snapshot_id = $f AND pid = $lp;
		INSERT INTO ours SELECT 'prog', prog_id FROM links WHERE snapshot_id = $f
		AND id IN (SELECT id FROM ours WHERE k = 'link') UNION SELECT 'prog', prog_id
		FROM attachments WHERE snapshot_id = $f AND (devname = 'va' OR pe_pid = $lp);
		INSERT INTO ours SELECT 'map', map_id FROM prog_maps WHERE snapshot_id = $f
		AND prog_id IN (SELECT id FROM ours WHERE k = 'prog');
		INSERT INTO ours SELECT 'btf', btf_id FROM progs WHERE snapshot_id = $f
		AND id IN (SELECT id FROM ours WHERE k = 'prog') UNION SELECT 'btf', btf_id FROM maps
		WHERE snapshot_id = $f AND id IN (SELECT id FROM ours WHERE k = 'map') AND btf_id" || return 1
	ours=$(sqlite3 "$db" "SELECT (SELECT count(DISTINCT id) FROM ours WHERE k = 'link') || ' links, '
		|| (SELECT count(DISTINCT id) FROM ours WHERE k = 'prog') || ' programs, '
		|| (SELECT count(DISTINCT id) FROM ours WHERE k = 'btf') || ' BTF, '
		|| (SELECT count(*) FROM attachments WHERE snapshot_id = $f AND (devname = 'va' OR pe_pid = $lp))
		|| ' attachments, ' || (SELECT count(*) FROM owners WHERE snapshot_id = $f AND pid = $lp)
		|| ' owners, ' || (SELECT count(*) FROM pins WHERE snapshot_id = $f AND path LIKE '$PIN/grow/%') || ' pins'")
	echo "ours: $ours"
	echo "$ours" | grep -Eq "^$((n + 1)) links, $((n + 3)) programs, [1-9][0-9]* BTF, 3 attachments, [1-9] owners, $n pins" ||
		{ echo "not all of ours were captured: $ours"; return 1; }
	later=$(sqlite3 "$db" "SELECT
		(SELECT count(*) FROM prog_rows WHERE first_snap > $f AND id IN (SELECT id FROM ours WHERE k = 'prog'))
		|| '/' || (SELECT count(*) FROM map_rows WHERE first_snap > $f AND id IN (SELECT id FROM ours WHERE k = 'map'))
		|| '/' || (SELECT count(*) FROM btf_rows WHERE first_snap > $f AND id IN (SELECT id FROM ours WHERE k = 'btf'))
		|| '/' || (SELECT count(*) FROM link_rows WHERE first_snap > $f AND id IN (SELECT id FROM ours WHERE k = 'link'))
		|| '/' || (SELECT count(*) FROM pin_rows WHERE first_snap > $f AND path LIKE '$PIN/grow/%')
		|| '/' || (SELECT count(*) FROM attach_rows WHERE first_snap > $f AND (devname = 'va' OR pe_pid = $lp))
		|| '/' || (SELECT count(*) FROM owner_rows WHERE first_snap > $f AND pid = $lp)")
	expect_eq "rows of ours after the first snapshot (progs/maps/btf/links/pins/attachments/owners)" \
		"$later" "0/0/0/0/0/0/0" || return 1
	# the attachments' order is a span too: a new one only where an attachment came or went
	expect_eq "order spans without a change" "$(sqlite3 "$db" "SELECT count(*) FROM attach_orders o
		WHERE first_snap > $f AND NOT EXISTS (SELECT 1 FROM attach_rows a
		WHERE a.first_snap = o.first_snap OR a.last_snap = o.first_snap - 1)")" 0 || return 1
	# (b) what other processes changed, out: the spans they started, and the blobs only those had
	others=$(sqlite3 "$db" "SELECT sum(n) FROM (SELECT count(*) AS n FROM prog_rows WHERE first_snap > $f
		UNION ALL SELECT count(*) FROM map_rows WHERE first_snap > $f UNION ALL SELECT count(*)
		FROM pin_rows WHERE first_snap > $f UNION ALL SELECT count(*) FROM cgroup_rows WHERE first_snap > $f
		UNION ALL SELECT count(*) FROM btf_rows WHERE first_snap > $f UNION ALL SELECT count(*)
		FROM link_rows WHERE first_snap > $f UNION ALL SELECT count(*) FROM attach_rows WHERE first_snap > $f
		UNION ALL SELECT count(*) FROM owner_rows WHERE first_snap > $f
		UNION ALL SELECT count(*) FROM attach_orders WHERE first_snap > $f
		UNION ALL SELECT count(*) FROM prog_stat_rows WHERE first_snap > $f)")
	cp "$db" "$TEST_TMP/adj.db"
	sqlite3 "$TEST_TMP/adj.db" "PRAGMA foreign_keys = ON; DROP TABLE ours;
		DELETE FROM prog_rows WHERE first_snap > $f; DELETE FROM map_rows WHERE first_snap > $f;
		DELETE FROM pin_rows WHERE first_snap > $f; DELETE FROM cgroup_rows WHERE first_snap > $f;
		DELETE FROM btf_rows WHERE first_snap > $f; DELETE FROM link_rows WHERE first_snap > $f;
		DELETE FROM attach_rows WHERE first_snap > $f; DELETE FROM owner_rows WHERE first_snap > $f;
		DELETE FROM attach_orders WHERE first_snap > $f; DELETE FROM prog_stat_rows WHERE first_snap > $f;
		DELETE FROM blobs WHERE hash NOT IN (SELECT h FROM (SELECT xlated AS h FROM prog_rows
		UNION SELECT jited_insns FROM prog_rows UNION SELECT func_info FROM prog_rows
		UNION SELECT line_info FROM prog_rows UNION SELECT jited_line_info FROM prog_rows
		UNION SELECT jited_ksyms FROM prog_rows UNION SELECT jited_func_lens FROM prog_rows
		UNION SELECT prog_tags FROM prog_rows UNION SELECT contents FROM map_data
		UNION SELECT data FROM btf_rows UNION SELECT info_raw FROM link_rows
		UNION SELECT kallsyms FROM boots UNION SELECT elf FROM objects) WHERE h IS NOT NULL)" || return 1
	v1=$(vacuumed_pages "$TEST_TMP/first.db" "$TEST_TMP/v1.db") && v2=$(vacuumed_pages "$TEST_TMP/adj.db" "$TEST_TMP/v2.db") || return 1
	raw=$(awk -v a="$p1" -v b="$p2" 'BEGIN { printf "%.3f", (b - a) * 100 / a }')
	adj=$(awk -v a="$v1" -v b="$v2" 'BEGIN { printf "%.3f", (b - a) * 100 / a }')
	echo "growth over 100 snapshots ($n multi_func loads): page_count $p1 -> $p2 ($raw%); without the $others rows other processes' changes started, compacted: $v1 -> $v2 pages ($adj%)" |
		tee "$TEST_TMP/growth.txt"
	awk -v g="$adj" 'BEGIN { exit !(g < 0.5) }' || { echo "grew $adj% (compacted, ours only)"; return 1; }
	# (c) a quiet machine: the file itself
	[ "$others" = 0 ] && { awk -v g="$raw" 'BEGIN { exit !(g < 0.5) }' || { echo "grew $raw% (page_count)"; return 1; }; }
	return 0
}

run_test spans4/schema3_upgraded test_upgraded
run_test spans4/schema3_foreign_view_upgraded test_upgraded_foreign_view
run_test spans4/changes_end_and_start_spans test_changes
run_test spans4/growth_under_half_a_percent test_growth
[ -f "$TEST_TMP/growth.txt" ] && sed 's/^/\t/' "$TEST_TMP/growth.txt"
