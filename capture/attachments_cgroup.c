/* Cgroup programs: walk the cgroup v2 hierarchy (not crossing mounts, in readdir order
 * like bpftool's nftw) and ask each cgroup what is attached to it directly. Only the
 * attach types that the loaded program types can use are asked: one query per type per
 * cgroup, and no walk at all when no cgroup program is loaded. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture/attachments_int.h"

#define CG_MAX_DEPTH 128	/* each level holds a directory fd */

/* program type -> the cgroup attach types it can use */
static const struct { uint8_t prog_type; uint8_t types[20]; uint8_t n; } cg_types[] = {
	{ BPF_PROG_TYPE_CGROUP_SKB, { BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS }, 2 },
	{ BPF_PROG_TYPE_CGROUP_SOCK, { BPF_CGROUP_INET_SOCK_CREATE, BPF_CGROUP_INET4_POST_BIND,
				       BPF_CGROUP_INET6_POST_BIND, BPF_CGROUP_INET_SOCK_RELEASE }, 4 },
	{ BPF_PROG_TYPE_SOCK_OPS, { BPF_CGROUP_SOCK_OPS }, 1 },
	{ BPF_PROG_TYPE_CGROUP_DEVICE, { BPF_CGROUP_DEVICE }, 1 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, { BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET6_BIND,
		BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT, BPF_CGROUP_UDP4_SENDMSG,
		BPF_CGROUP_UDP6_SENDMSG, BPF_CGROUP_UDP4_RECVMSG, BPF_CGROUP_UDP6_RECVMSG,
		BPF_CGROUP_INET4_GETPEERNAME, BPF_CGROUP_INET6_GETPEERNAME,
		BPF_CGROUP_INET4_GETSOCKNAME, BPF_CGROUP_INET6_GETSOCKNAME,
		BPFS_CGROUP_UNIX_CONNECT, BPFS_CGROUP_UNIX_SENDMSG, BPFS_CGROUP_UNIX_RECVMSG,
		BPFS_CGROUP_UNIX_GETPEERNAME, BPFS_CGROUP_UNIX_GETSOCKNAME }, 17 },
	{ BPF_PROG_TYPE_CGROUP_SYSCTL, { BPF_CGROUP_SYSCTL }, 1 },
	{ BPF_PROG_TYPE_CGROUP_SOCKOPT, { BPF_CGROUP_GETSOCKOPT, BPF_CGROUP_SETSOCKOPT }, 2 },
	{ BPF_PROG_TYPE_LSM, { BPF_LSM_CGROUP }, 1 },		/* lsm_cgroup */
};

struct cg_walk {
	struct att_ctx *c;
	struct cgroup_seen *seen;
	size_t nr_seen, cap_seen;
	uint32_t types[64];
	size_t nr_types;
	dev_t dev;
	const char *root;
	char path[4096];
};

/* /proc/self/mounts escapes space, tab, newline and backslash as \ooo */
static void unescape_mount(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
}

static int find_cgroup2(char *out, size_t len)
{
	char line[8192];
	FILE *f = fopen("/proc/self/mounts", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *dev, *dir, *type, *save = NULL;

		dev = strtok_r(line, " ", &save);
		dir = strtok_r(NULL, " ", &save);
		type = strtok_r(NULL, " ", &save);
		if (!dev || !dir || !type || strcmp(type, "cgroup2"))
			continue;
		unescape_mount(dir);
		if (strlen(dir) >= len)
			continue;
		strcpy(out, dir);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static int query_cgroup(struct cg_walk *w, int fd, uint64_t cgroup_id)
{
	int ret = 0;

	for (size_t i = 0; i < w->nr_types && !ret; i++) {
		struct att_query q = { .target = fd, .attach_type = w->types[i] };

		if (att_prog_query_all(&q, false)) {
			att_query_free(&q);
			continue;	/* not a type this kernel knows, or the cgroup went away */
		}
		for (uint32_t j = 0; j < q.cnt && !ret; j++) {
			struct attach_row r = { .kind = ATTACH_CGROUP };

			r.prog_id = q.prog_ids[j];
			r.has_attach_type = true;
			r.attach_type = w->types[i];
			r.u.cgroup.attach_flags = q.prog_flags[j];
			r.u.cgroup.position = j;
			r.u.cgroup.cgroup_id = cgroup_id;
			r.cgroup_path = w->path;
			r.target = w->root;
			ret = att_insert(w->c, &r);
		}
		att_query_free(&q);
	}
	return ret;
}

static int walk(struct cg_walk *w, int fd, size_t plen, int depth)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	int dfd, ret;

	if (fstat(fd, &sb))
		return 0;
	if (w->nr_seen == w->cap_seen) {
		size_t cap = w->cap_seen ? 2 * w->cap_seen : 64;
		struct cgroup_seen *n = realloc(w->seen, cap * sizeof(*n));

		if (!n)
			return err_set(w->c->e, ENOMEM, "out of memory");
		w->seen = n;
		w->cap_seen = cap;
	}
	w->seen[w->nr_seen].path = strdup(w->path);
	if (!w->seen[w->nr_seen].path)
		return err_set(w->c->e, ENOMEM, "out of memory");
	w->seen[w->nr_seen++].ino = sb.st_ino;
	ret = query_cgroup(w, fd, sb.st_ino);
	if (ret || depth >= CG_MAX_DEPTH)
		return ret;
	dfd = dup(fd);
	if (dfd < 0)
		return 0;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	while (!ret && (de = readdir(d))) {
		size_t nlen = strlen(de->d_name);
		int cfd;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (plen + 1 + nlen >= sizeof(w->path))
			continue;
		cfd = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;	/* removed meanwhile, or not a directory */
		if (fstat(cfd, &sb) || sb.st_dev != w->dev) {
			close(cfd);	/* another mount: bpftool's nftw does not cross it */
			continue;
		}
		w->path[plen] = '/';
		memcpy(w->path + plen + 1, de->d_name, nlen + 1);
		ret = walk(w, cfd, plen + 1 + nlen, depth + 1);
		w->path[plen] = 0;
		close(cfd);
	}
	closedir(d);
	return ret;
}

int attach_cgroups(struct att_ctx *c)
{
	struct cg_walk *w;
	char root[4096];
	struct stat sb;
	bool seen[64] = { false };
	int fd, ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return err_set(c->e, ENOMEM, "out of memory");
	w->c = c;
	for (size_t i = 0; i < sizeof(cg_types) / sizeof(cg_types[0]); i++) {
		if (!att_have(c, cg_types[i].prog_type))
			continue;
		for (size_t j = 0; j < cg_types[i].n; j++)
			seen[cg_types[i].types[j]] = true;
	}
	/* ascending attach type: bpftool's order within a cgroup */
	for (uint32_t t = 0; t < 64; t++)
		if (seen[t])
			w->types[w->nr_types++] = t;
	ret = 0;
	if (!w->nr_types || find_cgroup2(root, sizeof(root)))
		goto out;	/* nothing to look for, or no cgroup v2 */
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (!fstat(fd, &sb)) {
		w->dev = sb.st_dev;
		w->root = root;
		snprintf(w->path, sizeof(w->path), "%s", root);
		ret = walk(w, fd, strlen(w->path), 0);
	}
	close(fd);
out:
	/* (no walk, no cgroups: a snapshot then lists none, and has no programs in them) */
	if (!ret)
		ret = cgroup_spans_store(c->w.db, c->w.snap_id, w->seen, w->nr_seen, c->e);
	for (size_t i = 0; i < w->nr_seen; i++)
		free(w->seen[i].path);
	free(w->seen);
	free(w);
	return ret;
}
