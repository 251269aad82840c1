/* cgroup attach | detach CGROUP ATTACH_TYPE PROG: the words, as bpftool's; the change itself
 * is act/cgroup_attach.c's. */
#include <stdio.h>
#include <unistd.h>
#include "cli/cli.h"
#include "lib/bpf_names.h"
#include "capture/live_select.h"
#include "act/cgroup_attach.h"
#include "act/mount.h"

/* ATTACH_TYPE as bpftool takes it: a libbpf name exactly ("cgroup_inet_ingress"), else the
 * traditional short name ("ingress", "sock_ops") exactly or by a unique prefix. bpftool
 * takes the first prefix match in enum order; an ambiguous prefix is refused here. */
static int parse_attach_type(struct ctx *ctx, const char *arg, uint32_t *type)
{
	const char *names[NAMES_MAX_ATTACH_TYPE];
	char list[512];
	size_t used = 0;
	int i;

	for (uint32_t t = 0; t < NAMES_MAX_ATTACH_TYPE; t++) {
		const char *n = attach_type_name(t);

		if (n && !strcmp(n, arg)) {
			*type = t;
			return 0;
		}
		names[t] = attach_type_input_name(t);
	}
	i = keyword_find(arg, names, NAMES_MAX_ATTACH_TYPE);
	if (i >= 0) {
		*type = i;
		return 0;
	}
	if (i != KEYWORD_AMBIGUOUS)
		return p_err(ctx, "invalid attach type '%s'", arg);
	list[0] = 0;
	for (size_t t = 0; t < NAMES_MAX_ATTACH_TYPE && used < sizeof(list); t++)
		if (names[t] && is_prefix(arg, names[t]))
			used += snprintf(list + used, sizeof(list) - used, "%s%s", used ? " " : "",
					 names[t]);
	return p_err(ctx, "ambiguous attach type '%s' (could be: %s)", arg, list);
}

/* CGROUP ATTACH_TYPE PROG, the words both commands start with; *fd is the program's. */
static int parse_common(struct ctx *ctx, int *argc, char ***argv, const char *cmd,
			const char **path, uint32_t *type, int *fd)
{
	struct err e = { 0 };
	const char *kw, *arg;

	if (*argc < 4)
		return p_err(ctx, "too few parameters for cgroup %s", cmd);
	*path = (*argv)[0];
	if (parse_attach_type(ctx, (*argv)[1], type))
		return -1;
	kw = (*argv)[2];
	arg = (*argv)[3];
	NEXT_ARGP(4);
	if (!live_prog_kw(kw))
		return p_err(ctx, "expected PROG (" HELP_SPEC_PROGRAM "), got '%s'", kw);
	if (env_ready(ENV_PRIV, ctx->mount, &e) || live_prog_fd(kw, arg, fd, &e))
		return p_err_e(ctx, &e);
	return 0;
}

int do_cgroup_attach(struct ctx *ctx, int argc, char **argv)
{
	static const char *const flag_words[] = { "multi", "override" };
	struct err e = { 0 };
	const char *path;
	unsigned flags = 0;
	uint32_t type;
	int fd, err = -1;

	if (parse_common(ctx, &argc, &argv, "attach", &path, &type, &fd))
		return -1;
	while (argc) {
		int i = keyword_pick(ctx, *argv, flag_words, ARRAY_SIZE(flag_words), "attach flag");

		if (i < 0)
			goto out;
		flags |= i ? CGROUP_ATTACH_OVERRIDE : CGROUP_ATTACH_MULTI;
		NEXT_ARG();
	}
	if (cgroup_attach(path, type, fd, flags, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	out_null(&ctx->out, NULL);
	err = 0;
out:
	close(fd);
	return err;
}

int do_cgroup_detach(struct ctx *ctx, int argc, char **argv)
{
	struct err e = { 0 };
	const char *path;
	uint32_t type;
	int fd, err = -1;

	if (parse_common(ctx, &argc, &argv, "detach", &path, &type, &fd))
		return -1;
	if (argc > 0) {
		p_err(ctx, "unexpected argument '%s'", *argv);
		goto out;
	}
	if (cgroup_detach(path, type, fd, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	out_null(&ctx->out, NULL);
	err = 0;
out:
	close(fd);
	return err;
}
