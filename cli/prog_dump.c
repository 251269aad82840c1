/* prog dump xlated|jited PROG [file FILE] [opcodes] [linum] [visual]: bpftool's layouts
 * (plain and -j), printed from the dump-as-data the decoders build from the view. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analyze/helper_names.h"
#include "analyze/jited.h"
#include "analyze/prog_code.h"
#include "analyze/xlated.h"
#include "cli/cli.h"
#include "cli/code_load.h"
#include "store/read_btf_data.h"
#include "store/read_code.h"
#include "lib/bpf_names.h"
#include "capture/snapshot.h"

struct dump_opts {
	bool jited, opcodes, linum;
	const char *file;
	/* the kernel's helper table, loaded on the first program that calls a helper by id */
	struct helper_names helpers;
	bool helpers_tried;
};

/* Source lines and prototypes come from untrusted BTF: keep tabs (sources have them, and
 * bpftool prints them), escape every other control byte. */
static void put_safe(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void put_hex(FILE *f, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, i ? " %02x" : "%02x", p[i]);
}

/* Text from untrusted BTF and kallsyms: plain keeps tabs (sources have them, and bpftool
 * prints them) and escapes other control bytes; JSON's writer escapes everything. */
static void out_text(struct out *o, const char *key, const char *s)
{
	if (out_json(o) && !s)
		out_null(o, key);
	else if (out_json(o))
		out_str(o, key, NULL, s);
	else
		put_safe(o->f, s);
}

/* "; text [file:F line_num:L line_col:C]"; JSON as bpftool's btf_dump_linfo_json: file
 * only with linum, zero line/col left out */
static void print_src(struct out *o, const struct dump_line *l, bool linum)
{
	bool plain = !out_json(o);

	out_plain(o, "; ");
	out_text(o, "src", l->text);
	if (linum) {
		out_plain(o, " [file:");
		if (plain || l->file)
			out_text(o, "file", l->file ? l->file : "");
		if (plain || l->line)
			out_uint(o, "line_num", " line_num:%" PRIu64, l->line);
		if (plain || l->col)
			out_uint(o, "line_col", " line_col:%" PRIu64, l->col);
		out_plain(o, "]");
	}
	out_plain(o, "\n");
}

static void print_warnings(struct ctx *ctx, const struct dump *d)
{
	char safe[600];

	for (size_t i = 0; i < d->n; i++)
		if (d->lines[i].kind == DL_WARN)
			p_info(ctx, "Warning: %s", out_safe(d->lines[i].text, safe, sizeof(safe)));
}

static void json_hex_bytes(struct out *o, const char *key, const uint8_t *p, uint32_t n)
{
	char b[8];

	out_arr_start(o, key);
	for (uint32_t i = 0; i < n; i++) {
		snprintf(b, sizeof(b), "0x%02x", p[i]);
		out_str(o, NULL, NULL, b);
	}
	out_arr_end(o);
}

static void json_hex_field(struct out *o, const char *key, const char *fmt, unsigned v)
{
	char b[16];

	snprintf(b, sizeof(b), fmt, v);
	out_str(o, key, NULL, b);
}

/* plain: the bytes on a line of their own; JSON: bpftool's fields of the instruction */
static void print_xlated_opcodes(struct out *o, const struct dump_line *l)
{
	if (!out_json(o)) {
		fputs("       ", o->f);
		put_hex(o->f, l->bytes, l->nbytes);
		fputc('\n', o->f);
		return;
	}
	if (l->nbytes < 8)
		return;
	out_obj_start(o, "opcodes");
	json_hex_field(o, "code", "0x%02x", l->bytes[0]);
	json_hex_field(o, "src_reg", "0x%x", l->bytes[1] >> 4);
	json_hex_field(o, "dst_reg", "0x%x", l->bytes[1] & 0xf);
	json_hex_bytes(o, "off", l->bytes + 2, 2);
	/* a 64-bit immediate: its imm and the whole second slot, as bpftool */
	json_hex_bytes(o, "imm", l->bytes + 4, l->nbytes > 8 ? 12 : 4);
	out_obj_end(o);
}

/* plain: "func:", "; source", "%4u: insn"; JSON: [{"proto": ..., "src": ..., "disasm":
 * "(b7) r0 = 0", "opcodes": {...}}, ...], one object per instruction */
static void print_xlated(struct out *o, const struct dump *d, const struct dump_opts *op)
{
	bool open = false;

	out_arr_start(o, NULL);
	for (size_t i = 0; i < d->n; i++) {
		const struct dump_line *l = &d->lines[i];

		if (l->kind == DL_WARN || l->kind == DL_ADDR)
			continue;
		if (!open) {
			out_obj_start(o, NULL);
			open = true;
		}
		if (l->kind == DL_FUNC) {
			out_text(o, "proto", l->text);
			out_plain(o, ":\n");
			continue;
		}
		if (l->kind == DL_SRC) {
			print_src(o, l, op->linum);
			continue;
		}
		out_plain(o, "%4u: ", l->pc);
		out_text(o, "disasm", l->text);
		out_plain(o, "\n");
		if (op->opcodes)
			print_xlated_opcodes(o, l);
		out_obj_end(o);
		open = false;
	}
	if (open)
		out_obj_end(o);
	out_arr_end(o);
}

/* bpftool's jited layout: per function "proto:", "symbol:", then "%4x:\t<insn>", a blank
 * line after each function. A program without func lens is one unnamed block. */
static void print_jited_plain(struct out *out, const struct dump *d, const struct dump_opts *o)
{
	FILE *f = out->f;
	bool in_func = false;

	for (size_t i = 0; i < d->n; i++) {
		const struct dump_line *l = &d->lines[i];

		switch (l->kind) {
		case DL_FUNC:
			if (in_func)
				fputc('\n', f);
			in_func = false;
			put_safe(f, l->text);
			fputs(":\n", f);
			break;
		case DL_ADDR:
			if (in_func)
				fputc('\n', f);
			in_func = true;
			if (l->text)
				put_safe(f, l->text);
			else
				fprintf(f, "0x%016" PRIx64, l->addr);
			fputs(":\n", f);
			break;
		case DL_SRC:
			print_src(out, l, o->linum);
			break;
		case DL_INSN:
			fprintf(f, "%4x:\t", l->pc);
			put_safe(f, l->text);
			if (o->opcodes) {
				fputs("\n\t", f);
				for (uint32_t b = 0; b < l->nbytes; b++)
					fprintf(f, "%02x ", l->bytes[b]);
			}
			fputc('\n', f);
			break;
		default:
			break;
		}
	}
	if (in_func)
		fputc('\n', f);
}

/* "operation" and "operands" as bpftool's LLVM printer splits the text */
static void json_jited_insn(struct out *out, const struct dump_line *l, const struct dump_opts *o)
{
	struct jw *w = &out->jw;
	char text[512], pcs[16], *save = NULL, *tok;
	int nops = 0;

	snprintf(pcs, sizeof(pcs), "0x%x", l->pc);
	jw_name(w, "pc");
	jw_string(w, pcs);
	snprintf(text, sizeof(text), "%s", l->text ? l->text : "");
	tok = strtok_r(text, " \t", &save);
	jw_name(w, "operation");
	jw_string(w, tok ? tok : "");
	jw_name(w, "operands");
	jw_start_array(w);
	while ((tok = strtok_r(NULL, " \t,()", &save))) {
		jw_string(w, tok);
		nops++;
	}
	if (!nops)
		jw_null(w);
	jw_end_array(w);
	if (o->opcodes)
		json_hex_bytes(out, "opcodes", l->bytes, l->nbytes);
}

static void print_jited_json(struct out *out, const struct dump *d, const struct dump_opts *o)
{
	struct jw *w = &out->jw;
	bool funcs = false, in_func = false, open = false;

	for (size_t i = 0; i < d->n; i++)
		funcs |= d->lines[i].kind == DL_ADDR;
	jw_start_array(w);
	for (size_t i = 0; i < d->n; i++) {
		const struct dump_line *l = &d->lines[i];

		if (l->kind == DL_WARN)
			continue;
		if (funcs && (l->kind == DL_FUNC || l->kind == DL_ADDR) && in_func) {
			jw_end_array(w);	/* insns */
			jw_end_object(w);
			in_func = false;
		}
		if (l->kind == DL_FUNC || l->kind == DL_ADDR) {
			if (!open) {
				jw_start_object(w);
				open = true;
			}
			if (l->kind == DL_FUNC) {
				jw_name(w, "proto");
				jw_string(w, l->text);
				continue;
			}
			jw_name(w, "name");
			if (l->text) {
				jw_string(w, l->text);
			} else {
				char a[24];

				snprintf(a, sizeof(a), "0x%016" PRIx64, l->addr);
				jw_string(w, a);
			}
			jw_name(w, "insns");
			jw_start_array(w);
			in_func = true;
			open = false;
			continue;
		}
		jw_start_object(w);
		if (l->kind == DL_SRC) {
			print_src(out, l, o->linum);
			/* the instruction this line belongs to follows */
			if (i + 1 < d->n && d->lines[i + 1].kind == DL_INSN)
				l = &d->lines[++i];
			else {
				jw_end_object(w);
				continue;
			}
		}
		json_jited_insn(out, l, o);
		jw_end_object(w);
	}
	if (in_func) {
		jw_end_array(w);
		jw_end_object(w);
	} else if (open) {
		jw_end_object(w);
	}
	jw_end_array(w);
}

static int write_raw(struct ctx *ctx, const char *path, const void *p, size_t len)
{
	int fd = open_private(path), err;
	ssize_t n;

	if (fd < 0) {
		err = errno;
		return p_err(ctx, "can't open file %s: %s", path, strerror(err));
	}
	n = len ? write(fd, p, len) : 0;
	err = errno;
	close(fd);
	if (n != (ssize_t)len)
		return p_err(ctx, "error writing output file: %s", n < 0 ? strerror(err) : "short write");
	return 0;
}

/* bpftool's print_prog_header_*: the line that separates programs when PROG matched several */
static void print_prog_header(struct ctx *ctx, struct view *v, const struct prog_code *pc)
{
	const char *tname = prog_type_name(pc->type), *full = prog_code_func_name(pc, 0);
	struct prog_stat_row r;
	struct out *o = &ctx->out;
	char name[128];

	/* a missing row prints zeros, as bpftool does for a program it could not read */
	prog_stat_read(&v->db, v->snap_id, pc->id, &r, &(struct err){ 0 });
	/* names are cut at 15 bytes; bpftool shows the BTF name when it extends the cut one */
	if (strlen(pc->name) == 15 && !strncmp(full, pc->name, 15))
		snprintf(name, sizeof(name), "%s", full);
	else
		snprintf(name, sizeof(name), "%s", pc->name);
	out_uint(o, "id", "%" PRIu64 ": ", pc->id);
	if (tname)
		out_str(o, "type", "%s  ", tname);
	else
		out_uint(o, "type", "type %" PRIu64 "  ", pc->type);
	out_str(o, "name", "name %s", name);
	out_str(o, "tag", "  tag %s", pc->tag);
	out_bool(o, "gpl_compatible", "  gpl", r.gpl);
	if (r.run_time_ns) {
		out_uint(o, "run_time_ns", " run_time_ns %" PRIu64, r.run_time_ns);
		out_uint(o, "run_cnt", " run_cnt %" PRIu64, r.run_cnt);
	}
	if (r.recursion_misses)
		out_uint(o, "recursion_misses", " recursion_misses %" PRIu64, r.recursion_misses);
	out_nl(o);
}

/* Helper ids are named from the snapshot's vmlinux BTF (else, live, the running kernel's),
 * falling back to the built-in table; only programs that call a helper by id pay for it. */
static void attach_helper_names(struct ctx *ctx, struct view *v, struct prog_code *pc,
				struct dump_opts *o)
{
	if (o->jited || !helper_names_needed(pc->insns, pc->nr_insns))
		return;
	if (!o->helpers_tried) {
		struct err e = { 0 };
		struct buf b = { 0 };
		int err = v->db.sql ? btf_vmlinux_read(&v->db, v->snap_id, &b, &e) : -ENOENT;

		if (!err || err == -ENOENT)
			err = helper_names_load(b.data, b.len, v->live, &o->helpers, &e);
		buf_free(&b);
		o->helpers_tried = true;
		if (err && err != -ENOENT)
			p_info(ctx, "Warning: helper names from the built-in table: %s", e.msg);
	}
	if (o->helpers.n)
		pc->helpers = &o->helpers;
}

static int dump_one(struct ctx *ctx, const struct prog_code *pc, const struct dump_opts *o)
{
	struct dump d = { 0 };
	struct err e = { 0 };
	int ret = -1;

	if (o->jited && !pc->jited_len) {
		p_info(ctx, "no instructions returned");
		return -1;
	}
	if (!o->jited && !pc->nr_insns)
		return p_err(ctx, "error retrieving insn dump: kernel.kptr_restrict set?");
	if (o->file) {
		if (o->jited)
			ret = write_raw(ctx, o->file, pc->jited, pc->jited_len);
		else
			ret = write_raw(ctx, o->file, pc->insns,
					(size_t)pc->nr_insns * sizeof(*pc->insns) + pc->xlated_tail);
		if (!ret)
			out_null(&ctx->out, NULL);
		return ret;
	}
	if ((o->jited ? jited_dump : xlated_dump)(pc, (o->opcodes ? DUMP_OPCODES : 0) |
						  (o->linum ? DUMP_LINUM : 0), &d, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	if (!o->jited)
		print_xlated(&ctx->out, &d, o);
	else if (out_json(&ctx->out))
		print_jited_json(&ctx->out, &d, o);
	else
		print_jited_plain(&ctx->out, &d, o);
	print_warnings(ctx, &d);
	ret = 0;
out:
	dump_free(&d);
	return ret;
}

/* ksyms' loader for a live view of one program: the boot's symbols into the view's
 * database, then read back as from a stored snapshot. A failure leaves none: the dump then
 * shows addresses, as for a snapshot without symbols. */
static int live_ksyms_load(void *arg, struct ksyms *k)
{
	struct view *v = arg;
	struct ksyms got = { 0 };
	struct err e = { 0 };

	if (snapshot_fill_kallsyms(&v->db, v->snap_id, &e) ||
	    code_load_ksyms(&v->db, v->snap_id, &got, &e)) {
		ksyms_free(&got);
		return -1;
	}
	got.load = k->load;
	got.load_arg = k->load_arg;
	got.load_state = 1;
	*k = got;
	return 0;
}

static int dump_help(struct ctx *ctx)
{
	(void)ctx;
	fputs(GRAMMAR_PROG_DUMP, stderr);
	return -1;
}

int do_prog_dump(struct ctx *ctx, int argc, char **argv)
{
	struct dump_opts o = { 0 };
	struct ksyms ksyms = { 0 };
	uint32_t *ids = NULL;
	size_t n = 0;
	struct view v;
	int ret = -1;

	if (argc < 1)
		return dump_help(ctx);
	if (keyword_is(*argv, "jited"))
		o.jited = true;
	else if (!keyword_is(*argv, "xlated"))
		return p_err(ctx, "expected 'xlated' or 'jited', got: %s", *argv);
	NEXT_ARG();
	if (argc < 1)
		return dump_help(ctx);
	/* 'visual' draws the CFG instead: hand the whole request to its owner */
	for (int i = 2; !o.jited && i < argc; i++) {
		if (keyword_is(argv[i], "visual")) {
			if (out_json(&ctx->out))
				return p_err(ctx, "'visual' is not compatible with JSON output");
			return do_prog_dump_visual(ctx, argc, argv);
		}
		if (keyword_is(argv[i], "file"))
			i++;
	}
	/* a pinned path is resolved through the view's pins, which cost a bpffs walk */
	/* live: list everything cheaply, then fetch the code of the selected programs only */
	if (view_open_prog(ctx, keyword_is(*argv, "pinned") ? SNAP_PINS : 0, argc, argv, &v))
		return -1;
	/* live, one program: the kernel's symbols are read only if the dump names one */
	if (prog_select(ctx, &v, &argc, &argv, &ids, &n) || view_fill_code(ctx, &v, ids, n, n > 1))
		goto out;
	if (!n) {
		p_err(ctx, "no program matched");
		goto out;
	}
	while (argc) {
		if (keyword_is(*argv, "file")) {
			NEXT_ARG();
			if (!argc) {
				p_err(ctx, "expected file path");
				goto out;
			}
			if (n > 1) {
				p_err(ctx, "several programs matched");
				goto out;
			}
			o.file = *argv;
			NEXT_ARG();
		} else if (keyword_is(*argv, "opcodes")) {
			o.opcodes = true;
			NEXT_ARG();
		} else if (keyword_is(*argv, "linum")) {
			o.linum = true;
			NEXT_ARG();
		} else {
			p_err(ctx, "unknown argument '%s' (expected file, opcodes, linum%s)", *argv,
			      o.jited ? "" : " or visual");
			goto out;
		}
	}
	if (o.file && (o.opcodes || o.linum)) {
		p_err(ctx, "'file' is not compatible with 'opcodes', 'visual', or 'linum'");
		goto out;
	}
	if (out_json(&ctx->out) && n > 1)
		jw_start_array(&ctx->out.jw);
	ret = 0;
	if (n > 1) {	/* many programs: parse the boot's kernel symbols once, not per program */
		struct err e = { 0 };

		if (code_load_ksyms(&v.db, v.snap_id, &ksyms, &e)) {
			ret = p_err_e(ctx, &e);
			goto out;
		}
	}
	for (size_t i = 0; i < n && !ret; i++) {
		struct prog_code pc;
		struct err e = { 0 };

		if (code_load(&v.db, v.snap_id, ids[i], n > 1 || v.live ? PROG_CODE_ALL & ~PROG_CODE_KSYMS :
				   PROG_CODE_ALL, &pc, &e)) {
			ret = p_err_e(ctx, &e);
			break;
		}
		if (n > 1)
			prog_code_use_ksyms(&pc, &ksyms);
		else if (v.live)
			pc.ksyms = (struct ksyms){ .load = live_ksyms_load, .load_arg = &v };
		if (out_json(&ctx->out) && n > 1) {
			jw_start_object(&ctx->out.jw);
			print_prog_header(ctx, &v, &pc);
			jw_name(&ctx->out.jw, "insns");
		} else if (n > 1) {
			print_prog_header(ctx, &v, &pc);
		}
		attach_helper_names(ctx, &v, &pc, &o);
		ret = dump_one(ctx, &pc, &o);
		prog_code_free(&pc);
		if (out_json(&ctx->out) && n > 1)
			jw_end_object(&ctx->out.jw);
		else if (n > 1 && i != n - 1)
			printf("\n");
	}
	if (out_json(&ctx->out) && n > 1)
		jw_end_array(&ctx->out.jw);
out:
	ksyms_free(&ksyms);
	helper_names_free(&o.helpers);
	free(ids);
	view_close(&v);
	return ret;
}
