/* bpfscope's recorder of BPF objects as they are made (capture/loads.c attaches it for the
 * length of a watch): on the bpf(2) syscall's tracepoints, each program, map and link
 * another process creates is read from the kernel before the syscall returns, code included.
 *
 * Why in the kernel: a program loaded and closed at once is gone (its id freed) before any
 * reader woken by the ring buffer can open it; at sys_exit_bpf it is still in the loader's
 * fd table, so this program reads the object itself (prog->insnsi: the translated code,
 * with map addresses that capture/loads.c turns back into ids as the kernel's dump does).
 * It only reads: its own maps are all it writes, and it never signals, delays or changes
 * the caller or the call. */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "capture/loads_kern.h"
#include "capture/loads_rec.h"

char _license[] SEC("license") = "GPL";

/* the recorder's own process: its bpf() calls are not recorded (set before load) */
const volatile __u32 self_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LOADS_RING_BYTES);
} loads_ring SEC(".maps");

/* the command of each thread inside one of the recorded bpf() calls, from enter to exit */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} loads_cmd SEC(".maps");

/* a record is built here (too large for the stack), then copied into the ring; tracepoint
 * programs do not nest on a CPU (bpf_prog_active), so one per CPU is enough */
struct loads_scratch {
	struct loads_rec rec;
	struct loads_map_ref maps[LOADS_MAX_MAPS];
	__u8 chunk[LOADS_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct loads_scratch);
} loads_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LOADS_STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} loads_stats SEC(".maps");

#define ANON_INODE_FS_MAGIC 0x09041934

static __always_inline void count(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&loads_stats, &what);

	if (v)
		*v += 1;
}

static __always_inline bool recorded_cmd(__u32 cmd)
{
	return cmd == BPF_PROG_LOAD || cmd == BPF_MAP_CREATE || cmd == BPF_LINK_CREATE ||
	       cmd == BPF_RAW_TRACEPOINT_OPEN;
}

SEC("tracepoint/syscalls/sys_enter_bpf")
int loads_enter(struct loads_sys_enter *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u32 cmd = ctx->args[0];	/* an int: the register's upper half is not the caller's */

	if (!recorded_cmd(cmd) || (tid >> 32) == self_tgid)
		return 0;
	bpf_map_update_elem(&loads_cmd, &tid, &cmd, BPF_ANY);
	return 0;
}

/* The object behind the caller's new fd, if the file is the anonymous inode the kernel
 * gives that kind ("bpf-prog", "bpf-map", "bpf_link"): another thread of the caller could
 * have closed the fd and opened something else there. */
static __always_inline void *fd_object(int fd, __u32 kind)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	const unsigned char *np;
	char n[9] = { 0 };

	if (!fds || fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds) ||
	    bpf_probe_read_kernel(&file, sizeof(file), fds + fd) || !file)
		return NULL;
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != ANON_INODE_FS_MAGIC)
		return NULL;
	np = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel(n, sizeof(n), np))
		return NULL;
	if (n[0] != 'b' || n[1] != 'p' || n[2] != 'f')
		return NULL;
	if (kind == 'p' && !(n[3] == '-' && n[4] == 'p' && n[5] == 'r' && n[6] == 'o' &&
			     n[7] == 'g' && !n[8]))
		return NULL;
	if (kind == 'm' && !(n[3] == '-' && n[4] == 'm' && n[5] == 'a' && n[6] == 'p' && !n[7]))
		return NULL;
	if (kind == 'l' && !(n[3] == '_' && n[4] == 'l' && n[5] == 'i' && n[6] == 'n' &&
			     n[7] == 'k' && !n[8]))
		return NULL;
	return BPF_CORE_READ(file, private_data);
}

static __always_inline void read_map(struct loads_rec *r, struct bpf_map *map)
{
	r->id = BPF_CORE_READ(map, id);
	r->type = BPF_CORE_READ(map, map_type);
	r->key_size = BPF_CORE_READ(map, key_size);
	r->value_size = BPF_CORE_READ(map, value_size);
	r->max_entries = BPF_CORE_READ(map, max_entries);
	r->map_flags = BPF_CORE_READ(map, map_flags);
	r->map_extra = BPF_CORE_READ(map, map_extra);
	bpf_probe_read_kernel_str(r->name, sizeof(r->name), &map->name);
}

static __always_inline void read_link(struct loads_rec *r, struct bpf_link *link)
{
	r->id = BPF_CORE_READ(link, id);
	r->type = BPF_CORE_READ(link, type);
	r->prog_id = BPF_CORE_READ(link, prog, aux, id);
	if (bpf_core_field_exists(link->attach_type)) {
		r->attach_type = BPF_CORE_READ(link, attach_type);
		r->flags |= LOADS_F_LINK_ATTACH;
	}
}

/* The program's facts and the maps it uses; 0, or -1 when prog is not a program (its aux
 * points back at it). */
static __always_inline int read_prog(struct loads_scratch *s, struct bpf_prog *prog)
{
	struct loads_rec *r = &s->rec;
	struct bpf_prog_aux *aux = BPF_CORE_READ(prog, aux);
	struct bpf_map **used;
	__u32 n;

	if (!aux || BPF_CORE_READ(aux, prog) != prog)
		return -1;
	r->id = BPF_CORE_READ(aux, id);
	r->type = BPF_CORE_READ(prog, type);
	r->attach_type = BPF_CORE_READ(prog, expected_attach_type);
	r->len = BPF_CORE_READ(prog, len);
	r->jited_len = BPF_CORE_READ(prog, jited_len);
	r->verified_insns = BPF_CORE_READ(aux, verified_insns);
	r->load_time = BPF_CORE_READ(aux, load_time);
	r->btf_id = BPF_CORE_READ(aux, btf, id);
	bpf_probe_read_kernel(r->tag, sizeof(r->tag), &prog->tag);
	bpf_probe_read_kernel_str(r->name, sizeof(r->name), &aux->name);
	n = BPF_CORE_READ(aux, used_map_cnt);
	used = BPF_CORE_READ(aux, used_maps);
	r->used_map_cnt = n;
	if (n > LOADS_MAX_MAPS) {
		n = LOADS_MAX_MAPS;
		r->flags |= LOADS_F_MAPS_CUT;
	}
	r->nr_maps = 0;
	for (__u32 i = 0; i < LOADS_MAX_MAPS && i < n; i++) {
		struct loads_map_ref *m = &s->maps[i];
		struct bpf_map *map = NULL;

		if (bpf_probe_read_kernel(&map, sizeof(map), used + i) || !map)
			break;
		m->addr = (__u64)map;
		m->id = BPF_CORE_READ(map, id);
		m->type = BPF_CORE_READ(map, map_type);
		m->max_entries = BPF_CORE_READ(map, max_entries);
		m->value_addr = 0;
		m->elem_size = 0;
		if (m->type == BPF_MAP_TYPE_ARRAY) {
			struct bpf_array *a = (void *)map;

			m->value_addr = (__u64)map + bpf_core_field_offset(a->value);
			m->elem_size = BPF_CORE_READ(a, elem_size);
		}
		r->nr_maps = i + 1;
	}
	return 0;
}

/* Copying the program's instructions into the record: bpf_loop runs one step per
 * LOADS_CHUNK bytes through the scratch buffer (a helper copies kernel memory only into the
 * program's own), and the verifier checks the step once, not once per step and path. */
struct copy_ctx {
	struct bpf_dynptr d;	/* the record, in the ring */
	struct loads_scratch *s;
	const void *insns;
	__u64 len;
	__u32 off;		/* where the code starts in the record */
	__u32 fault;
};

static long copy_step(__u64 i, struct copy_ctx *c)
{
	/* (64-bit arithmetic: clang 14 without alu32 hands the helper the 64-bit register, whose
	 * bounds a 32-bit comparison does not give) */
	__u64 at = i * LOADS_CHUNK, n;

	if (at >= c->len)
		return 1;
	n = c->len - at;
	if (n > LOADS_CHUNK)
		n = LOADS_CHUNK;
	if (bpf_probe_read_kernel(c->s->chunk, n, c->insns + at) ||
	    bpf_dynptr_write(&c->d, c->off + at, c->s->chunk, n, 0)) {
		c->fault = 1;
		return 1;
	}
	return 0;
}

/* The record into the ring, with the code when there is room for it. */
static __always_inline void submit(struct loads_scratch *s, struct bpf_prog *prog)
{
	struct loads_rec *r = &s->rec;
	/* (a mask, not a comparison, bounds it for the verifier; nr_maps <= LOADS_MAX_MAPS, and
	 * the mask's bound stays inside the scratch value) */
	__u32 maps_len = (r->nr_maps & (2 * LOADS_MAX_MAPS - 1)) * sizeof(struct loads_map_ref);
	__u32 head = sizeof(*r) + maps_len;
	struct copy_ctx c = { .s = s, .off = head };

	if (prog) {
		__u64 code = (__u64)r->len * sizeof(struct bpf_insn);

		if (code > LOADS_MAX_CODE)
			r->flags |= LOADS_F_CODE_CUT;
		else
			r->code_len = code;
	}
	if (bpf_ringbuf_reserve_dynptr(&loads_ring, head + r->code_len, 0, &c.d)) {
		bpf_ringbuf_discard_dynptr(&c.d, 0);
		if (!r->code_len) {
			count(LOADS_STAT_LOST);
			return;
		}
		/* the header alone: capture/loads.c fetches the code if the program is there */
		r->code_len = 0;
		r->flags |= LOADS_F_NO_ROOM;
		if (bpf_ringbuf_reserve_dynptr(&loads_ring, head, 0, &c.d)) {
			bpf_ringbuf_discard_dynptr(&c.d, 0);
			count(LOADS_STAT_LOST);
			return;
		}
	}
	if (r->code_len) {
		c.insns = (void *)prog + bpf_core_field_offset(prog->insnsi);
		c.len = r->code_len;
		bpf_loop(LOADS_MAX_CODE / LOADS_CHUNK, copy_step, &c, 0);
		if (c.fault) {
			r->flags |= LOADS_F_CODE_FAULT;
			r->code_len = 0;
		}
	}
	bpf_dynptr_write(&c.d, sizeof(*r), s->maps, maps_len, 0);
	bpf_dynptr_write(&c.d, 0, r, sizeof(*r), 0);
	bpf_ringbuf_submit_dynptr(&c.d, 0);
}

SEC("tracepoint/syscalls/sys_exit_bpf")
int loads_exit(struct loads_sys_exit *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u32 zero = 0, *cmdp, cmd, kind;
	struct loads_scratch *s;
	struct task_struct *task;
	struct loads_rec *r;
	void *obj;

	cmdp = bpf_map_lookup_elem(&loads_cmd, &tid);
	if (!cmdp)
		return 0;
	cmd = *cmdp;
	bpf_map_delete_elem(&loads_cmd, &tid);
	if (ctx->ret < 0)
		return 0;
	count(LOADS_STAT_SEEN);
	kind = cmd == BPF_PROG_LOAD ? 'p' : cmd == BPF_MAP_CREATE ? 'm' : 'l';
	obj = fd_object(ctx->ret, kind);
	s = bpf_map_lookup_elem(&loads_scratch, &zero);
	if (!obj || !s) {
		count(LOADS_STAT_NO_OBJ);
		return 0;
	}
	r = &s->rec;
	__builtin_memset(r, 0, sizeof(*r));
	r->boot_ns = bpf_ktime_get_boot_ns();
	r->pid = tid >> 32;
	r->tid = tid;
	r->uid = bpf_get_current_uid_gid();
	r->cmd = cmd;
	r->kind = kind;
	task = (void *)bpf_get_current_task();
	task = BPF_CORE_READ(task, group_leader);
	bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), &task->comm);
	if (kind == 'p') {
		if (read_prog(s, obj)) {
			count(LOADS_STAT_NO_OBJ);
			return 0;
		}
		submit(s, obj);
		return 0;
	}
	if (kind == 'm')
		read_map(r, obj);
	else
		read_link(r, obj);
	submit(s, NULL);
	return 0;
}
