/* map create | freeze | event_pipe: words, messages and output as bpftool's (map.c,
 * map_perf_ring.c); the kernel calls are act/map_ops.h's. */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include "cli/cli.h"
#include "act/map_edit.h"
#include "act/map_ops.h"

/* bpftool's parse_u32_arg: "key 4" and the like, each given once */
static int parse_u32_word(struct ctx *ctx, const char *s, uint32_t *v, const char *what)
{
	char *end;

	if (*v)
		return p_err(ctx, "%s already specified", what);
	errno = 0;
	*v = strtoul(s, &end, 0);
	if (!*s || *end || errno)
		return p_err(ctx, "can't parse %s as %s", s, what);
	return 0;
}

static int create_parse(struct ctx *ctx, int argc, char **argv, struct map_create_args *a)
{
	struct mapedit_info mi;

	while (argc > 0) {
		const char *kw = argv[0];

		if (argc < 2)
			return p_err(ctx, "expected more arguments after '%s'", kw);
		NEXT_ARG();
		if (keyword_is(kw, "type")) {
			if (a->type)
				return p_err(ctx, "map type already specified");
			if (map_type_by_name(argv[0]) < 0)
				return p_err(ctx, "unrecognized map type: %s", argv[0]);
			a->type = map_type_by_name(argv[0]);
		} else if (keyword_is(kw, "name")) {
			a->name = argv[0];
			if (strlen(a->name) > 15)
				p_info(ctx, "Warning: map name is longer than 15 characters, it will be truncated.");
		} else if (keyword_is(kw, "key")) {
			if (parse_u32_word(ctx, argv[0], &a->key_size, "key size"))
				return -1;
		} else if (keyword_is(kw, "value")) {
			if (parse_u32_word(ctx, argv[0], &a->value_size, "value size"))
				return -1;
		} else if (keyword_is(kw, "entries")) {
			if (parse_u32_word(ctx, argv[0], &a->max_entries, "max entries"))
				return -1;
		} else if (keyword_is(kw, "flags")) {
			if (parse_u32_word(ctx, argv[0], &a->flags, "flags"))
				return -1;
		} else if (keyword_is(kw, "offload_dev")) {
			if (a->ifindex)
				return p_err(ctx, "offload device already specified");
			a->ifindex = if_nametoindex(argv[0]);
			if (!a->ifindex)
				return p_err(ctx, "unrecognized netdevice '%s': %s", argv[0],
					     strerror(errno));
		} else if (keyword_is(kw, "inner_map")) {
			if (a->inner_map_fd >= 0)
				return p_err(ctx, "inner map already specified");
			if (map_edit_open(ctx, &argc, &argv, &a->inner_map_fd, &mi))
				return -1;
			continue;
		} else {
			return p_err(ctx, "unknown arg %s", kw);
		}
		NEXT_ARG();
	}
	if (!a->name)
		return p_err(ctx, "map name not specified");
	return 0;
}

/* map create FILE type TYPE key N value N entries N name NAME [flags F] [inner_map MAP]
 * [offload_dev IF]: the new map is pinned at FILE, which is all that holds it */
int do_map_create(struct ctx *ctx, int argc, char **argv)
{
	struct map_create_args a = { .inner_map_fd = -1 };
	struct err e = { 0 };
	const char *path;
	int ret = -1;

	if (argc < 7)
		return p_err(ctx, "'%s' needs at least 7 arguments, %d found", argv[-1], argc);
	path = GET_ARG();
	if (create_parse(ctx, argc, argv, &a))
		goto out;
	if (map_create_pin(&a, path, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	ret = 0;
out:
	if (a.inner_map_fd >= 0)
		close(a.inner_map_fd);
	return ret;
}

int do_map_freeze(struct ctx *ctx, int argc, char **argv)
{
	struct mapedit_info mi;
	struct err e = { 0 };
	int fd, err;

	if (argc < 2)
		return p_err(ctx, "expected MAP (" HELP_SPEC_MAP ")");
	if (map_edit_open(ctx, &argc, &argv, &fd, &mi))
		return -1;
	if (argc > 0) {
		close(fd);
		return p_err(ctx, "unexpected argument '%s'", argv[0]);
	}
	err = map_freeze_fd(fd, &e);
	close(fd);
	if (err)
		return p_err_e(ctx, &e);
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	return 0;
}

/* one record as bpftool prints it: JSON an object per record, plain a banner and the
 * bytes of a sample */
static void print_record(void *arg, const struct pipe_record *r)
{
	struct ctx *ctx = arg;
	struct out *o = &ctx->out;

	if (out_json(o)) {
		out_obj_start(o, NULL);
		out_uint(o, "type", NULL, r->type);
		out_uint(o, "cpu", NULL, (uint32_t)r->cpu);
		out_uint(o, "index", NULL, (uint32_t)r->index);
		if (r->type == PERF_RECORD_SAMPLE) {
			out_uint(o, "timestamp", NULL, r->time);
			out_arr_start(o, "data");
			for (uint32_t i = 0; i < r->size; i++)
				out_uint(o, NULL, NULL, r->data[i]);
			out_arr_end(o);
		} else if (r->type == PERF_RECORD_LOST) {
			out_obj_start(o, "lost");
			out_uint(o, "id", NULL, r->lost_id);
			out_uint(o, "count", NULL, r->lost);
			out_obj_end(o);
		}
		out_obj_end(o);
		return;
	}
	if (r->type == PERF_RECORD_SAMPLE) {
		printf("== @%llu.%09llu CPU: %d index: %d =====\n",
		       (unsigned long long)(r->time / 1000000000ULL),
		       (unsigned long long)(r->time % 1000000000ULL), r->cpu, r->index);
		for (uint32_t i = 0; i < r->size; i++)
			printf("%s%02x", i ? " " : "", r->data[i]);
		printf("\n");
	} else if (r->type == PERF_RECORD_LOST) {
		printf("lost %llu events\n", (unsigned long long)r->lost);
	} else {
		printf("unknown event type=%u size=%u\n", r->type, r->hdr_size);
	}
	fflush(stdout);
}

static int pipe_parse(struct ctx *ctx, int argc, char **argv, int *cpu, int *index)
{
	bool given = false;
	char *end;

	while (argc > 0) {
		int *v = keyword_is(argv[0], "cpu") ? cpu : keyword_is(argv[0], "index") ? index :
			 NULL;

		if (!v || argc < 2)
			return p_err(ctx, "unexpected argument '%s'", argv[0]);
		errno = 0;
		*v = strtoul(argv[1], &end, 0);
		if (!*argv[1] || *end || errno || *v < 0)
			return p_err(ctx, "can't parse %s as %s", argv[1],
				     v == cpu ? "CPU ID" : "index");
		given = true;
		NEXT_ARGS(2);
	}
	if (given && (*cpu < 0 || *index < 0))
		return p_err(ctx, "cpu and index must be specified together");
	return 0;
}

/* map event_pipe MAP [cpu N index M]: the samples bpf_perf_event_output writes into a
 * perf event array, until SIGINT, SIGTERM or SIGHUP (held blocked, looked at between
 * polls, so the JSON array is closed and the slots are cleared on the way out) */
int do_map_event_pipe(struct ctx *ctx, int argc, char **argv)
{
	struct timespec zero = { 0, 0 };
	struct event_pipe *ep = NULL;
	struct mapedit_info mi;
	struct err e = { 0 };
	sigset_t set, old;
	int fd, cpu = -1, index = -1, ret = -1;

	if (argc < 2)
		return p_err(ctx, "expected MAP (" HELP_SPEC_MAP ")");
	if (map_edit_open(ctx, &argc, &argv, &fd, &mi))
		return -1;
	if (mi.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		close(fd);
		return p_err(ctx, "map is not a perf event array");
	}
	if (pipe_parse(ctx, argc, argv, &cpu, &index)) {
		close(fd);
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (event_pipe_open(fd, cpu, index, print_record, ctx, &ep, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	out_arr_start(&ctx->out, NULL);
	while (sigtimedwait(&set, NULL, &zero) < 0) {
		if (event_pipe_poll(ep, 200, &e)) {
			out_arr_end(&ctx->out);
			p_err_e(ctx, &e);
			goto out;
		}
	}
	fprintf(stderr, "Stopping...\n");
	out_arr_end(&ctx->out);
	ret = 0;
out:
	event_pipe_close(ep);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fd);
	return ret;
}
