/* iter pin (act/iter_pin.h): the pin is what remains; reading it (cat PATH) runs the
 * iterator. Errors are worded as bpftool's. */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "act/iter_pin.h"
#include "act/load.h"

int iter_pin(const char *file, const char *path, int map_fd, struct err *e)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, io);
	union bpf_iter_link_info li;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_link *link;
	int err;

	if (map_fd >= 0) {
		memset(&li, 0, sizeof(li));
		li.map.map_fd = map_fd;
		io.link_info = &li;
		io.link_info_len = sizeof(li);
	}
	obj = bpf_object__open(file);
	if (libbpf_get_error(obj))
		return err_set(e, errno ?: EINVAL, "can't open objfile %s", file);
	err = bpf_object__load(obj);
	if (err) {
		err = err_set(e, -err, "can't load objfile %s", file);
		goto out;
	}
	prog = bpf_object__next_program(obj, NULL);
	if (!prog) {
		err = err_set(e, ENOENT, "can't find bpf program in objfile %s", file);
		goto out;
	}
	link = bpf_program__attach_iter(prog, &io);
	if (libbpf_get_error(link)) {
		err = err_set(e, errno ?: EINVAL, "attach_iter failed for program %s",
			      bpf_program__name(prog));
		goto out;
	}
	if (bpf_link__pin(link, path))
		err = err_set(e, errno ?: EINVAL, "pin_iter failed for program %s to path %s",
			      bpf_program__name(prog), path);
	bpf_link__destroy(link);
out:
	bpf_object__close(obj);
	return err;
}
