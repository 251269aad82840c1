/* Fuzz the readers of a snapshot database: the input is a whole SQLite database image, opened
 * in memory (store/db.c db_open_image: the checks a file gets, then sqlite3_deserialize) and
 * read as the reading commands read it: snapshot list's rows, a whole snapshot as diff, audit
 * and report read it (snap_objs_read), prog show's and map show's rows printed through the
 * escaping output layer, each program's code loaded and dumped (xlated, jited), each map's
 * contents parsed and formatted with its BTF. The seed corpus is a real small snapshot
 * (tests/fuzz/corpus/fuzz_db_image, made by mkseed_db.py). Bounded per input: 4 snapshots,
 * 8 programs, 8 maps. Some milliseconds an input: Smoke runs: 300.
 * SQLite's own small allocations (parsing the schema, preparing statements) go to libc's
 * allocator, not ASan's: SQLite is not the code under test, and ASan's bookkeeping for its
 * tens of thousands of mallocs an input was a third of the time. Larger ones (page buffers,
 * the blob and text copies our code reads) stay under ASan.
 * Links: cli/code_load.c, -lbpf -lelf -lz -lsqlite3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/jited.h"
#include "analyze/map_btf.h"
#include "analyze/map_contents.h"
#include "analyze/xlated.h"
#include "cli/code_load.h"
#include "lib/output.h"
#include "lib/snap_objs.h"
#include "store/db.h"
#include "store/read_map.h"
#include "store/read_objs.h"
#include "store/read_pins.h"
#include "store/read_prog.h"
#include "store/read_snapshot.h"

#include <sqlite3.h>

#define MAX_SNAPS 4
#define MAX_IDS 8

struct walk {
	struct out *o;
	struct db *db;
	int64_t snap, snaps[MAX_SNAPS];
	uint32_t ids[MAX_IDS];
	size_t nsnaps, nids;
	struct id_list maps;
	struct err e;
};

/* snapshot list's fields, printed escaped */
static int on_snapshot(void *arg, const struct snapshot_row *r)
{
	struct walk *w = arg;

	if (!r)
		return 0;
	out_obj_start(w->o, NULL);
	out_int(w->o, "id", "%lld: ", r->id);
	out_int(w->o, "taken_at", "%lld ", r->taken_at_ns);
	out_str(w->o, "label", "label %s ", r->label ? r->label : "");
	out_str(w->o, "host", "host %s ", r->host ? r->host : "");
	out_str(w->o, "kernel", "kernel %s ", r->kernel_release ? r->kernel_release : "");
	out_str(w->o, "warnings", "%s", r->warnings ? r->warnings : "");
	out_uint(w->o, "progs", " progs %llu", r->nr_progs);
	out_obj_end(w->o);
	if (w->nsnaps < MAX_SNAPS)
		w->snaps[w->nsnaps++] = r->id;
	return 0;
}

static int on_prog(const struct prog_row *r, void *arg)
{
	struct walk *w = arg;

	out_obj_start(w->o, NULL);
	out_uint(w->o, "id", "%llu: ", r->id);
	out_str(w->o, "name", "name %s  ", r->name);
	out_str(w->o, "tag", "tag %s", r->tag);
	out_uint(w->o, "bytes_xlated", "\txlated %lluB", r->bytes_xlated);
	if (prog_map_ids(w->db, w->snap, r->id, &w->maps, &w->e))
		return -1;
	out_obj_end(w->o);
	if (w->nids < MAX_IDS)
		w->ids[w->nids++] = r->id;
	return 0;
}

static int on_map(const struct map_row *r, void *arg)
{
	struct walk *w = arg;

	out_obj_start(w->o, NULL);
	out_uint(w->o, "id", "%llu: ", r->id);
	out_str(w->o, "name", "name %s  ", r->name);
	out_uint(w->o, "bytes_key", "key %lluB", r->key_size);
	out_obj_end(w->o);
	if (w->nids < MAX_IDS)
		w->ids[w->nids++] = r->id;
	return 0;
}

static void dump_prog(struct walk *w, uint32_t id)
{
	struct prog_code pc;
	struct dump d = { 0 };
	struct err e = { 0 };

	if (code_load(w->db, w->snap, id, PROG_CODE_ALL, &pc, &e))
		return;
	if (!xlated_dump(&pc, 0, &d, &e))
		for (size_t i = 0; i < d.n; i++)
			if (d.lines[i].text)
				out_str(w->o, NULL, "%s\n", d.lines[i].text);
	dump_free(&d);
	memset(&d, 0, sizeof(d));
	if (!jited_dump(&pc, 0, &d, &e))
		for (size_t i = 0; i < d.n; i++)
			if (d.lines[i].text)
				out_str(w->o, NULL, "%s\n", d.lines[i].text);
	dump_free(&d);
	prog_code_free(&pc);
}

static void dump_map(struct walk *w, uint32_t id)
{
	struct map_data md = { 0 };
	struct map_contents mc;
	struct map_btf *mb;
	struct err e = { 0 };

	if (map_data_read(w->db, w->snap, id, &md, &e) || !md.contents.len ||
	    map_contents_parse(md.contents.data, md.contents.len, &mc, &e))
		goto out;
	mb = map_btf_open(md.btf.data, md.btf.len, md.key_type, md.value_type);
	/* (no BTF: map dump prints hex, nothing to format) */
	for (uint64_t i = 0; mb && i < mc.count && i < 64; i++) {
		char *k = map_btf_key(mb, map_contents_key(&mc, i), mc.key_size, true);
		char *v = map_btf_value(mb, map_contents_value(&mc, i), mc.value_size, false);

		out_str(w->o, NULL, "%s", k ? k : "?");
		out_str(w->o, NULL, "%s\n", v ? v : "?");
		free(k);
		free(v);
	}
	map_btf_close(mb);
out:
	map_data_free(&md);
}

/* prog show of many programs: every program's map ids and holders read at once, then
 * looked up by each id listed (and one no program has) */
static void read_all_rows(struct walk *w, int64_t snap)
{
	struct id_rows maps = { 0 }, owners = { 0 };
	struct err e = { 0 };

	if (!prog_map_ids_all(w->db, snap, &maps, &e) &&
	    !owner_rows_all(w->db, snap, "prog", &owners, &e)) {
		for (size_t i = 0; i <= w->nids; i++) {
			uint32_t id = i < w->nids ? w->ids[i] : UINT32_MAX;
			size_t from, n = id_rows_find(&maps, id, &from);

			for (size_t j = from; j < from + n; j++)
				out_uint(w->o, NULL, "%llu,", (uint64_t)maps.v[j].num);
			n = id_rows_find(&owners, id, &from);
			for (size_t j = from; j < from + n; j++)
				out_str(w->o, NULL, "%s", (const char *)owners.texts.data + owners.v[j].text);
		}
	}
	id_rows_free(&maps);
	id_rows_free(&owners);
}

static void read_snapshot(struct walk *w, int64_t snap)
{
	struct snap_objs so = { 0 };
	struct err e = { 0 };

	w->snap = snap;
	if (!snap_objs_read(w->db, snap, SO_ALL | SO_OWNERS | SO_VIEWS, &so, &e))
		snap_objs_free(&so);
	w->nids = 0;
	w->e = (struct err){ 0 };
	prog_rows(w->db, snap, -1, on_prog, w, &w->e);
	read_all_rows(w, snap);
	for (size_t i = 0; i < w->nids; i++)
		dump_prog(w, w->ids[i]);
	w->nids = 0;
	w->e = (struct err){ 0 };
	map_rows(w->db, snap, -1, on_map, w, &w->e);
	for (size_t i = 0; i < w->nids; i++)
		dump_map(w, w->ids[i]);
}

/* ASan's quarantine of freed memory at 16 MiB, not 256: an input frees tens of MiB of page
 * buffers, and recycling a full quarantine was a third of each input's time. A use after
 * free within the same input is still caught. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

/* glibc's allocator under ASan's interceptors */
extern void *__libc_malloc(size_t n);
extern void __libc_free(void *p);

enum { SQ_HEADER = 16, SQ_SMALL = 1024 };

static void *sq_malloc(int n)
{
	unsigned char *p;

	if (n <= 0)
		return NULL;
	p = n <= SQ_SMALL ? __libc_malloc((size_t)n + SQ_HEADER) : malloc((size_t)n + SQ_HEADER);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + SQ_HEADER;
}

static int sq_size(void *q)
{
	int n;

	if (!q)
		return 0;
	memcpy(&n, (unsigned char *)q - SQ_HEADER, sizeof(n));
	return n;
}

static void sq_free(void *q)
{
	unsigned char *p;

	if (!q)
		return;
	p = (unsigned char *)q - SQ_HEADER;
	if (sq_size(q) <= SQ_SMALL)
		__libc_free(p);
	else
		free(p);
}

static void *sq_realloc(void *q, int n)
{
	void *r;
	int old = sq_size(q);

	if (n <= 0) {
		sq_free(q);
		return NULL;
	}
	r = sq_malloc(n);
	if (r && q)
		memcpy(r, q, (size_t)(old < n ? old : n));
	if (r)
		sq_free(q);
	return r;
}

static int sq_roundup(int n)
{
	return (n + 7) & ~7;
}

static int sq_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void sq_shutdown(void *arg)
{
	(void)arg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const sqlite3_mem_methods methods = {
		sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup, sq_init, sq_shutdown, NULL,
	};

	(void)argc;
	(void)argv;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct out o;
	struct db db;
	struct walk w = { .o = &o, .db = &db };
	struct err e = { 0 };

	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	if (db_open_image(&db, data, size, &e))
		return 0;
	out_init(&o, null, size & 1, false);
	out_arr_start(&o, NULL);
	if (!snapshot_rows_read(&db, -1, on_snapshot, &w, &e))
		for (size_t i = 0; i < w.nsnaps; i++)
			read_snapshot(&w, w.snaps[i]);
	out_arr_end(&o);
	out_flush_end(&o);
	id_list_free(&w.maps);
	db_close(&db);
	return 0;
}
