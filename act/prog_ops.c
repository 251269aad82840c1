/* prog attach | detach to maps, prog run through BPF_PROG_TEST_RUN, and the fentry probe
 * of prog profile: each one syscall on the live kernel, errors in bpftool's words. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "act/prog_ops.h"

int prog_map_attach(int prog_fd, int map_fd, uint32_t attach_type, bool detach, struct err *e)
{
	int err = detach ? bpf_prog_detach2(prog_fd, map_fd, attach_type) :
			   bpf_prog_attach(prog_fd, map_fd, attach_type, 0);

	if (!err)
		return 0;
	err = errno;
	/* bpftool's words, which give no reason (e->code keeps the kernel's) */
	return err_set(e, err, detach ? "failed prog detach from map" : "failed prog attach to map");
}

int prog_test_run(int prog_fd, struct prog_run *r, struct err *e)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	int err;

	o.data_in = r->data_in;
	o.data_size_in = r->data_size_in;
	o.data_out = r->data_out;
	o.data_size_out = r->data_size_out;
	o.ctx_in = r->ctx_in;
	o.ctx_size_in = r->ctx_size_in;
	o.ctx_out = r->ctx_out;
	o.ctx_size_out = r->ctx_size_out;
	o.repeat = (int)r->repeat;
	if (bpf_prog_test_run_opts(prog_fd, &o)) {
		err = errno;
		return err_set(e, err, "failed to run program: %s", strerror(err));
	}
	r->data_size_out = o.data_size_out;
	r->ctx_size_out = o.ctx_size_out;
	r->retval = o.retval;
	r->duration = o.duration;
	return 0;
}

/* the command and its attr (uapi 6.17), which the installed headers do not have */
#define BPFS_CMD_PROG_STREAM_READ_BY_FD 37
struct bpfs_stream_read_attr {
	uint64_t stream_buf;
	uint32_t stream_buf_len;
	uint32_t stream_id;
	uint32_t prog_fd;
};

int prog_stream_read(int prog_fd, uint32_t stream_id, void *buf, uint32_t len, struct err *e)
{
	union {
		struct bpfs_stream_read_attr a;
		uint8_t whole[sizeof(union bpf_attr)];	/* the kernel wants the tail zeroed */
	} u;
	long n;
	int err;

	memset(&u, 0, sizeof(u));
	u.a.stream_buf = (uint64_t)(uintptr_t)buf;
	u.a.stream_buf_len = len;
	u.a.stream_id = stream_id;
	u.a.prog_fd = prog_fd;
	n = syscall(__NR_bpf, BPFS_CMD_PROG_STREAM_READ_BY_FD, &u, sizeof(u.a));
	if (n >= 0)
		return (int)n;
	err = errno;
	err_set(e, err, "can't read the program's %s stream: %s",
		stream_id == 1 ? "stdout" : "stderr", strerror(err));
	if (err == EINVAL)
		err_hint(e, "BPF streams need kernel >= 6.17");
	return -err;
}

int fentry_probe(int prog_fd, struct err *e)
{
	/* r0 = 0; exit: the probe does nothing while it is attached */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_func_info fi = { 0 };
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	int fd, link, err;

	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(fi);
	info.func_info = (uint64_t)(uintptr_t)&fi;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return err_set(e, errno, "can't get prog info: %s", strerror(errno));
	if (!info.btf_id || !fi.type_id)
		return err_set(e, EINVAL, "the program has no BTF, fentry can't attach to it");
	o.expected_attach_type = BPF_TRACE_FENTRY;
	o.attach_prog_fd = prog_fd;
	o.attach_btf_id = fi.type_id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "bpfscope_prof", "GPL", insns, 2, &o);
	if (fd < 0) {
		err = errno;
		return err_set(e, err, "loading an fentry program: %s", strerror(err));
	}
	link = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);
	err = link < 0 ? errno : 0;
	if (link >= 0)
		close(link);
	close(fd);
	if (err)
		return err_set(e, err, "attaching an fentry program: %s", strerror(err));
	return 0;
}
