/* Reading one BTF object from the running kernel (get-fd-by-id, get-info, load). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "capture/btf_live.h"

int btf_src_from_kernel(struct btf_src *s, uint32_t id, struct err *e)
{
	struct bpf_btf_info info = { 0 };
	__u32 len = sizeof(info);
	char name[64] = "";
	int fd, err;

	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0) {
		err = errno;
		return err_set(e, err, "can't get BTF object by id (%u): %s", id, strerror(err));
	}
	info.name = (uintptr_t)name;
	info.name_len = sizeof(name);
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	err = err ? errno : 0;
	close(fd);
	if (err)
		return err_set(e, err, "can't get BTF info (id %u): %s", id, strerror(err));
	if (info.kernel_btf && strcmp(name, "vmlinux")) {
		s->base = btf__load_vmlinux_btf();
		if (!s->base) {
			err = errno;
			return err_set(e, err, "can't load vmlinux BTF as base for module BTF '%s' "
				       "(id %u): %s", name, id, strerror(err));
		}
		s->btf = btf__load_from_kernel_by_id_split(id, s->base);
	} else {
		s->btf = btf__load_from_kernel_by_id(id);
	}
	if (!s->btf) {
		err = errno;
		return err_set(e, err, "can't load BTF (id %u): %s", id, strerror(err));
	}
	return 0;
}
