/* Kernel symbols: parsed from the /proc/kallsyms text a snapshot stores (the lines its
 * programs' calls need, or the whole text before them), and those lines selected. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/ksyms.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* the names point into the text in its order: symbols at one address keep it, so a
	 * look-up answers the same from the whole text and from a selection of its lines */
	return x->name < y->name ? -1 : x->name > y->name;
}

/* hex digits in [p, end): the value, and where they end (p itself when none, or more than
 * 64 bits of them) */
static uint64_t hex_at_n(const char *p, const char *end, const char **endp)
{
	uint64_t v = 0;
	const char *q = p;

	for (; q < end; q++) {
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

/* the same in a NUL-terminated string */
static uint64_t hex_at(const char *p, const char **endp)
{
	return hex_at_n(p, p + strnlen(p, 17), endp);
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
	if (len)	/* (text may be NULL when empty) */
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
	/* /proc/kallsyms comes sorted by address but for a few lines (ftrace's trampolines):
	 * keep the order of symbols at one address either way */
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

/* ---- the lines that name some addresses (ksyms_select) ---- */

/* One line of kallsyms text, [p, nl): its address and name when it is "ADDR T NAME...",
 * as ksyms_parse takes it; false for anything else (a bare address line among them). */
static bool line_symbol(const char *p, const char *nl, uint64_t *addr, const char **name,
			size_t *name_len)
{
	const char *hex_end, *n, *ne;

	*addr = hex_at_n(p, nl, &hex_end);
	if (hex_end == p || hex_end + 3 > nl || hex_end[0] != ' ' || hex_end[2] != ' ')
		return false;
	n = hex_end + 3;
	for (ne = n; ne < nl && *ne != '\t' && *ne != ' '; ne++)
		;
	*name = n;
	*name_len = ne - n;
	return ne > n;
}

/* A line alone: the address of [p, nl) when it holds hex digits and nothing else. */
static bool line_bare(const char *p, const char *nl, uint64_t *addr)
{
	const char *hex_end;

	*addr = hex_at_n(p, nl, &hex_end);
	return hex_end != p && hex_end == nl;
}

/* the end of the line at p (its newline, or end) */
static const char *line_end(const char *p, const char *end)
{
	const char *e = memchr(p, '\n', end - p);

	return e ? e : end;
}

static int kline_cmp(const void *a, const void *b)
{
	const struct ksym_line *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;	/* the text's order at one address */
}

int ksym_index_build(const char *text, size_t len, struct ksym_index *ix)
{
	const char *p = text, *end = len ? text + len : text;	/* (NULL when empty) */
	size_t cap = 0;
	bool sorted = true;

	memset(ix, 0, sizeof(*ix));
	if (len > UINT32_MAX)
		return -E2BIG;
	if (!len)
		return 0;
	for (const char *q = text; (q = memchr(q, '\n', end - q)); q++)
		cap++;
	ix->v = malloc((cap + 1) * sizeof(*ix->v));
	if (!ix->v)
		return -ENOMEM;
	while (p < end && ix->n <= cap) {
		const char *e = line_end(p, end), *name;
		size_t name_len;
		uint64_t a;

		if (line_symbol(p, e, &a, &name, &name_len)) {
			if (name_len == 15 && !memcmp(name, "__bpf_call_base", 15) && !ix->call_base)
				ix->call_base = a;
			sorted = sorted && (!ix->n || ix->v[ix->n - 1].addr <= a);
			ix->v[ix->n++] = (struct ksym_line){ a, p - text, e - p };
		}
		p = e + 1;
	}
	if (!sorted)
		qsort(ix->v, ix->n, sizeof(*ix->v), kline_cmp);
	return 0;
}

void ksym_index_free(struct ksym_index *ix)
{
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

/* the first line at or after addr (after: past it) */
static size_t kline_bound(const struct ksym_index *ix, uint64_t addr, bool after)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->v[mid].addr < addr || (after && ix->v[mid].addr == addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int off_cmp(const void *a, const void *b)
{
	const struct ksym_line *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* every line at address a, onto out */
static int lines_at(const struct ksym_index *ix, uint64_t a, struct buf *out)
{
	for (size_t i = kline_bound(ix, a, false); i < ix->n && ix->v[i].addr == a; i++)
		if (buf_append(out, &ix->v[i], sizeof(ix->v[i])))
			return -ENOMEM;
	return 0;
}

int ksym_index_select(const struct ksym_index *ix, const char *text, size_t len,
		      const uint64_t *addrs, size_t n, struct buf *out, struct err *e)
{
	struct buf picked = { 0 };
	struct ksym_line *v;
	size_t np;
	int err = 0;

	/* each address's symbol: the highest at or below it */
	for (size_t k = 0; !err && k < n; k++) {
		size_t i = kline_bound(ix, addrs[k], true);	/* past the last at or below */

		if (i)
			err = lines_at(ix, ix->v[i - 1].addr, &picked);
	}
	if (!err && ix->call_base)
		err = lines_at(ix, ix->call_base, &picked);
	v = (struct ksym_line *)picked.data;
	np = picked.len / sizeof(*v);
	if (np)
		qsort(v, np, sizeof(*v), off_cmp);
	for (size_t i = 0; !err && i < np; i++) {
		if ((i && v[i].off == v[i - 1].off) || (size_t)v[i].off + v[i].len > len)
			continue;
		if (buf_append(out, text + v[i].off, v[i].len) || buf_append(out, "\n", 1))
			err = -ENOMEM;
	}
	for (size_t k = 0; !err && k < n; k++) {
		char l[24];
		int w = snprintf(l, sizeof(l), "%016" PRIx64 "\n", addrs[k]);

		if (buf_append(out, l, w))
			err = -ENOMEM;
	}
	buf_free(&picked);
	return err ? err_set(e, ENOMEM, "out of memory selecting kernel symbols") : 0;
}

int ksyms_select(const char *text, size_t len, const uint64_t *addrs, size_t n,
		 struct buf *out, struct err *e)
{
	struct ksym_index ix;
	int err = ksym_index_build(text, len, &ix);

	if (err)
		return err_set(e, -err, "can't index kernel symbols: %s", strerror(-err));
	err = ksym_index_select(&ix, text, len, addrs, n, out, e);
	ksym_index_free(&ix);
	return err;
}

int ksyms_selected(const char *text, size_t len, struct buf *out, struct err *e)
{
	const char *p = text, *end = len ? text + len : text;	/* (NULL when empty) */

	out->len = 0;
	while (p < end) {
		const char *eol = line_end(p, end);
		uint64_t a;

		if (line_bare(p, eol, &a) && buf_append(out, &a, sizeof(a)))
			return err_set(e, ENOMEM, "out of memory reading kernel symbols");
		p = eol + 1;
	}
	if (out->len)
		out->len = sizeof(uint64_t) * u64_sort_unique((uint64_t *)out->data, out->len / 8);
	return 0;
}

uint64_t ksyms_text_call_base(const char *text, size_t len)
{
	const char *p = text, *end = len ? text + len : text;	/* (NULL when empty) */

	while (len && p < end) {
		const char *eol = line_end(p, end), *name;
		size_t name_len;
		uint64_t a;

		if (line_symbol(p, eol, &a, &name, &name_len) && name_len == 15 &&
		    !memcmp(name, "__bpf_call_base", 15))
			return a;
		p = eol + 1;
	}
	return 0;
}
