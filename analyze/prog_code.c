/* One program's code as data. Counts stored beside the blobs are checked against the
 * blobs' sizes; the smaller wins, so no reader indexes past a buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "analyze/prog_code.h"

static uint32_t clamp_count(int64_t declared, size_t bytes, uint32_t rec)
{
	uint64_t fit = rec ? bytes / rec : 0;

	if (declared < 0)
		declared = 0;
	return (uint64_t)declared < fit ? (uint32_t)declared : (uint32_t)fit;
}

int prog_code_adopt(struct prog_code *pc, const struct prog_code_counts *c, struct err *e)
{
	uint32_t fi_rec = c->func_info_rec_size, li_rec = c->line_info_rec_size;

	(void)e;	/* nothing fails yet: a bad count is clamped, a bad BTF dropped */
	pc->insns = (const struct bpf_insn *)pc->xlated_buf.data;
	pc->nr_insns = pc->xlated_buf.len / sizeof(struct bpf_insn);
	pc->xlated_tail = pc->xlated_buf.len % sizeof(struct bpf_insn);
	pc->jited = pc->jited_buf.data;
	pc->jited_len = pc->jited_buf.len;
	/* a record smaller than the struct we read would make us read past it; a negative
	 * or huge stored size is no record size at all */
	if (c->func_info_rec_size >= (int64_t)sizeof(struct bpf_func_info) &&
	    c->func_info_rec_size <= UINT32_MAX) {
		pc->func_info = pc->func_info_buf.data;
		pc->func_info_rec_size = fi_rec;
		pc->nr_func_info = clamp_count(c->nr_func_info, pc->func_info_buf.len, fi_rec);
	}
	if (c->line_info_rec_size >= (int64_t)sizeof(struct bpf_line_info) &&
	    c->line_info_rec_size <= UINT32_MAX) {
		pc->line_info = pc->line_info_buf.data;
		pc->line_info_rec_size = li_rec;
		pc->nr_line_info = clamp_count(c->nr_line_info, pc->line_info_buf.len, li_rec);
	}
	if (c->jited_line_info_rec_size == 8) {
		pc->jited_line_info = (const uint64_t *)pc->jited_line_info_buf.data;
		pc->nr_jited_line_info = clamp_count(c->nr_jited_line_info,
						     pc->jited_line_info_buf.len, 8);
	}
	pc->jited_ksyms = (const uint64_t *)pc->jited_ksyms_buf.data;
	pc->nr_jited_ksyms = clamp_count(c->nr_jited_ksyms, pc->jited_ksyms_buf.len, 8);
	pc->jited_func_lens = (const uint32_t *)pc->jited_func_lens_buf.data;
	pc->nr_jited_func_lens = clamp_count(c->nr_jited_func_lens, pc->jited_func_lens_buf.len, 4);
	pc->prog_tags = pc->prog_tags_buf.data;
	pc->nr_prog_tags = clamp_count(c->nr_prog_tags, pc->prog_tags_buf.len, 8);
	/* libbpf validates the BTF; libbpf 1.x returns NULL on error */
	if (pc->btf_buf.len)
		pc->btf = btf__new(pc->btf_buf.data, pc->btf_buf.len);
	return 0;
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
