/* Fuzz the BPF printer and the xlated dump: random bytes as instructions, with random
 * func_info and line_info records (record sizes included), jited symbols, subprogram tags,
 * kernel symbols around __bpf_call_base and a helper table, against a fixed small BTF.
 * Counts are kept consistent with their arrays (prog_code_load checks that); contents are
 * left to the input. Every dump line must point inside the instructions it came from.
 * Links: analyze/ lib/ (the fuzz runner's library), -lbpf -lelf -lz. */
#include <bpf/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/helper_names.h"
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

/* func protos of every kind bpftool prints, a cycle, a dangling id and source strings,
 * so random type ids and string offsets often hit something real */
static struct btf *make_btf(void)
{
	struct btf *b = btf__new_empty();
	int i, ptr, proto, s, fwd, arr, td, c1;

	if (!b)
		return NULL;
	i = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	ptr = btf__add_ptr(b, 0);
	s = btf__add_struct(b, "__sk_buff", 8);
	fwd = btf__add_fwd(b, "task_struct", BTF_FWD_STRUCT);
	arr = btf__add_array(b, i, i, 4);
	td = btf__add_typedef(b, "__u32", i);
	proto = btf__add_func_proto(b, i);
	btf__add_func_param(b, "ctx", ptr);
	btf__add_func_param(b, "", btf__add_ptr(b, s));
	btf__add_func_param(b, "t", btf__add_ptr(b, fwd));
	btf__add_func_param(b, "a", btf__add_ptr(b, arr));
	btf__add_func_param(b, "", 0);				/* vararg */
	btf__add_func(b, "prog", BTF_FUNC_GLOBAL, proto);
	proto = btf__add_func_proto(b, td);
	btf__add_func_param(b, "x", btf__add_const(b, btf__add_volatile(b, td)));
	btf__add_func(b, "sub", BTF_FUNC_STATIC, proto);
	btf__add_func(b, "v", BTF_FUNC_STATIC, btf__add_func_proto(b, 0));
	c1 = btf__add_const(b, i + 100);			/* dangling */
	btf__add_ptr(b, c1);
	btf__add_type_tag(b, "user", ptr);
	btf__add_str(b, "  int x = 0;");
	btf__add_str(b, "\tvalue = bpf_map_lookup_elem(&count, &key);");
	btf__add_str(b, "/tmp/prog.bpf.c");
	btf__add_str(b, "");
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct btf *btf;
	static const uint32_t rec_sizes[] = { 8, 12, 16, 20, 24, 32, 64, 9 };
	static const char *names[] = { "bpf_unspec", "bpf_map_lookup_elem", NULL, "bpf_x" };
	const struct helper_names hn = { .names = names, .n = 4 };
	struct in in = { data, size };
	struct prog_code pc = { .id = 1, .name = "fuzz" };
	uint32_t nf, nl, nk, nj, frs, lrs, sel, idx[4];
	uint8_t finfo[8 * 64], linfo[16 * 64], tags[8 * 8];
	uint64_t jks[8], base = 0xffffffff81000000ull;
	struct bpf_insn *insns;
	char ktext[1024], buf[256];
	struct dump d = { 0 };
	struct err e = { 0 };
	size_t kl = 0, ni;

	if (!btf)
		btf = make_btf();
	sel = take(&in, 2);
	nf = take(&in, 1) % 9;
	nl = take(&in, 1) % 17;
	nk = take(&in, 1) % 6;
	nj = take(&in, 1) % 9;
	for (uint32_t i = 0; i < 4; i++)
		idx[i] = take(&in, 1);
	frs = rec_sizes[(sel >> 8) & 7];
	lrs = rec_sizes[((sel >> 11) & 3) + 2];	/* >= 16: prog_code_load drops smaller ones */
	if (frs * nf > sizeof(finfo))
		nf = sizeof(finfo) / frs;
	if (lrs * nl > sizeof(linfo))
		nl = sizeof(linfo) / lrs;
	/* records: mostly small insn offsets and small ids/offsets, sometimes anything */
	for (uint32_t i = 0; i < nf * frs; i += 4) {
		uint32_t v = sel & 1 ? (uint32_t)take(&in, 4) : (uint32_t)take(&in, 1) % 24;

		memcpy(finfo + i, &v, 4 <= nf * frs - i ? 4 : nf * frs - i);
	}
	for (uint32_t i = 0; i < nl * lrs; i += 4) {
		uint32_t v = sel & 2 ? (uint32_t)take(&in, 4) : (uint32_t)take(&in, 1) * ((i % 16) == 12 ? 1025 : 1);

		memcpy(linfo + i, &v, 4);
	}
	for (uint32_t i = 0; i < nj; i++)
		jks[i] = take(&in, 1) & 1 ? take(&in, 8) : 0xffffffffc0000000ull + 0x1000 * i;
	for (uint32_t i = 0; i < sizeof(tags); i++)
		tags[i] = (uint8_t)(i * 37);
	/* __bpf_call_base (maybe zero, as with kptr_restrict) and symbols around it */
	kl += snprintf(ktext, sizeof(ktext), "%llx T __bpf_call_base\n",
		       sel & 4 ? 0ull : (unsigned long long)base);
	for (uint32_t i = 0; i < nk; i++)
		kl += snprintf(ktext + kl, sizeof(ktext) - kl, "%llx t helper_%u\n",
			       (unsigned long long)(base + (int32_t)take(&in, 4) % 0x10000), i);
	ksyms_parse(ktext, kl, &pc.ksyms, &e);

	/* the rest is code; copied so the instructions are aligned as prog_code_load's are */
	ni = in.n / sizeof(struct bpf_insn);
	insns = malloc(ni ? ni * sizeof(*insns) : 1);
	if (!insns)
		goto out;
	memcpy(insns, in.p, ni * sizeof(*insns));
	pc.insns = insns;
	pc.nr_insns = ni;
	pc.xlated_tail = in.n % sizeof(struct bpf_insn);
	pc.func_info = nf ? finfo : NULL;
	pc.nr_func_info = nf;
	pc.func_info_rec_size = frs;
	pc.line_info = nl ? linfo : NULL;
	pc.nr_line_info = nl;
	pc.line_info_rec_size = lrs;
	pc.jited_ksyms = nj ? jks : NULL;
	pc.nr_jited_ksyms = nj;
	pc.prog_tags = tags;
	pc.nr_prog_tags = (sel >> 4) & 7;
	pc.btf = sel & 0x80 ? NULL : btf;
	pc.helpers = sel & 0x2000 ? &hn : NULL;
	memset(pc.tag, 'f', 16);

	if (xlated_dump(&pc, sel & 3, &d, &e) == 0) {
		for (size_t i = 0; i < d.n; i++) {
			const struct dump_line *l = &d.lines[i];

			if (l->kind == DL_INSN &&
			    (!l->text || l->pc >= pc.nr_insns || l->nbytes < 8 ||
			     l->bytes < (const uint8_t *)insns ||
			     l->bytes + l->nbytes > (const uint8_t *)(insns + ni)))
				abort();
			if (l->kind != DL_INSN && !l->text)
				abort();
		}
	}
	/* the single-instruction API at any index, with tight buffers */
	for (uint32_t i = 0; i < 4; i++)
		xlated_insn_text(&pc, idx[i], buf, 1 + (i * 40) % sizeof(buf));
	if (xlated_insn_text(&pc, ni, buf, sizeof(buf)) != 0)
		abort();
	free(insns);
out:
	dump_free(&d);
	ksyms_free(&pc.ksyms);
	return 0;
}
