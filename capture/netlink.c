/* Minimal netlink dumps (rtnetlink, sock_diag). Replies are untrusted lengths like any other input: every
 * message and attribute is bounds-checked against what recv() returned. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "capture/netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#define NL_BUF_START (64u << 10)
#define NL_BUF_MAX (16u << 20)

int nl_open(struct nl_sock *s, struct err *e)
{
	return nl_open_proto(s, NETLINK_ROUTE, e);
}

int nl_open_proto(struct nl_sock *s, int proto, struct err *e)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t alen = sizeof(sa);
	int one = 1, err;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (s->fd < 0)
		return err_set(e, errno, "can't open netlink socket: %s", strerror(errno));
	/* extended acks only make error messages better; old kernels may refuse */
	(void)setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &alen) < 0) {
		err = errno;
		close(s->fd);
		s->fd = -1;
		return err_set(e, err, "can't bind netlink socket: %s", strerror(err));
	}
	s->pid = sa.nl_pid;
	s->seq = 1;
	s->buf_len = NL_BUF_START;
	s->buf = malloc(s->buf_len);
	if (!s->buf) {
		close(s->fd);
		s->fd = -1;
		return err_set(e, ENOMEM, "can't allocate netlink buffer");
	}
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->buf);
	s->buf = NULL;
}

/* One datagram, growing the buffer first if it would not fit (a link with many VFs can
 * exceed any fixed size; a truncated dump would silently lose devices). */
static ssize_t nl_recv(struct nl_sock *s)
{
	ssize_t n;

	for (;;) {
		n = recv(s->fd, s->buf, s->buf_len, MSG_PEEK | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n <= s->buf_len)
			break;
		if ((size_t)n > NL_BUF_MAX)
			return -EMSGSIZE;
		{
			uint8_t *p = realloc(s->buf, n);

			if (!p)
				return -ENOMEM;
			s->buf = p;
			s->buf_len = n;
		}
	}
	do
		n = recv(s->fd, s->buf, s->buf_len, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int nl_dump(struct nl_sock *s, void *req, size_t req_len, size_t hdr_len, nl_msg_cb cb,
	    void *arg, struct err *e)
{
	struct nlmsghdr *rq = req;
	uint32_t seq = ++s->seq;

	rq->nlmsg_seq = seq;
	rq->nlmsg_pid = 0;
	if (send(s->fd, req, req_len, 0) < 0)
		return err_set(e, errno, "can't send netlink request (type %u): %s",
			       rq->nlmsg_type, strerror(errno));
	for (;;) {
		ssize_t n = nl_recv(s);
		size_t len;

		if (n < 0)
			return err_set(e, -n, "can't receive netlink reply (type %u): %s",
				       rq->nlmsg_type, strerror(-n));
		if (n == 0)
			return 0;
		len = n;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)s->buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			int ret;

			/* leftovers of an earlier dump that stopped early are not ours */
			if (nh->nlmsg_seq != seq || (nh->nlmsg_pid && nh->nlmsg_pid != s->pid))
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *ne = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ne)))
					return err_set(e, EBADMSG, "short netlink error message");
				if (!ne->error)
					continue;
				return err_set(e, -ne->error, "netlink request (type %u) failed: %s",
					       rq->nlmsg_type, strerror(-ne->error));
			}
			if (nh->nlmsg_len < NLMSG_LENGTH(hdr_len))
				continue;
			ret = cb(nh, arg);
			if (ret)
				return ret;
		}
	}
}

int nla_parse_buf(const struct nlattr **tb, int max, const void *data, size_t len)
{
	const uint8_t *p = data;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t alen = a->nla_len, step;
		int type = a->nla_type & NLA_TYPE_MASK;

		if (alen < NLA_HDRLEN || alen > len)
			return -EINVAL;
		if (type <= max)
			tb[type] = a;
		step = NLA_ALIGN(alen);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

int nla_parse_msg(const struct nlattr **tb, int max, const struct nlmsghdr *nh, size_t hdr_len)
{
	size_t off = NLMSG_LENGTH(NLMSG_ALIGN(hdr_len));

	if (nh->nlmsg_len < off) {
		memset(tb, 0, sizeof(*tb) * (max + 1));
		return nh->nlmsg_len < NLMSG_LENGTH(hdr_len) ? -EINVAL : 0;
	}
	return nla_parse_buf(tb, max, (const uint8_t *)nh + off, nh->nlmsg_len - off);
}

int nla_parse_nested_attr(const struct nlattr **tb, int max, const struct nlattr *nla)
{
	return nla_parse_buf(tb, max, nla_payload(nla), nla_payload_len(nla));
}

uint32_t nla_u32(const struct nlattr *a)
{
	uint32_t v;

	if (!a || nla_payload_len(a) < sizeof(v))
		return 0;
	memcpy(&v, nla_payload(a), sizeof(v));
	return v;
}

uint8_t nla_u8(const struct nlattr *a)
{
	if (!a || nla_payload_len(a) < 1)
		return 0;
	return *(const uint8_t *)nla_payload(a);
}

void nla_str(const struct nlattr *a, char *out, size_t len)
{
	size_t n;

	if (!len)
		return;
	out[0] = 0;
	if (!a)
		return;
	n = strnlen(nla_payload(a), nla_payload_len(a));
	if (n >= len)
		n = len - 1;
	memcpy(out, nla_payload(a), n);
	out[n] = 0;
}
