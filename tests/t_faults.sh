#!/usr/bin/env bash
# Faults and races around the database file: a full file system in the middle of a snapshot
# (a small tmpfs), a read-only file system and a read-only directory, several writers at
# once, and readers (query, diff, report) beside `snapshot watch`. Each: one line of error
# where it fails, the earlier snapshots intact, no reader waiting on the writer.
# Sizes: FAULTS_ENTRIES (300,000, the map that overflows the tmpfs and that the writers and
# the watch capture), FAULTS_WRITERS (4), FAULTS_WATCH_COUNT (4 snapshots the watch writes).
. "$(dirname "$0")/faults_lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-faults-$$
MNT=$TEST_TMP/mnt
ENTRIES=${FAULTS_ENTRIES:-300000}
WRITERS=${FAULTS_WRITERS:-4}
WATCH_COUNT=${FAULTS_WATCH_COUNT:-4}
figure() { echo "$*" >> "${FIGURES:-/dev/null}"; }

setup() {
	faults_setup
	mkdir -p "$MNT"
	"$FL" fill "$PIN/h" "$ENTRIES" 1 || die "fill"
	# one snapshot of the machine, copied where each test needs it
	"$BPFSCOPE" --db "$TEST_TMP/seed.db" snapshot take label seed >/dev/null || die "seed snapshot"
}

# a tmpfs at $MNT of $1 KiB, unmounted when the script ends
tmpfs_mount() {
	mount -t tmpfs -o "size=$1k,mode=0700" tmpfs "$MNT" || die "mount tmpfs"
	cleanup_add "umount -l '$MNT'"
}

# exactly one line on stderr, and a non-zero exit: $1 what, $2 exit code, $3 stderr file
one_line_error() {
	[ "$2" != 0 ] || { echo "$1: exited 0" >&2; return 1; }
	expect_eq "$1: lines of error ($(head -c 300 "$3"))" "$(wc -l < "$3")" 1
}

# the snapshot the seed holds reads back as it did: $1 the database
seed_intact() {
	expect_eq "integrity_check" "$("$BPFSCOPE" --db "$1" query "PRAGMA integrity_check" csv | tail -n 1)" ok &&
	"$BPFSCOPE" --db "$1" -s seed -j prog show > "$TEST_TMP/got.json" &&
	cmp -s "$TEST_TMP/seed.json" "$TEST_TMP/got.json" ||
		{ echo "the seed snapshot reads back differently in $1" >&2; return 1; }
}

test_enospc() {
	local db=$MNT/h.db kib rc
	"$BPFSCOPE" --db "$TEST_TMP/seed.db" -s seed -j prog show > "$TEST_TMP/seed.json" || return 1
	# the file and 1 MiB: the map's contents (about 9 bytes an entry after zlib) do not fit
	kib=$(( $(stat -c %s "$TEST_TMP/seed.db") / 1024 + 1024 ))
	tmpfs_mount "$kib"
	cp "$TEST_TMP/seed.db" "$db" || return 1
	"$BPFSCOPE" --db "$db" snapshot take maps-data >/dev/null 2>"$TEST_TMP/err"
	rc=$?
	one_line_error "snapshot take on a full file system" "$rc" "$TEST_TMP/err" || return 1
	grep -qi "full" "$TEST_TMP/err" || { echo "the error does not say full: $(cat "$TEST_TMP/err")" >&2; return 1; }
	expect_eq "snapshots after ENOSPC" "$("$BPFSCOPE" --db "$db" query "SELECT count(*) FROM snapshots" csv | tail -n 1)" 1 || return 1
	seed_intact "$db" || return 1
	# room again (256 MiB more: other work may have loaded programs since the seed, whose
	# code the next snapshot stores): it lands whole
	mount -o "remount,size=$((kib + 262144))k" "$MNT" || return 1
	"$BPFSCOPE" --db "$db" snapshot take maps-data >/dev/null || return 1
	seed_intact "$db" || return 1
	figure "enospc: $(cat "$TEST_TMP/err") (exit $rc); the seed snapshot intact; the next snapshot, with room, whole"
}

# a new database starts as the build's empty one, written in one go (store/db.c
# file_from_image): where it does not fit, one line and no file; where it does, a whole
# database in WAL mode, private, that snapshots land in
test_new_file() {
	local rc dir
	tmpfs_mount 64
	dir=$MNT/sub
	"$BPFSCOPE" --db "$dir/new.db" snapshot take no-code >/dev/null 2>"$TEST_TMP/err"
	rc=$?
	one_line_error "a new database on a full file system" "$rc" "$TEST_TMP/err" || return 1
	[ ! -e "$dir/new.db" ] || { echo "a part of a new database left: $(ls -la "$dir")" >&2; return 1; }
	mount -o "remount,size=262144k" "$MNT" || return 1
	"$BPFSCOPE" --db "$dir/new.db" snapshot take no-code >/dev/null || return 1
	expect_eq "integrity" "$(sqlite3 "$dir/new.db" "PRAGMA integrity_check")" ok || return 1
	expect_eq "journal mode" "$(sqlite3 "$dir/new.db" "PRAGMA journal_mode")" wal || return 1
	expect_eq "mode" "$(stat -c %a "$dir/new.db")" 600 || return 1
	expect_eq "snapshots" "$("$BPFSCOPE" --db "$dir/new.db" snapshot list | grep -c '^1: ')" 1 || return 1
	# two writers making the same new file at once: one makes it, whole, and both land
	local i db
	for i in 1 2 3 4 5 6 7 8 9 10; do
		db=$dir/race$i.db
		"$BPFSCOPE" --db "$db" snapshot take no-code >/dev/null 2>"$TEST_TMP/race1" &
		"$BPFSCOPE" --db "$db" snapshot take no-code >/dev/null 2>"$TEST_TMP/race2"
		rc=$?
		wait $! || rc=1
		[ "$rc" = 0 ] || { echo "race $i: $(cat "$TEST_TMP/race1" "$TEST_TMP/race2")" >&2; return 1; }
		expect_eq "race $i" "$(sqlite3 "$db" "PRAGMA integrity_check; SELECT count(*) FROM snapshot_rows" |
			tr '\n' ' ')" "ok 2 " || return 1
	done
	[ -z "$(ls "$dir" | grep -v '\.db\(-wal\|-shm\)\?$')" ] || { echo "left: $(ls "$dir")" >&2; return 1; }
	figure "new database: $(cat "$TEST_TMP/err") on 64 KiB (no file left); with room, whole; two writers making it at once, 10 times: both land"
}

test_readonly_fs() {
	local db=$MNT/h.db rc
	"$BPFSCOPE" --db "$TEST_TMP/seed.db" -s seed -j prog show > "$TEST_TMP/seed.json" || return 1
	tmpfs_mount $(( $(stat -c %s "$TEST_TMP/seed.db") / 1024 + 20480 ))
	cp "$TEST_TMP/seed.db" "$db" || return 1
	mount -o remount,ro "$MNT" || return 1
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null 2>"$TEST_TMP/err"
	rc=$?
	one_line_error "snapshot take on a read-only file system" "$rc" "$TEST_TMP/err" || return 1
	"$BPFSCOPE" --db "$MNT/new.db" snapshot take >/dev/null 2>"$TEST_TMP/err2"
	one_line_error "a new database on a read-only file system" "$?" "$TEST_TMP/err2" || return 1
	# readers still read it
	seed_intact "$db" || return 1
	"$BPFSCOPE" --db "$db" snapshot list >/dev/null || return 1
	figure "read-only fs: $(cat "$TEST_TMP/err"); new file: $(cat "$TEST_TMP/err2"); readers read it"
}

# output that cannot be written (a full device) is an error of the command, in one line; a
# reader that went away (EPIPE, SIGPIPE ignored as some supervisors leave it) is not
test_output_full() {
	local db=$TEST_TMP/seed.db cmd rc n=0
	# (each prints something whatever the machine holds: plain prog show of no program
	# writes nothing, so there is nothing to fail)
	for cmd in "snapshot list" "snapshot show seed" "-j -s seed prog show" "-s seed map show" \
		"query 'SELECT id FROM snapshots' csv" "-s seed btf show"; do
		eval "\"\$BPFSCOPE\" --db \"\$db\" $cmd" >/dev/full 2>"$TEST_TMP/err"
		rc=$?
		one_line_error "$cmd to a full device" "$rc" "$TEST_TMP/err" || return 1
		grep -q "writing output: No space left on device" "$TEST_TMP/err" ||
			{ echo "$cmd: $(cat "$TEST_TMP/err")" >&2; return 1; }
		n=$((n + 1))
		cp "$TEST_TMP/err" "$TEST_TMP/err.full"
	done
	(trap '' PIPE; "$BPFSCOPE" --db "$db" query "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL
		SELECT x + 1 FROM c WHERE x < 300000) SELECT x FROM c" csv 2>"$TEST_TMP/err" | head -c 1 >/dev/null)
	[ ! -s "$TEST_TMP/err" ] || { echo "a closed pipe: $(cat "$TEST_TMP/err")" >&2; return 1; }
	figure "output to a full device: $n readers, each one line ($(cat "$TEST_TMP/err.full")); a closed pipe: no error"
}

# ms a command takes, its output to $1 (its exit status in $TEST_TMP/rc, stderr in err):
# ms_to FILE CMD...
ms_to() {
	local out=$1 t0 t1
	shift
	t0=$(date +%s%N)
	"$@" >"$out" 2>"$TEST_TMP/err"
	echo $? > "$TEST_TMP/rc"
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}

# a long output to a full device stops at its first failed write, not at its end: a map
# dump of ENTRIES entries takes under half its time to /dev/null (reading its contents is
# most of what is left), a million-row query under a quarter
test_output_stops() {
	local db=$TEST_TMP/stops.db null full mnull mfull q
	cp "$TEST_TMP/seed.db" "$db" && "$BPFSCOPE" --db "$db" snapshot take label data maps-data >/dev/null ||
		return 1
	mnull=$(ms_to /dev/null "$BPFSCOPE" --db "$db" -s data map dump pinned "$PIN/h")
	expect_eq "map dump to /dev/null: exit" "$(cat "$TEST_TMP/rc")" 0 || return 1
	mfull=$(ms_to /dev/full "$BPFSCOPE" --db "$db" -s data map dump pinned "$PIN/h")
	one_line_error "map dump to a full device" "$(cat "$TEST_TMP/rc")" "$TEST_TMP/err" || return 1
	[ "$((mfull * 2))" -lt "$mnull" ] ||
		{ echo "map dump of $ENTRIES entries: $mfull ms to a full device, $mnull ms to /dev/null" >&2; return 1; }
	q="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT x FROM c"
	null=$(ms_to /dev/null "$BPFSCOPE" --db "$db" query "$q" csv)
	expect_eq "query to /dev/null: exit" "$(cat "$TEST_TMP/rc")" 0 || return 1
	full=$(ms_to /dev/full "$BPFSCOPE" --db "$db" query "$q" csv)
	one_line_error "query to a full device" "$(cat "$TEST_TMP/rc")" "$TEST_TMP/err" || return 1
	grep -q "writing output: No space left on device" "$TEST_TMP/err" || return 1
	[ "$((full * 4))" -lt "$null" ] ||
		{ echo "query of a million rows: $full ms to a full device, $null ms to /dev/null" >&2; return 1; }
	figure "a long output to a full device stops at its first failed write: map dump of $ENTRIES entries $mfull ms (to /dev/null $mnull ms), query of 1,000,000 rows $full ms (to /dev/null $null ms)"
}

# as root without CAP_DAC_OVERRIDE (a directory's mode binds root only so)
test_readonly_dir() {
	local dir=$TEST_TMP/rodir nodac=(setpriv --bounding-set -dac_override,-dac_read_search) rc
	"$BPFSCOPE" --db "$TEST_TMP/seed.db" -s seed -j prog show > "$TEST_TMP/seed.json" || return 1
	mkdir -p "$dir" && cp "$TEST_TMP/seed.db" "$dir/h.db" && chmod 0555 "$dir" || return 1
	cleanup_add "chmod 0755 '$dir'"
	"${nodac[@]}" "$BPFSCOPE" --db "$dir/new.db" snapshot take >/dev/null 2>"$TEST_TMP/err"
	one_line_error "a new database in a read-only directory" "$?" "$TEST_TMP/err" || return 1
	"${nodac[@]}" "$BPFSCOPE" --db "$dir/h.db" snapshot take >/dev/null 2>"$TEST_TMP/err2"
	rc=$?
	one_line_error "snapshot take in a read-only directory" "$rc" "$TEST_TMP/err2" || return 1
	"${nodac[@]}" "$BPFSCOPE" --db "$dir/h.db" snapshot list >/dev/null || return 1
	seed_intact "$dir/h.db" || return 1
	figure "read-only directory: new file: $(cat "$TEST_TMP/err"); existing file: $(cat "$TEST_TMP/err2")"
}

# WRITERS snapshots started at once: each waits for the write lock, none fails with
# "database is locked", each lands whole, and their order by id is their order in time
test_writers_at_once() {
	local db=$TEST_TMP/w.db i pids=() bad n
	cp "$TEST_TMP/seed.db" "$db" || return 1
	for ((i = 0; i < WRITERS; i++)); do
		"$BPFSCOPE" --db "$db" snapshot take label "w$i" maps-data >/dev/null 2>"$TEST_TMP/w$i.err" &
		pids+=($!)
	done
	for ((i = 0; i < WRITERS; i++)); do
		wait "${pids[$i]}" || { echo "writer $i: $(cat "$TEST_TMP/w$i.err")" >&2; return 1; }
	done
	n=$("$BPFSCOPE" --db "$db" query "SELECT count(*) || ' ' || (max(id) - min(id)) FROM snapshots WHERE label LIKE 'w%'" csv | tail -n 1)
	expect_eq "new snapshots, their id span" "$n" "$WRITERS $((WRITERS - 1))" || return 1
	# in order: a later id was taken later, and each holds the rows its counts say
	bad=$("$BPFSCOPE" --db "$db" query "SELECT count(*) FROM snapshots a JOIN snapshots b ON b.id = a.id + 1 WHERE b.taken_at <= a.taken_at" csv | tail -n 1)
	expect_eq "snapshots out of time order" "$bad" 0 || return 1
	bad=$("$BPFSCOPE" --db "$db" query "SELECT count(*) FROM snapshots s WHERE s.nr_progs != (SELECT count(*) FROM progs p WHERE p.snapshot_id = s.id) OR s.nr_maps != (SELECT count(*) FROM maps m WHERE m.snapshot_id = s.id)" csv | tail -n 1)
	expect_eq "snapshots whose rows disagree with their counts" "$bad" 0 || return 1
	for ((i = 0; i < WRITERS; i++)); do
		"$BPFSCOPE" --db "$db" -s "w$i" -j prog show >/dev/null || return 1
		n=$("$BPFSCOPE" --db "$db" -s "w$i" map dump pinned "$PIN/h" | grep -c '^key')
		expect_eq "entries of w$i's map dump" "$n" "$ENTRIES" || return 1
	done
	seed_intact "$db" || return 1
	figure "writers at once: $WRITERS maps-data snapshots of a $ENTRIES-entry map started together: all whole, in time order"
}

# the counts a reader sees of snapshot $2 (latest if none) in database $1
counts() {
	"$BPFSCOPE" --db "$1" query "SELECT s.id, s.nr_progs, (SELECT count(*) FROM progs p WHERE p.snapshot_id = s.id), s.nr_maps, (SELECT count(*) FROM maps m WHERE m.snapshot_id = s.id), (SELECT count(*) || ':' || coalesce(sum(nr_entries), 0) FROM map_data d WHERE d.snapshot_id = s.id) FROM snapshots s WHERE s.id = ${2:-(SELECT max(id) FROM snapshots)}" csv | tail -n 1
}
# run a reader, its output to $2, its latency in ms appended to $1.lat; fails on an exit
# over 1 (diff's 1 says the snapshots differ, as diff(1)'s)
timed() {
	local lat=$1 out=$2 t0 rc
	shift 2
	t0=$(now_ms)
	"$@" > "$out" 2>>"$TEST_TMP/readers.err"
	rc=$?
	echo $(( $(now_ms) - t0 )) >> "$lat.lat"
	[ "$rc" -le 1 ]
}
max_of() { sort -n "$1" | tail -n 1; }

# query, diff and report while `snapshot watch ... maps-data` writes (the map's contents
# changing under it): none waits for a commit (each within twice its time alone plus one
# whole snapshot), none sees half a snapshot (the counts it read are those read afterwards;
# the diff it printed is the diff of two consecutive snapshots)
test_readers_beside_watch() {
	local db=$TEST_TMP/r.db stop=$TEST_TMP/filling k first last n id line watch filler
	local bq bd br=0 report=1 maxdur bound a b c d progs t0
	cp "$TEST_TMP/seed.db" "$db" && "$BPFSCOPE" --db "$db" snapshot take maps-data >/dev/null || return 1
	# each reader alone, for the bound
	timed "$TEST_TMP/base_q" /dev/null counts "$db" || return 1
	timed "$TEST_TMP/base_d" /dev/null "$BPFSCOPE" --db "$db" diff latest~1 latest || return 1
	bq=$(max_of "$TEST_TMP/base_q.lat"); bd=$(max_of "$TEST_TMP/base_d.lat")
	# a report draws every program: on a machine of thousands (other tests' loads) it takes
	# minutes, and only tests/stress.sh (FAULTS_REPORT=1) waits for it then
	progs=$("$BPFSCOPE" --db "$db" query "SELECT nr_progs FROM snapshots WHERE id = 1" csv | tail -n 1)
	[ "$progs" -le 1000 ] || [ "${FAULTS_REPORT:-0}" = 1 ] || report=0
	if [ "$report" = 1 ]; then
		timed "$TEST_TMP/base_r" /dev/null "$BPFSCOPE" --db "$db" report latest || return 1
		br=$(max_of "$TEST_TMP/base_r.lat")
	fi
	touch "$stop"
	( k=10; while [ -e "$stop" ]; do "$FL" fill "$PIN/h" "$ENTRIES" $k; k=$((k + 1)); sleep 0.3; done ) &
	filler=$!
	t0=$(now_ms)
	timeout --preserve-status -s INT 600 "$BPFSCOPE" --db "$db" snapshot watch interval 0.2 \
		count "$WATCH_COUNT" maps-data \
		>/dev/null 2>"$TEST_TMP/watch.err" &
	watch=$!
	k=0
	while kill -0 "$watch" 2>/dev/null; do
		k=$((k + 1))
		timed "$TEST_TMP/q" "$TEST_TMP/q.$k" counts "$db" || { rm -f "$stop"; return 1; }
		timed "$TEST_TMP/d" "$TEST_TMP/d.$k" "$BPFSCOPE" --db "$db" diff latest~1 latest ||
			{ rm -f "$stop"; echo "diff: $(tail -n 1 "$TEST_TMP/readers.err")" >&2; return 1; }
		if [ "$report" = 1 ]; then
			timed "$TEST_TMP/r" "$TEST_TMP/r.out" "$BPFSCOPE" --db "$db" report latest ||
				{ rm -f "$stop"; echo "report: $(tail -n 1 "$TEST_TMP/readers.err")" >&2; return 1; }
			tail -c 200 "$TEST_TMP/r.out" | grep -q '</html>' || { rm -f "$stop"; echo "report cut short" >&2; return 1; }
		fi
	done
	wait "$watch"
	n=$?
	t0=$(( ($(now_ms) - t0) / 1000 ))
	rm -f "$stop"
	wait "$filler"
	[ "$n" = 0 ] || { echo "watch exited $n: $(cat "$TEST_TMP/watch.err")" >&2; return 1; }
	first=$("$BPFSCOPE" --db "$db" query "SELECT min(id) FROM snapshots" csv | tail -n 1)
	last=$("$BPFSCOPE" --db "$db" query "SELECT max(id) FROM snapshots" csv | tail -n 1)
	expect_eq "snapshots the watch wrote" "$((last - first - 1))" "$WATCH_COUNT" || return 1
	# whole snapshots only: the counts each read equal those read now, and agree
	for ((n = 1; n <= k; n++)); do
		line=$(cat "$TEST_TMP/q.$n")
		id=${line%%,*}
		expect_eq "counts of snapshot $id read during the watch" "$line" "$(counts "$db" "$id")" || return 1
		IFS=, read -r _ a b c d _ <<<"$line"
		[ "$a" = "$b" ] && [ "$c" = "$d" ] || { echo "snapshot $id: counts $line disagree" >&2; return 1; }
	done
	for ((id = first + 1; id <= last; id++)); do
		"$BPFSCOPE" --db "$db" diff $((id - 1)) "$id" | md5sum >> "$TEST_TMP/diffs"
	done
	for ((n = 1; n <= k; n++)); do
		grep -qxF "$(md5sum < "$TEST_TMP/d.$n")" "$TEST_TMP/diffs" ||
			{ echo "diff $n read during the watch is no diff of two consecutive snapshots" >&2; return 1; }
	done
	maxdur=$("$BPFSCOPE" --db "$db" query "SELECT max(duration_ns) / 1000000 FROM snapshots WHERE id > $first + 1" csv | tail -n 1)
	for n in q:$bq d:$bd r:$br; do
		[ -f "$TEST_TMP/${n%%:*}.lat" ] || continue
		bound=$(( 2 * ${n#*:} + maxdur ))
		[ "$(max_of "$TEST_TMP/${n%%:*}.lat")" -le "$bound" ] ||
			{ echo "reader ${n%%:*} waited $(max_of "$TEST_TMP/${n%%:*}.lat") ms, over $bound ms" >&2; return 1; }
	done
	figure "readers beside watch: $((last - first - 1)) snapshots in $t0 s (longest ${maxdur} ms); $k rounds; query max $(max_of "$TEST_TMP/q.lat") ms (alone $bq), diff max $(max_of "$TEST_TMP/d.lat") ms (alone $bd), report $( [ "$report" = 1 ] && echo "max $(max_of "$TEST_TMP/r.lat") ms (alone $br)" || echo "left out: $progs programs")"
}

setup
run_test faults/enospc test_enospc
run_test faults/new_file test_new_file
run_test faults/readonly_fs test_readonly_fs
run_test faults/readonly_dir test_readonly_dir
run_test faults/output_full test_output_full
run_test faults/output_stops test_output_stops
run_test faults/writers_at_once test_writers_at_once
run_test faults/readers_beside_watch test_readers_beside_watch
