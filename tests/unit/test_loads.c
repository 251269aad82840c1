/* Unit checks of the loads recorder's pure parts: its copy of a program's code rewritten as
 * the kernel's dump rewrites it (capture/loads_dump.c), case by case; and a load event
 * through the store writer (store/write_loads.c) into load_events and claimed by a snapshot. */
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include "capture/loads.h"
#include "capture/loads_rec.h"
#include "store/loads.h"
#include "store/schema.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

#define I(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }
#define LD64(d, addr) I(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int32_t)(uint32_t)(addr)), \
		      I(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(addr) >> 32))

static void dump_rewrites(void)
{
	const uint64_t map = 0xffff888100001000ull, arr = 0xffff888100002000ull;
	const uint64_t big = 0xffff888100003000ull;
	struct loads_map_ref maps[] = {
		{ .addr = map, .id = 7, .type = BPF_MAP_TYPE_HASH, .max_entries = 16 },
		{ .addr = arr, .value_addr = arr + 0x100, .id = 8, .type = BPF_MAP_TYPE_ARRAY,
		  .elem_size = 64, .max_entries = 1 },
		{ .addr = big, .value_addr = big + 0x100, .id = 9, .type = BPF_MAP_TYPE_ARRAY,
		  .elem_size = 64, .max_entries = 4 },
	};
	struct bpf_insn code[] = {
		LD64(1, map),					/* 0: the map itself */
		LD64(2, arr + 0x100 + 12),			/* 2: a value, offset 12 */
		LD64(3, arr + 0x100 + 64),			/* 4: past the value: no map */
		LD64(4, big + 0x100),				/* 6: a 4-entry array's value: no */
		LD64(5, 0xffffffff81000000ull),			/* 8: some other address */
		I(BPF_JMP | 0xf0, 0, 0, 0, 0),			/* 10: the tail call */
		I(BPF_JMP | 0xe0, 0, 0, 0, 1234),		/* 11: CALL_ARGS */
		I(BPF_LDX | 0x20 | BPF_W, 0, 1, 4, 0),		/* 12: PROBE_MEM */
		I(BPF_STX | 0xa0 | BPF_DW, 1, 2, 8, 0),		/* 13: PROBE_MEM32 store */
		I(BPF_LDX | 0x40 | BPF_H, 0, 1, 0, 0),		/* 14: PROBE_MEMSX: the kernel keeps it */
		I(BPF_JMP | BPF_CALL, 0, 0, 0, 5555),		/* 15: a helper, raw */
		I(BPF_LD | BPF_DW | BPF_IMM, 6, 0, 0, (int32_t)(uint32_t)map),	/* 16: cut off */
	};
	struct bpf_insn want[sizeof(code) / sizeof(code[0])];

	memcpy(want, code, sizeof(code));
	want[0].src_reg = BPF_PSEUDO_MAP_FD, want[0].imm = 7, want[1].imm = 0;
	want[2].src_reg = BPF_PSEUDO_MAP_VALUE, want[2].imm = 8, want[3].imm = 12;
	want[10] = (struct bpf_insn)I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call);
	want[11].code = BPF_JMP | BPF_CALL;
	want[12].code = BPF_LDX | BPF_MEM | BPF_W;
	want[13].code = BPF_STX | BPF_MEM | BPF_DW;
	loads_code_dump(code, sizeof(code), maps, 3);
	for (size_t i = 0; i < sizeof(code) / sizeof(code[0]); i++)
		CHECK(!memcmp(&code[i], &want[i], sizeof(code[i])),
		      "insn %zu: code %#x src %u imm %d, want code %#x src %u imm %d", i, code[i].code,
		      code[i].src_reg, code[i].imm, want[i].code, want[i].src_reg, want[i].imm);
	/* a length that is not whole instructions reads none past it */
	loads_code_dump(code, 4, maps, 3);
}

static int64_t one(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (db_prepare(db, sql, &st, NULL))
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -3 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void store_round_trip(void)
{
	static const uint8_t code[16] = { 0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95 };
	static const uint32_t ids[] = { 4, 9 };
	struct load_event p = { .kind = LOAD_PROG, .cmd = 5, .id = 42, .time_ns = 1000,
		.boot_ns = 7, .pid = 11, .tid = 12, .comm = "loader", .type = 1, .name = "f",
		.tag = { 1, 2, 3, 4, 5, 6, 7, 8 }, .insns = 2, .map_ids = ids, .nr_map_ids = 2,
		.xlated = code, .code_len = sizeof(code), .code_from = LOAD_CODE_KMEM,
		.has_attach_type = true };
	struct load_event m = { .kind = LOAD_MAP, .cmd = 0, .id = 4, .pid = 11, .name = "m",
		.type = 2, .key_size = 4, .value_size = 8, .max_entries = 1 };
	struct load_event l = { .kind = LOAD_LINK, .cmd = 28, .id = 3, .pid = 11, .prog_id = 42,
		.type = 7 };
	struct err e = { 0 };
	struct db db;
	int64_t n = 0;

	/* (an in-memory database lacks the views only users query: these tests read them) */
	if (db_open(&db, NULL, DB_MEMORY, &e) || db_exec(&db, db_views_sql, &e)) {
		CHECK(0, "open: %s", e.msg);
		return;
	}
	CHECK(!store_load_event(&db, &p, "boot", &e) && !store_load_event(&db, &m, "boot", &e) &&
	      !store_load_event(&db, &l, "boot", &e), "write: %s", e.msg);
	CHECK(one(&db, "SELECT count(*) FROM load_events") == 3, "rows");
	CHECK(one(&db, "SELECT count(*) FROM load_events e JOIN blobs b ON b.hash = e.xlated"
		  " WHERE e.kind = 'prog' AND e.code_from = 'kmem' AND e.map_ids = '4,9'"
		  " AND e.tag = '0102030405060708' AND e.bytes_xlated = 16 AND e.comm = 'loader'") == 1,
	      "the program's row");
	CHECK(one(&db, "SELECT max_entries FROM load_events WHERE kind = 'map' AND name = 'm'"
		  " AND xlated IS NULL") == 1, "the map's row");
	CHECK(one(&db, "SELECT prog_id FROM load_events WHERE kind = 'link' AND name IS NULL"
		  " AND attach_type IS NULL") == 42, "the link's row");
	CHECK(one(&db, "SELECT count(*) FROM load_events_named WHERE type_name = 'socket_filter'"
		  " OR type_name = 'array' OR type_name = 'perf_event'") == 3, "named view");
	CHECK(!db_exec(&db, "INSERT INTO snapshots(id, taken_at) VALUES(5, 1)", &e) &&
	      !store_load_events_claim(&db, 5, &n, &e) && n == 3, "claim: %s (%lld)", e.msg,
	      (long long)n);
	CHECK(!store_load_events_claim(&db, 5, &n, &e) && n == 0, "claimed once");
	CHECK(!db_exec(&db, "DELETE FROM snapshots WHERE id = 5", &e) &&
	      one(&db, "SELECT count(*) FROM load_events WHERE snapshot_id IS NULL") == 3,
	      "a deleted snapshot lets its events go");
	db_close(&db);
}

int main(void)
{
	dump_rewrites();
	store_round_trip();
	if (failed)
		printf("%d failed\n", failed);
	return failed != 0;
}
