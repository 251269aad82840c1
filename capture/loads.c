/* The loads recorder's user side: loads capture/loads.bpf.c (carried in the binary), attaches
 * it to the bpf(2) syscall's tracepoints and turns its ring buffer's records into events.
 *
 * The tracepoint copies each new object before the syscall returns, so nothing races: a
 * program closed a microsecond later is recorded with its code all the same. Each program
 * is then also opened here by id, when it is still there, for the kernel's own dump of its
 * code, which is kept where both exist and checks the copy (struct loads_stats). By id and
 * not pidfd_getfd(2) of the loader's fd: the fd number may already name another object,
 * the id never does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "capture/loads.h"
#include "capture/loads_rec.h"
#include "lib/util.h"
#include "capture/loads.bpf.h"	/* loads_bpf_obj[]: build/capture/loads.bpf.o's bytes */

struct loads {
	struct bpf_object *obj;
	struct bpf_link *enter, *exit;
	struct ring_buffer *rb;
	int stats_fd, ncpus;
	struct loads_stats st;
	/* during loads_poll */
	int (*fn)(const struct load_event *ev, void *arg);
	void *arg;
	int fn_ret;
	int64_t wall_off;		/* realtime - boottime */
	struct buf code, info_code;
	uint32_t map_ids[LOADS_MAX_MAPS];
};

/* libbpf would print to stderr; a library does not (the verifier's words are kept). */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* The verifier log's last line, for the message when the kernel refuses the program. */
static const char *log_last(char *log)
{
	char *end = log + strlen(log), *p;

	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		*--end = 0;
	p = strrchr(log, '\n');
	return p ? p + 1 : log;
}

static int load(struct loads *l, char *log, size_t log_len, struct err *e)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "bpfscope_loads");
	struct bpf_program *enter, *prog;
	struct bpf_map *ro;
	uint32_t self = getpid();	/* .rodata: self_tgid */
	int err;

	l->obj = bpf_object__open_mem(loads_bpf_obj, sizeof(loads_bpf_obj), &oo);
	if (!l->obj)
		return err_set(e, errno, "loads recorder: open: %s", strerror(errno));
	ro = bpf_object__find_map_by_name(l->obj, ".rodata");
	if (!ro || bpf_map__set_initial_value(ro, &self, sizeof(self)))
		return err_set(e, EPROTO, "loads recorder: its object has no .rodata to set");
	enter = bpf_object__find_program_by_name(l->obj, "loads_enter");
	prog = bpf_object__find_program_by_name(l->obj, "loads_exit");
	if (!enter || !prog)
		return err_set(e, EPROTO, "loads recorder: its object lacks a program");
	bpf_program__set_log_buf(prog, log, log_len);
	/* (libbpf relocates the program against vmlinux BTF here, parsed in this process: some
	 * 50-80 ms, once per watch) */
	err = bpf_object__load(l->obj);
	if (err)
		return err_set(e, -err, "loads recorder: the kernel refused it: %s%s%s", strerror(-err),
			       *log ? ": " : "", log_last(log));
	l->enter = bpf_program__attach_tracepoint(enter, "syscalls", "sys_enter_bpf");
	if (!l->enter)
		return err_set(e, errno, "loads recorder: can't attach to syscalls/sys_enter_bpf: %s%s",
			       strerror(errno), errno == ENOENT ? " (is tracefs mounted?)" : "");
	l->exit = bpf_program__attach_tracepoint(prog, "syscalls", "sys_exit_bpf");
	if (!l->exit)
		return err_set(e, errno, "loads recorder: can't attach to syscalls/sys_exit_bpf: %s",
			       strerror(errno));
	return 0;
}

static int on_record(void *ctx, void *data, size_t size);

int loads_open(struct loads **out, struct err *e)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet);
	struct loads *l = calloc(1, sizeof(*l));
	char *log = calloc(1, 64 << 10);
	int err;

	*out = NULL;
	if (!l || !log) {
		err = err_set(e, ENOMEM, "out of memory");
		goto out;
	}
	l->stats_fd = -1;
	err = load(l, log, 64 << 10, e);
	if (err)
		goto out;
	l->rb = ring_buffer__new(bpf_object__find_map_fd_by_name(l->obj, "loads_ring"), on_record,
				 l, NULL);
	if (!l->rb) {
		err = err_set(e, errno, "loads recorder: its ring buffer: %s", strerror(errno));
		goto out;
	}
	l->stats_fd = bpf_object__find_map_fd_by_name(l->obj, "loads_stats");
	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0)
		l->ncpus = 1;
	*out = l;
out:
	libbpf_set_print(old);
	free(log);
	if (err)
		loads_close(l);
	return err;
}

void loads_close(struct loads *l)
{
	if (!l)
		return;
	ring_buffer__free(l->rb);
	bpf_link__destroy(l->exit);
	bpf_link__destroy(l->enter);
	bpf_object__close(l->obj);
	buf_free(&l->code);
	buf_free(&l->info_code);
	free(l);
}

int loads_fd(const struct loads *l)
{
	return ring_buffer__epoll_fd(l->rb);
}

void loads_stats(const struct loads *l, struct loads_stats *out)
{
	uint64_t v[LOADS_STAT_NR] = { 0 };

	*out = l->st;
	for (uint32_t k = 0; k < LOADS_STAT_NR && l->stats_fd >= 0; k++) {
		uint64_t *per = calloc(l->ncpus, sizeof(*per));

		if (per && !bpf_map_lookup_elem(l->stats_fd, &k, per))
			for (int c = 0; c < l->ncpus; c++)
				v[k] += per[c];
		free(per);
	}
	out->seen = v[LOADS_STAT_SEEN];
	out->lost = v[LOADS_STAT_LOST];
	out->no_obj = v[LOADS_STAT_NO_OBJ];
}

/* The program by id, if it is still there: the kernel's dump of its code into l->info_code.
 * 0, or -1 when it is gone (or not the program recorded). Its map ids stay the tracepoint's,
 * as loaded: BPF_PROG_BIND_MAP may have added some since (libbpf binds .rodata). */
static int prog_info(struct loads *l, struct load_event *ev)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(ev->id), ret = -1;

	if (fd < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.id != ev->id ||
	    info.load_time != ev->load_time)
		goto out;
	l->info_code.len = 0;
	if (buf_reserve(&l->info_code, info.xlated_prog_len + 1))
		goto out;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = l->info_code.cap;
	info.xlated_prog_insns = (uint64_t)(uintptr_t)l->info_code.data;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.id != ev->id ||
	    info.xlated_prog_len > l->info_code.cap || !info.xlated_prog_insns)
		goto out;
	l->info_code.len = info.xlated_prog_len;
	ret = 0;
out:
	close(fd);
	return ret;
}

/* A program's code: the kernel's dump when it is still there (checked against the copy),
 * else the copy. */
static void prog_code(struct loads *l, const struct loads_rec *r,
		      const struct loads_map_ref *maps, const void *code, struct load_event *ev)
{
	bool have_copy = r->code_len && r->code_len == (uint64_t)r->len * 8;

	l->code.len = 0;
	if (have_copy && !buf_append(&l->code, code, r->code_len))
		loads_code_dump(l->code.data, r->code_len, maps, r->nr_maps);
	else
		have_copy = false;
	ev->alive = !prog_info(l, ev);
	if (ev->alive) {
		l->st.alive++;
		ev->xlated = l->info_code.data;
		ev->code_len = l->info_code.len;
		ev->code_from = LOAD_CODE_INFO;
		if (have_copy) {
			bool same = l->code.len == l->info_code.len &&
				    !memcmp(l->code.data, l->info_code.data, l->code.len);

			ev->code_check = same ? LOAD_CHECK_SAME : LOAD_CHECK_DIFFERENT;
			same ? l->st.code_same++ : l->st.code_different++;
		}
	} else if (have_copy) {
		ev->xlated = l->code.data;
		ev->code_len = l->code.len;
		ev->code_from = LOAD_CODE_KMEM;
	} else {
		ev->code_missing = r->flags & LOADS_F_CODE_CUT ? "too large to copy, and gone" :
				   r->flags & LOADS_F_NO_ROOM ? "no room in the ring, and gone" :
				   "unreadable, and gone";
	}
}

/* A record as the tracepoint wrote it: checked (sizes), then made an event. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct loads *l = ctx;
	struct loads_rec r;
	const struct loads_map_ref *maps;
	struct load_event ev = { 0 };
	size_t head;

	if (size < sizeof(r)) {
		l->st.bad++;
		return 0;
	}
	memcpy(&r, data, sizeof(r));
	head = sizeof(r) + (size_t)r.nr_maps * sizeof(*maps);
	if (r.nr_maps > LOADS_MAX_MAPS || head > size || r.code_len > size - head ||
	    r.code_len % 8 || (r.kind != LOAD_PROG && r.kind != LOAD_MAP && r.kind != LOAD_LINK)) {
		l->st.bad++;
		return 0;
	}
	maps = (const void *)((const char *)data + sizeof(r));
	ev.kind = r.kind;
	ev.cmd = r.cmd;
	ev.id = r.id;
	ev.boot_ns = r.boot_ns;
	ev.time_ns = (int64_t)r.boot_ns + l->wall_off;
	ev.pid = r.pid;
	ev.tid = r.tid;
	ev.uid = r.uid;
	memcpy(ev.comm, r.comm, sizeof(r.comm));
	memcpy(ev.name, r.name, sizeof(r.name));
	ev.type = r.type;
	ev.attach_type = r.attach_type;
	ev.has_attach_type = r.kind == LOAD_PROG || (r.flags & LOADS_F_LINK_ATTACH);
	if (r.kind == LOAD_PROG) {
		memcpy(ev.tag, r.tag, sizeof(ev.tag));
		ev.load_time = r.load_time;
		ev.insns = r.len;
		ev.bytes_jited = r.jited_len;
		ev.verified_insns = r.verified_insns;
		ev.btf_id = r.btf_id;
		for (uint32_t i = 0; i < r.nr_maps; i++)
			l->map_ids[i] = maps[i].id;
		ev.map_ids = l->map_ids;
		ev.nr_map_ids = r.nr_maps;
		prog_code(l, &r, maps, (const char *)data + head, &ev);
	} else if (r.kind == LOAD_MAP) {
		ev.key_size = r.key_size;
		ev.value_size = r.value_size;
		ev.max_entries = r.max_entries;
		ev.map_flags = r.map_flags;
		ev.map_extra = r.map_extra;
	} else {
		ev.prog_id = r.prog_id;
	}
	l->st.events++;
	l->fn_ret = l->fn(&ev, l->arg);
	return l->fn_ret ? -ECANCELED : 0;
}

int loads_poll(struct loads *l, int timeout_ms,
	       int (*fn)(const struct load_event *ev, void *arg), void *arg, struct err *e)
{
	int n;

	l->fn = fn;
	l->arg = arg;
	l->fn_ret = 0;
	l->wall_off = (int64_t)(now_realtime_ns() - now_boottime_ns());
	n = ring_buffer__poll(l->rb, timeout_ms);
	if (l->fn_ret)
		return l->fn_ret;
	if (n < 0 && n != -EINTR)
		return err_set(e, -n, "loads recorder: reading its ring: %s", strerror(-n));
	return 0;
}
