/* Unit checks of the program id list's filter (capture/prog_list.c): the ids of bpfscope's
 * own iterator programs are taken out, every other id stays in its order, and an iterator
 * that never ran (id 0) takes out nothing. */
#include <stdio.h>
#include <string.h>
#include "capture/capture_int.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

int main(void)
{
	uint32_t ids[] = { 3, 7, 8, 12, 40, 41 }, own[3] = { 41, 0, 8 };
	uint32_t want[] = { 3, 7, 12, 40 }, none[3] = { 0, 0, 0 }, zero[] = { 0, 5 };
	size_t n = prog_ids_drop(ids, 6, own, 3);

	CHECK(n == 4 && !memcmp(ids, want, sizeof(want)), "ours not taken out: %zu left", n);
	n = prog_ids_drop(ids, 4, none, 3);
	CHECK(n == 4 && !memcmp(ids, want, sizeof(want)), "no iterator ran, yet %zu left", n);
	n = prog_ids_drop(zero, 2, none, 3);
	CHECK(n == 2, "an id 0 in the list was dropped for an iterator that never ran");
	n = prog_ids_drop(ids, 0, own, 3);
	CHECK(n == 0, "an empty list came back with %zu", n);
	printf("%s\n", failed ? "FAIL" : "PASS");
	return failed != 0;
}
