/* map lookup | update | delete | getnext | pin: element edits on a live map, words and
 * output as bpftool's (key/value byte lists, "key: 00 00 00 00  value: 5a 00 00 00"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli/map_print.h"
#include "capture/live_select.h"
#include "act/load.h"
#include "act/map_edit.h"
#include "act/map_ops.h"

/* bpftool returns libbpf's -ENOENT from main: the shell sees 254 */
#define EXIT_NOT_FOUND 254
#define DATA_SPEC "DATA := { [hex] BYTES }"

struct elem_args {
	uint8_t *key, *value;
	bool has_key, has_value;
	uint64_t flags;
};

/* MAP := id N | pinned PATH | name NAME, live: a direct fd (no snapshot needed). */
int map_edit_open(struct ctx *ctx, int *argc, char ***argv, int *fd, struct mapedit_info *mi)
{
	struct err e = { 0 };
	const char *kw, *arg;

	if (*argc < 2)
		return p_err(ctx, "expected MAP (" HELP_SPEC_MAP ")");
	kw = (*argv)[0];
	arg = (*argv)[1];
	NEXT_ARGP(2);
	if (!live_map_kw(kw))
		return p_err(ctx, "expected 'id', 'pinned' or 'name', got: '%s'", kw);
	if (mapedit_open(kw, arg, fd, mi, &e))
		return p_err_e(ctx, &e);
	return 0;
}

/* key DATA, value {DATA | PROG | MAP}, any|exist|noexist; which ones are allowed is
 * decided by the caller through want_value / want_flags. */
static int parse_elem(struct ctx *ctx, int argc, char **argv, const struct mapedit_info *mi,
		      struct elem_args *a, bool want_value, bool want_flags, int *value_fd)
{
	struct err e = { 0 };
	int used, flag;

	while (argc > 0) {
		if (!strcmp(argv[0], "key")) {
			/* bpftool's words: queues and stacks take no key */
			if (a->has_key || !mi->key_size)
				return p_err(ctx, mi->key_size ? "duplicate key" : "unnecessary key");
			used = mapedit_parse_bytes(argv + 1, argc - 1, a->key, mi->key_size, "key", &e);
			if (used < 0)
				return p_err_e(ctx, &e);
			a->has_key = true;
			NEXT_ARGS(used + 1);
		} else if (want_value && !strcmp(argv[0], "value")) {
			if (a->has_value)
				return p_err(ctx, "duplicate value");
			NEXT_ARG();
			if (mapedit_value_kind(mi) != MV_BYTES) {
				bool prog = mapedit_value_kind(mi) == MV_PROG;
				uint32_t fd32;

				if (argc < 2)
					return p_err(ctx, "expected %s after 'value'", prog ? "PROG" : "MAP");
				if (prog ? live_prog_fd(argv[0], argv[1], value_fd, &e) :
					   live_map_fd(argv[0], argv[1], value_fd, &e))
					return p_err_e(ctx, &e);
				fd32 = *value_fd;
				memcpy(a->value, &fd32, sizeof(fd32));
				NEXT_ARGS(2);
			} else {
				used = mapedit_parse_bytes(argv, argc, a->value, mi->value_size, "value",
							   &e);
				if (used < 0)
					return p_err_e(ctx, &e);
				NEXT_ARGS(used);
			}
			a->has_value = true;
		} else if (want_flags && (flag = mapedit_flag(argv[0])) >= 0) {
			a->flags = flag;
			NEXT_ARG();
		} else {
			return p_err(ctx, "unexpected argument '%s'", argv[0]);
		}
	}
	return 0;
}

static void print_hex_json(struct out *o, const char *key, const uint8_t *p, size_t n)
{
	char b[8];

	out_arr_start(o, key);
	for (size_t i = 0; i < n; i++) {
		snprintf(b, sizeof(b), "0x%02x", p[i]);
		out_str(o, NULL, NULL, b);
	}
	out_arr_end(o);
}

static void print_hex_plain(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%02x", i ? " " : "", p[i]);
}

/* bpftool's print_key_value: the entry formatted through the map's BTF when it names a
 * value type (plain mode too, as bpftool's JSON), else the hex. */
static void print_entry(struct ctx *ctx, const struct mapedit_info *mi, const uint8_t *key,
			const uint8_t *value)
{
	struct map_fmt mf = { .type = mi->type, .key_size = mi->key_size,
			      .value_size = mi->value_size, .nr_cpus = mi->percpu ? mi->nr_cpus : 0 };
	struct map_btf *mb = NULL;
	struct out bo;

	if (mi->btf_id && mi->btf_value_type_id)
		mb = map_btf_wrap(live_btf(mi->btf_id), mi->btf_key_type_id, mi->btf_value_type_id);
	mf.mb = mb;
	if (mb && !out_json(&ctx->out)) {
		out_init_bpftool_json(&bo, ctx->out.f);
		map_entry_print(&ctx->out, &bo.jw, &mf, key, value);
		fprintf(ctx->out.f, "\n");
	} else {
		map_entry_print(&ctx->out, NULL, &mf, key, value);
	}
	map_btf_close(mb);
}

static int alloc_elem(struct ctx *ctx, const struct mapedit_info *mi, struct elem_args *a)
{
	memset(a, 0, sizeof(*a));
	a->key = calloc(1, mi->key_size ? mi->key_size : 1);
	a->value = calloc(1, mi->value_buf ? mi->value_buf : 1);
	if (!a->key || !a->value) {
		free(a->key);
		free(a->value);
		return p_err(ctx, "out of memory");
	}
	return 0;
}

static void free_elem(struct elem_args *a)
{
	free(a->key);
	free(a->value);
}

int do_map_lookup(struct ctx *ctx, int argc, char **argv)
{
	struct mapedit_info mi;
	struct elem_args a;
	struct err e = { 0 };
	int fd, ret = -1, err;

	if (map_edit_open(ctx, &argc, &argv, &fd, &mi))
		return -1;
	if (alloc_elem(ctx, &mi, &a)) {
		close(fd);
		return -1;
	}
	if (parse_elem(ctx, argc, argv, &mi, &a, false, false, NULL))
		goto out;
	if (!a.has_key && mi.key_size) {
		p_err(ctx, "expected 'key' (" DATA_SPEC ")");
		goto out;
	}
	err = mapedit_lookup(fd, &mi, a.key, a.value, &e);
	if (err == -ENOENT) {
		/* bpftool: an answer on stdout, and its exit status for -ENOENT */
		ctx->err_status = EXIT_NOT_FOUND;
		if (out_json(&ctx->out)) {
			out_null(&ctx->out, NULL);
		} else {
			printf("key:\n");
			print_hex_plain(stdout, a.key, mi.key_size);
			printf("\n\nNot found\n");
		}
		goto out;
	}
	if (err) {
		p_err_e(ctx, &e);
		goto out;
	}
	print_entry(ctx, &mi, a.key, a.value);
	ret = 0;
out:
	free_elem(&a);
	close(fd);
	return ret;
}

int do_map_update(struct ctx *ctx, int argc, char **argv)
{
	struct mapedit_info mi;
	struct elem_args a;
	struct err e = { 0 };
	int fd, value_fd = -1, ret = -1;

	if (map_edit_open(ctx, &argc, &argv, &fd, &mi))
		return -1;
	if (alloc_elem(ctx, &mi, &a)) {
		close(fd);
		return -1;
	}
	if (parse_elem(ctx, argc, argv, &mi, &a, true, true, &value_fd))
		goto out;
	if (!a.has_key && mi.key_size) {
		p_err(ctx, "expected 'key' (" DATA_SPEC ")");
		goto out;
	}
	if (!a.has_value) {
		p_err(ctx, "expected 'value' (" DATA_SPEC ")");
		goto out;
	}
	if (mapedit_update(fd, &mi, a.key, a.value, a.flags, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	ret = 0;
out:
	if (value_fd >= 0)
		close(value_fd);
	free_elem(&a);
	close(fd);
	return ret;
}

/* map pop | dequeue: take the head of a queue or stack (bpftool's do_pop_dequeue) */
int do_map_pop(struct ctx *ctx, int argc, char **argv)
{
	struct mapedit_info mi;
	struct elem_args a;
	struct err e = { 0 };
	int fd, ret = -1, err;

	if (argc < 2)
		return p_err(ctx, "expected MAP (" HELP_SPEC_MAP ")");
	if (map_edit_open(ctx, &argc, &argv, &fd, &mi))
		return -1;
	if (alloc_elem(ctx, &mi, &a)) {
		close(fd);
		return -1;
	}
	if (argc > 0) {
		p_err(ctx, "unexpected argument '%s'", argv[0]);
		goto out;
	}
	err = mapedit_pop(fd, &mi, a.key, a.value, &e);
	if (err == -ENOENT) {
		/* bpftool says so on stdout, and fails as for any -ENOENT */
		ctx->err_status = EXIT_NOT_FOUND;
		if (out_json(&ctx->out))
			out_null(&ctx->out, NULL);
		else
			printf("Error: empty map\n");
		goto out;
	}
	if (err) {
		p_err_e(ctx, &e);
		goto out;
	}
	print_entry(ctx, &mi, a.key, a.value);
	ret = 0;
out:
	free_elem(&a);
	close(fd);
	return ret;
}

int do_map_delete(struct ctx *ctx, int argc, char **argv)
{
	struct mapedit_info mi;
	struct elem_args a;
	struct err e = { 0 };
	int fd, ret = -1;

	if (map_edit_open(ctx, &argc, &argv, &fd, &mi))
		return -1;
	if (alloc_elem(ctx, &mi, &a)) {
		close(fd);
		return -1;
	}
	if (parse_elem(ctx, argc, argv, &mi, &a, false, false, NULL))
		goto out;
	if (!a.has_key) {
		p_err(ctx, "expected 'key' (" DATA_SPEC ")");
		goto out;
	}
	if (mapedit_delete(fd, &mi, a.key, &e)) {
		if (e.code == ENOENT)
			ctx->err_status = EXIT_NOT_FOUND;
		p_err_e(ctx, &e);
		goto out;
	}
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	ret = 0;
out:
	free_elem(&a);
	close(fd);
	return ret;
}

int do_map_getnext(struct ctx *ctx, int argc, char **argv)
{
	struct out *o = &ctx->out;
	struct mapedit_info mi;
	struct elem_args a;
	struct err e = { 0 };
	uint8_t *next;
	int fd, ret = -1;

	if (map_edit_open(ctx, &argc, &argv, &fd, &mi))
		return -1;
	if (alloc_elem(ctx, &mi, &a)) {
		close(fd);
		return -1;
	}
	next = calloc(1, mi.key_size ? mi.key_size : 1);
	if (!next) {
		p_err(ctx, "out of memory");
		goto out;
	}
	if (parse_elem(ctx, argc, argv, &mi, &a, false, false, NULL))
		goto out;
	if (mapedit_next_key(fd, &mi, a.has_key ? a.key : NULL, next, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	if (out_json(o)) {
		out_obj_start(o, NULL);
		if (a.has_key)
			print_hex_json(o, "key", a.key, mi.key_size);
		else
			out_null(o, "key");
		print_hex_json(o, "next_key", next, mi.key_size);
		out_obj_end(o);
	} else {
		if (a.has_key) {
			printf("key:\n");
			print_hex_plain(stdout, a.key, mi.key_size);
			printf("\n");
		} else {
			printf("key: None\n");
		}
		printf("next key:\n");
		print_hex_plain(stdout, next, mi.key_size);
		printf("\n");
	}
	ret = 0;
out:
	free(next);
	free_elem(&a);
	close(fd);
	return ret;
}

int do_map_pin(struct ctx *ctx, int argc, char **argv)
{
	struct mapedit_info mi;
	struct err e = { 0 };
	int fd;

	if (map_edit_open(ctx, &argc, &argv, &fd, &mi))
		return -1;
	if (argc != 1) {
		close(fd);
		return argc ? p_err(ctx, "unexpected argument '%s'", argv[1]) :
			      p_err(ctx, "expected MAP FILE");
	}
	if (pin_fd(fd, argv[0], &e)) {
		close(fd);
		return p_err_e(ctx, &e);
	}
	close(fd);
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	return 0;
}
