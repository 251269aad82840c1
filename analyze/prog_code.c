/* Loading one program's code from a snapshot. Counts stored beside the blobs are checked
 * against the blobs' sizes; the smaller wins, so no reader indexes past a buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "analyze/prog_code.h"

#define CODE_MAX (64u << 20)

static uint32_t clamp_count(int64_t declared, size_t bytes, uint32_t rec)
{
	uint64_t fit = rec ? bytes / rec : 0;

	if (declared < 0)
		declared = 0;
	return (uint64_t)declared < fit ? (uint32_t)declared : (uint32_t)fit;
}

int prog_code_load_ksyms(struct db *db, int64_t snap_id, struct ksyms *k, struct err *e)
{
	struct buf b = { 0 };
	sqlite3_stmt *st;
	int err;

	err = db_prepare(db, "SELECT b.kallsyms FROM snapshots s JOIN boots b ON b.boot_id = s.boot_id"
			 " WHERE s.id = ?", &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		err = blob_get_col(db, st, 0, 256u << 20, &b, e);
	sqlite3_finalize(st);
	if (!err && b.len)
		err = ksyms_parse((const char *)b.data, b.len, k, e);
	buf_free(&b);
	return err;
}

static int load_btf(struct db *db, int64_t snap_id, uint32_t btf_id, struct prog_code *pc,
		    struct err *e)
{
	sqlite3_stmt *st;
	int err;

	if (!btf_id)
		return 0;
	err = db_cached(db, "SELECT data FROM btf WHERE snapshot_id = ? AND id = ?", &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	sqlite3_bind_int64(st, 2, btf_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		err = blob_get_col(db, st, 0, 256u << 20, &pc->btf_buf, e);
	sqlite3_reset(st);
	if (!err && pc->btf_buf.len) {
		/* libbpf validates the BTF; a corrupt one just leaves names out */
		struct btf *btf = btf__new(pc->btf_buf.data, pc->btf_buf.len);

		pc->btf = btf;	/* libbpf 1.x: NULL on error */
	}
	return err;
}

int prog_code_load(struct db *db, int64_t snap_id, uint32_t prog_id, unsigned what,
		   struct prog_code *pc, struct err *e)
{
	sqlite3_stmt *st;
	int err;

	memset(pc, 0, sizeof(*pc));
	err = db_cached(db, "SELECT p.type, p.name, p.tag, p.btf_id, s.arch,"
			 " p.xlated, p.jited_insns, p.func_info, p.line_info, p.jited_line_info,"
			 " p.jited_ksyms, p.jited_func_lens, p.prog_tags,"
			 " p.nr_func_info, p.func_info_rec_size, p.nr_line_info, p.line_info_rec_size,"
			 " p.nr_jited_line_info, p.jited_line_info_rec_size, p.nr_jited_ksyms,"
			 " p.nr_jited_func_lens, p.nr_prog_tags"
			 " FROM progs p JOIN snapshots s ON s.id = p.snapshot_id"
			 " WHERE p.snapshot_id = ? AND p.id = ?", &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	sqlite3_bind_int64(st, 2, prog_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return err_set(e, ENOENT, "no program with id %u in snapshot %lld", prog_id,
			       (long long)snap_id);
	}
	pc->id = prog_id;
	pc->type = sqlite3_column_int64(st, 0);
	snprintf(pc->name, sizeof(pc->name), "%s", (const char *)sqlite3_column_text(st, 1) ?: "");
	snprintf(pc->tag, sizeof(pc->tag), "%s", (const char *)sqlite3_column_text(st, 2) ?: "");
	snprintf(pc->arch, sizeof(pc->arch), "%s", (const char *)sqlite3_column_text(st, 4) ?: "");
	{
		struct buf *bufs[] = { &pc->xlated_buf, &pc->jited_buf, &pc->func_info_buf,
			&pc->line_info_buf, &pc->jited_line_info_buf, &pc->jited_ksyms_buf,
			&pc->jited_func_lens_buf, &pc->prog_tags_buf };

		for (int i = 0; !err && i < 8; i++) {
			if (i == 1 && !(what & PROG_CODE_JITED))
				continue;
			err = blob_get_col(db, st, 5 + i, CODE_MAX, bufs[i], e);
		}
	}
	if (!err) {
		uint32_t fi_rec = sqlite3_column_int64(st, 14), li_rec = sqlite3_column_int64(st, 16);
		uint32_t jli_rec = sqlite3_column_int64(st, 18);

		pc->insns = (const struct bpf_insn *)pc->xlated_buf.data;
		pc->nr_insns = pc->xlated_buf.len / sizeof(struct bpf_insn);
		pc->xlated_tail = pc->xlated_buf.len % sizeof(struct bpf_insn);
		pc->jited = pc->jited_buf.data;
		pc->jited_len = pc->jited_buf.len;
		/* a record smaller than the struct we read would make us read past it */
		if (fi_rec >= sizeof(struct bpf_func_info)) {
			pc->func_info = pc->func_info_buf.data;
			pc->func_info_rec_size = fi_rec;
			pc->nr_func_info = clamp_count(sqlite3_column_int64(st, 13), pc->func_info_buf.len, fi_rec);
		}
		if (li_rec >= sizeof(struct bpf_line_info)) {
			pc->line_info = pc->line_info_buf.data;
			pc->line_info_rec_size = li_rec;
			pc->nr_line_info = clamp_count(sqlite3_column_int64(st, 15), pc->line_info_buf.len, li_rec);
		}
		if (jli_rec == 8) {
			pc->jited_line_info = (const uint64_t *)pc->jited_line_info_buf.data;
			pc->nr_jited_line_info = clamp_count(sqlite3_column_int64(st, 17),
							     pc->jited_line_info_buf.len, 8);
		}
		pc->jited_ksyms = (const uint64_t *)pc->jited_ksyms_buf.data;
		pc->nr_jited_ksyms = clamp_count(sqlite3_column_int64(st, 19), pc->jited_ksyms_buf.len, 8);
		pc->jited_func_lens = (const uint32_t *)pc->jited_func_lens_buf.data;
		pc->nr_jited_func_lens = clamp_count(sqlite3_column_int64(st, 20),
						     pc->jited_func_lens_buf.len, 4);
		pc->prog_tags = pc->prog_tags_buf.data;
		pc->nr_prog_tags = clamp_count(sqlite3_column_int64(st, 21), pc->prog_tags_buf.len, 8);
	}
	{
		uint32_t btf_id = sqlite3_column_int64(st, 3);

		sqlite3_reset(st);
		if (!err)
			err = load_btf(db, snap_id, btf_id, pc, e);
	}
	if (!err && (what & PROG_CODE_KSYMS))
		err = prog_code_load_ksyms(db, snap_id, &pc->ksyms, e);
	if (err)
		prog_code_free(pc);
	return err;
}

void prog_code_free(struct prog_code *pc)
{
	struct buf *bufs[] = { &pc->xlated_buf, &pc->jited_buf, &pc->func_info_buf,
		&pc->line_info_buf, &pc->jited_line_info_buf, &pc->jited_ksyms_buf,
		&pc->jited_func_lens_buf, &pc->prog_tags_buf, &pc->btf_buf };

	btf__free(pc->btf);
	if (!pc->ksyms_borrowed)
		ksyms_free(&pc->ksyms);
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		buf_free(bufs[i]);
	memset(pc, 0, sizeof(*pc));
}

const char *prog_code_func_name(const struct prog_code *pc, uint32_t i)
{
	struct bpf_func_info fi;
	const struct btf_type *t;
	const char *name;

	if (!pc->btf || i >= pc->nr_func_info)
		return "";
	/* memcpy: a hostile record size (9) leaves records unaligned */
	memcpy(&fi, pc->func_info + (size_t)i * pc->func_info_rec_size, sizeof(fi));
	t = btf__type_by_id(pc->btf, fi.type_id);
	if (!t)
		return "";
	name = btf__name_by_offset(pc->btf, t->name_off);
	return name ? name : "";
}

const char *prog_code_func_ksym(const struct prog_code *pc, uint32_t i, char *out, size_t len)
{
	char tag[17];
	const char *name;

	/* the kernel's bpf_prog_ksym_set_name: BTF name when func info exists, else prog name */
	/* function 0 is registered as the program itself, with the program's tag (not
	 * prog_tags[0], which is the tag of func[0] alone: seen in /proc/kallsyms on 6.18) */
	if (i == 0 && pc->tag[0])
		snprintf(tag, sizeof(tag), "%s", pc->tag);
	else if (i < pc->nr_prog_tags)
		hex_encode(pc->prog_tags + (size_t)i * 8, 8, tag);
	else
		return NULL;
	name = i < pc->nr_func_info ? prog_code_func_name(pc, i) : (i == 0 ? pc->name : "");
	if (name[0])
		snprintf(out, len, "bpf_prog_%s_%s", tag, name);
	else
		snprintf(out, len, "bpf_prog_%s", tag);
	return out;
}

void prog_code_use_ksyms(struct prog_code *pc, const struct ksyms *k)
{
	if (!pc->ksyms_borrowed)
		ksyms_free(&pc->ksyms);
	pc->ksyms = *k;
	pc->ksyms_borrowed = true;
}
