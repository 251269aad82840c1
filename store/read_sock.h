/* Sockets of a snapshot (SNAP_SOCK): packet sockets with their classic BPF filters, one row
 * per socket and process holding it, for sock show/dump and the audit. */
#ifndef BPFSCOPE_READ_SOCK_H
#define BPFSCOPE_READ_SOCK_H
#include <stdbool.h>
#include "store/read.h"

/* No filter blob may inflate beyond this: the kernel takes 4096 instructions (32 KiB); a
 * hostile file's bigger blob is an error, not an allocation. */
#define SOCK_FILTER_MAX (64u << 10)

struct socket_row {
	int64_t netns_ino, ino, ifindex, uid, fanout;	/* -1: not recorded */
	int64_t pid, fd;		/* -1: no process seen holding it */
	int64_t nr_insns;		/* -1: no classic filter */
	int family, type, protocol;
	const char *devname, *comm;	/* never NULL; "" when none */
	const char *filter_hash;	/* hex; "" when no filter */
	const uint8_t *filter;		/* with SOCK_ROWS_BYTES: the program's bytes */
	size_t filter_len;
};

#define SOCK_ROWS_FILTERED	(1u << 0)	/* only sockets with a classic filter */
#define SOCK_ROWS_BYTES		(1u << 1)	/* read each filter's bytes (bounded, hash checked) */

/* Calls fn for each socket row of snapshot snap, by network namespace, inode and pid; fn
 * returning nonzero stops and is returned. The row is valid during the call only. */
int socket_rows(struct db *db, int64_t snap, unsigned flags,
		int (*fn)(const struct socket_row *r, void *arg), void *arg, struct err *e);
#endif
