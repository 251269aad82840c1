/* Packet sockets and their classic BPF filters (BPFDoor's hiding place: no BPF id, nothing
 * bpftool lists), as `ss -0 -b -p` shows them: sock_diag per network namespace, then the
 * processes holding each socket, from the owners iterator or else /proc/PID/fd. Reads only;
 * docs/sock.md says what it cannot see. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include "capture/capture_int.h"
#include "capture/netlink.h"

/* one socket as sock_diag reported it */
struct sk_rec {
	uint32_t netns_ino, ino, ifindex, uid, fanout;
	bool has_uid, has_fanout, has_filter;
	uint8_t type;
	uint16_t protocol;
	char devname[IF_NAMESIZE];
	uint8_t *filter;
	size_t filter_len;
};

struct sk_list {
	struct sk_rec *v;
	size_t n, cap;
	uint32_t netns_ino;		/* of the dump under way */
};

/* a process holding a socket */
struct sk_holder {
	uint32_t ino;
	int32_t pid, fd;
	char comm[16];
};

/* a network namespace to look into: by a path that opens it */
struct ns_ent {
	uint32_t ino;
	char path[300];
};

static void sk_list_free(struct sk_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].filter);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int packet_msg(const struct nlmsghdr *nh, void *arg)
{
	struct sk_list *l = arg;
	const struct nlattr *tb[PACKET_DIAG_MAX + 1];
	struct packet_diag_msg m;
	struct sk_rec *r;

	memcpy(&m, NLMSG_DATA(nh), sizeof(m));
	if (m.pdiag_family != AF_PACKET || nla_parse_msg(tb, PACKET_DIAG_MAX, nh, sizeof(m)))
		return 0;	/* not ours, or malformed: skip it rather than lose the rest */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->v, cap * sizeof(*l->v));

		if (!p)
			return -ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	r = &l->v[l->n];
	memset(r, 0, sizeof(*r));
	r->netns_ino = l->netns_ino;
	r->ino = m.pdiag_ino;
	r->type = m.pdiag_type;
	r->protocol = m.pdiag_num;
	if (tb[PACKET_DIAG_INFO] && nla_payload_len(tb[PACKET_DIAG_INFO]) >= sizeof(struct packet_diag_info)) {
		struct packet_diag_info info;

		memcpy(&info, nla_payload(tb[PACKET_DIAG_INFO]), sizeof(info));
		r->ifindex = info.pdi_index;
		/* the name in this thread's namespace, which is the socket's */
		if (r->ifindex && !if_indextoname(r->ifindex, r->devname))
			r->devname[0] = 0;
	}
	if ((r->has_uid = tb[PACKET_DIAG_UID] != NULL))
		r->uid = nla_u32(tb[PACKET_DIAG_UID]);
	if ((r->has_fanout = tb[PACKET_DIAG_FANOUT] != NULL))
		r->fanout = nla_u32(tb[PACKET_DIAG_FANOUT]);
	/* absent: no classic filter (an eBPF one is not reported); empty: withheld, as for a
	 * caller without CAP_NET_ADMIN, so not recorded as a filter */
	if (tb[PACKET_DIAG_FILTER] && nla_payload_len(tb[PACKET_DIAG_FILTER])) {
		size_t len = nla_payload_len(tb[PACKET_DIAG_FILTER]);

		r->filter = malloc(len);
		if (!r->filter)
			return -ENOMEM;
		memcpy(r->filter, nla_payload(tb[PACKET_DIAG_FILTER]), len);
		r->filter_len = len;
		r->has_filter = true;
	}
	l->n++;
	return 0;
}

/* Every packet socket of the calling thread's network namespace. */
static int packet_dump(struct sk_list *l, struct err *e)
{
	struct {
		struct nlmsghdr nh;
		struct packet_diag_req r;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_PACKET,
		       .pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_FILTER | PACKET_SHOW_FANOUT },
	};
	struct nl_sock s;
	int err = nl_open_proto(&s, NETLINK_SOCK_DIAG, e);

	if (err)
		return err;
	err = nl_dump(&s, &req, sizeof(req), sizeof(struct packet_diag_msg), packet_msg, l, e);
	if (err == -ENOMEM)
		err = err_set(e, ENOMEM, "out of memory listing packet sockets");
	nl_close(&s);
	return err;
}

/* Another namespace's sockets: a thread of our own enters it (setns changes only the
 * calling thread's namespace, and the thread ends with it), so the process stays where it was. */
struct ns_job {
	const char *path;
	struct sk_list *l;
	struct err e;
	int err;
};

static void *ns_thread(void *arg)
{
	struct ns_job *j = arg;
	int fd = open(j->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		j->err = err_set(&j->e, errno, "can't enter %s: %s", j->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	j->err = packet_dump(j->l, &j->e);
	return NULL;
}

static int ns_dump(const struct ns_ent *ns, struct sk_list *l)
{
	struct ns_job j = { .path = ns->path, .l = l };
	pthread_t th;

	l->netns_ino = ns->ino;
	if (pthread_create(&th, NULL, ns_thread, &j))
		return -EAGAIN;
	pthread_join(th, NULL);
	return j.err;
}

static int ns_add(struct ns_ent **v, size_t *n, uint32_t ino, const char *path)
{
	struct ns_ent *p;

	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].ino == ino)
			return 0;
	p = realloc(*v, (*n + 1) * sizeof(**v));
	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n].ino = ino;
	snprintf(p[*n].path, sizeof(p[*n].path), "%s", path);
	(*n)++;
	return 0;
}

/* The network namespaces other than ours that a process is in or iproute2 named
 * (/run/netns); a namespace only a socket keeps alive is not among them (docs/sock.md). */
static int ns_list(uint32_t self, struct ns_ent **v, size_t *n)
{
	const char *const dirs[] = { "/proc", "/run/netns" };
	int err = 0;

	for (size_t d = 0; !err && d < ARRAY_SIZE(dirs); d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *de;

		if (!dir)
			continue;
		while (!err && (de = readdir(dir))) {
			char path[300];
			struct stat st;

			if (d == 0 && !str_is_digits(de->d_name))
				continue;
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), d == 0 ? "/proc/%s/ns/net" : "/run/netns/%s",
				 de->d_name);
			if (stat(path, &st) || st.st_ino == self)
				continue;	/* gone, a kernel thread, or ours */
			err = ns_add(v, n, (uint32_t)st.st_ino, path);
		}
		closedir(dir);
	}
	return err;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int holder_cmp(const void *a, const void *b)
{
	const struct sk_holder *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

struct holders {
	struct sk_holder *v;
	size_t n, cap;
};

static int holder_add(struct holders *h, uint32_t ino, int pid, int fd, const char *comm)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		void *p = realloc(h->v, cap * sizeof(*h->v));

		if (!p)
			return -ENOMEM;
		h->v = p;
		h->cap = cap;
	}
	h->v[h->n] = (struct sk_holder){ .ino = ino, .pid = pid, .fd = fd };
	snprintf(h->v[h->n].comm, sizeof(h->v[h->n].comm), "%s", comm);
	h->n++;
	return 0;
}

/* One process's fds that are among the sockets (inos, sorted). */
static int holders_of(int pid, const uint32_t *inos, size_t nino, struct holders *h)
{
	char path[300], link[64], comm[17] = "";
	struct dirent *fe;
	DIR *fds;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	fds = opendir(path);
	if (!fds)
		return 0;	/* exited, or a kernel thread */
	while (!err && (fe = readdir(fds))) {
		unsigned long ino;
		uint32_t key;
		ssize_t n;

		if (!str_is_digits(fe->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%.32s", pid, fe->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (sscanf(link, "socket:[%lu]", &ino) != 1 || ino > UINT32_MAX)
			continue;
		key = ino;
		if (!bsearch(&key, inos, nino, sizeof(*inos), u32_cmp))
			continue;
		if (!comm[0]) {
			snprintf(path, sizeof(path), "/proc/%d/comm", pid);
			read_line_file(path, comm, sizeof(comm));
		}
		err = holder_add(h, key, pid, atoi(fe->d_name), comm);
	}
	closedir(fds);
	return err;
}

/* Who holds which of the sockets in l: every process's fds, once. */
static int holders_walk(const struct sk_list *l, struct holders *h)
{
	uint32_t *inos = malloc(l->n * sizeof(*inos));
	struct dirent *pe;
	DIR *proc;
	int err = 0;

	if (!inos)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		inos[i] = l->v[i].ino;
	qsort(inos, l->n, sizeof(*inos), u32_cmp);
	proc = opendir("/proc");
	while (proc && !err && (pe = readdir(proc)))
		if (str_is_digits(pe->d_name))
			err = holders_of(atoi(pe->d_name), inos, l->n, h);
	if (proc)
		closedir(proc);
	free(inos);
	if (!err && h->n)	/* (qsort takes no NULL base, even for no elements) */
		qsort(h->v, h->n, sizeof(*h->v), holder_cmp);
	return err;
}

/* The same from the owners iterator's records (kind 's': packet sockets, fd by fd), which
 * read every process's files in one pass instead of a readlink per fd. */
static int holders_from_iter(const struct iter_owner *own, size_t nown, struct holders *h)
{
	int err = 0;

	for (size_t i = 0; !err && i < nown; i++)
		if (own[i].kind == 's')
			err = holder_add(h, own[i].id, own[i].pid, own[i].fd, own[i].comm);
	if (!err && h->n)	/* (qsort takes no NULL base, even for no elements) */
		qsort(h->v, h->n, sizeof(*h->v), holder_cmp);
	return err;
}

/* One row per socket and process (its lowest fd), or one without a process. */
static int sockets_write(struct probe *p, const struct sk_list *l, const struct holders *h)
{
	int err = 0;

	for (size_t i = 0; !err && i < l->n; i++) {
		const struct sk_rec *r = &l->v[i];
		struct socket_rec w = {
			.netns_ino = r->netns_ino, .family = AF_PACKET, .type = r->type,
			.protocol = r->protocol, .ino = r->ino, .ifindex = (int32_t)r->ifindex,
			.devname = r->devname, .uid = r->has_uid ? (int64_t)r->uid : -1,
			.fanout = r->has_fanout ? (int64_t)r->fanout : -1, .pid = -1, .fd = -1,
			.filter = r->has_filter ? r->filter : NULL, .filter_len = r->filter_len,
		};
		struct sk_holder key = { .ino = r->ino, .pid = INT32_MIN };
		size_t k = 0, hi = h->n;
		bool any = false;

		/* the first holder of this inode: holders are sorted by (ino, pid, fd) */
		while (k < hi) {
			size_t mid = k + (hi - k) / 2;

			if (holder_cmp(&h->v[mid], &key) < 0)
				k = mid + 1;
			else
				hi = mid;
		}
		for (; !err && k < h->n && h->v[k].ino == r->ino; k++) {
			if (any && h->v[k].pid == h->v[k - 1].pid)
				continue;	/* the same process at another fd */
			w.pid = h->v[k].pid;
			w.fd = h->v[k].fd;
			w.comm = h->v[k].comm;
			err = writer_socket(&p->w, &w);
			any = true;
		}
		if (!err && !any)
			err = writer_socket(&p->w, &w);
	}
	return err;
}

int probe_sockets(struct probe *p, const struct iter_owner *own, size_t nown, char *warn,
		  size_t warn_len)
{
	struct sk_list l = { 0 };
	struct holders h = { 0 };
	struct ns_ent *ns = NULL;
	size_t nns = 0, refused = 0;
	struct stat st;
	struct err e = { 0 };
	int err;

	if (stat("/proc/self/ns/net", &st))
		st.st_ino = 0;
	l.netns_ino = (uint32_t)st.st_ino;
	err = packet_dump(&l, &e);
	if (err && err != -ENOMEM) {
		/* no sock_diag for AF_PACKET (CONFIG_PACKET_DIAG): say so, take the rest */
		snprintf(warn, warn_len, "packet sockets not recorded: %.400s", e.msg);
		sk_list_free(&l);
		return 0;
	}
	if (!err)
		err = ns_list((uint32_t)st.st_ino, &ns, &nns);
	/* a namespace gone since it was listed holds nothing; one we may not enter is said */
	for (size_t i = 0; !err && i < nns; i++) {
		int ret = ns_dump(&ns[i], &l);

		if (ret == -ENOMEM)
			err = -ENOMEM;
		else if (ret && ret != -ENOENT && ret != -ESRCH)
			refused++;
	}
	if (refused)
		snprintf(warn, warn_len, "packet sockets of %zu network namespace%s not recorded "
			 "(could not enter them)", refused, refused == 1 ? "" : "s");
	if (!err && l.n)
		err = own ? holders_from_iter(own, nown, &h) : holders_walk(&l, &h);
	if (!err)
		err = sockets_write(p, &l, &h);
	else if (err == -ENOMEM)
		err = err_set(p->e, ENOMEM, "out of memory listing packet sockets");
	free(h.v);
	free(ns);
	sk_list_free(&l);
	return err;
}
