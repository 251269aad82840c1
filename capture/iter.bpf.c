/* bpfscope's BPF iterators, built into build/iter.skel.h (Makefile) and run by capture/iter.c:
 * over programs (each one's id, tag and name), over maps (each map's
 * id and whether it is frozen) and over every process's open files
 * (which processes hold which BPF objects, found by the anonymous inode's name, and which
 * hold packet sockets, whose classic filters capture/sock.c records). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "capture/iter_kern.h"
#include "capture/iter_rec.h"

char _license[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int bpfscope_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct iter_map rec;

	if (!map)	/* the end of the walk */
		return 0;
	rec.id = map->id;
	rec.frozen = map->frozen;
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

/* The per-cpu array the loader made (ITER_PCPU_MARKER): the object has no maps section. */
static __always_inline void *pcpu_map(void)
{
	void *m;

	asm volatile("%0 = 0x7063707562736366 ll" : "=r"(m));
	return m;
}

/* An address as a plain number: stored in our own map's value and read back. The verifier
 * lets a privileged program store a pointer (allow_ptr_leaks) and reads a number back. */
static __always_inline __u64 as_number(volatile __u64 *slot, __u64 ptr)
{
	*slot = ptr;
	return *slot;
}

/* A constant the loader writes into the ld_imm64 that loads marker (capture/iter_rec.h's
 * ITER_*_MARKER, spelled out: the assembler takes no macro) */
#define LOADER_CONST(name, marker)					\
	static __always_inline __u64 name(void)			\
	{								\
		__u64 v;						\
									\
		asm volatile("%0 = " #marker " ll" : "=r"(v));		\
		return v;						\
	}

/* This boot's per-cpu offsets when the loader knows them (ITER_USE_OFF_MARKER 1): cpu c's
 * is off0() + c * stride(). */
LOADER_CONST(use_offsets, 0x66666f6573756263)
LOADER_CONST(off0, 0x3066666f62736366)
LOADER_CONST(stride, 0x6469727462736366)

/* user_struct's uid's offset and bpf_map's id's (ITER_UID_OFF_MARKER,
 * ITER_MAP_ID_OFF_MARKER): a CO-RE relocation of a type no other access of this program
 * names would cost each load a search of every vmlinux type */
LOADER_CONST(uid_offset, 0x6f64697562736366)
LOADER_CONST(map_id_offset, 0x6f64696d62736366)

#define ITER_MAX_CPUS 256

/* The possible cpus (ITER_NCPU_MARKER, made a constant by the loader): the verifier then
 * walks the loop below that many times, not ITER_MAX_CPUS times. */
static __always_inline __u32 cpu_bound(void)
{
	__u64 n;

	asm volatile("%0 = 0x7570636e62736366 ll" : "=r"(n));
	return n < ITER_MAX_CPUS ? n : ITER_MAX_CPUS;
}

/* One cpu's three counters (at addr, side by side) added to sum; nonzero: unreadable. */
static __always_inline int stats_add(__u64 sum[3], __u64 addr)
{
	__u64 v[3];

	if (bpf_probe_read_kernel(v, sizeof(v), (void *)addr))
		return -1;
	sum[0] += v[0];
	sum[1] += v[1];
	sum[2] += v[2];
	return 0;
}

static __always_inline void stats_store(struct iter_prog_rec *rec, const __u64 sum[3], __u32 cpus)
{
	rec->run_cnt = sum[0];
	rec->run_time_ns = sum[1];
	rec->recursion_misses = sum[2];
	rec->nr_cpus = cpus;
}

/* The sums with the offsets the loader gave: no map of ours, so nothing of ours outlives
 * the program by an RCU grace period. */
static __always_inline void prog_stats_known(struct bpf_prog *prog, struct iter_prog_rec *rec)
{
	__u64 stats = 0, sum[3] = { 0 }, base = off0(), step = stride();
	__u32 cpu, bound = cpu_bound();

	if (bpf_core_read(&stats, sizeof(stats), &prog->stats) || !stats)
		return;
	stats += bpf_core_field_offset(struct bpf_prog_stats, cnt);
	for (cpu = 0; cpu < bound; cpu++)
		if (stats_add(sum, stats + base + cpu * step))
			return;
	stats_store(rec, sum, cpu);
}

/* The end of the walk, offsets read through the per-cpu array: they are this boot's for
 * good (set up at boot), and the loader keeps them for the next runs (capture/iter.c). */
static __always_inline void offsets_record(struct bpf_iter__bpf_prog *ctx)
{
	void *map = pcpu_map();
	struct iter_prog_rec rec = { 0 };
	__u64 base = 0, first = 0, step = 0, off;
	volatile __u64 *slot;
	__u32 key = 0, cpu, bound = cpu_bound();

	slot = bpf_map_lookup_elem(map, &key);
	if (!slot)
		return;
	if (bpf_core_read(&base, sizeof(base),
			  &((struct bpf_array *)as_number(slot, (__u64)map))->pptrs) || !base)
		return;
	rec.flags = ITER_PROG_OFFSETS | ITER_PROG_LINEAR;
	for (cpu = 0; cpu < bound; cpu++) {
		slot = bpf_map_lookup_percpu_elem(map, &key, cpu);
		if (!slot)
			break;
		off = as_number(slot, (__u64)slot) - base;
		if (cpu == 0)
			first = off;
		else if (cpu == 1)
			step = off - first;
		else if (off != first + cpu * step)
			rec.flags &= ~ITER_PROG_LINEAR;
	}
	rec.run_cnt = first;
	rec.run_time_ns = step;
	rec.nr_cpus = cpu;
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
}

/* The run-time counters summed over every cpu, as BPF_OBJ_GET_INFO_BY_FD sums them. They
 * are per cpu (prog->stats is __percpu), and this kernel's BTF has no per-cpu type tag for
 * bpf_per_cpu_ptr nor kallsyms data symbols for __per_cpu_offset. A per-cpu array tells the
 * offsets instead: its element's address on cpu c (bpf_map_lookup_percpu_elem) minus the
 * element's __percpu address (the array's pptrs[0]) is cpu c's per-cpu offset. It stops at
 * the first cpu the map has no copy for (nr_cpu_ids): rec->nr_cpus says how many it summed. */
static __always_inline void prog_stats(struct bpf_prog *prog, struct iter_prog_rec *rec)
{
	void *map = pcpu_map();
	__u64 base = 0, stats = 0, addr, sum[3] = { 0 };
	volatile __u64 *slot;
	__u32 key = 0, cpu, bound = cpu_bound();

	/* the three counters side by side, read in one go: the loop's body is verified once
	 * per possible iteration, so it is kept short */
	if (bpf_core_field_offset(struct bpf_prog_stats, nsecs) !=
	    bpf_core_field_offset(struct bpf_prog_stats, cnt) + 8 ||
	    bpf_core_field_offset(struct bpf_prog_stats, misses) !=
	    bpf_core_field_offset(struct bpf_prog_stats, cnt) + 16)
		return;
	if (use_offsets()) {
		prog_stats_known(prog, rec);
		return;
	}
	slot = bpf_map_lookup_elem(map, &key);
	if (!slot)
		return;
	addr = as_number(slot, (__u64)map);
	if (bpf_core_read(&base, sizeof(base), &((struct bpf_array *)addr)->pptrs) ||
	    bpf_core_read(&stats, sizeof(stats), &prog->stats) || !base || !stats)
		return;
	stats += bpf_core_field_offset(struct bpf_prog_stats, cnt);
	for (cpu = 0; cpu < bound; cpu++) {
		slot = bpf_map_lookup_percpu_elem(map, &key, cpu);
		if (!slot)
			break;
		if (stats_add(sum, stats + as_number(slot, (__u64)slot) - base))
			return;
	}
	stats_store(rec, sum, cpu);
}

/* What else get-info tells of a program without its arrays (kernel/bpf/syscall.c's
 * bpf_prog_get_info_by_fd), for a live view that opens none: the creator's uid (as the
 * initial user namespace sees it), gpl, BTF, and the first ITER_PROG_MAP_IDS map ids, read
 * by probe (used_maps is an array of pointers). */
static __always_inline void prog_rest(struct bpf_prog *prog, struct bpf_prog_aux *aux,
				      struct iter_prog_rec *rec, struct iter_prog_rest *rest)
{
	struct bpf_map *maps[ITER_PROG_MAP_IDS];
	__u32 n = aux->used_map_cnt;
	__u64 sz;

	rec->flags |= ITER_PROG_REST;
	if (BPF_CORE_READ_BITFIELD(prog, gpl_compatible))
		rec->flags |= ITER_PROG_GPL;
	if (aux->func_cnt)
		rec->flags |= ITER_PROG_SUBPROGS;
	if (n > ITER_PROG_MAP_IDS) {
		rec->flags |= ITER_PROG_MAPS_CUT;
		n = ITER_PROG_MAP_IDS;
	}
	if (aux->user)
		bpf_probe_read_kernel(&rest->uid, sizeof(rest->uid), aux->user + uid_offset());
	if (aux->btf)
		rest->btf_id = aux->btf->id;
	if (bpf_core_field_exists(aux->verified_insns))	/* (Linux 5.16: get-info's 0 before) */
		rest->verified_insns = aux->verified_insns;
	rest->attach_btf_id = aux->attach_btf_id;
	if (!n)
		return;
	sz = (__u64)n * sizeof(maps[0]);
	barrier_var(sz);	/* (the bound checked is the one passed: the verifier's) */
	if (sz > sizeof(maps))
		return;
	if (bpf_core_read(maps, sz, aux->used_maps))
		return;
	for (__u32 i = 0; i < ITER_PROG_MAP_IDS && i < n; i++)
		if (!maps[i] || bpf_probe_read_kernel(&rest->map_ids[i], sizeof(__u32),
						      (void *)maps[i] + map_id_offset()))
			break;
}

/* A program: its id and what names it, for the audit's cross-view (a program filtered out
 * of BPF_PROG_GET_NEXT_ID is still iterated), and what of its stored row can change while
 * it stays, for a repeat snapshot's fast path (capture/walk.c); with_rest, what else a live
 * view's row needs (its rest). Two programs, not a branch decided at load: the kernel
 * applies every CO-RE relocation of what it is handed, dead code's too. */
static __always_inline int progs_one(struct bpf_iter__bpf_prog *ctx, int with_rest)
{
	struct bpf_prog *prog = ctx->prog;
	struct bpf_prog_aux *aux;
	struct iter_prog_rec rec = { 0 };
	struct iter_prog_rest rest;

	if (!prog) {	/* the end of the walk */
		if (!use_offsets())
			offsets_record(ctx);
		return 0;
	}
	aux = prog->aux;
	rec.id = aux->id;
	rec.type = prog->type;
	rec.nr_map_ids = aux->used_map_cnt;
	rec.xlated_len = prog->len * 8;
	rec.jited_len = prog->jited_len;
	rec.load_time = aux->load_time;
	rec.pages = prog->pages;
	bpf_probe_read_kernel(rec.tag, sizeof(rec.tag), prog->tag);
	bpf_probe_read_kernel(rec.name, sizeof(rec.name), aux->name);
	if (aux->dst_prog)
		rec.flags |= ITER_PROG_DST;
	if (aux->offload || aux->dev_bound)
		rec.flags |= ITER_PROG_DEV;
	if (aux->attach_btf)
		rec.attach_btf_obj_id = aux->attach_btf->id;
	if (with_rest) {
		__builtin_memset(&rest, 0, sizeof(rest));
		prog_rest(prog, aux, &rec, &rest);
	}
	prog_stats(prog, &rec);
	/* (an element's output that overflows the buffer is dropped whole and shown again) */
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	if (with_rest)
		bpf_seq_write(ctx->meta->seq, &rest, sizeof(rest));
	return 0;
}

SEC("iter/bpf_prog")
int bpfscope_progs(struct bpf_iter__bpf_prog *ctx)
{
	return progs_one(ctx, 0);
}

/* (its section's name is the loader's only: it attaches what it loads to the target) */
SEC("iter/bpf_prog_rest")
int bpfscope_progs_rest(struct bpf_iter__bpf_prog *ctx)
{
	return progs_one(ctx, 1);
}

#define ANON_INODE_FS_MAGIC 0x09041934
#define SOCKFS_MAGIC 0x534F434B
#define AF_PACKET 17

/* Which of BPF's anonymous inodes (the names the kernel gives them) a file is, 0 if none.
 * The name is read as bytes: it lies in memory the program may only probe-read. */
static __always_inline __u32 bpf_kind(const char name[16])
{
	if (name[0] == 'b' && name[1] == 't' && name[2] == 'f' && !name[3])
		return 'b';
	if (name[0] != 'b' || name[1] != 'p' || name[2] != 'f')
		return 0;
	if (name[3] == '-' && name[4] == 'm' && name[5] == 'a' && name[6] == 'p' && !name[7])
		return 'm';
	if (name[3] == '-' && name[4] == 'p' && name[5] == 'r' && name[6] == 'o' &&
	    name[7] == 'g' && !name[8])
		return 'p';
	if (name[3] == '_' && name[4] == 'l' && name[5] == 'i' && name[6] == 'n' &&
	    name[7] == 'k' && !name[8])
		return 'l';
	return 0;
}

SEC("iter/task_file")
int bpfscope_pids(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct iter_owner rec = { 0 };
	const unsigned char *np;
	char name[16];
	void *obj;

	if (!task || !file)
		return 0;
	if (!file->f_inode || !file->f_inode->i_sb)
		return 0;
	if (file->f_inode->i_sb->s_magic == SOCKFS_MAGIC) {
		/* private_data is the struct socket: only packet sockets are wanted */
		if (BPF_CORE_READ((struct socket *)file->private_data, sk, __sk_common.skc_family) !=
		    AF_PACKET)
			return 0;
		rec.kind = 's';
		rec.id = file->f_inode->i_ino;
		rec.fd = ctx->fd;
		goto emit;
	}
	if (file->f_inode->i_sb->s_magic != ANON_INODE_FS_MAGIC)
		return 0;
	if (!file->f_path.dentry)
		return 0;
	np = file->f_path.dentry->d_name.name;
	if (bpf_probe_read_kernel(name, sizeof(name), np))
		return 0;
	rec.kind = bpf_kind(name);
	if (!rec.kind)
		return 0;
	/* private_data is the object, as a void *: read through it by probe */
	obj = file->private_data;
	switch (rec.kind) {
	case 'p':
		rec.id = BPF_CORE_READ((struct bpf_prog *)obj, aux, id);
		break;
	case 'm':
		rec.id = BPF_CORE_READ((struct bpf_map *)obj, id);
		break;
	case 'l':
		rec.id = BPF_CORE_READ((struct bpf_link *)obj, id);
		break;
	default:
		rec.id = BPF_CORE_READ((struct btf *)obj, id);
	}
	if (!rec.id)
		return 0;
emit:
	rec.pid = task->tgid;
	if (!task->group_leader ||
	    bpf_probe_read_kernel(rec.comm, sizeof(rec.comm), task->group_leader->comm))
		return 0;
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
