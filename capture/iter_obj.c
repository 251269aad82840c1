/* bpfscope's iterator object (capture/iter.bpf.c, carried in the binary by the build), read
 * in place: the programs' instructions, FUNCs and CO-RE relocations, and its BTF. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include "capture/iter_obj.h"
#include "capture/iter_targets.h"

/* Not libbpf's bpf_object__open (and libelf again for .BTF.ext, which libbpf keeps to
 * itself): the object is ours, built with no relocations in its program sections, so what
 * the kernel is handed lies in its bytes as they are; read once for both programs. */

static const struct iter_def {
	const char *prog;	/* the function in capture/iter.bpf.c */
	const char *target;	/* the FUNC in vmlinux BTF its iterator type is named by */
} iter_defs[ITER_NR] = {
	[ITER_MAPS] = { "bpfscope_maps", "bpf_iter_bpf_map" },
	[ITER_OWNERS] = { "bpfscope_pids", "bpf_iter_task_file" },
	[ITER_PROGS] = { "bpfscope_progs", "bpf_iter_bpf_prog" },
};

const char *iter_prog_name(enum iter_prog which)
{
	return iter_defs[which].prog;
}

const char *iter_target_name(enum iter_prog which)
{
	return iter_defs[which].target;
}

/* The object, read in place. Its bytes are the build's own, but every offset is still
 * checked: a bad build must fail to load, not read out of bounds (tests/fuzz/fuzz_iter_obj.c). */
struct elf_obj {
	const unsigned char *p;
	size_t n, shoff, shnum;
	Elf64_Shdr shstr;		/* the section names */
};

/* Section i's header. Its bytes are checked to lie in the object unless it has none
 * (SHT_NOBITS: .bss, whose size alone counts); readers of bytes ask elf_data. */
static int elf_shdr(const struct elf_obj *o, size_t i, Elf64_Shdr *sh)
{
	if (i >= o->shnum)
		return -EPROTO;
	memcpy(sh, o->p + o->shoff + i * sizeof(*sh), sizeof(*sh));
	if (sh->sh_type != SHT_NOBITS &&
	    (sh->sh_offset > o->n || sh->sh_size > o->n - sh->sh_offset))
		return -EPROTO;
	return 0;
}

/* Section i's header, for reading its bytes. */
static int elf_data(const struct elf_obj *o, size_t i, Elf64_Shdr *sh)
{
	int err = elf_shdr(o, i, sh);

	return err ?: sh->sh_type == SHT_NOBITS ? -EPROTO : 0;
}

/* The NUL-terminated string at off in a string section, NULL if it is not one. */
static const char *sec_str(const unsigned char *p, size_t base, size_t len, size_t off)
{
	if (off >= len || !memchr(p + base + off, 0, len - off))
		return NULL;
	return (const char *)p + base + off;
}

static int elf_open(struct elf_obj *o, const unsigned char *p, size_t n)
{
	Elf64_Ehdr eh;

	if (n < sizeof(eh))
		return -EPROTO;
	memcpy(&eh, p, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB :
				    ELFDATA2MSB) ||
	    eh.e_machine != EM_BPF || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    eh.e_shoff > n || eh.e_shnum > (n - eh.e_shoff) / sizeof(Elf64_Shdr))
		return -EPROTO;
	*o = (struct elf_obj){ .p = p, .n = n, .shoff = eh.e_shoff, .shnum = eh.e_shnum };
	return elf_data(o, eh.e_shstrndx, &o->shstr);
}

static const char *sec_name(const struct elf_obj *o, const Elf64_Shdr *sh)
{
	return sec_str(o->p, o->shstr.sh_offset, o->shstr.sh_size, sh->sh_name);
}

/* The section called name: its header; -ENOENT if there is none. */
static int elf_find(const struct elf_obj *o, const char *name, Elf64_Shdr *sh)
{
	for (size_t i = 1; i < o->shnum; i++) {
		const char *s;

		if (elf_shdr(o, i, sh))
			return -EPROTO;
		s = sec_name(o, sh);
		if (s && !strcmp(s, name))
			return 0;
	}
	return -ENOENT;
}

/* The instructions of function name (a FUNC symbol), and the name of its section. */
static int elf_func(const struct elf_obj *o, const char *name, struct iter_obj_prog *r,
		    const char **sec)
{
	Elf64_Shdr symtab, strtab, text;
	char rel[128];
	int err;

	if (elf_find(o, ".symtab", &symtab) || symtab.sh_type != SHT_SYMTAB ||
	    elf_data(o, symtab.sh_link, &strtab))
		return -EPROTO;
	for (size_t i = 1; i < symtab.sh_size / sizeof(Elf64_Sym); i++) {
		Elf64_Sym sym;
		const char *s;

		memcpy(&sym, o->p + symtab.sh_offset + i * sizeof(sym), sizeof(sym));
		s = sec_str(o->p, strtab.sh_offset, strtab.sh_size, sym.st_name);
		if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || !s || strcmp(s, name))
			continue;
		if (elf_shdr(o, sym.st_shndx, &text) || text.sh_type != SHT_PROGBITS ||
		    sym.st_value > text.sh_size || sym.st_size > text.sh_size - sym.st_value ||
		    !sym.st_size || sym.st_size % sizeof(struct bpf_insn) || !(*sec = sec_name(o, &text)))
			return -EPROTO;
		/* relocations (a map, a global, a call to another function) would be libbpf's
		 * to apply: this reader takes the instructions as they are, or none */
		r->insns = o->p + text.sh_offset + sym.st_value;
		r->insn_cnt = sym.st_size / sizeof(struct bpf_insn);
		snprintf(rel, sizeof(rel), ".rel%s", *sec);
		err = elf_find(o, rel, &text);
		return err == -ENOENT ? 0 : err ?: -ENOTSUP;
	}
	return -ENOENT;
}

struct ext_hdr {	/* .BTF.ext's header as LLVM writes it (struct btf_ext_header) */
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, func_off, func_len, line_off, line_len, core_off, core_len;
};

/* The records of section sec in one info block of .BTF.ext (d, n): rec_size first, then per
 * section { name offset in the object's BTF strings, count, records }. */
static int ext_block(const unsigned char *btf, const struct btf_sections *bs,
		     const unsigned char *d, size_t n, const char *sec, size_t rec,
		     const unsigned char **recs, uint32_t *nr)
{
	uint32_t rec_size;
	size_t at = 4;

	*nr = 0;
	if (n < 4)
		return n ? -EPROTO : 0;
	memcpy(&rec_size, d, 4);
	if (rec_size != rec)	/* what the kernel is handed must be its own layout */
		return -EPROTO;
	while (at + 8 <= n) {
		uint32_t name_off, cnt;
		const char *name;

		memcpy(&name_off, d + at, 4);
		memcpy(&cnt, d + at + 4, 4);
		at += 8;
		if (cnt > (n - at) / rec_size)
			return -EPROTO;
		name = sec_str(btf, bs->str, bs->str_len, name_off);
		if (name && !strcmp(name, sec)) {
			*recs = d + at;
			*nr = cnt;
			return 0;
		}
		at += (size_t)cnt * rec_size;
	}
	return 0;
}

/* The program's own FUNC and its CO-RE relocations, from .BTF.ext. */
static int ext_read(const struct elf_obj *o, const unsigned char *btf,
		    const struct btf_sections *bs, const char *sec, struct iter_obj_prog *r)
{
	const unsigned char *ext, *d, *recs = NULL;
	struct ext_hdr h = { 0 };
	struct bpf_func_info fi;
	Elf64_Shdr sh;
	size_t n;
	uint32_t nr;

	if (elf_find(o, ".BTF.ext", &sh) || sh.sh_type == SHT_NOBITS)
		return -EPROTO;
	ext = o->p + sh.sh_offset;
	n = sh.sh_size;
	memcpy(&h, ext, n < sizeof(h) ? n : sizeof(h));
	if (n < 24 || h.magic != BTF_MAGIC || h.hdr_len > n || h.hdr_len < 32)
		return -EPROTO;	/* 32: CO-RE records are there */
	d = ext + h.hdr_len;
	n -= h.hdr_len;
	if (h.func_off > n || h.func_len > n - h.func_off || h.core_off > n ||
	    h.core_len > n - h.core_off)
		return -EPROTO;
	if (ext_block(btf, bs, d + h.func_off, h.func_len, sec, sizeof(fi), &recs, &nr) || !nr)
		return -EPROTO;
	memcpy(&fi, recs, sizeof(fi));	/* the section's first function is the program */
	r->func_type = fi.type_id;
	if (ext_block(btf, bs, d + h.core_off, h.core_len, sec, sizeof(struct bpf_core_relo),
		      &recs, &nr))
		return -EPROTO;
	r->relo = nr ? recs : NULL;
	r->nr_relo = nr;
	return 0;
}

/* The object's BTF as the kernel takes it: LLVM leaves each DATASEC's size 0 (libbpf fills
 * it in from the ELF section of that name at open), which the kernel refuses. */
static int btf_fixed(const struct elf_obj *o, unsigned char **out, size_t *len)
{
	struct btf_sections bs;
	Elf64_Shdr sh;
	unsigned char *b;
	size_t at;

	if (elf_find(o, ".BTF", &sh) || sh.sh_type == SHT_NOBITS || !sh.sh_size)
		return -EPROTO;
	b = malloc(sh.sh_size);
	if (!b)
		return -ENOMEM;
	memcpy(b, o->p + sh.sh_offset, sh.sh_size);
	*out = b;
	*len = sh.sh_size;
	if (btf_sections(b, sh.sh_size, &bs))
		return -EPROTO;
	for (at = bs.types; at + sizeof(struct btf_type) <= bs.types_end;) {
		struct btf_type *t = (void *)(b + at);
		long extra = btf_type_extra(t);
		const char *name;
		Elf64_Shdr data;

		if (extra < 0)
			return -EPROTO;
		if (BTF_INFO_KIND(t->info) == BTF_KIND_DATASEC && !t->size &&
		    (name = sec_str(b, bs.str, bs.str_len, t->name_off)) &&
		    !elf_find(o, name, &data))
			t->size = data.sh_size;
		at += sizeof(*t) + extra;
	}
	return 0;
}

int iter_obj_read(const void *obj, size_t len, unsigned want, struct iter_obj *out)
{
	struct btf_sections bs;
	struct elf_obj o;
	int err;

	memset(out, 0, sizeof(*out));
	err = elf_open(&o, obj, len);
	err = err ?: btf_fixed(&o, &out->btf, &out->btf_len);
	err = err ?: btf_sections(out->btf, out->btf_len, &bs);
	for (int i = 0; !err && i < ITER_NR; i++) {
		const char *sec = NULL;

		const char *fn = iter_defs[i].prog;

		if (!(want & ITER_WANT(i)))
			continue;
		if (i == ITER_PROGS && (want & ITER_WANT_PROG_REST))
			fn = "bpfscope_progs_rest";	/* (loaded under the other's name) */
		err = elf_func(&o, fn, &out->prog[i], &sec);
		err = err ?: ext_read(&o, out->btf, &bs, sec, &out->prog[i]);
	}
	if (err)
		iter_obj_free(out);
	return err;
}

void iter_obj_free(struct iter_obj *o)
{
	free(o->btf);
	memset(o, 0, sizeof(*o));
}
