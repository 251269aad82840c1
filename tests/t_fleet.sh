#!/usr/bin/env bash
# fleet: many hosts' histories in one PostgreSQL database. The test runs a server of its own
# (initdb as postgres into a temporary directory, a unix socket there only, no TCP), stopped
# and removed at the end also when a test fails; two hosts are two snapshot files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pgbouncer.sh"
PGBIN=/usr/lib/postgresql/15/bin
PIN=/sys/fs/bpf/bpfscope-t-fleet-$$
H1=$TEST_TMP/h1.db
H2=$TEST_TMP/h2.db
PGD=""
C=""
bs() { "$BPFSCOPE" "$@"; }

# a server of our own: the postgres user owns its directory (initdb refuses root)
start_server() {
	[ -x "$PGBIN/initdb" ] || { echo "no $PGBIN/initdb (make deps)"; return 1; }
	PGD=$(mktemp -d /tmp/bpfscope-pg.XXXXXX) || return 1
	cleanup_add "rm -rf '$PGD'"
	chown postgres "$PGD"
	runuser -u postgres -- "$PGBIN/initdb" -D "$PGD/data" -U postgres --auth=trust \
		-E UTF8 --locale=C.UTF-8 >"$PGD/initdb.log" 2>&1 || { cat "$PGD/initdb.log"; return 1; }
	# a role with a password, which must give it over the socket (the auth failure test)
	sed -i '1i local all fleetpw scram-sha-256' "$PGD/data/pg_hba.conf"
	cleanup_add "runuser -u postgres -- '$PGBIN/pg_ctl' -D '$PGD/data' stop -m immediate"
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories='$PGD' -k '$PGD'" start \
		>/dev/null || { cat "$PGD/log"; return 1; }
	C="host=$PGD dbname=postgres user=postgres"
}

# SQL as the superuser, for what the product does not do (make databases, roles, break things)
psql_su() { runuser -u postgres -- psql -qAt -h "$PGD" -d "${2:-postgres}" -c "$1"; }

setup() {
	need_root || exit 77
	ensure_bpffs
	start_server || die "can't start a PostgreSQL server"
	mkdir -p "$PIN"
	cleanup_add "rm -rf '$PIN'"
	# the program host 2 lacks: an XDP program of ours, pinned, no maps
	bs --db "$H1" prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$PIN/xdp" type xdp >/dev/null ||
		die "load xdp"
	# and one both hosts have, so neither host is empty on a machine with no BPF of its own
	bs --db "$H1" prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$PIN/both" type xdp >/dev/null ||
		die "load both"
	bs --db "$H1" snapshot take label one >/dev/null || die "snapshot one"
	bs --db "$H1" snapshot take label two >/dev/null || die "snapshot two"
	HOST1=$(sqlite3 "$H1" "SELECT host FROM snapshots ORDER BY id DESC LIMIT 1")
	# host 2: the same file without that program (its spans and its pin)
	cp "$H1" "$H2"
	sqlite3 "$H2" "DELETE FROM prog_rows WHERE id IN (SELECT obj_id FROM pin_rows WHERE
		path = '$PIN/xdp'); DELETE FROM pin_rows WHERE path = '$PIN/xdp';" || die "make host 2"
}

test_two_hosts() {
	local out n1 n2
	bs fleet init "$C" >/dev/null || die "init"
	bs --db "$H1" fleet push "$C" >/dev/null || die "push host 1"
	bs --db "$H2" fleet push "$C" host t-h2 >/dev/null || die "push host 2"
	out=$(bs fleet hosts "$C" | awk '{print $1, $3}' | sort)
	expect_eq "hosts" "$out" "$(printf '%s 2\nt-h2 2' "$HOST1" | sort)" || return 1
	out=$(bs -j fleet hosts "$C" | python3 -c 'import json,sys; print(sorted((h["host"], h["snapshots"]) for h in json.load(sys.stdin)))')
	expect_eq "hosts -j" "$out" "$(python3 -c "print(sorted([('$HOST1', 2), ('t-h2', 2)]))")" || return 1
	# one program in two snapshots: host 1 has two program rows more
	out=$(bs fleet query "$C" "SELECT host, count(*) FROM progs GROUP BY host ORDER BY host" csv)
	n1=$(sqlite3 "$H1" "SELECT count(*) FROM progs")
	n2=$(sqlite3 "$H2" "SELECT count(*) FROM progs")
	expect_eq "progs per host" "$out" "$(printf 'host,count\n%s\n' "$(printf '%s,%s\nt-h2,%s' "$HOST1" "$n1" "$n2" | sort)")" || return 1
	expect_eq "the difference" "$((n1 - n2))" 2 || return 1
	# the views across hosts
	out=$(bs fleet query "$C" "SELECT count(*) FROM fleet_latest")
	expect_eq "fleet_latest" "$(echo "$out" | tail -n 1)" 2 || return 1
	out=$(bs fleet query "$C" "SELECT DISTINCT host FROM prog_history WHERE attach_point = '$PIN/xdp'" json)
	expect_eq "prog_history" "$out" "[{\"host\":\"$HOST1\"}]" || return 1
	# blobs are shared: host 2 brought none the server lacked
	bs --db "$H2" -j fleet push "$C" host t-h2 | grep -q '"snapshots":0' || die "re-push shipped snapshots"
	# read-only
	bs fleet query "$C" "DELETE FROM blobs" >/dev/null 2>&1 && die "a DELETE went through"
	[ "$(bs fleet query "$C" "SELECT count(*) > 0 FROM blobs" csv | tail -n 1)" = 1 ] || die "blobs gone"
}

# per table: rows and a checksum of the contents, in one database
server_state() {
	local t
	for t in blobs boots snapshot_envs snapshot_rows prog_rows prog_row_maps map_rows pin_rows \
		btf_rows link_rows attach_rows attach_orders owner_rows cgroup_rows cgroup_orders \
		prog_stat_rows map_data_rows load_events objects prog_types sockets; do
		psql_su "SELECT '$t', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))
			FROM $t x" "$1"
	done
}

test_kill_and_resume() {
	local i n total killed=""
	# a program that comes and goes: its span ends while the history grows, after a push
	# (database incr) shipped it open
	psql_su "CREATE DATABASE incr" || die "createdb"
	for i in $(seq 3 12); do
		[ "$i" = 7 ] && { bs --db "$H1" fleet push "host=$PGD dbname=incr user=postgres" \
			>/dev/null || die "push incr"; }
		[ "$i" = 5 ] && { bs --db "$H1" prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$PIN/xdp2" \
			type xdp >/dev/null || die "load xdp2"; }
		[ "$i" = 9 ] && rm -f "$PIN/xdp2"
		bs --db "$H1" snapshot take >/dev/null || die "snapshot $i"
	done
	total=$(sqlite3 "$H1" "SELECT count(*) FROM snapshot_rows")
	psql_su "CREATE DATABASE clean" && psql_su "CREATE DATABASE killed" || die "createdb"
	bs --db "$H1" fleet push "host=$PGD dbname=clean user=postgres" >/dev/null || die "clean push"
	bs --db "$H1" fleet push "host=$PGD dbname=incr user=postgres" >/dev/null || die "push incr"
	# kill a push part way: the server is slowed down (a trigger sleeps 0.2 s per snapshot
	# row, changing nothing) so that a kill lands between two snapshots' transactions
	for t in 1.0 0.6 1.5 2.0 3.0 4.5; do
		psql_su "DROP SCHEMA public CASCADE; CREATE SCHEMA public" killed >/dev/null 2>&1
		bs fleet init "host=$PGD dbname=killed user=postgres" >/dev/null || die "init killed"
		psql_su "CREATE FUNCTION slow() RETURNS trigger AS 'BEGIN PERFORM pg_sleep(0.2);
			RETURN NEW; END' LANGUAGE plpgsql; CREATE TRIGGER slow AFTER INSERT ON snapshot_rows
			FOR EACH ROW EXECUTE FUNCTION slow()" killed || die "slow trigger"
		timeout -s KILL "$t" "$BPFSCOPE" --db "$H1" fleet push "host=$PGD dbname=killed user=postgres" >/dev/null 2>&1
		n=$(psql_su "SELECT count(*) FROM snapshot_rows" killed)
		psql_su "DROP TRIGGER slow ON snapshot_rows" killed
		if [ "$n" -gt 0 ] && [ "$n" -lt "$total" ]; then killed=$n; break; fi
	done
	echo "killed after ${killed:-?} of $total snapshots" >&2
	bs --db "$H1" fleet push "host=$PGD dbname=killed user=postgres" >/dev/null || die "resume push"
	bs --db "$H1" fleet push "host=$PGD dbname=killed user=postgres" >/dev/null || die "third push"
	[ "$(server_state clean)" = "$(server_state killed)" ] ||
		die "killed+resumed differs from clean: $(diff <(server_state clean) <(server_state killed))"
	[ -n "$killed" ] || die "no kill landed between two snapshots"
	# and the server says what the file says, snapshot by snapshot (spans that ended)
	local v q
	for db in killed incr; do
		for v in progs maps links pins attachments btf; do
			q="SELECT snapshot_id, count(*) FROM $v GROUP BY snapshot_id ORDER BY 1"
			[ "$(sqlite3 -separator '|' "$H1" "$q")" = "$(psql_su "$q" $db)" ] ||
				die "$db: $v per snapshot differ: $(diff <(sqlite3 -separator '|' "$H1" "$q") <(psql_su "$q" $db))"
		done
	done
	# the changes view across hosts: our program coming and going, as the file says it
	q="SELECT snapshot_id, change, identity FROM changes WHERE identity LIKE '%$PIN/xdp2' ORDER BY 1, 2"
	[ -n "$(sqlite3 "$H1" "$q")" ] && [ "$(sqlite3 -separator '|' "$H1" "$q")" = "$(psql_su "$q" killed)" ] ||
		die "changes differ: $(diff <(sqlite3 -separator '|' "$H1" "$q") <(psql_su "$q" killed))"
	[ "$(server_state clean)" = "$(server_state incr)" ] || die "pushed in two goes differs from clean"
}

test_pull() {
	local p=$TEST_TMP/pulled.db id a b
	bs --db "$p" fleet pull "$C" host "$HOST1" >/dev/null || die "pull"
	a=$(bs --db "$H1" -s latest -j prog show) && b=$(bs --db "$p" -s latest -j prog show) ||
		die "prog show"
	[ "$a" = "$b" ] || die "prog show -j differs after pull"
	for id in $(sqlite3 "$H1" "SELECT id FROM progs WHERE snapshot_id = (SELECT max(id) FROM
			snapshot_rows) ORDER BY bytes_xlated DESC LIMIT 3"); do
		a=$(bs --db "$H1" -s latest prog dump xlated id "$id") &&
			b=$(bs --db "$p" -s latest prog dump xlated id "$id") || die "dump $id"
		[ -n "$a" ] && [ "$a" = "$b" ] || die "prog dump xlated id $id differs"
	done
	# the other readers: maps, links, attachments, diff, audit, a CFG
	for cmd in "-s latest -j map show" "-s latest -j link show" "-s latest -j net show" \
		"diff one two" "audit two" "-s latest prog cfg pinned $PIN/xdp"; do
		a=$(bs --db "$H1" $cmd 2>&1); b=$(bs --db "$p" $cmd 2>&1)
		[ "$a" = "$b" ] || die "'$cmd' differs after pull"
	done
	a=$(bs --db "$H1" -s one prog show pinned "$PIN/xdp" 2>&1)
	b=$(bs --db "$p" -s one prog show pinned "$PIN/xdp" 2>&1)
	expect_eq "show by label" "$b" "$a" || return 1
	# one snapshot only
	bs --db "$TEST_TMP/one.db" fleet pull "$C" host "$HOST1" snapshot one >/dev/null || die "pull one"
	expect_eq "snapshots pulled" "$(sqlite3 "$TEST_TMP/one.db" "SELECT label FROM snapshots")" one || return 1
	# into a file with snapshots: refused
	bs --db "$p" fleet pull "$C" host "$HOST1" >/dev/null 2>&1 && die "pulled over snapshots"
	return 0
}

test_diff() {
	local out rc
	out=$(bs fleet diff "$C" "$HOST1" t-h2); rc=$?
	expect_eq "diff exit" "$rc" 1 || return 1
	[ "$(echo "$out" | grep -c '^- prog ')" = 1 ] || die "not one program: $out"
	echo "$out" | grep -q "^- prog xdp .*$PIN/xdp" || die "not our program: $out"
	[ -z "$(echo "$out" | grep -vF "$PIN/xdp")" ] || die "more than our program: $out"
	out=$(bs fleet diff "$C" "$HOST1:one" "$HOST1:two" progs 2>&1); rc=$?
	bs fleet diff "$C" "$HOST1:two" "t-h2:two" >/dev/null; rc=$?
	expect_eq "diff exit (refs)" "$rc" 1 || return 1
	bs fleet diff "$C" t-h2 t-h2:latest >/dev/null; rc=$?
	expect_eq "diff of the same" "$rc" 0 || return 1
	bs fleet diff "$C" t-h2 nosuchhost >/dev/null 2>&1; rc=$?
	expect_eq "diff of an unknown host" "$rc" 2
}

# one line on stderr, nothing on stdout, exit 2
one_line_2() {
	local what=$1 want=$2 rc; shift 2
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"; rc=$?
	expect_eq "$what: exit" "$rc" 2 || return 1
	expect_eq "$what: stderr lines" "$(wc -l < "$TEST_TMP/err")" 1 || return 1
	[ ! -s "$TEST_TMP/out" ] || die "$what: stdout: $(cat "$TEST_TMP/out")"
	grep -q "$want" "$TEST_TMP/err" || die "$what: $(cat "$TEST_TMP/err")"
}

test_errors() {
	psql_su "CREATE ROLE fleetpw LOGIN PASSWORD 'right'; CREATE ROLE noperm LOGIN" || die "roles"
	one_line_2 "wrong password" "authentication failed" \
		bs fleet hosts "host=$PGD dbname=postgres user=fleetpw password=wrong" || return 1
	one_line_2 "server down" "unreachable" \
		bs fleet hosts "host=$PGD/nosuchdir dbname=postgres user=postgres" || return 1
	one_line_2 "permission denied" "permission denied" \
		bs --db "$H1" fleet push "host=$PGD dbname=postgres user=noperm" host t-np || return 1
	psql_su "CREATE DATABASE newer" && bs fleet init "host=$PGD dbname=newer user=postgres" >/dev/null &&
		psql_su "UPDATE fleet_schema SET version = 99" newer || die "newer schema"
	one_line_2 "newer schema (hosts)" "newer" bs fleet hosts "host=$PGD dbname=newer user=postgres" || return 1
	one_line_2 "newer schema (init)" "newer" bs fleet init "host=$PGD dbname=newer user=postgres" || return 1
	one_line_2 "newer schema (push)" "newer" bs --db "$H1" fleet push "host=$PGD dbname=newer user=postgres" || return 1
	# the right password works
	bs fleet hosts "host=$PGD dbname=postgres user=fleetpw password=right" >/dev/null 2>&1 ||
		[ "$(bs fleet hosts "host=$PGD dbname=postgres user=fleetpw password=right" 2>&1 | grep -c 'authentication')" = 0 ] ||
		die "right password refused"
}


# tag_hosts(tag) (schema 3) says what prog_spans grouped by host says, for every tag the
# server has: the hosts, since when (the first span's snapshot time), running now
tag_hosts_check() {
	local q1 q2
	q1="SELECT host, tag, min(first_seen), bool_or(last_snap = 9223372036854775807) FROM prog_spans
		GROUP BY host, tag ORDER BY 1, 2"
	q2="SELECT t.host, x.tag, t.first_seen, t.running FROM (SELECT DISTINCT tag FROM prog_rows_c) x
		CROSS JOIN LATERAL tag_hosts(x.tag) t ORDER BY 1, 2"
	[ -n "$(psql_su "$q1" "$1")" ] && [ "$(psql_su "$q1" "$1")" = "$(psql_su "$q2" "$1")" ] ||
		die "$1: tag_hosts differs from prog_spans: $(diff <(psql_su "$q1" "$1") <(psql_su "$q2" "$1") | head)"
}

test_tag_hosts() {
	local tag out t0
	tag_hosts_check postgres || return 1
	tag_hosts_check killed || return 1
	# our XDP program's code (host 2 has it pinned once, host 1 twice): both hosts, since
	# their first snapshot, running
	tag=$(sqlite3 "$H1" "SELECT tag FROM progs p JOIN pins n ON n.snapshot_id = p.snapshot_id
		AND n.obj_id = p.id AND n.obj_type = 'prog' WHERE n.path = '$PIN/xdp' LIMIT 1")
	out=$(bs fleet query "$C" "SELECT host, first_seen, running FROM tag_hosts('$tag') ORDER BY 1" csv |
		tail -n +2)
	t0=$(sqlite3 "$H1" "SELECT taken_at FROM snapshot_rows ORDER BY id LIMIT 1")
	expect_eq "tag_hosts of our program" "$out" "$(printf '%s,%s,1\nt-h2,%s,1' "$HOST1" "$t0" "$t0" |
		sort)" || return 1
	out=$(bs fleet query "$C" "SELECT count(*) FROM tag_hosts('no such tag')" csv | tail -n 1)
	expect_eq "tag_hosts of no program" "$out" 0
}

# server schema 2 (no tag_hosts, the tag index on tag alone) is migrated by init: the
# same rows, the new index, the function; before that, commands refuse it in one line
test_migrate_2_3() {
	local D="host=$PGD dbname=mig user=postgres" before out
	psql_su "CREATE DATABASE mig" && bs fleet init "$D" >/dev/null || die "init mig"
	bs --db "$H1" fleet push "$D" >/dev/null && bs --db "$H2" fleet push "$D" host t-h2 >/dev/null ||
		die "push mig"
	before=$(server_state mig)
	psql_su "UPDATE fleet_schema SET version = 2; DROP FUNCTION tag_hosts(text);
		DROP INDEX prog_rows_c_tag_first; CREATE INDEX prog_rows_c_tag ON prog_rows_c(tag)" mig ||
		die "make schema 2"
	one_line_2 "schema 2 (hosts)" "older" bs fleet hosts "$D" || return 1
	out=$(bs fleet init "$D") || die "init from 2"
	expect_eq "init from 2" "$out" "fleet schema 3 (from 2)" || return 1
	expect_eq "indexes" "$(psql_su "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM
		pg_indexes WHERE indexname LIKE 'prog_rows_c_tag%'" mig)" prog_rows_c_tag_first || return 1
	[ "$(server_state mig)" = "$before" ] || die "migration changed rows"
	tag_hosts_check mig || return 1
	bs --db "$H1" fleet push "$D" >/dev/null || die "push after migration"
}

# the size of a fleet of hosts that run the same programs: four more hosts (the same file
# under other names) cost less than half of what the first host's rows cost (the rows are
# stored once, a host adds its snapshots and names them), and five take at most 1.2x the file
test_size() {
	local D="host=$PGD dbname=size user=postgres" q empty one blobs five file
	psql_su "CREATE DATABASE size" && bs fleet init "$D" >/dev/null || die "init size"
	q="SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n
		ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
	psql_su "VACUUM" size; empty=$(psql_su "$q" size)
	bs --db "$H1" fleet push "$D" host s1 >/dev/null || die "push s1"
	psql_su "VACUUM" size; one=$(( $(psql_su "$q" size) - empty ))
	blobs=$(psql_su "SELECT pg_total_relation_size('blobs') - 16384" size)
	for h in s2 s3 s4 s5; do
		bs --db "$H1" fleet push "$D" host $h >/dev/null || die "push $h"
	done
	psql_su "VACUUM" size; five=$(( $(psql_su "$q" size) - empty ))
	file=$(stat -c %s "$H1")
	echo "size: one host $((one / 1024)) KiB (blobs $((blobs / 1024))), five $((five / 1024)) KiB, file $((file / 1024)) KiB" >&2
	[ $((five - one)) -lt $(( (one - blobs) / 2 )) ] || die "four more hosts cost $((five - one)) bytes, the first host's rows $((one - blobs))"
	[ $((five * 10)) -le $((file * 12)) ] || die "five hosts $five bytes, over 1.2x the file ($file)"
}
setup
# map contents in chunks (schema 8: the map_chunks rows and the chunk blobs) go over and come
# back: a third host's two snapshots of a map spanning several chunks, pushed and pulled
test_chunks() {
	local h3=$TEST_TMP/h3.db p3=$TEST_TMP/p3.db cmd a b
	gcc -O2 -o "$TEST_TMP/faults_load" "$TOP/tests/helpers/faults_load.c" -lbpf || return 1
	"$TEST_TMP/faults_load" fill "$PIN/h" 30000 9 || return 1
	BPFSCOPE_MAP_CHUNK_BYTES=65536 bs --db "$h3" snapshot take label c1 maps-data >/dev/null || return 1
	bpftool map update pinned "$PIN/h" key 2 0 0 0 value 5 5 5 5 5 5 5 5 || return 1
	BPFSCOPE_MAP_CHUNK_BYTES=65536 bs --db "$h3" snapshot take label c2 maps-data >/dev/null || return 1
	[ "$(sqlite3 "$h3" "SELECT count(*) FROM map_chunks")" -ge 6 ] || { echo "no chunks to ship"; return 1; }
	bs --db "$h3" fleet push "$C" host t-chunks >/dev/null || die "push"
	bs --db "$p3" fleet pull "$C" host t-chunks >/dev/null || die "pull"
	for cmd in "-s c1 map dump pinned $PIN/h" "-s c2 -j map dump pinned $PIN/h" "diff c1 c2 contents"; do
		a=$(bs --db "$h3" $cmd 2>&1); b=$(bs --db "$p3" $cmd 2>&1)
		[ -n "$a" ] && [ "$a" = "$b" ] || die "'$cmd' differs after pull"
	done
	[ "$(bs --db "$p3" -s c2 map dump pinned "$PIN/h")" = "$(bpftool map dump pinned "$PIN/h")" ] ||
		die "pulled contents differ from the map"
	rm -f "$PIN/h"
}

# text the server's UTF8 cannot hold (invalid UTF-8, NUL) and text beginning with the escape
# byte: pushed, and pulled back byte for byte (one such value used to stop a host's pushes)
test_text_bytes() {
	local h4=$TEST_TMP/h4.db p4=$TEST_TMP/p4.db q a b
	cp "$H1" "$h4" || return 1
	sqlite3 "$h4" "UPDATE pin_rows SET path = CAST(X'2F7379732F66732F627066FF00C0AF7820' AS TEXT)
		WHERE rowid = (SELECT min(rowid) FROM pin_rows);
		UPDATE snapshot_rows SET label = CAST(X'01414243' AS TEXT) WHERE id = (SELECT min(id) FROM snapshot_rows);" || return 1
	bs --db "$h4" fleet push "$C" host t-bytes >/dev/null || die "push"
	bs --db "$h4" fleet push "$C" host t-bytes >/dev/null || die "push again"
	bs --db "$p4" fleet pull "$C" host t-bytes >/dev/null || die "pull"
	for q in "SELECT group_concat(hex(path), ' ') FROM (SELECT path FROM pin_rows ORDER BY hex(path))" \
		"SELECT group_concat(hex(label), ' ') FROM (SELECT label FROM snapshot_rows ORDER BY id)"; do
		a=$(sqlite3 "$h4" "$q"); b=$(sqlite3 "$p4" "$q")
		expect_eq "$q" "$b" "$a" || return 1
	done
	sqlite3 "$p4" "SELECT hex(path) FROM pin_rows" | grep -q '^2F7379732F66732F627066FF00C0AF7820$' ||
		die "the path is not there byte for byte"
}

# the next snapshot of a host where nothing changed: a copy of its last snapshot row a second
# later (what snapshot take writes then, with no sockets asked for)
add_unchanged() {
	sqlite3 "$1" "INSERT INTO snapshot_rows SELECT id + 1, taken_at + 1000000000, NULL, mask,
		boot_time_ns, nr_progs, nr_maps, nr_btf, nr_links, nr_attachments, nr_pins,
		vanished_progs, vanished_maps, vanished_btf, vanished_links, duration_ns,
		stats_interval_ns, warnings, env FROM snapshot_rows ORDER BY id DESC LIMIT 1"
}

push_counts() {	# snapshots, rows and blobs a push -j says it shipped
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["snapshots"], d["rows"], d["blobs"])'
}

# an unchanged host's push ships its snapshot row alone (the tables shipped whole, objects
# and boot_features, not again); a row added to one of them goes with the next push; and
# the server says what the file says
test_unchanged() {
	local h5=$TEST_TMP/h5.db out t q n
	cp "$H1" "$h5" || return 1
	bs --db "$h5" fleet push "$C" host t-unch >/dev/null || die "push"
	add_unchanged "$h5" || return 1
	out=$(bs --db "$h5" -j fleet push "$C" host t-unch | push_counts) || die "push unchanged"
	expect_eq "unchanged: snapshots, rows, blobs" "$out" "1 1 0" || return 1
	sqlite3 "$h5" "INSERT INTO objects(loaded_at, path) VALUES (1, '/t-unch.o')" || return 1
	add_unchanged "$h5" || return 1
	n=$(sqlite3 "$h5" "SELECT count(*) FROM objects")
	out=$(bs --db "$h5" -j fleet push "$C" host t-unch | push_counts) || die "push with an object"
	expect_eq "an object added: snapshots, rows, blobs" "$out" "1 $((n + 1)) 0" || return 1
	for t in objects boot_features snapshot_rows; do
		expect_eq "$t rows" "$(psql_su "SELECT count(*) FROM $t WHERE host = 't-unch'")" \
			"$(sqlite3 "$h5" "SELECT count(*) FROM $t")" || return 1
	done
	[ "$(sqlite3 "$h5" "SELECT count(*) FROM boot_features")" -gt 0 ] || echo "no feature probe here" >&2
	q="SELECT snapshot_id, count(*) FROM progs GROUP BY snapshot_id ORDER BY 1"
	expect_eq "progs per snapshot" "$(psql_su "SELECT snapshot_id, count(*) FROM progs WHERE
		host = 't-unch' GROUP BY snapshot_id ORDER BY 1")" "$(sqlite3 -separator '|' "$h5" "$q")"
}

# snapshot watch ... push: every snapshot on the server as it is taken, over one connection;
# a server that is down does not stop watch (one line each time), and a later push ships
# what it missed
test_watch_push() {
	local h6=$TEST_TMP/h6.db n out q
	bs --db "$h6" -v snapshot watch interval 0.1 count 3 push "$C" host t-watch >/dev/null \
		2>"$TEST_TMP/watch.err" || die "watch push: $(cat "$TEST_TMP/watch.err")"
	expect_eq "pushes" "$(grep -c '^push: host t-watch: 1 snapshots' "$TEST_TMP/watch.err")" 3 || return 1
	n=$(sqlite3 "$h6" "SELECT count(*) FROM snapshot_rows")
	expect_eq "snapshots on the server" "$(psql_su "SELECT count(*) FROM snapshot_rows WHERE host = 't-watch'")" "$n" || return 1
	bs --db "$h6" snapshot watch interval 0.1 count 2 push "host=$PGD/nosuchdir dbname=postgres user=postgres" \
		host t-watch >/dev/null 2>"$TEST_TMP/watch.err" || die "watch stopped by a server that is down"
	expect_eq "one line a push" "$(grep -c 'push: fleet: server unreachable' "$TEST_TMP/watch.err")" 2 || return 1
	out=$(bs --db "$h6" -j fleet push "$C" host t-watch | push_counts) || die "push after"
	expect_eq "what watch could not ship" "$(echo "$out" | cut -d' ' -f1)" 2 || return 1
	q="SELECT snapshot_id, count(*) FROM progs GROUP BY snapshot_id ORDER BY 1"
	expect_eq "progs per snapshot" "$(psql_su "SELECT snapshot_id, count(*) FROM progs WHERE
		host = 't-watch' GROUP BY snapshot_id ORDER BY 1")" "$(sqlite3 -separator '|' "$h6" "$q")"
}

# a pooler in front of the server (pgbouncer in session mode, its defaults otherwise, which
# refuse libpq startup options): push, query and an unchanged push through it
test_pooler() {
	local h=$TEST_TMP/hp.db cb rc=0
	pgbouncer_start "$PGD" 6433 || return 1
	cb=$PGB_CONN
	cp "$H1" "$h" || rc=1
	[ $rc = 0 ] && { bs --db "$h" fleet push "$cb" host t-pool >/dev/null || rc=1; }
	[ $rc = 0 ] && { expect_eq "t-pool snapshots through the pooler" \
		"$(bs fleet query "$cb" "SELECT count(*) FROM snapshot_rows WHERE host = 't-pool'" csv | tail -n 1)" \
		"$(sqlite3 "$h" "SELECT count(*) FROM snapshot_rows")" || rc=1; }
	[ $rc = 0 ] && { add_unchanged "$h" && bs --db "$h" fleet push "$cb" host t-pool >/dev/null || rc=1; }
	kill "$PGB_PID"
	wait "$PGB_PID" 2>/dev/null
	return $rc
}

run_test fleet/two_hosts test_two_hosts
run_test fleet/pull test_pull
run_test fleet/diff test_diff
run_test fleet/size test_size
run_test fleet/kill_and_resume test_kill_and_resume
run_test fleet/tag_hosts test_tag_hosts
run_test fleet/migrate_2_3 test_migrate_2_3
run_test fleet/errors test_errors
run_test fleet/chunks test_chunks
run_test fleet/text_bytes test_text_bytes
run_test fleet/unchanged test_unchanged
run_test fleet/watch_push test_watch_push
run_test fleet/pooler test_pooler
