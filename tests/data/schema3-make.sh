#!/usr/bin/env bash
# Writes tests/data/schema3.db and its expected outputs (tests/data/schema3/*) with a
# schema-3 binary (commit 48ce7bd): three snapshots, in a fresh netns, of two multi_func
# loads (tracepoint links pinned), xdp and a clsact filter on a veth, a tcx link, a
# netfilter link, cgroup programs and getpid_count (a perf_event attachment and the process
# owning its objects); the second with run-time counters, the third with map contents; between
# the second and third, one multi_func load and the xdp program go. Pruned to those objects. t_spans4.sh upgrades it to schema 4 and expects the
# same outputs.
# Usage (root): BPFSCOPE=/path/to/old/bpfscope bash tests/data/schema3-make.sh
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OLD=${BPFSCOPE:?the schema-3 binary}
S=$TOP/samples/build
OUT=$TOP/tests/data
T=$(mktemp -d)
NS=bpfscope-schema3-$$
NSX="nsenter --net=/var/run/netns/$NS"
CG=/sys/fs/cgroup/unified/bpfscope_schema3
PIN=/sys/fs/bpf/bpfscope_schema3
export BPFSCOPE_DB=$T/loads.db	# what loadall records for replay goes here, not to the host's
export TZ=UTC
cleanup() {
	set +e
	[ -n "${LPID:-}" ] && kill "$LPID"
	bpftool cgroup detach $CG/child cgroup_inet_ingress pinned $PIN/cg_ingress_ok
	bpftool cgroup detach $CG cgroup_inet_egress pinned $PIN/cg_egress_allow_everything
	rmdir $CG/child $CG
	ip netns del $NS
	rm -rf $PIN "$T"
} 2>/dev/null
trap cleanup EXIT
cat > "$T/cg.bpf.c" <<'EOC'
#include <linux/bpf.h>
#define SEC(n) __attribute__((section(n), used))
char _license[] SEC("license") = "GPL";
SEC("cgroup_skb/egress") int cg_egress_allow_everything(struct __sk_buff *skb) { return 1; }
SEC("cgroup_skb/ingress") int cg_ingress_ok(struct __sk_buff *skb) { return 1; }
EOC
clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$T/cg.bpf.c" -o "$T/cg.bpf.o"
gcc -o "$T/nf_link" "$TOP/tests/helpers/nf_link.c"
mkdir -p $PIN $CG/child
bpftool prog loadall "$T/cg.bpf.o" $PIN/cg
mv $PIN/cg/* $PIN/ && rmdir $PIN/cg
bpftool cgroup attach $CG cgroup_inet_egress pinned $PIN/cg_egress_allow_everything multi
bpftool cgroup attach $CG/child cgroup_inet_ingress pinned $PIN/cg_ingress_ok
"$OLD" prog loadall "$S/multi_func.bpf.o" $PIN/m1 autoattach >/dev/null
"$OLD" prog loadall "$S/multi_func.bpf.o" $PIN/m2 autoattach >/dev/null
ip netns add $NS
$NSX ip link add va type veth peer name vb
$NSX ip link set va up; $NSX ip link set vb up
$NSX ip link set dev va xdpgeneric obj "$S/xdp_drop_8080.bpf.o" sec xdp
$NSX tc qdisc add dev va clsact
$NSX tc filter add dev va ingress bpf da obj "$S/tc_counter.bpf.o" sec tc
bpftool prog load "$S/tc_counter.bpf.o" $PIN/tcx type classifier
$NSX "$OLD" net attach tcx_ingress pinned $PIN/tcx dev vb
$NSX "$T/nf_link" $PIN/nf
"$S/getpid_count" 300 > "$T/loader.out" 2>&1 &
LPID=$!
for _ in $(seq 50); do
	bpftool -j perf show | grep -q "\"pid\":$LPID," && break
	sleep 0.1
done
DB=$T/s.db
$NSX "$OLD" --db "$DB" snapshot take label s1 >/dev/null
$NSX "$OLD" --db "$DB" snapshot take label s2 stats 1 >/dev/null	# run-time counters
M2=$(bpftool -j link show pinned $PIN/m2/count_getppid | jq .id)
rm -rf $PIN/m2
for _ in $(seq 50); do bpftool link show id "$M2" >/dev/null 2>&1 || break; sleep 0.1; done
$NSX ip link set dev va xdpgeneric off
$NSX "$OLD" --db "$DB" snapshot take label s3 maps-data >/dev/null 2>&1
# keep our objects only: our netns's rows, our cgroups, our pins, our pid, our netfilter link
NF=$(bpftool -j link show pinned $PIN/nf | jq .id)
sqlite3 "$DB" <<EOS
PRAGMA foreign_keys = ON;
DELETE FROM attachments WHERE (kind = 'cgroup' AND cgroup_path NOT LIKE '$CG%')
  OR (kind = 'perf_event' AND pe_pid != $LPID) OR (kind = 'netfilter' AND link_id != $NF);
CREATE TEMP TABLE keep_progs AS SELECT prog_id AS id FROM attachments
  UNION SELECT obj_id FROM pins WHERE path LIKE '$PIN/%' AND obj_type = 'prog'
  UNION SELECT l.prog_id FROM links l JOIN pins p ON p.snapshot_id = l.snapshot_id
   AND p.obj_type = 'link' AND p.obj_id = l.id WHERE p.path LIKE '$PIN/%';
DELETE FROM links WHERE prog_id NOT IN (SELECT id FROM keep_progs);
DELETE FROM prog_rows WHERE id NOT IN (SELECT id FROM keep_progs);
DELETE FROM prog_stats WHERE row NOT IN (SELECT row FROM prog_rows);
DELETE FROM map_rows WHERE id NOT IN (SELECT map_id FROM prog_row_maps);
DELETE FROM map_data WHERE row NOT IN (SELECT row FROM map_rows);
DELETE FROM btf WHERE id NOT IN (SELECT btf_id FROM prog_rows UNION SELECT btf_id FROM map_rows)
  AND NOT (kernel AND name = 'vmlinux');
UPDATE btf SET data = NULL WHERE kernel;
DELETE FROM pin_rows WHERE path NOT LIKE '$PIN/%';
DELETE FROM owners WHERE pid != $LPID;
DELETE FROM cgroup_rows WHERE seq != 0 AND path NOT LIKE '$CG%';
UPDATE cgroup_rows SET seq = (SELECT count(*) FROM cgroup_rows c WHERE c.seq < cgroup_rows.seq);
UPDATE boots SET kallsyms = NULL;
DELETE FROM objects;
DELETE FROM blobs WHERE hash NOT IN (SELECT h FROM (SELECT xlated AS h FROM prog_rows UNION SELECT jited_insns FROM prog_rows
  UNION SELECT func_info FROM prog_rows UNION SELECT line_info FROM prog_rows
  UNION SELECT jited_line_info FROM prog_rows UNION SELECT jited_ksyms FROM prog_rows
  UNION SELECT jited_func_lens FROM prog_rows UNION SELECT prog_tags FROM prog_rows
  UNION SELECT info_raw FROM links UNION SELECT data FROM btf UNION SELECT contents FROM map_data) WHERE h IS NOT NULL);
PRAGMA journal_mode = DELETE;
VACUUM;
EOS
cp "$DB" "$OUT/schema3.db"
rm -rf "$OUT/schema3" && mkdir "$OUT/schema3"
# file snap args...: a command; file snap "SQL": a query (csv)
grep -v '^#' "$OUT/schema3-cmds.txt" | while read -r file snap args; do
	[ -n "$file" ] || continue
	case $args in
	'"'*) sql=${args#\"}; "$OLD" --db "$OUT/schema3.db" query "${sql%\"}" csv > "$OUT/schema3/$file" ;;
	# shellcheck disable=SC2086
	*) "$OLD" --db "$OUT/schema3.db" -s "$snap" $args > "$OUT/schema3/$file" ;;
	esac
done
