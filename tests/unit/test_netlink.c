/* Unit checks of the netlink attribute parser on well-formed, truncated and lying input:
 * it must never read past the bytes it was given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture/netlink.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

/* append one attribute (header + payload + padding) at *off */
static void put_attr(uint8_t *buf, size_t *off, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	memcpy(buf + *off, &a, sizeof(a));
	memcpy(buf + *off + NLA_HDRLEN, data, len);
	*off += NLA_ALIGN(NLA_HDRLEN + len);
}

/* a copy of exactly len bytes on the heap, so that ASan catches any overread */
static uint8_t *exact(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len ? len : 1);

	memcpy(q, p, len);
	return q;
}

int main(void)
{
	const struct nlattr *tb[8], *nested[8];
	uint8_t buf[256] = { 0 }, inner[64] = { 0 };
	size_t off = 0, ioff = 0;
	uint32_t v = 0xdeadbeef;
	char s[8];

	/* well-formed: a u32, a string without NUL, a nested u8, an unknown type above max */
	put_attr(buf, &off, 1, &v, 4);
	put_attr(buf, &off, 2, "veth0123456", 11);
	put_attr(inner, &ioff, 3, "\x02", 1);
	put_attr(buf, &off, 4, inner, ioff);
	put_attr(buf, &off, 200, &v, 4);
	{
		uint8_t *p = exact(buf, off);

		CHECK(nla_parse_buf(tb, 7, p, off) == 0, "parse well-formed");
		CHECK(nla_u32(tb[1]) == 0xdeadbeef, "u32");
		nla_str(tb[2], s, sizeof(s));
		CHECK(!strcmp(s, "veth012"), "string cut to the buffer: '%s'", s);
		CHECK(tb[4] && nla_parse_nested_attr(nested, 7, tb[4]) == 0 && nla_u8(nested[3]) == 2,
		      "nested u8");
		CHECK(!tb[0] && !tb[5], "absent attributes are NULL");
		CHECK(nla_u32(tb[5]) == 0 && nla_u8(NULL) == 0, "absent reads as 0");
		free(p);
	}
	/* every truncation of the well-formed run: no overread, and no attribute past the end */
	for (size_t cut = 0; cut < off; cut++) {
		uint8_t *p = exact(buf, cut);

		if (nla_parse_buf(tb, 7, p, cut) == 0)
			for (int i = 0; i < 8; i++)
				CHECK(!tb[i] || (const uint8_t *)tb[i] + tb[i]->nla_len <= p + cut,
				      "cut %zu: attribute %d runs past the end", cut, i);
		free(p);
	}
	/* a length that lies (longer than the buffer, shorter than a header) */
	{
		struct nlattr a = { .nla_len = 200, .nla_type = 1 };
		uint8_t *p = exact((const uint8_t *)&a, sizeof(a));

		CHECK(nla_parse_buf(tb, 7, p, sizeof(a)) < 0, "length past the end is an error");
		free(p);
		a.nla_len = 2;
		p = exact((const uint8_t *)&a, sizeof(a));
		CHECK(nla_parse_buf(tb, 7, p, sizeof(a)) < 0, "length below a header is an error");
		free(p);
	}
	/* a u32 attribute with a 1-byte payload reads as 0, not past it */
	{
		size_t o = 0;
		uint8_t small[8] = { 0 }, *p;

		put_attr(small, &o, 1, "\x07", 1);
		p = exact(small, NLA_HDRLEN + 1);
		CHECK(nla_parse_buf(tb, 7, p, NLA_HDRLEN + 1) == 0 && nla_u32(tb[1]) == 0,
		      "short u32 reads as 0");
		free(p);
	}
	if (failed)
		return 1;
	printf("netlink: ok\n");
	return 0;
}
