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

/* A program: its id and what names it, for the audit's cross-view (a program filtered out
 * of BPF_PROG_GET_NEXT_ID is still iterated). */
SEC("iter/bpf_prog")
int bpfscope_progs(struct bpf_iter__bpf_prog *ctx)
{
	struct bpf_prog *prog = ctx->prog;
	struct bpf_prog_aux *aux;
	struct iter_prog_rec rec = { 0 };

	if (!prog)
		return 0;
	aux = prog->aux;
	rec.id = aux->id;
	rec.type = prog->type;
	rec.nr_map_ids = aux->used_map_cnt;
	rec.xlated_len = prog->len * 8;
	rec.jited_len = prog->jited_len;
	rec.load_time = aux->load_time;
	bpf_probe_read_kernel(rec.tag, sizeof(rec.tag), prog->tag);
	bpf_probe_read_kernel(rec.name, sizeof(rec.name), aux->name);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
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
