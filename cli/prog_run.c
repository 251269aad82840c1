/* prog run (BPF_PROG_TEST_RUN with data and context from files or stdin) and prog tracelog
 * (the kernel's trace_pipe, where bpf_printk writes): words and output as bpftool's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "capture/env.h"
#include "capture/live_select.h"
#include "act/mount.h"
#include "act/prog_ops.h"

/* bpftool's output buffers when no size is given */
#define RUN_DEFAULT_OUT (32u << 10)
#define RUN_MAX_IN UINT32_MAX

struct run_files {
	const char *data_in, *data_out, *ctx_in, *ctx_out;
	uint32_t data_size_out, ctx_size_out, repeat;
};

/* the whole of fname ("-": stdin) into *p, *size bytes; NULL name: none */
static int read_input(struct ctx *ctx, const char *fname, void **p, uint32_t *size)
{
	size_t n = 0, cap = 256;
	uint8_t *b = NULL, *nb;
	FILE *f;

	*p = NULL;
	*size = 0;
	if (!fname)
		return 0;
	f = strcmp(fname, "-") ? fopen(fname, "r") : stdin;
	if (!f)
		return p_err(ctx, "failed to open %s: %s", fname, strerror(errno));
	for (;;) {
		size_t got;

		if (!b || n == cap) {
			if (b && cap >= RUN_MAX_IN / 2) {
				p_err(ctx, "data_in/ctx_in is too long (max: %u)", RUN_MAX_IN);
				goto fail;
			}
			cap = b ? cap * 2 : cap;
			nb = realloc(b, cap);
			if (!nb) {
				p_err(ctx, "failed to allocate memory for data_in/ctx_in: %s",
				      strerror(errno));
				goto fail;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				p_err(ctx, "failed to read data_in/ctx_in from %s: %s", fname,
				      strerror(errno));
				goto fail;
			}
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	*p = b;
	*size = n;
	return 0;
fail:
	free(b);
	if (f != stdin)
		fclose(f);
	return -1;
}

/* bpftool's hex_print: offset, 16 bytes in pairs, then the printable ones */
static void hex_dump(const uint8_t *d, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 16) {
		uint32_t j;

		printf("%07x\t", i);
		for (j = i; j < i + 16 && j < size; j++)
			printf("%02x%s", d[j], j % 2 ? " " : "");
		for (; j < i + 16; j++)
			printf("  %s", j % 2 ? " " : "");
		printf("| ");
		for (j = i; j < i + 16 && j < size; j++)
			printf("%c%s", d[j] < ' ' || d[j] > '~' ? '.' : d[j], j == i + 7 ? " " : "");
		printf("\n");
	}
}

static int write_output(struct ctx *ctx, const uint8_t *d, uint32_t size, const char *fname,
			const char *key)
{
	FILE *f;
	size_t w;

	if (!fname)
		return 0;
	if (!strcmp(fname, "-")) {
		if (out_json(&ctx->out)) {
			out_arr_start(&ctx->out, key);
			for (uint32_t i = 0; i < size; i++)
				out_uint(&ctx->out, NULL, NULL, d[i]);
			out_arr_end(&ctx->out);
		} else {
			hex_dump(d, size);
		}
		return 0;
	}
	f = fopen(fname, "w");
	if (!f)
		return p_err(ctx, "failed to open %s: %s", fname, strerror(errno));
	w = fwrite(d, 1, size, f);
	if (fclose(f) || w != size)
		return p_err(ctx, "failed to write output data/ctx: %s", strerror(errno));
	return 0;
}

static int parse_u32_opt(struct ctx *ctx, const char *s, uint32_t *v, const char *what)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	if (!*s || *end || errno)
		return p_err(ctx, "can't parse %s as %s", s, what);
	return 0;
}

static int run_parse(struct ctx *ctx, int argc, char **argv, struct run_files *rf)
{
	static const char *const kws[] = { "data_in", "data_out", "data_size_out", "ctx_in",
					   "ctx_out", "ctx_size_out", "repeat" };

	while (argc > 0) {
		int k = keyword_find(argv[0], kws, sizeof(kws) / sizeof(kws[0]));

		if (k == KEYWORD_AMBIGUOUS) {
			/* bpftool's detect_common_prefix words: every keyword it could be */
			char list[160] = "";

			for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
				if (!strncmp(kws[i], argv[0], strlen(argv[0])))
					snprintf(list + strlen(list), sizeof(list) - strlen(list),
						 "%s'%s'", list[0] ? " or " : "", kws[i]);
			return p_err(ctx, "ambiguous prefix: '%s' could be %s", argv[0], list);
		}
		if (k < 0)
			return p_err(ctx, "expected no more arguments, 'data_in', 'data_out', "
				     "'data_size_out', 'ctx_in', 'ctx_out', 'ctx_size_out' or "
				     "'repeat', got: '%s'?", argv[0]);
		if (argc < 2)
			return p_err(ctx, "'%s' needs at least 1 arguments, 0 found", kws[k]);
		switch (k) {
		case 0: rf->data_in = argv[1]; break;
		case 1: rf->data_out = argv[1]; break;
		case 2: if (parse_u32_opt(ctx, argv[1], &rf->data_size_out, "output data size"))
				return -1;
			break;
		case 3: rf->ctx_in = argv[1]; break;
		case 4: rf->ctx_out = argv[1]; break;
		case 5: if (parse_u32_opt(ctx, argv[1], &rf->ctx_size_out, "output context size"))
				return -1;
			break;
		default: if (parse_u32_opt(ctx, argv[1], &rf->repeat, "repeat number"))
				return -1;
		}
		if (rf->data_in && rf->ctx_in && !strcmp(rf->data_in, "-") &&
		    !strcmp(rf->ctx_in, "-"))
			return p_err(ctx, "cannot use standard input for both data_in and ctx_in");
		NEXT_ARGS(2);
	}
	return 0;
}

static void print_run(struct ctx *ctx, const struct run_files *rf, const struct prog_run *r,
		      int *err)
{
	struct out *o = &ctx->out;

	out_obj_start(o, NULL);
	/* as bpftool: an output that can't be written still lets the result be printed */
	if (r->data_size_out && write_output(ctx, r->data_out, r->data_size_out, rf->data_out,
					     "data_out"))
		*err = -1;
	if (r->ctx_size_out && write_output(ctx, r->ctx_out, r->ctx_size_out, rf->ctx_out,
					    "ctx_out"))
		*err = -1;
	if (out_json(o)) {
		out_uint(o, "retval", NULL, r->retval);
		out_uint(o, "duration", NULL, r->duration);
	} else {
		printf("Return value: %u, duration%s: %uns\n", r->retval,
		       rf->repeat > 1 ? " (average)" : "", r->duration);
	}
	out_obj_end(o);
}

/* prog run PROG [data_in FILE [data_out FILE [data_size_out L]]] [ctx_in FILE [ctx_out FILE
 * [ctx_size_out M]]] [repeat N] */
int do_prog_run(struct ctx *ctx, int argc, char **argv)
{
	struct run_files rf = { .repeat = 1 };
	struct prog_run r = { 0 };
	void *din = NULL, *cin = NULL;
	struct err e = { 0 };
	int fd, err = -1;

	if (argc < 4)
		return p_err(ctx, "'%s' needs at least 4 arguments, %d found", argv[-1], argc);
	if (!live_prog_kw(argv[0]))
		return p_err(ctx, "expected PROG (" HELP_SPEC_PROGRAM "), got '%s'", argv[0]);
	if (live_prog_fd(argv[0], argv[1], &fd, &e))
		return p_err_e(ctx, &e);
	NEXT_ARGS(2);
	if (run_parse(ctx, argc, argv, &rf) || read_input(ctx, rf.data_in, &din, &r.data_size_in) ||
	    read_input(ctx, rf.ctx_in, &cin, &r.ctx_size_in))
		goto out;
	r.data_in = din;
	r.ctx_in = cin;
	r.repeat = rf.repeat;
	if (din) {
		r.data_size_out = rf.data_size_out ? rf.data_size_out : RUN_DEFAULT_OUT;
		r.data_out = calloc(1, r.data_size_out);
	}
	if (cin) {
		r.ctx_size_out = rf.ctx_size_out ? rf.ctx_size_out : RUN_DEFAULT_OUT;
		r.ctx_out = calloc(1, r.ctx_size_out);
	}
	if ((din && !r.data_out) || (cin && !r.ctx_out)) {
		p_err(ctx, "failed to allocate memory for output data/ctx: %s", strerror(ENOMEM));
		goto out;
	}
	if (prog_test_run(fd, &r, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	err = 0;
	print_run(ctx, &rf, &r, &err);
out:
	free(din);
	free(cin);
	free(r.data_out);
	free(r.ctx_out);
	close(fd);
	return err;
}

/* print the complete lines of buf[0..*n), keep a partial one at the start */
static void tracelog_lines(struct ctx *ctx, char *buf, size_t *n)
{
	size_t start = 0;

	for (size_t i = 0; i < *n; i++) {
		if (buf[i] != '\n')
			continue;
		buf[i] = 0;
		if (out_json(&ctx->out)) {
			/* bpftool's strings keep the line's newline */
			char line[4200];

			snprintf(line, sizeof(line), "%s\n", buf + start);
			out_str(&ctx->out, NULL, NULL, line);
		} else {
			printf("%s\n", buf + start);
		}
		start = i + 1;
	}
	fflush(stdout);
	memmove(buf, buf + start, *n - start);
	*n -= start;
}

/* prog tracelog { stdout | stderr } PROG: what the program wrote to its BPF stream, read
 * until it is empty (bpftool's prog_tracelog_stream), to our stdout or stderr */
static int tracelog_stream(struct ctx *ctx, int argc, char **argv)
{
	bool err_stream = keyword_is(argv[0], "stderr");
	FILE *f = err_stream ? stderr : stdout;
	struct err e = { 0 };
	char buf[512];
	int fd, n;

	if (argc < 3)
		return p_err(ctx, "'%s' needs at least 2 arguments, %d found", argv[0], argc - 1);
	NEXT_ARG();
	if (!live_prog_kw(argv[0]))
		return p_err(ctx, "expected PROG (" HELP_SPEC_PROGRAM "), got '%s'", argv[0]);
	if (live_prog_fd(argv[0], argv[1], &fd, &e))
		return p_err_e(ctx, &e);
	NEXT_ARGS(2);
	if (argc > 0) {
		close(fd);
		return p_err(ctx, "unexpected argument '%s'", argv[0]);
	}
	while ((n = prog_stream_read(fd, err_stream ? 2 : 1, buf, sizeof(buf), &e)) > 0)
		fwrite(buf, 1, n, f);
	fflush(f);
	close(fd);
	return n < 0 ? p_err_e(ctx, &e) : 0;
}

/* prog tracelog: trace_pipe until SIGINT, SIGTERM or SIGHUP (held blocked, looked at
 * between reads, so the JSON array is closed on the way out and the exit status is 0) */
int do_prog_tracelog(struct ctx *ctx, int argc, char **argv)
{
	struct timespec zero = { 0, 0 };
	struct err e = { 0 };
	char buf[4096];
	size_t n = 0;
	sigset_t set, old;
	int fd, ret = -1;

	if (argc > 0 && (keyword_is(argv[0], "stdout") || keyword_is(argv[0], "stderr")))
		return tracelog_stream(ctx, argc, argv);
	NO_MORE_ARGS();
	if (env_ready(ENV_TRACEFS, ctx->mount, &e))
		return p_err_e(ctx, &e);
	fd = open(ENV_TRACEFS_DIR "/trace_pipe", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return p_err(ctx, "could not open trace pipe: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	out_arr_start(&ctx->out, NULL);
	while (sigtimedwait(&set, NULL, &zero) < 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (poll(&p, 1, 200) <= 0)
			continue;
		got = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got <= 0) {
			out_arr_end(&ctx->out);
			p_err(ctx, "failed to read content from trace pipe: %s",
			      got ? strerror(errno) : "end of file");
			goto out;
		}
		n += got;
		if (n == sizeof(buf) - 1) {	/* a line longer than the buffer: cut it */
			buf[n++] = '\n';
		}
		tracelog_lines(ctx, buf, &n);
	}
	out_arr_end(&ctx->out);
	ret = 0;
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fd);
	return ret;
}
