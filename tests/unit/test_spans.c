/* Unit checks of schema 4's spans (store/span_set.c) through the store writer: an unchanged
 * link, BTF object, owner, counter or attachment keeps its span; a changed or gone one ends
 * it; a kind a snapshot did not capture ends its spans; rows repeated in one snapshot keep a
 * span each; another boot starts new spans; the attachments keep their order; map contents
 * read again unchanged keep theirs, and so do cgroups another one moved in the walk; gc drops
 * spans no snapshot covers. */
#include <stdio.h>
#include <string.h>
#include "store/schema.h"
#include "store/write_attach.h"
#include "store/writer.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

/* what one snapshot writes */
struct snap {
	const char *boot;
	uint32_t link_prog;		/* 0: no link */
	bool btf;
	int owners;			/* the same owner row this many times */
	uint64_t run_cnt;
	const char *attach[3];		/* devnames of xdp attachments, in order */
	const char *contents;		/* of one map, or NULL: not read */
	const char *cgroups[4];		/* the cgroup walk, in order */
};

static int take(struct db *db, const struct snap *s, struct err *e)
{
	struct snapshot_facts f = { .taken_at = 1, .host = "h", .boot_id = s->boot, .arch = "x",
		.mask = SNAP_DEFAULT, .unprivileged_bpf_disabled = -1, .bpf_jit_enable = -1,
		.bpf_jit_harden = -1, .bpf_jit_kallsyms = -1, .bpf_stats_enabled = -1 };
	struct snapshot_counts c = { .stats_interval_ns = -1 };
	struct bpf_prog_info info = { .run_cnt = s->run_cnt, .run_time_ns = s->run_cnt * 10 };
	struct link_rec l = { .id = 5, .type = 2, .prog_id = s->link_prog, .target = "tp" };
	struct btf_rec b = { .id = 9, .size = 100, .name = "x" };
	struct attach_writer aw;
	struct writer w;
	int err;

	writer_init(&w, db, 0, e);
	err = writer_snapshot_begin(&w, &f) || writer_progs_prepare(&w) || writer_maps_prepare(&w);
	if (!err && s->contents) {
		struct map_data_rec d = { .contents = s->contents, .len = strlen(s->contents),
					  .count = 1 };

		err = writer_map_data(&w, 1, &d);
	}
	if (!err && s->link_prog)
		err = writer_link(&w, &l);
	if (!err && s->btf)
		err = writer_btf(&w, &b, false);
	for (int i = 0; !err && i < s->owners; i++)
		err = writer_owner(&w, 'p', 7, 42, "comm");
	if (!err)
		err = writer_prog_stats(&w, 1, &info);
	if (!err)
		err = attach_writer_open(&aw, db, w.snap_id, e);
	for (int i = 0; !err && i < 3 && s->attach[i]; i++) {
		struct attach_row r = { .kind = ATTACH_XDP, .prog_id = 3, .ifindex = s->attach[i][1],
					.devname = s->attach[i], .mode = "generic" };

		err = attach_write(&aw, &r, e);
	}
	if (!err)
		err = attach_writer_finish(&aw, true, e);
	if (!err) {
		struct cgroup_seen cg[4];
		size_t n = 0;

		/* an inode per path, not per place in the walk */
		for (; n < 4 && s->cgroups[n]; n++)
			cg[n] = (struct cgroup_seen){ .path = (char *)s->cgroups[n],
						      .ino = (unsigned char)s->cgroups[n][1] };
		err = cgroup_spans_store(db, w.snap_id, cg, n, e);
	}
	attach_writer_close(&aw);
	err = err ?: writer_snapshot_finish(&w, &c);
	writer_close(&w);
	return err;
}

/* one text value of sql, "" when none */
static const char *q(struct db *db, const char *sql)
{
	static char out[512];
	sqlite3_stmt *st;

	out[0] = 0;
	if (db_prepare(db, sql, &st, NULL))
		return "(error)";
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

#define SPANS(t) "SELECT group_concat(first_snap || '-' || (CASE WHEN last_snap = " SPAN_OPEN_SQL \
	" THEN 'open' ELSE last_snap END), ' ') FROM (SELECT * FROM " t " ORDER BY row)"

int main(void)
{
	static const struct snap snaps[] = {
		{ "b1", 11, true, 2, 5, { "va", "vb" }, "one", { "/a", "/b", "/c" } },
		{ "b1", 11, true, 2, 5, { "va", "vb" }, "one", { "/a", "/b", "/c" } },
		{ "b1", 11, true, 2, 5, { "va", "vb" }, "one", { "/a", "/b", "/c" } },
		/* 4: the link changed, no BTF, one owner, counters moved, va gone, other contents,
		 * a cgroup before /b: it and /c keep their spans, the order changes */
		{ "b1", 12, false, 1, 6, { "vb" }, "two", { "/a", "/x", "/b", "/c" } },
		/* 5: vc comes before vb: a new order, vb's span goes on; contents not read */
		{ "b1", 12, false, 1, 6, { "vc", "vb" }, NULL, { "/a", "/x", "/b", "/c" } },
		/* 6: another boot, the same facts: new spans (cgroups are not ids: they go on) */
		{ "b2", 12, false, 1, 6, { "vc", "vb" }, "two", { "/a", "/x", "/b", "/c" } },
	};
	struct err e = { 0 };
	struct db db;

	/* (an in-memory database lacks the views only users query: these tests read them) */
	if (db_open(&db, NULL, DB_MEMORY, &e) || db_exec(&db, db_views_sql, &e)) {
		printf("FAIL: open: %s\n", e.msg);
		return 1;
	}
	for (size_t i = 0; i < sizeof(snaps) / sizeof(snaps[0]); i++)
		CHECK(!take(&db, &snaps[i], &e), "snapshot %zu: %s", i + 1, e.msg);
	CHECK(!strcmp(q(&db, SPANS("link_rows")), "1-3 4-5 6-open"), "links: %s", q(&db, SPANS("link_rows")));
	CHECK(!strcmp(q(&db, SPANS("btf_rows")), "1-3"), "btf: %s", q(&db, SPANS("btf_rows")));
	CHECK(!strcmp(q(&db, SPANS("owner_rows")), "1-5 1-3 6-open"), "owners: %s", q(&db, SPANS("owner_rows")));
	CHECK(!strcmp(q(&db, SPANS("prog_stat_rows")), "1-3 4-5 6-open"), "stats: %s",
	      q(&db, SPANS("prog_stat_rows")));
	CHECK(!strcmp(q(&db, SPANS("cgroup_rows")), "1-open 1-open 1-open 4-open"), "cgroups: %s",
	      q(&db, SPANS("cgroup_rows")));
	CHECK(!strcmp(q(&db, SPANS("cgroup_orders")), "1-3 4-5 6-open"), "cgroup orders: %s",
	      q(&db, SPANS("cgroup_orders")));
	CHECK(!strcmp(q(&db, "SELECT group_concat(path || seq, ' ') FROM (SELECT * FROM cgroups"
			" WHERE snapshot_id = 4 ORDER BY seq)"), "/a0 /x1 /b2 /c3"), "cgroups of 4: %s",
	      q(&db, "SELECT group_concat(path || seq, ' ') FROM cgroups WHERE snapshot_id = 4"));
	CHECK(!strcmp(q(&db, SPANS("map_data_rows")), "1-3 4-4 6-open"), "map contents: %s",
	      q(&db, SPANS("map_data_rows")));
	CHECK(!strcmp(q(&db, "SELECT group_concat(snapshot_id || ':' || nr_entries) FROM (SELECT * FROM"
			" map_data ORDER BY snapshot_id)"), "1:1,2:1,3:1,4:1,6:1"), "map_data view");
	CHECK(!strcmp(q(&db, SPANS("attach_rows")), "1-3 1-5 5-5 6-open 6-open"), "attachments: %s",
	      q(&db, SPANS("attach_rows")));
	CHECK(!strcmp(q(&db, SPANS("attach_orders")), "1-3 4-4 5-5 6-open"), "orders: %s",
	      q(&db, SPANS("attach_orders")));
	/* per snapshot, as the views give them */
	CHECK(!strcmp(q(&db, "SELECT group_concat(n) FROM (SELECT count(*) AS n FROM snapshots s"
			" LEFT JOIN owners o ON o.snapshot_id = s.id GROUP BY s.id ORDER BY s.id)"),
		      "2,2,2,1,1,1"), "owners per snapshot");
	CHECK(!strcmp(q(&db, "SELECT group_concat(snapshot_id || ':' || run_cnt) FROM (SELECT * FROM"
			" prog_stats ORDER BY snapshot_id)"), "1:5,2:5,3:5,4:6,5:6,6:6"), "prog_stats view");
	CHECK(!strcmp(q(&db, "SELECT count(*) FROM btf WHERE snapshot_id = 4"), "0"), "btf of 4");
	{
		struct attach_rows rows;

		CHECK(!attach_rows_read(&db, 5, ~0u, NULL, &rows, &e), "read: %s", e.msg);
		CHECK(rows.n == 2 && !strcmp(rows.v[0].devname, "vc") && !strcmp(rows.v[1].devname, "vb"),
		      "order of snapshot 5");
		attach_rows_free(&rows);
	}
	CHECK(!strcmp(q(&db, "SELECT count(*) FROM snapshot_envs"), "2"), "one environment per boot");
	/* gc: 1 to 3 go, and with them the spans only they covered */
	for (int id = 1; id <= 3; id++)
		CHECK(!snapshot_delete(&db, id, &e), "delete %d: %s", id, e.msg);
	CHECK(!strcmp(q(&db, SPANS("link_rows")), "4-5 6-open"), "links after gc: %s", q(&db, SPANS("link_rows")));
	CHECK(!strcmp(q(&db, SPANS("btf_rows")), ""), "btf after gc");
	CHECK(!strcmp(q(&db, SPANS("attach_orders")), "4-4 5-5 6-open"), "orders after gc");
	db_close(&db);
	if (!failed)
		printf("spans: ok\n");
	return failed != 0;
}
