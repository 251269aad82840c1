/* Unit checks of the identity rule (analyze/match.c): attach point order, ties by tag and
 * load order, the loose fallback of prog_match_best, and maps by pin or owner. */
#include <stdio.h>
#include <string.h>
#include "analyze/match.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static void check_attach_point(void)
{
	struct prog_ident p = { .link_pin = "/sys/fs/bpf/l", .attach = "xdp:eth0",
				.link_target = "xdp:2" };

	CHECK(!strcmp(prog_attach_point(&p), "/sys/fs/bpf/l"), "link pin before attachment");
	p.pin = "";
	CHECK(!strcmp(prog_attach_point(&p), "/sys/fs/bpf/l"), "an empty pin is none");
	p.pin = "/sys/fs/bpf/p";
	CHECK(!strcmp(prog_attach_point(&p), "/sys/fs/bpf/p"), "pin first");
	p = (struct prog_ident){ .link_target = "tracing:x" };
	CHECK(!strcmp(prog_attach_point(&p), "tracing:x"), "link target last");
	p.link_target = NULL;
	CHECK(!strcmp(prog_attach_point(&p), ""), "no attach point");
}

static void check_prog_pairs(void)
{
	/* two copies of one unpinned program (same identity) and one pinned */
	struct prog_ident a[] = {
		{ .id = 10, .type = 2, .name = "f", .tag = "t1", .load_order = 100 },
		{ .id = 11, .type = 2, .name = "f", .tag = "t1", .load_order = 200 },
		{ .id = 12, .type = 2, .name = "f", .tag = "t1", .pin = "/p", .load_order = 300 },
		{ .id = 13, .type = 2, .name = "g", .tag = "t9", .load_order = 400 },
	};
	struct prog_ident b[] = {
		{ .id = 21, .type = 2, .name = "f", .tag = "t2", .pin = "/p", .load_order = 50 },
		{ .id = 22, .type = 2, .name = "f", .tag = "t1", .load_order = 70 },
		{ .id = 20, .type = 2, .name = "f", .tag = "t1", .load_order = 60 },
		{ .id = 23, .type = 1, .name = "g", .tag = "t9", .load_order = 80 },
	};
	long pair[4];

	CHECK(!prog_match(a, 4, b, 4, pair, NULL), "prog_match");
	CHECK(pair[0] == 2 && pair[1] == 1, "equal identities pair in load order: %ld %ld",
	      pair[0], pair[1]);
	CHECK(pair[2] == 0, "the pin pairs across versions (tags differ): %ld", pair[2]);
	CHECK(pair[3] == -1, "another type is another program: %ld", pair[3]);
}

static void check_prog_tag_first(void)
{
	struct prog_ident a[] = {
		{ .id = 1, .type = 2, .name = "f", .tag = "old", .load_order = 1 },
		{ .id = 2, .type = 2, .name = "f", .tag = "new", .load_order = 2 },
	};
	struct prog_ident b[] = {
		{ .id = 5, .type = 2, .name = "f", .tag = "new", .load_order = 1 },
		{ .id = 6, .type = 2, .name = "f", .tag = "old", .load_order = 2 },
	};
	long pair[2];

	CHECK(!prog_match(a, 2, b, 2, pair, NULL), "prog_match");
	CHECK(pair[0] == 1 && pair[1] == 0, "a same tag pairs before load order: %ld %ld",
	      pair[0], pair[1]);
}

static void check_best(void)
{
	struct prog_ident p = { .id = 1, .type = 2, .name = "f", .tag = "t", .pin = "/a" };
	struct prog_ident c[] = {
		{ .id = 7, .type = 2, .name = "f", .tag = "t", .pin = "/b", .load_order = 1 },
		{ .id = 8, .type = 2, .name = "f", .tag = "x", .pin = "/a", .load_order = 2 },
		{ .id = 9, .type = 3, .name = "f", .tag = "t", .pin = "/a", .load_order = 0 },
	};
	enum match_how how;

	CHECK(prog_match_best(&p, c, 3, &how) == 1 && how == MATCH_IDENT,
	      "the attach point outranks the tag");
	p.pin = "/elsewhere";
	CHECK(prog_match_best(&p, c, 3, &how) == 0 && how == MATCH_NAME,
	      "reloaded elsewhere: type and name, same tag first");
	p.name = "nothing";
	CHECK(prog_match_best(&p, c, 3, &how) == -1 && how == MATCH_NONE, "no such program");
}

static void check_maps(void)
{
	struct prog_ident o1 = { .type = 2, .name = "f", .pin = "/p" };
	struct prog_ident o2 = { .type = 2, .name = "f", .pin = "/q" };
	struct map_ident a[] = {
		{ .id = 1, .type = 1, .name = "m", .key_size = 4, .value_size = 8, .owner = &o1 },
		{ .id = 2, .type = 1, .name = "m", .key_size = 4, .value_size = 8, .pin = "/m" },
		{ .id = 3, .type = 1, .name = "m", .key_size = 4, .value_size = 16, .owner = &o1 },
	};
	struct map_ident b[] = {
		{ .id = 4, .type = 1, .name = "m", .key_size = 4, .value_size = 8, .owner = &o2 },
		{ .id = 5, .type = 1, .name = "m", .key_size = 4, .value_size = 8, .pin = "/m",
		  .owner = &o2 },
		{ .id = 6, .type = 1, .name = "m", .key_size = 4, .value_size = 8, .owner = &o1 },
	};
	long pair[3];

	CHECK(!map_match(a, 3, b, 3, pair, NULL), "map_match");
	CHECK(pair[0] == 2, "an unpinned map goes by its owner: %ld", pair[0]);
	CHECK(pair[1] == 1, "a pinned map goes by its pin, not its owner: %ld", pair[1]);
	CHECK(pair[2] == -1, "another value size is another map: %ld", pair[2]);
}

int main(void)
{
	check_attach_point();
	check_prog_pairs();
	check_prog_tag_first();
	check_best();
	check_maps();
	printf("%s\n", failed ? "unit match: FAIL" : "unit match: ok");
	return failed != 0;
}
