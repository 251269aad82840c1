/* cgroup attach/detach through libbpf's bpf_prog_attach / bpf_prog_detach2 on an fd of the
 * cgroup's directory: the attachment lives on after this process, as bpftool's does. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "act/cgroup_attach.h"

static int open_cgroup(const char *path, int *fd, struct err *e)
{
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		int err = errno;

		return err_set(e, err, "can't open cgroup %s: %s", path, strerror(err));
	}
	return 0;
}

/* The kernel's answers, with what usually causes them. */
static int attach_err(struct err *e, int err, const char *what)
{
	err_set(e, err, "failed to %s program: %s", what, strerror(err));
	if (err == EINVAL)
		err_hint(e, "the program's type does not fit the attach type, or it is attached "
			 "there already");
	else if (err == EPERM && !strcmp(what, "attach"))
		err_hint(e, "the flags differ from those of what is attached there, or an ancestor "
			 "allows no override");
	else if (err == ENOENT)
		err_hint(e, "is that program attached there with that attach type?");
	return -err;
}

int cgroup_attach(const char *path, uint32_t attach_type, int prog_fd, unsigned flags,
		  struct err *e)
{
	unsigned kflags = 0;
	int fd, err;

	if (flags & CGROUP_ATTACH_MULTI)
		kflags |= BPF_F_ALLOW_MULTI;
	if (flags & CGROUP_ATTACH_OVERRIDE)
		kflags |= BPF_F_ALLOW_OVERRIDE;
	err = open_cgroup(path, &fd, e);
	if (err)
		return err;
	if (bpf_prog_attach(prog_fd, fd, attach_type, kflags))
		err = attach_err(e, errno, "attach");
	close(fd);
	return err;
}

int cgroup_detach(const char *path, uint32_t attach_type, int prog_fd, struct err *e)
{
	int fd, err;

	err = open_cgroup(path, &fd, e);
	if (err)
		return err;
	if (bpf_prog_detach2(prog_fd, fd, attach_type))
		err = attach_err(e, errno, "detach");
	close(fd);
	return err;
}
