/* capstone through dlopen: the library stays loaded once opened (no dlclose), so a dump of
 * every program of a snapshot loads it once. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "analyze/capstone_dl.h"

int cs_api_load(struct cs_api *api, struct err *e)
{
	/* the major version the headers describe first: the structs must match */
	static const char *const names[] = {
#if CS_API_MAJOR == 4
		"libcapstone.so.4",
#elif CS_API_MAJOR == 5
		"libcapstone.so.5",
#endif
		"libcapstone.so",
	};
	void *h = NULL;

	for (size_t i = 0; !h && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
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
