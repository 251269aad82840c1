#!/usr/bin/env bash
# Schema 3 (typed attachment columns): a schema-2 snapshot written by fd1b73f's binary
# (tests/data/schema2.db, made by tests/data/schema2-make.sh) is refused by a reader, left
# at version 2, and after a writer upgrades it, net, perf and cgroup show print what that
# binary printed (tests/data/schema2/*), plain and JSON.
source "$(dirname "$0")/lib.sh"
DATA=$TOP/tests/data

# each command of schema2-cmds.txt on DB, against the saved output
same_outputs() {
	local db=$1 file args got bad=0
	while read -r file args; do
		case $file in ''|'#'*) continue ;; esac
		# shellcheck disable=SC2086
		got=$("$BPFSCOPE" --db "$db" -s 1 $args 2>&1) || { echo "$args: failed: $got"; bad=1; continue; }
		[ "$got" = "$(cat "$DATA/schema2/$file")" ] ||
			{ echo "$args differs:"; diff "$DATA/schema2/$file" <(echo "$got") | head -20; bad=1; }
	done < "$DATA/schema2-cmds.txt"
	return $bad
}

test_reader_refuses() {
	local db=$TEST_TMP/r.db out
	cp "$DATA/schema2.db" "$db" || return 1
	out=$("$BPFSCOPE" --db "$db" -s 1 net show 2>&1) && { echo "a read-only open read it: $out"; return 1; }
	echo "$out" | grep -q "schema version 2" || { echo "unclear: $out"; return 1; }
	sqlite3 "$db" "PRAGMA user_version" | grep -qx 2 || { echo "upgraded by a reader"; return 1; }
}

test_upgraded() {
	need_root || return 77
	local db=$TEST_TMP/u.db
	cp "$DATA/schema2.db" "$db" || return 1
	"$BPFSCOPE" --db "$db" snapshot take label after >/dev/null || return 1	# a writer upgrades
	sqlite3 "$db" "PRAGMA user_version" | grep -qx 10 || { echo "not upgraded"; return 1; }
	same_outputs "$db" || return 1
	# the facts the old detail strings held are columns now
	expect_eq "perf" "$(sqlite3 "$db" "SELECT pe_fd_type, pe_fd > 0, pe_pid > 0, pe_offset FROM attachments
		WHERE snapshot_id = 1 AND kind = 'perf_event'")" "1|1|1|0" || return 1
	expect_eq "tc" "$(sqlite3 "$db" "SELECT printf('%x', tc_parent), tc_protocol, tc_flags, tc_prio FROM attachments
		WHERE snapshot_id = 1 AND kind = 'tc'")" "fffffff2|3|1|49152" || return 1
	expect_eq "netfilter" "$(sqlite3 "$db" "SELECT nf_pf, nf_hooknum, nf_prio, nf_flags FROM attachments
		WHERE snapshot_id = 1 AND kind = 'netfilter'")" "2|1|-128|0" || return 1
	expect_eq "cgroup" "$(sqlite3 "$db" "SELECT attach_flags, position, cgroup_id > 0 FROM attachments
		WHERE snapshot_id = 1 AND kind = 'cgroup' ORDER BY rowid")" "$(printf '2|0|1\n0|0|1')" || return 1
	# prog_history reads attachments: made again with the other views
	sqlite3 "$db" "SELECT count(*) FROM prog_history WHERE snapshot_id = 1 AND attach_point LIKE 'xdp:%'" |
		grep -qx 2 || { echo "prog_history"; return 1; }
	"$BPFSCOPE" --db "$db" query "PRAGMA integrity_check" csv | grep -q '^ok$' || { echo "integrity check failed"; return 1; }
	# and it reads the same again, read-only
	same_outputs "$db"
}

run_test schema3/reader_refuses_schema2 test_reader_refuses
run_test schema3/schema2_upgraded test_upgraded
