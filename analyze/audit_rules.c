/* The audit's rules file (docs/audit.md): allowlists by identity, comm, tag and path glob,
 * severity overrides, sensitive uprobe targets, volume thresholds. A small line format
 * parsed here with every bound checked (a rules file may come from elsewhere: fuzzed). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/audit.h"
#include "lib/util.h"

#define RULES_MAX_LINE 4096
#define RULES_MAX_ENTRIES 10000

void audit_rules_default(struct audit_rules *r)
{
	memset(r, 0, sizeof(*r));
	r->memlock_max = 1ull << 30;	/* 1 GiB of one map */
	r->entries_max = 10000000;
}

void audit_rules_free(struct audit_rules *r)
{
	for (size_t i = 0; i < r->nallow; i++) {
		free(r->allow[i].glob);
		free(r->allow[i].rule);
	}
	for (size_t i = 0; i < r->nsev; i++)
		free(r->sev[i].rule);
	for (size_t i = 0; i < r->nsensitive; i++)
		free(r->sensitive[i]);
	free(r->allow);
	free(r->sev);
	free(r->sensitive);
	memset(r, 0, sizeof(*r));
}

/* Split line into at most max words (a "quoted" word may hold blanks); -1: bad quoting. */
static int split(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return -1;
		if (*p == '"') {
			w[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
			*p++ = 0;
			if (*p && *p != ' ' && *p != '\t')
				return -1;
			continue;
		}
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = 0;
	}
}

static int push_ptr(void **arr, size_t *n, size_t sz, struct err *e)
{
	void *p;

	if (*n >= RULES_MAX_ENTRIES)
		return err_set(e, E2BIG, "more than %d entries", RULES_MAX_ENTRIES);
	p = realloc(*arr, (*n + 1) * sz);
	if (!p)
		return err_set(e, ENOMEM, "out of memory");
	*arr = p;
	(*n)++;
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return *end || errno ? -EINVAL : 0;
}

static int rule_line(struct audit_rules *r, char **w, int n, struct err *e)
{
	static const char *const fields[] = { "identity", "comm", "tag", "path" };

	if (!strcmp(w[0], "allow") && (n == 3 || (n == 5 && !strcmp(w[3], "rule")))) {
		struct audit_allow *a;
		int f = -1;

		for (int i = 0; i < 4; i++)
			if (!strcmp(w[1], fields[i]))
				f = i;
		if (f < 0)
			return err_set(e, EINVAL, "allow: expected identity, comm, tag or path, got '%s'",
				       w[1]);
		if (push_ptr((void **)&r->allow, &r->nallow, sizeof(*r->allow), e))
			return -1;
		a = &r->allow[r->nallow - 1];
		a->field = f;
		a->glob = strdup(w[2]);
		a->rule = n == 5 ? strdup(w[4]) : NULL;
		return !a->glob || (n == 5 && !a->rule) ? err_set(e, ENOMEM, "out of memory") : 0;
	}
	if (!strcmp(w[0], "severity") && n == 3) {
		enum audit_sev sev;

		if (audit_sev_parse(w[2], &sev))
			return err_set(e, EINVAL, "severity: expected info, low, medium or high, got '%s'",
				       w[2]);
		if (push_ptr((void **)&r->sev, &r->nsev, sizeof(*r->sev), e))
			return -1;
		r->sev[r->nsev - 1].sev = sev;
		r->sev[r->nsev - 1].rule = strdup(w[1]);
		return r->sev[r->nsev - 1].rule ? 0 : err_set(e, ENOMEM, "out of memory");
	}
	if (!strcmp(w[0], "sensitive") && n == 2) {
		if (push_ptr((void **)&r->sensitive, &r->nsensitive, sizeof(*r->sensitive), e))
			return -1;
		r->sensitive[r->nsensitive - 1] = strdup(w[1]);
		return r->sensitive[r->nsensitive - 1] ? 0 : err_set(e, ENOMEM, "out of memory");
	}
	if ((!strcmp(w[0], "memlock-max") || !strcmp(w[0], "entries-max")) && n == 2) {
		uint64_t v;

		if (parse_u64(w[1], &v))
			return err_set(e, EINVAL, "%s: expected a number, got '%s'", w[0], w[1]);
		*(w[0][0] == 'm' ? &r->memlock_max : &r->entries_max) = v;
		return 0;
	}
	return err_set(e, EINVAL, "expected 'allow FIELD GLOB [rule RULE]', 'severity RULE LEVEL', "
		       "'sensitive GLOB', 'memlock-max N' or 'entries-max N'");
}

int audit_rules_parse(const char *text, size_t len, struct audit_rules *r, struct err *e)
{
	char line[RULES_MAX_LINE + 1], *w[6];
	size_t at = 0, lineno = 0;

	audit_rules_default(r);
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = (nl ? (size_t)(nl - text) : len) - at;
		int nw;

		lineno++;
		if (n > RULES_MAX_LINE || memchr(text + at, 0, n)) {
			audit_rules_free(r);
			return err_set(e, EINVAL, "rules line %zu: %s", lineno,
				       n > RULES_MAX_LINE ? "too long" : "a NUL byte");
		}
		memcpy(line, text + at, n);
		line[n] = 0;
		if (n && line[n - 1] == '\r')
			line[n - 1] = 0;
		at += n + 1;
		nw = split(line, w, 6);
		if (nw < 0 || (nw > 0 && rule_line(r, w, nw, e))) {
			char msg[sizeof(e->msg)];

			if (nw < 0)
				err_set(e, EINVAL, "unbalanced quotes or too many words");
			snprintf(msg, sizeof(msg), "%s", e->msg);
			audit_rules_free(r);
			err_clear(e);
			return err_set(e, EINVAL, "rules line %zu: %s", lineno, msg);
		}
	}
	return 0;
}

static bool glob_match(const char *glob, const char *s)
{
	return s && !fnmatch(glob, s, 0);
}

bool audit_glob_any(const char *s, const char *const *globs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (glob_match(globs[i], s))
			return true;
	return false;
}

static bool allowed(const struct audit_finding *f, const struct audit_rules *r)
{
	for (size_t i = 0; i < r->nallow; i++) {
		const struct audit_allow *a = &r->allow[i];
		const char *v = a->field == ALLOW_IDENTITY ? f->identity :
				a->field == ALLOW_COMM ? f->comm :
				a->field == ALLOW_TAG ? f->tag : f->path;

		if ((!a->rule || !strcmp(a->rule, f->rule)) && glob_match(a->glob, v))
			return true;
	}
	return false;
}

static int finding_cmp(const void *x, const void *y)
{
	const struct audit_finding *a = x, *b = y;
	int c;

	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if ((c = strcmp(a->rule, b->rule)))
		return c;
	if ((c = strcmp(a->identity, b->identity)))
		return c;
	return (a->id > b->id) - (a->id < b->id);
}

/* The first process holding the object, for the finding's pid and comm */
static void owner_of(struct audit_finding *f, const struct snap_objs *s)
{
	for (size_t i = 0; i < s->nowners; i++) {
		const struct so_owner *o = &s->owners[i];
		char *comm;

		if (o->obj_id != f->id || strcmp(o->obj_type, f->kind))
			continue;
		comm = strdup(o->comm);
		if (!comm)
			return;
		free(f->comm);
		f->comm = comm;
		f->pid = o->pid;
		return;
	}
}

void audit_finish(struct audit_findings *f, const struct audit_rules *r,
		  const struct snap_objs *s)
{
	size_t keep = 0;

	for (size_t i = 0; i < f->n; i++) {
		struct audit_finding *x = &f->v[i];

		if (s && x->id)
			owner_of(x, s);
		for (size_t k = 0; k < r->nsev; k++)
			if (!strcmp(r->sev[k].rule, x->rule))
				x->sev = r->sev[k].sev;
		if (allowed(x, r)) {	/* its strings go, the array stays */
			free(x->name); free(x->identity); free(x->tag); free(x->path); free(x->comm);
			free(x->evidence);
			continue;
		}
		f->v[keep++] = *x;
	}
	f->n = keep;
	if (f->n)	/* (qsort takes no NULL base, even for no elements) */
		qsort(f->v, f->n, sizeof(*f->v), finding_cmp);
	/* one program seen twice (its link and its perf fd): one finding */
	keep = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct audit_finding *x = &f->v[i];

		if (keep && !finding_cmp(&f->v[keep - 1], x) &&
		    !strcmp(f->v[keep - 1].path ? f->v[keep - 1].path : "", x->path ? x->path : "")) {
			free(x->name); free(x->identity); free(x->tag); free(x->path); free(x->comm);
			free(x->evidence);
			continue;
		}
		f->v[keep++] = *x;
	}
	f->n = keep;
}
