/* The schema, as SQL. Columns hold the kernel's raw numbers (facts); names come
 * from the lookup tables that db_open fills from the binary's own tables. */
#include <stddef.h>
#include "store/schema.h"

/* content-addressed blobs: sha256 of the raw bytes -> the bytes, zlib-compressed (codec 1)
 * or as they are (codec 0: small blobs, where zlib costs more than it saves); the hash a
 * unique index, the rows a rowid table (schema 10, below) */
#define BLOBS_TABLE_SQL(name) \
"CREATE TABLE " name "(hash BLOB NOT NULL UNIQUE, kind TEXT NOT NULL,"			\
"  raw_size INTEGER NOT NULL, codec INTEGER NOT NULL DEFAULT 1, zdata BLOB NOT NULL);\n"

/* What changes while a program or map stays, per snapshot of snaps (the FK parent); the
 * counters are spans since schema 4 (prog_stat_rows) */
#define PROG_STATS_SQL(name, snaps) \
"CREATE TABLE " name "(snapshot_id INTEGER NOT NULL REFERENCES " snaps "(id) ON DELETE CASCADE," \
"  row INTEGER NOT NULL, run_time_ns INTEGER, run_cnt INTEGER, recursion_misses INTEGER," \
"  PRIMARY KEY(snapshot_id, row)) WITHOUT ROWID;\n"
/* Schema 4: run-time counters change while the program stays, but not always: a span of
 * counters per program state (prog_row: its prog_rows row), written only when not 0. The view
 * prog_stats gives them per snapshot. */
#define PROG_STAT_ROWS_SQL \
"CREATE TABLE prog_stat_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"	\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL, prog_row INTEGER NOT NULL,"	\
"  run_time_ns INTEGER, run_cnt INTEGER, recursion_misses INTEGER);\n"			\
"CREATE INDEX prog_stat_rows_last ON prog_stat_rows(last_snap);\n"				\
"CREATE INDEX prog_stat_rows_prog ON prog_stat_rows(prog_row);\n"
/* Schema 4: a map's contents, per snapshot that read them (maps-data, or a live dump), as
 * spans too: the contents blob, and so the row, stays while the map does not change. */
#define MAP_DATA_ROWS_SQL \
"CREATE TABLE map_data_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"	\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL, map_row INTEGER NOT NULL,"	\
"  contents BLOB, nr_entries INTEGER, contents_error TEXT);\n"				\
"CREATE INDEX map_data_rows_last ON map_data_rows(last_snap);\n"				\
"CREATE INDEX map_data_rows_map ON map_data_rows(map_row);\n"
#define MAP_DATA_SQL(name, snaps) \
"CREATE TABLE " name "(snapshot_id INTEGER NOT NULL REFERENCES " snaps "(id) ON DELETE CASCADE," \
"  row INTEGER NOT NULL, contents BLOB, nr_entries INTEGER, contents_error TEXT,"	\
"  PRIMARY KEY(snapshot_id, row)) WITHOUT ROWID;\n"

/* Tables of schema version 2; version 1 had one row per object per snapshot. snaps: the
 * table the per-snapshot rows belong to (snapshots until schema 4, snapshot_rows since). */
#define SPAN_TABLES_SQL(snaps) \
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
"CREATE TABLE map_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL,"					\
"  id INTEGER NOT NULL, type INTEGER, name TEXT, flags INTEGER, bytes_key INTEGER,"	\
"  bytes_value INTEGER, max_entries INTEGER, bytes_memlock INTEGER, frozen INTEGER,"	\
"  btf_id INTEGER, btf_key_type_id INTEGER, btf_value_type_id INTEGER,"			\
"  btf_vmlinux_value_type_id INTEGER, map_extra INTEGER, ifindex INTEGER,"		\
"  netns_dev INTEGER, netns_ino INTEGER, owner_prog_type INTEGER);\n"			\
"CREATE INDEX map_rows_last ON map_rows(last_snap, id);\n"					\
"CREATE INDEX map_rows_id ON map_rows(id);\n"						\
"CREATE TABLE pin_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, path TEXT NOT NULL, obj_type TEXT NOT NULL,"		\
"  obj_id INTEGER, ino INTEGER);\n"							\
"CREATE INDEX pin_rows_last ON pin_rows(last_snap);\n"					\
"CREATE INDEX pin_rows_obj ON pin_rows(obj_id);\n"
/* every cgroup the attachment walk visited, in its order (seq): what 'cgroup tree
 * effective' lists, with programs or without (schemas 2 and 3) */
#define CGROUP_ROWS_2_SQL \
"CREATE TABLE cgroup_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, path TEXT NOT NULL, seq INTEGER NOT NULL, ino INTEGER);\n"	\
"CREATE INDEX cgroup_rows_last ON cgroup_rows(last_snap, path);\n"
/* Schema 4: a cgroup's place in the walk is not part of its state (one created before it
 * would move it): the walk's order is a span of cgroup_orders, a JSON array of cgroup_rows
 * rows, and the view cgroups gives the place (seq) back. */
#define CGROUP_ROWS_SQL \
"CREATE TABLE cgroup_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, path TEXT NOT NULL, ino INTEGER);\n"			\
"CREATE INDEX cgroup_rows_last ON cgroup_rows(last_snap, path);\n"				\
CGROUP_ORDERS_SQL
#define CGROUP_ORDERS_SQL \
"CREATE TABLE cgroup_orders(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"	\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL, rows TEXT NOT NULL);\n"		\
"CREATE INDEX cgroup_orders_last ON cgroup_orders(last_snap);\n"

/* Attachments made without links and the netfilter links (docs/schema.md): the columns all
 * kinds share, then each kind's own (NULL for the other kinds); schema 3. */
#define ATTACHMENTS_SQL(name) \
"CREATE TABLE " name "(snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE," \
ATTACH_COLS_SQL ");\n"
#define ATTACH_COLS_SQL \
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
"  pe_offset INTEGER, pe_addr INTEGER"

/* Schema 4: BTF objects, links, attachments and owners as spans, like programs and maps: one
 * row per state, first_snap..last_snap; digest hashes the stored facts (with the boot) so an
 * unchanged object is told from a changed one without reading its row. The order of a
 * snapshot's attachments (the walk's, which net show prints) is a span of its own,
 * attach_orders: the list of attach_rows rows, so that one attachment coming or going does
 * not start new spans for the others. The views btf, links, attachments, owners give them
 * per snapshot. */
#define SPAN4_TABLES_SQL \
"CREATE TABLE btf_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL,"					\
"  id INTEGER NOT NULL, name TEXT, size INTEGER, kernel INTEGER, data BLOB);\n"		\
"CREATE INDEX btf_rows_last ON btf_rows(last_snap, id);\n"					\
"CREATE INDEX btf_rows_id ON btf_rows(id);\n"						\
"CREATE TABLE link_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL,"					\
"  id INTEGER NOT NULL, type INTEGER, prog_id INTEGER, attach_type INTEGER,"		\
"  target TEXT,"			/* tracepoint, iter target, kprobe func, uprobe path */ \
"  target_obj_id INTEGER, target_btf_id INTEGER, cgroup_id INTEGER, ifindex INTEGER,"	\
"  netns_ino INTEGER, offset INTEGER, cookie INTEGER, flags INTEGER, info_raw BLOB);\n"	\
"CREATE INDEX link_rows_last ON link_rows(last_snap, id);\n"				\
"CREATE INDEX link_rows_id ON link_rows(id);\n"						\
"CREATE TABLE attach_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL,"					\
ATTACH_COLS_SQL ");\n"									\
"CREATE INDEX attach_rows_last ON attach_rows(last_snap);\n"				\
"CREATE TABLE attach_orders(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"	\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL,"					\
"  rows TEXT NOT NULL);\n"	/* a JSON array of attach_rows rows, in the walk's order */	\
"CREATE INDEX attach_orders_last ON attach_orders(last_snap);\n"				\
"CREATE TABLE owner_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"		\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL,"					\
"  obj_type TEXT NOT NULL, obj_id INTEGER NOT NULL, pid INTEGER NOT NULL, comm TEXT);\n"	\
"CREATE INDEX owner_rows_last ON owner_rows(last_snap);\n"					\
"CREATE INDEX owner_rows_obj ON owner_rows(obj_id, obj_type);\n"

/* Schema 4: a snapshot's own facts (when, what it found, how long it took) are its
 * snapshot_rows row; what is the same from one snapshot to the next (the host, the boot, the
 * kernel, the tool, the BPF sysctls) is one snapshot_envs row they share, not a copy each.
 * The view snapshots joins them into the columns of schema 3; its triggers keep INSERT,
 * UPDATE and DELETE on it working. */
#define SNAP_OWN_COLS "mask, boot_time_ns, nr_progs, nr_maps, nr_btf, nr_links,"	\
	" nr_attachments, nr_pins, vanished_progs, vanished_maps, vanished_btf,"	\
	" vanished_links, duration_ns, stats_interval_ns, warnings"
#define SNAP_OWN_VALUES(v) \
	v "mask, " v "boot_time_ns, " v "nr_progs, " v "nr_maps, " v "nr_btf, "		\
	v "nr_links, " v "nr_attachments, " v "nr_pins, " v "vanished_progs, "		\
	v "vanished_maps, " v "vanished_btf, " v "vanished_links, " v "duration_ns, "	\
	v "stats_interval_ns, " v "warnings"
#define SNAPSHOT_ENVS_SQL \
"CREATE TABLE snapshot_envs(id INTEGER PRIMARY KEY, host TEXT, boot_id TEXT,"		\
"  kernel_release TEXT, kernel_version TEXT, arch TEXT, page_size INTEGER, nr_cpus INTEGER," \
"  tool_version TEXT, unprivileged_bpf_disabled INTEGER, bpf_jit_enable INTEGER,"	\
"  bpf_jit_harden INTEGER, bpf_jit_kallsyms INTEGER, bpf_stats_enabled INTEGER);\n"
/* most snapshots have no label: only those that do are in the index */
#define SNAPSHOT_LABEL_SQL \
"CREATE INDEX snapshot_rows_label ON snapshot_rows(label) WHERE label IS NOT NULL;\n"
/* (the columns in the order a schema-3 snapshots table has them after the migration) */
#define SNAPSHOT_TABLES_SQL \
SNAPSHOT_ENVS_SQL										\
"CREATE TABLE snapshot_rows(id INTEGER PRIMARY KEY AUTOINCREMENT, taken_at INTEGER NOT NULL,"	\
"  label TEXT, mask INTEGER,"								\
"  boot_time_ns INTEGER,"	/* realtime - boottime at capture: load_time -> wall clock */	\
"  nr_progs INTEGER, nr_maps INTEGER, nr_btf INTEGER, nr_links INTEGER,"		\
"  nr_attachments INTEGER, nr_pins INTEGER, vanished_progs INTEGER, vanished_maps INTEGER,"	\
"  vanished_btf INTEGER, vanished_links INTEGER, duration_ns INTEGER,"		\
"  stats_interval_ns INTEGER, warnings TEXT, env INTEGER REFERENCES snapshot_envs(id));\n"	\
SNAPSHOT_LABEL_SQL

/* Objects the loads recorder saw made (capture/loads.c), one row each, however short their
 * life: schema 4 (snaps: the snapshots table of the version, snapshot_rows since 5). obj_id with boot_id names the object; snapshot_id is the snapshot taken
 * after it (NULL until one is). Per kind, the other kinds' columns are NULL. */
#define LOAD_EVENTS_SQL(snaps) \
"CREATE TABLE IF NOT EXISTS load_events(seq INTEGER PRIMARY KEY,"				\
"  time_ns INTEGER NOT NULL, boot_ns INTEGER, boot_id TEXT, kind TEXT NOT NULL,"		\
"  cmd INTEGER NOT NULL, obj_id INTEGER NOT NULL, pid INTEGER, tid INTEGER, uid INTEGER,"	\
"  comm TEXT, type INTEGER, name TEXT, attach_type INTEGER,"				\
"  tag TEXT, load_time INTEGER, bytes_xlated INTEGER, bytes_jited INTEGER,"		\
"  verified_insns INTEGER, btf_id INTEGER, map_ids TEXT,"	/* prog: "3,7", in order */	\
"  xlated BLOB,"		/* blob hash of the translated code */				\
"  code_from TEXT,"		/* 'info': the kernel's dump; 'kmem': the tracepoint's copy */	\
"  code_check TEXT,"		/* 'same'/'different': the copy against the dump, when both */	\
"  code_missing TEXT,"		/* why xlated is NULL */					\
"  alive INTEGER,"		/* prog: still there when the recorder opened it by id */	\
"  key_size INTEGER, value_size INTEGER, max_entries INTEGER, map_flags INTEGER,"		\
"  map_extra INTEGER, prog_id INTEGER,"	/* link: its program */				\
"  snapshot_id INTEGER REFERENCES " snaps "(id) ON DELETE SET NULL);\n"			\
"CREATE INDEX IF NOT EXISTS load_events_snap ON load_events(snapshot_id);\n"		\
"CREATE INDEX IF NOT EXISTS load_events_obj ON load_events(kind, obj_id);\n"

/* ---- sockets (packet sockets and their classic BPF filters) ----------------------------
 * A self-contained step: CREATE ... IF NOT EXISTS, so it runs on a file of any version that
 * lacks it. It is applied with the views (db_views_sql's stamp covers it), after the
 * migrations, so the schema version stays as it is; a numbered migration can take it as it
 * is (docs/schema.md, "The sockets step"). One row per
 * socket and process holding it (pid NULL: none seen); filter is the blob of the classic
 * program (struct sock_filter[] as the kernel returned it), NULL when the socket has none
 * (or an eBPF one, which sock_diag does not report). */
#define SOCKETS_SQL \
"CREATE TABLE IF NOT EXISTS sockets(snapshot_id INTEGER NOT NULL REFERENCES snapshot_rows(id)" \
"  ON DELETE CASCADE, netns_ino INTEGER, family INTEGER NOT NULL, type INTEGER,"	\
"  protocol INTEGER,"		/* packet: the ethertype, host order (ETH_P_ALL 3) */	\
"  ino INTEGER NOT NULL, ifindex INTEGER, devname TEXT, uid INTEGER,"			\
"  fanout INTEGER,"		/* packet: PACKET_DIAG_FANOUT (id | type << 16) */	\
"  pid INTEGER, comm TEXT, fd INTEGER, filter BLOB, nr_insns INTEGER);\n"		\
"CREATE INDEX IF NOT EXISTS sockets_snap ON sockets(snapshot_id, ino);\n"
const char db_sockets_sql[] = SOCKETS_SQL;

/* ---- schema 7: views of the BPF objects other than the bpf() id walk ----------------------
 * For the audit's cross-view (hidden.object): what the program iterator listed ("iter_progs":
 * one line "id tag name" a program, by id) and, when a snapshot asked (`views`), the BPF
 * symbols of /proc/kallsyms ("kallsyms": one line "tag name" a bpf_prog_<tag>_<name>
 * symbol). One span per view while its list stays the same; the list is a blob. */
#define VIEW_ROWS_SQL \
"CREATE TABLE IF NOT EXISTS view_rows(row INTEGER PRIMARY KEY, first_snap INTEGER NOT NULL,"	\
"  last_snap INTEGER NOT NULL, digest INTEGER NOT NULL, view TEXT NOT NULL, nr INTEGER,"	\
"  list BLOB);\n"										\
"CREATE INDEX IF NOT EXISTS view_rows_last ON view_rows(last_snap);\n"
const char db_view_rows_sql[] = VIEW_ROWS_SQL;

/* ---- schema 8: what map show and struct_ops dump print beyond bpf_map_info's old fields --
 * owner_jited: a prog array's owner_jited from fdinfo (NULL: no owner yet, or not a prog
 * array), beside owner_prog_type; btf_vmlinux_id: the kernel BTF object a struct_ops map's
 * value type is in (bpf_map_info's field since Linux 6.x, 0 for other maps). Columns added
 * to map_rows, so a file of any version reaches them by the same step. */
#define MAP_ROWS_8_SQL \
"ALTER TABLE map_rows ADD COLUMN owner_jited INTEGER;\n"					\
"ALTER TABLE map_rows ADD COLUMN btf_vmlinux_id INTEGER;\n"
/* Schema 8 too: the bpffs mounts that delegate to a user namespace (BPF tokens, token show),
 * per snapshot, in mount order (seq): dir and the mount's options as /proc/mounts has them.
 * Rarely any, so a row per snapshot costs nothing; a snapshot of a file that did not have
 * the table yet has none. */
#define TOKENS_SQL \
"CREATE TABLE IF NOT EXISTS tokens(snapshot_id INTEGER NOT NULL REFERENCES snapshot_rows(id)" \
"  ON DELETE CASCADE, seq INTEGER NOT NULL, dir TEXT, opts TEXT,"				\
"  PRIMARY KEY(snapshot_id, seq)) WITHOUT ROWID;\n"
const char db_migration_7_sql[] = MAP_ROWS_8_SQL TOKENS_SQL;

/* ---- schema 9: large map contents in chunks ---------------------------------------------
 * A map's contents larger than one chunk (lib/map_chunks.h) are a list blob (the contents
 * column) naming chunk blobs; these rows name the chunks of each list, for the blob GC and
 * fleet push/pull (the list blob holds them too, for readers). A list is content-addressed:
 * an unchanged map adds no row, and an unchanged chunk no blob. */
#define MAP_CHUNKS_SQL \
"CREATE TABLE IF NOT EXISTS map_chunks(list BLOB NOT NULL, seq INTEGER NOT NULL,"		\
"  chunk BLOB NOT NULL, nr_entries INTEGER, PRIMARY KEY(list, seq)) WITHOUT ROWID;\n"
const char db_map_chunks_sql[] = MAP_CHUNKS_SQL;

/* ---- schema 10: blobs in a rowid table ----------------------------------------------------
 * Schema 1 to 9 kept blobs WITHOUT ROWID, keyed by hash: the row is the key there, and
 * SQLite compares a key that overflows its page by reading it whole, so a lookup read every
 * large blob (kernel BTF, kernel symbols, map contents chunks) its binary search passed: a
 * 10,000,000-entry map's dump read some 100 MB more than its chunks. The hash is now a
 * unique index beside the rows. The old table's pages are free pages after the move, reused
 * as the file grows (VACUUM gives them back). */
const char db_migration_9_sql[] =
BLOBS_TABLE_SQL("blobs_10")
"INSERT INTO blobs_10(hash, kind, raw_size, codec, zdata)"
"  SELECT hash, kind, raw_size, codec, zdata FROM blobs;\n"
"DROP TABLE blobs;\n"
"ALTER TABLE blobs_10 RENAME TO blobs;\n";

/* ---- boot_features (the feature probe of each boot) ------------------------------------
 * A step as the sockets step was: CREATE TABLE IF NOT EXISTS, run with the views, so the
 * schema version stays (docs/schema.md, "The boot_features step"). probe is
 * analyze/features.h's text itself; one row per boot, so a snapshot adds nothing. */
#define BOOT_FEATURES_SQL \
"CREATE TABLE IF NOT EXISTS boot_features(boot_id TEXT PRIMARY KEY, probe BLOB NOT NULL);\n"

const char db_schema_sql[] =
"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);\n"
BLOBS_TABLE_SQL("blobs")
/* per boot: kernel symbols (text symbols of vmlinux and modules, not BPF's) */
"CREATE TABLE boots(boot_id TEXT PRIMARY KEY, first_seen INTEGER, kallsyms BLOB);\n"
SNAPSHOT_TABLES_SQL
/* Programs, maps and pins are stored as spans: one row per object state, valid from
 * first_snap to last_snap (SPAN_OPEN while the object is still there as of the latest
 * snapshot), so an unchanged system adds no rows. The views progs, maps, prog_maps and pins
 * give one row per object per snapshot, as the readers want them. digest: a hash of the
 * row's facts (with the boot), to tell unchanged from changed. */
SPAN_TABLES_SQL("snapshot_rows")
MAP_ROWS_8_SQL
CGROUP_ROWS_SQL
PROG_STAT_ROWS_SQL
MAP_DATA_ROWS_SQL
/* BTF objects, links, attachments and owners: spans too (schema 4) */
SPAN4_TABLES_SQL
SOCKETS_SQL
VIEW_ROWS_SQL
TOKENS_SQL
MAP_CHUNKS_SQL
BOOT_FEATURES_SQL
/* ELF objects loaded through bpfscope, for replay */
"CREATE TABLE objects(id INTEGER PRIMARY KEY, loaded_at INTEGER, path TEXT, elf BLOB,"
"  boot_id TEXT, prog_ids TEXT, map_ids TEXT, pin_dir TEXT);\n"
/* lookup tables, refilled by the binary on open */
LOAD_EVENTS_SQL("snapshot_rows")
"CREATE TABLE prog_types(id INTEGER PRIMARY KEY, name TEXT);\n"
"CREATE TABLE map_types(id INTEGER PRIMARY KEY, name TEXT);\n"
"CREATE TABLE attach_types(id INTEGER PRIMARY KEY, name TEXT);\n"
"CREATE TABLE link_types(id INTEGER PRIMARY KEY, name TEXT);\n";

const char db_views_sql[] =
BOOT_FEATURES_SQL
"DROP VIEW IF EXISTS snapshots;\n"
"CREATE VIEW snapshots AS SELECT r.id AS id, r.taken_at AS taken_at, r.label AS label,"
"  e.host AS host, e.boot_id AS boot_id, e.kernel_release AS kernel_release,"
"  e.kernel_version AS kernel_version, e.arch AS arch, e.page_size AS page_size,"
"  e.nr_cpus AS nr_cpus, e.tool_version AS tool_version, r.mask AS mask,"
"  r.boot_time_ns AS boot_time_ns, r.nr_progs AS nr_progs, r.nr_maps AS nr_maps,"
"  r.nr_btf AS nr_btf, r.nr_links AS nr_links, r.nr_attachments AS nr_attachments,"
"  r.nr_pins AS nr_pins, r.vanished_progs AS vanished_progs,"
"  r.vanished_maps AS vanished_maps, r.vanished_btf AS vanished_btf,"
"  r.vanished_links AS vanished_links, r.duration_ns AS duration_ns,"
"  r.stats_interval_ns AS stats_interval_ns,"
"  e.unprivileged_bpf_disabled AS unprivileged_bpf_disabled,"
"  e.bpf_jit_enable AS bpf_jit_enable, e.bpf_jit_harden AS bpf_jit_harden,"
"  e.bpf_jit_kallsyms AS bpf_jit_kallsyms, e.bpf_stats_enabled AS bpf_stats_enabled,"
"  r.warnings AS warnings FROM snapshot_rows r LEFT JOIN snapshot_envs e ON e.id = r.env;\n"
/* writing to snapshots (older tools, tests, a user's sqlite3) writes its two tables */
"CREATE TRIGGER snapshots_insert INSTEAD OF INSERT ON snapshots BEGIN"
"  INSERT INTO snapshot_envs(" ENV_COLS ") SELECT " ENV_VALUES("NEW.")
"   WHERE NOT EXISTS (SELECT 1 FROM snapshot_envs e WHERE " ENV_SAME("e", "NEW.") ");"
"  INSERT INTO snapshot_rows(id, taken_at, label, env, " SNAP_OWN_COLS ")"
"   VALUES(NEW.id, NEW.taken_at, NEW.label, (SELECT id FROM snapshot_envs e WHERE "
"   " ENV_SAME("e", "NEW.") "), " SNAP_OWN_VALUES("NEW.") ");"
" END;\n"
"CREATE TRIGGER snapshots_update INSTEAD OF UPDATE ON snapshots BEGIN"
"  INSERT INTO snapshot_envs(" ENV_COLS ") SELECT " ENV_VALUES("NEW.")
"   WHERE NOT EXISTS (SELECT 1 FROM snapshot_envs e WHERE " ENV_SAME("e", "NEW.") ");"
"  UPDATE snapshot_rows SET (id, taken_at, label, env, " SNAP_OWN_COLS ") = (NEW.id,"
"   NEW.taken_at, NEW.label, (SELECT id FROM snapshot_envs e WHERE " ENV_SAME("e", "NEW.") "),"
"   " SNAP_OWN_VALUES("NEW.") ") WHERE id = OLD.id;"
"  DELETE FROM snapshot_envs WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows r"
"   WHERE r.env = snapshot_envs.id);"
" END;\n"
"CREATE TRIGGER snapshots_delete INSTEAD OF DELETE ON snapshots BEGIN"
"  DELETE FROM snapshot_rows WHERE id = OLD.id;"
"  DELETE FROM snapshot_envs WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows r"
"   WHERE r.env = snapshot_envs.id);"
" END;\n"
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
"  FROM snapshot_rows s JOIN prog_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id"
"  LEFT JOIN prog_stat_rows t ON t.prog_row = r.row AND t.last_snap >= s.id"
"  AND t.first_snap <= s.id"
"  WHERE (s.mask & 256) = 0;\n"
"DROP VIEW IF EXISTS prog_maps;\n"
"CREATE VIEW prog_maps AS SELECT s.id AS snapshot_id, r.id AS prog_id, m.idx AS idx,"
"  m.map_id AS map_id FROM snapshot_rows s JOIN prog_rows r ON r.last_snap >= s.id"
"  AND r.first_snap <= s.id JOIN prog_row_maps m ON m.row = r.row WHERE (s.mask & 256) = 0;\n"
"DROP VIEW IF EXISTS maps;\n"
"CREATE VIEW maps AS SELECT s.id AS snapshot_id, r.id AS id, r.type AS type, r.name AS name,"
"  r.flags AS flags, r.bytes_key AS bytes_key, r.bytes_value AS bytes_value,"
"  r.max_entries AS max_entries, r.bytes_memlock AS bytes_memlock, r.frozen AS frozen,"
"  r.btf_id AS btf_id, r.btf_key_type_id AS btf_key_type_id,"
"  r.btf_value_type_id AS btf_value_type_id,"
"  r.btf_vmlinux_value_type_id AS btf_vmlinux_value_type_id, r.map_extra AS map_extra,"
"  r.ifindex AS ifindex, r.netns_dev AS netns_dev, r.netns_ino AS netns_ino,"
"  r.owner_prog_type AS owner_prog_type, r.owner_jited AS owner_jited,"
"  r.btf_vmlinux_id AS btf_vmlinux_id, d.contents AS contents, d.nr_entries AS nr_entries,"
"  d.contents_error AS contents_error, r.row AS row_id"
"  FROM snapshot_rows s JOIN map_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id"
"  LEFT JOIN map_data_rows d ON d.map_row = r.row AND d.last_snap >= s.id"
"  AND d.first_snap <= s.id"
"  WHERE (s.mask & 512) = 0;\n"
"DROP VIEW IF EXISTS cgroups;\n"
"CREATE VIEW cgroups AS SELECT s.id AS snapshot_id, r.path AS path, j.key AS seq, r.ino AS ino"
"  FROM snapshot_rows s JOIN cgroup_orders o ON o.last_snap >= s.id AND o.first_snap <= s.id"
"  JOIN json_each(o.rows) j JOIN cgroup_rows r ON r.row = j.value"
"  WHERE (s.mask & 32) != 0 AND (s.mask & 2097152) = 0;\n"
"DROP VIEW IF EXISTS pins;\n"
"CREATE VIEW pins AS SELECT s.id AS snapshot_id, r.path AS path, r.obj_type AS obj_type,"
"  r.obj_id AS obj_id, r.ino AS ino"
"  FROM snapshot_rows s JOIN pin_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id"
"  WHERE (s.mask & 16) != 0;\n"
/* schema 4's spans per snapshot, with the columns the tables of schema 3 had. No mask: a
 * snapshot that did not look ends every open span of the kind (store/span_set.c), so it
 * has none, as it had no rows before. */
"DROP VIEW IF EXISTS btf;\n"
"CREATE VIEW btf AS SELECT s.id AS snapshot_id, r.id AS id, r.name AS name, r.size AS size,"
"  r.kernel AS kernel, r.data AS data"
"  FROM snapshot_rows s JOIN btf_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id;\n"
"DROP VIEW IF EXISTS prog_stats;\n"
"CREATE VIEW prog_stats AS SELECT s.id AS snapshot_id, r.prog_row AS row,"
"  r.run_time_ns AS run_time_ns, r.run_cnt AS run_cnt, r.recursion_misses AS recursion_misses"
"  FROM snapshot_rows s JOIN prog_stat_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id;\n"
"DROP VIEW IF EXISTS map_data;\n"
"CREATE VIEW map_data AS SELECT s.id AS snapshot_id, r.map_row AS row, r.contents AS contents,"
"  r.nr_entries AS nr_entries, r.contents_error AS contents_error"
"  FROM snapshot_rows s JOIN map_data_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id;\n"
"DROP VIEW IF EXISTS links;\n"
"CREATE VIEW links AS SELECT s.id AS snapshot_id, r.id AS id, r.type AS type,"
"  r.prog_id AS prog_id, r.attach_type AS attach_type, r.target AS target,"
"  r.target_obj_id AS target_obj_id, r.target_btf_id AS target_btf_id,"
"  r.cgroup_id AS cgroup_id, r.ifindex AS ifindex, r.netns_ino AS netns_ino,"
"  r.offset AS offset, r.cookie AS cookie, r.flags AS flags, r.info_raw AS info_raw"
"  FROM snapshot_rows s JOIN link_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id;\n"
"DROP VIEW IF EXISTS attachments;\n"
"CREATE VIEW attachments AS SELECT s.id AS snapshot_id, r.kind AS kind, r.prog_id AS prog_id,"
"  r.link_id AS link_id, r.ifindex AS ifindex, r.devname AS devname,"
"  r.attach_type AS attach_type, r.mode AS mode, r.cgroup_path AS cgroup_path,"
"  r.target AS target, r.position AS position, r.attach_flags AS attach_flags,"
"  r.link_flags AS link_flags, r.xdp_attached AS xdp_attached, r.tc_handle AS tc_handle,"
"  r.tc_prio AS tc_prio, r.tc_parent AS tc_parent, r.tc_protocol AS tc_protocol,"
"  r.tc_flags AS tc_flags, r.cgroup_id AS cgroup_id, r.nf_pf AS nf_pf,"
"  r.nf_hooknum AS nf_hooknum, r.nf_prio AS nf_prio, r.nf_flags AS nf_flags,"
"  r.pe_pid AS pe_pid, r.pe_fd AS pe_fd, r.pe_fd_type AS pe_fd_type,"
"  r.pe_offset AS pe_offset, r.pe_addr AS pe_addr"
"  FROM snapshot_rows s JOIN attach_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id;\n"
"DROP VIEW IF EXISTS owners;\n"
"CREATE VIEW owners AS SELECT s.id AS snapshot_id, r.obj_type AS obj_type,"
"  r.obj_id AS obj_id, r.pid AS pid, r.comm AS comm"
"  FROM snapshot_rows s JOIN owner_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id;\n"
"DROP VIEW IF EXISTS load_events_named;\n"
"CREATE VIEW load_events_named AS SELECT e.*, CASE e.kind WHEN 'prog' THEN pt.name"
"  WHEN 'map' THEN mt.name WHEN 'link' THEN lt.name END AS type_name,"
"  CASE e.kind WHEN 'map' THEN NULL ELSE at.name END AS attach_type_name"
"  FROM load_events e LEFT JOIN prog_types pt ON pt.id = e.type"
"  LEFT JOIN map_types mt ON mt.id = e.type LEFT JOIN link_types lt ON lt.id = e.type"
"  LEFT JOIN attach_types at ON at.id = e.attach_type;\n"
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
"  WHERE snapshot_id = (SELECT max(id) FROM snapshot_rows);\n"
"DROP VIEW IF EXISTS latest_maps;\n"
"CREATE VIEW latest_maps AS SELECT * FROM maps_named"
"  WHERE snapshot_id = (SELECT max(id) FROM snapshot_rows);\n"
"DROP VIEW IF EXISTS latest_links;\n"
"CREATE VIEW latest_links AS SELECT * FROM links_named"
"  WHERE snapshot_id = (SELECT max(id) FROM snapshot_rows);\n"
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
"  FROM progs_named p JOIN snapshot_rows s ON s.id = p.snapshot_id;\n"
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
"        FROM snapshot_rows WHERE (mask & 256) = 0),"
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
"  s AS (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM snapshot_rows"
"        WHERE (mask & 256) = 0),"
"  x AS (SELECT i.*, s.seq - row_number() OVER (PARTITION BY i.identity, i.tag"
"        ORDER BY i.snapshot_id) AS island FROM prog_idents i JOIN s ON s.id = i.snapshot_id)"
"  SELECT identity, type, name, attach_point, tag, min(snapshot_id) AS first_snap,"
"   max(snapshot_id) AS last_snap, min(taken_at) AS first_seen, max(taken_at) AS last_seen,"
"   count(*) AS snapshots, max(instances) AS instances"
"  FROM x GROUP BY identity, tag, island ORDER BY identity, first_snap;\n";

/* 1 -> 2: per-snapshot rows become spans, each old row a span of its one snapshot */
const char db_migration_1_sql[] =
SPAN_TABLES_SQL("snapshots")
CGROUP_ROWS_2_SQL
PROG_STATS_SQL("prog_stats", "snapshots")
MAP_DATA_SQL("map_data", "snapshots")
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

/* 3 -> 4: the loads recorder's table (self-contained: it creates only what it adds) */
const char db_migration_3_sql[] =
LOAD_EVENTS_SQL("snapshots");

/* 4 -> 5: BTF objects, links, attachments, owners, run-time counters and map contents become
 * spans, each old row a span of
 * its one snapshot (digest 0: the next snapshot starts spans of its own), and each snapshot's
 * attachments get an order. The views of the old names are made again
 * with the others after the migrations. */
const char db_migration_4_sql[] =
"DROP VIEW IF EXISTS prog_history; DROP VIEW IF EXISTS latest_links;"
" DROP VIEW IF EXISTS links_named;\n"
"DELETE FROM meta WHERE key = 'views';\n"
SPAN4_TABLES_SQL
"INSERT INTO btf_rows(first_snap, last_snap, digest, id, name, size, kernel, data)"
"  SELECT snapshot_id, snapshot_id, 0, id, name, size, kernel, data FROM btf"
"  ORDER BY snapshot_id, id;\n"
"INSERT INTO link_rows(first_snap, last_snap, digest, id, type, prog_id, attach_type, target,"
"  target_obj_id, target_btf_id, cgroup_id, ifindex, netns_ino, offset, cookie, flags,"
"  info_raw) SELECT snapshot_id, snapshot_id, 0, id, type, prog_id, attach_type, target,"
"  target_obj_id, target_btf_id, cgroup_id, ifindex, netns_ino, offset, cookie, flags,"
"  info_raw FROM links ORDER BY snapshot_id, id;\n"
"INSERT INTO attach_rows(first_snap, last_snap, digest, kind, prog_id, link_id, ifindex,"
"  devname, attach_type, mode, cgroup_path, target, position, attach_flags, link_flags,"
"  xdp_attached, tc_handle, tc_prio, tc_parent, tc_protocol, tc_flags, cgroup_id, nf_pf,"
"  nf_hooknum, nf_prio, nf_flags, pe_pid, pe_fd, pe_fd_type, pe_offset, pe_addr)"
"  SELECT snapshot_id, snapshot_id, 0, kind, prog_id, link_id,"
"  ifindex, devname, attach_type, mode, cgroup_path, target, position, attach_flags,"
"  link_flags, xdp_attached, tc_handle, tc_prio, tc_parent, tc_protocol, tc_flags, cgroup_id,"
"  nf_pf, nf_hooknum, nf_prio, nf_flags, pe_pid, pe_fd, pe_fd_type, pe_offset, pe_addr"
"  FROM attachments ORDER BY snapshot_id, rowid;\n"
/* (the rows of one snapshot were inserted in its order, so their row numbers ascend in it) */
"INSERT INTO attach_orders(first_snap, last_snap, digest, rows) SELECT first_snap, first_snap,"
"  0, json_group_array(row) FROM (SELECT first_snap, row FROM attach_rows ORDER BY first_snap,"
"  row) GROUP BY first_snap ORDER BY first_snap;\n"
"INSERT INTO owner_rows(first_snap, last_snap, digest, obj_type, obj_id, pid, comm)"
"  SELECT snapshot_id, snapshot_id, 0, obj_type, obj_id, pid, comm FROM owners"
"  ORDER BY snapshot_id, rowid;\n"
PROG_STAT_ROWS_SQL
"INSERT INTO prog_stat_rows(first_snap, last_snap, digest, prog_row, run_time_ns, run_cnt,"
"  recursion_misses) SELECT snapshot_id, snapshot_id, 0, row, run_time_ns, run_cnt,"
"  recursion_misses FROM prog_stats ORDER BY snapshot_id, row;\n"
MAP_DATA_ROWS_SQL
"INSERT INTO map_data_rows(first_snap, last_snap, digest, map_row, contents, nr_entries,"
"  contents_error) SELECT snapshot_id, snapshot_id, 0, row, contents, nr_entries,"
"  contents_error FROM map_data ORDER BY snapshot_id, row;\n"
"DROP TABLE btf; DROP TABLE links; DROP TABLE attachments; DROP TABLE owners;"
" DROP TABLE prog_stats; DROP TABLE map_data;\n"
/* The snapshots table becomes snapshot_rows: renamed, so that every table referring to it
 * (any table, a user's too) refers to the new name and keeps its rows (legacy mode: the
 * views, some of them over tables gone since schema 1, are not parsed; ours are all made
 * again); ids and the AUTOINCREMENT counter carry over. Its repeated facts move to
 * snapshot_envs. DROP COLUMN parses every view, so every view bpfscope ever made goes first
 * (a user's view over a table gone stops the upgrade, and the error names it). */
"DROP VIEW IF EXISTS progs; DROP VIEW IF EXISTS prog_maps; DROP VIEW IF EXISTS maps;"
" DROP VIEW IF EXISTS cgroups; DROP VIEW IF EXISTS pins; DROP VIEW IF EXISTS latest_snapshot;"
" DROP VIEW IF EXISTS progs_named; DROP VIEW IF EXISTS maps_named;"
" DROP VIEW IF EXISTS latest_progs; DROP VIEW IF EXISTS latest_maps;\n"
"PRAGMA legacy_alter_table = ON;\n"
"ALTER TABLE snapshots RENAME TO snapshot_rows;\n"
"PRAGMA legacy_alter_table = OFF;\n"
SNAPSHOT_ENVS_SQL
"INSERT INTO snapshot_envs(" ENV_COLS ") SELECT DISTINCT " ENV_COLS " FROM snapshot_rows;\n"
"ALTER TABLE snapshot_rows ADD COLUMN env INTEGER REFERENCES snapshot_envs(id);\n"
"UPDATE snapshot_rows SET env = (SELECT e.id FROM snapshot_envs e WHERE "
"  " ENV_SAME("e", "snapshot_rows.") ");\n"
"ALTER TABLE snapshot_rows DROP COLUMN host; ALTER TABLE snapshot_rows DROP COLUMN boot_id;"
" ALTER TABLE snapshot_rows DROP COLUMN kernel_release;"
" ALTER TABLE snapshot_rows DROP COLUMN kernel_version; ALTER TABLE snapshot_rows DROP COLUMN arch;"
" ALTER TABLE snapshot_rows DROP COLUMN page_size; ALTER TABLE snapshot_rows DROP COLUMN nr_cpus;"
" ALTER TABLE snapshot_rows DROP COLUMN tool_version;"
" ALTER TABLE snapshot_rows DROP COLUMN unprivileged_bpf_disabled;"
" ALTER TABLE snapshot_rows DROP COLUMN bpf_jit_enable;"
" ALTER TABLE snapshot_rows DROP COLUMN bpf_jit_harden;"
" ALTER TABLE snapshot_rows DROP COLUMN bpf_jit_kallsyms;"
" ALTER TABLE snapshot_rows DROP COLUMN bpf_stats_enabled;\n"
"DROP INDEX snapshots_label;\n"
SNAPSHOT_LABEL_SQL
/* each snapshot that walked the cgroups gets their order (as the view cgroups gave it) */
CGROUP_ORDERS_SQL
"INSERT INTO cgroup_orders(first_snap, last_snap, digest, rows) SELECT id, id, 0,"
"  json_group_array(row) FROM (SELECT s.id AS id, r.row AS row FROM snapshot_rows s"
"  JOIN cgroup_rows r ON r.last_snap >= s.id AND r.first_snap <= s.id"
"  WHERE (s.mask & 32) != 0 AND (s.mask & 2097152) = 0 ORDER BY s.id, r.seq)"
"  GROUP BY id ORDER BY id;\n"
"ALTER TABLE cgroup_rows DROP COLUMN seq;\n";

/* Views that only a user's `query` reads, never a command's own reader: a live view's
 * in-memory database (store/schema_image.h) is made without them, since SQLite parses every
 * view of a database when it first reads it. */
const char *const db_query_only_views[] = {
	"changes", "latest_links", "latest_maps", "latest_progs", "latest_snapshot",
	"links_named", "load_events_named", "map_data", "maps_named", "prog_history",
	"prog_idents", "prog_stats", "prog_timeline", "progs_named", NULL,
};
