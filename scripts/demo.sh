#!/usr/bin/env bash
# make demo: load the samples, snapshot the machine, and show what bpfscope does with it.
# Everything it loads is pinned under /sys/fs/bpf/bpfscope-demo and removed at the end.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
BS=$TOP/build/bpfscope
S=$TOP/samples/build
DB=$TOP/build/demo.db
PIN=/sys/fs/bpf/bpfscope-demo
NS=bpfscope-demo
OUT=$TOP/build/demo
[ "$(id -u)" = 0 ] || { echo "make demo loads BPF programs: run it as root"; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
cleanup() {
	"$BS" net detach xdpgeneric dev demo0 >/dev/null 2>&1
	ip link del demo0 >/dev/null 2>&1
	ip netns del $NS >/dev/null 2>&1
	rm -rf "$PIN"
}
trap cleanup EXIT
cleanup
rm -f "$DB" "$DB-wal" "$DB-shm"
mkdir -p "$PIN" "$OUT"
export BPFSCOPE_DB=$DB

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$TOP/||g"; "$@"; }
head_run() { local n=$1; shift; printf '$ %s | head -%s\n' "$*" "$n" | sed "s|$TOP/||g"; "$@" | head -"$n"; }

say "bpfscope and what it was built with"
run "$BS" version

say "Load the samples, as bpftool would (loadall ... autoattach pins programs and links)"
run "$BS" prog loadall "$S/getpid_count.bpf.o" "$PIN/getpid" pinmaps "$PIN/getpid_maps" autoattach || exit 1
run "$BS" prog loadall "$S/multi_func.bpf.o" "$PIN/multi" pinmaps "$PIN/multi_maps" autoattach || exit 1
run "$BS" prog load "$S/xdp_drop_8080.bpf.o" "$PIN/xdp" type xdp || exit 1
ip netns add $NS && ip link add demo0 type veth peer name demo1 && ip link set demo1 netns $NS &&
	ip link set demo0 up || exit 1
run "$BS" net attach xdpgeneric pinned "$PIN/xdp" dev demo0 || exit 1
"$S/getpid_loop" 1000

say "Take a snapshot (one transaction; code, BTF, pins, attachments and map contents)"
run "$BS" snapshot take label demo-before maps-data || exit 1

say "Read it back like bpftool, from the database"
run "$BS" -s demo-before prog show pinned "$PIN/getpid/count_getpid"
run "$BS" -s demo-before map dump pinned "$PIN/getpid_maps/count"
run "$BS" -s demo-before net show dev demo0

say "Disassembly from the snapshot: xlated with source lines, jited through capstone"
head_run 16 "$BS" -s demo-before prog dump xlated pinned "$PIN/getpid/count_getpid"
head_run 16 "$BS" -s demo-before prog dump jited pinned "$PIN/getpid/count_getpid"

say "Control-flow graphs rendered in-process (libgvc): one cluster per function"
run "$BS" -s demo-before prog cfg pinned "$PIN/multi/count_getppid" format svg file "$OUT/multi_func.svg" &&
	run "$BS" -s demo-before prog cfg pinned "$PIN/multi/count_getppid" format png file "$OUT/multi_func.png" &&
	echo "wrote $OUT/multi_func.svg and .png" | sed "s|$TOP/||g"

say "Change the machine: set the counter to 90, count 10 more calls, snapshot again"
run "$BS" map update pinned "$PIN/getpid_maps/count" key 00 00 00 00 value 90 00 00 00 || exit 1
"$S/getpid_loop" 10
run "$BS" snapshot take label demo-after maps-data || exit 1
run "$BS" -s demo-after map dump pinned "$PIN/getpid_maps/count"

say "Who holds what: the getpid_count loader (a libbpf skeleton) keeps its objects open"
"$S/getpid_count" 30 >/dev/null 2>&1 &
LOADER=$!
sleep 1
run "$BS" snapshot take label demo-held || { kill $LOADER; exit 1; }
run "$BS" -s demo-held prog show name count_getpid
kill $LOADER 2>/dev/null; wait $LOADER 2>/dev/null

say "Spans: a snapshot of an unchanged system adds no row per program, map or pin"
SPANS="SELECT (SELECT count(*) FROM snapshots) AS snapshots, (SELECT count(*) FROM prog_rows) AS prog_rows, (SELECT count(*) FROM map_rows) AS map_rows, (SELECT count(*) FROM pin_rows) AS pin_rows"
run "$BS" snapshot take label demo-same1 || exit 1
run "$BS" query "$SPANS"
run "$BS" snapshot take label demo-same2 || exit 1
run "$BS" query "$SPANS"

say "History: every snapshot, and SQL over all of them"
run "$BS" snapshot list
run "$BS" query "SELECT label, type, name, tag, attach_point FROM prog_history WHERE attach_point LIKE '%bpfscope-demo%' ORDER BY snapshot_id, name"
run "$BS" query "SELECT s.label, x.path, m.nr_entries, m.bytes_memlock FROM pins x JOIN maps m ON m.snapshot_id = x.snapshot_id AND m.id = x.obj_id JOIN snapshots s ON s.id = x.snapshot_id WHERE x.obj_type = 'map' AND x.path LIKE '%bpfscope-demo%' ORDER BY s.id, x.path"

say "Compare by identity: the XDP program rebuilt for port 9090 and reloaded, a new program"
sed 's/== 8080/== 9090/' samples/xdp_drop_8080.bpf.c > "$OUT/xdp_drop_9090.bpf.c"
clang -g -O2 -target bpf -I"/usr/include/$(uname -m)-linux-gnu" -c "$OUT/xdp_drop_9090.bpf.c" \
	-o "$OUT/xdp_drop_9090.bpf.o" || exit 1
"$BS" net detach xdpgeneric dev demo0 && rm -f "$PIN/xdp" || exit 1
run "$BS" prog load "$OUT/xdp_drop_9090.bpf.o" "$PIN/xdp" type xdp || exit 1
run "$BS" net attach xdpgeneric pinned "$PIN/xdp" dev demo0 || exit 1
mkdir -p "$PIN/tc"
run "$BS" prog loadall "$S/tc_counter.bpf.o" "$PIN/tc" || exit 1
run "$BS" snapshot take label demo-rebuilt || exit 1
run "$BS" diff demo-before demo-rebuilt progs
head_run 24 "$BS" diff demo-before demo-rebuilt progs code
run "$BS" diff demo-before demo-after maps contents
run "$BS" prog history pinned "$PIN/xdp"
run "$BS" query "SELECT snapshot_id, change, identity, field, before, after FROM changes WHERE identity LIKE '%bpfscope-demo%' ORDER BY snapshot_id"

say "Judge it: what an attacker would load or hide (exit 1 when something is at medium or above)"
run "$BS" audit demo-rebuilt baseline demo-before severity info
say "One self-contained HTML page of the snapshot (findings, tables, code, CFGs)"
run "$BS" report demo-rebuilt file "$OUT/report.html" && echo "wrote $OUT/report.html" | sed "s|$TOP/||g"

say "Done: the database is $DB (try: $BS --db $DB query 'SELECT * FROM latest_progs')" | sed "s|$TOP/||g"
