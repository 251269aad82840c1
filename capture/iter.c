/* BPF iterators over maps and over processes' files, assembled from a per-boot layout
 * (probe/iter.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include "capture/iter.h"
#include "lib/util.h"

/* ---- the layout, from vmlinux BTF ---- */

/* Offset and size of a plain (not bitfield) member of a struct, looking into anonymous
 * structs and unions. */
static int member_at(const struct btf *btf, const char *st, const char *name, uint32_t *off,
		     uint32_t *size)
{
	int id = btf__find_by_name_kind(btf, st, BTF_KIND_STRUCT);
	const struct btf_type *t;

	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	for (int depth = 0; depth < 4; depth++) {
		const struct btf_member *m = btf_members(t);
		const struct btf_type *next = NULL;
		uint32_t base = 0;

		for (int i = 0; i < btf_vlen(t); i++, m++) {
			const char *mn = btf__name_by_offset(btf, m->name_off);
			long sz;

			if (mn && !strcmp(mn, name)) {
				if (btf_member_bitfield_size(t, i) || btf_member_bit_offset(t, i) % 8)
					return -EINVAL;
				sz = btf__resolve_size(btf, m->type);
				if (sz <= 0)
					return -EINVAL;
				*off += btf_member_bit_offset(t, i) / 8;
				*size = sz;
				return 0;
			}
			if (mn && !*mn && !next) {	/* an anonymous struct or union: look inside */
				const struct btf_type *in = btf__type_by_id(btf, m->type);

				if (in && (btf_is_struct(in) || btf_is_union(in))) {
					next = in;
					base = btf_member_bit_offset(t, i) / 8;
				}
			}
		}
		if (!next)
			return -ENOENT;
		*off += base;
		t = next;
	}
	return -ENOENT;
}

/* off of st.name, which must be size bytes */
static int field(const struct btf *btf, const char *st, const char *name, uint32_t size,
		 uint32_t *off)
{
	uint32_t sz = 0;

	*off = 0;
	if (member_at(btf, st, name, off, &sz))
		return -ENOENT;
	return sz == size ? 0 : -EINVAL;
}

/* off of st.a.b, where a is an embedded struct of type st_a and b is size bytes */
static int field2(const struct btf *btf, const char *st, const char *a, const char *st_a,
		  const char *b, uint32_t size, uint32_t *off)
{
	uint32_t o1 = 0, sz = 0, o2;

	if (member_at(btf, st, a, &o1, &sz) || field(btf, st_a, b, size, &o2))
		return -ENOENT;
	*off = o1 + o2;
	return 0;
}

int iter_layout_read(struct iter_layout *l, const char *boot_id)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int err = 0, id;

	memset(l, 0, sizeof(*l));
	if (!btf)
		return -errno ?: -ENOENT;
	l->version = ITER_LAYOUT_VERSION;
	l->size = sizeof(*l);
	snprintf(l->boot_id, sizeof(l->boot_id), "%.39s", boot_id);
	id = btf__find_by_name_kind(btf, "bpf_iter_bpf_map", BTF_KIND_FUNC);
	l->map_func_id = id > 0 ? id : 0;
	id = btf__find_by_name_kind(btf, "bpf_iter_task_file", BTF_KIND_FUNC);
	l->task_file_func_id = id > 0 ? id : 0;
	err = err ?: field(btf, "bpf_iter_meta", "seq", 8, &l->meta_seq);
	err = err ?: field(btf, "bpf_map", "id", 4, &l->map_id);
	err = err ?: field(btf, "bpf_map", "frozen", 1, &l->map_frozen);
	err = err ?: field(btf, "task_struct", "tgid", 4, &l->task_tgid);
	err = err ?: field(btf, "task_struct", "group_leader", 8, &l->task_leader);
	err = err ?: field(btf, "task_struct", "comm", 16, &l->task_comm);
	err = err ?: field2(btf, "file", "f_path", "path", "dentry", 8, &l->file_dentry);
	err = err ?: field(btf, "file", "f_inode", 8, &l->file_inode);
	err = err ?: field(btf, "file", "private_data", 8, &l->file_private);
	err = err ?: field(btf, "inode", "i_sb", 8, &l->inode_sb);
	err = err ?: field(btf, "super_block", "s_magic", 8, &l->sb_magic);
	err = err ?: field2(btf, "dentry", "d_name", "qstr", "name", 8, &l->dentry_name);
	err = err ?: field(btf, "bpf_prog", "aux", 8, &l->prog_aux);
	err = err ?: field(btf, "bpf_prog_aux", "id", 4, &l->aux_id);
	err = err ?: field(btf, "bpf_link", "id", 4, &l->link_id);
	err = err ?: field(btf, "btf", "id", 4, &l->btf_id);
	btf__free(btf);
	if (!err && (!l->map_func_id || !l->task_file_func_id))
		err = -ENOENT;
	return err;
}

static bool layout_sane(const struct iter_layout *l, const char *boot_id)
{
	const uint32_t *o;

	if (l->version != ITER_LAYOUT_VERSION || l->size != sizeof(*l) || !l->map_func_id ||
	    !l->task_file_func_id ||
	    strncmp(l->boot_id, boot_id, sizeof(l->boot_id)))
		return false;
	/* every offset a small one inside its struct */
	for (o = &l->meta_seq; o <= &l->btf_id; o++)
		if (*o > 65536)
			return false;
	return true;
}

/* The cache's directory: root's own, private (else another user could swap the file or
 * have us follow a link of theirs). */
static bool cache_dir_ok(void)
{
	struct stat st;

	return !lstat(ITER_LAYOUT_DIR, &st) && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	       !(st.st_mode & 077);
}

int iter_layout_load(struct iter_layout *l, const char *boot_id)
{
	struct stat st;
	ssize_t n;
	int fd;

	if (!cache_dir_ok())
		return -ENOENT;
	fd = open(ITER_LAYOUT_CACHE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -ENOENT;
	/* root's own file: anyone else's could point the iterators elsewhere */
	if (fstat(fd, &st) || st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		return -EPERM;
	}
	n = read(fd, l, sizeof(*l));
	close(fd);
	if (n != (ssize_t)sizeof(*l) || !layout_sane(l, boot_id))
		return -ENOENT;
	return 0;
}

void iter_layout_save(const struct iter_layout *l)
{
	char tmp[64];
	int fd;

	if ((mkdir(ITER_LAYOUT_DIR, 0700) && errno != EEXIST) || !cache_dir_ok())
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d", ITER_LAYOUT_CACHE, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, l, sizeof(*l)) != (ssize_t)sizeof(*l) || close(fd) ||
	    rename(tmp, ITER_LAYOUT_CACHE))
		unlink(tmp);
}

/* ---- assembling the programs ---- */

/* A tracing program's context is its function's arguments, a u64 each: the map iterator's
 * function takes (meta, map), the task file one's (meta, task, fd, file). */
#define CTX_META 0
#define CTX_MAP 8
#define CTX_TASK 8
#define CTX_FILE 24

struct prog_buf {
	struct bpf_insn insn[128];
	int n;
	bool overflow;
};

static void emit(struct prog_buf *b, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (b->n >= (int)ARRAY_SIZE(b->insn)) {
		b->overflow = true;
		return;
	}
	b->insn[b->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
					     .off = off, .imm = imm };
}

#define LDX(b, sz, d, s, o)	emit(b, BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(b, sz, d, s, o)	emit(b, BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define MOVX(b, d, s)		emit(b, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOVK(b, d, k)		emit(b, BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define ADDK(b, d, k)		emit(b, BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, k)
#define CALL(b, f)		emit(b, BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT(b)			emit(b, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* A forward jump to be patched: its index. */
static int jmp_fwd(struct prog_buf *b, uint8_t op, uint8_t reg, int32_t imm)
{
	emit(b, BPF_JMP | op | BPF_K, reg, 0, 0, imm);
	return b->n - 1;
}

static void patch(struct prog_buf *b, int at)
{
	if (at >= 0 && at < b->n)
		b->insn[at].off = b->n - at - 1;
}

static void build_map_iter(struct prog_buf *b, const struct iter_layout *l)
{
	int out;

	LDX(b, BPF_DW, BPF_REG_6, BPF_REG_1, CTX_META);
	LDX(b, BPF_DW, BPF_REG_7, BPF_REG_1, CTX_MAP);
	out = jmp_fwd(b, BPF_JEQ, BPF_REG_7, 0);
	LDX(b, BPF_W, BPF_REG_2, BPF_REG_7, l->map_id);
	STX(b, BPF_W, BPF_REG_10, BPF_REG_2, -8);
	LDX(b, BPF_B, BPF_REG_2, BPF_REG_7, l->map_frozen);
	STX(b, BPF_W, BPF_REG_10, BPF_REG_2, -4);
	LDX(b, BPF_DW, BPF_REG_1, BPF_REG_6, l->meta_seq);
	MOVX(b, BPF_REG_2, BPF_REG_10);
	ADDK(b, BPF_REG_2, -8);
	MOVK(b, BPF_REG_3, 8);
	CALL(b, BPF_FUNC_seq_write);
	patch(b, out);
	MOVK(b, BPF_REG_0, 0);
	EXIT(b);
}

/* Forward jumps to one place, patched when it is reached. */
struct jumps {
	int at[16];
	int n;
};

static void jmp_to(struct prog_buf *b, struct jumps *j, uint8_t op, uint8_t reg, int32_t imm)
{
	int at = jmp_fwd(b, op, reg, imm);

	if (j->n < (int)ARRAY_SIZE(j->at))
		j->at[j->n++] = at;
	else
		b->overflow = true;
}

static void land(struct prog_buf *b, struct jumps *j)
{
	for (int i = 0; i < j->n; i++)
		patch(b, j->at[i]);
	j->n = 0;
}

static void ld_imm64(struct prog_buf *b, uint8_t dst, uint64_t v)
{
	emit(b, BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)v);
	emit(b, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* r1 = r10 + dst; r2 = len; call probe_read_kernel(r1, r2, r3): r3 set by the caller */
static void read_kernel(struct prog_buf *b, int16_t dst, int32_t len)
{
	MOVX(b, BPF_REG_1, BPF_REG_10);
	ADDK(b, BPF_REG_1, dst);
	MOVK(b, BPF_REG_2, len);
	CALL(b, BPF_FUNC_probe_read_kernel);
}

static uint64_t name8(const char *s)
{
	uint64_t v = 0;

	memcpy(&v, s, strnlen(s, 8));	/* as the bytes lie in memory, little or big endian */
	return v;
}

#define ANON_INODE_FS_MAGIC 0x09041934

/* The task file iterator: per open file of each process (not this one), if it is one of
 * BPF's anonymous inodes, the record { tgid, kind, id, 0, group leader's comm } at fp-32.
 * Stack: -48 the inode name's first 16 bytes, -56 a pointer read. */
static void build_owner_iter(struct prog_buf *b, const struct iter_layout *l, uint32_t self)
{
	static const struct { const char *name; bool nul9; char kind; } kinds[] = {
		{ "bpf-prog", true, 'p' }, { "bpf-map", false, 'm' }, { "bpf_link", true, 'l' },
		{ "btf", false, 'b' },
	};
	struct jumps out = { .n = 0 }, found = { .n = 0 };

	LDX(b, BPF_DW, BPF_REG_6, BPF_REG_1, CTX_META);
	LDX(b, BPF_DW, BPF_REG_7, BPF_REG_1, CTX_TASK);
	LDX(b, BPF_DW, BPF_REG_8, BPF_REG_1, CTX_FILE);
	jmp_to(b, &out, BPF_JEQ, BPF_REG_7, 0);
	jmp_to(b, &out, BPF_JEQ, BPF_REG_8, 0);
	LDX(b, BPF_W, BPF_REG_2, BPF_REG_7, l->task_tgid);
	jmp_to(b, &out, BPF_JEQ, BPF_REG_2, self);
	STX(b, BPF_W, BPF_REG_10, BPF_REG_2, -32);
	/* an anonymous inode ... */
	LDX(b, BPF_DW, BPF_REG_3, BPF_REG_8, l->file_inode);
	jmp_to(b, &out, BPF_JEQ, BPF_REG_3, 0);
	LDX(b, BPF_DW, BPF_REG_3, BPF_REG_3, l->inode_sb);
	jmp_to(b, &out, BPF_JEQ, BPF_REG_3, 0);
	LDX(b, BPF_DW, BPF_REG_3, BPF_REG_3, l->sb_magic);
	jmp_to(b, &out, BPF_JNE, BPF_REG_3, ANON_INODE_FS_MAGIC);
	/* ... named as BPF names its objects */
	LDX(b, BPF_DW, BPF_REG_3, BPF_REG_8, l->file_dentry);
	jmp_to(b, &out, BPF_JEQ, BPF_REG_3, 0);
	LDX(b, BPF_DW, BPF_REG_3, BPF_REG_3, l->dentry_name);
	read_kernel(b, -48, 16);
	jmp_to(b, &out, BPF_JNE, BPF_REG_0, 0);
	LDX(b, BPF_DW, BPF_REG_9, BPF_REG_8, l->file_private);	/* the object */
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		size_t len = strlen(kinds[k].name);
		uint32_t id_off = kinds[k].kind == 'm' ? l->map_id : kinds[k].kind == 'l' ?
				  l->link_id : kinds[k].kind == 'b' ? l->btf_id : l->aux_id;
		int next;

		/* "btf\0" as a word, "bpf-map\0" and "bpf-prog" as a double word */
		LDX(b, len < 4 ? BPF_W : BPF_DW, BPF_REG_2, BPF_REG_10, -48);
		ld_imm64(b, BPF_REG_3, name8(kinds[k].name) & (len < 4 ? 0xffffffffull : ~0ull));
		next = b->n;
		emit(b, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_2, BPF_REG_3, 0, 0);
		if (kinds[k].nul9) {	/* "bpf-prog" and not "bpf-progs" */
			LDX(b, BPF_B, BPF_REG_2, BPF_REG_10, -40);
			jmp_to(b, &out, BPF_JNE, BPF_REG_2, 0);
		}
		MOVK(b, BPF_REG_2, kinds[k].kind);
		STX(b, BPF_W, BPF_REG_10, BPF_REG_2, -28);
		if (kinds[k].kind == 'p') {	/* prog->aux->id */
			MOVX(b, BPF_REG_3, BPF_REG_9);
			ADDK(b, BPF_REG_3, l->prog_aux);
			read_kernel(b, -56, 8);
			jmp_to(b, &out, BPF_JNE, BPF_REG_0, 0);
			LDX(b, BPF_DW, BPF_REG_9, BPF_REG_10, -56);
		}
		MOVX(b, BPF_REG_3, BPF_REG_9);
		ADDK(b, BPF_REG_3, id_off);
		emit(b, BPF_JMP | BPF_JA, 0, 0, 0, 0);
		if (found.n < (int)ARRAY_SIZE(found.at))
			found.at[found.n++] = b->n - 1;
		patch(b, next);
	}
	jmp_to(b, &out, BPF_JA, 0, 0);		/* none of them */
	land(b, &found);
	read_kernel(b, -24, 4);			/* the id, from r3 */
	jmp_to(b, &out, BPF_JNE, BPF_REG_0, 0);
	MOVK(b, BPF_REG_2, 0);
	STX(b, BPF_W, BPF_REG_10, BPF_REG_2, -20);
	LDX(b, BPF_DW, BPF_REG_3, BPF_REG_7, l->task_leader);
	jmp_to(b, &out, BPF_JEQ, BPF_REG_3, 0);
	ADDK(b, BPF_REG_3, l->task_comm);
	read_kernel(b, -16, 16);
	jmp_to(b, &out, BPF_JNE, BPF_REG_0, 0);
	LDX(b, BPF_DW, BPF_REG_1, BPF_REG_6, l->meta_seq);
	MOVX(b, BPF_REG_2, BPF_REG_10);
	ADDK(b, BPF_REG_2, -32);
	MOVK(b, BPF_REG_3, 32);
	CALL(b, BPF_FUNC_seq_write);
	land(b, &out);
	MOVK(b, BPF_REG_0, 0);
	EXIT(b);
}

/* ---- running it ---- */

/* Load one iterator, read it all into out. */
static int run_iter(struct prog_buf *b, uint32_t func_id, const char *name, struct buf *out,
		    struct err *e)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_ITER,
		    .attach_btf_id = func_id);
	int prog = -1, link = -1, it = -1, err = 0;

	if (b->overflow)
		return err_set(e, E2BIG, "iterator %s: too many instructions", name);
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, name, "GPL", b->insn, b->n, &opts);
	if (prog < 0)
		return err_set(e, errno, "iterator %s: load: %s", name, strerror(errno));
	link = bpf_link_create(prog, 0, BPF_TRACE_ITER, NULL);
	if (link < 0) {
		err = err_set(e, errno, "iterator %s: link: %s", name, strerror(errno));
		goto out;
	}
	it = bpf_iter_create(link);
	if (it < 0) {
		err = err_set(e, errno, "iterator %s: create: %s", name, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (buf_reserve(out, 65536)) {
			err = err_set(e, ENOMEM, "out of memory reading iterator %s", name);
			break;
		}
		n = read(it, out->data + out->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = err_set(e, errno, "iterator %s: read: %s", name, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		out->len += n;
	}
out:
	if (it >= 0)
		close(it);
	if (link >= 0)
		close(link);
	close(prog);
	return err;
}

int iter_scan(const struct iter_layout *l, struct iter_scan *out, struct err *e)
{
	struct prog_buf b = { .n = 0 };
	struct buf raw = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	build_map_iter(&b, l);
	err = run_iter(&b, l->map_func_id, "bpfscope_maps", &raw, e);
	if (!err && raw.len % sizeof(struct iter_map))
		err = err_set(e, EPROTO, "iterator bpfscope_maps: %zu bytes", raw.len);
	if (!err) {
		out->nr_maps = raw.len / sizeof(struct iter_map);
		out->maps = calloc(out->nr_maps + 1, sizeof(*out->maps));
		if (!out->maps)
			err = err_set(e, ENOMEM, "out of memory");
		else if (raw.len)
			memcpy(out->maps, raw.data, raw.len);
	}
	buf_free(&raw);
	if (err)
		iter_scan_free(out);
	return err;
}

static int owner_cmp(const void *a, const void *b)
{
	const struct iter_owner *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int iter_owners(const struct iter_layout *l, struct iter_owner **out, size_t *n, struct err *e)
{
	struct prog_buf b = { .n = 0 };
	struct buf raw = { 0 };
	size_t m = 0;
	int err;

	*out = NULL;
	*n = 0;
	build_owner_iter(&b, l, getpid());
	err = run_iter(&b, l->task_file_func_id, "bpfscope_pids", &raw, e);
	if (!err && raw.len % sizeof(struct iter_owner))
		err = err_set(e, EPROTO, "iterator bpfscope_pids: %zu bytes", raw.len);
	if (!err) {
		*n = raw.len / sizeof(struct iter_owner);
		*out = calloc(*n + 1, sizeof(**out));
		if (!*out)
			err = err_set(e, ENOMEM, "out of memory");
	}
	if (!err && *n) {
		struct iter_owner *o = *out;

		memcpy(o, raw.data, raw.len);
		qsort(o, *n, sizeof(*o), owner_cmp);
		/* a process with several fds of one object is one owner */
		for (size_t i = 0; i < *n; i++) {
			o[i].comm[sizeof(o[i].comm) - 1] = 0;
			if (m && !owner_cmp(&o[m - 1], &o[i]))
				continue;
			o[m++] = o[i];
		}
		*n = m;
	}
	buf_free(&raw);
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}

void iter_scan_free(struct iter_scan *s)
{
	free(s->maps);
	memset(s, 0, sizeof(*s));
}
