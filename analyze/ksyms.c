/* Kernel symbols: parsed from the /proc/kallsyms text a snapshot stores once per boot. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/ksyms.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* hex digits at p: the value, and where they end (p itself when none) */
static uint64_t hex_at(const char *p, const char **endp)
{
	uint64_t v = 0;
	const char *q = p;

	for (;; q++) {
		unsigned d;

		if (*q >= '0' && *q <= '9')
			d = *q - '0';
		else if (*q >= 'a' && *q <= 'f')
			d = *q - 'a' + 10;
		else if (*q >= 'A' && *q <= 'F')
			d = *q - 'A' + 10;
		else
			break;
		if (q - p == 16)
			return *endp = p, 0;	/* more than 64 bits: not an address */
		v = v << 4 | d;
	}
	*endp = q;
	return v;
}

int ksyms_parse(const char *text, size_t len, struct ksyms *k, struct err *e)
{
	size_t lines = 0, cap;
	char *p, *end;
	bool sorted = true;

	memset(k, 0, sizeof(*k));
	k->text = malloc(len + 1);
	if (!k->text)
		return err_set(e, ENOMEM, "out of memory parsing kernel symbols");
	memcpy(k->text, text, len);
	k->text[len] = 0;
	for (const char *q = k->text, *qe = k->text + len; (q = memchr(q, '\n', qe - q)); q++)
		lines++;
	cap = lines + 1;
	k->syms = calloc(cap, sizeof(*k->syms));
	if (!k->syms) {
		ksyms_free(k);
		return err_set(e, ENOMEM, "out of memory parsing kernel symbols");
	}
	p = k->text;
	end = k->text + len;
	while (p < end && k->n < cap) {
		char *nl = memchr(p, '\n', end - p), *addr_end, *name, *mod;
		const char *hex_end;
		uint64_t addr;

		if (!nl)
			nl = end;
		*nl = 0;
		addr = hex_at(p, &hex_end);
		addr_end = p + (hex_end - p);
		/* "ADDR T NAME [MOD]": type is one char between single spaces */
		if (addr_end != p && addr_end + 3 <= nl && addr_end[0] == ' ' && addr_end[2] == ' ') {
			name = addr_end + 3;
			mod = strchr(name, '\t');
			if (!mod)
				mod = strchr(name, ' ');
			if (mod) {
				*mod++ = 0;
				while (*mod == ' ' || *mod == '\t' || *mod == '[')
					mod++;
				char *close = strchr(mod, ']');

				if (close)
					*close = 0;
			}
			if (*name) {
				if (!k->bpf_call_base && !strcmp(name, "__bpf_call_base"))
					k->bpf_call_base = addr;
				sorted = sorted && (!k->n || k->syms[k->n - 1].addr <= addr);
				k->syms[k->n].addr = addr;
				k->syms[k->n].name = name;
				k->syms[k->n].module = mod && *mod ? mod : NULL;
				k->n++;
			}
		}
		p = nl + 1;
	}
	/* /proc/kallsyms comes sorted by address, as a rule: then keep it (and the order of
	 * symbols at one address, which a stable sort would keep too) */
	if (!sorted)
		qsort(k->syms, k->n, sizeof(*k->syms), ksym_cmp);
	return 0;
}

/* The symbols, filled first when a loader was set (the struct is the caller's own, never
 * const memory: lookups take it const as they change nothing it means). */
static const struct ksyms *ready(const struct ksyms *k)
{
	struct ksyms *w = (struct ksyms *)k;

	if (w->load && !w->load_state) {
		w->load_state = 1;
		w->load(w->load_arg, w);
	}
	return k;
}

const struct ksym *ksyms_lookup(const struct ksyms *k, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = ready(k)->n;

	if (!k->n || addr < k->syms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (off)
		*off = addr - k->syms[lo].addr;
	return &k->syms[lo];
}

const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr)
{
	uint64_t off;
	const struct ksym *s = ksyms_lookup(k, addr, &off);

	return s && !off ? s : NULL;
}

uint64_t ksyms_addr(const struct ksyms *k, const char *name)
{
	ready(k);
	if (k->bpf_call_base && !strcmp(name, "__bpf_call_base"))
		return k->bpf_call_base;
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->syms[i].name, name))
			return k->syms[i].addr;
	return 0;
}

void ksyms_free(struct ksyms *k)
{
	free(k->syms);
	free(k->text);
	memset(k, 0, sizeof(*k));
}
