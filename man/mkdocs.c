/* Build-time generator of the man pages and the bash completion, from the same grammar
 * macros the help commands print (cli/grammar.h): `mkdocs man DIR` writes DIR/bpfscope.8
 * and one DIR/bpfscope-OBJECT.8 per object, `mkdocs completion` the bash completion.
 * A host program of its own: it includes the grammar and one path, and links nothing. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/grammar.h"
#include "store/db.h"	/* DB_DEFAULT_PATH, which bpfscope(8) names */

#define MAX_ITEMS 64
#define MAX_WORDS 256
#define LINE_MAX_LEN 1024

struct object {
	const char *name, *help, *extra, *summary, *desc;
};

static const struct object objects[] = {
#define OBJ(n, h, x, s) { #n, h, x, s, MAN_DESC_##n },
	GRAMMAR_OBJECTS(OBJ)
#undef OBJ
};
#define NOBJ (sizeof(objects) / sizeof(objects[0]))

/* One help text, parsed: synopsis lines (continuations joined), definitions, prose. */
struct help {
	char *cmds[MAX_ITEMS];
	char *defs[MAX_ITEMS];
	int ncmds, ndefs;
	char prose[4096];
};

struct words {
	const char *w[MAX_WORDS];
	int n;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mkdocs: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

static void words_add(struct words *ws, const char *w)
{
	for (int i = 0; i < ws->n; i++)
		if (!strcmp(ws->w[i], w))
			return;
	if (ws->n == MAX_WORDS)
		die("too many words");
	ws->w[ws->n++] = w;
}

/* append a continuation line to *item, its line break and indent kept for the man page */
static void join(char **item, const char *text)
{
	size_t a = strlen(*item), b = strlen(text);
	char *p = realloc(*item, a + b + 2);

	if (!p)
		die("out of memory");
	p[a] = '\n';
	memcpy(p + a + 1, text, b + 1);
	*item = p;
}

static bool seen(char *const *items, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(items[i], s))
			return true;
	return false;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

enum kind { K_BLANK, K_CMD, K_DEF, K_PROSE };

/* Synopsis lines start "Usage: bpfscope" or "       bpfscope"; a line indented deeper
 * right after one continues it; "NAME := ..." defines; anything else is prose. */
static void help_parse(const char *text, struct help *h)
{
	enum kind prev = K_BLANK;
	const char *p = text;

	memset(h, 0, sizeof(*h));
	while (*p) {
		char line[LINE_MAX_LEN];
		const char *nl = strchr(p, '\n'), *rest;
		size_t len = nl ? (size_t)(nl - p) : strlen(p), indent;

		if (len >= sizeof(line))
			die("help line too long");
		memcpy(line, p, len);
		line[len] = 0;
		p += len + (nl ? 1 : 0);
		rest = skip_space(line);
		indent = rest - line;
		if (!strncmp(line, "Usage: ", 7))
			rest = skip_space(line + 7), indent = 7;
		if (!*rest) {
			prev = K_BLANK;
		} else if (indent > 7 && (prev == K_CMD || prev == K_DEF)) {
			join(prev == K_CMD ? &h->cmds[h->ncmds - 1] : &h->defs[h->ndefs - 1],
			     line + 7);
		} else if (!strncmp(rest, "bpfscope", 8) && (!rest[8] || rest[8] == ' ')) {
			if (h->ncmds == MAX_ITEMS)
				die("too many commands");
			h->cmds[h->ncmds++] = xstrdup(rest);
			prev = K_CMD;
		} else if (strstr(rest, " := ") && seen(h->defs, h->ndefs, rest)) {
			prev = K_BLANK;	/* said already (two helps of one object) */
		} else if (strstr(rest, " := ")) {
			if (h->ndefs == MAX_ITEMS)
				die("too many definitions");
			h->defs[h->ndefs++] = xstrdup(rest);
			prev = K_DEF;
		} else {
			size_t n = strlen(h->prose);

			snprintf(h->prose + n, sizeof(h->prose) - n, "%s%s", n ? "\n" : "", rest);
			prev = K_PROSE;
		}
	}
}

/* Words of a grammar string: { } [ ] | are tokens of their own. Returns the count;
 * the tokens point into buf. */
static int tokenize(const char *s, char *buf, size_t len, const char **tok, int max)
{
	int n = 0;
	size_t j = 0;

	for (; *s && n < max; ) {
		if (*s == ' ' || *s == '\n') {
			s++;
			continue;
		}
		if (j + 3 > len)
			die("grammar line too long");
		tok[n++] = buf + j;
		if (strchr("{}[]|", *s)) {
			buf[j++] = *s++;
		} else {
			while (*s && *s != ' ' && *s != '\n' && !strchr("{}[]|", *s))
				buf[j++] = *s++;
		}
		buf[j++] = 0;
	}
	return n;
}

static bool is_keyword(const char *w)
{
	const char *p = w;

	if (*p == '-')
		p += p[1] == '-' ? 2 : 1;
	if (!islower((unsigned char)*p))
		return false;
	for (; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' &&
		    *p != '_')
			return false;
	return true;
}

static bool is_placeholder(const char *w)
{
	return isupper((unsigned char)w[0]);
}

/* a placeholder after which a word names a file: its keyword completes file names */
static bool is_file_placeholder(const char *w)
{
	static const char *const files[] = { "FILE", "PATH", "DIR", "MAP_DIR", "OBJ" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(w, files[i]))
			return true;
	return false;
}

/* The definitions an object's words may name: its own help texts', then the shared ones. */
struct defs {
	struct help *h[4];
	int n;
};

static const char *def_find(const struct defs *d, const char *name)
{
	static const char *const shared[] = { HELP_SPEC_PROGRAM, HELP_SPEC_MAP, HELP_SPEC_REF };
	size_t len = strlen(name);

	for (int i = 0; i < d->n; i++)
		for (int j = 0; j < d->h[i]->ndefs; j++)
			if (!strncmp(d->h[i]->defs[j], name, len) && d->h[i]->defs[j][len] == ' ')
				return d->h[i]->defs[j];
	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++)
		if (!strncmp(shared[i], name, len) && shared[i][len] == ' ')
			return shared[i];
	return NULL;
}

/* The keywords of tokens, placeholders expanded through their definitions (OPTIONS is
 * global: it completes before the object). file_kw collects keywords taking a file. */
static void collect(const struct defs *d, const char **tok, int n, struct words *out,
		    struct words *file_kw, int depth)
{
	for (int i = 0; i < n; i++) {
		const char *w = tok[i], *def;

		if (is_keyword(w)) {
			words_add(out, xstrdup(w));
			if (file_kw && i + 1 < n && is_file_placeholder(tok[i + 1]))
				words_add(file_kw, xstrdup(w));
		} else if (is_placeholder(w) && strcmp(w, "OPTIONS") && depth < 4 &&
			   (def = def_find(d, w))) {
			char buf[LINE_MAX_LEN];
			const char *t[MAX_WORDS];
			int m = tokenize(def, buf, sizeof(buf), t, MAX_WORDS);

			/* t[0] is the name, t[1] ":=" */
			collect(d, t + 2, m - 2, out, file_kw, depth + 1);
		}
	}
}

/* Split a synopsis "bpfscope [-s REF] OBJ { a ... | b ... } REST" into its object and its
 * commands. For each command (cmd NULL: all of them) calls back with the command and the
 * tokens that follow it. Returns the number of commands (0: the object takes no command). */
typedef void (*cmd_fn)(const char *obj, const char *cmd, const char **tok, int n, void *arg);

static int synopsis_walk(const char *syn, cmd_fn fn, void *arg)
{
	char buf[LINE_MAX_LEN];
	const char *tok[MAX_WORDS], *obj;
	int n = tokenize(syn, buf, sizeof(buf), tok, MAX_WORDS), i = 1, ncmd = 0;

	while (i < n && !strcmp(tok[i], "[")) {
		while (i < n && strcmp(tok[i], "]"))
			i++;
		i++;
	}
	if (i >= n)
		return 0;	/* "bpfscope version" of the main help: no object */
	obj = tok[i++];
	if (i < n && !strcmp(tok[i], "{")) {
		int start = ++i, depth = 1, end;

		for (end = i; end < n && depth; end++)
			depth += !strcmp(tok[end], "{") || !strcmp(tok[end], "[") ? 1 :
				 !strcmp(tok[end], "}") || !strcmp(tok[end], "]") ? -1 : 0;
		/* tokens start..end-2 are the alternatives, end.. the rest of the line */
		for (int a = start; a < end - 1; ) {
			const char *alt[MAX_WORDS];
			int b = a + 1, k = 0, d = 0;

			while (b < end - 1 && (d || strcmp(tok[b], "|"))) {
				d += !strcmp(tok[b], "{") || !strcmp(tok[b], "[") ? 1 :
				     !strcmp(tok[b], "}") || !strcmp(tok[b], "]") ? -1 : 0;
				alt[k++] = tok[b++];
			}
			for (int r = end; r < n; r++)
				alt[k++] = tok[r];
			fn(obj, tok[a], alt, k, arg);
			ncmd++;
			a = b + 1;
		}
	} else if (i < n && is_keyword(tok[i])) {
		fn(obj, tok[i], tok + i + 1, n - i - 1, arg);
		ncmd++;
	} else {
		fn(obj, NULL, tok + i, n - i, arg);
	}
	return ncmd;
}

static void add_cmd(const char *obj, const char *cmd, const char **tok, int n, void *arg)
{
	(void)obj; (void)tok; (void)n;
	if (cmd)
		words_add(arg, xstrdup(cmd));
}

/* The commands of an object's help, in help's order, and help itself (every object's
 * command table answers it). None for an object that takes no command. */
static void object_cmds(const struct help *h, struct words *cmds)
{
	for (int i = 0; i < h->ncmds; i++)
		synopsis_walk(h->cmds[i], add_cmd, cmds);
	if (cmds->n)
		words_add(cmds, "help");
}

struct kw_req {
	const char *cmd;	/* NULL: an object without commands */
	const struct defs *defs;
	struct words *out, *file_kw;
};

static void add_kw(const char *obj, const char *cmd, const char **tok, int n, void *arg)
{
	struct kw_req *r = arg;

	(void)obj;
	if ((!cmd && !r->cmd) || (cmd && r->cmd && !strcmp(cmd, r->cmd)))
		collect(r->defs, tok, n, r->out, r->file_kw, 0);
}

/* ---- roff ---- */

static void roff(FILE *f, const char *s)
{
	bool bol = true;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = *s == '\n';
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void roff_block(FILE *f, char *const *items, int n)
{
	fputs(".nf\n", f);
	for (int i = 0; i < n; i++) {
		roff(f, items[i]);
		fputc('\n', f);
	}
	fputs(".fi\n", f);
}

static void see_also(FILE *f, const char *self)
{
	bool first = true;

	fputs(".SH \"SEE ALSO\"\n", f);
	if (strcmp(self, "bpfscope")) {
		fputs(".BR bpfscope (8)", f);
		first = false;
	}
	for (size_t i = 0; i < NOBJ; i++) {
		if (!strcmp(objects[i].name, self))
			continue;
		fprintf(f, "%s\n.BR bpfscope\\-%s (8)", first ? "" : ",", objects[i].name);
		first = false;
	}
	fputs(",\n.BR bpftool (8)\n", f);
}

static FILE *open_page(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.8", dir, name);
	f = fopen(path, "w");
	if (!f)
		die("can't write %s", path);
	return f;
}

static void close_page(FILE *f, const char *name)
{
	if (ferror(f) | fclose(f))
		die("can't write %s.8", name);
}

static void upper(char *dst, const char *s, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		dst[i] = toupper((unsigned char)s[i]);
	dst[i] = 0;
}

static void man_object(const char *dir, const struct object *o)
{
	struct help h, x;
	struct words cmds = { 0 };
	char name[64], up[64];
	FILE *f;

	snprintf(name, sizeof(name), "bpfscope-%s", o->name);
	upper(up, name, sizeof(up));
	help_parse(o->help, &h);
	help_parse(o->extra, &x);
	object_cmds(&h, &cmds);
	f = open_page(dir, name);
	fprintf(f, ".TH %s 8 \"\" \"bpfscope\" \"System Manager's Manual\"\n", up);
	fprintf(f, ".SH NAME\nbpfscope\\-%s \\- ", o->name);
	roff(f, o->summary);
	fprintf(f, "\n.SH SYNOPSIS\n.B bpfscope\n.RI [ OPTIONS ]\n.B %s\n", o->name);
	if (cmds.n) {
		fputs(".I COMMAND\n.PP\n\\fICOMMAND\\fR := {", f);
		for (int i = 0; i < cmds.n; i++)
			fprintf(f, "%s \\fB%s\\fR", i ? " |" : "", cmds.w[i]);
		fputs(" }\n", f);
	} else {
		fputs(".I ARGUMENTS\n", f);
	}
	fprintf(f, ".SH \"%s %s\"\n", up + strlen("BPFSCOPE-"), cmds.n ? "COMMANDS" : "USAGE");
	roff_block(f, h.cmds, h.ncmds);
	if (h.ndefs) {
		fputs(".PP\n", f);
		roff_block(f, h.defs, h.ndefs);
	}
	fputs(".SH DESCRIPTION\n", f);
	if (*o->desc) {
		roff(f, o->desc);
		fputc('\n', f);
	}
	if (*h.prose) {
		fputs(".PP\n", f);
		roff(f, h.prose);
		fputc('\n', f);
	}
	if (x.ncmds) {
		fputs(".SS \"Command details\"\n", f);
		roff_block(f, x.cmds, x.ncmds);
		fputs(".PP\n", f);
		roff_block(f, x.defs, x.ndefs);
		if (*x.prose) {
			fputs(".PP\n", f);
			roff(f, x.prose);
			fputc('\n', f);
		}
	}
	see_also(f, o->name);
	close_page(f, name);
}

static void man_main(const char *dir)
{
	struct help h;
	FILE *f;

	help_parse(GRAMMAR_MAIN(DB_DEFAULT_PATH), &h);
	f = open_page(dir, "bpfscope");
	fputs(".TH BPFSCOPE 8 \"\" \"bpfscope\" \"System Manager's Manual\"\n"
	      ".SH NAME\nbpfscope \\- record the eBPF state of Linux into SQLite snapshots and "
	      "read it back\n.SH SYNOPSIS\n", f);
	roff_block(f, h.cmds, h.ncmds);
	fputs(".PP\n", f);
	roff_block(f, h.defs, h.ndefs);
	fputs(".SH DESCRIPTION\n", f);
	roff(f, MAN_DESC_MAIN);
	fputs("\n.PP\n", f);
	roff(f, h.prose);
	fputs("\n.SH OBJECTS\n", f);
	for (size_t i = 0; i < NOBJ; i++) {
		fprintf(f, ".TP\n.B %s\n", objects[i].name);
		roff(f, objects[i].summary);
		fprintf(f, "; see\n.BR bpfscope\\-%s (8).\n", objects[i].name);
	}
	fputs(".SH FILES\n.TP\n", f);
	roff(f, DB_DEFAULT_PATH);
	fputs("\nthe snapshot history (--db PATH or $BPFSCOPE_DB choose another)\n", f);
	see_also(f, "bpfscope");
	close_page(f, "bpfscope");
}

/* ---- bash completion ---- */

static void print_words(FILE *f, const struct words *ws)
{
	for (int i = 0; i < ws->n; i++)
		fprintf(f, "%s%s", i ? " " : "", ws->w[i]);
}

static void completion_object(FILE *f, const struct object *o, struct words *file_kw,
			      struct words *has_cmds)
{
	struct help h, x;
	struct words cmds = { 0 };
	struct defs d = { .n = 2 };

	help_parse(o->help, &h);
	help_parse(o->extra, &x);
	d.h[0] = &x;	/* a command's own help defines its words in more detail */
	d.h[1] = &h;
	object_cmds(&h, &cmds);
	if (cmds.n)
		words_add(has_cmds, o->name);
	fprintf(f, "\t%s) echo \"", o->name);
	if (cmds.n) {
		print_words(f, &cmds);
		fputs("\" ;;\n", f);
	}
	for (int c = 0; c < (cmds.n ? cmds.n : 1); c++) {
		struct words kw = { 0 };
		struct kw_req r = { cmds.n ? cmds.w[c] : NULL, &d, &kw, file_kw };

		for (int i = 0; i < h.ncmds; i++)
			synopsis_walk(h.cmds[i], add_kw, &r);
		for (int i = 0; i < x.ncmds; i++)
			synopsis_walk(x.cmds[i], add_kw, &r);
		if (cmds.n)
			fprintf(f, "\t\"%s %s\") echo \"", o->name, cmds.w[c]);
		print_words(f, &kw);
		fputs("\" ;;\n", f);
	}
}

static const char completion_body[] =
"# the word a prefix stands for, as bpfscope takes it: exact, else a unique prefix\n"
"_bpfscope_resolve()\n"
"{\n"
"\tlocal w m=\n"
"\tfor w in $(_bpfscope_words \"$1\"); do\n"
"\t\t[ \"$w\" = \"$2\" ] && { echo \"$w\"; return; }\n"
"\t\tcase $w in \"$2\"*) [ -n \"$m\" ] && { echo \"$2\"; return; }; m=$w ;; esac\n"
"\tdone\n"
"\techo \"${m:-$2}\"\n"
"}\n"
"\n"
"_bpfscope()\n"
"{\n"
"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= i w obj= cmd= cmd_at=0 key\n"
"\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
"\t# options stand anywhere, as getopt permutes them (bpfscope prog show -j)\n"
"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
"\t\tw=${COMP_WORDS[i]}\n"
"\t\tcase $w in\n"
"\t\t--db|-s|--snapshot|--against) ((i++)); continue ;;\n"
"\t\t-?*) continue ;;\n"
"\t\tesac\n"
"\t\tif [ -z \"$obj\" ]; then\n"
"\t\t\tobj=$(_bpfscope_resolve \"\" \"$w\")\n"
"\t\telif [ -z \"$cmd\" ] && [[ \" $_bpfscope_has_cmds \" == *\" $obj \"* ]]; then\n"
"\t\t\tcmd=$(_bpfscope_resolve \"$obj\" \"$w\")\n"
"\t\t\tcmd_at=$i\n"
"\t\tfi\n"
"\tdone\n"
"\tcase $prev in\n"
"\t--db) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
"\t-s|--snapshot|--against) COMPREPLY=(); return ;;\n"
"\tesac\n"
"\tif [ -z \"$obj\" ]; then\n"
"\t\tcase $cur in\n"
"\t\t-*) COMPREPLY=($(compgen -W \"$_bpfscope_options\" -- \"$cur\")) ;;\n"
"\t\t*) COMPREPLY=($(compgen -W \"$(_bpfscope_words \"\")\" -- \"$cur\")) ;;\n"
"\t\tesac\n"
"\t\treturn\n"
"\tfi\n"
"\tif [ -n \"$cmd\" ] && [ $((COMP_CWORD - 1)) -gt \"$cmd_at\" ] &&\n"
"\t   [[ \" $_bpfscope_file_kw \" == *\" $prev \"* ]]; then\n"
"\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
"\t\treturn\n"
"\tfi\n"
"\tkey=$obj\n"
"\t[ -n \"$cmd\" ] && key=\"$obj $cmd\"\n"
"\tif [[ $cur == -* ]]; then\n"
"\t\tCOMPREPLY=($(compgen -W \"$_bpfscope_options $(_bpfscope_words \"$key\")\" -- \"$cur\"))\n"
"\t\treturn\n"
"\tfi\n"
"\tCOMPREPLY=($(compgen -W \"$(_bpfscope_words \"$key\")\" -- \"$cur\"))\n"
"\t# nothing of the grammar fits: an object file, a path, a name\n"
"\tif [ ${#COMPREPLY[@]} -eq 0 ] && { [ -n \"$cmd\" ] ||\n"
"\t   [[ \" $_bpfscope_has_cmds \" != *\" $obj \"* ]]; }; then\n"
"\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
"\tfi\n"
"}\n"
"complete -F _bpfscope bpfscope\n";

static void completion(FILE *f)
{
	struct words file_kw = { 0 }, has_cmds = { 0 }, opts = { 0 };
	char buf[LINE_MAX_LEN];
	const char *tok[MAX_WORDS];
	int n = tokenize(HELP_SPEC_OPTIONS, buf, sizeof(buf), tok, MAX_WORDS);

	for (int i = 0; i < n; i++)
		if (tok[i][0] == '-')
			words_add(&opts, tok[i]);
	fputs("# bash completion for bpfscope: generated by man/mkdocs.c from cli/grammar.h, the\n"
	      "# grammar the help commands print. Do not edit.\n\n"
	      "# _bpfscope_words KEY: the objects (KEY empty), an object's commands (KEY obj),\n"
	      "# the keywords of a command (KEY \"obj cmd\") or of an object without commands\n"
	      "_bpfscope_words()\n{\n\tcase $1 in\n\t\"\") echo \"", f);
	for (size_t i = 0; i < NOBJ; i++)
		fprintf(f, "%s%s", i ? " " : "", objects[i].name);
	fputs(" help\" ;;\n", f);
	for (size_t i = 0; i < NOBJ; i++)
		completion_object(f, &objects[i], &file_kw, &has_cmds);
	fputs("\tesac\n}\n\n_bpfscope_options=\"", f);
	print_words(f, &opts);
	fputs("\"\n_bpfscope_has_cmds=\"", f);
	print_words(f, &has_cmds);
	fputs("\"\n# keywords whose value is a file\n_bpfscope_file_kw=\"", f);
	print_words(f, &file_kw);
	fputs("\"\n\n", f);
	fputs(completion_body, f);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "man")) {
		man_main(argv[2]);
		for (size_t i = 0; i < NOBJ; i++)
			man_object(argv[2], &objects[i]);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "completion")) {
		completion(stdout);
		return fflush(stdout) || ferror(stdout) ? 1 : 0;
	}
	fprintf(stderr, "usage: mkdocs man DIR | mkdocs completion\n");
	return 2;
}
