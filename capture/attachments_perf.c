/* Perf-event programs (kprobe, tracepoint, uprobe via perf_event_open + ioctl, and raw
 * tracepoints): like `bpftool perf show`, ask BPF_TASK_FD_QUERY about every fd of every
 * process. Skipped when no program of a type that attaches this way is loaded. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "capture/attachments_int.h"

static const char *const fd_type_names[] = {
	[BPF_FD_TYPE_RAW_TRACEPOINT] = "raw_tracepoint",
	[BPF_FD_TYPE_TRACEPOINT] = "tracepoint",
	[BPF_FD_TYPE_KPROBE] = "kprobe",
	[BPF_FD_TYPE_KRETPROBE] = "kretprobe",
	[BPF_FD_TYPE_UPROBE] = "uprobe",
	[BPF_FD_TYPE_URETPROBE] = "uretprobe",
};

static int query_fd(struct att_ctx *c, int pid, int fd, char *buf, size_t buf_len)
{
	union bpf_attr a;
	struct attach_row r = { .kind = ATTACH_PERF_EVENT };

	memset(&a, 0, sizeof(a));
	a.task_fd_query.pid = pid;
	a.task_fd_query.fd = fd;
	a.task_fd_query.buf = (uintptr_t)buf;
	a.task_fd_query.buf_len = buf_len;
	buf[0] = 0;
	if (syscall(__NR_bpf, BPF_TASK_FD_QUERY, &a, sizeof(a)) < 0)
		return 0;	/* not a BPF perf fd (ENOTSUPP), or gone */
	buf[buf_len - 1] = 0;
	r.prog_id = a.task_fd_query.prog_id;
	r.u.perf.pid = pid;
	r.u.perf.fd = fd;
	r.u.perf.fd_type = a.task_fd_query.fd_type;
	r.u.perf.offset = a.task_fd_query.probe_offset;
	r.u.perf.addr = a.task_fd_query.probe_addr;
	if (a.task_fd_query.fd_type < sizeof(fd_type_names) / sizeof(fd_type_names[0]))
		r.mode = fd_type_names[a.task_fd_query.fd_type];
	r.target = buf;
	return att_insert(c, &r);
}

int attach_perf(struct att_ctx *c)
{
	struct dirent *pe;
	DIR *proc;
	char *buf;
	int ret = 0;

	if (!att_have(c, BPF_PROG_TYPE_KPROBE) && !att_have(c, BPF_PROG_TYPE_TRACEPOINT) &&
	    !att_have(c, BPF_PROG_TYPE_PERF_EVENT) && !att_have(c, BPF_PROG_TYPE_RAW_TRACEPOINT) &&
	    !att_have(c, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE))
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return 0;
	buf = malloc(4096);
	if (!buf) {
		closedir(proc);
		return err_set(c->e, ENOMEM, "out of memory");
	}
	while (!ret && (pe = readdir(proc))) {
		char path[64];
		struct dirent *fe;
		DIR *fds;
		int pid;

		if (!str_is_digits(pe->d_name))
			continue;
		pid = atoi(pe->d_name);
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;	/* exited, or a kernel thread we may not look into */
		while (!ret && (fe = readdir(fds)))
			if (str_is_digits(fe->d_name))
				ret = query_fd(c, pid, atoi(fe->d_name), buf, 4096);
		closedir(fds);
	}
	closedir(proc);
	free(buf);
	return ret;
}
