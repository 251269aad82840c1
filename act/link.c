/* Detaching links (BPF_LINK_DETACH): the one link operation that changes the kernel
 * beside pinning. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "act/link.h"

int link_detach_fd(int fd, struct err *e)
{
	if (bpf_link_detach(fd)) {
		int err = errno;

		err_set(e, err, "failed link detach: %s", strerror(err));
		if (err == EOPNOTSUPP || err == EINVAL)
			err_hint(e, "this kind of link can't be detached; unpin it and close its holders");
		return -err;
	}
	return 0;
}
