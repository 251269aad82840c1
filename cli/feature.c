/* feature probe and feature list_builtins, in bpftool 7.8's layouts (plain, -j, macros):
 * live through capture/feature_probe.c, or with -s REF from the probe stored for the
 * snapshot's boot. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "analyze/features.h"
#include "capture/feature_probe.h"
#include "lib/bpf_names.h"
#include "store/features.h"


struct fp {
	struct out *o;
	const char *prefix;	/* macros: the define prefix ("" without one); NULL: no macros */
};

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s -= 'a' - 'A';
}

static void feat_bool(struct fp *p, const char *key, const char *plain, const char *define,
		      bool res)
{
	if (out_json(p->o))
		out_bool(p->o, key, NULL, res);
	else if (p->prefix)
		out_plain(p->o, "#define %s%sHAVE_%s\n", p->prefix, res ? "" : "NO_", define);
	else
		out_plain(p->o, "%s is %savailable\n", plain, res ? "" : "NOT ");
}

static void section_start(struct fp *p, const char *key, const char *plain, const char *macro)
{
	if (out_json(p->o))
		out_obj_start(p->o, key);
	else
		out_plain(p->o, "%s\n", p->prefix ? macro : plain);
}

static void section_end(struct fp *p)
{
	if (out_json(p->o))
		out_obj_end(p->o);
	else
		out_plain(p->o, "\n");
}

/* bpftool's wording of each sysctl's values; NULL: "unknown value" */
static const char *sysctl_text(int i, long v)
{
	static const char *const t[FEAT_NR_SYSCTL][4] = {
		{ "Unable to retrieve required privileges for bpf() syscall",
		  "bpf() syscall for unprivileged users is enabled",
		  "bpf() syscall restricted to privileged users (without recovery)",
		  "bpf() syscall restricted to privileged users (admin can change)" },
		{ "Unable to retrieve JIT-compiler status", "JIT compiler is disabled",
		  "JIT compiler is enabled",
		  "JIT compiler is enabled with debugging traces in kernel logs" },
		{ "Unable to retrieve JIT hardening status", "JIT compiler hardening is disabled",
		  "JIT compiler hardening is enabled for unprivileged users",
		  "JIT compiler hardening is enabled for all users" },
		{ "Unable to retrieve JIT kallsyms export status",
		  "JIT compiler kallsyms exports are disabled",
		  "JIT compiler kallsyms exports are enabled for root", NULL },
		{ "Unable to retrieve global memory limit for JIT compiler for unprivileged users",
		  NULL, NULL, NULL },
	};
	return v >= -1 && v <= 2 ? t[i][v + 1] : NULL;
}

static void print_sysctls(struct fp *p, const struct features *f)
{
	static const char *const unknown[FEAT_NR_SYSCTL] = {
		"bpf() syscall restriction has unknown value %ld\n",
		"JIT-compiler status has unknown value %ld\n",
		"JIT hardening status has unknown value %ld\n",
		"JIT kallsyms exports status has unknown value %ld\n",
		"Global memory limit for JIT compiler for unprivileged users is %ld bytes\n",
	};

	for (int i = 0; i < FEAT_NR_SYSCTL; i++) {
		long v = f->sysctl[i];
		const char *t = i == FEAT_JIT_LIMIT && v != -1 ? NULL : sysctl_text(i, v);

		if (out_json(p->o))
			out_int(p->o, features_sysctl_key(i), NULL, v);
		else if (t)
			out_plain(p->o, "%s\n", t);
		else
			out_plain(p->o, unknown[i], v);
	}
}

static void section_system(struct ctx *ctx, struct fp *p, const struct features *f)
{
	section_start(p, "system_config", "Scanning system configuration...",
		      "/*** Misc kernel config items ***/");
	if (!p->prefix) {
		if (f->procfs)
			print_sysctls(p, f);
		else
			p_info(ctx, "/* procfs not mounted, skipping related probes */");
	}
	if (!f->config_read)
		p_info(ctx, "skipping kernel config, can't open file: %s", strerror(ENOENT));
	for (size_t i = 0; f->config_read && i < features_nr_config(); i++) {
		const char *name = features_config_name(i);
		const char *val = f->config_set[i] ? f->config[i] : NULL;

		/* macros: CONFIG_HZ only, the one bpftool marks for C */
		if (p->prefix && strcmp(name, "CONFIG_HZ"))
			continue;
		if (out_json(p->o) && val)
			out_str(p->o, name, NULL, val);
		else if (out_json(p->o))
			out_null(p->o, name);
		else if (p->prefix && val)
			out_plain(p->o, "#define %s%s %s\n", p->prefix, name, val);
		else if (p->prefix)
			out_plain(p->o, "/* %s%s is not set */\n", p->prefix, name);
		else if (val)
			out_plain(p->o, "%s is set to %s\n", name, val);
		else
			out_plain(p->o, "%s is not set\n", name);
	}
	section_end(p);
}

static bool shown_prog(const struct features *f, uint32_t t)
{
	return !f->device || t == 3 /* sched_cls */ || t == 6 /* xdp */;
}

static void section_types(struct fp *p, const struct features *f, bool maps)
{
	uint32_t n = maps ? f->nr_map : f->nr_prog;
	const char *kind = maps ? "map" : "program";

	if (maps)
		section_start(p, "map_types", "Scanning eBPF map types...", "/*** eBPF map types ***/");
	else
		section_start(p, "program_types", "Scanning eBPF program types...",
			      "/*** eBPF program types ***/");
	for (uint32_t t = 1; t <= n; t++) {
		const char *name = maps ? map_type_name(t) : prog_type_name(t);
		char key[128], plain[128], define[128];

		if (!name || (maps ? f->device && t != 1 && t != 2 : !shown_prog(f, t)))
			continue;
		snprintf(key, sizeof(key), "have_%s_%s_type", name, maps ? "map" : "prog");
		snprintf(plain, sizeof(plain), "eBPF %s_type %s", maps ? "map" : kind, name);
		snprintf(define, sizeof(define), "%s_%s_type", name, maps ? "map" : "prog");
		upper(define);
		feat_bool(p, key, plain, define, maps ? f->map[t] : f->prog[t]);
	}
	section_end(p);
}

static void helpers_of(struct fp *p, const struct features *f, uint32_t t, const char *tname)
{
	char key[128];
	bool any = false;

	snprintf(key, sizeof(key), "%s_available_helpers", tname);
	if (out_json(p->o))
		out_arr_start(p->o, key);
	else if (!p->prefix)
		out_plain(p->o, "eBPF helpers supported for program type %s:", tname);
	for (uint32_t id = 1; id < f->nr_helpers; id++) {
		const char *h = features_helper_name(id);
		bool res = features_helper(f, t, id);

		if (!h || (!f->full && features_helper_noisy(id)))
			continue;
		any |= res;
		if (out_json(p->o) && res)
			out_str(p->o, NULL, NULL, h);
		else if (p->prefix)
			out_plain(p->o, "#define %sBPF__PROG_TYPE_%s__HELPER_%s %s\n", p->prefix,
				  tname, h, res ? "1" : "0");
		else if (res)
			out_plain(p->o, "\n\t- %s", h);
	}
	if (out_json(p->o)) {
		out_arr_end(p->o);
	} else if (!p->prefix) {
		out_plain(p->o, "\n");
		if (!any)
			out_plain(p->o, "%s\n", f->prog[t] ? "\tCould not determine which helpers are available"
						      : "\tProgram type not supported");
	}
}

static void section_helpers(struct fp *p, const struct features *f)
{
	const char *x = p->prefix;

	section_start(p, "helpers", "Scanning eBPF helper functions...",
		      "/*** eBPF helper functions ***/");
	if (x && !out_json(p->o))
		out_plain(p->o, "/*\n"
			  " * Use %sHAVE_PROG_TYPE_HELPER(prog_type_name, helper_name)\n"
			  " * to determine if <helper_name> is available for <prog_type_name>,\n"
			  " * e.g.\n"
			  " *	#if %sHAVE_PROG_TYPE_HELPER(xdp, bpf_redirect)\n"
			  " *		// do stuff with this helper\n"
			  " *	#elif\n"
			  " *		// use a workaround\n"
			  " *	#endif\n"
			  " */\n"
			  "#define %sHAVE_PROG_TYPE_HELPER(prog_type, helper)	\\\n"
			  "	%sBPF__PROG_TYPE_ ## prog_type ## __HELPER_ ## helper\n", x, x, x, x);
	for (uint32_t t = 1; t <= f->nr_prog; t++) {
		const char *name = prog_type_name(t);

		if (name && shown_prog(f, t))
			helpers_of(p, f, t, name);
	}
	section_end(p);
}

static void print_probe(struct ctx *ctx, struct fp *p, const struct features *f)
{
	if (out_json(p->o))
		out_obj_start(p->o, NULL);
	if (!f->device)
		section_system(ctx, p, f);
	section_start(p, "syscall_config", "Scanning system call availability...",
		      "/*** System call availability ***/");
	feat_bool(p, "have_bpf_syscall", "bpf() syscall", "BPF_SYSCALL", f->syscall);
	section_end(p);
	if (f->syscall) {
		section_types(p, f, false);
		section_types(p, f, true);
		section_helpers(p, f);
		section_start(p, "misc", "Scanning miscellaneous eBPF features...",
			      "/*** eBPF misc features ***/");
		for (int i = 0; i < FEAT_NR_MISC; i++)
			feat_bool(p, features_misc_key(i), features_misc_plain(i),
				  features_misc_define(i), f->misc[i]);
		section_end(p);
	}
	if (out_json(p->o))
		out_obj_end(p->o);
}

struct posture_arg { struct features *f; };

/* the snapshot's own sysctls (read by every snapshot) over the boot's first probe's */
static int posture_cb(void *arg, const struct snapshot_row *r)
{
	struct features *f = ((struct posture_arg *)arg)->f;

	for (int i = 0; r && i < FEAT_JIT_LIMIT; i++)
		if (r->has_posture[i])
			f->sysctl[i] = r->posture[i];
	return 0;
}

static int stored_probe(struct ctx *ctx, struct features *f)
{
	struct posture_arg pa = { f };
	struct buf b = { 0 };
	struct err e = { 0 };
	struct db db;
	int64_t snap;
	int err;

	if (history_open(ctx, false, &db))
		return -1;
	err = snapshot_resolve(&db, ctx->snap_ref, &snap, &e);
	err = err ?: features_read(&db, snap, &b, &e);
	if (err == -ENOENT && !e.code)
		err_set(&e, ENOENT, "snapshot %s has no feature probe (taken by an older bpfscope?)",
			ctx->snap_ref);
	err = err ?: features_decode(b.data, b.len, f, &e);
	err = err ?: snapshot_rows_read(&db, snap, posture_cb, &pa, &e);
	buf_free(&b);
	db_close(&db);
	return err ? p_err_e(ctx, &e) : 0;
}

static int do_probe(struct ctx *ctx, int argc, char **argv)
{
	struct feature_probe_opts po = { 0 };
	struct fp p = { .o = &ctx->out };
	bool component = false;
	struct features *f;
	struct err e = { 0 };
	char missing[128];
	int ret;

	while (argc > 0) {
		if (is_prefix(*argv, "kernel")) {
			if (component)
				return p_err(ctx, "component to probe already specified");
			component = true;
			NEXT_ARG();
		} else if (is_prefix(*argv, "dev")) {
			NEXT_ARG();
			if (component)
				return p_err(ctx, "component to probe already specified");
			REQ_ARGS(1);
			component = true;
			po.ifindex = if_nametoindex(*argv);
			if (!po.ifindex)
				return p_err(ctx, "unrecognized netdevice '%s': %s", *argv,
					     strerror(errno));
			NEXT_ARG();
		} else if (is_prefix(*argv, "full")) {
			po.full = true;
			NEXT_ARG();
		} else if (is_prefix(*argv, "macros") && !p.prefix) {
			p.prefix = "";
			NEXT_ARG();
		} else if (is_prefix(*argv, "prefix")) {
			if (!p.prefix)
				return p_err(ctx, "'prefix' argument can only be use after 'macros'");
			if (*p.prefix)
				return p_err(ctx, "'prefix' already defined");
			NEXT_ARG();
			REQ_ARGS(1);
			p.prefix = GET_ARG();
		} else if (is_prefix(*argv, "unprivileged")) {
			po.unprivileged = true;
			NEXT_ARG();
		} else {
			return p_err(ctx, "expected no more arguments, 'kernel', 'dev', 'macros' or "
				     "'prefix', got: '%s'?", *argv);
		}
	}
	if (ctx->snap_ref && (po.ifindex || po.full || po.unprivileged))
		return p_err(ctx, "-s REF answers from the snapshot's stored probe of the kernel "
			     "(not full, privileged): 'dev', 'full' and 'unprivileged' need a live probe");
	if (!ctx->snap_ref && !po.unprivileged &&
	    feature_caps_missing(missing, sizeof(missing)))
		return p_err(ctx, "missing %srequired for full feature probing; run as root or "
			     "use 'unprivileged'", missing);
	if (out_json(&ctx->out))
		p.prefix = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return p_err(ctx, "out of memory");
	if (ctx->snap_ref)
		ret = stored_probe(ctx, f);
	else
		ret = feature_probe(&po, f, &e) ? p_err_e(ctx, &e) : 0;
	if (!ret)
		print_probe(ctx, &p, f);
	free(f);
	return ret;
}

static int do_list_builtins(struct ctx *ctx, int argc, char **argv)
{
	static const char *const groups[] = { "prog_types", "map_types", "attach_types",
					      "link_types", "helpers" };
	struct out *o = &ctx->out;
	int g = -1;

	if (argc < 1) {
		p_usage(ctx, GRAMMAR_FEATURE);
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(groups) && g < 0; i++)
		if (is_prefix(*argv, groups[i]))
			g = (int)i;
	if (g < 0)
		return p_err(ctx, "expected 'prog_types', 'map_types', 'attach_types', 'link_types' "
			     "or 'helpers', got: %s", *argv);
	out_arr_start(o, NULL);
	for (uint32_t id = 0;; id++) {
		const char *name = g == 0 ? prog_type_name(id) : g == 1 ? map_type_name(id) :
				   g == 2 ? attach_type_name(id) : g == 3 ? link_type_name(id) :
				   features_helper_name(id);

		if (!name)
			break;
		if (out_json(o))
			out_str(o, NULL, NULL, name);
		else
			out_plain(o, "%s\n", name);
	}
	out_arr_end(o);
	return 0;
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_usage(ctx, GRAMMAR_FEATURE);
}

int do_feature(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "probe", do_probe },
		{ "list_builtins", do_list_builtins },
		{ "help", do_help },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
