/* Test helper for t_links.sh: makes one link of each kind this kernel lets a test make and
 * pins it under DIR: a tracepoint perf_event link with a cookie, a uprobe and a uretprobe
 * on this binary (cookie, reference counter), a raw tracepoint, a task iterator of one process.
 * "tcx PROG_PIN IFINDEX PIN" links a pinned program to tcx ingress (libbpf 1.1 can't).
 * Nothing it attaches acts: the programs return 0, the uprobe's function runs only here. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

volatile unsigned short lk_sema;	/* the uprobe's reference counter */

__attribute__((noinline, used)) int lk_target(int x)
{
	return x + lk_sema;
}

/* File offset of p in this binary's mapping (the kernel's ref_ctr_offset unit). */
static long file_offset(const void *p, const char *exe)
{
	unsigned long start, end, off, a = (unsigned long)p;
	char line[4096], path[4096];
	FILE *f = fopen("/proc/self/maps", "r");
	long r = -1;

	while (f && fgets(line, sizeof(line), f)) {
		path[0] = 0;
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &start, &end, &off, path) < 3)
			continue;
		if (a >= start && a < end && !strcmp(path, exe)) {
			r = (long)(a - start + off);
			break;
		}
	}
	if (f)
		fclose(f);
	return r;
}

static int pin(struct bpf_link *l, const char *dir, const char *name)
{
	char p[4096];

	if (!l) {
		fprintf(stderr, "attach %s: %s\n", name, strerror(errno));
		return 1;
	}
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (bpf_link__pin(l, p)) {
		fprintf(stderr, "pin %s: %s\n", p, strerror(errno));
		return 1;
	}
	return 0;
}

static int tcx(const char *prog_pin, int ifindex, const char *path)
{
	struct {	/* BPF_LINK_CREATE, newer than our headers for tcx (6.6+) */
		uint32_t prog_fd, target_ifindex, attach_type, flags;
		uint64_t pad[6];
	} a = { 0 };
	int pfd = bpf_obj_get(prog_pin), lfd;

	if (pfd < 0)
		return 1;
	a.prog_fd = pfd;
	a.target_ifindex = ifindex;
	a.attach_type = 46;	/* BPF_TCX_INGRESS */
	lfd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	if (lfd < 0 || bpf_obj_pin(lfd, path)) {
		fprintf(stderr, "tcx link: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char exe[4096];
	struct bpf_object *obj;
	union bpf_iter_link_info li;
	long ref;
	ssize_t n;
	int bad = 0;

	if (argc == 5 && !strcmp(argv[1], "tcx"))
		return tcx(argv[2], atoi(argv[3]), argv[4]);
	if (argc != 3)
		return 2;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return 1;
	exe[n] = 0;
	ref = file_offset((const void *)&lk_sema, exe);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	{
		LIBBPF_OPTS(bpf_tracepoint_opts, o, .bpf_cookie = 42);
		bad |= pin(bpf_program__attach_tracepoint_opts(bpf_object__find_program_by_name(obj, "lk_tp"),
			   "syscalls", "sys_enter_getppid", &o), argv[2], "tp");
	}
	{
		LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = "lk_target", .bpf_cookie = 7,
			    .ref_ctr_offset = ref > 0 ? ref : 0);
		bad |= pin(bpf_program__attach_uprobe_opts(bpf_object__find_program_by_name(obj, "lk_up"),
			   -1, exe, 0, &o), argv[2], "up");
		o.retprobe = true;
		o.bpf_cookie = 0;
		bad |= pin(bpf_program__attach_uprobe_opts(bpf_object__find_program_by_name(obj, "lk_uret"),
			   -1, exe, 0, &o), argv[2], "uret");
	}
	bad |= pin(bpf_program__attach_raw_tracepoint(bpf_object__find_program_by_name(obj, "lk_raw"),
		   "task_rename"), argv[2], "raw");
	memset(&li, 0, sizeof(li));
	li.task.pid = getpid();	/* a task iterator of this process: "pid N" */
	{
		LIBBPF_OPTS(bpf_iter_attach_opts, o, .link_info = &li, .link_info_len = sizeof(li));
		bad |= pin(bpf_program__attach_iter(bpf_object__find_program_by_name(obj, "lk_iter"), &o),
			   argv[2], "iter");
	}
	printf("%s %ld\n", exe, ref);
	return bad || lk_target(0);
}
