/* Fuzz the JIT disassembler: random bytes as jited code, with random function lengths,
 * start addresses, line info, func info, tags, kernel symbols and arch, as a hostile
 * snapshot could hold them. Counts in struct prog_code are kept consistent with their
 * arrays (prog_code_load checks that); everything else is left to the input. */
#include <bpf/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/jited.h"
#include "analyze/xlated.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

/* a small BTF with real func protos, so some type ids and string offsets are valid */
static struct btf *make_btf(void)
{
	struct btf *b = btf__new_empty();
	int i, ptr, proto, s;

	if (!b)
		return NULL;
	i = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	ptr = btf__add_ptr(b, 0);
	s = btf__add_struct(b, "__sk_buff", 8);
	proto = btf__add_func_proto(b, i);
	btf__add_func_param(b, "ctx", ptr);
	btf__add_func_param(b, "", btf__add_ptr(b, s));
	btf__add_func(b, "prog", BTF_FUNC_GLOBAL, proto);
	btf__add_func(b, "sub", BTF_FUNC_STATIC, btf__add_func_proto(b, 0));
	btf__add_const(b, btf__add_volatile(b, i + 100));	/* dangling */
	btf__add_str(b, "  int x = 0;");
	btf__add_str(b, "/tmp/prog.bpf.c");
	return b;
}

/* The scan a snapshot makes of the code (host arch), and the kallsyms lines selected for its
 * targets: each target looked up in the selection answers as in the whole text. Then the
 * selection's readers over the input's own bytes as text. */
static void check_selection(const struct prog_code *pc, const char *ktext, size_t kl)
{
	static struct jited_scanner *sc;
	static bool tried;
	struct buf t = { 0 }, sel = { 0 }, back = { 0 };
	struct ksyms part;
	struct err e = { 0 };
	const uint64_t *v;
	size_t n;

	if (!tried) {
		tried = true;
		jited_scanner_open(&sc, &e);
	}
	if (sc && !pc->arch[0] && !jited_scan_targets(sc, pc, &t, &e) &&
	    !ksyms_select(ktext, kl, (const uint64_t *)t.data, t.len / 8, &sel, &e) &&
	    !ksyms_parse((const char *)sel.data, sel.len, &part, &e)) {
		v = (const uint64_t *)t.data;
		n = t.len / 8;
		for (size_t i = 0; i < n; i++) {
			uint64_t o1 = 0, o2 = 0;
			const struct ksym *a = ksyms_lookup(&pc->ksyms, v[i], &o1);
			const struct ksym *b = ksyms_lookup(&part, v[i], &o2);

			if ((!a) != (!b) || (a && (strcmp(a->name, b->name) || o1 != o2)))
				abort();
		}
		ksyms_free(&part);
		if (ksyms_selected((const char *)sel.data, sel.len, &back, &e) || back.len > t.len)
			abort();
	}
	buf_free(&t);
	buf_free(&sel);
	buf_free(&back);
	/* hostile text: a stored view's list */
	if (pc->jited_len) {
		uint64_t some[3] = { 0, 0xffffffff81000000ull, UINT64_MAX };

		ksyms_select((const char *)pc->jited, pc->jited_len, some, 3, &sel, &e);
		ksyms_selected((const char *)pc->jited, pc->jited_len, &back, &e);
		ksyms_text_call_base((const char *)pc->jited, pc->jited_len);
		buf_free(&sel);
		buf_free(&back);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct btf *btf;
	static const char *arches[] = { "x86_64", "aarch64", "arm64", "", "mips" };
	struct in in = { data, size };
	struct prog_code pc = { .id = 1, .name = "fuzz" };
	uint32_t lens[8], nf, nl, nk;
	uint64_t ks[8], jl[16], base;
	struct bpf_func_info fi[8];
	struct bpf_line_info li[16];
	uint8_t tags[64];
	char ktext[512];
	struct dump d = { 0 };
	struct err e = { 0 };
	unsigned flags, sel;
	size_t kl = 0;

	if (!btf)
		btf = make_btf();
	sel = take(&in, 1);
	flags = sel & 3;
	strcpy(pc.arch, arches[(sel >> 2) % 5]);
	nf = take(&in, 1) % 9;
	nl = take(&in, 1) % 17;
	nk = take(&in, 1) % 5;
	base = 0xffffffffc0000000ull + (take(&in, 2) << 4);
	for (uint32_t i = 0; i < nf; i++) {
		lens[i] = take(&in, 1);
		ks[i] = take(&in, 1) & 1 ? take(&in, 8) : base + 0x1000 * i;
		fi[i] = (struct bpf_func_info){ .insn_off = i, .type_id = take(&in, 1) % 12 };
	}
	for (uint32_t i = 0; i < nl; i++) {
		li[i] = (struct bpf_line_info){ .line_off = take(&in, 1), .file_name_off = take(&in, 1),
						.line_col = take(&in, 4) };
		jl[i] = base + take(&in, 2) % 0x1100;
	}
	/* kernel symbols near the image and far from it, some "[bpf]" */
	for (uint32_t i = 0; i < nk && kl < sizeof(ktext) - 80; i++)
		kl += snprintf(ktext + kl, sizeof(ktext) - kl, "%llx T sym%u%s\n",
			       (unsigned long long)(base + take(&in, 3) - 0x800000), i,
			       take(&in, 1) & 1 ? "\t[bpf]" : "");
	memset(tags, 0xab, sizeof(tags));
	ksyms_parse(ktext, kl, &pc.ksyms, &e);

	pc.jited = in.p;
	pc.jited_len = in.n;
	pc.jited_func_lens = nf ? lens : NULL;
	pc.nr_jited_func_lens = nf;
	pc.jited_ksyms = nf ? ks : NULL;
	pc.nr_jited_ksyms = nf;
	pc.func_info = (const uint8_t *)fi;
	pc.nr_func_info = nf;
	pc.func_info_rec_size = sizeof(fi[0]);
	pc.line_info = (const uint8_t *)li;
	pc.nr_line_info = nl;
	pc.line_info_rec_size = sizeof(li[0]);
	pc.jited_line_info = jl;
	pc.nr_jited_line_info = nl;
	pc.prog_tags = tags;
	pc.nr_prog_tags = nf;
	pc.btf = sel & 0x80 ? NULL : btf;
	memset(pc.tag, 'f', 16);

	if (jited_dump(&pc, flags, &d, &e) == 0) {
		/* every line must point inside the image it came from */
		for (size_t i = 0; i < d.n; i++)
			if (d.lines[i].nbytes && (d.lines[i].bytes < pc.jited ||
			    d.lines[i].bytes + d.lines[i].nbytes > pc.jited + pc.jited_len))
				abort();
	}
	dump_free(&d);
	check_selection(&pc, ktext, kl);
	ksyms_free(&pc.ksyms);
	return 0;
}
