/* Sockets with classic filters in the change list: their identity (family, protocol, the
 * process holding one, the filter's content) and how a change names them. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "analyze/cbpf.h"
#include "analyze/diff.h"

/* "socket:packet:ip:sock_filter:a1ad60fa631d5c1f": the inode, pid and fd change with every
 * restart, the program holding it and what its filter lets through do not */
char *diff_sock_identity(const struct snap_objs *s, size_t i)
{
	const struct so_sockfilter *k = &s->socks[i];
	const char *proto = cbpf_ethertype_name(k->protocol);
	char num[16], *out;

	snprintf(num, sizeof(num), "0x%04x", k->protocol);
	if (asprintf(&out, "socket:%s:%s:%s:%.16s", k->family == AF_PACKET ? "packet" : "?",
		     proto ? proto : num, k->comm, k->filter) < 0)
		return NULL;
	return out;
}

void diff_sock_describe(const struct snap_objs *s, size_t i, const char **type,
			const char **name, const char **where, char *buf, size_t len)
{
	const struct so_sockfilter *k = &s->socks[i];

	*type = k->family == AF_PACKET ? "packet" : "socket";
	*name = k->comm;
	if (k->devname[0])
		*where = k->devname;
	else if (k->ifindex > 0)
		*where = (snprintf(buf, len, "ifindex %d", (int)k->ifindex), buf);
	else
		*where = "*";
}
