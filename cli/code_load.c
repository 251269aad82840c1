/* Gluing store/'s code row to analyze/'s struct prog_code: the blobs change hands, the
 * stored counts are handed over for checking. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/code_load.h"
#include "store/read_code.h"

int code_load_ksyms(struct db *db, int64_t snap_id, struct ksyms *k, struct err *e)
{
	struct buf b = { 0 };
	int err;

	err = kallsyms_read(db, snap_id, &b, e);
	if (!err && b.len)
		err = ksyms_parse((const char *)b.data, b.len, k, e);
	buf_free(&b);
	return err;
}

static void take(struct buf *to, struct buf *from)
{
	*to = *from;
	memset(from, 0, sizeof(*from));
}

int code_load(struct db *db, int64_t snap_id, uint32_t prog_id, unsigned what,
	      struct prog_code *pc, struct err *e)
{
	struct code_row r;
	struct prog_code_counts c;
	int err;

	memset(pc, 0, sizeof(*pc));
	err = code_row_read(db, snap_id, prog_id, what & PROG_CODE_JITED, &r, e);
	if (err)
		return err;
	pc->id = prog_id;
	pc->type = r.type;
	memcpy(pc->name, r.name, sizeof(pc->name));
	memcpy(pc->tag, r.tag, sizeof(pc->tag));
	memcpy(pc->arch, r.arch, sizeof(pc->arch));
	take(&pc->xlated_buf, &r.xlated);
	take(&pc->jited_buf, &r.jited);
	take(&pc->func_info_buf, &r.func_info);
	take(&pc->line_info_buf, &r.line_info);
	take(&pc->jited_line_info_buf, &r.jited_line_info);
	take(&pc->jited_ksyms_buf, &r.jited_ksyms);
	take(&pc->jited_func_lens_buf, &r.jited_func_lens);
	take(&pc->prog_tags_buf, &r.prog_tags);
	take(&pc->btf_buf, &r.btf);
	c = (struct prog_code_counts){
		.nr_func_info = r.nr_func_info, .func_info_rec_size = r.func_info_rec_size,
		.nr_line_info = r.nr_line_info, .line_info_rec_size = r.line_info_rec_size,
		.nr_jited_line_info = r.nr_jited_line_info,
		.jited_line_info_rec_size = r.jited_line_info_rec_size,
		.nr_jited_ksyms = r.nr_jited_ksyms, .nr_jited_func_lens = r.nr_jited_func_lens,
		.nr_prog_tags = r.nr_prog_tags,
	};
	code_row_free(&r);
	err = prog_code_adopt(pc, &c, e);
	if (!err && (what & PROG_CODE_KSYMS))
		err = code_load_ksyms(db, snap_id, &pc->ksyms, e);
	if (err)
		prog_code_free(pc);
	return err;
}

int prog_idents_load(struct db *db, int64_t snap_id, uint32_t prog_id,
		     struct prog_ident_rows *rows, struct prog_ident **ids, struct err *e)
{
	int err;

	*ids = NULL;
	err = prog_ident_rows_read(db, snap_id, prog_id, rows, e);
	if (err)
		return err;
	*ids = calloc(rows->n ? rows->n : 1, sizeof(**ids));
	if (!*ids) {
		prog_ident_rows_free(rows);
		return err_set(e, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < rows->n; i++) {
		const struct prog_ident_row *r = &rows->rows[i];

		(*ids)[i] = (struct prog_ident){ .id = r->id, .type = r->type, .name = r->name,
			.tag = r->tag, .pin = r->pin, .link_pin = r->link_pin, .attach = r->attach,
			.link_target = r->link_target, .load_order = r->load_time };
	}
	return 0;
}

void prog_idents_free(struct prog_ident_rows *rows, struct prog_ident *ids)
{
	free(ids);
	prog_ident_rows_free(rows);
}
