#!/usr/bin/env bash
# Ownership and modes: a writer refuses a database (or its -wal, -shm) another user owns, in
# one line naming the file and the owner, leaving it untouched; databases, reports, drawings
# and dumps the product creates are 0600 and the directories it creates 0700, whatever the
# umask. (t_privilege.sh: the readers as an unprivileged user.)
. "$(dirname "$0")/lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-perms-$$
DB=$TEST_TMP/h.db
bs() { "$BPFSCOPE" --db "$DB" "$@"; }
mode() { stat -c %a "$1"; }

setup() {
	ensure_bpffs
	mkdir -p "$PIN/g" "$PIN/gm"
	cleanup_add "rm -rf '$PIN'"
	bs prog loadall "$SAMPLES/getpid_count.bpf.o" "$PIN/g" pinmaps "$PIN/gm" autoattach > /dev/null &&
	bs snapshot take label one no-code > /dev/null &&
	bs snapshot take label two > /dev/null || return 1
	PROG=$(bs -s two -j prog show pinned "$PIN/g/count_getpid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	[ -n "$PROG" ]
}

# a new database in directories that did not exist, under umask 000
t_new_db_private() {
	local d=$TEST_TMP/new
	( umask 000; "$BPFSCOPE" --db "$d/a/b/h.db" snapshot take no-code > /dev/null ) || die "snapshot take"
	expect_eq "mode of $d" "$(mode "$d")" 700 &&
	expect_eq "mode of $d/a" "$(mode "$d/a")" 700 &&
	expect_eq "mode of $d/a/b" "$(mode "$d/a/b")" 700 || return 1
	for f in h.db h.db-wal h.db-shm; do
		[ -e "$d/a/b/$f" ] || continue
		expect_eq "mode of $f" "$(mode "$d/a/b/$f")" 600 || return 1
	done
}

# FILE the command writes, under umask 000: 0600
t_files_private() {
	local o=$TEST_TMP/files c f
	mkdir -p "$o"
	while IFS='|' read -r f c; do
		rm -f "$o/$f"
		# shellcheck disable=SC2086
		( umask 000; bs $c > /dev/null 2> "$TEST_TMP/err" ); [ $? -le 1 ] || die "'$c': $(head -c 200 "$TEST_TMP/err")"
		[ -s "$o/$f" ] || die "'$c' wrote no $f"
		expect_eq "mode of $f ('$c')" "$(mode "$o/$f")" 600 || return 1
	done <<-EOF
	report.html|report latest file $o/report.html
	diff.html|report diff latest~1 latest file $o/diff.html
	cfg.svg|-s latest prog cfg id $PROG format svg file $o/cfg.svg
	cfg.dot|-s latest prog cfg id $PROG format dot file $o/cfg.dot
	split-count_getpid.dot|-s latest prog cfg id $PROG format dot file $o/split.dot split
	xlated.bin|-s latest prog dump xlated id $PROG file $o/xlated.bin
	jited.bin|-s latest prog dump jited id $PROG file $o/jited.bin
	EOF
}

# an existing file keeps its mode: writing a report to /dev/null does not chmod it
t_existing_kept() {
	local before
	before=$(mode /dev/null)
	bs report latest file /dev/null > /dev/null || die "report to /dev/null"
	expect_eq "mode of /dev/null" "$(mode /dev/null)" "$before"
}

# OWNED (db, -wal or -shm) belongs to nobody: snapshot take and delete refuse in one line
refused() {
	local owned=$1 d=$TEST_TMP/other c sum_before rc
	rm -rf "$d"; mkdir -p "$d"
	cp "$DB" "$d/h.db" && touch "$d/h.db-wal" "$d/h.db-shm" || return 1
	chown 65534:65534 "$d/$owned"
	sum_before=$(sha256sum "$d"/h.db* | sha256sum)
	for c in "snapshot take no-code" "snapshot delete 1"; do
		# shellcheck disable=SC2086
		"$BPFSCOPE" --db "$d/h.db" $c > /dev/null 2> "$TEST_TMP/err"; rc=$?
		[ $rc != 0 ] && [ $rc -lt 128 ] || die "'$c' on a file nobody owns: exit $rc"
		expect_eq "'$c' error lines" "$(grep -c . "$TEST_TMP/err")" 1 || return 1
		grep -qF "$d/$owned:" "$TEST_TMP/err" && grep -q 'uid 65534 (nobody)' "$TEST_TMP/err" ||
			die "'$c' said: $(cat "$TEST_TMP/err")"
	done
	expect_eq "the files after the refusals" "$(sha256sum "$d"/h.db* | sha256sum)" "$sum_before" &&
	expect_eq "owner of $owned" "$(stat -c %u "$d/$owned")" 65534
}
t_refuse_db() { refused h.db; }
t_refuse_wal() { refused h.db-wal; }
t_refuse_shm() { refused h.db-shm; }

# reading another user's database is allowed, and root's reader leaves nothing of root's there
t_read_other() {
	local d=$TEST_TMP/theirs
	mkdir -p "$d" && cp "$DB" "$d/h.db" && chown -R 65534:65534 "$d" || return 1
	"$BPFSCOPE" --db "$d/h.db" snapshot list > "$TEST_TMP/out" 2> "$TEST_TMP/err" ||
		die "snapshot list of nobody's file: $(cat "$TEST_TMP/err")"
	expect_eq "snapshots listed" "$(grep -c '^[0-9]*: ' "$TEST_TMP/out")" 2 || return 1
	[ -z "$(find "$d" ! -uid 65534)" ] || die "root's reader left: $(find "$d" ! -uid 65534 -printf '%p ')"
}

need_root > /dev/null || { skip perms "needs root"; exit 0; }
# a device named as the output file is written to and left as it is: never made 0600, never
# removed when the command fails (as root, an unlink of /dev/null would succeed)
t_device_untouched() {
	local after db=$TEST_TMP/dev.db
	"$BPFSCOPE" --db "$db" snapshot take no-code >/dev/null || die "snapshot"
	"$BPFSCOPE" --db "$db" report latest file /dev/null >/dev/null 2>&1 || die "report to /dev/null"
	"$BPFSCOPE" --db "$db" report nosuch file /dev/null >/dev/null 2>&1	# fails: the error path
	"$BPFSCOPE" --db "$db" report diff latest nosuch file /dev/null >/dev/null 2>&1
	"$BPFSCOPE" --db "$db" prog cfg id 999999999 file /dev/null >/dev/null 2>&1
	after=$(stat -c '%F %a' /dev/null 2>&1)
	# put it back before anything else runs, should the product have broken it
	[ -c /dev/null ] || { rm -f /dev/null; mknod -m 666 /dev/null c 1 3; }
	chmod 666 /dev/null
	expect_eq "/dev/null after the writes" "$after" "character special file 666"
}

setup || { fail perms/setup "could not make the snapshots"; exit 1; }
run_test perms/new_db_0600_in_0700_dirs t_new_db_private
run_test perms/written_files_0600 t_files_private
run_test perms/existing_file_mode_kept t_existing_kept
run_test perms/refuse_db_of_other_user t_refuse_db
run_test perms/refuse_wal_of_other_user t_refuse_wal
run_test perms/refuse_shm_of_other_user t_refuse_shm
run_test perms/read_db_of_other_user t_read_other
run_test perms/device_untouched t_device_untouched
