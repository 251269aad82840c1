/* The xlated dump as data: function headers from BTF func_info, source lines from line_info
 * and instructions, in the order and with the matching rules bpftool uses, but bounded:
 * a hostile snapshot yields "(bad)" lines and warnings, never an out-of-bounds read. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "analyze/func_proto.h"
#include "analyze/xlated.h"
#include "analyze/xlated_int.h"

/* Sizes of the records' fields we read (struct bpf_func_info, struct bpf_line_info). */
#define FINFO_MIN	8
#define LINFO_MIN	16
#define PROTO_MAX	1024	/* bpftool's func_sig[1024]: longer prototypes print nothing */

static uint32_t rd32(const uint8_t *rec, size_t off)
{
	uint32_t v;

	memcpy(&v, rec + off, sizeof(v));
	return v;
}

/* libbpf's bpf_prog_linfo__lfind: among records from nr_skip on, the last one starting at
 * or before insn, if it starts exactly at insn. Duplicates make nr_skip lag, as in bpftool. */
static const uint8_t *linfo_find(const struct prog_code *pc, uint32_t insn, uint32_t nr_skip)
{
	uint32_t n = pc->nr_line_info, rs = pc->line_info_rec_size, i;

	if (nr_skip >= n)
		return NULL;
	if (insn < rd32(pc->line_info + (size_t)nr_skip * rs, 0))
		return NULL;
	for (i = nr_skip; i < n; i++)
		if (insn < rd32(pc->line_info + (size_t)i * rs, 0))
			break;
	i--;
	return rd32(pc->line_info + (size_t)i * rs, 0) == insn ? pc->line_info + (size_t)i * rs
							       : NULL;
}

static int warn(struct dump *d, uint32_t pc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int warn(struct dump *d, uint32_t pc, const char *fmt, ...)
{
	struct dump_line l = { .kind = DL_WARN, .pc = pc };
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l.text = msg;
	return dump_add(d, &l);
}

static int add_src(struct dump *d, const struct prog_code *pc, const uint8_t *rec, uint32_t i)
{
	struct dump_line l = { .kind = DL_SRC, .pc = i };
	const char *line = btf__name_by_offset(pc->btf, rd32(rec, 8));
	uint32_t lc = rd32(rec, 12);

	if (!line)	/* bpftool prints nothing for a line it cannot name */
		return warn(d, i, "insn %u: line_info source offset %u is outside the BTF strings",
			    i, rd32(rec, 8));
	while (isspace((unsigned char)*line))
		line++;
	l.text = line;
	l.file = btf__name_by_offset(pc->btf, rd32(rec, 4));
	l.line = lc >> 10;
	l.col = lc & 0x3ff;
	return dump_add(d, &l);
}

static int check_records(const struct prog_code *pc, struct dump *d, bool *use_finfo,
			 bool *use_linfo)
{
	int err = 0;

	*use_finfo = pc->nr_func_info && pc->func_info && pc->btf;
	*use_linfo = pc->nr_line_info && pc->line_info && pc->btf;
	if ((pc->nr_func_info || pc->nr_line_info) && !pc->btf)
		err = err ?: warn(d, 0, "func_info/line_info present but the program's BTF is missing");
	if (*use_finfo && pc->func_info_rec_size < FINFO_MIN) {
		err = err ?: warn(d, 0, "func_info record size %u is too small",
				  pc->func_info_rec_size);
		*use_finfo = false;
	}
	if (*use_linfo && pc->line_info_rec_size < LINFO_MIN) {
		err = err ?: warn(d, 0, "line_info record size %u is too small",
				  pc->line_info_rec_size);
		*use_linfo = false;
	}
	/* one warning is enough: a hostile blob may hold a million such records */
	for (uint32_t r = 0; *use_finfo && r < pc->nr_func_info; r++) {
		uint32_t off = rd32(pc->func_info + (size_t)r * pc->func_info_rec_size, 0);

		if (off >= pc->nr_insns)
			return err ?: warn(d, 0, "func_info %u starts at insn %u, past the end (%u insns)",
					   r, off, pc->nr_insns);
	}
	return err;
}

int xlated_dump(const struct prog_code *pc, unsigned flags, struct dump *d, struct err *e)
{
	uint32_t fi = 0, nr_skip = 0, slots;
	bool use_finfo, use_linfo;
	struct xl_env x;
	char text[256], proto[PROTO_MAX];
	int err;

	(void)flags;	/* the dump always carries bytes and file:line:col; cli/ picks */
	xl_env_init(&x, pc);
	err = check_records(pc, d, &use_finfo, &use_linfo);
	for (uint32_t i = 0; !err && pc->insns && i < pc->nr_insns; i += slots) {
		struct dump_line l = { .kind = DL_INSN, .pc = i };
		const char *bad;

		/* bpftool matches func_info in order: one record at a time, at its insn */
		if (use_finfo && fi < pc->nr_func_info) {
			const uint8_t *rec = pc->func_info + (size_t)fi * pc->func_info_rec_size;

			if (rd32(rec, 0) == i) {
				fi++;
				if (!func_proto_text(pc->btf, rd32(rec, 4), proto, sizeof(proto))) {
					struct dump_line f = { .kind = DL_FUNC, .pc = i, .text = proto };

					err = dump_add(d, &f);
				} else {
					err = warn(d, i, "func_info %u: no prototype for BTF type %u",
						   fi - 1, rd32(rec, 4));
				}
			}
		}
		if (!err && use_linfo) {
			const uint8_t *rec = linfo_find(pc, i, nr_skip);

			if (rec) {
				nr_skip++;
				err = add_src(d, pc, rec, i);
			}
		}
		if (err)
			break;
		slots = xl_insn_text(&x, i, text, sizeof(text), &bad);
		if (!slots)
			break;
		l.text = text;
		l.bytes = (const uint8_t *)&pc->insns[i];
		l.nbytes = slots * sizeof(struct bpf_insn);
		err = dump_add(d, &l);
		if (!err && bad)
			err = warn(d, i, "insn %u: %s (code 0x%02x)", i, bad, pc->insns[i].code);
	}
	if (!err && use_finfo && fi < pc->nr_func_info)
		err = warn(d, pc->nr_insns, "%u func_info record(s) matched no instruction start",
			   pc->nr_func_info - fi);
	if (!err && pc->xlated_tail)
		err = warn(d, pc->nr_insns, "%u trailing byte(s) after the last instruction",
			   pc->xlated_tail);
	if (err)
		return err_set(e, -err, "out of memory building the xlated dump");
	return 0;
}
