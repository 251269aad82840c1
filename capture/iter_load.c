/* Loading bpfscope's own iterators (capture/iter.bpf.c, carried in the binary by the build)
 * with the kernel applying their CO-RE relocations (BPF_PROG_LOAD's core_relos, Linux 5.17).
 * libbpf's bpf_object__load would first parse all of vmlinux BTF in this process: 55-80 ms
 * of every snapshot here, mostly page faults on 11 MB of fresh memory, where the kernel has
 * that BTF parsed already. libbpf still opens the object (its ELF, its own BTF); the only
 * user-space look-up in vmlinux BTF is the iterator target's FUNC id, a scan that stops at
 * the name. The programs are loaded for the length of one read (capture/iter.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <gelf.h>
#include <libelf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include "capture/iter_load.h"
#include "lib/util.h"
#include "capture/iter.bpf.h"	/* iter_bpf_obj[]: build/capture/iter.bpf.o's bytes */

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

bool iter_have_btf(void)
{
	return !access(VMLINUX_BTF, R_OK);
}

/* Bytes a type's record takes after struct btf_type, by kind; -1: a kind we do not know. */
static long btf_extra(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	}
	return -1;
}

/* Where name (a whole string) is in a BTF string section, or -1: a sequential search, so
 * that the walk over the types compares offsets and touches no string. */
static long str_find(const unsigned char *s, size_t n, const char *name)
{
	size_t want = strlen(name) + 1;
	const unsigned char *p = s, *end = s + n;

	while (p < end && (p = memmem(p, end - p, name, want))) {
		if (p == s || !p[-1])
			return p - s;
		p++;
	}
	return -1;
}

/* The id of the first FUNC in the types (p + at, to end) named by offset off in the strings
 * (p + str, to str_end), or when off is -1 by the bytes of name; 0 if none, -EPROTO. */
static long func_by_name(const unsigned char *p, size_t at, size_t end, size_t str,
			 size_t str_end, long off, const char *name)
{
	size_t want = strlen(name) + 1;
	long id = 1;

	for (; at + sizeof(struct btf_type) <= end; id++) {
		const struct btf_type *t = (const void *)(p + at);
		long extra = btf_extra(t);

		if (extra < 0)
			return -EPROTO;
		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC &&
		    (off >= 0 ? t->name_off == off :
		     t->name_off < str_end - str && want <= str_end - str - t->name_off &&
		     !memcmp(p + str + t->name_off, name, want)))
			return id;
		at += sizeof(*t) + extra;
	}
	return 0;
}

/* The id of FUNC name in raw vmlinux BTF (p, n), 0 if absent, -EPROTO if malformed. BTF's
 * strings are stored once: the walk compares the name's offset and touches no string, and
 * compares bytes only if that finds nothing. */
static long btf_find_func(const unsigned char *p, size_t n, const char *name)
{
	const struct btf_header *h = (const void *)p;
	size_t at, end, str, str_end;
	long off, id = 0;

	if (n < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len > n ||
	    h->type_off > n - h->hdr_len || h->type_len > n - h->hdr_len - h->type_off ||
	    h->str_off > n - h->hdr_len || h->str_len > n - h->hdr_len - h->str_off)
		return -EPROTO;
	at = h->hdr_len + h->type_off;
	end = at + h->type_len;
	str = h->hdr_len + h->str_off;
	str_end = str + h->str_len;
	off = str_find(p + str, h->str_len, name);
	if (off >= 0)
		id = func_by_name(p, at, end, str, str_end, off, name);
	return id ?: func_by_name(p, at, end, str, str_end, -1, name);
}

/* The iterator target's FUNC id: vmlinux BTF mapped where the kernel allows it (Linux
 * 6.16), read whole where not. */
static int target_id(const char *func, uint32_t *id, struct err *e)
{
	struct buf raw = { 0 };
	struct stat st;
	void *m = MAP_FAILED;
	long r = -ENOENT;
	int fd, err = 0;

	fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = err_set(e, errno, "no vmlinux BTF: %s", strerror(errno));
		goto out;
	}
	if (st.st_size > 0)
		m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m != MAP_FAILED) {
		r = btf_find_func(m, st.st_size, func);
	} else {
		err = read_file(VMLINUX_BTF, 256u << 20, &raw, e);
		if (!err)
			r = btf_find_func(raw.data, raw.len, func);
	}
	if (!err && r <= 0)
		err = err_set(e, r ? EPROTO : ENOENT, "no iterator target %s in vmlinux BTF", func);
	if (!err)
		*id = r;
out:
	if (m != MAP_FAILED)
		munmap(m, st.st_size);
	if (fd >= 0)
		close(fd);
	buf_free(&raw);
	return err;
}

/* The .BTF.ext records of one program section: its function's BTF id, its relocations. */
struct prog_ext {
	uint32_t func_type;
	struct bpf_core_relo *relo;
	uint32_t nr_relo;
};

struct ext_hdr {	/* .BTF.ext's header as LLVM writes it (struct btf_ext_header) */
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, func_off, func_len, line_off, line_len, core_off, core_len;
};

/* The records of section sec in one info block of .BTF.ext (d, n): rec_size first, then per
 * section { name offset, count, records }. */
static int ext_block(const struct btf *btf, const unsigned char *d, size_t n, const char *sec,
		     size_t min_rec, const unsigned char **recs, uint32_t *nr, uint32_t *rec_size)
{
	size_t at = 4;

	*nr = 0;
	if (n < 4)
		return n ? -EPROTO : 0;
	memcpy(rec_size, d, 4);
	if (*rec_size < min_rec)
		return -EPROTO;
	while (at + 8 <= n) {
		uint32_t name_off, cnt;
		const char *name;

		memcpy(&name_off, d + at, 4);
		memcpy(&cnt, d + at + 4, 4);
		at += 8;
		if (cnt > (n - at) / *rec_size)
			return -EPROTO;
		name = btf__name_by_offset(btf, name_off);
		if (name && !strcmp(name, sec)) {
			*recs = d + at;
			*nr = cnt;
			return 0;
		}
		at += (size_t)cnt * *rec_size;
	}
	return 0;
}

static int prog_ext_read(const struct btf *btf, const unsigned char *ext, size_t n,
			 const char *sec, struct prog_ext *out)
{
	struct ext_hdr h = { 0 };
	const unsigned char *recs = NULL, *d;
	uint32_t nr, rs;

	memcpy(&h, ext, n < sizeof(h) ? n : sizeof(h));
	if (n < 24 || h.magic != BTF_MAGIC || h.hdr_len > n || h.hdr_len < 32)
		return -EPROTO;	/* 32: CO-RE records are there */
	d = ext + h.hdr_len;
	n -= h.hdr_len;
	if (h.func_off > n || h.func_len > n - h.func_off || h.core_off > n ||
	    h.core_len > n - h.core_off)
		return -EPROTO;
	if (ext_block(btf, d + h.func_off, h.func_len, sec, 8, &recs, &nr, &rs) || !nr)
		return -EPROTO;
	memcpy(&out->func_type, recs + 4, 4);	/* { insn_off, type_id }: the program's own */
	if (ext_block(btf, d + h.core_off, h.core_len, sec, sizeof(struct bpf_core_relo), &recs,
		      &nr, &rs))
		return -EPROTO;
	out->relo = calloc(nr + 1, sizeof(*out->relo));
	if (!out->relo)
		return -ENOMEM;
	for (uint32_t i = 0; i < nr; i++)
		memcpy(&out->relo[i], recs + (size_t)i * rs, sizeof(*out->relo));
	out->nr_relo = nr;
	return 0;
}

/* .BTF.ext of the object: libbpf keeps it to itself. */
static int find_ext(const void *obj, size_t len, const unsigned char **ext, size_t *n)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int err = -ENOENT;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)obj, len);	/* read only: an ELF of this host's byte order */
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		elf_end(elf);
		return -EPROTO;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".BTF.ext") && sh.sh_offset <= len &&
		    sh.sh_size <= len - sh.sh_offset) {
			*ext = (const unsigned char *)obj + sh.sh_offset;
			*n = sh.sh_size;
			err = 0;
			break;
		}
	}
	elf_end(elf);
	return err;
}

/* BPF_PROG_LOAD by hand: libbpf 1.1's bpf_prog_load has no field for core_relos. */
static int prog_load(const char *name, const struct bpf_program *prog, int btf_fd,
		     const struct prog_ext *x, uint32_t target)
{
	struct bpf_func_info fi = { .insn_off = 0, .type_id = x->func_type };
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_TRACING;
	a.expected_attach_type = BPF_TRACE_ITER;
	a.insns = (uint64_t)(uintptr_t)bpf_program__insns(prog);
	a.insn_cnt = bpf_program__insn_cnt(prog);
	a.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(a.prog_name, sizeof(a.prog_name), "%s", name);
	a.prog_btf_fd = btf_fd;
	a.func_info_rec_size = sizeof(fi);
	a.func_info = (uint64_t)(uintptr_t)&fi;
	a.func_info_cnt = 1;	/* the kernel reads core_relos only with func or line info */
	a.attach_btf_id = target;
	a.core_relos = (uint64_t)(uintptr_t)x->relo;
	a.core_relo_cnt = x->nr_relo;
	a.core_relo_rec_size = sizeof(*x->relo);
	return syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

int iter_prog_load(const char *name, const char *func, struct err *e)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "bpfscope_iter");
	struct prog_ext x = { 0 };
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	const unsigned char *ext = NULL;
	size_t ext_len = 0;
	const void *raw;
	uint32_t target = 0, raw_len = 0;
	int fd = -1, btf_fd = -1, err;

	err = target_id(func, &target, e);
	if (err)
		return err;
	obj = bpf_object__open_mem(iter_bpf_obj, sizeof(iter_bpf_obj), &oo);
	prog = obj ? bpf_object__find_program_by_name(obj, name) : NULL;
	if (!prog) {
		err = err_set(e, obj ? ENOENT : errno, "iterator %s: open: %s", name,
			      strerror(obj ? ENOENT : errno));
		goto out;
	}
	err = find_ext(iter_bpf_obj, sizeof(iter_bpf_obj), &ext, &ext_len);
	err = err ?: prog_ext_read(bpf_object__btf(obj), ext, ext_len,
				   bpf_program__section_name(prog), &x);
	if (err) {
		err = err_set(e, -err, "iterator %s: its BTF.ext: %s", name, strerror(-err));
		goto out;
	}
	/* the program's own BTF (its func info, the types its relocations name); bpf_btf_load,
	 * not btf__load_into_kernel, which prints on failure */
	raw = btf__raw_data(bpf_object__btf(obj), &raw_len);
	btf_fd = raw ? bpf_btf_load(raw, raw_len, NULL) : -1;
	if (btf_fd < 0) {
		err = err_set(e, errno, "iterator %s: BTF: %s", name, strerror(errno));
		goto out;
	}
	fd = prog_load(name, prog, btf_fd, &x, target);
	if (fd < 0)
		err = err_set(e, errno, "iterator %s: load: %s", name, strerror(errno));
out:
	if (btf_fd >= 0)
		close(btf_fd);	/* the program holds its own reference */
	free(x.relo);
	bpf_object__close(obj);
	return err ? err : fd;
}
