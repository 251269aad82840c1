#!/usr/bin/env bash
# fleet bench, in one run against a PostgreSQL server of its own (unix socket in a temp dir):
#   HOSTS simulated hosts x SNAPS snapshots each, made from SNAPS real snapshots of this
#   machine (N programs of our own loaded, some replaced half way) copied per host with
#   sqlite3: a host name each, and a few programs of each host with another tag (from the
#   start, or from half way); all pushed. Then: pushing one unchanged snapshot vs taking it
#   (in turns, RUNS times); the server's size vs the largest host file; "which hosts run a
#   program with tag X, since when" over all of it (whole command, and the server's time).
#   The unchanged push again through pgbouncer in front of the server (session pooling).
#   BASE_DB=FILE: the base history is a copy of FILE (no programs loaded, no snapshots taken
#   for it; the per-host tags name loadgen's programs, so a FILE without them gives hosts
#   that differ by name only).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BS=$TOP/build/bpfscope
. "$TOP/tests/pgbouncer.sh"
SHARED=${SHARED:-$TOP/../shared/bench}
[ -f "$SHARED/loadgen.c" ] || SHARED=/work/shared/bench
OUT=$TOP/bench/build
RUNS=${RUNS:-9}
HOSTS=${HOSTS:-100}
SNAPS=${SNAPS:-50}
N=${N:-1000}
PGBIN=/usr/lib/postgresql/15/bin
PIN=/sys/fs/bpf/bpfscope-fleet-bench-$$
[ "$(id -u)" = 0 ] || { echo "bench: needs root"; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mkdir -p "$OUT"
[ "$OUT/loadgen" -nt "$SHARED/loadgen.c" ] || gcc -O2 -o "$OUT/loadgen" "$SHARED/loadgen.c" -lbpf || exit 1
PGD=$(mktemp -d /tmp/bpfscope-fleet-bench.XXXXXX)
WORK=$(mktemp -d /tmp/bpfscope-fleet-bench-db.XXXXXX)
PGB_PID=
cleanup() {
	[ -n "$PGB_PID" ] && kill "$PGB_PID" 2>/dev/null && wait "$PGB_PID" 2>/dev/null
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" stop -m immediate >/dev/null 2>&1
	rm -rf "$PGD" "$WORK" "$PIN"
}
trap cleanup EXIT
chown postgres "$PGD"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGD/data" -U postgres --auth=trust -E UTF8 \
	--locale=C.UTF-8 >/dev/null || exit 1
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w \
	-o "-c listen_addresses='' -c unix_socket_directories='$PGD' -k '$PGD'" start >/dev/null || exit 1
C="host=$PGD dbname=postgres user=postgres"
psql_su() { runuser -u postgres -- psql -qAt -h "$PGD" -d postgres -c "$1"; }
ms() { echo $(( ($2 - $1) / 1000 )); }	# two date +%s%N -> us
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; other helpers' builds and tests)"

# the real history: SNAPS snapshots, N programs of ours, a tenth of them replaced by other
# code half way (new tags), plus whatever else this machine runs
mkdir -p "$PIN"
BASE=$WORK/base.db
if [ -n "${BASE_DB:-}" ]; then
	cp "$BASE_DB" "$BASE" || exit 1
	SNAPS=$(sqlite3 "$BASE" "SELECT count(*) FROM snapshot_rows")
else
	"$OUT/loadgen" "$PIN/a" "$N" || exit 1
	for ((i = 1; i <= SNAPS; i++)); do
		if [ "$i" = $((SNAPS / 2 + 1)) ]; then
			for ((k = 0; k < N / 10; k++)); do rm -f "$PIN/a/p$k"; done
			"$OUT/loadgen" "$PIN/b" $((N / 10)) 3 || exit 1
		fi
		"$BS" --db "$BASE" snapshot take >/dev/null || exit 1
	done
fi
progs=$(sqlite3 "$BASE" "SELECT count(*) FROM progs WHERE snapshot_id = (SELECT max(id) FROM snapshot_rows)")
echo "base history: $SNAPS real snapshots, $progs programs in the last, $(( $(stat -c %s "$BASE") / 1024 )) KiB"

# HOSTS copies: a name each; 3 programs of ours with a tag of the host's own: one from the
# start, two of those loaded half way (their span rows begin after the middle)
for ((h = 1; h <= HOSTS; h++)); do
	f=$WORK/h$h.db
	cp "$BASE" "$f"
	sqlite3 "$f" "UPDATE snapshot_envs SET host = 'sim-$h';
		UPDATE prog_rows SET tag = printf('%016x', $h) WHERE name = 'lg_prog_$((N / 10 + h))';
		UPDATE prog_rows SET tag = printf('%016x', 1000 + $h) WHERE name IN
			('lg_prog_$((h % (N / 10)))', 'lg_prog_$(((h + N / 20) % (N / 10)))')
			AND first_snap > $((SNAPS / 2));" || exit 1
done
largest=$(stat -c %s "$WORK"/h*.db | sort -n | tail -n 1)

"$BS" fleet init "$C" >/dev/null || exit 1
psql_su "VACUUM" >/dev/null
empty=$(psql_su "SELECT pg_database_size('postgres')")
t0=$(date +%s%N)
for ((h = 1; h <= HOSTS; h++)); do
	"$BS" --db "$WORK/h$h.db" fleet push "$C" >/dev/null || { echo "push h$h failed"; exit 1; }
	[ "$h" = 1 ] && t1=$(date +%s%N)
done
t2=$(date +%s%N)
echo "pushed $HOSTS hosts x $SNAPS snapshots: the first host $(( (t1 - t0) / 1000000 )) ms," \
	"the other $((HOSTS - 1)) $(( (t2 - t1) / 1000000 / (HOSTS > 1 ? HOSTS - 1 : 1) )) ms each"

# size: the staging tables' deleted rows go the way autovacuum would take them
psql_su "VACUUM ANALYZE" >/dev/null
size=$(psql_su "SELECT pg_database_size('postgres')")
rel=$(psql_su "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n
	ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm')")
echo "server: tables with their indexes and TOAST $((rel / 1024)) KiB" \
	"(pg_database_size over an empty schema $(( (size - empty) / 1024 )) KiB);" \
	"largest host file $((largest / 1024)) KiB; ratio $(awk -v a="$rel" -v b="$largest" \
	'BEGIN { printf "%.2f", a / b }') ($(awk -v a="$((size - empty))" -v b="$largest" \
	'BEGIN { printf "%.2f", a / b }') by pg_database_size)"
psql_su "SELECT c.relname, pg_total_relation_size(c.oid) / 1024 FROM pg_class c JOIN pg_namespace n
	ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'
	ORDER BY 2 DESC LIMIT 6" | tr '\n' ' ' | sed 's/^/  largest (KiB): /; s/$/\n/'

# what the size is made of, like for like: the host file's tables and indexes (dbstat) and
# the server's tables with their indexes and TOAST (KiB, largest first)
sqlite3 "$WORK/h1.db" "SELECT name, sum(pgsize) / 1024 FROM dbstat GROUP BY name ORDER BY 2 DESC
	LIMIT 8" | tr '\n' ' ' | sed 's/^/  host file (KiB): /; s/$/\n/'

# which hosts run a program with tag X, since when: the tag host 7 alone has from the start,
# a tag every host has (on 900 programs of each), and one no host has; by tag_hosts(tag)
# (schema 3), and by prog_spans grouped by host (schema 2's form: it expands every span)
med_server() {	# the median of RUNS server execution times (EXPLAIN ANALYZE) of $1
	local i t=()
	for ((i = 0; i < RUNS; i++)); do
		t+=($(psql_su "EXPLAIN (ANALYZE, FORMAT JSON) $1" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)[0]["Execution Time"] * 1000))'))
	done
	med "${t[@]}"
}
for tag in "$(printf '%016x' 7)" "$(sqlite3 "$BASE" "SELECT tag FROM prog_rows WHERE name = 'lg_prog_$((N - 1))' LIMIT 1")" 00000000deadbeef; do
	for q in "SELECT host, first_seen FROM tag_hosts('$tag')" \
		"SELECT host, min(first_seen) FROM prog_spans WHERE tag = '$tag' GROUP BY host"; do
		ts=()
		for ((i = 0; i < RUNS; i++)); do
			t0=$(date +%s%N); "$BS" fleet query "$C" "$q" >"$WORK/q.out"; t1=$(date +%s%N)
			ts+=($(ms "$t0" "$t1"))
		done
		echo "$q: $(($(wc -l < "$WORK/q.out") - 1)) hosts," \
			"$(med "${ts[@]}") ms the whole command, $(med_server "$q") ms in the server (medians)"
	done
done

# push of one unchanged snapshot vs taking it, in turns, on a host of its own (the live
# machine's file, pushed whole first)
LIVE=$WORK/live.db
cp "$BASE" "$LIVE"
"$BS" --db "$LIVE" fleet push "$C" host live >/dev/null || exit 1
# the work of a push apart from the wait for a loaded machine: our CPU (user + sys) and the
# server's time in its statements (log_min_duration_statement = 0 for these pushes only)
take=() push=() floor=() rows=() cpu=() srv=()
psql_su "ALTER SYSTEM SET log_min_duration_statement = 0" && psql_su "SELECT pg_reload_conf()" >/dev/null
for ((i = 0; i < RUNS; i++)); do
	t0=$(date +%s%N); "$BS" --db "$LIVE" snapshot take >/dev/null; t1=$(date +%s%N)
	logpos=$(stat -c %s "$PGD/log")
	/usr/bin/time -o "$WORK/cpu" -f "%U %S" "$BS" --db "$LIVE" -j fleet push "$C" host live \
		>"$WORK/push.json"; t2=$(date +%s%N)
	"$BS" fleet hosts "$C" >/dev/null; t3=$(date +%s%N)
	take+=($(ms "$t0" "$t1")); push+=($(ms "$t1" "$t2")); floor+=($(ms "$t2" "$t3"))
	cpu+=($(awk '{ printf "%d", ($1 + $2) * 1000000 }' "$WORK/cpu"))
	srv+=($(tail -c +$((logpos + 1)) "$PGD/log" | awk '/duration: .* ms/ { for (i = 1; i < NF; i++)
		if ($i == "duration:") s += $(i + 1) } END { printf "%d", s * 1000 }'))
	rows+=($(python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"])' < "$WORK/push.json"))
done
# a host where nothing changed (the issue's case, which this machine never is: its other
# processes' objects come and go): its next snapshot is a copy of its last snapshot row a
# second later, what snapshot take writes then; pushed RUNS times, each a connection of its own
UNCH=$WORK/unch.db
cp "$BASE" "$UNCH"
"$BS" --db "$UNCH" fleet push "$C" host unchanged >/dev/null || exit 1
# one more snapshot row on the unchanged host, pushed over $1 by a process of its own:
# "WALL_US CPU_US" (the push shipped that one row, or it says so and fails)
unchanged_push() {
	local t0 t1
	sqlite3 "$UNCH" "INSERT INTO snapshot_rows SELECT id + 1, taken_at + 1000000000, NULL, mask,
		boot_time_ns, nr_progs, nr_maps, nr_btf, nr_links, nr_attachments, nr_pins,
		vanished_progs, vanished_maps, vanished_btf, vanished_links, duration_ns,
		stats_interval_ns, warnings, env FROM snapshot_rows ORDER BY id DESC LIMIT 1" || return 1
	t0=$(date +%s%N)
	/usr/bin/time -o "$WORK/cpu" -f "%U %S" "$BS" --db "$UNCH" -j fleet push "$1" host unchanged \
		>"$WORK/push.json"; t1=$(date +%s%N)
	grep -q '"rows":1,' "$WORK/push.json" ||
		{ echo "unchanged push shipped more: $(cat "$WORK/push.json")" >&2; return 1; }
	echo "$(ms "$t0" "$t1") $(awk '{ printf "%d", ($1 + $2) * 1000000 }' "$WORK/cpu")"
}
upush=() ucpu=() usrv=()
for ((i = 0; i < RUNS; i++)); do
	logpos=$(stat -c %s "$PGD/log")
	out=$(unchanged_push "$C") || exit 1
	upush+=(${out% *}); ucpu+=(${out#* })
	usrv+=($(tail -c +$((logpos + 1)) "$PGD/log" | awk '/duration: .* ms/ { for (i = 1; i < NF; i++)
		if ($i == "duration:") s += $(i + 1) } END { printf "%d", s * 1000 }'))
done
psql_su "ALTER SYSTEM RESET log_min_duration_statement" && psql_su "SELECT pg_reload_conf()" >/dev/null
tm=$(med "${take[@]}"); pm=$(med "${push[@]}")
echo "one unchanged snapshot ($progs programs): push $pm ms, take $tm ms, push/take" \
	"$(awk -v a="$pm" -v b="$tm" 'BEGIN { printf "%.2f", a / b }');" \
	"a connection and one query (fleet hosts) $(med "${floor[@]}") ms"
echo "  the push's work: our CPU $(med "${cpu[@]}") ms (user + sys; 10 ms ticks), the server's" \
	"statements $(med "${srv[@]}") ms (the log's durations, the connection not counted)"
echo "  rows shipped per push (other processes' objects change too): ${rows[*]}"
um=$(med "${upush[@]}")
echo "one snapshot of an unchanged host (1 row): push $um ms (min $(med $(printf '%s\n' "${upush[@]}" |
	sort -n | head -n 1))), push/take $(awk -v a="$um" -v b="$tm" 'BEGIN { printf "%.2f", a / b }');" \
	"our CPU $(med "${ucpu[@]}") ms, the server's statements $(med "${usrv[@]}") ms"

# the same pushes through a pooler in front of the server (pgbouncer, session pooling, on a
# unix socket beside the server's): what a fleet whose hosts push from cron would run. The
# pooler keeps the server's backends, so a push's connection forks none and finds its
# catalog loaded; what is left is ours (libpq's dlopen, the file, the statements).
if [ -x "$PGBOUNCER" ]; then
	pgbouncer_start "$PGD" 6433 || exit 1
	"$BS" --db "$UNCH" fleet hosts "$PGB_CONN" >/dev/null || { echo "pgbouncer: no connection"; exit 1; }
	bpush=() bcpu=()
	for ((i = 0; i < RUNS; i++)); do
		out=$(unchanged_push "$PGB_CONN") || exit 1
		bpush+=(${out% *}); bcpu+=(${out#* })
	done
	bm=$(med "${bpush[@]}")
	echo "the same through pgbouncer (session pooling): push $bm ms (min $(med $(printf '%s\n' \
		"${bpush[@]}" | sort -n | head -n 1))), push/take $(awk -v a="$bm" -v b="$tm" \
		'BEGIN { printf "%.2f", a / b }'); our CPU $(med "${bcpu[@]}") ms"
fi

# a kept connection: snapshot watch pushing each snapshot as it takes it (-v: a line per push
# with its time, the connection's first push left out: it connects)
WDB=$WORK/watch.db
cp "$LIVE" "$WDB"
"$BS" --db "$WDB" fleet push "$C" host watch >/dev/null || exit 1
"$BS" --db "$WDB" -v snapshot watch interval 0.2 count $((RUNS + 1)) push "$C" host watch \
	>/dev/null 2>"$WORK/watch.err" || { cat "$WORK/watch.err"; exit 1; }
wt=($(grep '^push: host watch:' "$WORK/watch.err" | tail -n +2 | awk '{ printf "%d\n", $(NF - 1) * 1000 }'))
wr=$(grep '^push: host watch:' "$WORK/watch.err" | tail -n +2 | awk '{ printf "%s ", $6 }')
echo "snapshot watch ... push (one connection kept): each push $(med "${wt[@]}") ms (median of" \
	"${#wt[@]}; rows shipped: $wr)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
