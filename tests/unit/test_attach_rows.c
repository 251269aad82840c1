/* Unit checks of the typed attachment rows: each kind's fields go through the store writer
 * and come back from the reader as they were (schema 3), and cgroup effective sets follow
 * the kernel's rule (override: the nearest only; multi: ancestors' too, nearest last). */
#include <stdio.h>
#include <string.h>
#include "store/write_attach.h"
#include "analyze/cgroup_effective.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static const char *s_or(const char *s) { return s ? s : "(null)"; }

static void check_same(const struct attach_row *a, const struct attach_row *b)
{
	const char *k = attach_kind_name(a->kind);

	CHECK(a->kind == b->kind, "%s: kind %d", k, b->kind);
	CHECK(a->prog_id == b->prog_id && a->link_id == b->link_id && a->ifindex == b->ifindex,
	      "%s: ids", k);
	CHECK(a->has_attach_type == b->has_attach_type && a->attach_type == b->attach_type,
	      "%s: attach type", k);
	CHECK(!strcmp(s_or(a->mode), s_or(b->mode)) && !strcmp(s_or(a->devname), s_or(b->devname)) &&
	      !strcmp(s_or(a->cgroup_path), s_or(b->cgroup_path)) &&
	      !strcmp(s_or(a->target), s_or(b->target)), "%s: strings", k);
	CHECK(!memcmp(&a->u, &b->u, sizeof(a->u)), "%s: the kind's fields", k);
}

static void round_trip(void)
{
	struct attach_row w[ATTACH_NR_KINDS];
	struct attach_writer aw;
	struct attach_rows rows;
	struct err e = { 0 };
	struct db db;

	memset(w, 0, sizeof(w));
	for (unsigned k = 0; k < ATTACH_NR_KINDS; k++) {
		w[k].kind = k;
		w[k].prog_id = 100 + k;
	}
	w[ATTACH_XDP] = (struct attach_row){ .kind = ATTACH_XDP, .prog_id = 7, .ifindex = 3,
		.devname = "va", .mode = "generic", .has_attach_type = true, .attach_type = 37,
		.u.xdp.attached = 4 };
	w[ATTACH_TCX].u.mprog.position = 2;
	w[ATTACH_TCX].u.mprog.prog_flags = 8;
	w[ATTACH_TCX].u.mprog.link_flags = 16;
	w[ATTACH_TCX].link_id = 9;
	w[ATTACH_TC].u.tc.handle = 1;
	w[ATTACH_TC].u.tc.prio = 49152;
	w[ATTACH_TC].u.tc.parent = 0xfffffff2;
	w[ATTACH_TC].u.tc.protocol = 3;
	w[ATTACH_TC].u.tc.flags = 1;
	w[ATTACH_TC].target = "x.o:[tc]";
	w[ATTACH_FLOW_DISSECTOR].u.flow.position = 1;
	w[ATTACH_CGROUP].u.cgroup.position = 3;
	w[ATTACH_CGROUP].u.cgroup.attach_flags = 2;
	w[ATTACH_CGROUP].u.cgroup.cgroup_id = 1ull << 40;
	w[ATTACH_CGROUP].cgroup_path = "/sys/fs/cgroup/a";
	w[ATTACH_NETFILTER].u.nf.pf = 10;
	w[ATTACH_NETFILTER].u.nf.hooknum = 4;
	w[ATTACH_NETFILTER].u.nf.prio = -128;
	w[ATTACH_NETFILTER].u.nf.flags = 1;
	w[ATTACH_PERF_EVENT].u.perf.pid = 4242;
	w[ATTACH_PERF_EVENT].u.perf.fd = 6;
	w[ATTACH_PERF_EVENT].u.perf.fd_type = 3;
	w[ATTACH_PERF_EVENT].u.perf.offset = 16;
	w[ATTACH_PERF_EVENT].u.perf.addr = 0xffffffff81000000ull;	/* above INT64_MAX */
	if (db_open(&db, NULL, DB_MEMORY, &e) ||
	    db_exec(&db, "INSERT INTO snapshot_rows(id, taken_at, mask) VALUES(1, 0, 32)", &e) ||
	    attach_writer_open(&aw, &db, 1, &e)) {
		CHECK(0, "setup: %s", e.msg);
		return;
	}
	for (unsigned k = 0; k < ATTACH_NR_KINDS; k++)
		CHECK(!attach_write(&aw, &w[k], &e), "write %u: %s", k, e.msg);
	CHECK(!attach_writer_finish(&aw, true, &e), "finish: %s", e.msg);
	attach_writer_close(&aw);
	CHECK(!attach_rows_read(&db, 1, ~0u, NULL, &rows, &e), "read: %s", e.msg);
	CHECK(rows.n == ATTACH_NR_KINDS, "%zu rows", rows.n);
	for (size_t i = 0; i < rows.n && i < ATTACH_NR_KINDS; i++)
		check_same(&w[i], &rows.v[i]);
	attach_rows_free(&rows);
	CHECK(!attach_rows_read(&db, 1, ATTACH_BIT(ATTACH_XDP), "vb", &rows, &e), "read dev");
	CHECK(rows.n == 0, "dev vb: %zu xdp rows", rows.n);
	attach_rows_free(&rows);
	db_close(&db);
}

static struct attach_row cg(const char *path, uint32_t id, uint32_t type, uint32_t flags)
{
	return (struct attach_row){ .kind = ATTACH_CGROUP, .prog_id = id, .cgroup_path = path,
		.has_attach_type = true, .attach_type = type, .u.cgroup.attach_flags = flags,
		.prog_found = true };
}

static void effective(void)
{
	struct attach_row v[] = {
		cg("/r", 1, 1, CG_ATTACH_FLAG_MULTI),
		cg("/r", 2, 0, CG_ATTACH_FLAG_OVERRIDE),
		cg("/r/a", 3, 1, 0),
		cg("/r/a", 4, 0, 0),
		cg("/r/ab", 5, 1, 0),	/* a sibling sharing the prefix: not an ancestor */
	};
	struct attach_rows rows = { v, sizeof(v) / sizeof(v[0]) };
	struct cg_effective s;
	size_t n;

	CHECK(!cg_effective_init(&s, &rows), "init");
	n = cg_effective_set(&s, "/r/a/x");
	/* type 0: override at /r, /r/a's own replaces it; type 1: multi at /r keeps it */
	CHECK(n == 3 && s.eff[0]->prog_id == 4 && s.eff[1]->prog_id == 3 && s.eff[2]->prog_id == 1,
	      "effective set of /r/a/x: %zu", n);
	n = cg_effective_set(&s, "/r");
	CHECK(n == 2 && s.eff[0]->prog_id == 2 && s.eff[1]->prog_id == 1, "effective set of /r");
	cg_effective_free(&s);
	CHECK(cg_at_or_below("/r/a", "/r/a/b", false) && !cg_at_or_below("/r/a", "/r/ab", false) &&
	      !cg_at_or_below("/r/a", "/r/a/b", true) && cg_at_or_below("/r/a", "/r/a", true),
	      "at or below");
	CHECK(cg_level_below("/r", "/r/a/b") == 2 && cg_level_below("/r", "/r") == 0, "levels");
}

int main(void)
{
	round_trip();
	effective();
	if (failed)
		return 1;
	printf("ok\n");
	return 0;
}
