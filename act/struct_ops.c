/* struct_ops register (libbpf loads the object, bpf_map__attach_struct_ops registers each
 * map) and unregister (the map's element deleted), as bpftool's struct_ops.c does. A
 * registered map outlives this process: the kernel holds it, as bpftool leaves it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "act/struct_ops.h"
#include "analyze/struct_ops.h"

#define BPF_F_LINK_ (1u << 13)	/* BPF_F_LINK: a .struct_ops.link map (libbpf 1.2+) */

/* map info, kernel name and (for a link map) the link, pinned */
static void describe(struct bpf_map *map, struct bpf_link *link, const struct btf *vml,
		     const char *link_dir, struct struct_ops_reg *r)
{
	struct bpf_map_info info = { 0 };
	struct bpf_link_info li = { 0 };
	__u32 len = sizeof(info), llen = sizeof(li);
	char path[4096];

	if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return;
	r->map_id = info.id;
	snprintf(r->kernel, sizeof(r->kernel), "%s",
		 struct_ops_kernel_name(vml, info.btf_vmlinux_value_type_id));
	if (!(bpf_map__map_flags(map) & BPF_F_LINK_))
		return;
	if (bpf_obj_get_info_by_fd(bpf_link__fd(link), &li, &llen)) {
		snprintf(r->error, sizeof(r->error), "Registered %s but can't find link id: %s",
			 r->name, strerror(errno));
		return;
	}
	r->link_id = li.id;
	if (link_dir && (snprintf(path, sizeof(path), "%s/%s", link_dir, info.name) >= (int)sizeof(path) ||
			 bpf_link__pin(link, path)))
		snprintf(r->error, sizeof(r->error), "can't pin link %u for %s: %s", li.id,
			 info.name, strerror(errno));
}

int struct_ops_register(const char *file, const char *link_dir, struct struct_ops_reg *regs,
			int max, int *n, struct err *e)
{
	struct bpf_object *obj;
	struct btf *vml = NULL;
	struct bpf_map *map;
	int err = 0, bad = 0;

	*n = 0;
	if (link_dir && mkdir(link_dir, 0700) && errno != EEXIST)
		return err_set(e, errno, "can't create %s: %s", link_dir, strerror(errno));
	obj = bpf_object__open_file(file, NULL);
	if (libbpf_get_error(obj))
		return err_set(e, errno ?: EINVAL, "can't open %s: %s", file, strerror(errno ?: EINVAL));
	if (bpf_object__load(obj)) {
		err = err_set(e, errno ?: EINVAL, "can't load %s: %s", file, strerror(errno ?: EINVAL));
		goto out;
	}
	vml = struct_ops_btf_load(NULL, 0, true);
	bpf_object__for_each_map(map, obj) {
		struct struct_ops_reg *r;
		struct bpf_link *link;

		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS || *n >= max)
			continue;
		r = &regs[(*n)++];
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", bpf_map__name(map));
		link = bpf_map__attach_struct_ops(map);
		if (libbpf_get_error(link)) {
			snprintf(r->error, sizeof(r->error), "can't register struct_ops %s: %s",
				 r->name, strerror(errno));
			bad++;
			continue;
		}
		describe(map, link, vml, link_dir, r);
		bad += r->error[0] != '\0';
		/* the registration stays with the kernel: only our handle goes */
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
	}
	if (!*n)
		err = err_set(e, ENOENT, "no struct_ops found in %s", file);
	else if (bad)
		err = -EINVAL;
out:
	struct_ops_btf_free(vml);
	bpf_object__close(obj);
	return err;
}

int struct_ops_unregister(uint32_t map_id, struct err *e)
{
	int fd = bpf_map_get_fd_by_id(map_id), zero = 0, err = 0;

	if (fd < 0)
		return err_set(e, errno, "can't get map by id (%u): %s", map_id, strerror(errno));
	if (bpf_map_delete_elem(fd, &zero))
		err = -errno;
	close(fd);
	return err;
}
