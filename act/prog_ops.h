/* prog attach | detach (to a map, or flow_dissector to the network namespace), prog run
 * (BPF_PROG_TEST_RUN) and the fentry check prog profile stands on: live kernel changes. */
#ifndef BPFSCOPE_PROG_OPS_H
#define BPFSCOPE_PROG_OPS_H
#include <stdbool.h>
#include <stdint.h>
#include "lib/err.h"

/* BPF_PROG_ATTACH / BPF_PROG_DETACH of prog_fd on map_fd (flow_dissector: map_fd 0, the
 * caller's network namespace); e in bpftool's words. */
int prog_map_attach(int prog_fd, int map_fd, uint32_t attach_type, bool detach, struct err *e);

struct prog_run {
	const void *data_in, *ctx_in;	/* NULL: none */
	uint32_t data_size_in, ctx_size_in;
	void *data_out, *ctx_out;	/* buffers of data_size_out / ctx_size_out bytes */
	uint32_t data_size_out, ctx_size_out;	/* in: buffer sizes; out: bytes written */
	uint32_t repeat;
	uint32_t retval, duration;	/* out; duration: average ns per run */
};
int prog_test_run(int prog_fd, struct prog_run *r, struct err *e);

/* BPF_PROG_STREAM_READ_BY_FD (kernel 6.17+): up to len bytes of the program's stream
 * stream_id (1: stdout, 2: stderr) into buf; the bytes read, 0 when it is empty. */
int prog_stream_read(int prog_fd, uint32_t stream_id, void *buf, uint32_t len, struct err *e);

/* Can an fentry program be loaded on the program and attached (what prog profile needs)?
 * 0: yes; else e holds the kernel's refusal (the probe program is gone either way). */
int fentry_probe(int prog_fd, struct err *e);
#endif
