/* tests/t_gen_core.sh: use_subskel [N]: the app's skeleton and the library's subskeleton
 * over the same linked object agree on every map and variable; the library's counter,
 * reached through the subskeleton, counts N getpid() calls of this process. */
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "app.skel.h"
#include "lib.subskel.h"

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100, i, ret = 1;
	struct app *a = app__open();
	struct lib *l = NULL;
	int k = 0;
	long v = 0;

	if (!a)
		return perror("app__open"), 1;
	l = lib__open(a->obj);
	if (!l)
		return perror("lib__open"), 1;
	/* the library's variables are the linked object's */
	if (l->rodata.lib_pid != &a->rodata->lib_pid || l->bss.lib_hits != &a->bss->lib_hits ||
	    (*l->data.lib_arr)[2] != 3 || l->maps.lib_map != a->maps.lib_map) {
		fprintf(stderr, "subskeleton pointers differ from the skeleton's\n");
		goto out;
	}
	*l->rodata.lib_pid = getpid();
	if (app__load(a) || app__attach(a)) {
		fprintf(stderr, "load/attach failed\n");
		goto out;
	}
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	app__detach(a);
	if (bpf_map__lookup_elem(l->maps.lib_map, &k, sizeof(k), &v, sizeof(v), 0))
		goto out;
	printf("hits %d map %ld\n", *l->bss.lib_hits, v);
	ret = *l->bss.lib_hits >= n && v >= n ? 0 : 1;
out:
	lib__destroy(l);
	app__destroy(a);
	return ret;
}
