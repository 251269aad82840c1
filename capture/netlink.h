/* A minimal netlink client for dumps (rtnetlink: links, qdiscs, classes, filters; sock_diag:
 * sockets): one request, every reply message handed to a callback, bounds-checked attributes. */
#ifndef BPFSCOPE_NETLINK_H
#define BPFSCOPE_NETLINK_H
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include "lib/err.h"

struct nl_sock {
	int fd;
	uint32_t pid;		/* our port id, to reject stray replies */
	uint32_t seq;
	uint8_t *buf;		/* receive buffer */
	size_t buf_len;
};

int nl_open(struct nl_sock *s, struct err *e);	/* NETLINK_ROUTE */
int nl_open_proto(struct nl_sock *s, int proto, struct err *e);	/* NETLINK_SOCK_DIAG, ... */
void nl_close(struct nl_sock *s);

/* Called for every message of the dump that is not DONE/ERROR; hdr_len bytes of the
 * family header follow the nlmsghdr (already checked to be present). Return non-zero
 * (negative errno) to stop the dump. */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nh, void *arg);

/* Send req (a complete nlmsghdr + family header + attributes, NLM_F_DUMP set by the
 * caller) and receive until NLMSG_DONE. hdr_len: the family header size each reply must
 * carry; shorter replies are skipped. */
int nl_dump(struct nl_sock *s, void *req, size_t req_len, size_t hdr_len, nl_msg_cb cb,
	    void *arg, struct err *e);

/* Parse a run of attributes into tb[0..max] (later duplicates win, unknown types above
 * max are ignored). Returns -EINVAL on a malformed attribute. */
int nla_parse_buf(const struct nlattr **tb, int max, const void *data, size_t len);
/* The attributes following a message's family header. */
int nla_parse_msg(const struct nlattr **tb, int max, const struct nlmsghdr *nh, size_t hdr_len);
int nla_parse_nested_attr(const struct nlattr **tb, int max, const struct nlattr *nla);

static inline const void *nla_payload(const struct nlattr *a) { return (const char *)a + NLA_HDRLEN; }
static inline size_t nla_payload_len(const struct nlattr *a) { return a->nla_len - NLA_HDRLEN; }
/* 0 when the attribute is absent or too short */
uint32_t nla_u32(const struct nlattr *a);
uint8_t nla_u8(const struct nlattr *a);
/* Copy a string attribute (NUL-terminated or not) into out. "" when absent. */
void nla_str(const struct nlattr *a, char *out, size_t len);
#endif
