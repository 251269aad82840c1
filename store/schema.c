/* The schema, as SQL. Columns hold the kernel's raw numbers (facts); names come
 * from the lookup tables that db_open fills from the binary's own tables. */
#include "store/schema.h"

/* Tables of schema version 2; version 1 had one row per object per snapshot. */
#define SPAN_TABLES_SQL \
"CREATE TABLE prog_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL,"					\
"  id INTEGER NOT NULL, type INTEGER, name TEXT, tag TEXT, gpl_compatible INTEGER,"	\
"  full_name TEXT,"	/* the BTF name of the main function when name was cut at 15 chars */ \
"  load_time INTEGER, loaded_at INTEGER, uid INTEGER, bytes_xlated INTEGER,"		\
"  jited INTEGER, bytes_jited INTEGER, bytes_memlock INTEGER, btf_id INTEGER,"		\
"  ifindex INTEGER, netns_dev INTEGER, netns_ino INTEGER, verified_insns INTEGER,"	\
"  attach_btf_obj_id INTEGER, attach_btf_id INTEGER,"					\
"  nr_func_info INTEGER, func_info_rec_size INTEGER, nr_line_info INTEGER,"		\
"  line_info_rec_size INTEGER, nr_jited_line_info INTEGER, jited_line_info_rec_size INTEGER," \
"  nr_jited_ksyms INTEGER, nr_jited_func_lens INTEGER, nr_prog_tags INTEGER,"		\
"  nr_map_ids INTEGER,"									\
"  xlated BLOB, jited_insns BLOB, func_info BLOB, line_info BLOB,"			\
"  jited_line_info BLOB, jited_ksyms BLOB, jited_func_lens BLOB, prog_tags BLOB);\n"	\
"CREATE INDEX prog_rows_last ON prog_rows(last_snap, id);\n"				\
"CREATE INDEX prog_rows_id ON prog_rows(id);\n"						\
"CREATE TABLE prog_row_maps(row INTEGER NOT NULL REFERENCES prog_rows(row) ON DELETE CASCADE," \
"  idx INTEGER NOT NULL, map_id INTEGER NOT NULL, PRIMARY KEY(row, idx)) WITHOUT ROWID;\n" \
/* run-time counters change while the program stays: per snapshot, and only when not 0 */ \
"CREATE TABLE prog_stats(snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE," \
"  row INTEGER NOT NULL, run_time_ns INTEGER, run_cnt INTEGER, recursion_misses INTEGER," \
"  PRIMARY KEY(snapshot_id, row)) WITHOUT ROWID;\n"					\
"CREATE TABLE map_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL,"					\
"  id INTEGER NOT NULL, type INTEGER, name TEXT, flags INTEGER, bytes_key INTEGER,"	\
"  bytes_value INTEGER, max_entries INTEGER, bytes_memlock INTEGER, frozen INTEGER,"	\
"  btf_id INTEGER, btf_key_type_id INTEGER, btf_value_type_id INTEGER,"			\
"  btf_vmlinux_value_type_id INTEGER, map_extra INTEGER, ifindex INTEGER,"		\
"  netns_dev INTEGER, netns_ino INTEGER, owner_prog_type INTEGER);\n"			\
"CREATE INDEX map_rows_last ON map_rows(last_snap, id);\n"					\
"CREATE INDEX map_rows_id ON map_rows(id);\n"						\
/* contents, per snapshot that read them (maps-data, or a live dump) */			\
"CREATE TABLE map_data(snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE," \
"  row INTEGER NOT NULL, contents BLOB, nr_entries INTEGER, contents_error TEXT,"	\
"  PRIMARY KEY(snapshot_id, row)) WITHOUT ROWID;\n"					\
"CREATE TABLE pin_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, path TEXT NOT NULL, obj_type TEXT NOT NULL,"		\
"  obj_id INTEGER, ino INTEGER);\n"							\
"CREATE INDEX pin_rows_last ON pin_rows(last_snap);\n"					\
"CREATE INDEX pin_rows_obj ON pin_rows(obj_id);\n"						\
/* every cgroup the attachment walk visited, in its order (seq): what 'cgroup tree	\
 * effective' lists, with programs or without */						\
"CREATE TABLE cgroup_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, path TEXT NOT NULL, seq INTEGER NOT NULL, ino INTEGER);\n"	\
"CREATE INDEX cgroup_rows_last ON cgroup_rows(last_snap, path);\n"

/* Attachments made without links and the netfilter links (docs/schema.md): the columns all
 * kinds share, then each kind's own (NULL for the other kinds); schema 3. */
#define ATTACHMENTS_SQL(name) \
"CREATE TABLE " name "(snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE," \
"  kind TEXT NOT NULL, prog_id INTEGER, link_id INTEGER, ifindex INTEGER, devname TEXT,"	\
"  attach_type INTEGER, mode TEXT, cgroup_path TEXT, target TEXT,"				\
"  position INTEGER,"		/* tcx, netkit, cgroup, flow_dissector: place in the chain */	\
"  attach_flags INTEGER,"	/* tcx, netkit: prog flags; cgroup: BPF_F_ALLOW_* */		\
"  link_flags INTEGER,"		/* tcx, netkit */						\
"  xdp_attached INTEGER,"	/* xdp: IFLA_XDP_ATTACHED (XDP_ATTACHED_MULTI: several rows) */	\
"  tc_handle INTEGER, tc_prio INTEGER, tc_parent INTEGER, tc_protocol INTEGER,"		\
"  tc_flags INTEGER,"		/* tc: TCA_BPF_FLAGS (1: direct-action) */			\
"  cgroup_id INTEGER,"		/* cgroup: the cgroup's inode (links name it so) */		\
"  nf_pf INTEGER, nf_hooknum INTEGER, nf_prio INTEGER, nf_flags INTEGER,"			\
"  pe_pid INTEGER, pe_fd INTEGER, pe_fd_type INTEGER,"	/* perf_event: enum bpf_task_fd_type */ \
"  pe_offset INTEGER, pe_addr INTEGER);\n"

/* ---- sockets (packet sockets and their classic BPF filters) ----------------------------
 * A self-contained step: CREATE ... IF NOT EXISTS, so it runs on a file of any version that
 * lacks it. It is applied with the views (db_views_sql's stamp covers it), so schema 3 stays
 * 3 here; a numbered migration can take it as it is (docs/schema.md, "sockets"). One row per
 * socket and process holding it (pid NULL: none seen); filter is the blob of the classic
 * program (struct sock_filter[] as the kernel returned it), NULL when the socket has none
 * (or an eBPF one, which sock_diag does not report). */
#define SOCKETS_SQL \
"CREATE TABLE IF NOT EXISTS sockets(snapshot_id INTEGER NOT NULL REFERENCES snapshots(id)" \
"  ON DELETE CASCADE, netns_ino INTEGER, family INTEGER NOT NULL, type INTEGER,"	\
"  protocol INTEGER,"		/* packet: the ethertype, host order (ETH_P_ALL 3) */	\
"  ino INTEGER NOT NULL, ifindex INTEGER, devname TEXT, uid INTEGER,"			\
"  fanout INTEGER,"		/* packet: PACKET_DIAG_FANOUT (id | type << 16) */	\
"  pid INTEGER, comm TEXT, fd INTEGER, filter BLOB, nr_insns INTEGER);\n"		\
"CREATE INDEX IF NOT EXISTS sockets_snap ON sockets(snapshot_id, ino);\n"
const char db_sockets_sql[] = SOCKETS_SQL;

const char db_schema_sql[] =
"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);\n"
/* content-addressed blobs: sha256 of the raw bytes -> the bytes, zlib-compressed (codec 1)
 * or as they are (codec 0: small blobs, where zlib costs more than it saves) */
"CREATE TABLE blobs(hash BLOB PRIMARY KEY, kind TEXT NOT NULL, raw_size INTEGER NOT NULL,"
"  codec INTEGER NOT NULL DEFAULT 1, zdata BLOB NOT NULL) WITHOUT ROWID;\n"
/* per boot: kernel symbols (text symbols of vmlinux and modules, not BPF's) */
"CREATE TABLE boots(boot_id TEXT PRIMARY KEY, first_seen INTEGER, kallsyms BLOB);\n"
"CREATE TABLE snapshots(id INTEGER PRIMARY KEY AUTOINCREMENT, taken_at INTEGER NOT NULL,"
"  label TEXT, host TEXT, boot_id TEXT, kernel_release TEXT, kernel_version TEXT, arch TEXT,"
"  page_size INTEGER, nr_cpus INTEGER, tool_version TEXT, mask INTEGER,"
"  boot_time_ns INTEGER,"	/* realtime - boottime at capture: load_time -> wall clock */
"  nr_progs INTEGER, nr_maps INTEGER, nr_btf INTEGER, nr_links INTEGER,"
"  nr_attachments INTEGER, nr_pins INTEGER,"
"  vanished_progs INTEGER, vanished_maps INTEGER, vanished_btf INTEGER, vanished_links INTEGER,"
"  duration_ns INTEGER, stats_interval_ns INTEGER,"
"  unprivileged_bpf_disabled INTEGER, bpf_jit_enable INTEGER, bpf_jit_harden INTEGER,"
"  bpf_jit_kallsyms INTEGER, bpf_stats_enabled INTEGER, warnings TEXT);\n"
"CREATE INDEX snapshots_label ON snapshots(label);\n"
/* Programs, maps and pins are stored as spans: one row per object state, valid from
 * first_snap to last_snap (SPAN_OPEN while the object is still there as of the latest
 * snapshot), so an unchanged system adds no rows. The views progs, maps, prog_maps and pins
 * give one row per object per snapshot, as the readers want them. digest: a hash of the
 * row's facts (with the boot), to tell unchanged from changed. */
SPAN_TABLES_SQL
"CREATE TABLE btf(snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,"
"  id INTEGER NOT NULL, name TEXT, size INTEGER, kernel INTEGER, data BLOB,"
"  PRIMARY KEY(snapshot_id, id)) WITHOUT ROWID;\n"
"CREATE TABLE links(snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,"
"  id INTEGER NOT NULL, type INTEGER, prog_id INTEGER, attach_type INTEGER,"
"  target TEXT,"			/* tracepoint, iter target, kprobe func, uprobe path */
"  target_obj_id INTEGER, target_btf_id INTEGER, cgroup_id INTEGER, ifindex INTEGER,"
"  netns_ino INTEGER, offset INTEGER, cookie INTEGER, flags INTEGER, info_raw BLOB,"
"  PRIMARY KEY(snapshot_id, id)) WITHOUT ROWID;\n"
ATTACHMENTS_SQL("attachments")
"CREATE INDEX attachments_snap ON attachments(snapshot_id, kind);\n"
"CREATE TABLE owners(snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,"
"  obj_type TEXT NOT NULL, obj_id INTEGER NOT NULL, pid INTEGER NOT NULL, comm TEXT);\n"
"CREATE INDEX owners_obj ON owners(snapshot_id, obj_type, obj_id);\n"
SOCKETS_SQL
/* ELF objects loaded through bpfscope, for replay */
"CREATE TABLE objects(id INTEGER PRIMARY KEY, loaded_at INTEGER, path TEXT, elf BLOB,"
"  boot_id TEXT, prog_ids TEXT, map_ids TEXT, pin_dir TEXT);\n"
/* lookup tables, refilled by the binary on open */
"CREATE TABLE prog_types(id INTEGER PRIMARY KEY, name TEXT);\n"
"CREATE TABLE map_types(id INTEGER PRIMARY KEY, name TEXT);\n"
"CREATE TABLE attach_types(id INTEGER PRIMARY KEY, name TEXT);\n"
"CREATE TABLE link_types(id INTEGER PRIMARY KEY, name TEXT);\n";

const char db_views_sql[] =
/* one row per object per snapshot, from the spans; a snapshot that did not look (a live
 * view without programs, a snapshot without pins) has none. The mask bits are
 * store/snap_mask.h's: 16 SNAP_PINS, 32 SNAP_ATTACH, 256 SNAP_NO_PROGS,
 * 512 SNAP_NO_MAPS, 2097152 SNAP_ATTACH_NO_CGROUP; store/writer.c checks them. */
"DROP VIEW IF EXISTS progs;\n"
"CREATE VIEW progs AS SELECT s.id AS snapshot_id, r.id AS id, r.type AS type, r.name AS name,"
"  r.tag AS tag, r.gpl_compatible AS gpl_compatible, r.full_name AS full_name,"
"  r.load_time AS load_time, r.loaded_at AS loaded_at, r.uid AS uid,"
"  r.bytes_xlated AS bytes_xlated, r.jited AS jited, r.bytes_jited AS bytes_jited,"
"  r.bytes_memlock AS bytes_memlock, r.btf_id AS btf_id, r.ifindex AS ifindex,"
"  r.netns_dev AS netns_dev, r.netns_ino AS netns_ino,"
"  coalesce(t.run_time_ns, 0) AS run_time_ns, coalesce(t.run_cnt, 0) AS run_cnt,"
"  coalesce(t.recursion_misses, 0) AS recursion_misses, r.verified_insns AS verified_insns,"
"  r.attach_btf_obj_id AS attach_btf_obj_id, r.attach_btf_id AS attach_btf_id,"
"  r.nr_func_info AS nr_func_info, r.func_info_rec_size AS func_info_rec_size,"
"  r.nr_line_info AS nr_line_info, r.line_info_rec_size AS line_info_rec_size,"
"  r.nr_jited_line_info AS nr_jited_line_info,"
"  r.jited_line_info_rec_size AS jited_line_info_rec_size, r.nr_jited_ksyms AS nr_jited_ksyms,"
"  r.nr_jited_func_lens AS nr_jited_func_lens, r.nr_prog_tags AS nr_prog_tags,"
"  r.xlated AS xlated, r.jited_insns AS jited_insns, r.func_info AS func_info,"
"  r.line_info AS line_info, r.jited_line_info AS jited_line_info,"
"  r.jited_ksyms AS jited_ksyms, r.jited_func_lens AS jited_func_lens,"
"  r.prog_tags AS prog_tags, r.row AS row_id"
"  FROM snapshots s JOIN prog_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id"
"  LEFT JOIN prog_stats t ON t.snapshot_id = s.id AND t.row = r.row"
"  WHERE (s.mask & 256) = 0;\n"
"DROP VIEW IF EXISTS prog_maps;\n"
"CREATE VIEW prog_maps AS SELECT s.id AS snapshot_id, r.id AS prog_id, m.idx AS idx,"
"  m.map_id AS map_id FROM snapshots s JOIN prog_rows r ON r.last_snap >= s.id"
"  AND r.first_snap <= s.id JOIN prog_row_maps m ON m.row = r.row WHERE (s.mask & 256) = 0;\n"
"DROP VIEW IF EXISTS maps;\n"
"CREATE VIEW maps AS SELECT s.id AS snapshot_id, r.id AS id, r.type AS type, r.name AS name,"
"  r.flags AS flags, r.bytes_key AS bytes_key, r.bytes_value AS bytes_value,"
"  r.max_entries AS max_entries, r.bytes_memlock AS bytes_memlock, r.frozen AS frozen,"
"  r.btf_id AS btf_id, r.btf_key_type_id AS btf_key_type_id,"
"  r.btf_value_type_id AS btf_value_type_id,"
"  r.btf_vmlinux_value_type_id AS btf_vmlinux_value_type_id, r.map_extra AS map_extra,"
"  r.ifindex AS ifindex, r.netns_dev AS netns_dev, r.netns_ino AS netns_ino,"
"  r.owner_prog_type AS owner_prog_type, d.contents AS contents, d.nr_entries AS nr_entries,"
"  d.contents_error AS contents_error, r.row AS row_id"
"  FROM snapshots s JOIN map_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id"
"  LEFT JOIN map_data d ON d.snapshot_id = s.id AND d.row = r.row"
"  WHERE (s.mask & 512) = 0;\n"
"DROP VIEW IF EXISTS cgroups;\n"
"CREATE VIEW cgroups AS SELECT s.id AS snapshot_id, r.path AS path, r.seq AS seq, r.ino AS ino"
"  FROM snapshots s JOIN cgroup_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id"
"  WHERE (s.mask & 32) != 0 AND (s.mask & 2097152) = 0;\n"
"DROP VIEW IF EXISTS pins;\n"
"CREATE VIEW pins AS SELECT s.id AS snapshot_id, r.path AS path, r.obj_type AS obj_type,"
"  r.obj_id AS obj_id, r.ino AS ino"
"  FROM snapshots s JOIN pin_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id"
"  WHERE (s.mask & 16) != 0;\n"
"DROP VIEW IF EXISTS latest_snapshot;\n"
"CREATE VIEW latest_snapshot AS SELECT * FROM snapshots ORDER BY id DESC LIMIT 1;\n"
"DROP VIEW IF EXISTS progs_named;\n"
"CREATE VIEW progs_named AS SELECT p.*, t.name AS type_name,"
"  (SELECT group_concat(map_id) FROM (SELECT map_id FROM prog_row_maps m WHERE m.row = p.row_id"
"   ORDER BY idx)) AS map_ids"
"  FROM progs p LEFT JOIN prog_types t ON t.id = p.type;\n"
"DROP VIEW IF EXISTS maps_named;\n"
"CREATE VIEW maps_named AS SELECT m.*, t.name AS type_name FROM maps m"
"  LEFT JOIN map_types t ON t.id = m.type;\n"
"DROP VIEW IF EXISTS links_named;\n"
"CREATE VIEW links_named AS SELECT l.*, t.name AS type_name, a.name AS attach_type_name"
"  FROM links l LEFT JOIN link_types t ON t.id = l.type"
"  LEFT JOIN attach_types a ON a.id = l.attach_type;\n"
"DROP VIEW IF EXISTS latest_progs;\n"
"CREATE VIEW latest_progs AS SELECT * FROM progs_named"
"  WHERE snapshot_id = (SELECT max(id) FROM snapshots);\n"
"DROP VIEW IF EXISTS latest_maps;\n"
"CREATE VIEW latest_maps AS SELECT * FROM maps_named"
"  WHERE snapshot_id = (SELECT max(id) FROM snapshots);\n"
"DROP VIEW IF EXISTS latest_links;\n"
"CREATE VIEW latest_links AS SELECT * FROM links_named"
"  WHERE snapshot_id = (SELECT max(id) FROM snapshots);\n"
/* One row per program identity per snapshot: identity is (type, name, attach point
 * or pin path); the tag tells versions apart. */
"DROP VIEW IF EXISTS prog_history;\n"
"CREATE VIEW prog_history AS SELECT s.id AS snapshot_id, s.taken_at, s.label,"
"  p.type_name AS type, coalesce(p.full_name, p.name) AS name, coalesce("
"   (SELECT min(path) FROM pins x WHERE x.snapshot_id = p.snapshot_id AND x.obj_type = 'prog'"
"    AND x.obj_id = p.id),"
"   (SELECT min(x.path) FROM pins x JOIN links l ON l.snapshot_id = x.snapshot_id AND l.id = x.obj_id"
"    WHERE x.snapshot_id = p.snapshot_id AND x.obj_type = 'link' AND l.prog_id = p.id),"
"   (SELECT min(a.kind || ':' || coalesce(a.devname, a.cgroup_path, a.target, ''))"
"    FROM attachments a WHERE a.snapshot_id = p.snapshot_id AND a.prog_id = p.id),"
"   (SELECT min(coalesce(t.name, l.type) || ':' || coalesce(l.target, l.ifindex, l.cgroup_id, ''))"
"    FROM links l LEFT JOIN link_types t ON t.id = l.type"
"    WHERE l.snapshot_id = p.snapshot_id AND l.prog_id = p.id), '') AS attach_point,"
"  p.tag, p.id AS prog_id, p.loaded_at, p.bytes_xlated, p.bytes_jited, p.run_cnt, p.run_time_ns,"
"  p.type AS type_id"
"  FROM progs_named p JOIN snapshots s ON s.id = p.snapshot_id;\n"
/* Program identities per snapshot, spelled as diff -j spells them ("prog:TYPE:NAME@POINT"):
 * how many programs of it and their least tag (ties are diff's to pair, not SQL's) */
"DROP VIEW IF EXISTS prog_idents;\n"
"CREATE VIEW prog_idents AS SELECT snapshot_id, taken_at, label,"
"  'prog:' || coalesce(type, 'type' || type_id) || ':' || name || '@' || attach_point AS identity,"
"  coalesce(type, 'type' || type_id) AS type, name, attach_point, min(tag) AS tag,"
"  count(*) AS instances, min(prog_id) AS prog_id, max(bytes_xlated) AS bytes_xlated"
"  FROM prog_history GROUP BY snapshot_id, identity;\n"
/* One row per program change between consecutive snapshots that looked at programs:
 * added (absent from the snapshot before), removed (absent from the one after: dated at
 * it), changed (another tag, or another number of instances) */
"DROP VIEW IF EXISTS changes;\n"
"CREATE VIEW changes AS WITH"
"  s AS (SELECT id, taken_at, lag(id) OVER (ORDER BY id) AS prev_id,"
"        lead(id) OVER (ORDER BY id) AS next_id, lead(taken_at) OVER (ORDER BY id) AS next_at"
"        FROM snapshots WHERE (mask & 256) = 0),"
"  x AS (SELECT i.*, lag(snapshot_id) OVER w AS prev_snap, lag(tag) OVER w AS prev_tag,"
"        lag(instances) OVER w AS prev_instances, lead(snapshot_id) OVER w AS next_snap"
"        FROM prog_idents i WINDOW w AS (PARTITION BY identity ORDER BY snapshot_id))"
"  SELECT s.id AS snapshot_id, s.taken_at AS taken_at, 'prog' AS kind, x.identity, x.type,"
"   x.name, x.attach_point,"
"   CASE WHEN x.prev_snap IS NOT s.prev_id THEN 'added' ELSE 'changed' END AS change,"
"   CASE WHEN x.prev_snap IS NOT s.prev_id THEN NULL WHEN x.prev_tag != x.tag THEN 'tag'"
"    ELSE 'instances' END AS field,"
"   CASE WHEN x.prev_snap IS NOT s.prev_id THEN NULL WHEN x.prev_tag != x.tag THEN x.prev_tag"
"    ELSE x.prev_instances END AS before,"
"   CASE WHEN x.prev_snap IS NOT s.prev_id THEN x.tag WHEN x.prev_tag != x.tag THEN x.tag"
"    ELSE x.instances END AS after, x.prog_id AS prog_id"
"   FROM x JOIN s ON s.id = x.snapshot_id WHERE s.prev_id IS NOT NULL AND"
"   (x.prev_snap IS NOT s.prev_id OR x.prev_tag != x.tag OR x.prev_instances != x.instances)"
"  UNION ALL"
"  SELECT s.next_id, s.next_at, 'prog', x.identity, x.type, x.name, x.attach_point, 'removed',"
"   NULL, x.tag, NULL, x.prog_id"
"   FROM x JOIN s ON s.id = x.snapshot_id"
"   WHERE s.next_id IS NOT NULL AND x.next_snap IS NOT s.next_id;\n"
/* One row per run of consecutive snapshots in which a program identity kept one tag */
"DROP VIEW IF EXISTS prog_timeline;\n"
"CREATE VIEW prog_timeline AS WITH"
"  s AS (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM snapshots"
"        WHERE (mask & 256) = 0),"
"  x AS (SELECT i.*, s.seq - row_number() OVER (PARTITION BY i.identity, i.tag"
"        ORDER BY i.snapshot_id) AS island FROM prog_idents i JOIN s ON s.id = i.snapshot_id)"
"  SELECT identity, type, name, attach_point, tag, min(snapshot_id) AS first_snap,"
"   max(snapshot_id) AS last_snap, min(taken_at) AS first_seen, max(taken_at) AS last_seen,"
"   count(*) AS snapshots, max(instances) AS instances"
"  FROM x GROUP BY identity, tag, island ORDER BY identity, first_snap;\n";

/* 1 -> 2: per-snapshot rows become spans, each old row a span of its one snapshot */
const char db_migration_1_sql[] =
SPAN_TABLES_SQL
"INSERT INTO prog_rows(first_snap, last_snap, digest, id, type, name, tag, gpl_compatible,"
"  full_name, load_time, loaded_at, uid, bytes_xlated, jited, bytes_jited, bytes_memlock,"
"  btf_id, ifindex, netns_dev, netns_ino, verified_insns, attach_btf_obj_id, attach_btf_id,"
"  nr_func_info, func_info_rec_size, nr_line_info, line_info_rec_size, nr_jited_line_info,"
"  jited_line_info_rec_size, nr_jited_ksyms, nr_jited_func_lens, nr_prog_tags, xlated,"
"  jited_insns, func_info, line_info, jited_line_info, jited_ksyms, jited_func_lens, prog_tags,"
"  nr_map_ids) SELECT snapshot_id, snapshot_id, 0, id, type, name, tag, gpl_compatible,"
"  full_name, load_time, loaded_at, uid, bytes_xlated, jited, bytes_jited, bytes_memlock,"
"  btf_id, ifindex, netns_dev, netns_ino, verified_insns, attach_btf_obj_id, attach_btf_id,"
"  nr_func_info, func_info_rec_size, nr_line_info, line_info_rec_size, nr_jited_line_info,"
"  jited_line_info_rec_size, nr_jited_ksyms, nr_jited_func_lens, nr_prog_tags, xlated,"
"  jited_insns, func_info, line_info, jited_line_info, jited_ksyms, jited_func_lens, prog_tags,"
"  (SELECT count(*) FROM prog_maps m WHERE m.snapshot_id = progs.snapshot_id"
"   AND m.prog_id = progs.id) FROM progs ORDER BY snapshot_id, id;\n"
"INSERT INTO prog_stats(snapshot_id, row, run_time_ns, run_cnt, recursion_misses)"
"  SELECT p.snapshot_id, r.row, p.run_time_ns, p.run_cnt, p.recursion_misses FROM progs p"
"  JOIN prog_rows r ON r.first_snap = p.snapshot_id AND r.id = p.id"
"  WHERE p.run_time_ns OR p.run_cnt OR p.recursion_misses;\n"
"INSERT INTO prog_row_maps(row, idx, map_id) SELECT r.row, m.idx, m.map_id FROM prog_maps m"
"  JOIN prog_rows r ON r.first_snap = m.snapshot_id AND r.id = m.prog_id;\n"
"INSERT INTO map_rows(first_snap, last_snap, digest, id, type, name, flags, bytes_key,"
"  bytes_value, max_entries, bytes_memlock, frozen, btf_id, btf_key_type_id,"
"  btf_value_type_id, btf_vmlinux_value_type_id, map_extra, ifindex, netns_dev, netns_ino,"
"  owner_prog_type) SELECT snapshot_id, snapshot_id, 0, id, type, name, flags, bytes_key,"
"  bytes_value, max_entries, bytes_memlock, frozen, btf_id, btf_key_type_id,"
"  btf_value_type_id, btf_vmlinux_value_type_id, map_extra, ifindex, netns_dev, netns_ino,"
"  owner_prog_type FROM maps ORDER BY snapshot_id, id;\n"
"INSERT INTO map_data(snapshot_id, row, contents, nr_entries, contents_error)"
"  SELECT m.snapshot_id, r.row, m.contents, m.nr_entries, m.contents_error FROM maps m"
"  JOIN map_rows r ON r.first_snap = m.snapshot_id AND r.id = m.id"
"  WHERE m.contents IS NOT NULL OR m.contents_error IS NOT NULL;\n"
"INSERT INTO pin_rows(first_snap, last_snap, path, obj_type, obj_id, ino)"
"  SELECT snapshot_id, snapshot_id, path, obj_type, obj_id, ino FROM pins;\n"
"DROP TABLE prog_maps; DROP TABLE progs; DROP TABLE maps; DROP TABLE pins;\n"
"CREATE INDEX owners_obj ON owners(snapshot_id, obj_type, obj_id);\n";

/* 2 -> 3: attachments get a column per fact (the per-kind detail strings and the flags,
 * priority and handle columns that meant a different thing per kind are read apart by
 * bpfscope_detail(), store/migrate.c). prog_history reads attachments: it is dropped and
 * made again with the other views. */
#define DETAIL(key) "bpfscope_detail(detail, '" key "')"
const char db_migration_2_sql[] =
"DROP VIEW IF EXISTS prog_history;\n"
"DELETE FROM meta WHERE key = 'views';\n"
ATTACHMENTS_SQL("attachments_3")
"INSERT INTO attachments_3(snapshot_id, kind, prog_id, link_id, ifindex, devname, attach_type,"
"  mode, cgroup_path, target, position, attach_flags, link_flags, xdp_attached, tc_handle,"
"  tc_prio, tc_parent, tc_protocol, tc_flags, cgroup_id, nf_pf, nf_hooknum, nf_prio, nf_flags,"
"  pe_pid, pe_fd, pe_fd_type, pe_offset, pe_addr)"
"  SELECT snapshot_id, kind, prog_id, link_id, ifindex, devname, attach_type, mode,"
"  cgroup_path, target,"
"  CASE WHEN kind IN ('tcx', 'netkit', 'cgroup', 'flow_dissector') THEN priority END,"
"  CASE WHEN kind IN ('tcx', 'netkit', 'cgroup') THEN flags END,"
"  CASE WHEN kind IN ('tcx', 'netkit') THEN coalesce(" DETAIL("link_flags") ", 0) END,"
"  CASE WHEN kind = 'xdp' THEN flags END,"
"  CASE WHEN kind = 'tc' THEN handle END, CASE WHEN kind = 'tc' THEN priority END,"
"  CASE WHEN kind = 'tc' THEN " DETAIL("parent") " END,"
"  CASE WHEN kind = 'tc' THEN " DETAIL("proto") " END, CASE WHEN kind = 'tc' THEN flags END,"
"  CASE WHEN kind = 'cgroup' THEN handle END,"
"  CASE WHEN kind = 'netfilter' THEN coalesce(" DETAIL("pf") ", 0) END,"
"  CASE WHEN kind = 'netfilter' THEN coalesce(" DETAIL("hooknum") ", 0) END,"
"  CASE WHEN kind = 'netfilter' THEN priority END, CASE WHEN kind = 'netfilter' THEN flags END,"
"  CASE WHEN kind = 'perf_event' THEN coalesce(" DETAIL("pid") ", 0) END,"
"  CASE WHEN kind = 'perf_event' THEN coalesce(" DETAIL("fd") ", 0) END,"
"  CASE WHEN kind = 'perf_event' THEN flags END,"
"  CASE WHEN kind = 'perf_event' THEN coalesce(" DETAIL("offset") ", 0) END,"
"  CASE WHEN kind = 'perf_event' THEN coalesce(" DETAIL("addr") ", 0) END"
"  FROM attachments ORDER BY rowid;\n"
"DROP TABLE attachments;\n"
/* (not ALTER TABLE RENAME: it checks every view, and a schema-1 file still has views over
 * the tables 1 -> 2 dropped until the views are made again after the migrations) */
ATTACHMENTS_SQL("attachments")
"INSERT INTO attachments SELECT * FROM attachments_3 ORDER BY rowid;\n"
"DROP TABLE attachments_3;\n"
"CREATE INDEX attachments_snap ON attachments(snapshot_id, kind);\n";
#undef DETAIL
