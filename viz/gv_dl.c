/* graphviz through dlopen: the libraries stay loaded once opened (no dlclose). */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include "viz/gv_dl.h"

int gv_api_load(struct gv_api *api, struct err *e)
{
	static const struct { const char *name; size_t off; } syms[] = {
#define SYM(n) { #n, offsetof(struct gv_api, n) }
		SYM(agopen), SYM(agclose), SYM(agnode), SYM(agedge), SYM(agsubg), SYM(agsafeset),
		SYM(agattr), SYM(agxset), SYM(agstrdup), SYM(agstrdup_html), SYM(agstrfree),
		SYM(agwrite), SYM(aglasterr), SYM(agseterr), SYM(agreseterrors), SYM(gvContext),
		SYM(gvLayout), SYM(gvRender), SYM(gvFreeLayout), SYM(gvFreeContext),
		SYM(Agdirected), SYM(AgMemDisc), SYM(AgIdDisc), SYM(AgIoDisc),
#undef SYM
	};
	void *h = dlopen("libgvc.so.6", RTLD_NOW | RTLD_GLOBAL);

	if (!h)
		h = dlopen("libgvc.so", RTLD_NOW | RTLD_GLOBAL);
	if (!h)
		return err_set(e, ENOTSUP, "can't load graphviz (libgvc): %s", dlerror());
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(h, syms[i].name);

		if (!p)
			return err_set(e, ENOTSUP, "graphviz lacks %s", syms[i].name);
		/* (a data pointer and a function pointer share a representation on every target
		 * dlsym serves: POSIX requires it) */
		*(void **)((char *)api + syms[i].off) = p;
	}
	return 0;
}
