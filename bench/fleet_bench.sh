#!/usr/bin/env bash
# fleet bench, in one run against a PostgreSQL server of its own (unix socket, temp dir):
#   pushing one snapshot of an unchanged 1,000-program host vs taking that snapshot (run in
#   turns: take, then push it, RUNS times); HOSTS hosts running the same programs (the same
#   history pushed under HOSTS names): server size vs the host's file; "which hosts run a
#   program with tag X, since when" over all of it.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BS=$TOP/build/bpfscope
SHARED=${SHARED:-$TOP/../shared/bench}
[ -f "$SHARED/loadgen.c" ] || SHARED=/work/shared/bench
OUT=$TOP/bench/build
RUNS=${RUNS:-9}
HOSTS=${HOSTS:-20}
N=${N:-1000}
PGBIN=/usr/lib/postgresql/15/bin
PIN=/sys/fs/bpf/bpfscope-fleet-bench-$$
[ "$(id -u)" = 0 ] || { echo "bench: needs root"; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mkdir -p "$OUT"
[ "$OUT/loadgen" -nt "$SHARED/loadgen.c" ] || gcc -O2 -o "$OUT/loadgen" "$SHARED/loadgen.c" -lbpf || exit 1
PGD=$(mktemp -d /tmp/bpfscope-fleet-bench.XXXXXX)
WORK=$(mktemp -d /tmp/bpfscope-fleet-bench-db.XXXXXX)
cleanup() {
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
DB=$WORK/host.db
psql_su() { runuser -u postgres -- psql -qAt -h "$PGD" -d postgres -c "$1"; }
mkdir -p "$PIN"
"$OUT/loadgen" "$PIN/p$N" "$N" || exit 1

"$BS" fleet init "$C" >/dev/null || exit 1
empty=$(psql_su "SELECT pg_database_size('postgres')")
"$BS" --db "$DB" snapshot take >/dev/null || exit 1
t0=$(date +%s%N); "$BS" --db "$DB" fleet push "$C" >/dev/null || exit 1; t1=$(date +%s%N)
first_ms=$(( (t1 - t0) / 1000000 ))

# take, then push that one snapshot, in turns
take=() push=() rows=() conn=()
for ((i = 0; i < RUNS; i++)); do
	t0=$(date +%s%N); "$BS" --db "$DB" snapshot take >/dev/null; t1=$(date +%s%N)
	"$BS" --db "$DB" -j fleet push "$C" > "$WORK/push.json"; t2=$(date +%s%N)
	"$BS" fleet hosts "$C" >/dev/null; t3=$(date +%s%N)
	take+=($(( (t1 - t0) / 1000 ))); push+=($(( (t2 - t1) / 1000 )))
	conn+=($(( (t3 - t2) / 1000 )))
	rows+=($(python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"])' < "$WORK/push.json"))
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'; }
take_ms=$(med "${take[@]}"); push_ms=$(med "${push[@]}")
echo "one unchanged snapshot of $N programs: push $push_ms ms, take $take_ms ms," \
	"push/take $(awk -v a="$push_ms" -v b="$take_ms" 'BEGIN { printf "%.2f", a / b }')" \
	"(first push of the whole file: $first_ms ms)"
echo "  rows shipped per push (other processes' objects change too): $(printf '%s\n' "${rows[@]}" | sort -n | tr '\n' ' ')"
echo "  a connection and one query (fleet hosts), the floor of any fleet command: $(med "${conn[@]}") ms"

# the same history as HOSTS hosts: blobs once, spans per host
for ((h = 1; h < HOSTS; h++)); do
	"$BS" --db "$DB" fleet push "$C" host "sim-$h" >/dev/null || exit 1
done
psql_su "VACUUM ANALYZE" >/dev/null
size=$(psql_su "SELECT pg_database_size('postgres')")
file=$(stat -c %s "$DB")
echo "$HOSTS hosts x $((RUNS + 1)) snapshots: server $(( (size - empty) / 1024 )) KiB over an empty" \
	"schema, the host's file $((file / 1024)) KiB, ratio" \
	"$(awk -v a="$((size - empty))" -v b="$file" 'BEGIN { printf "%.2f", a / b }')"
tag=$(psql_su "SELECT tag FROM prog_rows LIMIT 1")
q="SELECT host, min(first_seen) FROM prog_spans WHERE tag = '$tag' GROUP BY host"
ts=()
for ((i = 0; i < RUNS; i++)); do
	t0=$(date +%s%N); "$BS" fleet query "$C" "$q" >/dev/null; t1=$(date +%s%N)
	ts+=($(( (t1 - t0) / 1000 )))
done
echo "which hosts run tag $tag, since when ($HOSTS hosts): $(med "${ts[@]}") ms (the whole command)"
