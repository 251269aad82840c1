/* graphviz through dlopen: the libraries stay loaded once opened (no dlclose). */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include "viz/gv_dl.h"

int gv_api_load(struct gv_api *api, struct err *e)
{
	static const struct { const char *name; size_t off; } syms[] = {
#define SYM(n) { #n, offsetof(struct gv_api, n) }
		SYM(agopen), SYM(agclose), SYM(agnode), SYM(agedge), SYM(agsubg), SYM(agsafeset),
		SYM(agattr), SYM(agxset), SYM(agstrdup), SYM(agstrdup_html), SYM(agstrfree),
		SYM(agwrite), SYM(aglasterr), SYM(agseterr), SYM(agreseterrors), SYM(gvContext), SYM(gvContextPlugins),
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

/* libgvplugin_NAME.so.6 in the graphviz directory beside libgvc (where graphviz itself
 * looks for its plugins), else wherever the loader finds it */
static void *plugin_open(const struct gv_api *api, const char *name, struct err *e)
{
	char path[PATH_MAX], file[64];
	Dl_info info;
	void *h = NULL;

	snprintf(file, sizeof(file), "libgvplugin_%s.so.6", name);
	if (dladdr((void *)api->gvContext, &info) && info.dli_fname) {
		const char *slash = strrchr(info.dli_fname, '/');
		int n = slash ? (int)(slash - info.dli_fname) : 0;

		if (slash && snprintf(path, sizeof(path), "%.*s/graphviz/%s", n, info.dli_fname,
				      file) < (int)sizeof(path))
			h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	}
	if (!h)
		h = dlopen(file, RTLD_NOW | RTLD_GLOBAL);
	if (!h)
		err_set(e, ENOTSUP, "can't load graphviz's %s plugin: %s", name, dlerror());
	return h;
}

int gv_svg_plugins(const struct gv_api *api, lt_symlist_t syms[3], struct err *e)
{
	static const char *const names[] = { "dot_layout", "core" };

	for (size_t i = 0; i < 2; i++) {
		char sym[64];
		void *h = plugin_open(api, names[i], e);

		if (!h)
			return -e->code;
		/* the name graphviz matches a builtin by: gvplugin_NAME_LTX_library */
		snprintf(sym, sizeof(sym), "gvplugin_%s_LTX_library", names[i]);
		syms[i].address = dlsym(h, sym);
		if (!syms[i].address)
			return err_set(e, ENOTSUP, "graphviz's %s plugin lacks %s", names[i], sym);
		syms[i].name = i ? "gvplugin_core_LTX_library" : "gvplugin_dot_layout_LTX_library";
	}
	syms[2] = (lt_symlist_t){ NULL, NULL };
	return 0;
}
