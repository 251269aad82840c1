/* Changing links: detach one from its hook. (Pinning a link is pin_fd, act/load.h, as for
 * any object.) */
#ifndef BPFSCOPE_ACT_LINK_H
#define BPFSCOPE_ACT_LINK_H
#include "lib/err.h"

/* The program of link fd comes off its hook; the link object stays (defunct) while an fd
 * or a pin holds it, as with bpftool link detach. */
int link_detach_fd(int fd, struct err *e);
#endif
