/* JIT disassembler: capstone (x86-64 in AT&T syntax, arm64) over the jited image a snapshot
 * holds, split into functions, with source lines and call targets named from the snapshot. */
#include <bpf/btf.h>
#include <capstone/capstone.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "analyze/capstone_dl.h"
#include "analyze/func_proto.h"
#include "analyze/jited.h"
#include "analyze/xlated.h"

/* kallsyms has no sizes: a target further than this past the nearest symbol below it is
 * not named (it is in a module gap, a BPF image or memory we know nothing about) */
#define KSYM_MAX_OFF 0x10000

struct jfunc {
	uint32_t off, len;	/* within pc->jited */
	uint64_t start;		/* absolute address, 0 when the snapshot does not know it */
};

struct lref {
	uint64_t addr;
	uint32_t k;		/* record index */
};

struct jctx {
	const struct prog_code *pc;
	unsigned flags;
	struct dump *d;
	struct err *e;
	struct cs_api cs;
	csh h;
	cs_arch arch;
	struct jfunc *funcs;
	uint32_t nfuncs;
	struct lref *linfo;	/* line info records of the current function, by address */
};

static int add_line(struct jctx *j, const struct dump_line *l)
{
	if (!j->d)
		return 0;	/* a scan for targets (jited_scan_targets) prints nothing */
	if (dump_add(j->d, l))
		return err_set(j->e, ENOMEM, "out of memory disassembling program %u", j->pc->id);
	return 0;
}

static int warn(struct jctx *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(struct jctx *j, const char *fmt, ...)
{
	struct dump_line l = { .kind = DL_WARN };
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	l.text = buf;
	return add_line(j, &l);
}

static int pick_arch(const char *arch, cs_arch *a, cs_mode *m)
{
	if (!arch[0]) {
		/* snapshots always record their machine; an empty one is our own */
#if defined(__aarch64__)
		arch = "aarch64";
#else
		arch = "x86_64";
#endif
	}
	if (!strcmp(arch, "x86_64") || !strcmp(arch, "amd64") || !strcmp(arch, "x86-64")) {
		*a = CS_ARCH_X86;
		*m = CS_MODE_64;
		return 0;
	}
#ifdef HAVE_CAPSTONE_ARM64
	if (!strcmp(arch, "aarch64") || !strcmp(arch, "arm64")) {
		*a = CS_ARCH_ARM64;
		*m = CS_MODE_ARM;
		return 0;
	}
#endif
	return -ENOTSUP;
}

/* Functions from jited_func_lens, checked against the image: a length sum past the image
 * (corrupt or hostile snapshot) falls back to one function covering it all. */
static int split_funcs(struct jctx *j)
{
	const struct prog_code *pc = j->pc;
	uint64_t sum = 0;
	uint32_t n = pc->jited_func_lens ? pc->nr_jited_func_lens : 0;
	bool ok = n > 0;

	for (uint32_t i = 0; i < n && ok; i++) {
		sum += pc->jited_func_lens[i];
		ok = pc->jited_func_lens[i] > 0 && sum <= pc->jited_len;
	}
	if (!ok) {
		if (n && warn(j, "jited function lengths do not fit the %u-byte image; "
			      "showing it as one function", pc->jited_len))
			return -ENOMEM;
		n = 1;
	}
	j->funcs = calloc(n, sizeof(*j->funcs));
	if (!j->funcs)
		return err_set(j->e, ENOMEM, "out of memory disassembling program %u", pc->id);
	j->nfuncs = n;
	for (uint32_t i = 0, off = 0; i < n; i++) {
		j->funcs[i].off = off;
		j->funcs[i].len = ok ? pc->jited_func_lens[i] : pc->jited_len;
		if (pc->jited_ksyms && i < pc->nr_jited_ksyms)
			j->funcs[i].start = pc->jited_ksyms[i];
		off += j->funcs[i].len;
	}
	if (ok && sum < pc->jited_len &&
	    warn(j, "%" PRIu64 " bytes past the last jited function not shown",
		 pc->jited_len - sum))
		return -ENOMEM;
	return 0;
}

/* Name a branch target: a function of this program, else a kernel symbol. */
static bool target_name(struct jctx *j, uint64_t t, char *out, size_t len)
{
	char ksym[128];
	const struct ksym *s;
	uint64_t off;

	for (uint32_t i = 0; i < j->nfuncs; i++) {
		const struct jfunc *f = &j->funcs[i];

		if (!f->start || t - f->start >= f->len)
			continue;
		if (!prog_code_func_ksym(j->pc, i, ksym, sizeof(ksym)))
			return false;
		off = t - f->start;
		if (off)
			snprintf(out, len, "%s+0x%" PRIx64, ksym, off);
		else
			snprintf(out, len, "%s", ksym);
		return true;
	}
	s = ksyms_lookup(&j->pc->ksyms, t, &off);
	/* "[bpf]" symbols (programs, trampolines, dispatchers) come from the boot's first
	 * snapshot and may name memory since freed and reused: never trust them */
	if (!s || off > KSYM_MAX_OFF || (s->module && !strcmp(s->module, "bpf")))
		return false;
	if (off)
		snprintf(out, len, "%s+0x%" PRIx64, s->name, off);
	else
		snprintf(out, len, "%s", s->name);
	return true;
}

/* An immediate branch operand as capstone prints it: "0xffffffffc0000a9b" (x86 AT&T) or
 * "#0xffffffffc0000a9b" (arm64). Anything else (registers, memory) is not a direct target. */
static bool parse_target(const char *s, uint64_t *t)
{
	bool neg;
	char *end;

	if (*s == '#')
		s++;
	neg = *s == '-';
	s += neg;
	if (s[0] != '0' || s[1] != 'x' || !isxdigit((unsigned char)s[2]))
		return false;
	errno = 0;
	*t = strtoull(s + 2, &end, 16);
	if (errno || *end)
		return false;
	if (neg)
		*t = -*t;
	return true;
}

/* The direct target of a call or jump, when the instruction has one. Found from the
 * mnemonic and the printed operand rather than capstone's detail mode, which doubles the
 * cost of every instruction for the few that branch. */
static bool branch_target(struct jctx *j, const cs_insn *in, bool *is_call, uint64_t *t)
{
	const char *m = in->mnemonic, *op = in->op_str;

	*is_call = false;
	if (j->arch == CS_ARCH_X86) {
		/* call/callq, jmp/jmpq, jcc, loop*: one operand, the target */
		*is_call = !strncmp(m, "call", 4);
		if (!*is_call && m[0] != 'j' && strncmp(m, "loop", 4))
			return false;
		return parse_target(op, t);
	}
#ifdef HAVE_CAPSTONE_ARM64
	if (j->arch == CS_ARCH_ARM64) {
		const char *last;

		switch (in->id) {
		case ARM64_INS_BL:
			*is_call = true;
			/* fallthrough */
		case ARM64_INS_B:
		case ARM64_INS_CBZ:
		case ARM64_INS_CBNZ:
		case ARM64_INS_TBZ:
		case ARM64_INS_TBNZ:
			/* the target is the last operand (tbz x0, #3, target) */
			last = strrchr(op, ' ');
			return parse_target(last ? last + 1 : op, t);
		default:
			return false;
		}
	}
#endif
	return false;
}

static int cmp_lref(const void *a, const void *b)
{
	const struct lref *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;	/* record order among equal addresses */
}

/* Line info records whose jited address falls in function f, sorted by address. */
static uint32_t func_linfo(struct jctx *j, const struct jfunc *f)
{
	const struct prog_code *pc = j->pc;
	uint32_t n = 0, nr;

	if (!f->start || !pc->line_info || !pc->jited_line_info ||
	    pc->line_info_rec_size < sizeof(struct bpf_line_info))
		return 0;
	nr = pc->nr_line_info < pc->nr_jited_line_info ? pc->nr_line_info : pc->nr_jited_line_info;
	for (uint32_t k = 0; k < nr; k++)
		if (pc->jited_line_info[k] - f->start < f->len)
			j->linfo[n++] = (struct lref){ .addr = pc->jited_line_info[k], .k = k };
	qsort(j->linfo, n, sizeof(*j->linfo), cmp_lref);
	return n;
}

static int emit_src(struct jctx *j, uint32_t k, uint32_t off, const struct bpf_line_info *prev)
{
	const struct prog_code *pc = j->pc;
	struct dump_line l = { .kind = DL_SRC };
	struct bpf_line_info li;
	const char *s;

	memcpy(&li, pc->line_info + (size_t)k * pc->line_info_rec_size, sizeof(li));
	if (prev && prev->line_off == li.line_off && prev->file_name_off == li.file_name_off &&
	    prev->line_col == li.line_col)
		return 0;
	s = pc->btf ? btf__name_by_offset(pc->btf, li.line_off) : NULL;
	if (!s)
		return 0;
	while (isspace((unsigned char)*s))
		s++;
	l.text = s;
	l.pc = off;
	if (j->flags & DUMP_LINUM) {
		const char *file = btf__name_by_offset(pc->btf, li.file_name_off);

		l.file = file ? file : "";
		l.line = li.line_col >> 10;
		l.col = li.line_col & 0x3ff;
	}
	return add_line(j, &l);
}

/* x86 operands respelled as LLVM's AT&T printer (upstream bpftool's disassembler) spells
 * them where capstone differs: small immediates and displacements in hex too ("$0x8",
 * "-0x4(%rbp)"), no space inside a memory operand ("(%rax,%rax)"). The instruction is
 * capstone's; only its spelling changes. */
static void llvm_spell(char *ops, size_t len)
{
	char out[256], *p = ops;
	size_t o = 0;
	int paren = 0;

	while (*p && o + 24 < sizeof(out)) {
		bool imm = *p == '$';
		char *q = p + imm, *end;
		bool at_start = p == ops || p[-1] == ' ' || p[-1] == ':' || p[-1] == '$';

		if ((imm || (at_start && !paren)) && (isdigit((unsigned char)q[*q == '-']) &&
						       strncmp(q + (*q == '-'), "0x", 2))) {
			bool neg = *q == '-';
			unsigned long long v = strtoull(q + neg, &end, 10);

			if (end != q + neg && (*end == 0 || *end == ',' || *end == '(')) {
				o += snprintf(out + o, sizeof(out) - o, "%s%s0x%llx", imm ? "$" : "",
					      neg ? "-" : "", v);
				p = end;
				continue;
			}
		}
		if (*p == '(')
			paren++;
		else if (*p == ')' && paren)
			paren--;
		if (paren && *p == ' ' && p > ops && p[-1] == ',') {
			p++;
			continue;
		}
		out[o++] = *p++;
	}
	if (*p || o >= len)	/* too long to respell: leave capstone's text */
		return;
	out[o] = 0;
	memcpy(ops, out, o + 1);
}

/* The instruction at off in function f into in, and the bytes it spans (*n, never past the
 * function): false when the bytes decode to nothing, then like objdump one byte on x86 and
 * 4 on arm64. The dump and the scan for targets step through the code alike. */
static bool decode_at(struct jctx *j, const struct jfunc *f, uint32_t off, cs_insn *in,
		      uint32_t *n)
{
	const uint8_t *code = j->pc->jited + f->off + off;
	size_t size = f->len - off;
	uint64_t addr = f->start + off;
	bool ok = j->cs.disasm_iter(j->h, &code, &size, &addr, in);

	if (ok)
		*n = in->size;
	else
		*n = j->arch == CS_ARCH_X86 ? 1 : (f->len - off < 4 ? f->len - off : 4);
	if (*n == 0 || *n > f->len - off)
		*n = f->len - off;	/* never trust a size to stay in bounds */
	return ok;
}

/* A direct call, or a jump out of f (jumps inside it stay addresses, as bpftool and objdump
 * print them), of a function whose address is known: the target the dump names, in *t */
static bool named_target(struct jctx *j, const struct jfunc *f, const cs_insn *in, uint64_t *t)
{
	bool is_call;

	return f->start && branch_target(j, in, &is_call, t) && (is_call || *t - f->start >= f->len);
}

static int dump_func(struct jctx *j, uint32_t fi, cs_insn *in)
{
	const struct prog_code *pc = j->pc;
	const struct jfunc *f = &j->funcs[fi];
	struct dump_line l;
	char proto[512], ksym[128], name[160], text[320];
	uint32_t nlinfo = func_linfo(j, f), r = 0, off = 0;
	struct bpf_line_info prev;
	bool have_prev;
	int err;

	if (!func_proto_of(pc, fi, proto, sizeof(proto))) {
		l = (struct dump_line){ .kind = DL_FUNC, .text = proto, .addr = f->start };
		if ((err = add_line(j, &l)))
			return err;
	}
	if (f->start) {
		l = (struct dump_line){ .kind = DL_ADDR, .addr = f->start,
			.text = prog_code_func_ksym(pc, fi, ksym, sizeof(ksym)) };
		if ((err = add_line(j, &l)))
			return err;
	}
	while (off < f->len) {
		uint32_t n;
		uint64_t t;

		if (decode_at(j, f, off, in, &n)) {
			const char *mn = in->mnemonic;
			char ops[sizeof(in->op_str)];

			snprintf(ops, sizeof(ops), "%s", in->op_str);
			if (j->arch == CS_ARCH_X86) {
				llvm_spell(ops, sizeof(ops));
				/* LLVM prints a lock prefix as a line of its own */
				if (!strncmp(mn, "lock ", 5) && n > 1 && pc->jited[f->off + off] == 0xf0) {
					l = (struct dump_line){ .kind = DL_INSN, .pc = off,
						.addr = f->start + off, .text = "lock" };
					if (j->flags & DUMP_OPCODES) {
						l.bytes = pc->jited + f->off + off;
						l.nbytes = 1;
					}
					if ((err = add_line(j, &l)))
						return err;
					off++;
					n--;
					mn += 5;
				}
			}
			int w = snprintf(text, sizeof(text), "%s%s%s", mn, ops[0] ? "\t" : "", ops);

			if (named_target(j, f, in, &t) && target_name(j, t, name, sizeof(name)) &&
			    w > 0 && (size_t)w < sizeof(text))
				snprintf(text + w, sizeof(text) - w, " <%s>", name);
		} else {
			snprintf(text, sizeof(text), "(bad)");
		}
		have_prev = false;
		while (r < nlinfo && j->linfo[r].addr - f->start < (uint64_t)off + n) {
			if ((err = emit_src(j, j->linfo[r].k, off, have_prev ? &prev : NULL)))
				return err;
			memcpy(&prev, pc->line_info + (size_t)j->linfo[r].k * pc->line_info_rec_size,
			       sizeof(prev));
			have_prev = true;
			r++;
		}
		l = (struct dump_line){ .kind = DL_INSN, .pc = off, .addr = f->start + off,
					.text = text };
		if (j->flags & DUMP_OPCODES) {
			l.bytes = pc->jited + f->off + off;
			l.nbytes = n;
		}
		if ((err = add_line(j, &l)))
			return err;
		off += n;
	}
	return 0;
}

int jited_dump(const struct prog_code *pc, unsigned flags, struct dump *d, struct err *e)
{
	struct jctx j = { .pc = pc, .flags = flags, .d = d, .e = e };
	cs_insn *in = NULL;
	cs_mode mode;
	int err;

	if (!pc->jited || !pc->jited_len)
		return err_set(e, ENODATA, "program %u has no JIT code in the snapshot", pc->id);
	if (pick_arch(pc->arch, &j.arch, &mode))
		return err_set(e, ENOTSUP, "can't disassemble program %u: no disassembler for %s",
			       pc->id, pc->arch);
	if ((err = cs_api_load(&j.cs, e)))
		return err;
	if (j.cs.open(j.arch, mode, &j.h) != CS_ERR_OK)
		return err_set(e, ENOTSUP, "can't disassemble program %u: capstone has no %s",
			       pc->id, pc->arch[0] ? pc->arch : "host arch");
	if (j.arch == CS_ARCH_X86)
		j.cs.option(j.h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	in = j.cs.malloc(j.h);
	j.linfo = calloc(pc->nr_line_info + 1, sizeof(*j.linfo));
	if (!in || !j.linfo) {
		err = err_set(e, ENOMEM, "out of memory disassembling program %u", pc->id);
		goto cleanup;
	}
	if ((err = split_funcs(&j)))
		goto cleanup;
	for (uint32_t i = 0; i < j.nfuncs; i++)
		if ((err = dump_func(&j, i, in)))
			goto cleanup;
cleanup:
	if (in)
		j.cs.free(in, 1);
	j.cs.close(&j.h);
	free(j.linfo);
	free(j.funcs);
	return err;
}

/* ---- the kernel addresses the code branches to, as the dump decodes them ---- */

struct jited_scanner {
	struct cs_api cs;
	csh h;
	cs_arch arch;
	cs_insn *in;
};

int jited_scanner_open(struct jited_scanner **out, struct err *e)
{
	struct jited_scanner *s = calloc(1, sizeof(*s));
	cs_mode mode;
	int err;

	*out = NULL;
	if (!s)
		return err_set(e, ENOMEM, "out of memory");
	if (pick_arch("", &s->arch, &mode)) {
		free(s);
		return err_set(e, ENOTSUP, "no disassembler for this machine");
	}
	err = cs_api_load(&s->cs, e);
	if (!err && s->cs.open(s->arch, mode, &s->h) != CS_ERR_OK)
		err = err_set(e, ENOTSUP, "capstone can't disassemble this machine's code");
	if (err) {
		free(s);
		return err;
	}
	if (s->arch == CS_ARCH_X86)	/* parse_target reads the operand as the dump prints it */
		s->cs.option(s->h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	s->in = s->cs.malloc(s->h);
	if (!s->in) {
		jited_scanner_close(s);
		return err_set(e, ENOMEM, "out of memory");
	}
	*out = s;
	return 0;
}

void jited_scanner_close(struct jited_scanner *s)
{
	if (!s)
		return;
	if (s->in)
		s->cs.free(s->in, 1);
	s->cs.close(&s->h);
	free(s);
}

/* in the program's own functions: the dump names it from them, never from the kernel's */
static bool own_target(const struct jctx *j, uint64_t t)
{
	for (uint32_t i = 0; i < j->nfuncs; i++)
		if (j->funcs[i].start && t - j->funcs[i].start < j->funcs[i].len)
			return true;
	return false;
}

int jited_scan_targets(struct jited_scanner *s, const struct prog_code *pc, struct buf *out,
		       struct err *e)
{
	struct jctx j = { .pc = pc, .e = e, .cs = s->cs, .h = s->h, .arch = s->arch };
	int err;

	if (!pc->jited || !pc->jited_len)
		return 0;
	err = split_funcs(&j);
	for (uint32_t fi = 0; !err && fi < j.nfuncs; fi++) {
		const struct jfunc *f = &j.funcs[fi];

		/* (the dump names no target of a function whose address it does not know) */
		for (uint32_t off = 0, n; f->start && !err && off < f->len; off += n) {
			uint64_t t;

			if (decode_at(&j, f, off, s->in, &n) && named_target(&j, f, s->in, &t) &&
			    !own_target(&j, t) && buf_append(out, &t, sizeof(t)))
				err = err_set(e, ENOMEM, "out of memory");
		}
	}
	free(j.funcs);
	return err;
}
