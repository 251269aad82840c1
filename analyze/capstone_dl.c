/* capstone through dlopen: the library stays loaded once opened (no dlclose), so a dump of
 * every program of a snapshot loads it once. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "analyze/capstone_dl.h"

#define CS_STR_(x) #x
#define CS_STR(x) CS_STR_(x)

int cs_api_load(struct cs_api *api, struct err *e)
{
	/* only the major version the headers describe: the structs must match, and an
	 * unversioned libcapstone.so (a -dev symlink) may point at any version */
	static const char soname[] = "libcapstone.so." CS_STR(CS_API_MAJOR);
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return err_set(e, ENOTSUP, "can't load capstone (libcapstone%d): %s", CS_API_MAJOR,
			       dlerror());
	api->open = (cs_err (*)(cs_arch, cs_mode, csh *))dlsym(h, "cs_open");
	api->option = (cs_err (*)(csh, cs_opt_type, size_t))dlsym(h, "cs_option");
	api->malloc = (cs_insn *(*)(csh))dlsym(h, "cs_malloc");
	api->disasm_iter = (bool (*)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *))
			   dlsym(h, "cs_disasm_iter");
	api->free = (void (*)(cs_insn *, size_t))dlsym(h, "cs_free");
	api->close = (cs_err (*)(csh *))dlsym(h, "cs_close");
	if (!api->open || !api->option || !api->malloc || !api->disasm_iter || !api->free ||
	    !api->close)
		return err_set(e, ENOTSUP, "capstone library lacks a function bpfscope uses");
	return 0;
}
